//! The tray: an icon that shows the state (watching / paused / needs attention), a tooltip
//! that says it in words, and the menu. The menu cannot be clicked headless, so what each
//! item does is a plain function ([`menu_action`], [`perform`]) the tests call directly.

use calwatch_core::account::AccountStatus;
use calwatch_core::engine::PauseFor;
use calwatch_core::locale::Locale;
use calwatch_core::store::ChannelState;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter as _, Listener as _, Manager as _, Runtime, WebviewWindowBuilder};

use crate::active::ActiveEngine;
use crate::views::{AppStateView, ChannelView, UiError};

/// The tray icon's id.
pub const TRAY_ID: &str = "calwatch";
/// The main window's label (tauri.conf.json).
pub const WINDOW: &str = "main";

const OPEN: &str = "open";
const PAUSE_HOUR: &str = "pause_hour";
const PAUSE_TOMORROW: &str = "pause_tomorrow";
const PAUSE_UNTIL_RESUMED: &str = "pause_until_resumed";
const RESUME: &str = "resume";
/// The disabled first line of the menu that says whether push works.
const PUSH: &str = "push";
const START_AT_LOGIN: &str = "start_at_login";
const QUIT: &str = "quit";

/// What the icon shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayLook {
    /// All is well: changes become toasts.
    Watching,
    /// Toasts are held back: paused, or inside the quiet hours (changes are still
    /// recorded).
    Paused,
    /// Something needs the person: sign in again, the receiver is down, a channel failed.
    Attention,
}

/// The icon and its tooltip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayStatus {
    /// Which icon.
    pub look: TrayLook,
    /// "CalWatch — 3 calendars watched · next renewal in 5 d".
    pub tooltip: String,
    /// The menu's first line: whether push works, and why not.
    pub push_line: String,
}

/// The tray's state from the app's; `now_ms` is the current time, `tz` the person's zone
/// (for "paused until 15:30"), in `locale`'s words.
pub fn status(
    state: &AppStateView,
    channels: &[ChannelView],
    now_ms: i64,
    tz: chrono_tz::Tz,
    locale: &Locale,
) -> TrayStatus {
    let attention = attention_reason(state, channels);
    let engine = &state.engine;
    let hold = &engine.hold;
    // Push down needs attention too: changes still arrive, but only as often as Google is
    // checked meanwhile.
    let push_down = engine.push_health.tray_text();
    let look = match (
        attention.is_some() || push_down.is_some(),
        hold.paused || hold.quiet,
    ) {
        (true, _) => TrayLook::Attention,
        (false, true) => TrayLook::Paused,
        (false, false) => TrayLook::Watching,
    };
    let say = |id: &str| locale.text(id, &[]);
    let mut parts = vec![locale.text("tray-watching", &[("count", engine.watched_count.into())])];
    if let Some(at) = engine.next_renewal_at {
        parts.push(locale.text(
            "tray-next-renewal",
            &[("wait", in_words(at - now_ms, locale).into())],
        ));
    }
    let until = hold.until.map(|at| clock_time(at, now_ms, tz, locale));
    let held = match (hold.paused, hold.quiet, until) {
        (true, _, Some(time)) => Some(locale.text("tray-paused-until", &[("time", time.into())])),
        (true, _, None) => Some(say("tray-paused")),
        (false, true, Some(time)) => {
            Some(locale.text("tray-quiet-until", &[("time", time.into())]))
        }
        (false, true, None) => Some(say("tray-quiet")),
        _ => None,
    };
    parts.extend(held);
    parts.extend(attention.map(say));
    parts.extend(push_down.clone());
    let tooltip = parts.join(" · ");
    let push_line = push_down.unwrap_or_else(|| match engine.push_health.state {
        calwatch_core::engine::PushState::Up => say("tray-push-works"),
        _ => say("tray-push-unchecked"),
    });
    TrayStatus {
        look,
        tooltip,
        push_line,
    }
}

/// The catalogue id of what needs the person, if anything does.
fn attention_reason(state: &AppStateView, channels: &[ChannelView]) -> Option<&'static str> {
    if let Some(account) = &state.engine.account {
        match account.status {
            AccountStatus::NeedsSignIn => return Some("tray-sign-in-again"),
            AccountStatus::Offline => return Some("tray-offline"),
            AccountStatus::SignedIn => {}
        }
    }
    if !state.engine.receiver.listening {
        return Some("tray-receiver-down");
    }
    if channels
        .iter()
        .any(|c| matches!(c.state, ChannelState::Error | ChannelState::Expired))
    {
        return Some("tray-channel-attention");
    }
    None
}

/// A moment as the tooltip says it: "15:30" today, "Tue 08:00" on another day, as the
/// locale writes times.
pub fn clock_time(at_ms: i64, now_ms: i64, tz: chrono_tz::Tz, locale: &Locale) -> String {
    use chrono::TimeZone as _;
    let (Some(at), Some(now)) = (
        tz.timestamp_millis_opt(at_ms).single(),
        tz.timestamp_millis_opt(now_ms).single(),
    ) else {
        return String::new();
    };
    if at.date_naive() == now.date_naive() {
        locale.time(at.time())
    } else {
        locale.weekday_time(at.date_naive(), at.time())
    }
}

/// A duration as the tooltip says it: "5 d", "3 h", "12 min", "now".
pub fn in_words(ms: i64, locale: &Locale) -> String {
    const MINUTE: i64 = 60_000;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    let (id, n) = match ms {
        ms if ms >= DAY => ("tray-days", ms / DAY),
        ms if ms >= HOUR => ("tray-hours", ms / HOUR),
        ms if ms >= MINUTE => ("tray-minutes", ms / MINUTE),
        _ => ("tray-now", 0),
    };
    locale.text(id, &[("n", n.into())])
}

/// What a menu item does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuAction {
    /// Show (or re-create) the window.
    Open,
    /// Pause toasts for a while, or until resumed.
    Pause(PauseFor),
    /// End a pause now.
    Resume,
    /// Start at login, or not.
    ToggleStartAtLogin,
    /// Stop the engine and exit.
    Quit,
}

/// The action of a menu item id.
pub fn menu_action(id: &str) -> Option<MenuAction> {
    match id {
        OPEN => Some(MenuAction::Open),
        PAUSE_HOUR => Some(MenuAction::Pause(PauseFor::Hour)),
        PAUSE_TOMORROW => Some(MenuAction::Pause(PauseFor::UntilTomorrow)),
        PAUSE_UNTIL_RESUMED => Some(MenuAction::Pause(PauseFor::UntilResumed)),
        RESUME => Some(MenuAction::Resume),
        START_AT_LOGIN => Some(MenuAction::ToggleStartAtLogin),
        QUIT => Some(MenuAction::Quit),
        _ => None,
    }
}

/// Does what the menu item asks. Failures reach the window as `calwatch://error`.
pub async fn perform<R: Runtime>(app: &AppHandle<R>, action: MenuAction) {
    let Some(active) = app.try_state::<ActiveEngine>() else {
        return;
    };
    let result: Result<(), UiError> = match action {
        MenuAction::Open => {
            open_window(app);
            Ok(())
        }
        MenuAction::Pause(length) => active.engine().pause(length).map_err(UiError::from),
        MenuAction::Resume => active.engine().resume().map_err(UiError::from),
        MenuAction::ToggleStartAtLogin => {
            let on = active.desktop().start_at_login();
            let result = active
                .desktop()
                .set_start_at_login(!on)
                .map_err(|e| UiError::new("internal", e));
            let _ = app.emit(crate::events::STATE, active.app_state());
            result
        }
        MenuAction::Quit => {
            active.shutdown().await;
            app.exit(0);
            Ok(())
        }
    };
    if let Err(err) = result {
        tracing::warn!(code = %err.code, error = %err.message, "a tray action failed");
        let _ = app.emit(crate::events::ERROR, err);
    }
    // A click flips a check mark by itself, whatever came of the action: set every item
    // from the truth again.
    if let Some(checks) = app.try_state::<TrayChecks<R>>() {
        *checks
            .shown
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
    refresh(app).await;
}

/// The items that follow the state, kept so [`refresh`] can set them from the engine's truth.
struct TrayChecks<R: Runtime> {
    /// "Resume notifications": enabled only while paused.
    resume: MenuItem<R>,
    /// "Start at login".
    start_at_login: CheckMenuItem<R>,
    /// Whether push works (disabled: it only informs).
    push: MenuItem<R>,
    /// "Pause notifications", relabelled with the rest.
    pause: Submenu<R>,
    /// The fixed items and their catalogue ids, relabelled when the language changes.
    labelled: Vec<(MenuItem<R>, &'static str)>,
    /// What the tray shows now: a refresh that would change nothing makes no call (each
    /// is a round trip to the main thread, some 36 wake-ups for a whole refresh).
    shown: std::sync::Mutex<Option<Shown>>,
}

/// Everything a refresh sets, to tell whether it would change anything.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shown {
    /// The icon, tooltip and push line.
    status: TrayStatus,
    /// Whether "Resume notifications" is enabled.
    paused: bool,
    /// Whether "Start at login" is checked.
    start_at_login: bool,
    /// The language of the labels.
    language: calwatch_core::locale::Language,
}

impl<R: Runtime> TrayChecks<R> {
    /// Sets every fixed label in `locale`'s words.
    fn label(&self, locale: &Locale) {
        let say = |id: &str| locale.text(id, &[]);
        let _ = self.pause.set_text(say("menu-pause"));
        let _ = self.resume.set_text(say("menu-resume"));
        let _ = self.start_at_login.set_text(say("menu-start-at-login"));
        for (item, id) in &self.labelled {
            let _ = item.set_text(say(id));
        }
    }
}

const ICON_WATCHING: &[u8] = include_bytes!("../../icons/tray.png");
const ICON_PAUSED: &[u8] = include_bytes!("../../icons/tray-paused.png");
const ICON_ATTENTION: &[u8] = include_bytes!("../../icons/tray-attention.png");

fn icon(look: TrayLook) -> tauri::Result<Image<'static>> {
    Image::from_bytes(match look {
        TrayLook::Watching => ICON_WATCHING,
        TrayLook::Paused => ICON_PAUSED,
        TrayLook::Attention => ICON_ATTENTION,
    })
}

/// Creates the tray icon and its menu.
pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let item = |id: &str, enabled: bool| MenuItem::with_id(app, id, id, enabled, None::<&str>);
    let pause_items = [
        item(PAUSE_HOUR, true)?,
        item(PAUSE_TOMORROW, true)?,
        item(PAUSE_UNTIL_RESUMED, true)?,
    ];
    let pause = Submenu::with_items(
        app,
        "pause",
        true,
        &[&pause_items[0], &pause_items[1], &pause_items[2]],
    )?;
    let resume = item(RESUME, false)?;
    let start_at_login = CheckMenuItem::with_id(
        app,
        START_AT_LOGIN,
        START_AT_LOGIN,
        true,
        false,
        None::<&str>,
    )?;
    let push = item(PUSH, false)?;
    let open = item(OPEN, true)?;
    let quit = item(QUIT, true)?;
    let menu = Menu::with_items(
        app,
        &[
            &push,
            &PredefinedMenuItem::separator(app)?,
            &open,
            &PredefinedMenuItem::separator(app)?,
            &pause,
            &resume,
            &start_at_login,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let checks = TrayChecks {
        resume,
        start_at_login,
        push,
        labelled: vec![
            (pause_items[0].clone(), "menu-pause-hour"),
            (pause_items[1].clone(), "menu-pause-tomorrow"),
            (pause_items[2].clone(), "menu-pause-until-resumed"),
            (open, "menu-open"),
            (quit, "menu-quit"),
        ],
        pause,
        shown: std::sync::Mutex::new(None),
    };
    checks.label(&calwatch_core::locale::current());
    app.manage(checks);
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon(TrayLook::Watching)?)
        .tooltip("CalWatch")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| {
            if let Some(action) = menu_action(event.id().as_ref()) {
                let app = app.clone();
                tauri::async_runtime::spawn(async move { perform(&app, action).await });
            }
        })
        .on_tray_icon_event(|tray, event| {
            // A left click opens the window, as people expect of a tray icon.
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                open_window(tray.app_handle());
            }
        })
        .build(app)?;
    // The tray shows what the window is told: it follows the same events, so the
    // forwarder needs to know nothing of it.
    for event in [crate::events::STATE, crate::events::CHANNELS] {
        let app = app.clone();
        app.clone().listen_any(event, move |_| {
            let app = app.clone();
            tauri::async_runtime::spawn(async move { refresh(&app).await });
        });
    }
    Ok(())
}

/// Sets the icon, tooltip and check marks from the current state. Does nothing without a
/// tray (the mock runtime).
pub async fn refresh<R: Runtime>(app: &AppHandle<R>) {
    let (Some(tray), Some(active)) = (app.tray_by_id(TRAY_ID), app.try_state::<ActiveEngine>())
    else {
        return;
    };
    let state = active.app_state();
    let channels = crate::events::channels(&active.engine())
        .await
        .unwrap_or_default();
    let now_ms = chrono::Utc::now().timestamp_millis();
    let locale = calwatch_core::locale::current();
    let status = status(&state, &channels, now_ms, crate::views::local_tz(), &locale);
    let Some(checks) = app.try_state::<TrayChecks<R>>() else {
        return;
    };
    let now = Shown {
        status,
        paused: state.engine.settings.paused,
        start_at_login: state.shell.start_at_login,
        language: locale.language(),
    };
    let mut shown = checks
        .shown
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if shown.as_ref() == Some(&now) {
        return;
    }
    let applied = icon(now.status.look)
        .and_then(|image| tray.set_icon(Some(image)))
        .and_then(|()| tray.set_tooltip(Some(&now.status.tooltip)));
    let _ = checks.resume.set_enabled(now.paused);
    let _ = checks.start_at_login.set_checked(now.start_at_login);
    let _ = checks.push.set_text(&now.status.push_line);
    // A language chosen in Settings relabels the menu at once.
    checks.label(&locale);
    match applied {
        Ok(()) => *shown = Some(now),
        Err(err) => tracing::debug!(error = %err, "the tray could not be updated"),
    }
}

/// Shows the window, re-creating it if it was closed (closing destroys the webview so the
/// tray-only app holds no web engine).
pub fn open_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(WINDOW) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    let Some(config) = app.config().app.windows.iter().find(|w| w.label == WINDOW) else {
        tracing::error!("tauri.conf.json has no main window");
        return;
    };
    match WebviewWindowBuilder::from_config(app, config).and_then(|b| b.build()) {
        Ok(window) => {
            let _ = window.set_focus();
        }
        Err(err) => tracing::error!(error = %err, "the window could not be opened"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calwatch_core::engine::{
        AccountState, ClientSecretState, EngineSettings, EngineState, HoldState, ReceiverStatus,
    };

    const DAY: i64 = 24 * 3_600_000;

    /// The tray in British English, as the tests below read it.
    fn status(
        state: &AppStateView,
        channels: &[ChannelView],
        now_ms: i64,
        tz: chrono_tz::Tz,
    ) -> TrayStatus {
        super::status(state, channels, now_ms, tz, &Locale::of_tag("en_GB.UTF-8"))
    }

    fn in_words(ms: i64) -> String {
        super::in_words(ms, &Locale::of_tag("en_GB.UTF-8"))
    }

    #[test]
    fn the_tray_speaks_korean_with_korean_times() {
        let korean = Locale::of_tag("ko_KR.UTF-8");
        let mut quiet = state(2, false, AccountStatus::SignedIn);
        quiet.engine.hold = HoldState {
            paused: false,
            quiet: true,
            until: Some(DAY + 7 * 3_600_000),
        };
        let status = super::status(&quiet, &[], 22 * 3_600_000, chrono_tz::UTC, &korean);
        assert_eq!(
            status.tooltip,
            "CalWatch — 캘린더 2개 지켜보는 중 · 4일 후 갱신 · (금) 오전 7:00까지 방해 금지 시간"
        );
        assert_eq!(status.push_line, "푸시 아직 확인 안 됨");
    }

    fn state(watched: usize, paused: bool, account_status: AccountStatus) -> AppStateView {
        let engine = EngineState {
            client_secret: ClientSecretState {
                imported: true,
                client_id: Some("id".into()),
            },
            account: Some(AccountState {
                email: "me@example.com".into(),
                status: account_status,
            }),
            accounts: vec![AccountState {
                email: "me@example.com".into(),
                status: account_status,
            }],
            signing_in: false,
            callback_url: Some("https://example.com/notifications".into()),
            allow_http_callback: false,
            receiver: ReceiverStatus {
                address: "127.0.0.1:8765".into(),
                listening: true,
                error: None,
            },
            settings: EngineSettings {
                paused,
                summary_threshold: 3,
                backstop_minutes: 15,
                receiver_port: 8765,
                push_down_poll_minutes: 2,
                site_verification_file: None,
                paused_until: None,
                notices: Default::default(),
                language: calwatch_core::locale::LanguageChoice::System,
                hour_cycle: calwatch_core::locale::HourCycle::Automatic,
                watch_new_calendars: false,
            },
            watched_count: watched,
            next_renewal_at: Some(5 * DAY + 1000),
            settings_problem: None,
            push_health: Default::default(),
            hold: HoldState {
                paused,
                quiet: false,
                until: None,
            },
            locale: calwatch_core::engine::LocaleState {
                language: calwatch_core::locale::Language::En,
                date_tag: "en-GB".into(),
                hour_cycle: calwatch_core::locale::HourCycle::Automatic,
            },
        };
        AppStateView::new(engine, false, false)
    }

    #[test]
    fn tooltip_says_how_many_calendars_and_when_the_next_renewal_is() {
        let status = status(
            &state(3, false, AccountStatus::SignedIn),
            &[],
            0,
            chrono_tz::UTC,
        );
        assert_eq!(
            status.tooltip, "CalWatch — 3 calendars watched · next renewal in 5 d",
            "the tooltip reads as the issue writes it"
        );
        assert_eq!(status.look, TrayLook::Watching);
    }

    #[test]
    fn paused_shows_the_paused_icon_and_says_so() {
        let status = status(
            &state(1, true, AccountStatus::SignedIn),
            &[],
            0,
            chrono_tz::UTC,
        );
        assert_eq!(status.look, TrayLook::Paused);
        assert!(
            status.tooltip.contains("1 calendar watched") && status.tooltip.contains("paused"),
            "{}",
            status.tooltip
        );
    }

    #[test]
    fn a_timed_pause_and_the_quiet_hours_say_until_when() {
        let mut paused = state(2, true, AccountStatus::SignedIn);
        paused.engine.hold.until = Some(15 * 3_600_000 + 30 * 60_000);
        let status1 = status(&paused, &[], 0, chrono_tz::UTC);
        assert_eq!(status1.look, TrayLook::Paused);
        assert!(
            status1
                .tooltip
                .ends_with("· notifications paused until 15:30"),
            "{}",
            status1.tooltip
        );
        let mut quiet = state(2, false, AccountStatus::SignedIn);
        quiet.engine.hold = HoldState {
            paused: false,
            quiet: true,
            until: Some(DAY + 7 * 3_600_000),
        };
        let status2 = status(&quiet, &[], 22 * 3_600_000, chrono_tz::UTC);
        assert_eq!(status2.look, TrayLook::Paused, "quiet hours look paused");
        assert!(
            status2.tooltip.ends_with("· quiet hours until Fri 07:00"),
            "the end is on another day: {}",
            status2.tooltip
        );
        let none = status(
            &state(0, false, AccountStatus::SignedIn),
            &[],
            0,
            chrono_tz::UTC,
        );
        assert!(
            none.tooltip
                .starts_with("CalWatch — not watching any calendar yet"),
            "{}",
            none.tooltip
        );
    }

    #[test]
    fn a_dead_sign_in_or_a_failed_channel_needs_attention_even_when_paused() {
        let status1 = status(
            &state(1, true, AccountStatus::NeedsSignIn),
            &[],
            0,
            chrono_tz::UTC,
        );
        assert_eq!(
            status1.look,
            TrayLook::Attention,
            "attention wins over paused: toasts can't arrive"
        );
        assert!(status1.tooltip.contains("sign in again"));

        let failed = ChannelView {
            id: "c".into(),
            account: String::new(),
            calendar_id: "cal".into(),
            calendar_name: "Work".into(),
            created_at: 0,
            expires_at: 0,
            state: ChannelState::Error,
            error: Some("Google refused the callback".into()),
            last_message: 0,
        };
        let status2 = status(
            &state(1, false, AccountStatus::SignedIn),
            &[failed],
            0,
            chrono_tz::UTC,
        );
        assert_eq!(status2.look, TrayLook::Attention);
    }

    #[test]
    fn push_down_needs_attention_and_says_why_and_how_often_google_is_checked() {
        let mut down = state(2, false, AccountStatus::SignedIn);
        down.engine.push_health = calwatch_core::engine::PushHealth {
            state: calwatch_core::engine::PushState::Down,
            reason: Some("the public address does not answer".into()),
            checked_at: Some(0),
            polling_every_minutes: Some(2),
            last_deliveries: vec![],
        };
        let status1 = status(&down, &[], 0, chrono_tz::UTC);
        assert_eq!(status1.look, TrayLook::Attention);
        assert!(
            status1.tooltip.contains(
                "Push is down: the public address does not answer — checking Google every 2 minutes meanwhile"
            ),
            "{}",
            status1.tooltip
        );
        assert_eq!(
            status1.push_line,
            status1.tooltip.rsplit(" · ").next().unwrap()
        );

        let mut up = down.clone();
        up.engine.push_health.state = calwatch_core::engine::PushState::Up;
        up.engine.push_health.reason = None;
        up.engine.push_health.polling_every_minutes = None;
        let status2 = status(&up, &[], 0, chrono_tz::UTC);
        assert_eq!(status2.look, TrayLook::Watching, "push back: no attention");
        assert_eq!(status2.push_line, "Push works");
        assert!(!status2.tooltip.contains("Push is down"));
    }

    #[test]
    fn durations_read_in_the_largest_whole_unit() {
        assert_eq!(in_words(5 * DAY + 3_600_000), "5 d");
        assert_eq!(in_words(3 * 3_600_000 + 5), "3 h");
        assert_eq!(in_words(12 * 60_000), "12 min");
        assert_eq!(in_words(-5), "now", "an overdue renewal is due now");
    }

    #[test]
    fn every_menu_item_has_an_action() {
        for (id, action) in [
            (OPEN, MenuAction::Open),
            (PAUSE_HOUR, MenuAction::Pause(PauseFor::Hour)),
            (PAUSE_TOMORROW, MenuAction::Pause(PauseFor::UntilTomorrow)),
            (
                PAUSE_UNTIL_RESUMED,
                MenuAction::Pause(PauseFor::UntilResumed),
            ),
            (RESUME, MenuAction::Resume),
            (START_AT_LOGIN, MenuAction::ToggleStartAtLogin),
            (QUIT, MenuAction::Quit),
        ] {
            assert_eq!(menu_action(id), Some(action), "menu item {id}");
        }
        assert_eq!(menu_action("nonsense"), None);
    }
}

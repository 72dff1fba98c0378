//! The tray: an icon that shows the state (watching / paused / needs attention), a tooltip
//! that says it in words, and the menu: what it shows ([`view`]) and what each item does
//! (`commands::tray_action`), whoever draws it (`sni_tray` on Linux, `tauri_tray` elsewhere).

use crate::active::ActiveEngine;
use crate::views::{AppStateView, ChannelView};
use calwatch_core::account::AccountStatus;
pub use calwatch_core::engine::PauseFor;
use calwatch_core::locale::Locale;
use calwatch_core::store::ChannelState;

pub const OPEN: &str = "open";
pub const PAUSE_HOUR: &str = "pause_hour";
pub const PAUSE_TOMORROW: &str = "pause_tomorrow";
pub const PAUSE_UNTIL_RESUMED: &str = "pause_until_resumed";
pub const RESUME: &str = "resume";
/// The disabled first line of the menu that says whether push works.
pub const PUSH: &str = "push";
pub const START_AT_LOGIN: &str = "start_at_login";
pub const QUIT: &str = "quit";

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

/// Everything the tray shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayView {
    /// Which icon.
    pub look: TrayLook,
    /// "CalWatch — 3 calendars watched · next renewal in 5 d".
    pub tooltip: String,
    /// The menu's first, disabled line: whether push works.
    pub push_line: String,
    /// Whether notifications are paused ("Resume notifications" is enabled only then).
    pub paused: bool,
    /// Whether "Start at login" is checked.
    pub start_at_login: bool,
    /// The menu's words, in the person's language.
    pub labels: MenuLabels,
}

/// The menu's fixed words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuLabels {
    /// "Open CalWatch".
    pub open: String,
    /// "Pause notifications" (the submenu).
    pub pause: String,
    /// "For 1 hour".
    pub pause_hour: String,
    /// "Until tomorrow".
    pub pause_tomorrow: String,
    /// "Until I resume".
    pub pause_until_resumed: String,
    /// "Resume notifications".
    pub resume: String,
    /// "Start at login".
    pub start_at_login: String,
    /// "Quit".
    pub quit: String,
}

impl MenuLabels {
    /// The labels in `locale`'s words.
    pub fn in_locale(locale: &Locale) -> MenuLabels {
        let say = |id: &str| locale.text(id, &[]);
        MenuLabels {
            open: say("menu-open"),
            pause: say("menu-pause"),
            pause_hour: say("menu-pause-hour"),
            pause_tomorrow: say("menu-pause-tomorrow"),
            pause_until_resumed: say("menu-pause-until-resumed"),
            resume: say("menu-resume"),
            start_at_login: say("menu-start-at-login"),
            quit: say("menu-quit"),
        }
    }
}

/// What the tray should show now.
pub fn view(active: &ActiveEngine) -> TrayView {
    let state = active.app_state();
    let channels = crate::views::channels(&active.engine()).unwrap_or_default();
    let now_ms = chrono::Utc::now().timestamp_millis();
    let locale = calwatch_core::locale::current();
    let status = status(&state, &channels, now_ms, crate::views::local_tz(), &locale);
    TrayView {
        look: status.look,
        tooltip: status.tooltip,
        push_line: status.push_line,
        paused: state.engine.settings.paused,
        start_at_login: state.shell.start_at_login,
        labels: MenuLabels::in_locale(&locale),
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

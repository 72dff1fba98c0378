//! The engine's [`Notifier`] as native toasts: over D-Bus on Linux (`xdg_toast`), through
//! the window toolkit's notification plugin elsewhere (`Surface::toast`).
//! A click on a change's toast opens the event in the browser (in the signed-in
//! account); a click on a summary opens the window's activity list, on a digest the
//! activity list showing just the changes it counts, on a new calendar's offer the
//! window's Calendars (where it can be watched) — where the notification server reports
//! clicks. Where the server shows actions, a change's toast offers **Open** and,
//! for an event with a meeting link, **Join**; a new calendar's offer **Watch**, which
//! watches it without opening the window (see [`actions`]).

use std::sync::{Arc, Weak};

use async_trait::async_trait;
use calwatch_core::notice::{Notice, Notifier};
use calwatch_core::store::CalendarKey;

use crate::shell::Shell;

pub mod actions;
pub(crate) mod markup;
#[cfg(target_os = "linux")]
mod xdg_toast;

/// What a toast says and what clicking it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    /// "Team sync moved".
    pub title: String,
    /// "Tue 3 Dec 10:00 → 11:00 · Work".
    pub body: String,
    /// What a click does.
    pub on_click: ToastClick,
    /// The buttons it offers, where the notification server shows them.
    pub actions: Vec<actions::ToastAction>,
}

/// What a click on a toast does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToastClick {
    /// Open the event in Google Calendar.
    OpenLink(String),
    /// Show the window's activity list.
    ShowActivity,
    /// Show the activity list with just these changes (a digest's).
    ShowChanges(Vec<i64>),
    /// Show the window's Calendars (a new calendar's offer to watch it).
    ShowCalendars,
    /// Open a meeting link (Join).
    Join(String),
    /// Watch a calendar newly in an account's list (Watch on its offer).
    Watch(CalendarKey),
}

/// Where a toast keeps its click target (the notification's `extra` map), where the
/// notification plugin shows it.
pub const LINK_KEY: &str = "htmlLink";
/// The view a click on a toast without a link opens.
pub const NAVIGATE_KEY: &str = "navigate";

/// The name toasts carry: notification centres label and group them by it.
pub const APP_NAME: &str = "CalWatch";
/// The app icon's name in the icon theme (the packages install it under hicolor).
pub const ICON_NAME: &str = "calwatch";
/// The installed desktop entry (`calwatch.desktop`), named in the `desktop-entry` hint so
/// notification centres find the app's name, icon and settings.
pub const DESKTOP_ENTRY: &str = "calwatch";

impl Toast {
    /// The toast for one notice; times in `tz`. The words are the engine's.
    pub fn new(notice: &Notice, tz: chrono_tz::Tz) -> Self {
        let on_click = match notice {
            // The link already names the account whose calendar it is (`authuser`).
            Notice::Single(change) => change
                .event_link()
                .map_or(ToastClick::ShowActivity, ToastClick::OpenLink),
            Notice::Summary { .. } => ToastClick::ShowActivity,
            Notice::Digest { change_ids, .. } => ToastClick::ShowChanges(change_ids.clone()),
            Notice::NewCalendar { .. } => ToastClick::ShowCalendars,
        };
        Toast {
            title: notice.headline(),
            body: notice.body(tz),
            on_click,
            actions: actions::for_notice(notice, &calwatch_core::locale::current()),
        }
    }
}

/// Raises the engine's notices as toasts.
pub struct ToastNotifier {
    /// Clicks act through the shell; held weakly, as the shell owns the engine that owns
    /// this.
    shell: Weak<Shell>,
    /// The person's zone, for the times in the bodies.
    tz: chrono_tz::Tz,
}

impl ToastNotifier {
    /// Toasts whose clicks act through `shell`.
    pub fn new(shell: Weak<Shell>, tz: chrono_tz::Tz) -> Self {
        Self { shell, tz }
    }
}

#[async_trait]
impl Notifier for ToastNotifier {
    async fn notify(&self, notices: &[Notice]) {
        let Some(shell) = self.shell.upgrade() else {
            return;
        };
        for notice in notices {
            show(&shell, &Toast::new(notice, self.tz));
        }
    }
}

/// Raises `toast`; its click and buttons do what [`clicked`] says.
pub fn show(shell: &Arc<Shell>, toast: &Toast) {
    // The notification plugin sends the executable's name and no desktop-entry hint on
    // Linux: toasts there go out with the app's identity from `xdg_toast`.
    #[cfg(target_os = "linux")]
    {
        let shell = Arc::clone(shell);
        xdg_toast::show(toast, move |click| clicked(&shell, &click));
    }
    #[cfg(not(target_os = "linux"))]
    match PLUGIN.get() {
        Some(show) => show(toast),
        None => tracing::warn!("a toast was raised before toasts were set up"),
    }
}

/// Where toasts go through the notification plugin (Windows, macOS): set once at start.
#[cfg(not(target_os = "linux"))]
type PluginToast = Box<dyn Fn(&Toast) + Send + Sync>;
#[cfg(not(target_os = "linux"))]
static PLUGIN: std::sync::OnceLock<PluginToast> = std::sync::OnceLock::new();

/// Toasts go through `app`'s notification plugin from now on, and its clicks act through
/// `shell` (Windows, macOS; Linux's go over D-Bus).
#[cfg(not(target_os = "linux"))]
pub fn use_plugin<R: tauri::Runtime>(app: &tauri::AppHandle<R>, shell: Weak<Shell>) {
    use tauri_plugin_notification::NotificationExt as _;
    let showing = app.clone();
    if PLUGIN
        .set(Box::new(move |toast| show_with_plugin(&showing, toast)))
        .is_err()
    {
        return;
    }
    let listening = app.notification().on_action(move |performed| {
        if let Some(shell) = shell.upgrade() {
            toast_clicked(&shell, performed);
        }
    });
    if let Err(err) = listening {
        tracing::warn!(error = %err, "toast clicks will not be reported");
    }
}

#[cfg(not(target_os = "linux"))]
fn show_with_plugin<R: tauri::Runtime>(app: &tauri::AppHandle<R>, toast: &Toast) {
    use tauri_plugin_notification::NotificationExt as _;
    let builder = app
        .notification()
        .builder()
        .title(markup::toast_text(&toast.title))
        .body(markup::toast_text(&toast.body));
    let builder = match &toast.on_click {
        ToastClick::OpenLink(url) | ToastClick::Join(url) => builder.extra(LINK_KEY, url),
        ToastClick::ShowActivity | ToastClick::ShowChanges(_) => {
            builder.extra(NAVIGATE_KEY, "activity")
        }
        // No buttons here: the offer's click opens Calendars, where it is watched.
        ToastClick::ShowCalendars | ToastClick::Watch(_) => {
            builder.extra(NAVIGATE_KEY, "calendars")
        }
    };
    // `show` hands the toast to a background task; a missing notification server is not
    // reported here, only in the server's absence of a toast.
    if let Err(err) = builder.show() {
        tracing::warn!(error = %err, "a toast could not be shown");
    }
}

#[cfg(not(target_os = "linux"))]
fn toast_clicked(shell: &Arc<Shell>, performed: &tauri_plugin_notification::ActionPerformed) {
    if performed.action_id() != "tap" {
        return;
    }
    let Some(extra) = performed.notification().map(|n| n.extra()) else {
        return;
    };
    if let Some(url) = extra.get(LINK_KEY).and_then(|v| v.as_str()) {
        clicked(shell, &ToastClick::OpenLink(url.to_string()));
    } else if let Some(view) = extra.get(NAVIGATE_KEY) {
        let click = if view.as_str() == Some("calendars") {
            ToastClick::ShowCalendars
        } else {
            ToastClick::ShowActivity
        };
        clicked(shell, &click);
    }
}

/// Does what a click on a toast, or one of its buttons, does.
pub fn clicked(shell: &Arc<Shell>, click: &ToastClick) {
    match click {
        ToastClick::OpenLink(url) | ToastClick::Join(url) => {
            let Some(active) = shell.active() else {
                return;
            };
            // An event's link already names its account (`Change::event_link`); a meeting
            // link opens as it is.
            if crate::commands::is_https(url) {
                if let Err(err) = active.desktop().open_url(url) {
                    tracing::warn!(error = %err, "the link could not be opened");
                }
            }
        }
        ToastClick::ShowActivity => {
            shell.surface().open_window();
            shell.emit(crate::events::NAVIGATE, "activity");
        }
        ToastClick::ShowChanges(ids) => {
            shell.surface().open_window();
            shell.emit(crate::events::SHOW_CHANGES, ids);
            shell.emit(crate::events::NAVIGATE, "activity");
        }
        ToastClick::ShowCalendars => {
            shell.surface().open_window();
            shell.emit(crate::events::NAVIGATE, "calendars");
        }
        ToastClick::Watch(calendar) => {
            let Some(active) = shell.active() else {
                return;
            };
            let engine = active.engine();
            let app = Arc::clone(shell);
            let calendar = calendar.clone();
            shell.spawn(async move {
                if let Err(err) = engine.watch(&calendar).await {
                    watch_failed(&app, &engine, &calendar, err);
                }
            });
        }
    }
}

/// Watch on a new calendar's toast did not work: said in a toast of its own (the window
/// may be closed; pressing a button must never fail silently), whose click opens
/// Calendars, and in the window if it is open.
fn watch_failed(
    app: &Arc<Shell>,
    engine: &calwatch_core::engine::Engine,
    calendar: &CalendarKey,
    err: calwatch_core::engine::EngineError,
) {
    tracing::warn!(code = err.code(), error = %err, "Watch on a new calendar's toast failed");
    let name = engine
        .calendars()
        .ok()
        .and_then(|all| all.into_iter().find(|c| c.key() == *calendar))
        .map_or_else(|| calendar.calendar_id.clone(), |c| c.summary);
    let toast = Toast {
        title: calwatch_core::locale::current()
            .text("toast-watch-failed", &[("calendar", name.into())]),
        body: err.message(),
        on_click: ToastClick::ShowCalendars,
        actions: Vec::new(),
    };
    show(app, &toast);
    app.emit(crate::events::ERROR, &crate::views::UiError::from(err));
}

#[cfg(test)]
mod tests {
    use calwatch_core::notice::{Change, ChangeKind};

    use super::*;

    fn added(link: Option<&str>) -> Notice {
        Notice::Single(Change {
            account: String::new(),
            calendar_id: "work".into(),
            calendar_name: "Work".into(),
            event_id: "e1".into(),
            kind: ChangeKind::Created,
            title: "Dentist".into(),
            start: None,
            end: None,
            diffs: Vec::new(),
            html_link: link.map(str::to_string),
            facts: Default::default(),
        })
    }

    #[test]
    fn a_change_toast_uses_the_engine_words_and_opens_the_event() {
        let toast = Toast::new(
            &added(Some("https://calendar.google.com/e/1")),
            chrono_tz::UTC,
        );
        assert_eq!(toast.title, "Dentist added");
        assert_eq!(toast.body, "Work", "no time known: just the calendar");
        assert_eq!(
            toast.on_click,
            ToastClick::OpenLink("https://calendar.google.com/e/1".into()),
            "a click opens the event in Google Calendar"
        );
        assert_eq!(
            Toast::new(&added(None), chrono_tz::UTC).on_click,
            ToastClick::ShowActivity,
            "without a link, the activity list is the next best place"
        );
    }

    #[test]
    fn a_summary_toast_opens_the_activity_list() {
        let summary = Notice::Summary {
            calendar_id: "work".into(),
            calendar_name: "Work".into(),
            count: 7,
            away: false,
            first: vec!["Dentist added".into()],
        };
        let toast = Toast::new(&summary, chrono_tz::UTC);
        assert_eq!(toast.title, "7 changes in Work");
        assert_eq!(toast.on_click, ToastClick::ShowActivity);
    }

    #[test]
    fn a_new_calendar_toast_offers_to_watch_it_and_opens_calendars() {
        let offer = Notice::NewCalendar {
            account: "me@example.com".into(),
            calendar_id: "offsite@group.calendar.google.com".into(),
            calendar_name: "Team Offsite".into(),
        };
        let toast = Toast::new(&offer, chrono_tz::UTC);
        assert_eq!(toast.title, "New calendar: Team Offsite — Watch?");
        assert!(
            toast.body.contains("me@example.com"),
            "the body names the account it was shared with: {}",
            toast.body
        );
        assert_eq!(
            toast.on_click,
            ToastClick::ShowCalendars,
            "a click opens Calendars, where it can be watched"
        );
        let ids: Vec<&str> = toast.actions.iter().map(|a| a.id).collect();
        assert_eq!(ids, ["watch"], "no event to open or join; Watch at once");
        assert_eq!(
            actions::chosen(&toast, "watch"),
            Some(ToastClick::Watch(CalendarKey::new(
                "me@example.com",
                "offsite@group.calendar.google.com"
            )))
        );
    }
}

//! Toasts on Linux's notification server (org.freedesktop.Notifications) with CalWatch's
//! identity: the app name, the icon and the `desktop-entry` hint, which notification
//! centres use to label and group them. The notification plugin sends the executable's
//! name and no hints, so on Linux the toasts go out here; a click, or a button (Open,
//! Join, Watch) on servers that show actions, is reported as on the other platforms.

use notify_rust::{Hint, Notification};

use super::actions::{self, DEFAULT_ACTION};
use super::{markup, Toast, ToastClick, APP_NAME, DESKTOP_ENTRY, ICON_NAME};

/// Shows `toast` and, on a thread of its own until the toast is clicked or closed, waits
/// for a click or a button, whose [`ToastClick`] runs `on_click`. A missing notification
/// server is logged.
pub fn show(toast: &Toast, on_click: impl FnOnce(ToastClick) + Send + 'static) {
    let toast = toast.clone();
    // Sending blocks on D-Bus; and servers such as dunst send a toast's signals only to the
    // connection that sent it, so the same thread then waits on that connection.
    std::thread::spawn(move || {
        // A server without actions gets the plain toast (the click still works where
        // the server reports it).
        let buttons =
            notify_rust::get_capabilities().is_ok_and(|caps| caps.iter().any(|c| c == "actions"));
        match notification(&toast, buttons).show() {
            Ok(handle) => handle.wait_for_action(|action| {
                if let Some(click) = actions::chosen(&toast, action) {
                    on_click(click);
                }
            }),
            Err(err) => tracing::warn!(error = %err, "a toast could not be shown"),
        }
    });
}

/// The `Notify` call for `toast`, with its buttons when the server shows them.
fn notification(toast: &Toast, buttons: bool) -> Notification {
    let mut notification = Notification::new();
    notification
        .appname(APP_NAME)
        .icon(ICON_NAME)
        // Titles come from whoever sent the invitation: never markup (see `markup`).
        .summary(&markup::toast_text(&toast.title))
        .body(&markup::toast_text(&toast.body))
        .hint(Hint::DesktopEntry(DESKTOP_ENTRY.to_string()))
        // Offering the default action is what makes servers report a click on the toast
        // (some show its label in a menu).
        .action(
            DEFAULT_ACTION,
            &calwatch_core::locale::current().text("toast-action-open", &[]),
        );
    if buttons {
        for action in &toast.actions {
            notification.action(action.id, &action.label);
        }
    }
    notification
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_toast_carries_the_app_name_icon_and_desktop_entry() {
        let toast = Toast {
            title: "Dentist added".into(),
            body: "Work".into(),
            on_click: ToastClick::ShowActivity,
            actions: Vec::new(),
        };
        let n = notification(&toast, true);
        assert_eq!(
            n.appname, "CalWatch",
            "the name people read, not the binary's"
        );
        assert_eq!(n.icon, "calwatch", "the icon the packages install");
        assert!(
            n.hints
                .contains(&Hint::DesktopEntry("calwatch".to_string())),
            "names calwatch.desktop: {:?}",
            n.hints
        );
        assert_eq!(
            (n.summary.as_str(), n.body.as_str()),
            ("Dentist added", "Work")
        );
    }

    #[test]
    fn buttons_go_out_only_to_a_server_that_shows_them() {
        let toast = Toast {
            title: "Design review added".into(),
            body: "Work".into(),
            on_click: ToastClick::OpenLink("https://calendar.example/e".into()),
            actions: vec![actions::ToastAction {
                id: actions::JOIN_ACTION,
                label: "Join".into(),
                click: ToastClick::Join("https://meet.example/x".into()),
            }],
        };
        assert_eq!(
            notification(&toast, true).actions,
            ["default", "Open", "join", "Join"],
            "the click and the Join button"
        );
        assert_eq!(
            notification(&toast, false).actions,
            ["default", "Open"],
            "a server without actions gets the plain toast"
        );
    }
}

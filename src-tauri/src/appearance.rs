//! Light or dark: the window follows the desktop's colour scheme, as the freedesktop
//! settings portal tells it (`org.freedesktop.appearance` `color-scheme`), live.
//!
//! Tauri's runtime can do this itself, but its watcher is a thread that waits on the
//! session bus with a five-second timeout for the life of the app: twelve wake-ups a
//! minute of a tray that is otherwise asleep. So that feature is off (Cargo.toml) and this
//! module does the same job on the async runtime: one read at start, then the portal's
//! `SettingChanged` signal, which wakes nothing until the scheme really changes.

use futures_util::StreamExt as _;
use tauri::{AppHandle, Runtime, Theme};
use zbus::zvariant::{OwnedValue, Value};

const PORTAL: &str = "org.freedesktop.portal.Desktop";
const PATH: &str = "/org/freedesktop/portal/desktop";
const SETTINGS: &str = "org.freedesktop.portal.Settings";
const NAMESPACE: &str = "org.freedesktop.appearance";
const KEY: &str = "color-scheme";

/// The portal's `color-scheme`: 1 prefers dark, 2 prefers light, 0 (no preference) and
/// anything newer read as light, as GTK and Tauri do.
pub fn theme_of(color_scheme: u32) -> Theme {
    match color_scheme {
        1 => Theme::Dark,
        _ => Theme::Light,
    }
}

/// The number inside a portal value, however deeply it is wrapped: `Read` answers a
/// variant inside a variant, the signal a single variant.
fn scheme_number(value: &Value<'_>) -> Option<u32> {
    match value {
        Value::U32(n) => Some(*n),
        Value::Value(inner) => scheme_number(inner),
        _ => None,
    }
}

/// Applies the desktop's scheme now and whenever it changes, until the session bus goes.
/// Without a portal (a bare X session, the headless tests) the window keeps GTK's own
/// theme, as before: logged, not shown, since nothing is wrong for the person.
pub fn follow<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        if let Err(err) = watch(&app).await {
            tracing::debug!(error = %err, "the desktop's colour scheme is not followed");
        }
    });
}

async fn watch<R: Runtime>(app: &AppHandle<R>) -> zbus::Result<()> {
    let bus = zbus::Connection::session().await?;
    let settings = zbus::Proxy::new(&bus, PORTAL, PATH, SETTINGS).await?;
    // Subscribed before the first read, so a change in between is not missed.
    let mut changes = settings.receive_signal("SettingChanged").await?;
    let current: zbus::Result<OwnedValue> = settings.call("Read", &(NAMESPACE, KEY)).await;
    match current {
        Ok(value) => apply(app, scheme_number(&value)),
        Err(err) => tracing::debug!(error = %err, "no colour scheme from the portal"),
    }
    while let Some(signal) = changes.next().await {
        let body = signal.body();
        let Ok((namespace, key, value)) = body.deserialize::<(&str, &str, Value<'_>)>() else {
            continue;
        };
        if namespace == NAMESPACE && key == KEY {
            apply(app, scheme_number(&value));
        }
    }
    Ok(())
}

fn apply<R: Runtime>(app: &AppHandle<R>, scheme: Option<u32>) {
    let Some(scheme) = scheme else {
        return;
    };
    let theme = theme_of(scheme);
    tracing::debug!(scheme, ?theme, "the desktop's colour scheme");
    app.set_theme(Some(theme));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portals_numbers_read_as_gtk_reads_them() {
        assert_eq!(theme_of(1), Theme::Dark);
        assert_eq!(theme_of(2), Theme::Light);
        assert_eq!(theme_of(0), Theme::Light, "no preference");
        assert_eq!(theme_of(7), Theme::Light, "a value from a newer portal");
    }

    #[test]
    fn the_scheme_is_found_inside_read_and_signal_values() {
        let signal = Value::Value(Box::new(Value::U32(1)));
        assert_eq!(scheme_number(&signal), Some(1));
        let read = Value::Value(Box::new(Value::Value(Box::new(Value::U32(2)))));
        assert_eq!(scheme_number(&read), Some(2));
        assert_eq!(scheme_number(&Value::from("dark")), None);
    }
}

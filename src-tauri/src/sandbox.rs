//! The sandbox: fake-google running inside the app with a seeded calendar, so a person can
//! try CalWatch without a Google account. The engine runs unchanged against it, on its own
//! data dir, with a loopback callback; the sandbox also plays the browser for sign-in.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use calwatch_core::auth::Opener;
use calwatch_core::config::Config;
use chrono::{NaiveDate, NaiveDateTime, TimeZone as _};
use fake_google::{Control, ControlError, FakeGoogle, Options};
use serde_json::{json, Value};

use crate::views::{local_tz, SandboxEvent, UiError};

/// A running fake-google and what the sandbox engine is pointed at.
pub struct Sandbox {
    /// The server; dropping it shuts it down.
    fake: FakeGoogle,
    /// Creates, moves and cancels events as if someone did it in Google Calendar.
    control: Control,
    /// `<data dir>/sandbox`: the sandbox engine's store and settings, wiped on each start.
    data_dir: PathBuf,
    /// The client secret fake-google issued, as if downloaded from Google Cloud.
    client_secret_path: PathBuf,
    /// Where the sandbox engine's receiver listens.
    receiver_addr: SocketAddr,
    /// `http://127.0.0.1:PORT/notifications`: loopback needs no tunnel.
    callback_url: String,
}

/// "The sandbox could not …: reason", the step's message (errors.ftl) with the reason.
fn sandbox_error(what: &str, err: impl std::fmt::Display) -> UiError {
    let reason = err.to_string();
    UiError::new(
        "sandbox",
        calwatch_core::locale::current().text(what, &[("reason", reason.into())]),
    )
}

/// The panel acts on what it listed a moment ago: an event or calendar gone meanwhile is
/// an answer for the person, not a crash.
fn control_error(err: ControlError) -> UiError {
    match err {
        ControlError::UnknownEvent(_) => UiError::new(
            "not_found",
            calwatch_core::locale::current().text("shell-sandbox-event-gone", &[]),
        ),
        ControlError::UnknownCalendar(_) => UiError::new(
            "not_found",
            calwatch_core::locale::current().text("shell-sandbox-calendar-gone", &[]),
        ),
        ControlError::Refused(why) => sandbox_error("shell-sandbox-refused", why),
    }
}

impl Sandbox {
    /// Starts fake-google (seeded) and prepares a fresh data dir under `real_data_dir`.
    pub async fn start(real_data_dir: &Path) -> Result<Sandbox, UiError> {
        let data_dir = real_data_dir.join("sandbox");
        // A new fake-google knows none of the old channels or tokens: start clean.
        if data_dir.exists() {
            tokio::fs::remove_dir_all(&data_dir)
                .await
                .map_err(|e| sandbox_error("shell-sandbox-clear-failed", e))?;
        }
        tokio::fs::create_dir_all(&data_dir)
            .await
            .map_err(|e| sandbox_error("shell-sandbox-folder-failed", e))?;

        let fake = FakeGoogle::start(Options {
            allow_http: true,
            seed: true,
            ..Options::default()
        })
        .await
        .map_err(|e| sandbox_error("shell-sandbox-server-failed", e))?;

        let client_secret_path = data_dir.join("downloaded_client_secret.json");
        tokio::fs::write(&client_secret_path, fake.client_secret_json())
            .await
            .map_err(|e| sandbox_error("shell-sandbox-secret-failed", e))?;

        let receiver_addr =
            free_loopback_port().map_err(|e| sandbox_error("shell-sandbox-no-port", e))?;
        let callback_url = format!("http://{receiver_addr}/notifications");
        Ok(Sandbox {
            control: fake.control(),
            fake,
            data_dir,
            client_secret_path,
            receiver_addr,
            callback_url,
        })
    }

    /// The sandbox engine's configuration: fake-google's endpoints, its own data dir, an
    /// http loopback callback. Nothing of the real environment leaks in.
    pub fn config(&self, real: &Config) -> Result<Config, UiError> {
        // The client secret and the callback URL are set through the engine afterwards,
        // the way a person sets them, so they are not taken from the environment here.
        let mut env: HashMap<String, String> = self
            .fake
            .env_assignments(&self.client_secret_path)
            .into_iter()
            .filter(|(key, _)| key != "CALWATCH_CLIENT_SECRET_FILE")
            .collect();
        let overrides = [
            ("CALWATCH_DATA_DIR", self.data_dir.display().to_string()),
            ("CALWATCH_RECEIVER_ADDR", self.receiver_addr.to_string()),
            ("CALWATCH_ALLOW_HTTP_CALLBACK", "1".to_string()),
        ];
        for (key, value) in overrides {
            env.insert(key.to_string(), value);
        }
        let mut config = Config::load_from(&|key: &str| env.get(key).cloned())
            .map_err(|e| sandbox_error("shell-sandbox-config-invalid", e))?;
        // The person's own choices still hold in the sandbox.
        config.settings.summary_threshold = real.settings.summary_threshold;
        // The sandbox speaks the person's language and writes their dates.
        config.system_locale = real.system_locale.clone();
        config.settings.language = real.settings.language;
        config.settings.hour_cycle = real.settings.hour_cycle;
        Ok(config)
    }

    /// Deletes `<data dir>/sandbox` on leaving: its store holds the sandbox's channel
    /// tokens and events, of no use afterwards. fake-google's `/control/…` HTTP API needs
    /// the secret it drew at start, which only this process holds (the sandbox itself
    /// uses the in-process [`Control`]), so other local users cannot reach it meanwhile.
    pub async fn remove_data(&self) {
        match tokio::fs::remove_dir_all(&self.data_dir).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(error = %e, "the sandbox's data could not be removed"),
        }
    }

    /// fake-google's address, for the log.
    pub fn base_url(&self) -> String {
        self.fake.base_url()
    }

    /// The client secret file to import.
    pub fn client_secret_path(&self) -> &Path {
        &self.client_secret_path
    }

    /// The callback URL to set.
    pub fn callback_url(&self) -> &str {
        &self.callback_url
    }

    /// An opener that plays the browser: it fetches the consent URL and follows
    /// fake-google's redirect to the engine's loopback listener, as a browser would.
    pub fn browser() -> Arc<Opener> {
        Arc::new(|url: &str| {
            let url = url.to_string();
            tokio::spawn(async move {
                // Following redirects is what a browser does; here it only ever goes from
                // fake-google to the loopback listener.
                let client = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::limited(5))
                    .build();
                let result = match client {
                    Ok(client) => client.get(&url).send().await.map(drop),
                    Err(e) => Err(e),
                };
                if let Err(err) = result {
                    tracing::warn!(error = %err, "the sandbox browser could not finish sign-in");
                }
            });
            Ok(())
        })
    }

    /// The live (not cancelled) events of `calendars`; a calendar the sandbox no longer
    /// has lists nothing.
    pub fn events(&self, calendars: &[String]) -> Vec<SandboxEvent> {
        calendars
            .iter()
            .flat_map(|cal| {
                self.control
                    .checked_events(cal)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|e| !SandboxEvent::is_cancelled(e))
                    .map(|e| SandboxEvent::from_google(cal, &e))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Adds an event, as if made in Google Calendar (channels get an `exists` post).
    pub fn create_event(
        &self,
        calendar_id: &str,
        summary: &str,
        start: &str,
        end: &str,
        all_day: bool,
    ) -> Result<SandboxEvent, UiError> {
        let event = json!({
            "summary": summary,
            "start": google_time(start, all_day)?,
            "end": google_time(end, all_day)?,
        });
        let created = self
            .control
            .checked_insert_event(calendar_id, event)
            .map_err(control_error)?;
        Ok(SandboxEvent::from_google(calendar_id, &created))
    }

    /// Renames or moves an event; absent fields stay as they are.
    pub fn update_event(
        &self,
        calendar_id: &str,
        event_id: &str,
        summary: Option<&str>,
        start: Option<&str>,
        end: Option<&str>,
    ) -> Result<SandboxEvent, UiError> {
        let mut patch = serde_json::Map::new();
        if let Some(summary) = summary {
            patch.insert("summary".into(), json!(summary));
        }
        for (key, value) in [("start", start), ("end", end)] {
            if let Some(value) = value {
                patch.insert(key.into(), google_time(value, is_date(value))?);
            }
        }
        let updated = self
            .control
            .checked_update_event(calendar_id, event_id, Value::Object(patch))
            .map_err(control_error)?;
        Ok(SandboxEvent::from_google(calendar_id, &updated))
    }

    /// Cancels an event.
    pub fn delete_event(&self, calendar_id: &str, event_id: &str) -> Result<(), UiError> {
        self.control
            .checked_delete_event(calendar_id, event_id)
            .map_err(control_error)
    }
}

fn free_loopback_port() -> std::io::Result<SocketAddr> {
    // Bind, read the port, let go: the engine binds it a moment later. The window of a
    // race with another program is tiny and a clash shows as `port_in_use`.
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()
}

fn is_date(text: &str) -> bool {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

/// Google's `{date}` / `{dateTime}` from what the panel sends: a date for all-day events,
/// otherwise RFC 3339 or a local date-time (a form's `datetime-local`), read in the
/// person's zone.
fn google_time(text: &str, all_day: bool) -> Result<Value, UiError> {
    let bad = || {
        UiError::new(
            "sandbox",
            calwatch_core::locale::current()
                .text("shell-sandbox-bad-time", &[("text", text.into())]),
        )
    };
    if all_day {
        let date = text.get(..10).filter(|d| is_date(d)).ok_or_else(bad)?;
        return Ok(json!({ "date": date }));
    }
    if chrono::DateTime::parse_from_rfc3339(text).is_ok() {
        return Ok(json!({ "dateTime": text }));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .map_err(|_| bad())?;
    let tz = local_tz();
    let local = tz.from_local_datetime(&naive).earliest().ok_or_else(bad)?;
    Ok(json!({ "dateTime": local.to_rfc3339(), "timeZone": tz.name() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_day_events_use_dates_and_timed_events_use_date_times() {
        assert_eq!(
            google_time("2026-12-03", true).unwrap(),
            json!({"date": "2026-12-03"}),
            "an all-day event is a date, as Google writes it"
        );
        assert_eq!(
            google_time("2026-12-03T10:00:00+01:00", false).unwrap(),
            json!({"dateTime": "2026-12-03T10:00:00+01:00"}),
            "an RFC 3339 time passes through untouched"
        );
        let local = google_time("2026-12-03T10:00", false).unwrap();
        assert!(
            local["dateTime"]
                .as_str()
                .unwrap()
                .starts_with("2026-12-03T10:00:00"),
            "a form's local time keeps its wall-clock time: {local}"
        );
        assert_eq!(
            google_time("next tuesday", false).unwrap_err().code,
            "sandbox",
            "nonsense is refused with a sentence, not sent to fake-google"
        );
    }
}

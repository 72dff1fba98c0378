//! [`EngineState`]: what the window's AppState is built from (ui/CONTRACT.md).

use serde::Serialize;

use super::EngineError;
use crate::account::AccountStatus;

/// Everything the window shows about the engine, at one moment.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EngineState {
    /// Whether an OAuth client file was imported.
    pub client_secret: ClientSecretState,
    /// The signed-in account, if any.
    pub account: Option<AccountState>,
    /// A browser sign-in is waiting for the user.
    pub signing_in: bool,
    /// The public callback URL, once set.
    pub callback_url: Option<String>,
    /// Whether http:// callbacks are allowed (local stand-ins only).
    pub allow_http_callback: bool,
    /// The local receiver.
    pub receiver: ReceiverStatus,
    /// The settings the window edits (start-at-login is the shell's).
    pub settings: EngineSettings,
    /// How many calendars are watched.
    pub watched_count: usize,
    /// When the next channel renewal is due (ms since the epoch).
    pub next_renewal_at: Option<i64>,
}

/// The imported OAuth client.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientSecretState {
    /// A client file is in place.
    pub imported: bool,
    /// Its client id (public).
    pub client_id: Option<String>,
}

/// The account and how its sign-in is doing.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountState {
    /// The account's address (its primary calendar's id).
    pub email: String,
    /// Signed in, needs sign-in, or offline.
    pub status: AccountStatus,
}

/// The local receiver.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiverStatus {
    /// Where it listens (or tried to).
    pub address: String,
    /// Whether it is listening.
    pub listening: bool,
    /// Why it is not, if it is not.
    #[serde(serialize_with = "error_view")]
    pub error: Option<EngineError>,
}

/// The window's settings, as the engine holds them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EngineSettings {
    /// Notices held back; changes still recorded.
    pub paused: bool,
    /// More changes than this in one sync become one summary.
    pub summary_threshold: usize,
    /// Backstop sync interval; 0 = off.
    pub backstop_minutes: u64,
    /// The receiver's local port.
    pub receiver_port: u16,
}

/// Errors reach the window as `{code, message}`.
fn error_view<S: serde::Serializer>(error: &Option<EngineError>, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct View<'a> {
        code: &'a str,
        message: String,
    }
    match error {
        Some(e) => s.serialize_some(&View {
            code: e.code(),
            message: e.to_string(),
        }),
        None => s.serialize_none(),
    }
}

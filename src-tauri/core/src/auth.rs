//! Google sign-in for a desktop app: the OAuth installed-app flow, refreshing, revoking.
//!
//! - [`sign_in`] runs the browser flow (PKCE S256, a loopback redirect on a free port, a
//!   compared `state`) and returns a [`SignedIn`]; it stores nothing.
//! - [`primary_calendar_id`] names the account (its primary calendar's id, the address).
//! - [`OAuthTokens`] is the engine's [`crate::google::TokenSource`]: refreshes early and
//!   after a 401, one refresh for all concurrent callers, status on a watch channel.
//! - [`sign_out`] revokes the grant (best effort) and deletes the keyring entry.
//!
//! Tokens stay inside [`crate::secrets::Sensitive`]; no message here ever contains one.

mod loopback;
mod oauth;
mod sign_in;
mod tokens;

use std::time::Duration;

use serde::Deserialize;

pub use crate::account::AccountStatus;
pub use oauth::OAuthApp;
pub use sign_in::{sign_in, sign_in_at, Opener, SignedIn};
pub use tokens::{OAuthTokens, RetryPolicy, REFRESH_LEAD};

use crate::locale::catalogue::Arg;
use crate::secrets::{SecretsError, Sensitive, TokenSet, TokenStore};
use oauth::Failure;

/// The least scopes CalWatch needs: read events (list + watch) and the calendar list.
pub const SCOPES: [&str; 2] = [
    "https://www.googleapis.com/auth/calendar.events.readonly",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
];

/// How long the browser flow waits for the user unless told otherwise.
pub const DEFAULT_SIGN_IN_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Assumed access-token lifetime when Google's answer omits `expires_in`.
const DEFAULT_ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// Why signing in, revoking or naming the account failed.
///
/// Messages are sentences for the window; they never contain a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The client secret or endpoint settings are unusable.
    #[error("the Google sign-in settings are not usable: {reason}")]
    Setup {
        /// What is wrong with them.
        reason: String,
    },
    /// The local listener the browser returns to could not be run.
    #[error("CalWatch could not listen for the browser's answer on 127.0.0.1: {reason}")]
    Loopback {
        /// The OS's reason.
        reason: String,
    },
    /// The browser could not be opened.
    #[error("the browser could not be opened: {reason}")]
    BrowserNotOpened {
        /// The opener's reason.
        reason: String,
    },
    /// The user declined on Google's consent screen.
    #[error("access was not granted in the browser (access_denied); sign in again and allow CalWatch to see your calendars")]
    AccessDenied,
    /// Google sent the browser back with another OAuth error.
    #[error("Google refused the sign-in ({error})")]
    Refused {
        /// The OAuth error code, or "unknown".
        error: String,
    },
    /// The redirect's `state` was not the one this sign-in sent: refused, nothing kept.
    #[error("the browser returned a sign-in answer CalWatch did not ask for (wrong state); nothing was saved; start the sign-in again")]
    StateMismatch,
    /// No answer from the browser in time.
    #[error("the sign-in was not finished within {} minutes; start it again", after.as_secs().div_ceil(60))]
    TimedOut {
        /// The timeout that passed.
        after: Duration,
    },
    /// The sign-in was cancelled.
    #[error("the sign-in was cancelled")]
    Cancelled,
    /// Google's token endpoint refused the authorization code.
    #[error("Google did not accept the sign-in ({error}); start it again")]
    Exchange {
        /// The OAuth error code.
        error: String,
    },
    /// Google could not be reached.
    #[error("Google could not be reached: {reason}")]
    Network {
        /// What failed.
        reason: String,
    },
    /// Google did not grant offline access, so CalWatch could not keep watching.
    #[error("Google did not grant offline access (no refresh token); sign in again")]
    NoRefreshToken,
    /// The user unticked permissions CalWatch needs.
    #[error("CalWatch needs permission to see your calendars and their events; sign in again and tick every box (missing: {})", missing.join(", "))]
    ScopesNotGranted {
        /// The required scopes not granted.
        missing: Vec<String>,
    },
    /// The calendar list had no primary calendar to name the account by.
    #[error("Google did not say which calendar is your primary one: {reason}")]
    NoPrimaryCalendar {
        /// What came back instead.
        reason: String,
    },
}

impl AuthError {
    /// A stable code the window switches on.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Setup { .. } => "auth_setup",
            AuthError::Loopback { .. } => "auth_loopback",
            AuthError::BrowserNotOpened { .. } => "auth_browser_not_opened",
            AuthError::AccessDenied => "auth_access_denied",
            AuthError::Refused { .. } => "auth_refused",
            AuthError::StateMismatch => "auth_state_mismatch",
            AuthError::TimedOut { .. } => "auth_timed_out",
            AuthError::Cancelled => "auth_cancelled",
            AuthError::Exchange { .. } => "auth_exchange_refused",
            AuthError::Network { .. } => "auth_network",
            AuthError::NoRefreshToken => "auth_no_refresh_token",
            AuthError::ScopesNotGranted { .. } => "auth_scopes_not_granted",
            AuthError::NoPrimaryCalendar { .. } => "auth_no_primary_calendar",
        }
    }

    /// The errors.ftl message that words this error, with its values: for the window (as
    /// the engine's error) and for the browser tab the sign-in ends in, so both say the
    /// same in the person's language.
    pub fn wording(&self) -> (&'static str, Vec<(&'static str, Arg<'static>)>) {
        let text = |value: &str| Arg::from(value.to_string());
        match self {
            AuthError::Cancelled => ("error-sign-in-cancelled", vec![]),
            AuthError::Network { reason } => (
                "error-google-unreachable",
                vec![("reason", text(reason.strip_suffix('.').unwrap_or(reason)))],
            ),
            AuthError::AccessDenied => ("error-sign-in-access-denied", vec![]),
            AuthError::StateMismatch => ("error-sign-in-wrong-state", vec![]),
            AuthError::TimedOut { after } => (
                "error-sign-in-timed-out",
                vec![("minutes", Arg::Number(after.as_secs().div_ceil(60) as i64))],
            ),
            AuthError::NoRefreshToken => ("error-sign-in-no-refresh-token", vec![]),
            AuthError::ScopesNotGranted { missing } => (
                "error-sign-in-scopes",
                vec![("missing", text(&missing.join(", ")))],
            ),
            AuthError::Setup { reason } => ("error-sign-in-setup", vec![("reason", text(reason))]),
            AuthError::Loopback { reason } => {
                ("error-sign-in-loopback", vec![("reason", text(reason))])
            }
            AuthError::BrowserNotOpened { reason } => {
                ("error-sign-in-browser", vec![("reason", text(reason))])
            }
            AuthError::Refused { error } => ("error-sign-in-refused", vec![("error", text(error))]),
            AuthError::Exchange { error } => {
                ("error-sign-in-exchange", vec![("error", text(error))])
            }
            AuthError::NoPrimaryCalendar { reason } => {
                ("error-sign-in-no-primary", vec![("reason", text(reason))])
            }
        }
    }
}

/// The system clock in epoch milliseconds, for a sign-in started without the engine's
/// clock.
pub fn system_now_ms() -> i64 {
    crate::clock::Clock::now_ms(&crate::clock::SystemClock)
}

/// Revokes the grant behind `tokens` at Google (the refresh token if there is one,
/// which ends the access tokens too). A token Google no longer knows counts as revoked.
pub async fn revoke(app: &OAuthApp, tokens: &TokenSet) -> Result<(), AuthError> {
    let token = tokens
        .refresh_token
        .as_ref()
        .unwrap_or(&tokens.access_token);
    app.revoke(token).await.map_err(|failure| match failure {
        Failure::Refused { error } => AuthError::Refused { error },
        Failure::Transient { reason } => AuthError::Network { reason },
    })
}

/// What [`sign_out`] managed to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedOut {
    /// Whether Google confirmed the grant is revoked (best effort: the keyring entry is
    /// deleted either way; the reason is logged).
    pub revoked: bool,
}

/// Signs `account` out: revokes its grant at Google (best effort) and deletes its
/// keyring entry. Stopping its channels and keeping its history is the engine's part.
pub async fn sign_out(
    app: &OAuthApp,
    store: &dyn TokenStore,
    account: &str,
) -> Result<SignedOut, SecretsError> {
    let tokens = match store.load(account).await {
        Ok(tokens) => tokens,
        // An unreadable entry cannot be revoked but must still go.
        Err(SecretsError::Unreadable { .. }) => None,
        Err(e) => return Err(e),
    };
    let revoked = match tokens {
        None => false,
        Some(tokens) => match revoke(app, &tokens).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(
                    account = %crate::account::log_label(account),
                    code = e.code(),
                    "sign-out could not revoke at Google: {e}"
                );
                false
            }
        },
    };
    store.delete(account).await?;
    tracing::info!(account = %crate::account::log_label(account), revoked, "signed out");
    Ok(SignedOut { revoked })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CalendarListPage {
    #[serde(default)]
    items: Vec<CalendarListItem>,
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct CalendarListItem {
    id: String,
    #[serde(default)]
    primary: bool,
}

/// The account's label: the id of its primary calendar, which is the user's address.
///
/// Reads `users/me/calendarList` under `api_base` with a fresh sign-in's access token
/// (before the account, and so the engine's Calendar client, exists).
pub async fn primary_calendar_id(
    app: &OAuthApp,
    api_base: &str,
    access_token: &Sensitive<String>,
) -> Result<String, AuthError> {
    let url = format!("{}/users/me/calendarList", api_base.trim_end_matches('/'));
    let mut page_token: Option<String> = None;
    // Bounded so a misbehaving server cannot keep us paging forever.
    for _ in 0..50 {
        let mut request = app
            .http()
            .get(&url)
            .bearer_auth(access_token.expose())
            .query(&[("maxResults", "250")]);
        if let Some(token) = &page_token {
            request = request.query(&[("pageToken", token)]);
        }
        let response = request.send().await.map_err(|e| AuthError::Network {
            reason: e.without_url().to_string(),
        })?;
        let status = response.status();
        if !status.is_success() {
            return Err(AuthError::NoPrimaryCalendar {
                reason: format!("the calendar list answered HTTP {}", status.as_u16()),
            });
        }
        let page: CalendarListPage =
            response
                .json()
                .await
                .map_err(|e| AuthError::NoPrimaryCalendar {
                    reason: format!("the calendar list could not be read ({})", e.without_url()),
                })?;
        if let Some(primary) = page.items.into_iter().find(|c| c.primary) {
            return Ok(primary.id);
        }
        match page.next_page_token {
            Some(next) => page_token = Some(next),
            None => break,
        }
    }
    Err(AuthError::NoPrimaryCalendar {
        reason: "no calendar is marked primary".to_string(),
    })
}

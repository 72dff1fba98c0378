//! The engine's one error type: a stable code for the window, a sentence for the user.
//!
//! Low in the core so that [`crate::event::EngineEvent`] can carry it; the errors of the
//! modules below map onto it here, those of sync and channels in the engine.

use crate::auth::AuthError;
use crate::config::{ClientSecretError, ConfigError};
use crate::google::{GoogleError, NotSignedIn, TokenError};
use crate::secrets::SecretsError;
use crate::store::StoreError;

/// Why an engine operation failed.
///
/// `code()` is one of the window's `ErrorCode` strings (ui/CONTRACT.md); `Display` is the
/// sentence shown to the user, saying what to do. Details go to the log where they happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The chosen file is not a Desktop-app OAuth client; the sentence says why.
    #[error("{0}")]
    BadClientSecret(String),
    /// Sign-in was attempted before a client secret file was imported.
    #[error("Import your Google OAuth client file (client_secret_….json, a \"Desktop app\" client) before signing in.")]
    NoClientSecret,
    /// The browser flow failed (denied, wrong state, timeout…).
    #[error("Sign-in failed: {0}")]
    SignInFailed(String),
    /// The user cancelled the sign-in.
    #[error("Sign-in was cancelled.")]
    SignInCancelled,
    /// The tokens are dead (or there are none): sign in again.
    #[error("Your Google sign-in has expired or is missing. Sign in with Google again.")]
    NeedsSignIn,
    /// The callback URL is not a usable address.
    #[error("{0}")]
    CallbackInvalid(String),
    /// The callback URL is not https.
    #[error("{0}")]
    CallbackNotHttps(String),
    /// Google refused to deliver to the callback URL.
    #[error("{0}")]
    CallbackRejected(String),
    /// Watch was asked for before a callback URL was set.
    #[error("Set the public callback URL (your tunnel's https address) in Setup before watching a calendar.")]
    NoCallback,
    /// The OS keyring is locked or missing.
    #[error("{0}")]
    KeyringUnavailable(String),
    /// The receiver's port is taken by another program.
    #[error("Port {port} is already in use by another program. Choose another port in Settings, and point your tunnel at it.")]
    PortInUse {
        /// The port that is taken.
        port: u16,
    },
    /// Google could not be reached.
    #[error("{0}")]
    Offline(String),
    /// Google's rate limit: CalWatch retries later.
    #[error("{0}")]
    RateLimited(String),
    /// No such calendar or channel.
    #[error("{0}")]
    NotFound(String),
    /// What was asked is already under way (a channel being renewed).
    #[error("{0}")]
    Busy(String),
    /// A sync was stopped before it finished (the calendar was unwatched, the account
    /// signed out, CalWatch quit): not a failure, never shown as one.
    #[error("The sync was stopped before it finished, because the calendar is no longer watched or CalWatch is stopping.")]
    SyncStopped,
    /// A setting from the window is out of range; the sentence says what is allowed.
    #[error("{0}")]
    InvalidSetting(String),
    /// The local database failed.
    #[error("{0}")]
    Store(String),
    /// Anything else; the sentence still says what happened.
    #[error("{0}")]
    Internal(String),
}

impl EngineError {
    /// The window's `ErrorCode` string for this error.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::BadClientSecret(_) => "bad_client_secret",
            EngineError::NoClientSecret => "no_client_secret",
            EngineError::SignInFailed(_) => "sign_in_failed",
            EngineError::SignInCancelled => "sign_in_cancelled",
            EngineError::NeedsSignIn => "needs_sign_in",
            EngineError::CallbackInvalid(_) => "callback_invalid",
            EngineError::CallbackNotHttps(_) => "callback_not_https",
            EngineError::CallbackRejected(_) => "callback_rejected",
            EngineError::NoCallback => "no_callback",
            EngineError::KeyringUnavailable(_) => "keyring_unavailable",
            EngineError::PortInUse { .. } => "port_in_use",
            EngineError::Offline(_) => "offline",
            EngineError::RateLimited(_) => "rate_limited",
            EngineError::NotFound(_) => "not_found",
            EngineError::Busy(_) => "busy",
            EngineError::InvalidSetting(_) => "invalid_setting",
            EngineError::SyncStopped => "sync_stopped",
            EngineError::Store(_) => "store",
            EngineError::Internal(_) => "internal",
        }
    }
}

/// Sentences from other modules start lower-case; the window shows them as sentences.
pub(crate) fn sentence(text: impl std::fmt::Display) -> String {
    let text = text.to_string();
    let mut chars = text.chars();
    let mut out = match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => return text,
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

impl From<GoogleError> for EngineError {
    fn from(e: GoogleError) -> Self {
        match &e {
            GoogleError::Unauthorized | GoogleError::Token(TokenError::NeedsSignIn) => {
                EngineError::NeedsSignIn
            }
            GoogleError::Token(TokenError::Offline(_))
            | GoogleError::Network(_)
            | GoogleError::Server { .. } => EngineError::Offline(sentence(&e)),
            GoogleError::Token(TokenError::Keyring(_)) => {
                EngineError::KeyringUnavailable(sentence(&e))
            }
            GoogleError::RateLimited { .. } => EngineError::RateLimited(sentence(&e)),
            GoogleError::NotFound => EngineError::NotFound(sentence(&e)),
            GoogleError::CallbackRejected { .. } => EngineError::CallbackRejected(sentence(&e)),
            _ => EngineError::Internal(sentence(&e)),
        }
    }
}

impl From<NotSignedIn> for EngineError {
    fn from(_: NotSignedIn) -> Self {
        EngineError::NeedsSignIn
    }
}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        EngineError::Store(sentence(e))
    }
}

impl From<ConfigError> for EngineError {
    fn from(e: ConfigError) -> Self {
        match &e {
            ConfigError::CallbackNotHttps { .. } => EngineError::CallbackNotHttps(sentence(&e)),
            ConfigError::CallbackNotUrl { .. } | ConfigError::CallbackNoHost { .. } => {
                EngineError::CallbackInvalid(sentence(&e))
            }
            _ => EngineError::Internal(sentence(&e)),
        }
    }
}

impl From<ClientSecretError> for EngineError {
    fn from(e: ClientSecretError) -> Self {
        match &e {
            ClientSecretError::NotSaved { .. } => EngineError::Store(sentence(&e)),
            _ => EngineError::BadClientSecret(sentence(&e)),
        }
    }
}

impl From<SecretsError> for EngineError {
    fn from(e: SecretsError) -> Self {
        match &e {
            SecretsError::Unreadable { .. } => EngineError::NeedsSignIn,
            _ => EngineError::KeyringUnavailable(sentence(&e)),
        }
    }
}

impl From<AuthError> for EngineError {
    fn from(e: AuthError) -> Self {
        match &e {
            AuthError::Cancelled => EngineError::SignInCancelled,
            AuthError::Network { .. } => EngineError::Offline(sentence(&e)),
            _ => EngineError::SignInFailed(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_in_use_says_what_to_do() {
        let e = EngineError::PortInUse { port: 8765 };
        assert_eq!(e.code(), "port_in_use");
        assert_eq!(
            e.to_string(),
            "Port 8765 is already in use by another program. Choose another port in Settings, and point your tunnel at it."
        );
    }

    #[test]
    fn lower_case_reasons_become_sentences() {
        assert_eq!(sentence("sign in again"), "Sign in again.");
        assert_eq!(sentence("Done."), "Done.");
    }
}

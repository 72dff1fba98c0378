//! The engine's one error type: a stable code for the window, a sentence for the user.
//!
//! Low in the core so that [`crate::event::EngineEvent`] can carry it; the errors of the
//! modules below map onto it here, those of sync and channels in the engine.

use crate::auth::AuthError;
use crate::config::{ClientSecretError, ConfigError};
use crate::google::{CallbackRejection, GoogleError, NotSignedIn, TokenError};
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
    /// Google refused the callback as unauthorized (`push.webhookUrlUnauthorized`): the
    /// address's domain must be verified; the sentence says how.
    #[error("{0}")]
    CallbackUnauthorized(String),
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
    /// Every code [`EngineError::code`] can return: the window's `ErrorCode` type is
    /// generated from this list, so a new code cannot be missing there.
    pub const CODES: &[&str] = &[
        "bad_client_secret",
        "no_client_secret",
        "sign_in_failed",
        "sign_in_cancelled",
        "needs_sign_in",
        "callback_invalid",
        "callback_not_https",
        "callback_rejected",
        "callback_unauthorized",
        "no_callback",
        "keyring_unavailable",
        "port_in_use",
        "offline",
        "rate_limited",
        "not_found",
        "busy",
        "invalid_setting",
        "sync_stopped",
        "store",
        "internal",
    ];

    /// The sentence the window shows, in the locale in effect (`Display` stays English,
    /// for the log).
    pub fn message(&self) -> String {
        self.message_in(&crate::locale::current())
    }

    /// The sentence the window shows, in `locale`'s language where its wording is fixed.
    pub fn message_in(&self, locale: &crate::locale::Locale) -> String {
        let say = |id: &str| locale.text(id, &[]);
        match self {
            EngineError::NoClientSecret => say("error-no-client-secret"),
            EngineError::SignInFailed(reason) => {
                locale.text("error-sign-in-failed", &[("reason", reason.into())])
            }
            EngineError::SignInCancelled => say("error-sign-in-cancelled"),
            EngineError::NeedsSignIn => say("error-needs-sign-in"),
            EngineError::NoCallback => say("error-no-callback"),
            EngineError::PortInUse { port } => {
                locale.text("error-port-in-use", &[("port", port.to_string().into())])
            }
            EngineError::SyncStopped => say("error-sync-stopped"),
            _ => self.to_string(),
        }
    }

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
            EngineError::CallbackUnauthorized(_) => "callback_unauthorized",
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
            GoogleError::CallbackRejected {
                reason: CallbackRejection::Unauthorized,
                ..
            } => EngineError::CallbackUnauthorized(sentence(&e)),
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

    /// One error of each variant; `variant_index` makes a new variant a compile error
    /// until it is counted, and the test below then fails until it is listed here.
    fn one_of_each() -> Vec<EngineError> {
        let s = String::new;
        vec![
            EngineError::BadClientSecret(s()),
            EngineError::NoClientSecret,
            EngineError::SignInFailed(s()),
            EngineError::SignInCancelled,
            EngineError::NeedsSignIn,
            EngineError::CallbackInvalid(s()),
            EngineError::CallbackNotHttps(s()),
            EngineError::CallbackRejected(s()),
            EngineError::CallbackUnauthorized(s()),
            EngineError::NoCallback,
            EngineError::KeyringUnavailable(s()),
            EngineError::PortInUse { port: 1 },
            EngineError::Offline(s()),
            EngineError::RateLimited(s()),
            EngineError::NotFound(s()),
            EngineError::Busy(s()),
            EngineError::InvalidSetting(s()),
            EngineError::SyncStopped,
            EngineError::Store(s()),
            EngineError::Internal(s()),
        ]
    }

    fn variant_index(e: &EngineError) -> usize {
        match e {
            EngineError::BadClientSecret(_) => 0,
            EngineError::NoClientSecret => 1,
            EngineError::SignInFailed(_) => 2,
            EngineError::SignInCancelled => 3,
            EngineError::NeedsSignIn => 4,
            EngineError::CallbackInvalid(_) => 5,
            EngineError::CallbackNotHttps(_) => 6,
            EngineError::CallbackRejected(_) => 7,
            EngineError::CallbackUnauthorized(_) => 8,
            EngineError::NoCallback => 9,
            EngineError::KeyringUnavailable(_) => 10,
            EngineError::PortInUse { .. } => 11,
            EngineError::Offline(_) => 12,
            EngineError::RateLimited(_) => 13,
            EngineError::NotFound(_) => 14,
            EngineError::Busy(_) => 15,
            EngineError::InvalidSetting(_) => 16,
            EngineError::SyncStopped => 17,
            EngineError::Store(_) => 18,
            EngineError::Internal(_) => 19,
        }
    }

    #[test]
    fn every_variant_s_code_is_in_the_list_the_window_is_generated_from() {
        let every = one_of_each();
        let indices: Vec<usize> = every.iter().map(variant_index).collect();
        assert_eq!(
            indices,
            (0..every.len()).collect::<Vec<_>>(),
            "one_of_each names every variant once"
        );
        for e in &every {
            assert!(
                EngineError::CODES.contains(&e.code()),
                "{} is missing from EngineError::CODES",
                e.code()
            );
        }
        let mut codes: Vec<&str> = every.iter().map(EngineError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(
            codes.len(),
            EngineError::CODES.len(),
            "CODES lists no code that no variant has, and none twice"
        );
    }

    #[test]
    fn lower_case_reasons_become_sentences() {
        assert_eq!(sentence("sign in again"), "Sign in again.");
        assert_eq!(sentence("Done."), "Done.");
    }
}

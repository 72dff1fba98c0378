//! Secrets: the [`Sensitive`] wrapper, the token set, and where tokens are kept.
//!
//! Nothing outside this module touches the OS keyring. Tokens are kept in the OS keyring
//! only ([`KeyringStore`]); when it cannot be used the caller gets a [`SecretsError`]
//! saying so, never a quiet fallback to a file.

mod keyring_store;
mod memory;
mod token_set;

use std::fmt;

pub use keyring_store::KeyringStore;
pub use memory::MemoryTokenStore;
pub use token_set::TokenSet;

/// A value that must never reach a log, an error, a file or the window.
///
/// `Debug` and `Display` print `<redacted>`, and there is deliberately no `Serialize`:
/// writing a secret anywhere has to be spelled out with [`Sensitive::expose`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    /// Wraps a secret.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself; every call site is a place a reviewer should look at.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the secret.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where an account's [`TokenSet`] is kept between runs.
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync + 'static {
    /// The tokens saved for `account`, or `None` when it has none.
    async fn load(&self, account: &str) -> Result<Option<TokenSet>, SecretsError>;
    /// Saves (or replaces) the tokens for `account`.
    async fn save(&self, account: &str, tokens: &TokenSet) -> Result<(), SecretsError>;
    /// Forgets the tokens for `account`; forgetting an account with none is not an error.
    async fn delete(&self, account: &str) -> Result<(), SecretsError>;
}

/// Why tokens could not be loaded, saved or deleted.
///
/// Messages never contain a token: they are shown in the window and written to the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    /// No Secret Service / keychain answered, or it is locked.
    #[error(
        "the system keyring is locked / not available: {reason}. Unlock your keyring \
         (or start one, such as GNOME Keyring or KWallet) and try again; CalWatch keeps \
         your Google sign-in only there, never in a file"
    )]
    Unavailable {
        /// What the platform said (or that it did not answer in time).
        reason: String,
    },
    /// The keyring did not answer in time: it may be showing an unlock prompt.
    #[error(
        "the system keyring is locked / not available: it did not answer within {} s \
         (it may be waiting to be unlocked). Unlock your keyring (or start one, such as GNOME \
         Keyring or KWallet) and try again; CalWatch keeps your Google sign-in only there, \
         never in a file",
        *millis as f64 / 1000.0
    )]
    TimedOut {
        /// How long it was given, in milliseconds.
        millis: u64,
    },
    /// More than one saved entry matches the account, so none can be trusted to be it.
    #[error(
        "the system keyring refused to {action} the CalWatch sign-in: {count} entries match \
         this account; remove the extras"
    )]
    Ambiguous {
        /// "read", "save" or "delete".
        action: &'static str,
        /// How many entries match.
        count: usize,
    },
    /// The keyring answered but refused the operation for another reason.
    #[error("the system keyring refused to {action} the CalWatch sign-in: {reason}")]
    Refused {
        /// "read", "save" or "delete".
        action: &'static str,
        /// What the platform said.
        reason: String,
    },
    /// The keyring call's own thread failed (it panicked): the keyring never answered.
    #[error("the system keyring refused to {action} the CalWatch sign-in: the keyring call failed unexpectedly ({reason})")]
    Crashed {
        /// "read", "save" or "delete".
        action: &'static str,
        /// How the thread ended.
        reason: String,
    },
    /// The saved entry is not a token set this version can read.
    #[error("the saved Google sign-in could not be read ({reason}); sign in again")]
    Unreadable {
        /// Which part was wrong; never the value itself.
        reason: String,
    },
}

impl SecretsError {
    /// Whether the keyring is locked or absent (as opposed to refusing): start-up waits
    /// for it to be unlocked rather than asking the person to sign in again.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            SecretsError::Unavailable { .. } | SecretsError::TimedOut { .. }
        )
    }

    /// A stable code the window switches on.
    pub fn code(&self) -> &'static str {
        match self {
            SecretsError::Unavailable { .. } | SecretsError::TimedOut { .. } => {
                "keyring_unavailable"
            }
            // To the person a crashed call or a duplicate entry is one more refusal.
            SecretsError::Refused { .. }
            | SecretsError::Crashed { .. }
            | SecretsError::Ambiguous { .. } => "keyring_refused",
            SecretsError::Unreadable { .. } => "keyring_entry_unreadable",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_secret() {
        let s = Sensitive::new("ya29.secret-token".to_string());
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(s.expose(), "ya29.secret-token");
    }
}

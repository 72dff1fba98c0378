//! A Google account's status and the key of its calendars: what [`crate::auth`] observes while refreshing, what
//! [`crate::store`] keeps between runs and what the window shows.
//!
//! It lives here, below both, so neither the OAuth code nor the SQLite code has to depend
//! on the other for it.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// A short, stable name for an account in logs: the first 8 hex digits of the SHA-256 of
/// its email. Logs are kept for a week and may be shared in a bug report; the email is
/// personal data they do not need, yet lines about the same account still match.
pub fn log_label(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

/// Which calendar, of which account: the store's key. The same calendar id listed under
/// two accounts (a calendar shared with both) is two calendars, each its own watch.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarKey {
    /// The account's email.
    pub account: String,
    /// Google's calendar id.
    pub calendar_id: String,
}

impl CalendarKey {
    /// The calendar `calendar_id` of `account`.
    pub fn new(account: impl Into<String>, calendar_id: impl Into<String>) -> Self {
        CalendarKey {
            account: account.into(),
            calendar_id: calendar_id.into(),
        }
    }
}

impl std::fmt::Display for CalendarKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.calendar_id, self.account)
    }
}

/// Whether an account can currently talk to Google.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Tokens work (or are believed to).
    SignedIn,
    /// Google refused the refresh token: the user must sign in again.
    NeedsSignIn,
    /// Google could not be reached to refresh; the sign-in itself is still good.
    Offline,
}

impl AccountStatus {
    /// The stored (and serialised) name, as in the store's `accounts.status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::SignedIn => "signed_in",
            AccountStatus::NeedsSignIn => "needs_sign_in",
            AccountStatus::Offline => "offline",
        }
    }

    /// The status named `text` by [`AccountStatus::as_str`], if it is one.
    pub fn from_name(text: &str) -> Option<Self> {
        [
            AccountStatus::SignedIn,
            AccountStatus::NeedsSignIn,
            AccountStatus::Offline,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_the_serialised_names_and_read_back() {
        for status in [
            AccountStatus::SignedIn,
            AccountStatus::NeedsSignIn,
            AccountStatus::Offline,
        ] {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::Value::from(status.as_str()),
                "the window and the store must use one spelling"
            );
            assert_eq!(AccountStatus::from_name(status.as_str()), Some(status));
        }
        assert_eq!(AccountStatus::from_name("signed-in"), None);
    }
}

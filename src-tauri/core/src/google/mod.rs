//! The typed Google Calendar v3 client and the mapping of Google's errors.
//!
//! - `client`: [`CalendarClient`], requests, pages, token refresh and retries.
//! - `types`: the Calendar resources CalWatch reads ([`Event`], [`CalendarListEntry`], [`Channel`]…).
//! - `errors`: [`GoogleError`] and how Google's JSON error bodies map onto it.
//! - `retry`: [`RetryPolicy`], backoff with full jitter.

mod client;
mod errors;
mod retry;
mod types;

pub use client::CalendarClient;
pub use errors::{CallbackRejection, GoogleError};
pub use retry::RetryPolicy;
pub use types::{
    Attendee, CalendarListEntry, Channel, Event, EventDateTime, EventsDelta, Person, WatchRequest,
};

use crate::secrets::Sensitive;

/// Why an access token could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The refresh token is dead (revoked, expired, app in "Testing"): sign in again.
    #[error("your Google sign-in has expired; sign in again")]
    NeedsSignIn,
    /// Google could not be reached; the sign-in is still good, try again later.
    #[error("Google could not be reached ({0}); CalWatch will retry")]
    Offline(String),
    /// The keyring holding the tokens could not be used.
    #[error("{0}")]
    Keyring(String),
}

/// Where the Calendar client gets its bearer tokens.
///
/// The OAuth flow implements it; tests use a fixed token.
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync + 'static {
    /// A currently valid access token (refreshing first if it is about to expire).
    async fn access_token(&self) -> Result<Sensitive<String>, TokenError>;

    /// Google answered 401 to `rejected`: get a fresh token (one refresh, shared by
    /// concurrent callers; a caller whose token was already replaced gets the new one).
    async fn refresh_after_unauthorized(
        &self,
        rejected: &Sensitive<String>,
    ) -> Result<Sensitive<String>, TokenError>;
}

/// A token source that always hands out the same token: for tests and stand-ins.
pub struct FixedToken(pub Sensitive<String>);

#[async_trait::async_trait]
impl TokenSource for FixedToken {
    async fn access_token(&self) -> Result<Sensitive<String>, TokenError> {
        Ok(self.0.clone())
    }

    async fn refresh_after_unauthorized(
        &self,
        _rejected: &Sensitive<String>,
    ) -> Result<Sensitive<String>, TokenError> {
        Err(TokenError::NeedsSignIn)
    }
}

//! The typed Google Calendar v3 client and the mapping of Google's errors.
//!
//! - `client`: [`CalendarClient`], requests, pages, token refresh and retries.
//! - `types`: the Calendar resources CalWatch reads ([`Event`], [`CalendarListEntry`], [`Channel`]…).
//! - `errors`: [`GoogleError`] and how Google's JSON error bodies map onto it.
//! - `retry`: [`RetryPolicy`], backoff with full jitter.
//! - `fuzzing` (feature `fuzzing` only): the decoding and error mapping, for `fuzz/`.
//! - this file: [`TokenSource`], and [`Clients`], the signed-in account's client.

mod client;
mod errors;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod retry;
mod types;

pub use client::CalendarClient;
pub(crate) use client::{too_many_pages, MAX_PAGES};
pub use errors::{CallbackRejection, GoogleError};
pub use retry::RetryPolicy;
pub use types::{
    Attendee, CalendarListDelta, CalendarListEntry, Channel, Event, EventDateTime, EventsDelta,
    EventsPage, PageNext, Person, WatchRequest,
};

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::poison::{read, write};
use crate::secrets::Sensitive;

/// No account is signed in, so there is no one to ask Google as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("sign in with Google first")]
pub struct NotSignedIn;

/// The Calendar client of each signed-in account, by the account's email: every call to
/// Google about a calendar is made with its own account's tokens. Added on sign-in,
/// removed on sign-out.
#[derive(Clone, Default)]
pub struct Clients {
    /// Account email → its client; an account without one is signed out (or not loaded).
    inner: Arc<RwLock<HashMap<String, Arc<CalendarClient>>>>,
}

impl Clients {
    /// No clients (nobody signed in).
    pub fn new() -> Self {
        Self::default()
    }

    /// `account`'s client, or [`NotSignedIn`].
    pub fn get(&self, account: &str) -> Result<Arc<CalendarClient>, NotSignedIn> {
        read(&self.inner).get(account).cloned().ok_or(NotSignedIn)
    }

    /// Installs (or, with `None`, removes) `account`'s client.
    pub fn set(&self, account: &str, client: Option<Arc<CalendarClient>>) {
        let mut clients = write(&self.inner);
        match client {
            Some(client) => {
                clients.insert(account.to_string(), client);
            }
            None => {
                clients.remove(account);
            }
        }
    }

    /// The accounts with a client.
    pub fn accounts(&self) -> Vec<String> {
        let mut accounts: Vec<String> = read(&self.inner).keys().cloned().collect();
        accounts.sort();
        accounts
    }
}

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

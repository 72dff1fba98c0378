//! A signed-in account's tokens as a [`TokenSource`]: early refresh, refresh after 401,
//! one refresh shared by concurrent callers, and an observable account status.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use oauth2::TokenResponse;
use tokio::sync::{watch, Mutex};

use super::oauth::Failure;
use super::{OAuthApp, DEFAULT_ACCESS_TOKEN_LIFETIME};
use crate::account::{log_label, AccountStatus};
use crate::clock::{Clock, SystemClock};
use crate::google::{TokenError, TokenSource};
use crate::secrets::{SecretsError, Sensitive, TokenSet, TokenStore};

/// How long before expiry a token is replaced, so a call never starts with a token that
/// dies in flight.
pub const REFRESH_LEAD: Duration = Duration::from_secs(60);

/// How a refresh that meets network trouble is retried before reporting offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries per refresh, the first included (at least 1).
    pub attempts: u32,
    /// Wait before the second try; doubled for each further one.
    pub base_delay: Duration,
    /// The longest single wait.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
        }
    }
}

/// An account's current tokens; hand it to the Calendar client as `Arc<dyn TokenSource>`.
pub struct OAuthTokens {
    /// The account (its address): the keyring entry refreshed tokens are saved under.
    account: String,
    /// Client id/secret and the token endpoint used for refreshing.
    app: OAuthApp,
    /// Where refreshed tokens are written back, so a restart does not need a refresh.
    store: Arc<dyn TokenStore>,
    /// Now, in epoch milliseconds.
    clock: Arc<dyn Clock>,
    /// Backoff for transient refresh failures.
    retry: RetryPolicy,
    /// The tokens; held across a refresh so concurrent callers wait for that one refresh.
    current: Mutex<Current>,
    /// Bumped after every refresh attempt; a caller that queued behind one sees it moved
    /// and takes that outcome instead of starting another.
    rounds: AtomicU64,
    /// What the engine and window observe.
    status: watch::Sender<AccountStatus>,
    /// Set by [`OAuthTokens::forget`] at sign-out; held while refreshed tokens are saved,
    /// so a refresh Google answers after sign-out cannot put them back in the keyring.
    forgotten: Mutex<bool>,
}

struct Current {
    /// The newest tokens we hold.
    tokens: TokenSet,
    /// How the latest refresh ended, if it failed.
    last_failure: Option<TokenError>,
}

impl OAuthTokens {
    /// Current tokens for `account`, starting signed in.
    pub fn new(
        app: OAuthApp,
        account: &str,
        tokens: TokenSet,
        store: Arc<dyn TokenStore>,
    ) -> OAuthTokens {
        let (status, _) = watch::channel(AccountStatus::SignedIn);
        OAuthTokens {
            account: account.to_string(),
            app,
            store,
            clock: Arc::new(SystemClock),
            retry: RetryPolicy::default(),
            current: Mutex::new(Current {
                tokens,
                last_failure: None,
            }),
            rounds: AtomicU64::new(0),
            status,
            forgotten: Mutex::new(false),
        }
    }

    /// The account's saved tokens from `store`, or `None` if it has none.
    pub async fn load(
        app: OAuthApp,
        account: &str,
        store: Arc<dyn TokenStore>,
    ) -> Result<Option<OAuthTokens>, SecretsError> {
        let tokens = store.load(account).await?;
        Ok(tokens.map(|t| OAuthTokens::new(app, account, t, store)))
    }

    /// Uses `clock` instead of the system clock (tests move time by hand).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> OAuthTokens {
        self.clock = clock;
        self
    }

    /// Uses `retry` for transient refresh failures.
    pub fn with_retry(mut self, retry: RetryPolicy) -> OAuthTokens {
        self.retry = retry;
        self
    }

    /// The account these tokens belong to.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The account's status now and as it changes.
    pub fn status(&self) -> watch::Receiver<AccountStatus> {
        self.status.subscribe()
    }

    /// Takes the tokens of a fresh sign-in (after "needs sign-in"); the caller saves them.
    pub async fn replace(&self, tokens: TokenSet) {
        let mut current = self.current.lock().await;
        current.tokens = tokens;
        current.last_failure = None;
        self.rounds.fetch_add(1, Ordering::AcqRel);
        self.status.send_replace(AccountStatus::SignedIn);
    }

    /// Signs these tokens out: nothing is refreshed, saved or reported from now on, and a
    /// refresh still waiting for Google is discarded. Returns once no save is under way,
    /// so deleting the keyring entry afterwards is final.
    pub async fn forget(&self) {
        *self.forgotten.lock().await = true;
    }

    /// A copy of the tokens held now (for revoking on sign-out).
    pub async fn snapshot(&self) -> TokenSet {
        self.current.lock().await.tokens.clone()
    }

    /// Refreshes with the lock held, retrying transient failures; records the outcome.
    async fn refresh_locked(&self, current: &mut Current) -> Result<(), TokenError> {
        if *self.forgotten.lock().await {
            return Err(TokenError::NeedsSignIn);
        }
        let outcome = self.refresh_with_retries(&current.tokens).await;
        self.rounds.fetch_add(1, Ordering::AcqRel);
        let forgotten = self.forgotten.lock().await;
        if *forgotten {
            // Signed out while Google was answering: the result belongs to no one now.
            current.last_failure = Some(TokenError::NeedsSignIn);
            return Err(TokenError::NeedsSignIn);
        }
        match outcome {
            Ok(tokens) => {
                current.tokens = tokens;
                current.last_failure = None;
                self.status.send_replace(AccountStatus::SignedIn);
                // The new access token works whether or not it is saved; failing to save
                // only costs a refresh after a restart (or a sign-in, if Google rotated
                // the refresh token), so it is logged rather than failing the caller.
                if let Err(e) = self.store.save(&self.account, &current.tokens).await {
                    tracing::warn!(account = %log_label(&self.account), code = e.code(),
                        "refreshed tokens could not be saved: {e}");
                }
                Ok(())
            }
            Err(e) => {
                let status = match e {
                    TokenError::NeedsSignIn => AccountStatus::NeedsSignIn,
                    _ => AccountStatus::Offline,
                };
                current.last_failure = Some(e.clone());
                self.status.send_replace(status);
                Err(e)
            }
        }
    }

    async fn refresh_with_retries(&self, held: &TokenSet) -> Result<TokenSet, TokenError> {
        let Some(refresh_token) = &held.refresh_token else {
            tracing::warn!(account = %log_label(&self.account), "no refresh token: sign-in needed");
            return Err(TokenError::NeedsSignIn);
        };
        let mut delay = self.retry.base_delay;
        let attempts = self.retry.attempts.max(1);
        for attempt in 1..=attempts {
            match self.app.refresh(refresh_token).await {
                Ok(response) => {
                    let lifetime = response
                        .expires_in()
                        .unwrap_or(DEFAULT_ACCESS_TOKEN_LIFETIME);
                    let now = self.clock.now_ms();
                    tracing::debug!(account = %log_label(&self.account), "access token refreshed");
                    return Ok(TokenSet {
                        access_token: Sensitive::new(response.access_token().secret().clone()),
                        // Google usually keeps the refresh token; it sends one only if it
                        // rotated it.
                        refresh_token: Some(
                            response
                                .refresh_token()
                                .map(|t| Sensitive::new(t.secret().clone()))
                                .unwrap_or_else(|| refresh_token.clone()),
                        ),
                        expires_at_ms: now.saturating_add(
                            i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX),
                        ),
                        scopes: response
                            .scopes()
                            .map(|s| s.iter().map(|s| s.to_string()).collect())
                            .unwrap_or_else(|| held.scopes.clone()),
                    });
                }
                Err(Failure::Refused { error }) => {
                    tracing::warn!(account = %log_label(&self.account), error = %error,
                        "Google refused the refresh token: sign-in needed");
                    return Err(TokenError::NeedsSignIn);
                }
                Err(Failure::Transient { reason }) => {
                    tracing::info!(account = %log_label(&self.account), attempt, attempts,
                        "token refresh failed: {reason}");
                    if attempt == attempts {
                        return Err(TokenError::Offline(reason));
                    }
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(self.retry.max_delay);
                }
            }
        }
        unreachable!("the loop returns on its last attempt")
    }
}

#[async_trait::async_trait]
impl TokenSource for OAuthTokens {
    async fn access_token(&self) -> Result<Sensitive<String>, TokenError> {
        let round = self.rounds.load(Ordering::Acquire);
        let mut current = self.current.lock().await;
        let now = self.clock.now_ms();
        let lead = REFRESH_LEAD.as_millis() as i64;
        if now < current.tokens.expires_at_ms.saturating_sub(lead) {
            return Ok(current.tokens.access_token.clone());
        }
        let failed = match &current.last_failure {
            // A dead refresh token stays dead until `replace`: don't ask Google again.
            Some(TokenError::NeedsSignIn) => Some(TokenError::NeedsSignIn),
            // Someone refreshed while we queued and it failed: share that outcome.
            Some(e) if self.rounds.load(Ordering::Acquire) != round => Some(e.clone()),
            _ => None,
        };
        let outcome = match failed {
            Some(e) => Err(e),
            None => self.refresh_locked(&mut current).await,
        };
        match outcome {
            Ok(()) => Ok(current.tokens.access_token.clone()),
            // Inside the lead time the old token still works: better than no token.
            Err(TokenError::Offline(_)) if now < current.tokens.expires_at_ms => {
                Ok(current.tokens.access_token.clone())
            }
            Err(e) => Err(e),
        }
    }

    async fn refresh_after_unauthorized(
        &self,
        rejected: &Sensitive<String>,
    ) -> Result<Sensitive<String>, TokenError> {
        let round = self.rounds.load(Ordering::Acquire);
        let mut current = self.current.lock().await;
        if current.tokens.access_token != *rejected {
            // Another caller already replaced the rejected token.
            return Ok(current.tokens.access_token.clone());
        }
        match &current.last_failure {
            Some(TokenError::NeedsSignIn) => return Err(TokenError::NeedsSignIn),
            Some(e) if self.rounds.load(Ordering::Acquire) != round => return Err(e.clone()),
            _ => {}
        }
        self.refresh_locked(&mut current).await?;
        Ok(current.tokens.access_token.clone())
    }
}

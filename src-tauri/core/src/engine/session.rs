//! The signed-in accounts: importing the OAuth client, signing in (which adds an account)
//! and out (one account at a time), restoring every sign-in a previous run left (also
//! from a keyring unlocked late).

use std::path::Path;
use std::sync::Arc;

use super::{lock, read, write, EngineError, EngineEvent, Inner};
use crate::account::{log_label, AccountStatus};
use crate::auth::{self, OAuthApp, OAuthTokens};
use crate::config::ClientSecret;
use crate::error::Sentence;
use crate::google::{CalendarClient, TokenSource};
use crate::store::AccountRecord;

/// A signed-in account and its refreshing tokens.
pub(super) struct Session {
    /// The account label: the primary calendar's id (the user's address).
    pub(super) account: String,
    /// Refreshing tokens; its status says signed in / needs sign-in / offline.
    pub(super) tokens: Arc<OAuthTokens>,
    /// The OAuth client, for revoking at sign-out.
    pub(super) app: OAuthApp,
}

impl Inner {
    /// Checks a downloaded `client_secret_….json` and keeps a copy in the data dir.
    pub(super) async fn import_client_secret(&self, path: &Path) -> Result<(), EngineError> {
        // Read before taking the config lock: a slow disk must not hold up the engine.
        let owned = path.to_path_buf();
        let text = tokio::task::spawn_blocking(move || crate::config::client_secret::read(&owned))
            .await
            .map_err(|e| {
                EngineError::Internal(Sentence::of(
                    "error-task-failed",
                    vec![("reason", e.to_string().into())],
                ))
            })??;
        let secret = {
            let mut config = write(&self.config);
            let secret = config.import_client_secret_text(&text)?;
            config.save()?;
            secret
        };
        tracing::info!(client_id = %secret.client_id, "client secret imported");
        *write(&self.client_id) = Some(secret.client_id);
        self.emit(EngineEvent::State);
        Ok(())
    }

    /// Signs in through the system browser (`opener` opens the URL), names the account by
    /// its primary calendar, keeps the tokens in the token store under that name. Another
    /// account is added beside those held; the same account again gets fresh tokens and
    /// keeps everything else.
    pub(super) async fn sign_in(
        self: &Arc<Self>,
        opener: Arc<auth::Opener>,
    ) -> Result<(), EngineError> {
        let inner = self;
        let app = inner.oauth_app()?;
        let (timeout, api_base) = {
            let config = read(&inner.config);
            (
                config.settings.timings.sign_in_timeout,
                config.endpoints.api_base.clone(),
            )
        };
        let cancel = inner.cancel.child_token();
        if let Some(previous) = lock(&inner.signing_in).replace(cancel.clone()) {
            // A second click on "Sign in" replaces the first attempt.
            previous.cancel();
        }
        inner.emit(EngineEvent::State);
        let clock = Arc::clone(&inner.clock);
        let now_ms = move || clock.now_ms();
        let result = auth::sign_in_at(&app, &*opener, cancel.clone(), timeout, &now_ms).await;
        {
            let mut signing_in = lock(&inner.signing_in);
            // Only clear our own attempt, not one that replaced it meanwhile.
            if !cancel.is_cancelled() || signing_in.as_ref().is_some_and(|c| c.is_cancelled()) {
                signing_in.take();
            }
        }
        inner.emit(EngineEvent::State);
        let signed = result?;
        let account =
            auth::primary_calendar_id(&app, &api_base, &signed.tokens.access_token).await?;
        // Saved first: a keyring that refuses fails the sign-in before anything held is
        // touched.
        inner.token_store.save(&account, &signed.tokens).await?;
        let previous = write(&inner.sessions).remove(&account);
        if let Some(previous) = previous {
            // Signed in again as an account held already: its old tokens must not save
            // over the new ones from a refresh still in flight.
            previous.tokens.forget().await;
        }
        inner.install_session(inner.session_for(app, &account, signed.tokens))?;
        inner
            .store
            .upsert_account(&account, AccountStatus::SignedIn, inner.clock.now_ms())?;
        tracing::info!(account = %log_label(&account), "signed in");
        if let Err(e) = inner.refresh_calendars_of(&account).await {
            tracing::warn!(error = %e, "calendar list after sign-in failed");
        }
        // From now on a calendar shared with the account shows up at once.
        inner.follow_calendar_list(&account);
        // Anything missed while the sign-in was dead is caught up now.
        inner.catch_up_account(&account);
        inner.emit(EngineEvent::State);
        Ok(())
    }

    /// Cancels a sign-in in progress (its listener closes).
    pub(super) fn cancel_sign_in(&self) {
        if let Some(cancel) = lock(&self.signing_in).take() {
            cancel.cancel();
        }
    }

    /// Signs every account out (see [`Inner::sign_out_one`]).
    pub(super) async fn sign_out(&self, delete_history: bool) -> Result<(), EngineError> {
        for account in self.known_accounts()? {
            self.sign_out_one(&account, delete_history).await?;
        }
        Ok(())
    }

    /// Signs `account` out: stops its channels with its own tokens, revokes its grant
    /// (best effort), deletes its keyring entry and forgets its calendars; also deletes
    /// its change history when asked. Every other account is left as it is.
    pub(super) async fn sign_out_one(
        &self,
        account: &str,
        delete_history: bool,
    ) -> Result<(), EngineError> {
        let session = write(&self.sessions).remove(account);
        // Signed in before, but its tokens were not loaded (the keyring entry was gone or
        // locked at start, or an earlier sign-out failed half-way): the window still shows
        // the account, so signing out must still forget it.
        if session.is_none() && self.store.account(account)?.is_none() {
            return Err(EngineError::NotFound(Sentence::of(
                "error-no-account",
                vec![("account", account.into())],
            )));
        }
        if delete_history {
            self.store.delete_account_history(account)?;
        }
        self.sign_out_account(session, account).await?;
        self.emit(EngineEvent::State);
        self.emit(EngineEvent::Calendars);
        Ok(())
    }

    /// Every account the app holds: signed in now, or stored (its tokens not loaded).
    pub(super) fn known_accounts(&self) -> Result<Vec<String>, EngineError> {
        let mut accounts: Vec<String> = self.store.accounts()?.into_iter().map(|a| a.id).collect();
        for held in read(&self.sessions).keys() {
            if !accounts.contains(held) {
                accounts.push(held.clone());
            }
        }
        Ok(accounts)
    }

    pub(super) fn oauth_app(&self) -> Result<OAuthApp, EngineError> {
        let config = read(&self.config);
        let secret: ClientSecret = config.client_secret()?.ok_or(EngineError::NoClientSecret)?;
        Ok(OAuthApp::from_parts(
            &secret.client_id,
            &secret.client_secret,
            &config.endpoints.auth_url,
            &config.endpoints.token_url,
            &config.endpoints.revoke_url,
        )?)
    }

    /// The session of `account` with `tokens`, refreshed through `app` on the engine's clock.
    pub(super) fn session_for(
        &self,
        app: OAuthApp,
        account: &str,
        tokens: crate::secrets::TokenSet,
    ) -> Session {
        let clock = Arc::clone(&self.clock);
        let tokens = OAuthTokens::new(app.clone(), account, tokens, Arc::clone(&self.token_store))
            .with_clock(clock);
        Session {
            account: account.to_string(),
            tokens: Arc::new(tokens),
            app,
        }
    }

    /// Adds `session` to the signed-in accounts: its Calendar client is used for its own
    /// calendars from now on, and its status changes are recorded and broadcast. A dead
    /// refresh token marks only this account.
    pub(super) fn install_session(self: &Arc<Self>, session: Session) -> Result<(), EngineError> {
        self.client
            .set(&session.account, Some(self.client_for(&session)?));
        let mut status = session.tokens.status();
        let account = session.account.clone();
        write(&self.sessions).insert(account.clone(), session);
        let this = Arc::downgrade(self);
        let cancel = self.cancel.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = cancel.cancelled() => return,
                    // Ends when the session is dropped (signed out or replaced).
                    changed = status.changed() => if changed.is_err() { return },
                }
                let now = *status.borrow_and_update();
                let Some(inner) = this.upgrade() else { return };
                if let Err(e) = inner.store.set_account_status(&account, now) {
                    tracing::warn!(error = %e, "could not record the account status");
                }
                if now == AccountStatus::NeedsSignIn {
                    inner.emit(EngineEvent::Error(EngineError::NeedsSignIn));
                }
                inner.emit(EngineEvent::State);
            }
        });
        Ok(())
    }

    /// The session `account` would have, from the token store; None if its tokens cannot
    /// be loaded (logged).
    pub(super) async fn load_session(&self, account: &str) -> Option<Session> {
        let app = self.oauth_app().ok()?;
        match self.token_store.load(account).await {
            Ok(Some(tokens)) => Some(self.session_for(app, account, tokens)),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(account = %log_label(account), error = %e, "could not read a saved sign-in");
                None
            }
        }
    }

    /// Signs `account` out: stops its channels at Google with its own tokens when they
    /// could be loaded (only the user who created a channel can stop it), revokes its
    /// grant (best effort), deletes its keyring entry, and forgets its calendars and watch
    /// state. The change history is kept. `session` must not be installed any more.
    pub(super) async fn sign_out_account(
        &self,
        session: Option<Session>,
        account: &str,
    ) -> Result<(), EngineError> {
        let session = match session {
            Some(session) => Some(session),
            // The keyring may answer now: stop its channels with what it holds.
            None => self.load_session(account).await,
        };
        let client = match &session {
            Some(session) => Some(self.client_for(session)?),
            None => None,
        };
        self.client.set(account, client);
        if let Err(e) = self.channels.stop_list(account).await {
            // Its row goes with the account; Google lets the channel expire on its own.
            tracing::warn!(account = %log_label(account), error = %e, "could not stop the calendar-list channel");
        }
        for calendar in self.store.calendars_of(account)? {
            if calendar.watched {
                self.unwatch(&calendar.key()).await?;
            }
        }
        self.client.set(account, None);
        match session {
            Some(session) => {
                // A refresh still in flight must not save its tokens after the entry is deleted.
                session.tokens.forget().await;
                auth::sign_out(&session.app, &*self.token_store, account).await?;
            }
            None => match self.oauth_app() {
                Ok(app) => {
                    auth::sign_out(&app, &*self.token_store, account).await?;
                }
                Err(_) => self.token_store.delete(account).await?,
            },
        }
        self.store.delete_account(account)?;
        tracing::info!(account = %log_label(account), "signed out");
        Ok(())
    }

    /// A Calendar client acting with `session`'s tokens.
    pub(super) fn client_for(&self, session: &Session) -> Result<Arc<CalendarClient>, EngineError> {
        let api_base = read(&self.config).endpoints.api_base.clone();
        let source: Arc<dyn TokenSource> = Arc::clone(&session.tokens) as Arc<dyn TokenSource>;
        let mut client = CalendarClient::new(&api_base, source)?;
        if let Some(retry) = self.google_retry {
            client = client.with_retry_policy(retry);
        }
        Ok(Arc::new(client))
    }

    /// Restores every account a previous run signed in, from the token store. A keyring
    /// that is locked is waited for, for each account; one account's missing entry marks
    /// only that account.
    pub(super) async fn restore_sessions(self: &Arc<Self>) {
        let accounts: Vec<AccountRecord> = match self.store.accounts() {
            Ok(accounts) => accounts,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the accounts");
                return;
            }
        };
        if accounts.is_empty() {
            return;
        }
        let app = match self.oauth_app() {
            Ok(app) => app,
            Err(e) => {
                tracing::warn!(error = %e, "signed in before, but the OAuth client is gone");
                self.emit(EngineEvent::Error(e));
                return;
            }
        };
        let mut told_locked = false;
        for account in accounts {
            match self.token_store.load(&account.id).await {
                Ok(Some(tokens)) => {
                    if let Err(e) =
                        self.install_session(self.session_for(app.clone(), &account.id, tokens))
                    {
                        self.emit(EngineEvent::Error(e));
                    }
                }
                Ok(None) => {
                    let _ = self
                        .store
                        .set_account_status(&account.id, AccountStatus::NeedsSignIn);
                }
                Err(e) => {
                    tracing::warn!(account = %log_label(&account.id), error = %e, "could not read the saved sign-in");
                    let locked = e.is_unavailable();
                    // One message for a locked keyring, however many accounts wait on it.
                    if !(locked && told_locked) {
                        self.emit(EngineEvent::Error(e.into()));
                    }
                    if locked {
                        told_locked = true;
                        self.keep_trying_to_restore(account.id, app.clone());
                    }
                }
            }
        }
    }

    /// The keyring was locked or not running yet at start (an automatic login can start
    /// CalWatch before the keyring is unlocked): keep trying to read `account`'s sign-in,
    /// so that unlocking the keyring is enough and nobody has to sign in with Google
    /// again. What changed meanwhile is then caught up.
    pub(super) fn keep_trying_to_restore(self: &Arc<Self>, account: String, app: OAuthApp) {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut wait = KEYRING_RETRY_FIRST;
            loop {
                tokio::select! {
                    () = this.cancel.cancelled() => return,
                    () = tokio::time::sleep(wait) => {}
                }
                let held = read(&this.sessions).contains_key(&account);
                let still = matches!(this.store.account(&account), Ok(Some(_)));
                if held || !still {
                    // Signed in (or out) meanwhile: that decided it.
                    return;
                }
                match this.token_store.load(&account).await {
                    Ok(Some(tokens)) => {
                        tracing::info!(account = %log_label(&account), "the keyring answers now: signed in again");
                        if let Err(e) =
                            this.install_session(this.session_for(app, &account, tokens))
                        {
                            this.emit(EngineEvent::Error(e));
                            return;
                        }
                        this.emit(EngineEvent::State);
                        this.catch_up_account(&account);
                        this.follow_calendar_list(&account);
                        return;
                    }
                    Ok(None) => {
                        let _ = this
                            .store
                            .set_account_status(&account, AccountStatus::NeedsSignIn);
                        this.emit(EngineEvent::State);
                        return;
                    }
                    Err(e) if e.is_unavailable() => {
                        wait = (wait * 2).min(KEYRING_RETRY_MAX);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read the saved sign-in");
                        this.emit(EngineEvent::Error(e.into()));
                        return;
                    }
                }
            }
        });
    }
}

/// A keyring locked at start is asked again after this, the wait doubling up to
/// [`KEYRING_RETRY_MAX`].
const KEYRING_RETRY_FIRST: std::time::Duration = std::time::Duration::from_secs(5);
/// The longest wait between two looks at a locked keyring.
const KEYRING_RETRY_MAX: std::time::Duration = std::time::Duration::from_secs(5 * 60);

//! The signed-in account: importing the OAuth client, signing in and out, restoring the
//! sign-in a previous run left (also from a keyring unlocked late).

use std::path::Path;
use std::sync::Arc;

use super::{lock, read, write, EngineError, EngineEvent, Inner};
use crate::account::{log_label, AccountStatus};
use crate::auth::{self, OAuthApp, OAuthTokens};
use crate::config::ClientSecret;
use crate::google::{CalendarClient, TokenSource};
use crate::secrets::SecretsError;
use crate::store::AccountRecord;

/// The signed-in account and its refreshing tokens.
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
            .map_err(|e| EngineError::Internal(e.to_string()))??;
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
    /// its primary calendar, keeps the tokens in the token store.
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
        // Saved first: a keyring that refuses fails the sign-in before the account held so
        // far is touched.
        inner.token_store.save(&account, &signed.tokens).await?;
        // CalWatch holds one account at a time: another account chosen in Google's
        // chooser replaces the one held, which is signed out as `sign_out` does (else its
        // channels would go on posting here and a restart would load it again). The same
        // account again keeps everything.
        inner.sign_out_all_but(&account).await?;
        inner.install_session(inner.session_for(app, &account, signed.tokens))?;
        inner
            .store
            .upsert_account(&account, AccountStatus::SignedIn, inner.clock.now_ms())?;
        tracing::info!(account = %log_label(&account), "signed in");
        if let Err(e) = inner.refresh_calendars().await {
            tracing::warn!(error = %e, "calendar list after sign-in failed");
        }
        // Anything missed while the sign-in was dead is caught up now.
        inner.catch_up_all();
        inner.emit(EngineEvent::State);
        Ok(())
    }

    /// Cancels a sign-in in progress (its listener closes).
    pub(super) fn cancel_sign_in(&self) {
        if let Some(cancel) = lock(&self.signing_in).take() {
            cancel.cancel();
        }
    }

    /// Stops every channel, revokes the grant (best effort), deletes the keyring entry;
    /// also deletes the account's change history when asked.
    pub(super) async fn sign_out(&self, delete_history: bool) -> Result<(), EngineError> {
        let inner = self;
        let session = write(&inner.session).take();
        let account = match &session {
            Some(session) => session.account.clone(),
            // Signed in before, but its tokens were not loaded (the keyring entry was
            // gone or locked at start, or an earlier sign-out failed half-way): the window
            // still shows the account, so signing out must still forget it.
            None => match inner.stored_account()? {
                Some(account) => account.id,
                None => return Ok(()),
            },
        };
        if delete_history {
            inner.store.delete_account_history(&account)?;
        }
        inner.sign_out_account(session, &account).await?;
        inner.emit(EngineEvent::State);
        inner.emit(EngineEvent::Calendars);
        Ok(())
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

    /// Makes `session` the signed-in account: its Calendar client is used from now on,
    /// and its status changes are recorded and broadcast.
    pub(super) fn install_session(self: &Arc<Self>, session: Session) -> Result<(), EngineError> {
        self.client.set(Some(self.client_for(&session)?));
        let mut status = session.tokens.status();
        let account = session.account.clone();
        *write(&self.session) = Some(session);
        let this = Arc::downgrade(self);
        let cancel = self.cancel.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = cancel.cancelled() => return,
                    changed = status.changed() => if changed.is_err() { return },
                }
                let now = *status.borrow_and_update();
                let Some(inner) = this.upgrade() else { return };
                if let Err(e) = inner
                    .store
                    .upsert_account(&account, now, inner.clock.now_ms())
                {
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

    /// The account the app holds: the most recently signed-in one. Only an older version
    /// could leave several rows (it kept the previous account when another signed in);
    /// start-up signs those out, and until that succeeds every reader ignores them the same
    /// way. The newest `created_ms` is the account that version signed in last (it never
    /// recorded signing in again as a known account).
    pub(super) fn stored_account(&self) -> Result<Option<AccountRecord>, EngineError> {
        Ok(self.store.accounts()?.into_iter().next_back())
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

    /// Signs out every account but `keep`: the one held now, and any older row.
    pub(super) async fn sign_out_all_but(&self, keep: &str) -> Result<(), EngineError> {
        let mut held = {
            let mut session = write(&self.session);
            match session.as_ref() {
                Some(s) if s.account != keep => session.take(),
                _ => None,
            }
        };
        let mut others: Vec<String> = self
            .store
            .accounts()?
            .into_iter()
            .map(|a| a.id)
            .filter(|id| id != keep)
            .collect();
        if let Some(s) = &held {
            if !others.contains(&s.account) {
                others.push(s.account.clone());
            }
        }
        for account in others {
            let session = match held.take() {
                Some(s) if s.account == account => Some(s),
                other => {
                    held = other;
                    self.load_session(&account).await
                }
            };
            tracing::info!(account = %log_label(&account), replaced_by = %log_label(keep), "signing out the account replaced");
            self.sign_out_account(session, &account).await?;
        }
        Ok(())
    }

    /// Signs `account` out: stops its channels at Google with its own tokens when they
    /// could be loaded (only the user who created a channel can stop it), revokes its
    /// grant (best effort), deletes its keyring entry, and forgets its calendars and watch
    /// state. The change history is kept. `session` must not be the installed one any more.
    pub(super) async fn sign_out_account(
        &self,
        session: Option<Session>,
        account: &str,
    ) -> Result<(), EngineError> {
        let client = match &session {
            Some(session) => Some(self.client_for(session)?),
            None => None,
        };
        self.client.set(client);
        for calendar in self.store.calendars_of(account)? {
            if calendar.watched {
                self.unwatch(&calendar.id).await?;
            }
        }
        self.client.set(None);
        match session {
            Some(session) => {
                // A refresh still in flight must not save its tokens after the entry is deleted.
                session.tokens.forget().await;
                auth::sign_out(&session.app, &*self.token_store, account).await?;
            }
            None => match self.oauth_app() {
                // The keyring may answer now: revoke what it holds, then delete it.
                Ok(app) => {
                    auth::sign_out(&app, &*self.token_store, account).await?;
                }
                Err(_) => self.token_store.delete(account).await?,
            },
        }
        self.store.delete_account(account)?;
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

    /// Restores the account a previous run signed in, from the token store; older account
    /// rows (see [`Inner::stored_account`]) are signed out first.
    pub(super) async fn restore_session(self: &Arc<Self>) {
        let account = match self.stored_account() {
            Ok(Some(account)) => account,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the account");
                return;
            }
        };
        if let Err(e) = self.sign_out_all_but(&account.id).await {
            // They stay ignored (stored_account picks the newest) and are tried again at
            // the next start.
            tracing::warn!(error = %e, "could not sign out an older account");
            self.emit(EngineEvent::Error(e));
        }
        let app = match self.oauth_app() {
            Ok(app) => app,
            Err(e) => {
                tracing::warn!(error = %e, "signed in before, but the OAuth client is gone");
                self.emit(EngineEvent::Error(e));
                return;
            }
        };
        match self.token_store.load(&account.id).await {
            Ok(Some(tokens)) => {
                if let Err(e) = self.install_session(self.session_for(app, &account.id, tokens)) {
                    self.emit(EngineEvent::Error(e));
                }
            }
            Ok(None) => {
                let _ = self
                    .store
                    .set_account_status(&account.id, AccountStatus::NeedsSignIn);
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not read the saved sign-in");
                let locked = matches!(e, SecretsError::Unavailable { .. });
                self.emit(EngineEvent::Error(e.into()));
                if locked {
                    self.keep_trying_to_restore(account.id, app);
                }
            }
        }
    }

    /// The keyring was locked or not running yet at start (an automatic login can start
    /// CalWatch before the keyring is unlocked): keep trying to read the sign-in, so that
    /// unlocking the keyring is enough and nobody has to sign in with Google again. What
    /// changed meanwhile is then caught up.
    pub(super) fn keep_trying_to_restore(self: &Arc<Self>, account: String, app: OAuthApp) {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let mut wait = KEYRING_RETRY_FIRST;
            loop {
                tokio::select! {
                    () = this.cancel.cancelled() => return,
                    () = tokio::time::sleep(wait) => {}
                }
                let held = read(&this.session).is_some();
                let still = this.stored_account().ok().flatten().map(|a| a.id);
                if held || still.as_deref() != Some(account.as_str()) {
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
                        this.catch_up_all();
                        return;
                    }
                    Ok(None) => {
                        let _ = this
                            .store
                            .set_account_status(&account, AccountStatus::NeedsSignIn);
                        this.emit(EngineEvent::State);
                        return;
                    }
                    Err(SecretsError::Unavailable { .. }) => {
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

//! The engine: wires config, store, sign-in, the Calendar client, the receiver, sync and
//! channels into the one handle the shell holds, and broadcasts what changed.
//!
//! # Layout
//! - [`clock`]: wall-clock "now", passed in (tests follow tokio's paused clock).
//! - [`error`]: [`EngineError`], with the window's error codes.
//! - `state`: [`EngineState`], what the window's AppState is built from.

mod clock;
mod error;
mod state;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use tokio::net::TcpListener;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::account::{log_label, AccountStatus};
use crate::auth::{self, OAuthApp, OAuthTokens};
use crate::channels::{timing, ChannelSettings, Channels};
use crate::config::{ClientSecret, Config};
use crate::google::{CalendarClient, RetryPolicy, TokenSource};
use crate::notice::Notifier;
use crate::receiver::{self, ChannelRegistry, Delivery, ProbeNonces, ProbeReport, ReceiverState};
use crate::secrets::{SecretsError, TokenStore};
use crate::store::{
    AccountRecord, CalendarRecord, ChannelRecord, ChannelState, Store, StoredChange,
};
use crate::sync::{CalendarWorker, ClientCell, Outbox, Syncer, WorkerTimings};

pub use clock::{Clock, SystemClock, TokioClock};
pub use error::EngineError;
pub use state::{AccountState, ClientSecretState, EngineSettings, EngineState, ReceiverStatus};

/// What the engine tells its subscribers (the shell turns these into window events).
#[derive(Debug, Clone)]
pub enum EngineEvent {
    /// Something in [`EngineState`] changed: read [`Engine::snapshot`].
    State,
    /// A channel was created, renewed, stopped or changed state: read [`Engine::channels`].
    Channels,
    /// The calendar list changed: read [`Engine::calendars`].
    Calendars,
    /// New changes were recorded (newest first).
    Changes(Vec<StoredChange>),
    /// A background operation failed (renewal, sync, keyring…).
    Error(EngineError),
}

/// What the shell injects.
pub struct EngineDeps {
    /// Where the account's tokens are kept (the OS keyring in the app).
    pub token_store: Arc<dyn TokenStore>,
    /// Shows notices (desktop toasts in the app).
    pub notifier: Arc<dyn Notifier>,
}

/// Knobs the shell leaves at their defaults and tests turn.
#[derive(Clone)]
pub struct EngineOptions {
    /// Wall-clock "now" for stored expirations.
    pub clock: Arc<dyn Clock>,
    /// Retry policy for Google calls (tests shorten the waits).
    pub google_retry: Option<RetryPolicy>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            clock: Arc::new(SystemClock),
            google_retry: None,
        }
    }
}

/// A change to the settings from the window; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsPatch {
    /// Pause notices (changes are still recorded).
    pub paused: Option<bool>,
    /// More changes than this in one sync become one summary.
    pub summary_threshold: Option<usize>,
    /// Backstop sync interval in minutes; 0 turns it off.
    pub backstop_minutes: Option<u64>,
    /// The receiver's local port (rebinds at once).
    pub receiver_port: Option<u16>,
}

/// The handle the shell holds; cheap to clone. Background work stops on
/// [`Engine::shutdown`] or when the last handle is dropped.
#[derive(Clone)]
pub struct Engine {
    /// Everything, shared with the background tasks.
    inner: Arc<Inner>,
    /// Cancels the background tasks when the last handle goes (tasks hold `inner`, not this).
    _last: Arc<tokio_util::sync::DropGuard>,
}

/// The signed-in account and its live tokens.
struct Session {
    /// The account label: the primary calendar's id (the user's address).
    account: String,
    /// Refreshing tokens; its status says signed in / needs sign-in / offline.
    tokens: Arc<OAuthTokens>,
    /// The OAuth client, for revoking at sign-out.
    app: OAuthApp,
}

/// The receiver as it runs now.
struct Receiver {
    /// The address asked for (settings) or, when listening, the one bound.
    address: SocketAddr,
    /// Why it is not listening, if it is not.
    error: Option<EngineError>,
    /// The probe nonces the running router recognises.
    probes: Option<ProbeNonces>,
    /// Stops the server.
    stop: CancellationToken,
    /// The server task.
    task: Option<JoinHandle<()>>,
}

struct Inner {
    /// Settings and endpoints; written back to settings.json on change.
    config: RwLock<Config>,
    /// The database.
    store: Store,
    /// Where tokens are kept.
    token_store: Arc<dyn TokenStore>,
    /// Wall-clock now.
    clock: Arc<dyn Clock>,
    /// Retry policy for new Calendar clients.
    google_retry: Option<RetryPolicy>,
    /// The signed-in account's Calendar client.
    client: ClientCell,
    /// The signed-in account.
    session: RwLock<Option<Session>>,
    /// The client id of the imported OAuth client, if any.
    client_id: RwLock<Option<String>>,
    /// A sign-in in progress (to cancel it).
    signing_in: Mutex<Option<CancellationToken>>,
    /// The channels the receiver accepts.
    registry: ChannelRegistry,
    /// Receiver → sync.
    deliveries: mpsc::UnboundedSender<Delivery>,
    /// The receiver's state.
    receiver: Mutex<Receiver>,
    /// Channel lifecycle.
    channels: Channels,
    /// Runs syncs.
    syncer: Arc<Syncer>,
    /// Notices to the notifier.
    outbox: Arc<Outbox>,
    /// Calendar id → its sync worker.
    workers: Mutex<HashMap<String, Arc<CalendarWorker>>>,
    /// Coalescing window and backstop, followed by every worker.
    timings: watch::Sender<WorkerTimings>,
    /// To subscribers.
    events: broadcast::Sender<EngineEvent>,
    /// Stops every background task.
    cancel: CancellationToken,
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Engine {
    /// Opens the store, binds the receiver (a taken port is reported in the state, the
    /// engine still starts), restores the account, re-arms channels, delivers changes a
    /// previous run recorded but did not show, and starts the catch-up sync.
    pub async fn start(config: Config, deps: EngineDeps) -> Result<Engine, EngineError> {
        Self::start_with(config, deps, EngineOptions::default()).await
    }

    /// [`Engine::start`] with a chosen clock and Google retry policy.
    pub async fn start_with(
        config: Config,
        deps: EngineDeps,
        options: EngineOptions,
    ) -> Result<Engine, EngineError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            EngineError::Store(format!(
                "CalWatch could not create its data folder {}: {e}.",
                config.data_dir.display()
            ))
        })?;
        let store = Store::open(&config.database_path())?;
        prune_old_history(&store, options.clock.now_ms());
        let (events, _) = broadcast::channel(256);
        let cancel = CancellationToken::new();
        let settings = config.settings.clone();
        let client = ClientCell::new();
        let outbox = Arc::new(Outbox::new(
            store.clone(),
            deps.notifier,
            settings.paused,
            settings.summary_threshold,
            events.clone(),
        ));
        let syncer = Arc::new(Syncer::new(
            store.clone(),
            client.clone(),
            Arc::clone(&options.clock),
            Arc::clone(&outbox),
        ));
        let registry = ChannelRegistry::new();
        let (gaps_tx, gaps_rx) = mpsc::unbounded_channel();
        let channels = Channels::new(
            store.clone(),
            client.clone(),
            registry.clone(),
            Arc::clone(&options.clock),
            channel_settings(&config),
            cancel.clone(),
            events.clone(),
            gaps_tx,
        );
        let (timings, _) = watch::channel(worker_timings(&config));
        let (deliveries, deliveries_rx) = mpsc::unbounded_channel();
        let client_id = config.client_secret().ok().flatten().map(|c| c.client_id);
        let inner = Arc::new(Inner {
            receiver: Mutex::new(Receiver {
                address: settings.receiver_addr,
                error: None,
                probes: None,
                stop: CancellationToken::new(),
                task: None,
            }),
            config: RwLock::new(config),
            store,
            token_store: deps.token_store,
            clock: options.clock,
            google_retry: options.google_retry,
            client,
            session: RwLock::new(None),
            client_id: RwLock::new(client_id),
            signing_in: Mutex::new(None),
            registry,
            deliveries,
            channels,
            syncer,
            outbox,
            workers: Mutex::new(HashMap::new()),
            timings,
            events,
            cancel: cancel.clone(),
        });
        let engine = Engine {
            inner: Arc::clone(&inner),
            _last: Arc::new(cancel.clone().drop_guard()),
        };
        tokio::spawn(dispatch(Arc::clone(&inner), deliveries_rx));
        tokio::spawn(fill_gaps(Arc::clone(&inner), gaps_rx));
        inner.restore_session().await;
        // What a previous run recorded but never showed goes first, before anything new.
        inner.outbox.deliver_undelivered().await;
        // The receiver must know the channels before it listens, or Google's first
        // deliveries after a restart would be refused as unknown.
        inner.channels.rearm()?;
        inner.start_workers()?;
        inner.bind_receiver(settings.receiver_addr).await;
        inner.catch_up_all();
        Ok(engine)
    }

    /// Engine events: state, channels, calendars, changes, background errors.
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.inner.events.subscribe()
    }

    /// Everything the window's AppState needs.
    pub fn snapshot(&self) -> EngineState {
        self.inner.snapshot()
    }

    /// Checks a downloaded `client_secret_….json` and keeps a copy in the data dir.
    pub async fn import_client_secret(&self, path: &Path) -> Result<(), EngineError> {
        // Read before taking the config lock: a slow disk must not hold up the engine.
        let owned = path.to_path_buf();
        let text = tokio::task::spawn_blocking(move || crate::config::client_secret::read(&owned))
            .await
            .map_err(|e| EngineError::Internal(e.to_string()))??;
        let secret = {
            let mut config = write(&self.inner.config);
            let secret = config.import_client_secret_text(&text)?;
            config.save()?;
            secret
        };
        tracing::info!(client_id = %secret.client_id, "client secret imported");
        *write(&self.inner.client_id) = Some(secret.client_id);
        self.inner.emit(EngineEvent::State);
        Ok(())
    }

    /// Signs in through the system browser (`opener` opens the URL), names the account by
    /// its primary calendar, keeps the tokens in the token store.
    pub async fn sign_in(&self, opener: Arc<auth::Opener>) -> Result<(), EngineError> {
        let inner = &self.inner;
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
        let result = auth::sign_in(&app, &*opener, cancel.clone(), timeout).await;
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
    pub fn cancel_sign_in(&self) {
        if let Some(cancel) = lock(&self.inner.signing_in).take() {
            cancel.cancel();
        }
    }

    /// Stops every channel, revokes the grant (best effort), deletes the keyring entry.
    /// The change history is kept.
    pub async fn sign_out(&self) -> Result<(), EngineError> {
        self.sign_out_with(false).await
    }

    /// [`Engine::sign_out`], also deleting the account's change history when asked (the
    /// window's "Also delete this account's history").
    pub async fn sign_out_with(&self, delete_history: bool) -> Result<(), EngineError> {
        let inner = &self.inner;
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

    /// Deletes every change already shown (Settings → "Clear history"); returns how many.
    pub fn clear_history(&self) -> Result<usize, EngineError> {
        Ok(self.inner.store.clear_history()?)
    }

    /// Sets the public callback URL Google delivers to (https unless allowed otherwise).
    /// Live channels pointing elsewhere are renewed onto the new address.
    pub async fn set_callback_url(&self, url: &str) -> Result<(), EngineError> {
        let inner = &self.inner;
        {
            let mut config = write(&inner.config);
            config.set_callback_url(url)?;
            config.save()?;
            inner.channels.set_settings(channel_settings(&config));
        }
        let address = inner.channels.settings().callback_url;
        for channel in inner.live_channels()? {
            if Some(&channel.address) != address.as_ref() {
                let channels = inner.channels.clone();
                tokio::spawn(async move {
                    if let Err(e) = channels.renew(&channel.id).await {
                        tracing::warn!(error = %e, "moving a channel to the new callback URL failed");
                    }
                });
            }
        }
        inner.emit(EngineEvent::State);
        Ok(())
    }

    /// Probes the public callback URL end to end and says which step failed.
    pub async fn check_callback(&self) -> Result<ProbeReport, EngineError> {
        let (url, allow_http) = {
            let config = read(&self.inner.config);
            (
                config.settings.callback_url.clone(),
                config.allow_http_callback,
            )
        };
        let url = url.ok_or(EngineError::NoCallback)?;
        let (probes, error) = {
            let receiver = lock(&self.inner.receiver);
            (receiver.probes.clone(), receiver.error.clone())
        };
        match probes {
            Some(probes) => Ok(receiver::check_callback(&url, &probes, allow_http).await),
            None => Err(error.unwrap_or_else(|| {
                EngineError::Internal("The local receiver is not running.".into())
            })),
        }
    }

    /// The account's calendars; with `refresh`, re-read from Google first.
    pub async fn calendars(&self, refresh: bool) -> Result<Vec<CalendarRecord>, EngineError> {
        let stored = self.inner.store.calendars()?;
        if refresh || stored.is_empty() {
            self.inner.refresh_calendars().await?;
            return Ok(self.inner.store.calendars()?);
        }
        Ok(stored)
    }

    /// Watches a calendar: a push channel, then the silent baseline sync. Returns the
    /// channel; watching a calendar already watched returns its live channel.
    pub async fn watch(&self, calendar_id: &str) -> Result<ChannelRecord, EngineError> {
        self.inner.watch(calendar_id).await
    }

    /// Stops watching: its channels are stopped, its sync state and snapshot forgotten.
    pub async fn unwatch(&self, calendar_id: &str) -> Result<(), EngineError> {
        self.inner.unwatch(calendar_id).await
    }

    /// The channels that are not stopped.
    pub fn channels(&self) -> Result<Vec<ChannelRecord>, EngineError> {
        self.inner.live_channels()
    }

    /// Replaces a channel now; returns the new one.
    pub async fn renew(&self, channel_id: &str) -> Result<ChannelRecord, EngineError> {
        let new = self.inner.channels.renew(channel_id).await?;
        self.inner.emit(EngineEvent::State);
        Ok(new)
    }

    /// Stops a channel (and the replacement a renewal of it is creating); stopping a
    /// calendar's last channel stops watching it.
    pub async fn stop_channel(&self, channel_id: &str) -> Result<(), EngineError> {
        let inner = &self.inner;
        let record = inner
            .store
            .channel(channel_id)?
            .filter(|c| c.state != ChannelState::Stopped)
            .ok_or_else(|| EngineError::NotFound(format!("There is no channel {channel_id}.")))?;
        let replacement = inner.channels.replacement_of(channel_id);
        let others = inner.live_channels()?.into_iter().any(|c| {
            c.calendar_id == record.calendar_id
                && c.id != channel_id
                && Some(&c.id) != replacement.as_ref()
        });
        if others {
            inner.channels.stop_with_replacement(channel_id).await?;
        } else {
            // The last one: this is an unwatch, done in its order (see `Inner::unwatch`).
            inner.unwatch(&record.calendar_id).await?;
        }
        inner.emit(EngineEvent::State);
        Ok(())
    }

    /// The latest recorded changes, newest first.
    pub fn recent_changes(&self, limit: usize) -> Result<Vec<StoredChange>, EngineError> {
        Ok(self.inner.store.recent_changes(limit)?)
    }

    /// Changes settings from the window and saves them.
    pub async fn update_settings(&self, patch: SettingsPatch) -> Result<(), EngineError> {
        let inner = &self.inner;
        let rebind = {
            let mut config = write(&inner.config);
            if let Some(paused) = patch.paused {
                config.settings.paused = paused;
                inner.outbox.set_paused(paused);
            }
            if let Some(threshold) = patch.summary_threshold {
                config.settings.summary_threshold = threshold;
                inner.outbox.set_threshold(threshold);
            }
            if let Some(minutes) = patch.backstop_minutes {
                config.settings.timings.backstop_interval =
                    std::time::Duration::from_secs(minutes * 60);
                inner.timings.send_replace(worker_timings(&config));
            }
            let failed = lock(&inner.receiver).error.is_some();
            let rebind = match patch.receiver_port {
                // The same port again is a retry when it was taken before.
                Some(port) if failed || port != config.settings.receiver_addr.port() => {
                    config.settings.receiver_addr.set_port(port);
                    Some(config.settings.receiver_addr)
                }
                _ => None,
            };
            config.save()?;
            rebind
        };
        if let Some(address) = rebind {
            inner.bind_receiver(address).await;
        }
        inner.emit(EngineEvent::State);
        match rebind.and_then(|_| lock(&inner.receiver).error.clone()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The machine woke up or the network came back: re-read the clock for every renewal
    /// and catch every watched calendar up now, also one whose failing sync would only be
    /// retried minutes from now.
    pub async fn resumed(&self) {
        self.inner.channels.rearm_timers();
        self.inner.catch_up_all();
    }

    /// Stops every background task and the receiver, and waits for them.
    pub async fn shutdown(&self) {
        let inner = &self.inner;
        inner.cancel.cancel();
        let task = {
            let mut receiver = lock(&inner.receiver);
            receiver.stop.cancel();
            receiver.task.take()
        };
        if let Some(task) = task {
            let _ = task.await;
        }
        let workers: Vec<Arc<CalendarWorker>> =
            lock(&inner.workers).drain().map(|(_, w)| w).collect();
        for worker in workers {
            worker.stop().await;
        }
    }

    /// Waits until the sync of `calendar_id` that starts next has finished (tests and the
    /// shell's "sync now"); returns how many changes it recorded.
    pub async fn sync_now(&self, calendar_id: &str) -> Result<usize, EngineError> {
        let worker = self.inner.worker(calendar_id);
        Ok(worker.sync_now(false).await?.changes)
    }
}

impl Inner {
    fn emit(&self, event: EngineEvent) {
        let _ = self.events.send(event);
    }

    fn oauth_app(&self) -> Result<OAuthApp, EngineError> {
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
    fn session_for(
        &self,
        app: OAuthApp,
        account: &str,
        tokens: crate::secrets::TokenSet,
    ) -> Session {
        let clock = Arc::clone(&self.clock);
        let tokens = OAuthTokens::new(app.clone(), account, tokens, Arc::clone(&self.token_store))
            .with_clock(Arc::new(move || clock.now_ms()));
        Session {
            account: account.to_string(),
            tokens: Arc::new(tokens),
            app,
        }
    }

    /// Makes `session` the signed-in account: its Calendar client is used from now on,
    /// and its status changes are recorded and broadcast.
    fn install_session(self: &Arc<Self>, session: Session) -> Result<(), EngineError> {
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
    fn stored_account(&self) -> Result<Option<AccountRecord>, EngineError> {
        Ok(self.store.accounts()?.into_iter().next_back())
    }

    /// The session `account` would have, from the token store; None if its tokens cannot
    /// be loaded (logged).
    async fn load_session(&self, account: &str) -> Option<Session> {
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
    async fn sign_out_all_but(&self, keep: &str) -> Result<(), EngineError> {
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
    async fn sign_out_account(
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
    fn client_for(&self, session: &Session) -> Result<Arc<CalendarClient>, EngineError> {
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
    async fn restore_session(self: &Arc<Self>) {
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
    fn keep_trying_to_restore(self: &Arc<Self>, account: String, app: OAuthApp) {
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

    async fn bind_receiver(&self, address: SocketAddr) {
        let previous = {
            let mut receiver = lock(&self.receiver);
            receiver.stop.cancel();
            receiver.task.take()
        };
        if let Some(task) = previous {
            let _ = task.await;
        }
        let callback_path = read(&self.config).settings.callback_path.clone();
        let mut status = Receiver {
            address,
            error: None,
            probes: None,
            stop: self.cancel.child_token(),
            task: None,
        };
        match TcpListener::bind(address).await {
            Ok(listener) => {
                let bound = listener.local_addr().unwrap_or(address);
                let probes = ProbeNonces::for_receiver(bound);
                let state = ReceiverState::new(
                    self.registry.clone(),
                    self.deliveries.clone(),
                    probes.clone(),
                );
                let router = receiver::router(state, &callback_path);
                let stop = status.stop.clone();
                status.task = Some(tokio::spawn(async move {
                    if let Err(e) = receiver::serve(listener, router, stop.cancelled_owned()).await
                    {
                        tracing::warn!(error = %e, "the receiver stopped");
                    }
                }));
                status.address = bound;
                status.probes = Some(probes);
                tracing::info!(%bound, "receiver listening");
            }
            Err(e) => {
                let error = if e.kind() == std::io::ErrorKind::AddrInUse {
                    EngineError::PortInUse {
                        port: address.port(),
                    }
                } else {
                    EngineError::Internal(format!(
                        "The receiver could not listen on {address}: {e}. Choose another port in Settings."
                    ))
                };
                tracing::warn!(%address, error = %e, "receiver could not bind");
                status.error = Some(error.clone());
                self.emit(EngineEvent::Error(error));
            }
        }
        *lock(&self.receiver) = status;
        self.emit(EngineEvent::State);
    }

    async fn refresh_calendars(&self) -> Result<(), EngineError> {
        let client = self.client.get()?;
        let account = read(&self.session)
            .as_ref()
            .map(|s| s.account.clone())
            .ok_or(EngineError::NeedsSignIn)?;
        let entries = client.calendar_list().await?;
        for entry in &entries {
            self.store.upsert_calendar(&CalendarRecord {
                id: entry.id.clone(),
                account: account.clone(),
                summary: entry.display_name().to_string(),
                color: entry.background_color.clone(),
                time_zone: entry.time_zone.clone(),
                primary: entry.primary,
                access_role: entry.access_role.clone(),
                watched: false,
                gone: false,
            })?;
        }
        for known in self.store.calendars_of(&account)? {
            if !known.gone && !entries.iter().any(|e| e.id == known.id) {
                self.store.mark_gone(&known.id)?;
            }
        }
        self.emit(EngineEvent::Calendars);
        Ok(())
    }

    async fn watch(self: &Arc<Self>, calendar_id: &str) -> Result<ChannelRecord, EngineError> {
        if let Some(live) = self
            .live_channels()?
            .into_iter()
            .find(|c| c.calendar_id == calendar_id)
        {
            return Ok(live);
        }
        let Some(callback) = self.channels.settings().callback_url else {
            return Err(EngineError::NoCallback);
        };
        // A URL from the environment was never checked by set_callback_url.
        read(&self.config).validate_callback_url(&callback)?;
        if self.store.calendar(calendar_id)?.is_none() {
            self.refresh_calendars().await?;
            if self.store.calendar(calendar_id)?.is_none() {
                return Err(EngineError::NotFound(format!(
                    "Google does not list a calendar “{calendar_id}” for this account."
                )));
            }
        }
        let record = self.channels.open(calendar_id).await?;
        self.store.set_watched(calendar_id, true)?;
        let worker = self.worker(calendar_id);
        // The baseline: a full list recorded silently (or, re-watching with a kept sync
        // token, an ordinary incremental sync).
        if let Err(e) = worker.sync_now(false).await {
            tracing::warn!(calendar = %log_label(calendar_id), error = %e, "baseline sync failed; the worker retries");
            self.emit(EngineEvent::Error(e.into()));
        }
        self.emit(EngineEvent::Calendars);
        self.emit(EngineEvent::State);
        Ok(record)
    }

    async fn unwatch(&self, calendar_id: &str) -> Result<(), EngineError> {
        // In this order, so that a run killed half-way leaves what start-up finishes: no
        // sync any more, then the calendar marked unwatched, then its channels stopped (a
        // live channel of an unwatched calendar is stopped at the next start). Stopping
        // the channels first would leave, after a kill, a calendar marked watched with no
        // channel: silently without notifications.
        let worker = lock(&self.workers).remove(calendar_id);
        if let Some(worker) = worker {
            worker.stop().await;
        }
        // Unwatching also forgets the sync state and snapshot: a later watch starts
        // with a fresh, silent baseline.
        self.store.set_watched(calendar_id, false)?;
        self.channels.stop_calendar(calendar_id).await?;
        self.emit(EngineEvent::Calendars);
        self.emit(EngineEvent::State);
        Ok(())
    }

    fn live_channels(&self) -> Result<Vec<ChannelRecord>, EngineError> {
        Ok(self
            .store
            .channels()?
            .into_iter()
            .filter(|c| c.state != ChannelState::Stopped)
            .collect())
    }

    /// The worker of `calendar_id`, started if needed.
    fn worker(&self, calendar_id: &str) -> Arc<CalendarWorker> {
        let mut workers = lock(&self.workers);
        if let Some(worker) = workers.get(calendar_id) {
            return Arc::clone(worker);
        }
        let worker = Arc::new(CalendarWorker::spawn(
            calendar_id,
            Arc::clone(&self.syncer),
            self.timings.subscribe(),
            &self.cancel,
        ));
        workers.insert(calendar_id.to_string(), Arc::clone(&worker));
        worker
    }

    fn start_workers(&self) -> Result<(), EngineError> {
        for calendar in self.store.calendars()? {
            if calendar.watched {
                self.worker(&calendar.id);
            }
        }
        Ok(())
    }

    /// Syncs every watched calendar; what it finds is told as "while you were away".
    fn catch_up_all(&self) {
        let workers: Vec<Arc<CalendarWorker>> = lock(&self.workers).values().cloned().collect();
        for worker in workers {
            worker.catch_up();
        }
    }

    fn on_delivery(self: &Arc<Self>, delivery: Delivery) {
        let channel_id = delivery.channel_id().to_string();
        if let Err(e) = self
            .store
            .record_message_number(&channel_id, delivery.message_number())
        {
            tracing::warn!(error = %e, "could not record a message number");
        }
        match delivery {
            Delivery::Exists { calendar_id, .. } => self.calendar_changed(&calendar_id),
            Delivery::Sync {
                channel_id,
                resource_id,
                ..
            } => self.channels.confirmed(&channel_id, &resource_id),
            Delivery::NotExists { calendar_id, .. } => {
                // Whoever holds the channel token (the tunnel sees it) can send this: only
                // Google's own 404 lets the calendar go; anything else syncs as `exists`.
                let this = Arc::clone(self);
                tokio::spawn(async move {
                    let exists = match this.client.get() {
                        Ok(client) => client.calendar_exists(&calendar_id).await,
                        Err(_) => Ok(true),
                    };
                    match exists {
                        Ok(false) => this.calendar_gone(&calendar_id),
                        Ok(true) | Err(_) => this.calendar_changed(&calendar_id),
                    }
                });
            }
        }
    }

    /// Something in a watched calendar changed: its worker syncs (coalesced).
    fn calendar_changed(&self, calendar_id: &str) {
        let worker = lock(&self.workers).get(calendar_id).cloned();
        match worker {
            Some(worker) => worker.notify(),
            None => {
                tracing::debug!(calendar = %calendar_id, "notification for a calendar not watched")
            }
        }
    }

    /// Google says a watched calendar no longer exists (deleted, or no longer shared):
    /// stop watching it, keep its history, tell the user once.
    fn calendar_gone(self: &Arc<Self>, calendar_id: &str) {
        let known = match self.store.calendar(calendar_id) {
            Ok(Some(calendar)) => calendar,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not read a calendar Google says is gone");
                return;
            }
        };
        if known.gone {
            // Both channels of a renewal overlap say so; once is enough.
            return;
        }
        tracing::info!(calendar = %log_label(calendar_id), "Google says the calendar no longer exists");
        if let Err(e) = self.store.mark_gone(calendar_id) {
            tracing::warn!(error = %e, "could not mark a calendar gone");
        }
        let name = if known.summary.trim().is_empty() {
            calendar_id.to_string()
        } else {
            known.summary.clone()
        };
        self.emit(EngineEvent::Error(EngineError::NotFound(format!(
            "The calendar “{name}” no longer exists or is no longer shared with you, so CalWatch stopped watching it."
        ))));
        let this = Arc::clone(self);
        let calendar_id = calendar_id.to_string();
        tokio::spawn(async move {
            if let Err(e) = this.unwatch(&calendar_id).await {
                tracing::warn!(error = %e, "could not stop watching a calendar that is gone");
            }
        });
    }

    fn snapshot(&self) -> EngineState {
        let config = read(&self.config);
        let account = read(&self.session).as_ref().map(|s| AccountState {
            email: s.account.clone(),
            status: *s.tokens.status().borrow(),
        });
        let account = account.or_else(|| {
            // Signed in before but the tokens could not be loaded: ask to sign in again.
            self.stored_account().ok().flatten().map(|a| AccountState {
                email: a.id,
                status: AccountStatus::NeedsSignIn,
            })
        });
        let receiver = lock(&self.receiver);
        let channels = self.live_channels().unwrap_or_default();
        let timings = &config.settings.timings;
        let next_renewal_at = channels
            .iter()
            .filter(|c| c.state != ChannelState::Pending)
            .map(|c| {
                timing::renew_at_ms(
                    c.created_ms,
                    c.expiration_ms,
                    timings.renew_at_fraction,
                    timings.renew_min_lead,
                )
            })
            .min();
        EngineState {
            client_secret: ClientSecretState {
                imported: read(&self.client_id).is_some(),
                client_id: read(&self.client_id).clone(),
            },
            account,
            signing_in: lock(&self.signing_in).is_some(),
            callback_url: config.settings.callback_url.clone(),
            allow_http_callback: config.allow_http_callback,
            receiver: ReceiverStatus {
                address: receiver.address.to_string(),
                listening: receiver.task.is_some() && receiver.error.is_none(),
                error: receiver.error.clone(),
            },
            settings: EngineSettings {
                paused: config.settings.paused,
                summary_threshold: config.settings.summary_threshold,
                backstop_minutes: timings.backstop_interval.as_secs() / 60,
                receiver_port: config.settings.receiver_addr.port(),
            },
            watched_count: self
                .store
                .calendars()
                .map(|c| c.iter().filter(|c| c.watched).count())
                .unwrap_or(0),
            next_renewal_at,
        }
    }
}

/// Receiver → sync: every accepted notification.
async fn dispatch(inner: Arc<Inner>, mut deliveries: mpsc::UnboundedReceiver<Delivery>) {
    loop {
        tokio::select! {
            () = inner.cancel.cancelled() => return,
            delivery = deliveries.recv() => match delivery {
                Some(delivery) => inner.on_delivery(delivery),
                None => return,
            },
        }
    }
}

/// Channels → sync: calendars nothing watched for a while are caught up.
async fn fill_gaps(inner: Arc<Inner>, mut gaps: mpsc::UnboundedReceiver<String>) {
    loop {
        tokio::select! {
            () = inner.cancel.cancelled() => return,
            calendar = gaps.recv() => match calendar {
                Some(calendar) => inner.worker(&calendar).catch_up(),
                None => return,
            },
        }
    }
}

fn channel_settings(config: &Config) -> ChannelSettings {
    let t = &config.settings.timings;
    ChannelSettings {
        callback_url: config.settings.callback_url.clone(),
        ttl: t.channel_ttl,
        renew_at_fraction: t.renew_at_fraction,
        renew_min_lead: t.renew_min_lead,
    }
}

fn worker_timings(config: &Config) -> WorkerTimings {
    WorkerTimings {
        coalesce_window: config.settings.timings.coalesce_window,
        backstop_interval: config.settings.timings.backstop_interval,
        retry_first: config.settings.timings.sync_retry_first,
        retry_max: config.settings.timings.sync_retry_max,
    }
}

/// A keyring locked at start is asked again after this, the wait doubling up to
/// [`KEYRING_RETRY_MAX`].
const KEYRING_RETRY_FIRST: std::time::Duration = std::time::Duration::from_secs(5);
/// The longest wait between two looks at a locked keyring.
const KEYRING_RETRY_MAX: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// How long the Activity list remembers a change: long enough to look back on a season,
/// short enough that the database does not grow without bound.
pub const HISTORY_RETENTION: std::time::Duration = std::time::Duration::from_secs(180 * 24 * 3600);

/// Forgets delivered changes older than [`HISTORY_RETENTION`]; undelivered ones are kept
/// (they are still owed to the user). A failure here only costs disk space: logged.
fn prune_old_history(store: &Store, now_ms: i64) {
    let cutoff = now_ms - HISTORY_RETENTION.as_millis() as i64;
    match store.prune_history(cutoff) {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, "old change history pruned"),
        Err(e) => tracing::warn!(error = %e, "could not prune old change history"),
    }
}

//! The engine: wires config, store, sign-in, the Calendar client, the receiver, sync and
//! channels into the one handle the shell holds, and broadcasts what changed.
//!
//! # Layout
//! - this file: [`Engine`], the facade the shell calls, and the start-up order.
//! - `session`: importing the OAuth client, signing in and out, restoring the sign-in.
//! - `receiver`: binding the local receiver, the callback URL, the end-to-end probe.
//! - `watching`: watching and unwatching calendars, the sync workers.
//! - `calendar_list`: each account's calendar list, watched and followed (new, gone,
//!   renamed calendars).
//! - `dispatch`: deliveries to the workers; calendars Google says are gone.
//! - `health`: push health — probing the public address, polling while push is down.
//! - `noise`: pausing and resuming, each calendar's noise rules, and the task that tells
//!   the digest when quiet hours or a pause end.
//! - [`settings`]: [`SettingsPatch`] and applying it.
//! - `state`: [`EngineState`], what the window's AppState is built from.
//! - `error`: sync and channel failures worded as [`EngineError`]s.

mod calendar_list;
mod dispatch;
mod error;
mod health;
mod noise;
mod receiver;
mod session;
pub mod settings;
mod state;
mod watching;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::{broadcast, mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::auth;
use crate::channels::Channels;
use crate::config::Config;
use crate::event::Report;
use crate::google::Clients;
use crate::google::RetryPolicy;
use crate::notice::Notifier;
use crate::poison::{lock, read, write};
use crate::receiver::{ChannelRegistry, Delivery, ProbeReport, SiteVerification};
use crate::secrets::TokenStore;
use crate::store::{
    CalendarKey, CalendarRecord, ChannelRecord, ListChannelRecord, Store, StoredChange,
};
use crate::sync::{CalendarWorker, Grouping, Outbox, Syncer, WorkerTimings};

pub use crate::clock::{Clock, SystemClock, TokioClock};
pub use crate::error::EngineError;
pub use crate::event::EngineEvent;
pub use crate::noise::{CalendarRules, NoticeRules, PauseFor};
pub use crate::push_health::{ChannelDelivery, PushHealth, PushState};
pub use settings::SettingsPatch;
pub use state::{
    AccountState, ClientSecretState, EngineSettings, EngineState, HoldState, LocaleState,
    ReceiverStatus,
};

use receiver::Receiver;
use session::Session;
use settings::{channel_settings, worker_timings};

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
    /// The person's zone, which quiet hours and "until tomorrow" are read in.
    pub time_zone: chrono_tz::Tz,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            clock: Arc::new(SystemClock),
            google_retry: None,
            time_zone: crate::clock::local_time_zone(),
        }
    }
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
    /// Each signed-in account's Calendar client.
    client: Clients,
    /// The signed-in accounts, by email.
    sessions: RwLock<HashMap<String, Session>>,
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
    /// Calendar (of an account) → its sync worker.
    workers: Mutex<HashMap<CalendarKey, Arc<CalendarWorker>>>,
    /// Coalescing window and backstop, followed by every worker.
    timings: watch::Sender<WorkerTimings>,
    /// To subscribers.
    events: broadcast::Sender<EngineEvent>,
    /// The domain verification file the receiver serves (shared with it).
    site_verification: SiteVerification,
    /// Push health: the last probe's verdict and each channel's last delivery.
    health: Mutex<health::Health>,
    /// Asks the health check to probe now (network change, tunnel restart, new address).
    recheck: tokio::sync::Notify,
    /// Wakes the noise task when the pause or the quiet hours change.
    noise_changed: tokio::sync::Notify,
    /// Calendars newly listed that the person chose to watch automatically.
    to_watch: mpsc::UnboundedSender<CalendarKey>,
    /// One calendar-list listing at a time (they share each account's list sync token).
    list_sync: tokio::sync::Mutex<()>,
    /// One calendar-list channel opened at a time (else two for one account).
    list_watch: tokio::sync::Mutex<()>,
    /// Calendar-list work started and not finished (see [`Engine::calendar_lists_settled`]).
    list_work: calendar_list::ListWork,
    /// Stops every background task.
    cancel: CancellationToken,
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
            EngineError::Store(crate::error::Sentence::of(
                "error-data-folder",
                vec![
                    ("path", config.data_dir.display().to_string().into()),
                    ("reason", e.to_string().into()),
                ],
            ))
        })?;
        // Toasts of the changes a previous run left unshown already speak the chosen language.
        crate::locale::set_current(config.locale());
        let store = Store::open(&config.database_path())?.with_clock(Arc::clone(&options.clock));
        prune_old_history(&store, options.clock.now_ms());
        let (events, _) = broadcast::channel(256);
        let cancel = CancellationToken::new();
        let settings = config.settings.clone();
        let client = Clients::new();
        let outbox = Arc::new(Outbox::new(
            store.clone(),
            deps.notifier,
            noise::noise_settings(&settings),
            Grouping {
                summary_threshold: settings.summary_threshold,
                // A catch-up's findings are gathered as a burst of notifications is.
                gather_quiet: settings.timings.coalesce_window,
            },
            events.clone(),
            Arc::clone(&options.clock),
            options.time_zone,
        ));
        let (gone_tx, gone_rx) = mpsc::unbounded_channel();
        let syncer = Arc::new(
            Syncer::new(
                store.clone(),
                client.clone(),
                Arc::clone(&options.clock),
                Arc::clone(&outbox),
                report(&events),
            )
            .with_gone(gone_tx),
        );
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
            report(&events),
            gaps_tx,
        );
        // Push health is unknown until the first probe: the workers start on push.
        let (timings, _) = watch::channel(worker_timings(&config, false));
        let site_verification = SiteVerification::new(
            settings.site_verification_file.as_deref().and_then(|name| {
                crate::receiver::site_verification::check_file_name(name)
                    .map_err(|why| tracing::warn!(%why, "site_verification_file in settings.json is not served"))
                    .ok()
            }),
        );
        let (deliveries, deliveries_rx) = mpsc::unbounded_channel();
        let (to_watch, to_watch_rx) = mpsc::unbounded_channel();
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
            sessions: RwLock::new(HashMap::new()),
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
            site_verification,
            health: Mutex::new(health::Health::default()),
            recheck: tokio::sync::Notify::new(),
            noise_changed: tokio::sync::Notify::new(),
            to_watch,
            list_sync: tokio::sync::Mutex::new(()),
            list_watch: tokio::sync::Mutex::new(()),
            list_work: calendar_list::ListWork::default(),
            cancel: cancel.clone(),
        });
        let engine = Engine {
            inner: Arc::clone(&inner),
            _last: Arc::new(cancel.clone().drop_guard()),
        };
        tokio::spawn(dispatch::dispatch(Arc::clone(&inner), deliveries_rx));
        tokio::spawn(dispatch::fill_gaps(Arc::clone(&inner), gaps_rx));
        tokio::spawn(dispatch::let_go(Arc::clone(&inner), gone_rx));
        tokio::spawn(dispatch::watch_new(Arc::clone(&inner), to_watch_rx));
        inner.restore_sessions().await;
        // What a previous run recorded but never showed goes first, before anything new.
        inner.outbox.deliver_undelivered().await;
        // The receiver must know the channels before it listens, or Google's first
        // deliveries after a restart would be refused as unknown.
        inner.channels.rearm()?;
        inner.channels.rearm_lists()?;
        inner.start_workers()?;
        inner.bind_receiver(settings.receiver_addr).await;
        inner.catch_up_all();
        // A calendar shared while CalWatch was not running is found by the list's
        // incremental listing; an account whose list is not watched yet gets its channel.
        inner.follow_calendar_lists();
        tokio::spawn(health::watch_health(Arc::clone(&inner)));
        tokio::spawn(noise::follow_holds(Arc::clone(&inner)));
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
        self.inner.import_client_secret(path).await
    }

    /// Signs in through the system browser (`opener` opens the URL), names the account by
    /// its primary calendar, keeps the tokens in the token store.
    pub async fn sign_in(&self, opener: Arc<auth::Opener>) -> Result<(), EngineError> {
        self.inner.sign_in(opener).await
    }

    /// Cancels a sign-in in progress (its listener closes).
    pub fn cancel_sign_in(&self) {
        self.inner.cancel_sign_in()
    }

    /// Signs every account out: stops their channels, revokes the grants (best effort),
    /// deletes the keyring entries. The change history is kept.
    pub async fn sign_out(&self) -> Result<(), EngineError> {
        self.inner.sign_out(false).await
    }

    /// [`Engine::sign_out`], also deleting the change history when asked (the window's
    /// "Also delete this account's history").
    pub async fn sign_out_with(&self, delete_history: bool) -> Result<(), EngineError> {
        self.inner.sign_out(delete_history).await
    }

    /// Signs one account out: its channels are stopped with its own tokens, its grant
    /// revoked (best effort), its keyring entry deleted, its calendars forgotten (and its
    /// history, when asked). The other accounts go on as before.
    pub async fn sign_out_account(
        &self,
        account: &str,
        delete_history: bool,
    ) -> Result<(), EngineError> {
        self.inner.sign_out_one(account, delete_history).await
    }

    /// Deletes every change already shown (Settings → "Clear history"); returns how many.
    pub fn clear_history(&self) -> Result<usize, EngineError> {
        Ok(self.inner.store.clear_history()?)
    }

    /// Sets the public callback URL Google delivers to (https unless allowed otherwise).
    /// A bare address (what a tunnel reports) gets the receiver's callback path. Every
    /// live channel pointing elsewhere moves to the new address — a new channel first,
    /// then the old one stopped — and the address is probed again, now and after the move.
    pub async fn set_callback_url(&self, url: &str) -> Result<(), EngineError> {
        self.inner.set_callback_url(url).await
    }

    /// Probes the public address again now (the network changed, the tunnel restarted)
    /// and returns the verdict; push health in the state follows it.
    pub async fn recheck_push(&self) -> PushHealth {
        self.inner.check_push().await
    }

    /// Push health: up, down (and why, and how often Google is checked meanwhile), or
    /// unknown; each live channel's last genuine delivery.
    pub fn push_health(&self) -> PushHealth {
        self.inner.push_health()
    }

    /// Probes the public callback URL end to end and says which step failed.
    pub async fn check_callback(&self) -> Result<ProbeReport, EngineError> {
        self.inner.check_callback().await
    }

    /// The calendars as last listed, from the store: what every display reads. Never
    /// asks Google (an account with no calendar would otherwise ask on every tick).
    pub fn calendars(&self) -> Result<Vec<CalendarRecord>, EngineError> {
        Ok(self.inner.store.calendars()?)
    }

    /// Why each gone calendar left, in a sentence for its row.
    pub fn gone_reasons(&self) -> Result<HashMap<CalendarKey, String>, EngineError> {
        Ok(self
            .inner
            .store
            .gone_reasons()?
            .into_iter()
            .map(|g| (g.key, g.reason))
            .collect())
    }

    /// Reads the account's calendar list from Google, stores it and returns it: the
    /// window's explicit list and refresh.
    pub async fn refresh_calendars(&self) -> Result<Vec<CalendarRecord>, EngineError> {
        self.inner.refresh_calendars().await?;
        self.calendars()
    }

    /// Waits until the calendar-list work started before now is done: watching a list
    /// (at start, sign-in, a new callback URL) and the listing each one starts. A listing
    /// asked for after this (`sync_calendar_list`) is then the only one running.
    pub async fn calendar_lists_settled(&self) {
        self.inner.list_work.settled().await;
    }

    /// Lists what changed in `account`'s calendar list since last time and waits for it
    /// (what a notification on its list channel starts): new calendars appear and are
    /// offered, gone ones are let go.
    pub async fn sync_calendar_list(&self, account: &str) -> Result<(), EngineError> {
        self.inner
            .list_calendars(account, calendar_list::Listing::Changes)
            .await
    }

    /// Watches a calendar: a push channel, then the silent baseline sync. Returns the
    /// channel; watching a calendar already watched returns its live channel.
    pub async fn watch(&self, calendar: &CalendarKey) -> Result<ChannelRecord, EngineError> {
        self.inner.watch(calendar).await
    }

    /// Stops watching: its channels are stopped, its sync state and snapshot forgotten.
    pub async fn unwatch(&self, calendar: &CalendarKey) -> Result<(), EngineError> {
        self.inner.unwatch(calendar).await
    }

    /// The live channels (not stopped), oldest first.
    pub fn channels(&self) -> Result<Vec<ChannelRecord>, EngineError> {
        self.inner.live_channels()
    }

    /// Every account's live calendar-list channels (`calendarList.watch`).
    pub fn list_channels(&self) -> Result<Vec<ListChannelRecord>, EngineError> {
        self.inner.live_list_channels()
    }

    /// Replaces a calendar-list channel now; returns the new one.
    pub async fn renew_list_channel(
        &self,
        channel_id: &str,
    ) -> Result<ListChannelRecord, EngineError> {
        self.inner.renew_list(channel_id).await
    }

    /// Replaces a channel now; returns the new one.
    pub async fn renew(&self, channel_id: &str) -> Result<ChannelRecord, EngineError> {
        self.inner.renew(channel_id).await
    }

    /// Stops a channel (and the replacement a renewal of it is creating); stopping a
    /// calendar's last channel stops watching it.
    pub async fn stop_channel(&self, channel_id: &str) -> Result<(), EngineError> {
        self.inner.stop_channel(channel_id).await
    }

    /// The latest recorded changes, newest first.
    pub fn recent_changes(&self, limit: usize) -> Result<Vec<StoredChange>, EngineError> {
        Ok(self.inner.store.recent_changes(limit)?)
    }

    /// Changes settings from the window and saves them.
    pub async fn update_settings(&self, patch: SettingsPatch) -> Result<(), EngineError> {
        self.inner.update_settings(patch).await
    }

    /// Pauses notifications for an hour, until tomorrow morning, or until resumed; what a
    /// pause with an end holds back is told in one digest when it ends.
    pub fn pause(&self, length: PauseFor) -> Result<(), EngineError> {
        self.inner.pause(length)
    }

    /// Ends a pause now (the digest follows, for a pause that had an end).
    pub fn resume(&self) -> Result<(), EngineError> {
        self.inner.resume()
    }

    /// A calendar's noise rules (the defaults when none were set).
    pub fn calendar_rules(&self, calendar: &CalendarKey) -> Result<CalendarRules, EngineError> {
        Ok(self.inner.store.calendar_rules(calendar)?)
    }

    /// Every calendar's rules that differ from the defaults, by calendar.
    pub fn all_calendar_rules(&self) -> Result<HashMap<CalendarKey, CalendarRules>, EngineError> {
        Ok(self.inner.store.all_calendar_rules()?)
    }

    /// Sets a calendar's noise rules (mute, kinds, within N days); the window hears
    /// `Calendars`.
    pub fn set_calendar_rules(
        &self,
        calendar: &CalendarKey,
        rules: CalendarRules,
    ) -> Result<(), EngineError> {
        self.inner.set_calendar_rules(calendar, rules)
    }

    /// The machine woke up or the network came back: re-read the clock for every renewal
    /// and catch every watched calendar up now, also one whose failing sync would only be
    /// retried minutes from now.
    pub async fn resumed(&self) {
        self.inner.channels.rearm_timers();
        self.inner.catch_up_all();
        self.inner.follow_calendar_lists();
        // The tunnel may not have survived the sleep or the network change.
        self.inner.recheck.notify_one();
        // A pause or quiet hours may have ended while asleep: the digest comes now.
        self.inner.noise_changed.notify_one();
    }

    /// Stops every background task and the receiver, and waits for them.
    pub async fn shutdown(&self) {
        let inner = &self.inner;
        inner.cancel.cancel();
        inner.outbox.close();
        inner.stop_receiver().await;
        let workers: Vec<Arc<CalendarWorker>> =
            lock(&inner.workers).drain().map(|(_, w)| w).collect();
        for worker in workers {
            worker.stop().await;
        }
    }

    /// Waits until the sync of `calendar` that starts next has finished (tests and
    /// benches wait on it); returns how many changes it recorded.
    pub async fn sync_now(&self, calendar: &CalendarKey) -> Result<usize, EngineError> {
        self.inner.sync_now(calendar).await
    }
}

/// A failure a background task reports, worded for the window and broadcast.
fn report<E: Into<EngineError>>(events: &broadcast::Sender<EngineEvent>) -> Report<E> {
    let events = events.clone();
    Arc::new(move |e: E| {
        let _ = events.send(EngineEvent::Error(e.into()));
    })
}

impl Inner {
    fn emit(&self, event: EngineEvent) {
        let _ = self.events.send(event);
    }
}

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

//! Watch, renew, stop and re-arm push channels.

mod calendar_list;
mod renewal;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use base64::Engine as _;
use rand::RngCore;
use tokio::sync::{broadcast, mpsc, Notify};
use tokio_util::sync::CancellationToken;

use super::timing::expiring_soon;
use crate::clock::Clock;
use crate::event::{EngineEvent, Report};
use crate::google::{Clients, GoogleError, NotSignedIn, WatchRequest};
use crate::poison::{lock, read, write};
use crate::receiver::{ChannelRegistry, RegisteredChannel};
use crate::secrets::Sensitive;
use crate::store::{CalendarKey, ChannelRecord, ChannelState, Store, StoreError};

/// Random bytes in a channel token (URL-safe base64 without padding: 43 characters).
const TOKEN_BYTES: usize = 32;

/// What a channel is created with; changed by the settings.
#[derive(Debug, Clone)]
pub struct ChannelSettings {
    /// The public https URL Google delivers to (unset until the user enters it).
    pub callback_url: Option<String>,
    /// Asked-for channel life (Google may shorten it).
    pub ttl: Duration,
    /// Renew at this fraction of the channel's life…
    pub renew_at_fraction: f64,
    /// …and never later than this before it expires.
    pub renew_min_lead: Duration,
}

/// Why a channel operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ChannelError {
    /// No callback URL is configured.
    #[error("set the public callback URL before watching a calendar")]
    NoCallback,
    /// No account is signed in.
    #[error("sign in with Google first")]
    NotSignedIn,
    /// Google refused (callback rejected, rate limit…) or could not be reached.
    #[error(transparent)]
    Google(#[from] GoogleError),
    /// No such channel, or it is already stopped.
    #[error("there is no active channel {0}")]
    NotFound(String),
    /// The channel is being replaced already.
    #[error("channel {0} is being renewed already")]
    Renewing(String),
    /// The local database failed.
    #[error("the local database failed: {0}")]
    Store(String),
}

impl From<StoreError> for ChannelError {
    fn from(e: StoreError) -> Self {
        ChannelError::Store(e.to_string())
    }
}

impl From<NotSignedIn> for ChannelError {
    fn from(_: NotSignedIn) -> Self {
        ChannelError::NotSignedIn
    }
}

/// What the channel lifecycle leaves to the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followup {
    /// Nothing watched the calendar for a while (its channel expired before it could be
    /// replaced): catch it up.
    CatchUp(CalendarKey),
    /// Nothing watched the account's calendar list for a while: list what changed.
    CatchUpList(String),
    /// Google answered 404 to watching the calendar: the account cannot see it any more.
    Gone(CalendarKey),
}

/// The channel lifecycle; cheap to clone.
#[derive(Clone)]
pub struct Channels {
    /// Shared with the renewal timers.
    inner: Arc<Inner>,
}

struct Inner {
    /// Channel rows: the source of truth across restarts.
    store: Store,
    /// Who to ask Google as.
    client: Clients,
    /// The receiver's view of live channels (token, resource id, last message number).
    registry: ChannelRegistry,
    /// Wall-clock "now" for comparing stored expirations.
    clock: Arc<dyn Clock>,
    /// Callback URL, ttl and renewal timing.
    settings: RwLock<ChannelSettings>,
    /// Channel id → woken by its `sync` message (the proof the new channel delivers).
    confirmations: Mutex<HashMap<String, Arc<Notify>>>,
    /// Channel id → its renewal timer.
    timers: Mutex<HashMap<String, CancellationToken>>,
    /// Channels being replaced right now, each with the id its replacement gets: a second
    /// replacement of the same channel would leave two live channels for one calendar, and
    /// stopping the channel must stop its replacement too.
    replacing: Mutex<HashMap<String, Option<String>>>,
    /// Stops every timer at shutdown.
    cancel: CancellationToken,
    /// Tells the window that channels changed.
    events: broadcast::Sender<EngineEvent>,
    /// Where a failed renewal is reported (the engine words it).
    report: Report<ChannelError>,
    /// Calendars (and calendar lists) that went unwatched for a while, and calendars
    /// Google says are gone: the engine catches them up or lets them go.
    gaps: mpsc::UnboundedSender<Followup>,
}

impl Channels {
    /// The lifecycle over these parts; timers stop when `cancel` is cancelled.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: Store,
        client: Clients,
        registry: ChannelRegistry,
        clock: Arc<dyn Clock>,
        settings: ChannelSettings,
        cancel: CancellationToken,
        events: broadcast::Sender<EngineEvent>,
        report: Report<ChannelError>,
        gaps: mpsc::UnboundedSender<Followup>,
    ) -> Self {
        Channels {
            inner: Arc::new(Inner {
                store,
                client,
                registry,
                clock,
                settings: RwLock::new(settings),
                confirmations: Mutex::new(HashMap::new()),
                timers: Mutex::new(HashMap::new()),
                replacing: Mutex::new(HashMap::new()),
                cancel,
                events,
                report,
                gaps,
            }),
        }
    }

    /// The settings new channels are made with.
    pub fn settings(&self) -> ChannelSettings {
        read(&self.inner.settings).clone()
    }

    /// Replaces the settings (existing channels keep their address until renewed).
    pub fn set_settings(&self, settings: ChannelSettings) {
        *write(&self.inner.settings) = settings;
    }

    /// Creates a channel for `calendar` with its account's tokens and arms its renewal.
    ///
    /// The row is stored and the receiver told about it *before* `events.watch` is called,
    /// because Google's `sync` message can arrive before the watch response.
    pub async fn open(&self, calendar: &CalendarKey) -> Result<ChannelRecord, ChannelError> {
        self.open_as(calendar, uuid::Uuid::new_v4().to_string())
            .await
    }

    /// [`Channels::open`] with the channel id chosen by the caller.
    async fn open_as(
        &self,
        calendar: &CalendarKey,
        id: String,
    ) -> Result<ChannelRecord, ChannelError> {
        let settings = self.settings();
        let address = settings.callback_url.ok_or(ChannelError::NoCallback)?;
        // Signed in, before anything is stored.
        self.inner.client.get(&calendar.account)?;
        let now = self.inner.clock.now_ms();
        let mut record = ChannelRecord {
            id,
            account: calendar.account.clone(),
            calendar_id: calendar.calendar_id.clone(),
            resource_id: None,
            token: Sensitive::new(new_token()),
            address,
            expiration_ms: now + settings.ttl.as_millis() as i64,
            state: ChannelState::Pending,
            last_message_number: 0,
            created_ms: now,
            error: None,
        };
        self.inner.store.insert_channel(&record)?;
        let (resource_id, expiration_ms) = self
            .watch_at_google(
                Watched::Events(calendar),
                (&record.id, &record.token, &record.address),
                settings.ttl,
            )
            .await?;
        record.resource_id = Some(resource_id);
        record.expiration_ms = expiration_ms;
        record.state = ChannelState::Active;
        self.arm(&record);
        self.changed();
        Ok(record)
    }

    /// Replaces `channel_id` with a new channel now (the "Renew now" button).
    pub async fn renew(&self, channel_id: &str) -> Result<ChannelRecord, ChannelError> {
        let old = self.live(channel_id)?;
        let replacing = self
            .claim(channel_id)
            .ok_or_else(|| ChannelError::Renewing(channel_id.to_string()))?;
        self.disarm(channel_id);
        match self.replace(&old, false, replacing).await {
            Ok(new) => Ok(new),
            Err(e) => {
                // Keep the old channel's renewal going; it is still the one delivering,
                // and shown as it was rather than as renewing.
                if let Ok(current) = self.live(channel_id) {
                    self.set_state(&old.id, old.state, old.error.clone());
                    self.arm(&current);
                }
                Err(e)
            }
        }
    }

    /// Stops a channel: `channels.stop` at Google (404 = already stopped) and forgotten
    /// here. If Google cannot be told, the next start tries again.
    pub async fn stop(&self, channel_id: &str) -> Result<(), ChannelError> {
        let record = self.live(channel_id)?;
        self.disarm(channel_id);
        // From now on its deliveries are refused.
        self.inner.registry.remove(channel_id);
        lock(&self.inner.confirmations).remove(channel_id);
        if record.resource_id.is_none() {
            // Google has not answered its watch yet, so it cannot be told; `open` stops it
            // when the answer comes and finds the row gone.
            self.inner.store.delete_channel(channel_id)?;
            self.changed();
            return Ok(());
        }
        // Marked stopped (no longer shown) but kept until Google confirmed: a run that
        // ends before that stops it at its next start instead of leaving it live there.
        self.inner
            .store
            .update_channel_state(channel_id, ChannelState::Stopped, None)?;
        self.changed();
        self.tell_google_stopped(&record).await;
        Ok(())
    }

    /// `channels.stop` at Google for channel `id` of `account`, a calendar's or a calendar
    /// list's. An expired one answers 404, which counts as stopped too.
    async fn stop_at_google(
        &self,
        id: &str,
        account: &str,
        resource_id: Option<&str>,
    ) -> Result<(), ChannelError> {
        // Never answered by Google: there is nothing it could be told.
        let Some(resource_id) = resource_id else {
            return Ok(());
        };
        // Only the account that created a channel may stop it: its own tokens.
        let client = self.inner.client.get(account)?;
        client
            .stop(id, resource_id)
            .await
            .map_err(ChannelError::from)
    }

    /// `channels.stop` for a channel marked stopped; its row goes once Google confirmed.
    async fn tell_google_stopped(&self, record: &ChannelRecord) {
        let told = self
            .stop_at_google(&record.id, &record.account, record.resource_id.as_deref())
            .await;
        match told {
            Ok(()) => {
                if let Err(e) = self.inner.store.delete_channel(&record.id) {
                    tracing::warn!(channel = %record.id, error = %e, "could not forget a stopped channel");
                }
            }
            Err(e) => {
                tracing::warn!(channel = %record.id, error = %e, "Google could not be told to stop a channel; trying again at the next start");
            }
        }
    }

    /// Stops a channel the user stopped, and the replacement a renewal of it is creating:
    /// the renewal is abandoned, or its new channel would go on watching the calendar.
    pub async fn stop_with_replacement(&self, channel_id: &str) -> Result<(), ChannelError> {
        let replacement = self.replacement_of(channel_id);
        self.stop(channel_id).await?;
        if let Some(replacement) = replacement {
            match self.stop(&replacement).await {
                // Not stored yet or already gone: the renewal stops it itself.
                Ok(()) | Err(ChannelError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The id of the channel a renewal of `channel_id` is creating right now, if any.
    pub fn replacement_of(&self, channel_id: &str) -> Option<String> {
        lock(&self.inner.replacing)
            .get(channel_id)
            .cloned()
            .flatten()
    }

    /// Stops every live channel of `calendar`.
    pub async fn stop_calendar(&self, calendar: &CalendarKey) -> Result<(), ChannelError> {
        for record in self.inner.store.channels()? {
            if record.calendar() == *calendar && record.state.is_live() {
                match self.stop(&record.id).await {
                    // Stopped meanwhile by another unwatch (Google's `not_exists` and the
                    // user's click at once): gone is what was asked for.
                    Ok(()) | Err(ChannelError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// After a restart: tells the receiver about every live channel (with its last message
    /// number, so replays stay duplicates) and arms its renewal. A channel that expired
    /// while the app was off is replaced at once by its timer. A channel stopped without
    /// Google confirming it (the app quit meanwhile, or Google could not be reached) is
    /// stopped there again, and so are the channels a Watch or a renewal the app died in
    /// left behind.
    pub fn rearm(&self) -> Result<(), ChannelError> {
        self.settle_interrupted_watches()?;
        self.settle_interrupted_renewals()?;
        for record in self.inner.store.channels()? {
            if !record.state.is_live() {
                let this = self.clone();
                tokio::spawn(async move { this.tell_google_stopped(&record).await });
                continue;
            }
            let mut registered =
                RegisteredChannel::new(record.calendar_id.clone(), record.token.clone());
            registered.resource_id = record.resource_id.clone();
            registered.last_message_number = record.last_message_number;
            self.inner.registry.insert(record.id.clone(), registered);
            self.arm(&record);
        }
        Ok(())
    }

    /// A run that died during a renewal left the old channel `renewing` beside its new one,
    /// both perhaps live at Google; armed as they are, the old one's timer would renew it
    /// again and leave two channels on the calendar for good. One of them is kept, the
    /// other marked stopped, so [`Channels::rearm`] stops it at Google and forgets it:
    /// - the new one was confirmed (its `sync` message arrived): only the old one's stop
    ///   was missing, so the old one goes;
    /// - otherwise the new one never showed it delivers, and its `sync` message went with
    ///   the dead run: it goes, and the old one, still renewing, is renewed again at once.
    fn settle_interrupted_renewals(&self) -> Result<(), ChannelError> {
        for renewing in self.inner.store.channels()? {
            // Read afresh: an earlier round may have settled this calendar already.
            let channels: Vec<ChannelRecord> = self
                .inner
                .store
                .channels_for_calendar(&renewing.calendar())?
                .into_iter()
                .filter(|c| c.state.is_live())
                .collect();
            if !channels
                .iter()
                .any(|c| c.id == renewing.id && c.state == ChannelState::Renewing)
            {
                continue;
            }
            let (old, others): (Vec<_>, Vec<_>) =
                channels.into_iter().partition(|c| c.id == renewing.id);
            let confirmed = others
                .iter()
                .any(|c| c.resource_id.is_some() && c.last_message_number > 0);
            for record in if confirmed { old } else { others } {
                tracing::info!(channel = %record.id, "stopping the unneeded half of a renewal a previous run left");
                self.mark_leftover_stopped(&record)?;
            }
        }
        Ok(())
    }

    /// A run that died inside Watch, after the channel was stored but before the calendar
    /// was marked watched, left a channel nothing reads: renewed for ever, and a second
    /// Watch would take it for the calendar's channel and never mark the calendar watched.
    /// Marked stopped, so [`Channels::rearm`] stops it at Google and forgets it.
    fn settle_interrupted_watches(&self) -> Result<(), ChannelError> {
        for record in self.inner.store.channels()? {
            if !record.state.is_live() {
                continue;
            }
            let watched = self
                .inner
                .store
                .calendar(&record.calendar())?
                .is_some_and(|c| c.watched);
            if !watched {
                tracing::info!(channel = %record.id, "stopping a channel of a calendar that is not watched");
                self.mark_leftover_stopped(&record)?;
            }
        }
        Ok(())
    }

    /// Marks a channel a previous run left behind as stopped, with the resource id Google
    /// needs to be told if one is known.
    fn mark_leftover_stopped(&self, record: &ChannelRecord) -> Result<(), ChannelError> {
        if record.resource_id.is_none() {
            // Google never answered its watch; every channel on a calendar watches the
            // same resource, so it can be told with another one's.
            if let Some(resource_id) = self.watched_resource(record) {
                self.inner.store.record_watch_response(
                    &record.id,
                    &resource_id,
                    record.expiration_ms,
                )?;
            }
        }
        self.inner
            .store
            .update_channel_state(&record.id, ChannelState::Stopped, None)?;
        Ok(())
    }

    /// Re-reads the wall clock for every timer (after the machine woke up).
    pub fn rearm_timers(&self) {
        let ids: Vec<String> = lock(&self.inner.timers).keys().cloned().collect();
        for id in ids {
            // A replacement in flight goes on by itself; a second one would leave two
            // channels.
            if lock(&self.inner.replacing).contains_key(&id) {
                continue;
            }
            if let Ok(record) = self.live(&id) {
                self.arm(&record);
            } else if let Ok(record) = self.live_list(&id) {
                self.arm_list(&record);
            }
        }
    }

    /// Google's `sync` message arrived on `channel_id`: the channel works.
    pub fn confirmed(&self, channel_id: &str, resource_id: &str) {
        if let Some(waiter) = lock(&self.inner.confirmations).remove(channel_id) {
            waiter.notify_one();
        }
        self.inner.registry.set_resource_id(channel_id, resource_id);
        match self.inner.store.channel(channel_id) {
            Ok(Some(record)) if record.state == ChannelState::Pending => {
                if let Err(e) =
                    self.inner
                        .store
                        .update_channel_state(&record.id, ChannelState::Active, None)
                {
                    tracing::warn!(error = %e, "could not record a confirmed channel");
                }
                self.changed();
            }
            Ok(Some(_)) => {}
            Ok(None) => self.list_confirmed(channel_id),
            Err(e) => tracing::warn!(error = %e, "could not read a confirmed channel"),
        }
    }

    /// How a channel whose renewal did not go through is shown: expired or expiring soon
    /// by its clock, `otherwise` before that.
    fn state_by_expiry(
        &self,
        channel: &ChannelRecord,
        settings: &ChannelSettings,
        otherwise: ChannelState,
    ) -> ChannelState {
        let now = self.inner.clock.now_ms();
        if now >= channel.expiration_ms {
            ChannelState::Expired
        } else if expiring_soon(now, channel.expiration_ms, settings.renew_min_lead) {
            ChannelState::ExpiringSoon
        } else {
            otherwise
        }
    }

    /// The live (not stopped) channel `channel_id`.
    fn live(&self, channel_id: &str) -> Result<ChannelRecord, ChannelError> {
        self.inner
            .store
            .channel(channel_id)?
            .filter(|r| r.state.is_live())
            .ok_or_else(|| ChannelError::NotFound(channel_id.to_string()))
    }

    /// The steps every new channel takes once its row is stored, whatever it watches:
    /// the receiver learns it first (Google's `sync` message can beat the watch answer),
    /// then Google is asked, and its answer (resource id, real expiry) is recorded and the
    /// row made active. Refused: the channel is forgotten here, as Google never made it.
    /// Stopped while Google was making it (unwatched, signed out): stopped there too.
    async fn watch_at_google(
        &self,
        watched: Watched<'_>,
        (id, token, address): (&str, &Sensitive<String>, &str),
        ttl: Duration,
    ) -> Result<(String, i64), ChannelError> {
        let store = &self.inner.store;
        let client = self.inner.client.get(watched.account())?;
        lock(&self.inner.confirmations).insert(id.to_string(), Arc::new(Notify::new()));
        self.inner.registry.insert(
            id.to_string(),
            RegisteredChannel::new(watched.resource(), token.clone()),
        );
        let request = WatchRequest {
            id: id.to_string(),
            address: address.to_string(),
            token: token.clone(),
            ttl,
        };
        let answer = match watched {
            Watched::Events(calendar) => client.watch(&calendar.calendar_id, &request).await,
            Watched::List(_) => client.calendar_list_watch(&request).await,
        };
        let channel = match answer {
            Ok(channel) => channel,
            Err(e) => {
                self.inner.registry.remove(id);
                lock(&self.inner.confirmations).remove(id);
                // Never created at Google: nothing to stop, nothing to show.
                match watched {
                    Watched::Events(_) => store.delete_channel(id)?,
                    Watched::List(_) => store.delete_list_channel(id)?,
                }
                return Err(e.into());
            }
        };
        self.inner
            .registry
            .set_resource_id(id, channel.resource_id.clone());
        let recorded = match watched {
            Watched::Events(_) => {
                store.record_watch_response(id, &channel.resource_id, channel.expiration_ms)
            }
            Watched::List(_) => {
                store.record_list_watch_response(id, &channel.resource_id, channel.expiration_ms)
            }
        };
        match recorded {
            Err(StoreError::UnknownChannel(_)) => {
                // Without this it would deliver into nothing until it expires.
                if let Err(e) = client.stop(id, &channel.resource_id).await {
                    tracing::warn!(channel = id, error = %e, "Google could not be told to stop a channel; it will expire on its own");
                }
                return Err(ChannelError::NotFound(id.to_string()));
            }
            result => result?,
        }
        match watched {
            Watched::Events(_) => store.update_channel_state(id, ChannelState::Active, None)?,
            Watched::List(_) => store.set_list_channel_state(id, ChannelState::Active)?,
        }
        Ok((channel.resource_id, channel.expiration_ms))
    }

    fn set_state(&self, channel_id: &str, state: ChannelState, error: Option<String>) {
        if let Err(e) = self
            .inner
            .store
            .update_channel_state(channel_id, state, error.as_deref())
        {
            tracing::warn!(channel = channel_id, error = %e, "could not record a channel state");
        }
        self.changed();
    }

    fn changed(&self) {
        let _ = self.inner.events.send(EngineEvent::Channels);
    }
}

/// What a channel watches: a calendar's events, or an account's calendar list.
#[derive(Clone, Copy)]
enum Watched<'a> {
    Events(&'a CalendarKey),
    List(&'a str),
}

impl Watched<'_> {
    /// The account whose tokens make and stop the channel.
    fn account(&self) -> &str {
        match self {
            Watched::Events(calendar) => &calendar.account,
            Watched::List(account) => account,
        }
    }

    /// What the receiver's registry names as the channel's resource.
    fn resource(&self) -> &str {
        match self {
            Watched::Events(calendar) => &calendar.calendar_id,
            Watched::List(_) => calendar_list::LIST_RESOURCE,
        }
    }
}

/// A fresh channel token: 32 random bytes, URL-safe base64.
fn new_token() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

//! Watching calendars: the calendar list, a channel and a sync worker per watched
//! calendar, and stopping both again.

use std::sync::Arc;

use super::calendar_list::{display_name, Leaving, Listing};
use super::{lock, read, EngineError, EngineEvent, Inner};
use crate::channels::ChannelError;
use crate::error::Sentence;
use crate::google::GoogleError;
use crate::store::{CalendarKey, ChannelRecord, ListChannelRecord};
use crate::sync::{CalendarWorker, SyncError};

impl Inner {
    /// Replaces a channel now; returns the new one.
    pub(super) async fn renew(&self, channel_id: &str) -> Result<ChannelRecord, EngineError> {
        let new = self.channels.renew(channel_id).await?;
        self.emit(EngineEvent::State);
        Ok(new)
    }

    /// Stops a channel (and the replacement a renewal of it is creating); stopping a
    /// calendar's last channel stops watching it.
    pub(super) async fn stop_channel(&self, channel_id: &str) -> Result<(), EngineError> {
        let inner = self;
        let record = inner
            .store
            .channel(channel_id)?
            .filter(|c| c.state.is_live())
            .ok_or_else(|| {
                EngineError::NotFound(Sentence::of(
                    "error-no-channel",
                    vec![("id", channel_id.into())],
                ))
            })?;
        let replacement = inner.channels.replacement_of(channel_id);
        let others = inner.live_channels()?.into_iter().any(|c| {
            c.calendar() == record.calendar()
                && c.id != channel_id
                && Some(&c.id) != replacement.as_ref()
        });
        if others {
            inner.channels.stop_with_replacement(channel_id).await?;
        } else {
            // The last one: this is an unwatch, done in its order (see `Inner::unwatch`).
            inner.unwatch(&record.calendar()).await?;
        }
        inner.emit(EngineEvent::State);
        Ok(())
    }

    /// Reads every signed-in account's calendar list; the first failure is returned after
    /// the others were read.
    pub(super) async fn refresh_calendars(self: &Arc<Self>) -> Result<(), EngineError> {
        let accounts: Vec<String> = read(&self.sessions).keys().cloned().collect();
        if accounts.is_empty() {
            return Err(EngineError::NeedsSignIn);
        }
        let mut first_error = None;
        for account in accounts {
            if let Err(e) = self.refresh_calendars_of(&account).await {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Reads `account`'s calendar list in full and stores it; calendars no longer listed
    /// are gone (see [`Inner::list_calendars`]).
    pub(super) async fn refresh_calendars_of(
        self: &Arc<Self>,
        account: &str,
    ) -> Result<(), EngineError> {
        self.list_calendars(account, Listing::Full).await
    }

    pub(super) async fn watch(
        self: &Arc<Self>,
        calendar: &CalendarKey,
    ) -> Result<ChannelRecord, EngineError> {
        let calendar_id = calendar.calendar_id.as_str();
        if let Some(live) = self
            .live_channels()?
            .into_iter()
            .find(|c| c.calendar() == *calendar)
        {
            return Ok(live);
        }
        let Some(callback) = self.channels.settings().callback_url else {
            return Err(EngineError::NoCallback);
        };
        // A URL from the environment was never checked by set_callback_url.
        read(&self.config).validate_callback_url(&callback)?;
        if self.store.calendar(calendar)?.is_none() {
            self.refresh_calendars_of(&calendar.account).await?;
            if self.store.calendar(calendar)?.is_none() {
                return Err(EngineError::NotFound(Sentence::of(
                    "error-calendar-not-listed",
                    vec![
                        ("calendar", calendar_id.into()),
                        ("account", calendar.account.as_str().into()),
                    ],
                )));
            }
        }
        let record = match self.channels.open(calendar).await {
            Ok(record) => record,
            Err(ChannelError::Google(GoogleError::NotFound)) => {
                // Google no longer lets this account see the calendar: its row says so,
                // as after an events.list 404, and the person is told why in words.
                let name = self
                    .store
                    .calendar(calendar)?
                    .map_or_else(|| calendar_id.to_string(), |c| display_name(&c));
                let gone = Leaving::NoLongerShared.sentence(&name, &calendar.account, false);
                self.store
                    .mark_gone_because(calendar, Some(&gone.in_(&crate::locale::current())))?;
                self.emit(EngineEvent::Calendars);
                return Err(EngineError::NotFound(gone));
            }
            Err(e) => return Err(e.into()),
        };
        self.store.set_watched(calendar, true)?;
        let worker = self.worker(calendar);
        // The baseline: a full list recorded silently (or, re-watching with a kept sync
        // token, an ordinary incremental sync).
        match worker.sync_now().await {
            Ok(_) => {}
            // Unwatched (or quitting) meanwhile: nothing went wrong.
            Err(SyncError::Stopped) => {}
            Err(e) => {
                tracing::warn!(calendar = %crate::account::log_label(calendar_id), error = %e, "baseline sync failed; the worker retries");
                self.emit(EngineEvent::Error(e.into()));
            }
        }
        self.emit(EngineEvent::Calendars);
        self.emit(EngineEvent::State);
        Ok(record)
    }

    pub(super) async fn unwatch(&self, calendar: &CalendarKey) -> Result<(), EngineError> {
        // In this order, so that a run killed half-way leaves what start-up finishes: no
        // sync any more, then the calendar marked unwatched, then its channels stopped (a
        // live channel of an unwatched calendar is stopped at the next start). Stopping
        // the channels first would leave, after a kill, a calendar marked watched with no
        // channel: silently without notifications.
        let worker = lock(&self.workers).remove(calendar);
        if let Some(worker) = worker {
            worker.stop().await;
        }
        // Unwatching also forgets the sync state and snapshot: a later watch starts
        // with a fresh, silent baseline.
        self.store.set_watched(calendar, false)?;
        self.channels.stop_calendar(calendar).await?;
        self.emit(EngineEvent::Calendars);
        self.emit(EngineEvent::State);
        Ok(())
    }

    /// The live channels ([`crate::store::ChannelState::is_live`]).
    pub(super) fn live_channels(&self) -> Result<Vec<ChannelRecord>, EngineError> {
        Ok(self
            .store
            .channels()?
            .into_iter()
            .filter(|c| c.state.is_live())
            .collect())
    }

    /// Every account's live calendar-list channels.
    pub(super) fn live_list_channels(&self) -> Result<Vec<ListChannelRecord>, EngineError> {
        Ok(self
            .store
            .list_channels()?
            .into_iter()
            .filter(|c| c.state.is_live())
            .collect())
    }

    /// Replaces a calendar-list channel now.
    pub(super) async fn renew_list(
        &self,
        channel_id: &str,
    ) -> Result<ListChannelRecord, EngineError> {
        let new = self.channels.renew_list(channel_id).await?;
        self.emit(EngineEvent::State);
        Ok(new)
    }

    /// The worker of `calendar`, started if needed.
    pub(super) fn worker(&self, calendar: &CalendarKey) -> Arc<CalendarWorker> {
        let mut workers = lock(&self.workers);
        if let Some(worker) = workers.get(calendar) {
            return Arc::clone(worker);
        }
        let worker = Arc::new(CalendarWorker::spawn(
            calendar,
            Arc::clone(&self.syncer),
            self.timings.subscribe(),
            &self.cancel,
        ));
        workers.insert(calendar.clone(), Arc::clone(&worker));
        worker
    }

    pub(super) fn start_workers(&self) -> Result<(), EngineError> {
        for calendar in self.store.calendars()? {
            if calendar.watched {
                self.worker(&calendar.key());
            }
        }
        Ok(())
    }

    /// Syncs every watched calendar; what it finds is told as "while you were away".
    pub(super) fn catch_up_all(&self) {
        let workers: Vec<Arc<CalendarWorker>> = lock(&self.workers).values().cloned().collect();
        for worker in workers {
            worker.catch_up();
        }
    }

    /// [`Inner::catch_up_all`] for one account's calendars (it was just signed in again).
    pub(super) fn catch_up_account(&self, account: &str) {
        let workers: Vec<Arc<CalendarWorker>> = lock(&self.workers)
            .iter()
            .filter(|(key, _)| key.account == account)
            .map(|(_, worker)| Arc::clone(worker))
            .collect();
        for worker in workers {
            worker.catch_up();
        }
    }

    /// Waits until the sync of `calendar` that starts next has finished (tests and
    /// benches wait on it); returns how many changes it recorded.
    pub(super) async fn sync_now(&self, calendar: &CalendarKey) -> Result<usize, EngineError> {
        let worker = self.worker(calendar);
        Ok(worker.sync_now().await?.changes)
    }
}

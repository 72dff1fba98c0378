//! Watching calendars: the calendar list, a channel and a sync worker per watched
//! calendar, and stopping both again.

use std::sync::Arc;

use super::{lock, read, EngineError, EngineEvent, Inner};
use crate::store::{CalendarRecord, ChannelRecord};
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

    pub(super) async fn refresh_calendars(&self) -> Result<(), EngineError> {
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

    pub(super) async fn watch(
        self: &Arc<Self>,
        calendar_id: &str,
    ) -> Result<ChannelRecord, EngineError> {
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

    pub(super) async fn unwatch(&self, calendar_id: &str) -> Result<(), EngineError> {
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

    /// The live channels ([`crate::store::ChannelState::is_live`]).
    pub(super) fn live_channels(&self) -> Result<Vec<ChannelRecord>, EngineError> {
        Ok(self
            .store
            .channels()?
            .into_iter()
            .filter(|c| c.state.is_live())
            .collect())
    }

    /// The worker of `calendar_id`, started if needed.
    pub(super) fn worker(&self, calendar_id: &str) -> Arc<CalendarWorker> {
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

    pub(super) fn start_workers(&self) -> Result<(), EngineError> {
        for calendar in self.store.calendars()? {
            if calendar.watched {
                self.worker(&calendar.id);
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

    /// Waits until the sync of `calendar_id` that starts next has finished (tests and
    /// benches wait on it); returns how many changes it recorded.
    pub(super) async fn sync_now(&self, calendar_id: &str) -> Result<usize, EngineError> {
        let worker = self.worker(calendar_id);
        Ok(worker.sync_now().await?.changes)
    }
}

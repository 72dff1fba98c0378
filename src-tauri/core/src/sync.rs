//! Per-calendar sync: one worker per watched calendar coalesces notifications into
//! incremental `events.list` calls, classifies what came back against the stored snapshot,
//! commits snapshot, changes and sync token in one transaction, then hands the changes to
//! the notifier.
//!
//! # Layout
//! - [`classify`]: pure classification of Google's events against the snapshot.
//! - [`outbox`]: the step after the commit: notices to the notifier, marked delivered.
//! - [`worker`]: the per-calendar task: coalescing window, backstop timer, retries.

pub mod classify;
pub mod outbox;
pub mod worker;

use std::collections::HashMap;
use std::sync::Arc;

use crate::clock::Clock;
use crate::event::Report;
use crate::google::{ClientCell, GoogleError, NotSignedIn};
use crate::store::{EventSnapshot, Store, StoreError, SyncCommit};
use crate::trigger::Trigger;

pub use outbox::Outbox;
pub use worker::{CalendarWorker, WorkerTimings};

use classify::{CalendarRef, Classified};

/// Why a sync did not complete.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SyncError {
    /// No account is signed in, so there is no one to ask Google as.
    #[error("sign in with Google first")]
    NotSignedIn,
    /// Google refused or could not be reached.
    #[error(transparent)]
    Google(#[from] GoogleError),
    /// The local database failed.
    #[error("the local database failed: {0}")]
    Store(String),
    /// The worker was stopped (unwatching, sign-out, quitting) before the sync finished:
    /// nothing failed, and nothing is shown as an error.
    #[error("the sync was stopped before it finished")]
    Stopped,
}

impl From<NotSignedIn> for SyncError {
    fn from(_: NotSignedIn) -> Self {
        SyncError::NotSignedIn
    }
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        SyncError::Store(e.to_string())
    }
}

/// A calendar's snapshot: event id → the fields a person cares about.
pub type Snapshot = HashMap<String, EventSnapshot>;

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncOutcome {
    /// Changes recorded (and handed to the notifier unless paused).
    pub changes: usize,
    /// Whether a full list was fetched (first sync, or the sync token had expired).
    pub full: bool,
}

/// Runs one sync of one calendar, start to finish. Callers serialise syncs of the same
/// calendar (the worker does), so the snapshot read here is the one the commit replaces.
pub struct Syncer {
    /// Snapshots, sync tokens and the change history.
    store: Store,
    /// Who to ask Google as.
    client: ClientCell,
    /// Stamps full syncs.
    clock: Arc<dyn Clock>,
    /// Where committed changes go next.
    outbox: Arc<Outbox>,
    /// Where a worker reports a failed sync (once per failing streak).
    report: Report<SyncError>,
}

impl Syncer {
    /// A syncer over these parts.
    pub fn new(
        store: Store,
        client: ClientCell,
        clock: Arc<dyn Clock>,
        outbox: Arc<Outbox>,
        report: Report<SyncError>,
    ) -> Self {
        Syncer {
            store,
            client,
            clock,
            outbox,
            report,
        }
    }

    /// Tells the engine a sync failed.
    pub fn report(&self, error: SyncError) {
        (self.report)(error);
    }

    /// Syncs `calendar_id`: incremental when a sync token is stored, else a full list (the
    /// silent baseline when no snapshot exists yet). What `trigger` started it decides how
    /// the findings are told (a catch-up's as one "while you were away" summary).
    ///
    /// `cache` is the caller's copy of the calendar's snapshot: loaded from the store when
    /// `None`, kept equal to the store after each commit, dropped when a commit fails. The
    /// worker keeps it between syncs so an incremental sync does not re-read every event
    /// of a large calendar.
    pub async fn sync(
        &self,
        calendar_id: &str,
        trigger: Trigger,
        cache: &mut Option<Snapshot>,
    ) -> Result<SyncOutcome, SyncError> {
        let client = self.client.get()?;
        let token = self
            .store
            .sync_state(calendar_id)?
            .and_then(|s| s.sync_token);
        // A stored token means the snapshot is this calendar's state at that token, even
        // when it holds no event: a full list after a 410 is then diffed, never a baseline.
        let synced_before = token.is_some();
        let name = self.calendar_name(calendar_id);
        let calendar = CalendarRef {
            id: calendar_id,
            name: &name,
        };
        let delta = match token {
            Some(token) => match client.events_since(calendar_id, &token).await {
                Ok(delta) => Some(delta),
                Err(GoogleError::SyncTokenExpired) => {
                    tracing::info!(calendar = %crate::account::log_label(calendar_id), "sync token expired; full resync");
                    None
                }
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let known = match cache.take() {
            Some(known) => known,
            None => self.store.snapshots(calendar_id)?,
        };
        let (classified, next_token, full) = match delta {
            Some(delta) => (
                classify::classify_delta(calendar, &known, &delta.events),
                delta.next_sync_token,
                false,
            ),
            None => {
                let list = match client.events_full(calendar_id).await {
                    Ok(list) => list,
                    Err(e) => {
                        *cache = Some(known);
                        return Err(e.into());
                    }
                };
                let classified = if synced_before || !known.is_empty() {
                    classify::classify_full(calendar, &known, &list.events)
                } else {
                    // The first sync: record everything, report nothing.
                    classify::baseline(calendar.id, &list.events)
                };
                (classified, list.next_sync_token, true)
            }
        };
        let Classified {
            upserts,
            removed,
            changes,
        } = classified;
        let now = self.clock.now_ms();
        // On failure the cache stays dropped: the next sync re-reads the store.
        let ids = self.store.commit(&SyncCommit {
            calendar_id,
            upserts: &upserts,
            removed: &removed,
            changes: &changes,
            new_sync_token: Some(&next_token),
            full_sync_at: full.then_some(now),
            received_ms: now,
            trigger,
        })?;
        let mut known = known;
        for id in &removed {
            known.remove(id);
        }
        for row in upserts {
            known.insert(row.event_id.clone(), row);
        }
        *cache = Some(known);
        tracing::debug!(
            calendar = calendar_id,
            changes = changes.len(),
            full,
            "sync committed"
        );
        let count = changes.len();
        if count > 0 {
            self.outbox.deliver(&ids, &changes, trigger).await;
        }
        Ok(SyncOutcome {
            changes: count,
            full,
        })
    }

    fn calendar_name(&self, calendar_id: &str) -> String {
        match self.store.calendar(calendar_id) {
            Ok(Some(c)) => c.display_name().to_string(),
            _ => calendar_id.to_string(),
        }
    }
}

//! Per-calendar sync: one worker per watched calendar coalesces notifications into
//! incremental `events.list` calls, classifies each page that comes back against the
//! stored snapshot, commits its snapshot rows and changes in one transaction (the sync
//! token with the last page), then hands the changes to the notifier.
//!
//! # Layout
//! - [`classify`]: pure classification of Google's events against the snapshot.
//! - [`outbox`]: the step after the commit: notices to the notifier, marked delivered.
//! - [`worker`]: the per-calendar task: coalescing window, backstop timer, retries.

pub mod classify;
pub mod outbox;
pub mod worker;

use std::collections::HashSet;
use std::sync::Arc;

use crate::clock::Clock;
use crate::event::Report;
use crate::google::{
    too_many_pages, Clients, EventsPage, GoogleError, NotSignedIn, PageNext, MAX_PAGES,
};
use crate::notice::Change;
use crate::store::{CalendarKey, Store, StoreError, SyncCommit};
use crate::trigger::Trigger;

pub use outbox::{Grouping, Outbox};
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

/// What a sync committed so far: the change rows' ids and the changes, in order.
#[derive(Default)]
struct Found {
    /// The change rows' ids, in the order of `changes`.
    ids: Vec<i64>,
    /// The changes recorded.
    changes: Vec<Change>,
}

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
    client: Clients,
    /// Stamps full syncs.
    clock: Arc<dyn Clock>,
    /// Where committed changes go next.
    outbox: Arc<Outbox>,
    /// Where a worker reports a failed sync (once per failing streak).
    report: Report<SyncError>,
    /// Where a worker reports a calendar Google answers 404 for (the engine lets it go).
    gone: Option<tokio::sync::mpsc::UnboundedSender<CalendarKey>>,
}

impl Syncer {
    /// A syncer over these parts.
    pub fn new(
        store: Store,
        client: Clients,
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
            gone: None,
        }
    }

    /// This syncer, telling `gone` of calendars Google no longer knows for their account.
    pub fn with_gone(mut self, gone: tokio::sync::mpsc::UnboundedSender<CalendarKey>) -> Self {
        self.gone = Some(gone);
        self
    }

    /// Tells the engine Google answered 404 for the calendar: it is gone for its account.
    pub fn calendar_gone(&self, calendar: &CalendarKey) {
        match &self.gone {
            Some(gone) => {
                let _ = gone.send(calendar.clone());
            }
            None => self.report(SyncError::Google(GoogleError::NotFound)),
        }
    }

    /// Tells the engine a sync failed.
    pub fn report(&self, error: SyncError) {
        (self.report)(error);
    }

    /// Syncs `calendar_id`: incremental when a sync token is stored, else a full list (the
    /// silent baseline when the calendar was never synced). What `trigger` started it
    /// decides how the findings are told (a catch-up's as one "while you were away"
    /// summary).
    ///
    /// Google's pages are processed as they arrive: each is classified against the stored
    /// rows it concerns and committed (snapshots and changes in one transaction) before
    /// the next is asked for, so memory is bounded by a page, not by the calendar. The
    /// sync token is stored only with the last page: a sync cut short (a crash, an error)
    /// starts the listing over next time, and what earlier pages committed is then
    /// already in the snapshot, so nothing is told twice. The changes are handed to the
    /// notifier once, at the end (or when the sync fails part-way, for what it found).
    pub async fn sync(
        &self,
        calendar: &CalendarKey,
        trigger: Trigger,
    ) -> Result<SyncOutcome, SyncError> {
        let mut found = Found::default();
        let result = self.list(calendar, trigger, &mut found).await;
        tracing::debug!(
            calendar = %crate::account::log_label(&calendar.calendar_id),
            account = %crate::account::log_label(&calendar.account),
            changes = found.changes.len(),
            ok = result.is_ok(),
            "sync committed"
        );
        let count = found.changes.len();
        if count > 0 {
            self.outbox
                .deliver(&found.ids, &found.changes, trigger)
                .await;
        }
        result.map(|full| SyncOutcome {
            changes: count,
            full,
        })
    }

    /// The listing, page by page; what it commits is added to `found`. Returns whether it
    /// was a full listing.
    async fn list(
        &self,
        key: &CalendarKey,
        trigger: Trigger,
        found: &mut Found,
    ) -> Result<bool, SyncError> {
        let calendar_id = key.calendar_id.as_str();
        // The calendar's own account asks: a calendar shared with two accounts is read by
        // each with its own tokens.
        let client = self.client.get(&key.account)?;
        let state = self.store.sync_state(key)?;
        let mut token = state.as_ref().and_then(|s| s.sync_token.clone());
        // A sync state is written with the last page of the first listing: until then
        // the listing is the silent baseline, also when an earlier one was cut short and
        // some of its pages are stored. Afterwards a full list (after a 410, or a reset
        // state) is diffed against the snapshot, never a baseline.
        let diffed = state.is_some();
        let name = self.calendar_name(key);
        let calendar = CalendarRef {
            id: calendar_id,
            name: &name,
        };
        if token.is_none() {
            self.store.begin_listing(key)?;
        }
        let mut page_token: Option<String> = None;
        // Series told as added by an earlier page: their rows are stored by now, but their
        // occurrences on later pages are no news of their own.
        let mut new_series: HashSet<String> = HashSet::new();
        for _ in 0..MAX_PAGES {
            let full = token.is_none();
            let page = match client
                .events_page(calendar_id, token.as_deref(), page_token.as_deref())
                .await
            {
                Ok(page) => page,
                Err(GoogleError::SyncTokenExpired) if token.is_some() || page_token.is_some() => {
                    // An expired token, or a listing whose pages expired mid-way: list
                    // everything again, diffed against what is stored by now.
                    tracing::info!(calendar = %crate::account::log_label(calendar_id), "sync token expired; full resync");
                    token = None;
                    page_token = None;
                    self.store.begin_listing(key)?;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let EventsPage { events, next } = page;
            let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
            let mut classified = if full && !diffed {
                // The first sync: record everything, report nothing.
                classify::baseline(calendar_id, &events)
            } else {
                let mut wanted: Vec<&str> = ids.clone();
                wanted.extend(
                    events
                        .iter()
                        .filter_map(|e| e.recurring_event_id.as_deref()),
                );
                let series: Vec<&str> = events
                    .iter()
                    .filter(|e| {
                        e.recurring_event_id.is_none() && e.status.as_deref() == Some("cancelled")
                    })
                    .map(|e| e.id.as_str())
                    .collect();
                let known = self.store.snapshots_of(key, &wanted, &series)?;
                let page = classify::classify_page(calendar, &known, &new_series, &events);
                new_series.extend(page.new_series.iter().cloned());
                page
            };
            if full {
                self.store.mark_listed(key, &ids)?;
            }
            let next_token = match &next {
                PageNext::Page(next) => {
                    page_token = Some(next.clone());
                    None
                }
                PageNext::Done(sync_token) => Some(sync_token.as_str()),
            };
            if full && next_token.is_some() {
                // The rows this listing never showed were deleted meanwhile: told after a
                // 410, dropped silently when a baseline cut short left them behind.
                let missing = self.store.unlisted_snapshots(key)?;
                if diffed {
                    let gone = classify::classify_missing(calendar, &missing);
                    classified.removed.extend(gone.removed);
                    classified.changes.extend(gone.changes);
                } else {
                    classified.removed.extend(missing.into_keys());
                }
            }
            let Classified {
                upserts,
                removed,
                mut changes,
                ..
            } = classified;
            for change in &mut changes {
                change.account.clone_from(&key.account);
            }
            if next_token.is_some()
                || !upserts.is_empty()
                || !removed.is_empty()
                || !changes.is_empty()
            {
                let now = self.clock.now_ms();
                let ids = self.store.commit(&SyncCommit {
                    calendar: key,
                    upserts: &upserts,
                    removed: &removed,
                    changes: &changes,
                    new_sync_token: next_token,
                    full_sync_at: (full && next_token.is_some()).then_some(now),
                    received_ms: now,
                    trigger,
                })?;
                found.ids.extend(ids);
                found.changes.extend(changes);
            }
            if next_token.is_some() {
                if full {
                    self.store.end_listing(key)?;
                }
                return Ok(full);
            }
        }
        Err(too_many_pages().into())
    }

    /// The calendar's name as a toast and the history say it: with its account added when
    /// another account has a calendar of the same name (two "Work" calendars, or two
    /// accounts' own calendars, would otherwise read the same).
    fn calendar_name(&self, key: &CalendarKey) -> String {
        let calendars = match self.store.calendars() {
            Ok(calendars) => calendars,
            Err(_) => return key.calendar_id.clone(),
        };
        let Some(calendar) = calendars.iter().find(|c| c.key() == *key) else {
            return key.calendar_id.clone();
        };
        let name = calendar.display_name();
        let confusable = calendars
            .iter()
            .any(|other| other.account != key.account && other.display_name() == name);
        if confusable {
            crate::locale::current().text(
                "calendar-with-account",
                &[
                    (
                        "calendar",
                        crate::locale::catalogue::Arg::Text(name.clone()),
                    ),
                    ("account", (&key.account).into()),
                ],
            )
        } else {
            name.to_string()
        }
    }
}

//! After the commit: turn recorded changes into notices, hand them to the notifier, and
//! mark them delivered — in that order, so a crash in between shows them after a restart
//! instead of losing them.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{broadcast, Mutex};

use crate::event::EngineEvent;
use crate::notice::{self, Change, Notifier};
use crate::store::{Store, StoredChange};
use crate::trigger::Trigger;

/// The one way changes reach the notifier.
pub struct Outbox {
    /// Marks changes delivered and reads the undelivered ones at start.
    store: Store,
    /// The shell's toasts (or a test's recorder).
    notifier: Arc<dyn Notifier>,
    /// Pause switch: changes are still recorded and listed, never toasted.
    paused: AtomicBool,
    /// More changes than this in one sync of one calendar become one summary.
    threshold: AtomicUsize,
    /// Tells the window about new changes.
    events: broadcast::Sender<EngineEvent>,
    /// Keeps notices in commit order when several calendars sync at once, and keeps the
    /// start-up redelivery from racing a fresh sync over the same rows.
    order: Mutex<()>,
}

impl Outbox {
    /// An outbox delivering to `notifier`.
    pub fn new(
        store: Store,
        notifier: Arc<dyn Notifier>,
        paused: bool,
        threshold: usize,
        events: broadcast::Sender<EngineEvent>,
    ) -> Self {
        Outbox {
            store,
            notifier,
            paused: AtomicBool::new(paused),
            threshold: AtomicUsize::new(threshold),
            events,
            order: Mutex::new(()),
        }
    }

    /// Turns the pause switch.
    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::SeqCst);
    }

    /// Whether notices are held back.
    pub fn paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    /// Sets the summary threshold.
    pub fn set_threshold(&self, threshold: usize) {
        self.threshold.store(threshold, Ordering::SeqCst);
    }

    /// Delivers the changes just committed under `ids` (same order as `changes`).
    ///
    /// Paused: they are marked delivered without a notice, so unpausing never replays a
    /// backlog of toasts; they stay in the change history.
    pub async fn deliver(&self, ids: &[i64], changes: &[Change], trigger: Trigger) {
        let _order = self.order.lock().await;
        if !self.paused() {
            let notices = notice::notices(changes, self.threshold.load(Ordering::SeqCst), trigger);
            self.notifier.notify(&notices).await;
        }
        if let Err(e) = self.store.mark_delivered(ids) {
            // Not marked: they are shown again after a restart, which beats losing them.
            tracing::warn!(error = %e, "could not mark changes delivered");
        }
        self.announce(ids);
    }

    /// Delivers what a previous run recorded but did not get to show (a crash between
    /// commit and notifier). Returns how many changes that was.
    pub async fn deliver_undelivered(&self) -> usize {
        let pending = match self.store.undelivered_changes() {
            Ok(pending) => pending,
            Err(e) => {
                tracing::warn!(error = %e, "could not read undelivered changes");
                return 0;
            }
        };
        if pending.is_empty() {
            return 0;
        }
        let total = pending.len();
        // Keep each change's "while you were away" nature from the sync that found it.
        for away in [true, false] {
            let (ids, changes): (Vec<i64>, Vec<Change>) = pending
                .iter()
                .filter(|c| c.away == away)
                .map(|c| (c.id, c.change.clone()))
                .unzip();
            if !ids.is_empty() {
                let trigger = if away {
                    Trigger::CatchUp
                } else {
                    Trigger::Redelivery
                };
                self.deliver(&ids, &changes, trigger).await;
            }
        }
        total
    }

    /// Broadcasts the stored form of the changes `ids` to the window.
    fn announce(&self, ids: &[i64]) {
        let Some(&first) = ids.iter().min() else {
            return;
        };
        if self.events.receiver_count() == 0 {
            return;
        }
        // Other calendars may have recorded any number of changes since these were.
        let stored: Vec<StoredChange> = match self.store.changes_since(first) {
            Ok(recent) => recent.into_iter().filter(|c| ids.contains(&c.id)).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "could not read changes back for the window");
                return;
            }
        };
        let _ = self.events.send(EngineEvent::Changes(stored));
    }
}

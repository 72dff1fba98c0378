//! After the commit: decide each change against the noise rules, turn the told ones into
//! notices, hand them to the notifier, and record every change as delivered with the
//! reason it stayed silent — in that order, so a crash in between shows them after a
//! restart instead of losing them. What quiet hours or a pause held back is told in one
//! digest when they end ([`Outbox::release_digest`]).
//!
//! A catch-up (start, wake, sign-in) syncs every watched calendar at once, and each may
//! find something: what they find is gathered for a moment and told in one toast, so ten
//! accounts coming back from a night's sleep say "While you were away: 37 changes in 12
//! calendars" once instead of raising a toast per calendar.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::{broadcast, Mutex};

use crate::clock::Clock;
use crate::event::EngineEvent;
use crate::noise::{self, CalendarRules, Hold, NoticeRules, Silence};
use crate::notice::{self, Change, Notice, Notifier};
use crate::poison::{lock, read, write};
use crate::store::{CalendarKey, Delivery, Store, StoredChange};
use crate::trigger::Trigger;

/// The noise settings the outbox follows: the pause and the rules everywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoiseSettings {
    /// Notifications paused.
    pub paused: bool,
    /// When the pause ends by itself (ms since the epoch); `None`: when resumed.
    pub paused_until: Option<i64>,
    /// The rules everywhere, with the quiet hours.
    pub rules: NoticeRules,
}

/// The one way changes reach the notifier.
pub struct Outbox {
    /// Marks changes delivered and reads the undelivered ones at start.
    store: Store,
    /// The shell's toasts (or a test's recorder).
    notifier: Arc<dyn Notifier>,
    /// The pause and the rules everywhere; per-calendar rules are read from the store.
    noise: RwLock<NoiseSettings>,
    /// Wall-clock now, for quiet hours, pauses and "within N days".
    clock: Arc<dyn Clock>,
    /// The person's zone: quiet hours are local times.
    tz: chrono_tz::Tz,
    /// More changes than this in one sync of one calendar become one summary.
    threshold: AtomicUsize,
    /// Tells the window about new changes.
    events: broadcast::Sender<EngineEvent>,
    /// Keeps notices in commit order when several calendars sync at once, and keeps the
    /// start-up redelivery from racing a fresh sync over the same rows.
    order: Mutex<()>,
    /// What catch-ups found and have not told yet.
    gathered: std::sync::Mutex<Gathered>,
    /// New calendars found while quiet hours or a timed pause held toasts back: offered
    /// with the digest when the hold ends (kept in memory only: the calendar itself is
    /// stored, and waits in Calendars whatever happens to the offer).
    held_offers: std::sync::Mutex<Vec<Notice>>,
    /// Set when the engine stops: what is gathered then stays undelivered and is told at
    /// the next start, rather than raising a toast while quitting.
    closed: std::sync::atomic::AtomicBool,
    /// How long the catch-ups must have found nothing before their findings are told.
    gather_quiet: Duration,
}

/// A catch-up's findings are told once no other calendar's catch-up has found anything
/// for the coalescing window (every calendar is caught up at once, so their syncs end
/// close together), but never sooner than this.
pub const GATHER_QUIET_LEAST: Duration = Duration::from_millis(20);

/// ... or this long after the first finding, whatever still comes in: a slow calendar
/// must not hold the others' news back for long.
pub const GATHER_LONGEST: Duration = Duration::from_secs(5);

/// Changes found by catch-ups, to be told together; not yet marked delivered, so a quit
/// before they are told shows them again at the next start.
#[derive(Default)]
struct Gathered {
    /// (history id, change), in the order they were committed.
    changes: Vec<(i64, Change)>,
    /// Bumped by each finding: the teller waits until it stops moving.
    generation: u64,
    /// Whether a teller is waiting to tell them.
    scheduled: bool,
}

/// How changes are grouped into toasts.
#[derive(Debug, Clone, Copy)]
pub struct Grouping {
    /// More changes than this in one sync of one calendar become one summary.
    pub summary_threshold: usize,
    /// How long the catch-ups must have found nothing before their findings are told
    /// (at least [`GATHER_QUIET_LEAST`]).
    pub gather_quiet: Duration,
}

impl Outbox {
    /// An outbox delivering to `notifier`.
    pub fn new(
        store: Store,
        notifier: Arc<dyn Notifier>,
        noise: NoiseSettings,
        grouping: Grouping,
        events: broadcast::Sender<EngineEvent>,
        clock: Arc<dyn Clock>,
        tz: chrono_tz::Tz,
    ) -> Self {
        Outbox {
            store,
            notifier,
            noise: RwLock::new(noise),
            clock,
            tz,
            threshold: AtomicUsize::new(grouping.summary_threshold),
            events,
            order: Mutex::new(()),
            gathered: std::sync::Mutex::default(),
            held_offers: std::sync::Mutex::default(),
            closed: std::sync::atomic::AtomicBool::new(false),
            gather_quiet: grouping.gather_quiet.max(GATHER_QUIET_LEAST),
        }
    }

    /// Tells nothing more that was gathered (the engine is stopping).
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    /// Follows new noise settings from now on.
    pub fn set_noise(&self, noise: NoiseSettings) {
        *write(&self.noise) = noise;
    }

    /// The noise settings followed now.
    pub fn noise(&self) -> NoiseSettings {
        read(&self.noise).clone()
    }

    /// What holds toasts back at `now_ms`, if anything does.
    pub fn hold_at(&self, now_ms: i64) -> Hold {
        let noise = read(&self.noise);
        Hold::at(
            noise.paused,
            noise.paused_until,
            &noise.rules.quiet_hours,
            now_ms,
            self.tz,
        )
    }

    /// The person's zone, which quiet hours are read in.
    pub fn time_zone(&self) -> chrono_tz::Tz {
        self.tz
    }

    /// Sets the summary threshold.
    pub fn set_threshold(&self, threshold: usize) {
        self.threshold.store(threshold, Ordering::SeqCst);
    }

    /// Offers a calendar newly shared with an account ([`Notice::NewCalendar`]). Quiet
    /// hours and a timed pause hold it back like any toast, and it is offered when they
    /// end, after their digest; a pause until resumed drops it, as it drops changes' toasts
    /// (the calendar waits in the window's Calendars all the same).
    pub async fn offer_calendar(&self, offer: Notice) {
        let _order = self.order.lock().await;
        let hold = self.hold_at(self.clock.now_ms());
        if hold.digests() {
            tracing::info!("a new calendar is offered when notices are no longer held");
            let mut held = lock(&self.held_offers);
            // Shared, removed and shared again while quiet: still one offer.
            if !held.iter().any(|o| same_calendar(o, &offer)) {
                held.push(offer);
            }
            return;
        }
        if hold != Hold::None {
            tracing::info!("a new calendar is not offered in a toast while paused");
            return;
        }
        self.notifier.notify(&[offer]).await;
    }

    /// The offers held back, without those whose calendar was watched or removed
    /// meanwhile.
    fn take_held_offers(&self) -> Vec<Notice> {
        let mut offers = std::mem::take(&mut *lock(&self.held_offers));
        offers.retain(|offer| {
            let Notice::NewCalendar {
                account,
                calendar_id,
                ..
            } = offer
            else {
                return false;
            };
            match self.store.calendar(&CalendarKey::new(account, calendar_id)) {
                Ok(Some(calendar)) => !calendar.watched && !calendar.gone,
                Ok(None) => false,
                Err(e) => {
                    tracing::warn!(error = %e, "could not read a calendar held for an offer");
                    true
                }
            }
        });
        offers
    }

    /// Delivers the changes just committed under `ids` (same order as `changes`).
    ///
    /// Each change is decided against its calendar's rules and the rules everywhere
    /// ([`noise::decide`]); a change no rule silences is told, unless quiet hours or a
    /// pause hold it back. All are recorded as delivered with the reason they stayed
    /// silent. Held by quiet hours or a pause with an end: told in the digest when it
    /// ends. Paused until resumed: never replayed as a backlog of toasts (as before).
    /// What a catch-up finds to tell is gathered with the other calendars' findings and
    /// told in one toast a moment later (see `gather_quiet`).
    pub async fn deliver(self: &Arc<Self>, ids: &[i64], changes: &[Change], trigger: Trigger) {
        let _order = self.order.lock().await;
        let now = self.clock.now_ms();
        let rules = read(&self.noise).rules.clone();
        let hold = self.hold_at(now);
        let mut calendars: HashMap<(&str, &str), CalendarRules> = HashMap::new();
        let mut told = Vec::with_capacity(changes.len());
        let mut deliveries = Vec::with_capacity(changes.len());
        for (id, change) in ids.iter().zip(changes) {
            let calendar = calendars
                .entry((change.account.as_str(), change.calendar_id.as_str()))
                .or_insert_with(|| {
                    self.calendar_rules(&CalendarKey::new(&change.account, &change.calendar_id))
                });
            let silenced = noise::decide(change, calendar, &rules, now).or(match hold {
                Hold::None => None,
                Hold::Paused { .. } => Some(Silence::Paused),
                Hold::Quiet { .. } => Some(Silence::QuietHours),
            });
            let held =
                matches!(silenced, Some(Silence::Paused | Silence::QuietHours)) && hold.digests();
            if silenced.is_none() {
                told.push((*id, change.clone()));
                if trigger.told_as_away() {
                    // Marked delivered when the gathered toast is shown.
                    continue;
                }
            }
            deliveries.push(Delivery {
                id: *id,
                silenced,
                held,
            });
        }
        if trigger.told_as_away() {
            self.gather(told);
        } else if !told.is_empty() {
            let told: Vec<Change> = told.into_iter().map(|(_, c)| c).collect();
            let notices = notice::notices(&told, self.threshold.load(Ordering::SeqCst), trigger);
            self.notifier.notify(&notices).await;
        }
        self.record(&deliveries);
        self.announce(ids);
    }

    /// Records what became of changes; a failure leaves them to be shown again after a
    /// restart, which beats losing them.
    fn record(&self, deliveries: &[Delivery]) {
        if deliveries.is_empty() {
            return;
        }
        if let Err(e) = self.store.record_deliveries(deliveries) {
            tracing::warn!(error = %e, "could not mark changes delivered");
        }
    }

    /// Adds a catch-up's findings to those waiting to be told, and starts the teller if
    /// none is waiting.
    fn gather(self: &Arc<Self>, found: Vec<(i64, Change)>) {
        if found.is_empty() {
            return;
        }
        let start = {
            let mut gathered = lock(&self.gathered);
            gathered.changes.extend(found);
            gathered.generation += 1;
            !std::mem::replace(&mut gathered.scheduled, true)
        };
        if start {
            let outbox = Arc::clone(self);
            tokio::spawn(async move { outbox.tell_gathered().await });
        }
    }

    /// Waits until the catch-ups have stopped finding things (or [`GATHER_LONGEST`]),
    /// then tells everything gathered: one calendar's findings as its "while you were
    /// away" summary, several calendars' as one digest whose click shows just these.
    async fn tell_gathered(&self) {
        let started = tokio::time::Instant::now();
        let mut seen = lock(&self.gathered).generation;
        loop {
            let left = GATHER_LONGEST.saturating_sub(started.elapsed());
            tokio::time::sleep(self.gather_quiet.min(left)).await;
            let now = lock(&self.gathered).generation;
            if now == seen || started.elapsed() >= GATHER_LONGEST {
                break;
            }
            seen = now;
        }
        let _order = self.order.lock().await;
        if self.closed.load(Ordering::SeqCst) {
            return;
        }
        let found = {
            let mut gathered = lock(&self.gathered);
            gathered.scheduled = false;
            std::mem::take(&mut gathered.changes)
        };
        if found.is_empty() {
            return;
        }
        let pairs: Vec<(i64, &Change)> = found.iter().map(|(id, c)| (*id, c)).collect();
        let notices = match notice::digest(&pairs) {
            // One calendar keeps the summary a lone catch-up has always had.
            Some(Notice::Digest { calendars: 1, .. }) | None => {
                let changes: Vec<Change> = found.iter().map(|(_, c)| c.clone()).collect();
                notice::notices(
                    &changes,
                    self.threshold.load(Ordering::SeqCst),
                    Trigger::CatchUp,
                )
            }
            Some(digest) => vec![digest],
        };
        self.notifier.notify(&notices).await;
        let deliveries: Vec<Delivery> = found
            .iter()
            .map(|(id, _)| Delivery {
                id: *id,
                silenced: None,
                held: false,
            })
            .collect();
        self.record(&deliveries);
    }

    /// A calendar's rules; the defaults (tell everything) when they cannot be read, so a
    /// database hiccup never silences a change.
    fn calendar_rules(&self, calendar: &CalendarKey) -> CalendarRules {
        self.store.calendar_rules(calendar).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not read a calendar's noise rules");
            CalendarRules::default()
        })
    }

    /// Tells what quiet hours or a pause held back, in one digest toast, and marks it
    /// told; then offers the calendars that came meanwhile. Returns how many changes the
    /// digest covered (0: none were held).
    pub async fn release_digest(&self) -> usize {
        let _order = self.order.lock().await;
        let held = self.store.held_changes().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not read the changes held for the digest");
            Vec::new()
        });
        let pairs: Vec<(i64, &Change)> = held.iter().map(|c| (c.id, &c.change)).collect();
        let digest = notice::digest(&pairs);
        let told_digest = digest.is_some();
        let notices: Vec<Notice> = digest.into_iter().chain(self.take_held_offers()).collect();
        if !notices.is_empty() {
            self.notifier.notify(&notices).await;
        }
        if !told_digest {
            return 0;
        }
        let ids: Vec<i64> = pairs.iter().map(|(id, _)| *id).collect();
        if let Err(e) = self.store.release_held(&ids) {
            tracing::warn!(error = %e, "could not mark the digest told");
        }
        ids.len()
    }

    /// Delivers what a previous run recorded but did not get to show (a crash between
    /// commit and notifier). Returns how many changes that was.
    pub async fn deliver_undelivered(self: &Arc<Self>) -> usize {
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

/// Whether two new-calendar offers are for the same calendar of the same account.
fn same_calendar(a: &Notice, b: &Notice) -> bool {
    matches!(
        (a, b),
        (
            Notice::NewCalendar { account: a1, calendar_id: c1, .. },
            Notice::NewCalendar { account: a2, calendar_id: c2, .. },
        ) if a1 == a2 && c1 == c2
    )
}

//! The per-calendar sync worker: coalescing on the leading and trailing edge. The first
//! notification after a quiet spell syncs at once (a lone change costs no wait); those
//! that arrive while a sync runs or within the coalescing window after it are gathered
//! into one trailing sync at the window's end, so a burst costs about one sync per
//! window. A slow backstop timer catches what Google never delivered.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{oneshot, watch, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{SyncError, SyncOutcome, Syncer};
use crate::google::GoogleError;
use crate::poison::lock;
use crate::store::CalendarKey;
use crate::trigger::Trigger;

/// The timings a worker follows; changed at run time through a `watch` channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerTimings {
    /// After a sync, how long notifications are gathered into one trailing sync; the
    /// first notification after a quiet spell of this long syncs at once.
    pub coalesce_window: Duration,
    /// Sync anyway after this long without one; zero turns the backstop off.
    pub backstop_interval: Duration,
    /// Retry a failed sync after this, doubling up to `retry_max`.
    pub retry_first: Duration,
    /// The longest wait between retries of a failing sync.
    pub retry_max: Duration,
}

type Waiter = oneshot::Sender<Result<SyncOutcome, SyncError>>;

/// What has been asked of the worker since its last sync started.
#[derive(Default)]
struct Requests {
    /// A push notification arrived.
    notified: bool,
    /// Sync at once, even within the coalescing window after the last sync.
    immediate: bool,
    /// What asked for the next sync, if anything did yet.
    trigger: Option<Trigger>,
    /// Callers waiting for the next sync's result.
    waiters: Vec<Waiter>,
}

/// What the worker task and its handle share.
struct Shared {
    /// Wakes the task to look at `requests` again; `notify_one` keeps at most one permit,
    /// so a burst of requests costs one look.
    wake: Notify,
    /// The requests the next sync will serve.
    requests: Mutex<Requests>,
}

impl Requests {
    /// Adds `trigger` to what the next sync serves.
    fn ask(&mut self, trigger: Trigger) {
        self.trigger = Some(match self.trigger {
            Some(asked) => asked.and(trigger),
            None => trigger,
        });
    }
}

impl Shared {
    fn requests(&self) -> std::sync::MutexGuard<'_, Requests> {
        lock(&self.requests)
    }
}

/// Handle to a calendar's sync task; dropping it stops the task.
pub struct CalendarWorker {
    /// Shared with the task.
    shared: Arc<Shared>,
    /// Stops the task (also on drop).
    cancel: CancellationToken,
    /// The task, awaited on [`CalendarWorker::stop`].
    task: Mutex<Option<JoinHandle<()>>>,
}

impl CalendarWorker {
    /// Starts the worker for `calendar`; it stops when `parent` is cancelled.
    pub fn spawn(
        calendar: &CalendarKey,
        syncer: Arc<Syncer>,
        timings: watch::Receiver<WorkerTimings>,
        parent: &CancellationToken,
    ) -> Self {
        let shared = Arc::new(Shared {
            wake: Notify::new(),
            requests: Mutex::new(Requests::default()),
        });
        let cancel = parent.child_token();
        let task = tokio::spawn(run(
            calendar.clone(),
            syncer,
            timings,
            Arc::clone(&shared),
            cancel.clone(),
        ));
        CalendarWorker {
            shared,
            cancel,
            task: Mutex::new(Some(task)),
        }
    }

    /// A push notification arrived for this calendar.
    pub fn notify(&self) {
        {
            let mut r = self.shared.requests();
            r.notified = true;
            r.ask(Trigger::Push);
        }
        self.shared.wake.notify_one();
    }

    /// Asks for a catch-up sync now, its findings told as "while you were away".
    pub fn catch_up(&self) {
        {
            let mut r = self.shared.requests();
            r.immediate = true;
            r.ask(Trigger::CatchUp);
        }
        self.shared.wake.notify_one();
    }

    /// Syncs now (no coalescing wait) and returns that sync's result.
    pub async fn sync_now(&self) -> Result<SyncOutcome, SyncError> {
        let (tx, rx) = oneshot::channel();
        {
            let mut r = self.shared.requests();
            r.immediate = true;
            r.ask(Trigger::Asked);
            r.waiters.push(tx);
        }
        self.shared.wake.notify_one();
        // The worker drops its waiters when it is stopped mid-sync.
        rx.await.unwrap_or(Err(SyncError::Stopped))
    }

    /// Stops the task and waits for it to end.
    pub async fn stop(&self) {
        self.cancel.cancel();
        let task = lock(&self.task).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

impl Drop for CalendarWorker {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

async fn run(
    calendar: CalendarKey,
    syncer: Arc<Syncer>,
    mut timings: watch::Receiver<WorkerTimings>,
    shared: Arc<Shared>,
    cancel: CancellationToken,
) {
    let mut last_sync = Instant::now();
    // When the last sync ended; `None` until one has run, so the first notification after
    // start is a leading edge too.
    let mut last_end: Option<Instant> = None;
    let mut retry: Option<(Instant, Duration)> = None;
    loop {
        let current = *timings.borrow_and_update();
        let (notified, immediate) = {
            let r = shared.requests();
            (r.notified, r.immediate || !r.waiters.is_empty())
        };
        let now = Instant::now();
        // Leading and trailing edge: a notification after a quiet spell syncs at once;
        // one that arrives during a sync or within the window after it waits for the
        // window's end, gathered with the rest of its burst into one trailing sync.
        let trailing_at = last_end.map(|end| end + current.coalesce_window);
        let backstop_at =
            (!current.backstop_interval.is_zero()).then(|| last_sync + current.backstop_interval);
        let retry_at = retry.map(|(at, _)| at);
        let due = immediate
            || (notified && trailing_at.is_none_or(|at| at <= now))
            || backstop_at.is_some_and(|at| at <= now)
            || retry_at.is_some_and(|at| at <= now);
        if !due {
            let wake_at = [trailing_at.filter(|_| notified), backstop_at, retry_at]
                .into_iter()
                .flatten()
                .min();
            let timer = async {
                match wake_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = cancel.cancelled() => return,
                // A new request, or a stale permit: either way, look again.
                () = shared.wake.notified() => {}
                () = timer => {}
                changed = timings.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
            }
            continue;
        }
        let (trigger, waiters) = {
            let mut r = shared.requests();
            let taken = std::mem::take(&mut *r);
            let timer = if retry.is_some() {
                Trigger::Retry
            } else {
                Trigger::Backstop
            };
            (taken.trigger.unwrap_or(timer), taken.waiters)
        };
        // Notifications from here on may be about changes this sync does not see: they
        // set `notified` again and earn one trailing sync.
        let result = tokio::select! {
            () = cancel.cancelled() => return,
            result = syncer.sync(&calendar, trigger) => result,
        };
        last_sync = Instant::now();
        last_end = Some(last_sync);
        match &result {
            Ok(_) => retry = None,
            Err(SyncError::Google(GoogleError::NotFound)) => {
                // Google no longer lists the calendar for this account (removed,
                // unsubscribed, unshared): retrying would fail for ever. The engine lets it
                // go (stops its channel, marks its row, tells once), which stops this worker.
                retry = None;
                syncer.calendar_gone(&calendar);
            }
            Err(e) => {
                let wait =
                    retry.map_or(current.retry_first, |(_, w)| (w * 2).min(current.retry_max));
                tracing::warn!(calendar = %crate::account::log_label(&calendar.calendar_id), error = %e, retry_in = ?wait, "sync failed");
                if retry.is_none() {
                    // Once per failing streak: the window shows it, the log has every retry.
                    syncer.report(e.clone());
                }
                if trigger.told_as_away() {
                    // Keep the catch-up promise: the retry still reports "while you were away".
                    shared.requests().ask(Trigger::CatchUp);
                }
                retry = Some((last_sync + wait, wait));
            }
        }
        for waiter in waiters {
            let _ = waiter.send(result.clone());
        }
    }
}

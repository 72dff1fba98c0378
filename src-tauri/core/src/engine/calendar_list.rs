//! Each account's calendar list, followed as Google changes it: a `calendarList.watch`
//! channel per account, and on its notifications an incremental `calendarList.list` with
//! the list's sync token. A calendar newly shared appears in Calendars at once and is
//! offered in a toast (or watched, when the person chose so); one removed, unsubscribed or
//! hidden is let go once; a renamed or recoloured one is shown with its new name.

use std::sync::Arc;

use super::{read, EngineError, EngineEvent, Inner};
use crate::account::log_label;
use crate::error::Sentence;
use crate::google::{CalendarListEntry, GoogleError};
use crate::notice::Notice;
use crate::store::{CalendarKey, CalendarRecord};

/// How much of a calendar list to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Listing {
    /// All of it, silently: the window's Refresh and a new sign-in, where the person is
    /// looking at the list anyway.
    Full,
    /// What changed since the list's sync token (a notification, a catch-up); a calendar
    /// found new is offered. Without a token yet, the full list is a silent baseline.
    Changes,
}

/// Why a calendar left an account's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Leaving {
    /// Deleted, unshared, unsubscribed, or Google answers 404 for it.
    NoLongerShared,
    /// The person hid it in Google Calendar's list.
    Hidden,
}

impl Leaving {
    /// What the calendar's row (and the error, for a watched one) says; the calendar's
    /// name is Google's, never translated.
    pub(super) fn sentence(self, name: &str, account: &str, was_watched: bool) -> Sentence {
        let id = match (self, was_watched) {
            (Leaving::NoLongerShared, true) => "error-calendar-gone",
            (Leaving::NoLongerShared, false) => "error-calendar-left",
            (Leaving::Hidden, true) => "error-calendar-hidden",
            (Leaving::Hidden, false) => "error-calendar-hidden-unwatched",
        };
        Sentence::of(
            id,
            vec![("calendar", name.into()), ("account", account.into())],
        )
    }
}

impl Inner {
    /// Follows `account`'s calendar list: its channel (when there is a callback URL and
    /// none yet), then what changed since last time. Failures are logged and shown; the
    /// next start or notification tries again.
    pub(super) fn follow_calendar_list(self: &Arc<Self>, account: &str) {
        let this = Arc::clone(self);
        let account = account.to_string();
        let working = self.list_work.start();
        tokio::spawn(async move {
            let _working = working;
            if let Err(e) = this.watch_calendar_list(&account).await {
                tracing::warn!(account = %log_label(&account), error = %e, "could not watch the calendar list");
                this.emit(EngineEvent::Error(e));
            }
            this.calendar_list_changed(&account);
        });
    }

    /// [`Inner::follow_calendar_list`] for every signed-in account.
    pub(super) fn follow_calendar_lists(self: &Arc<Self>) {
        let accounts: Vec<String> = read(&self.sessions).keys().cloned().collect();
        for account in accounts {
            self.follow_calendar_list(&account);
        }
    }

    /// Opens `account`'s calendar-list channel unless it has one (or there is no callback
    /// URL yet: setting one follows every account's list).
    pub(super) async fn watch_calendar_list(&self, account: &str) -> Result<(), EngineError> {
        // One at a time: two callers at once would each open a channel.
        let _one = self.list_watch.lock().await;
        if self.channels.settings().callback_url.is_none()
            || !read(&self.sessions).contains_key(account)
            || self.channels.watches_list(account)?
        {
            return Ok(());
        }
        let record = self.channels.open_list(account).await?;
        tracing::info!(account = %log_label(account), channel = %record.id, "watching the calendar list");
        Ok(())
    }

    /// A notification on `account`'s list channel (or a catch-up): lists what changed.
    pub(super) fn calendar_list_changed(self: &Arc<Self>, account: &str) {
        let this = Arc::clone(self);
        let account = account.to_string();
        let working = self.list_work.start();
        tokio::spawn(async move {
            let _working = working;
            if let Err(e) = this.list_calendars(&account, Listing::Changes).await {
                tracing::warn!(account = %log_label(&account), error = %e, "could not read the calendar list");
                this.emit(EngineEvent::Error(e));
            }
        });
    }

    /// Reads `account`'s calendar list (see [`Listing`]) and stores it: new calendars
    /// appear (and are offered, for a [`Listing::Changes`] that had a token), calendars
    /// no longer listed or hidden are let go, names and colours follow Google. A 410 on
    /// the sync token lists in full, offering only what was not known before.
    pub(super) async fn list_calendars(
        self: &Arc<Self>,
        account: &str,
        listing: Listing,
    ) -> Result<(), EngineError> {
        // One listing at a time: two would race over the same sync token, and a second
        // notification's listing must find the first one's calendars known.
        let _one = self.list_sync.lock().await;
        let client = self.client.get(account)?;
        let token = match listing {
            Listing::Full => None,
            Listing::Changes => self.store.calendar_list_sync_token(account)?,
        };
        let (delta, full, offer) = match token {
            Some(token) => match client.calendar_list_delta(Some(&token)).await {
                Ok(delta) => (delta, false, true),
                Err(GoogleError::SyncTokenExpired) => {
                    tracing::info!(account = %log_label(account), "the calendar list's sync token expired; listing it in full");
                    (client.calendar_list_delta(None).await?, true, true)
                }
                Err(e) => return Err(e.into()),
            },
            None => (client.calendar_list_delta(None).await?, true, false),
        };
        let mut new: Vec<(CalendarKey, String)> = Vec::new();
        let mut left: Vec<(CalendarKey, Leaving)> = Vec::new();
        let mut upserts: Vec<CalendarRecord> = Vec::new();
        for entry in &delta.entries {
            let key = CalendarKey::new(account, &entry.id);
            if entry.deleted || entry.hidden {
                let why = if entry.deleted {
                    Leaving::NoLongerShared
                } else {
                    Leaving::Hidden
                };
                left.push((key, why));
                continue;
            }
            let known = self.store.calendar(&key)?;
            let record = record_of(account, entry);
            if known.as_ref().is_none_or(|k| k.gone) {
                // Free/busy only: no events to watch, so nothing to offer.
                if entry.access_role.as_deref() != Some("freeBusyReader") {
                    new.push((key, record.summary.clone()));
                }
            }
            if known.as_ref().is_none_or(|k| !same_listing(k, &record)) {
                upserts.push(record);
            }
        }
        if full {
            // A full list leaves out what was removed (and, as Google's own list, what is
            // hidden): every calendar it does not name is gone.
            for known in self.store.calendars_of(account)? {
                let listed = delta
                    .entries
                    .iter()
                    .any(|e| e.id == known.id && !e.deleted && !e.hidden);
                if !known.gone && !listed {
                    left.push((known.key(), Leaving::NoLongerShared));
                }
            }
        }
        // New and changed calendars with the next token, at once (see the store's note).
        self.store
            .record_calendar_listing(account, &upserts, &delta.next_sync_token)?;
        let mut changed = !upserts.is_empty();
        for (key, why) in &left {
            changed |= self.calendar_left(key, *why);
        }
        if changed || listing == Listing::Full {
            self.emit(EngineEvent::Calendars);
        }
        if offer {
            let auto_watch = read(&self.config).settings.watch_new_calendars;
            for (key, name) in new {
                self.new_calendar(key, name, auto_watch).await;
            }
        }
        Ok(())
    }

    /// A calendar newly in an account's list: watched at once when the person chose so,
    /// else offered in a toast.
    async fn new_calendar(self: &Arc<Self>, key: CalendarKey, name: String, auto_watch: bool) {
        tracing::info!(account = %log_label(&key.account), calendar = %log_label(&key.calendar_id), "a calendar was added to the list");
        if auto_watch {
            // Handed to its own task: the watch's baseline sync must not hold up the list
            // (and a watch can list calendars itself).
            let _ = self.to_watch.send(key);
            return;
        }
        self.outbox
            .offer_calendar(Notice::NewCalendar {
                account: key.account,
                calendar_id: key.calendar_id,
                calendar_name: name,
            })
            .await;
    }

    /// A calendar left an account's list: a watched one is let go (its channels
    /// stopped, once), an unwatched one only marked, each with a sentence for its row.
    /// Returns whether anything changed.
    pub(super) fn calendar_left(self: &Arc<Self>, key: &CalendarKey, why: Leaving) -> bool {
        let known = match self.store.calendar(key) {
            Ok(Some(known)) if !known.gone => known,
            Ok(_) => return false,
            Err(e) => {
                tracing::warn!(error = %e, "could not read a calendar that left the list");
                return false;
            }
        };
        if known.watched {
            self.calendar_gone_because(key, why);
            return true;
        }
        let sentence = why
            .sentence(&display_name(&known), &key.account, false)
            .in_(&crate::locale::current());
        if let Err(e) = self.store.mark_gone_because(key, Some(&sentence)) {
            tracing::warn!(error = %e, "could not mark a calendar gone");
            return false;
        }
        true
    }
}

/// Counts calendar-list tasks in flight, so a caller can wait until none is left. A
/// watching task starts its listing before it ends, so the count never touches zero
/// between the two.
#[derive(Default)]
pub(super) struct ListWork(Arc<Tasks>);

/// The count and the wake-up of [`ListWork`], shared with every [`Working`].
#[derive(Default)]
struct Tasks {
    busy: std::sync::atomic::AtomicUsize,
    idle: tokio::sync::Notify,
}

/// One task's share of [`ListWork`]; dropping it ends the task's count.
pub(super) struct Working(Arc<Tasks>);

impl ListWork {
    /// Counts one more task until the returned value is dropped.
    pub(super) fn start(&self) -> Working {
        self.0
            .busy
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Working(Arc::clone(&self.0))
    }

    /// Returns once no task is counted.
    pub(super) async fn settled(&self) {
        loop {
            let idle = self.0.idle.notified();
            tokio::pin!(idle);
            // Registered before the count is read, so a task ending in between wakes it.
            idle.as_mut().enable();
            if self.0.busy.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                return;
            }
            idle.await;
        }
    }
}

impl Drop for Working {
    fn drop(&mut self) {
        if self
            .0
            .busy
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst)
            == 1
        {
            self.0.idle.notify_waiters();
        }
    }
}

/// The name a stored calendar is shown by.
pub(super) fn display_name(calendar: &CalendarRecord) -> String {
    if calendar.summary.trim().is_empty() {
        calendar.id.clone()
    } else {
        calendar.summary.clone()
    }
}

/// The row a listed calendar is stored as (watched and gone are kept by the store).
fn record_of(account: &str, entry: &CalendarListEntry) -> CalendarRecord {
    CalendarRecord {
        id: entry.id.clone(),
        account: account.to_string(),
        summary: entry.display_name().to_string(),
        color: entry.background_color.clone(),
        time_zone: entry.time_zone.clone(),
        primary: entry.primary,
        access_role: entry.access_role.clone(),
        watched: false,
        gone: false,
    }
}

/// Whether a stored calendar already shows what the list says of it.
fn same_listing(known: &CalendarRecord, listed: &CalendarRecord) -> bool {
    !known.gone
        && known.summary == listed.summary
        && known.color == listed.color
        && known.time_zone == listed.time_zone
        && known.primary == listed.primary
        && known.access_role == listed.access_role
}

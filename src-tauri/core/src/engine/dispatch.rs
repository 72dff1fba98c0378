//! Deliveries from the receiver to the sync workers (and to the calendar-list sync), and
//! the calendars the channel lifecycle found unwatched for a while or gone.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::calendar_list::{display_name, Leaving};
use super::{lock, EngineError, EngineEvent, Inner};
use crate::channels::Followup;
use crate::receiver::Delivery;
use crate::store::CalendarKey;

impl Inner {
    pub(super) fn on_delivery(self: &Arc<Self>, delivery: Delivery) {
        let channel_id = delivery.channel_id().to_string();
        // Only what passed the receiver's checks gets here: Google's own, never a probe.
        self.delivered(&channel_id);
        if let Err(e) = self
            .store
            .record_message_number(&channel_id, delivery.message_number())
        {
            tracing::warn!(error = %e, "could not record a message number");
        }
        // The channel's row names the account that created it: the calendar is that
        // account's (the same calendar id may be watched by two accounts, each its own
        // channel), and its sync and Google calls use that account's tokens.
        let calendar = match self.store.channel(&channel_id) {
            Ok(Some(record)) => record.calendar(),
            Ok(None) => {
                self.on_list_delivery(delivery);
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not read the channel of a delivery");
                return;
            }
        };
        match delivery {
            Delivery::Exists { .. } => self.calendar_changed(&calendar),
            Delivery::Sync {
                channel_id,
                resource_id,
                ..
            } => self.channels.confirmed(&channel_id, &resource_id),
            Delivery::NotExists { .. } => {
                // Whoever holds the channel token (the tunnel sees it) can send this: only
                // Google's own 404 lets the calendar go; anything else syncs as `exists`.
                let this = Arc::clone(self);
                tokio::spawn(async move {
                    let exists = match this.client.get(&calendar.account) {
                        Ok(client) => client.calendar_exists(&calendar.calendar_id).await,
                        Err(_) => Ok(true),
                    };
                    match exists {
                        Ok(false) => this.calendar_gone(&calendar),
                        Ok(true) | Err(_) => this.calendar_changed(&calendar),
                    }
                });
            }
        }
    }

    /// A delivery on a calendar-list channel (the receiver checked it as any other): the
    /// channel's row names the account whose list changed.
    fn on_list_delivery(self: &Arc<Self>, delivery: Delivery) {
        let channel_id = delivery.channel_id().to_string();
        let account = match self.store.list_channel(&channel_id) {
            Ok(Some(record)) => record.account,
            Ok(None) => {
                tracing::debug!(channel = %channel_id, "delivery for a channel already forgotten");
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not read the channel of a delivery");
                return;
            }
        };
        match delivery {
            Delivery::Sync {
                channel_id,
                resource_id,
                ..
            } => self.channels.confirmed(&channel_id, &resource_id),
            // A list does not stop existing; whatever Google says, the listing tells.
            Delivery::Exists { .. } | Delivery::NotExists { .. } => {
                self.calendar_list_changed(&account)
            }
        }
    }

    /// Something in a watched calendar changed: its worker syncs (coalesced).
    fn calendar_changed(&self, calendar: &CalendarKey) {
        let worker = lock(&self.workers).get(calendar).cloned();
        match worker {
            Some(worker) => worker.notify(),
            None => {
                tracing::debug!(calendar = %crate::account::log_label(&calendar.calendar_id), "notification for a calendar not watched")
            }
        }
    }

    /// Google says a watched calendar no longer exists (deleted, or no longer shared):
    /// stop watching it, keep its history, tell the user once.
    pub(super) fn calendar_gone(self: &Arc<Self>, calendar: &CalendarKey) {
        self.calendar_gone_because(calendar, Leaving::NoLongerShared);
    }

    /// [`Inner::calendar_gone`], saying why it left.
    pub(super) fn calendar_gone_because(self: &Arc<Self>, calendar: &CalendarKey, why: Leaving) {
        let calendar_id = calendar.calendar_id.as_str();
        let known = match self.store.calendar(calendar) {
            Ok(Some(calendar)) => calendar,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not read a calendar Google says is gone");
                return;
            }
        };
        if known.gone {
            // Both channels of a renewal overlap say so; once is enough.
            return;
        }
        tracing::info!(calendar = %crate::account::log_label(calendar_id), "Google says the calendar no longer exists");
        let gone = why.sentence(&display_name(&known), &calendar.account, true);
        // Kept with the calendar in the language then in effect (the Calendars row says it).
        let sentence = gone.in_(&crate::locale::current());
        if let Err(e) = self.store.mark_gone_because(calendar, Some(&sentence)) {
            tracing::warn!(error = %e, "could not mark a calendar gone");
        }
        self.emit(EngineEvent::Error(EngineError::NotFound(gone)));
        let this = Arc::clone(self);
        let calendar = calendar.clone();
        tokio::spawn(async move {
            if let Err(e) = this.unwatch(&calendar).await {
                tracing::warn!(error = %e, "could not stop watching a calendar that is gone");
            }
        });
    }
}

/// Receiver → sync: every accepted notification.
pub(super) async fn dispatch(inner: Arc<Inner>, mut deliveries: mpsc::UnboundedReceiver<Delivery>) {
    loop {
        tokio::select! {
            () = inner.cancel.cancelled() => return,
            delivery = deliveries.recv() => match delivery {
                Some(delivery) => inner.on_delivery(delivery),
                None => return,
            },
        }
    }
}

/// Sync → channels: calendars Google answers 404 for are let go, once each.
pub(super) async fn let_go(inner: Arc<Inner>, mut gone: mpsc::UnboundedReceiver<CalendarKey>) {
    loop {
        tokio::select! {
            () = inner.cancel.cancelled() => return,
            calendar = gone.recv() => match calendar {
                Some(calendar) => inner.calendar_gone(&calendar),
                None => return,
            },
        }
    }
}

/// Channels → sync: calendars (and calendar lists) nothing watched for a while are caught
/// up; calendars Google answers 404 to watching are let go.
pub(super) async fn fill_gaps(inner: Arc<Inner>, mut gaps: mpsc::UnboundedReceiver<Followup>) {
    loop {
        tokio::select! {
            () = inner.cancel.cancelled() => return,
            followup = gaps.recv() => match followup {
                Some(Followup::CatchUp(calendar)) => inner.worker(&calendar).catch_up(),
                Some(Followup::CatchUpList(account)) => inner.calendar_list_changed(&account),
                Some(Followup::Gone(calendar)) => inner.calendar_gone(&calendar),
                None => return,
            },
        }
    }
}

/// Calendar lists → watching: new calendars the person chose to watch automatically.
pub(super) async fn watch_new(
    inner: Arc<Inner>,
    mut to_watch: mpsc::UnboundedReceiver<CalendarKey>,
) {
    loop {
        tokio::select! {
            () = inner.cancel.cancelled() => return,
            calendar = to_watch.recv() => match calendar {
                Some(calendar) => {
                    let inner = Arc::clone(&inner);
                    tokio::spawn(async move {
                        match inner.watch(&calendar).await {
                            Ok(channel) => tracing::info!(channel = %channel.id, "a new calendar is watched automatically"),
                            Err(e) => {
                                tracing::warn!(error = %e, "could not watch a new calendar");
                                inner.emit(EngineEvent::Error(e));
                            }
                        }
                    });
                }
                None => return,
            },
        }
    }
}

//! Renewal: each channel's timer, and replacing a channel (new first, then stop the old).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::super::timing::renew_at_ms;
use super::{lock, ChannelError, Channels, Followup};
use crate::google::GoogleError;
use crate::store::{ChannelRecord, ChannelState};

/// How long a renewal waits for the new channel's `sync` message before stopping the old
/// channel anyway: the old one keeps delivering until the new one has shown it works.
const CONFIRM_WAIT: Duration = Duration::from_secs(30);
/// First wait after a failed renewal; doubles up to [`RENEW_RETRY_MAX`].
const RENEW_RETRY_FIRST: Duration = Duration::from_secs(30);
/// The longest wait between renewal attempts.
const RENEW_RETRY_MAX: Duration = Duration::from_secs(15 * 60);
/// Renewal timers wake at least this often to re-read the wall clock: tokio's clock
/// does not run while the machine sleeps, the wall clock does.
const WAKE_AT_LEAST_EVERY: Duration = Duration::from_secs(10 * 60);

impl Channels {
    /// New channel first, then stop the old: the calendar is never unwatched, and the
    /// kept sync token makes a change delivered on both channels count once.
    pub(super) async fn replace(
        &self,
        old: &ChannelRecord,
        expired: bool,
        _replacing: Replacing<'_>,
    ) -> Result<ChannelRecord, ChannelError> {
        self.set_state(&old.id, ChannelState::Renewing, None);
        let id = uuid::Uuid::new_v4().to_string();
        if let Some(replacement) = lock(&self.inner.replacing).get_mut(&old.id) {
            *replacement = Some(id.clone());
        }
        let new = self.open_as(&old.calendar(), id).await?;
        if self.live(&old.id).is_err() {
            // Stopped while Google was creating the new one, before it could be stopped
            // along with it.
            self.stop(&new.id).await?;
            return Err(ChannelError::NotFound(old.id.clone()));
        }
        self.await_confirmation(&new.id).await;
        if self.live(&new.id).is_err() {
            // The new one was stopped while it was awaited: the old one is all that still
            // watches the calendar (if it was not stopped too), so it stays.
            return Err(ChannelError::NotFound(new.id));
        }
        match self.stop(&old.id).await {
            // Stopped meanwhile (Stop, Unwatch): what became of the new one was decided
            // there too.
            Ok(()) | Err(ChannelError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
        if expired && self.live(&new.id).is_ok() {
            // Nothing watched the calendar between the expiry and now.
            let _ = self.inner.gaps.send(Followup::CatchUp(old.calendar()));
        }
        Ok(new)
    }

    /// The resource another live channel of `record`'s calendar watches, if there is one.
    pub(super) fn watched_resource(&self, record: &ChannelRecord) -> Option<String> {
        match self.inner.store.channels_for_calendar(&record.calendar()) {
            Ok(channels) => channels
                .into_iter()
                .filter(|c| c.id != record.id && c.state.is_live())
                .find_map(|c| c.resource_id),
            Err(e) => {
                tracing::warn!(error = %e, "could not read a calendar's channels");
                None
            }
        }
    }

    /// Marks `channel_id` as being replaced until the returned guard is dropped; `None` if
    /// it is already.
    pub(super) fn claim(&self, channel_id: &str) -> Option<Replacing<'_>> {
        let mut replacing = lock(&self.inner.replacing);
        if replacing.contains_key(channel_id) {
            return None;
        }
        replacing.insert(channel_id.to_string(), None);
        Some(Replacing {
            set: &self.inner.replacing,
            id: channel_id.to_string(),
        })
    }

    pub(super) async fn await_confirmation(&self, channel_id: &str) {
        let waiter = lock(&self.inner.confirmations).get(channel_id).cloned();
        if let Some(waiter) = waiter {
            tokio::select! {
                () = waiter.notified() => {}
                () = tokio::time::sleep(CONFIRM_WAIT) => {
                    tracing::info!(channel = channel_id, "no sync message from the new channel yet; stopping the old one anyway");
                }
                () = self.inner.cancel.cancelled() => {}
            }
        }
    }

    /// (Re)starts the renewal timer of `record`.
    pub(super) fn arm(&self, record: &ChannelRecord) {
        let token = self.inner.cancel.child_token();
        if let Some(previous) = lock(&self.inner.timers).insert(record.id.clone(), token.clone()) {
            previous.cancel();
        }
        let this = self.clone();
        let id = record.id.clone();
        tokio::spawn(async move { this.renewal_loop(&id, token).await });
    }

    pub(super) fn disarm(&self, channel_id: &str) {
        if let Some(token) = lock(&self.inner.timers).remove(channel_id) {
            token.cancel();
        }
    }

    pub(super) async fn renewal_loop(&self, channel_id: &str, cancel: CancellationToken) {
        let mut backoff = RENEW_RETRY_FIRST;
        loop {
            let Ok(old) = self.live(channel_id) else {
                return;
            };
            if old.resource_id.is_none() {
                if let Some(resource_id) = self.watched_resource(&old) {
                    // A previous run quit before Google answered this renewal's watch, and
                    // the channel it was to replace still watches the calendar (with its
                    // own timer): forget this one rather than add another. Every channel
                    // on a calendar watches the same resource, so Google can be told.
                    let _ = self.inner.store.record_watch_response(
                        &old.id,
                        &resource_id,
                        old.expiration_ms,
                    );
                    if let Err(e) = self.stop(&old.id).await {
                        tracing::warn!(channel = channel_id, error = %e, "could not forget an unanswered renewal");
                    }
                    return;
                }
            }
            let settings = self.settings();
            let moved = settings
                .callback_url
                .as_ref()
                .is_some_and(|url| *url != old.address);
            let at = if old.state == ChannelState::Pending && old.resource_id.is_none() {
                // Armed while still pending means a previous run died before Google
                // answered the watch: whether it exists there is unknown, so replace it.
                self.inner.clock.now_ms()
            } else if old.state == ChannelState::Renewing {
                // Armed while renewing means a previous run died before the renewal was
                // done (and `rearm` dropped its unconfirmed new channel): finish it now.
                self.inner.clock.now_ms()
            } else if moved {
                // It delivers to a callback URL no longer in use: move it now.
                self.inner.clock.now_ms()
            } else {
                renew_at_ms(
                    old.created_ms,
                    old.expiration_ms,
                    settings.renew_at_fraction,
                    settings.renew_min_lead,
                )
            };
            if !self.wait_until(at, &cancel).await {
                return;
            }
            let now = self.inner.clock.now_ms();
            let expired = now >= old.expiration_ms;
            let Some(replacing) = self.claim(channel_id) else {
                // "Renew now" is replacing it; that re-arms the timer if it fails.
                return;
            };
            if expired && old.state != ChannelState::Expired {
                self.set_state(&old.id, ChannelState::Expired, None);
            }
            match self.replace(&old, expired, replacing).await {
                Ok(_) => {
                    // The new channel has its own timer; this one is done.
                    lock(&self.inner.timers).remove(channel_id);
                    return;
                }
                Err(_) if self.live(channel_id).is_err() => {
                    // Stopped (Stop, Unwatch) while it was being replaced.
                    return;
                }
                Err(ChannelError::NotFound(new_id)) if new_id != channel_id => {
                    // The user stopped the new channel before the renewal was done: this
                    // one still watches the calendar, so nothing failed and there is
                    // nothing to report. It is shown as it was, and renewed again after a
                    // pause rather than the moment after the user stopped a channel.
                    let state = self.state_by_expiry(&old, &settings, ChannelState::Active);
                    tracing::info!(channel = channel_id, stopped = %new_id, "the renewal's new channel was stopped; renewing again");
                    self.set_state(&old.id, state, None);
                    tokio::select! {
                        () = cancel.cancelled() => return,
                        () = tokio::time::sleep(RENEW_RETRY_FIRST) => {}
                    }
                }
                Err(ChannelError::Google(GoogleError::NotFound)) => {
                    // The account cannot see the calendar any more: retrying would fail
                    // for ever. The engine lets it go, stopping this channel too.
                    tracing::info!(
                        channel = channel_id,
                        "Google says the calendar of a channel being renewed is gone"
                    );
                    let _ = self.inner.gaps.send(Followup::Gone(old.calendar()));
                    lock(&self.inner.timers).remove(channel_id);
                    return;
                }
                Err(e) => {
                    let state = self.state_by_expiry(&old, &settings, ChannelState::Error);
                    tracing::warn!(channel = channel_id, error = %e, retry_in = ?backoff, "channel renewal failed");
                    // The row's reason is the error's sentence as the window words it.
                    let said = crate::error::EngineError::from(e.clone()).message();
                    self.set_state(&old.id, state, Some(said));
                    (self.inner.report)(e);
                    tokio::select! {
                        () = cancel.cancelled() => return,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(RENEW_RETRY_MAX);
                }
            }
        }
    }

    /// Sleeps until the wall clock reads `at_ms`; false if cancelled first.
    pub(super) async fn wait_until(&self, at_ms: i64, cancel: &CancellationToken) -> bool {
        loop {
            let now = self.inner.clock.now_ms();
            if now >= at_ms {
                return true;
            }
            let left = Duration::from_millis((at_ms - now) as u64).min(WAKE_AT_LEAST_EVERY);
            tokio::select! {
                () = cancel.cancelled() => return false,
                () = tokio::time::sleep(left) => {}
            }
        }
    }
}

/// A channel being replaced; no longer so when dropped.
pub(super) struct Replacing<'a> {
    /// [`Inner::replacing`].
    pub(super) set: &'a Mutex<HashMap<String, Option<String>>>,
    /// The channel being replaced.
    pub(super) id: String,
}

impl Drop for Replacing<'_> {
    fn drop(&mut self) {
        lock(self.set).remove(&self.id);
    }
}

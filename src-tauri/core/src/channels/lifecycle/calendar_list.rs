//! Each account's calendar-list channel (`calendarList.watch`): created, renewed before
//! expiry (new first, then the old one stopped), stopped and re-armed after a restart like
//! a calendar's channels, on the same receiver with the same checks.

use std::collections::HashMap;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::super::timing::renew_at_ms;
use super::{lock, new_token, ChannelError, Channels, Followup, Watched};
use crate::receiver::RegisteredChannel;
use crate::secrets::Sensitive;
use crate::store::{ChannelState, ListChannelRecord};

/// What the receiver's registry names as a list channel's resource (it never reaches a
/// calendar's sync: the engine routes list channels by their own rows).
pub(super) const LIST_RESOURCE: &str = "users/me/calendarList";
/// First wait after a failed renewal; doubles up to [`RENEW_RETRY_MAX`].
const RENEW_RETRY_FIRST: Duration = Duration::from_secs(30);
/// The longest wait between renewal attempts.
const RENEW_RETRY_MAX: Duration = Duration::from_secs(15 * 60);

impl Channels {
    /// Watches `account`'s calendar list with its own tokens and arms the renewal.
    ///
    /// The row is stored and the receiver told *before* `calendarList.watch` is called:
    /// Google's `sync` message can arrive before the watch response.
    pub async fn open_list(&self, account: &str) -> Result<ListChannelRecord, ChannelError> {
        self.open_list_as(account, uuid::Uuid::new_v4().to_string())
            .await
    }

    async fn open_list_as(
        &self,
        account: &str,
        id: String,
    ) -> Result<ListChannelRecord, ChannelError> {
        let settings = self.settings();
        let address = settings.callback_url.ok_or(ChannelError::NoCallback)?;
        // Signed in, before anything is stored.
        self.inner.client.get(account)?;
        let now = self.inner.clock.now_ms();
        let mut record = ListChannelRecord {
            id,
            account: account.to_string(),
            resource_id: None,
            token: Sensitive::new(new_token()),
            address,
            expiration_ms: now + settings.ttl.as_millis() as i64,
            state: ChannelState::Pending,
            last_message_number: 0,
            created_ms: now,
        };
        self.inner.store.insert_list_channel(&record)?;
        let (resource_id, expiration_ms) = self
            .watch_at_google(
                Watched::List(account),
                (&record.id, &record.token, &record.address),
                settings.ttl,
            )
            .await?;
        record.resource_id = Some(resource_id);
        record.expiration_ms = expiration_ms;
        record.state = ChannelState::Active;
        self.arm_list(&record);
        self.changed();
        Ok(record)
    }

    /// Replaces a calendar-list channel now (the window's Renew), new first as the timer
    /// does; the timer's own renewal cannot run at the same moment.
    pub async fn renew_list(&self, channel_id: &str) -> Result<ListChannelRecord, ChannelError> {
        let old = self.live_list(channel_id)?;
        let _replacing = self
            .claim(channel_id)
            .ok_or_else(|| ChannelError::Renewing(channel_id.to_string()))?;
        self.disarm(channel_id);
        match self.replace_list(&old).await {
            Ok(new) => Ok(new),
            Err(e) => {
                // The old channel still delivers: its renewal goes on.
                if let Ok(current) = self.live_list(channel_id) {
                    self.arm_list(&current);
                }
                Err(e)
            }
        }
    }

    /// Whether `account`'s calendar list is watched (a live channel, maybe being renewed).
    pub fn watches_list(&self, account: &str) -> Result<bool, ChannelError> {
        Ok(self
            .inner
            .store
            .list_channels_of(account)?
            .iter()
            .any(|c| c.state.is_live()))
    }

    /// Stops every live calendar-list channel of `account` (signing out), with its tokens.
    pub async fn stop_list(&self, account: &str) -> Result<(), ChannelError> {
        for record in self.inner.store.list_channels_of(account)? {
            if record.state.is_live() {
                self.stop_list_channel(&record.id).await?;
            }
        }
        Ok(())
    }

    /// Stops one calendar-list channel: refused from now on, `channels.stop` at Google,
    /// forgotten once Google confirmed (else stopped again at the next start).
    async fn stop_list_channel(&self, channel_id: &str) -> Result<(), ChannelError> {
        let record = self.live_list(channel_id)?;
        self.disarm(channel_id);
        self.inner.registry.remove(channel_id);
        lock(&self.inner.confirmations).remove(channel_id);
        if record.resource_id.is_none() {
            // Google has not answered its watch yet; `open_list_as` stops it when the
            // answer comes and finds the row gone.
            self.inner.store.delete_list_channel(channel_id)?;
            self.changed();
            return Ok(());
        }
        self.inner
            .store
            .set_list_channel_state(channel_id, ChannelState::Stopped)?;
        self.changed();
        self.tell_google_list_stopped(&record).await;
        Ok(())
    }

    async fn tell_google_list_stopped(&self, record: &ListChannelRecord) {
        let told = self
            .stop_at_google(&record.id, &record.account, record.resource_id.as_deref())
            .await;
        match told {
            Ok(()) => {
                if let Err(e) = self.inner.store.delete_list_channel(&record.id) {
                    tracing::warn!(channel = %record.id, error = %e, "could not forget a stopped calendar-list channel");
                }
            }
            Err(e) => {
                tracing::warn!(channel = %record.id, error = %e, "Google could not be told to stop a calendar-list channel; trying again at the next start");
            }
        }
    }

    /// After a restart: every live calendar-list channel is known to the receiver again
    /// (with its last message number) and its renewal armed; stopped ones Google did not
    /// confirm are stopped there again. A renewal the previous run died in left two live
    /// channels on one list: the newer one that delivered is kept, else the older one.
    pub fn rearm_lists(&self) -> Result<(), ChannelError> {
        let mut by_account: HashMap<String, Vec<ListChannelRecord>> = HashMap::new();
        for record in self.inner.store.list_channels()? {
            if record.state.is_live() {
                by_account
                    .entry(record.account.clone())
                    .or_default()
                    .push(record);
            } else {
                let this = self.clone();
                tokio::spawn(async move { this.tell_google_list_stopped(&record).await });
            }
        }
        for (_, mut live) in by_account {
            // Oldest first (as stored); a confirmed newer one wins.
            let keep = live
                .iter()
                .rposition(|c| c.resource_id.is_some() && c.last_message_number > 0)
                .unwrap_or(0);
            let kept = live.remove(keep);
            for leftover in live {
                tracing::info!(channel = %leftover.id, "stopping the unneeded half of a calendar-list renewal a previous run left");
                self.inner
                    .store
                    .set_list_channel_state(&leftover.id, ChannelState::Stopped)?;
                let this = self.clone();
                tokio::spawn(async move { this.tell_google_list_stopped(&leftover).await });
            }
            let mut registered = RegisteredChannel::new(LIST_RESOURCE, kept.token.clone());
            registered.resource_id = kept.resource_id.clone();
            registered.last_message_number = kept.last_message_number;
            self.inner.registry.insert(kept.id.clone(), registered);
            self.arm_list(&kept);
        }
        Ok(())
    }

    /// Re-arms every calendar-list channel's renewal: one delivering to an address no
    /// longer in use (the callback URL changed) is replaced at once.
    pub fn move_lists(&self) -> Result<(), ChannelError> {
        for record in self.inner.store.list_channels()? {
            if record.state.is_live() && lock(&self.inner.timers).contains_key(&record.id) {
                self.arm_list(&record);
            }
        }
        Ok(())
    }

    /// The `sync` message of a calendar-list channel arrived: it works.
    pub(super) fn list_confirmed(&self, channel_id: &str) {
        match self.inner.store.list_channel(channel_id) {
            Ok(Some(record)) if record.state == ChannelState::Pending => {
                if let Err(e) = self
                    .inner
                    .store
                    .set_list_channel_state(channel_id, ChannelState::Active)
                {
                    tracing::warn!(error = %e, "could not record a confirmed calendar-list channel");
                }
                self.changed();
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "could not read a confirmed calendar-list channel")
            }
        }
    }

    /// The live calendar-list channel `channel_id`.
    pub(super) fn live_list(&self, channel_id: &str) -> Result<ListChannelRecord, ChannelError> {
        self.inner
            .store
            .list_channel(channel_id)?
            .filter(|r| r.state.is_live())
            .ok_or_else(|| ChannelError::NotFound(channel_id.to_string()))
    }

    /// (Re)starts the renewal timer of a calendar-list channel.
    pub(super) fn arm_list(&self, record: &ListChannelRecord) {
        let token = self.inner.cancel.child_token();
        if let Some(previous) = lock(&self.inner.timers).insert(record.id.clone(), token.clone()) {
            previous.cancel();
        }
        let this = self.clone();
        let id = record.id.clone();
        tokio::spawn(async move { this.list_renewal_loop(&id, token).await });
    }

    async fn list_renewal_loop(&self, channel_id: &str, cancel: CancellationToken) {
        let mut backoff = RENEW_RETRY_FIRST;
        loop {
            let Ok(old) = self.live_list(channel_id) else {
                return;
            };
            let settings = self.settings();
            let moved = settings
                .callback_url
                .as_ref()
                .is_some_and(|url| *url != old.address);
            let at = if (old.state == ChannelState::Pending && old.resource_id.is_none()) || moved {
                // A previous run died before Google answered, or the channel delivers to
                // an address no longer in use: replace it now.
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
            let expired = self.inner.clock.now_ms() >= old.expiration_ms;
            let replaced = {
                // A Renew from the window is replacing it right now: that one re-arms.
                let Some(_replacing) = self.claim(channel_id) else {
                    return;
                };
                self.replace_list(&old).await
            };
            match replaced {
                Ok(_) => {
                    lock(&self.inner.timers).remove(channel_id);
                    if expired {
                        // Nothing watched the list between the expiry and now.
                        let _ = self
                            .inner
                            .gaps
                            .send(Followup::CatchUpList(old.account.clone()));
                    }
                    return;
                }
                Err(_) if self.live_list(channel_id).is_err() => return,
                Err(e) => {
                    tracing::warn!(channel = channel_id, error = %e, retry_in = ?backoff, "calendar-list channel renewal failed");
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

    /// New channel first, then the old one stopped: the list is never unwatched.
    async fn replace_list(
        &self,
        old: &ListChannelRecord,
    ) -> Result<ListChannelRecord, ChannelError> {
        let new = self
            .open_list_as(&old.account, uuid::Uuid::new_v4().to_string())
            .await?;
        if self.live_list(&old.id).is_err() {
            // Signed out while Google was creating the new one.
            self.stop_list_channel(&new.id).await?;
            return Err(ChannelError::NotFound(old.id.clone()));
        }
        self.await_confirmation(&new.id).await;
        match self.stop_list_channel(&old.id).await {
            Ok(()) | Err(ChannelError::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
        Ok(new)
    }
}

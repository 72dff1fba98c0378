//! Push health: the public address is probed end to end (as the Test button does, with a
//! one-time nonce) at start, every check interval, and when asked (a network change, a
//! tunnel restart, a new callback URL). While the probe fails, every watched calendar is
//! synced on the short interval instead — the workers' backstop, so each change found is
//! told exactly as a pushed one — until a probe passes again.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::{lock, read, EngineEvent, Inner};
use crate::push_health::{down_reason, ChannelDelivery, PushHealth, PushState};
use crate::receiver;

/// What the engine knows about push.
#[derive(Debug, Default)]
pub(super) struct Health {
    /// The last verdict (its `last_deliveries` left empty: filled from the map below).
    pub(super) verdict: PushHealth,
    /// Channel id → when Google's last notification on it arrived (ms since the epoch).
    pub(super) last_deliveries: HashMap<String, i64>,
}

impl Inner {
    /// Push health as the window and the tray show it.
    pub(super) fn push_health(&self) -> PushHealth {
        let live: Vec<String> = self
            .live_channels()
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.id)
            .collect();
        let mut health = lock(&self.health);
        // Channels stopped or replaced since are forgotten, so the map stays small.
        health.last_deliveries.retain(|id, _| live.contains(id));
        let mut shown = health.verdict.clone();
        shown.last_deliveries = live
            .into_iter()
            .filter_map(|id| {
                let at = *health.last_deliveries.get(&id)?;
                Some(ChannelDelivery {
                    channel_id: id,
                    last_delivery_at: at,
                })
            })
            .collect();
        shown
    }

    /// Whether push is known to be down (the workers poll meanwhile).
    pub(super) fn push_down(&self) -> bool {
        lock(&self.health).verdict.is_down()
    }

    /// Google delivered a genuine notification on `channel_id`. While push is shown down
    /// that is a sign the way in works again: the address is probed at once rather than at
    /// the next polling interval (only a passing probe brings push back).
    pub(super) fn delivered(&self, channel_id: &str) {
        let now = self.clock.now_ms();
        let down = {
            let mut health = lock(&self.health);
            health.last_deliveries.insert(channel_id.to_string(), now);
            health.verdict.is_down()
        };
        if down {
            self.recheck.notify_one();
        }
    }

    /// Probes the public address now and records the verdict; a change is broadcast and
    /// switches the workers between push and polling.
    pub(super) async fn check_push(&self) -> PushHealth {
        let (url, allow_http, poll) = {
            let config = read(&self.config);
            (
                config.settings.callback_url.clone(),
                config.allow_http_callback,
                config.settings.timings.push_down_poll,
            )
        };
        let verdict = match url {
            None => (PushState::Unknown, None),
            Some(url) => {
                let probes = lock(&self.receiver).probes.clone();
                match probes {
                    None => (
                        PushState::Down,
                        Some("CalWatch's receiver is not listening".to_string()),
                    ),
                    Some(probes) => {
                        let mut report = receiver::check_callback(&url, &probes, allow_http).await;
                        if !report.ok {
                            // One lost packet must not turn the tray to attention: a
                            // second try decides.
                            report = receiver::check_callback(&url, &probes, allow_http).await;
                        }
                        match down_reason(&report) {
                            None => (PushState::Up, None),
                            Some(reason) => {
                                if let Some(step) = report.failure() {
                                    tracing::info!(step = %step.name, detail = %step.detail, "the public callback address does not reach this receiver");
                                }
                                (PushState::Down, Some(reason))
                            }
                        }
                    }
                }
            }
        };
        let (state, reason) = verdict;
        let checked_at = (state != PushState::Unknown).then(|| self.clock.now_ms());
        let polling_every_minutes = (state == PushState::Down).then(|| minutes(poll));
        let changed = {
            let mut health = lock(&self.health);
            let before = (health.verdict.state, health.verdict.reason.clone());
            health.verdict = PushHealth {
                state,
                reason: reason.clone(),
                checked_at,
                polling_every_minutes,
                last_deliveries: Vec::new(),
            };
            before != (state, reason)
        };
        if changed {
            match state {
                PushState::Down => {
                    tracing::warn!(every = ?poll, "push is down; polling every watched calendar meanwhile")
                }
                PushState::Up => tracing::info!("push works"),
                PushState::Unknown => tracing::info!("push health unknown"),
            }
            self.refresh_worker_timings();
            let health = self.push_health();
            self.emit(EngineEvent::PushHealth(health));
        }
        self.emit(EngineEvent::State);
        self.push_health()
    }

    /// The workers' timings from the settings and push health (polling while down).
    pub(super) fn refresh_worker_timings(&self) {
        let down = self.push_down();
        let timings = super::settings::worker_timings(&read(&self.config), down);
        self.timings.send_replace(timings);
    }
}

/// `poll` in whole minutes, rounded up (a test's few seconds read as one minute).
pub(super) fn minutes(poll: Duration) -> u32 {
    u32::try_from(poll.as_secs().div_ceil(60)).unwrap_or(u32::MAX)
}

/// Probes at start, then every check interval (every poll interval while down, so push
/// is back as soon as the address works, and each account's calendar list is read each
/// time), and whenever [`Inner::recheck`] is notified.
pub(super) async fn watch_health(inner: Arc<Inner>) {
    loop {
        let (interval, poll) = {
            let config = read(&inner.config);
            let t = &config.settings.timings;
            (t.push_check_interval, t.push_down_poll)
        };
        if !interval.is_zero() {
            inner.check_push().await;
            if inner.push_down() {
                // The calendar lists' notifications do not come either: list what changed
                // as often as the calendars are polled.
                inner.follow_calendar_lists();
            }
        }
        let wait = if interval.is_zero() {
            None
        } else if inner.push_down() && !poll.is_zero() {
            Some(interval.min(poll))
        } else {
            Some(interval)
        };
        let timer = async {
            match wait {
                Some(wait) => tokio::time::sleep(wait).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = inner.cancel.cancelled() => return,
            () = inner.recheck.notified() => {}
            () = timer => {}
        }
    }
}

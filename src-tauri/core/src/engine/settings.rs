//! Settings the window changes: the patch, and applying it to the running engine.

use super::{lock, write, EngineError, EngineEvent, Inner};
use crate::channels::ChannelSettings;
use crate::config::Config;
use crate::sync::WorkerTimings;

/// A change to the settings from the window; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsPatch {
    /// Pause notices (changes are still recorded).
    pub paused: Option<bool>,
    /// More changes than this in one sync become one summary.
    pub summary_threshold: Option<usize>,
    /// Backstop sync interval in minutes; 0 turns it off.
    pub backstop_minutes: Option<u64>,
    /// The receiver's local port (rebinds at once).
    pub receiver_port: Option<u16>,
}

impl Inner {
    /// Changes settings from the window and saves them.
    pub(super) async fn update_settings(&self, patch: SettingsPatch) -> Result<(), EngineError> {
        let inner = self;
        let rebind = {
            let mut config = write(&inner.config);
            if let Some(paused) = patch.paused {
                config.settings.paused = paused;
                inner.outbox.set_paused(paused);
            }
            if let Some(threshold) = patch.summary_threshold {
                config.settings.summary_threshold = threshold;
                inner.outbox.set_threshold(threshold);
            }
            if let Some(minutes) = patch.backstop_minutes {
                config.settings.timings.backstop_interval =
                    std::time::Duration::from_secs(minutes * 60);
                inner.timings.send_replace(worker_timings(&config));
            }
            let failed = lock(&inner.receiver).error.is_some();
            let rebind = match patch.receiver_port {
                // The same port again is a retry when it was taken before.
                Some(port) if failed || port != config.settings.receiver_addr.port() => {
                    config.settings.receiver_addr.set_port(port);
                    Some(config.settings.receiver_addr)
                }
                _ => None,
            };
            config.save()?;
            rebind
        };
        if let Some(address) = rebind {
            inner.bind_receiver(address).await;
        }
        inner.emit(EngineEvent::State);
        match rebind.and_then(|_| lock(&inner.receiver).error.clone()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

pub(super) fn channel_settings(config: &Config) -> ChannelSettings {
    let t = &config.settings.timings;
    ChannelSettings {
        callback_url: config.settings.callback_url.clone(),
        ttl: t.channel_ttl,
        renew_at_fraction: t.renew_at_fraction,
        renew_min_lead: t.renew_min_lead,
    }
}

pub(super) fn worker_timings(config: &Config) -> WorkerTimings {
    WorkerTimings {
        coalesce_window: config.settings.timings.coalesce_window,
        backstop_interval: config.settings.timings.backstop_interval,
        retry_first: config.settings.timings.sync_retry_first,
        retry_max: config.settings.timings.sync_retry_max,
    }
}

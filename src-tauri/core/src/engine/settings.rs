//! Settings the window changes: the patch, and applying it to the running engine.

use super::{lock, write, EngineError, EngineEvent, Inner};
use crate::channels::ChannelSettings;
use crate::config::Config;
use crate::error::Sentence;
use crate::locale::{self, HourCycle, LanguageChoice};
use crate::noise::NoticeRules;
use crate::receiver::site_verification;
use crate::sync::WorkerTimings;

/// A change to the settings from the window; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsPatch {
    /// Pause notices until resumed (changes are still recorded); `false` resumes.
    pub paused: Option<bool>,
    /// The noise rules everywhere (declined, only attendee, replies, quiet hours).
    pub notices: Option<NoticeRules>,
    /// More changes than this in one sync become one summary.
    pub summary_threshold: Option<usize>,
    /// Backstop sync interval in minutes; 0 turns it off.
    pub backstop_minutes: Option<u64>,
    /// The receiver's local port (rebinds at once).
    pub receiver_port: Option<u16>,
    /// While push is down, how often every watched calendar is synced, in minutes.
    pub push_down_poll_minutes: Option<u64>,
    /// The domain verification file to serve (`google<hex>.html`, as Search Console
    /// names it); an empty string stops serving it.
    pub site_verification_file: Option<String>,
    /// The language: the OS's, English or Korean (applies to the next toast).
    pub language: Option<LanguageChoice>,
    /// Twelve or twenty-four hours, or the locale's habit.
    pub hour_cycle: Option<HourCycle>,
    /// Watch calendars newly shared with an account at once instead of offering them.
    pub watch_new_calendars: Option<bool>,
}

/// The longest polling interval while push is down: an hour (the backstop covers longer).
pub const MAX_PUSH_DOWN_POLL_MINUTES: u64 = 60;

/// The longest backstop interval the window offers: a day.
pub const MAX_BACKSTOP_MINUTES: u64 = 24 * 60;

impl SettingsPatch {
    /// Refuses a value the engine cannot use, with a sentence saying what is allowed;
    /// nothing of a refused patch is applied or saved.
    pub fn validate(&self) -> Result<(), EngineError> {
        let refuse = |id: &'static str| Err(EngineError::InvalidSetting(Sentence::of(id, vec![])));
        if self.summary_threshold == Some(0) {
            return refuse("error-setting-threshold");
        }
        if self
            .backstop_minutes
            .is_some_and(|m| m > MAX_BACKSTOP_MINUTES)
        {
            return refuse("error-setting-backstop");
        }
        if let Some(problem) = self.notices.as_ref().and_then(NoticeRules::problem) {
            return Err(EngineError::InvalidSetting(Sentence::of(problem, vec![])));
        }
        if self.receiver_port == Some(0) {
            return refuse("error-setting-port");
        }
        if self
            .push_down_poll_minutes
            .is_some_and(|m| m == 0 || m > MAX_PUSH_DOWN_POLL_MINUTES)
        {
            return refuse("error-setting-poll");
        }
        if let Some(name) = self.site_verification_file.as_deref() {
            if !name.trim().is_empty() {
                site_verification::check_file_name(name)
                    .map_err(|s| EngineError::InvalidSetting(s.into()))?;
            }
        }
        Ok(())
    }

    /// The verification file's name as it is served (`None` stops serving it); only
    /// meaningful after [`SettingsPatch::validate`].
    fn verification_file_name(&self) -> Option<Option<String>> {
        self.site_verification_file.as_deref().map(|name| {
            (!name.trim().is_empty())
                .then(|| site_verification::check_file_name(name).ok())
                .flatten()
        })
    }
}

impl Inner {
    /// Changes settings from the window and saves them.
    pub(super) async fn update_settings(&self, patch: SettingsPatch) -> Result<(), EngineError> {
        patch.validate()?;
        let inner = self;
        let (rebind, push_down) = {
            let mut config = write(&inner.config);
            // Read under the config lock: a health check that turns push down meanwhile
            // sends its timings after this, so the last word is the right one.
            let push_down = inner.push_down();
            if let Some(paused) = patch.paused {
                // The switch in Settings pauses until resumed, as the tray's third choice.
                config.settings.paused = paused;
                config.settings.paused_until_ms = None;
            }
            if let Some(notices) = &patch.notices {
                config.settings.notices = notices.clone();
            }
            if patch.paused.is_some() || patch.notices.is_some() {
                inner.noise_settings_changed(&config.settings);
            }
            if let Some(on) = patch.watch_new_calendars {
                config.settings.watch_new_calendars = on;
            }
            if let Some(threshold) = patch.summary_threshold {
                config.settings.summary_threshold = threshold;
                inner.outbox.set_threshold(threshold);
            }
            if let Some(minutes) = patch.backstop_minutes {
                config.settings.timings.backstop_interval =
                    std::time::Duration::from_secs(minutes * 60);
            }
            if let Some(minutes) = patch.push_down_poll_minutes {
                config.settings.timings.push_down_poll =
                    std::time::Duration::from_secs(minutes * 60);
            }
            if patch.backstop_minutes.is_some() || patch.push_down_poll_minutes.is_some() {
                inner
                    .timings
                    .send_replace(worker_timings(&config, push_down));
            }
            if let Some(name) = patch.verification_file_name() {
                inner.site_verification.set(name.clone());
                config.settings.site_verification_file = name;
            }
            if let Some(language) = patch.language {
                config.settings.language = language;
            }
            if let Some(hours) = patch.hour_cycle {
                config.settings.hour_cycle = hours;
            }
            if patch.language.is_some() || patch.hour_cycle.is_some() {
                locale::set_current(config.locale());
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
            (rebind, push_down)
        };
        if let Some(address) = rebind {
            inner.bind_receiver(address).await;
        }
        if patch.push_down_poll_minutes.is_some() && push_down {
            // The next probe (now) restates how often Google is checked meanwhile.
            inner.recheck.notify_one();
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

/// The workers' timings; while push is down (`push_down`) the backstop runs on the short
/// polling interval, so every watched calendar is synced that often.
pub(super) fn worker_timings(config: &Config, push_down: bool) -> WorkerTimings {
    let t = &config.settings.timings;
    let backstop_interval = if push_down && !t.push_down_poll.is_zero() {
        if t.backstop_interval.is_zero() {
            t.push_down_poll
        } else {
            t.backstop_interval.min(t.push_down_poll)
        }
    } else {
        t.backstop_interval
    };
    WorkerTimings {
        coalesce_window: config.settings.timings.coalesce_window,
        backstop_interval,
        retry_first: config.settings.timings.sync_retry_first,
        retry_max: config.settings.timings.sync_retry_max,
    }
}

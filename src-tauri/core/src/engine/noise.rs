//! Noise control on the running engine: pausing and resuming (saved in settings.json),
//! each calendar's rules, and the task that follows quiet hours and pauses: it ends a
//! timed pause when its time comes, tells the digest once nothing holds toasts back, and
//! tells the window when the hold changes (the tray's icon and tooltip follow).

use std::sync::Arc;
use std::time::Duration;

use super::{write, EngineError, EngineEvent, Inner};
use crate::config::Settings;
use crate::noise::{pause_end, CalendarRules, Hold, PauseFor};
use crate::sync::outbox::NoiseSettings;

/// The longest the task sleeps between looks: the wall clock can jump (sleep, a new
/// time zone), and a minute late is the most a digest or the tray may lag.
const LOOK_AGAIN: Duration = Duration::from_secs(60);

/// What the outbox follows, from the settings.
pub(super) fn noise_settings(settings: &Settings) -> NoiseSettings {
    NoiseSettings {
        paused: settings.paused,
        paused_until: settings
            .paused
            .then_some(settings.paused_until_ms)
            .flatten(),
        rules: settings.notices.clone(),
    }
}

impl Inner {
    /// Applies the noise settings in `config` to the outbox and wakes the task.
    pub(super) fn noise_settings_changed(&self, settings: &Settings) {
        self.outbox.set_noise(noise_settings(settings));
        self.noise_changed.notify_one();
    }

    /// Sets the pause (`None`: resumed) and saves it.
    fn set_pause(&self, pause: Option<Option<i64>>) -> Result<(), EngineError> {
        {
            let mut config = write(&self.config);
            config.settings.paused = pause.is_some();
            config.settings.paused_until_ms = pause.flatten();
            self.noise_settings_changed(&config.settings);
            config.save()?;
        }
        self.emit(EngineEvent::State);
        Ok(())
    }

    pub(super) fn pause(&self, length: PauseFor) -> Result<(), EngineError> {
        let until = pause_end(length, self.clock.now_ms(), self.outbox.time_zone());
        tracing::info!(?length, "notifications paused");
        self.set_pause(Some(until))
    }

    pub(super) fn resume(&self) -> Result<(), EngineError> {
        tracing::info!("notifications resumed");
        self.set_pause(None)
    }

    pub(super) fn set_calendar_rules(
        &self,
        calendar: &crate::store::CalendarKey,
        rules: CalendarRules,
    ) -> Result<(), EngineError> {
        if let Some(problem) = rules.problem() {
            return Err(EngineError::InvalidSetting(crate::error::Sentence::of(
                problem,
                vec![],
            )));
        }
        self.store.set_calendar_rules(calendar, &rules)?;
        self.emit(EngineEvent::Calendars);
        Ok(())
    }

    /// What holds toasts back now.
    pub(super) fn hold_now(&self) -> Hold {
        self.outbox.hold_at(self.clock.now_ms())
    }
}

/// Follows quiet hours and pauses until the engine stops: ends a timed pause when it is
/// over, tells the digest when nothing holds toasts back any more (also at start, for
/// what a previous run held), and says when the hold changed.
pub(super) async fn follow_holds(inner: Arc<Inner>) {
    let mut last = None;
    loop {
        let now = inner.clock.now_ms();
        let noise = inner.outbox.noise();
        if noise.paused && noise.paused_until.is_some_and(|until| until <= now) {
            tracing::info!("the pause is over");
            if let Err(e) = inner.set_pause(None) {
                tracing::warn!(error = %e, "could not save the end of the pause");
            }
        }
        let hold = inner.hold_now();
        if hold == Hold::None {
            let told = inner.outbox.release_digest().await;
            if told > 0 {
                tracing::info!(changes = told, "digest told");
            }
        }
        if last.is_some_and(|l| l != hold) {
            inner.emit(EngineEvent::State);
        }
        last = Some(hold);
        // Wake when the hold ends or the next quiet window starts, or a minute from now.
        let quiet = &inner.outbox.noise().rules.quiet_hours;
        let next = [
            hold.until(),
            quiet.next_start(now, inner.outbox.time_zone()),
        ]
        .into_iter()
        .flatten()
        .min();
        let wait = next.map_or(LOOK_AGAIN, |at| {
            Duration::from_millis(u64::try_from(at - now).unwrap_or(0)).min(LOOK_AGAIN)
        });
        tokio::select! {
            () = inner.cancel.cancelled() => return,
            () = inner.noise_changed.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

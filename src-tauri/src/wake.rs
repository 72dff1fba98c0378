//! Notices that the computer slept or that its network came back, so the engine can catch
//! up at once (Google may have posted to a receiver that was not running or could not be
//! reached), and keeps the tray's "next renewal in …" current. Sleep shows as the wall
//! clock running ahead of the monotonic clock, which stops during suspend on Linux; this
//! needs no platform power API. The network is [`crate::network`]'s.

use std::time::{Duration, Instant, SystemTime};

use tauri::{AppHandle, Manager as _, Runtime};

use crate::active::ActiveEngine;
use crate::network::{self, Routes};

/// How often the clocks and the routes are compared (and the tray refreshed).
pub const TICK: Duration = Duration::from_secs(60);

/// More wall-clock time than this beyond the monotonic time means the machine slept
/// (small differences are NTP adjustments).
const SLEEP_MARGIN: Duration = Duration::from_secs(60);

/// True when, over one tick, the wall clock moved on by clearly more than the monotonic
/// clock: the machine was suspended in between.
pub fn slept(wall_elapsed: Duration, monotonic_elapsed: Duration) -> bool {
    wall_elapsed > monotonic_elapsed + SLEEP_MARGIN
}

/// Runs for the life of the app.
pub fn watch<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut ticks = tokio::time::interval(TICK);
        let mut last = (SystemTime::now(), Instant::now());
        let mut routes = Routes::current();
        loop {
            ticks.tick().await;
            let now = (SystemTime::now(), Instant::now());
            let wall = now.0.duration_since(last.0).unwrap_or_default();
            let asleep = slept(wall, now.1 - last.1);
            let routes_now = Routes::current();
            let back = match (&routes, &routes_now) {
                (Some(before), Some(now)) => network::came_back(before, now),
                _ => false,
            };
            if asleep || back {
                if let Some(active) = app.try_state::<ActiveEngine>() {
                    if asleep {
                        tracing::info!(
                            asleep_s = (wall - (now.1 - last.1)).as_secs(),
                            "woke from sleep: catching up"
                        );
                    } else {
                        tracing::info!(routes = ?routes_now, "network back or moved: catching up");
                    }
                    let engine = active.engine();
                    engine.resumed().await;
                    // The public address may lead elsewhere on the new network.
                    if back {
                        engine.recheck_push().await;
                    }
                }
            }
            last = now;
            routes = routes_now;
            crate::tray::refresh(&app).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suspend_shows_as_wall_time_the_monotonic_clock_did_not_see() {
        assert!(
            slept(Duration::from_secs(3_600), TICK),
            "an hour of wall time in one tick is a sleep"
        );
        assert!(
            !slept(TICK + Duration::from_secs(2), TICK),
            "an NTP nudge is not a sleep"
        );
        assert!(!slept(TICK, TICK));
    }
}

//! Notices that the computer slept or that its network came back, so the engine can catch
//! up at once (Google may have posted to a receiver that was not running or could not be
//! reached), and keeps the tray's "next renewal in …" current. Sleep shows as the wall
//! clock running ahead of the monotonic clock, which stops during suspend on Linux; this
//! needs no platform power API. The network is [`crate::network`]'s: on Linux the kernel
//! says when a route changes, so nothing polls for it; elsewhere (or if that cannot be
//! heard) the tick reads the routes.

use std::time::{Duration, Instant, SystemTime};

use std::sync::Arc;

use crate::network::{self, Routes};
use crate::shell::Shell;

/// How often the clocks are compared and the tray refreshed: the one periodic timer of
/// the shell. A minute is the tray's finest unit ("12 min") and the longest a catch-up
/// after sleep waits.
pub const TICK: Duration = Duration::from_secs(60);

/// More wall-clock time than this beyond the monotonic time means the machine slept
/// (small differences are NTP adjustments).
const SLEEP_MARGIN: Duration = Duration::from_secs(60);

/// A burst of route messages (IPv4 and IPv6, a route removed and added back by DHCP) is
/// read as one change once this passes without another.
#[cfg(target_os = "linux")]
const ROUTES_SETTLE: Duration = Duration::from_secs(1);

/// True when, over one tick, the wall clock moved on by clearly more than the monotonic
/// clock: the machine was suspended in between.
pub fn slept(wall_elapsed: Duration, monotonic_elapsed: Duration) -> bool {
    wall_elapsed > monotonic_elapsed + SLEEP_MARGIN
}

/// The kernel's route changes, where it tells them; `None` means the tick reads the routes.
#[cfg(target_os = "linux")]
type Changes = Option<network::RouteChanges>;
#[cfg(not(target_os = "linux"))]
type Changes = Option<std::convert::Infallible>;

#[cfg(target_os = "linux")]
fn listen_for_route_changes() -> Changes {
    match network::RouteChanges::subscribe() {
        Ok(changes) => Some(changes),
        Err(err) => {
            tracing::warn!(error = %err, "route changes cannot be heard; reading the routes every tick");
            None
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn listen_for_route_changes() -> Changes {
    None
}

/// Resolves when the routes may have changed; never without a listener. A listener that
/// fails is dropped (the tick reads the routes from then on).
async fn route_change(changes: &mut Changes) {
    #[cfg(target_os = "linux")]
    if let Some(listener) = changes {
        match listener.next(ROUTES_SETTLE).await {
            Ok(()) => return,
            Err(err) => {
                tracing::warn!(error = %err, "route changes can no longer be heard; reading the routes every tick");
                *changes = None;
                return;
            }
        }
    }
    let _ = changes;
    std::future::pending().await
}

/// What woke the watcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Woke {
    /// The minute tick.
    Tick,
    /// The kernel said a route changed.
    Routes,
}

/// Runs for the life of the app.
pub fn watch(shell: Arc<Shell>) {
    let app = Arc::clone(&shell);
    shell.spawn(async move {
        let mut ticks = tokio::time::interval(TICK);
        let mut last = (SystemTime::now(), Instant::now());
        let mut changes = listen_for_route_changes();
        let mut routes = Routes::current();
        loop {
            let woke = tokio::select! {
                _ = ticks.tick() => Woke::Tick,
                () = route_change(&mut changes) => Woke::Routes,
            };
            let mut asleep = false;
            if woke == Woke::Tick {
                let now = (SystemTime::now(), Instant::now());
                let wall = now.0.duration_since(last.0).unwrap_or_default();
                asleep = slept(wall, now.1 - last.1);
                if asleep {
                    tracing::info!(
                        asleep_s = (wall - (now.1 - last.1)).as_secs(),
                        "woke from sleep: catching up"
                    );
                }
                last = now;
            }
            // Read on the kernel's word, and on each tick too (no extra wake-up): that is
            // all there is where the kernel is not heard, and it covers a burst cut short
            // by the tick.
            let routes_now = Routes::current();
            let back = match (&routes, &routes_now) {
                (Some(before), Some(now)) => network::came_back(before, now),
                _ => false,
            };
            if back {
                tracing::info!(routes = ?routes_now, "network back or moved: catching up");
            }
            routes = routes_now;
            if asleep || back {
                if let Some(active) = app.active() {
                    let engine = active.engine();
                    engine.resumed().await;
                    // The public address may lead elsewhere on the new network.
                    if back {
                        engine.recheck_push().await;
                    }
                }
            }
            // A catch-up refreshes the tray through the engine's events; the tick keeps
            // its countdown current.
            if woke == Woke::Tick {
                app.refresh_tray();
            }
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

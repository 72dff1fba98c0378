//! Wall-clock time, passed in: the engine, the tokens and the store read "now" from one
//! injected [`Clock`], so expiry logic can be tested with paused tokio time.

use std::time::{SystemTime, UNIX_EPOCH};

/// Where the core reads "now" (milliseconds since the epoch) when it compares stored
/// wall-clock times, such as a channel's expiration, with the present.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

/// The real system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

/// A clock that starts at a given wall time and then follows tokio's clock, so that
/// `tokio::time::advance` moves it too (tests with paused time).
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    /// The wall time at `base`.
    base_ms: i64,
    /// The tokio instant that corresponds to `base_ms`.
    base: tokio::time::Instant,
}

impl TokioClock {
    /// Starts at the current system time.
    pub fn new() -> Self {
        Self::starting_at(SystemClock.now_ms())
    }

    /// Starts at `ms` (e.g. days after the system time, to play a restart after a long
    /// time off).
    pub fn starting_at(ms: i64) -> Self {
        TokioClock {
            base_ms: ms,
            base: tokio::time::Instant::now(),
        }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    fn now_ms(&self) -> i64 {
        self.base_ms + self.base.elapsed().as_millis() as i64
    }
}

/// The person's time zone (the system's IANA zone), UTC when it cannot be told: quiet
/// hours and "until tomorrow" are wall-clock times in it.
pub fn local_time_zone() -> chrono_tz::Tz {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| name.parse().ok())
        .unwrap_or(chrono_tz::UTC)
}

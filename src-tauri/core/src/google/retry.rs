//! How long to wait before trying Google again.

use std::time::Duration;

use rand::Rng;

/// Bounded exponential backoff with full jitter, for rate limits and server errors.
///
/// Full jitter (a random wait between zero and the exponential bound) keeps many
/// clients that failed together from coming back together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests made at most, the first one included; 1 means never retry.
    pub max_attempts: u32,
    /// The bound on the first wait; it doubles with every retry.
    pub base: Duration,
    /// No single wait is longer than this, whatever the doubling or `Retry-After` says.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    /// Five tries over at most ~3 s of waiting on average: enough to ride out a burst
    /// of Google's per-user rate limit without holding a sync for long.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 for the first retry).
    ///
    /// A `Retry-After` from the server raises the wait to at least that, still capped.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let bound = self.base.saturating_mul(factor).min(self.cap);
        let micros = u64::try_from(bound.as_micros()).unwrap_or(u64::MAX);
        let jittered = Duration::from_micros(rand::thread_rng().gen_range(0..=micros));
        match retry_after {
            Some(wait) => jittered.max(wait).min(self.cap),
            None => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_within_the_doubling_bound_and_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base: Duration::from_millis(100),
            cap: Duration::from_millis(1000),
        };
        for _ in 0..200 {
            assert!(policy.delay(1, None) <= Duration::from_millis(100));
            assert!(policy.delay(3, None) <= Duration::from_millis(400));
            assert!(
                policy.delay(40, None) <= Duration::from_millis(1000),
                "a late retry never waits longer than the cap"
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 3,
            base: Duration::from_millis(1),
            cap: Duration::from_secs(5),
        };
        assert!(policy.delay(1, Some(Duration::from_secs(2))) >= Duration::from_secs(2));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(60))),
            Duration::from_secs(5),
            "a huge Retry-After must not stall a sync beyond the cap"
        );
    }
}

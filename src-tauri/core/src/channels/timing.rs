//! When a channel is renewed: at a fraction of its life, never later than a lead before
//! expiry, and never in a tight loop when Google hands out short-lived channels.

use std::time::Duration;

/// However short a channel's life looks, it is not replaced sooner than this after it was
/// created: an expiration already in the past by our clock (a skewed clock) must not make
/// renewals spin.
pub const MIN_AGE_BEFORE_RENEWAL: Duration = Duration::from_secs(60);

/// The wall-clock time (ms) at which a channel created at `created_ms` and expiring at
/// `expiration_ms` should be replaced.
///
/// At `fraction` of its life, but no later than `min_lead` before expiry. A channel whose
/// whole life is shorter than the lead (Google may cut the ttl) is renewed at half its
/// life rather than at once, and none sooner than [`MIN_AGE_BEFORE_RENEWAL`], so renewals
/// cannot spin.
pub fn renew_at_ms(created_ms: i64, expiration_ms: i64, fraction: f64, min_lead: Duration) -> i64 {
    let life = (expiration_ms - created_ms).max(0);
    let fraction = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0)
    } else {
        0.9
    };
    let at_fraction = created_ms + (life as f64 * fraction) as i64;
    let by_lead = expiration_ms - min_lead.as_millis() as i64;
    let half = created_ms + life / 2;
    at_fraction
        .min(by_lead)
        .max(half)
        .max(created_ms + MIN_AGE_BEFORE_RENEWAL.as_millis() as i64)
}

/// Whether a channel expiring at `expiration_ms` should be shown as expiring soon at
/// `now_ms` (inside the lead and not yet renewed).
pub fn expiring_soon(now_ms: i64, expiration_ms: i64, min_lead: Duration) -> bool {
    now_ms < expiration_ms && expiration_ms - now_ms <= min_lead.as_millis() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;
    const DAY: i64 = 24 * HOUR;

    #[test]
    fn a_week_long_channel_renews_at_ninety_percent() {
        let at = renew_at_ms(0, 7 * DAY, 0.9, Duration::from_secs(3600));
        assert_eq!(
            at,
            (7 * DAY) * 9 / 10,
            "90 % of 7 days is well over an hour before expiry"
        );
    }

    #[test]
    fn a_day_long_channel_renews_an_hour_before_expiry_at_the_latest() {
        let at = renew_at_ms(0, 5 * HOUR, 0.9, Duration::from_secs(3600));
        assert_eq!(
            at,
            4 * HOUR,
            "90 % of 5 h is 4.5 h, later than 1 h before expiry"
        );
    }

    #[test]
    fn a_channel_shorter_than_the_lead_renews_at_half_life_not_at_once() {
        let at = renew_at_ms(1000, 1000 + 30 * 60_000, 0.9, Duration::from_secs(3600));
        assert_eq!(at, 1000 + 15 * 60_000, "renewing at creation would loop");
    }

    #[test]
    fn an_expiration_already_past_by_our_clock_still_waits_a_minute() {
        let created = 10 * DAY;
        let at = renew_at_ms(created, created - HOUR, 0.9, Duration::from_secs(3600));
        assert_eq!(
            at,
            created + 60_000,
            "a skewed clock must not make renewals spin"
        );
    }
}

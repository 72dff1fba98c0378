//! Quiet hours and pauses in time. Everything takes "now" and the person's zone as
//! arguments, so the tests walk across midnight and daylight-saving changes with a
//! virtual clock and no sleeping.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::rules::QuietHours;

/// Why toasts are held back right now, if they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Toasts are shown.
    None,
    /// Paused from the tray or Settings; `until` is `None` for "until I resume".
    Paused {
        /// When the pause ends by itself (ms since the epoch).
        until: Option<i64>,
    },
    /// Inside the quiet hours, which end at `until` (ms since the epoch).
    Quiet {
        /// When this quiet window ends.
        until: i64,
    },
}

impl Hold {
    /// Whether what is held back now is told in one digest when the hold ends: quiet
    /// hours and a pause with an end are; a pause "until I resume" is not (as before:
    /// resuming never replays a backlog).
    pub fn digests(self) -> bool {
        matches!(self, Hold::Quiet { .. } | Hold::Paused { until: Some(_) })
    }

    /// When the hold ends by itself, if it does.
    pub fn until(self) -> Option<i64> {
        match self {
            Hold::None | Hold::Paused { until: None } => None,
            Hold::Paused { until: Some(at) } | Hold::Quiet { until: at } => Some(at),
        }
    }

    /// What holds toasts back at `now_ms`: a pause first, then the quiet hours.
    pub fn at(
        paused: bool,
        paused_until: Option<i64>,
        quiet: &QuietHours,
        now_ms: i64,
        tz: Tz,
    ) -> Hold {
        if paused && paused_until.is_none_or(|until| now_ms < until) {
            return Hold::Paused {
                until: paused_until,
            };
        }
        match quiet.window_at(now_ms, tz) {
            Some((_, until)) => Hold::Quiet { until },
            None => Hold::None,
        }
    }
}

/// How long a pause from the tray lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseFor {
    /// One hour from now.
    Hour,
    /// Until 08:00 tomorrow, local time.
    UntilTomorrow,
    /// Until the person resumes.
    UntilResumed,
}

/// The hour "until tomorrow" ends at, local time.
const TOMORROW_HOUR: u32 = 8;

/// When a pause of `length` started at `now_ms` ends (`None`: when the person resumes).
pub fn pause_end(length: PauseFor, now_ms: i64, tz: Tz) -> Option<i64> {
    match length {
        PauseFor::Hour => Some(now_ms + 3_600_000),
        PauseFor::UntilTomorrow => {
            let today = local(now_ms, tz).date();
            let tomorrow = today.succ_opt()?;
            Some(instant(
                tomorrow.and_time(NaiveTime::from_hms_opt(TOMORROW_HOUR, 0, 0)?),
                tz,
            ))
        }
        PauseFor::UntilResumed => None,
    }
}

fn local(ms: i64, tz: Tz) -> NaiveDateTime {
    tz.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.naive_local())
        .unwrap_or_default()
}

/// The instant a local wall-clock time names: the earlier one when the clocks go back and
/// it happens twice; the first moment after the gap when the clocks go forward over it.
fn instant(mut at: NaiveDateTime, tz: Tz) -> i64 {
    for _ in 0..16 {
        if let Some(t) = tz.from_local_datetime(&at).earliest() {
            return t.timestamp_millis();
        }
        at += Duration::minutes(15);
    }
    at.and_utc().timestamp_millis()
}

fn at_minute(day: NaiveDate, minute: u32, tz: Tz) -> i64 {
    let time = NaiveTime::from_hms_opt(minute / 60 % 24, minute % 60, 0).unwrap_or_default();
    instant(day.and_time(time), tz)
}

impl QuietHours {
    /// The window starting on local `day`, if quiet hours start that day: its start and
    /// end (ms since the epoch).
    fn window_on(&self, day: NaiveDate, tz: Tz) -> Option<(i64, i64)> {
        let weekday = day.weekday().num_days_from_monday() as usize;
        if !self.enabled || self.start_minute == self.end_minute {
            return None;
        }
        if !self.days.get(weekday).copied().unwrap_or(false) {
            return None;
        }
        let start = at_minute(day, self.start_minute, tz);
        let end_day = if self.end_minute > self.start_minute {
            day
        } else {
            day.succ_opt()?
        };
        Some((start, at_minute(end_day, self.end_minute, tz)))
    }

    /// The quiet window `now_ms` falls in, as (start, end), if it falls in one.
    pub fn window_at(&self, now_ms: i64, tz: Tz) -> Option<(i64, i64)> {
        let today = local(now_ms, tz).date();
        // A window that started yesterday may still run (22:00–07:00).
        [today.pred_opt(), Some(today)]
            .into_iter()
            .flatten()
            .filter_map(|day| self.window_on(day, tz))
            .find(|(start, end)| *start <= now_ms && now_ms < *end)
    }

    /// When the next quiet window starts after `now_ms`, within a week.
    pub fn next_start(&self, now_ms: i64, tz: Tz) -> Option<i64> {
        let mut day = local(now_ms, tz).date().pred_opt()?;
        for _ in 0..9 {
            if let Some((start, _)) = self.window_on(day, tz) {
                if start > now_ms {
                    return Some(start);
                }
            }
            day = day.succ_opt()?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    const LONDON: Tz = chrono_tz::Europe::London;

    fn ms(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .expect("test times are RFC 3339")
            .timestamp_millis()
    }

    fn nights(days: [bool; 7]) -> QuietHours {
        QuietHours {
            enabled: true,
            start_minute: 22 * 60,
            end_minute: 7 * 60,
            days: days.to_vec(),
        }
    }

    #[test]
    fn a_night_window_runs_across_midnight_into_the_next_morning() {
        let q = nights([true; 7]);
        // Fri 4 Dec 2026, London is on UTC in winter.
        assert_eq!(q.window_at(ms("2026-12-04T21:59:00Z"), LONDON), None);
        assert_eq!(
            q.window_at(ms("2026-12-04T22:00:00Z"), LONDON),
            Some((ms("2026-12-04T22:00:00Z"), ms("2026-12-05T07:00:00Z")))
        );
        assert_eq!(
            q.window_at(ms("2026-12-05T06:59:00Z"), LONDON).map(|w| w.1),
            Some(ms("2026-12-05T07:00:00Z")),
            "after midnight it is still the window that started the evening before"
        );
        assert_eq!(q.window_at(ms("2026-12-05T07:00:00Z"), LONDON), None);
        assert_eq!(
            q.next_start(ms("2026-12-05T07:00:00Z"), LONDON),
            Some(ms("2026-12-05T22:00:00Z"))
        );
    }

    #[test]
    fn the_days_are_the_days_a_window_starts_on() {
        // Weeknights only: Monday to Thursday evenings and Sunday evening.
        let q = nights([true, true, true, true, false, false, true]);
        assert!(
            q.window_at(ms("2026-12-05T06:00:00Z"), LONDON).is_none(),
            "Friday night is not quiet, so neither is Saturday morning"
        );
        assert!(q.window_at(ms("2026-12-05T23:00:00Z"), LONDON).is_none());
        assert!(
            q.window_at(ms("2026-12-07T06:00:00Z"), LONDON).is_some(),
            "Monday morning belongs to Sunday night"
        );
        assert_eq!(
            q.next_start(ms("2026-12-04T12:00:00Z"), LONDON),
            Some(ms("2026-12-06T22:00:00Z")),
            "from Friday noon, the next quiet evening is Sunday's"
        );
    }

    #[test]
    fn a_daytime_window_ends_the_same_day() {
        let q = QuietHours {
            enabled: true,
            start_minute: 12 * 60,
            end_minute: 13 * 60 + 30,
            days: vec![true; 7],
        };
        assert!(q.window_at(ms("2026-12-04T11:59:59Z"), LONDON).is_none());
        assert_eq!(
            q.window_at(ms("2026-12-04T13:00:00Z"), LONDON).map(|w| w.1),
            Some(ms("2026-12-04T13:30:00Z"))
        );
    }

    #[test]
    fn quiet_hours_follow_the_wall_clock_across_daylight_saving_changes() {
        let q = nights([true; 7]);
        // Clocks go forward at 01:00 UTC on Sun 29 Mar 2026: the night is an hour shorter.
        let spring = q.window_at(ms("2026-03-29T03:00:00Z"), LONDON).unwrap();
        assert_eq!(spring.0, ms("2026-03-28T22:00:00Z"), "22:00 GMT");
        assert_eq!(
            spring.1,
            ms("2026-03-29T06:00:00Z"),
            "07:00 BST is 06:00 UTC"
        );
        assert!(q.window_at(ms("2026-03-29T06:30:00Z"), LONDON).is_none());
        // Clocks go back at 01:00 UTC on Sun 25 Oct 2026: the night is an hour longer.
        let autumn = q.window_at(ms("2026-10-25T06:30:00Z"), LONDON).unwrap();
        assert_eq!(autumn.0, ms("2026-10-24T21:00:00Z"), "22:00 BST");
        assert_eq!(autumn.1, ms("2026-10-25T07:00:00Z"), "07:00 GMT");
        // A window ending inside the skipped hour ends when the clocks have jumped.
        let odd = QuietHours {
            enabled: true,
            start_minute: 0,
            end_minute: 90,
            days: vec![true; 7],
        };
        assert_eq!(
            odd.window_at(ms("2026-03-29T00:30:00Z"), LONDON)
                .map(|w| w.1),
            Some(ms("2026-03-29T01:00:00Z")),
            "01:30 does not exist that night: quiet ends at 02:00 BST"
        );
    }

    #[test]
    fn a_pause_ends_after_an_hour_tomorrow_morning_or_never() {
        let now = ms("2026-12-04T17:20:00Z");
        assert_eq!(
            pause_end(PauseFor::Hour, now, LONDON),
            Some(now + 3_600_000)
        );
        assert_eq!(
            pause_end(PauseFor::UntilTomorrow, now, LONDON),
            Some(ms("2026-12-05T08:00:00Z"))
        );
        assert_eq!(
            pause_end(PauseFor::UntilTomorrow, ms("2026-03-28T17:00:00Z"), LONDON),
            Some(ms("2026-03-29T07:00:00Z")),
            "08:00 the next morning is 08:00 summer time after the change"
        );
        assert_eq!(pause_end(PauseFor::UntilResumed, now, LONDON), None);
    }

    #[test]
    fn a_pause_wins_over_quiet_hours_and_ends_by_itself() {
        let q = nights([true; 7]);
        let night = ms("2026-12-04T23:00:00Z");
        let until = night + 3_600_000;
        assert_eq!(
            Hold::at(true, Some(until), &q, night, LONDON),
            Hold::Paused { until: Some(until) }
        );
        assert_eq!(
            Hold::at(true, Some(until), &q, until, LONDON),
            Hold::Quiet {
                until: ms("2026-12-05T07:00:00Z")
            },
            "the pause is over; the night is still quiet"
        );
        assert_eq!(
            Hold::at(true, Some(until), &q, ms("2026-12-05T12:00:00Z"), LONDON),
            Hold::None
        );
        assert_eq!(
            Hold::at(true, None, &q, ms("2026-12-05T12:00:00Z"), LONDON),
            Hold::Paused { until: None }
        );
        assert!(!Hold::Paused { until: None }.digests());
        assert!(Hold::Paused { until: Some(1) }.digests());
        assert!(Hold::Quiet { until: 1 }.digests());
    }
}

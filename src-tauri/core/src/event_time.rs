//! When an event starts or ends, as Google gives it: a date or a moment. Shared by the
//! change model ([`crate::notice`]) and a series' rule ([`crate::recurrence`]).

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// When an event starts or ends: a calendar date (all-day events) or a moment in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventTime {
    /// All-day: a date with no time and no zone (Google's `date`; an end date is exclusive).
    Date {
        /// The calendar day.
        date: NaiveDate,
    },
    /// A moment (Google's `dateTime`), with the IANA zone the event was created in, if given.
    DateTime {
        /// The moment, with the offset Google sent.
        date_time: DateTime<FixedOffset>,
        /// Google's `timeZone` (e.g. "Europe/Berlin"); kept for display, not for comparison.
        time_zone: Option<String>,
    },
}

impl EventTime {
    /// An all-day date.
    pub fn date(date: NaiveDate) -> Self {
        EventTime::Date { date }
    }

    /// A moment without a named zone.
    pub fn at(date_time: DateTime<FixedOffset>) -> Self {
        EventTime::DateTime {
            date_time,
            time_zone: None,
        }
    }

    /// Builds from Google's `EventDateTime` parts; `None` if it has neither a date nor a time.
    pub fn from_parts(
        date: Option<NaiveDate>,
        date_time: Option<DateTime<FixedOffset>>,
        time_zone: Option<String>,
    ) -> Option<Self> {
        match (date_time, date) {
            (Some(date_time), _) => Some(EventTime::DateTime {
                date_time,
                time_zone,
            }),
            (None, Some(date)) => Some(EventTime::Date { date }),
            (None, None) => None,
        }
    }

    /// True for an all-day date.
    pub fn is_all_day(&self) -> bool {
        matches!(self, EventTime::Date { .. })
    }

    /// True when both name the same day or the same instant; the zone name is ignored
    /// because re-labelling the zone of an unmoved event is not something a person notices.
    pub fn same_time(&self, other: &EventTime) -> bool {
        match (self, other) {
            (EventTime::Date { date: a }, EventTime::Date { date: b }) => a == b,
            (
                EventTime::DateTime { date_time: a, .. },
                EventTime::DateTime { date_time: b, .. },
            ) => a == b,
            _ => false,
        }
    }

    /// A compact text form: `2024-12-03` or RFC 3339 (`2024-12-03T10:00:00+01:00`).
    pub fn encode(&self) -> String {
        match self {
            EventTime::Date { date } => date.format("%Y-%m-%d").to_string(),
            EventTime::DateTime { date_time, .. } => date_time.to_rfc3339(),
        }
    }

    /// Parses [`EventTime::encode`]'s form back (the zone name is not part of it).
    pub fn decode(text: &str) -> Option<Self> {
        if let Ok(date_time) = DateTime::parse_from_rfc3339(text) {
            return Some(EventTime::at(date_time));
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(EventTime::date)
    }
}

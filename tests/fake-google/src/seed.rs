//! Demo data for the sandbox: the user's primary calendar plus "Work" and "Family", with
//! the kinds of events CalWatch must read correctly — all-day and multi-day, timed in
//! different zones, attendees, and a weekly series with one moved instance. Dates are
//! relative to `now` so the sandbox always shows upcoming events.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde_json::{json, Value};

use crate::state::{rfc3339_secs, World};

/// The sandbox's work calendar id.
pub const WORK_CALENDAR: &str = "work@group.calendar.google.com";
/// The sandbox's family calendar id.
pub const FAMILY_CALENDAR: &str = "family@group.calendar.google.com";

/// A timed event boundary in `zone`, as Google writes it: local offset plus zone name.
fn at(zone: Tz, day: NaiveDate, hour: u32, minute: u32) -> Value {
    let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default();
    let local = zone
        .from_local_datetime(&day.and_time(time))
        .earliest()
        .unwrap_or_else(|| zone.from_utc_datetime(&day.and_time(time)));
    json!({
        "dateTime": local.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        "timeZone": zone.name(),
    })
}

/// An all-day boundary.
fn on(day: NaiveDate) -> Value {
    json!({"date": day.format("%Y-%m-%d").to_string()})
}

/// The next `weekday` strictly after `from`.
fn next_weekday(from: NaiveDate, weekday: Weekday) -> NaiveDate {
    let mut day = from + Duration::days(1);
    while day.weekday() != weekday {
        day += Duration::days(1);
    }
    day
}

/// Adds the demo calendars and events to a fresh world.
pub(crate) fn seed(world: &mut World, now: DateTime<Utc>) {
    let london = chrono_tz::Europe::London;
    let new_york = chrono_tz::America::New_York;
    let today = now.date_naive();
    let user = world.user_email.clone();
    // Adding twice would be a bug in the caller; the fresh world has only the primary.
    let _ = world.add_calendar(WORK_CALENDAR, "Work", "America/New_York", now);
    let _ = world.add_calendar(FAMILY_CALENDAR, "Family", "Europe/London", now);

    let primary = vec![
        json!({
            "summary": "Mum's birthday",
            "start": on(today + Duration::days(3)),
            "end": on(today + Duration::days(4)),
            "transparency": "transparent",
        }),
        json!({
            "summary": "Dentist",
            "location": "12 High Street, London",
            "start": at(london, today + Duration::days(1), 9, 30),
            "end": at(london, today + Duration::days(1), 10, 0),
        }),
    ];

    let tuesday = next_weekday(today, Weekday::Tue);
    let series_id = "5eq1sync0tues0000000000000";
    let moved_day = tuesday + Duration::weeks(2);
    let original = at(new_york, moved_day, 10, 0);
    let original_utc = original["dateTime"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    let work = vec![
        json!({
            "id": series_id,
            "summary": "Team sync",
            "description": "Weekly round of updates.",
            "start": at(new_york, tuesday, 10, 0),
            "end": at(new_york, tuesday, 10, 30),
            "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=12"],
            "attendees": [
                {"email": user, "self": true, "responseStatus": "accepted"},
                {"email": "alex@example.com", "responseStatus": "accepted"},
            ],
        }),
        json!({
            // An exception's id is the series id plus the original start in UTC.
            "id": format!("{series_id}_{}", original_utc.format("%Y%m%dT%H%M%SZ")),
            // Moved, not renamed: its title stays the series' (a title saying "(moved)"
            // would read "Team sync (moved) moved" in a toast once moved again).
            "summary": "Team sync",
            "recurringEventId": series_id,
            "originalStartTime": original,
            "start": at(new_york, moved_day, 11, 30),
            "end": at(new_york, moved_day, 12, 0),
        }),
        json!({
            "summary": "Quarterly planning",
            "location": "Room 4B, 200 Park Ave, New York",
            "hangoutLink": "https://meet.google.com/qtr-plan-ning",
            "description": "Bring the roadmap draft.",
            "start": at(new_york, today + Duration::days(2), 14, 0),
            "end": at(new_york, today + Duration::days(2), 15, 30),
            "attendees": [
                {"email": user, "self": true, "responseStatus": "needsAction"},
                {"email": "priya@example.com", "organizer": true, "responseStatus": "accepted"},
            ],
        }),
    ];

    let family = vec![
        json!({
            "summary": "Half term",
            "start": on(today + Duration::days(10)),
            "end": on(today + Duration::days(15)),
            "transparency": "transparent",
        }),
        json!({
            "summary": "School play",
            "location": "St Mary's Primary School hall",
            "start": at(london, today + Duration::days(5), 18, 0),
            "end": at(london, today + Duration::days(5), 19, 30),
        }),
    ];

    for (calendar_id, events) in [
        (user.as_str(), primary),
        (WORK_CALENDAR, work),
        (FAMILY_CALENDAR, family),
    ] {
        if let Ok(calendar) = world.calendar_mut(calendar_id) {
            for event in events {
                if let Err(err) = calendar.insert_event(event, &user, now) {
                    tracing::warn!(%err, "seed event skipped");
                }
            }
        }
    }
    tracing::debug!(at = %rfc3339_secs(now), "seeded demo calendars");
}

//! What CalWatch remembers of each event, to diff the next sync against.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};

use super::{from_json, to_json, CalendarKey, Store, StoreError, SyncCommit};
use crate::notice::{Change, ChangeKind, EventFacts, EventTime, FieldDiff};

/// What CalWatch remembers of an event: the fields a person cares about, to diff against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSnapshot {
    /// The calendar it is in.
    pub calendar_id: String,
    /// Google's event id.
    pub event_id: String,
    /// Its title (may be empty).
    pub summary: String,
    /// Start.
    pub start: EventTime,
    /// End (exclusive date for all-day events).
    pub end: EventTime,
    /// All-day rather than timed.
    pub all_day: bool,
    /// Where.
    pub location: Option<String>,
    /// The description text. Kept, but not compared: a description edit is not a change a
    /// person is told about (DESIGN.md, "Classifying a change").
    pub description: Option<String>,
    /// Google's status (`confirmed`, `tentative`).
    pub status: String,
    /// The signed-in user's own response, if invited.
    pub self_response: Option<String>,
    /// The series this is an instance or exception of.
    pub recurring_event_id: Option<String>,
    /// For an exception: the instance's original start.
    pub original_start: Option<EventTime>,
    /// Google's link to the event.
    pub html_link: Option<String>,
    /// Google's `recurrence` lines (RRULE, EXDATE…), empty when the event does not repeat
    /// itself (a single event, or an instance of a series). `None`: not known, because the
    /// row was written before CalWatch kept it; such a rule is never reported as changed.
    pub recurrence: Option<Vec<String>>,
    /// Who organises it and the other guests' replies; `None`: not known (a row written
    /// before CalWatch kept it), never reported as a change.
    pub people: Option<People>,
    /// The meeting link (`hangoutLink` or the video entry point), for a toast's Join.
    pub meeting_link: Option<String>,
}

/// An event's people as the filters and the guests' replies need them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct People {
    /// The signed-in person organises it.
    pub organized_by_me: bool,
    /// Every other guest, by name (or email), with their reply.
    pub guests: BTreeMap<String, String>,
}

impl EventSnapshot {
    /// A [`Change`] about this event (its current title and time), for `calendar_name`.
    pub fn to_change(
        &self,
        kind: ChangeKind,
        calendar_name: &str,
        diffs: Vec<FieldDiff>,
    ) -> Change {
        Change {
            account: String::new(),
            calendar_id: self.calendar_id.clone(),
            calendar_name: calendar_name.to_string(),
            event_id: self.event_id.clone(),
            kind,
            title: self.summary.clone(),
            start: Some(self.start.clone()),
            end: Some(self.end.clone()),
            diffs,
            html_link: self.html_link.clone(),
            facts: Box::new(EventFacts {
                self_response: self.self_response.clone(),
                organized_by_me: self.people.as_ref().is_some_and(|p| p.organized_by_me),
                other_guests: self.people.as_ref().map(|p| p.guests.len()),
                meeting_link: self.meeting_link.clone(),
            }),
        }
    }
}

impl Store {
    /// The calendar's snapshots, by event id.
    pub fn snapshots(
        &self,
        calendar: &CalendarKey,
    ) -> Result<HashMap<String, EventSnapshot>, StoreError> {
        self.snapshots_matching(calendar, "", &[])
    }

    /// The calendar's snapshots that also match `and_sql` (a condition starting with
    /// `AND`, its parameters numbered from `?3`; `?1` is the account, `?2` the calendar
    /// id), by event id: a sync reads only the rows a page of Google's events concerns.
    pub(super) fn snapshots_matching(
        &self,
        calendar: &CalendarKey,
        and_sql: &str,
        extra: &[&dyn rusqlite::ToSql],
    ) -> Result<HashMap<String, EventSnapshot>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT calendar_id, event_id, summary, start_time, end_time, all_day, location,
                    description, status, self_response, recurring_event_id, original_start,
                    html_link, recurrence, people, meeting_link
             FROM snapshots WHERE account = ?1 AND calendar_id = ?2 {and_sql}"
        ))?;
        let mut bound: Vec<&dyn rusqlite::ToSql> = vec![&calendar.account, &calendar.calendar_id];
        bound.extend_from_slice(extra);
        let rows = stmt.query_map(bound.as_slice(), |r| {
            Ok((
                (
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ),
                (r.get::<_, String>(3)?, r.get::<_, String>(4)?),
                (
                    r.get::<_, bool>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, Option<String>>(11)?,
                    r.get::<_, Option<String>>(12)?,
                    r.get::<_, Option<String>>(13)?,
                ),
                (
                    r.get::<_, Option<String>>(14)?,
                    r.get::<_, Option<String>>(15)?,
                ),
            ))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (
                (calendar_id, event_id, summary),
                (start, end),
                (
                    all_day,
                    location,
                    description,
                    status,
                    self_response,
                    recurring_event_id,
                    original_start,
                    html_link,
                    recurrence,
                ),
                (people, meeting_link),
            ) = row?;
            let snapshot = EventSnapshot {
                calendar_id,
                event_id,
                summary,
                start: from_json(&start)?,
                end: from_json(&end)?,
                all_day,
                location,
                description,
                status,
                self_response,
                recurring_event_id,
                original_start: original_start.as_deref().map(from_json).transpose()?,
                html_link,
                recurrence: recurrence.as_deref().map(from_json).transpose()?,
                people: people.as_deref().map(from_json).transpose()?,
                meeting_link,
            };
            out.insert(snapshot.event_id.clone(), snapshot);
        }
        Ok(out)
    }
}

pub(super) fn write_snapshots(
    tx: &Transaction<'_>,
    sync: &SyncCommit<'_>,
) -> Result<(), StoreError> {
    let mut upsert = tx.prepare_cached(
        "INSERT OR REPLACE INTO snapshots (account, calendar_id, event_id, summary, start_time,
             end_time, all_day, location, description, status, self_response,
             recurring_event_id, original_start, html_link, recurrence, people, meeting_link)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    for s in sync.upserts {
        upsert.execute(params![
            sync.calendar.account,
            s.calendar_id,
            s.event_id,
            s.summary,
            to_json(&s.start)?,
            to_json(&s.end)?,
            s.all_day,
            s.location,
            s.description,
            s.status,
            s.self_response,
            s.recurring_event_id,
            s.original_start.as_ref().map(to_json).transpose()?,
            s.html_link,
            s.recurrence.as_ref().map(to_json).transpose()?,
            s.people.as_ref().map(to_json).transpose()?,
            s.meeting_link
        ])?;
    }
    let mut remove = tx.prepare_cached(
        "DELETE FROM snapshots WHERE account = ?1 AND calendar_id = ?2 AND event_id = ?3",
    )?;
    for event_id in sync.removed {
        remove.execute(params![
            sync.calendar.account,
            sync.calendar.calendar_id,
            event_id
        ])?;
    }
    Ok(())
}

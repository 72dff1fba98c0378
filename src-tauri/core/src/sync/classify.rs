//! Pure classification: what a person would call a change, found by comparing Google's
//! events with the stored snapshot (DESIGN.md, "Classifying a change").
//!
//! Nothing here does I/O or reads the clock, so every rule is pinned by unit tests.

use std::collections::{HashMap, HashSet};

use chrono::Duration;

use crate::google::{Event, EventDateTime};
use crate::notice::{Change, ChangeKind, EventTime, Field, FieldDiff};
use crate::recurrence;
use crate::store::{EventSnapshot, People};

/// Google's status of a deleted event.
const CANCELLED: &str = "cancelled";

/// What one sync found: the snapshot rows to write, the ones to forget, and the changes to
/// record, all to be committed in one transaction.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Classified {
    /// Snapshot rows to insert or replace.
    pub upserts: Vec<EventSnapshot>,
    /// Event ids whose snapshot rows go away.
    pub removed: Vec<String>,
    /// What a person is told, in the order Google listed the events.
    pub changes: Vec<Change>,
    /// Series first seen by this classification (told as added): the later pages of the
    /// same sync pass them back in, so their occurrences are not told on their own.
    pub new_series: Vec<String>,
}

/// The calendar being classified: its id and its name at the time (for the wording).
#[derive(Debug, Clone, Copy)]
pub struct CalendarRef<'a> {
    /// Google's calendar id.
    pub id: &'a str,
    /// The name shown in notices.
    pub name: &'a str,
}

/// Builds the snapshot row for an event, or `None` when it has nothing to keep (a
/// cancelled event Google sent without its fields is kept only as a tombstone, see
/// [`tombstone`]).
pub fn snapshot_of(calendar_id: &str, event: &Event) -> Option<EventSnapshot> {
    let start = event_time(event.start.as_ref()?)?;
    let end = event
        .end
        .as_ref()
        .and_then(event_time)
        .unwrap_or_else(|| start.clone());
    Some(EventSnapshot {
        calendar_id: calendar_id.to_string(),
        event_id: event.id.clone(),
        summary: event.summary.clone().unwrap_or_default(),
        all_day: start.is_all_day(),
        start,
        end,
        location: non_empty(event.location.as_deref()),
        description: non_empty(event.description.as_deref()),
        status: event
            .status
            .clone()
            .unwrap_or_else(|| "confirmed".to_string()),
        self_response: event
            .attendees
            .iter()
            .find(|a| a.is_self)
            .and_then(|a| a.response_status.clone()),
        recurring_event_id: event.recurring_event_id.clone(),
        original_start: event.original_start_time.as_ref().and_then(event_time),
        html_link: event.html_link.clone(),
        recurrence: Some(event.recurrence.clone()),
        people: Some(people_of(event)),
        meeting_link: event.meeting_link().map(str::to_string),
    })
}

/// Who organises the event and how the other guests replied. The person organises an
/// event Google lists them as the organiser of, or one with no organiser named (their own).
fn people_of(event: &Event) -> People {
    let organized_by_me = match &event.organizer {
        Some(organizer) => organizer.is_self,
        None => {
            event.attendees.iter().any(|a| a.is_self && a.organizer) || event.attendees.is_empty()
        }
    };
    let guests = event
        .attendees
        .iter()
        .filter(|a| !a.is_self)
        .map(|a| {
            let name = a
                .display_name
                .clone()
                .or_else(|| a.email.clone())
                .unwrap_or_default();
            let reply = a
                .response_status
                .clone()
                .unwrap_or_else(|| "needsAction".to_string());
            (name, reply)
        })
        .collect();
    People {
        organized_by_me,
        guests,
    }
}

/// "Ana accepted, Bo declined": the other guests who answered since the last sync. A
/// guest added or removed is not a reply; nor is going back to "needs action".
fn replies(before: &People, after: &People) -> Option<String> {
    let answered: Vec<String> = after
        .guests
        .iter()
        .filter(|(name, reply)| before.guests.get(*name).is_some_and(|was| was != *reply))
        .filter_map(|(name, reply)| {
            let id = match reply.as_str() {
                "accepted" => "guest-accepted",
                "declined" => "guest-declined",
                "tentative" => "guest-maybe",
                _ => return None,
            };
            // Worded when the change is found, in the language then in effect.
            Some(crate::locale::current().text(id, &[("name", name.into())]))
        })
        .collect();
    (!answered.is_empty()).then(|| answered.join(", "))
}

/// Classifies an incremental delta (events changed since the sync token) against the
/// snapshot `known`.
pub fn classify_delta(
    calendar: CalendarRef<'_>,
    known: &HashMap<String, EventSnapshot>,
    events: &[Event],
) -> Classified {
    classify_page(calendar, known, &HashSet::new(), events)
}

/// Classifies one page of a streamed listing against `known`, the stored rows it concerns.
/// `new_series` are the series earlier pages of the same sync told as added: they are in
/// the store by now, but nobody has heard of their occurrences yet.
pub fn classify_page(
    calendar: CalendarRef<'_>,
    known: &HashMap<String, EventSnapshot>,
    new_series: &HashSet<String>,
    events: &[Event],
) -> Classified {
    let mut work = Work::new(calendar, known, new_series);
    work.apply(events);
    work.finish()
}

/// Classifies a complete event list (a full resync after `410 Gone`, or the first sync
/// of a calendar we already hold a snapshot for) against `known`: events in the snapshot
/// but missing from the list were deleted meanwhile.
///
/// An empty snapshot is diffed like any other (a calendar that was empty at the last sync
/// reports everything listed now as added); the very first sync uses [`baseline`] instead.
pub fn classify_full(
    calendar: CalendarRef<'_>,
    known: &HashMap<String, EventSnapshot>,
    events: &[Event],
) -> Classified {
    let no_new_series = HashSet::new();
    let mut work = Work::new(calendar, known, &no_new_series);
    work.apply(events);
    let listed: HashSet<&str> = events.iter().map(|e| e.id.as_str()).collect();
    let mut missing: Vec<&EventSnapshot> = known
        .values()
        .filter(|s| !listed.contains(s.event_id.as_str()))
        .collect();
    // HashMap order is random; report in time order so the wording reads naturally.
    missing.sort_by(|a, b| {
        a.start
            .encode()
            .cmp(&b.start.encode())
            .then(a.event_id.cmp(&b.event_id))
    });
    let missing_ids: HashSet<&str> = missing.iter().map(|s| s.event_id.as_str()).collect();
    for snap in missing {
        let parent_gone = snap
            .recurring_event_id
            .as_deref()
            .is_some_and(|p| missing_ids.contains(p));
        if snap.status != CANCELLED && !parent_gone {
            work.changes.push(cancelled_change(calendar, snap));
        }
        work.forget(&snap.event_id);
    }
    work.finish()
}

/// The end of a full listing that was streamed page by page: `missing` are the stored rows
/// the listing never showed, so the events were deleted meanwhile. Told as cancelled (an
/// instance of a series that went too is covered by the series' notice), and forgotten.
pub fn classify_missing(
    calendar: CalendarRef<'_>,
    missing: &HashMap<String, EventSnapshot>,
) -> Classified {
    let mut rows: Vec<&EventSnapshot> = missing.values().collect();
    // HashMap order is random; report in time order so the wording reads naturally.
    rows.sort_by(|a, b| {
        a.start
            .encode()
            .cmp(&b.start.encode())
            .then(a.event_id.cmp(&b.event_id))
    });
    let mut out = Classified::default();
    for snap in rows {
        let parent_gone = snap
            .recurring_event_id
            .as_deref()
            .is_some_and(|p| missing.contains_key(p));
        if snap.status != CANCELLED && !parent_gone {
            out.changes.push(cancelled_change(calendar, snap));
        }
        out.removed.push(snap.event_id.clone());
    }
    out
}

/// The first sync of a calendar: record everything, report nothing.
pub fn baseline(calendar_id: &str, events: &[Event]) -> Classified {
    let mut rows: HashMap<String, EventSnapshot> = HashMap::new();
    for event in events {
        let row = if is_cancelled(event) {
            // A cancelled exception is remembered so a later full list that still carries it
            // is not mistaken for news.
            event
                .recurring_event_id
                .as_ref()
                .map(|_| tombstone(calendar_id, event, None))
        } else {
            snapshot_of(calendar_id, event)
        };
        if let Some(row) = row {
            rows.insert(row.event_id.clone(), row);
        }
    }
    Classified {
        upserts: rows.into_values().collect(),
        ..Classified::default()
    }
}

/// The person-visible differences between two versions of an event, in a fixed order.
pub fn field_diffs(before: &EventSnapshot, after: &EventSnapshot) -> Vec<FieldDiff> {
    let mut diffs = Vec::new();
    if !before.start.same_time(&after.start) || !before.end.same_time(&after.end) {
        diffs.push(FieldDiff::time(
            &before.start,
            Some(&before.end),
            &after.start,
            Some(&after.end),
        ));
    }
    if before.all_day != after.all_day {
        diffs.push(FieldDiff::new(
            Field::AllDay,
            before.all_day.to_string(),
            after.all_day.to_string(),
        ));
    }
    if before.summary.trim() != after.summary.trim() {
        diffs.push(FieldDiff::new(
            Field::Title,
            before.summary.clone(),
            after.summary.clone(),
        ));
    }
    let (place_before, place_after) = (
        before.location.as_deref().unwrap_or("").trim(),
        after.location.as_deref().unwrap_or("").trim(),
    );
    if place_before != place_after {
        diffs.push(FieldDiff::new(Field::Place, place_before, place_after));
    }
    if before.status != after.status {
        diffs.push(FieldDiff::new(
            Field::Status,
            before.status.clone(),
            after.status.clone(),
        ));
    }
    // Only a reply that changed is the user's news. A response appearing or vanishing is
    // the guest list coming or going (Google lists the organizer, accepted, only while the
    // event has guests), not the user answering.
    if let (Some(response_before), Some(response_after)) =
        (&before.self_response, &after.self_response)
    {
        if response_before != response_after {
            diffs.push(FieldDiff::new(
                Field::Response,
                response_before.clone(),
                response_after.clone(),
            ));
        }
    }
    // Guests not known before (a snapshot from before CalWatch kept them) are learnt, not news.
    if let (Some(people_before), Some(people_after)) = (&before.people, &after.people) {
        if let Some(words) = replies(people_before, people_after) {
            diffs.push(FieldDiff::new(Field::Replies, "", words));
        }
    }
    // A rule not known before (a snapshot from before CalWatch kept it) is learnt, not news.
    if let (Some(lines_before), Some(lines_after)) = (&before.recurrence, &after.recurrence) {
        let (rules_before, rules_after) = (
            recurrence::rules(lines_before),
            recurrence::rules(lines_after),
        );
        if !recurrence::same_rules(&rules_before, &rules_after) {
            diffs.push(FieldDiff::repeats(
                &before.start,
                &rules_before,
                &after.start,
                &rules_after,
            ));
        }
    }
    diffs
}

/// The working state of one classification: the snapshot as it is after the events seen
/// so far (a delta can list the same id twice across pages).
struct Work<'a> {
    calendar: CalendarRef<'a>,
    known: &'a HashMap<String, EventSnapshot>,
    /// Series an earlier page of this sync told as added.
    earlier_new_series: &'a HashSet<String>,
    /// Series this page tells as added (found before the page is applied, as an
    /// occurrence may come before its series in Google's order).
    new_series: HashSet<String>,
    /// Rows written or forgotten by this sync (`None` = forgotten).
    overlay: HashMap<String, Option<EventSnapshot>>,
    /// Ids in first-touched order, so the commit is deterministic.
    order: Vec<String>,
    changes: Vec<Change>,
}

impl<'a> Work<'a> {
    fn new(
        calendar: CalendarRef<'a>,
        known: &'a HashMap<String, EventSnapshot>,
        earlier_new_series: &'a HashSet<String>,
    ) -> Self {
        Work {
            calendar,
            known,
            earlier_new_series,
            new_series: HashSet::new(),
            overlay: HashMap::new(),
            order: Vec::new(),
            changes: Vec::new(),
        }
    }

    fn current(&self, id: &str) -> Option<&EventSnapshot> {
        match self.overlay.get(id) {
            Some(row) => row.as_ref(),
            None => self.known.get(id),
        }
    }

    fn set(&mut self, id: &str, row: Option<EventSnapshot>) {
        if !self.overlay.contains_key(id) {
            self.order.push(id.to_string());
        }
        self.overlay.insert(id.to_string(), row);
    }

    fn forget(&mut self, id: &str) {
        self.set(id, None);
    }

    /// Whether this sync tells the series as added (this page or an earlier one): its
    /// occurrences were moved or deleted before anyone was told they existed, so they come
    /// with the series' notice. Not a series that is merely unknown: a person invited to
    /// one occurrence of someone else's series holds that occurrence alone.
    fn series_is_new(&self, series: &str) -> bool {
        self.new_series.contains(series) || self.earlier_new_series.contains(series)
    }

    fn apply(&mut self, events: &[Event]) {
        // A series cancelled in this batch takes its instances with it: one notice for the
        // series, not one per instance.
        let series_cancelled: HashSet<&str> = events
            .iter()
            .filter(|e| is_cancelled(e) && e.recurring_event_id.is_none())
            .map(|e| e.id.as_str())
            .collect();
        self.new_series = events
            .iter()
            .filter(|e| {
                !is_cancelled(e)
                    && e.recurring_event_id.is_none()
                    && !e.recurrence.is_empty()
                    && self.current(&e.id).is_none_or(|s| s.status == CANCELLED)
            })
            .map(|e| e.id.clone())
            .collect();
        for event in events {
            if is_cancelled(event) {
                self.cancelled(event, &series_cancelled);
            } else {
                self.present(event);
            }
        }
    }

    fn cancelled(&mut self, event: &Event, series_cancelled: &HashSet<&str>) {
        let calendar = self.calendar;
        let parent_going = event
            .recurring_event_id
            .as_deref()
            .is_some_and(|p| series_cancelled.contains(p));
        match self.current(&event.id).cloned() {
            Some(before) if before.status != CANCELLED => {
                if !parent_going {
                    self.changes.push(cancelled_change(calendar, &before));
                }
            }
            Some(_) => {}
            None => {
                // One occurrence of a known series deleted: Google sends only the instance id,
                // the series id and the original start. Say which occurrence went. Only of a
                // series known before this sync: one created since had the occurrence gone
                // before anyone was told it existed (its notice is "added", nothing more).
                if let Some(parent) = event
                    .recurring_event_id
                    .as_deref()
                    .filter(|p| self.known.get(*p).is_some_and(|k| k.status != CANCELLED))
                    .filter(|p| !self.series_is_new(p))
                    .and_then(|p| self.current(p))
                    .filter(|p| p.status != CANCELLED)
                    .cloned()
                {
                    if !parent_going {
                        if let Some(instance) = virtual_instance(&parent, event) {
                            self.changes.push(cancelled_change(calendar, &instance));
                        }
                    }
                }
            }
        }
        match event.recurring_event_id.as_deref() {
            Some(series) => {
                let parent = self.current(series).cloned();
                self.set(
                    &event.id,
                    Some(tombstone(calendar.id, event, parent.as_ref())),
                );
            }
            None => {
                self.forget(&event.id);
                self.forget_instances_of(&event.id);
            }
        }
    }

    /// Forgets the stored exceptions of a series that was deleted.
    fn forget_instances_of(&mut self, series_id: &str) {
        let instances: Vec<String> = self
            .known
            .values()
            .filter(|s| s.recurring_event_id.as_deref() == Some(series_id))
            .map(|s| s.event_id.clone())
            .collect();
        for id in instances {
            if !matches!(self.overlay.get(&id), Some(Some(_))) {
                self.forget(&id);
            }
        }
    }

    fn present(&mut self, event: &Event) {
        let calendar = self.calendar;
        let Some(after) = snapshot_of(calendar.id, event) else {
            // Not cancelled but without a start: nothing a person could be told about.
            return;
        };
        let before = match self.current(&event.id) {
            Some(before) if before.status != CANCELLED => Some(before.clone()),
            // A cancelled occurrence that is back counts as new.
            Some(_) => None,
            // First sight of an exception of a known series: compare it with the
            // occurrence it replaces, so a moved instance reads "moved", not "added".
            None => match event.recurring_event_id.as_deref() {
                Some(series) if self.series_is_new(series) => {
                    // The series is told as added (before or after this row in Google's
                    // order): its occurrences come with it.
                    self.set(&event.id, Some(after));
                    return;
                }
                Some(series) => self
                    .current(series)
                    .filter(|p| p.status != CANCELLED)
                    .and_then(|p| virtual_instance(p, event)),
                None => None,
            },
        };
        match before {
            None => {
                self.changes
                    .push(after.to_change(ChangeKind::Created, calendar.name, Vec::new()))
            }
            Some(before) => {
                let diffs = field_diffs(&before, &after);
                if !diffs.is_empty() {
                    self.changes
                        .push(after.to_change(ChangeKind::Updated, calendar.name, diffs));
                }
            }
        }
        if self.current(&event.id) != Some(&after) {
            self.set(&event.id, Some(after));
        }
    }

    fn finish(self) -> Classified {
        let mut upserts = Vec::new();
        let mut removed = Vec::new();
        let Work {
            mut overlay,
            order,
            changes,
            known,
            new_series,
            ..
        } = self;
        let new_series = new_series.into_iter().collect();
        for id in order {
            match overlay.remove(&id).flatten() {
                Some(row) => upserts.push(row),
                None if known.contains_key(&id) => removed.push(id),
                None => {}
            }
        }
        Classified {
            upserts,
            removed,
            changes,
            new_series,
        }
    }
}

fn is_cancelled(event: &Event) -> bool {
    event.status.as_deref() == Some(CANCELLED)
}

fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

fn event_time(t: &EventDateTime) -> Option<EventTime> {
    EventTime::from_parts(t.date, t.date_time, t.time_zone.clone())
}

/// The occurrence of `parent` that the exception `event` replaces, as it was before the
/// exception existed: the series' fields at the original start, lasting as long as the
/// series' events do.
fn virtual_instance(parent: &EventSnapshot, event: &Event) -> Option<EventSnapshot> {
    let start = event_time(event.original_start_time.as_ref()?)?;
    let end = shift(&start, &parent.start, &parent.end).unwrap_or_else(|| start.clone());
    Some(EventSnapshot {
        event_id: event.id.clone(),
        all_day: start.is_all_day(),
        start,
        end,
        recurring_event_id: Some(parent.event_id.clone()),
        original_start: event.original_start_time.as_ref().and_then(event_time),
        html_link: event.html_link.clone().or_else(|| parent.html_link.clone()),
        // One occurrence does not carry the series' rule (Google sends none for it either).
        recurrence: Some(Vec::new()),
        ..parent.clone()
    })
}

/// `start` plus the length of `from..to`, when the kinds agree.
fn shift(start: &EventTime, from: &EventTime, to: &EventTime) -> Option<EventTime> {
    match (start, from, to) {
        (
            EventTime::DateTime {
                date_time,
                time_zone,
            },
            EventTime::DateTime { date_time: a, .. },
            EventTime::DateTime { date_time: b, .. },
        ) => Some(EventTime::DateTime {
            date_time: *date_time + (*b - *a),
            time_zone: time_zone.clone(),
        }),
        (EventTime::Date { date }, EventTime::Date { date: a }, EventTime::Date { date: b }) => {
            Some(EventTime::date(
                *date + Duration::days((*b - *a).num_days()),
            ))
        }
        _ => None,
    }
}

/// What is kept of a cancelled exception: enough to recognise it again, marked cancelled.
fn tombstone(calendar_id: &str, event: &Event, parent: Option<&EventSnapshot>) -> EventSnapshot {
    let original = event.original_start_time.as_ref().and_then(event_time);
    let start = original
        .clone()
        .or_else(|| event.start.as_ref().and_then(event_time))
        .or_else(|| parent.map(|p| p.start.clone()))
        .unwrap_or(EventTime::Date {
            date: chrono::NaiveDate::MIN,
        });
    EventSnapshot {
        calendar_id: calendar_id.to_string(),
        event_id: event.id.clone(),
        summary: event
            .summary
            .clone()
            .or_else(|| parent.map(|p| p.summary.clone()))
            .unwrap_or_default(),
        all_day: start.is_all_day(),
        end: start.clone(),
        start,
        location: None,
        description: None,
        status: CANCELLED.to_string(),
        self_response: None,
        recurring_event_id: event.recurring_event_id.clone(),
        original_start: original,
        html_link: None,
        recurrence: Some(Vec::new()),
        people: None,
        meeting_link: None,
    }
}

fn cancelled_change(calendar: CalendarRef<'_>, before: &EventSnapshot) -> Change {
    before.to_change(ChangeKind::Cancelled, calendar.name, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CAL: CalendarRef<'static> = CalendarRef {
        id: "work@example.com",
        name: "Work",
    };

    fn event(value: serde_json::Value) -> Event {
        serde_json::from_value(value).expect("test events are Google JSON")
    }

    fn timed(id: &str, title: &str, start: &str, end: &str) -> Event {
        event(json!({
            "id": id, "status": "confirmed", "summary": title,
            "start": {"dateTime": start}, "end": {"dateTime": end},
        }))
    }

    fn known(events: &[Event]) -> HashMap<String, EventSnapshot> {
        baseline(CAL.id, events)
            .upserts
            .into_iter()
            .map(|s| (s.event_id.clone(), s))
            .collect()
    }

    fn sync_sees(known: &HashMap<String, EventSnapshot>, events: &[Event]) -> Vec<Change> {
        classify_delta(CAL, known, events).changes
    }

    fn at(text: &str) -> EventTime {
        EventTime::at(chrono::DateTime::parse_from_rfc3339(text).unwrap())
    }

    /// A stored snapshot with every field a person cares about filled in.
    fn team_sync() -> EventSnapshot {
        EventSnapshot {
            calendar_id: CAL.id.into(),
            event_id: "ev1".into(),
            summary: "Team sync".into(),
            start: at("2024-12-03T10:00:00Z"),
            end: at("2024-12-03T11:00:00Z"),
            all_day: false,
            location: Some("Room 3".into()),
            description: None,
            status: "confirmed".into(),
            self_response: Some("accepted".into()),
            recurring_event_id: None,
            original_start: None,
            html_link: None,
            recurrence: Some(Vec::new()),
            people: None,
            meeting_link: None,
        }
    }

    #[test]
    fn unchanged_event_has_no_diff() {
        let mut relabelled = team_sync();
        relabelled.start = EventTime::DateTime {
            date_time: chrono::DateTime::parse_from_rfc3339("2024-12-03T11:00:00+01:00").unwrap(),
            time_zone: Some("Europe/Berlin".into()),
        };
        relabelled.description = Some("  ".into());
        assert_eq!(
            field_diffs(&team_sync(), &relabelled),
            vec![],
            "same instant in another zone, blank description: nothing a person sees"
        );
    }

    #[test]
    fn description_edit_is_not_news() {
        let mut edited = team_sync();
        edited.description = Some("Agenda: budget".into());
        assert_eq!(
            field_diffs(&team_sync(), &edited),
            vec![],
            "DESIGN.md does not count the description among what a person cares about"
        );
    }

    #[test]
    fn moved_event_diffs_as_time_and_reads_moved() {
        let mut after = team_sync();
        after.start = at("2024-12-03T11:00:00Z");
        after.end = at("2024-12-03T12:00:00Z");
        let diffs = field_diffs(&team_sync(), &after);
        assert_eq!(diffs.len(), 1);
        let change = after.to_change(ChangeKind::Updated, "Work", diffs);
        assert_eq!(change.headline(), "Team sync moved");
        assert_eq!(
            change.body(chrono_tz::UTC),
            "Tue 3 Dec, 10:00 → 11:00 · Work"
        );
    }

    #[test]
    fn several_fields_diff_in_design_order_and_read_as_one_notice() {
        let mut after = team_sync();
        after.summary = "Weekly sync".into();
        after.location = None;
        after.self_response = Some("declined".into());
        after.status = "tentative".into();
        let diffs = field_diffs(&team_sync(), &after);
        let fields: Vec<Field> = diffs.iter().map(|d| d.field).collect();
        assert_eq!(
            fields,
            [Field::Title, Field::Place, Field::Status, Field::Response],
            "time, all-day, title, place, status, own response: DESIGN.md's order"
        );
        let change = after.to_change(ChangeKind::Updated, "Work", diffs);
        assert_eq!(change.headline(), "“Team sync” renamed to “Weekly sync”");
        assert_eq!(
            change.body(chrono_tz::UTC),
            "Tue 3 Dec, 10:00–11:00 · no place · now tentative · you declined · Work"
        );
    }

    #[test]
    fn baseline_records_everything_and_reports_nothing() {
        let out = baseline(
            CAL.id,
            &[timed(
                "a",
                "A",
                "2024-12-03T10:00:00Z",
                "2024-12-03T11:00:00Z",
            )],
        );
        assert_eq!(out.upserts.len(), 1);
        assert!(out.changes.is_empty(), "the first sync is silent");
    }

    #[test]
    fn unknown_event_is_created_known_cancelled_is_cancelled() {
        let a = timed("a", "A", "2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z");
        let snap = known(std::slice::from_ref(&a));
        let b = timed("b", "B", "2024-12-03T12:00:00Z", "2024-12-03T13:00:00Z");
        let gone = event(json!({"id": "a", "status": "cancelled"}));
        let out = classify_delta(CAL, &snap, &[b, gone]);
        let kinds: Vec<ChangeKind> = out.changes.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, vec![ChangeKind::Created, ChangeKind::Cancelled]);
        assert_eq!(
            out.changes[1].title, "A",
            "the cancelled notice keeps the last title"
        );
        assert_eq!(out.removed, vec!["a".to_string()]);
    }

    #[test]
    fn cancelled_event_never_seen_is_nothing() {
        let out = classify_delta(
            CAL,
            &HashMap::new(),
            &[event(json!({"id": "x", "status": "cancelled"}))],
        );
        assert!(out.changes.is_empty());
        assert!(out.upserts.is_empty() && out.removed.is_empty());
    }

    #[test]
    fn same_instant_in_another_zone_is_not_a_move() {
        let a = timed("a", "A", "2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z");
        let snap = known(&[a]);
        let same = timed(
            "a",
            "A",
            "2024-12-03T11:00:00+01:00",
            "2024-12-03T12:00:00+01:00",
        );
        assert!(
            sync_sees(&snap, &[same]).is_empty(),
            "etag churn is no news"
        );
    }

    #[test]
    fn several_fields_changing_are_listed_in_one_update() {
        let a = timed("a", "A", "2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z");
        let snap = known(&[a]);
        let mut changed = timed("a", "B", "2024-12-03T10:00:00Z", "2024-12-03T11:30:00Z");
        changed.location = Some("Room 4".into());
        let changes = sync_sees(&snap, &[changed]);
        assert_eq!(changes.len(), 1);
        let fields: Vec<Field> = changes[0].diffs.iter().map(|d| d.field).collect();
        assert_eq!(fields, vec![Field::Time, Field::Title, Field::Place]);
    }

    #[test]
    fn timed_to_all_day_lists_time_and_all_day() {
        let a = timed("a", "A", "2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z");
        let snap = known(&[a]);
        let all_day = event(json!({
            "id": "a", "status": "confirmed", "summary": "A",
            "start": {"date": "2024-12-03"}, "end": {"date": "2024-12-04"},
        }));
        let changes = sync_sees(&snap, &[all_day]);
        let fields: Vec<Field> = changes[0].diffs.iter().map(|d| d.field).collect();
        assert_eq!(fields, vec![Field::Time, Field::AllDay]);
    }

    #[test]
    fn full_list_reports_only_real_differences() {
        let a = timed("a", "A", "2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z");
        let b = timed("b", "B", "2024-12-03T12:00:00Z", "2024-12-03T13:00:00Z");
        let snap = known(&[a.clone(), b]);
        let c = timed("c", "C", "2024-12-03T14:00:00Z", "2024-12-03T15:00:00Z");
        let out = classify_full(CAL, &snap, &[a, c]);
        let told: Vec<(ChangeKind, &str)> = out
            .changes
            .iter()
            .map(|c| (c.kind, c.title.as_str()))
            .collect();
        assert_eq!(
            told,
            vec![(ChangeKind::Created, "C"), (ChangeKind::Cancelled, "B")],
            "unchanged A is not new; B missing from the list was deleted"
        );
        assert_eq!(out.removed, vec!["b".to_string()]);
    }

    #[test]
    fn deleting_a_series_is_one_notice_not_one_per_instance() {
        let series = event(json!({
            "id": "s", "status": "confirmed", "summary": "Standup",
            "start": {"dateTime": "2024-12-03T09:00:00Z"}, "end": {"dateTime": "2024-12-03T09:15:00Z"},
            "recurrence": ["RRULE:FREQ=DAILY"],
        }));
        let moved = event(json!({
            "id": "s_20241204T090000Z", "status": "confirmed", "summary": "Standup",
            "recurringEventId": "s",
            "originalStartTime": {"dateTime": "2024-12-04T09:00:00Z"},
            "start": {"dateTime": "2024-12-04T10:00:00Z"}, "end": {"dateTime": "2024-12-04T10:15:00Z"},
        }));
        let snap = known(&[series, moved]);
        let out = classify_delta(
            CAL,
            &snap,
            &[
                event(json!({"id": "s", "status": "cancelled"})),
                event(json!({"id": "s_20241204T090000Z", "status": "cancelled",
                    "recurringEventId": "s", "originalStartTime": {"dateTime": "2024-12-04T09:00:00Z"}})),
            ],
        );
        assert_eq!(out.changes.len(), 1, "{:?}", out.changes);
        assert_eq!(out.changes[0].event_id, "s");
    }

    fn weekly_standup(rule: Option<&str>) -> Event {
        let mut series = event(json!({
            "id": "s", "status": "confirmed", "summary": "Standup",
            "start": {"dateTime": "2026-12-01T09:00:00-05:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-12-01T09:15:00-05:00", "timeZone": "America/New_York"},
        }));
        series.recurrence = rule.into_iter().map(str::to_string).collect();
        series
    }

    #[test]
    fn a_series_cut_short_is_one_update_of_its_rule() {
        let snap = known(&[weekly_standup(Some("RRULE:FREQ=WEEKLY;BYDAY=TU"))]);
        let cut = weekly_standup(Some("RRULE:FREQ=WEEKLY;UNTIL=20261215T045959Z;BYDAY=TU"));
        let changes = sync_sees(&snap, &[cut]);
        assert_eq!(changes.len(), 1, "{changes:?}");
        let fields: Vec<Field> = changes[0].diffs.iter().map(|d| d.field).collect();
        assert_eq!(fields, vec![Field::Repeats]);
        assert_eq!(changes[0].headline(), "Standup now ends on Tue 8 Dec");
    }

    #[test]
    fn a_rule_unknown_before_is_learnt_silently() {
        let mut snap = known(&[weekly_standup(Some("RRULE:FREQ=WEEKLY;BYDAY=TU"))]);
        for row in snap.values_mut() {
            row.recurrence = None;
        }
        let same = weekly_standup(Some("RRULE:FREQ=WEEKLY;UNTIL=20261215T045959Z;BYDAY=TU"));
        let out = classify_full(CAL, &snap, &[same]);
        assert!(
            out.changes.is_empty(),
            "a snapshot from before CalWatch kept the rule cannot say it changed: {:?}",
            out.changes
        );
        assert_eq!(
            out.upserts[0].recurrence,
            Some(vec![
                "RRULE:FREQ=WEEKLY;UNTIL=20261215T045959Z;BYDAY=TU".to_string()
            ]),
            "the rule is stored from now on"
        );
    }

    #[test]
    fn the_same_rule_rewritten_or_a_new_exdate_is_not_news() {
        let snap = known(&[weekly_standup(Some("RRULE:FREQ=WEEKLY;BYDAY=TU"))]);
        let mut rewritten = weekly_standup(Some("RRULE:BYDAY=TU;FREQ=WEEKLY"));
        rewritten
            .recurrence
            .push("EXDATE;TZID=America/New_York:20261208T090000".into());
        assert!(sync_sees(&snap, &[rewritten]).is_empty());
    }

    #[test]
    fn a_moved_occurrence_does_not_lose_the_series_rule() {
        let snap = known(&[weekly_standup(Some("RRULE:FREQ=WEEKLY;BYDAY=TU"))]);
        let moved = event(json!({
            "id": "s_20261208T140000Z", "status": "confirmed", "summary": "Standup",
            "recurringEventId": "s",
            "originalStartTime": {"dateTime": "2026-12-08T09:00:00-05:00", "timeZone": "America/New_York"},
            "start": {"dateTime": "2026-12-08T10:00:00-05:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-12-08T10:15:00-05:00", "timeZone": "America/New_York"},
        }));
        let changes = sync_sees(&snap, &[moved]);
        let fields: Vec<Field> = changes[0].diffs.iter().map(|d| d.field).collect();
        assert_eq!(
            fields,
            vec![Field::Time],
            "an occurrence has no rule of its own; it was moved, nothing more"
        );
    }

    #[test]
    fn a_single_event_made_to_repeat_and_back() {
        let snap = known(&[weekly_standup(None)]);
        let repeating = weekly_standup(Some("RRULE:FREQ=WEEKLY;BYDAY=TU"));
        let changes = sync_sees(&snap, std::slice::from_ref(&repeating));
        assert_eq!(changes[0].headline(), "Standup now repeats");
        let snap = known(&[repeating]);
        let changes = sync_sees(&snap, &[weekly_standup(None)]);
        assert_eq!(changes[0].headline(), "Standup no longer repeats");
    }

    #[test]
    fn cancelled_exception_seen_again_in_a_full_list_is_not_news() {
        let series = timed(
            "s",
            "Standup",
            "2024-12-03T09:00:00Z",
            "2024-12-03T09:15:00Z",
        );
        let snap = known(std::slice::from_ref(&series));
        let cancelled = event(json!({"id": "s_20241205T090000Z", "status": "cancelled",
            "recurringEventId": "s", "originalStartTime": {"dateTime": "2024-12-05T09:00:00Z"}}));
        let first = classify_delta(CAL, &snap, std::slice::from_ref(&cancelled));
        assert_eq!(first.changes.len(), 1, "one occurrence cancelled is told");
        let mut after = snap.clone();
        for row in first.upserts {
            after.insert(row.event_id.clone(), row);
        }
        let again = classify_full(CAL, &after, &[series, cancelled]);
        assert!(again.changes.is_empty(), "{:?}", again.changes);
    }

    #[test]
    fn an_occurrence_of_a_series_not_in_the_calendar_is_added() {
        // Invited to one occurrence of someone else's series: the series is not listed.
        let invited = event(json!({
            "id": "s_20261208T140000Z", "status": "confirmed", "summary": "Standup",
            "recurringEventId": "s",
            "originalStartTime": {"dateTime": "2026-12-08T14:00:00Z"},
            "start": {"dateTime": "2026-12-08T14:00:00Z"}, "end": {"dateTime": "2026-12-08T14:15:00Z"},
        }));
        let kinds: Vec<ChangeKind> = sync_sees(&HashMap::new(), &[invited])
            .iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(kinds, vec![ChangeKind::Created]);
    }

    #[test]
    fn an_occurrence_listed_before_its_new_series_comes_with_it() {
        let moved = event(json!({
            "id": "s_20261208T140000Z", "status": "confirmed", "summary": "Standup",
            "recurringEventId": "s",
            "originalStartTime": {"dateTime": "2026-12-08T14:00:00Z"},
            "start": {"dateTime": "2026-12-08T15:00:00Z"}, "end": {"dateTime": "2026-12-08T15:15:00Z"},
        }));
        let mut series = timed(
            "s",
            "Standup",
            "2026-12-01T14:00:00Z",
            "2026-12-01T14:15:00Z",
        );
        series.recurrence = vec!["RRULE:FREQ=WEEKLY".into()];
        let out = classify_delta(CAL, &HashMap::new(), &[moved, series]);
        let told: Vec<&str> = out.changes.iter().map(|c| c.event_id.as_str()).collect();
        assert_eq!(
            told,
            vec!["s"],
            "one notice, the series added, whatever Google's order"
        );
        assert_eq!(out.upserts.len(), 2, "the occurrence is still remembered");
        assert_eq!(out.new_series, vec!["s".to_string()]);
    }
}

//! What changed, in words a person reads, and where it goes.
//!
//! Wording lives here (not in the shell or the window) so that a toast, the change list and
//! the tests all read the same sentence.
//!
//! # Layout
//! - [`change`]: the model: [`Change`], [`ChangeKind`], [`Field`], [`FieldDiff`].
//! - [`wording`]: headlines and bodies ([`Change::headline`], [`Change::body`]).
//! - [`summary`]: [`Notice`] and [`notices`], folding many changes into one line.
//! - this file: the [`Notifier`] trait the shell implements.

pub mod change;
pub mod summary;
pub mod wording;

#[cfg(any(test, feature = "test-util"))]
mod collecting;
#[cfg(any(test, feature = "test-util"))]
pub use collecting::CollectingNotifier;

pub use crate::event_time::EventTime;
pub use change::{in_account, Change, ChangeKind, EventFacts, Field, FieldDiff};
pub use summary::{digest, notices, Notice};

/// Where notices go: the shell's desktop toasts, or a test's list.
#[async_trait::async_trait]
pub trait Notifier: Send + Sync {
    /// Shows these notices; must not block for long (the sync worker awaits it).
    async fn notify(&self, notices: &[Notice]);
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_time_diff_reads_as_times_not_as_stored_text() {
        let at = |h: u32| {
            EventTime::at(
                chrono::FixedOffset::east_opt(0)
                    .unwrap()
                    .with_ymd_and_hms(2026, 12, 3, h, 0, 0)
                    .unwrap(),
            )
        };
        let diff = FieldDiff::time(&at(10), Some(&at(11)), &at(14), Some(&at(15)));
        let (before, after) = diff.readable(chrono_tz::UTC);
        assert_eq!(
            before, "Thu 3 Dec, 10:00–11:00",
            "the window shows the old span in words"
        );
        assert_eq!(after, "Thu 3 Dec, 14:00–15:00");
        let title = FieldDiff::new(Field::Title, "Standup", "Team sync");
        assert_eq!(
            title.readable(chrono_tz::UTC),
            ("Standup".to_string(), "Team sync".to_string()),
            "text fields pass through unchanged"
        );
    }

    use super::*;
    use crate::trigger::Trigger;
    use chrono::{DateTime, NaiveDate, TimeZone};
    use chrono_tz::Tz;

    const LONDON: Tz = chrono_tz::Europe::London;

    fn at(text: &str) -> EventTime {
        EventTime::at(DateTime::parse_from_rfc3339(text).expect("test times are RFC 3339"))
    }

    fn on(text: &str) -> EventTime {
        EventTime::date(NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates parse"))
    }

    fn change(kind: ChangeKind, title: &str, start: EventTime, end: EventTime) -> Change {
        Change {
            account: "me@example.com".into(),
            calendar_id: "work@example.com".into(),
            calendar_name: "Work".into(),
            event_id: "ev1".into(),
            kind,
            title: title.into(),
            start: Some(start),
            end: Some(end),
            diffs: vec![],
            html_link: None,
            facts: Box::default(),
        }
    }

    fn team_sync(kind: ChangeKind) -> Change {
        change(
            kind,
            "Team sync",
            at("2024-12-03T10:00:00Z"),
            at("2024-12-03T11:00:00Z"),
        )
    }

    fn moved(before: (&str, &str), after: (&str, &str)) -> Change {
        let mut c = change(ChangeKind::Updated, "Team sync", at(after.0), at(after.1));
        c.diffs = vec![FieldDiff::time(
            &at(before.0),
            Some(&at(before.1)),
            &at(after.0),
            Some(&at(after.1)),
        )];
        c
    }

    #[test]
    fn moved_event_says_old_and_new_start() {
        let c = moved(
            ("2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z"),
            ("2024-12-03T11:00:00Z", "2024-12-03T12:00:00Z"),
        );
        assert_eq!(c.headline(), "Team sync moved");
        assert_eq!(c.body(LONDON), "Tue 3 Dec, 10:00 → 11:00 · Work");
    }

    #[test]
    fn move_to_another_day_names_both_days() {
        let c = moved(
            ("2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z"),
            ("2024-12-04T11:00:00Z", "2024-12-04T12:00:00Z"),
        );
        assert_eq!(c.body(LONDON), "Tue 3 Dec, 10:00 → Wed 4 Dec, 11:00 · Work");
    }

    #[test]
    fn longer_event_reads_extended_with_both_spans() {
        let c = moved(
            ("2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z"),
            ("2024-12-03T10:00:00Z", "2024-12-03T11:30:00Z"),
        );
        assert_eq!(c.headline(), "Team sync extended");
        assert_eq!(
            c.body(LONDON),
            "Tue 3 Dec, 10:00–11:00 → 10:00–11:30 · Work"
        );
        let shorter = moved(
            ("2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z"),
            ("2024-12-03T10:00:00Z", "2024-12-03T10:30:00Z"),
        );
        assert_eq!(shorter.headline(), "Team sync shortened");
    }

    #[test]
    fn created_event_shows_its_time_range() {
        let c = team_sync(ChangeKind::Created);
        assert_eq!(c.headline(), "Team sync added");
        assert_eq!(c.body(LONDON), "Tue 3 Dec, 10:00–11:00 · Work");
    }

    #[test]
    fn cancelled_event_shows_when_it_was() {
        let c = team_sync(ChangeKind::Cancelled);
        assert_eq!(c.headline(), "Team sync cancelled");
        assert_eq!(c.body(LONDON), "Tue 3 Dec, 10:00–11:00 · Work");
    }

    #[test]
    fn times_are_shown_in_the_readers_zone() {
        let c = team_sync(ChangeKind::Created);
        assert_eq!(
            c.body(chrono_tz::Europe::Berlin),
            "Tue 3 Dec, 11:00–12:00 · Work",
            "10:00 UTC is 11:00 in Berlin in winter"
        );
        assert_eq!(
            c.body(chrono_tz::America::New_York),
            "Tue 3 Dec, 05:00–06:00 · Work"
        );
        let late = change(
            ChangeKind::Created,
            "Night shift",
            at("2024-12-03T22:00:00Z"),
            at("2024-12-04T01:00:00Z"),
        );
        assert_eq!(
            late.body(LONDON),
            "Tue 3 Dec, 22:00 – Wed 4 Dec, 01:00 · Work"
        );
    }

    #[test]
    fn an_event_ending_at_midnight_is_one_evening() {
        let c = change(
            ChangeKind::Created,
            "Late call",
            at("2024-12-03T23:00:00Z"),
            at("2024-12-04T00:00:00Z"),
        );
        assert_eq!(
            c.body(LONDON),
            "Tue 3 Dec, 23:00–00:00 · Work",
            "the end is exclusive, so nothing happens on Wednesday"
        );
        let moved_late = moved(
            ("2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z"),
            ("2024-12-03T22:30:00Z", "2024-12-04T00:00:00Z"),
        );
        assert_eq!(
            moved_late.body(LONDON),
            "Tue 3 Dec, 10:00–11:00 → 22:30–00:00 · Work"
        );
    }

    #[test]
    fn renamed_event_quotes_old_and_new_title() {
        let mut c = team_sync(ChangeKind::Updated);
        c.diffs = vec![FieldDiff::new(Field::Title, "Standup", "Team sync")];
        assert_eq!(c.headline(), "“Standup” renamed to “Team sync”");
        assert_eq!(c.body(LONDON), "Tue 3 Dec, 10:00–11:00 · Work");
    }

    #[test]
    fn new_place_is_in_the_headline() {
        let mut c = team_sync(ChangeKind::Updated);
        c.diffs = vec![FieldDiff::new(Field::Place, "Room 3", "Room 4")];
        assert_eq!(c.headline(), "Team sync moved to Room 4");
        assert_eq!(c.body(LONDON), "Tue 3 Dec, 10:00–11:00 · Work");
        c.diffs = vec![FieldDiff::new(Field::Place, "Room 3", "")];
        assert_eq!(c.headline(), "Team sync no longer has a place");
    }

    #[test]
    fn time_and_place_change_together_mentions_both() {
        let mut c = moved(
            ("2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z"),
            ("2024-12-03T11:00:00Z", "2024-12-03T12:00:00Z"),
        );
        c.diffs
            .push(FieldDiff::new(Field::Place, "Room 3", "Room 4"));
        assert_eq!(c.headline(), "Team sync moved");
        assert_eq!(
            c.body(LONDON),
            "Tue 3 Dec, 10:00 → 11:00 · now at Room 4 · Work"
        );
    }

    #[test]
    fn own_response_and_status_read_as_sentences() {
        let mut c = team_sync(ChangeKind::Updated);
        c.diffs = vec![FieldDiff::new(Field::Response, "needsAction", "accepted")];
        assert_eq!(c.headline(), "You accepted Team sync");
        c.diffs = vec![FieldDiff::new(Field::Response, "accepted", "declined")];
        assert_eq!(c.headline(), "You declined Team sync");
        c.diffs = vec![FieldDiff::new(Field::Status, "confirmed", "tentative")];
        assert_eq!(c.headline(), "Team sync is now tentative");
        c.diffs = vec![FieldDiff::new(Field::Description, "old", "new")];
        assert_eq!(c.headline(), "Team sync details updated");
    }

    #[test]
    fn all_day_events_show_dates_without_times() {
        let single = change(
            ChangeKind::Created,
            "Offsite",
            on("2024-12-03"),
            on("2024-12-04"),
        );
        assert_eq!(single.body(LONDON), "Tue 3 Dec · Work");
        let multi = change(
            ChangeKind::Created,
            "Offsite",
            on("2024-12-03"),
            on("2024-12-06"),
        );
        assert_eq!(
            multi.body(LONDON),
            "Tue 3 Dec – Thu 5 Dec · Work",
            "Google's all-day end date is exclusive; the last day shown is the day before"
        );
        let mut moved = change(
            ChangeKind::Updated,
            "Offsite",
            on("2024-12-04"),
            on("2024-12-05"),
        );
        moved.diffs = vec![FieldDiff::time(
            &on("2024-12-03"),
            Some(&on("2024-12-04")),
            &on("2024-12-04"),
            Some(&on("2024-12-05")),
        )];
        assert_eq!(moved.headline(), "Offsite moved");
        assert_eq!(moved.body(LONDON), "Tue 3 Dec → Wed 4 Dec · Work");
    }

    #[test]
    fn timed_to_all_day_says_which_side_is_all_day() {
        let mut c = change(
            ChangeKind::Updated,
            "Team sync",
            on("2024-12-03"),
            on("2024-12-04"),
        );
        c.diffs = vec![
            FieldDiff::time(
                &at("2024-12-03T10:00:00Z"),
                Some(&at("2024-12-03T11:00:00Z")),
                &on("2024-12-03"),
                Some(&on("2024-12-04")),
            ),
            FieldDiff::new(Field::AllDay, "false", "true"),
        ];
        assert_eq!(c.headline(), "Team sync moved");
        assert_eq!(
            c.body(LONDON),
            "Tue 3 Dec, 10:00–11:00 → Tue 3 Dec, all day · Work"
        );
    }

    /// A weekly standup from Tue 1 Dec 2026 09:00 New York time whose rule went from
    /// `before` to `after` (`None`: no rule).
    fn rule_changed(before: Option<&str>, after: Option<&str>) -> Change {
        let start = EventTime::DateTime {
            date_time: DateTime::parse_from_rfc3339("2026-12-01T09:00:00-05:00").unwrap(),
            time_zone: Some("America/New_York".into()),
        };
        let end = at("2026-12-01T14:15:00Z");
        let rules = |rule: Option<&str>| rule.map(|r| vec![r.to_string()]).unwrap_or_default();
        let mut c = change(ChangeKind::Updated, "Standup", start.clone(), end);
        c.diffs = vec![FieldDiff::repeats(
            &start,
            &rules(before),
            &start,
            &rules(after),
        )];
        c
    }

    const NEW_YORK: Tz = chrono_tz::America::New_York;

    #[test]
    fn a_series_cut_short_says_its_last_day() {
        let c = rule_changed(
            Some("RRULE:FREQ=WEEKLY;WKST=SU;BYDAY=TU"),
            Some("RRULE:FREQ=WEEKLY;WKST=SU;UNTIL=20261215T045959Z;BYDAY=TU"),
        );
        assert_eq!(c.headline(), "Standup now ends on Tue 8 Dec");
        assert_eq!(
            c.body(NEW_YORK),
            "weekly on Tue → weekly on Tue until 8 Dec · Work"
        );
        let counted = rule_changed(
            Some("RRULE:FREQ=DAILY;COUNT=10"),
            Some("RRULE:FREQ=DAILY;COUNT=3"),
        );
        assert_eq!(counted.headline(), "Standup now ends on Thu 3 Dec");
        let endless = rule_changed(Some("RRULE:FREQ=DAILY;COUNT=3"), Some("RRULE:FREQ=DAILY"));
        assert_eq!(endless.headline(), "Standup now repeats with no end");
    }

    #[test]
    fn a_rule_removed_added_or_reshaped_reads_as_such() {
        let removed = rule_changed(Some("RRULE:FREQ=DAILY"), None);
        assert_eq!(removed.headline(), "Standup no longer repeats");
        assert_eq!(
            removed.body(NEW_YORK),
            "Tue 1 Dec, 09:00–09:15 · Work",
            "what is left is one event"
        );
        let added = rule_changed(None, Some("RRULE:FREQ=WEEKLY;BYDAY=TU"));
        assert_eq!(added.headline(), "Standup now repeats");
        assert_eq!(added.body(NEW_YORK), "weekly on Tue · Work");
        let reshaped = rule_changed(
            Some("RRULE:FREQ=WEEKLY;BYDAY=TU"),
            Some("RRULE:FREQ=MONTHLY;BYDAY=1TU"),
        );
        assert_eq!(reshaped.headline(), "Standup repeats differently");
        assert_eq!(
            reshaped.body(NEW_YORK),
            "weekly on Tue → monthly on the 1st Tue · Work"
        );
        let odd = rule_changed(
            Some("RRULE:FREQ=WEEKLY;BYDAY=TU"),
            Some("RRULE:FREQ=MONTHLY;BYSETPOS=2;BYDAY=TU,WE"),
        );
        assert_eq!(odd.headline(), "Standup repeats differently");
        assert_eq!(
            odd.diffs[0].readable(NEW_YORK),
            (
                "weekly on Tue".to_string(),
                "RRULE:FREQ=MONTHLY;BYSETPOS=2;BYDAY=TU,WE".to_string()
            ),
            "a rule beyond words is shown as Google wrote it"
        );
    }

    #[test]
    fn a_rule_change_beside_a_rename_is_a_side_phrase() {
        let mut c = rule_changed(
            Some("RRULE:FREQ=WEEKLY;BYDAY=TU"),
            Some("RRULE:FREQ=DAILY;COUNT=5"),
        );
        c.diffs
            .insert(0, FieldDiff::new(Field::Title, "Standup", "Daily sync"));
        c.title = "Daily sync".into();
        assert_eq!(c.headline(), "“Standup” renamed to “Daily sync”");
        assert_eq!(
            c.body(NEW_YORK),
            "Tue 1 Dec, 09:00–09:15 · now daily, 5 times · Work"
        );
        c.diffs[1] = FieldDiff::repeats(
            c.start.as_ref().unwrap(),
            &["RRULE:FREQ=DAILY".to_string()],
            c.start.as_ref().unwrap(),
            &[],
        );
        assert_eq!(
            c.body(NEW_YORK),
            "Tue 1 Dec, 09:00–09:15 · no longer repeats · Work"
        );
    }

    #[test]
    fn repeats_is_named_repeats_on_the_wire() {
        assert_eq!(
            serde_json::to_value(Field::Repeats).unwrap(),
            serde_json::json!("repeats"),
            "the window (ui/src/lib/types.ts) knows the field by this name"
        );
    }

    #[test]
    fn untitled_event_uses_googles_placeholder() {
        let c = change(
            ChangeKind::Created,
            "  ",
            at("2024-12-03T10:00:00Z"),
            at("2024-12-03T11:00:00Z"),
        );
        assert_eq!(c.headline(), "(No title) added");
        let mut renamed = c.clone();
        renamed.kind = ChangeKind::Updated;
        renamed.diffs = vec![FieldDiff::new(Field::Title, "", "Lunch")];
        assert_eq!(renamed.headline(), "(No title) renamed to “Lunch”");
    }

    fn created_in(calendar: &str, title: &str) -> Change {
        let mut c = team_sync(ChangeKind::Created);
        c.calendar_id = format!("{calendar}@example.com");
        c.calendar_name = calendar.into();
        c.title = title.into();
        c
    }

    #[test]
    fn more_than_threshold_in_one_calendar_becomes_one_summary() {
        let changes: Vec<Change> = ["A", "B", "C", "D"]
            .iter()
            .map(|t| created_in("Work", t))
            .chain([created_in("Home", "Dentist")])
            .collect();
        let shown = notices(&changes, 3, Trigger::Push);
        assert_eq!(
            shown.len(),
            2,
            "Work is summarised, Home's single change stays itself"
        );
        assert_eq!(shown[0].headline(), "4 changes in Work");
        assert_eq!(
            shown[0].body(LONDON),
            "A added · B added · C added · and 1 more"
        );
        assert_eq!(shown[1], Notice::Single(created_in("Home", "Dentist")));
    }

    #[test]
    fn at_threshold_every_change_is_its_own_notice() {
        let changes: Vec<Change> = ["A", "B", "C"]
            .iter()
            .map(|t| created_in("Work", t))
            .collect();
        let shown = notices(&changes, 3, Trigger::Push);
        assert_eq!(
            shown.len(),
            3,
            "three changes with threshold 3 are shown one by one"
        );
        assert!(shown.iter().all(|n| matches!(n, Notice::Single(_))));
    }

    #[test]
    fn away_changes_become_one_summary_per_calendar() {
        let changes = vec![
            created_in("Work", "A"),
            created_in("Home", "B"),
            created_in("Work", "C"),
        ];
        let shown = notices(&changes, 3, Trigger::CatchUp);
        let headlines: Vec<String> = shown.iter().map(Notice::headline).collect();
        assert_eq!(
            headlines,
            vec![
                "2 changes in Work while you were away",
                "1 change in Home while you were away"
            ]
        );
    }

    #[test]
    fn change_and_notice_round_trip_through_json() {
        let c = moved(
            ("2024-12-03T10:00:00+01:00", "2024-12-03T11:00:00+01:00"),
            ("2024-12-03T11:00:00+01:00", "2024-12-03T12:00:00+01:00"),
        );
        let json = serde_json::to_string(&Notice::Single(c.clone())).expect("serialises");
        let back: Notice = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, Notice::Single(c));
        let time = serde_json::to_value(on("2024-12-03")).expect("serialises");
        assert_eq!(
            time,
            serde_json::json!({"kind": "date", "date": "2024-12-03"})
        );
    }

    #[test]
    fn same_time_ignores_offset_and_zone_name() {
        let utc = at("2024-12-03T10:00:00Z");
        let berlin = EventTime::DateTime {
            date_time: DateTime::parse_from_rfc3339("2024-12-03T11:00:00+01:00").unwrap(),
            time_zone: Some("Europe/Berlin".into()),
        };
        assert!(utc.same_time(&berlin), "the same instant is the same time");
        assert!(!utc.same_time(&on("2024-12-03")));
        assert_eq!(EventTime::decode(&utc.encode()), Some(utc));
    }
}

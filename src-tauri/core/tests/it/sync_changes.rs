//! Each kind of edit a person makes in Google Calendar becomes exactly one change, with
//! the right kind and the right diff; edits a person would not notice become none.
//!
//! Real HTTP against fake-google on loopback, a real SQLite file, paused tokio time.

use crate::engine_support::{id_of, kinds, quick, Harness};
use calwatch_core::notice::{ChangeKind, EventTime, Field, Notice};
use calwatch_core::store::PRIMARY_NAME;
use chrono::{Datelike, NaiveDate};
use serde_json::json;

#[tokio::test(start_paused = true)]
async fn new_event_is_reported_once_as_added() {
    let h = Harness::start(quick).await;
    h.watch().await;
    h.insert(
        "Team sync",
        "2026-12-01T10:00:00+00:00",
        "2026-12-01T11:00:00+00:00",
    );
    h.notifier.wait_for(1).await;
    h.settle().await;
    let changes = h.notifier.changes();
    assert_eq!(
        kinds(&changes),
        vec![ChangeKind::Created],
        "one new event is one 'added' notice"
    );
    assert_eq!(changes[0].headline(), "Team sync added");
    assert!(changes[0].diffs.is_empty(), "an added event has no diff");
}

#[tokio::test(start_paused = true)]
async fn moved_event_reports_old_and_new_time() {
    let h = Harness::start(quick).await;
    let id = h.insert(
        "Team sync",
        "2026-12-01T10:00:00+00:00",
        "2026-12-01T11:00:00+00:00",
    );
    h.watch().await;
    h.control.update_event(
        &h.calendar,
        &id,
        json!({
            "start": {"dateTime": "2026-12-01T11:00:00+00:00"},
            "end": {"dateTime": "2026-12-01T12:00:00+00:00"},
        }),
    );
    h.notifier.wait_for(1).await;
    h.settle().await;
    let changes = h.notifier.changes();
    assert_eq!(
        kinds(&changes),
        vec![ChangeKind::Updated],
        "a move is one update"
    );
    let change = &changes[0];
    assert_eq!(change.headline(), "Team sync moved");
    assert_eq!(
        change.diffs.iter().map(|d| d.field).collect::<Vec<_>>(),
        vec![Field::Time],
        "only the time changed"
    );
    assert_eq!(
        change.body(chrono_tz::Europe::London),
        format!("Tue 1 Dec, 10:00 → 11:00 · {PRIMARY_NAME}"),
        "the body reads like a sentence: from when to when"
    );
}

#[tokio::test(start_paused = true)]
async fn renamed_event_reports_old_and_new_title() {
    let h = Harness::start(quick).await;
    let id = h.insert(
        "Standup",
        "2026-12-01T10:00:00+00:00",
        "2026-12-01T10:15:00+00:00",
    );
    h.watch().await;
    h.control
        .update_event(&h.calendar, &id, json!({"summary": "Team sync"}));
    h.notifier.wait_for(1).await;
    h.settle().await;
    let changes = h.notifier.changes();
    assert_eq!(kinds(&changes), vec![ChangeKind::Updated]);
    assert_eq!(changes[0].headline(), "“Standup” renamed to “Team sync”");
    assert_eq!(changes[0].diffs.len(), 1, "only the title changed");
    assert_eq!(changes[0].diffs[0].field, Field::Title);
    assert_eq!(changes[0].diffs[0].before, "Standup");
    assert_eq!(changes[0].diffs[0].after, "Team sync");
}

#[tokio::test(start_paused = true)]
async fn deleted_event_is_reported_cancelled_with_its_last_title() {
    let h = Harness::start(quick).await;
    let id = h.insert(
        "Dentist",
        "2026-12-02T09:00:00+00:00",
        "2026-12-02T09:30:00+00:00",
    );
    h.watch().await;
    h.control.delete_event(&h.calendar, &id);
    h.notifier.wait_for(1).await;
    h.settle().await;
    let changes = h.notifier.changes();
    assert_eq!(kinds(&changes), vec![ChangeKind::Cancelled]);
    assert_eq!(changes[0].headline(), "Dentist cancelled");
}

#[tokio::test(start_paused = true)]
async fn event_created_and_deleted_between_syncs_is_not_reported() {
    let h = Harness::start(quick).await;
    h.watch().await;
    // Both edits land before the coalesced sync runs: Google lists the id as cancelled,
    // and a cancelled id never seen is nothing to tell.
    let id = h.insert(
        "Typo",
        "2026-12-02T09:00:00+00:00",
        "2026-12-02T09:30:00+00:00",
    );
    h.control.delete_event(&h.calendar, &id);
    h.settle().await;
    assert!(
        h.notifier.notices().is_empty(),
        "nothing a person could have seen happened: {:?}",
        h.notifier.notices()
    );
}

#[tokio::test(start_paused = true)]
async fn all_day_event_is_added_with_date_wording() {
    let h = Harness::start(quick).await;
    h.watch().await;
    h.control.insert_event(
        &h.calendar,
        json!({
            "summary": "Offsite",
            "start": {"date": "2026-12-03"},
            "end": {"date": "2026-12-04"},
        }),
    );
    h.notifier.wait_for(1).await;
    h.settle().await;
    let changes = h.notifier.changes();
    assert_eq!(kinds(&changes), vec![ChangeKind::Created]);
    let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    assert_eq!(
        changes[0].start,
        Some(EventTime::date(day)),
        "an all-day event keeps its date, not a midnight time"
    );
    let weekday = day.weekday().to_string();
    assert_eq!(
        changes[0].body(chrono_tz::America::New_York),
        format!("{weekday} 3 Dec · {PRIMARY_NAME}"),
        "all-day wording names the day, with no time, in any zone"
    );
}

#[tokio::test(start_paused = true)]
async fn etag_only_churn_is_not_reported() {
    let h = Harness::start(quick).await;
    let id = h.insert(
        "Team sync",
        "2026-12-01T10:00:00+00:00",
        "2026-12-01T11:00:00+00:00",
    );
    h.watch().await;
    let before = h.list_calls();
    // Changes Google makes that a person would not call a change: colour, reminders, and
    // the same time written in another zone.
    h.control
        .update_event(&h.calendar, &id, json!({"colorId": "7"}));
    h.control.update_event(
        &h.calendar,
        &id,
        json!({"reminders": {"useDefault": false, "overrides": [{"method": "popup", "minutes": 5}]}}),
    );
    h.control.update_event(
        &h.calendar,
        &id,
        json!({
            "start": {"dateTime": "2026-12-01T11:00:00+01:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2026-12-01T12:00:00+01:00", "timeZone": "Europe/Berlin"},
        }),
    );
    h.settle().await;
    assert!(
        h.list_calls() > before,
        "the notifications did cause a sync (the test must not pass by doing nothing)"
    );
    assert!(
        h.notifier.notices().is_empty(),
        "etag churn is no news: {:?}",
        h.notifier.notices()
    );
}

#[tokio::test(start_paused = true)]
async fn own_response_change_is_reported() {
    let h = Harness::start(quick).await;
    let me = h.control.user_email();
    let event = h.control.insert_event(
        &h.calendar,
        json!({
            "summary": "Planning",
            "start": {"dateTime": "2026-12-04T14:00:00+00:00"},
            "end": {"dateTime": "2026-12-04T15:00:00+00:00"},
            "organizer": {"email": "priya@example.com"},
            "attendees": [
                {"email": me, "self": true, "responseStatus": "needsAction"},
                {"email": "priya@example.com", "organizer": true, "responseStatus": "accepted"},
            ],
        }),
    );
    h.watch().await;
    // Someone else's answer to someone else's event is recorded but not told (guests'
    // replies are told by default only for events the user organises)…
    h.control.update_event(
        &h.calendar,
        &id_of(&event),
        json!({"attendees": [
            {"email": me, "self": true, "responseStatus": "needsAction"},
            {"email": "priya@example.com", "responseStatus": "declined"},
        ]}),
    );
    h.settle().await;
    assert!(
        h.notifier.notices().is_empty(),
        "other attendees' responses are not the user's news"
    );
    let recorded = h.engine.recent_changes(1).expect("history");
    assert_eq!(
        recorded[0].change.headline(),
        "priya@example.com declined Planning"
    );
    assert_eq!(
        recorded[0].silenced,
        Some(calwatch_core::noise::Silence::GuestReplies)
    );
    // …the user's own answer does.
    h.control.update_event(
        &h.calendar,
        &id_of(&event),
        json!({"attendees": [
            {"email": me, "self": true, "responseStatus": "accepted"},
            {"email": "priya@example.com", "responseStatus": "declined"},
        ]}),
    );
    h.notifier.wait_for(1).await;
    h.settle().await;
    let changes = h.notifier.changes();
    assert_eq!(kinds(&changes), vec![ChangeKind::Updated]);
    assert_eq!(changes[0].headline(), "You accepted Planning");
}

#[tokio::test(start_paused = true)]
async fn inviting_and_uninviting_guests_to_ones_own_event_is_no_reply_of_the_user() {
    let h = Harness::start(quick).await;
    let me = h.control.user_email();
    let id = h.insert(
        "Planning",
        "2026-12-04T14:00:00+00:00",
        "2026-12-04T15:00:00+00:00",
    );
    h.watch().await;
    let before = h.list_calls();
    // The user adds a guest to their own event: Google lists the organizer among the
    // attendees from then on, already accepted…
    h.control.update_event(
        &h.calendar,
        &id,
        json!({"attendees": [
            {"email": me, "self": true, "organizer": true, "responseStatus": "accepted"},
            {"email": "priya@example.com", "responseStatus": "needsAction"},
        ]}),
    );
    h.settle().await;
    // …and removing the last guest drops the attendee list again.
    h.control
        .update_event(&h.calendar, &id, json!({"attendees": null}));
    h.settle().await;
    assert!(
        h.list_calls() > before,
        "the edits did cause syncs (the test must not pass by doing nothing)"
    );
    assert!(
        h.notifier.notices().is_empty(),
        "the user neither accepted anything nor owes a reply: {:?}",
        h.notifier
            .changes()
            .iter()
            .map(|c| c.headline())
            .collect::<Vec<_>>()
    );
}

#[tokio::test(start_paused = true)]
async fn moved_instance_of_a_recurring_series_is_one_update_for_that_instance() {
    let h = Harness::start(quick).await;
    let series = h.control.insert_event(
        &h.calendar,
        json!({
            "summary": "Standup",
            "start": {"dateTime": "2026-12-01T09:00:00-05:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-12-01T09:15:00-05:00", "timeZone": "America/New_York"},
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=10"],
        }),
    );
    let series_id = id_of(&series);
    h.watch().await;
    // Google's exception: its own id, the series id, and the start it replaces.
    let instance_id = format!("{series_id}_20261203T140000Z");
    h.control.insert_event(
        &h.calendar,
        json!({
            "id": instance_id,
            "summary": "Standup",
            "recurringEventId": series_id,
            "originalStartTime": {"dateTime": "2026-12-03T09:00:00-05:00", "timeZone": "America/New_York"},
            "start": {"dateTime": "2026-12-03T10:00:00-05:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-12-03T10:15:00-05:00", "timeZone": "America/New_York"},
        }),
    );
    h.notifier.wait_for(1).await;
    h.settle().await;
    let changes = h.notifier.changes();
    assert_eq!(
        kinds(&changes),
        vec![ChangeKind::Updated],
        "moving one occurrence is an update of that occurrence, not a new event"
    );
    assert_eq!(changes[0].event_id, instance_id);
    assert_eq!(changes[0].headline(), "Standup moved");
    assert_eq!(
        changes[0].body(chrono_tz::America::New_York),
        format!("Thu 3 Dec, 09:00 → 10:00 · {PRIMARY_NAME}"),
        "the diff runs from the occurrence's original time"
    );

    // Cancelling another single occurrence says which one went.
    h.control.insert_event(
        &h.calendar,
        json!({
            "id": format!("{series_id}_20261204T140000Z"),
            "status": "cancelled",
            "recurringEventId": series_id,
            "originalStartTime": {"dateTime": "2026-12-04T09:00:00-05:00", "timeZone": "America/New_York"},
        }),
    );
    h.notifier.wait_for(2).await;
    h.settle().await;
    let changes = h.notifier.changes();
    assert_eq!(
        kinds(&changes),
        vec![ChangeKind::Updated, ChangeKind::Cancelled]
    );
    assert_eq!(changes[1].headline(), "Standup cancelled");
    assert_eq!(
        changes[1].body(chrono_tz::America::New_York),
        format!("Fri 4 Dec, 09:00–09:15 · {PRIMARY_NAME}")
    );
}

#[tokio::test(start_paused = true)]
async fn paused_changes_are_recorded_but_not_shown_even_after_unpausing() {
    let h = Harness::start(quick).await;
    h.watch().await;
    h.engine
        .update_settings(calwatch_core::engine::SettingsPatch {
            paused: Some(true),
            ..Default::default()
        })
        .await
        .expect("pausing works");
    h.insert(
        "Quiet meeting",
        "2026-12-05T10:00:00+00:00",
        "2026-12-05T11:00:00+00:00",
    );
    h.settle().await;
    assert!(h.notifier.notices().is_empty(), "paused: nothing is shown");
    let recorded = h.engine.recent_changes(10).expect("history reads");
    assert_eq!(recorded.len(), 1, "paused changes still reach the history");
    assert_eq!(recorded[0].change.headline(), "Quiet meeting added");

    h.engine
        .update_settings(calwatch_core::engine::SettingsPatch {
            paused: Some(false),
            ..Default::default()
        })
        .await
        .expect("unpausing works");
    h.settle().await;
    h.engine.resumed().await;
    h.settle().await;
    assert!(
        h.notifier.notices().is_empty(),
        "unpausing does not replay what was held back: {:?}",
        h.notifier.notices()
    );
    h.insert(
        "Loud meeting",
        "2026-12-05T12:00:00+00:00",
        "2026-12-05T13:00:00+00:00",
    );
    let notices = h.notifier.wait_for(1).await;
    assert!(
        matches!(&notices[0], Notice::Single(c) if c.headline() == "Loud meeting added"),
        "after unpausing, new changes show again"
    );
}

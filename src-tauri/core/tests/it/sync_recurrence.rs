//! Changes to a recurring series' rule, as Google Calendar makes them: "delete this and
//! all following" shortens the series, "edit this and all following" ends it and starts a
//! new one, and editing the repeat itself changes or removes the rule. Each reads as one
//! sentence; a database from before CalWatch kept the rule reports nothing spurious.
//!
//! Real HTTP against fake-google on loopback, a real SQLite file, paused tokio time.

use calwatch_core::store::PRIMARY_NAME;
use std::sync::Arc;

use crate::engine_support::{id_of, kinds, quick, Harness};
use calwatch_core::notice::{ChangeKind, Field};
use chrono_tz::America::New_York;
use serde_json::json;

/// A weekly standup on Tuesdays from Tue 1 Dec 2026, 09:00–09:15 New York time.
fn standup(h: &Harness) -> String {
    let series = h.control.insert_event(
        &h.calendar,
        json!({
            "summary": "Standup",
            "start": {"dateTime": "2026-12-01T09:00:00-05:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-12-01T09:15:00-05:00", "timeZone": "America/New_York"},
            "recurrence": ["RRULE:FREQ=WEEKLY;WKST=SU;BYDAY=TU"],
        }),
    );
    id_of(&series)
}

/// What Google writes when the occurrences from Tue 15 Dec on are deleted: the series ends
/// at the last second of the day before, in the series' zone (Mon 14 Dec, 23:59:59 EST).
const CUT_BEFORE_15_DEC: &str = "RRULE:FREQ=WEEKLY;WKST=SU;UNTIL=20261215T045959Z;BYDAY=TU";

#[tokio::test(start_paused = true)]
async fn deleting_this_and_following_says_when_the_series_now_ends() {
    let h = Harness::start(quick).await;
    let series = standup(&h);
    h.watch().await;
    h.control.update_event(
        &h.calendar,
        &series,
        json!({"recurrence": [CUT_BEFORE_15_DEC]}),
    );
    h.notifier.wait_for(1).await;
    h.settle().await;
    let changes = h.notifier.changes();
    assert_eq!(
        kinds(&changes),
        vec![ChangeKind::Updated],
        "a shortened series is one update of the series: {changes:#?}"
    );
    assert_eq!(changes[0].event_id, series);
    assert_eq!(
        changes[0].headline(),
        "Standup now ends on Tue 8 Dec",
        "the last occurrence left, not the day the rule's UNTIL falls on"
    );
    assert_eq!(
        changes[0].body(New_York),
        format!("weekly on Tue → weekly on Tue until 8 Dec · {PRIMARY_NAME}")
    );
    assert_eq!(
        changes[0].diffs.iter().map(|d| d.field).collect::<Vec<_>>(),
        vec![Field::Repeats],
        "only the repeat changed"
    );
    assert_eq!(
        changes[0].diffs[0].readable(New_York),
        (
            "weekly on Tue".to_string(),
            "weekly on Tue until 8 Dec".to_string()
        ),
        "the window's change list shows the rule in words"
    );
}

#[tokio::test(start_paused = true)]
async fn removing_the_repeat_says_it_no_longer_repeats() {
    let h = Harness::start(quick).await;
    let series = standup(&h);
    h.watch().await;
    h.control
        .update_event(&h.calendar, &series, json!({"recurrence": null}));
    h.notifier.wait_for(1).await;
    h.settle().await;
    let changes = h.notifier.changes();
    assert_eq!(kinds(&changes), vec![ChangeKind::Updated]);
    assert_eq!(changes[0].headline(), "Standup no longer repeats");
    assert_eq!(
        changes[0].body(New_York),
        format!("Tue 1 Dec, 09:00–09:15 · {PRIMARY_NAME}"),
        "what is left is a single event: the body says when"
    );
}

#[tokio::test(start_paused = true)]
async fn changing_the_repeat_otherwise_says_it_repeats_differently_and_how() {
    let h = Harness::start(quick).await;
    let series = standup(&h);
    h.watch().await;
    h.control.update_event(
        &h.calendar,
        &series,
        json!({"recurrence": ["RRULE:FREQ=WEEKLY;WKST=SU;BYDAY=TU,TH"]}),
    );
    h.notifier.wait_for(1).await;
    h.control.update_event(
        &h.calendar,
        &series,
        json!({"recurrence": ["RRULE:FREQ=DAILY;INTERVAL=2;COUNT=10"]}),
    );
    h.notifier.wait_for(2).await;
    h.settle().await;
    let changes = h.notifier.changes();
    assert_eq!(
        kinds(&changes),
        vec![ChangeKind::Updated, ChangeKind::Updated]
    );
    let told: Vec<(String, String)> = changes
        .iter()
        .map(|c| (c.headline(), c.body(New_York)))
        .collect();
    assert_eq!(
        told,
        vec![
            (
                "Standup repeats differently".to_string(),
                format!("weekly on Tue → weekly on Tue, Thu · {PRIMARY_NAME}")
            ),
            (
                "Standup repeats differently".to_string(),
                format!("weekly on Tue, Thu → every 2 days, 10 times · {PRIMARY_NAME}")
            ),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn editing_this_and_following_reads_as_old_series_ending_and_new_one_added() {
    let h = Harness::start(quick).await;
    let series = standup(&h);
    h.watch().await;
    // Google's split: the old series ends before the edited occurrence, and a new series
    // (id "<old>_R<start>") starts there with the edit applied, here an hour later.
    h.control.update_event(
        &h.calendar,
        &series,
        json!({"recurrence": [CUT_BEFORE_15_DEC]}),
    );
    h.control.insert_event(
        &h.calendar,
        json!({
            "id": format!("{series}_R20261215T140000"),
            "summary": "Standup",
            "start": {"dateTime": "2026-12-15T10:00:00-05:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-12-15T10:15:00-05:00", "timeZone": "America/New_York"},
            "recurrence": ["RRULE:FREQ=WEEKLY;WKST=SU;BYDAY=TU"],
        }),
    );
    h.notifier.wait_for(2).await;
    h.settle().await;
    let told: Vec<(String, String)> = h
        .notifier
        .changes()
        .iter()
        .map(|c| (c.headline(), c.body(New_York)))
        .collect();
    assert_eq!(
        told,
        vec![
            (
                "Standup now ends on Tue 8 Dec".to_string(),
                format!("weekly on Tue → weekly on Tue until 8 Dec · {PRIMARY_NAME}")
            ),
            (
                "Standup added".to_string(),
                format!("Tue 15 Dec, 10:00–10:15 · {PRIMARY_NAME}")
            ),
        ],
        "the old series ends on the 8th and the new one picks up on the 15th"
    );
}

#[tokio::test(start_paused = true)]
async fn upgrading_a_database_without_rules_reports_nothing_then_sees_the_next_cut() {
    let mut h = Harness::start(quick).await;
    let series = standup(&h);
    h.watch().await;
    h.settle().await;
    h.engine.shutdown().await;
    // Make the file what the previous CalWatch left: schema 2, snapshots without the rule
    // (the tables keep schema 5's keys, which schema 5's migration carries over as is).
    let path = h
        .dir
        .path()
        .join("data")
        .join(calwatch_core::config::DATABASE_FILE);
    let conn = rusqlite::Connection::open(&path).expect("the engine's database opens");
    conn.execute_batch(
        "DROP TABLE calendar_list_channels; DROP TABLE calendar_list_sync;
         DROP INDEX changes_by_account; ALTER TABLE changes DROP COLUMN account;
         ALTER TABLE sync_batches DROP COLUMN account; ALTER TABLE calendars DROP COLUMN gone_reason;
         DROP INDEX channels_by_calendar;
         DROP INDEX changes_held; ALTER TABLE changes DROP COLUMN held;
         ALTER TABLE changes DROP COLUMN silenced; DROP TABLE calendar_rules;
         ALTER TABLE snapshots DROP COLUMN people; ALTER TABLE snapshots DROP COLUMN meeting_link;
         ALTER TABLE snapshots DROP COLUMN recurrence; PRAGMA user_version = 2;",
    )
    .expect("back to schema 2");
    drop(conn);
    let lists_before = h.list_calls();

    let clock = Arc::clone(&h.clock);
    h.restart(clock).await;
    h.settle().await;
    assert!(
        h.list_calls() > lists_before,
        "the restarted engine did sync (the test must not pass by doing nothing)"
    );
    assert!(
        h.notifier.notices().is_empty(),
        "a rule CalWatch did not know before is no change: {:?}",
        h.notifier.notices()
    );

    h.control.update_event(
        &h.calendar,
        &series,
        json!({"recurrence": [CUT_BEFORE_15_DEC]}),
    );
    h.notifier.wait_for(1).await;
    h.settle().await;
    let headlines: Vec<String> = h.notifier.changes().iter().map(|c| c.headline()).collect();
    assert_eq!(
        headlines,
        vec!["Standup now ends on Tue 8 Dec"],
        "the first sync after the upgrade learnt the rule, so the next cut is told"
    );
}

/// Google's exception for the standup's occurrence on Tue 8 Dec, moved an hour later.
fn moved_on_8_dec(series: &str) -> serde_json::Value {
    json!({
        "id": format!("{series}_20261208T140000Z"),
        "summary": "Standup",
        "recurringEventId": series,
        "originalStartTime": {"dateTime": "2026-12-08T09:00:00-05:00", "timeZone": "America/New_York"},
        "start": {"dateTime": "2026-12-08T10:00:00-05:00", "timeZone": "America/New_York"},
        "end": {"dateTime": "2026-12-08T10:15:00-05:00", "timeZone": "America/New_York"},
    })
}

/// Google's exception for the standup's occurrence on Tue 15 Dec, deleted.
fn cancelled_on_15_dec(series: &str) -> serde_json::Value {
    json!({
        "id": format!("{series}_20261215T140000Z"),
        "status": "cancelled",
        "recurringEventId": series,
        "originalStartTime": {"dateTime": "2026-12-15T09:00:00-05:00", "timeZone": "America/New_York"},
    })
}

/// Creates the standup and edits its occurrences with the deliveries dropped, so one sync
/// (asked for afterwards, as the backstop would) finds all of it; `page_cap` events a page.
async fn series_and_exceptions_in_one_sync(
    page_cap: usize,
    exceptions: impl Fn(&str) -> Vec<serde_json::Value>,
) -> Vec<calwatch_core::notice::Change> {
    let h = Harness::start(quick).await;
    h.watch().await;
    h.control.set_faults(fake_google::Faults {
        drop_rate: 1.0,
        list_page_cap: page_cap,
        ..fake_google::Faults::default()
    });
    let series = standup(&h);
    for exception in exceptions(&series) {
        h.control.insert_event(&h.calendar, exception);
    }
    h.control.wait_for_deliveries_idle().await;
    assert!(
        h.notifier.notices().is_empty(),
        "nothing synced before the one sync under test"
    );
    h.engine.sync_now(&h.key).await.expect("the sync runs");
    h.settle().await;
    let changes = h.notifier.changes();
    assert!(
        changes.iter().any(|c| c.event_id == series),
        "the sync under test saw the series: {changes:#?}"
    );
    changes
}

#[tokio::test(start_paused = true)]
async fn a_series_created_with_an_occurrence_already_moved_is_only_added() {
    let changes = series_and_exceptions_in_one_sync(0, |s| vec![moved_on_8_dec(s)]).await;
    assert_eq!(
        changes.iter().map(|c| c.headline()).collect::<Vec<_>>(),
        vec!["Standup added"],
        "nobody was told the occurrence was ever at 09:00, so it did not move for them"
    );
}

#[tokio::test(start_paused = true)]
async fn a_new_series_and_its_exceptions_on_later_pages_is_only_added() {
    // One event a page: the series is committed before its exceptions are classified, so
    // "known before this sync" must not mean "in the store by now".
    let changes =
        series_and_exceptions_in_one_sync(1, |s| vec![moved_on_8_dec(s), cancelled_on_15_dec(s)])
            .await;
    assert_eq!(
        changes.iter().map(|c| c.headline()).collect::<Vec<_>>(),
        vec!["Standup added"],
        "an occurrence moved or deleted before anyone heard of the series is no news"
    );
}

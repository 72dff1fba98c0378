//! Committing a sync: snapshots, changes and the sync token move together or not at all,
//! and recorded changes wait (across restarts) until they are delivered.

use std::path::{Path, PathBuf};

use crate::support::store::{at, calendar, key, raw, store_with_account};
use calwatch_core::notice::{Change, ChangeKind};
use calwatch_core::store::{CalendarRecord, EventSnapshot, Store, StoreError, SyncCommit};
use calwatch_core::trigger::Trigger;
use tempfile::TempDir;

const WORK: &str = "work@example.com";

fn fixture() -> (TempDir, PathBuf, Store) {
    let (dir, path, store) = store_with_account(1);
    store
        .upsert_calendar(&CalendarRecord {
            time_zone: Some("Europe/London".into()),
            watched: true,
            ..calendar(WORK, "Work")
        })
        .unwrap();
    (dir, path, store)
}

fn snapshot(event_id: &str, summary: &str, start: &str, end: &str) -> EventSnapshot {
    crate::support::snapshot::snapshot(WORK, event_id)
        .summary(summary)
        .during(at(start), at(end))
        .build()
}

fn change(event_id: &str, title: &str, kind: ChangeKind) -> Change {
    Change {
        account: crate::support::store::ME.into(),
        calendar_id: WORK.into(),
        calendar_name: "Work".into(),
        event_id: event_id.into(),
        kind,
        title: title.into(),
        start: Some(at("2024-12-03T10:00:00Z")),
        end: Some(at("2024-12-03T11:00:00Z")),
        diffs: vec![],
        html_link: None,
        facts: Default::default(),
    }
}

fn token(store: &Store) -> Option<String> {
    store
        .sync_state(&key(WORK))
        .unwrap()
        .and_then(|s| s.sync_token)
}

/// Baseline: one event known, sync token "t1", nothing to deliver.
fn baseline(store: &Store) -> EventSnapshot {
    let team_sync = snapshot(
        "ev1",
        "Team sync",
        "2024-12-03T10:00:00Z",
        "2024-12-03T11:00:00Z",
    );
    store
        .commit_sync(
            &key(WORK),
            std::slice::from_ref(&team_sync),
            &[],
            &[],
            Some("t1"),
            Some(1000),
        )
        .unwrap();
    team_sync
}

fn add_trigger(path: &Path, sql: &str) {
    raw(path).execute_batch(sql).unwrap();
}

#[test]
fn failing_change_insert_rolls_back_snapshots_and_token() {
    let (_dir, path, store) = fixture();
    let team_sync = baseline(&store);
    // Stands in for a disk that fills up half-way through the transaction.
    add_trigger(
        &path,
        "CREATE TRIGGER fail_changes BEFORE INSERT ON changes BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
    );
    let moved = snapshot(
        "ev1",
        "Team sync",
        "2024-12-03T11:00:00Z",
        "2024-12-03T12:00:00Z",
    );

    let err = store
        .commit_sync(
            &key(WORK),
            std::slice::from_ref(&moved),
            &[],
            &[change("ev1", "Team sync", ChangeKind::Updated)],
            Some("t2"),
            None,
        )
        .expect_err("the insert fails");

    assert_eq!(err.code(), "store_database");
    assert_eq!(
        token(&store).as_deref(),
        Some("t1"),
        "the token must not pass an unrecorded change"
    );
    assert_eq!(
        store.snapshots(&key(WORK)).unwrap().get("ev1"),
        Some(&team_sync),
        "the snapshot update is rolled back with the failed change"
    );
    assert!(store.undelivered_changes().unwrap().is_empty());

    add_trigger(&path, "DROP TRIGGER fail_changes;");
    store
        .commit_sync(
            &key(WORK),
            std::slice::from_ref(&moved),
            &[],
            &[change("ev1", "Team sync", ChangeKind::Updated)],
            Some("t2"),
            None,
        )
        .expect("the retried sync commits");
    assert_eq!(token(&store).as_deref(), Some("t2"));
    assert_eq!(
        store.snapshots(&key(WORK)).unwrap().get("ev1"),
        Some(&moved)
    );
    assert_eq!(store.undelivered_changes().unwrap().len(), 1);
}

#[test]
fn failing_token_write_rolls_back_the_changes() {
    let (_dir, path, store) = fixture();
    baseline(&store);
    add_trigger(
        &path,
        "CREATE TRIGGER fail_token BEFORE UPDATE ON sync_state BEGIN SELECT RAISE(ABORT, 'io error'); END;",
    );
    let lunch = snapshot(
        "ev2",
        "Lunch",
        "2024-12-03T12:00:00Z",
        "2024-12-03T13:00:00Z",
    );
    store
        .commit_sync(
            &key(WORK),
            &[lunch],
            &["ev1".to_string()],
            &[change("ev2", "Lunch", ChangeKind::Created)],
            Some("t2"),
            None,
        )
        .expect_err("the token write fails");
    assert!(
        store.undelivered_changes().unwrap().is_empty(),
        "changes recorded without their token would be reported twice"
    );
    let snapshots = store.snapshots(&key(WORK)).unwrap();
    assert!(snapshots.contains_key("ev1"), "the removal is rolled back");
    assert!(!snapshots.contains_key("ev2"), "the insert is rolled back");
    assert_eq!(store.recent_changes(10).unwrap(), vec![]);
}

#[test]
fn commit_applies_upserts_removals_changes_and_token() {
    let (_dir, _path, store) = fixture();
    baseline(&store);
    let lunch = snapshot(
        "ev2",
        "Lunch",
        "2024-12-03T12:00:00Z",
        "2024-12-03T13:00:00Z",
    );
    let ids = store
        .commit_sync(
            &key(WORK),
            std::slice::from_ref(&lunch),
            &["ev1".to_string()],
            &[
                change("ev2", "Lunch", ChangeKind::Created),
                change("ev1", "Team sync", ChangeKind::Cancelled),
            ],
            Some("t2"),
            None,
        )
        .unwrap();
    assert_eq!(ids.len(), 2);
    assert!(ids[0] < ids[1], "ids follow the order of the changes");
    let snapshots = store.snapshots(&key(WORK)).unwrap();
    assert_eq!(snapshots.len(), 1);
    assert_eq!(snapshots.get("ev2"), Some(&lunch));
    let state = store.sync_state(&key(WORK)).unwrap().unwrap();
    assert_eq!(state.sync_token.as_deref(), Some("t2"));
    assert_eq!(
        state.last_full_sync_ms,
        Some(1000),
        "an incremental sync keeps the full-sync time"
    );
}

#[test]
fn commit_without_token_keeps_the_stored_one() {
    let (_dir, _path, store) = fixture();
    baseline(&store);
    store
        .commit_sync(&key(WORK), &[], &[], &[], None, None)
        .unwrap();
    assert_eq!(token(&store).as_deref(), Some("t1"));
}

#[test]
fn commit_for_an_unknown_calendar_or_a_stray_snapshot_is_refused() {
    let (_dir, _path, store) = fixture();
    let err = store
        .commit_sync(&key("nobody@example.com"), &[], &[], &[], Some("t"), None)
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::UnknownCalendar(key("nobody@example.com").to_string())
    );
    let mut stray = snapshot(
        "ev9",
        "Stray",
        "2024-12-03T10:00:00Z",
        "2024-12-03T11:00:00Z",
    );
    stray.calendar_id = "home@example.com".into();
    let err = store
        .commit_sync(&key(WORK), &[stray], &[], &[], Some("t"), None)
        .unwrap_err();
    assert_eq!(err.code(), "store_invalid");
    assert_eq!(token(&store), None, "nothing was written");
}

#[test]
fn undelivered_changes_survive_a_restart_until_marked() {
    let (dir, path, store) = fixture();
    baseline(&store);
    let ids = store
        .commit_sync(
            &key(WORK),
            &[],
            &[],
            &[
                change("ev1", "Team sync", ChangeKind::Updated),
                change("ev2", "Lunch", ChangeKind::Created),
            ],
            Some("t2"),
            None,
        )
        .unwrap();
    store.mark_delivered(&ids[..1]).unwrap();
    drop(store); // the app is killed after notifying the first change only

    let store = Store::open(&path).unwrap();
    let pending = store.undelivered_changes().unwrap();
    assert_eq!(
        pending.len(),
        1,
        "only the change never shown is shown after restart"
    );
    assert_eq!(pending[0].id, ids[1]);
    assert_eq!(
        pending[0].change,
        change("ev2", "Lunch", ChangeKind::Created)
    );
    assert!(!pending[0].delivered);

    store.mark_delivered(&[pending[0].id]).unwrap();
    assert!(store.undelivered_changes().unwrap().is_empty());
    let recent = store.recent_changes(10).unwrap();
    assert!(
        recent.iter().all(|c| c.delivered),
        "delivered changes stay in the history"
    );
    drop(dir);
}

#[test]
fn recent_changes_are_newest_first_and_limited() {
    let (_dir, _path, store) = fixture();
    for (i, title) in ["First", "Second", "Third"].iter().enumerate() {
        store
            .commit(&SyncCommit {
                calendar: &key(WORK),
                upserts: &[],
                removed: &[],
                changes: &[change(&format!("ev{i}"), title, ChangeKind::Created)],
                new_sync_token: Some("t"),
                full_sync_at: None,
                received_ms: 1000 + i as i64,
                trigger: Trigger::Push,
            })
            .unwrap();
    }
    let recent = store.recent_changes(2).unwrap();
    let titles: Vec<&str> = recent.iter().map(|c| c.change.title.as_str()).collect();
    assert_eq!(titles, ["Third", "Second"]);
    assert_eq!(recent[0].received_ms, 1002);
}

#[test]
fn catch_up_changes_are_kept_as_an_away_batch() {
    let (_dir, path, store) = fixture();
    store
        .commit(&SyncCommit {
            calendar: &key(WORK),
            upserts: &[],
            removed: &[],
            changes: &[
                change("ev1", "Team sync", ChangeKind::Updated),
                change("ev2", "Lunch", ChangeKind::Created),
            ],
            new_sync_token: Some("t2"),
            full_sync_at: None,
            received_ms: 5000,
            trigger: Trigger::CatchUp,
        })
        .unwrap();
    store
        .commit_sync(
            &key(WORK),
            &[],
            &[],
            &[change("ev3", "Review", ChangeKind::Created)],
            Some("t3"),
            None,
        )
        .unwrap();
    drop(store);

    let store = Store::open(&path).unwrap();
    let pending = store.undelivered_changes().unwrap();
    assert_eq!(pending.len(), 3);
    assert!(
        pending[0].away && pending[1].away,
        "the catch-up changes are marked away"
    );
    assert_eq!(
        pending[0].batch_id, pending[1].batch_id,
        "found by one sync, summarised together"
    );
    assert!(!pending[2].away);
    assert_ne!(pending[2].batch_id, pending[0].batch_id);

    let batches = store.recent_batches(10).unwrap();
    assert_eq!(batches.len(), 2);
    assert_eq!(
        (batches[1].count, batches[1].away, batches[1].at_ms),
        (2, true, 5000)
    );
    assert_eq!(batches[1].calendar_name, "Work");
    assert_eq!((batches[0].count, batches[0].away), (1, false));
}

#[test]
fn prune_keeps_undelivered_history() {
    let (_dir, _path, store) = fixture();
    let old = store
        .commit(&SyncCommit {
            calendar: &key(WORK),
            upserts: &[],
            removed: &[],
            changes: &[
                change("ev1", "Old shown", ChangeKind::Created),
                change("ev2", "Old unshown", ChangeKind::Created),
            ],
            new_sync_token: Some("t"),
            full_sync_at: None,
            received_ms: 100,
            trigger: Trigger::Push,
        })
        .unwrap();
    store.mark_delivered(&old[..1]).unwrap();
    assert_eq!(store.prune_history(200).unwrap(), 1);
    let left: Vec<String> = store
        .recent_changes(10)
        .unwrap()
        .into_iter()
        .map(|c| c.change.title)
        .collect();
    assert_eq!(
        left,
        ["Old unshown"],
        "a change never shown is never pruned"
    );
}

#[test]
fn many_snapshots_commit_and_read_back() {
    let (_dir, _path, store) = fixture();
    let events: Vec<EventSnapshot> = (0..2000)
        .map(|i| {
            snapshot(
                &format!("ev{i}"),
                "Slot",
                "2024-12-03T10:00:00Z",
                "2024-12-03T11:00:00Z",
            )
        })
        .collect();
    store
        .commit_sync(&key(WORK), &events, &[], &[], Some("t-full"), Some(42))
        .unwrap();
    assert_eq!(store.snapshots(&key(WORK)).unwrap().len(), 2000);
}

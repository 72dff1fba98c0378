//! Opening the store: migrations from empty, reopening keeps everything, and a file from a
//! newer CalWatch is refused without being touched.

use crate::support::snapshot::snapshot;
use crate::support::store::{at, calendar, raw, store_with_account, ME};
use calwatch_core::notice::{Change, ChangeKind, EventTime};
use calwatch_core::secrets::Sensitive;
use calwatch_core::store::{
    AccountStatus, CalendarRecord, ChannelRecord, ChannelState, Store, StoreError, SyncState,
    SCHEMA_VERSION,
};

fn user_version(path: &std::path::Path) -> i64 {
    raw(path)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version readable")
}

#[test]
fn fresh_file_gets_every_table_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/data/calwatch.sqlite3");
    let store = Store::open(&path).expect("a fresh store opens, creating its folder");
    assert_eq!(store.path(), path);
    drop(store);

    assert_eq!(user_version(&path), SCHEMA_VERSION, "all migrations ran");
    let conn = raw(&path);
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.sort();
    assert_eq!(
        tables,
        [
            "accounts",
            "calendar_list_channels",
            "calendar_list_sync",
            "calendar_rules",
            "calendars",
            "changes",
            "channels",
            "snapshots",
            "sync_batches",
            "sync_state"
        ]
    );
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal", "WAL lets the window read while sync writes");
    let channel_columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('channels')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for column in [
        "id",
        "calendar_id",
        "resource_id",
        "token",
        "address",
        "expiration_ms",
        "state",
        "last_message_number",
        "created_ms",
    ] {
        assert!(
            channel_columns.iter().any(|c| c == column),
            "channels.{column} exists"
        );
    }
}

#[test]
fn opening_twice_runs_no_migration_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calwatch.sqlite3");
    drop(Store::open(&path).unwrap());
    let store = Store::open(&path).expect("an up-to-date store reopens");
    assert_eq!(store.accounts().unwrap(), vec![]);
    assert_eq!(user_version(&path), SCHEMA_VERSION);
}

#[test]
fn reopen_keeps_everything() {
    let (_dir, path, store) = store_with_account(1_733_000_000_000);
    let calendar = CalendarRecord {
        color: Some("#9fe1e7".into()),
        time_zone: Some("Europe/Berlin".into()),
        access_role: Some("writer".into()),
        watched: true,
        ..calendar("work@example.com", "Work")
    };
    let channel = ChannelRecord {
        id: "9d2f6b8e-channel".into(),
        account: ME.into(),
        calendar_id: calendar.id.clone(),
        resource_id: Some("res-1".into()),
        token: Sensitive::new("per-channel-token".into()),
        address: "https://laptop.example.ts.net/notifications".into(),
        expiration_ms: 1_733_900_000_000,
        state: ChannelState::Active,
        last_message_number: 7,
        created_ms: 1_733_300_000_000,
        error: None,
    };
    let snapshot = snapshot(&calendar.id, "ev1")
        .summary("Team sync")
        .during(
            EventTime::DateTime {
                date_time: chrono::DateTime::parse_from_rfc3339("2024-12-03T10:00:00+01:00")
                    .unwrap(),
                time_zone: Some("Europe/Berlin".into()),
            },
            at("2024-12-03T11:00:00+01:00"),
        )
        .location("Room 4")
        .description("Weekly")
        .self_response("accepted")
        .instance_of("series", at("2024-12-03T10:00:00+01:00"))
        .html_link("https://calendar.google.com/event?eid=1")
        .recurrence(&["RRULE:FREQ=WEEKLY;WKST=SU;BYDAY=TU"])
        .build();
    let change = Change {
        account: ME.into(),
        calendar_id: calendar.id.clone(),
        calendar_name: "Work".into(),
        event_id: "ev1".into(),
        kind: ChangeKind::Created,
        title: "Team sync".into(),
        start: Some(snapshot.start.clone()),
        end: Some(snapshot.end.clone()),
        diffs: vec![],
        html_link: snapshot.html_link.clone(),
        facts: Default::default(),
    };
    store.upsert_calendar(&calendar).unwrap();
    store.insert_channel(&channel).unwrap();
    store
        .commit_sync(
            &calendar.key(),
            std::slice::from_ref(&snapshot),
            &[],
            std::slice::from_ref(&change),
            Some("sync-token-1"),
            Some(1_733_300_000_500),
        )
        .unwrap();

    drop(store);
    let store = Store::open(&path).expect("reopens");
    let account = store.account(ME).unwrap().expect("account kept");
    assert_eq!(account.status, AccountStatus::SignedIn);
    assert_eq!(account.created_ms, 1_733_000_000_000);
    assert_eq!(store.calendars().unwrap(), vec![calendar.clone()]);
    assert_eq!(store.channel(&channel.id).unwrap(), Some(channel.clone()));
    assert_eq!(store.channels().unwrap(), vec![channel]);
    assert_eq!(
        store.sync_state(&calendar.key()).unwrap(),
        Some(SyncState {
            sync_token: Some("sync-token-1".into()),
            last_full_sync_ms: Some(1_733_300_000_500),
        })
    );
    let snapshots = store.snapshots(&calendar.key()).unwrap();
    assert_eq!(
        snapshots.get("ev1"),
        Some(&snapshot),
        "every snapshot field survives"
    );
    let undelivered = store.undelivered_changes().unwrap();
    assert_eq!(undelivered.len(), 1);
    assert_eq!(undelivered[0].change, change);
}

#[test]
fn newer_schema_is_refused_and_the_file_left_untouched() {
    let (_dir, path, store) = store_with_account(1);
    drop(store);
    let newer = SCHEMA_VERSION + 1;
    raw(&path)
        .pragma_update(None, "user_version", newer)
        .unwrap();
    let before = std::fs::read(&path).unwrap();

    let err = Store::open(&path).expect_err("a newer schema must be refused");

    assert_eq!(
        err,
        StoreError::NewerSchema {
            found: newer,
            supported: SCHEMA_VERSION
        }
    );
    assert_eq!(err.code(), "store_newer_schema");
    let text = err.to_string();
    assert!(text.contains("newer version of CalWatch"), "{text}");
    assert!(text.contains("has not been changed"), "{text}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the newer CalWatch's data must not be rewritten"
    );
    assert_eq!(user_version(&path), newer);
}

#[test]
fn a_file_that_is_no_database_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calwatch.sqlite3");
    let junk = b"these are not the bytes of an SQLite database, not even close".repeat(100);
    std::fs::write(&path, &junk).unwrap();
    let err = Store::open(&path).expect_err("junk is refused");
    assert_eq!(err.code(), "store_open");
    assert!(err.to_string().contains("calwatch.sqlite3"), "{err}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        junk,
        "the file is not overwritten"
    );
}

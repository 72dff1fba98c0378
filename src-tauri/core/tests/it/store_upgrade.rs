//! Upgrading to accounts side by side (schema 5): a database written by the 0.2.0 store
//! (`fixtures/data-0.2.0.sqlite3`, schema 4: one account, its primary calendar and "Team"
//! watched with live channels, sync tokens, snapshots, told changes, "Team" muted) opens
//! with everything kept under the account, and its channels keep delivering without a new
//! `events.watch`.
//!
//! The fixture was written by the 0.2.0 `Store` API itself (`upsert_account`,
//! `upsert_calendar`, `insert_channel` + `record_watch_response`, `commit`,
//! `mark_delivered`, `set_calendar_rules`), then checkpointed out of WAL.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine_support::{free_port, patiently, quick, RecordingNotifier};
use calwatch_core::config::Config;
use calwatch_core::engine::{Engine, EngineDeps, EngineOptions, TokioClock};
use calwatch_core::notice::{ChangeKind, Notice};
use calwatch_core::secrets::{MemoryTokenStore, Sensitive, TokenSet, TokenStore};
use calwatch_core::store::{AccountStatus, CalendarKey, ChannelState, Store, SCHEMA_VERSION};
use fake_google::{FakeGoogle, Options};

const ME: &str = "sandbox.user@example.com";
const TEAM: &str = "team@group.calendar.google.com";
/// Where the fixture's channels deliver.
const ADDRESS: &str = "https://calwatch.example.net/google/notifications";

/// A copy of the fixture in a fresh data dir; returns the dir and the database path.
fn copy_fixture() -> (tempfile::TempDir, PathBuf) {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/data-0.2.0.sqlite3");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let database = data.join(calwatch_core::config::DATABASE_FILE);
    std::fs::copy(&fixture, &database).expect("the 0.2.0 fixture is there");
    (dir, database)
}

#[test]
fn a_020_database_keeps_everything_under_its_account() {
    let (_dir, path) = copy_fixture();
    let store = Store::open(&path).expect("a schema 4 file upgrades");
    let version: i64 = crate::support::store::raw(&path)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);

    let accounts = store.accounts().unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(
        (accounts[0].id.as_str(), accounts[0].status),
        (ME, AccountStatus::SignedIn)
    );
    let watched: Vec<(String, String)> = store
        .watched_calendars()
        .unwrap()
        .into_iter()
        .map(|c| (c.account, c.id))
        .collect();
    assert_eq!(
        watched,
        vec![(ME.into(), ME.into()), (ME.into(), TEAM.into())],
        "what was watched stays watched, under its account"
    );
    assert_eq!(store.calendars().unwrap().len(), 3, "the unwatched one too");
    assert!(
        store.list_channels().unwrap().is_empty()
            && store.calendar_list_sync_token(ME).unwrap().is_none(),
        "schema 6 starts with no calendar-list channel and no list sync token: the first \
         listing is a silent baseline"
    );

    let channels = store.channels().unwrap();
    assert_eq!(channels.len(), 2);
    for (n, (channel, calendar)) in channels.iter().zip([ME, TEAM]).enumerate() {
        let n = n + 1;
        assert_eq!(channel.id, format!("0000000{n}-fixture-channel"));
        assert_eq!(channel.calendar(), CalendarKey::new(ME, calendar));
        assert_eq!(
            channel.token.expose(),
            &format!("fixture-channel-token-{n}")
        );
        assert_eq!(
            channel.resource_id.as_deref(),
            Some(format!("fixture-resource-{n}").as_str())
        );
        assert_eq!(channel.state, ChannelState::Active);
        assert_eq!(channel.last_message_number, 7, "duplicates stay duplicates");
        assert_eq!(channel.expiration_ms, 4_102_444_800_000);
    }

    for (calendar, token) in [
        (ME, "fixture-sync-token-primary"),
        (TEAM, "fixture-sync-token-team"),
    ] {
        let key = CalendarKey::new(ME, calendar);
        assert_eq!(
            store
                .sync_state(&key)
                .unwrap()
                .and_then(|s| s.sync_token)
                .as_deref(),
            Some(token),
            "sync tokens are kept: no calendar needs a full resync"
        );
        assert_eq!(store.snapshots(&key).unwrap().len(), 1, "snapshots kept");
    }
    assert!(
        store
            .calendar_rules(&CalendarKey::new(ME, TEAM))
            .unwrap()
            .muted,
        "Team stays muted"
    );

    let history = store.recent_changes(10).unwrap();
    let titles: Vec<(&str, &str, bool)> = history
        .iter()
        .map(|c| {
            (
                c.change.account.as_str(),
                c.change.title.as_str(),
                c.delivered,
            )
        })
        .collect();
    assert_eq!(
        titles,
        vec![(ME, "Budget review", true), (ME, "Release party", true)],
        "the history is kept, each change now naming its account"
    );
    assert!(
        store.undelivered_changes().unwrap().is_empty(),
        "nothing is told again"
    );
}

#[tokio::test(start_paused = true)]
async fn a_020_channel_keeps_delivering_without_a_new_watch() {
    let fake = FakeGoogle::start(Options::default())
        .await
        .expect("fake-google starts");
    let control = fake.control();
    control.add_calendar(TEAM, "Team", "UTC");
    let (dir, _path) = copy_fixture();
    let secret_file = dir.path().join("client_secret_test.json");
    std::fs::write(&secret_file, fake.client_secret_json()).unwrap();
    let receiver = free_port();
    let mut env = fake.env_assignments(&secret_file);
    env.push((
        "CALWATCH_DATA_DIR".into(),
        dir.path().join("data").display().to_string(),
    ));
    env.push(("CALWATCH_RECEIVER_ADDR".into(), receiver.to_string()));
    env.push(("CALWATCH_CALLBACK_URL".into(), ADDRESS.into()));
    let mut config = Config::load_from(&|name: &str| {
        env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
    .expect("config loads");
    quick(&mut config);
    config.settings.callback_path = "/google/notifications".into();
    // The keyring kept the account's tokens across the upgrade.
    let (access, refresh) = control.issue_token_pair();
    let tokens = Arc::new(MemoryTokenStore::new());
    tokens
        .save(
            ME,
            &TokenSet {
                access_token: Sensitive::new(access),
                refresh_token: Some(Sensitive::new(refresh)),
                expires_at_ms: i64::MAX / 2,
                scopes: vec!["https://www.googleapis.com/auth/calendar.readonly".into()],
            },
        )
        .await
        .unwrap();
    let notifier = RecordingNotifier::default();
    let engine = Engine::start_with(
        config,
        EngineDeps {
            token_store: Arc::clone(&tokens) as _,
            notifier: Arc::new(notifier.clone()),
        },
        EngineOptions {
            clock: Arc::new(TokioClock::new()),
            google_retry: Some(crate::engine_support::fast_retry()),
            time_zone: chrono_tz::UTC,
        },
    )
    .await
    .expect("the engine starts on the upgraded data");
    let primary = CalendarKey::new(ME, ME);
    // The start-up catch-up: the fixture's sync tokens are unknown to this fake-google,
    // so it lists everything once; let it finish before the change under test.
    patiently(engine.sync_now(&primary))
        .await
        .expect("the worker answers")
        .expect("the primary calendar syncs");
    control.insert_event(
        ME,
        serde_json::json!({
            "summary": "Board meeting",
            "start": {"dateTime": "2026-12-20T10:00:00Z"},
            "end": {"dateTime": "2026-12-20T11:00:00Z"},
        }),
    );
    // Google's POST on the fixture's channel, as its tunnel forwards it.
    let status = reqwest::Client::new()
        .post(format!("http://{receiver}/google/notifications"))
        .header("X-Goog-Channel-ID", "00000001-fixture-channel")
        .header("X-Goog-Channel-Token", "fixture-channel-token-1")
        .header("X-Goog-Resource-ID", "fixture-resource-1")
        .header("X-Goog-Resource-State", "exists")
        .header("X-Goog-Message-Number", "8")
        .header(
            "X-Goog-Resource-URI",
            format!("{}/calendars/{ME}/events", fake.api_base()),
        )
        .send()
        .await
        .expect("the receiver answers")
        .status();
    assert_eq!(
        status, 200,
        "the upgraded channel is still known to the receiver"
    );
    let board_meeting = |n: &Notice| matches!(n, Notice::Single(c) if c.title == "Board meeting");
    let notices = notifier
        .wait_until("the Board meeting toast", |all| {
            all.iter().any(board_meeting)
        })
        .await;
    let told: Vec<_> = notifier
        .changes()
        .into_iter()
        .filter(|c| c.title == "Board meeting")
        .collect();
    assert_eq!(told.len(), 1, "the change is told once: {notices:?}");
    assert_eq!(told[0].kind, ChangeKind::Created);
    assert_eq!(told[0].account, ME);
    let google = control.channels();
    assert!(
        google.iter().all(|c| c.calendar_list_user.is_some()),
        "no new events.watch was needed: {google:?}"
    );
    // Schema 6: the upgraded account's calendar list is watched from this start on, and
    // its first listing is a silent baseline: no toast for a calendar it already had.
    let lists = patiently(async {
        loop {
            let lists: Vec<_> = control
                .channels()
                .into_iter()
                .filter(|c| c.calendar_list_user.as_deref() == Some(ME))
                .collect();
            if !lists.is_empty() {
                return lists;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the upgraded account's calendar list gets a channel");
    assert_eq!(lists.len(), 1, "one list channel for the account");
    engine
        .sync_calendar_list(ME)
        .await
        .expect("the calendar list is read");
    assert!(
        notifier
            .notices()
            .iter()
            .all(|n| !matches!(n, calwatch_core::notice::Notice::NewCalendar { .. })),
        "nothing known before is offered as new: {:?}",
        notifier.notices()
    );
    let channels = engine.channels().expect("channels");
    assert_eq!(
        channels.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        vec!["00000001-fixture-channel", "00000002-fixture-channel"]
    );
    engine.shutdown().await;
}

/// A schema 5 file (accounts side by side, before calendar lists were watched) gains the
/// calendar-list tables and keeps every row; the account starts with no list channel and
/// no list sync token, so its first listing is a silent baseline.
#[test]
fn a_schema_5_file_gains_calendar_list_tables_and_keeps_everything() {
    use crate::support::store::{calendar, key, raw, store_with_account, ME as OWNER};
    use calwatch_core::secrets::Sensitive;
    use calwatch_core::store::{ChannelRecord, ListChannelRecord};

    let (_dir, path, store) = store_with_account(1_000);
    let work = calendar("work@example.com", "Work");
    store.upsert_calendar(&work).unwrap();
    store.set_watched(&key(&work.id), true).unwrap();
    let channel = ChannelRecord {
        id: "schema5-channel".into(),
        account: OWNER.into(),
        calendar_id: work.id.clone(),
        resource_id: Some("res-1".into()),
        token: Sensitive::new("per-channel-token".into()),
        address: "https://laptop.example.ts.net/notifications".into(),
        expiration_ms: 2_000_000,
        state: ChannelState::Active,
        last_message_number: 7,
        created_ms: 1_000,
        error: None,
    };
    store.insert_channel(&channel).unwrap();
    drop(store);
    // What schema 5 wrote: no calendar-list tables.
    raw(&path)
        .execute_batch(
            "DROP TABLE calendar_list_channels; DROP TABLE calendar_list_sync;
             PRAGMA user_version = 5;",
        )
        .unwrap();

    let store = Store::open(&path).expect("a schema 5 file upgrades");
    let version: i64 = raw(&path)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    assert!(store.calendar(&key(&work.id)).unwrap().unwrap().watched);
    assert_eq!(store.channel(&channel.id).unwrap(), Some(channel));
    assert!(store.list_channels().unwrap().is_empty());
    assert_eq!(store.calendar_list_sync_token(OWNER).unwrap(), None);

    // The new tables work, and go with their account.
    store
        .set_calendar_list_sync_token(OWNER, Some("list-token-1"))
        .unwrap();
    let list = ListChannelRecord {
        id: "list-channel".into(),
        account: OWNER.into(),
        resource_id: None,
        token: Sensitive::new("list-channel-token".into()),
        address: "https://laptop.example.ts.net/notifications".into(),
        expiration_ms: 2_000_000,
        state: ChannelState::Pending,
        last_message_number: 0,
        created_ms: 1_500,
    };
    store.insert_list_channel(&list).unwrap();
    assert!(
        store.record_message_number(&list.id, 3).unwrap(),
        "a list channel's message numbers are kept like any channel's"
    );
    assert_eq!(
        store
            .list_channel(&list.id)
            .unwrap()
            .unwrap()
            .last_message_number,
        3
    );
    assert_eq!(
        store.calendar_list_sync_token(OWNER).unwrap().as_deref(),
        Some("list-token-1")
    );
    store.delete_account(OWNER).unwrap();
    assert!(store.list_channels().unwrap().is_empty());
    assert_eq!(store.calendar_list_sync_token(OWNER).unwrap(), None);
}

//! The engine as the shell sees it: a change recorded but not shown before a crash is
//! shown after the restart, once; a taken port is reported, not fatal; errors carry the
//! window's codes and sentences.

use std::sync::Arc;

use crate::engine_support::{browser, free_port, quick, Harness, RecordingNotifier};
use calwatch_core::config::Config;
use calwatch_core::engine::{
    Clock, Engine, EngineDeps, EngineEvent, SettingsPatch, HISTORY_RETENTION,
};
use calwatch_core::notice::Notice;
use calwatch_core::secrets::MemoryTokenStore;

#[tokio::test(start_paused = true)]
async fn change_committed_but_not_shown_before_a_crash_is_shown_once_after_restart() {
    let mut h = Harness::start(quick).await;
    h.watch().await;
    h.notifier.hang_from_now();
    h.insert(
        "Survives the crash",
        "2026-12-17T10:00:00+00:00",
        "2026-12-17T11:00:00+00:00",
    );
    // The sync committed and is inside the notifier when the app dies.
    h.notifier.wait_for_hang().await;
    let recorded = h.engine.recent_changes(10).expect("history");
    assert_eq!(
        recorded.len(),
        1,
        "the change was committed before the notifier ran"
    );
    assert!(!recorded[0].delivered, "but not marked delivered");

    let clock = Arc::clone(&h.clock);
    h.restart(clock).await;
    let notices = h.notifier.wait_for(1).await;
    assert!(
        matches!(&notices[0], Notice::Single(c) if c.headline() == "Survives the crash added"),
        "the recorded change is shown after the restart: {notices:?}"
    );
    h.settle().await;
    assert_eq!(h.notifier.notices().len(), 1, "exactly once");

    let clock = Arc::clone(&h.clock);
    h.restart(clock).await;
    h.settle().await;
    assert!(
        h.notifier.notices().is_empty(),
        "a second restart shows nothing again: {:?}",
        h.notifier.notices()
    );
    assert_eq!(h.engine.recent_changes(10).expect("history").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn state_describes_account_receiver_and_channels() {
    let h = Harness::start(quick).await;
    // Before any calendar is watched, the account's calendar list is: its channel's
    // renewal is the next one.
    h.engine.calendar_lists_settled().await;
    let before = h.engine.snapshot();
    assert_eq!(before.watched_count, 0);
    let list = h.engine.list_channels().expect("list channels");
    assert_eq!(list.len(), 1, "the account's list is watched: {list:?}");
    let list_renewal = before
        .next_renewal_at
        .expect("the list channel's renewal is scheduled");
    assert!(list_renewal > list[0].created_ms && list_renewal < list[0].expiration_ms);
    let channel = h.watch().await;
    let state = h.engine.snapshot();
    assert!(state.client_secret.imported);
    let account = state.account.expect("signed in");
    assert_eq!(
        account.email,
        h.control.user_email(),
        "the account is named by its primary calendar"
    );
    assert!(state.receiver.listening);
    assert_eq!(state.receiver.address, h.receiver.to_string());
    assert_eq!(state.watched_count, 1);
    let renew_at = state.next_renewal_at.expect("a renewal is scheduled");
    assert!(
        renew_at > channel.created_ms && renew_at < channel.expiration_ms,
        "renewal falls inside the channel's life"
    );

    let json = serde_json::to_value(h.engine.snapshot()).expect("state serialises");
    assert_eq!(
        json["receiver"]["listening"], true,
        "camelCase JSON for the window: {json}"
    );
    assert_eq!(json["watchedCount"], 1);
}

#[tokio::test(start_paused = true)]
async fn sign_out_stops_channels_and_keeps_history() {
    let h = Harness::start(quick).await;
    let channel = h.watch().await;
    h.insert(
        "Kept in history",
        "2026-12-18T10:00:00+00:00",
        "2026-12-18T11:00:00+00:00",
    );
    h.notifier.wait_for(1).await;
    h.engine.sign_out().await.expect("sign-out works");
    let info = h.google_channel(&channel.id);
    assert_eq!(info.state, fake_google::ChannelState::Stopped);
    assert!(
        h.engine.snapshot().account.is_none(),
        "no account after sign-out"
    );
    assert!(
        h.tokens.accounts().is_empty(),
        "the tokens are gone from the keyring"
    );
    assert_eq!(
        h.engine.recent_changes(10).expect("history").len(),
        1,
        "the change history is kept"
    );
    let err = h
        .engine
        .watch(&h.key)
        .await
        .expect_err("nothing can be watched signed out");
    assert_eq!(err.code(), "needs_sign_in");
}

fn offline_config(dir: &tempfile::TempDir, receiver: std::net::SocketAddr) -> Config {
    let mut config = Config::with_data_dir(dir.path().join("data"));
    config.settings.receiver_addr = receiver;
    quick(&mut config);
    config
}

#[tokio::test]
async fn taken_port_is_reported_and_another_port_can_be_chosen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let squatter = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let taken = squatter.local_addr().expect("address");
    let engine = Engine::start(
        offline_config(&dir, taken),
        EngineDeps {
            token_store: Arc::new(MemoryTokenStore::new()),
            notifier: Arc::new(RecordingNotifier::default()),
        },
    )
    .await
    .expect("the engine still starts when its port is taken");
    let state = engine.snapshot();
    assert!(!state.receiver.listening);
    let error = state.receiver.error.expect("the receiver says why");
    assert_eq!(error.code(), "port_in_use");
    assert_eq!(
        error.to_string(),
        format!(
            "Port {} is already in use by another program. Choose another port in Settings, and point your tunnel at it.",
            taken.port()
        )
    );
    let mut events = engine.subscribe();
    let free = free_port();
    engine
        .update_settings(SettingsPatch {
            receiver_port: Some(free.port()),
            ..Default::default()
        })
        .await
        .expect("a free port binds");
    let state = engine.snapshot();
    assert!(state.receiver.listening, "listening on the new port");
    assert_eq!(state.settings.receiver_port, free.port());
    assert!(
        matches!(events.try_recv(), Ok(EngineEvent::State)),
        "the window is told the state changed"
    );
    let health = reqwest::get(format!("http://{}/healthz", state.receiver.address))
        .await
        .expect("the receiver answers");
    assert!(health.status().is_success());
    engine.shutdown().await;
}

#[tokio::test]
async fn bad_inputs_come_back_with_codes_and_sentences() {
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = Engine::start(
        offline_config(&dir, free_port()),
        EngineDeps {
            token_store: Arc::new(MemoryTokenStore::new()),
            notifier: Arc::new(RecordingNotifier::default()),
        },
    )
    .await
    .expect("engine starts");
    let err = engine
        .set_callback_url("http://my-laptop.example/notifications")
        .await
        .expect_err("http is refused without the stand-in switch");
    assert_eq!(err.code(), "callback_not_https");
    assert!(err.to_string().contains("https://"), "{err}");
    let err = engine
        .set_callback_url("not a url")
        .await
        .expect_err("garbage is refused");
    assert_eq!(err.code(), "callback_invalid");

    let err = engine
        .sign_in(browser())
        .await
        .expect_err("no client secret yet");
    assert_eq!(err.code(), "no_client_secret");
    assert!(err.to_string().contains("Desktop app"), "{err}");

    let web = dir.path().join("client_secret_web.json");
    std::fs::write(
        &web,
        r#"{"web": {"client_id": "x.apps.googleusercontent.com", "client_secret": "s",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token"}}"#,
    )
    .expect("write");
    let err = engine
        .import_client_secret(&web)
        .await
        .expect_err("a web client is refused");
    assert_eq!(err.code(), "bad_client_secret");

    let err = engine
        .watch(&calwatch_core::store::CalendarKey::new(
            "someone@example.com",
            "someone@example.com",
        ))
        .await
        .expect_err("signed out");
    assert_eq!(err.code(), "no_callback");
    engine.shutdown().await;
}

/// A clock `ahead` of another: the app started again months later.
struct Later(Arc<dyn Clock>, i64);

impl Clock for Later {
    fn now_ms(&self) -> i64 {
        self.0.now_ms() + self.1
    }
}

#[tokio::test(start_paused = true)]
async fn history_older_than_the_retention_is_forgotten_at_start() {
    let mut h = Harness::start(quick).await;
    h.watch().await;
    h.insert(
        "Long ago",
        "2026-12-17T10:00:00+00:00",
        "2026-12-17T11:00:00+00:00",
    );
    h.notifier.wait_for(1).await;
    h.settle().await;
    assert_eq!(h.engine.recent_changes(10).expect("history").len(), 1);

    let base = Arc::clone(&h.clock);
    let a_day = 24 * 3600 * 1000;
    let just_inside = HISTORY_RETENTION.as_millis() as i64 - a_day;
    h.restart(Arc::new(Later(Arc::clone(&base), just_inside)))
        .await;
    assert_eq!(
        h.engine.recent_changes(10).expect("history").len(),
        1,
        "a change younger than the retention stays in Activity"
    );

    let past = HISTORY_RETENTION.as_millis() as i64 + a_day;
    h.restart(Arc::new(Later(Arc::clone(&base), past))).await;
    assert!(
        h.engine.recent_changes(10).expect("history").is_empty(),
        "a change older than the retention is forgotten, so the database stays bounded"
    );
}

/// A catch-up finds changes in every calendar at once (a night's sleep, three accounts'
/// worth of calendars): the person hears of them in one toast, not one per calendar, and
/// its click shows just those changes.
#[tokio::test(start_paused = true)]
async fn a_catch_up_across_calendars_is_one_toast() {
    let mut h = Harness::start(quick).await;
    h.watch().await;
    for (id, name) in [("team@example.com", "Team"), ("home@example.com", "Home")] {
        h.control.add_calendar(id, name, "Europe/London");
    }
    h.engine.refresh_calendars().await.expect("calendar list");
    for id in ["team@example.com", "home@example.com"] {
        h.engine
            .watch(&calwatch_core::store::CalendarKey::new(&h.calendar, id))
            .await
            .expect("watch");
    }
    h.engine.shutdown().await;
    // While CalWatch is not running: two changes in one calendar, one in each other.
    h.insert(
        "Standup",
        "2026-12-17T10:00:00+00:00",
        "2026-12-17T11:00:00+00:00",
    );
    h.insert(
        "Retro",
        "2026-12-18T10:00:00+00:00",
        "2026-12-18T11:00:00+00:00",
    );
    for id in ["team@example.com", "home@example.com"] {
        h.control.insert_event(
            id,
            serde_json::json!({"summary": format!("Made in {id}"),
                "start": {"dateTime": "2026-12-19T10:00:00Z"},
                "end": {"dateTime": "2026-12-19T11:00:00Z"}}),
        );
    }

    let clock = Arc::clone(&h.clock);
    h.restart(clock).await;
    let notices = h
        .notifier
        .wait_until("the catch-up's toast", |n| !n.is_empty())
        .await;
    // Nothing else comes later: every calendar's catch-up was folded into that toast.
    tokio::time::sleep(std::time::Duration::from_secs(10)).await;
    assert_eq!(h.notifier.notices(), notices, "one toast, nothing after it");
    let [Notice::Digest {
        count,
        calendars,
        change_ids,
        ..
    }] = &notices[..]
    else {
        panic!("expected one digest, got {notices:#?}");
    };
    assert_eq!((*count, *calendars), (4, 3), "4 changes in 3 calendars");
    assert_eq!(
        notices[0].headline(),
        "While you were away: 4 changes in 3 calendars"
    );
    let history = h.engine.recent_changes(10).expect("history");
    let mut recorded: Vec<i64> = history.iter().map(|c| c.id).collect();
    let mut clicked = change_ids.clone();
    recorded.sort_unstable();
    clicked.sort_unstable();
    assert_eq!(clicked, recorded, "its click shows exactly these changes");
    assert!(
        history.iter().all(|c| c.delivered),
        "all are marked told: {history:#?}"
    );

    // A catch-up that finds changes in one calendar only keeps its own summary.
    h.engine.shutdown().await;
    h.insert(
        "Planning",
        "2026-12-20T10:00:00+00:00",
        "2026-12-20T11:00:00+00:00",
    );
    let clock = Arc::clone(&h.clock);
    h.restart(clock).await;
    let notices = h
        .notifier
        .wait_until("the second catch-up's toast", |n| !n.is_empty())
        .await;
    assert!(
        matches!(
            &notices[..],
            [Notice::Summary {
                count: 1,
                away: true,
                ..
            }]
        ),
        "{notices:#?}"
    );
}

/// Quitting while a catch-up's findings wait to be told loses nothing: they are told at
/// the next start.
#[tokio::test(start_paused = true)]
async fn quitting_before_a_catch_up_is_told_tells_it_at_the_next_start() {
    let mut h = Harness::start(quick).await;
    h.watch().await;
    h.engine.shutdown().await;
    h.insert(
        "Made while away",
        "2026-12-17T10:00:00+00:00",
        "2026-12-17T11:00:00+00:00",
    );
    let clock = Arc::clone(&h.clock);
    h.restart(clock).await;
    // The catch-up commits the change; quit before its toast is due.
    tokio::time::timeout(crate::engine_support::PATIENCE, async {
        while h.engine.recent_changes(10).expect("history").is_empty() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the catch-up commits the change");
    h.engine.shutdown().await;
    tokio::time::sleep(std::time::Duration::from_secs(10)).await;
    assert!(
        h.notifier.notices().is_empty(),
        "no toast while quitting: {:?}",
        h.notifier.notices()
    );
    let clock = Arc::clone(&h.clock);
    h.restart(clock).await;
    let notices = h
        .notifier
        .wait_until("the toast owed from the last run", |n| !n.is_empty())
        .await;
    assert!(
        matches!(&notices[..], [Notice::Summary { count: 1, away: true, first, .. }]
            if first == &vec!["Made while away added".to_string()]),
        "{notices:#?}"
    );
}

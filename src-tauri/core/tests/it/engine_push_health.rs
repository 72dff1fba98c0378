//! Push health: the public address is probed at start, every check interval and when the
//! shell asks; while it does not reach the receiver, push is shown down (with why) and
//! every watched calendar is synced on the short interval, each change told as a pushed
//! one; once a probe passes, back to push only. Virtual time throughout.

use std::time::Duration;

use calwatch_core::config::Config;
use calwatch_core::engine::{EngineEvent, PushHealth, PushState, SettingsPatch};
use calwatch_core::notice::{ChangeKind, Notice};

use crate::engine_support::{quick, until_push_health, Harness, RecordingNotifier, Relay};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// Test timings with the health check on at its default interval (10 minutes), polling
/// every 2 minutes while push is down (the default) and the backstop at its default
/// 15 minutes.
fn checked(config: &mut Config) {
    quick(config);
    config.settings.timings.push_check_interval = 10 * MINUTE;
    config.settings.timings.push_down_poll = 2 * MINUTE;
    config.settings.timings.backstop_interval = 15 * MINUTE;
}

/// An engine behind a relay (the tunnel's public side), watching the primary calendar,
/// with push shown up.
async fn watching_behind_a_relay() -> (Harness, Relay) {
    let h = Harness::start(checked).await;
    let relay = Relay::start(h.receiver).await;
    h.engine
        .set_callback_url(&relay.origin)
        .await
        .expect("the relay's address is accepted");
    h.watch().await;
    until_push_health(&h.engine, |p| p.state == PushState::Up).await;
    (h, relay)
}

fn is_down(p: &PushHealth) -> bool {
    p.state == PushState::Down
}

#[tokio::test(start_paused = true)]
async fn push_is_up_when_the_public_address_reaches_this_receiver() {
    let (h, relay) = watching_behind_a_relay().await;
    let health = h.engine.snapshot().push_health;
    assert_eq!(health.state, PushState::Up);
    assert_eq!(health.reason, None);
    assert_eq!(
        health.polling_every_minutes, None,
        "no polling while push works"
    );
    assert!(
        health.checked_at.is_some(),
        "the state says when it was checked"
    );
    assert_eq!(
        h.engine.snapshot().callback_url.as_deref(),
        Some(format!("{}/notifications", relay.origin).as_str()),
        "a bare tunnel address gets the receiver's callback path"
    );
}

#[tokio::test(start_paused = true)]
async fn each_channel_s_last_genuine_delivery_is_kept_and_a_probe_is_not_one() {
    let (h, _relay) = watching_behind_a_relay().await;
    let channel = h.engine.channels().expect("channels").remove(0);
    // The channel's `sync` message came from Google through the relay.
    let first = until_push_health(&h.engine, |p| {
        p.last_deliveries.iter().any(|d| d.channel_id == channel.id)
    })
    .await;
    let at = first.last_deliveries[0].last_delivery_at;

    tokio::time::sleep(MINUTE).await;
    h.engine.recheck_push().await;
    assert_eq!(
        h.engine.push_health().last_deliveries[0].last_delivery_at,
        at,
        "a probe through the public address is not a delivery"
    );

    h.insert("Standup", "2026-12-01T09:00:00Z", "2026-12-01T09:15:00Z");
    h.settle().await;
    let later = h.engine.push_health().last_deliveries[0].last_delivery_at;
    assert!(
        later > at,
        "Google's `exists` message is one: {later} vs {at}"
    );
}

#[tokio::test(start_paused = true)]
async fn push_down_is_told_within_one_check_and_changes_still_arrive_by_polling() {
    let (h, relay) = watching_behind_a_relay().await;
    let mut events = h.engine.subscribe();
    relay.forward(false);

    // Within one health check (10 minutes), without anyone asking.
    tokio::time::sleep(10 * MINUTE + Duration::from_secs(5)).await;
    let health = h.engine.snapshot().push_health;
    assert_eq!(health.state, PushState::Down, "{health:?}");
    assert_eq!(
        health.reason.as_deref(),
        Some("the tunnel answers but does not reach CalWatch")
    );
    assert_eq!(health.polling_every_minutes, Some(2));
    assert_eq!(
        health.tray_text().as_deref(),
        Some("Push is down: the tunnel answers but does not reach CalWatch — checking Google every 2 minutes meanwhile")
    );
    let mut told = false;
    while let Ok(event) = events.try_recv() {
        if let EngineEvent::PushHealth(p) = event {
            told |= p.state == PushState::Down;
        }
    }
    assert!(told, "subscribers (tray, window) hear that push went down");

    // A change now cannot be pushed (the relay answers 502), yet it is told within the
    // short interval, as a pushed change would be.
    let notices_before = h.notifier.notices().len();
    h.insert("Dentist", "2026-12-02T15:00:00Z", "2026-12-02T16:00:00Z");
    h.control.wait_for_deliveries_idle().await;
    let told_within = tokio::time::timeout(2 * MINUTE + Duration::from_secs(5), async {
        h.notifier.wait_for(notices_before + 1).await
    })
    .await
    .expect("the change is told within the 2-minute polling interval");
    let Notice::Single(change) = &told_within[notices_before] else {
        panic!("one change is one toast: {told_within:?}")
    };
    assert_eq!(change.title, "Dentist");
    assert_eq!(
        change.kind,
        ChangeKind::Created,
        "a polled change is told like a pushed one, not folded into 'while you were away'"
    );
}

#[tokio::test(start_paused = true)]
async fn events_list_calls_per_hour_polling_while_down_backstop_only_while_up() {
    let (h, relay) = watching_behind_a_relay().await;

    // Healthy: only the 15-minute backstop lists.
    let before = h.list_calls();
    tokio::time::sleep(HOUR).await;
    let healthy = h.list_calls() - before;

    relay.forward(false);
    h.engine.recheck_push().await;
    assert!(is_down(&h.engine.push_health()));
    let before = h.list_calls();
    tokio::time::sleep(HOUR).await;
    let down = h.list_calls() - before;

    relay.forward(true);
    // The address is probed again every polling interval while down.
    tokio::time::sleep(2 * MINUTE + Duration::from_secs(5)).await;
    let back = h.engine.push_health();
    assert_eq!(
        back.state,
        PushState::Up,
        "a passing probe brings push back: {back:?}"
    );
    assert_eq!(back.polling_every_minutes, None);
    let before = h.list_calls();
    tokio::time::sleep(HOUR).await;
    let after = h.list_calls() - before;

    println!("events.list calls per hour and calendar: healthy {healthy}, push down {down}, back up {after}");
    // An hour holds 4 backstops or 30 polls; the one at the hour's edge may fall either side.
    assert!(
        (3..=4).contains(&healthy),
        "every 15 minutes while push works: {healthy}"
    );
    assert!(
        (29..=30).contains(&down),
        "every 2 minutes while push is down: {down}"
    );
    assert!(
        (3..=4).contains(&after),
        "polling stops once push is back: {after}"
    );
}

#[tokio::test(start_paused = true)]
async fn recheck_push_probes_at_once_and_says_why_when_nothing_answers() {
    let (h, relay) = watching_behind_a_relay().await;
    drop(relay);
    let health = h.engine.recheck_push().await;
    assert_eq!(health.state, PushState::Down);
    assert_eq!(
        health.reason.as_deref(),
        Some("the public address does not answer")
    );
    assert_eq!(h.engine.snapshot().push_health.state, PushState::Down);
}

#[tokio::test(start_paused = true)]
async fn without_a_callback_url_push_health_is_unknown() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut config = Config::with_data_dir(dir.path());
    config.settings.receiver_addr = "127.0.0.1:0".parse().expect("an address");
    let engine = calwatch_core::engine::Engine::start(
        config,
        calwatch_core::engine::EngineDeps {
            token_store: std::sync::Arc::new(calwatch_core::secrets::MemoryTokenStore::new()),
            notifier: std::sync::Arc::new(RecordingNotifier::default()),
        },
    )
    .await
    .expect("starts");
    let health = engine.recheck_push().await;
    assert_eq!(health.state, PushState::Unknown);
    assert_eq!(health.checked_at, None);
    assert_eq!(health.tray_text(), None, "nothing for the tray to say");
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_polling_interval_is_a_validated_setting_shown_in_the_state() {
    let h = Harness::start(checked).await;
    assert_eq!(
        h.engine.snapshot().settings.push_down_poll_minutes,
        2,
        "default"
    );
    for refused in [0, 61] {
        let err = h
            .engine
            .update_settings(SettingsPatch {
                push_down_poll_minutes: Some(refused),
                ..SettingsPatch::default()
            })
            .await
            .expect_err("out of range");
        assert_eq!(err.code(), "invalid_setting");
        assert!(err.to_string().contains("from 1 to 60 minutes"), "{err}");
    }
    h.engine
        .update_settings(SettingsPatch {
            push_down_poll_minutes: Some(5),
            ..SettingsPatch::default()
        })
        .await
        .expect("5 minutes is fine");
    assert_eq!(h.engine.snapshot().settings.push_down_poll_minutes, 5);
    let saved = std::fs::read_to_string(h.dir.path().join("data").join("settings.json"))
        .expect("settings saved");
    assert!(saved.contains("\"push_down_poll_ms\": 300000"), "{saved}");
}

#[tokio::test(start_paused = true)]
async fn a_new_polling_interval_applies_while_push_is_down() {
    let (h, relay) = watching_behind_a_relay().await;
    relay.forward(false);
    h.engine.recheck_push().await;
    h.engine
        .update_settings(SettingsPatch {
            push_down_poll_minutes: Some(5),
            ..SettingsPatch::default()
        })
        .await
        .expect("accepted");
    let health = until_push_health(&h.engine, |p| p.polling_every_minutes == Some(5)).await;
    assert!(is_down(&health));
    let before = h.list_calls();
    tokio::time::sleep(HOUR).await;
    let polled = h.list_calls() - before;
    assert!((11..=12).contains(&polled), "every 5 minutes now: {polled}");
}

#[tokio::test(start_paused = true)]
async fn the_address_is_checked_at_start_without_being_asked() {
    let (mut h, relay) = watching_behind_a_relay().await;
    relay.forward(false);
    h.restart(h.clock.clone()).await;
    // No recheck: the start-up check alone finds push down and starts polling.
    let health = until_push_health(&h.engine, is_down).await;
    assert_eq!(health.polling_every_minutes, Some(2));
    relay.forward(true);
    // The network came back (or the machine woke): checked again at once, not at the
    // next polling interval.
    h.engine.resumed().await;
    tokio::time::timeout(
        Duration::from_secs(10),
        until_push_health(&h.engine, |p| p.state == PushState::Up),
    )
    .await
    .expect("push is back within seconds of the network change");
}

#[tokio::test(start_paused = true)]
async fn a_delivery_while_down_has_the_address_probed_at_once() {
    let (h, relay) = watching_behind_a_relay().await;
    relay.forward(false);
    h.engine.recheck_push().await;
    assert!(is_down(&h.engine.push_health()));

    relay.forward(true);
    h.insert("Lunch", "2026-12-05T12:00:00Z", "2026-12-05T13:00:00Z");
    let back = tokio::time::timeout(
        Duration::from_secs(10),
        until_push_health(&h.engine, |p| p.state == PushState::Up),
    )
    .await
    .expect("Google's delivery got through, so the address is probed before the next poll");
    assert_eq!(back.polling_every_minutes, None);
    h.notifier.wait_for(1).await;
}

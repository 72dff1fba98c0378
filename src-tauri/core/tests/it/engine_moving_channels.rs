//! Moving channels when the public address changes (a quick tunnel restarted with a new
//! name): every live channel moves — a new channel at the new address first, then the old
//! one stopped — a change made during the move is told exactly once, and the address is
//! probed again after the move.

use std::time::Duration;

use calwatch_core::config::Config;
use calwatch_core::engine::PushState;
use fake_google::{ChannelState as GoogleState, Faults};
use serde_json::json;

use crate::engine_support::{patiently, quick, until_push_health, Harness, Relay};

/// How late fake-google answers events.watch: the move is under way at least this long.
const WATCH_DELAY: Duration = Duration::from_secs(5);

fn checked(config: &mut Config) {
    quick(config);
    config.settings.timings.push_check_interval = Duration::from_secs(600);
}

#[tokio::test(start_paused = true)]
async fn a_new_address_moves_the_channel_and_a_change_during_the_move_is_told_once() {
    let h = Harness::start(checked).await;
    let old_tunnel = Relay::start(h.receiver).await;
    h.engine
        .set_callback_url(&old_tunnel.origin)
        .await
        .expect("accepted");
    let event = h.insert("Team sync", "2026-12-03T10:00:00Z", "2026-12-03T11:00:00Z");
    let first = h.watch().await;
    until_push_health(&h.engine, |p| p.state == PushState::Up).await;

    // The tunnel restarts with a new name; Google is slow to answer the new watch, so
    // the move is still under way when the change is made.
    let new_tunnel = Relay::start(h.receiver).await;
    h.control.set_faults(Faults {
        watch_delay: WATCH_DELAY,
        ..Faults::default()
    });
    let moved_at = h.clock.now_ms();
    h.engine
        .set_callback_url(&new_tunnel.origin)
        .await
        .expect("the address a tunnel reports is accepted");
    tokio::time::sleep(Duration::from_secs(1)).await;
    h.control.update_event(
        &h.calendar,
        &event,
        json!({"summary": "Team sync (room 4)"}),
    );

    // The move ends with one channel, at the new address, the old one stopped at Google.
    let new_address = format!("{}/notifications", new_tunnel.origin);
    patiently(async {
        loop {
            let channels = h.engine.channels().expect("channels");
            if channels.len() == 1 && channels[0].id != first.id {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .expect("the channel moves");
    let moved = h.engine.channels().expect("channels").remove(0);
    assert_eq!(moved.address, new_address);
    assert_eq!(h.google_channel(&first.id).state, GoogleState::Stopped);
    let at_google = h.google_channel(&moved.id);
    assert_eq!(at_google.state, GoogleState::Live);
    assert_eq!(
        at_google.address, new_address,
        "fake-google shows the new address"
    );

    h.settle().await;
    tokio::time::sleep(Duration::from_secs(60)).await;
    h.settle().await;
    let told = h.notifier.changes();
    assert_eq!(told.len(), 1, "told exactly once: {told:#?}");
    assert_eq!(told[0].title, "Team sync (room 4)");

    // The reachability test ran again once the move was done.
    let health = until_push_health(&h.engine, |p| {
        p.checked_at
            .is_some_and(|at| at >= moved_at + WATCH_DELAY.as_millis() as i64)
    })
    .await;
    assert_eq!(health.state, PushState::Up);

    // And the new channel delivers: a change afterwards is told through the new tunnel.
    drop(old_tunnel);
    h.insert(
        "After the move",
        "2026-12-04T10:00:00Z",
        "2026-12-04T11:00:00Z",
    );
    h.notifier.wait_for(2).await;
}

#[tokio::test(start_paused = true)]
async fn two_address_changes_in_quick_succession_end_with_one_channel_at_the_last() {
    let h = Harness::start(checked).await;
    let first_tunnel = Relay::start(h.receiver).await;
    h.engine
        .set_callback_url(&first_tunnel.origin)
        .await
        .expect("accepted");
    let first = h.watch().await;
    h.control.set_faults(Faults {
        watch_delay: WATCH_DELAY,
        ..Faults::default()
    });
    let second_tunnel = Relay::start(h.receiver).await;
    let third_tunnel = Relay::start(h.receiver).await;
    h.engine
        .set_callback_url(&second_tunnel.origin)
        .await
        .expect("accepted");
    // The tunnel restarts again while the first move is still waiting for Google.
    tokio::time::sleep(Duration::from_secs(1)).await;
    h.engine
        .set_callback_url(&third_tunnel.origin)
        .await
        .expect("accepted");

    let last = format!("{}/notifications", third_tunnel.origin);
    patiently(async {
        loop {
            let channels = h.engine.channels().expect("channels");
            if channels.len() == 1 && channels[0].address == last {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await
    .expect("the channel ends at the last address");
    let live: Vec<_> = h
        .calendar_channels()
        .into_iter()
        .filter(|c| c.state == GoogleState::Live)
        .collect();
    assert_eq!(live.len(), 1, "one channel is live at Google: {live:#?}");
    assert_eq!(live[0].address, last);
    assert_eq!(h.google_channel(&first.id).state, GoogleState::Stopped);
    // The account's calendar list moves with it, to one channel at the last address.
    let lists = patiently(async {
        loop {
            let lists: Vec<_> = h
                .control
                .channels()
                .into_iter()
                .filter(|c| c.calendar_list_user.is_some() && c.state == GoogleState::Live)
                .collect();
            if lists.len() == 1 && lists[0].address == last {
                return lists;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    assert!(
        lists.is_ok(),
        "the calendar list ends watched once, at the last address: {:#?}",
        h.control.channels()
    );
}

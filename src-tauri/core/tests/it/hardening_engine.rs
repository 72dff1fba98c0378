//! What a holder of a channel token (the tunnel provider sees it) can no longer do: silence
//! a channel with a huge message number, or make CalWatch stop watching with a forged
//! `not_exists`.

use std::time::Duration;

use crate::engine_support::quick;
use crate::engine_support::Harness;
use reqwest::StatusCode;

/// Posts a delivery on `channel` with its real token and resource id, as a token holder could.
async fn post_as_token_holder(h: &Harness, channel_id: &str, state: &str, number: &str) {
    let info = h.google_channel(channel_id);
    let response = reqwest::Client::new()
        .post(format!("http://{}/notifications", h.receiver))
        .header("X-Goog-Channel-ID", &info.id)
        .header(
            "X-Goog-Channel-Token",
            info.token.clone().unwrap_or_default(),
        )
        .header("X-Goog-Message-Number", number)
        .header("X-Goog-Resource-ID", &info.resource_id)
        .header("X-Goog-Resource-State", state)
        .header(
            "X-Goog-Resource-URI",
            "https://www.googleapis.com/calendar/v3/calendars/x/events",
        )
        .send()
        .await
        .expect("the receiver answers");
    assert_eq!(response.status(), StatusCode::OK, "the token is genuine");
}

#[tokio::test(start_paused = true)]
async fn the_largest_message_number_does_not_silence_a_channel_even_after_restart() {
    let mut h = Harness::start(quick).await;
    let channel = h.watch().await;
    h.settle().await;
    post_as_token_holder(&h, &channel.id, "exists", "18446744073709551615").await;
    h.settle().await;
    assert!(h.notifier.notices().is_empty(), "nothing changed yet");

    h.insert("Planning", "2030-01-07T10:00:00Z", "2030-01-07T11:00:00Z");
    let notices = h.notifier.wait_for(1).await;
    assert!(
        format!("{notices:?}").contains("Planning"),
        "Google's next genuine delivery still syncs: {notices:?}"
    );

    let stored = h
        .engine
        .channels()
        .expect("channels")
        .into_iter()
        .find(|c| c.id == channel.id)
        .expect("the channel is kept");
    assert_ne!(
        stored.last_message_number,
        i64::MAX as u64,
        "numbers are stored as sent, not clamped"
    );

    // Across a restart too: the stored number must not turn later deliveries into duplicates.
    post_as_token_holder(&h, &channel.id, "exists", "18446744073709551615").await;
    h.settle().await;
    let clock = std::sync::Arc::clone(&h.clock);
    h.restart(clock).await;
    h.settle().await;
    let before = h.notifier.notices().len();
    h.insert("Review", "2030-01-08T10:00:00Z", "2030-01-08T11:00:00Z");
    let notices = h.notifier.wait_for(before + 1).await;
    assert!(
        format!("{notices:?}").contains("Review"),
        "after a restart the channel still delivers: {notices:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_forged_not_exists_is_checked_with_google_and_the_calendar_stays_watched() {
    let h = Harness::start(quick).await;
    let channel = h.watch().await;
    h.settle().await;
    let lists = h.list_calls();

    post_as_token_holder(&h, &channel.id, "not_exists", "4242").await;
    tokio::time::sleep(Duration::from_secs(5)).await;

    assert_eq!(
        h.engine.snapshot().watched_count,
        1,
        "Google still has the calendar: it stays watched"
    );
    assert!(
        h.engine
            .channels()
            .expect("channels")
            .iter()
            .any(|c| c.id == channel.id),
        "and its channel is kept"
    );
    assert!(
        h.list_calls() > lists,
        "CalWatch asked Google (and synced as for `exists`)"
    );
    h.insert("Standup", "2030-01-07T09:00:00Z", "2030-01-07T09:15:00Z");
    let notices = h.notifier.wait_for(1).await;
    assert!(format!("{notices:?}").contains("Standup"), "{notices:?}");
}

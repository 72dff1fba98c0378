//! Coalescing on the leading and trailing edge, at the default 500 ms window: a lone
//! change is synced at once, a burst costs about one `events.list` per window, and a
//! notification that arrives while a sync runs is never lost. Virtual time throughout.

use std::collections::HashSet;
use std::time::Duration;

use calwatch_core::config::{Config, Timings};
use calwatch_core::notice::Notice;
use tokio::time::Instant;

use crate::engine_support::{quick, Harness};

/// Test timings with the coalescing window the app ships with.
fn default_window(config: &mut Config) {
    quick(config);
    config.settings.timings.coalesce_window = Timings::default().coalesce_window;
}

/// How many changes some notices tell (a summary counts all of its changes).
fn told(notices: &[Notice]) -> usize {
    notices.iter().map(Notice::change_count).sum()
}

/// Starts watching and lets the baseline and its notifications pass, then stays quiet
/// for longer than the window.
async fn watched_and_quiet() -> Harness {
    let h = Harness::start(default_window).await;
    h.watch().await;
    h.settle().await;
    tokio::time::sleep(Timings::default().coalesce_window * 4).await;
    h
}

#[tokio::test(start_paused = true)]
async fn lone_change_after_a_quiet_spell_syncs_at_once() {
    let h = watched_and_quiet().await;
    let window = Timings::default().coalesce_window;
    let before = h.list_calls();
    let started = Instant::now();
    h.insert(
        "Dentist",
        "2026-12-14T09:00:00+00:00",
        "2026-12-14T09:30:00+00:00",
    );
    let notices = h.notifier.wait_for(1).await;
    let waited = started.elapsed();
    assert!(
        waited < window / 5,
        "a lone change must not wait for the {} ms window, it waited {waited:?}",
        window.as_millis()
    );
    assert_eq!(told(&notices), 1, "the change is told: {notices:?}");
    // Nothing more comes of it: no trailing sync without a further notification.
    tokio::time::sleep(window * 4).await;
    assert_eq!(
        h.list_calls() - before,
        1,
        "a lone change costs one events.list"
    );
    assert_eq!(h.notifier.notices().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn burst_of_1000_in_one_second_costs_at_most_three_lists() {
    let h = watched_and_quiet().await;
    let window = Timings::default().coalesce_window;
    let before = h.list_calls();
    // 1 000 edits spread over one second, each one notification from Google.
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    for i in 0..1000 {
        tick.tick().await;
        h.insert(
            &format!("Slot {i}"),
            "2026-12-15T10:00:00+00:00",
            "2026-12-15T10:30:00+00:00",
        );
    }
    h.control.wait_for_deliveries_idle().await;
    tokio::time::timeout(crate::engine_support::PATIENCE, async {
        while told(&h.notifier.notices()) < 1000 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("every change of the burst is told");
    // Quiet for well past the window: any trailing sync the burst earned has run.
    tokio::time::sleep(window * 10).await;
    let lists = h.list_calls() - before;
    assert!(
        (1..=3).contains(&lists),
        "1 000 notifications in 1 s must cost at most 3 events.list calls, got {lists}"
    );
    let notices = h.notifier.notices();
    assert_eq!(told(&notices), 1000, "each change told once");
    assert!(
        notices.len() <= 3,
        "one notice per sync at most: {} notices",
        notices.len()
    );
    let history = h.engine.recent_changes(2000).expect("history");
    let ids: HashSet<&str> = history.iter().map(|c| c.change.event_id.as_str()).collect();
    assert_eq!(history.len(), 1000, "every change is in the history once");
    assert_eq!(ids.len(), 1000, "no event recorded twice");
}

#[tokio::test(start_paused = true)]
async fn notification_during_a_sync_earns_one_trailing_sync() {
    let h = watched_and_quiet().await;
    let window = Timings::default().coalesce_window;
    let before = h.list_calls();
    // The first change's sync is held at its toast: the sync is still running…
    h.notifier.hold_from_now();
    h.insert(
        "Dentist",
        "2026-12-16T09:00:00+00:00",
        "2026-12-16T09:30:00+00:00",
    );
    h.notifier.wait_for_hang().await;
    // …when Google tells of a second change, which that sync's listing did not see.
    h.insert(
        "Haircut",
        "2026-12-16T11:00:00+00:00",
        "2026-12-16T11:30:00+00:00",
    );
    h.control.wait_for_deliveries_idle().await;
    assert_eq!(h.list_calls() - before, 1, "no second sync while one runs");
    h.notifier.release();
    let notices = h.notifier.wait_for(2).await;
    tokio::time::sleep(window * 4).await;
    let headlines: Vec<String> = notices.iter().map(Notice::headline).collect();
    assert_eq!(h.notifier.notices().len(), 2, "{headlines:?}");
    assert!(
        headlines[0].contains("Dentist") && headlines[1].contains("Haircut"),
        "each change told once, in order: {headlines:?}"
    );
    assert_eq!(
        h.list_calls() - before,
        2,
        "the notification during the sync earned exactly one trailing sync"
    );
    assert_eq!(h.engine.recent_changes(10).expect("history").len(), 2);
}

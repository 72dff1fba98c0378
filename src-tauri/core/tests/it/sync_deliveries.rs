//! However Google's notifications arrive — in a burst, twice, out of order, replayed,
//! not at all, or with a dead sync token — every change is told exactly once.

use std::collections::HashSet;
use std::time::Duration;

use crate::engine_support::{kinds, quick, Harness};
use calwatch_core::engine::EngineEvent;
use calwatch_core::notice::{ChangeKind, Notice};
use calwatch_core::store::CalendarKey;
use fake_google::Faults;
use serde_json::json;

#[tokio::test(start_paused = true)]
async fn burst_of_500_mutations_costs_at_most_two_lists_and_one_summary() {
    let h = Harness::start(|c| {
        quick(c);
        c.settings.timings.coalesce_window = Duration::from_millis(500);
    })
    .await;
    h.watch().await;
    let before = h.list_calls();
    for i in 0..500 {
        h.insert(
            &format!("Slot {i}"),
            "2026-12-07T10:00:00+00:00",
            "2026-12-07T10:30:00+00:00",
        );
    }
    let notices = h.notifier.wait_for(1).await;
    h.control.wait_for_deliveries_idle().await;
    // Let any follow-up sync the burst earned run (well past the coalescing window).
    tokio::time::sleep(Duration::from_secs(5)).await;
    let lists = h.list_calls() - before;
    assert!(
        (1..=2).contains(&lists),
        "500 notifications must coalesce into one sync plus at most one follow-up, got {lists} events.list calls"
    );
    let notices_now = h.notifier.notices();
    assert_eq!(
        notices_now.len(),
        1,
        "one summary, not 500 toasts: {:?}",
        notices_now.iter().map(Notice::headline).collect::<Vec<_>>()
    );
    assert_eq!(notices, notices_now);
    match &notices_now[0] {
        Notice::Summary { count, away, .. } => {
            assert_eq!(*count, 500, "the summary counts every change");
            assert!(!away, "a live burst is not a 'while you were away' summary");
        }
        other => panic!("expected a summary, got {other:?}"),
    }
    assert_eq!(
        h.engine.recent_changes(1000).expect("history").len(),
        500,
        "every change is in the history"
    );
}

#[tokio::test(start_paused = true)]
async fn duplicated_and_reordered_deliveries_add_no_change() {
    let h = Harness::start(quick).await;
    h.watch().await;
    h.control.set_faults(Faults {
        duplicate_deliveries: true,
        reorder_deliveries: true,
        ..Faults::default()
    });
    let a = h.insert(
        "First",
        "2026-12-08T09:00:00+00:00",
        "2026-12-08T10:00:00+00:00",
    );
    let b = h.insert(
        "Second",
        "2026-12-08T11:00:00+00:00",
        "2026-12-08T12:00:00+00:00",
    );
    h.control
        .update_event(&h.calendar, &a, json!({"summary": "First, renamed"}));
    h.control.delete_event(&h.calendar, &b);
    h.settle().await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    h.settle().await;
    let changes = h.notifier.changes();
    let ids: Vec<&str> = changes.iter().map(|c| c.event_id.as_str()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(
        ids.len(),
        unique.len(),
        "no event is told twice: {:?}",
        changes.iter().map(|c| c.headline()).collect::<Vec<_>>()
    );
    assert!(
        changes.len() <= 4,
        "at most one notice per edit, whatever the deliveries did"
    );
    let history = h.engine.recent_changes(100).expect("history");
    assert_eq!(
        history.len(),
        changes.len(),
        "what is shown is what is recorded"
    );
}

#[tokio::test(start_paused = true)]
async fn replayed_delivery_is_acknowledged_but_adds_no_change() {
    let h = Harness::start(quick).await;
    let channel = h.watch().await;
    h.insert(
        "Review",
        "2026-12-09T09:00:00+00:00",
        "2026-12-09T10:00:00+00:00",
    );
    h.notifier.wait_for(1).await;
    h.settle().await;
    let info = h.google_channel(&channel.id);
    let calls_before = h.list_calls();
    // An attacker (or a confused proxy) replays the last message verbatim.
    let replay = reqwest::Client::new()
        .post(format!("http://{}/notifications", h.receiver))
        .header("X-Goog-Channel-ID", &info.id)
        .header(
            "X-Goog-Message-Number",
            info.last_message_number.to_string(),
        )
        .header("X-Goog-Resource-ID", &info.resource_id)
        .header("X-Goog-Resource-State", "exists")
        .header(
            "X-Goog-Resource-URI",
            "https://www.googleapis.com/calendar/v3/calendars/x/events",
        )
        .header(
            "X-Goog-Channel-Token",
            info.token.clone().unwrap_or_default(),
        )
        .send()
        .await
        .expect("the receiver answers");
    assert!(
        replay.status().is_success(),
        "a duplicate is acknowledged so Google stops retrying"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        h.list_calls(),
        calls_before,
        "a replayed message number does not even cause a sync"
    );
    assert_eq!(h.notifier.notices().len(), 1, "and no extra notice");
}

#[tokio::test(start_paused = true)]
async fn expired_sync_token_mid_stream_reports_only_real_differences() {
    let h = Harness::start(quick).await;
    let keep = h.insert(
        "Unchanged",
        "2026-12-10T09:00:00+00:00",
        "2026-12-10T10:00:00+00:00",
    );
    let moving = h.insert(
        "Moving",
        "2026-12-10T11:00:00+00:00",
        "2026-12-10T12:00:00+00:00",
    );
    let going = h.insert(
        "Going",
        "2026-12-10T13:00:00+00:00",
        "2026-12-10T14:00:00+00:00",
    );
    h.watch().await;
    h.insert(
        "Early news",
        "2026-12-10T15:00:00+00:00",
        "2026-12-10T16:00:00+00:00",
    );
    h.notifier.wait_for(1).await;
    h.settle().await;
    // Google forgets the token; meanwhile one event moves, one is deleted, one is new.
    h.control.expire_sync_tokens(&h.calendar);
    h.control.update_event(
        &h.calendar,
        &moving,
        json!({"start": {"dateTime": "2026-12-10T11:30:00+00:00"}, "end": {"dateTime": "2026-12-10T12:30:00+00:00"}}),
    );
    h.control.delete_event(&h.calendar, &going);
    h.insert(
        "Late news",
        "2026-12-10T17:00:00+00:00",
        "2026-12-10T18:00:00+00:00",
    );
    h.notifier.wait_for(2).await;
    h.settle().await;
    let changes = h.notifier.changes();
    let told: Vec<(ChangeKind, String)> = changes
        .iter()
        .skip(1)
        .map(|c| (c.kind, c.title.clone()))
        .collect();
    let mut told_sorted = told.clone();
    told_sorted.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        told_sorted,
        vec![
            (ChangeKind::Cancelled, "Going".to_string()),
            (ChangeKind::Created, "Late news".to_string()),
            (ChangeKind::Updated, "Moving".to_string()),
        ],
        "the full resync reports the three real differences and nothing that was already told"
    );
    assert!(
        !changes.iter().any(|c| c.event_id == keep),
        "an unchanged event is not 'new' after a full resync"
    );
    assert_eq!(
        kinds(&changes[..1]),
        vec![ChangeKind::Created],
        "the change before the 410 was told once"
    );
}

#[tokio::test(start_paused = true)]
async fn expired_sync_token_on_an_empty_calendar_still_reports_new_events() {
    let h = Harness::start(quick).await;
    // A calendar with nothing in it yet: the baseline holds no event at all.
    h.watch().await;
    h.control.expire_sync_tokens(&h.calendar);
    h.insert(
        "First event",
        "2026-12-10T09:00:00+00:00",
        "2026-12-10T10:00:00+00:00",
    );
    h.notifier.wait_for(1).await;
    h.settle().await;
    let changes = h.notifier.changes();
    assert_eq!(
        kinds(&changes),
        vec![ChangeKind::Created],
        "an event added while the sync token was dead is news, even in an empty calendar"
    );
    assert_eq!(changes[0].headline(), "First event added");
}

#[tokio::test(start_paused = true)]
async fn the_window_hears_of_every_change_while_another_calendar_records_many() {
    let h = Harness::start(quick).await;
    let team = "team@group.calendar.google.com";
    h.control.add_calendar(team, "Team", "Europe/London");
    h.watch().await;
    h.engine
        .watch(&CalendarKey::new(&h.calendar, team))
        .await
        .expect("watching Team works");
    let mut window = h.engine.subscribe();
    // The toast for the first change takes its time…
    h.notifier.hold_from_now();
    h.insert(
        "Dentist",
        "2026-12-12T09:00:00+00:00",
        "2026-12-12T09:30:00+00:00",
    );
    h.notifier.wait_for_hang().await;
    // …while a busy calendar records a burst of its own.
    for i in 0..20 {
        h.control.insert_event(
            team,
            json!({
                "summary": format!("Shift {i}"),
                "start": {"dateTime": "2026-12-12T10:00:00+00:00"},
                "end": {"dateTime": "2026-12-12T11:00:00+00:00"},
            }),
        );
    }
    tokio::time::timeout(Duration::from_secs(60), async {
        while h.engine.recent_changes(100).expect("history").len() < 21 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the burst is recorded");
    h.notifier.release();
    h.settle().await;
    h.engine
        .sync_now(&CalendarKey::new(&h.calendar, team))
        .await
        .expect("Team syncs");
    let mut heard = HashSet::new();
    while let Ok(event) = window.try_recv() {
        if let EngineEvent::Changes(changes) = event {
            heard.extend(changes.into_iter().map(|c| c.change.title));
        }
    }
    assert!(
        heard.contains("Dentist"),
        "the window's change list is told about every recorded change: {heard:?}"
    );
    assert_eq!(heard.len(), 21, "{heard:?}");
}

#[tokio::test(start_paused = true)]
async fn dropped_notifications_are_caught_by_the_backstop() {
    let h = Harness::start(|c| {
        quick(c);
        c.settings.timings.backstop_interval = Duration::from_secs(15 * 60);
    })
    .await;
    h.watch().await;
    h.control.set_faults(Faults {
        drop_rate: 0.05,
        drop_seed: 7,
        ..Faults::default()
    });
    let mut titles = Vec::new();
    for round in 0..10 {
        for i in 0..10 {
            let title = format!("Round {round} item {i}");
            h.insert(
                &title,
                "2026-12-11T09:00:00+00:00",
                "2026-12-11T09:30:00+00:00",
            );
            titles.push(title);
            h.control.wait_for_deliveries_idle().await;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    let dropped = h.control.stats().deliveries_dropped;
    assert!(
        dropped > 0,
        "the fault must actually drop some notifications"
    );
    // The last edit's notification is certainly lost: no later one covers for it.
    h.control.set_faults(Faults {
        drop_rate: 1.0,
        drop_seed: 7,
        ..Faults::default()
    });
    let last = "The one nobody announced".to_string();
    h.insert(
        &last,
        "2026-12-11T10:00:00+00:00",
        "2026-12-11T10:30:00+00:00",
    );
    titles.push(last.clone());
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert!(
        !h.engine
            .recent_changes(1000)
            .expect("history")
            .iter()
            .any(|c| c.change.title == last),
        "without a notification nothing syncs before the backstop (idle means idle)"
    );
    // Past the backstop interval: the slow timer syncs anyway.
    tokio::time::sleep(Duration::from_secs(16 * 60)).await;
    h.control.wait_for_deliveries_idle().await;
    let history = h.engine.recent_changes(1000).expect("history");
    let recorded: HashSet<String> = history.iter().map(|c| c.change.title.clone()).collect();
    for title in &titles {
        assert!(
            recorded.contains(title),
            "{title} was never reported although only notifications were lost ({dropped} dropped)"
        );
    }
    assert_eq!(history.len(), titles.len(), "each change reported once");
    let told: usize = h.notifier.notices().iter().map(Notice::change_count).sum();
    assert_eq!(told, titles.len(), "every change reached the notifier once");
}

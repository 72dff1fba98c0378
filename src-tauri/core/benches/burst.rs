//! A burst of 1 000 notifications within one second → how many events.list calls the
//! engine makes (target ≤ 3: the leading-edge sync, then about one trailing sync per
//! window), with the default 500 ms coalescing window.

mod support;

use std::time::{Duration, Instant};

use calwatch_core::config::Timings;
use fake_google::{FakeGoogle, Options};
use serde_json::json;
use support::{engine_against, load_average, runtime, verdict};

const BURST: usize = 1000;

fn main() {
    runtime().block_on(run());
}

async fn run() {
    let fake = FakeGoogle::start(Options::default())
        .await
        .expect("fake-google");
    let control = fake.control();
    let window = Timings::default().coalesce_window;
    let bench = engine_against(&fake.base_url(), |c| {
        c.settings.timings.coalesce_window = window;
    })
    .await;
    let calendar = control.user_email();
    bench
        .engine
        .watch(&calwatch_core::store::CalendarKey::new(
            &calendar, &calendar,
        ))
        .await
        .expect("watch");
    let lists = || {
        control
            .stats()
            .events_list_calls_by_calendar
            .get(&calendar)
            .copied()
            .unwrap_or(0)
    };
    let before = lists();
    let sent_before = control.stats().deliveries_sent;

    // 1 000 edits spread evenly over one second; each makes Google POST one notification.
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / BURST as u64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    for i in 0..BURST {
        tick.tick().await;
        control.insert_event(
            &calendar,
            json!({"summary": format!("Burst {i}"),
                   "start": {"dateTime": "2026-12-07T10:00:00Z"},
                   "end": {"dateTime": "2026-12-07T10:30:00Z"}}),
        );
    }
    let spread = started.elapsed();
    control.wait_for_deliveries_idle().await;
    // Every change told, then quiet for longer than the window: no sync is left to come.
    let deadline = Instant::now() + Duration::from_secs(30);
    while bench.notifier.changes_told() < BURST && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(window * 4).await;
    let calls = lists() - before;
    let delivered = control.stats().deliveries_sent - sent_before;
    println!(
        "burst of {BURST} notifications (coalescing window {} ms, the default; load average {})",
        window.as_millis(),
        load_average()
    );
    println!("  edits made over: {:.2} s", spread.as_secs_f64());
    println!("  notifications delivered to the receiver: {delivered}");
    println!(
        "  events.list calls: {calls} (target ≤ 3: {})",
        verdict(calls <= 3)
    );
    println!(
        "  changes told: {} in {} notifier call(s)",
        bench.notifier.changes_told(),
        bench.notifier.calls.lock().unwrap().len()
    );
    bench.engine.shutdown().await;
}

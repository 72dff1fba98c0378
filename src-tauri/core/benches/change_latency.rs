//! Change → notifier latency: from the moment Google's `exists` POST reaches the receiver
//! to the moment the notifier is called with the change, fake-google on loopback.
//!
//! Measured twice: at the default settings (500 ms coalescing window; a lone change after
//! a quiet spell syncs at once on the leading edge, so each sample waits out the window
//! first) and with the window at 0. The POST passes through a small
//! in-process forwarder standing in for the user's tunnel; the clock starts when the
//! forwarder hands the request to the receiver, so the figure covers the receiver, the
//! sync (events.list over loopback), classification, the SQLite commit and the notifier.
//! Targets: p50 ≤ 5 ms, p99 ≤ 20 ms.
//!
//! The last pass of each run repeats the empty calendar with 20 noise rules active
//! (per-calendar kinds, "within N days" and mutes on other calendars, declined events and
//! quiet hours everywhere), none of which silences the probe: the filter's cost, within
//! the noise.

mod support;

use std::time::Duration;

use calwatch_core::config::Timings;
use calwatch_core::engine::{CalendarRules, NoticeRules, SettingsPatch};
use calwatch_core::noise::{Kinds, QuietHours};
use calwatch_core::store::CalendarKey;
use chrono::Timelike;
use fake_google::{FakeGoogle, Options};
use serde_json::json;
use support::{engine_against, load_average, percentile, runtime, verdict, Forwarder};

const WARMUP: usize = 20;
/// Samples with the window at 0 (no quiet spell needed between them).
const SAMPLES: usize = 300;
/// Samples at the default window, each after a quiet spell longer than the window.
const SAMPLES_DEFAULT: usize = 100;

fn main() {
    runtime().block_on(async {
        run(Timings::default().coalesce_window, SAMPLES_DEFAULT).await;
        run(Duration::ZERO, SAMPLES).await;
    });
}

async fn run(window: Duration, samples: usize) {
    let fake = FakeGoogle::start(Options::default())
        .await
        .expect("fake-google");
    let control = fake.control();
    let bench = engine_against(&fake.base_url(), move |c| {
        c.settings.timings.coalesce_window = window;
    })
    .await;
    // The tunnel: forwards POSTs to the receiver, noting when each was handed over.
    let forwarder = Forwarder::start_to(bench.receiver).await;
    bench
        .engine
        .set_callback_url(&forwarder.url)
        .await
        .expect("tunnel URL");

    let default = if window == Timings::default().coalesce_window {
        ", the default"
    } else {
        ""
    };
    println!(
        "change → notifier latency (receiver arrival to notify call, loopback, coalescing window {} ms{default}; load average {})",
        window.as_millis(),
        load_average()
    );
    // An empty calendar, then one holding a few thousand events (the snapshot the sync
    // diffs against grows with the calendar).
    for (calendar, size) in [
        (control.user_email(), 0usize),
        ("big@example.com".to_string(), 5_000),
    ] {
        if size > 0 {
            control.add_calendar(&calendar, "Big", "Europe/London");
            bench
                .engine
                .refresh_calendars()
                .await
                .expect("calendar list");
            control.insert_events_quietly(
                &calendar,
                (0..size)
                    .map(|i| {
                        json!({"summary": format!("Filler {i}"),
                               "start": {"dateTime": format!("2026-11-{:02}T09:00:00Z", 1 + i % 28)},
                               "end": {"dateTime": format!("2026-11-{:02}T10:00:00Z", 1 + i % 28)}})
                    })
                    .collect(),
            );
        }
        let label = format!("calendar with {size} other events");
        measure(
            &bench, &control, &calendar, &label, &forwarder, window, samples,
        )
        .await;
    }
    let rules = add_twenty_rules(&bench, &control).await;
    let label = format!("calendar with 0 other events, {rules} noise rules active");
    let calendar = control.user_email();
    measure(
        &bench, &control, &calendar, &label, &forwarder, window, samples,
    )
    .await;
    bench.engine.shutdown().await;
}

/// Turns on 20 noise rules that leave the probe told; returns how many are active.
async fn add_twenty_rules(bench: &support::Bench, control: &fake_google::Control) -> usize {
    let mut active = 0;
    // The probe's calendar: no cancellations or guests' replies, only the next 10 years.
    let probe = CalendarRules {
        kinds: Kinds {
            cancelled: false,
            replies: false,
            ..Kinds::default()
        },
        within_days: Some(3650),
        ..CalendarRules::default()
    };
    bench
        .engine
        .set_calendar_rules(
            &CalendarKey::new(control.user_email(), control.user_email()),
            probe,
        )
        .expect("rules");
    active += probe.active_rules();
    // Five other calendars, each muted, without new events, within a week.
    for i in 0..5 {
        let id = format!("other{i}@example.com");
        control.add_calendar(&id, &format!("Other {i}"), "Europe/London");
    }
    bench
        .engine
        .refresh_calendars()
        .await
        .expect("calendar list");
    for i in 0..5 {
        let rules = CalendarRules {
            muted: true,
            kinds: Kinds {
                created: false,
                ..Kinds::default()
            },
            within_days: Some(7),
        };
        bench
            .engine
            .set_calendar_rules(
                &CalendarKey::new(control.user_email(), format!("other{i}@example.com")),
                rules,
            )
            .expect("rules");
        active += rules.active_rules();
    }
    // Everywhere: skip declined events, and quiet hours that start in six hours.
    let in_six_hours = (chrono::Local::now().hour() + 6) % 24;
    bench
        .engine
        .update_settings(SettingsPatch {
            notices: Some(NoticeRules {
                skip_declined: true,
                quiet_hours: QuietHours {
                    enabled: true,
                    start_minute: in_six_hours * 60,
                    end_minute: ((in_six_hours + 1) % 24) * 60,
                    days: vec![true; 7],
                },
                ..NoticeRules::default()
            }),
            ..SettingsPatch::default()
        })
        .await
        .expect("rules everywhere");
    active + 2
}

async fn measure(
    bench: &support::Bench,
    control: &fake_google::Control,
    calendar: &str,
    label: &str,
    forwarder: &Forwarder,
    window: Duration,
    sample_count: usize,
) {
    let event = control.insert_event(
        calendar,
        json!({"summary": "Latency probe",
               "start": {"dateTime": "2026-12-01T10:00:00Z"},
               "end": {"dateTime": "2026-12-01T11:00:00Z"}}),
    );
    let event_id = event["id"].as_str().unwrap().to_string();
    bench
        .engine
        .watch(&CalendarKey::new(control.user_email(), calendar))
        .await
        .expect("watch");
    // Let the sync of the probe's own insertion (if any) pass before measuring.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let mut samples = Vec::with_capacity(sample_count);
    let mut lost = 0;
    for i in 0..WARMUP + sample_count {
        if !window.is_zero() {
            // A lone change: quiet for longer than the window since the last sync.
            tokio::time::sleep(window + Duration::from_millis(100)).await;
        }
        let before = *bench.notifier.count.borrow();
        forwarder.forget();
        control.update_event(
            calendar,
            &event_id,
            json!({"summary": format!("Latency probe {i}")}),
        );
        let now = bench
            .notifier
            .wait_for(before + 1, Duration::from_secs(5))
            .await;
        if now <= before {
            lost += 1;
            continue;
        }
        let notified = bench.notifier.calls.lock().unwrap()[before].0;
        let Some(start) = forwarder.arrived() else {
            lost += 1;
            continue;
        };
        if i >= WARMUP {
            samples.push(notified.saturating_duration_since(start));
        }
    }
    samples.sort();
    let p50 = percentile(&samples, 50.0);
    let p99 = percentile(&samples, 99.0);
    let max = samples.last().copied().unwrap_or_default();
    println!("  {label}:");
    println!(
        "    samples: {} (warm-up {WARMUP}, lost {lost})",
        samples.len()
    );
    println!(
        "    p50: {:.2} ms (target ≤ 5 ms: {})",
        ms(p50),
        verdict(p50 <= Duration::from_millis(5))
    );
    println!(
        "    p99: {:.2} ms (target ≤ 20 ms: {})",
        ms(p99),
        verdict(p99 <= Duration::from_millis(20))
    );
    println!("    max: {:.2} ms", ms(max));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

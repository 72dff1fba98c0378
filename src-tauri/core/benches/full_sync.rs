//! Full sync of a 10 000- and a 100 000-event calendar: time and peak memory of the
//! baseline and of the 410 resync (targets: 10 000 ≤ 2 s, 100 000 ≤ 5 s, peak RSS ≤ 60 MB
//! at both, the 100 000 figure within 15 MB of the 10 000 one: memory bounded by a page).
//!
//! Each size is measured in a process of its own (this same binary, started with
//! `CALWATCH_BENCH_EVENTS=<n>`), so each peak RSS (VmHWM) is that size's alone; and
//! fake-google runs in a child of that (`CALWATCH_BENCH_FAKE=<n>`), so the figure is the
//! engine's, not the stand-in's copy of the events.

mod support;

use std::process::{Command, Stdio};
use std::time::Instant;

use calwatch_core::store::CalendarKey;
use fake_google::{FakeGoogle, Options, USER_EMAIL};
use serde_json::json;
use support::{
    cpu_seconds, cpu_seconds_of, engine_against, fake_google_child, load_average, runtime,
    status_kib, verdict,
};

/// The calendar sizes measured.
const SIZES: [usize; 2] = [10_000, 100_000];

/// How the measuring process reports its peak to the parent.
const PEAK_LINE: &str = "PEAK_KIB ";

fn main() {
    let size = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
    };
    if let Some(events) = size("CALWATCH_BENCH_FAKE") {
        runtime().block_on(serve_fake(events));
    } else if let Some(events) = size("CALWATCH_BENCH_EVENTS") {
        runtime().block_on(run(events));
    } else {
        compare();
    }
}

/// Measures each size in its own process, then says whether memory stayed flat.
fn compare() {
    let exe = std::env::current_exe().expect("own path");
    let mut peaks = Vec::new();
    for events in SIZES {
        let out = Command::new(&exe)
            .env("CALWATCH_BENCH_EVENTS", events.to_string())
            .stderr(Stdio::inherit())
            .output()
            .expect("the measuring process runs");
        let text = String::from_utf8_lossy(&out.stdout);
        for line in text.lines() {
            match line.strip_prefix(PEAK_LINE) {
                Some(kib) => peaks.push(kib.trim().parse::<u64>().unwrap_or(0)),
                None => println!("{line}"),
            }
        }
    }
    if let [small, large] = peaks[..] {
        let growth = large.saturating_sub(small);
        println!(
            "peak RSS from {} to {} events: +{:.1} MB (target ≤ 15 MB: {})",
            SIZES[0],
            SIZES[1],
            growth as f64 / 1024.0,
            verdict(growth <= 15 * 1024)
        );
    }
}

/// The control API's secret, shared by the two processes of this bench only.
const CONTROL_SECRET: &str = "full-sync-bench";

/// The child: fake-google seeded with `events` events; prints its base URL, then serves
/// until its stdin closes (the parent exited).
async fn serve_fake(events: usize) {
    let fake = FakeGoogle::start(Options {
        control_secret: Some(CONTROL_SECRET.into()),
        ..Options::default()
    })
    .await
    .expect("fake-google");
    let control = fake.control();
    let events: Vec<serde_json::Value> = (0..events)
        .map(|i| {
            let day = 1 + (i % 28);
            let hour = 8 + (i % 10);
            json!({
                "summary": format!("Event {i}"),
                "location": if i % 3 == 0 { json!("Room 4B") } else { json!(null) },
                "description": "Agenda to follow.",
                "start": {"dateTime": format!("2026-12-{day:02}T{hour:02}:00:00Z"), "timeZone": "Europe/London"},
                "end": {"dateTime": format!("2026-12-{day:02}T{hour:02}:45:00Z"), "timeZone": "Europe/London"},
                "attendees": [{"email": USER_EMAIL, "self": true, "responseStatus": "accepted"}],
            })
        })
        .collect();
    control.insert_events_quietly(USER_EMAIL, events);
    println!("{}", fake.base_url());
    tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    })
    .await
    .ok();
}

async fn run(events: usize) {
    let (mut child, base_url) = fake_google_child(&events.to_string());
    // The child has seeded its events by the time it prints its URL.
    let child_pid = child.id().to_string();
    let seeding_cpu = cpu_seconds_of(&child_pid);

    let bench = engine_against(&base_url, |_| {}).await;
    let rss_before = status_kib("VmRSS").unwrap_or(0);

    // The baseline: events.watch, then the silent full sync of every event.
    let load_before = load_average();
    let (started, cpu_started) = (Instant::now(), cpu_seconds());
    bench
        .engine
        .watch(&CalendarKey::new(USER_EMAIL, USER_EMAIL))
        .await
        .expect("watch");
    let (baseline, baseline_cpu) = (started.elapsed(), cpu_seconds() - cpu_started);

    let peak_baseline = status_kib("VmHWM").unwrap_or(0);

    // A 410 forces a full resync diffed against the stored snapshots.
    let http = reqwest::Client::new();
    http.post(format!(
        "{base_url}/control/calendars/{USER_EMAIL}/expire-sync-tokens"
    ))
    .header(fake_google::CONTROL_SECRET_HEADER, CONTROL_SECRET)
    .send()
    .await
    .expect("control API")
    .error_for_status()
    .expect("sync tokens expired");
    let (started, cpu_started) = (Instant::now(), cpu_seconds());
    let told = bench
        .engine
        .sync_now(&CalendarKey::new(USER_EMAIL, USER_EMAIL))
        .await
        .expect("full resync");
    let (resync, resync_cpu) = (started.elapsed(), cpu_seconds() - cpu_started);

    let peak = status_kib("VmHWM").unwrap_or(0);
    // Judged by CPU time: on a shared machine wall time includes waiting for a core.
    let slowest_cpu = baseline_cpu.max(resync_cpu);
    let limit = if events > 10_000 { 5.0 } else { 2.0 };
    println!(
        "full sync of a {events}-event calendar (fake-google in a child process, loopback; load average {load_before} before, {} after)",
        load_average()
    );
    println!(
        "  baseline (watch + full list + snapshot commit): {:.3} s wall, {baseline_cpu:.2} s CPU (user+sys)",
        baseline.as_secs_f64()
    );
    println!(
        "  full resync after 410, diffed against the snapshot: {:.3} s wall, {resync_cpu:.2} s CPU (user+sys), {told} changes reported",
        resync.as_secs_f64()
    );
    // The stand-in's share of the wall time: it builds every page the engine reads.
    println!(
        "  fake-google (the child process) used {:.2} s CPU serving both listings ({seeding_cpu:.2} s seeding before)",
        cpu_seconds_of(&child_pid) - seeding_cpu
    );
    println!(
        "  time: {slowest_cpu:.2} s CPU, {:.3} s wall (target ≤ {limit} s: {})",
        baseline.max(resync).as_secs_f64(),
        verdict(slowest_cpu <= limit)
    );
    println!(
        "  peak RSS of the engine process (VmHWM): {:.1} MB after the baseline, {:.1} MB after the 410 resync (before the sync: {:.1} MB) (target ≤ 60 MB: {})",
        peak_baseline as f64 / 1024.0,
        peak as f64 / 1024.0,
        rss_before as f64 / 1024.0,
        verdict(peak <= 60 * 1024)
    );
    println!("{PEAK_LINE}{peak}");
    bench.engine.shutdown().await;
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
}

//! Full sync of a 10 000-event calendar: time and peak memory (targets ≤ 2 s, ≤ 60 MB).
//!
//! fake-google runs in a child process (this same binary, started with
//! `CALWATCH_BENCH_FAKE=1`) so the peak RSS read from `/proc/self/status` (VmHWM) is the
//! engine's alone, not the stand-in's copy of the 10 000 events.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fake_google::{FakeGoogle, Options, USER_EMAIL};
use serde_json::json;
use support::{engine_against, runtime, status_kib, verdict};

const EVENTS: usize = 10_000;

fn main() {
    let rt = runtime();
    if std::env::var_os("CALWATCH_BENCH_FAKE").is_some() {
        rt.block_on(serve_fake());
    } else {
        rt.block_on(run());
    }
}

/// The control API's secret, shared by the two processes of this bench only.
const CONTROL_SECRET: &str = "full-sync-bench";

/// The child: fake-google seeded with 10 000 events; prints its base URL, then serves
/// until its stdin closes (the parent exited).
async fn serve_fake() {
    let fake = FakeGoogle::start(Options {
        control_secret: Some(CONTROL_SECRET.into()),
        ..Options::default()
    })
    .await
    .expect("fake-google");
    let control = fake.control();
    let events: Vec<serde_json::Value> = (0..EVENTS)
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

async fn run() {
    let exe = std::env::current_exe().expect("own path");
    let mut child = Command::new(exe)
        .env("CALWATCH_BENCH_FAKE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("fake-google child starts");
    let mut base_url = String::new();
    BufReader::new(child.stdout.take().expect("child stdout"))
        .read_line(&mut base_url)
        .expect("child prints its URL");
    let base_url = base_url.trim().to_string();

    let bench = engine_against(&base_url, |_| {}).await;
    let rss_before = status_kib("VmRSS").unwrap_or(0);

    // The baseline: events.watch, then the silent full sync of every event.
    let started = Instant::now();
    bench.engine.watch(USER_EMAIL).await.expect("watch");
    let baseline = started.elapsed();

    // A 410 forces a full resync diffed against the 10 000 stored snapshots.
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
    let started = Instant::now();
    let told = bench
        .engine
        .sync_now(USER_EMAIL)
        .await
        .expect("full resync");
    let resync = started.elapsed();

    let peak = status_kib("VmHWM").unwrap_or(0);
    let slowest = baseline.max(resync);
    println!("full sync of a {EVENTS}-event calendar (fake-google in a child process, loopback)");
    println!(
        "  baseline (watch + full list + snapshot commit): {:.3} s",
        baseline.as_secs_f64()
    );
    println!(
        "  full resync after 410, diffed against the snapshot: {:.3} s, {told} changes reported",
        resync.as_secs_f64()
    );
    println!(
        "  time: {:.3} s (target ≤ 2 s: {})",
        slowest.as_secs_f64(),
        verdict(slowest <= Duration::from_secs(2))
    );
    println!(
        "  peak RSS of the engine process (VmHWM): {:.1} MB (before the sync: {:.1} MB) (target ≤ 60 MB: {})",
        peak as f64 / 1024.0,
        rss_before as f64 / 1024.0,
        verdict(peak <= 60 * 1024)
    );
    bench.engine.shutdown().await;
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
}

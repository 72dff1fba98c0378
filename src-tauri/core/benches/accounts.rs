//! Ten Google accounts × twenty watched calendars on one receiver: 200 event channels
//! (plus each account's calendar-list channel where the engine keeps one).
//!
//! Measured: how long the 200 `events.watch` calls take; the engine's memory once all are
//! live; change → notifier latency for a change in the last calendar of the last account
//! (the routing table is at its fullest); and start-up catch-up: the engine is stopped, an
//! event is added to every one of the 200 calendars, and the clock runs from
//! `Engine::start` until every one of the 200 changes has been told.
//!
//! fake-google runs in a child process (this same binary, `CALWATCH_BENCH_FAKE=1`), so the
//! memory figures are the engine's alone; the parent drives it over its control API.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use calwatch_core::engine::{Engine, EngineDeps};
use calwatch_core::secrets::{MemoryTokenStore, TokenStore};
use calwatch_core::store::CalendarKey;
use fake_google::{FakeGoogle, Options, CONTROL_SECRET_HEADER};
use serde_json::{json, Value};
use support::{
    browser_opener, config_against, cpu_seconds, fake_google_child, load_average, percentile,
    runtime, status_kib, Forwarder, TimedNotifier,
};

const ACCOUNTS: usize = 10;
const CALENDARS_PER_ACCOUNT: usize = 20;
const WARMUP: usize = 10;
const SAMPLES: usize = 100;
/// The control API's secret, shared by the two processes of this bench only.
const CONTROL_SECRET: &str = "accounts-bench";

fn main() {
    if std::env::var_os("CALWATCH_BENCH_FAKE").is_some() {
        runtime().block_on(serve_fake());
    } else {
        runtime().block_on(run());
    }
}

/// The account emails, the first being fake-google's own first user.
fn accounts(first: &str) -> Vec<String> {
    std::iter::once(first.to_string())
        .chain((1..ACCOUNTS).map(|i| format!("person{i}@example.com")))
        .collect()
}

/// The calendars of `account`: its primary calendar, then 19 more.
fn calendars_of(account: &str, index: usize) -> Vec<String> {
    std::iter::once(account.to_string())
        .chain((1..CALENDARS_PER_ACCOUNT).map(|c| format!("a{index}-c{c}@group.example.com")))
        .collect()
}

/// The child: fake-google with ten users, each listing twenty calendars of their own.
async fn serve_fake() {
    let fake = FakeGoogle::start(Options {
        control_secret: Some(CONTROL_SECRET.into()),
        ..Options::default()
    })
    .await
    .expect("fake-google");
    let control = fake.control();
    let first = control.user_email();
    for (index, account) in accounts(&first).iter().enumerate() {
        if index > 0 {
            control.add_user(account);
        }
        for calendar in calendars_of(account, index).iter().skip(1) {
            // New calendars land on the first user's list: hand each to its account.
            control.add_calendar(calendar, &format!("Team {calendar}"), "Europe/London");
            if index > 0 {
                control.share_calendar(calendar, account, "owner");
                control.remove_from_calendar_list(&first, calendar);
            }
        }
    }
    println!("{}", fake.base_url());
    tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    })
    .await
    .ok();
}

/// fake-google's control API, in the child.
struct Control {
    http: reqwest::Client,
    base: String,
}

impl Control {
    /// Sends `body` to `/control/{path}`; the answer's JSON (`null` when it has none).
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}/control/{path}", self.base))
            .header(CONTROL_SECRET_HEADER, CONTROL_SECRET);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .expect("control API")
            .error_for_status()
            .unwrap_or_else(|e| panic!("control {path}: {e}"));
        response.json().await.unwrap_or(Value::Null)
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: Value) {
        self.send(reqwest::Method::PATCH, path, Some(body)).await;
    }

    async fn get(&self, path: &str) -> Value {
        self.send(reqwest::Method::GET, path, None).await
    }
}

fn event(summary: &str) -> Value {
    json!({"summary": summary,
           "start": {"dateTime": "2026-12-01T10:00:00Z"},
           "end": {"dateTime": "2026-12-01T11:00:00Z"}})
}

async fn run() {
    let (mut child, base) = fake_google_child("1");
    let google = Control {
        http: reqwest::Client::new(),
        base,
    };
    let first = google.get("user").await["email"]
        .as_str()
        .expect("first user")
        .to_string();
    let accounts = accounts(&first);

    let forwarder = Forwarder::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config_against(&google.base, dir.path(), forwarder.receiver);
    let tokens: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let notifier = TimedNotifier::default();
    let start = |notifier: &TimedNotifier| {
        Engine::start(
            config.clone(),
            EngineDeps {
                token_store: Arc::clone(&tokens),
                notifier: Arc::new(notifier.clone()),
            },
        )
    };
    let engine = start(&notifier).await.expect("engine starts");
    engine
        .set_callback_url(&forwarder.url)
        .await
        .expect("callback URL");
    for account in &accounts {
        google
            .post("next-consent", json!({ "email": account }))
            .await;
        engine.sign_in(browser_opener()).await.expect("sign-in");
    }
    engine.refresh_calendars().await.expect("calendar lists");

    println!(
        "{ACCOUNTS} accounts × {CALENDARS_PER_ACCOUNT} watched calendars on one receiver (fake-google in a child process, loopback; load average {})",
        load_average()
    );
    let (started, cpu) = (Instant::now(), cpu_seconds());
    for (index, account) in accounts.iter().enumerate() {
        for calendar in calendars_of(account, index) {
            engine
                .watch(&CalendarKey::new(account.as_str(), calendar))
                .await
                .expect("watch");
        }
    }
    println!(
        "  watching all {}: {:.2} s wall, {:.2} s CPU",
        ACCOUNTS * CALENDARS_PER_ACCOUNT,
        started.elapsed().as_secs_f64(),
        cpu_seconds() - cpu
    );
    let live = google.get("channels").await;
    let live = live.as_array().expect("channel list");
    let lists = live
        .iter()
        .filter(|c| c["state"] == "Live" && !c["calendar_list_user"].is_null())
        .count();
    let events = live
        .iter()
        .filter(|c| c["state"] == "Live" && c["calendar_list_user"].is_null())
        .count();
    println!("  live channels at fake-google: {events} on events, {lists} on calendar lists");
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!(
        "  engine memory with every channel live: RSS {:.1} MB, peak {:.1} MB",
        status_kib("VmRSS").unwrap_or(0) as f64 / 1024.0,
        status_kib("VmHWM").unwrap_or(0) as f64 / 1024.0
    );

    // A change in the last calendar of the last account, one at a time.
    let last_account = accounts.last().expect("accounts");
    let last_calendar = calendars_of(last_account, ACCOUNTS - 1)
        .pop()
        .expect("calendars");
    let probe = google
        .post(
            &format!("calendars/{last_calendar}/events"),
            event("Latency probe"),
        )
        .await;
    let probe_id = probe["id"].as_str().expect("event id").to_string();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let window = config.settings.timings.coalesce_window;
    let mut samples = Vec::with_capacity(SAMPLES);
    let mut lost = 0;
    for i in 0..WARMUP + SAMPLES {
        // A lone change: quiet for longer than the coalescing window since the last sync.
        tokio::time::sleep(window + Duration::from_millis(100)).await;
        let before = *notifier.count.borrow();
        forwarder.forget();
        google
            .patch(
                &format!("calendars/{last_calendar}/events/{probe_id}"),
                json!({"summary": format!("Latency probe {i}")}),
            )
            .await;
        if notifier.wait_for(before + 1, Duration::from_secs(5)).await <= before {
            lost += 1;
            continue;
        }
        let notified = notifier.calls.lock().unwrap()[before].0;
        let Some(arrived) = forwarder.arrived() else {
            lost += 1;
            continue;
        };
        if i >= WARMUP {
            samples.push(notified.saturating_duration_since(arrived));
        }
    }
    samples.sort();
    println!(
        "  change in the last calendar of the last account → notifier (default coalescing window): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples, lost {lost})",
        ms(percentile(&samples, 50.0)),
        ms(percentile(&samples, 99.0)),
        ms(samples.last().copied().unwrap_or_default()),
        samples.len()
    );

    // Start-up catch-up: a change in every calendar while CalWatch is not running.
    engine.shutdown().await;
    drop(engine);
    for (index, account) in accounts.iter().enumerate() {
        for calendar in calendars_of(account, index) {
            google
                .post(
                    &format!("calendars/{calendar}/events"),
                    event("Made while away"),
                )
                .await;
        }
    }
    let total = ACCOUNTS * CALENDARS_PER_ACCOUNT;
    let notifier = TimedNotifier::default();
    let (started, cpu) = (Instant::now(), cpu_seconds());
    let engine = start(&notifier).await.expect("engine restarts");
    let deadline = Instant::now() + Duration::from_secs(120);
    while notifier.changes_told() < total && Instant::now() < deadline {
        let seen = *notifier.count.borrow();
        notifier.wait_for(seen + 1, Duration::from_secs(1)).await;
    }
    let told = notifier.changes_told();
    println!(
        "  start-up catch-up of {total} calendars, one change each made while stopped: {told} told in {:.2} s wall, {:.2} s CPU ({} notifier calls)",
        started.elapsed().as_secs_f64(),
        cpu_seconds() - cpu,
        *notifier.count.borrow()
    );
    println!(
        "  engine memory after the catch-up: RSS {:.1} MB, peak {:.1} MB",
        status_kib("VmRSS").unwrap_or(0) as f64 / 1024.0,
        status_kib("VmHWM").unwrap_or(0) as f64 / 1024.0
    );
    engine.shutdown().await;
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

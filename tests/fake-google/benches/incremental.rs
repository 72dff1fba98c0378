//! What a no-op incremental `events.list` costs fake-google at 5 000 and 100 000 events,
//! and a no-op incremental `calendarList.list` at 100 and 5 000 calendars: the engine's
//! benches measure the engine, so the stand-in's own share must stay small and must not
//! grow with the calendar or the list (changes are indexed by sequence number).
//! Real HTTP on loopback, the same requests the engine makes after a notification.

use std::time::{Duration, Instant};

use fake_google::{FakeGoogle, Options};
use serde_json::{json, Value};

const SAMPLES: usize = 200;

#[tokio::main]
async fn main() {
    println!("fake-google: no-op incremental events.list (loopback HTTP, {SAMPLES} requests)");
    for size in [5_000usize, 100_000] {
        let fake = FakeGoogle::start(Options::default())
            .await
            .expect("fake-google starts");
        let control = fake.control();
        let calendar = control.user_email();
        for chunk in (0..size).collect::<Vec<_>>().chunks(10_000) {
            control.insert_events_quietly(
                &calendar,
                chunk
                    .iter()
                    .map(|i| {
                        json!({"summary": format!("Filler {i}"),
                               "start": {"dateTime": "2026-11-02T09:00:00Z"},
                               "end": {"dateTime": "2026-11-02T10:00:00Z"}})
                    })
                    .collect(),
            );
        }
        let token = control.issue_access_token();
        let http = reqwest::Client::new();
        let url = format!("{}/calendars/{calendar}/events", fake.api_base());
        // The full listing, page by page, for the sync token a synced engine holds.
        let mut page: Option<String> = None;
        let sync_token = loop {
            let mut request = http
                .get(&url)
                .bearer_auth(&token)
                .query(&[("maxResults", "2500")]);
            if let Some(p) = &page {
                request = request.query(&[("pageToken", p)]);
            }
            let body: Value = request
                .send()
                .await
                .expect("GET")
                .json()
                .await
                .expect("JSON");
            if let Some(t) = body["nextSyncToken"].as_str() {
                break t.to_string();
            }
            page = Some(
                body["nextPageToken"]
                    .as_str()
                    .expect("a next page")
                    .to_string(),
            );
        };
        let mut samples = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            let started = Instant::now();
            let body: Value = http
                .get(&url)
                .bearer_auth(&token)
                .query(&[("syncToken", sync_token.as_str())])
                .send()
                .await
                .expect("GET")
                .json()
                .await
                .expect("JSON");
            samples.push(started.elapsed());
            assert_eq!(body["items"].as_array().map(Vec::len), Some(0), "no-op");
        }
        samples.sort();
        let at = |p: usize| samples[(samples.len() - 1) * p / 100];
        println!(
            "  {size:>7} events: p50 {:.3} ms, p99 {:.3} ms",
            ms(at(50)),
            ms(at(99))
        );
    }
    calendar_list().await;
}

/// The same for `calendarList.list` with a sync token, at two list sizes.
async fn calendar_list() {
    println!(
        "fake-google: no-op incremental calendarList.list (loopback HTTP, {SAMPLES} requests)"
    );
    for size in [100usize, 5_000] {
        let fake = FakeGoogle::start(Options::default())
            .await
            .expect("fake-google starts");
        let control = fake.control();
        for i in 0..size {
            control.add_calendar(&format!("c{i}@group.calendar.google.com"), "Filler", "UTC");
        }
        let token = control.issue_access_token();
        let http = reqwest::Client::new();
        let url = format!("{}/users/me/calendarList", fake.api_base());
        let mut page: Option<String> = None;
        let sync_token = loop {
            let mut request = http
                .get(&url)
                .bearer_auth(&token)
                .query(&[("maxResults", "250")]);
            if let Some(p) = &page {
                request = request.query(&[("pageToken", p)]);
            }
            let body: Value = request
                .send()
                .await
                .expect("GET")
                .json()
                .await
                .expect("JSON");
            if let Some(t) = body["nextSyncToken"].as_str() {
                break t.to_string();
            }
            page = Some(
                body["nextPageToken"]
                    .as_str()
                    .expect("a next page")
                    .to_string(),
            );
        };
        let mut samples = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            let started = Instant::now();
            let body: Value = http
                .get(&url)
                .bearer_auth(&token)
                .query(&[("syncToken", sync_token.as_str())])
                .send()
                .await
                .expect("GET")
                .json()
                .await
                .expect("JSON");
            samples.push(started.elapsed());
            assert_eq!(body["items"].as_array().map(Vec::len), Some(0), "no-op");
        }
        samples.sort();
        let at = |p: usize| samples[(samples.len() - 1) * p / 100];
        println!(
            "  {size:>7} calendars: p50 {:.3} ms, p99 {:.3} ms",
            ms(at(50)),
            ms(at(99))
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

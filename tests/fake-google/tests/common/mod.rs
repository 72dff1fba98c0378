//! Helpers shared by the integration tests: starting a fake, calling it over real HTTP,
//! and a tiny push receiver on loopback that records what Google-alike POSTs.

#![allow(dead_code)] // each test binary uses its own subset

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use fake_google::{FakeGoogle, Options};
use serde_json::Value;

/// A fake with default options (http callbacks allowed, no seed data).
pub async fn fake() -> FakeGoogle {
    FakeGoogle::start(Options::default())
        .await
        .expect("fake-google starts on loopback")
}

/// A fake with demo data.
pub async fn seeded_fake() -> FakeGoogle {
    FakeGoogle::start(Options {
        seed: true,
        ..Options::default()
    })
    .await
    .expect("fake-google starts on loopback")
}

/// A client that, like CalWatch's, never follows redirects.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client builds")
}

/// A GET against the Calendar API with a bearer token; returns status and JSON body.
pub async fn api_get(fake: &FakeGoogle, token: &str, path_and_query: &str) -> (u16, Value) {
    let response = http()
        .get(format!("{}{}", fake.api_base(), path_and_query))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET reaches fake-google");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// A POST of JSON against the Calendar API with a bearer token.
pub async fn api_post(fake: &FakeGoogle, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = http()
        .post(format!("{}{}", fake.api_base(), path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("POST reaches fake-google");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// Watches `calendar` with channel `id`, delivering to `address`.
pub async fn watch(
    fake: &FakeGoogle,
    token: &str,
    calendar: &str,
    id: &str,
    address: &str,
) -> (u16, Value) {
    let body = serde_json::json!({
        "id": id,
        "type": "web_hook",
        "address": address,
        "token": format!("secret-for-{id}"),
        "params": {"ttl": "3600"},
    });
    let path = format!("/calendars/{}/events/watch", urlencode(calendar));
    api_post(fake, token, &path, &body).await
}

/// Percent-encodes a path segment (calendar ids contain `@`, sometimes `#`).
pub fn urlencode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

/// Every event of a full sync, following nextPageToken; returns the items, the number of
/// pages and the final nextSyncToken.
pub async fn full_sync(
    fake: &FakeGoogle,
    token: &str,
    calendar: &str,
    max_results: usize,
) -> (Vec<Value>, usize, String) {
    list_all(fake, token, calendar, &format!("maxResults={max_results}")).await
}

/// Every change since `sync_token`, following nextPageToken.
pub async fn incremental(
    fake: &FakeGoogle,
    token: &str,
    calendar: &str,
    sync_token: &str,
) -> (Vec<Value>, usize, String) {
    list_all(
        fake,
        token,
        calendar,
        &format!("syncToken={}", urlencode(sync_token)),
    )
    .await
}

async fn list_all(
    fake: &FakeGoogle,
    token: &str,
    calendar: &str,
    query: &str,
) -> (Vec<Value>, usize, String) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut page_token: Option<String> = None;
    loop {
        let mut path = format!("/calendars/{}/events?{query}", urlencode(calendar));
        if let Some(page) = &page_token {
            path.push_str(&format!("&pageToken={}", urlencode(page)));
        }
        let (status, body) = api_get(fake, token, &path).await;
        assert_eq!(status, 200, "events.list page should succeed: {body}");
        pages += 1;
        items.extend(body["items"].as_array().cloned().unwrap_or_default());
        assert!(
            body.get("nextPageToken").is_none() || body.get("nextSyncToken").is_none(),
            "a page never carries both nextPageToken and nextSyncToken: {body}"
        );
        match (
            body["nextPageToken"].as_str(),
            body["nextSyncToken"].as_str(),
        ) {
            (Some(next), _) => page_token = Some(next.to_string()),
            (None, Some(sync)) => return (items, pages, sync.to_string()),
            (None, None) => panic!("the last page must carry nextSyncToken: {body}"),
        }
    }
}

/// One POST the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// Header name (lower case) → value.
    pub headers: HashMap<String, String>,
    /// The request body (Google sends none for Calendar).
    pub body: Vec<u8>,
}

impl Received {
    /// A header's value, panicking with the header's name if it is missing.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(&name.to_ascii_lowercase())
            .unwrap_or_else(|| panic!("delivery lacks header {name}: {:?}", self.headers))
    }

    /// `X-Goog-Message-Number` as a number.
    pub fn number(&self) -> u64 {
        self.header("X-Goog-Message-Number")
            .parse()
            .expect("message number is an integer")
    }

    /// `X-Goog-Resource-State`.
    pub fn state(&self) -> &str {
        self.header("X-Goog-Resource-State")
    }
}

/// Shared between the receiver's handler and the test.
#[derive(Default)]
struct Inbox {
    /// Everything received, in arrival order.
    received: Vec<Received>,
    /// Status codes to answer with before falling back to 200.
    scripted: VecDeque<u16>,
}

/// A push receiver on 127.0.0.1:0 that records every POST.
pub struct Receiver {
    inbox: Arc<Mutex<Inbox>>,
    url: String,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Starts the receiver.
    pub async fn start() -> Receiver {
        let inbox = Arc::new(Mutex::new(Inbox::default()));
        let app = Router::new()
            .route("/notifications", post(record))
            .with_state(Arc::clone(&inbox));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("receiver binds loopback");
        let url = format!(
            "http://{}/notifications",
            listener.local_addr().expect("bound address")
        );
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("receiver serves");
        });
        Receiver { inbox, url, server }
    }

    /// The address to give events.watch.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Answers the next POSTs with these statuses, then 200 again.
    pub fn script(&self, statuses: &[u16]) {
        self.inbox.lock().unwrap().scripted.extend(statuses);
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().received.clone()
    }

    /// What was received for one channel.
    pub fn for_channel(&self, channel_id: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.header("X-Goog-Channel-ID") == channel_id)
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn record(
    State(inbox): State<Arc<Mutex<Inbox>>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let headers = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let mut inbox = inbox.lock().unwrap();
    inbox.received.push(Received {
        headers,
        body: body.to_vec(),
    });
    let status = inbox.scripted.pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
}

//! Google's notifications against a real receiver on loopback: forged and malformed
//! deliveries get their status code and never reach the sync side; genuine ones are
//! acknowledged and handed on exactly once.

use std::time::Duration;

use crate::support::log::CapturedLog;
use crate::support::receiver::LoopbackReceiver as Receiver;
use calwatch_core::receiver::{Delivery, ReceiverLimits, RegisteredChannel, DEFAULT_CALLBACK_PATH};
use calwatch_core::secrets::Sensitive;
use reqwest::StatusCode;

const CHANNEL: &str = "4ba78bf0-6a47-11e2-bcfd-0800200c9a66";
const CALENDAR: &str = "work@example.com";
const TOKEN: &str = "q8Yb3yH5Vw0mKp2rT7xZc1nL4sD6fG9hJ0aQwErTyUi";
const RESOURCE: &str = "ret08u3rv24htgh289g";

/// A receiver on the default callback path with the test channel registered.
async fn start() -> Receiver {
    start_with(ReceiverLimits::default()).await
}

async fn start_with(limits: ReceiverLimits) -> Receiver {
    Receiver::start(CHANNEL, CALENDAR, TOKEN, DEFAULT_CALLBACK_PATH, limits).await
}

/// Request headers as (name, value) pairs.
type Headers = Vec<(&'static str, &'static str)>;

/// Google's headers for message `n` in `state`, with the right token and resource id.
fn google(state: &'static str, n: &'static str) -> Headers {
    vec![
        ("X-Goog-Channel-ID", CHANNEL),
        ("X-Goog-Channel-Token", TOKEN),
        ("X-Goog-Message-Number", n),
        ("X-Goog-Resource-ID", RESOURCE),
        ("X-Goog-Resource-State", state),
        (
            "X-Goog-Resource-URI",
            "https://www.googleapis.com/calendar/v3/calendars/work@example.com/events?alt=json",
        ),
        ("X-Goog-Channel-Expiration", "Tue, 19 Nov 2030 01:13:52 GMT"),
    ]
}

fn without(mut headers: Headers, name: &str) -> Headers {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    headers
}

fn with(headers: Headers, name: &'static str, value: &'static str) -> Headers {
    let mut headers = without(headers, name);
    headers.push((name, value));
    headers
}

#[tokio::test]
async fn a_genuine_exists_is_acknowledged_and_handed_on_once() {
    let mut rx = start().await;
    let (status, _) = rx.post(&google("exists", "7")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "Google must get 200 for a genuine message"
    );
    assert_eq!(
        rx.drain(),
        vec![Delivery::Exists {
            channel_id: CHANNEL.into(),
            calendar_id: CALENDAR.into(),
            message_number: 7,
        }],
        "one genuine message is exactly one delivery for its calendar"
    );
    rx.shutdown().await;
}

#[tokio::test]
async fn every_forged_or_malformed_delivery_gets_its_status_and_goes_nowhere() {
    let mut rx = start().await;
    // Teach the resource id first so a wrong one can be told apart.
    assert_eq!(rx.post(&google("sync", "1")).await.0, StatusCode::OK);
    assert_eq!(rx.drain().len(), 1, "the sync message is a delivery");

    let good = || google("exists", "1000");
    let cases: Vec<(&str, Headers, StatusCode, &str)> = vec![
        (
            "no channel id",
            without(good(), "X-Goog-Channel-ID"),
            StatusCode::BAD_REQUEST,
            "X-Goog-Channel-ID",
        ),
        (
            "no message number",
            without(good(), "X-Goog-Message-Number"),
            StatusCode::BAD_REQUEST,
            "X-Goog-Message-Number",
        ),
        (
            "no resource id",
            without(good(), "X-Goog-Resource-ID"),
            StatusCode::BAD_REQUEST,
            "X-Goog-Resource-ID",
        ),
        (
            "no resource state",
            without(good(), "X-Goog-Resource-State"),
            StatusCode::BAD_REQUEST,
            "X-Goog-Resource-State",
        ),
        (
            "no resource uri",
            without(good(), "X-Goog-Resource-URI"),
            StatusCode::BAD_REQUEST,
            "X-Goog-Resource-URI",
        ),
        (
            "empty channel id",
            with(good(), "X-Goog-Channel-ID", ""),
            StatusCode::BAD_REQUEST,
            "X-Goog-Channel-ID",
        ),
        (
            "number not a number",
            with(good(), "X-Goog-Message-Number", "seven"),
            StatusCode::BAD_REQUEST,
            "X-Goog-Message-Number",
        ),
        (
            "negative number",
            with(good(), "X-Goog-Message-Number", "-3"),
            StatusCode::BAD_REQUEST,
            "X-Goog-Message-Number",
        ),
        (
            "number too large",
            with(good(), "X-Goog-Message-Number", "18446744073709551616"),
            StatusCode::BAD_REQUEST,
            "X-Goog-Message-Number",
        ),
        (
            "unknown state",
            with(good(), "X-Goog-Resource-State", "changed"),
            StatusCode::BAD_REQUEST,
            "X-Goog-Resource-State",
        ),
        (
            "unknown channel",
            with(good(), "X-Goog-Channel-ID", "not-ours"),
            StatusCode::NOT_FOUND,
            "unknown channel",
        ),
        (
            "wrong token",
            with(good(), "X-Goog-Channel-Token", "guessed"),
            StatusCode::FORBIDDEN,
            "token",
        ),
        (
            "token with a wrong last byte",
            with(
                good(),
                "X-Goog-Channel-Token",
                "q8Yb3yH5Vw0mKp2rT7xZc1nL4sD6fG9hJ0aQwErTyUj",
            ),
            StatusCode::FORBIDDEN,
            "token",
        ),
        (
            "missing token",
            without(good(), "X-Goog-Channel-Token"),
            StatusCode::FORBIDDEN,
            "token",
        ),
        (
            "wrong resource id",
            with(good(), "X-Goog-Resource-ID", "someone-elses-calendar"),
            StatusCode::FORBIDDEN,
            "resource id",
        ),
    ];
    for (what, headers, expected, reason) in cases {
        let (status, body) = rx.post(&headers).await;
        assert_eq!(status, expected, "{what}: wrong status (body {body:?})");
        assert!(
            body.contains(reason),
            "{what}: the reason should name {reason:?}, got {body:?}"
        );
        assert!(
            !body.contains(TOKEN),
            "{what}: the token must never be echoed"
        );
        assert_eq!(
            rx.drain(),
            vec![],
            "{what}: a refused delivery must not reach sync"
        );
    }

    // A body over 64 KiB, otherwise genuine.
    let mut req = rx.http.post(rx.url()).body(vec![b'x'; 64 * 1024 + 1]);
    for (name, value) in good() {
        req = req.header(name, value);
    }
    let res = req.send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "oversized bodies are refused"
    );
    assert_eq!(
        rx.drain(),
        vec![],
        "an oversized delivery must not reach sync"
    );

    // The callback path only takes POST.
    for method in [
        reqwest::Method::GET,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let mut req = rx.http.request(method.clone(), rx.url());
        for (name, value) in good() {
            req = req.header(name, value);
        }
        let res = req.send().await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} is not a delivery"
        );
        assert_eq!(rx.drain(), vec![], "{method} must not reach sync");
    }

    // None of the forgeries advanced the channel: Google's real next message, numbered
    // below the forged 1000, still goes through.
    assert_eq!(rx.post(&google("exists", "2")).await.0, StatusCode::OK);
    assert_eq!(
        rx.drain().len(),
        1,
        "forged messages must not turn Google's next real message into a duplicate"
    );
    rx.shutdown().await;
}

#[tokio::test]
async fn duplicates_replays_and_late_lower_numbers_are_acknowledged_but_not_handed_on() {
    let mut rx = start().await;
    let mut numbers_handed_on = Vec::new();
    // Google's numbers increase but skip; 12 is repeated (a retry), 9 and 5 come late
    // (reordered), 1 is a replay of the sync number.
    for n in ["1", "5", "12", "12", "9", "5", "40", "1", "41"] {
        let state = if n == "1" { "sync" } else { "exists" };
        let (status, _) = rx.post(&google(state, n)).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "message {n}: a duplicate is still acknowledged, or Google retries it"
        );
        numbers_handed_on.extend(rx.drain().iter().map(Delivery::message_number));
    }
    assert_eq!(
        numbers_handed_on,
        vec![1, 5, 12, 9, 40, 41],
        "a number seen recently is a duplicate; a late one not seen before costs one sync"
    );
    assert_eq!(
        rx.registry.get(CHANNEL).unwrap().last_message_number,
        41,
        "the registry remembers the latest number for the store"
    );
    rx.shutdown().await;
}

#[tokio::test]
async fn a_replay_after_restart_stays_a_duplicate_when_the_last_number_is_restored() {
    let mut rx = start().await;
    let mut restored = RegisteredChannel::new(CALENDAR, Sensitive::new(TOKEN.to_owned()));
    restored.resource_id = Some(RESOURCE.to_owned());
    restored.last_message_number = 30;
    rx.registry.insert(CHANNEL, restored);

    assert_eq!(rx.post(&google("exists", "30")).await.0, StatusCode::OK);
    assert_eq!(
        rx.drain(),
        vec![],
        "message 30 was handled before the restart"
    );
    assert_eq!(rx.post(&google("exists", "31")).await.0, StatusCode::OK);
    assert_eq!(rx.drain().len(), 1, "message 31 is new");
    rx.shutdown().await;
}

#[tokio::test]
async fn concurrent_retries_of_one_message_hand_it_on_once() {
    let mut rx = start().await;
    let headers = google("exists", "77");
    let sends = (0..32).map(|_| rx.post(&headers));
    let results = futures::future::join_all(sends).await;
    assert!(
        results.iter().all(|(s, _)| *s == StatusCode::OK),
        "every retry is acknowledged"
    );
    assert_eq!(
        rx.drain().len(),
        1,
        "32 simultaneous copies of one message are one delivery"
    );
    rx.shutdown().await;
}

#[tokio::test]
async fn a_sync_before_the_watch_response_teaches_the_resource_id() {
    let mut rx = start().await;
    assert_eq!(rx.registry.get(CHANNEL).unwrap().resource_id, None);

    // An `exists` with the right token is accepted, but must not teach the id.
    let early = with(
        google("exists", "3"),
        "X-Goog-Resource-ID",
        "planted-by-someone",
    );
    assert_eq!(rx.post(&early).await.0, StatusCode::OK);
    assert_eq!(
        rx.registry.get(CHANNEL).unwrap().resource_id,
        None,
        "only the sync message may teach the resource id"
    );
    rx.drain();

    let (status, _) = rx.post(&google("sync", "4")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        rx.drain(),
        vec![Delivery::Sync {
            channel_id: CHANNEL.into(),
            calendar_id: CALENDAR.into(),
            resource_id: RESOURCE.into(),
            message_number: 4,
        }],
        "the sync message confirms the channel and carries the resource id"
    );
    assert_eq!(
        rx.registry.get(CHANNEL).unwrap().resource_id.as_deref(),
        Some(RESOURCE)
    );

    let other = with(
        google("exists", "9"),
        "X-Goog-Resource-ID",
        "planted-by-someone",
    );
    assert_eq!(
        rx.post(&other).await.0,
        StatusCode::FORBIDDEN,
        "once learnt, another resource id is a forgery"
    );
    assert_eq!(rx.drain(), vec![]);
    rx.shutdown().await;
}

#[tokio::test]
async fn not_exists_is_handed_on_and_removed_channels_answer_404() {
    let mut rx = start().await;
    assert!(rx.registry.set_resource_id(CHANNEL, RESOURCE));
    assert_eq!(rx.post(&google("not_exists", "8")).await.0, StatusCode::OK);
    assert_eq!(
        rx.drain(),
        vec![Delivery::NotExists {
            channel_id: CHANNEL.into(),
            calendar_id: CALENDAR.into(),
            message_number: 8,
        }]
    );

    assert!(rx.registry.remove(CHANNEL).is_some());
    assert_eq!(
        rx.post(&google("exists", "9")).await.0,
        StatusCode::NOT_FOUND,
        "a stopped channel is no longer ours"
    );
    assert_eq!(rx.drain(), vec![]);
    rx.shutdown().await;
}

#[tokio::test]
async fn robots_txt_allows_everything_and_healthz_answers() {
    let rx = start().await;
    let robots = rx
        .http
        .get(format!("{}/robots.txt", rx.base))
        .send()
        .await
        .unwrap();
    assert_eq!(robots.status(), StatusCode::OK);
    assert_eq!(
        robots.text().await.unwrap(),
        "User-agent: *\nAllow: /\n",
        "Google's sender honours robots.txt: it must allow the callback"
    );
    let health = rx
        .http
        .get(format!("{}/healthz", rx.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.text().await.unwrap(), "ok");
    let other = rx
        .http
        .get(format!("{}/elsewhere", rx.base))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    rx.shutdown().await;
}

#[tokio::test]
async fn a_configured_callback_path_is_the_only_delivery_path() {
    let mut rx = Receiver::start(
        CHANNEL,
        CALENDAR,
        TOKEN,
        "/hooks/calendar",
        ReceiverLimits::default(),
    )
    .await;

    let send = |path: &'static str| {
        let mut req = rx.http.post(format!("{}{path}", rx.base));
        for (name, value) in google("exists", "5") {
            req = req.header(name, value);
        }
        req.send()
    };
    assert_eq!(
        send("/notifications").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send("/hooks/calendar").await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(rx.drain().first().map(|d| d.message_number()), Some(5));
}

#[tokio::test]
async fn a_client_that_never_finishes_its_body_is_timed_out() {
    let rx = start_with(ReceiverLimits {
        request_timeout: Duration::from_millis(200),
        ..ReceiverLimits::default()
    })
    .await;
    // Announce a body and send none of it: the request must not hold a slot forever.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut conn = tokio::net::TcpStream::connect(rx.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let head =
        format!("POST {DEFAULT_CALLBACK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n");
    conn.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut answer))
        .await
        .expect("the receiver must give up on a stalled body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 400"),
        "the request is answered from its headers (here: not Google's), never waiting \
         for the body: {answer:?}"
    );
    rx.shutdown().await;
}

#[tokio::test]
async fn shutdown_stops_accepting_connections() {
    let rx = start().await;
    let base = rx.base.clone();
    rx.shutdown().await;
    let after = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .send()
        .await;
    assert!(
        after.is_err(),
        "nothing may answer once the receiver has stopped"
    );
}

#[tokio::test]
async fn refusals_are_logged_with_their_reason_but_never_the_token() {
    let log = CapturedLog::default();
    // This test's runtime has one thread, so the receiver's tasks log through this too.
    let _guard = log.install_for_thread(tracing::Level::DEBUG);

    let mut rx = start().await;
    let forged_token = "forged-token-that-must-not-be-logged";
    let (status, _) = rx
        .post(&with(
            google("exists", "5"),
            "X-Goog-Channel-Token",
            forged_token,
        ))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(rx.post(&google("exists", "6")).await.0, StatusCode::OK);
    rx.drain();
    rx.shutdown().await;

    let text = log.text();
    assert!(
        text.contains("channel token does not match") && text.contains(CHANNEL),
        "a refusal is logged with its reason and channel: {text}"
    );
    assert!(
        !text.contains(forged_token),
        "the offered token must never be logged"
    );
    assert!(
        !text.contains(TOKEN),
        "the channel's token must never be logged"
    );
}

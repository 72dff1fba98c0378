//! Push channels through the Calendar client against fake-google: watch, the deliveries
//! that follow, stop, and callback addresses Google refuses.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use calwatch_core::google::{
    CalendarClient, CallbackRejection, FixedToken, GoogleError, RetryPolicy, WatchRequest,
};
use calwatch_core::secrets::Sensitive;
use fake_google::{ChannelState, Control, FakeGoogle, Faults, Options};
use serde_json::json;

/// What a delivery looked like to the receiver: its headers, lower-cased names.
type Delivery = HashMap<String, String>;

/// A stand-in receiver: a tiny axum app on 127.0.0.1:0 that records every POST.
struct TestReceiver {
    /// The address to give `events.watch`.
    url: String,
    /// Every POST received, in order.
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    /// The serving task, stopped at the end of the test.
    server: tokio::task::JoinHandle<()>,
}

impl TestReceiver {
    async fn start() -> anyhow::Result<TestReceiver> {
        let deliveries: Arc<Mutex<Vec<Delivery>>> = Arc::default();
        let seen = deliveries.clone();
        let app = Router::new().route(
            "/notifications",
            post(move |headers: HeaderMap| async move {
                let recorded = headers
                    .iter()
                    .map(|(name, value)| {
                        (
                            name.as_str().to_string(),
                            value.to_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect();
                seen.lock().unwrap().push(recorded);
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/notifications", listener.local_addr()?);
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.ok();
        });
        Ok(TestReceiver {
            url,
            deliveries,
            server,
        })
    }

    fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries.lock().unwrap().clone()
    }
}

impl Drop for TestReceiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn start(opts: Options) -> anyhow::Result<(FakeGoogle, Control, CalendarClient)> {
    let fake = FakeGoogle::start(opts).await?;
    let control = fake.control();
    let token = Sensitive::new(control.issue_access_token());
    let client = CalendarClient::new(&fake.api_base(), Arc::new(FixedToken(token)))?
        .with_retry_policy(RetryPolicy {
            max_attempts: 3,
            base: Duration::from_millis(1),
            cap: Duration::from_millis(5),
        });
    Ok((fake, control, client))
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn header<'a>(delivery: &'a Delivery, name: &str) -> &'a str {
    delivery
        .get(&name.to_ascii_lowercase())
        .map(String::as_str)
        .unwrap_or_else(|| panic!("a delivery always carries {name}: {delivery:?}"))
}

fn message_number(delivery: &Delivery) -> u64 {
    header(delivery, "X-Goog-Message-Number")
        .parse()
        .expect("X-Goog-Message-Number is a number")
}

fn event(summary: &str) -> serde_json::Value {
    json!({
        "summary": summary,
        "start": {"dateTime": "2026-12-03T10:00:00+01:00"},
        "end": {"dateTime": "2026-12-03T11:00:00+01:00"},
    })
}

#[tokio::test]
async fn a_channel_delivers_sync_then_exists_until_it_is_stopped() -> anyhow::Result<()> {
    let (_fake, control, client) = start(Options::default()).await?;
    let receiver = TestReceiver::start().await?;
    let calendar = control.user_email();
    let ttl = Duration::from_secs(3600);
    let request = WatchRequest::new(
        receiver.url.clone(),
        Sensitive::new("channel-token-42".to_string()),
        ttl,
    );

    let before = now_ms();
    let channel = client.watch(&calendar, &request).await?;

    assert_eq!(channel.id, request.id, "Google echoes our channel id");
    assert!(
        !channel.resource_id.is_empty(),
        "stop needs the resource id"
    );
    assert!(
        channel.expiration_ms >= before && channel.expiration_ms <= now_ms() + 3_600_000,
        "the expiration string parses to a time within the ttl: {}",
        channel.expiration_ms
    );

    control.wait_for_deliveries_idle().await;
    let deliveries = receiver.deliveries();
    assert_eq!(deliveries.len(), 1, "a new channel says `sync` once");
    let sync = &deliveries[0];
    assert_eq!(header(sync, "X-Goog-Resource-State"), "sync");
    assert_eq!(message_number(sync), 1, "the sync message is number 1");
    assert_eq!(header(sync, "X-Goog-Channel-ID"), channel.id);
    assert_eq!(header(sync, "X-Goog-Resource-ID"), channel.resource_id);
    assert_eq!(header(sync, "X-Goog-Resource-URI"), channel.resource_uri);
    assert_eq!(
        header(sync, "X-Goog-Channel-Token"),
        "channel-token-42",
        "our token comes back so the receiver can tell real deliveries"
    );
    let expiration = chrono::DateTime::parse_from_rfc2822(
        &header(sync, "X-Goog-Channel-Expiration").replace("GMT", "+0000"),
    )
    .expect("the expiration header is an HTTP date");
    assert_eq!(
        expiration.timestamp(),
        channel.expiration_ms / 1000,
        "the header names the same expiry as the watch response"
    );
    assert!(header(sync, "user-agent").starts_with("APIs-Google"));

    control.insert_event(&calendar, event("Team sync"));
    control.wait_for_deliveries_idle().await;
    let deliveries = receiver.deliveries();
    assert_eq!(deliveries.len(), 2, "a change brings one more message");
    let exists = &deliveries[1];
    assert_eq!(header(exists, "X-Goog-Resource-State"), "exists");
    assert_eq!(header(exists, "X-Goog-Channel-ID"), channel.id);
    assert!(
        message_number(exists) > message_number(sync),
        "message numbers grow on a channel"
    );

    client.stop(&channel.id, &channel.resource_id).await?;
    control.insert_event(&calendar, event("After stop"));
    control.wait_for_deliveries_idle().await;
    assert_eq!(
        receiver.deliveries().len(),
        2,
        "a stopped channel delivers nothing more"
    );
    let info = control
        .channels()
        .into_iter()
        .find(|c| c.id == channel.id)
        .expect("fake-google knows the channel");
    assert_eq!(info.state, ChannelState::Stopped);

    client
        .stop(&channel.id, &channel.resource_id)
        .await
        .expect("stopping a channel Google no longer knows (404) counts as already stopped");
    Ok(())
}

#[tokio::test]
async fn google_may_cut_the_ttl_and_the_expiration_says_so() -> anyhow::Result<()> {
    let (_fake, control, client) = start(Options::default()).await?;
    control.set_faults(Faults {
        channel_ttl_cap: Some(Duration::from_secs(60)),
        ..Faults::default()
    });
    let receiver = TestReceiver::start().await?;
    let request = WatchRequest::new(
        receiver.url.clone(),
        Sensitive::new("t".to_string()),
        Duration::from_secs(7 * 24 * 3600),
    );

    let channel = client.watch("primary", &request).await?;

    assert!(
        channel.expiration_ms <= now_ms() + 60_000,
        "the expiration is Google's, not the ttl we asked for"
    );
    control.wait_for_deliveries_idle().await;
    Ok(())
}

#[tokio::test]
async fn an_http_callback_is_refused_with_a_sentence_for_the_user() -> anyhow::Result<()> {
    let (_fake, control, client) = start(Options {
        allow_http: false,
        ..Options::default()
    })
    .await?;
    let address = "http://calwatch.example/notifications";
    let request = WatchRequest::new(address, Sensitive::new("t".into()), Duration::from_secs(60));

    let err = client.watch("primary", &request).await.unwrap_err();

    let GoogleError::CallbackRejected {
        reason,
        address: refused,
        message,
    } = &err
    else {
        panic!("an http address is a callback refusal, got {err:?}")
    };
    assert_eq!(*reason, CallbackRejection::NotHttps);
    assert_eq!(refused, address);
    assert!(
        message.contains("HTTPS"),
        "Google's own words are kept for the log"
    );
    assert_eq!(err.code(), "callback_not_https");
    assert_eq!(
        err.to_string(),
        "Google refused the callback URL http://calwatch.example/notifications: it must be \
         HTTPS with a valid certificate. Use the https address your tunnel gives you."
    );
    assert!(
        control.channels().is_empty(),
        "no channel exists after a refusal"
    );
    Ok(())
}

#[tokio::test]
async fn an_unauthorized_callback_is_refused_without_a_token_refresh() -> anyhow::Result<()> {
    let (_fake, control, client) = start(Options::default()).await?;
    control.set_faults(Faults {
        reject_callback_unauthorized: true,
        ..Faults::default()
    });
    let address = "https://tunnel.example/notifications";
    let request = WatchRequest::new(address, Sensitive::new("t".into()), Duration::from_secs(60));

    // FixedToken cannot refresh: if the 401 were taken for a token problem this would
    // come back as NeedsSignIn instead.
    let err = client.watch("primary", &request).await.unwrap_err();

    assert_eq!(err.code(), "callback_unauthorized", "got {err:?}");
    assert!(
        err.to_string().starts_with(
            "Google refused to deliver to https://tunnel.example/notifications: \
             Unauthorized WebHook callback channel (push.webhookUrlUnauthorized). Google \
             wants the address's domain verified"
        ),
        "the sentence says what to check: {err}"
    );
    Ok(())
}

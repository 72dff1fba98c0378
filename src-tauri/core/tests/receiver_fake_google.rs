//! The receiver against fake-google's real deliveries (Google's headers, its sender's
//! duplicate and reorder faults): what reaches the sync side is each message at most once,
//! in increasing order, and always the latest one.

use calwatch_core::receiver::{
    router, serve, ChannelRegistry, Delivery, ProbeNonces, ReceiverState, RegisteredChannel,
    DEFAULT_CALLBACK_PATH,
};
use calwatch_core::secrets::Sensitive;
use fake_google::{FakeGoogle, Faults, Options, USER_EMAIL};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const CHANNEL: &str = "0b7c5e1a-6f00-4c1e-9a51-7d1f3e0c2b11";
const TOKEN: &str = "Zq3v9XbT1mK7pLr0sWc5yHn2dJf8gAe4uIo6tRx";

struct Setup {
    fake: FakeGoogle,
    registry: ChannelRegistry,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
    resource_id: String,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for Setup {
    fn drop(&mut self) {
        self.served.abort();
    }
}

impl Setup {
    fn drain(&mut self) -> Vec<Delivery> {
        let mut out = Vec::new();
        while let Ok(d) = self.deliveries.try_recv() {
            out.push(d);
        }
        out
    }

    fn insert_event(&self, summary: &str) {
        self.fake.control().insert_event(
            "primary",
            json!({"summary": summary, "start": {"date": "2030-05-01"}, "end": {"date": "2030-05-02"}}),
        );
    }
}

/// A receiver on loopback and a channel on the primary calendar watched through
/// fake-google's HTTP API, registered the way the channel lifecycle does: before the
/// watch call, so the `sync` message finds it.
async fn watched() -> Setup {
    let fake = FakeGoogle::start(Options::default()).await.unwrap();
    let registry = ChannelRegistry::new();
    registry.insert(
        CHANNEL,
        RegisteredChannel::new(USER_EMAIL, Sensitive::new(TOKEN.to_owned())),
    );
    let (tx, deliveries) = mpsc::unbounded_channel();
    let state = ReceiverState::new(registry.clone(), tx, ProbeNonces::new());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!(
        "http://{}{DEFAULT_CALLBACK_PATH}",
        listener.local_addr().unwrap()
    );
    let served = tokio::spawn(serve(
        listener,
        router(state, DEFAULT_CALLBACK_PATH),
        std::future::pending(),
    ));

    let access = fake.control().issue_access_token();
    let response = reqwest::Client::new()
        .post(format!(
            "{}/calendars/primary/events/watch",
            fake.api_base()
        ))
        .bearer_auth(access)
        .json(&json!({
            "id": CHANNEL, "type": "web_hook", "address": address, "token": TOKEN,
            "params": {"ttl": "3600"},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "fake-google accepts the watch");
    let channel: serde_json::Value = response.json().await.unwrap();
    let resource_id = channel["resourceId"].as_str().unwrap().to_owned();
    fake.control().wait_for_deliveries_idle().await;

    Setup {
        fake,
        registry,
        deliveries,
        resource_id,
        served,
    }
}

#[tokio::test]
async fn the_sync_message_from_watch_confirms_the_channel_and_teaches_its_resource() {
    let mut s = watched().await;
    assert_eq!(
        s.drain(),
        vec![Delivery::Sync {
            channel_id: CHANNEL.into(),
            calendar_id: USER_EMAIL.into(),
            resource_id: s.resource_id.clone(),
            message_number: 1,
        }],
        "Google's headers as fake-google sends them pass every check"
    );
    assert_eq!(
        s.registry.get(CHANNEL).unwrap().resource_id.as_deref(),
        Some(s.resource_id.as_str())
    );

    s.insert_event("Team sync");
    s.fake.control().wait_for_deliveries_idle().await;
    let after = s.drain();
    assert_eq!(after.len(), 1, "one change, one delivery: {after:?}");
    assert!(matches!(after[0], Delivery::Exists { .. }));
}

#[tokio::test]
async fn duplicated_and_reordered_deliveries_reach_sync_once_in_order_ending_with_the_latest() {
    let mut s = watched().await;
    s.drain();
    s.fake.control().set_faults(Faults {
        duplicate_deliveries: true,
        reorder_deliveries: true,
        ..Faults::default()
    });
    for n in 0..6 {
        s.insert_event(&format!("Event {n}"));
    }
    s.fake.control().wait_for_deliveries_idle().await;

    let numbers: Vec<u64> = s.drain().iter().map(Delivery::message_number).collect();
    assert!(!numbers.is_empty(), "changes must reach sync");
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "no message is handed on twice, and none after a later one: {numbers:?}"
    );
    let sent = s
        .fake
        .control()
        .channels()
        .iter()
        .find(|c| c.id == CHANNEL)
        .unwrap()
        .last_message_number;
    assert_eq!(
        numbers.last().copied(),
        Some(sent),
        "the latest message always gets through, so the last change is always synced"
    );
}

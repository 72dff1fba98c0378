//! The receiver against fake-google's real deliveries (Google's headers, its sender's
//! duplicate and reorder faults): what reaches the sync side is each message at most once,
//! and always the latest one.

use crate::support::receiver::LoopbackReceiver;
use calwatch_core::receiver::{Delivery, ReceiverLimits, DEFAULT_CALLBACK_PATH};
use fake_google::{FakeGoogle, Faults, Options, USER_EMAIL};
use serde_json::json;

const CHANNEL: &str = "0b7c5e1a-6f00-4c1e-9a51-7d1f3e0c2b11";
const TOKEN: &str = "Zq3v9XbT1mK7pLr0sWc5yHn2dJf8gAe4uIo6tRx";

struct Setup {
    fake: FakeGoogle,
    receiver: LoopbackReceiver,
    resource_id: String,
}

impl Setup {
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
    let receiver = LoopbackReceiver::start(
        CHANNEL,
        USER_EMAIL,
        TOKEN,
        DEFAULT_CALLBACK_PATH,
        ReceiverLimits::default(),
    )
    .await;
    let address = receiver.url();

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
        receiver,
        resource_id,
    }
}

#[tokio::test]
async fn the_sync_message_from_watch_confirms_the_channel_and_teaches_its_resource() {
    let mut s = watched().await;
    assert_eq!(
        s.receiver.drain(),
        vec![Delivery::Sync {
            channel_id: CHANNEL.into(),
            calendar_id: USER_EMAIL.into(),
            resource_id: s.resource_id.clone(),
            message_number: 1,
        }],
        "Google's headers as fake-google sends them pass every check"
    );
    assert_eq!(
        s.receiver
            .registry
            .get(CHANNEL)
            .unwrap()
            .resource_id
            .as_deref(),
        Some(s.resource_id.as_str())
    );

    s.insert_event("Team sync");
    s.fake.control().wait_for_deliveries_idle().await;
    let after = s.receiver.drain();
    assert_eq!(after.len(), 1, "one change, one delivery: {after:?}");
    assert!(matches!(after[0], Delivery::Exists { .. }));
}

#[tokio::test]
async fn duplicated_and_reordered_deliveries_reach_sync_once_each_and_the_latest_always() {
    let mut s = watched().await;
    s.receiver.drain();
    s.fake.control().set_faults(Faults {
        duplicate_deliveries: true,
        reorder_deliveries: true,
        ..Faults::default()
    });
    for n in 0..6 {
        s.insert_event(&format!("Event {n}"));
    }
    s.fake.control().wait_for_deliveries_idle().await;

    let numbers: Vec<u64> = s
        .receiver
        .drain()
        .iter()
        .map(Delivery::message_number)
        .collect();
    assert!(!numbers.is_empty(), "changes must reach sync");
    let mut distinct = numbers.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        numbers.len(),
        "no message is handed on twice (a late one may still be: it costs one sync): {numbers:?}"
    );
    let sent = s
        .fake
        .control()
        .channels()
        .iter()
        .find(|c| c.id == CHANNEL)
        .unwrap()
        .last_message_number;
    assert!(
        numbers.contains(&sent),
        "the latest message always gets through, so the last change is always synced: {numbers:?}"
    );
}

//! events.watch, channels.stop and the push deliveries: Google's headers, growing message
//! numbers, nothing after stop or expiry, https-only addresses, and the delivery faults.

mod common;

use std::time::Duration;

use common::{api_post, fake, watch, Receiver};
use fake_google::{ChannelState, FakeGoogle, Faults, Options, USER_AGENT, WORK_CALENDAR};
use serde_json::{json, Value};

fn event(summary: &str) -> Value {
    json!({"summary": summary, "start": {"date": "2030-05-01"}, "end": {"date": "2030-05-02"}})
}

/// A fake, a token, a receiver and one live channel on the primary calendar whose `sync`
/// message has already arrived.
async fn watched(channel_id: &str) -> (FakeGoogle, String, Receiver, Value) {
    let fake = fake().await;
    let token = fake.control().issue_access_token();
    let receiver = Receiver::start().await;
    let (status, channel) = watch(&fake, &token, "primary", channel_id, receiver.url()).await;
    assert_eq!(status, 200, "{channel}");
    fake.control().wait_for_deliveries_idle().await;
    (fake, token, receiver, channel)
}

#[tokio::test]
async fn watch_answers_a_channel_then_posts_sync_with_every_google_header() {
    let (fake, _token, receiver, channel) = watched("chan-sync").await;
    assert_eq!(channel["kind"], "api#channel");
    assert_eq!(channel["id"], "chan-sync");
    assert_eq!(channel["token"], "secret-for-chan-sync");
    let expiration_ms: i64 = channel["expiration"]
        .as_str()
        .expect("expiration is a string")
        .parse()
        .expect("ms since epoch");

    let got = receiver.received();
    assert_eq!(got.len(), 1, "exactly one sync message");
    let sync = &got[0];
    assert_eq!(sync.header("X-Goog-Channel-ID"), "chan-sync");
    assert_eq!(sync.number(), 1, "the sync message is number 1");
    assert_eq!(sync.state(), "sync");
    assert_eq!(sync.header("X-Goog-Resource-ID"), channel["resourceId"]);
    assert_eq!(sync.header("X-Goog-Resource-URI"), channel["resourceUri"]);
    assert_eq!(sync.header("X-Goog-Channel-Token"), "secret-for-chan-sync");
    assert_eq!(sync.header("User-Agent"), USER_AGENT);
    let expiry = chrono::NaiveDateTime::parse_from_str(
        sync.header("X-Goog-Channel-Expiration"),
        "%a, %d %b %Y %H:%M:%S GMT",
    )
    .expect("expiration header in the human format, e.g. Tue, 19 Nov 2013 01:13:52 GMT");
    assert_eq!(
        expiry.and_utc().timestamp(),
        expiration_ms / 1000,
        "header and response agree"
    );
    assert!(sync.body.is_empty(), "Calendar notifications carry no body");

    let info = &fake.control().channels()[0];
    assert_eq!(
        (info.state, info.last_message_number),
        (ChannelState::Live, 1)
    );
}

#[tokio::test]
async fn every_change_posts_exists_with_growing_not_consecutive_numbers() {
    let (fake, _token, receiver, _) = watched("chan-exists").await;
    let control = fake.control();
    let first = control.insert_event("primary", event("One"));
    control.update_event(
        "primary",
        first["id"].as_str().unwrap(),
        json!({"summary": "Uno"}),
    );
    control.delete_event("primary", first["id"].as_str().unwrap());
    for n in 0..8 {
        control.insert_event("primary", event(&format!("More {n}")));
    }
    control.wait_for_deliveries_idle().await;
    let got = receiver.for_channel("chan-exists");
    assert_eq!(
        got.len(),
        12,
        "sync plus one exists per change (create, update, delete, 8 creates)"
    );
    assert!(got[1..].iter().all(|m| m.state() == "exists"));
    let numbers: Vec<u64> = got.iter().map(|m| m.number()).collect();
    assert!(
        numbers.windows(2).all(|w| w[1] > w[0]),
        "numbers grow: {numbers:?}"
    );
    assert!(
        numbers.windows(2).any(|w| w[1] > w[0] + 1),
        "numbers are not consecutive, like Google's: {numbers:?}"
    );
    assert_eq!(control.stats().deliveries_sent, 12);
}

#[tokio::test]
async fn channels_on_one_calendar_share_a_resource_id_and_other_calendars_stay_quiet() {
    let fake = FakeGoogle::start(Options {
        seed: true,
        ..Options::default()
    })
    .await
    .expect("starts");
    let token = fake.control().issue_access_token();
    let receiver = Receiver::start().await;
    let (_, a) = watch(&fake, &token, "primary", "old", receiver.url()).await;
    let (_, b) = watch(&fake, &token, "primary", "new", receiver.url()).await;
    let (_, w) = watch(&fake, &token, WORK_CALENDAR, "work", receiver.url()).await;
    assert_eq!(
        a["resourceId"], b["resourceId"],
        "the resource id names the calendar, not the channel"
    );
    assert_ne!(a["resourceId"], w["resourceId"]);
    fake.control().insert_event("primary", event("Overlap"));
    fake.control().wait_for_deliveries_idle().await;
    assert_eq!(
        receiver.for_channel("old").len(),
        2,
        "old and new channels both deliver during the overlap"
    );
    assert_eq!(receiver.for_channel("new").len(), 2);
    assert_eq!(
        receiver.for_channel("work").len(),
        1,
        "a change elsewhere does not reach the work channel"
    );
}

#[tokio::test]
async fn after_stop_nothing_more_arrives_and_a_second_stop_is_404() {
    let (fake, token, receiver, channel) = watched("chan-stop").await;
    let body = json!({"id": "chan-stop", "resourceId": channel["resourceId"]});
    let (status, _) = api_post(&fake, &token, "/channels/stop", &body).await;
    assert_eq!(status, 204);
    fake.control().insert_event("primary", event("After stop"));
    fake.control().wait_for_deliveries_idle().await;
    assert_eq!(
        receiver.received().len(),
        1,
        "only the sync message: a stopped channel gets nothing"
    );
    let (status, err) = api_post(&fake, &token, "/channels/stop", &body).await;
    assert_eq!(status, 404);
    assert_eq!(
        err["error"]["message"],
        "Channel 'chan-stop' not found for project '123456789012'"
    );
    assert_eq!(fake.control().channels()[0].state, ChannelState::Stopped);
    assert_eq!(fake.control().stats().stop_calls, 2);
}

#[tokio::test]
async fn an_expired_channel_gets_nothing_and_cannot_be_stopped() {
    let (fake, token, receiver, channel) = watched("chan-expire").await;
    fake.control().expire_channel("chan-expire");
    fake.control().insert_event("primary", event("Too late"));
    fake.control().wait_for_deliveries_idle().await;
    assert_eq!(receiver.received().len(), 1);
    let (status, _) = api_post(
        &fake,
        &token,
        "/channels/stop",
        &json!({"id": "chan-expire", "resourceId": channel["resourceId"]}),
    )
    .await;
    assert_eq!(status, 404, "Google answers 404 for an expired channel");
    assert_eq!(fake.control().channels()[0].state, ChannelState::Expired);
}

#[tokio::test]
async fn an_http_address_is_refused_unless_allowed() {
    let fake = FakeGoogle::start(Options {
        allow_http: false,
        ..Options::default()
    })
    .await
    .expect("starts");
    let token = fake.control().issue_access_token();
    let (status, body) = watch(
        &fake,
        &token,
        "primary",
        "plain",
        "http://127.0.0.1:9/notifications",
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["errors"][0]["reason"],
        "push.webhookUrlNotHttps"
    );
    assert_eq!(
        body["error"]["message"],
        "WebHook callback must be HTTPS: http://127.0.0.1:9/notifications"
    );
    assert!(
        fake.control().channels().is_empty(),
        "a refused watch creates no channel"
    );
    // An https address is accepted (its deliveries cannot succeed here, so expire it at once).
    let (status, _) = watch(
        &fake,
        &token,
        "primary",
        "secure",
        "https://calwatch.example/notifications",
    )
    .await;
    assert_eq!(status, 200);
    fake.control().expire_channel("secure");
}

#[tokio::test]
async fn the_unauthorized_callback_fault_answers_401() {
    let fake = fake().await;
    let token = fake.control().issue_access_token();
    fake.control().set_faults(Faults {
        reject_callback_unauthorized: true,
        ..Faults::default()
    });
    let (status, body) = watch(&fake, &token, "primary", "nope", "http://127.0.0.1:9/n").await;
    assert_eq!(status, 401);
    assert_eq!(
        body["error"]["errors"][0]["reason"],
        "push.webhookUrlUnauthorized"
    );
}

#[tokio::test]
async fn channel_ids_are_unique_forever_and_the_body_is_validated() {
    let (fake, token, receiver, channel) = watched("chan-unique").await;
    api_post(
        &fake,
        &token,
        "/channels/stop",
        &json!({"id": "chan-unique", "resourceId": channel["resourceId"]}),
    )
    .await;
    let (status, body) = watch(&fake, &token, "primary", "chan-unique", receiver.url()).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Channel id chan-unique not unique"
    );
    for bad in [
        json!({"type": "web_hook", "address": receiver.url()}),
        json!({"id": "x1", "type": "carrier_pigeon", "address": receiver.url()}),
        json!({"id": "x2", "type": "web_hook"}),
        json!({"id": "has space", "type": "web_hook", "address": receiver.url()}),
        json!({"id": "x3", "type": "web_hook", "address": receiver.url(), "params": {"ttl": "soon"}}),
    ] {
        let (status, body) = api_post(&fake, &token, "/calendars/primary/events/watch", &bad).await;
        assert_eq!(status, 400, "{bad} must be refused: {body}");
    }
}

#[tokio::test]
async fn ttl_defaults_to_a_week_and_the_cap_fault_shortens_it() {
    let fake = fake().await;
    let token = fake.control().issue_access_token();
    let receiver = Receiver::start().await;
    let before = chrono::Utc::now().timestamp_millis();
    let (_, week) = api_post(
        &fake,
        &token,
        "/calendars/primary/events/watch",
        &json!({"id": "w", "type": "web_hook", "address": receiver.url()}),
    )
    .await;
    let week_ms: i64 = week["expiration"].as_str().unwrap().parse().unwrap();
    let lifetime = week_ms - before;
    assert!(
        (604_700_000..=604_900_000).contains(&lifetime),
        "default ttl is 604800 s, got {lifetime} ms"
    );
    fake.control().set_faults(Faults {
        channel_ttl_cap: Some(Duration::from_secs(3600)),
        ..Faults::default()
    });
    let (_, capped) = api_post(&fake, &token, "/calendars/primary/events/watch", &json!({"id": "c", "type": "web_hook", "address": receiver.url(), "params": {"ttl": "604800"}})).await;
    let capped_ms: i64 = capped["expiration"].as_str().unwrap().parse().unwrap();
    assert!(
        capped_ms - before <= 3_700_000,
        "the cap cuts the lifetime to an hour"
    );
    assert_eq!(fake.control().channels()[1].expiration_ms, capped_ms);
}

#[tokio::test]
async fn the_drop_fault_eats_a_seeded_share_of_exists_messages_and_the_gap_shows() {
    async fn run(seed: u64) -> (Vec<u64>, u64) {
        let (fake, _token, receiver, _) = watched("chan-drop").await;
        fake.control().set_faults(Faults {
            drop_rate: 0.5,
            drop_seed: seed,
            ..Faults::default()
        });
        for n in 0..20 {
            fake.control()
                .insert_event("primary", event(&format!("E{n}")));
        }
        fake.control().wait_for_deliveries_idle().await;
        let numbers = receiver
            .received()
            .iter()
            .skip(1)
            .map(|m| m.number())
            .collect();
        (numbers, fake.control().stats().deliveries_dropped)
    }
    let (numbers, dropped) = run(7).await;
    assert!(
        dropped > 0 && dropped < 20,
        "about half are dropped, got {dropped}"
    );
    assert_eq!(
        numbers.len() as u64 + dropped,
        20,
        "every change is either delivered or counted as dropped"
    );
    let (_, again) = run(7).await;
    assert_eq!(dropped, again, "the same seed drops the same share");

    let (fake, _token, receiver, _) = watched("chan-all").await;
    fake.control().set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    fake.control().insert_event("primary", event("Lost"));
    fake.control().reset_faults();
    fake.control().insert_event("primary", event("Found"));
    fake.control().wait_for_deliveries_idle().await;
    let got = receiver.received();
    assert_eq!(got.len(), 2, "sync, then only the second change");
    assert!(
        got[1].number() >= 3,
        "the lost message still used up a number"
    );
}

#[tokio::test]
async fn the_duplicate_fault_sends_each_message_twice_with_one_number() {
    let (fake, _token, receiver, _) = watched("chan-dup").await;
    fake.control().set_faults(Faults {
        duplicate_deliveries: true,
        ..Faults::default()
    });
    fake.control().insert_event("primary", event("Twice"));
    fake.control().wait_for_deliveries_idle().await;
    let got = receiver.received();
    assert_eq!(got.len(), 3);
    assert_eq!(
        got[1].number(),
        got[2].number(),
        "a duplicate repeats the message number"
    );
}

#[tokio::test]
async fn the_reorder_fault_swaps_consecutive_messages() {
    let (fake, _token, receiver, _) = watched("chan-reorder").await;
    fake.control().set_faults(Faults {
        reorder_deliveries: true,
        ..Faults::default()
    });
    fake.control().insert_event("primary", event("First"));
    fake.control().insert_event("primary", event("Second"));
    fake.control().wait_for_deliveries_idle().await;
    let numbers: Vec<u64> = receiver.received().iter().map(|m| m.number()).collect();
    assert_eq!(numbers.len(), 3);
    assert!(
        numbers[1] > numbers[2],
        "the later message arrives first: {numbers:?}"
    );
}

#[tokio::test]
async fn the_delay_fault_still_delivers() {
    let (fake, _token, receiver, _) = watched("chan-delay").await;
    fake.control().set_faults(Faults {
        delivery_delay: Duration::from_millis(50),
        ..Faults::default()
    });
    fake.control().insert_event("primary", event("Late"));
    fake.control().wait_for_deliveries_idle().await;
    assert_eq!(
        receiver.received().len(),
        2,
        "waiting for idle covers delayed deliveries"
    );
}

#[tokio::test]
async fn a_5xx_from_the_receiver_is_retried_but_a_4xx_is_not() {
    let (fake, _token, receiver, _) = watched("chan-retry").await;
    receiver.script(&[503, 500]);
    fake.control().insert_event("primary", event("Retry me"));
    fake.control().wait_for_deliveries_idle().await;
    let got = receiver.received();
    assert_eq!(got.len(), 4, "sync, two failures, then success");
    assert!(
        got[1..].iter().all(|m| m.number() == got[1].number()),
        "a retry repeats the same message"
    );
    receiver.script(&[404]);
    fake.control().insert_event("primary", event("Refused"));
    fake.control().wait_for_deliveries_idle().await;
    assert_eq!(
        receiver.received().len(),
        5,
        "a 4xx is a failed message, not retried"
    );
}

#[tokio::test]
async fn deleting_a_calendar_posts_not_exists() {
    let (fake, _token, receiver, _) = watched("chan-gone").await;
    fake.control()
        .add_calendar("temp@group.calendar.google.com", "Temp", "UTC");
    let token = fake.control().issue_access_token();
    watch(
        &fake,
        &token,
        "temp@group.calendar.google.com",
        "chan-temp",
        receiver.url(),
    )
    .await;
    fake.control()
        .delete_calendar("temp@group.calendar.google.com");
    fake.control().wait_for_deliveries_idle().await;
    let got = receiver.for_channel("chan-temp");
    assert_eq!(got.last().map(|m| m.state()), Some("not_exists"));
    assert_eq!(
        receiver.for_channel("chan-gone").len(),
        1,
        "other calendars' channels are untouched"
    );
}

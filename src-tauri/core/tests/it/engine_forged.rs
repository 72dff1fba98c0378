//! What reaches the engine's receiver but is not Google — forged, malformed, or the
//! user's own reachability probe — never becomes a sync or a change.

use std::time::Duration;

use crate::engine_support::{free_port, quick, Harness};
use calwatch_core::receiver::ProbeStepCode;
use reqwest::StatusCode;

#[tokio::test(start_paused = true)]
async fn forged_deliveries_get_their_status_and_cause_nothing() {
    let h = Harness::start(quick).await;
    let channel = h.watch().await;
    let info = h.google_channel(&channel.id);
    let lists = h.list_calls();
    let url = format!("http://{}/notifications", h.receiver);
    let client = reqwest::Client::new();
    let post = |id: &str, token: &str, resource: &str, number: &str| {
        let mut request = client
            .post(&url)
            .header("X-Goog-Channel-ID", id)
            .header("X-Goog-Message-Number", number)
            .header("X-Goog-Resource-ID", resource)
            .header("X-Goog-Resource-State", "exists")
            .header(
                "X-Goog-Resource-URI",
                "https://www.googleapis.com/calendar/v3/calendars/x/events",
            );
        if !token.is_empty() {
            request = request.header("X-Goog-Channel-Token", token);
        }
        request.send()
    };
    let token = info.token.clone().unwrap_or_default();
    let cases = [
        (
            "an unknown channel",
            post("not-our-channel", &token, &info.resource_id, "99"),
            StatusCode::NOT_FOUND,
        ),
        (
            "a wrong token",
            post(&info.id, "guessed", &info.resource_id, "99"),
            StatusCode::FORBIDDEN,
        ),
        (
            "no token",
            post(&info.id, "", &info.resource_id, "99"),
            StatusCode::FORBIDDEN,
        ),
        (
            "another resource",
            post(&info.id, &token, "someone-elses-resource", "99"),
            StatusCode::FORBIDDEN,
        ),
        (
            "a malformed message number",
            post(&info.id, &token, &info.resource_id, "many"),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (what, request, expected) in cases {
        let response = request.await.expect("the receiver answers");
        assert_eq!(response.status(), expected, "{what}");
    }
    let bare = client.post(&url).send().await.expect("answers");
    assert_eq!(
        bare.status(),
        StatusCode::BAD_REQUEST,
        "no Google headers at all"
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(h.list_calls(), lists, "nothing forged reaches sync");
    assert!(h.notifier.notices().is_empty(), "and no change is told");
    assert!(h.engine.recent_changes(10).expect("history").is_empty());
}

// Real time here: the probe's own timeouts are not something to fast-forward.
#[tokio::test]
async fn reachability_probe_is_ok_against_the_local_receiver_and_names_a_failing_step() {
    let h = Harness::start(quick).await;
    let report = h.engine.check_callback().await.expect("the probe runs");
    assert!(
        report.ok,
        "the callback URL leads straight to this receiver: {report:#?}"
    );
    assert!(report.rtt_ms.is_some(), "an OK probe says how long it took");

    // The tunnel is down: nothing listens where the callback URL points.
    let nowhere = free_port();
    h.engine
        .set_callback_url(&format!("http://{nowhere}/notifications"))
        .await
        .expect("URL accepted");
    let report = h.engine.check_callback().await.expect("the probe runs");
    let failed = report.failure().expect("the probe fails");
    assert_eq!(failed.code, ProbeStepCode::Connection, "{report:#?}");
    assert!(
        !failed.detail.is_empty(),
        "the failed step says what is wrong"
    );

    // Something else answers there (here: fake-google itself).
    h.engine
        .set_callback_url(&format!("{}/notifications", h.fake.base_url()))
        .await
        .expect("URL accepted");
    let report = h.engine.check_callback().await.expect("the probe runs");
    let failed = report.failure().expect("the probe fails");
    assert_eq!(
        failed.code,
        ProbeStepCode::Receiver,
        "another server is not taken for CalWatch: {report:#?}"
    );
    assert!(
        h.engine.recent_changes(10).expect("history").is_empty(),
        "probes never become changes"
    );
}

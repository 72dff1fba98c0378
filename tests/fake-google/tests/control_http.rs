//! The `/control/…` HTTP API mirrors `Control` (for curl users, the sandbox panel and the
//! end-to-end test), and the `fake-google` binary prints what points CalWatch at it.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{api_get, fake, http, urlencode, watch, Receiver};
use fake_google::FakeGoogle;
use serde_json::{json, Value};

async fn control_call(
    fake: &FakeGoogle,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http()
        .request(method, format!("{}/control{}", fake.base_url(), path))
        .header(fake_google::CONTROL_SECRET_HEADER, fake.control_secret());
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("control API answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn events_created_updated_and_deleted_over_http_reach_the_api_and_the_channels() {
    let fake = fake().await;
    let (status, tokens) = control_call(&fake, reqwest::Method::POST, "/tokens", None).await;
    assert_eq!(status, 200);
    let token = tokens["access_token"]
        .as_str()
        .expect("access token")
        .to_string();
    let receiver = Receiver::start().await;
    watch(&fake, &token, "primary", "ctl", receiver.url()).await;
    let cal = urlencode(&fake.control().user_email());

    let (status, created) = control_call(&fake, reqwest::Method::POST, &format!("/calendars/{cal}/events"), Some(json!({"summary": "Via curl", "start": {"date": "2030-01-01"}, "end": {"date": "2030-01-02"}}))).await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().expect("generated id").to_string();
    let (status, patched) = control_call(
        &fake,
        reqwest::Method::PATCH,
        &format!("/calendars/{cal}/events/{id}"),
        Some(json!({"location": "Home"})),
    )
    .await;
    assert_eq!((status, patched["location"].as_str()), (200, Some("Home")));
    let (status, _) = control_call(
        &fake,
        reqwest::Method::DELETE,
        &format!("/calendars/{cal}/events/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, listed) = control_call(
        &fake,
        reqwest::Method::GET,
        "/calendars/primary/events",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(listed[0]["status"], "cancelled");

    let (status, _) = control_call(&fake, reqwest::Method::POST, "/wait-idle", None).await;
    assert_eq!(status, 204);
    assert_eq!(
        receiver.received().len(),
        4,
        "sync plus one exists per HTTP mutation"
    );
    let (_, channels) = control_call(&fake, reqwest::Method::GET, "/channels", None).await;
    assert_eq!(channels[0]["id"], "ctl");
    assert_eq!(channels[0]["state"], "Live");
    let (_, stats) = control_call(&fake, reqwest::Method::GET, "/stats", None).await;
    assert_eq!(stats["deliveries_sent"], 4);
    assert_eq!(stats["watch_calls"], 1);

    let (status, _) = control_call(
        &fake,
        reqwest::Method::PATCH,
        &format!("/calendars/{cal}/events/nope"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 404, "an unknown event is a 404, not a panic");
}

#[tokio::test]
async fn faults_sync_token_expiry_and_channel_expiry_over_http() {
    let fake = fake().await;
    let token = fake.control().issue_access_token();
    let (status, faults) = control_call(
        &fake,
        reqwest::Method::POST,
        "/faults",
        Some(json!({"rate_limit_next": 1, "rate_limit_status": 429, "delivery_delay_ms": 10})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(faults["delivery_delay_ms"], 10);
    let (status, _) = api_get(&fake, &token, "/users/me/calendarList").await;
    assert_eq!(status, 429, "a fault set over HTTP applies");
    control_call(
        &fake,
        reqwest::Method::POST,
        "/faults",
        Some(json!({"server_error_next": 5})),
    )
    .await;
    let (status, _) = control_call(&fake, reqwest::Method::POST, "/reset-faults", None).await;
    assert_eq!(status, 204);
    let (status, body) = api_get(&fake, &token, "/calendars/primary/events").await;
    assert_eq!(status, 200, "reset-faults clears pending faults");
    let sync = body["nextSyncToken"]
        .as_str()
        .expect("one page")
        .to_string();

    let (status, _) = control_call(
        &fake,
        reqwest::Method::POST,
        "/calendars/primary/expire-sync-tokens",
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = api_get(
        &fake,
        &token,
        &format!("/calendars/primary/events?syncToken={}", urlencode(&sync)),
    )
    .await;
    assert_eq!(status, 410);

    let receiver = Receiver::start().await;
    watch(&fake, &token, "primary", "to-expire", receiver.url()).await;
    let (status, _) = control_call(
        &fake,
        reqwest::Method::POST,
        "/channels/to-expire/expire",
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        fake.control().channels()[0].state,
        fake_google::ChannelState::Expired
    );

    let (status, _) = control_call(
        &fake,
        reqwest::Method::POST,
        "/token-failures",
        Some(json!({"n": 1, "how": "invalid_grant"})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, refresh) = fake.control().issue_token_pair();
    let response = http()
        .post(fake.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status().as_u16(), 400);
    let (_, log) = control_call(&fake, reqwest::Method::GET, "/token-requests", None).await;
    assert_eq!(log[0]["error"], "invalid_grant");
}

/// Kills the binary even if an assertion fails first.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_prints_the_calwatch_variables_and_serves_seeded_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_fake-google"))
            .args(["--port", "0", "--allow-http", "--data-dir"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts"),
    );
    let stdout = child.0.stdout.take().expect("piped stdout");
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(7)
        .map(|l| l.expect("utf-8 line"))
        .collect();
    let vars: std::collections::HashMap<String, String> = lines
        .iter()
        .map(|l| {
            let (k, v) = l.split_once('=').expect("NAME=value lines only on stdout");
            (k.to_string(), v.to_string())
        })
        .collect();
    for name in [
        "CALWATCH_AUTH_URL",
        "CALWATCH_TOKEN_URL",
        "CALWATCH_REVOKE_URL",
        "CALWATCH_API_BASE",
        "CALWATCH_CLIENT_SECRET_FILE",
    ] {
        assert!(vars.contains_key(name), "{name} is printed: {lines:?}");
    }
    assert_eq!(vars["CALWATCH_ALLOW_HTTP_CALLBACK"], "1");
    let secret: Value = serde_json::from_str(
        &std::fs::read_to_string(&vars["CALWATCH_CLIENT_SECRET_FILE"])
            .expect("client secret written"),
    )
    .expect("json");
    assert_eq!(
        secret["installed"]["token_uri"],
        vars["CALWATCH_TOKEN_URL"].as_str()
    );

    let base = vars["CALWATCH_API_BASE"]
        .trim_end_matches("/calendar/v3")
        .to_string();
    let tokens: Value = http()
        .post(format!("{base}/control/tokens"))
        .header(
            fake_google::CONTROL_SECRET_HEADER,
            &vars["FAKE_GOOGLE_CONTROL_SECRET"],
        )
        .send()
        .await
        .expect("control")
        .json()
        .await
        .expect("json");
    let list: Value = http()
        .get(format!(
            "{}/users/me/calendarList",
            vars["CALWATCH_API_BASE"]
        ))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .expect("api")
        .json()
        .await
        .expect("json");
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(3),
        "the binary starts seeded with three calendars"
    );
}

#[tokio::test]
async fn calendar_lists_are_shaped_over_http_for_each_user() {
    let fake = fake().await;
    let post = reqwest::Method::POST;
    let (status, _) = control_call(
        &fake,
        post.clone(),
        "/users",
        Some(json!({"email": "b@example.com"})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, tokens) = control_call(
        &fake,
        post.clone(),
        "/tokens",
        Some(json!({"email": "b@example.com"})),
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let token = tokens["access_token"].as_str().expect("access").to_string();
    let (status, _) = control_call(
        &fake,
        post.clone(),
        "/tokens",
        Some(json!({"email": "nobody@example.com"})),
    )
    .await;
    assert_eq!(status, 404, "tokens only for a known user");
    let (_, users) = control_call(&fake, reqwest::Method::GET, "/users", None).await;
    assert_eq!(users, json!([fake.control().user_email(), "b@example.com"]));

    let cal = urlencode("shared@group.calendar.google.com");
    control_call(
        &fake,
        post.clone(),
        "/calendars",
        Some(json!({"id": "shared@group.calendar.google.com", "summary": "Shared"})),
    )
    .await;
    let (status, _) = control_call(
        &fake,
        post.clone(),
        &format!("/calendars/{cal}/share"),
        Some(json!({"email": "b@example.com", "role": "writer"})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = control_call(
        &fake,
        post.clone(),
        &format!("/calendars/{cal}/share"),
        Some(json!({"email": "b@example.com", "role": "boss"})),
    )
    .await;
    assert_eq!(status, 400, "an unknown role is refused");
    let (status, _) = control_call(
        &fake,
        reqwest::Method::PATCH,
        &format!("/calendars/{cal}"),
        Some(json!({"summary": "Shared (new)"})),
    )
    .await;
    assert_eq!(status, 204);
    let entry_path = format!("/users/b%40example.com/calendar-list/{cal}");
    let (status, _) = control_call(
        &fake,
        reqwest::Method::PATCH,
        &entry_path,
        Some(json!({"summaryOverride": "Mine", "hidden": true})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, list) = api_get(&fake, &token, "/users/me/calendarList?showHidden=true").await;
    let entry = &list["items"][1];
    assert_eq!(
        (
            &entry["id"],
            &entry["summary"],
            &entry["summaryOverride"],
            &entry["accessRole"],
            &entry["hidden"]
        ),
        (
            &json!("shared@group.calendar.google.com"),
            &json!("Shared (new)"),
            &json!("Mine"),
            &json!("writer"),
            &json!(true)
        ),
        "{list}"
    );
    let (status, _) = control_call(
        &fake,
        reqwest::Method::PATCH,
        &entry_path,
        Some(json!({"summaryOverride": null})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, list) = api_get(&fake, &token, "/users/me/calendarList?showHidden=true").await;
    assert!(
        list["items"][1].get("summaryOverride").is_none(),
        "null clears the override: {list}"
    );

    let sync = list["nextSyncToken"]
        .as_str()
        .expect("sync token")
        .to_string();
    let (status, _) = control_call(&fake, reqwest::Method::DELETE, &entry_path, None).await;
    assert_eq!(status, 204);
    let (status, _) = control_call(&fake, reqwest::Method::DELETE, &entry_path, None).await;
    assert_eq!(status, 404, "it is no longer on the list");
    let (status, _) = control_call(
        &fake,
        reqwest::Method::DELETE,
        "/users/b%40example.com/calendar-list/primary",
        None,
    )
    .await;
    assert_eq!(status, 400, "a primary calendar stays listed");
    let (_, changes) = api_get(
        &fake,
        &token,
        &format!("/users/me/calendarList?syncToken={}", urlencode(&sync)),
    )
    .await;
    assert_eq!(changes["items"][0]["deleted"], true, "{changes}");
    let (status, _) = control_call(
        &fake,
        post,
        "/users/b%40example.com/expire-calendar-list-sync-tokens",
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = api_get(
        &fake,
        &token,
        &format!("/users/me/calendarList?syncToken={}", urlencode(&sync)),
    )
    .await;
    assert_eq!(status, 410);
}

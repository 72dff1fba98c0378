//! The OAuth endpoints behave like Google's for an installed app: consent redirects to the
//! loopback URI, the token endpoint checks client, redirect URI and PKCE, refresh and
//! revoke work, and injected failures look like Google's.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::{api_get, fake, http};
use fake_google::{FakeGoogle, Faults, Options, TokenFailure};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const REDIRECT: &str = "http://127.0.0.1:45678/callback";
const SCOPE: &str = "https://www.googleapis.com/auth/calendar.readonly";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-long-enough-verifier";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Opens the authorization URL as a browser would and returns the redirect's query.
async fn authorize(fake: &FakeGoogle, extra: &[(&str, &str)]) -> HashMap<String, String> {
    let opts = Options::default();
    let mut url = url::Url::parse(&fake.auth_url()).expect("auth url parses");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &opts.client_id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", SCOPE)
        .append_pair("state", "xyz-state")
        .append_pair("code_challenge", &challenge(VERIFIER))
        .append_pair("code_challenge_method", "S256")
        .append_pair("access_type", "offline")
        .append_pair("prompt", "consent");
    for (k, v) in extra {
        url.query_pairs_mut().append_pair(k, v);
    }
    let response = http().get(url).send().await.expect("auth endpoint answers");
    assert_eq!(
        response.status().as_u16(),
        302,
        "consent answers with a redirect"
    );
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(
        location.starts_with(REDIRECT),
        "redirects to the loopback URI given: {location}"
    );
    url::Url::parse(&location)
        .expect("location parses")
        .query_pairs()
        .into_owned()
        .collect()
}

/// POSTs a form to the token endpoint.
async fn token_request(fake: &FakeGoogle, form: &[(&str, &str)]) -> (u16, Value) {
    let response = http()
        .post(fake.token_url())
        .form(form)
        .send()
        .await
        .expect("token endpoint answers");
    (
        response.status().as_u16(),
        response.json().await.expect("token endpoint answers JSON"),
    )
}

async fn exchange(fake: &FakeGoogle, code: &str, verifier: &str, redirect: &str) -> (u16, Value) {
    let opts = Options::default();
    token_request(
        fake,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier),
            ("redirect_uri", redirect),
            ("client_id", &opts.client_id),
            ("client_secret", &opts.client_secret),
        ],
    )
    .await
}

async fn refresh(fake: &FakeGoogle, refresh_token: &str) -> (u16, Value) {
    let opts = Options::default();
    token_request(
        fake,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", &opts.client_id),
            ("client_secret", &opts.client_secret),
        ],
    )
    .await
}

#[tokio::test]
async fn the_pkce_code_flow_issues_tokens_that_open_the_calendar_api() {
    let fake = fake().await;
    let query = authorize(&fake, &[]).await;
    assert_eq!(
        query["state"], "xyz-state",
        "the state comes back unchanged for the client to compare"
    );
    let (status, tokens) = exchange(&fake, &query["code"], VERIFIER, REDIRECT).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], SCOPE);
    assert!(tokens["expires_in"].as_u64().is_some_and(|s| s > 0));
    let refresh_token = tokens["refresh_token"]
        .as_str()
        .expect("offline access brings a refresh token");
    let access = tokens["access_token"].as_str().expect("access token");
    let (status, _) = api_get(&fake, access, "/users/me/calendarList").await;
    assert_eq!(status, 200, "the issued access token opens the API");

    let log = fake.control().token_requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].grant_type, "authorization_code");
    assert_eq!(log[0].redirect_uri.as_deref(), Some(REDIRECT));
    assert!(
        log[0].pkce_verified,
        "the verifier matched the S256 challenge"
    );
    assert_eq!(log[0].error, None);

    let (status, again) = exchange(&fake, &query["code"], VERIFIER, REDIRECT).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant")),
        "a code works once"
    );

    let (status, renewed) = refresh(&fake, refresh_token).await;
    assert_eq!(status, 200, "{renewed}");
    assert!(
        renewed.get("refresh_token").is_none(),
        "Google does not rotate refresh tokens"
    );
    let (status, _) = api_get(
        &fake,
        renewed["access_token"].as_str().expect("access"),
        "/users/me/calendarList",
    )
    .await;
    assert_eq!(status, 200, "a refreshed access token works");
}

#[tokio::test]
async fn a_wrong_code_verifier_is_refused_and_the_code_still_works_with_the_right_one() {
    let fake = fake().await;
    let query = authorize(&fake, &[]).await;
    let wrong = "x".repeat(50);
    let (status, body) = exchange(&fake, &query["code"], &wrong, REDIRECT).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"], "invalid_grant",
        "a PKCE mismatch is invalid_grant: {body}"
    );
    assert!(!fake.control().token_requests()[0].pkce_verified);
    let (status, _) = exchange(&fake, &query["code"], VERIFIER, REDIRECT).await;
    assert_eq!(status, 200, "a failed attempt does not burn the code");
}

#[tokio::test]
async fn the_redirect_uri_must_repeat_the_one_authorized() {
    let fake = fake().await;
    let query = authorize(&fake, &[]).await;
    let (status, body) = exchange(
        &fake,
        &query["code"],
        VERIFIER,
        "http://127.0.0.1:45679/callback",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("redirect_uri_mismatch")),
        "{body}"
    );
}

#[tokio::test]
async fn a_wrong_client_secret_is_invalid_client() {
    let fake = fake().await;
    let query = authorize(&fake, &[]).await;
    let (status, body) = token_request(
        &fake,
        &[
            ("grant_type", "authorization_code"),
            ("code", &query["code"]),
            ("code_verifier", VERIFIER),
            ("redirect_uri", REDIRECT),
            ("client_id", &Options::default().client_id),
            ("client_secret", "guess"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "{body}"
    );
}

#[tokio::test]
async fn denial_by_flag_or_switch_redirects_with_access_denied() {
    let fake = fake().await;
    let query = authorize(&fake, &[("deny", "1")]).await;
    assert_eq!(
        query.get("error").map(String::as_str),
        Some("access_denied")
    );
    assert_eq!(query["state"], "xyz-state");
    assert!(!query.contains_key("code"), "a denial carries no code");

    fake.control().deny_next_consent();
    let query = authorize(&fake, &[]).await;
    assert_eq!(
        query.get("error").map(String::as_str),
        Some("access_denied")
    );
    let query = authorize(&fake, &[]).await;
    assert!(
        query.contains_key("code"),
        "the switch denies only the next consent"
    );
}

#[tokio::test]
async fn a_non_loopback_redirect_gets_an_error_page_not_a_redirect() {
    let fake = fake().await;
    let mut url = url::Url::parse(&fake.auth_url()).expect("parses");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &Options::default().client_id)
        .append_pair("redirect_uri", "https://evil.example/cb")
        .append_pair("scope", SCOPE);
    let response = http().get(url).send().await.expect("answers");
    assert_eq!(response.status().as_u16(), 400);
    assert!(
        response.headers().get("location").is_none(),
        "an untrusted redirect URI is never followed"
    );
}

#[tokio::test]
async fn revoking_the_refresh_token_kills_it_and_its_access_tokens() {
    let fake = fake().await;
    let (access, refresh_token) = fake.control().issue_token_pair();
    let response = http()
        .post(format!("{}?token={}", fake.revoke_url(), refresh_token))
        .send()
        .await
        .expect("revoke answers");
    assert_eq!(response.status().as_u16(), 200);
    let (status, body) = refresh(&fake, &refresh_token).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _) = api_get(&fake, &access, "/users/me/calendarList").await;
    assert_eq!(
        status, 401,
        "access tokens minted from a revoked grant stop working"
    );
    let response = http()
        .post(format!("{}?token={}", fake.revoke_url(), refresh_token))
        .send()
        .await
        .expect("revoke answers");
    assert_eq!(
        response.status().as_u16(),
        400,
        "revoking twice is invalid_token, as on Google"
    );
}

#[tokio::test]
async fn revoke_all_and_expire_access_tokens_switches() {
    let fake = fake().await;
    let control = fake.control();
    let (access, refresh_token) = control.issue_token_pair();
    control.expire_access_tokens();
    let (status, body) = api_get(&fake, &access, "/users/me/calendarList").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["errors"][0]["reason"], "authError");
    let (status, renewed) = refresh(&fake, &refresh_token).await;
    assert_eq!(status, 200, "an expired access token is cured by a refresh");
    control.revoke_all_tokens();
    let (status, _) = api_get(
        &fake,
        renewed["access_token"].as_str().expect("access"),
        "/users/me/calendarList",
    )
    .await;
    assert_eq!(status, 401);
    let (status, body) = refresh(&fake, &refresh_token).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn short_lived_access_tokens_expire_by_themselves() {
    let fake = FakeGoogle::start(Options {
        access_token_ttl: Duration::ZERO,
        ..Options::default()
    })
    .await
    .expect("starts");
    let token = fake.control().issue_access_token();
    let (status, _) = api_get(&fake, &token, "/users/me/calendarList").await;
    assert_eq!(status, 401, "a token with no lifetime is already expired");
}

#[tokio::test]
async fn queued_token_failures_come_in_order_then_the_endpoint_recovers() {
    let fake = fake().await;
    let control = fake.control();
    let (_, refresh_token) = control.issue_token_pair();
    control.fail_next_token_requests(1, TokenFailure::InvalidGrant);
    control.fail_next_token_requests(1, TokenFailure::ServerError);
    control.fail_next_token_requests(1, TokenFailure::Hang);
    let (status, body) = refresh(&fake, &refresh_token).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _) = refresh(&fake, &refresh_token).await;
    assert_eq!(status, 503);
    let hung = http()
        .post(fake.token_url())
        .timeout(Duration::from_millis(300))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.as_str()),
        ])
        .send()
        .await;
    assert!(
        hung.is_err_and(|e| e.is_timeout()),
        "a hanging token endpoint makes the client time out"
    );
    let (status, _) = refresh(&fake, &refresh_token).await;
    assert_eq!(
        status, 200,
        "after the queued failures the endpoint works again"
    );
    assert_eq!(control.stats().token_calls, 4);
}

#[tokio::test]
async fn a_slow_token_answer_was_granted_when_asked_not_when_it_arrives() {
    let fake = fake().await;
    let control = fake.control();
    let (_, refresh_token) = control.issue_token_pair();
    control.set_faults(Faults {
        token_delay: Duration::from_millis(300),
        ..Faults::default()
    });
    let started = std::time::Instant::now();
    let slow = tokio::spawn({
        let token_url = fake.token_url();
        let refresh_token = refresh_token.clone();
        async move {
            http()
                .post(token_url)
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh_token.as_str()),
                    ("client_id", Options::default().client_id.as_str()),
                    ("client_secret", Options::default().client_secret.as_str()),
                ])
                .send()
                .await
                .expect("the token endpoint answers")
                .json::<Value>()
                .await
                .expect("json")
        }
    });
    // Revoked while the answer is on its way: the refresh was already granted.
    while control.stats().token_calls == 0 {
        tokio::task::yield_now().await;
    }
    control.revoke_all_tokens();
    let renewed = slow.await.expect("the request task");
    assert!(
        renewed["access_token"].is_string(),
        "granted before the revocation: {renewed}"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "the answer was late"
    );
}

#[tokio::test]
async fn the_calendar_api_wants_a_token_this_server_issued() {
    let fake = fake().await;
    let response = http()
        .get(format!("{}/users/me/calendarList", fake.api_base()))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status().as_u16(), 401);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["errors"][0]["reason"], "required");
    let (status, body) = api_get(&fake, "ya29.made-up", "/users/me/calendarList").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["message"], "Invalid Credentials");
}

#[tokio::test]
async fn login_hint_picks_which_user_consents_and_each_sees_only_their_own() {
    let fake = fake().await;
    let control = fake.control();
    let first = control.user_email();
    let (status, _) = control_post(&fake, "/users", json!({"email": "second@example.com"})).await;
    assert_eq!(status, 201, "POST /control/users adds a user");
    let (status, _) = control_post(&fake, "/users", json!({"email": "second@example.com"})).await;
    assert_eq!(status, 409, "a user exists once");

    let tokens_of = |hint: Option<&'static str>| {
        let fake = &fake;
        async move {
            let extra: Vec<(&str, &str)> = hint.map(|h| ("login_hint", h)).into_iter().collect();
            let query = authorize(fake, &extra).await;
            let (status, tokens) = exchange(fake, &query["code"], VERIFIER, REDIRECT).await;
            assert_eq!(status, 200, "{tokens}");
            tokens
        }
    };
    let primary_of = |tokens: Value| {
        let fake = &fake;
        async move {
            let access = tokens["access_token"].as_str().expect("access").to_string();
            let (_, list) = api_get(fake, &access, "/users/me/calendarList").await;
            let ids: Vec<String> = list["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|c| c["id"].as_str().expect("id").to_string())
                .collect();
            (access, ids)
        }
    };
    let (first_access, first_list) = primary_of(tokens_of(None).await).await;
    assert_eq!(first_list, vec![first.clone()], "no hint: the first user");
    let second_tokens = tokens_of(Some("second@example.com")).await;
    let refreshed = refresh(
        &fake,
        second_tokens["refresh_token"].as_str().expect("refresh"),
    )
    .await
    .1;
    let (second_access, second_list) = primary_of(second_tokens).await;
    assert_eq!(
        second_list,
        vec!["second@example.com".to_string()],
        "the hinted user consents and lists only their own calendars"
    );
    let (_, refreshed_list) = primary_of(refreshed).await;
    assert_eq!(refreshed_list, second_list, "a refresh stays that user");
    let (status, _) = api_get(&fake, &second_access, "/calendars/primary/events").await;
    assert_eq!(status, 200, "`primary` is the caller's own calendar");
    let (status, _) = api_get(
        &fake,
        &second_access,
        &format!("/calendars/{}/events", common::urlencode(&first)),
    )
    .await;
    assert_eq!(status, 404, "another user's calendar is not found");

    // Only the user who created a channel can stop it.
    let (status, channel) = common::watch(
        &fake,
        &first_access,
        &first,
        "first-channel",
        "http://127.0.0.1:9/n",
    )
    .await;
    assert_eq!(status, 200, "{channel}");
    let stop = json!({"id": "first-channel", "resourceId": channel["resourceId"]});
    let (status, _) = common::api_post(&fake, &second_access, "/channels/stop", &stop).await;
    assert_eq!(status, 404, "another user cannot stop the channel");
    let (status, _) = common::api_post(&fake, &first_access, "/channels/stop", &stop).await;
    assert_eq!(status, 204, "its own user can");

    let mut url = url::Url::parse(&fake.auth_url()).expect("parses");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &Options::default().client_id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", SCOPE)
        .append_pair("login_hint", "nobody@example.com");
    let response = http().get(url).send().await.expect("answers");
    assert_eq!(
        response.status().as_u16(),
        400,
        "an unknown user cannot consent"
    );
}

#[tokio::test]
async fn the_next_consent_signs_in_as_the_account_picked_whatever_the_hint() {
    let fake = fake().await;
    let control = fake.control();
    control.add_user("second@example.com");
    control.add_user("third@example.com");
    let (status, _) = control_post(
        &fake,
        "/next-consent",
        json!({"email": "nobody@example.com"}),
    )
    .await;
    assert_eq!(status, 404, "only a known user can be picked");
    let (status, _) = control_post(
        &fake,
        "/next-consent",
        json!({"email": "second@example.com"}),
    )
    .await;
    assert_eq!(status, 204);

    let primary_after_consent = |hint: Option<&'static str>| {
        let fake = &fake;
        async move {
            let extra: Vec<(&str, &str)> = hint.map(|h| ("login_hint", h)).into_iter().collect();
            let query = authorize(fake, &extra).await;
            let (status, tokens) = exchange(fake, &query["code"], VERIFIER, REDIRECT).await;
            assert_eq!(status, 200, "{tokens}");
            let access = tokens["access_token"].as_str().expect("access");
            let (_, list) = api_get(fake, access, "/users/me/calendarList").await;
            list["items"]
                .as_array()
                .and_then(|items| items.iter().find(|i| i["primary"] == true))
                .and_then(|i| i["id"].as_str())
                .expect("a primary entry")
                .to_string()
        }
    };
    assert_eq!(
        primary_after_consent(Some("third@example.com")).await,
        "second@example.com",
        "the picked account wins over the hint"
    );
    assert_eq!(
        primary_after_consent(None).await,
        control.user_email(),
        "used once: then the first user again"
    );
    control.consent_next_as("third@example.com");
    assert_eq!(primary_after_consent(None).await, "third@example.com");
}

/// POSTs JSON to the control API.
async fn control_post(fake: &FakeGoogle, path: &str, body: Value) -> (u16, Value) {
    let response = http()
        .post(format!("{}/control{}", fake.base_url(), path))
        .header(fake_google::CONTROL_SECRET_HEADER, fake.control_secret())
        .json(&body)
        .send()
        .await
        .expect("control API answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

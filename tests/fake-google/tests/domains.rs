//! Domain verification: with `require_verified_domains`, events.watch refuses an address
//! whose domain was not verified, as Google does; `POST /control/verify-domain` fetches the
//! verification file from the address's origin and verifies the domain only when the file
//! is there with the content Search Console expects.

mod common;

use axum::routing::get;
use axum::Router;
use common::{http, watch};
use fake_google::{FakeGoogle, Options};
use serde_json::{json, Value};

/// A site on loopback serving `path` with `body`; returns its origin.
async fn site(path: &str, body: String) -> String {
    let app = Router::new().route(path, get(move || async move { body }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let origin = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serves");
    });
    origin
}

async fn verify(fake: &FakeGoogle, url: &str) -> (u16, Value) {
    let response = http()
        .post(format!("{}/control/verify-domain", fake.base_url()))
        .header(fake_google::CONTROL_SECRET_HEADER, fake.control_secret())
        .json(&json!({"url": url}))
        .send()
        .await
        .expect("control API answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_watch_at_an_unverified_domain_is_refused_until_the_file_is_fetched() {
    let fake = FakeGoogle::start(Options {
        require_verified_domains: true,
        ..Options::default()
    })
    .await
    .expect("starts");
    let token = fake.control().issue_access_token();
    let file = fake.control().site_verification_file();
    assert!(
        file.starts_with("google") && file.ends_with(".html"),
        "named as Search Console names it: {file}"
    );
    let origin = site(
        &format!("/{file}"),
        format!("google-site-verification: {file}"),
    )
    .await;
    let address = format!("{origin}/notifications");

    let (status, refused) = watch(&fake, &token, "primary", "before", &address).await;
    assert_eq!(status, 401);
    assert_eq!(
        refused["error"]["errors"][0]["reason"],
        "push.webhookUrlUnauthorized"
    );
    assert_eq!(
        refused["error"]["message"],
        format!("Unauthorized WebHook callback channel: {address}")
    );

    let (status, verified) = verify(&fake, &address).await;
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["domain"], origin.trim_start_matches("http://"));
    let (status, _) = watch(&fake, &token, "primary", "after", &address).await;
    assert_eq!(status, 200, "a verified domain is accepted");
}

#[tokio::test]
async fn a_wrong_or_missing_file_verifies_nothing_and_says_what_was_fetched() {
    let fake = FakeGoogle::start(Options {
        require_verified_domains: true,
        ..Options::default()
    })
    .await
    .expect("starts");
    let file = fake.control().site_verification_file();
    let wrong = site(
        &format!("/{file}"),
        "google-site-verification: google00.html".into(),
    )
    .await;
    let (status, answer) = verify(&fake, &wrong).await;
    assert_eq!(status, 400);
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&file),
        "names the file it fetched: {message}"
    );

    let missing = site("/other.html", String::new()).await;
    let (status, _) = verify(&fake, &missing).await;
    assert_eq!(status, 400);
    assert!(fake.control().verified_domains().is_empty());

    let (status, _) = verify(&fake, "not a url").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn without_the_option_any_domain_is_accepted_as_before() {
    let fake = FakeGoogle::start(Options::default()).await.expect("starts");
    let token = fake.control().issue_access_token();
    let (status, _) = watch(
        &fake,
        &token,
        "primary",
        "c",
        "http://127.0.0.1:9/notifications",
    )
    .await;
    assert_eq!(status, 200);
}

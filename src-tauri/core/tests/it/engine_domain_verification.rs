//! Domain verification end to end: fake-google refusing watches at unverified domains as
//! Google does, the window's sentence for it, the verification file pasted into the
//! settings and served at the root of the public address, fake-google's "Search Console"
//! fetching it through the tunnel, and Watch succeeding after.

use calwatch_core::engine::SettingsPatch;
use fake_google::Options;
use reqwest::StatusCode;

use crate::engine_support::{quick, Harness, Relay};

fn verifying_google() -> Options {
    Options {
        require_verified_domains: true,
        ..Options::default()
    }
}

fn paste(name: &str) -> SettingsPatch {
    SettingsPatch {
        site_verification_file: Some(name.to_string()),
        ..SettingsPatch::default()
    }
}

async fn get(url: &str) -> (StatusCode, String) {
    let answer = reqwest::get(url).await.expect("the relay answers");
    let status = answer.status();
    (status, answer.text().await.unwrap_or_default())
}

#[tokio::test]
async fn an_unverified_domain_is_refused_in_words_then_verified_through_the_tunnel() {
    let h = Harness::start_against(verifying_google(), quick).await;
    let relay = Relay::start(h.receiver).await;
    h.engine
        .set_callback_url(&relay.origin)
        .await
        .expect("accepted");

    let refused = h
        .engine
        .watch(&h.key)
        .await
        .expect_err("Google refuses an unverified domain");
    assert_eq!(refused.code(), "callback_unauthorized");
    let sentence = refused.to_string();
    assert!(
        sentence.contains("Unauthorized WebHook callback channel")
            && sentence.contains("Search Console")
            && sentence.contains("APIs & Services → Domain verification"),
        "the sentence says what happened and what to do: {sentence}"
    );
    assert!(h.engine.channels().expect("channels").is_empty());

    // Search Console cannot fetch a file that is not served yet.
    let file = h.control.site_verification_file();
    assert!(h.control.verify_domain(&relay.origin, None).await.is_err());

    h.engine
        .update_settings(paste(&file))
        .await
        .expect("a Search Console file name is accepted");
    assert_eq!(
        h.engine
            .snapshot()
            .settings
            .site_verification_file
            .as_deref(),
        Some(file.as_str())
    );
    let (status, body) = get(&format!("{}/{file}", relay.origin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, format!("google-site-verification: {file}"));
    for other in ["/google0123456789abcdef.html", "/index.html", "/", "/.env"] {
        let (status, _) = get(&format!("{}{other}", relay.origin)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{other} is not served");
    }

    let domain = h
        .control
        .verify_domain(&relay.origin, None)
        .await
        .expect("fake-google fetches the file through the tunnel");
    assert_eq!(format!("http://{domain}"), relay.origin);

    let channel = h.watch().await;
    assert!(channel.address.starts_with(&relay.origin));
}

#[tokio::test]
async fn a_verification_file_name_is_checked_and_can_be_cleared() {
    let h = Harness::start(quick).await;
    let err = h
        .engine
        .update_settings(paste("index.html"))
        .await
        .expect_err("not a Search Console name");
    assert_eq!(err.code(), "invalid_setting");
    assert!(
        err.to_string().contains("google1234abcd5678ef90.html"),
        "{err}"
    );
    assert_eq!(h.engine.snapshot().settings.site_verification_file, None);

    h.engine
        .update_settings(paste(" /google12ab34cd.html "))
        .await
        .expect("spaces and a leading slash are forgiven");
    assert_eq!(
        h.engine
            .snapshot()
            .settings
            .site_verification_file
            .as_deref(),
        Some("google12ab34cd.html")
    );
    let base = format!("http://{}", h.receiver);
    assert_eq!(
        get(&format!("{base}/google12ab34cd.html")).await.0,
        StatusCode::OK
    );

    h.engine.update_settings(paste("")).await.expect("cleared");
    assert_eq!(h.engine.snapshot().settings.site_verification_file, None);
    assert_eq!(
        get(&format!("{base}/google12ab34cd.html")).await.0,
        StatusCode::NOT_FOUND,
        "a cleared file is no longer served"
    );
}

#[tokio::test]
async fn the_verification_file_is_served_again_after_a_restart() {
    let mut h = Harness::start(quick).await;
    h.engine
        .update_settings(paste("google12ab34cd.html"))
        .await
        .expect("accepted");
    h.restart(h.clock.clone()).await;
    let (status, body) = get(&format!("http://{}/google12ab34cd.html", h.receiver)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "google-site-verification: google12ab34cd.html");
}

//! The `/control/…` API is reachable by every local user, so it asks for the secret drawn
//! at start: without it nobody reads the account or adds events.

use fake_google::{FakeGoogle, Options, CONTROL_SECRET_HEADER};

#[tokio::test]
async fn the_control_api_answers_only_with_this_starts_secret() {
    let fake = FakeGoogle::start(Options::default()).await.unwrap();
    let other = FakeGoogle::start(Options::default()).await.unwrap();
    assert!(
        fake.control_secret().len() >= 32,
        "a random secret, not a fixed one"
    );
    assert_ne!(
        fake.control_secret(),
        other.control_secret(),
        "a new one every start"
    );
    let http = reqwest::Client::new();
    let user = format!("{}/control/user", fake.base_url());
    let add = format!(
        "{}/control/calendars/{}/events",
        fake.base_url(),
        fake.control().user_email()
    );
    let event = serde_json::json!({
        "summary": "Planted",
        "start": {"date": "2030-01-01"},
        "end": {"date": "2030-01-02"}
    });

    for (what, secret) in [
        ("no secret", None),
        ("a wrong secret", Some("guess")),
        ("another start's secret", Some(other.control_secret())),
    ] {
        let with = |r: reqwest::RequestBuilder| match secret {
            Some(s) => r.header(CONTROL_SECRET_HEADER, s),
            None => r,
        };
        let read = with(http.get(&user)).send().await.unwrap();
        assert_eq!(read.status(), 401, "{what}: the account is not readable");
        let write = with(http.post(&add).json(&event)).send().await.unwrap();
        assert_eq!(write.status(), 401, "{what}: no event can be added");
    }
    assert!(
        fake.control()
            .events(&fake.control().user_email())
            .iter()
            .all(|e| e["summary"] != "Planted"),
        "nothing was added"
    );

    let read = http
        .get(&user)
        .header(CONTROL_SECRET_HEADER, fake.control_secret())
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200, "the secret opens it");
}

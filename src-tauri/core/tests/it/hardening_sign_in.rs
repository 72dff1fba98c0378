//! The loopback sign-in listener's port is visible to every local process: a forged
//! request must not end the sign-in in progress.

use std::time::Duration;

use calwatch_core::auth::{self, OAuthApp};
use calwatch_core::config::{ClientSecret, Endpoints};
use fake_google::{FakeGoogle, Options};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use url::Url;

fn app_for(fake: &FakeGoogle) -> OAuthApp {
    let client = ClientSecret::from_json(&fake.client_secret_json()).expect("fake's client file");
    let endpoints = Endpoints {
        auth_url: fake.auth_url(),
        token_url: fake.token_url(),
        revoke_url: fake.revoke_url(),
        api_base: fake.api_base(),
    };
    OAuthApp::new(&client, &endpoints).expect("valid endpoints")
}

/// What the local attacker's requests got, then what Google's real redirect got.
#[derive(Debug)]
struct Seen {
    forged: Vec<(String, u16, String)>,
    genuine_status: u16,
}

#[tokio::test]
async fn forged_requests_get_an_error_page_and_the_real_redirect_still_signs_in() {
    let fake = FakeGoogle::start(Options::default()).await.unwrap();
    let app = app_for(&fake);
    let (tx, mut seen) = mpsc::unbounded_channel();
    let opener = move |url: &str| {
        let url = url.to_string();
        let tx = tx.clone();
        tokio::spawn(async move {
            let run = async {
                let http = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()?;
                let consent = http.get(&url).send().await?;
                let location = consent.headers()["location"].to_str()?.to_string();
                let genuine = Url::parse(&location)?;
                let listener = genuine.join("/")?;
                // Another local process guesses: wrong state, no state, a forged refusal.
                let mut forged = Vec::new();
                for query in [
                    "code=planted&state=guess",
                    "code=planted",
                    "error=access_denied&state=guess",
                    "error=access_denied",
                ] {
                    let mut target = listener.clone();
                    target.set_query(Some(query));
                    let answer = http.get(target).send().await?;
                    let status = answer.status().as_u16();
                    forged.push((query.to_string(), status, answer.text().await?));
                }
                let genuine_status = http.get(genuine).send().await?.status().as_u16();
                anyhow::Ok(Seen {
                    forged,
                    genuine_status,
                })
            };
            let _ = tx.send(run.await);
        });
        Ok(())
    };

    let signed_in = auth::sign_in(
        &app,
        &opener,
        CancellationToken::new(),
        Duration::from_secs(30),
    )
    .await;
    let seen = seen.recv().await.unwrap().expect("the browser run");
    for (query, status, page) in &seen.forged {
        assert_eq!(*status, 400, "{query} is refused");
        assert!(
            page.contains("still waiting"),
            "the page for {query} says the sign-in goes on: {page}"
        );
    }
    assert_eq!(
        seen.genuine_status, 200,
        "Google's redirect finds the listener"
    );
    signed_in.expect("the real redirect completes the sign-in");
    assert_eq!(
        fake.control().token_requests().len(),
        1,
        "only the genuine code was redeemed"
    );
}

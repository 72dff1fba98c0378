//! The browser sign-in against fake-google over real HTTP: a test "browser" follows the
//! authorization URL, fake-google consents and redirects to CalWatch's loopback listener.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use calwatch_core::auth::{self, AuthError, OAuthApp, SignedIn};
use calwatch_core::config::{ClientSecret, Endpoints};
use calwatch_core::secrets::{MemoryTokenStore, TokenStore};
use fake_google::{FakeGoogle, Options};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use url::Url;

const GENEROUS: Duration = Duration::from_secs(30);
/// For a sign-in that is meant to time out.
const SHORT: Duration = Duration::from_secs(2);

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

/// What the test browser saw on the loopback listener.
#[derive(Debug)]
struct Visit {
    /// The authorization URL CalWatch opened.
    auth_url: Url,
    /// Status of the browser's favicon request to the listener (sent before the redirect).
    favicon_status: u16,
    /// The result page's status and text.
    status: u16,
    page: String,
}

/// An opener that plays the browser: GET the authorization URL, take fake-google's 302,
/// let `tamper` edit the redirect (as an attacker or a stale tab might), ask for the
/// favicon like real browsers do, then follow the redirect to the listener.
fn browser(
    tamper: fn(&mut Url),
) -> (
    impl Fn(&str) -> Result<(), String> + Send + Sync,
    mpsc::UnboundedReceiver<anyhow::Result<Visit>>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let opener = move |url: &str| {
        let url = url.to_string();
        let tx = tx.clone();
        tokio::spawn(async move {
            let visit = async {
                let http = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()?;
                let auth_url = Url::parse(&url)?;
                let consent = http.get(auth_url.clone()).send().await?;
                anyhow::ensure!(
                    consent.status() == 302,
                    "consent answered {}",
                    consent.status()
                );
                let location = consent.headers()["location"].to_str()?.to_string();
                let mut target = Url::parse(&location)?;
                tamper(&mut target);
                let favicon = http.get(target.join("/favicon.ico")?).send().await?;
                let result = http.get(target).send().await?;
                Ok(Visit {
                    auth_url,
                    favicon_status: favicon.status().as_u16(),
                    status: result.status().as_u16(),
                    page: result.text().await?,
                })
            };
            let _ = tx.send(visit.await);
        });
        Ok(())
    };
    (opener, rx)
}

fn query(url: &Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

fn port_of(redirect_uri: &str) -> u16 {
    Url::parse(redirect_uri).unwrap().port().unwrap()
}

async fn refused(port: u16) -> bool {
    tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
}

#[tokio::test]
async fn full_flow_lands_tokens_in_the_store_with_pkce_and_the_loopback_redirect() {
    let fake = FakeGoogle::start(Options::default()).await.unwrap();
    let app = app_for(&fake);
    let (opener, mut visits) = browser(|_| {});

    let SignedIn { tokens } = auth::sign_in(&app, &opener, CancellationToken::new(), GENEROUS)
        .await
        .expect("the consent redirect completes the sign-in");
    let visit = visits.recv().await.unwrap().unwrap();

    let q = query(&visit.auth_url);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256", "PKCE must use S256");
    assert!(!q["code_challenge"].is_empty());
    assert_eq!(
        q["access_type"], "offline",
        "a refresh token needs offline access"
    );
    assert_eq!(
        q["prompt"], "consent",
        "Google re-issues refresh tokens only on consent"
    );
    let mut scopes: Vec<&str> = q["scope"].split(' ').collect();
    scopes.sort();
    assert_eq!(
        scopes,
        vec![
            "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
            "https://www.googleapis.com/auth/calendar.events.readonly",
        ],
        "only the least scopes are asked for"
    );
    let redirect_uri = &q["redirect_uri"];
    let port = port_of(redirect_uri);
    assert_eq!(
        redirect_uri,
        &format!("http://127.0.0.1:{port}"),
        "the redirect URI is the loopback listener's real port"
    );
    assert!(q["state"].len() >= 16, "the state is a random value");

    assert_eq!(
        visit.favicon_status, 404,
        "a favicon request is answered, not taken as the redirect"
    );
    assert_eq!(visit.status, 200);
    assert!(
        visit
            .page
            .contains("Signed in to CalWatch \u{2014} you can close this tab"),
        "the tab tells the user they are done: {}",
        visit.page
    );
    assert!(
        visit.page.contains("<html lang=\"en\">"),
        "the page says which language it is in (the catalogue's): {}",
        visit.page
    );

    let exchanges: Vec<_> = fake
        .control()
        .token_requests()
        .into_iter()
        .filter(|r| r.grant_type == "authorization_code")
        .collect();
    assert_eq!(exchanges.len(), 1, "the code is exchanged exactly once");
    assert!(
        exchanges[0].pkce_verified,
        "fake-google verified the PKCE verifier"
    );
    assert_eq!(
        exchanges[0].redirect_uri.as_deref(),
        Some(redirect_uri.as_str())
    );
    assert_eq!(exchanges[0].error, None);

    assert!(
        tokens.refresh_token.is_some(),
        "offline access yields a refresh token"
    );
    assert_eq!(tokens.scopes.len(), 2);

    // The engine's next steps: name the account, keep the tokens.
    let account = auth::primary_calendar_id(&app, &fake.api_base(), &tokens.access_token)
        .await
        .expect("the new access token reads the calendar list");
    assert_eq!(
        account,
        fake.control().user_email(),
        "the account is named by its address"
    );
    let store = MemoryTokenStore::new();
    store.save(&account, &tokens).await.unwrap();
    assert_eq!(store.load(&account).await.unwrap(), Some(tokens));

    assert!(
        refused(port).await,
        "the listener is closed once the sign-in is over"
    );
}

#[tokio::test]
async fn a_redirect_with_the_wrong_state_is_refused_and_nothing_is_issued() {
    let fake = FakeGoogle::start(Options::default()).await.unwrap();
    let app = app_for(&fake);
    let (opener, mut visits) = browser(|url| {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .into_owned()
            .map(|(k, v)| {
                if k == "state" {
                    (k, "forged-state".to_string())
                } else {
                    (k, v)
                }
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    });

    // A foreign state does not end the sign-in (see hardening_sign_in.rs): it waits on
    // for the real redirect, which never comes here, until its timeout.
    let err = auth::sign_in(&app, &opener, CancellationToken::new(), SHORT)
        .await
        .expect_err("a foreign state must not sign in");
    assert_eq!(err.code(), "auth_timed_out");

    let visit = visits.recv().await.unwrap().unwrap();
    assert_eq!(visit.status, 400);
    assert!(
        visit.page.contains("did not ask for"),
        "the tab says what went wrong: {}",
        visit.page
    );
    assert!(
        fake.control().token_requests().is_empty(),
        "the code from a forged redirect is never redeemed, so no tokens exist to store"
    );
}

#[tokio::test]
async fn access_denied_in_the_browser_is_reported() {
    let fake = FakeGoogle::start(Options::default()).await.unwrap();
    fake.control().deny_next_consent();
    let app = app_for(&fake);
    let (opener, mut visits) = browser(|_| {});

    let err = auth::sign_in(&app, &opener, CancellationToken::new(), GENEROUS)
        .await
        .expect_err("a declined consent is not a sign-in");
    assert_eq!(err, AuthError::AccessDenied);
    assert!(
        err.to_string().contains("access_denied"),
        "the reason is named: {err}"
    );

    let visit = visits.recv().await.unwrap().unwrap();
    assert!(
        visit.page.contains("access was not granted"),
        "the tab explains: {}",
        visit.page
    );
    assert!(fake.control().token_requests().is_empty());
}

/// The URL a silent browser was given, and whether the listener answered at that moment.
type Opened = Arc<Mutex<Option<(Url, bool)>>>;

/// An opener that only remembers the URL (and checks the listener answers by then).
fn silent_browser() -> (impl Fn(&str) -> Result<(), String> + Send + Sync, Opened) {
    let seen = Arc::new(Mutex::new(None));
    let keep = seen.clone();
    let opener = move |url: &str| {
        let url = Url::parse(url).map_err(|e| e.to_string())?;
        let port = port_of(&query(&url)["redirect_uri"]);
        let listening = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        *keep.lock().unwrap() = Some((url, listening));
        Ok(())
    };
    (opener, seen)
}

#[tokio::test]
async fn an_unanswered_sign_in_times_out_and_closes_the_listener() {
    let fake = FakeGoogle::start(Options::default()).await.unwrap();
    let app = app_for(&fake);
    let (opener, seen) = silent_browser();

    let err = auth::sign_in(
        &app,
        &opener,
        CancellationToken::new(),
        Duration::from_millis(200),
    )
    .await
    .expect_err("nobody finished the sign-in");
    assert_eq!(
        err,
        AuthError::TimedOut {
            after: Duration::from_millis(200)
        }
    );

    let (url, listening) = seen
        .lock()
        .unwrap()
        .clone()
        .expect("the browser was opened");
    assert!(listening, "the listener was up when the browser opened");
    let port = port_of(&query(&url)["redirect_uri"]);
    assert!(
        refused(port).await,
        "after the timeout nothing listens on the port"
    );
}

#[tokio::test]
async fn a_cancelled_sign_in_closes_the_listener() {
    let fake = FakeGoogle::start(Options::default()).await.unwrap();
    let app = app_for(&fake);
    let (opener, seen) = silent_browser();
    let cancel = CancellationToken::new();

    let flow = {
        let cancel = cancel.clone();
        tokio::spawn(async move { auth::sign_in(&app, &opener, cancel, GENEROUS).await })
    };
    let url = loop {
        if let Some((url, _)) = seen.lock().unwrap().clone() {
            break url;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let port = port_of(&query(&url)["redirect_uri"]);
    assert!(!refused(port).await, "the listener waits for the browser");

    cancel.cancel();
    let err = flow.await.unwrap().expect_err("cancelled");
    assert_eq!(err, AuthError::Cancelled);
    assert!(
        refused(port).await,
        "after cancelling nothing listens on the port"
    );
}

#[tokio::test]
async fn a_browser_that_cannot_be_opened_is_reported_and_the_listener_closed() {
    let fake = FakeGoogle::start(Options::default()).await.unwrap();
    let app = app_for(&fake);
    let port = Arc::new(Mutex::new(None));
    let keep = port.clone();
    let opener = move |url: &str| {
        let url = Url::parse(url).unwrap();
        *keep.lock().unwrap() = Some(port_of(&query(&url)["redirect_uri"]));
        Err("no browser is installed".to_string())
    };

    let err = auth::sign_in(&app, &opener, CancellationToken::new(), GENEROUS)
        .await
        .expect_err("no browser, no sign-in");
    assert_eq!(
        err,
        AuthError::BrowserNotOpened {
            reason: "no browser is installed".into()
        }
    );
    let port = port.lock().unwrap().expect("the opener was called");
    assert!(refused(port).await);
}

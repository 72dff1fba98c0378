//! `OAuthTokens` as the engine's token source, against fake-google's real token endpoint:
//! early refresh, refresh after 401, single-flight, invalid_grant, outages, sign-out.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::support::log::CapturedLog;
use calwatch_core::auth::{self, AccountStatus, OAuthApp, OAuthTokens, RetryPolicy};
use calwatch_core::clock::Clock;
use calwatch_core::config::{ClientSecret, Endpoints};
use calwatch_core::google::{TokenError, TokenSource};
use calwatch_core::secrets::{MemoryTokenStore, Sensitive, TokenSet, TokenStore};
use fake_google::{FakeGoogle, Options, TokenFailure};

const ACCOUNT: &str = "sandbox.user@example.com";
/// The test clock's "now": 2026-11-28T12:00:00Z.
const T0: i64 = 1_795_867_200_000;

fn app_for(fake: &FakeGoogle) -> OAuthApp {
    let client = ClientSecret::from_json(&fake.client_secret_json()).unwrap();
    let endpoints = Endpoints {
        auth_url: fake.auth_url(),
        token_url: fake.token_url(),
        revoke_url: fake.revoke_url(),
        api_base: fake.api_base(),
    };
    OAuthApp::new(&client, &endpoints).unwrap()
}

/// A hand-moved clock.
#[derive(Clone)]
struct TestClock(Arc<AtomicI64>);

impl TestClock {
    fn new() -> Self {
        TestClock(Arc::new(AtomicI64::new(T0)))
    }
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
    fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
    fn as_clock(&self) -> Arc<dyn Clock> {
        Arc::new(self.clone())
    }
}

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.now()
    }
}

/// Fast retries: the behaviour under test is "retry, then report offline", not the wait.
const QUICK_RETRY: RetryPolicy = RetryPolicy {
    attempts: 3,
    base_delay: Duration::from_millis(1),
    max_delay: Duration::from_millis(4),
};

struct Setup {
    fake: FakeGoogle,
    clock: TestClock,
    store: Arc<MemoryTokenStore>,
    tokens: Arc<OAuthTokens>,
    issued: TokenSet,
}

/// A signed-in account whose access token has `valid_for` left, saved in the store.
async fn signed_in(valid_for: Duration) -> Setup {
    let fake = FakeGoogle::start(Options::default()).await.unwrap();
    let (access, refresh) = fake.control().issue_token_pair();
    let clock = TestClock::new();
    let issued = TokenSet {
        access_token: Sensitive::new(access),
        refresh_token: Some(Sensitive::new(refresh)),
        expires_at_ms: clock.now() + valid_for.as_millis() as i64,
        scopes: auth::SCOPES.iter().map(|s| s.to_string()).collect(),
    };
    let store = Arc::new(MemoryTokenStore::new());
    store.save(ACCOUNT, &issued).await.unwrap();
    let tokens = OAuthTokens::new(app_for(&fake), ACCOUNT, issued.clone(), store.clone())
        .with_clock(clock.as_clock())
        .with_retry(QUICK_RETRY);
    Setup {
        fake,
        clock,
        store,
        tokens: Arc::new(tokens),
        issued,
    }
}

/// A real Calendar call with `token`: the status Google's API answers.
async fn calendar_list_status(fake: &FakeGoogle, token: &Sensitive<String>) -> u16 {
    reqwest::Client::new()
        .get(format!("{}/users/me/calendarList", fake.api_base()))
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn token_calls(fake: &FakeGoogle) -> u64 {
    fake.control().stats().token_calls
}

#[tokio::test]
async fn a_fresh_token_is_handed_out_without_asking_google() {
    let s = signed_in(Duration::from_secs(3600)).await;
    let token = s.tokens.access_token().await.unwrap();
    assert_eq!(token, s.issued.access_token);
    assert_eq!(
        token_calls(&s.fake),
        0,
        "a token with an hour left is not refreshed"
    );
}

#[tokio::test]
async fn the_token_is_refreshed_a_minute_before_expiry_and_saved_back() {
    let s = signed_in(Duration::from_secs(120)).await;
    assert_eq!(
        s.tokens.access_token().await.unwrap(),
        s.issued.access_token
    );
    assert_eq!(token_calls(&s.fake), 0, "two minutes left: still good");

    s.clock.advance(Duration::from_secs(61)); // 59 s left: inside the 60 s lead
    let fresh = s.tokens.access_token().await.unwrap();
    assert_ne!(
        fresh, s.issued.access_token,
        "a new token replaces the expiring one"
    );
    assert_eq!(token_calls(&s.fake), 1);
    assert_eq!(
        calendar_list_status(&s.fake, &fresh).await,
        200,
        "the new token works"
    );

    let saved = s.store.load(ACCOUNT).await.unwrap().unwrap();
    assert_eq!(
        saved.access_token, fresh,
        "the refreshed token is written back to the store"
    );
    assert_eq!(
        saved.refresh_token, s.issued.refresh_token,
        "Google keeps the refresh token, so it is kept too"
    );
    assert_eq!(
        saved.expires_at_ms,
        s.clock.now() + 3_600_000,
        "expiry comes from expires_in"
    );
    assert_eq!(*s.tokens.status().borrow(), AccountStatus::SignedIn);

    assert_eq!(s.tokens.access_token().await.unwrap(), fresh);
    assert_eq!(
        token_calls(&s.fake),
        1,
        "the new token is reused, not refreshed again"
    );
}

#[tokio::test]
async fn a_401_gets_one_refresh_and_stale_rejections_reuse_it() {
    let s = signed_in(Duration::from_secs(3600)).await;
    let old = s.tokens.access_token().await.unwrap();
    assert_eq!(calendar_list_status(&s.fake, &old).await, 200);

    s.fake.control().expire_access_tokens();
    assert_eq!(
        calendar_list_status(&s.fake, &old).await,
        401,
        "Google now rejects it"
    );

    let fresh = s.tokens.refresh_after_unauthorized(&old).await.unwrap();
    assert_ne!(fresh, old);
    assert_eq!(
        calendar_list_status(&s.fake, &fresh).await,
        200,
        "the retry succeeds"
    );
    assert_eq!(token_calls(&s.fake), 1);

    // A second caller that was rejected with the same old token gets the new one.
    let again = s.tokens.refresh_after_unauthorized(&old).await.unwrap();
    assert_eq!(again, fresh);
    assert_eq!(
        token_calls(&s.fake),
        1,
        "an already-replaced token causes no refresh"
    );
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let s = signed_in(Duration::from_secs(10)).await;
    let callers = (0..8).map(|_| {
        let tokens = s.tokens.clone();
        async move { tokens.access_token().await }
    });
    let results = futures::future::join_all(callers).await;
    let first = results[0].clone().unwrap();
    assert!(
        results.iter().all(|r| r.as_ref() == Ok(&first)),
        "everyone gets the same new token"
    );
    assert_ne!(first, s.issued.access_token);
    assert_eq!(
        token_calls(&s.fake),
        1,
        "eight callers, exactly one refresh"
    );

    // The same after a 401 seen by several callers at once.
    s.fake.control().expire_access_tokens();
    let rejected = first.clone();
    let callers = (0..8).map(|_| {
        let tokens = s.tokens.clone();
        let rejected = rejected.clone();
        async move { tokens.refresh_after_unauthorized(&rejected).await }
    });
    let results = futures::future::join_all(callers).await;
    let second = results[0].clone().unwrap();
    assert!(results.iter().all(|r| r.as_ref() == Ok(&second)));
    assert_eq!(
        token_calls(&s.fake),
        2,
        "eight 401s, exactly one more refresh"
    );
}

#[tokio::test]
async fn invalid_grant_means_sign_in_again_and_stops_asking() {
    let s = signed_in(Duration::from_secs(10)).await;
    let mut status = s.tokens.status();
    s.fake.control().revoke_all_tokens();

    let err = s
        .tokens
        .access_token()
        .await
        .expect_err("a revoked refresh token");
    assert_eq!(err, TokenError::NeedsSignIn);
    assert!(status.has_changed().unwrap(), "the engine is told");
    assert_eq!(*status.borrow_and_update(), AccountStatus::NeedsSignIn);
    assert_eq!(token_calls(&s.fake), 1, "invalid_grant is not retried");

    assert_eq!(s.tokens.access_token().await, Err(TokenError::NeedsSignIn));
    let rejected = s.issued.access_token.clone();
    assert_eq!(
        s.tokens.refresh_after_unauthorized(&rejected).await,
        Err(TokenError::NeedsSignIn)
    );
    assert_eq!(
        token_calls(&s.fake),
        1,
        "a dead refresh token is not sent again"
    );
    assert_eq!(
        s.store.load(ACCOUNT).await.unwrap(),
        Some(s.issued.clone()),
        "the account keeps its entry until the user signs in again or out"
    );

    // Signing in again revives the same token source.
    let (access, refresh) = s.fake.control().issue_token_pair();
    s.tokens
        .replace(TokenSet {
            access_token: Sensitive::new(access.clone()),
            refresh_token: Some(Sensitive::new(refresh)),
            expires_at_ms: s.clock.now() + 3_600_000,
            scopes: vec![],
        })
        .await;
    assert_eq!(s.tokens.access_token().await.unwrap().expose(), &access);
    assert_eq!(*status.borrow_and_update(), AccountStatus::SignedIn);
}

#[tokio::test]
async fn a_token_endpoint_outage_is_offline_not_a_sign_out() {
    let s = signed_in(Duration::from_secs(0)).await;
    let mut status = s.tokens.status();
    s.fake
        .control()
        .fail_next_token_requests(3, TokenFailure::ServerError);

    let err = s
        .tokens
        .access_token()
        .await
        .expect_err("no token while Google is down");
    assert!(
        matches!(err, TokenError::Offline(_)),
        "offline, not signed out: {err:?}"
    );
    assert_eq!(
        token_calls(&s.fake),
        3,
        "the refresh is retried with backoff, then given up"
    );
    assert_eq!(*status.borrow_and_update(), AccountStatus::Offline);
    assert_eq!(
        s.store.load(ACCOUNT).await.unwrap(),
        Some(s.issued.clone()),
        "the tokens are kept"
    );

    // Google is back: the next call refreshes and the account is signed in again.
    let fresh = s.tokens.access_token().await.unwrap();
    assert_eq!(calendar_list_status(&s.fake, &fresh).await, 200);
    assert_eq!(*status.borrow_and_update(), AccountStatus::SignedIn);
}

#[tokio::test]
async fn inside_the_lead_time_an_outage_still_hands_out_the_working_token() {
    let s = signed_in(Duration::from_secs(30)).await;
    s.fake
        .control()
        .fail_next_token_requests(3, TokenFailure::ServerError);

    let token = s.tokens.access_token().await.unwrap();
    assert_eq!(
        token, s.issued.access_token,
        "30 s left: the old token still works"
    );
    assert_eq!(*s.tokens.status().borrow(), AccountStatus::Offline);
}

#[tokio::test]
async fn an_unreachable_google_is_offline_not_a_sign_out() {
    let s = signed_in(Duration::from_secs(0)).await;
    let Setup {
        fake,
        tokens,
        store,
        issued,
        ..
    } = s;
    drop(fake); // nothing listens on its port any more

    let err = tokens.access_token().await.expect_err("nobody answers");
    let TokenError::Offline(reason) = &err else {
        panic!("a connection failure must be offline, got {err:?}");
    };
    assert!(!reason.is_empty());
    assert_eq!(*tokens.status().borrow(), AccountStatus::Offline);
    assert_eq!(store.load(ACCOUNT).await.unwrap(), Some(issued));
}

#[tokio::test]
async fn a_hanging_token_endpoint_times_out_as_offline() {
    let fake = FakeGoogle::start(Options::default()).await.unwrap();
    let (access, refresh) = fake.control().issue_token_pair();
    fake.control()
        .fail_next_token_requests(1, TokenFailure::Hang);
    let app = app_for(&fake)
        .with_timeout(Duration::from_millis(300))
        .unwrap();
    let tokens = OAuthTokens::new(
        app,
        ACCOUNT,
        TokenSet {
            access_token: Sensitive::new(access),
            refresh_token: Some(Sensitive::new(refresh)),
            expires_at_ms: 0,
            scopes: vec![],
        },
        Arc::new(MemoryTokenStore::new()),
    )
    .with_retry(RetryPolicy {
        attempts: 1,
        ..QUICK_RETRY
    });

    let err = tokens
        .access_token()
        .await
        .expect_err("the endpoint never answered");
    assert!(matches!(err, TokenError::Offline(_)), "{err:?}");
    assert_eq!(*tokens.status().borrow(), AccountStatus::Offline);
}

#[tokio::test]
async fn sign_out_revokes_at_google_and_forgets_the_tokens() {
    let s = signed_in(Duration::from_secs(3600)).await;
    let app = app_for(&s.fake);
    let out = auth::sign_out(&app, s.store.as_ref(), ACCOUNT)
        .await
        .unwrap();
    assert!(out.revoked, "Google confirmed the revocation");
    assert_eq!(
        s.store.load(ACCOUNT).await.unwrap(),
        None,
        "the entry is gone"
    );
    assert_eq!(
        calendar_list_status(&s.fake, &s.issued.access_token).await,
        401,
        "revoking the refresh token ends its access tokens too"
    );
}

#[tokio::test]
async fn sign_out_without_google_still_forgets_the_tokens() {
    let s = signed_in(Duration::from_secs(3600)).await;
    let app = app_for(&s.fake);
    let Setup { fake, store, .. } = s;
    drop(fake);
    let out = auth::sign_out(&app, store.as_ref(), ACCOUNT).await.unwrap();
    assert!(!out.revoked, "revoking is best effort");
    assert!(
        store.accounts().is_empty(),
        "the tokens are deleted regardless"
    );
}

#[tokio::test]
async fn tokens_never_reach_the_log_or_error_messages() {
    let sink = CapturedLog::default();
    let _guard = sink.install_for_thread(tracing::Level::TRACE);

    let s = signed_in(Duration::from_secs(0)).await;
    let fresh = s.tokens.access_token().await.unwrap();
    s.fake.control().revoke_all_tokens();
    s.clock.advance(Duration::from_secs(7200));
    let err = s.tokens.access_token().await.unwrap_err();
    let app = app_for(&s.fake);
    auth::sign_out(&app, s.store.as_ref(), ACCOUNT)
        .await
        .unwrap();

    let log = sink.text();
    assert!(
        log.contains("access token refreshed"),
        "the log did capture this run: {log}"
    );
    let texts = [
        log,
        err.to_string(),
        format!("{err:?}"),
        format!("{:?}", s.issued),
    ];
    let secrets = [
        s.issued.access_token.expose().clone(),
        s.issued.refresh_token.clone().unwrap().into_inner(),
        fresh.into_inner(),
    ];
    for text in &texts {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a token leaked into: {text}"
            );
        }
    }
}

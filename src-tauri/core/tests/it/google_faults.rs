//! How the Calendar client rides out Google's bad moments, against fake-google:
//! rate limits and outages (backoff), expired access tokens (one refresh), and what it
//! gives up with when that is not enough.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use calwatch_core::google::{
    CalendarClient, FixedToken, GoogleError, RetryPolicy, TokenError, TokenSource,
};
use calwatch_core::secrets::Sensitive;
use fake_google::{Control, FakeGoogle, Faults, Options};

/// Fast enough for tests, still exercising every retry.
const FAST: RetryPolicy = RetryPolicy {
    max_attempts: 4,
    base: Duration::from_millis(1),
    cap: Duration::from_millis(5),
};

async fn start() -> anyhow::Result<(FakeGoogle, Control)> {
    let fake = FakeGoogle::start(Options::default()).await?;
    let control = fake.control();
    Ok((fake, control))
}

fn fixed_client(fake: &FakeGoogle, control: &Control) -> anyhow::Result<CalendarClient> {
    let token = Sensitive::new(control.issue_access_token());
    Ok(CalendarClient::new(&fake.api_base(), Arc::new(FixedToken(token)))?.with_retry_policy(FAST))
}

#[tokio::test]
async fn a_403_rate_limit_is_ridden_out_with_backoff() -> anyhow::Result<()> {
    let (fake, control) = start().await?;
    let client = fixed_client(&fake, &control)?;
    control.set_faults(Faults {
        rate_limit_next: 2,
        rate_limit_status: 403,
        ..Faults::default()
    });

    let calendars = client.calendar_list().await?;

    assert_eq!(
        calendars.len(),
        1,
        "the list arrives once Google lets us through"
    );
    assert_eq!(
        control.stats().calendar_list_calls,
        3,
        "two refused attempts, then the one that worked"
    );
    Ok(())
}

#[tokio::test]
async fn a_429_rate_limit_is_ridden_out_with_backoff() -> anyhow::Result<()> {
    let (fake, control) = start().await?;
    let client = fixed_client(&fake, &control)?;
    control.set_faults(Faults {
        rate_limit_next: 3,
        rate_limit_status: 429,
        ..Faults::default()
    });

    let delta = client.events_full("primary").await?;

    assert!(delta.events.is_empty());
    assert_eq!(control.stats().events_list_calls, 4);
    Ok(())
}

#[tokio::test]
async fn a_rate_limit_that_outlasts_the_attempts_is_reported() -> anyhow::Result<()> {
    let (fake, control) = start().await?;
    let client = fixed_client(&fake, &control)?;
    control.set_faults(Faults {
        rate_limit_next: 10,
        rate_limit_status: 403,
        ..Faults::default()
    });

    let err = client.calendar_list().await.unwrap_err();

    assert!(
        matches!(&err, GoogleError::RateLimited { reason, attempts: 4 } if reason == "rateLimitExceeded"),
        "the caller learns it was a rate limit, after the policy's 4 attempts: {err:?}"
    );
    assert_eq!(err.code(), "rate_limited");
    assert_eq!(
        control.stats().calendar_list_calls,
        4,
        "attempts are bounded"
    );
    Ok(())
}

#[tokio::test]
async fn a_503_is_retried() -> anyhow::Result<()> {
    let (fake, control) = start().await?;
    let client = fixed_client(&fake, &control)?;
    control.set_faults(Faults {
        server_error_next: 2,
        ..Faults::default()
    });

    client.calendar_list().await?;
    assert_eq!(control.stats().calendar_list_calls, 3);

    control.set_faults(Faults {
        server_error_next: 10,
        ..Faults::default()
    });
    let err = client.calendar_list().await.unwrap_err();
    assert_eq!(
        err,
        GoogleError::Server { status: 503 },
        "an outage longer than the attempts is reported as such"
    );
    Ok(())
}

/// A token source backed by fake-google: each refresh gets a fresh valid token.
struct RefreshingTokens {
    control: Control,
    current: Mutex<Sensitive<String>>,
    refreshes: AtomicUsize,
}

#[async_trait::async_trait]
impl TokenSource for RefreshingTokens {
    async fn access_token(&self) -> Result<Sensitive<String>, TokenError> {
        Ok(self.current.lock().unwrap().clone())
    }

    async fn refresh_after_unauthorized(
        &self,
        _rejected: &Sensitive<String>,
    ) -> Result<Sensitive<String>, TokenError> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        let fresh = Sensitive::new(self.control.issue_access_token());
        *self.current.lock().unwrap() = fresh.clone();
        Ok(fresh)
    }
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_then_succeeds() -> anyhow::Result<()> {
    let (fake, control) = start().await?;
    let tokens = Arc::new(RefreshingTokens {
        control: control.clone(),
        current: Mutex::new(Sensitive::new(control.issue_access_token())),
        refreshes: AtomicUsize::new(0),
    });
    let client = CalendarClient::new(&fake.api_base(), tokens.clone())?.with_retry_policy(FAST);
    control.expire_access_tokens();

    let calendars = client.calendar_list().await?;

    assert_eq!(calendars.len(), 1);
    assert_eq!(
        tokens.refreshes.load(Ordering::SeqCst),
        1,
        "one 401 costs exactly one refresh"
    );
    client.calendar_list().await?;
    assert_eq!(
        tokens.refreshes.load(Ordering::SeqCst),
        1,
        "the refreshed token keeps working without another refresh"
    );
    Ok(())
}

/// A token source whose refreshes produce tokens Google does not accept.
struct UselessRefresh {
    refreshes: AtomicUsize,
}

#[async_trait::async_trait]
impl TokenSource for UselessRefresh {
    async fn access_token(&self) -> Result<Sensitive<String>, TokenError> {
        Ok(Sensitive::new("ya29.never-issued".into()))
    }

    async fn refresh_after_unauthorized(
        &self,
        _rejected: &Sensitive<String>,
    ) -> Result<Sensitive<String>, TokenError> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        Ok(Sensitive::new("ya29.also-never-issued".into()))
    }
}

#[tokio::test]
async fn a_second_401_after_a_refresh_means_unauthorized() -> anyhow::Result<()> {
    let (fake, _control) = start().await?;
    let tokens = Arc::new(UselessRefresh {
        refreshes: AtomicUsize::new(0),
    });
    let client = CalendarClient::new(&fake.api_base(), tokens.clone())?.with_retry_policy(FAST);

    let err = client.calendar_list().await.unwrap_err();

    assert_eq!(err, GoogleError::Unauthorized);
    assert!(
        err.needs_sign_in(),
        "the window asks the user to sign in again"
    );
    assert_eq!(
        tokens.refreshes.load(Ordering::SeqCst),
        1,
        "a refresh is tried once, never in a loop"
    );
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("never-issued"),
        "no token in the error: {shown}"
    );
    Ok(())
}

#[tokio::test]
async fn a_dead_sign_in_surfaces_as_needs_sign_in() -> anyhow::Result<()> {
    let (fake, control) = start().await?;
    let client = fixed_client(&fake, &control)?;
    control.revoke_all_tokens();

    // FixedToken's refresh answers NeedsSignIn, as the OAuth source does on invalid_grant.
    let err = client.calendar_list().await.unwrap_err();

    assert_eq!(err, GoogleError::Token(TokenError::NeedsSignIn));
    assert_eq!(err.code(), "needs_sign_in");
    Ok(())
}

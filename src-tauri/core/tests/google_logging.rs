//! What the Calendar client writes to the log: enough to debug a request, never a token.
//! Alone in its own test binary because it installs the process-wide subscriber.

// Shared with the `it` binary, whose per-thread install this binary has no use for.
#[allow(dead_code)]
#[path = "it/support/log.rs"]
mod log;

use std::sync::Arc;
use std::time::Duration;

use calwatch_core::google::{CalendarClient, FixedToken, RetryPolicy};
use calwatch_core::secrets::Sensitive;
use fake_google::{FakeGoogle, Faults, Options};
use log::CapturedLog;

#[tokio::test]
async fn requests_are_logged_without_the_access_token() -> anyhow::Result<()> {
    let fake = FakeGoogle::start(Options::default()).await?;
    let control = fake.control();
    let token = control.issue_access_token();
    let client = CalendarClient::new(
        &fake.api_base(),
        Arc::new(FixedToken(Sensitive::new(token.clone()))),
    )?
    .with_retry_policy(RetryPolicy {
        max_attempts: 3,
        base: Duration::from_millis(1),
        cap: Duration::from_millis(5),
    });
    control.set_faults(Faults {
        rate_limit_next: 1,
        ..Faults::default()
    });
    let logs = CapturedLog::default();
    // Global, and alone in this test binary: tracing caches per-callsite interest
    // process-wide, so a thread-local subscriber next to other tests can miss events.
    tracing::subscriber::set_global_default(logs.subscriber(tracing::Level::TRACE))?;

    client.calendar_list().await?;
    client.events_full("primary").await?;

    let text = logs.text();
    assert!(
        text.contains("/calendar/v3/users/me/calendarList") && text.contains("status=200"),
        "method, path and status are logged for debugging: {text}"
    );
    assert!(
        text.contains("status=403"),
        "the refused attempt is logged too"
    );
    assert!(
        !text.contains(&token),
        "the access token must never reach a log"
    );
    Ok(())
}

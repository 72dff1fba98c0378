//! The Calendar client's reading side against fake-google over loopback HTTP:
//! calendar list and event syncs across pages, incremental changes, stale sync tokens.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use calwatch_core::google::{CalendarClient, FixedToken, GoogleError, RetryPolicy};
use calwatch_core::secrets::Sensitive;
use fake_google::{Control, FakeGoogle, Options};
use serde_json::json;

/// A started fake and a client holding one of its tokens, with `page_size` items per page.
async fn setup(page_size: u32) -> anyhow::Result<(FakeGoogle, Control, CalendarClient)> {
    let fake = FakeGoogle::start(Options::default()).await?;
    let control = fake.control();
    let token = Sensitive::new(control.issue_access_token());
    let client = CalendarClient::new(&fake.api_base(), Arc::new(FixedToken(token)))?
        .with_page_size(page_size)
        .with_retry_policy(RetryPolicy {
            max_attempts: 3,
            base: Duration::from_millis(1),
            cap: Duration::from_millis(5),
        });
    Ok((fake, control, client))
}

fn timed_event(summary: &str, day: u32) -> serde_json::Value {
    json!({
        "summary": summary,
        "start": {"dateTime": format!("2026-12-{day:02}T10:00:00+01:00"), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": format!("2026-12-{day:02}T11:00:00+01:00"), "timeZone": "Europe/Berlin"},
    })
}

#[tokio::test]
async fn calendar_list_gathers_every_page() -> anyhow::Result<()> {
    let (_fake, control, client) = setup(3).await?;
    let mut expected: BTreeSet<String> = BTreeSet::from([control.user_email()]);
    for n in 0..7 {
        let id = format!("team{n}@group.calendar.google.com");
        control.add_calendar(&id, &format!("Team {n}"), "Europe/Berlin");
        expected.insert(id);
    }

    let calendars = client.calendar_list().await?;

    let ids: BTreeSet<String> = calendars.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, expected, "every calendar of every page is listed once");
    assert_eq!(
        calendars.len(),
        expected.len(),
        "no calendar is listed twice"
    );
    assert!(
        control.stats().calendar_list_calls >= 3,
        "8 calendars at 3 a page take at least 3 requests"
    );
    let primary: Vec<_> = calendars.iter().filter(|c| c.primary).collect();
    assert_eq!(primary.len(), 1, "exactly one calendar is the primary");
    assert_eq!(
        primary[0].id,
        control.user_email(),
        "the primary is the user's email"
    );
    let team3 = calendars
        .iter()
        .find(|c| c.id.starts_with("team3"))
        .unwrap();
    assert_eq!(team3.display_name(), "Team 3");
    assert_eq!(team3.time_zone.as_deref(), Some("Europe/Berlin"));
    Ok(())
}

#[tokio::test]
async fn full_sync_gathers_every_page_and_ends_in_a_sync_token() -> anyhow::Result<()> {
    let (_fake, control, client) = setup(3).await?;
    // A '#' in the id would end the path early if it were not percent-encoded.
    let calendar = "en.usa#holiday@group.v.calendar.google.com";
    control.add_calendar(calendar, "Holidays", "America/New_York");
    let events: Vec<_> = (1..=8)
        .map(|day| timed_event(&format!("Day {day}"), day))
        .collect();
    control.insert_events_quietly(calendar, events);

    let delta = client.events_full(calendar).await?;

    let summaries: BTreeSet<_> = delta
        .events
        .iter()
        .filter_map(|e| e.summary.clone())
        .collect();
    let expected: BTreeSet<_> = (1..=8).map(|day| format!("Day {day}")).collect();
    assert_eq!(summaries, expected, "all 8 events arrive across the pages");
    assert_eq!(delta.events.len(), 8, "no event arrives twice");
    assert!(
        !delta.next_sync_token.is_empty(),
        "the last page's sync token is returned"
    );
    let calls = control.stats().events_list_calls_by_calendar[calendar];
    assert!(
        calls >= 3,
        "8 events at 3 a page take 3 requests, made {calls}"
    );
    let first = delta
        .events
        .iter()
        .find(|e| e.summary.as_deref() == Some("Day 1"))
        .unwrap();
    assert_eq!(
        first
            .start
            .as_ref()
            .and_then(|s| s.date_time)
            .map(|t| t.to_rfc3339()),
        Some("2026-12-01T10:00:00+01:00".to_string()),
        "times come back as Google wrote them"
    );
    Ok(())
}

#[tokio::test]
async fn incremental_sync_returns_exactly_what_was_created_updated_and_deleted(
) -> anyhow::Result<()> {
    let (_fake, control, client) = setup(2).await?;
    let calendar = control.user_email();
    let untouched = control.insert_event(&calendar, timed_event("Untouched", 1));
    let moved = control.insert_event(&calendar, timed_event("Team sync", 2));
    let dropped = control.insert_event(&calendar, timed_event("Dentist", 3));
    let full = client.events_full("primary").await?;
    assert_eq!(full.events.len(), 3);

    let created = control.insert_event(&calendar, timed_event("Offsite", 4));
    control.update_event(
        &calendar,
        moved["id"].as_str().unwrap(),
        json!({"start": {"dateTime": "2026-12-02T11:00:00+01:00"}, "end": {"dateTime": "2026-12-02T12:00:00+01:00"}}),
    );
    control.delete_event(&calendar, dropped["id"].as_str().unwrap());

    let delta = client
        .events_since("primary", &full.next_sync_token)
        .await?;

    let by_id: BTreeMap<&str, _> = delta.events.iter().map(|e| (e.id.as_str(), e)).collect();
    let expected_ids = BTreeSet::from([
        created["id"].as_str().unwrap(),
        moved["id"].as_str().unwrap(),
        dropped["id"].as_str().unwrap(),
    ]);
    assert_eq!(
        by_id.keys().copied().collect::<BTreeSet<_>>(),
        expected_ids,
        "only the created, updated and deleted events come back"
    );
    assert!(
        !by_id.contains_key(untouched["id"].as_str().unwrap()),
        "an unchanged event is not part of the delta"
    );
    let created_event = by_id[created["id"].as_str().unwrap()];
    assert_eq!(created_event.summary.as_deref(), Some("Offsite"));
    assert!(!created_event.is_cancelled());
    let moved_event = by_id[moved["id"].as_str().unwrap()];
    assert_eq!(
        moved_event
            .start
            .as_ref()
            .and_then(|s| s.date_time)
            .map(|t| t.to_rfc3339()),
        Some("2026-12-02T11:00:00+01:00".to_string()),
        "the update carries the new start"
    );
    assert!(
        by_id[dropped["id"].as_str().unwrap()].is_cancelled(),
        "a deleted event comes back as cancelled"
    );
    assert_ne!(delta.next_sync_token, full.next_sync_token);

    let nothing = client
        .events_since("primary", &delta.next_sync_token)
        .await?;
    assert!(
        nothing.events.is_empty(),
        "with no change since, the next delta is empty: {:?}",
        nothing.events
    );
    Ok(())
}

#[tokio::test]
async fn a_stale_sync_token_asks_for_a_full_sync() -> anyhow::Result<()> {
    let (_fake, control, client) = setup(50).await?;
    let calendar = control.user_email();
    control.insert_event(&calendar, timed_event("Team sync", 2));
    let full = client.events_full(&calendar).await?;
    control.expire_sync_tokens(&calendar);

    let err = client
        .events_since(&calendar, &full.next_sync_token)
        .await
        .unwrap_err();

    assert_eq!(err, GoogleError::SyncTokenExpired);
    assert_eq!(err.code(), "sync_token_expired");
    let again = client.events_full(&calendar).await?;
    assert_eq!(
        again.events.len(),
        1,
        "the full sync the error asks for works and finds the event again"
    );
    Ok(())
}

#[tokio::test]
async fn a_sync_token_google_cannot_read_is_treated_like_an_expired_one() -> anyhow::Result<()> {
    let (_fake, control, client) = setup(50).await?;
    let calendar = control.user_email();
    let err = client
        .events_since(&calendar, "damaged-token")
        .await
        .unwrap_err();
    assert_eq!(
        err,
        GoogleError::SyncTokenExpired,
        "Google's 400 “Invalid sync token value.” asks for the same full sync as a 410"
    );
    Ok(())
}

#[tokio::test]
async fn an_unknown_calendar_is_not_found() -> anyhow::Result<()> {
    let (_fake, _control, client) = setup(50).await?;
    let err = client
        .events_full("nobody@group.calendar.google.com")
        .await
        .unwrap_err();
    assert_eq!(err, GoogleError::NotFound);
    Ok(())
}

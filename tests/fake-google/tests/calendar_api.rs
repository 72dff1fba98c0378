//! calendarList.list and events.list behave like Google's: pagination, sync tokens that
//! return exactly what changed (deletions as `cancelled`), 410 for stale tokens, the
//! parameter rules, and the rate-limit / outage faults.

mod common;

use std::collections::BTreeSet;

use common::{api_get, fake, full_sync, incremental, seeded_fake, urlencode};
use fake_google::{Faults, WORK_CALENDAR};
use serde_json::{json, Value};

fn ids(items: &[Value]) -> BTreeSet<String> {
    items
        .iter()
        .map(|e| e["id"].as_str().expect("every item has an id").to_string())
        .collect()
}

fn timed(summary: &str, day: u32) -> Value {
    json!({
        "summary": summary,
        "start": {"dateTime": format!("2030-03-{day:02}T09:00:00Z")},
        "end": {"dateTime": format!("2030-03-{day:02}T10:00:00Z")},
    })
}

#[tokio::test]
async fn calendar_list_pages_with_the_primary_calendar_first() {
    let fake = fake().await;
    let control = fake.control();
    for n in 0..5 {
        control.add_calendar(
            &format!("extra{n}@group.calendar.google.com"),
            &format!("Extra {n}"),
            "UTC",
        );
    }
    let token = control.issue_access_token();
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut page_token: Option<String> = None;
    loop {
        let mut path = "/users/me/calendarList?maxResults=2".to_string();
        if let Some(t) = &page_token {
            path.push_str(&format!("&pageToken={}", urlencode(t)));
        }
        let (status, body) = api_get(&fake, &token, &path).await;
        assert_eq!(status, 200, "{body}");
        pages += 1;
        seen.extend(body["items"].as_array().cloned().unwrap_or_default());
        match body["nextPageToken"].as_str() {
            Some(next) => page_token = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3, "six calendars at two per page is three pages");
    assert_eq!(seen.len(), 6);
    assert_eq!(
        seen[0]["id"],
        control.user_email(),
        "the primary calendar's id is the user's email"
    );
    assert_eq!(seen[0]["primary"], true);
    assert!(
        seen[1..].iter().all(|c| c.get("primary").is_none()),
        "only one calendar is primary"
    );
}

#[tokio::test]
async fn a_full_sync_walks_every_page_and_only_the_last_has_a_sync_token() {
    let fake = fake().await;
    let control = fake.control();
    let events: Vec<Value> = (1..=7).map(|d| timed(&format!("Event {d}"), d)).collect();
    control.insert_events_quietly("primary", events);
    let token = control.issue_access_token();
    let (items, pages, sync) = full_sync(&fake, &token, "primary", 3).await;
    assert_eq!(pages, 3, "seven events at three per page");
    assert_eq!(ids(&items).len(), 7, "every event exactly once");
    assert!(!sync.is_empty());
    assert_eq!(control.stats().events_list_calls, 3);
    assert_eq!(
        control.stats().events_list_calls_by_calendar[&control.user_email()],
        3,
        "primary resolves to the email"
    );
}

#[tokio::test]
async fn an_incremental_sync_returns_exactly_the_created_updated_and_deleted_events() {
    let fake = fake().await;
    let control = fake.control();
    let kept = control.insert_event("primary", timed("Kept", 1));
    let renamed = control.insert_event("primary", timed("Before", 2));
    let doomed = control.insert_event("primary", timed("Doomed", 3));
    let token = control.issue_access_token();
    let (_, _, sync) = full_sync(&fake, &token, "primary", 250).await;

    let created = control.insert_event("primary", timed("Created", 4));
    control.update_event(
        "primary",
        renamed["id"].as_str().unwrap(),
        json!({"summary": "After"}),
    );
    control.delete_event("primary", doomed["id"].as_str().unwrap());

    let (items, _, next) = incremental(&fake, &token, "primary", &sync).await;
    let expected: BTreeSet<String> = [&created, &renamed, &doomed]
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids(&items), expected, "only what changed since the token");
    assert!(
        !ids(&items).contains(kept["id"].as_str().unwrap()),
        "untouched events stay out"
    );
    let by_id = |id: &Value| items.iter().find(|e| e["id"] == *id).cloned().unwrap();
    assert_eq!(by_id(&renamed["id"])["summary"], "After");
    assert_eq!(
        by_id(&doomed["id"])["status"],
        "cancelled",
        "a deletion arrives as a cancelled event"
    );
    assert_eq!(by_id(&created["id"])["status"], "confirmed");

    let (items, _, _) = incremental(&fake, &token, "primary", &next).await;
    assert!(
        items.is_empty(),
        "nothing changed since the newest token: {items:?}"
    );
}

#[tokio::test]
async fn incremental_results_page_too() {
    let fake = fake().await;
    let control = fake.control();
    let token = control.issue_access_token();
    let (_, _, sync) = full_sync(&fake, &token, "primary", 250).await;
    for d in 1..=5 {
        control.insert_event("primary", timed("New", d));
    }
    let mut pages = 0;
    let mut page_token: Option<String> = None;
    let mut count = 0;
    loop {
        let mut path = format!(
            "/calendars/primary/events?maxResults=2&syncToken={}",
            urlencode(&sync)
        );
        if let Some(t) = &page_token {
            path.push_str(&format!("&pageToken={}", urlencode(t)));
        }
        let (status, body) = api_get(&fake, &token, &path).await;
        assert_eq!(status, 200, "{body}");
        pages += 1;
        count += body["items"].as_array().unwrap().len();
        match body["nextPageToken"].as_str() {
            Some(t) => page_token = Some(t.to_string()),
            None => {
                assert!(body["nextSyncToken"].is_string());
                break;
            }
        }
    }
    assert_eq!((pages, count), (3, 5));
}

#[tokio::test]
async fn an_expired_sync_token_answers_410_and_a_fresh_full_sync_recovers() {
    let fake = seeded_fake().await;
    let control = fake.control();
    let token = control.issue_access_token();
    let (_, _, sync) = full_sync(&fake, &token, WORK_CALENDAR, 250).await;
    control.expire_sync_tokens(WORK_CALENDAR);
    let path = format!(
        "/calendars/{}/events?syncToken={}",
        urlencode(WORK_CALENDAR),
        urlencode(&sync)
    );
    let (status, body) = api_get(&fake, &token, &path).await;
    assert_eq!(status, 410);
    assert_eq!(body["error"]["errors"][0]["reason"], "fullSyncRequired");
    let (items, _, fresh) = full_sync(&fake, &token, WORK_CALENDAR, 250).await;
    assert!(!items.is_empty());
    let (changes, _, _) = incremental(&fake, &token, WORK_CALENDAR, &fresh).await;
    assert!(changes.is_empty(), "the new token works");
    let (status, _) = api_get(
        &fake,
        &token,
        &format!("/calendars/primary/events?syncToken={}", urlencode(&fresh)),
    )
    .await;
    assert_eq!(status, 400, "a token from another calendar is not accepted");
}

#[tokio::test]
async fn parameters_that_change_the_result_set_are_refused_with_a_sync_token() {
    let fake = fake().await;
    let token = fake.control().issue_access_token();
    let (_, _, sync) = full_sync(&fake, &token, "primary", 250).await;
    for param in [
        "q=x",
        "timeMin=2030-01-01T00:00:00Z",
        "timeMax=2030-01-01T00:00:00Z",
        "orderBy=updated",
        "updatedMin=2030-01-01T00:00:00Z",
        "iCalUID=x",
        "privateExtendedProperty=a%3Db",
        "sharedExtendedProperty=a%3Db",
        "showDeleted=false",
    ] {
        let (status, body) = api_get(
            &fake,
            &token,
            &format!(
                "/calendars/primary/events?syncToken={}&{param}",
                urlencode(&sync)
            ),
        )
        .await;
        assert_eq!(
            status, 400,
            "{param} with syncToken must be refused: {body}"
        );
    }
    let (status, _) = api_get(
        &fake,
        &token,
        &format!(
            "/calendars/primary/events?syncToken={}&showDeleted=true&maxResults=10",
            urlencode(&sync)
        ),
    )
    .await;
    assert_eq!(
        status, 200,
        "showDeleted=true and maxResults are fine with a sync token"
    );
}

#[tokio::test]
async fn max_results_defaults_to_250_and_is_capped_at_2500() {
    let fake = fake().await;
    let control = fake.control();
    let events: Vec<Value> = (0..2600).map(|n| json!({"summary": format!("Bulk {n}"), "start": {"date": "2030-01-01"}, "end": {"date": "2030-01-02"}})).collect();
    control.insert_events_quietly("primary", events);
    let token = control.issue_access_token();
    let (_, body) = api_get(&fake, &token, "/calendars/primary/events").await;
    assert_eq!(body["items"].as_array().unwrap().len(), 250);
    let (_, body) = api_get(&fake, &token, "/calendars/primary/events?maxResults=9999").await;
    assert_eq!(body["items"].as_array().unwrap().len(), 2500);
    let (status, _) = api_get(&fake, &token, "/calendars/primary/events?maxResults=0").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_full_sync_hides_cancelled_events_unless_asked() {
    let fake = fake().await;
    let control = fake.control();
    let gone = control.insert_event("primary", timed("Gone", 1));
    control.insert_event("primary", timed("Here", 2));
    control.delete_event("primary", gone["id"].as_str().unwrap());
    let token = control.issue_access_token();
    let (items, _, _) = full_sync(&fake, &token, "primary", 250).await;
    assert_eq!(items.len(), 1);
    let (_, body) = api_get(&fake, &token, "/calendars/primary/events?showDeleted=true").await;
    assert_eq!(body["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        control.events("primary").len(),
        2,
        "Control::events includes cancelled ones"
    );
}

#[tokio::test]
async fn cancelling_a_series_cancels_its_moved_instance_too() {
    let fake = seeded_fake().await;
    let control = fake.control();
    let token = control.issue_access_token();
    let (items, _, sync) = full_sync(&fake, &token, WORK_CALENDAR, 250).await;
    let series = items
        .iter()
        .find(|e| e.get("recurrence").is_some())
        .expect("the seed has a series");
    let exception = items
        .iter()
        .find(|e| e["recurringEventId"] == series["id"])
        .expect("the seed has a moved instance");
    assert!(exception["originalStartTime"]["dateTime"].is_string());
    control.delete_event(WORK_CALENDAR, series["id"].as_str().unwrap());
    let (changes, _, _) = incremental(&fake, &token, WORK_CALENDAR, &sync).await;
    assert_eq!(changes.len(), 2);
    assert!(changes.iter().all(|e| e["status"] == "cancelled"));
    let moved = changes
        .iter()
        .find(|e| e["id"] == exception["id"])
        .expect("exception listed");
    assert_eq!(
        moved["recurringEventId"], series["id"],
        "a cancelled exception keeps its series id"
    );
    assert!(
        moved.get("summary").is_none(),
        "cancelled events carry only what Google guarantees"
    );
}

#[tokio::test]
async fn a_series_rule_is_listed_as_last_written_and_gone_once_removed() {
    let fake = fake().await;
    let control = fake.control();
    let mut weekly = timed("Standup", 3);
    weekly["recurrence"] = json!([
        "RRULE:FREQ=WEEKLY;WKST=SU;BYDAY=TU",
        "EXDATE;TZID=Europe/London:20300310T090000"
    ]);
    let series = control.insert_event("primary", weekly);
    let id = series["id"].as_str().unwrap();
    let token = control.issue_access_token();
    let (items, _, sync) = full_sync(&fake, &token, "primary", 250).await;
    assert_eq!(
        items[0]["recurrence"], series["recurrence"],
        "every line, in order"
    );

    // "Delete this and all following": Google rewrites the whole list.
    let cut = json!(["RRULE:FREQ=WEEKLY;WKST=SU;UNTIL=20300316T235959Z;BYDAY=TU"]);
    control.update_event("primary", id, json!({"recurrence": cut}));
    let (items, _, sync) = incremental(&fake, &token, "primary", &sync).await;
    assert_eq!(
        items[0]["recurrence"], cut,
        "the new list replaces the old one, not merged into it"
    );

    control.update_event("primary", id, json!({"recurrence": null}));
    let (items, _, _) = incremental(&fake, &token, "primary", &sync).await;
    assert!(
        items[0].get("recurrence").is_none(),
        "a series that no longer repeats lists no rule: {}",
        items[0]
    );
}

#[tokio::test]
async fn unknown_calendars_are_404_and_primary_is_an_alias() {
    let fake = fake().await;
    let control = fake.control();
    control.insert_event("primary", timed("Mine", 1));
    let token = control.issue_access_token();
    let (status, _) = api_get(&fake, &token, "/calendars/nobody%40example.com/events").await;
    assert_eq!(status, 404);
    let (_, by_alias) = api_get(&fake, &token, "/calendars/primary/events").await;
    let (_, by_email) = api_get(
        &fake,
        &token,
        &format!("/calendars/{}/events", urlencode(&control.user_email())),
    )
    .await;
    assert_eq!(by_alias["items"], by_email["items"]);
}

#[tokio::test]
async fn rate_limit_and_outage_faults_hit_the_next_calls_then_clear() {
    let fake = fake().await;
    let control = fake.control();
    let token = control.issue_access_token();
    control.set_faults(Faults {
        rate_limit_next: 2,
        ..Faults::default()
    });
    for _ in 0..2 {
        let (status, body) = api_get(&fake, &token, "/calendars/primary/events").await;
        assert_eq!(status, 403);
        assert_eq!(body["error"]["errors"][0]["reason"], "rateLimitExceeded");
        assert_eq!(body["error"]["errors"][0]["domain"], "usageLimits");
    }
    let (status, _) = api_get(&fake, &token, "/calendars/primary/events").await;
    assert_eq!(status, 200, "the fault covers exactly the next two calls");
    assert_eq!(
        control.stats().events_list_calls,
        3,
        "faulted attempts are counted too"
    );

    control.set_faults(Faults {
        rate_limit_next: 1,
        rate_limit_status: 429,
        server_error_next: 1,
        ..Faults::default()
    });
    let (status, _) = api_get(&fake, &token, "/users/me/calendarList").await;
    assert_eq!(status, 429);
    let (status, body) = api_get(&fake, &token, "/users/me/calendarList").await;
    assert_eq!(status, 503);
    assert_eq!(body["error"]["errors"][0]["reason"], "backendError");
    let (status, _) = api_get(&fake, &token, "/users/me/calendarList").await;
    assert_eq!(status, 200);
    assert_eq!(control.stats().calendar_list_calls, 3);
}

//! Calendar lists of several users: sharing, removal, renames and hiding as
//! calendarList.list shows them in full and incrementally (sync tokens, 410, paging), and
//! as calendarList.watch channels hear of them.

mod common;

use common::{api_get, api_post, fake, urlencode, watch, Receiver};
use fake_google::{ChannelState, FakeGoogle, Faults, ListEntryChange};
use serde_json::{json, Value};

const SECOND: &str = "second@example.com";
const TEAM: &str = "team@group.calendar.google.com";

/// A fake with a second user and a "Team" calendar owned by the first; the second user's
/// access token.
async fn two_users() -> (FakeGoogle, String) {
    let fake = fake().await;
    let control = fake.control();
    control.add_user(SECOND);
    control.add_calendar(TEAM, "Team", "Europe/Berlin");
    let token = control.issue_access_token_for(SECOND);
    (fake, token)
}

/// Every page of a calendarList listing (`query` without pageToken); the items, the number
/// of pages and the final nextSyncToken.
async fn list_all(fake: &FakeGoogle, token: &str, query: &str) -> (Vec<Value>, usize, String) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut page_token: Option<String> = None;
    loop {
        let mut path = format!("/users/me/calendarList?{query}");
        if let Some(page) = &page_token {
            path.push_str(&format!("&pageToken={}", urlencode(page)));
        }
        let (status, body) = api_get(fake, token, &path).await;
        assert_eq!(status, 200, "calendarList.list page should succeed: {body}");
        pages += 1;
        items.extend(body["items"].as_array().cloned().unwrap_or_default());
        match (
            body["nextPageToken"].as_str(),
            body["nextSyncToken"].as_str(),
        ) {
            (Some(_), Some(_)) => panic!("a page never carries both tokens: {body}"),
            (Some(next), None) => page_token = Some(next.to_string()),
            (None, Some(sync)) => return (items, pages, sync.to_string()),
            (None, None) => panic!("the last page must carry nextSyncToken: {body}"),
        }
    }
}

/// The changes since `sync_token`.
async fn changes(fake: &FakeGoogle, token: &str, sync_token: &str) -> (Vec<Value>, String) {
    let (items, _, next) =
        list_all(fake, token, &format!("syncToken={}", urlencode(sync_token))).await;
    (items, next)
}

fn ids(items: &[Value]) -> Vec<&str> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap_or("?"))
        .collect()
}

#[tokio::test]
async fn a_shared_calendar_appears_in_the_incremental_list_with_the_same_events() {
    let (fake, second) = two_users().await;
    let control = fake.control();
    let (items, _, sync) = list_all(&fake, &second, "").await;
    assert_eq!(
        ids(&items),
        vec![SECOND],
        "before sharing: only their primary"
    );
    let lunch = control.insert_event(TEAM, json!({"summary": "Team lunch"}));

    control.share_calendar(TEAM, SECOND, "reader");
    let (changed, sync) = changes(&fake, &second, &sync).await;
    assert_eq!(ids(&changed), vec![TEAM], "the share is the one change");
    assert_eq!(changed[0]["accessRole"], "reader");
    assert_eq!(changed[0]["summary"], "Team");
    let (unchanged, _) = changes(&fake, &second, &sync).await;
    assert!(unchanged.is_empty(), "nothing changed since: {unchanged:?}");

    let (status, events) = api_get(
        &fake,
        &second,
        &format!("/calendars/{}/events", urlencode(TEAM)),
    )
    .await;
    assert_eq!(status, 200, "{events}");
    assert_eq!(
        events["items"][0]["id"], lunch["id"],
        "one calendar, the same events"
    );
    assert_eq!(
        events["accessRole"], "reader",
        "events.list reports the caller's role"
    );
    let (_, first_list) = api_get(
        &fake,
        &control.issue_access_token(),
        "/users/me/calendarList",
    )
    .await;
    let team = first_list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == TEAM))
        .expect("the owner still lists it");
    assert_eq!(
        team["accessRole"], "owner",
        "the owner keeps their own role"
    );
    let stats = control.stats();
    assert_eq!(
        stats.calendar_list_sync_calls, 2,
        "two incremental listings"
    );
    assert_eq!(stats.calendar_list_calls_by_user.get(SECOND), Some(&3));
}

#[tokio::test]
async fn a_removed_calendar_is_listed_deleted_and_answers_404_to_its_former_reader() {
    let (fake, second) = two_users().await;
    let control = fake.control();
    control.share_calendar(TEAM, SECOND, "writer");
    let (_, _, sync) = list_all(&fake, &second, "").await;
    let receiver = Receiver::start().await;
    let (status, _) = watch(&fake, &second, TEAM, "second-team", receiver.url()).await;
    assert_eq!(status, 200);
    let first = control.issue_access_token();
    let (status, _) = watch(&fake, &first, TEAM, "first-team", receiver.url()).await;
    assert_eq!(status, 200);
    control.wait_for_deliveries_idle().await;

    control.remove_from_calendar_list(SECOND, TEAM);
    let (changed, _) = changes(&fake, &second, &sync).await;
    assert_eq!(ids(&changed), vec![TEAM]);
    assert_eq!(
        changed[0]["deleted"], true,
        "the removal is told as deleted: {changed:?}"
    );
    let (items, _, _) = list_all(&fake, &second, "").await;
    assert_eq!(ids(&items), vec![SECOND], "a full listing leaves it out");
    let (items, _, _) = list_all(&fake, &second, "showDeleted=true").await;
    assert_eq!(
        ids(&items),
        vec![SECOND, TEAM],
        "showDeleted shows the tombstone"
    );

    let path = format!("/calendars/{}/events", urlencode(TEAM));
    let (status, body) = api_get(&fake, &second, &path).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["errors"][0]["reason"], "notFound");
    let (status, body) = watch(&fake, &second, TEAM, "second-again", receiver.url()).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], 404);

    control.insert_event(TEAM, json!({"summary": "After"}));
    control.wait_for_deliveries_idle().await;
    let states: Vec<String> = receiver
        .for_channel("second-team")
        .iter()
        .map(|r| r.state().to_string())
        .collect();
    assert_eq!(
        states,
        vec!["sync"],
        "the former reader's channel hears nothing more"
    );
    assert_eq!(
        receiver.for_channel("first-team").len(),
        2,
        "the owner's channel still hears the change"
    );
    let channel = control
        .channels()
        .into_iter()
        .find(|c| c.id == "second-team")
        .expect("kept");
    assert_ne!(channel.state, ChannelState::Live);
}

#[tokio::test]
async fn renames_colours_and_hiding_show_in_the_incremental_list() {
    let (fake, second) = two_users().await;
    let control = fake.control();
    control.share_calendar(TEAM, SECOND, "reader");
    let (_, _, sync) = list_all(&fake, &second, "").await;

    control.rename_calendar(TEAM, "Team (Berlin)");
    let (changed, sync) = changes(&fake, &second, &sync).await;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["summary"], "Team (Berlin)");

    control.update_calendar_list_entry(
        SECOND,
        TEAM,
        ListEntryChange {
            summary_override: Some(Some("Work friends".into())),
            color_id: Some("11".into()),
            background_color: Some("#dc2127".into()),
            ..ListEntryChange::default()
        },
    );
    let (changed, sync) = changes(&fake, &second, &sync).await;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["summaryOverride"], "Work friends");
    assert_eq!(
        changed[0]["summary"], "Team (Berlin)",
        "summary stays the calendar's"
    );
    assert_eq!(changed[0]["backgroundColor"], "#dc2127");
    assert_eq!(changed[0]["colorId"], "11");

    control.hide_calendar(SECOND, TEAM, true);
    let (changed, _) = changes(&fake, &second, &sync).await;
    assert_eq!(ids(&changed), vec![TEAM], "a sync token implies showHidden");
    assert_eq!(changed[0]["hidden"], true);
    let (items, _, _) = list_all(&fake, &second, "").await;
    assert_eq!(ids(&items), vec![SECOND], "hidden entries need showHidden");
    let (items, _, _) = list_all(&fake, &second, "showHidden=true").await;
    assert_eq!(ids(&items), vec![SECOND, TEAM]);
}

#[tokio::test]
async fn an_invalidated_list_sync_token_answers_410_and_bad_ones_400() {
    let (fake, second) = two_users().await;
    let control = fake.control();
    let (_, _, sync) = list_all(&fake, &second, "").await;
    let (status, page) = api_get(&fake, &second, "/users/me/calendarList?maxResults=1").await;
    assert_eq!(status, 200);
    assert!(
        page["nextSyncToken"].is_string(),
        "one calendar fits one page"
    );

    control.expire_calendar_list_sync_tokens(SECOND);
    let path = format!("/users/me/calendarList?syncToken={}", urlencode(&sync));
    let (status, body) = api_get(&fake, &second, &path).await;
    assert_eq!(status, 410, "{body}");
    assert_eq!(body["error"]["errors"][0]["reason"], "fullSyncRequired");
    let (_, _, fresh) = list_all(&fake, &second, "").await;
    let (changed, _) = changes(&fake, &second, &fresh).await;
    assert!(changed.is_empty(), "a new full sync's token works again");

    let first = control.issue_access_token();
    let (_, _, first_sync) = list_all(&fake, &first, "").await;
    let (status, _) = api_get(
        &fake,
        &second,
        &format!(
            "/users/me/calendarList?syncToken={}",
            urlencode(&first_sync)
        ),
    )
    .await;
    assert_eq!(status, 400, "another user's token is not valid here");
    let (status, _) = api_get(
        &fake,
        &second,
        &format!(
            "/users/me/calendarList?minAccessRole=reader&syncToken={}",
            urlencode(&fresh)
        ),
    )
    .await;
    assert_eq!(status, 400, "minAccessRole cannot go with syncToken");
}

#[tokio::test]
async fn full_and_incremental_listings_page_by_max_results() {
    let (fake, second) = two_users().await;
    let control = fake.control();
    for i in 0..6 {
        let id = format!("c{i}@group.calendar.google.com");
        control.add_calendar(&id, &format!("C{i}"), "UTC");
        control.share_calendar(&id, SECOND, "reader");
    }
    let (items, pages, sync) = list_all(&fake, &second, "maxResults=2").await;
    assert_eq!((items.len(), pages), (7, 4), "seven entries, two a page");

    for i in [1, 3, 5] {
        control.rename_calendar(&format!("c{i}@group.calendar.google.com"), "Renamed");
    }
    control.remove_from_calendar_list(SECOND, "c0@group.calendar.google.com");
    control.rename_calendar("c1@group.calendar.google.com", "Renamed twice");
    let (items, pages, _) = list_all(
        &fake,
        &second,
        &format!("maxResults=2&syncToken={}", urlencode(&sync)),
    )
    .await;
    assert_eq!(
        ids(&items),
        vec![
            "c3@group.calendar.google.com",
            "c5@group.calendar.google.com",
            "c0@group.calendar.google.com",
            "c1@group.calendar.google.com",
        ],
        "each changed entry once, in change order"
    );
    assert_eq!(pages, 2);
    assert_eq!(items[3]["summary"], "Renamed twice", "as it is now");
}

#[tokio::test]
async fn calendar_list_watch_delivers_sync_then_exists_until_stopped() {
    let (fake, second) = two_users().await;
    let control = fake.control();
    let receiver = Receiver::start().await;
    let body = json!({
        "id": "list-chan",
        "type": "web_hook",
        "address": receiver.url(),
        "token": "list-secret",
        "params": {"ttl": "3600"},
    });
    let (status, channel) = api_post(&fake, &second, "/users/me/calendarList/watch", &body).await;
    assert_eq!(status, 200, "{channel}");
    assert_eq!(channel["kind"], "api#channel");
    assert!(channel["resourceUri"]
        .as_str()
        .is_some_and(|u| u.contains("/users/me/calendarList")));
    control.wait_for_deliveries_idle().await;
    control.share_calendar(TEAM, SECOND, "reader");
    control.hide_calendar(SECOND, TEAM, true);
    control.insert_event(TEAM, json!({"summary": "not a list change"}));
    control.remove_from_calendar_list(SECOND, TEAM);
    control.wait_for_deliveries_idle().await;

    let got = receiver.for_channel("list-chan");
    let states: Vec<&str> = got.iter().map(|r| r.state()).collect();
    assert_eq!(
        states,
        vec!["sync", "exists", "exists", "exists"],
        "share, hide, remove"
    );
    assert_eq!(got[0].number(), 1);
    assert!(
        got.windows(2).all(|w| w[0].number() < w[1].number()),
        "numbers grow"
    );
    for message in &got {
        assert_eq!(message.header("X-Goog-Channel-Token"), "list-secret");
        assert_eq!(message.header("X-Goog-Resource-ID"), channel["resourceId"]);
        assert_eq!(
            message.header("X-Goog-Resource-URI"),
            channel["resourceUri"]
        );
        assert!(!message.header("X-Goog-Channel-Expiration").is_empty());
    }

    let stop = json!({"id": "list-chan", "resourceId": channel["resourceId"]});
    let first = control.issue_access_token();
    let (status, _) = api_post(&fake, &first, "/channels/stop", &stop).await;
    assert_eq!(status, 404, "only its owner can stop it");
    let (status, _) = api_post(&fake, &second, "/channels/stop", &stop).await;
    assert_eq!(status, 204);
    control.share_calendar(TEAM, SECOND, "reader");
    control.wait_for_deliveries_idle().await;
    assert_eq!(
        receiver.for_channel("list-chan").len(),
        4,
        "nothing after stop"
    );
    let info = control
        .channels()
        .into_iter()
        .find(|c| c.id == "list-chan")
        .expect("kept");
    assert_eq!(info.calendar_list_user.as_deref(), Some(SECOND));
    assert_eq!(info.state, ChannelState::Stopped);
    assert_eq!(control.stats().calendar_list_watch_calls, 1);
    assert_eq!(
        control.stats().watch_calls,
        0,
        "events.watch is counted apart"
    );
}

#[tokio::test]
async fn calendar_list_channels_share_the_watch_rules_and_delivery_faults() {
    let (fake, second) = two_users().await;
    let control = fake.control();
    let receiver = Receiver::start().await;
    let watch_list = |id: &str, address: &str| {
        let body = json!({"id": id, "type": "web_hook", "address": address});
        let fake = &fake;
        let second = second.clone();
        async move { api_post(fake, &second, "/users/me/calendarList/watch", &body).await }
    };
    let (status, body) = watch_list("bad id!", receiver.url()).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = watch_list("ftp", "ftp://example.com/n").await;
    assert_eq!(status, 400, "{body}");
    let (status, channel) = watch_list("dup-list", receiver.url()).await;
    assert_eq!(status, 200, "{channel}");
    let (status, _) = watch_list("dup-list", receiver.url()).await;
    assert_eq!(status, 400, "channel ids are unique");
    control.wait_for_deliveries_idle().await;

    control.set_faults(Faults {
        duplicate_deliveries: true,
        ..Faults::default()
    });
    control.share_calendar(TEAM, SECOND, "reader");
    control.wait_for_deliveries_idle().await;
    let got = receiver.for_channel("dup-list");
    assert_eq!(got.len(), 3, "sync, then exists twice");
    assert_eq!(
        got[1].number(),
        got[2].number(),
        "a duplicate repeats the number"
    );

    control.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    control.hide_calendar(SECOND, TEAM, true);
    control.wait_for_deliveries_idle().await;
    assert_eq!(
        receiver.for_channel("dup-list").len(),
        3,
        "the exists was dropped"
    );
    assert_eq!(control.stats().deliveries_dropped, 1);

    control.reset_faults();
    control.expire_channel("dup-list");
    control.hide_calendar(SECOND, TEAM, false);
    control.wait_for_deliveries_idle().await;
    assert_eq!(
        receiver.for_channel("dup-list").len(),
        3,
        "nothing after expiry"
    );
}

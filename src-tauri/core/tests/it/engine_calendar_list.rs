//! Each account's calendar list is watched (`calendarList.watch` on the same receiver): a
//! calendar shared with the person appears at once and is offered in a toast (or watched,
//! when they chose so); one removed or hidden is let go once; a renamed one shows its new
//! name; a stale list sync token lists in full without toasting what was known. Against
//! fake-google over loopback HTTP, with a real SQLite file.

use std::time::Duration;

use crate::engine_support::{browser_as, heard, quick, Harness, RecordingNotifier, PATIENCE};
use calwatch_core::engine::{EngineEvent, SettingsPatch};
use calwatch_core::notice::Notice;
use calwatch_core::store::CalendarKey;
use fake_google::{ChannelInfo, ChannelState as GoogleState, ListEntryChange};
use reqwest::StatusCode;

/// A second person, who signs in beside the first.
const OTHER: &str = "colleague@example.com";
/// A calendar that comes to a list during a test.
const OFFSITE: &str = "offsite@group.calendar.google.com";
/// Another one.
const PLANNING: &str = "planning@group.calendar.google.com";

/// Waits until `probe` finds something, and returns it.
async fn until<T>(what: &str, probe: impl FnMut() -> Option<T>) -> T {
    until_within(PATIENCE, what, probe).await
}

/// [`until`], waiting up to `limit` (time is paused: a long wait costs nothing).
async fn until_within<T>(limit: Duration, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    tokio::time::timeout(limit, async {
        loop {
            if let Some(found) = probe() {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("never happened: {what}"))
}

/// fake-google's live calendarList channel of `account`, if there is one.
fn live_list_channel(h: &Harness, account: &str) -> Option<ChannelInfo> {
    h.control
        .channels()
        .into_iter()
        .find(|c| c.calendar_list_user.as_deref() == Some(account) && c.state == GoogleState::Live)
}

/// Waits until `account`'s calendar list is watched at fake-google, and until the listing
/// that follows the watch is done, so what a test changes next is a change.
async fn list_watched(h: &Harness, account: &str) -> ChannelInfo {
    let channel = until(&format!("{account}'s calendar list is watched"), || {
        live_list_channel(h, account)
    })
    .await;
    settle_list(h, account).await;
    channel
}

/// The new-calendar offers shown so far: (account, calendar id, name, headline).
fn offers(notifier: &RecordingNotifier) -> Vec<(String, String, String, String)> {
    notifier
        .notices()
        .into_iter()
        .filter_map(|n| match &n {
            Notice::NewCalendar {
                account,
                calendar_id,
                calendar_name,
            } => Some((
                account.clone(),
                calendar_id.clone(),
                calendar_name.clone(),
                n.headline(),
            )),
            _ => None,
        })
        .collect()
}

/// Lets every notification fake-google has queued arrive, then waits until the list
/// syncs they (and the engine itself) started are done (a listing asked for now runs
/// after them).
async fn settle_list(h: &Harness, account: &str) {
    h.control.wait_for_deliveries_idle().await;
    // Listings the engine started itself (at start, sign-in, a new address) finish first:
    // one of them still to come would count as the test's.
    h.engine.calendar_lists_settled().await;
    h.engine
        .sync_calendar_list(account)
        .await
        .expect("the calendar list is read");
}

/// Signs the second person in beside the first, and waits until their list is watched.
async fn sign_in_other(h: &Harness) -> ChannelInfo {
    h.control.add_user(OTHER);
    h.engine
        .sign_in(browser_as(OTHER))
        .await
        .expect("the second account signs in");
    list_watched(h, OTHER).await
}

/// A signed-in person whose calendar list is watched makes "Team Offsite", which comes to
/// their own list and is offered; returns the harness and their account.
async fn offsite_offered() -> (Harness, String) {
    let h = Harness::start(quick).await;
    let me = h.calendar.clone();
    list_watched(&h, &me).await;
    h.control
        .add_calendar(OFFSITE, "Team Offsite", "Europe/London");
    h.notifier.wait_for(1).await;
    (h, me)
}

#[tokio::test(start_paused = true)]
async fn a_shared_calendar_appears_at_once_and_a_toast_offers_to_watch_it() {
    // The first person makes a calendar: it comes to their own list.
    let (h, me) = offsite_offered().await;
    sign_in_other(&h).await;
    let mut events = h.engine.subscribe();
    let incremental = h.control.stats().calendar_list_sync_calls;

    h.control.share_calendar(OFFSITE, OTHER, "reader");
    h.notifier.wait_for(2).await;

    let offered = offers(&h.notifier);
    assert_eq!(
        offered,
        vec![
            (
                me.clone(),
                OFFSITE.to_string(),
                "Team Offsite".to_string(),
                "New calendar: Team Offsite — Watch?".to_string()
            ),
            (
                OTHER.to_string(),
                OFFSITE.to_string(),
                "Team Offsite".to_string(),
                "New calendar: Team Offsite — Watch?".to_string()
            ),
        ],
        "each list that gained the calendar offers it once, in words"
    );
    let shared = h
        .engine
        .calendars()
        .expect("calendars")
        .into_iter()
        .find(|c| c.key() == CalendarKey::new(OTHER, OFFSITE))
        .expect("the shared calendar is in Calendars");
    assert_eq!(shared.summary, "Team Offsite");
    assert!(!shared.watched, "offered, not watched: the setting is off");
    assert!(
        h.control.stats().calendar_list_sync_calls > incremental,
        "the notification was answered with an incremental listing"
    );
    heard(
        &mut events,
        "the window hears that Calendars changed",
        |e| matches!(e, EngineEvent::Calendars).then_some(()),
    )
    .await;
    assert!(
        h.engine.channels().expect("channels").is_empty(),
        "nothing was watched without being asked"
    );
}

#[tokio::test(start_paused = true)]
async fn a_calendar_shared_during_quiet_hours_is_offered_when_they_end_after_the_digest() {
    let h = Harness::start(quick).await;
    let me = h.calendar.clone();
    h.watch().await;
    list_watched(&h, &me).await;
    h.engine
        .update_settings(SettingsPatch {
            notices: Some(crate::engine_noise::quiet_from_now(&h, 60)),
            ..SettingsPatch::default()
        })
        .await
        .expect("quiet hours are a valid setting");

    h.insert(
        "Late change",
        "2030-01-01T10:00:00Z",
        "2030-01-01T11:00:00Z",
    );
    h.settle().await;
    h.control
        .add_calendar(OFFSITE, "Team Offsite", "Europe/London");
    h.control
        .add_calendar(PLANNING, "Planning", "Europe/London");
    settle_list(&h, &me).await;
    let planning = CalendarKey::new(&me, PLANNING);
    until("both calendars are in Calendars", || {
        let calendars = h.engine.calendars().expect("calendars");
        (calendars
            .iter()
            .filter(|c| c.id == OFFSITE || c.id == PLANNING)
            .count()
            == 2)
            .then_some(())
    })
    .await;
    // Watched by hand before the quiet hours end: no longer worth offering.
    h.engine.watch(&planning).await.expect("watched");
    assert!(
        h.notifier.notices().is_empty(),
        "quiet: no toast, not even an offer: {:?}",
        h.notifier.notices()
    );

    tokio::time::sleep(Duration::from_secs(62 * 60)).await;
    let told = h.notifier.wait_for(2).await;
    let headlines: Vec<String> = told.iter().map(Notice::headline).collect();
    assert_eq!(
        headlines,
        [
            "While you were away: 1 change in 1 calendar",
            "New calendar: Team Offsite — Watch?"
        ],
        "the digest, then the calendar still waiting to be watched"
    );
    settle_list(&h, &me).await;
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(
        h.notifier.notices().len(),
        2,
        "each is told once: {:?}",
        h.notifier.notices()
    );
}

#[tokio::test(start_paused = true)]
async fn with_auto_watch_a_new_calendar_is_watched_instead_of_offered() {
    let h = Harness::start(quick).await;
    let me = h.calendar.clone();
    list_watched(&h, &me).await;
    h.engine
        .update_settings(SettingsPatch {
            watch_new_calendars: Some(true),
            ..SettingsPatch::default()
        })
        .await
        .expect("the setting is saved");
    assert!(h.engine.snapshot().settings.watch_new_calendars);

    h.control
        .add_calendar(OFFSITE, "Team Offsite", "Europe/London");

    let key = CalendarKey::new(&me, OFFSITE);
    let channel = until("the new calendar gets a channel", || {
        h.engine
            .channels()
            .expect("channels")
            .into_iter()
            .find(|c| c.calendar() == key)
    })
    .await;
    until("fake-google has the channel live", || {
        h.control
            .channels()
            .into_iter()
            .find(|c| c.id == channel.id && c.state == GoogleState::Live)
    })
    .await;
    settle_list(&h, &me).await;
    assert!(
        h.store()
            .calendar(&key)
            .expect("read")
            .expect("kept")
            .watched,
        "it is watched"
    );
    assert!(
        offers(&h.notifier).is_empty(),
        "nothing to offer: it is watched already: {:?}",
        h.notifier.notices()
    );
}

#[tokio::test(start_paused = true)]
async fn a_calendar_removed_at_google_is_let_go_once_without_retrying() {
    let (h, me) = offsite_offered().await;
    let key = CalendarKey::new(&me, OFFSITE);
    let channel = h.engine.watch(&key).await.expect("watched");
    let mut events = h.engine.subscribe();

    h.control.remove_from_calendar_list(&me, OFFSITE);

    let gone = until("the removed calendar is let go", || {
        h.store()
            .calendar(&key)
            .expect("read")
            .filter(|c| c.gone && !c.watched)
    })
    .await;
    assert_eq!(gone.summary, "Team Offsite", "its row is kept, marked gone");
    let reasons = h.engine.gone_reasons().expect("reasons");
    let sentence = reasons.get(&key).expect("the row says why");
    assert!(
        sentence.contains("Team Offsite")
            && sentence.contains("no longer")
            && sentence.contains(&me),
        "one sentence says which calendar of which account went: {sentence}"
    );
    until("its channel is stopped", || {
        h.engine
            .channels()
            .expect("channels")
            .iter()
            .all(|c| c.id != channel.id)
            .then_some(())
    })
    .await;
    assert_ne!(
        h.google_channel(&channel.id).state,
        GoogleState::Live,
        "Google delivers nothing more on it"
    );
    let mut errors = 0;
    while let Ok(event) = events.try_recv() {
        if matches!(event, EngineEvent::Error(ref e) if e.code() == "not_found") {
            errors += 1;
        }
    }
    assert_eq!(errors, 1, "the person is told once");

    let lists = h
        .control
        .stats()
        .events_list_calls_by_calendar
        .get(OFFSITE)
        .copied();
    let watches = h.control.stats().watch_calls;
    tokio::time::sleep(Duration::from_secs(3600)).await;
    settle_list(&h, &me).await;
    assert_eq!(
        h.control
            .stats()
            .events_list_calls_by_calendar
            .get(OFFSITE)
            .copied(),
        lists,
        "no retry loop: the calendar is not asked for again"
    );
    assert_eq!(h.control.stats().watch_calls, watches, "nor watched again");
    assert_eq!(offers(&h.notifier).len(), 1, "and not offered again");
}

#[tokio::test(start_paused = true)]
async fn a_hidden_calendar_is_let_go_and_its_row_says_it_was_hidden() {
    let (h, me) = offsite_offered().await;
    let key = CalendarKey::new(&me, OFFSITE);
    h.engine.watch(&key).await.expect("watched");

    h.control.hide_calendar(&me, OFFSITE, true);

    until("the hidden calendar is let go", || {
        h.store()
            .calendar(&key)
            .expect("read")
            .filter(|c| c.gone && !c.watched)
    })
    .await;
    let sentence = h
        .engine
        .gone_reasons()
        .expect("reasons")
        .remove(&key)
        .expect("the row says why");
    assert!(
        sentence.contains("hidden"),
        "the row says it was hidden: {sentence}"
    );
    assert!(h.engine.channels().expect("channels").is_empty());

    // Shown again in Google Calendar: it is back, and offered again.
    h.control.hide_calendar(&me, OFFSITE, false);
    h.notifier.wait_for(2).await;
    let back = h.store().calendar(&key).expect("read").expect("kept");
    assert!(!back.gone, "listed again");
    assert_eq!(offers(&h.notifier).len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_renamed_or_recoloured_calendar_shows_and_is_told_by_its_new_name() {
    let (h, me) = offsite_offered().await;
    let key = CalendarKey::new(&me, OFFSITE);
    h.engine.watch(&key).await.expect("watched");

    h.control.rename_calendar(OFFSITE, "Offsite 2027");
    until("the new name appears in Calendars", || {
        h.engine
            .calendars()
            .expect("calendars")
            .into_iter()
            .find(|c| c.key() == key && c.summary == "Offsite 2027")
    })
    .await;
    h.control.update_calendar_list_entry(
        &me,
        OFFSITE,
        ListEntryChange {
            background_color: Some("#d50000".into()),
            ..ListEntryChange::default()
        },
    );
    until("the new colour appears in Calendars", || {
        h.engine
            .calendars()
            .expect("calendars")
            .into_iter()
            .find(|c| c.key() == key && c.color.as_deref() == Some("#d50000"))
    })
    .await;
    settle_list(&h, &me).await;
    assert_eq!(
        offers(&h.notifier).len(),
        1,
        "a rename is not a new calendar"
    );

    h.control.insert_event(
        OFFSITE,
        serde_json::json!({
            "summary": "Venue visit",
            "start": {"dateTime": "2027-01-20T10:00:00+00:00"},
            "end": {"dateTime": "2027-01-20T11:00:00+00:00"},
        }),
    );
    h.notifier.wait_for(2).await;
    let told = h.notifier.changes();
    assert_eq!(told.len(), 1);
    assert_eq!(
        told[0].calendar_name, "Offsite 2027",
        "later toasts use the new name"
    );
}

#[tokio::test(start_paused = true)]
async fn a_stale_list_sync_token_lists_in_full_without_toasts_for_known_calendars() {
    let (h, me) = offsite_offered().await;
    settle_list(&h, &me).await;
    let known = h.engine.calendars().expect("calendars").len();
    assert!(
        known >= 2,
        "the primary calendar and the new one are listed"
    );
    let full_before = full_listings(&h);

    h.control.expire_calendar_list_sync_tokens(&me);
    h.engine
        .sync_calendar_list(&me)
        .await
        .expect("a 410 is answered with a full listing, not an error");
    assert_eq!(
        full_listings(&h),
        full_before + 1,
        "the calendar list was read in full once"
    );
    assert_eq!(
        h.notifier.notices().len(),
        1,
        "no toast for calendars already known: {:?}",
        h.notifier.notices()
    );
    assert_eq!(h.engine.calendars().expect("calendars").len(), known);

    // Expired again, and meanwhile a calendar really is new: it alone is offered.
    h.control.expire_calendar_list_sync_tokens(&me);
    h.control
        .add_calendar(PLANNING, "Planning", "Europe/London");
    h.notifier.wait_for(2).await;
    settle_list(&h, &me).await;
    let offered: Vec<String> = offers(&h.notifier).into_iter().map(|o| o.1).collect();
    assert_eq!(offered, vec![OFFSITE.to_string(), PLANNING.to_string()]);
    assert_eq!(h.notifier.notices().len(), 2);
    assert!(
        full_listings(&h) >= full_before + 2,
        "the second 410 was answered with a full listing too"
    );
}

/// calendarList.list calls without a sync token.
fn full_listings(h: &Harness) -> u64 {
    let stats = h.control.stats();
    stats.calendar_list_calls - stats.calendar_list_sync_calls
}

#[tokio::test(start_paused = true)]
async fn the_list_channel_is_renewed_before_it_expires() {
    let h = Harness::start(quick).await;
    // Google cuts the second account's list channel to an hour.
    h.control.set_faults(fake_google::Faults {
        channel_ttl_cap: Some(Duration::from_secs(3600)),
        ..fake_google::Faults::default()
    });
    let first = sign_in_other(&h).await;
    h.control.set_faults(fake_google::Faults::default());

    let second = until_within(
        Duration::from_secs(3600),
        "a new list channel replaces the first",
        || live_list_channel(&h, OTHER).filter(|c| c.id != first.id),
    )
    .await;
    let before_expiry = h.clock.now_ms();
    assert!(
        before_expiry < first.expiration_ms,
        "replaced before it expired ({before_expiry} ≥ {})",
        first.expiration_ms
    );
    until("the old list channel is stopped", || {
        (h.google_channel(&first.id).state == GoogleState::Stopped).then_some(())
    })
    .await;

    // The new one delivers: a share reaches the engine through it.
    h.control.share_calendar(&h.calendar, OTHER, "reader");
    h.notifier.wait_for(1).await;
    assert_eq!(
        offers(&h.notifier)
            .into_iter()
            .map(|o| (o.0, o.1))
            .collect::<Vec<_>>(),
        vec![(OTHER.to_string(), h.calendar.clone())]
    );
    assert_eq!(
        h.google_channel(&second.id).state,
        GoogleState::Live,
        "the replacement still watches the list"
    );
}

#[tokio::test(start_paused = true)]
async fn renew_now_replaces_a_list_channel_shown_with_its_expiry() {
    let h = Harness::start(quick).await;
    let me = h.calendar.clone();
    let first = list_watched(&h, &me).await;
    let shown = h.engine.list_channels().expect("list channels");
    assert_eq!(
        shown
            .iter()
            .map(|c| (c.id.as_str(), c.account.as_str()))
            .collect::<Vec<_>>(),
        [(first.id.as_str(), me.as_str())],
        "the window is shown the account's list channel"
    );
    assert_eq!(shown[0].expiration_ms, first.expiration_ms);
    let renewal_due = h
        .engine
        .snapshot()
        .next_renewal_at
        .expect("a renewal is due");
    assert!(
        renewal_due < first.expiration_ms,
        "the list channel's renewal counts as the next one (no calendar is watched)"
    );
    let mut events = h.engine.subscribe();

    let renewed = h
        .engine
        .renew_list_channel(&first.id)
        .await
        .expect("renewed now");
    assert_ne!(renewed.id, first.id);
    until("the old list channel is stopped at Google", || {
        (h.google_channel(&first.id).state == GoogleState::Stopped).then_some(())
    })
    .await;
    assert_eq!(h.google_channel(&renewed.id).state, GoogleState::Live);
    let shown: Vec<String> = h
        .engine
        .list_channels()
        .expect("list channels")
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        shown,
        std::slice::from_ref(&renewed.id),
        "only the new one is shown"
    );
    heard(
        &mut events,
        "the window hears that the channels changed",
        |e| matches!(e, EngineEvent::Channels).then_some(()),
    )
    .await;

    // The new one delivers, and a second Renew of the old one is refused.
    h.control
        .add_calendar(OFFSITE, "Team Offsite", "Europe/London");
    h.notifier.wait_for(1).await;
    assert!(
        h.engine.renew_list_channel(&first.id).await.is_err(),
        "a stopped channel cannot be renewed"
    );
    // Nothing else renews it twice: one live list channel at Google for the account.
    tokio::time::sleep(Duration::from_secs(60)).await;
    let live = h
        .control
        .channels()
        .into_iter()
        .filter(|c| {
            c.calendar_list_user.as_deref() == Some(me.as_str()) && c.state == GoogleState::Live
        })
        .count();
    assert_eq!(live, 1);
}

#[tokio::test(start_paused = true)]
async fn a_forged_notification_on_the_list_channel_is_refused() {
    let h = Harness::start(quick).await;
    let me = h.calendar.clone();
    let channel = list_watched(&h, &me).await;
    let url = format!("http://{}/notifications", h.receiver);
    let client = reqwest::Client::new();
    let post = |token: &str, resource: &str, number: u64| {
        client
            .post(&url)
            .header("X-Goog-Channel-ID", &channel.id)
            .header("X-Goog-Channel-Token", token)
            .header("X-Goog-Resource-ID", resource)
            .header("X-Goog-Resource-State", "exists")
            .header("X-Goog-Message-Number", number.to_string())
            .header("X-Goog-Resource-URI", &channel.resource_uri)
            .send()
    };
    let token = channel.token.clone().expect("the channel has a token");
    let next = channel.last_message_number + 1;
    let syncs = h.control.stats().calendar_list_sync_calls;

    let wrong_token = post("guessed", &channel.resource_id, next)
        .await
        .expect("answers");
    let wrong_resource = post(&token, "someone-elses-list", next)
        .await
        .expect("answers");
    assert_eq!(wrong_token.status(), StatusCode::FORBIDDEN);
    assert_eq!(wrong_resource.status(), StatusCode::FORBIDDEN);
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(
        h.control.stats().calendar_list_sync_calls,
        syncs,
        "a refused notification lists nothing"
    );

    // Google's own, with the right token, resource and a new number, is let through.
    let genuine = post(&token, &channel.resource_id, next)
        .await
        .expect("answers");
    assert_eq!(genuine.status(), StatusCode::OK);
    until("the genuine notification lists what changed", || {
        (h.control.stats().calendar_list_sync_calls > syncs).then_some(())
    })
    .await;
    let replay = post(&token, &channel.resource_id, next)
        .await
        .expect("answers");
    assert_eq!(replay.status(), StatusCode::OK, "a replay is acknowledged…");
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(
        h.control.stats().calendar_list_sync_calls,
        syncs + 1,
        "…but lists nothing again"
    );
}

#[tokio::test(start_paused = true)]
async fn signing_an_account_out_stops_its_list_channel_at_google() {
    let h = Harness::start(quick).await;
    let me = h.calendar.clone();
    let mine = list_watched(&h, &me).await;
    let theirs = sign_in_other(&h).await;

    h.engine
        .sign_out_account(OTHER, false)
        .await
        .expect("the second account signs out");

    assert_eq!(
        h.google_channel(&theirs.id).state,
        GoogleState::Stopped,
        "its list channel is stopped with its own tokens"
    );
    assert_eq!(
        h.google_channel(&mine.id).state,
        GoogleState::Live,
        "the other account's list is still watched"
    );
    assert!(
        h.store().list_channels_of(OTHER).expect("read").is_empty(),
        "nothing of it is kept"
    );
}

#[tokio::test(start_paused = true)]
async fn a_share_made_while_calwatch_was_down_is_told_once_after_restart() {
    let mut h = Harness::start(quick).await;
    let me = h.calendar.clone();
    let channel = list_watched(&h, &me).await;
    h.engine.shutdown().await;

    h.control
        .add_calendar(OFFSITE, "Team Offsite", "Europe/London");
    h.control.wait_for_deliveries_idle().await;
    let clock = std::sync::Arc::clone(&h.clock);
    h.restart(clock).await;

    h.notifier.wait_for(1).await;
    settle_list(&h, &me).await;
    let offered: Vec<String> = offers(&h.notifier).into_iter().map(|o| o.1).collect();
    assert_eq!(
        offered,
        vec![OFFSITE.to_string()],
        "the start-up listing finds it and offers it once"
    );
    assert!(
        h.engine
            .calendars()
            .expect("calendars")
            .iter()
            .any(|c| c.key() == CalendarKey::new(&me, OFFSITE)),
        "it is in Calendars"
    );
    assert_eq!(
        live_list_channel(&h, &me).map(|c| c.id),
        Some(channel.id.clone()),
        "the list channel from before still watches the list: no second one"
    );

    let clock = std::sync::Arc::clone(&h.clock);
    h.restart(clock).await;
    settle_list(&h, &me).await;
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert!(
        h.notifier.notices().is_empty(),
        "not offered twice: {:?}",
        h.notifier.notices()
    );
}

#[tokio::test(start_paused = true)]
async fn a_calendar_google_answers_404_to_watching_is_let_go_with_a_sentence() {
    let (h, me) = offsite_offered().await;
    settle_list(&h, &me).await;
    // The list's notification of the removal is lost on the way: only the watch learns.
    h.control.set_faults(fake_google::Faults {
        drop_rate: 1.0,
        ..fake_google::Faults::default()
    });
    h.control.remove_from_calendar_list(&me, OFFSITE);
    h.control.wait_for_deliveries_idle().await;
    let key = CalendarKey::new(&me, OFFSITE);
    let watches = h.control.stats().watch_calls;

    let error = h
        .engine
        .watch(&key)
        .await
        .expect_err("Google answers 404 to events.watch");
    assert_eq!(error.code(), "not_found");
    let sentence = error.to_string();
    assert!(
        sentence.contains("Team Offsite") && sentence.contains(&me),
        "the error says which calendar of which account: {sentence}"
    );
    let row = h.store().calendar(&key).expect("read").expect("kept");
    assert!(row.gone && !row.watched, "its row is marked gone: {row:?}");
    assert_eq!(
        h.engine.gone_reasons().expect("reasons").get(&key),
        Some(&sentence),
        "the row shows the same sentence"
    );
    assert!(h.engine.channels().expect("channels").is_empty());
    h.control.set_faults(fake_google::Faults::default());
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(
        h.control.stats().watch_calls,
        watches + 1,
        "asked once, never again"
    );
}

#[tokio::test(start_paused = true)]
async fn while_push_is_down_the_calendar_list_is_read_as_often_as_calendars_are_polled() {
    let h = Harness::start(|config| {
        quick(config);
        config.settings.timings.push_check_interval = Duration::from_secs(10 * 60);
        config.settings.timings.push_down_poll = Duration::from_secs(2 * 60);
    })
    .await;
    let me = h.calendar.clone();
    let relay = crate::engine_support::Relay::start(h.receiver).await;
    h.engine
        .set_callback_url(&relay.origin)
        .await
        .expect("the relay's address is accepted");
    let address = format!("{}/notifications", relay.origin);
    until(
        "the calendar list is watched at the relay's address",
        || live_list_channel(&h, &me).filter(|c| c.address == address),
    )
    .await;
    settle_list(&h, &me).await;
    // The tunnel breaks: Google's notifications no longer arrive.
    relay.forward(false);
    let health = h.engine.recheck_push().await;
    assert_eq!(health.state, calwatch_core::engine::PushState::Down);

    h.control
        .add_calendar(OFFSITE, "Team Offsite", "Europe/London");

    h.notifier.wait_for(1).await;
    assert_eq!(
        offers(&h.notifier)
            .into_iter()
            .map(|o| o.1)
            .collect::<Vec<_>>(),
        vec![OFFSITE.to_string()],
        "found by reading the list, not by a notification"
    );
}

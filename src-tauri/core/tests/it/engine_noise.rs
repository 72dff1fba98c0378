//! Noise control on the running engine against fake-google: quiet hours hold toasts and
//! tell one digest when they end; a muted calendar's changes are recorded with the
//! reason; a filtered change never takes an unfiltered one of the same sync with it; a
//! pause with an end tells its digest, one until resumed does not.

use std::time::Duration;

use crate::engine_support::{quick, Harness};
use calwatch_core::engine::{CalendarRules, NoticeRules, PauseFor, SettingsPatch};
use calwatch_core::noise::{QuietHours, Silence};
use calwatch_core::notice::Notice;
use chrono::{TimeZone, Timelike};
use serde_json::json;

/// An RFC 3339 time `hours` after the engine's clock.
fn hours_from_now(h: &Harness, hours: i64) -> String {
    chrono::Utc
        .timestamp_millis_opt(h.clock.now_ms() + hours * 3_600_000)
        .unwrap()
        .to_rfc3339()
}

/// Inserts an event starting `hours` from now, announced by a push.
fn insert_in(h: &Harness, title: &str, hours: i64) {
    h.insert(
        title,
        &hours_from_now(h, hours),
        &hours_from_now(h, hours + 1),
    );
}

/// Quiet hours from a minute ago for `minutes`, every day, in the engine's zone (UTC).
pub(crate) fn quiet_from_now(h: &Harness, minutes: u32) -> NoticeRules {
    let now = chrono::Utc.timestamp_millis_opt(h.clock.now_ms()).unwrap();
    let minute = (now.hour() * 60 + now.minute() + 1439) % 1440;
    NoticeRules {
        quiet_hours: QuietHours {
            enabled: true,
            start_minute: minute,
            end_minute: (minute + 1 + minutes) % 1440,
            days: vec![true; 7],
        },
        ..NoticeRules::default()
    }
}

#[tokio::test(start_paused = true)]
async fn quiet_hours_hold_ten_changes_and_tell_one_digest_when_they_end() {
    let h = Harness::start(quick).await;
    h.watch().await;
    h.engine
        .update_settings(SettingsPatch {
            notices: Some(quiet_from_now(&h, 60)),
            ..SettingsPatch::default()
        })
        .await
        .expect("quiet hours are a valid setting");
    assert!(h.engine.snapshot().hold.quiet, "the state says it is quiet");
    for i in 0..10 {
        insert_in(&h, &format!("Late change {i}"), 24 + i);
        h.settle().await;
    }
    assert!(
        h.notifier.notices().is_empty(),
        "quiet: no toast at all, got {:?}",
        h.notifier.notices()
    );
    let history = h.engine.recent_changes(100).expect("history");
    assert_eq!(history.len(), 10, "every change is recorded");
    assert!(
        history
            .iter()
            .all(|c| c.silenced == Some(Silence::QuietHours)),
        "each says why it was silent: {:?}",
        history.iter().map(|c| c.silenced).collect::<Vec<_>>()
    );

    // An hour and a bit later the quiet hours are over: one digest for all ten.
    tokio::time::sleep(Duration::from_secs(62 * 60)).await;
    let notices = h.notifier.wait_for(1).await;
    assert_eq!(notices.len(), 1, "one digest, not ten toasts: {notices:?}");
    let Notice::Digest {
        count,
        calendars,
        change_ids,
        ..
    } = &notices[0]
    else {
        panic!("expected the digest, got {:?}", notices[0]);
    };
    assert_eq!((*count, *calendars), (10, 1));
    assert_eq!(
        notices[0].headline(),
        "While you were away: 10 changes in 1 calendar"
    );
    let mut ids: Vec<i64> = history.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    assert_eq!(
        change_ids, &ids,
        "a click on the digest can show just these"
    );
    assert!(!h.engine.snapshot().hold.quiet);

    // Outside the quiet hours, a change is a toast again, and the digest is not repeated.
    insert_in(&h, "Daytime", 30);
    let after = h.notifier.wait_for(2).await;
    assert_eq!(after.len(), 2);
    assert_eq!(after[1].headline(), "Daytime added");
}

#[tokio::test(start_paused = true)]
async fn a_muted_calendar_records_its_changes_with_the_reason_and_unmuting_tells_again() {
    let h = Harness::start(quick).await;
    h.watch().await;
    h.engine
        .set_calendar_rules(
            &h.key,
            CalendarRules {
                muted: true,
                ..CalendarRules::default()
            },
        )
        .expect("a watched calendar can be muted");
    insert_in(&h, "Muted standup", 5);
    h.settle().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(h.notifier.notices().is_empty(), "muted: no toast");
    let history = h.engine.recent_changes(10).expect("history");
    assert_eq!(history.len(), 1, "the change is recorded");
    assert_eq!(history[0].silenced, Some(Silence::MutedCalendar));
    assert_eq!(Silence::MutedCalendar.words(), "muted calendar");
    assert!(
        h.store()
            .watched_calendars()
            .unwrap()
            .iter()
            .any(|c| c.id == h.calendar),
        "muting keeps the calendar watched (unlike Stop)"
    );

    h.engine
        .set_calendar_rules(&h.key, CalendarRules::default())
        .expect("unmuting works");
    insert_in(&h, "Loud standup", 6);
    let notices = h.notifier.wait_for(1).await;
    assert_eq!(notices[0].headline(), "Loud standup added");
    let body = notices[0].body(chrono_tz::UTC);
    assert!(
        body.ends_with("· Primary calendar") && !body.contains(&h.calendar),
        "the account's calendar is named, not its address: {body}"
    );
    assert_eq!(h.engine.recent_changes(1).unwrap()[0].silenced, None);
}

#[tokio::test(start_paused = true)]
async fn a_filtered_change_never_suppresses_an_unfiltered_one_in_the_same_sync() {
    let h = Harness::start(quick).await;
    h.watch().await;
    h.engine
        .set_calendar_rules(
            &h.key,
            CalendarRules {
                within_days: Some(7),
                ..CalendarRules::default()
            },
        )
        .unwrap();
    // A year ahead, added without a push; then tomorrow, with one: one sync finds both.
    h.control.insert_events_quietly(
        &h.calendar,
        vec![json!({"summary": "Next year's offsite",
                    "start": {"dateTime": hours_from_now(&h, 24 * 365)},
                    "end": {"dateTime": hours_from_now(&h, 24 * 365 + 2)}})],
    );
    insert_in(&h, "Tomorrow's review", 24);
    h.settle().await;
    let history = h.engine.recent_changes(10).expect("history");
    assert_eq!(history.len(), 2, "both are recorded");
    assert_eq!(
        history[0].batch_id, history[1].batch_id,
        "one sync found both"
    );
    let notices = h.notifier.wait_for(1).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        h.notifier
            .notices()
            .iter()
            .map(Notice::headline)
            .collect::<Vec<_>>(),
        vec!["Tomorrow's review added"],
        "the near change is told on its own: {notices:?}"
    );
    let far = history
        .iter()
        .find(|c| c.change.title == "Next year's offsite")
        .unwrap();
    assert_eq!(far.silenced, Some(Silence::TooFarAhead));
}

#[tokio::test(start_paused = true)]
async fn a_pause_for_an_hour_tells_its_digest_and_a_pause_until_resumed_does_not() {
    let h = Harness::start(quick).await;
    h.watch().await;
    h.engine.pause(PauseFor::Hour).expect("pausing works");
    let state = h.engine.snapshot();
    assert!(state.settings.paused && state.hold.paused);
    assert_eq!(
        state.settings.paused_until,
        Some(h.clock.now_ms() + 3_600_000),
        "the window and tray can say until when"
    );
    insert_in(&h, "While paused", 3);
    h.settle().await;
    assert!(h.notifier.notices().is_empty());
    assert_eq!(
        h.engine.recent_changes(1).unwrap()[0].silenced,
        Some(Silence::Paused)
    );
    // The hour passes: the pause ends by itself, the digest follows.
    tokio::time::sleep(Duration::from_secs(3_601)).await;
    let notices = h.notifier.wait_for(1).await;
    assert_eq!(
        notices[0].headline(),
        "While you were away: 1 change in 1 calendar"
    );
    assert!(!h.engine.snapshot().settings.paused, "the pause is over");

    // Resumed early from the window: the digest comes at once.
    h.engine.pause(PauseFor::UntilTomorrow).unwrap();
    insert_in(&h, "Before tomorrow", 4);
    h.settle().await;
    h.engine.resume().unwrap();
    let notices = h.notifier.wait_for(2).await;
    assert_eq!(
        notices[1].headline(),
        "While you were away: 1 change in 1 calendar"
    );

    // Paused until resumed: as before, nothing is replayed on resuming.
    h.engine.pause(PauseFor::UntilResumed).unwrap();
    assert_eq!(h.engine.snapshot().settings.paused_until, None);
    insert_in(&h, "Forgotten", 5);
    h.settle().await;
    h.engine.resume().unwrap();
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(
        h.notifier.notices().len(),
        2,
        "no digest after a pause until resumed: {:?}",
        h.notifier.notices()
    );
    assert_eq!(
        h.engine.recent_changes(1).unwrap()[0].silenced,
        Some(Silence::Paused),
        "still in the history, marked paused"
    );
}

#[tokio::test(start_paused = true)]
async fn a_guests_reply_to_my_own_event_is_told_and_to_others_only_when_asked() {
    let h = Harness::start(quick).await;
    let me = h.control.user_email();
    let attendees = |reply: &str| {
        json!([
            {"email": me, "self": true, "organizer": true, "responseStatus": "accepted"},
            {"email": "priya@example.com", "displayName": "Priya", "responseStatus": reply},
        ])
    };
    let event = h.control.insert_event(
        &h.calendar,
        json!({"summary": "Planning",
               "start": {"dateTime": hours_from_now(&h, 30)},
               "end": {"dateTime": hours_from_now(&h, 31)},
               "attendees": attendees("needsAction")}),
    );
    h.watch().await;
    let id = crate::engine_support::id_of(&event);
    h.control.update_event(
        &h.calendar,
        &id,
        json!({"attendees": attendees("accepted")}),
    );
    let notices = h.notifier.wait_for(1).await;
    assert_eq!(notices[0].headline(), "Priya accepted Planning");

    h.engine
        .update_settings(SettingsPatch {
            notices: Some(NoticeRules {
                guest_replies: calwatch_core::noise::GuestReplies::Never,
                ..NoticeRules::default()
            }),
            ..SettingsPatch::default()
        })
        .await
        .unwrap();
    h.control.update_event(
        &h.calendar,
        &id,
        json!({"attendees": attendees("declined")}),
    );
    h.settle().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        h.notifier.notices().len(),
        1,
        "replies turned off everywhere"
    );
    let last = &h.engine.recent_changes(1).unwrap()[0];
    assert_eq!(last.change.headline(), "Priya declined Planning");
    assert_eq!(last.silenced, Some(Silence::GuestReplies));
}

#[tokio::test(start_paused = true)]
async fn what_quiet_hours_held_before_quitting_is_told_at_the_next_start() {
    let mut h = Harness::start(quick).await;
    h.watch().await;
    h.engine
        .update_settings(SettingsPatch {
            notices: Some(quiet_from_now(&h, 60)),
            ..SettingsPatch::default()
        })
        .await
        .unwrap();
    insert_in(&h, "Before quitting", 10);
    h.settle().await;
    assert!(h.notifier.notices().is_empty());
    // Quit, and start again three hours later, after the quiet hours.
    let later = h.clock.now_ms() + 3 * 3_600_000;
    h.restart(std::sync::Arc::new(
        calwatch_core::engine::TokioClock::starting_at(later),
    ))
    .await;
    let notices = h.notifier.wait_for(1).await;
    assert_eq!(
        notices[0].headline(),
        "While you were away: 1 change in 1 calendar",
        "the held change is not lost by quitting"
    );
}

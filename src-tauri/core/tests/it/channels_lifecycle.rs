//! Channels live as long as the user watches: renewed before they expire (new first, then
//! the old stopped), replaced after a restart if they expired meanwhile, stopped on request.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::engine_support::{patiently, quick, Harness, Hook, Seen, Tunnel};
use calwatch_core::engine::EngineEvent;
use calwatch_core::notice::{ChangeKind, Notice};
use calwatch_core::store::{ChannelRecord, ChannelState};
use fake_google::{ChannelState as GoogleState, Faults};
use serde_json::json;

/// Each channel fake-google knows, with its state.
type ChannelStates = Vec<(String, GoogleState)>;

const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);

/// Waits until fake-google shows `pred` over its calendar channels.
async fn until_channels(h: &Harness, pred: impl Fn(&[fake_google::ChannelInfo]) -> bool) {
    let reached = patiently(async {
        loop {
            if pred(&h.calendar_channels()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        reached.is_ok(),
        "fake-google's channels never reached the expected state: {:#?}",
        h.calendar_channels()
    );
}

/// Sets `faults`, lets the first channel reach its renewal, and waits until the new
/// channel is stored beside it.
async fn into_renewal(h: &Harness, faults: Faults) {
    h.control.set_faults(faults);
    tokio::time::sleep(WEEK.mul_f64(0.9) - Duration::from_secs(10)).await;
    until_engine_channels(h, 2).await;
}

/// The channels live at fake-google now.
fn live_at_google(h: &Harness) -> Vec<fake_google::ChannelInfo> {
    h.calendar_channels()
        .into_iter()
        .filter(|c| c.state == GoogleState::Live)
        .collect()
}

fn state_of(channels: &[fake_google::ChannelInfo], id: &str) -> Option<GoogleState> {
    channels.iter().find(|c| c.id == id).map(|c| c.state)
}

/// A running engine watching the primary calendar through one channel, which is returned
/// with it: where most of these tests start.
async fn watching() -> (Harness, ChannelRecord) {
    let h = Harness::start(quick).await;
    let first = h.watch().await;
    (h, first)
}

/// Google refusing every callback address as unauthorized.
fn refusing_callbacks() -> Faults {
    Faults {
        reject_callback_unauthorized: true,
        ..Faults::default()
    }
}

/// Google delivering every message 20 seconds late: a renewal waits for its new channel's
/// sync message with both channels live.
fn slow_deliveries() -> Faults {
    Faults {
        delivery_delay: Duration::from_secs(20),
        ..Faults::default()
    }
}

/// Nothing is live at fake-google.
fn nothing_live_at_google(h: &Harness) -> bool {
    h.calendar_channels()
        .iter()
        .all(|c| c.state != GoogleState::Live)
}

/// Checks the engine lists only `first` (a renewal or move that failed keeps it), and
/// returns what it lists.
fn only_the_old_channel(h: &Harness, first: &ChannelRecord) -> Vec<ChannelRecord> {
    let channels = h.engine.channels().expect("channels");
    assert_eq!(channels.len(), 1, "the old channel is kept: {channels:?}");
    assert_eq!(channels[0].id, first.id);
    channels
}

/// Checks `channel` is shown in error (`shown` says why that is expected), with Google's
/// refusal as the reason in words.
fn shown_refused(channel: &ChannelRecord, shown: &str) {
    assert_eq!(channel.state, ChannelState::Error, "{shown}");
    assert!(
        channel
            .error
            .as_deref()
            .is_some_and(|e| e.contains("Google refused")),
        "with the reason in words: {:?}",
        channel.error
    );
}

/// Checks one channel is live at Google and the engine lists that one alone, and returns
/// what is live.
fn one_channel_live_and_listed(h: &Harness) -> Vec<fake_google::ChannelInfo> {
    let live = live_at_google(h);
    let channels = h.engine.channels().expect("channels");
    assert_eq!(live.len(), 1, "one is live at Google: {live:#?}");
    assert_eq!(channels.len(), 1, "one channel is listed: {channels:#?}");
    assert_eq!(live[0].id, channels[0].id);
    live
}

/// Quits, and stays off until just past the first channel's renewal point.
async fn quit_until_past_renewal(h: &Harness) {
    h.engine.shutdown().await;
    tokio::time::sleep(WEEK.mul_f64(0.9) + Duration::from_secs(60)).await;
}

/// Starts again on the same clock and lets ten minutes pass.
async fn restart_and_wait(h: &mut Harness) {
    let clock = Arc::clone(&h.clock);
    h.restart(clock).await;
    tokio::time::sleep(Duration::from_secs(600)).await;
}

/// Stops the renewal's new channel (the one listed beside `first`) as the user would, and
/// returns it.
async fn stop_the_new_channel(h: &Harness, first: &ChannelRecord) -> ChannelRecord {
    let new = h
        .engine
        .channels()
        .expect("channels")
        .into_iter()
        .find(|c| c.id != first.id)
        .expect("the new channel is listed");
    h.engine
        .stop_channel(&new.id)
        .await
        .expect("stopping works");
    new
}

#[tokio::test(start_paused = true)]
async fn renewal_at_ninety_percent_creates_the_new_channel_before_stopping_the_old() {
    let h = Harness::start(quick).await;
    let event = h.insert(
        "Team sync",
        "2026-12-01T10:00:00+00:00",
        "2026-12-01T11:00:00+00:00",
    );
    // What the tunnel saw when the new channel's first message passed through.
    let at_new_sync: Arc<Mutex<Option<ChannelStates>>> = Arc::default();
    let first_id: Arc<Mutex<Option<String>>> = Arc::default();
    let hook: Hook = {
        let at_new_sync = Arc::clone(&at_new_sync);
        let first_id = Arc::clone(&first_id);
        let control = h.control.clone();
        let calendar = h.calendar.clone();
        let event = event.clone();
        Arc::new(move |seen: &Seen| {
            let first = first_id.lock().unwrap().clone();
            // The calendar's channels only: the account's calendar list has its own.
            let calendar_channels = || {
                control
                    .channels()
                    .into_iter()
                    .filter(|c| c.calendar_list_user.is_none())
            };
            let is_new = first.as_deref().is_some_and(|f| f != seen.channel_id)
                && calendar_channels().any(|c| c.id == seen.channel_id);
            if seen.state == "sync" && is_new && at_new_sync.lock().unwrap().is_none() {
                *at_new_sync.lock().unwrap() =
                    Some(calendar_channels().map(|c| (c.id, c.state)).collect());
                // A change during the overlap: both channels are live and both deliver it.
                control.update_event(
                    &calendar,
                    &event,
                    json!({"summary": "Team sync (new room)"}),
                );
            }
        })
    };
    let tunnel = Tunnel::start(h.receiver, hook).await;
    h.engine
        .set_callback_url(&tunnel.url)
        .await
        .expect("callback URL accepted");
    let first = h.watch().await;
    *first_id.lock().unwrap() = Some(first.id.clone());
    assert_eq!(first.state, ChannelState::Active);

    // Just before 90 % of a week nothing happens…
    tokio::time::sleep(WEEK.mul_f64(0.9) - Duration::from_secs(120)).await;
    assert_eq!(
        h.calendar_channels().len(),
        1,
        "no renewal before 90 % of the channel's life"
    );
    assert!(at_new_sync.lock().unwrap().is_none());

    // …just after, the new channel exists and the old one is stopped.
    tokio::time::sleep(Duration::from_secs(240)).await;
    until_channels(&h, |c| {
        c.len() == 2 && state_of(c, &first.id) == Some(GoogleState::Stopped)
    })
    .await;
    let during = at_new_sync
        .lock()
        .unwrap()
        .clone()
        .expect("the new channel's sync message went through the tunnel");
    assert!(
        during
            .iter()
            .any(|(id, s)| *id == first.id && *s == GoogleState::Live),
        "the old channel was still live when the new one was confirmed: {during:?}"
    );
    assert_eq!(
        during.len(),
        2,
        "the new channel existed by then: {during:?}"
    );
    let live = h.engine.channels().expect("channels");
    assert_eq!(live.len(), 1, "one channel is left: {live:?}");
    assert_ne!(live[0].id, first.id, "and it is the new one");
    assert_eq!(
        state_of(&h.calendar_channels(), &live[0].id),
        Some(GoogleState::Live)
    );

    h.notifier.wait_for(1).await;
    h.settle().await;
    let changes = h.notifier.changes();
    assert_eq!(
        changes.len(),
        1,
        "the rename during the overlap is told once: {:?}",
        changes.iter().map(|c| c.headline()).collect::<Vec<_>>()
    );
    assert_eq!(changes[0].kind, ChangeKind::Updated);
    assert_eq!(
        changes[0].headline(),
        "“Team sync” renamed to “Team sync (new room)”"
    );
}

#[tokio::test(start_paused = true)]
async fn failed_renewal_keeps_the_old_channel_and_retries() {
    let (h, first) = watching().await;
    h.control.set_faults(refusing_callbacks());
    tokio::time::sleep(WEEK.mul_f64(0.9) + Duration::from_secs(5)).await;
    let channels = only_the_old_channel(&h, &first);
    shown_refused(
        &channels[0],
        "the failed renewal is visible as the channel's state",
    );
    assert_eq!(
        state_of(&h.calendar_channels(), &first.id),
        Some(GoogleState::Live),
        "a renewal that could not create the new channel never stops the old one"
    );
    // Google accepts again; the backoff retry replaces the channel.
    h.control.set_faults(Faults::default());
    tokio::time::sleep(Duration::from_secs(120)).await;
    until_channels(&h, |c| state_of(c, &first.id) == Some(GoogleState::Stopped)).await;
    let channels = h.engine.channels().expect("channels");
    assert_eq!(channels.len(), 1);
    assert_ne!(channels[0].id, first.id);
    assert_eq!(channels[0].state, ChannelState::Active);
}

#[tokio::test(start_paused = true)]
async fn renewal_still_failing_near_expiry_shows_expiring_soon_with_the_reason() {
    let (h, first) = watching().await;
    h.control.set_faults(refusing_callbacks());
    // Past the renewal point and inside the last hour (the minimum lead) before expiry.
    tokio::time::sleep(WEEK - Duration::from_secs(30 * 60)).await;
    let expiring = patiently(async {
        loop {
            let channels = h.engine.channels().expect("channels");
            if let Some(c) = channels
                .into_iter()
                .find(|c| c.id == first.id && c.state == ChannelState::ExpiringSoon)
            {
                return c;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await
    .expect("the failing channel is shown as expiring soon");
    assert!(
        expiring
            .error
            .as_deref()
            .is_some_and(|e| e.contains("Google refused")),
        "expiring soon comes with the reason in words: {:?}",
        expiring.error
    );
}

#[tokio::test(start_paused = true)]
async fn channel_that_expired_while_off_is_replaced_and_the_missed_change_caught_up() {
    let mut h = Harness::start(quick).await;
    // Google cuts this channel's life to an hour.
    h.control.set_faults(Faults {
        channel_ttl_cap: Some(Duration::from_secs(3600)),
        ..Faults::default()
    });
    let first = h.watch().await;
    h.control.set_faults(Faults::default());
    h.engine.shutdown().await;
    // While CalWatch is off for two hours: something changes and the channel runs out.
    h.insert(
        "Missed meeting",
        "2026-12-14T10:00:00+00:00",
        "2026-12-14T11:00:00+00:00",
    );
    h.control.expire_channel(&first.id);
    h.control.wait_for_deliveries_idle().await;
    tokio::time::sleep(Duration::from_secs(2 * 3600)).await;
    let clock = Arc::clone(&h.clock);
    h.restart(clock).await;

    let notices = h.notifier.wait_for(1).await;
    match &notices[0] {
        Notice::Summary {
            count, away, first, ..
        } => {
            assert_eq!(*count, 1, "one change happened while off");
            assert!(*away, "it is told as 'while you were away'");
            assert_eq!(first, &vec!["Missed meeting added".to_string()]);
        }
        other => panic!("expected a 'while you were away' summary, got {other:?}"),
    }
    until_channels(&h, |c| {
        c.iter()
            .any(|c| c.id != first.id && c.state == GoogleState::Live)
    })
    .await;
    let settled = patiently(async {
        while h.engine.channels().expect("channels").len() != 1 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let live = h.engine.channels().expect("channels");
    assert!(settled.is_ok(), "the old channel is forgotten: {live:?}");
    assert_eq!(live.len(), 1, "the expired channel was replaced: {live:?}");
    assert_ne!(live[0].id, first.id);
    h.settle().await;
    assert_eq!(
        h.notifier.notices().len(),
        1,
        "and the change was told once"
    );

    // The new channel works.
    h.insert(
        "After restart",
        "2026-12-14T12:00:00+00:00",
        "2026-12-14T13:00:00+00:00",
    );
    h.notifier.wait_for(2).await;
    assert_eq!(h.notifier.changes()[0].headline(), "After restart added");
}

#[tokio::test(start_paused = true)]
async fn renew_now_replaces_the_channel_and_stop_ends_watching() {
    let (h, first) = watching().await;
    let second = h.engine.renew(&first.id).await.expect("renew now works");
    assert_ne!(second.id, first.id);
    until_channels(&h, |c| state_of(c, &first.id) == Some(GoogleState::Stopped)).await;
    assert_eq!(
        state_of(&h.calendar_channels(), &second.id),
        Some(GoogleState::Live)
    );
    assert_eq!(h.engine.snapshot().watched_count, 1);

    h.engine
        .stop_channel(&second.id)
        .await
        .expect("stopping works");
    assert_eq!(
        state_of(&h.calendar_channels(), &second.id),
        Some(GoogleState::Stopped),
        "Google was told to stop the channel"
    );
    assert!(h.engine.channels().expect("channels").is_empty());
    assert_eq!(
        h.engine.snapshot().watched_count,
        0,
        "stopping the last channel stops watching the calendar"
    );
    h.insert(
        "Unwatched",
        "2026-12-15T10:00:00+00:00",
        "2026-12-15T11:00:00+00:00",
    );
    h.control.wait_for_deliveries_idle().await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(
        h.notifier.notices().is_empty(),
        "nothing is told about an unwatched calendar"
    );
}

#[tokio::test(start_paused = true)]
async fn stopping_a_channel_google_already_expired_counts_as_stopped() {
    let (h, first) = watching().await;
    h.control.expire_channel(&first.id);
    h.engine
        .stop_channel(&first.id)
        .await
        .expect("404 from channels.stop means already stopped");
    assert!(h.engine.channels().expect("channels").is_empty());
}

#[tokio::test(start_paused = true)]
async fn unwatch_stops_channels_and_a_later_watch_starts_a_silent_baseline() {
    let (h, _) = watching().await;
    h.insert(
        "Before unwatch",
        "2026-12-16T10:00:00+00:00",
        "2026-12-16T11:00:00+00:00",
    );
    h.notifier.wait_for(1).await;
    h.engine.unwatch(&h.key).await.expect("unwatch works");
    assert!(nothing_live_at_google(&h));
    h.insert(
        "While unwatched",
        "2026-12-16T12:00:00+00:00",
        "2026-12-16T13:00:00+00:00",
    );
    h.watch().await;
    h.settle().await;
    assert_eq!(
        h.notifier.notices().len(),
        1,
        "re-watching records a fresh baseline silently"
    );
}

#[tokio::test(start_paused = true)]
async fn google_refusing_the_callback_is_a_sentence_and_leaves_no_channel() {
    let h = Harness::start(quick).await;
    h.control.set_faults(refusing_callbacks());
    let err = h
        .engine
        .watch(&h.key)
        .await
        .expect_err("Google refuses the callback");
    assert_eq!(err.code(), "callback_unauthorized");
    assert!(
        err.to_string().contains(&h.receiver.to_string()),
        "the sentence names the address: {err}"
    );
    assert!(
        err.to_string().contains("Domain verification"),
        "the sentence says what to do: {err}"
    );
    assert!(h.engine.channels().expect("channels").is_empty());
    assert_eq!(h.engine.snapshot().watched_count, 0);
}

/// Waits until the engine lists `n` channels (a renewal in flight shows old and new).
async fn until_engine_channels(h: &Harness, n: usize) {
    let reached = patiently(async {
        while h.engine.channels().expect("channels").len() != n {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(
        reached.is_ok(),
        "the engine never listed {n} channels: {:#?}",
        h.engine.channels()
    );
}

/// The errors the engine broadcast so far.
fn errors_seen(events: &mut tokio::sync::broadcast::Receiver<EngineEvent>) -> Vec<String> {
    let mut errors = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let EngineEvent::Error(e) = event {
            errors.push(e.to_string());
        }
    }
    errors
}

#[tokio::test(start_paused = true)]
async fn waking_up_while_a_renewal_waits_for_its_sync_message_leaves_one_channel() {
    let (h, first) = watching().await;
    let mut events = h.engine.subscribe();
    // The new channel's sync message is slow: the renewal waits for it with both live.
    into_renewal(&h, slow_deliveries()).await;
    // "Renew now" on it meanwhile is told the renewal is under way.
    let busy = h
        .engine
        .renew(&first.id)
        .await
        .expect_err("a channel being renewed is not renewed twice");
    assert_eq!(busy.code(), "busy", "{busy}");
    assert!(busy.to_string().contains("being renewed"), "{busy}");
    // The machine wakes up (or the network comes back) right then.
    h.engine.resumed().await;
    tokio::time::sleep(Duration::from_secs(600)).await;

    let live = live_at_google(&h);
    assert_eq!(
        live.len(),
        1,
        "one channel is live at Google after the renewal: {live:#?}"
    );
    assert_ne!(live[0].id, first.id);
    let channels = h.engine.channels().expect("channels");
    assert_eq!(channels.len(), 1, "and one is listed: {channels:#?}");
    assert_eq!(channels[0].id, live[0].id);
    assert_eq!(errors_seen(&mut events), Vec::<String>::new());
}

#[tokio::test(start_paused = true)]
async fn unwatching_while_a_renewal_waits_for_its_sync_message_stops_both_quietly() {
    let (h, _) = watching().await;
    let mut events = h.engine.subscribe();
    into_renewal(&h, slow_deliveries()).await;
    h.engine.unwatch(&h.key).await.expect("unwatch works");
    tokio::time::sleep(Duration::from_secs(600)).await;

    let live = live_at_google(&h);
    assert!(live.is_empty(), "nothing is live at Google: {live:#?}");
    assert!(h.engine.channels().expect("channels").is_empty());
    assert_eq!(h.engine.snapshot().watched_count, 0);
    assert_eq!(
        errors_seen(&mut events),
        Vec::<String>::new(),
        "unwatching during a renewal is not an error"
    );
}

#[tokio::test(start_paused = true)]
async fn unwatching_while_google_is_still_creating_the_new_channel_leaves_nothing_live() {
    let (h, _) = watching().await;
    let mut events = h.engine.subscribe();
    // Google is slow to answer the renewal's events.watch: the new channel exists there
    // but CalWatch does not know its resource id yet.
    into_renewal(
        &h,
        Faults {
            watch_delay: Duration::from_secs(20),
            ..Faults::default()
        },
    )
    .await;
    h.engine.unwatch(&h.key).await.expect("unwatch works");
    tokio::time::sleep(Duration::from_secs(600)).await;

    let live = live_at_google(&h);
    assert!(
        live.is_empty(),
        "no channel is left delivering to CalWatch: {live:#?}"
    );
    assert!(h.engine.channels().expect("channels").is_empty());
    assert_eq!(h.engine.snapshot().watched_count, 0);
    assert_eq!(
        errors_seen(&mut events),
        Vec::<String>::new(),
        "unwatching during a renewal is not an error"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_renew_now_leaves_the_channel_as_it_was() {
    let (h, first) = watching().await;
    h.control.set_faults(refusing_callbacks());
    h.engine
        .renew(&first.id)
        .await
        .expect_err("Google refuses the new channel");
    let channels = only_the_old_channel(&h, &first);
    assert_eq!(
        channels[0].state,
        ChannelState::Active,
        "the channel still delivers and is not shown as renewing"
    );
}

#[tokio::test(start_paused = true)]
async fn moving_channels_to_a_new_callback_url_is_retried_until_google_accepts() {
    let (h, first) = watching().await;
    let tunnel = Tunnel::start(h.receiver, Arc::new(|_: &Seen| {})).await;
    h.control.set_faults(refusing_callbacks());
    h.engine
        .set_callback_url(&tunnel.url)
        .await
        .expect("callback URL accepted");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let channels = only_the_old_channel(&h, &first);
    shown_refused(&channels[0], "the channel that could not be moved says so");

    // Google accepts the new address again: the channel moves without waiting for its
    // regular renewal days later.
    h.control.set_faults(Faults::default());
    tokio::time::sleep(Duration::from_secs(20 * 60)).await;
    let channels = h.engine.channels().expect("channels");
    assert_eq!(channels.len(), 1, "one channel: {channels:?}");
    assert_eq!(channels[0].address, tunnel.url, "on the new address");
    assert_eq!(channels[0].state, ChannelState::Active);
    assert_eq!(
        state_of(&h.calendar_channels(), &first.id),
        Some(GoogleState::Stopped)
    );
    h.insert(
        "Via the new address",
        "2026-12-17T10:00:00+00:00",
        "2026-12-17T11:00:00+00:00",
    );
    let notices = h.notifier.wait_for(1).await;
    assert_eq!(notices.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn quitting_while_google_creates_a_renewal_leaves_one_channel_after_restart() {
    let (mut h, first) = watching().await;
    quit_until_past_renewal(&h).await;
    // What a run that quit while the renewal's events.watch was unanswered left behind.
    let store = database(&h);
    store
        .update_channel_state(&first.id, ChannelState::Renewing, None)
        .expect("state");
    let now = h.clock.now_ms();
    store
        .insert_channel(&ChannelRecord {
            id: "unanswered-renewal".into(),
            account: h.calendar.clone(),
            calendar_id: h.calendar.clone(),
            resource_id: None,
            token: calwatch_core::secrets::Sensitive::new("t".repeat(43)),
            address: first.address.clone(),
            expiration_ms: now + WEEK.as_millis() as i64,
            state: ChannelState::Pending,
            last_message_number: 0,
            created_ms: now,
            error: None,
        })
        .expect("insert");
    drop(store);
    // Google did create it.
    watch_at_google(&h, "unanswered-renewal", &first.address).await;
    restart_and_wait(&mut h).await;
    let live = live_at_google(&h);
    let channels = h.engine.channels().expect("channels");
    assert_eq!(channels.len(), 1, "one channel is listed: {channels:#?}");
    assert_eq!(live.len(), 1, "one is live at Google: {live:#?}");
    assert_eq!(live[0].id, channels[0].id);
}

/// Renews the watched calendar's channel with Google slow to answer events.watch (and
/// refusing it after all if `refuse`), and returns once the new channel is pending.
async fn renewal_waiting_for_google(h: &Harness, refuse: bool) {
    h.control.set_faults(Faults {
        watch_delay: Duration::from_secs(20),
        reject_callback_unauthorized: refuse,
        ..Faults::default()
    });
    tokio::time::sleep(WEEK.mul_f64(0.9) - Duration::from_secs(10)).await;
    until_engine_channels(h, 2).await;
}

#[tokio::test(start_paused = true)]
async fn stopping_a_channel_whose_renewal_google_then_refuses_stops_watching_the_calendar() {
    let (h, first) = watching().await;
    let mut events = h.engine.subscribe();
    let live_list = || {
        h.control
            .channels()
            .into_iter()
            .find(|c| c.calendar_list_user.is_some() && c.state == GoogleState::Live)
    };
    until_channels(&h, |_| live_list().is_some()).await;
    let original_list = live_list().expect("the calendar list is watched").id;
    let list_watches = h.control.stats().calendar_list_watch_calls;
    renewal_waiting_for_google(&h, true).await;
    h.engine
        .stop_channel(&first.id)
        .await
        .expect("stopping works");
    tokio::time::sleep(Duration::from_secs(600)).await;

    assert!(h.engine.channels().expect("channels").is_empty());
    assert_eq!(
        h.engine.snapshot().watched_count,
        0,
        "a calendar without a channel is not shown as watched"
    );
    assert!(nothing_live_at_google(&h));
    // The account's calendar list is renewed at the same time and Google refuses that
    // too, rightly reported each time; once Google accepts again it is renewed.
    h.control.set_faults(Faults::default());
    let renewed = tokio::time::timeout(Duration::from_secs(3600), async {
        while live_list().is_none_or(|c| c.id == original_list) {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    assert!(
        renewed.is_ok(),
        "the calendar list is renewed once Google accepts"
    );
    let refused_list_renewals = h.control.stats().calendar_list_watch_calls - list_watches - 1;
    let errors = errors_seen(&mut events);
    assert_eq!(
        errors.len() as u64,
        refused_list_renewals,
        "the abandoned renewal is not an error: every error is one of the calendar list's \
         refused renewals"
    );
}

#[tokio::test(start_paused = true)]
async fn stopping_a_channel_while_google_creates_its_replacement_stops_both() {
    let (h, first) = watching().await;
    let mut events = h.engine.subscribe();
    renewal_waiting_for_google(&h, false).await;
    h.engine
        .stop_channel(&first.id)
        .await
        .expect("stopping works");
    tokio::time::sleep(Duration::from_secs(600)).await;

    let live = live_at_google(&h);
    assert!(
        live.is_empty(),
        "the replacement does not outlive the stopped channel: {live:#?}"
    );
    assert!(h.engine.channels().expect("channels").is_empty());
    assert_eq!(
        h.engine.snapshot().watched_count,
        0,
        "stopping the calendar's channel stops watching it, renewal or not"
    );
    assert_eq!(errors_seen(&mut events), Vec::<String>::new());
}

#[tokio::test(start_paused = true)]
async fn stopping_the_new_channel_while_its_renewal_waits_keeps_the_calendar_watched() {
    let (h, first) = watching().await;
    into_renewal(&h, slow_deliveries()).await;
    stop_the_new_channel(&h, &first).await;
    tokio::time::sleep(Duration::from_secs(60)).await;

    assert_eq!(
        h.engine.snapshot().watched_count,
        1,
        "the old channel still watches"
    );
    let channels = h.engine.channels().expect("channels");
    assert!(
        channels.iter().any(|c| c.id == first.id),
        "and is kept: {channels:#?}"
    );
    assert_eq!(
        state_of(&h.calendar_channels(), &first.id),
        Some(GoogleState::Live),
        "a renewal whose new channel was stopped does not stop the old one"
    );
}

#[tokio::test(start_paused = true)]
async fn two_unwatches_at_once_both_succeed() {
    let (h, _) = watching().await;
    let mut events = h.engine.subscribe();
    // A renewal waiting for its sync message: two channels to stop.
    into_renewal(&h, slow_deliveries()).await;
    // The user's Unwatch while Google's not_exists (the calendar was deleted) unwatches it.
    let (user, automatic) = tokio::join!(h.engine.unwatch(&h.key), h.engine.unwatch(&h.key));
    user.expect("the user's unwatch succeeds");
    automatic.expect("so does the other one");
    tokio::time::sleep(Duration::from_secs(600)).await;

    assert!(nothing_live_at_google(&h));
    assert!(h.engine.channels().expect("channels").is_empty());
    assert_eq!(h.engine.snapshot().watched_count, 0);
    assert_eq!(errors_seen(&mut events), Vec::<String>::new());
}

/// The engine's database, opened beside it (as a previous run left it).
fn database(h: &Harness) -> calwatch_core::store::Store {
    calwatch_core::store::Store::open(
        &h.dir
            .path()
            .join("data")
            .join(calwatch_core::config::DATABASE_FILE),
    )
    .expect("store")
}

#[tokio::test(start_paused = true)]
async fn quitting_while_a_renewal_waits_and_google_cannot_be_told_to_stop_the_old_channel() {
    let (mut h, first) = watching().await;
    into_renewal(&h, slow_deliveries()).await;
    // Quit while the renewal waits for the new channel's sync message; the old channel's
    // channels.stop does not get through.
    h.control.set_faults(Faults {
        server_error_next: 100,
        ..Faults::default()
    });
    h.engine.shutdown().await;
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(
        state_of(&h.calendar_channels(), &first.id),
        Some(GoogleState::Live),
        "Google was not told"
    );
    h.control.set_faults(Faults::default());
    restart_and_wait(&mut h).await;

    assert_eq!(
        state_of(&h.calendar_channels(), &first.id),
        Some(GoogleState::Stopped),
        "the next start stops the old channel at Google rather than leave it posting until it expires"
    );
    one_channel_live_and_listed(&h);
}

#[tokio::test(start_paused = true)]
async fn quitting_while_google_stops_a_renewed_channel_stops_it_after_restart() {
    let (mut h, first) = watching().await;
    quit_until_past_renewal(&h).await;
    // What a run that quit during the old channel's channels.stop left behind: its
    // replacement confirmed, the old one stopped here but still live at Google.
    let store = database(&h);
    store
        .update_channel_state(&first.id, ChannelState::Stopped, None)
        .expect("state");
    let replacement = watch_at_google(&h, "replacement", &first.address).await;
    leftover_replacement(&h, &store, &replacement, ChannelState::Active, 1);
    drop(store);
    restart_and_wait(&mut h).await;

    assert_eq!(
        state_of(&h.calendar_channels(), &first.id),
        Some(GoogleState::Stopped),
        "the old channel is stopped at Google after the restart"
    );
    assert_eq!(
        state_of(&h.calendar_channels(), "replacement"),
        Some(GoogleState::Live)
    );
    let channels = h.engine.channels().expect("channels");
    assert_eq!(channels.len(), 1, "one channel is listed: {channels:#?}");
    assert_eq!(channels[0].id, "replacement");
    assert_eq!(
        database(&h).channel(&first.id).expect("read"),
        None,
        "and forgotten once Google confirmed"
    );
}

/// Creates channel `id` on the primary calendar at fake-google directly (what a previous
/// run's events.watch did), and returns fake-google's view of it.
async fn watch_at_google(h: &Harness, id: &str, address: &str) -> fake_google::ChannelInfo {
    let created = reqwest::Client::new()
        .post(format!(
            "{}/calendars/{}/events/watch",
            h.fake.api_base(),
            h.calendar
        ))
        .bearer_auth(h.control.issue_access_token())
        .json(&json!({
            "id": id,
            "type": "web_hook",
            "address": address,
            "token": "t".repeat(43),
        }))
        .send()
        .await
        .expect("fake-google answers");
    assert!(created.status().is_success());
    h.google_channel(id)
}

/// Stores `channel` (created at `now`) as a previous run left it.
fn leftover_replacement(
    h: &Harness,
    store: &calwatch_core::store::Store,
    channel: &fake_google::ChannelInfo,
    state: ChannelState,
    last_message_number: u64,
) {
    store
        .insert_channel(&ChannelRecord {
            id: channel.id.clone(),
            account: h.calendar.clone(),
            calendar_id: h.calendar.clone(),
            resource_id: Some(channel.resource_id.clone()),
            token: calwatch_core::secrets::Sensitive::new("t".repeat(43)),
            address: channel.address.clone(),
            expiration_ms: channel.expiration_ms,
            state,
            last_message_number,
            created_ms: h.clock.now_ms(),
            error: None,
        })
        .expect("insert");
}

#[tokio::test(start_paused = true)]
async fn quitting_after_a_renewal_was_confirmed_but_before_the_old_channel_stopped_leaves_one_channel(
) {
    let (mut h, first) = watching().await;
    quit_until_past_renewal(&h).await;
    // What a run killed between the new channel's sync message and the old channel's
    // channels.stop left behind: the old one renewing, the new one confirmed, both live.
    let store = database(&h);
    store
        .update_channel_state(&first.id, ChannelState::Renewing, None)
        .expect("state");
    let replacement = watch_at_google(&h, "replacement", &first.address).await;
    leftover_replacement(&h, &store, &replacement, ChannelState::Active, 1);
    drop(store);
    restart_and_wait(&mut h).await;

    let live = live_at_google(&h);
    assert_eq!(
        live.len(),
        1,
        "one channel is live at Google, not the confirmed one plus a renewal of the old: {live:#?}"
    );
    assert_eq!(
        live[0].id, "replacement",
        "the confirmed replacement is kept"
    );
    assert_eq!(
        state_of(&h.calendar_channels(), &first.id),
        Some(GoogleState::Stopped),
        "the old channel is stopped at Google"
    );
    let channels = h.engine.channels().expect("channels");
    assert_eq!(channels.len(), 1, "one channel is listed: {channels:#?}");
    assert_eq!(channels[0].id, "replacement");
    assert_eq!(
        database(&h).channel(&first.id).expect("read"),
        None,
        "and the old one forgotten once Google confirmed"
    );
}

/// Restarts with the first channel renewing and a replacement Google answered but never
/// confirmed (its `sync` message was lost with the run), stored as `state`.
async fn restart_with_an_unconfirmed_replacement(state: ChannelState) {
    let (mut h, first) = watching().await;
    quit_until_past_renewal(&h).await;
    let store = database(&h);
    store
        .update_channel_state(&first.id, ChannelState::Renewing, None)
        .expect("state");
    let replacement = watch_at_google(&h, "unconfirmed", &first.address).await;
    leftover_replacement(&h, &store, &replacement, state, 0);
    drop(store);
    restart_and_wait(&mut h).await;

    let live = live_at_google(&h);
    let channels = h.engine.channels().expect("channels");
    assert_eq!(live.len(), 1, "one is live at Google: {live:#?}");
    assert_eq!(channels.len(), 1, "one channel is listed: {channels:#?}");
    assert_eq!(live[0].id, channels[0].id, "and it is the one listed");
    assert_eq!(channels[0].state, ChannelState::Active);
}

#[tokio::test(start_paused = true)]
async fn quitting_after_google_answered_a_renewal_before_its_sync_message_leaves_one_channel() {
    restart_with_an_unconfirmed_replacement(ChannelState::Active).await;
}

#[tokio::test(start_paused = true)]
async fn quitting_while_a_renewal_records_google_s_answer_leaves_one_channel() {
    // Killed between storing the resource id and marking the new channel active.
    restart_with_an_unconfirmed_replacement(ChannelState::Pending).await;
}

#[tokio::test(start_paused = true)]
async fn a_renewal_interrupted_by_quitting_is_finished_at_the_next_start() {
    let (mut h, first) = watching().await;
    h.engine.shutdown().await;
    // "Renew now" two days in; the run dies before Google is asked for the new channel.
    tokio::time::sleep(Duration::from_secs(2 * 24 * 3600)).await;
    database(&h)
        .update_channel_state(&first.id, ChannelState::Renewing, None)
        .expect("state");
    restart_and_wait(&mut h).await;

    let channels = h.engine.channels().expect("channels");
    assert_eq!(channels.len(), 1, "one channel is listed: {channels:#?}");
    assert_eq!(
        channels[0].state,
        ChannelState::Active,
        "it is not shown renewing for days with nothing under way: {channels:#?}"
    );
    let live = live_at_google(&h);
    assert_eq!(live.len(), 1, "one is live at Google: {live:#?}");
    assert_eq!(live[0].id, channels[0].id);
}

/// Stops the renewal's new channel as the user would, and checks what the window shows:
/// the old channel as it was, no error, and later a renewal that goes through.
async fn stop_the_new_channel_of_a_renewal(h: &Harness, first: &ChannelRecord) {
    let mut events = h.engine.subscribe();
    let new = stop_the_new_channel(h, first).await;
    // Once the renewal gave up waiting for the new channel (its sync message or Google's
    // answer)…
    let old_channel = || {
        h.engine
            .channels()
            .expect("channels")
            .into_iter()
            .find(|c| c.id == first.id)
    };
    let done = patiently(async {
        while old_channel().is_some_and(|c| c.state == ChannelState::Renewing) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(done.is_ok(), "the renewal ends");
    let channels = h.engine.channels().expect("channels");
    let old = old_channel().expect("the old channel is kept");
    assert_eq!(
        (old.state, old.error.as_deref()),
        (ChannelState::Active, None),
        "the old channel still watches and is shown as it was: {channels:#?}"
    );
    assert_eq!(
        errors_seen(&mut events),
        Vec::<String>::new(),
        "the user's own stop is not reported as a failed renewal"
    );

    // The renewal is made again and goes through.
    h.control.set_faults(Faults::default());
    tokio::time::sleep(Duration::from_secs(600)).await;
    let live = one_channel_live_and_listed(h);
    assert!(live[0].id != first.id && live[0].id != new.id);
    assert_eq!(errors_seen(&mut events), Vec::<String>::new());
}

#[tokio::test(start_paused = true)]
async fn stopping_the_new_channel_of_a_renewal_is_not_an_error() {
    let (h, first) = watching().await;
    into_renewal(&h, slow_deliveries()).await;
    stop_the_new_channel_of_a_renewal(&h, &first).await;
}

#[tokio::test(start_paused = true)]
async fn stopping_the_new_channel_of_a_renewal_before_google_answered_is_not_an_error() {
    let (h, first) = watching().await;
    renewal_waiting_for_google(&h, false).await;
    stop_the_new_channel_of_a_renewal(&h, &first).await;
}

#[tokio::test(start_paused = true)]
async fn quitting_while_a_first_watch_is_under_way_leaves_nothing_live_and_watch_works_again() {
    let mut h = Harness::start(quick).await;
    h.engine.shutdown().await;
    // What a run killed inside Watch left behind: Google answered the channel, but the
    // calendar was not marked watched yet (nor its baseline taken).
    let address = format!("http://{}/notifications", h.receiver);
    let channel = watch_at_google(&h, "first-watch", &address).await;
    let store = database(&h);
    leftover_replacement(&h, &store, &channel, ChannelState::Active, 1);
    drop(store);
    restart_and_wait(&mut h).await;

    let live = live_at_google(&h);
    assert!(
        live.is_empty(),
        "nothing delivers for a calendar that is not watched: {live:#?}"
    );
    assert!(h.engine.channels().expect("channels").is_empty());

    // Watch again: the calendar is watched, with one channel, and changes are told.
    h.watch().await;
    assert_eq!(
        h.engine.snapshot().watched_count,
        1,
        "the calendar is watched"
    );
    one_channel_live_and_listed(&h);
    h.insert(
        "After watching again",
        "2026-12-18T10:00:00+00:00",
        "2026-12-18T11:00:00+00:00",
    );
    h.notifier.wait_for(1).await;
}

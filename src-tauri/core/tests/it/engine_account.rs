//! The account and the machine come and go: a dead sign-in is reported and recovered
//! from, a wake-up catches up, an idle engine stays idle, a deleted calendar is let go,
//! and each calendar carries the access role Google lists.

use std::time::Duration;

use crate::engine_support::{browser, heard, patiently, quick, Harness, Tunnel};
use calwatch_core::auth::AccountStatus;
use calwatch_core::engine::EngineEvent;
use calwatch_core::notice::Notice;
use calwatch_core::secrets::TokenStore;
use calwatch_core::store::CalendarKey;
use fake_google::{ChannelState as GoogleState, Faults};

/// Waits for an error event with `code`.
async fn error_event(
    events: &mut tokio::sync::broadcast::Receiver<EngineEvent>,
    code: &str,
) -> calwatch_core::engine::EngineError {
    heard(
        events,
        &format!("a {code} error event"),
        |event| match event {
            EngineEvent::Error(e) if e.code() == code => Some(e),
            _ => None,
        },
    )
    .await
}

#[tokio::test(start_paused = true)]
async fn revoked_sign_in_asks_to_sign_in_again_and_nothing_is_lost() {
    let h = Harness::start(quick).await;
    h.watch().await;
    let mut events = h.engine.subscribe();
    // The user removed CalWatch's access in their Google account (or the app is in
    // "Testing" and the refresh token died after 7 days).
    h.control.revoke_all_tokens();
    h.insert(
        "Made while signed out",
        "2026-12-20T10:00:00+00:00",
        "2026-12-20T11:00:00+00:00",
    );
    let error = error_event(&mut events, "needs_sign_in").await;
    assert!(error.to_string().contains("Sign in"), "{error}");
    let account = h.engine.snapshot().account.expect("the account is kept");
    assert_eq!(account.status, AccountStatus::NeedsSignIn);
    assert_eq!(
        h.engine.channels().expect("channels").len(),
        1,
        "channels are kept for when the user signs in again"
    );
    assert!(h.notifier.notices().is_empty());

    h.engine
        .sign_in(browser())
        .await
        .expect("signing in again works");
    assert_eq!(
        h.engine.snapshot().account.expect("account").status,
        AccountStatus::SignedIn
    );
    let notices = h.notifier.wait_for(1).await;
    assert!(
        matches!(&notices[0], Notice::Summary { count: 1, away: true, first, .. }
            if first == &vec!["Made while signed out added".to_string()]),
        "the change made meanwhile is caught up: {notices:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn waking_up_catches_up_what_no_notification_announced() {
    let h = Harness::start(quick).await;
    h.watch().await;
    // Asleep: Google's notifications do not reach the machine.
    h.control.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    h.insert(
        "While asleep",
        "2026-12-21T10:00:00+00:00",
        "2026-12-21T11:00:00+00:00",
    );
    h.control.wait_for_deliveries_idle().await;
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert!(h.notifier.notices().is_empty());
    h.control.set_faults(Faults::default());
    h.engine.resumed().await;
    let notices = h.notifier.wait_for(1).await;
    assert_eq!(
        notices[0].headline(),
        format!(
            "1 change in {} while you were away",
            calwatch_core::store::PRIMARY_NAME
        )
    );
}

#[tokio::test(start_paused = true)]
async fn the_network_back_catches_up_at_once_not_at_the_next_retry() {
    // Retries a day apart: only the catch-up can find the change within PATIENCE.
    let h = Harness::start(|config| {
        quick(config);
        config.settings.timings.sync_retry_first = Duration::from_secs(24 * 3600);
        config.settings.timings.sync_retry_max = Duration::from_secs(24 * 3600);
    })
    .await;
    h.watch().await;
    let mut events = h.engine.subscribe();
    // Offline: the notification gets through (a tunnel on this machine), Google's API
    // does not.
    h.control.set_faults(Faults {
        server_error_next: 1_000,
        ..Faults::default()
    });
    h.insert(
        "Made while offline",
        "2026-12-22T10:00:00+00:00",
        "2026-12-22T11:00:00+00:00",
    );
    let error = error_event(&mut events, "offline").await;
    assert!(!error.to_string().is_empty());
    assert!(h.notifier.notices().is_empty());

    // The network is back; the shell notices and says so.
    h.control.set_faults(Faults::default());
    h.engine.resumed().await;
    let notices = h.notifier.wait_for(1).await;
    assert!(
        matches!(&notices[0], Notice::Summary { count: 1, away: true, first, .. }
            if first == &vec!["Made while offline added".to_string()]),
        "the change is caught up: {notices:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_keyring_locked_at_start_is_asked_again_and_nothing_is_lost() {
    let mut h = Harness::start(quick).await;
    h.watch().await;
    h.engine.shutdown().await;
    // The next login starts CalWatch before the keyring is unlocked.
    h.tokens.set_unavailable(Some("the collection is locked"));
    let clock = std::sync::Arc::clone(&h.clock);
    h.restart(clock).await;
    assert_eq!(
        h.engine
            .snapshot()
            .account
            .expect("the account is kept")
            .status,
        AccountStatus::NeedsSignIn,
        "without its tokens the account cannot be used yet"
    );
    h.insert(
        "Made while the keyring was locked",
        "2026-12-23T10:00:00+00:00",
        "2026-12-23T11:00:00+00:00",
    );
    tokio::time::sleep(Duration::from_secs(90)).await;
    assert!(h.notifier.notices().is_empty());

    // The user unlocks the keyring; nobody signs in with Google again.
    h.tokens.set_unavailable(None);
    let notices = h.notifier.wait_for(1).await;
    assert!(
        matches!(&notices[0], Notice::Summary { count: 1, away: true, first, .. }
            if first == &vec!["Made while the keyring was locked added".to_string()]),
        "the change made meanwhile is caught up: {notices:?}"
    );
    assert_eq!(
        h.engine.snapshot().account.expect("account").status,
        AccountStatus::SignedIn
    );
    assert_eq!(h.engine.channels().expect("channels").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn idle_means_idle_and_the_backstop_is_no_faster_than_set() {
    let h = Harness::start(quick).await;
    h.watch().await;
    let before = h.list_calls();
    tokio::time::sleep(Duration::from_secs(6 * 3600)).await;
    assert_eq!(
        h.list_calls(),
        before,
        "with the backstop off and nothing happening, Google is not asked anything"
    );
    h.engine
        .update_settings(calwatch_core::engine::SettingsPatch {
            backstop_minutes: Some(15),
            ..Default::default()
        })
        .await
        .expect("settings");
    // Switched on after hours without a sync, the backstop checks once right away…
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(
        h.list_calls(),
        before + 1,
        "one catch-up check when switched on"
    );
    // …and then every 15 minutes.
    let before = h.list_calls();
    tokio::time::sleep(Duration::from_secs(3600)).await;
    let polls = h.list_calls() - before;
    assert_eq!(
        polls, 4,
        "a 15-minute backstop syncs four times an hour, no more"
    );
    assert_eq!(h.engine.snapshot().settings.backstop_minutes, 15);
}

#[tokio::test(start_paused = true)]
async fn calendars_carry_the_access_role_google_lists() {
    let h = Harness::start(quick).await;
    h.control
        .add_calendar("team@example.com", "Team", "Europe/London");
    h.control.set_access_role("team@example.com", "reader");
    let calendars = h.engine.refresh_calendars().await.expect("calendar list");
    let role = |id: &str| {
        calendars
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.access_role.clone())
    };
    assert_eq!(
        role(&h.calendar).as_deref(),
        Some("owner"),
        "the account owns its primary calendar"
    );
    assert_eq!(
        role("team@example.com").as_deref(),
        Some("reader"),
        "the window shows what the user may do in each calendar"
    );
}

#[tokio::test(start_paused = true)]
async fn deleted_calendar_is_let_go_with_one_message() {
    let h = Harness::start(quick).await;
    h.control
        .add_calendar("team@example.com", "Team", "Europe/London");
    h.engine.refresh_calendars().await.expect("calendar list");
    let channel = h
        .engine
        .watch(&CalendarKey::new(&h.calendar, "team@example.com"))
        .await
        .expect("watching a second calendar works");
    let mut events = h.engine.subscribe();
    h.control.delete_calendar("team@example.com");
    let error = error_event(&mut events, "not_found").await;
    assert!(
        error.to_string().contains("“Team” no longer exists"),
        "{error}"
    );
    // The calendar is shown unwatched first, then Google is told to stop the channel.
    let live_at_google = || {
        h.control
            .channels()
            .iter()
            .any(|c| c.id == channel.id && c.state == GoogleState::Live)
    };
    let settled = patiently(async {
        while !h.engine.channels().expect("channels").is_empty()
            || h.engine.snapshot().watched_count > 0
            || live_at_google()
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(settled.is_ok(), "the gone calendar's channel is stopped");
    let calendars = h.engine.calendars().expect("calendar list");
    let team = calendars
        .iter()
        .find(|c| c.id == "team@example.com")
        .expect("still listed, marked gone");
    assert!(team.gone && !team.watched);
    assert_ne!(
        h.control
            .channels()
            .iter()
            .find(|c| c.id == channel.id)
            .map(|c| c.state),
        Some(GoogleState::Live)
    );
}

#[tokio::test(start_paused = true)]
async fn new_callback_url_moves_live_channels_to_it() {
    let h = Harness::start(quick).await;
    let first = h.watch().await;
    let tunnel = Tunnel::start(
        h.receiver,
        std::sync::Arc::new(|_: &crate::engine_support::Seen| {}),
    )
    .await;
    h.engine
        .set_callback_url(&tunnel.url)
        .await
        .expect("new callback URL");
    let moved = patiently(async {
        loop {
            let live = h.engine.channels().expect("channels");
            if live.len() == 1 && live[0].id != first.id {
                return live[0].clone();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the channel is renewed onto the new address");
    assert_eq!(moved.address, tunnel.url);
    let google = h.control.channels();
    assert_eq!(
        google.iter().find(|c| c.id == first.id).map(|c| c.state),
        Some(GoogleState::Stopped)
    );
    h.insert(
        "Through the new tunnel",
        "2026-12-22T10:00:00+00:00",
        "2026-12-22T11:00:00+00:00",
    );
    let notices = h.notifier.wait_for(1).await;
    assert_eq!(notices[0].headline(), "Through the new tunnel added");
}

#[tokio::test(start_paused = true)]
async fn a_refresh_answered_after_sign_out_does_not_bring_the_sign_in_back() {
    let h = Harness::start(quick).await;
    // The app sat idle past the access token's hour; the window then asks for the
    // calendar list, which needs a refresh, and Google's answer is slow to arrive.
    tokio::time::advance(Duration::from_secs(2 * 3600)).await;
    h.control.set_faults(Faults {
        token_delay: Duration::from_secs(10),
        ..Faults::default()
    });
    let asked = h.control.stats().token_calls;
    let listing = tokio::spawn({
        let engine = h.engine.clone();
        async move { engine.refresh_calendars().await }
    });
    patiently(async {
        while h.control.stats().token_calls == asked {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the refresh reached Google");

    // Meanwhile the user signs out.
    h.engine.sign_out().await.expect("sign-out works");
    assert!(h.tokens.accounts().is_empty(), "the tokens are gone");
    let _ = listing.await.expect("the listing task ends");

    assert!(
        h.tokens.accounts().is_empty(),
        "a refresh answered after sign-out must not write tokens back into the keyring"
    );
    assert!(
        h.engine.snapshot().account.is_none(),
        "the signed-out account does not come back in the window"
    );
}

#[tokio::test(start_paused = true)]
async fn an_account_whose_keyring_entry_is_gone_can_still_be_signed_out() {
    let mut h = Harness::start(quick).await;
    h.watch().await;
    // Something else (a keyring clean-up, the user in Seahorse) deleted CalWatch's entry.
    h.tokens.delete(&h.calendar).await.expect("entry deleted");
    let clock = std::sync::Arc::clone(&h.clock);
    h.restart(clock).await;
    let account = h
        .engine
        .snapshot()
        .account
        .expect("the account is still shown");
    assert_eq!(account.status, AccountStatus::NeedsSignIn);

    h.engine.sign_out().await.expect("sign-out works");
    let state = h.engine.snapshot();
    assert!(
        state.account.is_none(),
        "after signing out the window no longer shows the account: {:?}",
        state.account
    );
    assert_eq!(state.watched_count, 0, "nothing is watched any more");
}

/// The other Google account a user picks in the account chooser.
const OTHER: &str = "other.account@example.com";

/// Whether Google still grants an access token for `tokens`' refresh token.
async fn refresh_works(h: &Harness, tokens: &calwatch_core::secrets::TokenSet) -> bool {
    let opts = fake_google::Options::default();
    let refresh = tokens.refresh_token.as_ref().expect("a refresh token");
    reqwest::Client::new()
        .post(h.fake.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose().as_str()),
            ("client_id", &opts.client_id),
            ("client_secret", &opts.client_secret),
        ])
        .send()
        .await
        .expect("the token endpoint answers")
        .status()
        .is_success()
}

#[tokio::test(start_paused = true)]
async fn signing_in_as_another_account_adds_it_and_signing_one_out_leaves_the_other() {
    let mut h = Harness::start(quick).await;
    let first = h.calendar.clone();
    let first_channel = h.watch().await;
    let first_tokens = h
        .tokens
        .load(&first)
        .await
        .expect("keyring")
        .expect("the first account's tokens");

    // "Add another Google account": the user picks another account in Google's chooser.
    h.control.add_user(OTHER);
    h.engine
        .sign_in(crate::engine_support::browser_as(OTHER))
        .await
        .expect("signing in as another account works");

    let state = h.engine.snapshot();
    let mut accounts: Vec<(String, AccountStatus)> = state
        .accounts
        .iter()
        .map(|a| (a.email.clone(), a.status))
        .collect();
    accounts.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        accounts,
        vec![
            (OTHER.to_string(), AccountStatus::SignedIn),
            (first.clone(), AccountStatus::SignedIn),
        ],
        "both accounts are held, each signed in"
    );
    let other_channel = h
        .engine
        .watch(&CalendarKey::new(OTHER, OTHER))
        .await
        .expect("watching the second account's calendar works");
    assert_eq!(h.engine.snapshot().watched_count, 2);
    assert_eq!(
        h.google_channel(&first_channel.id).state,
        GoogleState::Live,
        "the first account's channel is untouched by the second sign-in"
    );
    let mut keyring = h.tokens.accounts();
    keyring.sort();
    let mut both = vec![first.clone(), OTHER.to_string()];
    both.sort();
    assert_eq!(keyring, both, "one keyring entry per account");

    // A change in each account's calendar is told, each routed by its own channel.
    h.insert(
        "In the first account",
        "2026-12-20T10:00:00+00:00",
        "2026-12-20T11:00:00+00:00",
    );
    h.control.insert_event(
        OTHER,
        serde_json::json!({
            "summary": "In the second account",
            "start": {"dateTime": "2026-12-20T12:00:00+00:00"},
            "end": {"dateTime": "2026-12-20T13:00:00+00:00"},
        }),
    );
    let notices = h.notifier.wait_for(2).await;
    let mut told: Vec<(String, String)> = h
        .notifier
        .changes()
        .into_iter()
        .map(|c| (c.account, c.title))
        .collect();
    told.sort();
    assert_eq!(
        told,
        vec![
            (OTHER.to_string(), "In the second account".to_string()),
            (first.clone(), "In the first account".to_string()),
        ],
        "each change is told once, as its own account's: {notices:?}"
    );
    let mut names: Vec<String> = h
        .notifier
        .changes()
        .into_iter()
        .map(|c| c.calendar_name)
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            format!("Primary calendar ({OTHER})"),
            format!("Primary calendar ({first})"),
        ],
        "two calendars of the same name are told apart by their account"
    );

    // Sign out the first account only.
    h.engine
        .sign_out_account(&first, false)
        .await
        .expect("signing one account out works");
    assert_eq!(
        h.google_channel(&first_channel.id).state,
        GoogleState::Stopped,
        "the first account's channel is stopped at Google with its own tokens"
    );
    assert_eq!(
        h.google_channel(&other_channel.id).state,
        GoogleState::Live,
        "the other account's channel stays live at Google"
    );
    assert_eq!(
        h.tokens.accounts(),
        vec![OTHER.to_string()],
        "only the signed-out account's keyring entry is deleted"
    );
    assert!(
        !refresh_works(&h, &first_tokens).await,
        "the signed-out account's grant is revoked at Google"
    );
    let state = h.engine.snapshot();
    assert_eq!(
        state
            .accounts
            .iter()
            .map(|a| a.email.as_str())
            .collect::<Vec<_>>(),
        vec![OTHER]
    );
    assert!(
        h.engine
            .calendars()
            .expect("calendar list")
            .iter()
            .all(|c| c.account == OTHER),
        "the signed-out account's calendars leave the list"
    );
    h.control.insert_event(
        OTHER,
        serde_json::json!({
            "summary": "After the other signed out",
            "start": {"dateTime": "2026-12-21T12:00:00+00:00"},
            "end": {"dateTime": "2026-12-21T13:00:00+00:00"},
        }),
    );
    let notices = h.notifier.wait_for(3).await;
    assert_eq!(notices[2].headline(), "After the other signed out added");

    // After a restart the remaining account is loaded, still watching.
    let clock = std::sync::Arc::clone(&h.clock);
    h.restart(clock).await;
    let state = h.engine.snapshot();
    assert_eq!(
        state
            .accounts
            .iter()
            .map(|a| (a.email.as_str(), a.status))
            .collect::<Vec<_>>(),
        vec![(OTHER, AccountStatus::SignedIn)]
    );
    assert_eq!(state.watched_count, 1);
}

#[tokio::test(start_paused = true)]
async fn a_calendar_shared_with_two_accounts_is_two_watches_each_told_once() {
    let h = Harness::start(quick).await;
    let first = h.calendar.clone();
    h.control.add_user(OTHER);
    h.control.share_calendar(&first, OTHER, "reader");
    h.engine
        .sign_in(crate::engine_support::browser_as(OTHER))
        .await
        .expect("the second account signs in");
    let mut listed: Vec<(String, String)> = h
        .engine
        .calendars()
        .expect("calendar list")
        .into_iter()
        .filter(|c| c.id == first)
        .map(|c| (c.account, c.id))
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        vec![
            (OTHER.to_string(), first.clone()),
            (first.clone(), first.clone())
        ],
        "the shared calendar is listed under each account"
    );
    let mine = h.watch().await;
    let shared = h
        .engine
        .watch(&CalendarKey::new(OTHER, &first))
        .await
        .expect("the second account watches the shared calendar");
    assert_ne!(
        mine.id, shared.id,
        "each account-calendar pair is its own channel"
    );
    assert_eq!(
        (mine.account.as_str(), shared.account.as_str()),
        (first.as_str(), OTHER),
        "each channel belongs to the account that made it"
    );

    h.insert(
        "Shared change",
        "2026-12-20T10:00:00+00:00",
        "2026-12-20T11:00:00+00:00",
    );
    h.notifier.wait_for(2).await;
    h.settle().await;
    h.engine
        .sync_now(&CalendarKey::new(OTHER, &first))
        .await
        .expect("the shared calendar syncs as the second account");
    let mut told: Vec<String> = h
        .notifier
        .changes()
        .into_iter()
        .map(|c| c.account)
        .collect();
    told.sort();
    assert_eq!(
        told,
        vec![OTHER.to_string(), first.clone()],
        "the change is told once per account-calendar pair, routed by each channel"
    );
}

#[tokio::test(start_paused = true)]
async fn a_calendar_google_answers_404_for_is_let_go_once_without_retrying() {
    let h = Harness::start(quick).await;
    let first = h.calendar.clone();
    h.control.add_user(OTHER);
    h.control.share_calendar(&first, OTHER, "reader");
    h.engine
        .sign_in(crate::engine_support::browser_as(OTHER))
        .await
        .expect("the second account signs in");
    let mine = h.watch().await;
    let shared = CalendarKey::new(OTHER, &first);
    let theirs = h.engine.watch(&shared).await.expect("shared watch");
    let mut events = h.engine.subscribe();

    // The second account unsubscribes at Google: its events.list answers 404 from now on.
    h.control.remove_from_calendar_list(OTHER, &first);
    let found = h.engine.sync_now(&shared).await;
    assert!(found.is_err(), "the sync meets Google's 404");
    let error = error_event(&mut events, "not_found").await;
    assert!(
        error.to_string().contains(OTHER) && error.to_string().contains("stopped watching"),
        "one sentence says which calendar of which account went: {error}"
    );
    let gone = patiently(async {
        loop {
            let calendar = h.store().calendar(&shared).expect("read").expect("kept");
            if calendar.gone && !calendar.watched {
                return calendar;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the calendar is let go");
    assert!(gone.gone, "its row is marked gone");
    let reasons = h.store().gone_reasons().expect("reasons");
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].key, shared);
    let live: Vec<String> = h
        .engine
        .channels()
        .expect("channels")
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        live,
        vec![mine.id.clone()],
        "only its channel went: {theirs:?}"
    );
    let lists = h.list_calls();
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(
        h.list_calls(),
        lists,
        "no retry loop: nothing asks Google about the gone calendar again"
    );
    assert_eq!(
        h.google_channel(&mine.id).state,
        GoogleState::Live,
        "the first account's own watch of the calendar goes on"
    );
}

#[tokio::test(start_paused = true)]
async fn signing_in_again_as_the_same_account_keeps_everything() {
    let h = Harness::start(quick).await;
    let channel = h.watch().await;
    h.insert(
        "Before signing in again",
        "2026-12-20T10:00:00+00:00",
        "2026-12-20T11:00:00+00:00",
    );
    h.notifier.wait_for(1).await;
    let history = h.engine.recent_changes(10).expect("history");

    h.engine
        .sign_in(browser())
        .await
        .expect("signing in again works");
    // Signing in catches up what a dead sign-in may have missed; let that finish first.
    h.settle().await;

    assert_eq!(
        h.engine
            .channels()
            .expect("channels")
            .iter()
            .map(|c| c.id.clone())
            .collect::<Vec<_>>(),
        vec![channel.id.clone()],
        "the channel is kept"
    );
    assert_eq!(h.google_channel(&channel.id).state, GoogleState::Live);
    assert_eq!(h.engine.snapshot().watched_count, 1, "still watched");
    assert_eq!(h.tokens.accounts(), vec![h.calendar.clone()]);
    assert_eq!(h.engine.recent_changes(10).expect("history"), history);
    h.insert(
        "After signing in again",
        "2026-12-21T10:00:00+00:00",
        "2026-12-21T11:00:00+00:00",
    );
    let notices = h.notifier.wait_for(2).await;
    assert_eq!(notices[1].headline(), "After signing in again added");
}

#[tokio::test(start_paused = true)]
async fn one_accounts_dead_refresh_token_marks_only_that_account() {
    let mut h = Harness::start(quick).await;
    let first = h.calendar.clone();
    h.watch().await;
    h.control.add_user(OTHER);
    h.engine
        .sign_in(crate::engine_support::browser_as(OTHER))
        .await
        .expect("the second account signs in");
    h.engine
        .watch(&CalendarKey::new(OTHER, OTHER))
        .await
        .expect("watching the second account's calendar works");
    // The first account's grant dies (revoked at Google, or expired): its keyring entry
    // holds tokens Google no longer takes; the second's are fine.
    h.engine.shutdown().await;
    let mut dead = h
        .tokens
        .load(&first)
        .await
        .expect("keyring")
        .expect("the first account's tokens");
    dead.access_token = calwatch_core::secrets::Sensitive::new("dead-access".into());
    dead.refresh_token = Some(calwatch_core::secrets::Sensitive::new(
        "dead-refresh".into(),
    ));
    dead.expires_at_ms = 0;
    h.tokens.save(&first, &dead).await.expect("saved");
    let clock = std::sync::Arc::clone(&h.clock);
    h.restart(clock).await;
    // Start-up loads both; the first one's catch-up meets invalid_grant.
    h.engine
        .sync_now(&h.key)
        .await
        .expect_err("the dead account cannot sync");
    let mut states: Vec<(String, AccountStatus)> = h
        .engine
        .snapshot()
        .accounts
        .iter()
        .map(|a| (a.email.clone(), a.status))
        .collect();
    states.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        states,
        vec![
            (OTHER.to_string(), AccountStatus::SignedIn),
            (first.clone(), AccountStatus::NeedsSignIn),
        ],
        "only the account whose refresh token died needs signing in again"
    );
    h.control.insert_event(
        OTHER,
        serde_json::json!({
            "summary": "Still told",
            "start": {"dateTime": "2026-12-21T12:00:00+00:00"},
            "end": {"dateTime": "2026-12-21T13:00:00+00:00"},
        }),
    );
    let notices = h.notifier.wait_for(1).await;
    assert_eq!(
        notices.last().expect("a notice").headline(),
        "Still told added",
        "the other account goes on working"
    );
}

#[tokio::test]
async fn display_reads_of_an_empty_calendar_list_never_ask_google() {
    let h = Harness::start(quick).await;
    // What a sign-in whose calendar listing failed leaves behind: nothing stored.
    let store = h.store();
    store
        .delete_account(&h.calendar)
        .expect("the account's calendars are forgotten");
    store
        .upsert_account(&h.calendar, AccountStatus::SignedIn, 0)
        .expect("the account itself stays");
    let asked = h.control.stats().calendar_list_calls;
    for _ in 0..3 {
        // The tray's tick and the window's event handler read this way.
        let calendars = h.engine.calendars().expect("the stored list");
        assert!(calendars.is_empty(), "nothing is stored: {calendars:?}");
    }
    assert_eq!(
        h.control.stats().calendar_list_calls,
        asked,
        "a display path must never ask Google for the calendar list"
    );
    let listed = h
        .engine
        .refresh_calendars()
        .await
        .expect("the window's refresh lists them");
    assert!(listed.iter().any(|c| c.id == h.calendar));
    assert_eq!(
        h.control.stats().calendar_list_calls,
        asked + 1,
        "only the explicit refresh asks, once"
    );
}

#[tokio::test]
async fn settings_out_of_range_are_refused_with_a_sentence_and_not_saved() {
    let h = Harness::start(quick).await;
    let before = h.engine.snapshot().settings;
    let settings_file = h.dir.path().join("data").join("settings.json");
    let saved = std::fs::read_to_string(&settings_file).unwrap_or_default();
    for (patch, what) in [
        (
            calwatch_core::engine::SettingsPatch {
                receiver_port: Some(0),
                ..Default::default()
            },
            "port",
        ),
        (
            calwatch_core::engine::SettingsPatch {
                summary_threshold: Some(0),
                ..Default::default()
            },
            "threshold",
        ),
        (
            calwatch_core::engine::SettingsPatch {
                // minutes * 60 would overflow.
                backstop_minutes: Some(u64::MAX),
                ..Default::default()
            },
            "backstop",
        ),
    ] {
        let refused = h
            .engine
            .update_settings(patch)
            .await
            .expect_err("an out-of-range setting is refused");
        assert_eq!(refused.code(), "invalid_setting", "{what}: {refused}");
        assert!(
            refused.to_string().ends_with('.') && refused.to_string().len() > 30,
            "{what}: the window shows a sentence saying what is allowed: {refused}"
        );
    }
    let after = h.engine.snapshot().settings;
    assert_eq!(
        (
            after.receiver_port,
            after.summary_threshold,
            after.backstop_minutes
        ),
        (
            before.receiver_port,
            before.summary_threshold,
            before.backstop_minutes
        ),
        "nothing of a refused patch is applied"
    );
    assert_eq!(
        std::fs::read_to_string(&settings_file).unwrap_or_default(),
        saved,
        "nothing of a refused patch is saved"
    );
}

#[tokio::test]
async fn a_sync_cut_short_by_unwatching_is_not_reported_as_a_store_failure() {
    let h = Harness::start(quick).await;
    h.watch().await;
    h.settle().await;
    let mut events = h.engine.subscribe();
    // The next sync hangs in the notifier, after its commit: unwatching stops it there.
    h.notifier.hang_from_now();
    h.insert(
        "Dentist",
        "2026-12-21T10:00:00+00:00",
        "2026-12-21T11:00:00+00:00",
    );
    let engine = h.engine.clone();
    let calendar = h.key.clone();
    let sync = tokio::spawn(async move { engine.sync_now(&calendar).await });
    h.notifier.wait_for_hang().await;
    h.engine.unwatch(&h.key).await.expect("unwatching works");
    let cut_short = patiently(sync)
        .await
        .expect("the waiting caller is answered")
        .expect("the task ran")
        .expect_err("the sync did not finish");
    assert_eq!(
        cut_short.code(),
        "sync_stopped",
        "a stopped sync is its own thing, not a database failure: {cut_short}"
    );
    while let Ok(event) = events.try_recv() {
        if let EngineEvent::Error(e) = event {
            assert_ne!(e.code(), "store", "the window is never told “store”: {e}");
        }
    }
}

#[tokio::test]
async fn a_sync_token_google_cannot_read_leads_to_one_quiet_full_sync() {
    let h = Harness::start(quick).await;
    h.watch().await;
    h.insert(
        "Dentist",
        "2026-12-21T10:00:00+00:00",
        "2026-12-21T11:00:00+00:00",
    );
    h.notifier.wait_for(1).await;
    h.settle().await;
    // A token Google cannot read: it answers 400 "Invalid sync token value.".
    h.store()
        .set_sync_state(
            &h.key,
            &calwatch_core::store::SyncState {
                sync_token: Some("damaged-token".into()),
                last_full_sync_ms: None,
            },
        )
        .expect("the damaged token is stored");
    let found = patiently(h.engine.sync_now(&h.key))
        .await
        .expect("the sync worker answers")
        .expect("the sync recovers with a full list instead of failing");
    assert_eq!(found, 0, "the full list is diffed, not told as all new");
    assert_eq!(h.notifier.notices().len(), 1, "no toast storm");
    let token = h
        .store()
        .sync_state(&h.key)
        .expect("readable")
        .and_then(|s| s.sync_token);
    assert!(
        token.is_some_and(|t| t != "damaged-token"),
        "the damaged token is replaced by the full list's"
    );
}

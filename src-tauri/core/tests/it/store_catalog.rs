//! Accounts, calendars and channels: what the window lists and what restarts re-arm.

use crate::support::store::{calendar, key, store_with_account, ME};
use calwatch_core::notice::{Change, ChangeKind};
use calwatch_core::secrets::Sensitive;
use calwatch_core::store::{
    AccountStatus, CalendarRecord, ChannelRecord, ChannelState, EventSnapshot, Store, StoreError,
    SyncState,
};
use tempfile::TempDir;

fn fixture() -> (TempDir, Store) {
    let (dir, _path, store) = store_with_account(10);
    store.upsert_calendar(&calendar(ME, "Me")).unwrap();
    store
        .upsert_calendar(&calendar("work@example.com", "Work"))
        .unwrap();
    (dir, store)
}

fn channel(id: &str, calendar_id: &str, state: ChannelState) -> ChannelRecord {
    ChannelRecord {
        id: id.into(),
        account: ME.into(),
        calendar_id: calendar_id.into(),
        resource_id: None,
        token: Sensitive::new(format!("token-of-{id}")),
        address: "https://laptop.example.ts.net/notifications".into(),
        expiration_ms: 0,
        state,
        last_message_number: 0,
        created_ms: 100,
        error: None,
    }
}

fn snapshot(calendar_id: &str) -> EventSnapshot {
    let start = calwatch_core::notice::EventTime::date(
        chrono::NaiveDate::from_ymd_opt(2024, 12, 3).unwrap(),
    );
    crate::support::snapshot::snapshot(calendar_id, "ev1")
        .summary("Offsite")
        .during(start.clone(), start)
        .all_day()
        .build()
}

fn created(calendar_id: &str) -> Change {
    Change {
        account: ME.into(),
        calendar_id: calendar_id.into(),
        calendar_name: "Work".into(),
        event_id: "ev1".into(),
        kind: ChangeKind::Created,
        title: "Offsite".into(),
        start: None,
        end: None,
        diffs: vec![],
        html_link: None,
        facts: Default::default(),
    }
}

#[test]
fn account_status_changes_and_unknown_accounts_are_refused() {
    let (_dir, store) = fixture();
    store
        .set_account_status(ME, AccountStatus::NeedsSignIn)
        .unwrap();
    assert_eq!(
        store.account(ME).unwrap().unwrap().status,
        AccountStatus::NeedsSignIn
    );
    store
        .upsert_account(ME, AccountStatus::Offline, 999)
        .unwrap();
    let account = store.account(ME).unwrap().unwrap();
    assert_eq!(account.status, AccountStatus::Offline);
    assert_eq!(
        account.created_ms, 10,
        "signing in again keeps the first sign-in time"
    );
    assert_eq!(
        store.set_account_status("other@example.com", AccountStatus::SignedIn),
        Err(StoreError::UnknownAccount("other@example.com".into()))
    );
    assert_eq!(
        store.upsert_calendar(&CalendarRecord {
            account: "other@example.com".into(),
            ..calendar("x", "X")
        }),
        Err(StoreError::UnknownAccount("other@example.com".into())),
        "every calendar belongs to a known account"
    );
}

#[test]
fn a_calendar_listing_is_stored_whole_or_not_at_all() {
    let (_dir, store) = fixture();
    store
        .record_calendar_listing(
            ME,
            &[calendar("offsite@example.com", "Team Offsite")],
            "list-2",
        )
        .unwrap();
    assert_eq!(
        store.calendar_list_sync_token(ME).unwrap().as_deref(),
        Some("list-2")
    );
    assert!(store
        .calendar(&key("offsite@example.com"))
        .unwrap()
        .is_some());

    // A listing that cannot be stored whole (a calendar of an account not signed in, as a
    // crash part-way would leave it) stores nothing: neither the first calendar nor the
    // token, so the next reading finds "Planning" new again.
    let mut stranger = calendar("shared@example.com", "Shared");
    stranger.account = "stranger@example.com".into();
    assert!(store
        .record_calendar_listing(
            ME,
            &[calendar("planning@example.com", "Planning"), stranger],
            "list-3"
        )
        .is_err());
    assert!(
        store
            .calendar(&key("planning@example.com"))
            .unwrap()
            .is_none(),
        "not stored without the rest"
    );
    assert_eq!(
        store.calendar_list_sync_token(ME).unwrap().as_deref(),
        Some("list-2"),
        "the token stays where the stored calendars are"
    );
}

#[test]
fn calendars_list_primary_first_and_relisting_keeps_watched() {
    let (_dir, store) = fixture();
    store.set_watched(&key("work@example.com"), true).unwrap();
    // The calendar list is read again: it is renamed, and the listing says watched: false.
    store
        .upsert_calendar(&calendar("work@example.com", "Work (team)"))
        .unwrap();
    let names: Vec<(String, bool)> = store
        .calendars()
        .unwrap()
        .into_iter()
        .map(|c| (c.summary, c.watched))
        .collect();
    assert_eq!(
        names,
        [("Me".to_string(), false), ("Work (team)".to_string(), true)],
        "re-reading the calendar list never unwatches a calendar"
    );
    assert_eq!(store.watched_calendars().unwrap().len(), 1);
    assert_eq!(store.calendars_of(ME).unwrap().len(), 2);
    assert_eq!(
        store.set_watched(&key("nope"), true),
        Err(StoreError::UnknownCalendar(key("nope").to_string()))
    );
}

#[test]
fn relisting_records_the_access_role_google_gives_now() {
    let (_dir, store) = fixture();
    let work = "work@example.com";
    store
        .upsert_calendar(&CalendarRecord {
            access_role: Some("reader".into()),
            ..calendar(work, "Work")
        })
        .unwrap();
    assert_eq!(
        store
            .calendar(&key(work))
            .unwrap()
            .unwrap()
            .access_role
            .as_deref(),
        Some("reader")
    );
    store
        .upsert_calendar(&CalendarRecord {
            access_role: Some("writer".into()),
            ..calendar(work, "Work")
        })
        .unwrap();
    assert_eq!(
        store
            .calendar(&key(work))
            .unwrap()
            .unwrap()
            .access_role
            .as_deref(),
        Some("writer"),
        "the window shows the role the calendar list gave last"
    );
}

#[test]
fn gone_calendar_is_not_watched_until_listed_again() {
    let (_dir, store) = fixture();
    store.set_watched(&key("work@example.com"), true).unwrap();
    store.mark_gone(&key("work@example.com")).unwrap();
    assert!(
        store
            .calendar(&key("work@example.com"))
            .unwrap()
            .unwrap()
            .gone
    );
    assert!(
        store.watched_calendars().unwrap().is_empty(),
        "a gone calendar is not synced"
    );
    store
        .upsert_calendar(&calendar("work@example.com", "Work"))
        .unwrap();
    assert_eq!(
        store.watched_calendars().unwrap().len(),
        1,
        "listed again, it is back"
    );
}

#[test]
fn unwatching_forgets_sync_state_and_snapshots_but_not_history() {
    let (_dir, store) = fixture();
    let work = "work@example.com";
    store.set_watched(&key(work), true).unwrap();
    store
        .commit_sync(
            &key(work),
            &[snapshot(work)],
            &[],
            &[created(work)],
            Some("t1"),
            Some(5),
        )
        .unwrap();
    store.set_watched(&key(work), false).unwrap();
    assert_eq!(store.sync_state(&key(work)).unwrap(), None);
    assert!(
        store.snapshots(&key(work)).unwrap().is_empty(),
        "a later watch starts a fresh baseline"
    );
    assert_eq!(
        store.recent_changes(10).unwrap().len(),
        1,
        "history is the user's record"
    );
}

#[test]
fn sync_state_set_and_reset_keeps_snapshots_for_the_resync_diff() {
    let (_dir, store) = fixture();
    let work = "work@example.com";
    store
        .commit_sync(&key(work), &[snapshot(work)], &[], &[], Some("t1"), Some(5))
        .unwrap();
    store
        .set_sync_state(&key(work), &SyncState::default())
        .unwrap();
    assert_eq!(
        store
            .sync_state(&key(work))
            .unwrap()
            .and_then(|s| s.sync_token),
        None,
        "next sync is a full one"
    );
    assert_eq!(
        store.snapshots(&key(work)).unwrap().len(),
        1,
        "the full sync diffs against these"
    );
    let state = SyncState {
        sync_token: Some("t9".into()),
        last_full_sync_ms: Some(77),
    };
    store.set_sync_state(&key(work), &state).unwrap();
    assert_eq!(store.sync_state(&key(work)).unwrap(), Some(state));
}

#[test]
fn signing_out_removes_the_account_but_keeps_change_history() {
    let (_dir, store) = fixture();
    let work = "work@example.com";
    store
        .insert_channel(&channel("c1", work, ChannelState::Active))
        .unwrap();
    store
        .commit_sync(
            &key(work),
            &[snapshot(work)],
            &[],
            &[created(work)],
            Some("t1"),
            None,
        )
        .unwrap();
    store.delete_account(ME).unwrap();
    assert_eq!(store.account(ME).unwrap(), None);
    assert!(store.calendars().unwrap().is_empty());
    assert!(store.channels().unwrap().is_empty());
    assert_eq!(store.sync_state(&key(work)).unwrap(), None);
    assert!(store.snapshots(&key(work)).unwrap().is_empty());
    let history = store.recent_changes(10).unwrap();
    assert_eq!(history.len(), 1, "signing out must not erase what happened");
    assert_eq!(history[0].change.title, "Offsite");
}

#[test]
fn channel_lifecycle_is_recorded() {
    let (_dir, store) = fixture();
    let work = "work@example.com";
    store
        .insert_channel(&channel("c1", work, ChannelState::Pending))
        .unwrap();
    store
        .record_watch_response("c1", "res-9", 1_700_000_000_000)
        .unwrap();
    store
        .update_channel_state("c1", ChannelState::Active, None)
        .unwrap();
    let c1 = store.channel("c1").unwrap().unwrap();
    assert_eq!(c1.resource_id.as_deref(), Some("res-9"));
    assert_eq!(c1.expiration_ms, 1_700_000_000_000);
    assert_eq!(c1.state, ChannelState::Active);
    assert_eq!(c1.token.expose(), "token-of-c1");
    assert!(
        !format!("{c1:?}").contains("token-of-c1"),
        "the channel token never reaches a log"
    );

    store
        .update_channel_state(
            "c1",
            ChannelState::Error,
            Some("renewal failed: Google said 503"),
        )
        .unwrap();
    assert_eq!(
        store.channel("c1").unwrap().unwrap().error.as_deref(),
        Some("renewal failed: Google said 503")
    );
    store
        .update_channel_state("c1", ChannelState::Active, None)
        .unwrap();
    assert_eq!(
        store.channel("c1").unwrap().unwrap().error,
        None,
        "recovery clears the error"
    );
    assert_eq!(
        store.update_channel_state("ghost", ChannelState::Active, None),
        Err(StoreError::UnknownChannel("ghost".into()))
    );
    assert_eq!(
        store.insert_channel(&channel("c2", "nope", ChannelState::Pending)),
        Err(StoreError::UnknownCalendar(key("nope").to_string()))
    );
}

#[test]
fn expiring_and_expired_channels_keep_their_reason() {
    let (_dir, store) = fixture();
    store
        .insert_channel(&channel("c1", "work@example.com", ChannelState::Active))
        .unwrap();
    let error = |store: &Store| store.channel("c1").unwrap().unwrap().error;
    for (state, reason) in [
        (
            ChannelState::ExpiringSoon,
            "renewal failed: Google refused the callback URL",
        ),
        (
            ChannelState::Expired,
            "Google stopped the channel before it could be renewed",
        ),
    ] {
        store
            .update_channel_state("c1", state, Some(reason))
            .unwrap();
        assert_eq!(
            error(&store).as_deref(),
            Some(reason),
            "the window says why the channel is {}",
            state.as_str()
        );
    }
    store
        .update_channel_state("c1", ChannelState::Renewing, Some("stale"))
        .unwrap();
    assert_eq!(
        error(&store),
        None,
        "a channel being renewed is not in trouble and shows no reason"
    );
}

#[test]
fn live_channels_are_the_ones_not_stopped_and_expired_ones_stay_live() {
    let (_dir, store) = fixture();
    let work = "work@example.com";
    for (id, state) in [
        ("old", ChannelState::Stopped),
        ("lapsed", ChannelState::Expired),
        ("current", ChannelState::Active),
        ("renewing", ChannelState::Renewing),
        ("troubled", ChannelState::Error),
    ] {
        store.insert_channel(&channel(id, work, state)).unwrap();
    }
    store
        .insert_channel(&channel("mine", ME, ChannelState::Pending))
        .unwrap();
    let mut live: Vec<String> = store
        .channels()
        .unwrap()
        .into_iter()
        .filter(|c| c.state.is_live())
        .map(|c| c.id)
        .collect();
    live.sort();
    assert_eq!(
        live,
        ["current", "lapsed", "mine", "renewing", "troubled"],
        "an expired channel is live until its renewal replaces it; a stopped one is not"
    );
    assert_eq!(store.channels_for_calendar(&key(work)).unwrap().len(), 5);
    store.delete_channel("old").unwrap();
    assert_eq!(store.channels_for_calendar(&key(work)).unwrap().len(), 4);
}

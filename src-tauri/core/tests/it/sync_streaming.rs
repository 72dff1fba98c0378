//! Syncs stream Google's pages: each page is classified and committed as it arrives, the
//! sync token is stored only with the last page, a sync cut short starts its listing over
//! without telling anything twice, and deletions that show only as absences from a full
//! list are found in the store at the end.

use std::collections::HashSet;
use std::time::Duration;

use calwatch_core::engine::{Clock, TokioClock};
use calwatch_core::notice::{ChangeKind, Notice};
use fake_google::Faults;
use serde_json::json;

use crate::engine_support::{patiently, quick, Harness};

/// A watched calendar of nine events `ev0000`…`ev0008` (listed in that order), plus a
/// stored row `ev9999` that Google no longer lists at all, the sync token it was synced
/// at returned.
async fn nine_events_and_a_ghost() -> (Harness, String) {
    let h = Harness::start(quick).await;
    for i in 0..9 {
        h.control.insert_event(
            &h.calendar,
            json!({
                "id": format!("ev{i:04}"),
                "summary": format!("Meeting {i}"),
                "start": {"dateTime": format!("2026-12-{:02}T09:00:00+00:00", 1 + i)},
                "end": {"dateTime": format!("2026-12-{:02}T10:00:00+00:00", 1 + i)},
            }),
        );
    }
    h.watch().await;
    h.settle().await;
    let store = h.store();
    let mut ghost = store
        .snapshots(&h.key)
        .expect("snapshots")
        .remove("ev0004")
        .expect("the baseline stored every event");
    ghost.event_id = "ev9999".into();
    ghost.summary = "Ghost".into();
    store
        .commit_sync(&h.key, &[ghost], &[], &[], None, None)
        .expect("the ghost row is stored");
    let token = store
        .sync_state(&h.key)
        .expect("sync state")
        .and_then(|s| s.sync_token)
        .expect("the baseline stored a sync token");
    (h, token)
}

/// The stored sync token.
fn token_of(h: &Harness) -> Option<String> {
    h.store()
        .sync_state(&h.key)
        .expect("sync state")
        .and_then(|s| s.sync_token)
}

/// Waits until the history holds `n` changes.
async fn history_reaches(h: &Harness, n: usize) {
    patiently(async {
        while h.engine.recent_changes(100).expect("history").len() < n {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the history reaches {n} changes"));
}

/// Each recorded change, as (kind, title), sorted by title.
fn recorded(h: &Harness) -> Vec<(ChangeKind, String)> {
    let mut out: Vec<(ChangeKind, String)> = h
        .engine
        .recent_changes(100)
        .expect("history")
        .into_iter()
        .map(|c| (c.change.kind, c.change.title))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// How many changes some notices tell (a summary counts all of its changes).
fn told(notices: &[Notice]) -> usize {
    notices.iter().map(Notice::change_count).sum()
}

/// What both tests expect in the end.
fn expected() -> Vec<(ChangeKind, String)> {
    vec![
        (ChangeKind::Cancelled, "Ghost".to_string()),
        (ChangeKind::Updated, "Renamed early".to_string()),
        (ChangeKind::Updated, "Renamed late".to_string()),
    ]
}

#[tokio::test(start_paused = true)]
async fn a_full_resync_in_pages_finds_absences_in_the_store_and_tells_each_change_once() {
    let (h, old_token) = nine_events_and_a_ghost().await;
    h.control.set_faults(Faults {
        list_page_cap: 3,
        ..Faults::default()
    });
    h.control.expire_sync_tokens(&h.calendar);
    h.control
        .update_event(&h.calendar, "ev0001", json!({"summary": "Renamed early"}));
    h.control
        .update_event(&h.calendar, "ev0007", json!({"summary": "Renamed late"}));
    history_reaches(&h, 3).await;
    h.settle().await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        recorded(&h),
        expected(),
        "the two renames on the first and last page, and the row Google no longer lists"
    );
    assert_eq!(told(&h.notifier.notices()), 3, "each change told once");
    let stored = h.store().snapshots(&h.key).expect("snapshots");
    assert!(
        !stored.contains_key("ev9999"),
        "the absent row is forgotten"
    );
    assert_eq!(stored.len(), 9, "every listed event is kept");
    assert_ne!(
        token_of(&h),
        Some(old_token),
        "the listing ended in a new token"
    );
}

#[tokio::test(start_paused = true)]
async fn a_listing_cut_short_starts_over_without_telling_anything_twice() {
    let (mut h, old_token) = nine_events_and_a_ghost().await;
    // A slow Google in small pages: the full listing after the 410 takes a while.
    h.control.set_faults(Faults {
        list_page_cap: 3,
        list_delay: Duration::from_secs(5),
        ..Faults::default()
    });
    h.control.expire_sync_tokens(&h.calendar);
    h.control
        .update_event(&h.calendar, "ev0001", json!({"summary": "Renamed early"}));
    h.control
        .update_event(&h.calendar, "ev0007", json!({"summary": "Renamed late"}));
    // The first page's change is committed with its page…
    history_reaches(&h, 1).await;
    let early = h.engine.recent_changes(100).expect("history");
    assert_eq!(early[0].change.title, "Renamed early");
    assert_eq!(
        token_of(&h),
        Some(old_token.clone()),
        "the sync token waits for the last page"
    );
    assert!(
        h.notifier.notices().is_empty(),
        "nothing is shown before the listing ends"
    );
    // …and then the app dies mid-listing.
    h.control.reset_faults();
    let clock: std::sync::Arc<dyn Clock> = std::sync::Arc::new(TokioClock::new());
    h.restart(clock).await;
    history_reaches(&h, 3).await;
    h.settle().await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let history = h.engine.recent_changes(100).expect("history");
    let ids: Vec<&str> = history.iter().map(|c| c.change.event_id.as_str()).collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(
        (ids.len(), unique.len()),
        (3, 3),
        "each change recorded once: {ids:?}"
    );
    assert_eq!(recorded(&h), expected());
    assert_eq!(
        told(&h.notifier.notices()),
        3,
        "after the restart every change is told once: the first page's from the store, \
         the rest by the listing that started over"
    );
    assert_ne!(
        token_of(&h),
        Some(old_token),
        "the new listing ended in a token"
    );
}

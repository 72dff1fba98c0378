//! A real store file in a temporary folder, and the records the store tests start from.

use std::path::{Path, PathBuf};

use calwatch_core::notice::EventTime;
use calwatch_core::store::{AccountStatus, CalendarRecord, Store};
use tempfile::TempDir;

/// The signed-in account (also its primary calendar's id).
pub const ME: &str = "me@example.com";

/// A fresh store in its own temporary folder, with [`ME`] signed in since `created_ms`.
/// Keep the folder alive as long as the store is used.
pub fn store_with_account(created_ms: i64) -> (TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calwatch.sqlite3");
    let store = Store::open(&path).unwrap();
    store
        .upsert_account(ME, AccountStatus::SignedIn, created_ms)
        .unwrap();
    (dir, path, store)
}

/// A calendar of [`ME`] as a bare calendar list entry gives it: no colour, zone or access
/// role, not watched; primary when its id is the account's.
pub fn calendar(id: &str, summary: &str) -> CalendarRecord {
    CalendarRecord {
        id: id.into(),
        account: ME.into(),
        summary: summary.into(),
        color: None,
        time_zone: None,
        primary: id == ME,
        access_role: None,
        watched: false,
        gone: false,
    }
}

/// An instant from RFC 3339 text.
pub fn at(text: &str) -> EventTime {
    EventTime::at(chrono::DateTime::parse_from_rfc3339(text).unwrap())
}

/// A second, plain SQLite connection to the store's file, to look under (or behind) it.
pub fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("raw connection opens")
}

/// The key of [`ME`]'s calendar `calendar_id`.
pub fn key(calendar_id: &str) -> calwatch_core::store::CalendarKey {
    calwatch_core::store::CalendarKey::new(ME, calendar_id)
}

//! SQLite persistence: accounts, calendars, channels, sync tokens, event snapshots and the
//! change history.
//!
//! One file in WAL mode, behind one connection shared by clones of [`Store`]. Every method
//! is a short synchronous call (sub-millisecond), so async callers use it directly.
//! The one rule that matters most: [`Store::commit`] writes a sync's snapshot updates, its
//! changes and its new sync token in one transaction, so the token never moves past a
//! change that was not recorded, and a recorded change not yet shown is shown after restart.

mod accounts;
mod calendar_list;
mod calendars;
mod channels;
mod history;
mod listing;
mod message_number;
mod migrations;
mod rules;
mod snapshots;
mod sync_state;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection};
use serde::Serialize;

pub use crate::account::AccountStatus;
pub use accounts::AccountRecord;
pub use calendar_list::ListChannelRecord;
pub use calendars::{CalendarKey, CalendarRecord, GoneCalendar, PRIMARY_NAME};
pub use channels::{ChannelRecord, ChannelState};
pub use history::{BatchSummary, Delivery, StoredChange};
pub use snapshots::{EventSnapshot, People};
pub use sync_state::SyncState;

use crate::clock::{Clock, SystemClock};
use crate::notice::Change;
use crate::trigger::Trigger;
use history::write_changes;
use snapshots::write_snapshots;

/// The newest schema this binary knows.
pub const SCHEMA_VERSION: i64 = migrations::MIGRATIONS.len() as i64;

/// How long a write waits for another connection (a second CalWatch, a backup tool).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the store could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or is not a database.
    #[error("CalWatch could not open its data at {path}: {reason}. Check the folder is writable; if the file is damaged, move it away and CalWatch will start afresh.")]
    Open {
        /// The SQLite file.
        path: PathBuf,
        /// SQLite's reason.
        reason: String,
    },
    /// The file was written by a newer CalWatch; it is left untouched.
    #[error("This data was written by a newer version of CalWatch (schema {found}; this version knows up to {supported}). Update CalWatch to use it; the file has not been changed.")]
    NewerSchema {
        /// The file's schema version.
        found: i64,
        /// The newest version this binary knows.
        supported: i64,
    },
    /// No calendar with this id is stored.
    #[error("calendar {0} is not known to CalWatch")]
    UnknownCalendar(String),
    /// No channel with this id is stored.
    #[error("channel {0} is not known to CalWatch")]
    UnknownChannel(String),
    /// No account with this id is stored.
    #[error("account {0} is not known to CalWatch")]
    UnknownAccount(String),
    /// The caller passed inconsistent data (a bug, not a user error).
    #[error("refused to store inconsistent data: {0}")]
    Invalid(String),
    /// A stored value could not be read back.
    #[error("CalWatch's data contains a value it cannot read: {0}")]
    Corrupt(String),
    /// SQLite failed (disk full, I/O error, locked for too long, …).
    #[error("CalWatch could not use its database: {0}")]
    Database(String),
}

impl StoreError {
    /// A stable code the window switches on.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Open { .. } => "store_open",
            StoreError::NewerSchema { .. } => "store_newer_schema",
            StoreError::UnknownCalendar(_) => "store_unknown_calendar",
            StoreError::UnknownChannel(_) => "store_unknown_channel",
            StoreError::UnknownAccount(_) => "store_unknown_account",
            StoreError::Invalid(_) => "store_invalid",
            StoreError::Corrupt(_) => "store_corrupt",
            StoreError::Database(_) => "store_database",
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

/// Everything one sync of one calendar writes, committed together by [`Store::commit`].
#[derive(Debug, Clone, Copy)]
pub struct SyncCommit<'a> {
    /// The calendar synced (must be stored).
    pub calendar: &'a CalendarKey,
    /// Snapshots to insert or replace (all of `calendar_id`).
    pub upserts: &'a [EventSnapshot],
    /// Event ids whose snapshots are dropped (cancelled or gone).
    pub removed: &'a [String],
    /// Changes to record, undelivered.
    pub changes: &'a [Change],
    /// The new sync token; `None` keeps the stored one.
    pub new_sync_token: Option<&'a str>,
    /// Set when this was a full sync: its time (ms since the epoch).
    pub full_sync_at: Option<i64>,
    /// When the changes were found (ms since the epoch).
    pub received_ms: i64,
    /// What started the sync; a catch-up's changes are recorded as found "while you were
    /// away".
    pub trigger: Trigger,
}

/// The database; cheap to clone, all clones share one connection.
#[derive(Clone)]
pub struct Store {
    /// One connection, serialised by the mutex: SQLite writes are serial anyway, and every
    /// call is short.
    conn: Arc<Mutex<Connection>>,
    /// The file, for messages.
    path: PathBuf,
    /// Stamps what the store records without being told the time ([`Store::commit_sync`]).
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// A file from a newer CalWatch is refused with [`StoreError::NewerSchema`] before
    /// anything is written to it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_error = |reason: String| StoreError::Open {
            path: path.to_path_buf(),
            reason,
        };
        // Owner-only before SQLite writes a byte (it gives WAL/SHM the file's mode).
        crate::private_files::private_database(path).map_err(|e| open_error(e.to_string()))?;
        let mut conn = Connection::open(path).map_err(|e| open_error(e.to_string()))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| open_error(e.to_string()))?;
        // Read the version before any statement that writes (WAL switch, migrations).
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| open_error(e.to_string()))?;
        if found < 0 {
            return Err(open_error(format!(
                "it is an SQLite file of another program (user_version {found})"
            )));
        }
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|e| open_error(e.to_string()))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite would not switch to WAL; continuing");
        }
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
            .map_err(|e| open_error(e.to_string()))?;
        for (index, migration) in migrations::MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(found).unwrap_or(0))
        {
            let version = index as i64 + 1;
            let tx = conn.transaction().map_err(|e| open_error(e.to_string()))?;
            tx.execute_batch(migration)
                .and_then(|()| tx.pragma_update(None, "user_version", version))
                .and_then(|()| tx.commit())
                .map_err(|e| open_error(format!("upgrading to schema {version} failed: {e}")))?;
        }
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            path: path.to_path_buf(),
            clock: Arc::new(SystemClock),
        })
    }

    /// This store, stamping with `clock` (the engine's) instead of the system clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Store {
        self.clock = clock;
        self
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        crate::poison::lock(&self.conn)
    }

    /// [`Store::commit`] stamped with the store's clock.
    ///
    /// Returns the new change rows' ids, in the order of `changes`.
    pub fn commit_sync(
        &self,
        calendar: &CalendarKey,
        upserts: &[EventSnapshot],
        removed: &[String],
        changes: &[Change],
        new_sync_token: Option<&str>,
        full_sync_at: Option<i64>,
    ) -> Result<Vec<i64>, StoreError> {
        self.commit(&SyncCommit {
            calendar,
            upserts,
            removed,
            changes,
            new_sync_token,
            full_sync_at,
            received_ms: self.clock.now_ms(),
            trigger: Trigger::Asked,
        })
    }

    /// Writes one sync in ONE transaction: snapshot upserts and removals, the changes (as a
    /// batch, undelivered) and the new sync token. Either all of it is stored or none.
    ///
    /// Returns the new change rows' ids, in the order of `changes`.
    pub fn commit(&self, sync: &SyncCommit<'_>) -> Result<Vec<i64>, StoreError> {
        if let Some(stray) = sync
            .upserts
            .iter()
            .find(|s| s.calendar_id != sync.calendar.calendar_id)
        {
            return Err(StoreError::Invalid(format!(
                "snapshot of event {} belongs to {}, not {}",
                stray.event_id, stray.calendar_id, sync.calendar
            )));
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        ensure_calendar(&tx, sync.calendar)?;
        write_snapshots(&tx, sync)?;
        let ids = write_changes(&tx, sync)?;
        if let Some(token) = sync.new_sync_token {
            tx.execute(
                "INSERT INTO sync_state (account, calendar_id, sync_token, last_full_sync_ms)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(account, calendar_id) DO UPDATE SET sync_token = excluded.sync_token,
                     last_full_sync_ms = COALESCE(excluded.last_full_sync_ms, last_full_sync_ms)",
                params![
                    sync.calendar.account,
                    sync.calendar.calendar_id,
                    token,
                    sync.full_sync_at
                ],
            )?;
        } else if let Some(at) = sync.full_sync_at {
            tx.execute(
                "INSERT INTO sync_state (account, calendar_id, last_full_sync_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT(account, calendar_id)
                 DO UPDATE SET last_full_sync_ms = excluded.last_full_sync_ms",
                params![sync.calendar.account, sync.calendar.calendar_id, at],
            )?;
        }
        tx.commit()?;
        Ok(ids)
    }
}

/// Whether `table` has a row with this `id`.
fn row_exists(conn: &Connection, table: &'static str, id: &str) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        &format!("SELECT EXISTS(SELECT 1 FROM {table} WHERE id = ?1)"),
        params![id],
        |r| r.get(0),
    )?)
}

/// Whether the calendar is stored.
fn calendar_exists(conn: &Connection, key: &CalendarKey) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM calendars WHERE account = ?1 AND id = ?2)",
        params![key.account, key.calendar_id],
        |r| r.get(0),
    )?)
}

fn ensure_calendar(conn: &Connection, key: &CalendarKey) -> Result<(), StoreError> {
    if calendar_exists(conn, key)? {
        Ok(())
    } else {
        Err(StoreError::UnknownCalendar(key.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file exactly as the first release left it: only migration 1 has run.
    fn v1_file(path: &Path) {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(migrations::MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO accounts (id, status, created_ms) VALUES ('me@example.com', 'signed_in', 1);
             INSERT INTO calendars (id, account, summary, is_primary, watched)
                 VALUES ('me@example.com', 'me@example.com', 'Me', 1, 1),
                        ('team@example.com', 'me@example.com', 'Team', 0, 1);
             INSERT INTO sync_state (calendar_id, sync_token) VALUES ('team@example.com', 't7');",
        )
        .unwrap();
    }

    /// A file as the release before the series' rule left it: migrations 1 and 2 have run,
    /// one weekly series is in the snapshot of a calendar synced incrementally.
    fn v2_file(path: &Path) {
        v1_file(path);
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(migrations::MIGRATIONS[1]).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            r#"UPDATE sync_state SET last_full_sync_ms = 5 WHERE calendar_id = 'team@example.com';
             INSERT INTO sync_state (calendar_id, sync_token) VALUES ('me@example.com', 'm3');
             INSERT INTO snapshots (calendar_id, event_id, summary, start_time, end_time, all_day,
                     status, html_link)
                 VALUES ('team@example.com', 'standup', 'Standup',
                     '{"kind":"date_time","date_time":"2026-12-01T09:00:00-05:00","time_zone":"America/New_York"}',
                     '{"kind":"date_time","date_time":"2026-12-01T09:15:00-05:00","time_zone":"America/New_York"}',
                     0, 'confirmed', 'https://calendar.google.com/event?eid=1');"#,
        )
        .unwrap();
    }

    #[test]
    fn v2_snapshots_upgrade_with_an_unknown_rule_and_their_calendar_lists_everything_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calwatch.sqlite3");
        v2_file(&path);

        let store = Store::open(&path).expect("a v2 file upgrades");

        let snapshots = store
            .snapshots(&CalendarKey::new("me@example.com", "team@example.com"))
            .unwrap();
        let standup = snapshots.get("standup").expect("the snapshot row is kept");
        assert_eq!(standup.summary, "Standup");
        assert_eq!(
            standup.recurrence, None,
            "the rule was never stored: unknown, which is not the same as 'does not repeat'"
        );
        let team = store
            .sync_state(&CalendarKey::new("me@example.com", "team@example.com"))
            .unwrap()
            .unwrap();
        assert_eq!(
            team.sync_token, None,
            "the next sync lists every event, so every rule is learnt at once"
        );
        assert_eq!(team.last_full_sync_ms, Some(5), "only the token goes");
        assert_eq!(
            store
                .sync_state(&CalendarKey::new("me@example.com", "me@example.com"))
                .unwrap()
                .and_then(|s| s.sync_token)
                .as_deref(),
            Some("m3"),
            "a calendar with nothing in its snapshot has no rule to learn and keeps its token"
        );
    }

    #[test]
    fn v1_file_upgrades_in_place_and_gains_the_access_role() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calwatch.sqlite3");
        v1_file(&path);

        let store = Store::open(&path).expect("a v1 file upgrades");

        let version: i64 = store
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION, "every later migration ran");
        let roles: Vec<(String, Option<String>)> = store
            .calendars()
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c.access_role))
            .collect();
        assert_eq!(
            roles,
            [
                ("me@example.com".to_string(), Some("owner".to_string())),
                ("team@example.com".to_string(), None),
            ],
            "the account owns its primary calendar; other roles are unknown until relisted"
        );
        assert_eq!(
            store.watched_calendars().unwrap().len(),
            2,
            "what was watched stays watched"
        );
        assert_eq!(
            store
                .sync_state(&CalendarKey::new("me@example.com", "team@example.com"))
                .unwrap()
                .and_then(|s| s.sync_token)
                .as_deref(),
            Some("t7"),
            "the upgrade keeps sync tokens, so no calendar needs a full resync"
        );
    }
}

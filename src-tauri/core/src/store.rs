//! SQLite persistence: accounts, calendars, channels, sync tokens, event snapshots and the
//! change history.
//!
//! One file in WAL mode, behind one connection shared by clones of [`Store`]. Every method
//! is a short synchronous call (sub-millisecond), so async callers use it directly.
//! The one rule that matters most: [`Store::commit`] writes a sync's snapshot updates, its
//! changes and its new sync token in one transaction, so the token never moves past a
//! change that was not recorded, and a recorded change not yet shown is shown after restart.

mod history;
mod message_number;
mod migrations;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};

pub use crate::account::AccountStatus;
use crate::notice::{Change, ChangeKind, EventTime, FieldDiff};
use crate::secrets::Sensitive;

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

fn parse_account_status(text: &str) -> Result<AccountStatus, StoreError> {
    AccountStatus::from_name(text)
        .ok_or_else(|| StoreError::Corrupt(format!("account status {text:?}")))
}

/// A signed-in Google account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    /// The account's email (its primary calendar id).
    pub id: String,
    /// Whether it can reach Google.
    pub status: AccountStatus,
    /// When it was first signed in (ms since the epoch).
    pub created_ms: i64,
}

/// A calendar from the account's calendar list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarRecord {
    /// Google's calendar id.
    pub id: String,
    /// The account it was listed under.
    pub account: String,
    /// Its name.
    pub summary: String,
    /// Google's background colour (`#9fe1e7`), for the window.
    pub color: Option<String>,
    /// The calendar's IANA time zone.
    pub time_zone: Option<String>,
    /// The account's own calendar.
    pub primary: bool,
    /// Google's `accessRole`: `owner`, `writer`, `reader` or `freeBusyReader`; the window
    /// shows it. `None` when not known yet (a calendar stored before CalWatch kept it,
    /// until the calendar list is read again).
    #[serde(default)]
    pub access_role: Option<String>,
    /// The user asked to be told about changes here.
    pub watched: bool,
    /// Google said it no longer exists (`not_exists`) or it left the list.
    pub gone: bool,
}

/// A channel's lifecycle state, shown in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelState {
    /// Stored, `events.watch` not yet answered.
    Pending,
    /// Google confirmed it; notifications flow.
    Active,
    /// A replacement is being created.
    Renewing,
    /// Renewal is overdue and expiry is near.
    ExpiringSoon,
    /// Past its expiration; no more notifications.
    Expired,
    /// Something went wrong (see `error`); may still deliver until it expires.
    Error,
    /// Stopped on purpose (`channels.stop`).
    Stopped,
}

impl ChannelState {
    /// The stored (and serialised) name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelState::Pending => "pending",
            ChannelState::Active => "active",
            ChannelState::Renewing => "renewing",
            ChannelState::ExpiringSoon => "expiring_soon",
            ChannelState::Expired => "expired",
            ChannelState::Error => "error",
            ChannelState::Stopped => "stopped",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "pending" => ChannelState::Pending,
            "active" => ChannelState::Active,
            "renewing" => ChannelState::Renewing,
            "expiring_soon" => ChannelState::ExpiringSoon,
            "expired" => ChannelState::Expired,
            "error" => ChannelState::Error,
            "stopped" => ChannelState::Stopped,
            other => return Err(StoreError::Corrupt(format!("channel state {other:?}"))),
        })
    }

    /// True while Google may still deliver on the channel.
    pub fn is_live(self) -> bool {
        !matches!(self, ChannelState::Expired | ChannelState::Stopped)
    }

    /// True for the states that come with a reason in [`ChannelRecord::error`].
    pub fn is_troubled(self) -> bool {
        matches!(
            self,
            ChannelState::Error | ChannelState::ExpiringSoon | ChannelState::Expired
        )
    }
}

/// A push channel, stored before `events.watch` is called so its `sync` message is
/// recognised even when it beats the watch response.
///
/// Not `Serialize`: it holds the channel token; the window gets a view without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelRecord {
    /// Our channel id (a uuid).
    pub id: String,
    /// The watched calendar.
    pub calendar_id: String,
    /// Google's id for the watched resource; known from the watch response or first message.
    pub resource_id: Option<String>,
    /// The token Google echoes in `X-Goog-Channel-Token`; proves a POST is Google's.
    pub token: Sensitive<String>,
    /// The callback URL the channel posts to.
    pub address: String,
    /// When Google stops delivering (ms since the epoch); 0 until known.
    pub expiration_ms: i64,
    /// Lifecycle state.
    pub state: ChannelState,
    /// The largest `X-Goog-Message-Number` seen, to drop duplicates after a restart.
    pub last_message_number: u64,
    /// When it was created (ms since the epoch).
    pub created_ms: i64,
    /// Why it is in trouble ([`ChannelState::is_troubled`]), in words.
    pub error: Option<String>,
}

/// Where incremental sync of a calendar stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// Google's `nextSyncToken` from the last sync; `None` means a full sync is due.
    pub sync_token: Option<String>,
    /// When the last full sync finished (ms since the epoch).
    pub last_full_sync_ms: Option<i64>,
}

/// What CalWatch remembers of an event: the fields a person cares about, to diff against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSnapshot {
    /// The calendar it is in.
    pub calendar_id: String,
    /// Google's event id.
    pub event_id: String,
    /// Its title (may be empty).
    pub summary: String,
    /// Start.
    pub start: EventTime,
    /// End (exclusive date for all-day events).
    pub end: EventTime,
    /// All-day rather than timed.
    pub all_day: bool,
    /// Where.
    pub location: Option<String>,
    /// The description text. Kept, but not compared: a description edit is not a change a
    /// person is told about (DESIGN.md, "Classifying a change").
    pub description: Option<String>,
    /// Google's status (`confirmed`, `tentative`).
    pub status: String,
    /// The signed-in user's own response, if invited.
    pub self_response: Option<String>,
    /// The series this is an instance or exception of.
    pub recurring_event_id: Option<String>,
    /// For an exception: the instance's original start.
    pub original_start: Option<EventTime>,
    /// Google's link to the event.
    pub html_link: Option<String>,
    /// Google's `recurrence` lines (RRULE, EXDATE…), empty when the event does not repeat
    /// itself (a single event, or an instance of a series). `None`: not known, because the
    /// row was written before CalWatch kept it; such a rule is never reported as changed.
    pub recurrence: Option<Vec<String>>,
}

impl EventSnapshot {
    /// A [`Change`] about this event (its current title and time), for `calendar_name`.
    pub fn to_change(
        &self,
        kind: ChangeKind,
        calendar_name: &str,
        diffs: Vec<FieldDiff>,
    ) -> Change {
        Change {
            calendar_id: self.calendar_id.clone(),
            calendar_name: calendar_name.to_string(),
            event_id: self.event_id.clone(),
            kind,
            title: self.summary.clone(),
            start: Some(self.start.clone()),
            end: Some(self.end.clone()),
            diffs,
            html_link: self.html_link.clone(),
        }
    }
}

/// A change from the history, with its bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredChange {
    /// Row id; increases with time.
    pub id: i64,
    /// The sync that found it; changes of one batch are summarised together.
    pub batch_id: i64,
    /// Found by the catch-up sync at start ("while you were away").
    pub away: bool,
    /// When it was recorded (ms since the epoch).
    pub received_ms: i64,
    /// Handed to the notifier already.
    pub delivered: bool,
    /// The change itself.
    pub change: Change,
}

/// One sync's worth of changes, for "7 changes in Work" / "while you were away" lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSummary {
    /// The batch id ([`StoredChange::batch_id`]).
    pub id: i64,
    /// The calendar synced.
    pub calendar_id: String,
    /// Its name when the batch was recorded.
    pub calendar_name: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// Found by the catch-up sync at start.
    pub away: bool,
    /// How many changes.
    pub count: usize,
}

/// Everything one sync of one calendar writes, committed together by [`Store::commit`].
#[derive(Debug, Clone, Copy)]
pub struct SyncCommit<'a> {
    /// The calendar synced (must be stored).
    pub calendar_id: &'a str,
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
    /// Found by the catch-up sync at start ("while you were away").
    pub away: bool,
}

/// The database; cheap to clone, all clones share one connection.
#[derive(Clone)]
pub struct Store {
    /// One connection, serialised by the mutex: SQLite writes are serial anyway, and every
    /// call is short.
    conn: Arc<Mutex<Connection>>,
    /// The file, for messages.
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn kind_name(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Created => "created",
        ChangeKind::Updated => "updated",
        ChangeKind::Cancelled => "cancelled",
    }
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
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions
        // roll back on drop), so a poisoned lock is safe to keep using.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    // ---- accounts ----------------------------------------------------------------------

    /// Adds an account, or sets the status of a known one.
    pub fn upsert_account(
        &self,
        id: &str,
        status: AccountStatus,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO accounts (id, status, created_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET status = excluded.status",
            params![id, status.as_str(), now_ms],
        )?;
        Ok(())
    }

    /// Sets a known account's status.
    pub fn set_account_status(&self, id: &str, status: AccountStatus) -> Result<(), StoreError> {
        let n = self.conn().execute(
            "UPDATE accounts SET status = ?2 WHERE id = ?1",
            params![id, status.as_str()],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownAccount(id.into()));
        }
        Ok(())
    }

    fn accounts_where(
        &self,
        condition: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<AccountRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT id, status, created_ms FROM accounts WHERE {condition} ORDER BY created_ms, id"
        ))?;
        let rows = stmt.query_map(args, |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
        })?;
        rows.map(|row| {
            let (id, status, created_ms) = row?;
            Ok(AccountRecord {
                id,
                status: parse_account_status(&status)?,
                created_ms,
            })
        })
        .collect()
    }

    /// One account.
    pub fn account(&self, id: &str) -> Result<Option<AccountRecord>, StoreError> {
        Ok(self.accounts_where("id = ?1", &[&id])?.into_iter().next())
    }

    /// Every account, oldest first.
    pub fn accounts(&self) -> Result<Vec<AccountRecord>, StoreError> {
        self.accounts_where("1", &[])
    }

    /// Signs an account out of the store: its calendars, channels, sync state and snapshots
    /// go; the change history stays (it is the user's record of what happened).
    pub fn delete_account(&self, id: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM accounts WHERE id = ?1", params![id])?;
        Ok(())
    }

    // ---- calendars ---------------------------------------------------------------------

    /// Adds a calendar or refreshes a known one's name, colour, zone, access role and account.
    ///
    /// `watched` is taken only for a new calendar (use [`Store::set_watched`] after), so
    /// re-reading the calendar list never unwatches anything; a listed calendar is not gone.
    pub fn upsert_calendar(&self, calendar: &CalendarRecord) -> Result<(), StoreError> {
        let conn = self.conn();
        if !row_exists(&conn, "accounts", &calendar.account)? {
            return Err(StoreError::UnknownAccount(calendar.account.clone()));
        }
        conn.execute(
            "INSERT INTO calendars (id, account, summary, color, time_zone, is_primary, watched, gone,
                 access_role)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(id) DO UPDATE SET account = excluded.account, summary = excluded.summary,
                 color = excluded.color, time_zone = excluded.time_zone,
                 is_primary = excluded.is_primary, access_role = excluded.access_role, gone = 0",
            params![
                calendar.id,
                calendar.account,
                calendar.summary,
                calendar.color,
                calendar.time_zone,
                calendar.primary,
                calendar.watched,
                calendar.gone,
                calendar.access_role
            ],
        )?;
        Ok(())
    }

    const CALENDAR_COLUMNS: &'static str =
        "id, account, summary, color, time_zone, is_primary, watched, gone, access_role";

    fn calendar_from_row(r: &Row<'_>) -> rusqlite::Result<CalendarRecord> {
        Ok(CalendarRecord {
            id: r.get(0)?,
            account: r.get(1)?,
            summary: r.get(2)?,
            color: r.get(3)?,
            time_zone: r.get(4)?,
            primary: r.get(5)?,
            access_role: r.get(8)?,
            watched: r.get(6)?,
            gone: r.get(7)?,
        })
    }

    fn calendars_where(
        &self,
        condition: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<CalendarRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM calendars WHERE {condition} ORDER BY is_primary DESC, summary, id",
            Self::CALENDAR_COLUMNS
        ))?;
        let rows = stmt.query_map(args, Self::calendar_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One calendar.
    pub fn calendar(&self, id: &str) -> Result<Option<CalendarRecord>, StoreError> {
        Ok(self.calendars_where("id = ?1", &[&id])?.into_iter().next())
    }

    /// Every calendar, primary first, then by name.
    pub fn calendars(&self) -> Result<Vec<CalendarRecord>, StoreError> {
        self.calendars_where("1", &[])
    }

    /// The calendars of one account.
    pub fn calendars_of(&self, account: &str) -> Result<Vec<CalendarRecord>, StoreError> {
        self.calendars_where("account = ?1", &[&account])
    }

    /// The calendars the user watches (and that still exist).
    pub fn watched_calendars(&self) -> Result<Vec<CalendarRecord>, StoreError> {
        self.calendars_where("watched = 1 AND gone = 0", &[])
    }

    /// Watches or unwatches a calendar. Unwatching forgets its sync state and snapshots
    /// (a later watch starts with a fresh, silent baseline); its history stays.
    pub fn set_watched(&self, id: &str, watched: bool) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE calendars SET watched = ?2 WHERE id = ?1",
            params![id, watched],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownCalendar(id.into()));
        }
        if !watched {
            tx.execute("DELETE FROM sync_state WHERE calendar_id = ?1", params![id])?;
            tx.execute("DELETE FROM snapshots WHERE calendar_id = ?1", params![id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records that Google says the calendar no longer exists (or it left the list).
    pub fn mark_gone(&self, id: &str) -> Result<(), StoreError> {
        let n = self
            .conn()
            .execute("UPDATE calendars SET gone = 1 WHERE id = ?1", params![id])?;
        if n == 0 {
            return Err(StoreError::UnknownCalendar(id.into()));
        }
        Ok(())
    }

    // ---- channels ----------------------------------------------------------------------

    /// Stores a new channel (before `events.watch` is called).
    pub fn insert_channel(&self, channel: &ChannelRecord) -> Result<(), StoreError> {
        let conn = self.conn();
        ensure_calendar(&conn, &channel.calendar_id)?;
        conn.execute(
            "INSERT INTO channels (id, calendar_id, resource_id, token, address, expiration_ms,
                 state, last_message_number, created_ms, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                channel.id,
                channel.calendar_id,
                channel.resource_id,
                channel.token.expose(),
                channel.address,
                channel.expiration_ms,
                channel.state.as_str(),
                message_number::to_column(channel.last_message_number),
                channel.created_ms,
                channel.error
            ],
        )?;
        Ok(())
    }

    const CHANNEL_COLUMNS: &'static str = "id, calendar_id, resource_id, token, address, \
        expiration_ms, state, last_message_number, created_ms, error";

    fn channels_where(
        &self,
        condition: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<ChannelRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM channels WHERE {condition} ORDER BY created_ms, id",
            Self::CHANNEL_COLUMNS
        ))?;
        let rows = stmt.query_map(args, |r| {
            Ok((
                ChannelRecord {
                    id: r.get(0)?,
                    calendar_id: r.get(1)?,
                    resource_id: r.get(2)?,
                    token: Sensitive::new(r.get(3)?),
                    address: r.get(4)?,
                    expiration_ms: r.get(5)?,
                    state: ChannelState::Pending,
                    last_message_number: message_number::from_column(r.get(7)?),
                    created_ms: r.get(8)?,
                    error: r.get(9)?,
                },
                r.get::<_, String>(6)?,
            ))
        })?;
        rows.map(|row| {
            let (mut channel, state) = row?;
            channel.state = ChannelState::parse(&state)?;
            Ok(channel)
        })
        .collect()
    }

    /// One channel.
    pub fn channel(&self, id: &str) -> Result<Option<ChannelRecord>, StoreError> {
        Ok(self.channels_where("id = ?1", &[&id])?.into_iter().next())
    }

    /// Every channel, oldest first.
    pub fn channels(&self) -> Result<Vec<ChannelRecord>, StoreError> {
        self.channels_where("1", &[])
    }

    /// The channels of one calendar (during renewal there are two), oldest first.
    pub fn channels_for_calendar(
        &self,
        calendar_id: &str,
    ) -> Result<Vec<ChannelRecord>, StoreError> {
        self.channels_where("calendar_id = ?1", &[&calendar_id])
    }

    /// Channels Google may still deliver on (neither stopped nor expired): what the
    /// receiver's registry and the renewal timers are rebuilt from at start.
    pub fn live_channels(&self) -> Result<Vec<ChannelRecord>, StoreError> {
        self.channels_where("state NOT IN ('stopped', 'expired')", &[])
    }

    /// Sets a channel's state. `error` is kept for the troubled states the window explains
    /// ([`ChannelState::Error`], [`ChannelState::ExpiringSoon`], [`ChannelState::Expired`])
    /// and cleared for the others, so a recovered channel shows no stale reason.
    pub fn update_channel_state(
        &self,
        id: &str,
        state: ChannelState,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let error = error.filter(|_| state.is_troubled());
        let n = self.conn().execute(
            "UPDATE channels SET state = ?2, error = ?3 WHERE id = ?1",
            params![id, state.as_str(), error],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownChannel(id.into()));
        }
        Ok(())
    }

    /// Records Google's answer to `events.watch`: the resource id and the real expiration.
    pub fn record_watch_response(
        &self,
        id: &str,
        resource_id: &str,
        expiration_ms: i64,
    ) -> Result<(), StoreError> {
        let n = self.conn().execute(
            "UPDATE channels SET resource_id = ?2, expiration_ms = ?3 WHERE id = ?1",
            params![id, resource_id, expiration_ms],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownChannel(id.into()));
        }
        Ok(())
    }

    /// Records `n` as the channel's latest admitted message number, as sent (a forged huge
    /// number must not stick; see `receiver::recent`). Returns whether it changed.
    pub fn record_message_number(&self, id: &str, n: u64) -> Result<bool, StoreError> {
        let conn = self.conn();
        let raised = conn.execute(
            "UPDATE channels SET last_message_number = ?2
             WHERE id = ?1 AND last_message_number <> ?2",
            params![id, message_number::to_column(n)],
        )?;
        if raised == 1 {
            return Ok(true);
        }
        if row_exists(&conn, "channels", id)? {
            Ok(false)
        } else {
            Err(StoreError::UnknownChannel(id.into()))
        }
    }

    /// Forgets a channel (after it was stopped and replaced).
    pub fn delete_channel(&self, id: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM channels WHERE id = ?1", params![id])?;
        Ok(())
    }

    // ---- sync state and snapshots ------------------------------------------------------

    /// A calendar's sync state; `None` if it was never synced (or was reset).
    pub fn sync_state(&self, calendar_id: &str) -> Result<Option<SyncState>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT sync_token, last_full_sync_ms FROM sync_state WHERE calendar_id = ?1",
                params![calendar_id],
                |r| {
                    Ok(SyncState {
                        sync_token: r.get(0)?,
                        last_full_sync_ms: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Replaces a calendar's sync state (outside a sync; a sync uses [`Store::commit`]).
    pub fn set_sync_state(&self, calendar_id: &str, state: &SyncState) -> Result<(), StoreError> {
        let conn = self.conn();
        ensure_calendar(&conn, calendar_id)?;
        conn.execute(
            "INSERT INTO sync_state (calendar_id, sync_token, last_full_sync_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT(calendar_id) DO UPDATE SET sync_token = excluded.sync_token,
                 last_full_sync_ms = excluded.last_full_sync_ms",
            params![calendar_id, state.sync_token, state.last_full_sync_ms],
        )?;
        Ok(())
    }

    /// Drops a calendar's sync token (after Google's 410) so the next sync is a full one;
    /// the snapshots stay, so that full sync reports only real differences.
    pub fn clear_sync_state(&self, calendar_id: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "DELETE FROM sync_state WHERE calendar_id = ?1",
            params![calendar_id],
        )?;
        Ok(())
    }

    /// The calendar's snapshots, by event id.
    pub fn snapshots(
        &self,
        calendar_id: &str,
    ) -> Result<HashMap<String, EventSnapshot>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT calendar_id, event_id, summary, start_time, end_time, all_day, location,
                    description, status, self_response, recurring_event_id, original_start,
                    html_link, recurrence
             FROM snapshots WHERE calendar_id = ?1",
        )?;
        let rows = stmt.query_map(params![calendar_id], |r| {
            Ok((
                (
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ),
                (r.get::<_, String>(3)?, r.get::<_, String>(4)?),
                (
                    r.get::<_, bool>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, Option<String>>(11)?,
                    r.get::<_, Option<String>>(12)?,
                    r.get::<_, Option<String>>(13)?,
                ),
            ))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (
                (calendar_id, event_id, summary),
                (start, end),
                (
                    all_day,
                    location,
                    description,
                    status,
                    self_response,
                    recurring_event_id,
                    original_start,
                    html_link,
                    recurrence,
                ),
            ) = row?;
            let snapshot = EventSnapshot {
                calendar_id,
                event_id,
                summary,
                start: from_json(&start)?,
                end: from_json(&end)?,
                all_day,
                location,
                description,
                status,
                self_response,
                recurring_event_id,
                original_start: original_start.as_deref().map(from_json).transpose()?,
                html_link,
                recurrence: recurrence.as_deref().map(from_json).transpose()?,
            };
            out.insert(snapshot.event_id.clone(), snapshot);
        }
        Ok(out)
    }

    // ---- committing a sync and the change history --------------------------------------

    /// [`Store::commit`] for a live sync, stamped with the current time.
    ///
    /// Returns the new change rows' ids, in the order of `changes`.
    pub fn commit_sync(
        &self,
        calendar_id: &str,
        upserts: &[EventSnapshot],
        removed: &[String],
        changes: &[Change],
        new_sync_token: Option<&str>,
        full_sync_at: Option<i64>,
    ) -> Result<Vec<i64>, StoreError> {
        self.commit(&SyncCommit {
            calendar_id,
            upserts,
            removed,
            changes,
            new_sync_token,
            full_sync_at,
            received_ms: now_ms(),
            away: false,
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
            .find(|s| s.calendar_id != sync.calendar_id)
        {
            return Err(StoreError::Invalid(format!(
                "snapshot of event {} belongs to {}, not {}",
                stray.event_id, stray.calendar_id, sync.calendar_id
            )));
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        ensure_calendar(&tx, sync.calendar_id)?;
        write_snapshots(&tx, sync)?;
        let ids = write_changes(&tx, sync)?;
        if let Some(token) = sync.new_sync_token {
            tx.execute(
                "INSERT INTO sync_state (calendar_id, sync_token, last_full_sync_ms)
                 VALUES (?1, ?2, ?3)
                 ON CONFLICT(calendar_id) DO UPDATE SET sync_token = excluded.sync_token,
                     last_full_sync_ms = COALESCE(excluded.last_full_sync_ms, last_full_sync_ms)",
                params![sync.calendar_id, token, sync.full_sync_at],
            )?;
        } else if let Some(at) = sync.full_sync_at {
            tx.execute(
                "INSERT INTO sync_state (calendar_id, last_full_sync_ms) VALUES (?1, ?2)
                 ON CONFLICT(calendar_id) DO UPDATE SET last_full_sync_ms = excluded.last_full_sync_ms",
                params![sync.calendar_id, at],
            )?;
        }
        tx.commit()?;
        Ok(ids)
    }

    fn changes_query(
        &self,
        tail: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<StoredChange>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT c.id, c.batch_id, b.away, c.received_ms, c.delivered, c.change
             FROM changes c JOIN sync_batches b ON b.id = c.batch_id {tail}"
        ))?;
        let rows = stmt.query_map(args, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (id, batch_id, away, received_ms, delivered, change) = row?;
            Ok(StoredChange {
                id,
                batch_id,
                away,
                received_ms,
                delivered,
                change: from_json(&change)?,
            })
        })
        .collect()
    }

    /// Changes recorded but not yet handed to the notifier, oldest first (after a crash
    /// between commit and notify, these are shown at start).
    pub fn undelivered_changes(&self) -> Result<Vec<StoredChange>, StoreError> {
        self.changes_query("WHERE c.delivered = 0 ORDER BY c.id", &[])
    }

    /// Marks changes as handed to the notifier.
    pub fn mark_delivered(&self, ids: &[i64]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached("UPDATE changes SET delivered = 1 WHERE id = ?1")?;
            for id in ids {
                stmt.execute(params![id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The newest `limit` changes, newest first (the window's list).
    pub fn recent_changes(&self, limit: usize) -> Result<Vec<StoredChange>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.changes_query("ORDER BY c.id DESC LIMIT ?1", &[&limit])
    }

    /// The changes recorded since (and including) the change `first_id`, newest first.
    pub fn changes_since(&self, first_id: i64) -> Result<Vec<StoredChange>, StoreError> {
        self.changes_query("WHERE c.id >= ?1 ORDER BY c.id DESC", &[&first_id])
    }

    /// The newest `limit` sync batches that found changes, newest first.
    pub fn recent_batches(&self, limit: usize) -> Result<Vec<BatchSummary>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT b.id, b.calendar_id, b.at_ms, b.away, COUNT(c.id),
                    (SELECT change FROM changes WHERE batch_id = b.id ORDER BY id LIMIT 1)
             FROM sync_batches b JOIN changes c ON c.batch_id = b.id
             GROUP BY b.id ORDER BY b.id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (id, calendar_id, at_ms, away, count, first) = row?;
            let first: Change = from_json(&first)?;
            Ok(BatchSummary {
                id,
                calendar_id,
                calendar_name: first.calendar_name,
                at_ms,
                away,
                count: usize::try_from(count).unwrap_or(0),
            })
        })
        .collect()
    }

    /// Deletes delivered history recorded before `before_ms`; undelivered changes are kept.
    /// Returns how many changes were removed.
    pub fn prune_history(&self, before_ms: i64) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "DELETE FROM changes WHERE delivered = 1 AND received_ms < ?1",
            params![before_ms],
        )?;
        tx.execute(
            "DELETE FROM sync_batches WHERE NOT EXISTS
                 (SELECT 1 FROM changes WHERE changes.batch_id = sync_batches.id)",
            [],
        )?;
        tx.commit()?;
        Ok(n)
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

fn ensure_calendar(conn: &Connection, calendar_id: &str) -> Result<(), StoreError> {
    if row_exists(conn, "calendars", calendar_id)? {
        Ok(())
    } else {
        Err(StoreError::UnknownCalendar(calendar_id.into()))
    }
}

fn write_snapshots(tx: &Transaction<'_>, sync: &SyncCommit<'_>) -> Result<(), StoreError> {
    let mut upsert = tx.prepare_cached(
        "INSERT OR REPLACE INTO snapshots (calendar_id, event_id, summary, start_time, end_time,
             all_day, location, description, status, self_response, recurring_event_id,
             original_start, html_link, recurrence)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    for s in sync.upserts {
        upsert.execute(params![
            s.calendar_id,
            s.event_id,
            s.summary,
            to_json(&s.start)?,
            to_json(&s.end)?,
            s.all_day,
            s.location,
            s.description,
            s.status,
            s.self_response,
            s.recurring_event_id,
            s.original_start.as_ref().map(to_json).transpose()?,
            s.html_link,
            s.recurrence.as_ref().map(to_json).transpose()?
        ])?;
    }
    let mut remove =
        tx.prepare_cached("DELETE FROM snapshots WHERE calendar_id = ?1 AND event_id = ?2")?;
    for event_id in sync.removed {
        remove.execute(params![sync.calendar_id, event_id])?;
    }
    Ok(())
}

fn write_changes(tx: &Transaction<'_>, sync: &SyncCommit<'_>) -> Result<Vec<i64>, StoreError> {
    if sync.changes.is_empty() {
        return Ok(Vec::new());
    }
    tx.execute(
        "INSERT INTO sync_batches (calendar_id, at_ms, away) VALUES (?1, ?2, ?3)",
        params![sync.calendar_id, sync.received_ms, sync.away],
    )?;
    let batch_id = tx.last_insert_rowid();
    let mut insert = tx.prepare_cached(
        "INSERT INTO changes (batch_id, calendar_id, event_id, kind, change, received_ms, delivered)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)",
    )?;
    let mut ids = Vec::with_capacity(sync.changes.len());
    for change in sync.changes {
        insert.execute(params![
            batch_id,
            change.calendar_id,
            change.event_id,
            kind_name(change.kind),
            to_json(change)?,
            sync.received_ms
        ])?;
        ids.push(tx.last_insert_rowid());
    }
    Ok(ids)
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

        let snapshots = store.snapshots("team@example.com").unwrap();
        let standup = snapshots.get("standup").expect("the snapshot row is kept");
        assert_eq!(standup.summary, "Standup");
        assert_eq!(
            standup.recurrence, None,
            "the rule was never stored: unknown, which is not the same as 'does not repeat'"
        );
        let team = store.sync_state("team@example.com").unwrap().unwrap();
        assert_eq!(
            team.sync_token, None,
            "the next sync lists every event, so every rule is learnt at once"
        );
        assert_eq!(team.last_full_sync_ms, Some(5), "only the token goes");
        assert_eq!(
            store
                .sync_state("me@example.com")
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
                .sync_state("team@example.com")
                .unwrap()
                .and_then(|s| s.sync_token)
                .as_deref(),
            Some("t7"),
            "the upgrade keeps sync tokens, so no calendar needs a full resync"
        );
    }
}

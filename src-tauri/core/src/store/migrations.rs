//! The schema, as an append-only list of migrations; `PRAGMA user_version` counts how many
//! have run. Never edit a released migration: add the next one.

/// Migration `n` (1-based) is `MIGRATIONS[n - 1]`.
pub(super) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4];

/// The first schema.
///
/// `changes` and `sync_batches` have no foreign keys on purpose: the change history
/// outlives the calendars and accounts it mentions (signing out keeps it).
const V1: &str = r#"
CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,              -- the Google account's email
    status      TEXT NOT NULL,                 -- signed_in | needs_sign_in | offline
    created_ms  INTEGER NOT NULL
);

CREATE TABLE calendars (
    id          TEXT PRIMARY KEY,
    account     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    summary     TEXT NOT NULL,
    color       TEXT,
    time_zone   TEXT,
    is_primary  INTEGER NOT NULL DEFAULT 0,
    watched     INTEGER NOT NULL DEFAULT 0,
    gone        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX calendars_by_account ON calendars(account);

CREATE TABLE channels (
    id                   TEXT PRIMARY KEY,
    calendar_id          TEXT NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    resource_id          TEXT,
    token                TEXT NOT NULL,
    address              TEXT NOT NULL,
    expiration_ms        INTEGER NOT NULL,
    state                TEXT NOT NULL,
    last_message_number  INTEGER NOT NULL DEFAULT 0,
    created_ms           INTEGER NOT NULL,
    error                TEXT
);
CREATE INDEX channels_by_calendar ON channels(calendar_id);

CREATE TABLE sync_state (
    calendar_id        TEXT PRIMARY KEY REFERENCES calendars(id) ON DELETE CASCADE,
    sync_token         TEXT,
    last_full_sync_ms  INTEGER
);

CREATE TABLE snapshots (
    calendar_id         TEXT NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
    event_id            TEXT NOT NULL,
    summary             TEXT NOT NULL,
    start_time          TEXT NOT NULL,          -- notice::EventTime as JSON
    end_time            TEXT NOT NULL,
    all_day             INTEGER NOT NULL,
    location            TEXT,
    description         TEXT,
    status              TEXT NOT NULL,
    self_response       TEXT,
    recurring_event_id  TEXT,
    original_start      TEXT,
    html_link           TEXT,
    PRIMARY KEY (calendar_id, event_id)
) WITHOUT ROWID;

CREATE TABLE sync_batches (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    calendar_id  TEXT NOT NULL,
    at_ms        INTEGER NOT NULL,
    away         INTEGER NOT NULL               -- found by the catch-up sync at start
);

CREATE TABLE changes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id     INTEGER NOT NULL REFERENCES sync_batches(id) ON DELETE CASCADE,
    calendar_id  TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    change       TEXT NOT NULL,                 -- notice::Change as JSON
    received_ms  INTEGER NOT NULL,
    delivered    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX changes_undelivered ON changes(id) WHERE delivered = 0;
CREATE INDEX changes_by_batch ON changes(batch_id);
"#;

/// Google's `accessRole` on each calendar, which the window shows. Rows from before are
/// unknown until the calendar list is read again, except the primary calendar: Google
/// always makes the account the owner of its own calendar.
const V2: &str = r#"
ALTER TABLE calendars ADD COLUMN access_role TEXT;   -- owner | writer | reader | freeBusyReader
UPDATE calendars SET access_role = 'owner' WHERE is_primary = 1;
"#;

/// The series' rule in each snapshot, so a shortened or changed series can be told. Rows
/// from before hold NULL: unknown, never reported as a change. Calendars with snapshots
/// lose their sync token, so the next sync lists every event and fills the rule in for all
/// of them at once (a full list is diffed against the snapshot: only real changes are told).
const V3: &str = r#"
ALTER TABLE snapshots ADD COLUMN recurrence TEXT;    -- JSON array of Google's lines; NULL = unknown
UPDATE sync_state SET sync_token = NULL
    WHERE calendar_id IN (SELECT DISTINCT calendar_id FROM snapshots);
"#;

/// Noise control. Snapshots keep the event's people (organiser, the other guests'
/// replies) and its meeting link; NULL: not known yet, learnt at the event's next change.
/// A change keeps why it raised no toast (`silenced`, a `noise::Silence` name; NULL: it
/// was told, or recorded before) and whether it waits for the digest at the end of quiet
/// hours or a pause (`held`). Each calendar's rules are one JSON row; no row: the
/// defaults, which tell everything.
const V4: &str = r#"
ALTER TABLE snapshots ADD COLUMN people TEXT;        -- store::People as JSON; NULL = unknown
ALTER TABLE snapshots ADD COLUMN meeting_link TEXT;
ALTER TABLE changes ADD COLUMN silenced TEXT;
ALTER TABLE changes ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
CREATE INDEX changes_held ON changes(id) WHERE held = 1;
CREATE TABLE calendar_rules (
    calendar_id  TEXT PRIMARY KEY REFERENCES calendars(id) ON DELETE CASCADE,
    rules        TEXT NOT NULL                  -- noise::CalendarRules as JSON
);
"#;

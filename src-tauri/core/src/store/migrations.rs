//! The schema, as an append-only list of migrations; `PRAGMA user_version` counts how many
//! have run. Never edit a released migration: add the next one.

/// Migration `n` (1-based) is `MIGRATIONS[n - 1]`.
pub(super) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6];

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

/// Several accounts side by side: a calendar belongs to an account, and the same calendar
/// id can be listed under two accounts (a calendar shared with both), each its own watch.
/// Calendars, channels, sync state, snapshots and rules are keyed by (account, calendar
/// id); each change and sync batch records its account. Rows are carried over under the
/// account their calendar was listed under, so nothing is lost and nothing is re-watched:
/// channel ids, tokens, resource ids, message numbers and sync tokens stay as they were.
///
/// SQLite cannot change a primary key in place, so the tables are rebuilt. The new ones
/// are filled first and the old children dropped before the old `calendars`, so no
/// `ON DELETE CASCADE` of the old tables ever fires; renaming `calendars_v5` to
/// `calendars` rewrites the new children's references with it.
const V5: &str = r#"
CREATE TABLE calendars_v5 (
    account      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    summary      TEXT NOT NULL,
    color        TEXT,
    time_zone    TEXT,
    is_primary   INTEGER NOT NULL DEFAULT 0,
    watched      INTEGER NOT NULL DEFAULT 0,
    gone         INTEGER NOT NULL DEFAULT 0,
    access_role  TEXT,
    gone_reason  TEXT,                          -- why it left, in words; NULL while listed
    PRIMARY KEY (account, id)
) WITHOUT ROWID;
INSERT INTO calendars_v5 (account, id, summary, color, time_zone, is_primary, watched, gone,
        access_role)
    SELECT account, id, summary, color, time_zone, is_primary, watched, gone, access_role
    FROM calendars;

CREATE TABLE channels_v5 (
    id                   TEXT PRIMARY KEY,
    account              TEXT NOT NULL,
    calendar_id          TEXT NOT NULL,
    resource_id          TEXT,
    token                TEXT NOT NULL,
    address              TEXT NOT NULL,
    expiration_ms        INTEGER NOT NULL,
    state                TEXT NOT NULL,
    last_message_number  INTEGER NOT NULL DEFAULT 0,
    created_ms           INTEGER NOT NULL,
    error                TEXT,
    FOREIGN KEY (account, calendar_id) REFERENCES calendars_v5(account, id) ON DELETE CASCADE
);
INSERT INTO channels_v5 (id, account, calendar_id, resource_id, token, address, expiration_ms,
        state, last_message_number, created_ms, error)
    SELECT ch.id, c.account, ch.calendar_id, ch.resource_id, ch.token, ch.address,
           ch.expiration_ms, ch.state, ch.last_message_number, ch.created_ms, ch.error
    FROM channels ch JOIN calendars c ON c.id = ch.calendar_id;

CREATE TABLE sync_state_v5 (
    account            TEXT NOT NULL,
    calendar_id        TEXT NOT NULL,
    sync_token         TEXT,
    last_full_sync_ms  INTEGER,
    PRIMARY KEY (account, calendar_id),
    FOREIGN KEY (account, calendar_id) REFERENCES calendars_v5(account, id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO sync_state_v5 (account, calendar_id, sync_token, last_full_sync_ms)
    SELECT c.account, s.calendar_id, s.sync_token, s.last_full_sync_ms
    FROM sync_state s JOIN calendars c ON c.id = s.calendar_id;

CREATE TABLE snapshots_v5 (
    account             TEXT NOT NULL,
    calendar_id         TEXT NOT NULL,
    event_id            TEXT NOT NULL,
    summary             TEXT NOT NULL,
    start_time          TEXT NOT NULL,
    end_time            TEXT NOT NULL,
    all_day             INTEGER NOT NULL,
    location            TEXT,
    description         TEXT,
    status              TEXT NOT NULL,
    self_response       TEXT,
    recurring_event_id  TEXT,
    original_start      TEXT,
    html_link           TEXT,
    recurrence          TEXT,
    people              TEXT,
    meeting_link        TEXT,
    PRIMARY KEY (account, calendar_id, event_id),
    FOREIGN KEY (account, calendar_id) REFERENCES calendars_v5(account, id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO snapshots_v5 (account, calendar_id, event_id, summary, start_time, end_time,
        all_day, location, description, status, self_response, recurring_event_id,
        original_start, html_link, recurrence, people, meeting_link)
    SELECT c.account, s.calendar_id, s.event_id, s.summary, s.start_time, s.end_time,
           s.all_day, s.location, s.description, s.status, s.self_response,
           s.recurring_event_id, s.original_start, s.html_link, s.recurrence, s.people,
           s.meeting_link
    FROM snapshots s JOIN calendars c ON c.id = s.calendar_id;

CREATE TABLE calendar_rules_v5 (
    account      TEXT NOT NULL,
    calendar_id  TEXT NOT NULL,
    rules        TEXT NOT NULL,
    PRIMARY KEY (account, calendar_id),
    FOREIGN KEY (account, calendar_id) REFERENCES calendars_v5(account, id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO calendar_rules_v5 (account, calendar_id, rules)
    SELECT c.account, r.calendar_id, r.rules
    FROM calendar_rules r JOIN calendars c ON c.id = r.calendar_id;

DROP TABLE channels;
DROP TABLE sync_state;
DROP TABLE snapshots;
DROP TABLE calendar_rules;
DROP TABLE calendars;
ALTER TABLE calendars_v5 RENAME TO calendars;
ALTER TABLE channels_v5 RENAME TO channels;
ALTER TABLE sync_state_v5 RENAME TO sync_state;
ALTER TABLE snapshots_v5 RENAME TO snapshots;
ALTER TABLE calendar_rules_v5 RENAME TO calendar_rules;
CREATE INDEX channels_by_calendar ON channels(account, calendar_id);

-- History has no foreign keys (it outlives calendars and accounts): it names its account.
-- A calendar no longer listed was the one account's (older versions held one at a time).
ALTER TABLE sync_batches ADD COLUMN account TEXT;
ALTER TABLE changes ADD COLUMN account TEXT;
UPDATE sync_batches SET account = COALESCE(
    (SELECT account FROM calendars WHERE calendars.id = sync_batches.calendar_id),
    (SELECT id FROM accounts ORDER BY created_ms DESC, id DESC LIMIT 1));
UPDATE changes SET account = COALESCE(
    (SELECT account FROM calendars WHERE calendars.id = changes.calendar_id),
    (SELECT id FROM accounts ORDER BY created_ms DESC, id DESC LIMIT 1));
CREATE INDEX changes_by_account ON changes(account);
"#;

/// Each account's calendar list is watched too (`calendarList.watch`), so a calendar shared
/// with the person appears at once: one push channel per account (two while one is being
/// replaced) and the list's own sync token. Both belong to the account and go with it.
/// Nothing existing changes: an account from before has no list sync token yet, so its
/// first list is a silent baseline, never a toast for every calendar it already had.
const V6: &str = r#"
CREATE TABLE calendar_list_channels (
    id                   TEXT PRIMARY KEY,
    account              TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    resource_id          TEXT,
    token                TEXT NOT NULL,
    address              TEXT NOT NULL,
    expiration_ms        INTEGER NOT NULL,
    state                TEXT NOT NULL,
    last_message_number  INTEGER NOT NULL DEFAULT 0,
    created_ms           INTEGER NOT NULL
);
CREATE INDEX calendar_list_channels_by_account ON calendar_list_channels(account);

CREATE TABLE calendar_list_sync (
    account     TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    sync_token  TEXT
) WITHOUT ROWID;
"#;

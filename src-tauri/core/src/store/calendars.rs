//! Calendars from each account's calendar list, and which of them are watched.

use rusqlite::{params, Connection, Row};
use serde::{Deserialize, Serialize};

use super::{row_exists, Store, StoreError};
pub use crate::account::CalendarKey;

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

/// Why a calendar is gone, in a sentence for its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoneCalendar {
    /// The calendar.
    pub key: CalendarKey,
    /// Why, in words.
    pub reason: String,
}

/// What the account's own calendar is called where Google names it after the account's
/// address (as it does unless the person renamed it), in English; the toasts use the
/// catalogue's `primary-calendar` in the language in effect.
pub const PRIMARY_NAME: &str = "Primary calendar";

impl CalendarRecord {
    /// Its key in the store.
    pub fn key(&self) -> CalendarKey {
        CalendarKey::new(&self.account, &self.id)
    }

    /// The name a person reads in a toast: the calendar's own, except for the account's
    /// calendar when Google gives it the account's address as its name (an address says
    /// who, not which calendar).
    pub fn display_name(&self) -> std::borrow::Cow<'_, str> {
        let name = self.summary.trim();
        if name.is_empty() || (self.primary && (name == self.id || name == self.account)) {
            if self.primary {
                return crate::locale::current()
                    .text("primary-calendar", &[])
                    .into();
            }
            return self.id.as_str().into();
        }
        name.into()
    }
}

impl Store {
    /// Adds a calendar or refreshes a known one's name, colour, zone, access role and account.
    ///
    /// `watched` is taken only for a new calendar (use [`Store::set_watched`] after), so
    /// re-reading the calendar list never unwatches anything; a listed calendar is not gone.
    pub fn upsert_calendar(&self, calendar: &CalendarRecord) -> Result<(), StoreError> {
        let conn = self.conn();
        if !row_exists(&conn, "accounts", &calendar.account)? {
            return Err(StoreError::UnknownAccount(calendar.account.clone()));
        }
        Self::upsert_calendar_on(&conn, calendar)
    }

    /// [`Store::upsert_calendar`] on a connection or transaction the caller holds.
    pub(super) fn upsert_calendar_on(
        conn: &Connection,
        calendar: &CalendarRecord,
    ) -> Result<(), StoreError> {
        conn.execute(
            "INSERT INTO calendars (id, account, summary, color, time_zone, is_primary, watched, gone,
                 access_role)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(account, id) DO UPDATE SET summary = excluded.summary,
                 color = excluded.color, time_zone = excluded.time_zone,
                 is_primary = excluded.is_primary, access_role = excluded.access_role, gone = 0,
                 gone_reason = NULL",
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
            "SELECT {} FROM calendars WHERE {condition}
             ORDER BY account, is_primary DESC, summary, id",
            Self::CALENDAR_COLUMNS
        ))?;
        let rows = stmt.query_map(args, Self::calendar_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One calendar.
    pub fn calendar(&self, key: &CalendarKey) -> Result<Option<CalendarRecord>, StoreError> {
        Ok(self
            .calendars_where(
                "account = ?1 AND id = ?2",
                &[&key.account, &key.calendar_id],
            )?
            .into_iter()
            .next())
    }

    /// Every calendar, by account, then primary first, then by name.
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
    pub fn set_watched(&self, key: &CalendarKey, watched: bool) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE calendars SET watched = ?3 WHERE account = ?1 AND id = ?2",
            params![key.account, key.calendar_id, watched],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownCalendar(key.to_string()));
        }
        if !watched {
            for table in ["sync_state", "snapshots"] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE account = ?1 AND calendar_id = ?2"),
                    params![key.account, key.calendar_id],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records that Google says the calendar no longer exists (or it left the list).
    pub fn mark_gone(&self, key: &CalendarKey) -> Result<(), StoreError> {
        self.mark_gone_because(key, None)
    }

    /// [`Store::mark_gone`], keeping why in a sentence the window shows on its row.
    pub fn mark_gone_because(
        &self,
        key: &CalendarKey,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let n = self.conn().execute(
            "UPDATE calendars SET gone = 1, gone_reason = COALESCE(?3, gone_reason)
             WHERE account = ?1 AND id = ?2",
            params![key.account, key.calendar_id, reason],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownCalendar(key.to_string()));
        }
        Ok(())
    }

    /// The sentence saying why each gone calendar left, for the ones that have one.
    pub fn gone_reasons(&self) -> Result<Vec<GoneCalendar>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT account, id, gone_reason FROM calendars
             WHERE gone = 1 AND gone_reason IS NOT NULL ORDER BY account, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(GoneCalendar {
                key: CalendarKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                reason: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

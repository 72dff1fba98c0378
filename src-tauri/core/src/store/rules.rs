//! Each calendar's noise rules (mute, kinds, within N days), one JSON row per calendar;
//! a calendar without a row tells everything.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension as _};

use super::{calendar_exists, from_json, to_json, CalendarKey, Store, StoreError};
use crate::noise::CalendarRules;

impl Store {
    /// The calendar's rules (the defaults when none were set).
    pub fn calendar_rules(&self, calendar: &CalendarKey) -> Result<CalendarRules, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT rules FROM calendar_rules WHERE account = ?1 AND calendar_id = ?2",
        )?;
        let text: Option<String> = stmt
            .query_row(params![calendar.account, calendar.calendar_id], |r| {
                r.get(0)
            })
            .optional()?;
        match text {
            Some(text) => from_json(&text),
            None => Ok(CalendarRules::default()),
        }
    }

    /// Every calendar's rules that differ from the defaults, by calendar.
    pub fn all_calendar_rules(&self) -> Result<HashMap<CalendarKey, CalendarRules>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT account, calendar_id, rules FROM calendar_rules")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (account, id, text) = row?;
            Ok((CalendarKey::new(account, id), from_json(&text)?))
        })
        .collect()
    }

    /// Sets a calendar's rules; the defaults remove its row.
    pub fn set_calendar_rules(
        &self,
        calendar: &CalendarKey,
        rules: &CalendarRules,
    ) -> Result<(), StoreError> {
        let conn = self.conn();
        if !calendar_exists(&conn, calendar)? {
            return Err(StoreError::UnknownCalendar(calendar.to_string()));
        }
        if *rules == CalendarRules::default() {
            conn.execute(
                "DELETE FROM calendar_rules WHERE account = ?1 AND calendar_id = ?2",
                params![calendar.account, calendar.calendar_id],
            )?;
        } else {
            conn.execute(
                "INSERT INTO calendar_rules (account, calendar_id, rules) VALUES (?1, ?2, ?3)
                 ON CONFLICT(account, calendar_id) DO UPDATE SET rules = excluded.rules",
                params![calendar.account, calendar.calendar_id, to_json(rules)?],
            )?;
        }
        Ok(())
    }
}

//! Each calendar's noise rules (mute, kinds, within N days), one JSON row per calendar;
//! a calendar without a row tells everything.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension as _};

use super::{from_json, row_exists, to_json, Store, StoreError};
use crate::noise::CalendarRules;

impl Store {
    /// The calendar's rules (the defaults when none were set).
    pub fn calendar_rules(&self, calendar_id: &str) -> Result<CalendarRules, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT rules FROM calendar_rules WHERE calendar_id = ?1")?;
        let text: Option<String> = stmt
            .query_row(params![calendar_id], |r| r.get(0))
            .optional()?;
        match text {
            Some(text) => from_json(&text),
            None => Ok(CalendarRules::default()),
        }
    }

    /// Every calendar's rules that differ from the defaults, by calendar id.
    pub fn all_calendar_rules(&self) -> Result<HashMap<String, CalendarRules>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT calendar_id, rules FROM calendar_rules")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|row| {
            let (id, text) = row?;
            Ok((id, from_json(&text)?))
        })
        .collect()
    }

    /// Sets a calendar's rules; the defaults remove its row.
    pub fn set_calendar_rules(
        &self,
        calendar_id: &str,
        rules: &CalendarRules,
    ) -> Result<(), StoreError> {
        let conn = self.conn();
        if !row_exists(&conn, "calendars", calendar_id)? {
            return Err(StoreError::UnknownCalendar(calendar_id.into()));
        }
        if *rules == CalendarRules::default() {
            conn.execute(
                "DELETE FROM calendar_rules WHERE calendar_id = ?1",
                params![calendar_id],
            )?;
        } else {
            conn.execute(
                "INSERT INTO calendar_rules (calendar_id, rules) VALUES (?1, ?2)
                 ON CONFLICT(calendar_id) DO UPDATE SET rules = excluded.rules",
                params![calendar_id, to_json(rules)?],
            )?;
        }
        Ok(())
    }
}

//! What a sync that streams Google's pages reads and marks in the store: the snapshot
//! rows one page concerns, and which rows a full listing has seen, so deletions that show
//! only as absences are found in the store at the end rather than in memory.
//!
//! The marks live in a TEMP table of the store's one connection: they need not survive a
//! crash, because a listing that did not finish is started over (its sync token is stored
//! only with the last page) and starting one clears them.

use std::collections::HashMap;

use rusqlite::params;

use super::{CalendarKey, EventSnapshot, Store, StoreError};

/// Creates the marks table on first use (TEMP tables belong to the connection).
const CREATE_MARKS: &str = "CREATE TEMP TABLE IF NOT EXISTS listing_seen (
    account     TEXT NOT NULL,
    calendar_id TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    PRIMARY KEY (account, calendar_id, event_id)
) WITHOUT ROWID";

impl Store {
    /// The snapshot rows of `event_ids`, plus the stored instances of the series in
    /// `series_ids` (a cancelled series takes its instances with it), by event id.
    pub fn snapshots_of(
        &self,
        calendar: &CalendarKey,
        event_ids: &[&str],
        series_ids: &[&str],
    ) -> Result<HashMap<String, EventSnapshot>, StoreError> {
        let ids = super::to_json(&event_ids)?;
        // By primary key: a page costs what it holds, whatever the calendar's size.
        let mut rows = self.snapshots_matching(
            calendar,
            "AND event_id IN (SELECT value FROM json_each(?3))",
            &[&ids],
        )?;
        if !series_ids.is_empty() {
            let series = super::to_json(&series_ids)?;
            rows.extend(self.snapshots_matching(
                calendar,
                "AND recurring_event_id IN (SELECT value FROM json_each(?3))",
                &[&series],
            )?);
        }
        Ok(rows)
    }

    /// Starts a full listing of the calendar: no row is seen yet.
    pub fn begin_listing(&self, calendar: &CalendarKey) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.execute(CREATE_MARKS, [])?;
        conn.execute(
            "DELETE FROM temp.listing_seen WHERE account = ?1 AND calendar_id = ?2",
            params![calendar.account, calendar.calendar_id],
        )?;
        Ok(())
    }

    /// Marks events as seen in the current full listing of the calendar.
    pub fn mark_listed(
        &self,
        calendar: &CalendarKey,
        event_ids: &[&str],
    ) -> Result<(), StoreError> {
        let ids = super::to_json(&event_ids)?;
        let conn = self.conn();
        conn.execute(CREATE_MARKS, [])?;
        conn.execute(
            "INSERT OR IGNORE INTO temp.listing_seen (account, calendar_id, event_id)
             SELECT ?1, ?2, value FROM json_each(?3)",
            params![calendar.account, calendar.calendar_id, ids],
        )?;
        Ok(())
    }

    /// The calendar's snapshot rows the current full listing has not seen: the events
    /// deleted while nothing listened (Google's full list leaves them out).
    pub fn unlisted_snapshots(
        &self,
        calendar: &CalendarKey,
    ) -> Result<HashMap<String, EventSnapshot>, StoreError> {
        self.conn().execute(CREATE_MARKS, [])?;
        self.snapshots_matching(
            calendar,
            "AND event_id NOT IN (SELECT event_id FROM temp.listing_seen
                                  WHERE account = ?1 AND calendar_id = ?2)",
            &[],
        )
    }

    /// Ends the calendar's full listing, dropping its marks.
    pub fn end_listing(&self, calendar: &CalendarKey) -> Result<(), StoreError> {
        self.begin_listing(calendar)
    }
}

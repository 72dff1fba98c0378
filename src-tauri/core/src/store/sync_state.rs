//! Where incremental sync of a calendar stands: its sync token, its last full sync.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{ensure_calendar, CalendarKey, Store, StoreError};

/// Where incremental sync of a calendar stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// Google's `nextSyncToken` from the last sync; `None` means a full sync is due.
    pub sync_token: Option<String>,
    /// When the last full sync finished (ms since the epoch).
    pub last_full_sync_ms: Option<i64>,
}

impl Store {
    /// A calendar's sync state; `None` if it was never synced (or was reset).
    pub fn sync_state(&self, calendar: &CalendarKey) -> Result<Option<SyncState>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT sync_token, last_full_sync_ms FROM sync_state
                 WHERE account = ?1 AND calendar_id = ?2",
                params![calendar.account, calendar.calendar_id],
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
    pub fn set_sync_state(
        &self,
        calendar: &CalendarKey,
        state: &SyncState,
    ) -> Result<(), StoreError> {
        let conn = self.conn();
        ensure_calendar(&conn, calendar)?;
        conn.execute(
            "INSERT INTO sync_state (account, calendar_id, sync_token, last_full_sync_ms)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(account, calendar_id) DO UPDATE SET sync_token = excluded.sync_token,
                 last_full_sync_ms = excluded.last_full_sync_ms",
            params![
                calendar.account,
                calendar.calendar_id,
                state.sync_token,
                state.last_full_sync_ms
            ],
        )?;
        Ok(())
    }
}

//! Deleting change history on the person's request: one account's at sign-out, or all of
//! it from Settings. (History otherwise ages out after 180 days, see `prune_history`.)

use rusqlite::params;

use super::{Store, StoreError};

impl Store {
    /// Deletes the change history of `account`'s calendars (called before the account
    /// itself is deleted, while its calendars still say whose they are). Returns how many
    /// changes went.
    pub fn delete_account_history(&self, account: &str) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "DELETE FROM changes WHERE calendar_id IN
                 (SELECT id FROM calendars WHERE account = ?1)",
            params![account],
        )?;
        tx.execute(
            "DELETE FROM sync_batches WHERE calendar_id IN
                 (SELECT id FROM calendars WHERE account = ?1)",
            params![account],
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// Deletes every change already shown ("Clear history"); one not yet shown stays, so
    /// its toast is not lost. Returns how many changes went.
    pub fn clear_history(&self) -> Result<usize, StoreError> {
        self.prune_history(i64::MAX)
    }
}

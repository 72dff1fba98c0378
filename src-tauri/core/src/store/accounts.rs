//! Accounts: who is signed in, and how their sign-in is doing.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{Store, StoreError};
use crate::account::AccountStatus;

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

fn parse_account_status(text: &str) -> Result<AccountStatus, StoreError> {
    AccountStatus::from_name(text)
        .ok_or_else(|| StoreError::Corrupt(format!("account status {text:?}")))
}

impl Store {
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
}

//! The change history: what each sync found, whether it was shown, pruning it, and
//! deleting it on the person's request (one account's at sign-out, or all from Settings).

use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};

use super::{from_json, to_json, Store, StoreError, SyncCommit};
use crate::noise::Silence;
use crate::notice::{Change, ChangeKind};

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
    /// Why it raised no toast; `None` when it was told (or is not handed over yet).
    pub silenced: Option<Silence>,
    /// The change itself.
    pub change: Change,
}

/// What became of one change handed to the outbox: told (`silenced` is `None`) or
/// silent, and whether it waits for the digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The change's row id.
    pub id: i64,
    /// Why it raised no toast, if it did not.
    pub silenced: Option<Silence>,
    /// Held for the digest at the end of quiet hours or a pause.
    pub held: bool,
}

/// One sync's worth of changes, for "7 changes in Work" / "while you were away" lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSummary {
    /// The batch id ([`StoredChange::batch_id`]).
    pub id: i64,
    /// The account whose calendar was synced (`None` in history older than accounts).
    pub account: Option<String>,
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

impl Store {
    fn changes_query(
        &self,
        tail: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<StoredChange>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT c.id, c.batch_id, b.away, c.received_ms, c.delivered, c.change, c.silenced,
                    c.account
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
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        rows.map(|row| {
            let (id, batch_id, away, received_ms, delivered, change, silenced, account) = row?;
            let mut change: Change = from_json(&change)?;
            if change.account.is_empty() {
                // Recorded before changes named their account: the column does (V5).
                change.account = account.unwrap_or_default();
            }
            Ok(StoredChange {
                id,
                batch_id,
                away,
                received_ms,
                delivered,
                // A reason a newer version wrote reads as told: it was shown there or not,
                // the list still has the change.
                silenced: silenced.as_deref().and_then(Silence::from_code),
                change,
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

    /// Records what became of changes handed to the outbox: delivered, with the reason
    /// each raised no toast and whether it waits for the digest.
    pub fn record_deliveries(&self, deliveries: &[Delivery]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE changes SET delivered = 1, silenced = ?2, held = ?3 WHERE id = ?1",
            )?;
            for d in deliveries {
                stmt.execute(params![d.id, d.silenced.map(Silence::code), d.held])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The changes held for the digest, oldest first.
    pub fn held_changes(&self) -> Result<Vec<StoredChange>, StoreError> {
        self.changes_query("WHERE c.held = 1 ORDER BY c.id", &[])
    }

    /// Marks held changes as told in a digest (their reason stays).
    pub fn release_held(&self, ids: &[i64]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached("UPDATE changes SET held = 0 WHERE id = ?1")?;
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
                    (SELECT change FROM changes WHERE batch_id = b.id ORDER BY id LIMIT 1),
                    b.account
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
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        rows.map(|row| {
            let (id, calendar_id, at_ms, away, count, first, account) = row?;
            let first: Change = from_json(&first)?;
            Ok(BatchSummary {
                id,
                account,
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
            "DELETE FROM changes WHERE delivered = 1 AND held = 0 AND received_ms < ?1",
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

    /// Deletes the change history of `account` (each change names its account, so a
    /// calendar shared with another account keeps that account's history). Returns how
    /// many changes went.
    pub fn delete_account_history(&self, account: &str) -> Result<usize, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute("DELETE FROM changes WHERE account = ?1", params![account])?;
        tx.execute(
            "DELETE FROM sync_batches WHERE account = ?1",
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

fn kind_name(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Created => "created",
        ChangeKind::Updated => "updated",
        ChangeKind::Cancelled => "cancelled",
    }
}

pub(super) fn write_changes(
    tx: &Transaction<'_>,
    sync: &SyncCommit<'_>,
) -> Result<Vec<i64>, StoreError> {
    if sync.changes.is_empty() {
        return Ok(Vec::new());
    }
    tx.execute(
        "INSERT INTO sync_batches (account, calendar_id, at_ms, away) VALUES (?1, ?2, ?3, ?4)",
        params![
            sync.calendar.account,
            sync.calendar.calendar_id,
            sync.received_ms,
            sync.trigger.told_as_away()
        ],
    )?;
    let batch_id = tx.last_insert_rowid();
    let mut insert = tx.prepare_cached(
        "INSERT INTO changes (batch_id, account, calendar_id, event_id, kind, change,
             received_ms, delivered)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
    )?;
    let mut ids = Vec::with_capacity(sync.changes.len());
    for change in sync.changes {
        insert.execute(params![
            batch_id,
            sync.calendar.account,
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

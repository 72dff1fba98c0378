//! Each account's calendar list: its push channels (`calendarList.watch`) and its sync
//! token, so a calendar shared, removed or renamed is learnt at once.

use rusqlite::{params, OptionalExtension};

use super::{message_number, ChannelState, Store, StoreError};
use crate::secrets::Sensitive;

/// A push channel on an account's calendar list, stored before `calendarList.watch` is
/// called so its `sync` message is recognised even when it beats the watch response.
///
/// Not `Serialize`: it holds the channel token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListChannelRecord {
    /// Our channel id (a uuid).
    pub id: String,
    /// The account whose list it watches (and whose tokens must stop it).
    pub account: String,
    /// Google's id for the watched list; known from the watch response or first message.
    pub resource_id: Option<String>,
    /// The token Google echoes in `X-Goog-Channel-Token`; proves a POST is Google's.
    pub token: Sensitive<String>,
    /// The callback URL the channel posts to.
    pub address: String,
    /// When Google stops delivering (ms since the epoch).
    pub expiration_ms: i64,
    /// Lifecycle state (the same states as a calendar's channel).
    pub state: ChannelState,
    /// The latest admitted `X-Goog-Message-Number`, so replays after a restart stay
    /// duplicates.
    pub last_message_number: u64,
    /// When it was created (ms since the epoch).
    pub created_ms: i64,
}

impl Store {
    /// Stores a new calendar-list channel (before `calendarList.watch` is called).
    pub fn insert_list_channel(&self, channel: &ListChannelRecord) -> Result<(), StoreError> {
        let conn = self.conn();
        if !super::row_exists(&conn, "accounts", &channel.account)? {
            return Err(StoreError::UnknownAccount(channel.account.clone()));
        }
        conn.execute(
            "INSERT INTO calendar_list_channels (id, account, resource_id, token, address,
                 expiration_ms, state, last_message_number, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                channel.id,
                channel.account,
                channel.resource_id,
                channel.token.expose(),
                channel.address,
                channel.expiration_ms,
                channel.state.as_str(),
                message_number::to_column(channel.last_message_number),
                channel.created_ms,
            ],
        )?;
        Ok(())
    }

    fn list_channels_where(
        &self,
        condition: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<ListChannelRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT id, account, resource_id, token, address, expiration_ms, state,
                    last_message_number, created_ms
             FROM calendar_list_channels WHERE {condition} ORDER BY created_ms, id"
        ))?;
        let rows = stmt.query_map(args, |r| {
            Ok((
                ListChannelRecord {
                    id: r.get(0)?,
                    account: r.get(1)?,
                    resource_id: r.get(2)?,
                    token: Sensitive::new(r.get(3)?),
                    address: r.get(4)?,
                    expiration_ms: r.get(5)?,
                    state: ChannelState::Pending,
                    last_message_number: message_number::from_column(r.get(7)?),
                    created_ms: r.get(8)?,
                },
                r.get::<_, String>(6)?,
            ))
        })?;
        rows.map(|row| {
            let (mut channel, state) = row?;
            channel.state = ChannelState::parse(&state)?;
            Ok(channel)
        })
        .collect()
    }

    /// One calendar-list channel.
    pub fn list_channel(&self, id: &str) -> Result<Option<ListChannelRecord>, StoreError> {
        Ok(self
            .list_channels_where("id = ?1", &[&id])?
            .into_iter()
            .next())
    }

    /// Every calendar-list channel, oldest first.
    pub fn list_channels(&self) -> Result<Vec<ListChannelRecord>, StoreError> {
        self.list_channels_where("1", &[])
    }

    /// One account's calendar-list channels (two while one is being replaced).
    pub fn list_channels_of(&self, account: &str) -> Result<Vec<ListChannelRecord>, StoreError> {
        self.list_channels_where("account = ?1", &[&account])
    }

    /// Records Google's answer to `calendarList.watch`.
    pub fn record_list_watch_response(
        &self,
        id: &str,
        resource_id: &str,
        expiration_ms: i64,
    ) -> Result<(), StoreError> {
        let n = self.conn().execute(
            "UPDATE calendar_list_channels SET resource_id = ?2, expiration_ms = ?3 WHERE id = ?1",
            params![id, resource_id, expiration_ms],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownChannel(id.into()));
        }
        Ok(())
    }

    /// Sets a calendar-list channel's state.
    pub fn set_list_channel_state(&self, id: &str, state: ChannelState) -> Result<(), StoreError> {
        let n = self.conn().execute(
            "UPDATE calendar_list_channels SET state = ?2 WHERE id = ?1",
            params![id, state.as_str()],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownChannel(id.into()));
        }
        Ok(())
    }

    /// Forgets a calendar-list channel (stopped at Google, or never created there).
    pub fn delete_list_channel(&self, id: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "DELETE FROM calendar_list_channels WHERE id = ?1",
            params![id],
        )?;
        Ok(())
    }

    /// Records `n` as a calendar-list channel's latest admitted message number.
    pub(super) fn record_list_message_number(&self, id: &str, n: u64) -> Result<bool, StoreError> {
        let conn = self.conn();
        let raised = conn.execute(
            "UPDATE calendar_list_channels SET last_message_number = ?2
             WHERE id = ?1 AND last_message_number <> ?2",
            params![id, message_number::to_column(n)],
        )?;
        if raised == 1 {
            return Ok(true);
        }
        if super::row_exists(&conn, "calendar_list_channels", id)? {
            Ok(false)
        } else {
            Err(StoreError::UnknownChannel(id.into()))
        }
    }

    /// The account's calendar-list sync token; `None` before its first full list.
    pub fn calendar_list_sync_token(&self, account: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT sync_token FROM calendar_list_sync WHERE account = ?1",
                params![account],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Stores what one reading of `account`'s calendar list found — the calendars new or
    /// changed, then the list's next sync token — in one transaction. A crash part-way
    /// leaves neither, so the next reading (with the old token) finds the same calendars
    /// new again and offers them: none is stored as known without its offer being due.
    pub fn record_calendar_listing(
        &self,
        account: &str,
        calendars: &[super::CalendarRecord],
        next_sync_token: &str,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        if !super::row_exists(&conn, "accounts", account)? {
            return Err(StoreError::UnknownAccount(account.into()));
        }
        let tx = conn.transaction()?;
        for calendar in calendars {
            Self::upsert_calendar_on(&tx, calendar)?;
        }
        Self::set_list_token_on(&tx, account, Some(next_sync_token))?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps (or, with `None`, forgets) the account's calendar-list sync token.
    pub fn set_calendar_list_sync_token(
        &self,
        account: &str,
        token: Option<&str>,
    ) -> Result<(), StoreError> {
        let conn = self.conn();
        if !super::row_exists(&conn, "accounts", account)? {
            return Err(StoreError::UnknownAccount(account.into()));
        }
        Self::set_list_token_on(&conn, account, token)
    }

    /// [`Store::set_calendar_list_sync_token`] on a connection or transaction the caller
    /// holds.
    fn set_list_token_on(
        conn: &rusqlite::Connection,
        account: &str,
        token: Option<&str>,
    ) -> Result<(), StoreError> {
        conn.execute(
            "INSERT INTO calendar_list_sync (account, sync_token) VALUES (?1, ?2)
             ON CONFLICT(account) DO UPDATE SET sync_token = excluded.sync_token",
            params![account, token],
        )?;
        Ok(())
    }
}

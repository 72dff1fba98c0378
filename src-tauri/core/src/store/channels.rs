//! Push channels: stored before `events.watch` is called, their state and message numbers.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{ensure_calendar, message_number, row_exists, CalendarKey, Store, StoreError};
use crate::secrets::Sensitive;

/// A channel's lifecycle state, shown in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelState {
    /// Stored, `events.watch` not yet answered.
    Pending,
    /// Google confirmed it; notifications flow.
    Active,
    /// A replacement is being created.
    Renewing,
    /// Renewal is overdue and expiry is near.
    ExpiringSoon,
    /// Past its expiration; no more notifications.
    Expired,
    /// Something went wrong (see `error`); may still deliver until it expires.
    Error,
    /// Stopped on purpose (`channels.stop`).
    Stopped,
}

impl ChannelState {
    /// The stored (and serialised) name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelState::Pending => "pending",
            ChannelState::Active => "active",
            ChannelState::Renewing => "renewing",
            ChannelState::ExpiringSoon => "expiring_soon",
            ChannelState::Expired => "expired",
            ChannelState::Error => "error",
            ChannelState::Stopped => "stopped",
        }
    }

    pub(super) fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "pending" => ChannelState::Pending,
            "active" => ChannelState::Active,
            "renewing" => ChannelState::Renewing,
            "expiring_soon" => ChannelState::ExpiringSoon,
            "expired" => ChannelState::Expired,
            "error" => ChannelState::Error,
            "stopped" => ChannelState::Stopped,
            other => return Err(StoreError::Corrupt(format!("channel state {other:?}"))),
        })
    }

    /// A live channel is one CalWatch has not stopped: the one meaning of "live" in the
    /// core. An expired channel is still live (its renewal replaces it); a stopped one is
    /// not, whatever Google still does with it.
    pub fn is_live(self) -> bool {
        self != ChannelState::Stopped
    }

    /// True for the states that come with a reason in [`ChannelRecord::error`].
    pub fn is_troubled(self) -> bool {
        matches!(
            self,
            ChannelState::Error | ChannelState::ExpiringSoon | ChannelState::Expired
        )
    }
}

/// A push channel, stored before `events.watch` is called so its `sync` message is
/// recognised even when it beats the watch response.
///
/// Not `Serialize`: it holds the channel token; the window gets a view without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelRecord {
    /// Our channel id (a uuid).
    pub id: String,
    /// The account whose tokens created it (and must stop it).
    pub account: String,
    /// The watched calendar.
    pub calendar_id: String,
    /// Google's id for the watched resource; known from the watch response or first message.
    pub resource_id: Option<String>,
    /// The token Google echoes in `X-Goog-Channel-Token`; proves a POST is Google's.
    pub token: Sensitive<String>,
    /// The callback URL the channel posts to.
    pub address: String,
    /// When Google stops delivering (ms since the epoch); 0 until known.
    pub expiration_ms: i64,
    /// Lifecycle state.
    pub state: ChannelState,
    /// The largest `X-Goog-Message-Number` seen, to drop duplicates after a restart.
    pub last_message_number: u64,
    /// When it was created (ms since the epoch).
    pub created_ms: i64,
    /// Why it is in trouble ([`ChannelState::is_troubled`]), in words.
    pub error: Option<String>,
}

impl ChannelRecord {
    /// The watched calendar's key.
    pub fn calendar(&self) -> CalendarKey {
        CalendarKey::new(&self.account, &self.calendar_id)
    }
}

impl Store {
    /// Stores a new channel (before `events.watch` is called).
    pub fn insert_channel(&self, channel: &ChannelRecord) -> Result<(), StoreError> {
        let conn = self.conn();
        ensure_calendar(&conn, &channel.calendar())?;
        conn.execute(
            "INSERT INTO channels (id, account, calendar_id, resource_id, token, address,
                 expiration_ms, state, last_message_number, created_ms, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                channel.id,
                channel.account,
                channel.calendar_id,
                channel.resource_id,
                channel.token.expose(),
                channel.address,
                channel.expiration_ms,
                channel.state.as_str(),
                message_number::to_column(channel.last_message_number),
                channel.created_ms,
                channel.error
            ],
        )?;
        Ok(())
    }

    const CHANNEL_COLUMNS: &'static str = "id, calendar_id, resource_id, token, address, \
        expiration_ms, state, last_message_number, created_ms, error, account";

    fn channels_where(
        &self,
        condition: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<ChannelRecord>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM channels WHERE {condition} ORDER BY created_ms, id",
            Self::CHANNEL_COLUMNS
        ))?;
        let rows = stmt.query_map(args, |r| {
            Ok((
                ChannelRecord {
                    id: r.get(0)?,
                    account: r.get(10)?,
                    calendar_id: r.get(1)?,
                    resource_id: r.get(2)?,
                    token: Sensitive::new(r.get(3)?),
                    address: r.get(4)?,
                    expiration_ms: r.get(5)?,
                    state: ChannelState::Pending,
                    last_message_number: message_number::from_column(r.get(7)?),
                    created_ms: r.get(8)?,
                    error: r.get(9)?,
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

    /// One channel.
    pub fn channel(&self, id: &str) -> Result<Option<ChannelRecord>, StoreError> {
        Ok(self.channels_where("id = ?1", &[&id])?.into_iter().next())
    }

    /// Every channel, oldest first.
    pub fn channels(&self) -> Result<Vec<ChannelRecord>, StoreError> {
        self.channels_where("1", &[])
    }

    /// The channels of one calendar (during renewal there are two), oldest first.
    pub fn channels_for_calendar(
        &self,
        calendar: &CalendarKey,
    ) -> Result<Vec<ChannelRecord>, StoreError> {
        self.channels_where(
            "account = ?1 AND calendar_id = ?2",
            &[&calendar.account, &calendar.calendar_id],
        )
    }

    /// Sets a channel's state. `error` is kept for the troubled states the window explains
    /// ([`ChannelState::Error`], [`ChannelState::ExpiringSoon`], [`ChannelState::Expired`])
    /// and cleared for the others, so a recovered channel shows no stale reason.
    pub fn update_channel_state(
        &self,
        id: &str,
        state: ChannelState,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let error = error.filter(|_| state.is_troubled());
        let n = self.conn().execute(
            "UPDATE channels SET state = ?2, error = ?3 WHERE id = ?1",
            params![id, state.as_str(), error],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownChannel(id.into()));
        }
        Ok(())
    }

    /// Records Google's answer to `events.watch`: the resource id and the real expiration.
    pub fn record_watch_response(
        &self,
        id: &str,
        resource_id: &str,
        expiration_ms: i64,
    ) -> Result<(), StoreError> {
        let n = self.conn().execute(
            "UPDATE channels SET resource_id = ?2, expiration_ms = ?3 WHERE id = ?1",
            params![id, resource_id, expiration_ms],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownChannel(id.into()));
        }
        Ok(())
    }

    /// Records `n` as the channel's latest admitted message number, as sent (a forged huge
    /// number must not stick; see `receiver::recent`). Returns whether it changed.
    pub fn record_message_number(&self, id: &str, n: u64) -> Result<bool, StoreError> {
        let conn = self.conn();
        let raised = conn.execute(
            "UPDATE channels SET last_message_number = ?2
             WHERE id = ?1 AND last_message_number <> ?2",
            params![id, message_number::to_column(n)],
        )?;
        if raised == 1 {
            return Ok(true);
        }
        if row_exists(&conn, "channels", id)? {
            Ok(false)
        } else {
            drop(conn);
            // A calendar list's channel: numbered and checked the same way.
            self.record_list_message_number(id, n)
        }
    }

    /// Forgets a channel (after it was stopped and replaced).
    pub fn delete_channel(&self, id: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM channels WHERE id = ?1", params![id])?;
        Ok(())
    }
}

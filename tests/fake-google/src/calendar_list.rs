//! Each user's calendar list: one entry per calendar they see (their own and those shared
//! with them), holding their access role, name override, colour and visibility. Every
//! change to an entry is stamped with a per-user sequence number — what calendarList sync
//! tokens point at — and a removed entry stays as a tombstone so incremental listings can
//! report it with `deleted: true`.

use std::collections::BTreeMap;
use std::ops::Bound;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use crate::state::ModelError;

/// Google's access roles from least to most; `minAccessRole` filters by this order.
const ROLES: [&str; 4] = ["freeBusyReader", "reader", "writer", "owner"];

/// The rank of an access role in [`ROLES`]; unknown roles rank lowest.
fn role_rank(role: &str) -> usize {
    ROLES.iter().position(|r| *r == role).unwrap_or(0)
}

/// True if `role` is one Google knows.
pub(crate) fn known_role(role: &str) -> bool {
    ROLES.contains(&role)
}

/// One user's view of one calendar.
#[derive(Debug, Clone)]
pub(crate) struct ListEntry {
    /// The calendar's id.
    pub calendar_id: String,
    /// What this user may do with it (`owner`, `writer`, `reader`, `freeBusyReader`).
    pub access_role: String,
    /// The user's own name for it, shown instead of the calendar's summary.
    pub summary_override: Option<String>,
    /// One of Google's palette ids.
    pub color_id: String,
    /// `#rrggbb`.
    pub background_color: String,
    /// Hidden entries are left out of listings unless `showHidden` (or a sync token) asks.
    pub hidden: bool,
    /// Removed from the list; kept so incremental listings can say so.
    pub deleted: bool,
    /// The list sequence number of the entry's latest change.
    pub seq: u64,
    /// When the entry last changed (its etag).
    pub updated: DateTime<Utc>,
}

/// What a control call changes on a list entry; `None` leaves a field alone.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, rename_all = "camelCase")]
pub struct ListEntryChange {
    /// `Some(Some(name))` sets the user's own name, `Some(None)` (JSON `null`) clears it.
    #[serde(deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub summary_override: Option<Option<String>>,
    /// A palette id, as calendarList.patch takes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color_id: Option<String>,
    /// `#rrggbb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background_color: Option<String>,
    /// Hide or show the calendar in this user's list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
}

/// A field that is present (even as `null`) becomes `Some`, so `null` can mean "clear".
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// One user's calendar list.
pub(crate) struct CalendarList {
    /// Entries in list order; removed ones stay (as tombstones), so positions are stable
    /// and full-listing page tokens can point at one.
    pub entries: Vec<ListEntry>,
    /// Bumped on every entry change; sync tokens remember the value they were cut at.
    pub seq: u64,
    /// Bumped by the expire control; tokens from an older epoch answer 410.
    pub epoch: u64,
    /// Each entry's latest change by sequence number (seq → index into `entries`), so an
    /// incremental listing walks only the changes after its token: it costs what it returns.
    pub changes: BTreeMap<u64, usize>,
    /// The id every calendarList.watch channel of this user reports in `X-Goog-Resource-ID`.
    pub resource_id: String,
}

impl CalendarList {
    /// An empty list.
    pub fn new(resource_id: String) -> CalendarList {
        CalendarList {
            entries: Vec::new(),
            seq: 0,
            epoch: 0,
            changes: BTreeMap::new(),
            resource_id,
        }
    }

    /// The live (not removed) entry for a calendar.
    pub fn entry(&self, calendar_id: &str) -> Option<&ListEntry> {
        self.entries
            .iter()
            .find(|e| e.calendar_id == calendar_id && !e.deleted)
    }

    /// The position of a calendar's entry, live or removed.
    fn position(&self, calendar_id: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.calendar_id == calendar_id)
    }

    /// Stamps the entry at `index` as changed now, moving it in the change index.
    fn touch(&mut self, index: usize, now: DateTime<Utc>) {
        self.seq += 1;
        let entry = &mut self.entries[index];
        self.changes.remove(&entry.seq);
        entry.seq = self.seq;
        entry.updated = now;
        self.changes.insert(self.seq, index);
    }

    /// Puts a calendar in the list with `role` (or changes the role of the entry already
    /// there); a removed entry comes back. False if nothing changed.
    pub fn upsert(
        &mut self,
        calendar_id: &str,
        role: &str,
        colour: (&str, &str),
        now: DateTime<Utc>,
    ) -> bool {
        let index = match self.position(calendar_id) {
            Some(index) => {
                let entry = &mut self.entries[index];
                if !entry.deleted && entry.access_role == role {
                    return false;
                }
                if entry.deleted {
                    // A calendar added again starts afresh, as a new subscription does.
                    entry.summary_override = None;
                    entry.hidden = false;
                }
                entry.deleted = false;
                entry.access_role = role.to_string();
                index
            }
            None => {
                self.entries.push(ListEntry {
                    calendar_id: calendar_id.to_string(),
                    access_role: role.to_string(),
                    summary_override: None,
                    color_id: colour.0.to_string(),
                    background_color: colour.1.to_string(),
                    hidden: false,
                    deleted: false,
                    seq: 0,
                    updated: now,
                });
                self.entries.len() - 1
            }
        };
        self.touch(index, now);
        true
    }

    /// Takes a calendar off the list. False if it was not on it.
    pub fn remove(&mut self, calendar_id: &str, now: DateTime<Utc>) -> bool {
        match self
            .entries
            .iter()
            .position(|e| e.calendar_id == calendar_id && !e.deleted)
        {
            Some(index) => {
                self.entries[index].deleted = true;
                self.touch(index, now);
                true
            }
            None => false,
        }
    }

    /// Applies a change to a live entry. Ok(false) if it changed nothing.
    pub fn update(
        &mut self,
        calendar_id: &str,
        change: &ListEntryChange,
        now: DateTime<Utc>,
    ) -> Result<bool, ModelError> {
        let index = self
            .entries
            .iter()
            .position(|e| e.calendar_id == calendar_id && !e.deleted)
            .ok_or_else(|| ModelError::UnknownCalendar(calendar_id.to_string()))?;
        let entry = &mut self.entries[index];
        let before = (
            entry.summary_override.clone(),
            entry.color_id.clone(),
            entry.background_color.clone(),
            entry.hidden,
        );
        if let Some(summary) = &change.summary_override {
            entry.summary_override = summary.clone();
        }
        if let Some(color_id) = &change.color_id {
            entry.color_id = color_id.clone();
        }
        if let Some(background) = &change.background_color {
            entry.background_color = background.clone();
        }
        if let Some(hidden) = change.hidden {
            entry.hidden = hidden;
        }
        let after = (
            entry.summary_override.clone(),
            entry.color_id.clone(),
            entry.background_color.clone(),
            entry.hidden,
        );
        if before == after {
            return Ok(false);
        }
        self.touch(index, now);
        Ok(true)
    }

    /// Records that the calendar itself changed (its title): the entry shows it. False if
    /// the calendar is not on the list.
    pub fn calendar_changed(&mut self, calendar_id: &str, now: DateTime<Utc>) -> bool {
        match self
            .entries
            .iter()
            .position(|e| e.calendar_id == calendar_id && !e.deleted)
        {
            Some(index) => {
                self.touch(index, now);
                true
            }
            None => false,
        }
    }

    /// One page of calendarList.list: the entries to show and, if more follow, where the
    /// next page starts.
    ///
    /// A full listing walks the entries in list order; an incremental one walks the change
    /// index from the token's sequence number, so it never touches an unchanged entry.
    pub fn page(
        &self,
        cursor: &ListCursor,
        max_results: usize,
    ) -> (Vec<&ListEntry>, Option<ListCursor>) {
        let mut items = Vec::new();
        if let Some(since) = cursor.since {
            // Incremental: every change after the token, removed and hidden ones included.
            let from = cursor.after_seq.unwrap_or(since).max(since);
            let mut last_seq = None;
            for (seq, index) in self
                .changes
                .range((Bound::Excluded(from), Bound::Unbounded))
            {
                if items.len() == max_results {
                    let next = ListCursor {
                        after_seq: last_seq,
                        ..cursor.clone()
                    };
                    return (items, Some(next));
                }
                items.push(&self.entries[*index]);
                last_seq = Some(*seq);
            }
            return (items, None);
        }
        let start = cursor.after_index.map_or(0, |i| i + 1);
        let min_rank = cursor.min_access_role.as_deref().map_or(0, role_rank);
        let mut last_index = None;
        for (index, entry) in self.entries.iter().enumerate().skip(start) {
            let shown = (!entry.deleted || cursor.show_deleted)
                && (!entry.hidden || cursor.show_hidden)
                && role_rank(&entry.access_role) >= min_rank;
            if !shown {
                continue;
            }
            if items.len() == max_results {
                // At least one more matches: the caller needs a next page.
                let next = ListCursor {
                    after_index: last_index,
                    ..cursor.clone()
                };
                return (items, Some(next));
            }
            items.push(entry);
            last_index = Some(index);
        }
        (items, None)
    }
}

/// Which entries a calendarList listing covers and where it resumes; encoded into page
/// tokens.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct ListCursor {
    /// The user whose list it is.
    pub user: String,
    /// The list epoch when the listing began; an expired epoch answers 410.
    pub epoch: u64,
    /// None for a full listing; Some(seq) for changes after that sequence number.
    pub since: Option<u64>,
    /// The list sequence number when the listing began: the next sync token's value.
    pub snapshot: u64,
    /// Full listings include removed entries only when asked.
    pub show_deleted: bool,
    /// Full listings include hidden entries only when asked.
    pub show_hidden: bool,
    /// Full listings leave out entries below this role.
    pub min_access_role: Option<String>,
    /// The position of the last entry already returned (full listings).
    pub after_index: Option<usize>,
    /// The sequence number of the last change already returned (incremental listings).
    pub after_seq: Option<u64>,
}

impl ListCursor {
    /// An opaque page token.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        format!("CLpage{}", URL_SAFE_NO_PAD.encode(json))
    }

    /// Reads a page token back; None if it is not one of ours.
    pub fn decode(token: &str) -> Option<ListCursor> {
        let bytes = URL_SAFE_NO_PAD.decode(token.strip_prefix("CLpage")?).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// What a calendarList sync token points at: a user's list at one sequence number in one
/// epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListSyncToken {
    /// Whose list it was issued for.
    pub user: String,
    /// The epoch it was issued in.
    pub epoch: u64,
    /// Changes with a larger sequence number are new to the holder.
    pub seq: u64,
}

impl ListSyncToken {
    /// An opaque token.
    pub fn encode(&self) -> String {
        let raw = format!("{}\n{}\n{}", self.user, self.epoch, self.seq);
        format!("CLsync{}", URL_SAFE_NO_PAD.encode(raw))
    }

    /// Reads a token back; None if it is not one of ours.
    pub fn decode(token: &str) -> Option<ListSyncToken> {
        let bytes = URL_SAFE_NO_PAD.decode(token.strip_prefix("CLsync")?).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.rsplitn(3, '\n');
        let seq = parts.next()?.parse().ok()?;
        let epoch = parts.next()?.parse().ok()?;
        let user = parts.next()?.to_string();
        Some(ListSyncToken { user, epoch, seq })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list_of(n: usize, now: DateTime<Utc>) -> CalendarList {
        let mut list = CalendarList::new("r".into());
        for i in 0..n {
            list.upsert(&format!("c{i}"), "reader", ("1", "#000000"), now);
        }
        list
    }

    #[test]
    fn an_incremental_listing_walks_only_the_changes_with_removals_and_hidden_ones() {
        let now = Utc::now();
        let mut list = list_of(100, now);
        let before = list.seq;
        list.remove("c3", now);
        let hide = ListEntryChange {
            hidden: Some(true),
            ..ListEntryChange::default()
        };
        assert!(list.update("c50", &hide, now).expect("c50 is listed"));
        assert!(
            !list.update("c50", &hide, now).expect("still listed"),
            "hiding a hidden entry changes nothing"
        );
        list.upsert("c7", "writer", ("1", "#000000"), now);
        assert_eq!(list.changes.len(), 100, "one index entry per calendar");
        let mut cursor = ListCursor {
            user: "u".into(),
            epoch: 0,
            since: Some(before),
            snapshot: list.seq,
            show_deleted: true,
            show_hidden: true,
            min_access_role: None,
            after_index: None,
            after_seq: None,
        };
        let mut seen = Vec::new();
        loop {
            let (items, next) = list.page(&cursor, 2);
            seen.extend(items.iter().map(|e| (e.calendar_id.clone(), e.deleted)));
            match next {
                Some(next) => cursor = next,
                None => break,
            }
        }
        assert_eq!(
            seen,
            vec![
                ("c3".to_string(), true),
                ("c50".to_string(), false),
                ("c7".to_string(), false)
            ],
            "every change after the token once, oldest first, removals included"
        );
    }

    #[test]
    fn a_full_listing_leaves_out_removed_hidden_and_lesser_roles_unless_asked() {
        let now = Utc::now();
        let mut list = list_of(3, now);
        list.remove("c0", now);
        let hide = ListEntryChange {
            hidden: Some(true),
            ..ListEntryChange::default()
        };
        list.update("c1", &hide, now).expect("listed");
        list.upsert("c2", "writer", ("1", "#000000"), now);
        let mut cursor = ListCursor {
            user: "u".into(),
            epoch: 0,
            since: None,
            snapshot: list.seq,
            show_deleted: false,
            show_hidden: false,
            min_access_role: None,
            after_index: None,
            after_seq: None,
        };
        let ids = |cursor: &ListCursor| -> Vec<String> {
            list.page(cursor, 10)
                .0
                .iter()
                .map(|e| e.calendar_id.clone())
                .collect()
        };
        assert_eq!(ids(&cursor), vec!["c2"]);
        cursor.show_hidden = true;
        assert_eq!(ids(&cursor), vec!["c1", "c2"]);
        cursor.min_access_role = Some("writer".into());
        assert_eq!(ids(&cursor), vec!["c2"], "reader is below writer");
    }

    #[test]
    fn list_tokens_round_trip_and_foreign_ones_are_refused() {
        let token = ListSyncToken {
            user: "a\nb@example.com".into(),
            epoch: 2,
            seq: 9,
        };
        assert_eq!(ListSyncToken::decode(&token.encode()), Some(token));
        assert_eq!(ListSyncToken::decode("CPDAlvWDxAAAA"), None);
    }
}

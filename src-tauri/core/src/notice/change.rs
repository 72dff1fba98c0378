//! The change model: what happened to an event ([`ChangeKind`]), which fields differ
//! ([`FieldDiff`]), and the [`Change`] a sync records.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::event_time::EventTime;
use crate::recurrence;

/// What happened to an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// An event id we had not seen, not cancelled.
    Created,
    /// A known event whose person-visible fields changed.
    Updated,
    /// A known event that is now cancelled (or deleted).
    Cancelled,
}

/// A person-visible field of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Start and/or end.
    Time,
    /// Switched between all-day and timed.
    AllDay,
    /// The event's summary.
    Title,
    /// The location.
    Place,
    /// Google's event status (`confirmed`, `tentative`).
    Status,
    /// The signed-in user's own response (`accepted`, `declined`, `tentative`, `needsAction`).
    Response,
    /// The description text. Classification does not report it (DESIGN.md leaves it out);
    /// the variant stays because it is public and the shell names it.
    Description,
    /// How a series repeats: its rule, ended, changed, added or removed. Values are built
    /// by [`FieldDiff::repeats`].
    Repeats,
    /// Other guests' replies: `after` names who answered what ("Ana accepted, Bo
    /// declined"); `before` is empty.
    Replies,
}

/// One field's old and new value.
///
/// For [`Field::Time`] both values are spans encoded by [`FieldDiff::time`]
/// (`start/end`, each as [`EventTime::encode`]) so the wording can show them in the
/// reader's time zone; use that constructor rather than formatting times yourself.
/// Likewise [`Field::Repeats`] values come from [`FieldDiff::repeats`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDiff {
    /// Which field changed.
    pub field: Field,
    /// The value before (empty when there was none).
    pub before: String,
    /// The value after (empty when there is none now).
    pub after: String,
}

impl FieldDiff {
    /// A diff of a plain text field (title, place, status, response, description, all-day).
    pub fn new(field: Field, before: impl Into<String>, after: impl Into<String>) -> Self {
        FieldDiff {
            field,
            before: before.into(),
            after: after.into(),
        }
    }

    /// A diff of the event's time: the span before and the span after.
    pub fn time(
        before_start: &EventTime,
        before_end: Option<&EventTime>,
        after_start: &EventTime,
        after_end: Option<&EventTime>,
    ) -> Self {
        FieldDiff {
            field: Field::Time,
            before: Span::encode(before_start, before_end),
            after: Span::encode(after_start, after_end),
        }
    }

    /// A diff of a series' rule: each side is the series' first occurrence and its RRULE
    /// lines ([`recurrence::rules`]), empty for an event that does not repeat.
    pub fn repeats(
        before_start: &EventTime,
        before_rules: &[String],
        after_start: &EventTime,
        after_rules: &[String],
    ) -> Self {
        FieldDiff {
            field: Field::Repeats,
            before: recurrence::encode(before_start, before_rules),
            after: recurrence::encode(after_start, after_rules),
        }
    }
}

/// One change to one event, as found by a sync and recorded in the change history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The account whose calendar it is (empty only in a change built outside a sync;
    /// history from before accounts reads its account from the store's column).
    #[serde(default)]
    pub account: String,
    /// The calendar the event is in.
    pub calendar_id: String,
    /// The calendar's name at the time, so history still reads well after it is renamed.
    pub calendar_name: String,
    /// Google's event id (an instance id for an exception of a recurring series).
    pub event_id: String,
    /// Created, updated or cancelled.
    pub kind: ChangeKind,
    /// The event's title now (or, when cancelled, its last known title); may be empty.
    pub title: String,
    /// When the event starts now (or started, when cancelled).
    pub start: Option<EventTime>,
    /// When the event ends now; lets the wording show "10:00–11:00".
    #[serde(default)]
    pub end: Option<EventTime>,
    /// For updates: what changed. Empty for created and cancelled.
    pub diffs: Vec<FieldDiff>,
    /// Google's link to the event, for "open in Google Calendar".
    pub html_link: Option<String>,
    /// What the filters and the toast's actions need to know about the event beyond what
    /// changed; empty in history recorded before CalWatch kept it. Boxed: most code
    /// moves changes around without reading it, and a notice stays small.
    #[serde(default)]
    pub facts: Box<EventFacts>,
}

impl Change {
    /// The event's link in Google Calendar, opened as the account whose calendar it is
    /// (`authuser`), so a browser signed in to several accounts shows the right one.
    pub fn event_link(&self) -> Option<String> {
        let link = self.html_link.as_deref()?;
        Some(if self.account.is_empty() {
            link.to_string()
        } else {
            in_account(link, &self.account)
        })
    }
}

/// The event's people and meeting, as the filters ([`crate::noise`]) and a toast's Join
/// action need them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventFacts {
    /// The person's own reply (`accepted`, `declined`, `tentative`, `needsAction`), when
    /// invited.
    pub self_response: Option<String>,
    /// The person organises the event.
    pub organized_by_me: bool,
    /// How many guests besides the person; `None` when not known (history or snapshots
    /// from before CalWatch kept it): a rule about guests then never silences the change.
    pub other_guests: Option<usize>,
    /// The meeting link: `hangoutLink`, or the video entry point of `conferenceData`.
    pub meeting_link: Option<String>,
}

/// An event's start and (optional) end, as a time diff stores it.
pub(super) struct Span {
    /// When it starts.
    pub(super) start: EventTime,
    /// When it ends, if known.
    pub(super) end: Option<EventTime>,
}

impl Span {
    pub(super) fn encode(start: &EventTime, end: Option<&EventTime>) -> String {
        match end {
            Some(end) => format!("{}/{}", start.encode(), end.encode()),
            None => start.encode(),
        }
    }

    pub(super) fn decode(text: &str) -> Option<Span> {
        match text.split_once('/') {
            Some((start, end)) => Some(Span {
                start: EventTime::decode(start)?,
                end: Some(EventTime::decode(end)?),
            }),
            None => Some(Span {
                start: EventTime::decode(text)?,
                end: None,
            }),
        }
    }

    /// How long it lasts, when start and end are of the same kind.
    pub(super) fn length(&self) -> Option<Duration> {
        match (&self.start, self.end.as_ref()?) {
            (EventTime::Date { date: s }, EventTime::Date { date: e }) => Some(*e - *s),
            (
                EventTime::DateTime { date_time: s, .. },
                EventTime::DateTime { date_time: e, .. },
            ) => Some(*e - *s),
            _ => None,
        }
    }
}

/// `url` opened as `email`: Google Calendar's `authuser` picks the account when the
/// browser is signed in to several. The link is otherwise kept exactly as Google wrote it
/// (its `eid` is base64, which re-encoding would change); an `authuser` already in it is
/// replaced.
pub fn in_account(url: &str, email: &str) -> String {
    let account: String = url::form_urlencoded::byte_serialize(email.as_bytes()).collect();
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let (path, query) = base.split_once('?').unwrap_or((base, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("authuser="))
        .collect();
    let added = format!("authuser={account}");
    pairs.push(&added);
    let mut out = format!("{path}?{}", pairs.join("&"));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

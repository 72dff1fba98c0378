//! What changed, in words a person reads: [`Change`] values, their wording, the grouping of
//! many changes into one [`Notice::Summary`], and the [`Notifier`] trait the shell implements.
//!
//! Wording lives here (not in the shell or the window) so that a toast, the change list and
//! the tests all read the same sentence.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};

use crate::recurrence::{self, Series};

/// Shown instead of an empty event title, as Google Calendar itself does.
pub const NO_TITLE: &str = "(No title)";

/// When an event starts or ends: a calendar date (all-day events) or a moment in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventTime {
    /// All-day: a date with no time and no zone (Google's `date`; an end date is exclusive).
    Date {
        /// The calendar day.
        date: NaiveDate,
    },
    /// A moment (Google's `dateTime`), with the IANA zone the event was created in, if given.
    DateTime {
        /// The moment, with the offset Google sent.
        date_time: DateTime<FixedOffset>,
        /// Google's `timeZone` (e.g. "Europe/Berlin"); kept for display, not for comparison.
        time_zone: Option<String>,
    },
}

impl EventTime {
    /// An all-day date.
    pub fn date(date: NaiveDate) -> Self {
        EventTime::Date { date }
    }

    /// A moment without a named zone.
    pub fn at(date_time: DateTime<FixedOffset>) -> Self {
        EventTime::DateTime {
            date_time,
            time_zone: None,
        }
    }

    /// Builds from Google's `EventDateTime` parts; `None` if it has neither a date nor a time.
    pub fn from_parts(
        date: Option<NaiveDate>,
        date_time: Option<DateTime<FixedOffset>>,
        time_zone: Option<String>,
    ) -> Option<Self> {
        match (date_time, date) {
            (Some(date_time), _) => Some(EventTime::DateTime {
                date_time,
                time_zone,
            }),
            (None, Some(date)) => Some(EventTime::Date { date }),
            (None, None) => None,
        }
    }

    /// True for an all-day date.
    pub fn is_all_day(&self) -> bool {
        matches!(self, EventTime::Date { .. })
    }

    /// True when both name the same day or the same instant; the zone name is ignored
    /// because re-labelling the zone of an unmoved event is not something a person notices.
    pub fn same_time(&self, other: &EventTime) -> bool {
        match (self, other) {
            (EventTime::Date { date: a }, EventTime::Date { date: b }) => a == b,
            (
                EventTime::DateTime { date_time: a, .. },
                EventTime::DateTime { date_time: b, .. },
            ) => a == b,
            _ => false,
        }
    }

    /// A compact text form: `2024-12-03` or RFC 3339 (`2024-12-03T10:00:00+01:00`).
    pub fn encode(&self) -> String {
        match self {
            EventTime::Date { date } => date.format("%Y-%m-%d").to_string(),
            EventTime::DateTime { date_time, .. } => date_time.to_rfc3339(),
        }
    }

    /// Parses [`EventTime::encode`]'s form back (the zone name is not part of it).
    pub fn decode(text: &str) -> Option<Self> {
        if let Ok(date_time) = DateTime::parse_from_rfc3339(text) {
            return Some(EventTime::at(date_time));
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(EventTime::date)
    }
}

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

impl FieldDiff {
    /// The before and after values as a person reads them, times shown in `tz`
    /// ("Tue 3 Dec 10:00–11:00", "weekly on Tue until 8 Dec"); a time span that cannot be
    /// read is shown as stored, a rule beyond the common shapes as Google wrote it.
    pub fn readable(&self, tz: chrono_tz::Tz) -> (String, String) {
        let show = |value: &str| match self.field {
            Field::Time => Span::decode(value)
                .map(|span| format_span(&span, tz))
                .unwrap_or_else(|| value.to_string()),
            Field::Repeats => Series::decode(value).words(tz),
            _ => value.to_string(),
        };
        (show(&self.before), show(&self.after))
    }
}

/// One change to one event, as found by a sync and recorded in the change history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
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
}

impl Change {
    /// The title a person sees, with Google's placeholder for an untitled event.
    pub fn display_title(&self) -> &str {
        display_title(&self.title)
    }

    /// The toast's title: "Team sync moved", "Team sync added", "Team sync cancelled", ….
    pub fn headline(&self) -> String {
        let title = self.display_title();
        match self.kind {
            ChangeKind::Created => format!("{title} added"),
            ChangeKind::Cancelled => format!("{title} cancelled"),
            ChangeKind::Updated => match self.lead_diff() {
                Some(diff) => updated_headline(title, diff),
                None => format!("{title} changed"),
            },
        }
    }

    /// The toast's body, times shown in `tz`: "Tue 3 Dec 10:00 → 11:00 · Work".
    pub fn body(&self, tz: chrono_tz::Tz) -> String {
        let mut parts = Vec::new();
        let time_diff = self.diffs.iter().find(|d| d.field == Field::Time);
        let moved =
            time_diff.and_then(|d| Some((Span::decode(&d.before)?, Span::decode(&d.after)?)));
        let lead = self.lead_diff();
        let rule_change = lead
            .filter(|d| self.kind == ChangeKind::Updated && d.field == Field::Repeats)
            .and_then(|d| rule_change_phrase(d, tz));
        match (moved, time_diff, &self.start) {
            (Some((before, after)), _, _) => parts.push(format_move(&before, &after, tz)),
            // A series that still repeats: how it did and how it does now says more than
            // the date of its first occurrence.
            (None, None, _) if rule_change.is_some() => parts.extend(rule_change),
            // A time diff we cannot read (written by something else): show it as it came.
            (None, Some(diff), _) => parts.push(format!("{} → {}", diff.before, diff.after)),
            (None, None, Some(start)) => parts.push(format_span(
                &Span {
                    start: start.clone(),
                    end: self.end.clone(),
                },
                tz,
            )),
            (None, None, None) => {}
        }
        if self.kind == ChangeKind::Updated {
            let lead = lead.map(|d| d.field);
            for diff in &self.diffs {
                if Some(diff.field) != lead {
                    if let Some(phrase) = side_phrase(diff, tz) {
                        parts.push(phrase);
                    }
                }
            }
        }
        parts.push(self.calendar_name.clone());
        parts.join(" · ")
    }

    /// The diff the headline is about: the one a person cares most about.
    fn lead_diff(&self) -> Option<&FieldDiff> {
        const PRIORITY: [Field; 8] = [
            Field::Title,
            Field::Time,
            Field::Repeats,
            Field::Place,
            Field::Status,
            Field::Response,
            Field::Description,
            Field::AllDay,
        ];
        PRIORITY
            .iter()
            .find_map(|field| self.diffs.iter().find(|d| d.field == *field))
    }
}

fn display_title(title: &str) -> &str {
    let trimmed = title.trim();
    if trimmed.is_empty() {
        NO_TITLE
    } else {
        trimmed
    }
}

fn quoted(title: &str) -> String {
    let shown = display_title(title);
    if shown == NO_TITLE {
        shown.to_string()
    } else {
        format!("\u{201c}{shown}\u{201d}")
    }
}

fn updated_headline(title: &str, diff: &FieldDiff) -> String {
    match diff.field {
        Field::Title => format!(
            "{} renamed to {}",
            quoted(&diff.before),
            quoted(&diff.after)
        ),
        Field::Time => match (Span::decode(&diff.before), Span::decode(&diff.after)) {
            (Some(before), Some(after)) if before.start.same_time(&after.start) => {
                match (before.length(), after.length()) {
                    (Some(b), Some(a)) if a > b => format!("{title} extended"),
                    (Some(b), Some(a)) if a < b => format!("{title} shortened"),
                    _ => format!("{title} moved"),
                }
            }
            _ => format!("{title} moved"),
        },
        Field::Place => {
            if diff.after.trim().is_empty() {
                format!("{title} no longer has a place")
            } else {
                format!("{title} moved to {}", diff.after.trim())
            }
        }
        Field::Status => match diff.after.as_str() {
            "tentative" => format!("{title} is now tentative"),
            "confirmed" => format!("{title} confirmed"),
            other => format!("{title} is now {other}"),
        },
        Field::Response => match diff.after.as_str() {
            "accepted" => format!("You accepted {title}"),
            "declined" => format!("You declined {title}"),
            "tentative" => format!("You said maybe to {title}"),
            _ => format!("{title} needs your reply"),
        },
        Field::Description => format!("{title} details updated"),
        Field::AllDay => {
            if diff.after == "true" {
                format!("{title} is now all day")
            } else {
                format!("{title} now has a set time")
            }
        }
        Field::Repeats => repeats_headline(title, diff),
    }
}

/// "Standup now ends on Tue 8 Dec", "Standup no longer repeats", "Standup now repeats",
/// "Standup repeats differently".
///
/// The headline has no reader's zone (a summary keeps headlines as text), so the last
/// occurrence's day is the one in the series' own zone: the zone Google expands the rule in.
fn repeats_headline(title: &str, diff: &FieldDiff) -> String {
    let (before, after) = (Series::decode(&diff.before), Series::decode(&diff.after));
    if !after.repeats() {
        return format!("{title} no longer repeats");
    }
    if !before.repeats() {
        return format!("{title} now repeats");
    }
    if before.same_but_for_the_end(&after) {
        if !after.has_end() {
            return format!("{title} now repeats with no end");
        }
        if let Some(last) = after.last_occurrence() {
            return format!("{title} now ends on {}", day(last.local_date()));
        }
    }
    format!("{title} repeats differently")
}

/// The body's lead for a series' new rule: "weekly on Tue → daily", or the new rule alone
/// for an event that starts to repeat; `None` when it no longer repeats (the event's own
/// time then says what is left).
fn rule_change_phrase(diff: &FieldDiff, tz: chrono_tz::Tz) -> Option<String> {
    let (before, after) = (Series::decode(&diff.before), Series::decode(&diff.after));
    if !after.repeats() {
        return None;
    }
    if !before.repeats() {
        return Some(after.words(tz));
    }
    Some(format!("{} → {}", before.words(tz), after.words(tz)))
}

/// A short phrase for a diff that is not the headline's subject (time is shown separately).
fn side_phrase(diff: &FieldDiff, tz: chrono_tz::Tz) -> Option<String> {
    match diff.field {
        Field::Time | Field::AllDay => None,
        Field::Title => Some(format!("now {}", quoted(&diff.after))),
        Field::Place => Some(if diff.after.trim().is_empty() {
            "no place".to_string()
        } else {
            format!("now at {}", diff.after.trim())
        }),
        Field::Status => Some(format!("now {}", diff.after)),
        Field::Response => Some(
            match diff.after.as_str() {
                "accepted" => "you accepted",
                "declined" => "you declined",
                "tentative" => "you said maybe",
                _ => "needs your reply",
            }
            .to_string(),
        ),
        Field::Description => Some("details updated".to_string()),
        Field::Repeats => {
            let after = Series::decode(&diff.after);
            Some(if after.repeats() {
                format!("now {}", after.words(tz))
            } else {
                "no longer repeats".to_string()
            })
        }
    }
}

/// An event's start and (optional) end, for wording.
struct Span {
    start: EventTime,
    end: Option<EventTime>,
}

impl Span {
    fn encode(start: &EventTime, end: Option<&EventTime>) -> String {
        match end {
            Some(end) => format!("{}/{}", start.encode(), end.encode()),
            None => start.encode(),
        }
    }

    fn decode(text: &str) -> Option<Span> {
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
    fn length(&self) -> Option<Duration> {
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

fn day(date: NaiveDate) -> String {
    date.format("%a %-d %b").to_string()
}

fn local(date_time: &DateTime<FixedOffset>, tz: chrono_tz::Tz) -> (NaiveDate, String) {
    let local = tz.from_utc_datetime(&date_time.naive_utc());
    (local.date_naive(), local.format("%H:%M").to_string())
}

/// "Tue 3 Dec 10:00–11:00", "Tue 3 Dec 22:00 – Wed 4 Dec 01:00", "Tue 3 Dec",
/// "Tue 3 Dec – Thu 5 Dec" (all-day end dates are exclusive, so the last day shown is end − 1).
fn format_span(span: &Span, tz: chrono_tz::Tz) -> String {
    match (&span.start, &span.end) {
        (EventTime::Date { date: start }, Some(EventTime::Date { date: end }))
            if *end > *start + Duration::days(1) =>
        {
            format!("{} – {}", day(*start), day(*end - Duration::days(1)))
        }
        (EventTime::Date { date: start }, _) => day(*start),
        (
            EventTime::DateTime {
                date_time: start, ..
            },
            Some(EventTime::DateTime { date_time: end, .. }),
        ) => {
            let (start_day, start_time) = local(start, tz);
            let (end_day, end_time) = local(end, tz);
            if start_day == end_day {
                format!("{} {start_time}–{end_time}", day(start_day))
            } else {
                format!(
                    "{} {start_time} – {} {end_time}",
                    day(start_day),
                    day(end_day)
                )
            }
        }
        (
            EventTime::DateTime {
                date_time: start, ..
            },
            _,
        ) => {
            let (start_day, start_time) = local(start, tz);
            format!("{} {start_time}", day(start_day))
        }
    }
}

/// "Tue 3 Dec 10:00 → 11:00" for a move that keeps the length, full spans otherwise.
fn format_move(before: &Span, after: &Span, tz: chrono_tz::Tz) -> String {
    match (&before.start, &after.start) {
        (EventTime::DateTime { date_time: b, .. }, EventTime::DateTime { date_time: a, .. }) => {
            let (b_day, b_time) = local(b, tz);
            let (a_day, a_time) = local(a, tz);
            let same_length = before.length() == after.length();
            if same_length {
                if a_day == b_day {
                    format!("{} {b_time} → {a_time}", day(b_day))
                } else {
                    format!("{} {b_time} → {} {a_time}", day(b_day), day(a_day))
                }
            } else {
                let full = format_span(after, tz);
                // Same single day on both sides: the date is said once, on the left.
                let right = match full.strip_prefix(&format!("{} ", day(b_day))) {
                    Some(rest) if a_day == b_day && !rest.contains(" – ") => rest.to_string(),
                    _ => full.clone(),
                };
                format!("{} → {right}", format_span(before, tz))
            }
        }
        (EventTime::Date { .. }, EventTime::Date { .. }) => {
            format!("{} → {}", format_span(before, tz), format_span(after, tz))
        }
        // Between timed and all-day: say which side is the all-day one.
        (EventTime::Date { .. }, _) => {
            format!(
                "{}, all day → {}",
                format_span(before, tz),
                format_span(after, tz)
            )
        }
        (_, EventTime::Date { .. }) => {
            format!(
                "{} → {}, all day",
                format_span(before, tz),
                format_span(after, tz)
            )
        }
    }
}

/// What to show a person: one change, or several folded into one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Notice {
    /// One change, worded by [`Change::headline`] and [`Change::body`].
    Single(Change),
    /// Many changes in one calendar at once ("7 changes in Work").
    Summary {
        /// The calendar they happened in.
        calendar_id: String,
        /// Its name, for the sentence.
        calendar_name: String,
        /// How many changes.
        count: usize,
        /// True when they happened while CalWatch was not running ("while you were away").
        away: bool,
        /// Headlines of the first few changes, so the toast says more than a number.
        first: Vec<String>,
    },
}

/// How many headlines a summary carries.
const SUMMARY_EXAMPLES: usize = 3;

impl Notice {
    /// The toast's title.
    pub fn headline(&self) -> String {
        match self {
            Notice::Single(change) => change.headline(),
            Notice::Summary {
                calendar_name,
                count,
                away,
                ..
            } => {
                let noun = if *count == 1 { "change" } else { "changes" };
                if *away {
                    format!("{count} {noun} in {calendar_name} while you were away")
                } else {
                    format!("{count} {noun} in {calendar_name}")
                }
            }
        }
    }

    /// The toast's body, times in `tz`.
    pub fn body(&self, tz: chrono_tz::Tz) -> String {
        match self {
            Notice::Single(change) => change.body(tz),
            Notice::Summary { count, first, .. } => {
                let mut text = first.join(" · ");
                let rest = count.saturating_sub(first.len());
                if rest > 0 {
                    text.push_str(&format!(" · and {rest} more"));
                }
                text
            }
        }
    }
}

/// Groups the changes of one sync into what a person is shown.
///
/// Per calendar (in order of first appearance): more than `threshold` changes become one
/// summary; with `away` (changes found by the catch-up at start) every calendar's changes
/// become one "while you were away" summary; otherwise each change is its own notice.
pub fn notices(changes: &[Change], threshold: usize, away: bool) -> Vec<Notice> {
    let mut groups: Vec<(&str, Vec<&Change>)> = Vec::new();
    for change in changes {
        match groups.iter_mut().find(|(id, _)| *id == change.calendar_id) {
            Some((_, group)) => group.push(change),
            None => groups.push((&change.calendar_id, vec![change])),
        }
    }
    let mut out = Vec::new();
    for (calendar_id, group) in groups {
        if away || group.len() > threshold {
            out.push(Notice::Summary {
                calendar_id: calendar_id.to_string(),
                calendar_name: group[0].calendar_name.clone(),
                count: group.len(),
                away,
                first: group
                    .iter()
                    .take(SUMMARY_EXAMPLES)
                    .map(|c| c.headline())
                    .collect(),
            });
        } else {
            out.extend(group.into_iter().cloned().map(Notice::Single));
        }
    }
    out
}

/// Where notices go: the shell's desktop toasts, or a test's list.
#[async_trait::async_trait]
pub trait Notifier: Send + Sync {
    /// Shows these notices; must not block for long (the sync worker awaits it).
    async fn notify(&self, notices: &[Notice]);
}

/// A notifier that keeps what it was given: for tests and the headless receiver.
#[derive(Clone, Default)]
pub struct CollectingNotifier {
    /// Every notice received, in order.
    seen: Arc<Mutex<Vec<Notice>>>,
}

impl CollectingNotifier {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything notified so far.
    pub fn notices(&self) -> Vec<Notice> {
        self.seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

#[async_trait::async_trait]
impl Notifier for CollectingNotifier {
    async fn notify(&self, notices: &[Notice]) {
        self.seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .extend_from_slice(notices);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_time_diff_reads_as_times_not_as_stored_text() {
        let at = |h: u32| {
            EventTime::at(
                chrono::FixedOffset::east_opt(0)
                    .unwrap()
                    .with_ymd_and_hms(2026, 12, 3, h, 0, 0)
                    .unwrap(),
            )
        };
        let diff = FieldDiff::time(&at(10), Some(&at(11)), &at(14), Some(&at(15)));
        let (before, after) = diff.readable(chrono_tz::UTC);
        assert_eq!(
            before, "Thu 3 Dec 10:00–11:00",
            "the window shows the old span in words"
        );
        assert_eq!(after, "Thu 3 Dec 14:00–15:00");
        let title = FieldDiff::new(Field::Title, "Standup", "Team sync");
        assert_eq!(
            title.readable(chrono_tz::UTC),
            ("Standup".to_string(), "Team sync".to_string()),
            "text fields pass through unchanged"
        );
    }

    use super::*;
    use chrono_tz::Tz;

    const LONDON: Tz = chrono_tz::Europe::London;

    fn at(text: &str) -> EventTime {
        EventTime::at(DateTime::parse_from_rfc3339(text).expect("test times are RFC 3339"))
    }

    fn on(text: &str) -> EventTime {
        EventTime::date(NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates parse"))
    }

    fn change(kind: ChangeKind, title: &str, start: EventTime, end: EventTime) -> Change {
        Change {
            calendar_id: "work@example.com".into(),
            calendar_name: "Work".into(),
            event_id: "ev1".into(),
            kind,
            title: title.into(),
            start: Some(start),
            end: Some(end),
            diffs: vec![],
            html_link: None,
        }
    }

    fn team_sync(kind: ChangeKind) -> Change {
        change(
            kind,
            "Team sync",
            at("2024-12-03T10:00:00Z"),
            at("2024-12-03T11:00:00Z"),
        )
    }

    fn moved(before: (&str, &str), after: (&str, &str)) -> Change {
        let mut c = change(ChangeKind::Updated, "Team sync", at(after.0), at(after.1));
        c.diffs = vec![FieldDiff::time(
            &at(before.0),
            Some(&at(before.1)),
            &at(after.0),
            Some(&at(after.1)),
        )];
        c
    }

    #[test]
    fn moved_event_says_old_and_new_start() {
        let c = moved(
            ("2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z"),
            ("2024-12-03T11:00:00Z", "2024-12-03T12:00:00Z"),
        );
        assert_eq!(c.headline(), "Team sync moved");
        assert_eq!(c.body(LONDON), "Tue 3 Dec 10:00 → 11:00 · Work");
    }

    #[test]
    fn move_to_another_day_names_both_days() {
        let c = moved(
            ("2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z"),
            ("2024-12-04T11:00:00Z", "2024-12-04T12:00:00Z"),
        );
        assert_eq!(c.body(LONDON), "Tue 3 Dec 10:00 → Wed 4 Dec 11:00 · Work");
    }

    #[test]
    fn longer_event_reads_extended_with_both_spans() {
        let c = moved(
            ("2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z"),
            ("2024-12-03T10:00:00Z", "2024-12-03T11:30:00Z"),
        );
        assert_eq!(c.headline(), "Team sync extended");
        assert_eq!(c.body(LONDON), "Tue 3 Dec 10:00–11:00 → 10:00–11:30 · Work");
        let shorter = moved(
            ("2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z"),
            ("2024-12-03T10:00:00Z", "2024-12-03T10:30:00Z"),
        );
        assert_eq!(shorter.headline(), "Team sync shortened");
    }

    #[test]
    fn created_event_shows_its_time_range() {
        let c = team_sync(ChangeKind::Created);
        assert_eq!(c.headline(), "Team sync added");
        assert_eq!(c.body(LONDON), "Tue 3 Dec 10:00–11:00 · Work");
    }

    #[test]
    fn cancelled_event_shows_when_it_was() {
        let c = team_sync(ChangeKind::Cancelled);
        assert_eq!(c.headline(), "Team sync cancelled");
        assert_eq!(c.body(LONDON), "Tue 3 Dec 10:00–11:00 · Work");
    }

    #[test]
    fn times_are_shown_in_the_readers_zone() {
        let c = team_sync(ChangeKind::Created);
        assert_eq!(
            c.body(chrono_tz::Europe::Berlin),
            "Tue 3 Dec 11:00–12:00 · Work",
            "10:00 UTC is 11:00 in Berlin in winter"
        );
        assert_eq!(
            c.body(chrono_tz::America::New_York),
            "Tue 3 Dec 05:00–06:00 · Work"
        );
        let late = change(
            ChangeKind::Created,
            "Night shift",
            at("2024-12-03T22:00:00Z"),
            at("2024-12-04T01:00:00Z"),
        );
        assert_eq!(
            late.body(LONDON),
            "Tue 3 Dec 22:00 – Wed 4 Dec 01:00 · Work"
        );
    }

    #[test]
    fn renamed_event_quotes_old_and_new_title() {
        let mut c = team_sync(ChangeKind::Updated);
        c.diffs = vec![FieldDiff::new(Field::Title, "Standup", "Team sync")];
        assert_eq!(c.headline(), "“Standup” renamed to “Team sync”");
        assert_eq!(c.body(LONDON), "Tue 3 Dec 10:00–11:00 · Work");
    }

    #[test]
    fn new_place_is_in_the_headline() {
        let mut c = team_sync(ChangeKind::Updated);
        c.diffs = vec![FieldDiff::new(Field::Place, "Room 3", "Room 4")];
        assert_eq!(c.headline(), "Team sync moved to Room 4");
        assert_eq!(c.body(LONDON), "Tue 3 Dec 10:00–11:00 · Work");
        c.diffs = vec![FieldDiff::new(Field::Place, "Room 3", "")];
        assert_eq!(c.headline(), "Team sync no longer has a place");
    }

    #[test]
    fn time_and_place_change_together_mentions_both() {
        let mut c = moved(
            ("2024-12-03T10:00:00Z", "2024-12-03T11:00:00Z"),
            ("2024-12-03T11:00:00Z", "2024-12-03T12:00:00Z"),
        );
        c.diffs
            .push(FieldDiff::new(Field::Place, "Room 3", "Room 4"));
        assert_eq!(c.headline(), "Team sync moved");
        assert_eq!(
            c.body(LONDON),
            "Tue 3 Dec 10:00 → 11:00 · now at Room 4 · Work"
        );
    }

    #[test]
    fn own_response_and_status_read_as_sentences() {
        let mut c = team_sync(ChangeKind::Updated);
        c.diffs = vec![FieldDiff::new(Field::Response, "needsAction", "accepted")];
        assert_eq!(c.headline(), "You accepted Team sync");
        c.diffs = vec![FieldDiff::new(Field::Response, "accepted", "declined")];
        assert_eq!(c.headline(), "You declined Team sync");
        c.diffs = vec![FieldDiff::new(Field::Status, "confirmed", "tentative")];
        assert_eq!(c.headline(), "Team sync is now tentative");
        c.diffs = vec![FieldDiff::new(Field::Description, "old", "new")];
        assert_eq!(c.headline(), "Team sync details updated");
    }

    #[test]
    fn all_day_events_show_dates_without_times() {
        let single = change(
            ChangeKind::Created,
            "Offsite",
            on("2024-12-03"),
            on("2024-12-04"),
        );
        assert_eq!(single.body(LONDON), "Tue 3 Dec · Work");
        let multi = change(
            ChangeKind::Created,
            "Offsite",
            on("2024-12-03"),
            on("2024-12-06"),
        );
        assert_eq!(
            multi.body(LONDON),
            "Tue 3 Dec – Thu 5 Dec · Work",
            "Google's all-day end date is exclusive; the last day shown is the day before"
        );
        let mut moved = change(
            ChangeKind::Updated,
            "Offsite",
            on("2024-12-04"),
            on("2024-12-05"),
        );
        moved.diffs = vec![FieldDiff::time(
            &on("2024-12-03"),
            Some(&on("2024-12-04")),
            &on("2024-12-04"),
            Some(&on("2024-12-05")),
        )];
        assert_eq!(moved.headline(), "Offsite moved");
        assert_eq!(moved.body(LONDON), "Tue 3 Dec → Wed 4 Dec · Work");
    }

    #[test]
    fn timed_to_all_day_says_which_side_is_all_day() {
        let mut c = change(
            ChangeKind::Updated,
            "Team sync",
            on("2024-12-03"),
            on("2024-12-04"),
        );
        c.diffs = vec![
            FieldDiff::time(
                &at("2024-12-03T10:00:00Z"),
                Some(&at("2024-12-03T11:00:00Z")),
                &on("2024-12-03"),
                Some(&on("2024-12-04")),
            ),
            FieldDiff::new(Field::AllDay, "false", "true"),
        ];
        assert_eq!(c.headline(), "Team sync moved");
        assert_eq!(
            c.body(LONDON),
            "Tue 3 Dec 10:00–11:00 → Tue 3 Dec, all day · Work"
        );
    }

    /// A weekly standup from Tue 1 Dec 2026 09:00 New York time whose rule went from
    /// `before` to `after` (`None`: no rule).
    fn rule_changed(before: Option<&str>, after: Option<&str>) -> Change {
        let start = EventTime::DateTime {
            date_time: DateTime::parse_from_rfc3339("2026-12-01T09:00:00-05:00").unwrap(),
            time_zone: Some("America/New_York".into()),
        };
        let end = at("2026-12-01T14:15:00Z");
        let rules = |rule: Option<&str>| rule.map(|r| vec![r.to_string()]).unwrap_or_default();
        let mut c = change(ChangeKind::Updated, "Standup", start.clone(), end);
        c.diffs = vec![FieldDiff::repeats(
            &start,
            &rules(before),
            &start,
            &rules(after),
        )];
        c
    }

    const NEW_YORK: Tz = chrono_tz::America::New_York;

    #[test]
    fn a_series_cut_short_says_its_last_day() {
        let c = rule_changed(
            Some("RRULE:FREQ=WEEKLY;WKST=SU;BYDAY=TU"),
            Some("RRULE:FREQ=WEEKLY;WKST=SU;UNTIL=20261215T045959Z;BYDAY=TU"),
        );
        assert_eq!(c.headline(), "Standup now ends on Tue 8 Dec");
        assert_eq!(
            c.body(NEW_YORK),
            "weekly on Tue → weekly on Tue until 8 Dec · Work"
        );
        let counted = rule_changed(
            Some("RRULE:FREQ=DAILY;COUNT=10"),
            Some("RRULE:FREQ=DAILY;COUNT=3"),
        );
        assert_eq!(counted.headline(), "Standup now ends on Thu 3 Dec");
        let endless = rule_changed(Some("RRULE:FREQ=DAILY;COUNT=3"), Some("RRULE:FREQ=DAILY"));
        assert_eq!(endless.headline(), "Standup now repeats with no end");
    }

    #[test]
    fn a_rule_removed_added_or_reshaped_reads_as_such() {
        let removed = rule_changed(Some("RRULE:FREQ=DAILY"), None);
        assert_eq!(removed.headline(), "Standup no longer repeats");
        assert_eq!(
            removed.body(NEW_YORK),
            "Tue 1 Dec 09:00–09:15 · Work",
            "what is left is one event"
        );
        let added = rule_changed(None, Some("RRULE:FREQ=WEEKLY;BYDAY=TU"));
        assert_eq!(added.headline(), "Standup now repeats");
        assert_eq!(added.body(NEW_YORK), "weekly on Tue · Work");
        let reshaped = rule_changed(
            Some("RRULE:FREQ=WEEKLY;BYDAY=TU"),
            Some("RRULE:FREQ=MONTHLY;BYDAY=1TU"),
        );
        assert_eq!(reshaped.headline(), "Standup repeats differently");
        assert_eq!(
            reshaped.body(NEW_YORK),
            "weekly on Tue → monthly on the 1st Tue · Work"
        );
        let odd = rule_changed(
            Some("RRULE:FREQ=WEEKLY;BYDAY=TU"),
            Some("RRULE:FREQ=MONTHLY;BYSETPOS=2;BYDAY=TU,WE"),
        );
        assert_eq!(odd.headline(), "Standup repeats differently");
        assert_eq!(
            odd.diffs[0].readable(NEW_YORK),
            (
                "weekly on Tue".to_string(),
                "RRULE:FREQ=MONTHLY;BYSETPOS=2;BYDAY=TU,WE".to_string()
            ),
            "a rule beyond words is shown as Google wrote it"
        );
    }

    #[test]
    fn a_rule_change_beside_a_rename_is_a_side_phrase() {
        let mut c = rule_changed(
            Some("RRULE:FREQ=WEEKLY;BYDAY=TU"),
            Some("RRULE:FREQ=DAILY;COUNT=5"),
        );
        c.diffs
            .insert(0, FieldDiff::new(Field::Title, "Standup", "Daily sync"));
        c.title = "Daily sync".into();
        assert_eq!(c.headline(), "“Standup” renamed to “Daily sync”");
        assert_eq!(
            c.body(NEW_YORK),
            "Tue 1 Dec 09:00–09:15 · now daily, 5 times · Work"
        );
        c.diffs[1] = FieldDiff::repeats(
            c.start.as_ref().unwrap(),
            &["RRULE:FREQ=DAILY".to_string()],
            c.start.as_ref().unwrap(),
            &[],
        );
        assert_eq!(
            c.body(NEW_YORK),
            "Tue 1 Dec 09:00–09:15 · no longer repeats · Work"
        );
    }

    #[test]
    fn repeats_is_named_repeats_on_the_wire() {
        assert_eq!(
            serde_json::to_value(Field::Repeats).unwrap(),
            serde_json::json!("repeats"),
            "the window (ui/src/lib/types.ts) knows the field by this name"
        );
    }

    #[test]
    fn untitled_event_uses_googles_placeholder() {
        let c = change(
            ChangeKind::Created,
            "  ",
            at("2024-12-03T10:00:00Z"),
            at("2024-12-03T11:00:00Z"),
        );
        assert_eq!(c.headline(), "(No title) added");
        let mut renamed = c.clone();
        renamed.kind = ChangeKind::Updated;
        renamed.diffs = vec![FieldDiff::new(Field::Title, "", "Lunch")];
        assert_eq!(renamed.headline(), "(No title) renamed to “Lunch”");
    }

    fn created_in(calendar: &str, title: &str) -> Change {
        let mut c = team_sync(ChangeKind::Created);
        c.calendar_id = format!("{calendar}@example.com");
        c.calendar_name = calendar.into();
        c.title = title.into();
        c
    }

    #[test]
    fn more_than_threshold_in_one_calendar_becomes_one_summary() {
        let changes: Vec<Change> = ["A", "B", "C", "D"]
            .iter()
            .map(|t| created_in("Work", t))
            .chain([created_in("Home", "Dentist")])
            .collect();
        let shown = notices(&changes, 3, false);
        assert_eq!(
            shown.len(),
            2,
            "Work is summarised, Home's single change stays itself"
        );
        assert_eq!(shown[0].headline(), "4 changes in Work");
        assert_eq!(
            shown[0].body(LONDON),
            "A added · B added · C added · and 1 more"
        );
        assert_eq!(shown[1], Notice::Single(created_in("Home", "Dentist")));
    }

    #[test]
    fn at_threshold_every_change_is_its_own_notice() {
        let changes: Vec<Change> = ["A", "B", "C"]
            .iter()
            .map(|t| created_in("Work", t))
            .collect();
        let shown = notices(&changes, 3, false);
        assert_eq!(
            shown.len(),
            3,
            "three changes with threshold 3 are shown one by one"
        );
        assert!(shown.iter().all(|n| matches!(n, Notice::Single(_))));
    }

    #[test]
    fn away_changes_become_one_summary_per_calendar() {
        let changes = vec![
            created_in("Work", "A"),
            created_in("Home", "B"),
            created_in("Work", "C"),
        ];
        let shown = notices(&changes, 3, true);
        let headlines: Vec<String> = shown.iter().map(Notice::headline).collect();
        assert_eq!(
            headlines,
            vec![
                "2 changes in Work while you were away",
                "1 change in Home while you were away"
            ]
        );
    }

    #[test]
    fn change_and_notice_round_trip_through_json() {
        let c = moved(
            ("2024-12-03T10:00:00+01:00", "2024-12-03T11:00:00+01:00"),
            ("2024-12-03T11:00:00+01:00", "2024-12-03T12:00:00+01:00"),
        );
        let json = serde_json::to_string(&Notice::Single(c.clone())).expect("serialises");
        let back: Notice = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, Notice::Single(c));
        let time = serde_json::to_value(on("2024-12-03")).expect("serialises");
        assert_eq!(
            time,
            serde_json::json!({"kind": "date", "date": "2024-12-03"})
        );
    }

    #[test]
    fn same_time_ignores_offset_and_zone_name() {
        let utc = at("2024-12-03T10:00:00Z");
        let berlin = EventTime::DateTime {
            date_time: DateTime::parse_from_rfc3339("2024-12-03T11:00:00+01:00").unwrap(),
            time_zone: Some("Europe/Berlin".into()),
        };
        assert!(utc.same_time(&berlin), "the same instant is the same time");
        assert!(!utc.same_time(&on("2024-12-03")));
        assert_eq!(EventTime::decode(&utc.encode()), Some(utc));
    }
}

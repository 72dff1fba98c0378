//! Wording: a change's headline and body as a person reads them ("Team sync moved",
//! "Tue 3 Dec 10:00 → 11:00 · Work"), times in the reader's zone.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone};

use super::change::Span;
use super::{Change, ChangeKind, Field, FieldDiff};
use crate::event_time::EventTime;
use crate::recurrence::Series;

/// Shown instead of an empty event title, as Google Calendar itself does.
pub const NO_TITLE: &str = "(No title)";

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
        const PRIORITY: [Field; 9] = [
            Field::Title,
            Field::Time,
            Field::Repeats,
            Field::Place,
            Field::Status,
            Field::Response,
            Field::Replies,
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
        // One reply reads as a sentence ("Ana accepted Team sync"); several as a list.
        Field::Replies if diff.after.contains(", ") => format!("{title}: {}", diff.after),
        Field::Replies => format!("{} {title}", diff.after),
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
        Field::Replies => Some(diff.after.clone()),
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

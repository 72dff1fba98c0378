//! Wording: a change's headline and body as a person reads them ("Team sync moved",
//! "Tue 3 Dec, 10:00 → 11:00 · Work"), in the reader's language, dates as their locale
//! writes them, times in the reader's zone.
//!
//! Every sentence comes from the `toasts` catalogue (`locales/<language>/toasts.ftl`); the
//! event's title, place and calendar name are passed in as Google wrote them.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone};

use super::change::Span;
use super::{Change, ChangeKind, Field, FieldDiff};
use crate::event_time::EventTime;
use crate::locale::{self, Locale};
use crate::recurrence::Series;

impl FieldDiff {
    /// The before and after values as a person reads them in the locale in effect.
    pub fn readable(&self, tz: chrono_tz::Tz) -> (String, String) {
        self.readable_in(tz, &locale::current())
    }

    /// The before and after values as a person reads them, times shown in `tz`
    /// ("Tue 3 Dec, 10:00–11:00", "weekly on Tue until 8 Dec"); a time span that cannot be
    /// read is shown as stored, a rule beyond words as Google wrote it.
    pub fn readable_in(&self, tz: chrono_tz::Tz, locale: &Locale) -> (String, String) {
        let show = |value: &str| match self.field {
            Field::Time => Span::decode(value)
                .map(|span| format_span(&span, tz, locale))
                .unwrap_or_else(|| value.to_string()),
            Field::Repeats => Series::decode(value).words_in(tz, locale),
            _ => value.to_string(),
        };
        (show(&self.before), show(&self.after))
    }
}

impl Change {
    /// The title a person sees, with the catalogue's placeholder for an untitled event.
    pub fn display_title(&self, locale: &Locale) -> String {
        display_title(&self.title, locale)
    }

    /// The toast's title in the locale in effect.
    pub fn headline(&self) -> String {
        self.headline_in(&locale::current())
    }

    /// The toast's title: "Team sync moved", "Team sync added", "Team sync cancelled", ….
    pub fn headline_in(&self, locale: &Locale) -> String {
        let title = self.display_title(locale);
        let say = |id: &str| locale.text(id, &[("title", title.as_str().into())]);
        match self.kind {
            ChangeKind::Created => say("event-added"),
            ChangeKind::Cancelled => say("event-cancelled"),
            ChangeKind::Updated => match self.lead_diff() {
                Some(diff) => updated_headline(&title, diff, locale),
                None => say("event-changed"),
            },
        }
    }

    /// The toast's body in the locale in effect.
    pub fn body(&self, tz: chrono_tz::Tz) -> String {
        self.body_in(tz, &locale::current())
    }

    /// The toast's body, times shown in `tz`: "Tue 3 Dec, 10:00 → 11:00 · Work".
    pub fn body_in(&self, tz: chrono_tz::Tz, locale: &Locale) -> String {
        let mut parts = Vec::new();
        let time_diff = self.diffs.iter().find(|d| d.field == Field::Time);
        let moved =
            time_diff.and_then(|d| Some((Span::decode(&d.before)?, Span::decode(&d.after)?)));
        let lead = self.lead_diff();
        let rule_change = lead
            .filter(|d| self.kind == ChangeKind::Updated && d.field == Field::Repeats)
            .and_then(|d| rule_change_phrase(d, tz, locale));
        match (moved, time_diff, &self.start) {
            (Some((before, after)), _, _) => parts.push(format_move(&before, &after, tz, locale)),
            // A series that still repeats: how it did and how it does now says more than
            // the date of its first occurrence.
            (None, None, _) if rule_change.is_some() => parts.extend(rule_change),
            // A time diff we cannot read (written by something else): show it as it came.
            (None, Some(diff), _) => parts.push(arrow(&diff.before, &diff.after, locale)),
            (None, None, Some(start)) => parts.push(format_span(
                &Span {
                    start: start.clone(),
                    end: self.end.clone(),
                },
                tz,
                locale,
            )),
            (None, None, None) => {}
        }
        if self.kind == ChangeKind::Updated {
            let lead = lead.map(|d| d.field);
            for diff in &self.diffs {
                if Some(diff.field) != lead {
                    if let Some(phrase) = side_phrase(diff, tz, locale) {
                        parts.push(phrase);
                    }
                }
            }
        }
        parts.push(self.calendar_name.clone());
        join_parts(parts, locale)
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

/// The parts of a body joined by the catalogue's separator ("A · B · Work").
pub(crate) fn join_parts(parts: Vec<String>, locale: &Locale) -> String {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return String::new();
    };
    parts.fold(first, |text, rest| {
        locale.text(
            "body-parts",
            &[("first", text.into()), ("rest", rest.into())],
        )
    })
}

fn arrow(before: &str, after: &str, locale: &Locale) -> String {
    locale.text(
        "change-arrow",
        &[("before", before.into()), ("after", after.into())],
    )
}

fn display_title(title: &str, locale: &Locale) -> String {
    let trimmed = title.trim();
    if trimmed.is_empty() {
        locale.text("no-title", &[])
    } else {
        trimmed.to_string()
    }
}

fn quoted(title: &str, locale: &Locale) -> String {
    if title.trim().is_empty() {
        display_title(title, locale)
    } else {
        locale.text("quoted", &[("title", title.trim().into())])
    }
}

fn updated_headline(title: &str, diff: &FieldDiff, locale: &Locale) -> String {
    let say = |id: &str| locale.text(id, &[("title", title.into())]);
    match diff.field {
        Field::Title => locale.text(
            "event-renamed",
            &[
                ("before", quoted(&diff.before, locale).into()),
                ("after", quoted(&diff.after, locale).into()),
            ],
        ),
        Field::Time => match (Span::decode(&diff.before), Span::decode(&diff.after)) {
            (Some(before), Some(after)) if before.start.same_time(&after.start) => {
                match (before.length(), after.length()) {
                    (Some(b), Some(a)) if a > b => say("event-extended"),
                    (Some(b), Some(a)) if a < b => say("event-shortened"),
                    _ => say("event-moved"),
                }
            }
            _ => say("event-moved"),
        },
        Field::Place => {
            if diff.after.trim().is_empty() {
                say("event-place-removed")
            } else {
                locale.text(
                    "event-place-moved",
                    &[("title", title.into()), ("place", diff.after.trim().into())],
                )
            }
        }
        Field::Status => match diff.after.as_str() {
            "tentative" => say("event-tentative"),
            "confirmed" => say("event-confirmed"),
            other => locale.text(
                "event-status",
                &[("title", title.into()), ("status", other.into())],
            ),
        },
        Field::Response => match diff.after.as_str() {
            "accepted" => say("event-accepted"),
            "declined" => say("event-declined"),
            "tentative" => say("event-maybe"),
            _ => say("event-needs-reply"),
        },
        Field::Description => say("event-details"),
        Field::AllDay => {
            if diff.after == "true" {
                say("event-all-day")
            } else {
                say("event-timed")
            }
        }
        Field::Repeats => repeats_headline(title, diff, locale),
        // One reply reads as a sentence ("Ana accepted Team sync"); several as a list.
        Field::Replies => locale.text(
            if diff.after.contains(", ") {
                "event-replies"
            } else {
                "event-reply"
            },
            &[
                ("title", title.into()),
                ("replies", diff.after.as_str().into()),
            ],
        ),
    }
}

/// "Standup now ends on Tue 8 Dec", "Standup no longer repeats", "Standup now repeats",
/// "Standup repeats differently".
///
/// The headline has no reader's zone (a summary keeps headlines as text), so the last
/// occurrence's day is the one in the series' own zone: the zone Google expands the rule in.
fn repeats_headline(title: &str, diff: &FieldDiff, locale: &Locale) -> String {
    let say = |id: &str| locale.text(id, &[("title", title.into())]);
    let (before, after) = (Series::decode(&diff.before), Series::decode(&diff.after));
    if !after.repeats() {
        return say("series-stopped");
    }
    if !before.repeats() {
        return say("series-started");
    }
    if before.same_but_for_the_end(&after) {
        if !after.has_end() {
            return say("series-endless");
        }
        if let Some(last) = after.last_occurrence() {
            return locale.text(
                "series-ends",
                &[
                    ("title", title.into()),
                    ("day", locale.day(last.local_date()).into()),
                ],
            );
        }
    }
    say("series-reshaped")
}

/// The body's lead for a series' new rule: "weekly on Tue → daily", or the new rule alone
/// for an event that starts to repeat; `None` when it no longer repeats (the event's own
/// time then says what is left).
fn rule_change_phrase(diff: &FieldDiff, tz: chrono_tz::Tz, locale: &Locale) -> Option<String> {
    let (before, after) = (Series::decode(&diff.before), Series::decode(&diff.after));
    if !after.repeats() {
        return None;
    }
    if !before.repeats() {
        return Some(after.words_in(tz, locale));
    }
    Some(arrow(
        &before.words_in(tz, locale),
        &after.words_in(tz, locale),
        locale,
    ))
}

/// A short phrase for a diff that is not the headline's subject (time is shown separately).
fn side_phrase(diff: &FieldDiff, tz: chrono_tz::Tz, locale: &Locale) -> Option<String> {
    let say = |id: &str| locale.text(id, &[]);
    match diff.field {
        Field::Time | Field::AllDay => None,
        Field::Title => Some(locale.text(
            "side-title",
            &[("title", quoted(&diff.after, locale).into())],
        )),
        Field::Place => Some(if diff.after.trim().is_empty() {
            say("side-no-place")
        } else {
            locale.text("side-place", &[("place", diff.after.trim().into())])
        }),
        Field::Status => {
            Some(locale.text("side-status", &[("status", diff.after.as_str().into())]))
        }
        Field::Response => Some(say(match diff.after.as_str() {
            "accepted" => "side-accepted",
            "declined" => "side-declined",
            "tentative" => "side-maybe",
            _ => "side-needs-reply",
        })),
        Field::Description => Some(say("side-details")),
        Field::Replies => Some(diff.after.clone()),
        Field::Repeats => {
            let after = Series::decode(&diff.after);
            Some(if after.repeats() {
                locale.text(
                    "side-repeats",
                    &[("rule", after.words_in(tz, locale).into())],
                )
            } else {
                say("side-no-repeat")
            })
        }
    }
}

fn local(date_time: &DateTime<FixedOffset>, tz: chrono_tz::Tz) -> (NaiveDate, NaiveTime) {
    let local = tz.from_utc_datetime(&date_time.naive_utc());
    (local.date_naive(), local.time())
}

/// The local day an event's last moment falls on. An end is exclusive, so 23:00–00:00 is one
/// evening (as Google Calendar writes it), not a span across two days.
fn last_day(
    start: &DateTime<FixedOffset>,
    end: &DateTime<FixedOffset>,
    tz: chrono_tz::Tz,
) -> NaiveDate {
    let last = (*end - Duration::nanoseconds(1)).max(*start);
    local(&last, tz).0
}

fn span_text(id: &str, start: String, end: String, locale: &Locale) -> String {
    locale.text(id, &[("start", start.into()), ("end", end.into())])
}

/// "Tue 3 Dec, 10:00–11:00", "Tue 3 Dec, 22:00 – Wed 4 Dec, 01:00", "Tue 3 Dec",
/// "Tue 3 Dec – Thu 5 Dec" (all-day end dates are exclusive, so the last day shown is end − 1).
fn format_span(span: &Span, tz: chrono_tz::Tz, locale: &Locale) -> String {
    match (&span.start, &span.end) {
        (EventTime::Date { date: start }, Some(EventTime::Date { date: end }))
            if *end > *start + Duration::days(1) =>
        {
            span_text(
                "span-days",
                locale.day(*start),
                locale.day(*end - Duration::days(1)),
                locale,
            )
        }
        (EventTime::Date { date: start }, _) => locale.day(*start),
        (
            EventTime::DateTime {
                date_time: start, ..
            },
            Some(EventTime::DateTime { date_time: end, .. }),
        ) => {
            let (start_day, start_time) = local(start, tz);
            let (end_day, end_time) = local(end, tz);
            if last_day(start, end, tz) == start_day {
                span_text(
                    "span-times",
                    locale.day_time(start_day, start_time),
                    locale.time(end_time),
                    locale,
                )
            } else {
                span_text(
                    "span-days",
                    locale.day_time(start_day, start_time),
                    locale.day_time(end_day, end_time),
                    locale,
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
            locale.day_time(start_day, start_time)
        }
    }
}

/// "Tue 3 Dec, 10:00 → 11:00" for a move that keeps the length, full spans otherwise.
fn format_move(before: &Span, after: &Span, tz: chrono_tz::Tz, locale: &Locale) -> String {
    match (&before.start, &after.start) {
        (EventTime::DateTime { date_time: b, .. }, EventTime::DateTime { date_time: a, .. }) => {
            let (b_day, b_time) = local(b, tz);
            let (a_day, a_time) = local(a, tz);
            let same_length = before.length() == after.length();
            let left = if same_length {
                locale.day_time(b_day, b_time)
            } else {
                format_span(before, tz, locale)
            };
            let same_single_day = a_day == b_day
                && match &after.end {
                    Some(EventTime::DateTime { date_time: end, .. }) => {
                        last_day(a, end, tz) == a_day
                    }
                    _ => true,
                };
            // Same single day on both sides: the date is said once, on the left.
            let right = if same_length {
                if a_day == b_day {
                    locale.time(a_time)
                } else {
                    locale.day_time(a_day, a_time)
                }
            } else if same_single_day {
                match &after.end {
                    Some(EventTime::DateTime { date_time: end, .. }) => span_text(
                        "span-times",
                        locale.time(a_time),
                        locale.time(local(end, tz).1),
                        locale,
                    ),
                    _ => locale.time(a_time),
                }
            } else {
                format_span(after, tz, locale)
            };
            arrow(&left, &right, locale)
        }
        (EventTime::Date { .. }, EventTime::Date { .. }) => arrow(
            &format_span(before, tz, locale),
            &format_span(after, tz, locale),
            locale,
        ),
        // Between timed and all-day: say which side is the all-day one.
        (EventTime::Date { .. }, _) => arrow(
            &all_day(format_span(before, tz, locale), locale),
            &format_span(after, tz, locale),
            locale,
        ),
        (_, EventTime::Date { .. }) => arrow(
            &format_span(before, tz, locale),
            &all_day(format_span(after, tz, locale), locale),
            locale,
        ),
    }
}

fn all_day(span: String, locale: &Locale) -> String {
    locale.text("all-day-side", &[("span", span.into())])
}

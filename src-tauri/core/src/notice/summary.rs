//! Grouping: the changes of one sync become what a person is shown — one notice each, or
//! one summary per calendar ("7 changes in Work").

use serde::{Deserialize, Serialize};

use super::wording::join_parts;
use super::Change;
use crate::locale::{self, Locale};
use crate::trigger::Trigger;

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
    /// What quiet hours or a pause held back, told once they end ("While you were away:
    /// 12 changes in 3 calendars").
    Digest {
        /// How many changes.
        count: usize,
        /// In how many calendars.
        calendars: usize,
        /// The changes' ids in the history, so a click shows just these.
        change_ids: Vec<i64>,
        /// Headlines of the first few changes.
        first: Vec<String>,
    },
    /// A calendar newly shared with (or subscribed by) an account: "New calendar: Team
    /// Offsite — Watch?". A click opens Calendars, where it can be watched.
    NewCalendar {
        /// The account whose list it appeared in.
        account: String,
        /// The calendar's id.
        calendar_id: String,
        /// Its name as Google lists it (never translated).
        calendar_name: String,
    },
}

/// How many headlines a summary carries.
const SUMMARY_EXAMPLES: usize = 3;

impl Notice {
    /// How many changes this notice tells (a summary or a digest counts all of its own).
    pub fn change_count(&self) -> usize {
        match self {
            Notice::Single(_) => 1,
            Notice::Summary { count, .. } | Notice::Digest { count, .. } => *count,
            Notice::NewCalendar { .. } => 0,
        }
    }

    /// The toast's title in the locale in effect.
    pub fn headline(&self) -> String {
        self.headline_in(&locale::current())
    }

    /// The toast's title: "Team sync moved", "7 changes in Work", "While you were away: …".
    pub fn headline_in(&self, locale: &Locale) -> String {
        match self {
            Notice::Single(change) => change.headline_in(locale),
            Notice::Summary {
                calendar_name,
                count,
                away,
                ..
            } => locale.text(
                if *away { "summary-away" } else { "summary" },
                &[
                    ("count", (*count).into()),
                    ("calendar", calendar_name.into()),
                ],
            ),
            Notice::Digest {
                count, calendars, ..
            } => locale.text(
                "digest",
                &[
                    ("count", (*count).into()),
                    ("calendars", (*calendars).into()),
                ],
            ),
            Notice::NewCalendar { calendar_name, .. } => {
                locale.text("new-calendar", &[("calendar", calendar_name.into())])
            }
        }
    }

    /// The toast's body in the locale in effect.
    pub fn body(&self, tz: chrono_tz::Tz) -> String {
        self.body_in(tz, &locale::current())
    }

    /// The toast's body, times in `tz`.
    pub fn body_in(&self, tz: chrono_tz::Tz, locale: &Locale) -> String {
        match self {
            Notice::Single(change) => change.body_in(tz, locale),
            Notice::Summary { count, first, .. } | Notice::Digest { count, first, .. } => {
                let mut parts = first.clone();
                let rest = count.saturating_sub(first.len());
                if rest > 0 {
                    parts.push(locale.text("and-more", &[("count", rest.into())]));
                }
                join_parts(parts, locale)
            }
            Notice::NewCalendar { account, .. } => {
                locale.text("new-calendar-body", &[("account", account.into())])
            }
        }
    }
}

/// Groups the changes of one sync into what a person is shown.
///
/// Per calendar (in order of first appearance): more than `threshold` changes become one
/// summary; changes a catch-up found ([`Trigger::told_as_away`]) become one "while you
/// were away" summary per calendar; otherwise each change is its own notice.
pub fn notices(changes: &[Change], threshold: usize, trigger: Trigger) -> Vec<Notice> {
    let away = trigger.told_as_away();
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

/// The one digest of the changes held back by quiet hours or a pause, or found in several
/// calendars by one catch-up, `(id, change)` in the order they were recorded; `None` when
/// there are none. A calendar listed under two accounts counts as two.
pub fn digest(held: &[(i64, &Change)]) -> Option<Notice> {
    if held.is_empty() {
        return None;
    }
    let mut calendars: Vec<(&str, &str)> = held
        .iter()
        .map(|(_, c)| (c.account.as_str(), c.calendar_id.as_str()))
        .collect();
    calendars.sort_unstable();
    calendars.dedup();
    Some(Notice::Digest {
        count: held.len(),
        calendars: calendars.len(),
        change_ids: held.iter().map(|(id, _)| *id).collect(),
        first: held
            .iter()
            .take(SUMMARY_EXAMPLES)
            .map(|(_, c)| c.headline())
            .collect(),
    })
}

//! Grouping: the changes of one sync become what a person is shown — one notice each, or
//! one summary per calendar ("7 changes in Work").

use serde::{Deserialize, Serialize};

use super::Change;
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

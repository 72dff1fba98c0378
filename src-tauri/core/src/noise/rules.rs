//! The rules a person sets: per calendar ([`CalendarRules`], kept in the store) and
//! everywhere ([`NoticeRules`], kept in settings.json), with quiet hours.

use serde::{Deserialize, Serialize};

/// Which kinds of change a calendar tells; all on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Kinds {
    /// New events.
    pub created: bool,
    /// Moved, longer or shorter events, and series that now repeat differently.
    pub time: bool,
    /// Cancelled events.
    pub cancelled: bool,
    /// A new title or place.
    pub title_place: bool,
    /// Other guests accepting or declining.
    pub replies: bool,
}

impl Default for Kinds {
    fn default() -> Self {
        Kinds {
            created: true,
            time: true,
            cancelled: true,
            title_place: true,
            replies: true,
        }
    }
}

/// One calendar's rules; the default tells everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CalendarRules {
    /// Keep watching and recording, but raise no toast.
    pub muted: bool,
    /// Which kinds of change to tell.
    pub kinds: Kinds,
    /// Only events starting within this many days are told (`None`: any).
    pub within_days: Option<u32>,
}

/// When other guests' replies are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuestReplies {
    /// For every event.
    Always,
    /// Only for events the person organises (the default).
    #[default]
    WhenOrganizer,
    /// Never.
    Never,
}

/// A daily quiet window, in the person's local time: from `start_minute` to `end_minute`
/// (minutes after midnight), across midnight when the end is earlier than the start. A
/// day in `days` (Monday first) is a day the window *starts* on: 22:00–07:00 on Friday
/// keeps Saturday morning quiet too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct QuietHours {
    /// Whether quiet hours apply at all.
    pub enabled: bool,
    /// When quiet starts, minutes after local midnight.
    pub start_minute: u32,
    /// When quiet ends, minutes after local midnight.
    pub end_minute: u32,
    /// Monday to Sunday: the days the window starts on.
    pub days: Vec<bool>,
}

impl Default for QuietHours {
    fn default() -> Self {
        QuietHours {
            enabled: false,
            start_minute: 22 * 60,
            end_minute: 7 * 60,
            days: vec![true; 7],
        }
    }
}

/// The rules that apply everywhere (Settings).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NoticeRules {
    /// Say nothing about events the person declined.
    pub skip_declined: bool,
    /// Say nothing about events without other guests.
    pub skip_only_attendee: bool,
    /// When other guests' replies are told.
    pub guest_replies: GuestReplies,
    /// The daily quiet window.
    pub quiet_hours: QuietHours,
}

/// The longest "only events within N days" the window offers: ten years.
pub const MAX_WITHIN_DAYS: u32 = 3650;

impl CalendarRules {
    /// The message (errors.ftl) saying what is wrong, when something is.
    pub fn problem(&self) -> Option<&'static str> {
        match self.within_days {
            Some(0) => Some("error-rules-within-zero"),
            Some(d) if d > MAX_WITHIN_DAYS => Some("error-rules-within-too-far"),
            _ => None,
        }
    }

    /// How many rules differ from the default (the bench counts them).
    pub fn active_rules(&self) -> usize {
        let k = self.kinds;
        usize::from(self.muted)
            + usize::from(self.within_days.is_some())
            + [k.created, k.time, k.cancelled, k.title_place, k.replies]
                .iter()
                .filter(|on| !**on)
                .count()
    }
}

impl NoticeRules {
    /// The message (errors.ftl) saying what is wrong, when something is.
    pub fn problem(&self) -> Option<&'static str> {
        let q = &self.quiet_hours;
        if q.start_minute >= 24 * 60 || q.end_minute >= 24 * 60 {
            return Some("error-quiet-time-of-day");
        }
        if q.days.len() != 7 {
            return Some("error-quiet-seven-days");
        }
        if q.enabled && q.start_minute == q.end_minute {
            return Some("error-quiet-same-time");
        }
        if q.enabled && !q.days.iter().any(|d| *d) {
            return Some("error-quiet-no-day");
        }
        None
    }
}

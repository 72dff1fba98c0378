//! The decision per change: told, or silent and why. Pure: the rules and "now" come in,
//! the reason goes out, and the outbox records it with the change.

use serde::{Deserialize, Serialize};

use super::rules::{CalendarRules, GuestReplies, NoticeRules};
use crate::event_time::EventTime;
use crate::notice::{Change, ChangeKind, Field};

/// Why a change raised no toast. Recorded with the change; the window shows its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Silence {
    /// The calendar is muted.
    MutedCalendar,
    /// The calendar does not tell this kind of change.
    KindOff,
    /// The event is further ahead than the calendar's "within N days".
    TooFarAhead,
    /// The person declined the event.
    DeclinedEvent,
    /// The event has no guest besides the person.
    OnlyAttendee,
    /// Only other guests' replies changed, and those are not told for this event.
    GuestReplies,
    /// Inside the quiet hours (told in the digest when they end).
    QuietHours,
    /// Notifications are paused.
    Paused,
}

impl Silence {
    /// Every reason, for the window's contract.
    pub const ALL: [Silence; 8] = [
        Silence::MutedCalendar,
        Silence::KindOff,
        Silence::TooFarAhead,
        Silence::DeclinedEvent,
        Silence::OnlyAttendee,
        Silence::GuestReplies,
        Silence::QuietHours,
        Silence::Paused,
    ];

    /// The stored name (as in JSON).
    pub fn code(self) -> &'static str {
        match self {
            Silence::MutedCalendar => "muted_calendar",
            Silence::KindOff => "kind_off",
            Silence::TooFarAhead => "too_far_ahead",
            Silence::DeclinedEvent => "declined_event",
            Silence::OnlyAttendee => "only_attendee",
            Silence::GuestReplies => "guest_replies",
            Silence::QuietHours => "quiet_hours",
            Silence::Paused => "paused",
        }
    }

    /// The stored name read back; `None` for one this version does not know.
    pub fn from_code(code: &str) -> Option<Silence> {
        Silence::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Why it was silent, as the Activity list says it, in the language in effect.
    pub fn words(self) -> String {
        self.words_in(&crate::locale::current())
    }

    /// Why it was silent, in `locale`'s language ("muted calendar", "음소거된 캘린더").
    pub fn words_in(self, locale: &crate::locale::Locale) -> String {
        locale.text(&format!("silence-{}", self.code().replace('_', "-")), &[])
    }
}

/// Which switch of [`super::Kinds`] a diff belongs to; `None` for what is always told
/// (the event's status, the person's own reply, its details).
fn aspect_on(field: Field, kinds: &super::Kinds) -> Option<bool> {
    match field {
        Field::Time | Field::AllDay | Field::Repeats => Some(kinds.time),
        Field::Title | Field::Place => Some(kinds.title_place),
        Field::Replies => Some(kinds.replies),
        Field::Status | Field::Response | Field::Description => None,
    }
}

/// Whether the calendar's kinds tell this change: an update is told when any of what
/// changed is a kind that is on (or one that cannot be turned off).
fn kind_told(change: &Change, rules: &CalendarRules) -> bool {
    let kinds = &rules.kinds;
    match change.kind {
        ChangeKind::Created => kinds.created,
        ChangeKind::Cancelled => kinds.cancelled,
        ChangeKind::Updated => {
            change.diffs.is_empty()
                || change
                    .diffs
                    .iter()
                    .any(|d| aspect_on(d.field, kinds).unwrap_or(true))
        }
    }
}

/// When the event starts, in ms since the epoch (an all-day event at its date's start, UTC).
fn starts_at_ms(time: &EventTime) -> Option<i64> {
    match time {
        EventTime::DateTime { date_time, .. } => Some(date_time.timestamp_millis()),
        EventTime::Date { date } => date
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis()),
    }
}

const DAY_MS: i64 = 24 * 3_600_000;

/// Decides one change against the calendar's rules and the rules everywhere, at `now_ms`:
/// `None` to tell it, or why it stays silent. Pauses and quiet hours are the outbox's
/// (they hold what *would* be told, for the digest); the first rule that silences names
/// the reason, in the order the window lists them.
pub fn decide(
    change: &Change,
    calendar: &CalendarRules,
    everywhere: &NoticeRules,
    now_ms: i64,
) -> Option<Silence> {
    if calendar.muted {
        return Some(Silence::MutedCalendar);
    }
    if !kind_told(change, calendar) {
        return Some(Silence::KindOff);
    }
    if let (Some(days), Some(start)) = (
        calendar.within_days,
        change.start.as_ref().and_then(starts_at_ms),
    ) {
        if start > now_ms + i64::from(days) * DAY_MS {
            return Some(Silence::TooFarAhead);
        }
    }
    let facts = &change.facts;
    if everywhere.skip_declined && facts.self_response.as_deref() == Some("declined") {
        return Some(Silence::DeclinedEvent);
    }
    if everywhere.skip_only_attendee && facts.other_guests == Some(0) {
        return Some(Silence::OnlyAttendee);
    }
    let only_replies = change.kind == ChangeKind::Updated
        && !change.diffs.is_empty()
        && change.diffs.iter().all(|d| d.field == Field::Replies);
    if only_replies {
        let told = match everywhere.guest_replies {
            GuestReplies::Always => true,
            GuestReplies::WhenOrganizer => facts.organized_by_me,
            GuestReplies::Never => false,
        };
        if !told {
            return Some(Silence::GuestReplies);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::Kinds;
    use crate::notice::{EventFacts, FieldDiff};
    use chrono::DateTime;

    const NOW: &str = "2026-12-01T09:00:00Z";

    fn ms(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    fn change(kind: ChangeKind, fields: &[Field], starts: &str) -> Change {
        Change {
            account: "me@example.com".into(),
            calendar_id: "work".into(),
            calendar_name: "Work".into(),
            event_id: "e1".into(),
            kind,
            title: "Team sync".into(),
            start: Some(EventTime::at(DateTime::parse_from_rfc3339(starts).unwrap())),
            end: None,
            diffs: fields
                .iter()
                .map(|f| FieldDiff::new(*f, "a", "b"))
                .collect(),
            html_link: None,
            facts: Box::new(EventFacts {
                self_response: Some("accepted".into()),
                organized_by_me: false,
                other_guests: Some(3),
                meeting_link: None,
            }),
        }
    }

    fn soon(kind: ChangeKind, fields: &[Field]) -> Change {
        change(kind, fields, "2026-12-02T10:00:00Z")
    }

    fn with_kinds(edit: impl Fn(&mut Kinds)) -> CalendarRules {
        let mut rules = CalendarRules::default();
        edit(&mut rules.kinds);
        rules
    }

    fn everything_told() -> NoticeRules {
        NoticeRules {
            guest_replies: GuestReplies::Always,
            ..NoticeRules::default()
        }
    }

    #[test]
    fn by_default_everything_but_strangers_replies_is_told() {
        let all = CalendarRules::default();
        let everywhere = NoticeRules::default();
        for c in [
            soon(ChangeKind::Created, &[]),
            soon(ChangeKind::Cancelled, &[]),
            soon(ChangeKind::Updated, &[Field::Time]),
            soon(ChangeKind::Updated, &[Field::Title, Field::Place]),
            soon(ChangeKind::Updated, &[Field::Response]),
            change(ChangeKind::Created, &[], "2027-12-01T10:00:00Z"),
        ] {
            assert_eq!(decide(&c, &all, &everywhere, ms(NOW)), None, "{c:?}");
        }
        let reply = soon(ChangeKind::Updated, &[Field::Replies]);
        assert_eq!(
            decide(&reply, &all, &everywhere, ms(NOW)),
            Some(Silence::GuestReplies),
            "replies to someone else's event are off by default"
        );
        let mut mine = reply.clone();
        mine.facts.organized_by_me = true;
        assert_eq!(decide(&mine, &all, &everywhere, ms(NOW)), None);
    }

    /// One table: each rule alone, the change it silences and one it lets through.
    #[test]
    fn each_rule_silences_its_changes_with_its_reason() {
        let told = everything_told();
        type Case = (
            &'static str,
            CalendarRules,
            NoticeRules,
            Change,
            Change,
            Silence,
        );
        let cases: Vec<Case> = vec![
            (
                "muted",
                CalendarRules {
                    muted: true,
                    ..Default::default()
                },
                told.clone(),
                soon(ChangeKind::Created, &[]),
                soon(ChangeKind::Created, &[]),
                Silence::MutedCalendar,
            ),
            (
                "no new events",
                with_kinds(|k| k.created = false),
                told.clone(),
                soon(ChangeKind::Created, &[]),
                soon(ChangeKind::Cancelled, &[]),
                Silence::KindOff,
            ),
            (
                "no time changes",
                with_kinds(|k| k.time = false),
                told.clone(),
                soon(ChangeKind::Updated, &[Field::Time, Field::AllDay]),
                soon(ChangeKind::Updated, &[Field::Time, Field::Title]),
                Silence::KindOff,
            ),
            (
                "no cancellations",
                with_kinds(|k| k.cancelled = false),
                told.clone(),
                soon(ChangeKind::Cancelled, &[]),
                soon(ChangeKind::Updated, &[Field::Time]),
                Silence::KindOff,
            ),
            (
                "no title or place changes",
                with_kinds(|k| k.title_place = false),
                told.clone(),
                soon(ChangeKind::Updated, &[Field::Title, Field::Place]),
                soon(ChangeKind::Updated, &[Field::Place, Field::Status]),
                Silence::KindOff,
            ),
            (
                "no guests' replies on this calendar",
                with_kinds(|k| k.replies = false),
                told.clone(),
                soon(ChangeKind::Updated, &[Field::Replies]),
                soon(ChangeKind::Updated, &[Field::Response]),
                Silence::KindOff,
            ),
            (
                "within 7 days",
                CalendarRules {
                    within_days: Some(7),
                    ..Default::default()
                },
                told.clone(),
                change(ChangeKind::Created, &[], "2027-12-01T10:00:00Z"),
                change(ChangeKind::Created, &[], "2026-12-08T08:59:00Z"),
                Silence::TooFarAhead,
            ),
            (
                "skip declined",
                CalendarRules::default(),
                NoticeRules {
                    skip_declined: true,
                    ..told.clone()
                },
                {
                    let mut c = soon(ChangeKind::Updated, &[Field::Time]);
                    c.facts.self_response = Some("declined".into());
                    c
                },
                soon(ChangeKind::Updated, &[Field::Time]),
                Silence::DeclinedEvent,
            ),
            (
                "skip where I am the only attendee",
                CalendarRules::default(),
                NoticeRules {
                    skip_only_attendee: true,
                    ..told.clone()
                },
                {
                    let mut c = soon(ChangeKind::Created, &[]);
                    c.facts.other_guests = Some(0);
                    c
                },
                {
                    let mut c = soon(ChangeKind::Created, &[]);
                    c.facts.other_guests = None;
                    c
                },
                Silence::OnlyAttendee,
            ),
            (
                "never tell replies",
                CalendarRules::default(),
                NoticeRules {
                    guest_replies: GuestReplies::Never,
                    ..told.clone()
                },
                {
                    let mut c = soon(ChangeKind::Updated, &[Field::Replies]);
                    c.facts.organized_by_me = true;
                    c
                },
                soon(ChangeKind::Updated, &[Field::Replies, Field::Time]),
                Silence::GuestReplies,
            ),
        ];
        for (name, calendar, everywhere, silenced, kept, reason) in cases {
            assert_eq!(
                decide(&silenced, &calendar, &everywhere, ms(NOW)),
                Some(reason),
                "{name}: silences {silenced:?}"
            );
            if calendar.muted {
                // A muted calendar tells nothing at all: the same change unmuted is told.
                assert_eq!(
                    decide(&kept, &CalendarRules::default(), &everywhere, ms(NOW)),
                    None
                );
                continue;
            }
            assert_eq!(
                decide(&kept, &calendar, &everywhere, ms(NOW)),
                None,
                "{name}: still tells {kept:?}"
            );
        }
    }

    #[test]
    fn rules_combine_and_the_first_names_the_reason() {
        let calendar = CalendarRules {
            muted: true,
            kinds: Kinds {
                created: false,
                ..Kinds::default()
            },
            within_days: Some(1),
        };
        let everywhere = NoticeRules {
            skip_declined: true,
            skip_only_attendee: true,
            ..NoticeRules::default()
        };
        let mut c = change(ChangeKind::Created, &[], "2027-01-01T00:00:00Z");
        c.facts.self_response = Some("declined".into());
        assert_eq!(
            decide(&c, &calendar, &everywhere, ms(NOW)),
            Some(Silence::MutedCalendar)
        );
        let unmuted = CalendarRules {
            muted: false,
            ..calendar
        };
        assert_eq!(
            decide(&c, &unmuted, &everywhere, ms(NOW)),
            Some(Silence::KindOff)
        );
        let all_kinds = CalendarRules {
            kinds: Kinds::default(),
            ..unmuted
        };
        assert_eq!(
            decide(&c, &all_kinds, &everywhere, ms(NOW)),
            Some(Silence::TooFarAhead)
        );
        let any_day = CalendarRules {
            within_days: None,
            ..all_kinds
        };
        assert_eq!(
            decide(&c, &any_day, &everywhere, ms(NOW)),
            Some(Silence::DeclinedEvent)
        );
        c.facts.self_response = Some("accepted".into());
        c.facts.other_guests = Some(0);
        assert_eq!(
            decide(&c, &any_day, &everywhere, ms(NOW)),
            Some(Silence::OnlyAttendee)
        );
        c.facts.other_guests = Some(1);
        assert_eq!(decide(&c, &any_day, &everywhere, ms(NOW)), None);
    }

    #[test]
    fn every_reason_has_words_and_a_stored_name_that_reads_back() {
        for reason in Silence::ALL {
            assert_eq!(Silence::from_code(reason.code()), Some(reason));
            assert_eq!(
                serde_json::to_value(reason).unwrap(),
                serde_json::json!(reason.code())
            );
            assert!(!reason.words().is_empty());
        }
        assert_eq!(Silence::MutedCalendar.words(), "muted calendar");
        assert_eq!(Silence::from_code("from a newer version"), None);
    }
}

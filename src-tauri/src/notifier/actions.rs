//! What a toast offers beyond a click: **Open** (the event in Google Calendar, in the
//! signed-in account) and **Join** (the meeting link: `hangoutLink`, or the video entry
//! point of `conferenceData`) on a change's toast, **Watch** on a new calendar's offer.
//! Notification servers that show actions report the one chosen by its id; a click on the
//! toast itself is the `default` action. Labels are the person's language's.

use calwatch_core::locale::Locale;
use calwatch_core::notice::Notice;
use calwatch_core::store::CalendarKey;

use super::{Toast, ToastClick};

/// The action the specification reports for a click on the toast itself.
pub const DEFAULT_ACTION: &str = "default";
/// Open the event in Google Calendar.
pub const OPEN_ACTION: &str = "open";
/// Open the meeting link.
pub const JOIN_ACTION: &str = "join";
/// Watch the calendar a new calendar's toast offers.
pub const WATCH_ACTION: &str = "watch";

/// A button on a toast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToastAction {
    /// The id the notification server reports when it is chosen.
    pub id: &'static str,
    /// Its label, in the person's language.
    pub label: String,
    /// What choosing it does.
    pub click: ToastClick,
}

/// The buttons for `notice`, labelled in `locale`: Open when the event has a link, Join
/// when it has a meeting, Watch on a new calendar's offer. Summaries and digests have none
/// (their click opens Activity).
pub fn for_notice(notice: &Notice, locale: &Locale) -> Vec<ToastAction> {
    let label = |id: &str| locale.text(id, &[]);
    let change = match notice {
        Notice::Single(change) => change,
        Notice::NewCalendar {
            account,
            calendar_id,
            ..
        } => {
            return vec![ToastAction {
                id: WATCH_ACTION,
                label: label("toast-action-watch"),
                click: ToastClick::Watch(CalendarKey::new(account, calendar_id)),
            }]
        }
        Notice::Summary { .. } | Notice::Digest { .. } => return Vec::new(),
    };
    let mut actions = Vec::new();
    if let Some(link) = change.event_link() {
        actions.push(ToastAction {
            id: OPEN_ACTION,
            label: label("toast-action-open"),
            click: ToastClick::OpenLink(link),
        });
    }
    if let Some(meeting) = &change.facts.meeting_link {
        actions.push(ToastAction {
            id: JOIN_ACTION,
            label: label("toast-action-join"),
            click: ToastClick::Join(meeting.clone()),
        });
    }
    actions
}

/// What the action `id` reported by the server does for `toast`: the toast's own click
/// for `default`, the button's for one of its buttons; `None` for anything else.
pub fn chosen(toast: &Toast, id: &str) -> Option<ToastClick> {
    if id == DEFAULT_ACTION {
        return Some(toast.on_click.clone());
    }
    toast
        .actions
        .iter()
        .find(|a| a.id == id)
        .map(|a| a.click.clone())
}

#[cfg(test)]
mod tests {
    use calwatch_core::notice::{in_account, Change, ChangeKind, EventFacts};

    use super::*;

    fn added(link: Option<&str>, meeting: Option<&str>) -> Notice {
        Notice::Single(Change {
            account: String::new(),
            calendar_id: "work".into(),
            calendar_name: "Work".into(),
            event_id: "e1".into(),
            kind: ChangeKind::Created,
            title: "Design review".into(),
            start: None,
            end: None,
            diffs: Vec::new(),
            html_link: link.map(str::to_string),
            facts: Box::new(EventFacts {
                meeting_link: meeting.map(str::to_string),
                ..EventFacts::default()
            }),
        })
    }

    #[test]
    fn an_event_with_a_meeting_offers_open_and_join() {
        let notice = added(
            Some("https://www.google.com/calendar/event?eid=abc"),
            Some("https://meet.google.com/abc-defg-hij"),
        );
        let toast = Toast::new(&notice, chrono_tz::UTC);
        let ids: Vec<&str> = toast.actions.iter().map(|a| a.id).collect();
        assert_eq!(ids, ["open", "join"]);
        assert_eq!(
            chosen(&toast, "join"),
            Some(ToastClick::Join(
                "https://meet.google.com/abc-defg-hij".into()
            ))
        );
        assert_eq!(
            chosen(&toast, "default"),
            chosen(&toast, "open"),
            "a click on the body does what Open does"
        );
        assert_eq!(chosen(&toast, "__closed"), None);
    }

    #[test]
    fn without_a_meeting_there_is_no_join_and_a_summary_has_no_buttons() {
        let toast = Toast::new(
            &added(Some("https://www.google.com/calendar/event?eid=abc"), None),
            chrono_tz::UTC,
        );
        assert_eq!(toast.actions.len(), 1);
        assert_eq!(
            toast.actions[0].label, "Open",
            "the test process speaks English"
        );
        let digest = Notice::Digest {
            count: 2,
            calendars: 1,
            change_ids: vec![4, 5],
            first: vec!["A added".into(), "B added".into()],
        };
        let toast = Toast::new(&digest, chrono_tz::UTC);
        assert!(toast.actions.is_empty());
        assert_eq!(toast.on_click, ToastClick::ShowChanges(vec![4, 5]));
        assert_eq!(toast.title, "While you were away: 2 changes in 1 calendar");
    }

    #[test]
    fn a_new_calendar_offers_watch_and_the_labels_speak_the_persons_language() {
        let offer = Notice::NewCalendar {
            account: "ada@example.com".into(),
            calendar_id: "offsite@group.calendar.google.com".into(),
            calendar_name: "Team Offsite".into(),
        };
        let english = for_notice(&offer, &Locale::of_tag("en-GB"));
        assert_eq!(
            english,
            [ToastAction {
                id: "watch",
                label: "Watch".into(),
                click: ToastClick::Watch(CalendarKey::new(
                    "ada@example.com",
                    "offsite@group.calendar.google.com"
                )),
            }]
        );
        let korean = Locale::of_tag("ko-KR");
        assert_eq!(for_notice(&offer, &korean)[0].label, "지켜보기");
        let meeting = added(
            Some("https://www.google.com/calendar/event?eid=abc"),
            Some("https://meet.google.com/abc-defg-hij"),
        );
        let labels: Vec<String> = for_notice(&meeting, &korean)
            .into_iter()
            .map(|a| a.label)
            .collect();
        assert_eq!(labels, ["열기", "참가"]);
    }

    #[test]
    fn open_names_the_signed_in_account() {
        assert_eq!(
            in_account(
                "https://www.google.com/calendar/event?eid=abc",
                "me@example.com"
            ),
            "https://www.google.com/calendar/event?eid=abc&authuser=me%40example.com"
        );
        assert_eq!(
            in_account(
                "https://www.google.com/calendar/event?eid=abc&authuser=0",
                "me@example.com"
            ),
            "https://www.google.com/calendar/event?eid=abc&authuser=me%40example.com",
            "the account CalWatch watches replaces Google's default"
        );
        assert_eq!(
            in_account(
                "https://www.google.com/calendar/event?eid=a/b+c",
                "me@example.com"
            ),
            "https://www.google.com/calendar/event?eid=a/b+c&authuser=me%40example.com",
            "Google's eid is kept byte for byte"
        );
    }
}

//! Calendar v3 resources as CalWatch reads them (shared/google/calendar.v3.json).
//!
//! Only the fields CalWatch uses are modelled; serde ignores the rest, so a field Google
//! adds tomorrow is never an error. Nearly everything is optional because a cancelled
//! event may carry nothing but its `id`.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::secrets::Sensitive;

/// One entry of the user's calendar list (`calendarList.list`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarListEntry {
    /// The calendar id (the user's email for the primary calendar).
    pub id: String,
    /// The calendar's own title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The title the user gave it in their own list, if any; wins over `summary`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_override: Option<String>,
    /// The calendar's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether this is the user's primary calendar (its id names the account).
    #[serde(default)]
    pub primary: bool,
    /// `owner`, `writer`, `reader` or `freeBusyReader`: a free/busy calendar has no events to watch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_role: Option<String>,
    /// The colour Google shows the calendar in, `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_color: Option<String>,
    /// The text colour that goes with `background_color`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreground_color: Option<String>,
    /// The calendar's IANA time zone, used to show times as the user expects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Whether the calendar is shown in Google's own UI.
    #[serde(default)]
    pub selected: bool,
    /// Whether the user hid it from the list.
    #[serde(default)]
    pub hidden: bool,
    /// Whether it was removed from the list (only seen in incremental list syncs).
    #[serde(default)]
    pub deleted: bool,
}

/// A calendar list as one listing returned it: every entry (a full list) or what changed
/// since a sync token (removed entries marked `deleted`), and the token for next time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarListDelta {
    /// The entries, across all pages.
    pub entries: Vec<CalendarListEntry>,
    /// The token the next incremental listing starts from.
    pub next_sync_token: String,
}

impl CalendarListEntry {
    /// The name to show: the user's override, else the title, else the id.
    pub fn display_name(&self) -> &str {
        self.summary_override
            .as_deref()
            .or(self.summary.as_deref())
            .unwrap_or(&self.id)
    }
}

/// An event as `events.list` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The event id; the only field a cancelled event is guaranteed to carry.
    pub id: String,
    /// `confirmed`, `tentative` or `cancelled`; absent on some cancelled entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The description (may be HTML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Free-form place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// When it starts; absent on cancelled entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<EventDateTime>,
    /// When it ends (exclusive); absent on cancelled entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<EventDateTime>,
    /// For an instance or exception of a recurring event: the recurring event's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring_event_id: Option<String>,
    /// For an exception: the start the instance would have had, which names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_start_time: Option<EventDateTime>,
    /// A link to the event in Google Calendar's web UI, for "open" in a notification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_link: Option<String>,
    /// When the event was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime<Utc>>,
    /// When the event last changed (including changes nobody would notice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<DateTime<Utc>>,
    /// Changes with every modification; equal etags mean nothing changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The iCalendar UID, shared by all instances of a recurring event.
    #[serde(default, rename = "iCalUID", skip_serializing_if = "Option::is_none")]
    pub ical_uid: Option<String>,
    /// Who organises it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizer: Option<Person>,
    /// The guests, with their responses (the user's own has `self: true`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<Attendee>,
    /// RRULE/EXRULE/RDATE/EXDATE lines of a recurring event.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recurrence: Vec<String>,
    /// The Google Meet link of the event, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hangout_link: Option<String>,
    /// The conference (Meet, or an add-on's), with its ways in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conference_data: Option<ConferenceData>,
}

/// An event's conference: only its entry points are read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConferenceData {
    /// The ways to join: video, phone, SIP, more.
    #[serde(default)]
    pub entry_points: Vec<EntryPoint>,
}

/// One way to join a conference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryPoint {
    /// `video`, `phone`, `sip` or `more`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_point_type: Option<String>,
    /// Where it leads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

impl Event {
    /// Whether the event was deleted (or this occurrence of a recurring one cancelled).
    pub fn is_cancelled(&self) -> bool {
        self.status.as_deref() == Some("cancelled")
    }

    /// Whether it is an all-day event (its start is a date, not a time).
    pub fn is_all_day(&self) -> bool {
        self.start.as_ref().is_some_and(|s| s.date.is_some())
    }

    /// The link that joins the meeting: `hangoutLink`, else the video entry point of
    /// `conferenceData`.
    pub fn meeting_link(&self) -> Option<&str> {
        self.hangout_link.as_deref().or_else(|| {
            self.conference_data
                .as_ref()?
                .entry_points
                .iter()
                .find(|e| e.entry_point_type.as_deref() == Some("video"))
                .and_then(|e| e.uri.as_deref())
        })
    }

    /// The user's own response (`accepted`, `declined`, `tentative`, `needsAction`), if invited.
    pub fn self_response(&self) -> Option<&str> {
        self.attendees
            .iter()
            .find(|a| a.is_self)
            .and_then(|a| a.response_status.as_deref())
    }
}

/// A start or end: a date for all-day events, a time with offset for the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDateTime {
    /// The day, for all-day events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// The instant, with the offset Google wrote it in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_time: Option<DateTime<FixedOffset>>,
    /// The IANA zone the time was entered in (needed for recurring events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// A guest of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attendee {
    /// The guest's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The guest's name, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `needsAction`, `declined`, `tentative` or `accepted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_status: Option<String>,
    /// Whether this entry is the signed-in user: their response is the one that matters.
    #[serde(default, rename = "self")]
    pub is_self: bool,
    /// Whether this guest organises the event.
    #[serde(default)]
    pub organizer: bool,
    /// Whether attendance is optional.
    #[serde(default)]
    pub optional: bool,
}

/// An organiser or creator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// Their email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Their name, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Whether it is the signed-in user.
    #[serde(default, rename = "self")]
    pub is_self: bool,
}

/// The outcome of a full or incremental `events.list`: every page, and where to resume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsDelta {
    /// Every event of every page, in Google's order; deletions appear as `cancelled`.
    pub events: Vec<Event>,
    /// The token for the next incremental sync (from the last page).
    pub next_sync_token: String,
}

/// One page of a full or incremental `events.list`, as the sync consumes it: the events,
/// then either where the next page starts or, on the last page, the next sync token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsPage {
    /// This page's events, in Google's order; deletions appear as `cancelled`.
    pub events: Vec<Event>,
    /// What follows this page.
    pub next: PageNext,
}

/// What follows a page of `events.list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageNext {
    /// More pages: ask again with this page token.
    Page(String),
    /// The last page: the token for the next incremental sync.
    Done(String),
}

/// What to ask of `events.watch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchRequest {
    /// The channel id: a fresh UUID per channel, since Google refuses a reused one.
    pub id: String,
    /// The public HTTPS callback Google will POST to.
    pub address: String,
    /// Echoed by Google in `X-Goog-Channel-Token`, so the receiver can tell real deliveries.
    pub token: Sensitive<String>,
    /// How long the channel should live; Google may cut it shorter.
    pub ttl: Duration,
}

impl WatchRequest {
    /// A request with a fresh random channel id.
    pub fn new(address: impl Into<String>, token: Sensitive<String>, ttl: Duration) -> Self {
        WatchRequest {
            id: uuid::Uuid::new_v4().to_string(),
            address: address.into(),
            token,
            ttl,
        }
    }
}

/// A channel Google created: what is needed to recognise its deliveries and stop it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// Our channel id, as sent.
    pub id: String,
    /// Google's opaque id of the watched calendar; `channels.stop` needs it.
    pub resource_id: String,
    /// The version-specific URI of the watched resource.
    pub resource_uri: String,
    /// When Google stops delivering, in milliseconds since the epoch.
    pub expiration_ms: i64,
}

/// The wire forms: kept private so callers only see the parsed types above.
pub(crate) mod wire {
    use super::*;

    /// One page of `calendarList.list`.
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct CalendarListPage {
        #[serde(default)]
        pub items: Vec<CalendarListEntry>,
        #[serde(default)]
        pub next_page_token: Option<String>,
        /// On the last page only.
        #[serde(default)]
        pub next_sync_token: Option<String>,
    }

    /// One page of `events.list`.
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct EventsPage {
        #[serde(default)]
        pub items: Vec<Event>,
        #[serde(default)]
        pub next_page_token: Option<String>,
        #[serde(default)]
        pub next_sync_token: Option<String>,
    }

    /// The `events.watch` request body (a Calendar `Channel`).
    #[derive(Debug, Serialize)]
    pub struct WatchBody<'a> {
        pub id: &'a str,
        #[serde(rename = "type")]
        pub kind: &'static str,
        pub address: &'a str,
        pub token: &'a str,
        pub params: WatchParams,
    }

    /// `params` of the watch body; Google wants the ttl in seconds, as a string.
    #[derive(Debug, Serialize)]
    pub struct WatchParams {
        pub ttl: String,
    }

    /// The `events.watch` response (a Calendar `Channel`).
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ChannelReply {
        pub id: String,
        pub resource_id: String,
        #[serde(default)]
        pub resource_uri: Option<String>,
        /// int64 as a string, per the discovery document.
        #[serde(default)]
        pub expiration: Option<String>,
    }

    /// The `channels.stop` request body.
    #[derive(Debug, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct StopBody<'a> {
        pub id: &'a str,
        pub resource_id: &'a str,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_in_an_event_are_ignored() {
        // A real-looking Google event with fields CalWatch does not model, including
        // nested objects and a field name that does not exist today.
        let json = r#"{
          "kind": "calendar#event",
          "etag": "\"3385920000000000\"",
          "id": "evt123",
          "status": "confirmed",
          "htmlLink": "https://www.google.com/calendar/event?eid=ZXZ0MTIz",
          "created": "2026-11-01T09:00:00.000Z",
          "updated": "2026-11-20T10:15:30.123Z",
          "summary": "Team sync",
          "location": "Room 4",
          "creator": {"email": "a@example.com", "self": true},
          "organizer": {"email": "a@example.com", "self": true},
          "start": {"dateTime": "2026-12-03T10:00:00+01:00", "timeZone": "Europe/Berlin"},
          "end": {"dateTime": "2026-12-03T11:00:00+01:00", "timeZone": "Europe/Berlin"},
          "iCalUID": "evt123@google.com",
          "sequence": 2,
          "attendees": [
            {"email": "a@example.com", "self": true, "responseStatus": "accepted", "comment": "ok"},
            {"email": "b@example.com", "responseStatus": "needsAction", "additionalGuests": 1}
          ],
          "reminders": {"useDefault": true},
          "conferenceData": {"entryPoints": [{"entryPointType": "video", "uri": "https://meet"}]},
          "eventType": "default",
          "someFieldGoogleAddsNextYear": {"deeply": ["nested", 1, null]}
        }"#;
        let event: Event = serde_json::from_str(json).expect("extra fields must not fail parsing");
        assert_eq!(event.id, "evt123");
        assert_eq!(event.summary.as_deref(), Some("Team sync"));
        assert_eq!(event.self_response(), Some("accepted"));
        assert_eq!(
            event.meeting_link(),
            Some("https://meet"),
            "without a hangoutLink, the video entry point joins"
        );
        assert!(!event.is_all_day());
        let start = event.start.unwrap().date_time.unwrap();
        assert_eq!(start.to_rfc3339(), "2026-12-03T10:00:00+01:00");
    }

    #[test]
    fn a_cancelled_exception_with_only_three_fields_parses() {
        let json = r#"{"id": "rec_20261210T090000Z", "status": "cancelled",
            "recurringEventId": "rec", "originalStartTime": {"dateTime": "2026-12-10T09:00:00Z"}}"#;
        let event: Event = serde_json::from_str(json).unwrap();
        assert!(event.is_cancelled());
        assert_eq!(event.recurring_event_id.as_deref(), Some("rec"));
        assert!(event.start.is_none() && event.summary.is_none());
    }

    #[test]
    fn an_all_day_event_has_a_date() {
        let json = r#"{"id":"d","start":{"date":"2026-12-24"},"end":{"date":"2026-12-25"}}"#;
        let event: Event = serde_json::from_str(json).unwrap();
        assert!(event.is_all_day());
        assert_eq!(
            event.start.unwrap().date,
            NaiveDate::from_ymd_opt(2026, 12, 24)
        );
    }

    #[test]
    fn calendar_entries_prefer_the_users_own_name() {
        let json = r##"{"kind":"calendar#calendarListEntry","id":"c@group.calendar.google.com",
            "summary":"Team","summaryOverride":"Work","primary":false,"accessRole":"reader",
            "backgroundColor":"#9fe1e7","timeZone":"Europe/Berlin","conferenceProperties":{}}"##;
        let entry: CalendarListEntry = serde_json::from_str(json).unwrap();
        assert_eq!(entry.display_name(), "Work");
        assert!(!entry.primary);
    }
}

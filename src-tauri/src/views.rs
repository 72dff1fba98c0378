//! The shapes the window reads, exactly as ui/CONTRACT.md writes them (camelCase JSON),
//! converted from the engine's records. Conversions only: nothing here decides anything.

use std::collections::HashMap;

use calwatch_core::engine::{CalendarRules, EngineError, EngineState};
use calwatch_core::noise::Silence;
use calwatch_core::notice::{ChangeKind, Field, FieldDiff};
use calwatch_core::store::{
    CalendarKey, CalendarRecord, ChannelRecord, ChannelState, ListChannelRecord, StoredChange,
};
use calwatch_core::tunnel::{TunnelState, TunnelStatus, TunnelTool};
use serde::{Deserialize, Serialize};

/// The codes the shell raises itself, beyond the engine's (`EngineError::CODES`).
pub const SHELL_CODES: &[&str] = &["sandbox", "tunnel"];

/// A failed command or a background failure: `code` for the window's logic, `message`
/// for the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiError {
    /// One of the stable codes of ui/CONTRACT.md; the window switches on it.
    pub code: String,
    /// A sentence saying what went wrong and what to do.
    pub message: String,
}

impl UiError {
    /// An error the shell itself raises (the sandbox, a refused link).
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// For the log (a command's span records its error): the sentence, then the code.
impl std::fmt::Display for UiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl From<EngineError> for UiError {
    fn from(err: EngineError) -> Self {
        Self::from(&err)
    }
}

impl From<&EngineError> for UiError {
    fn from(err: &EngineError) -> Self {
        Self {
            code: err.code().to_string(),
            message: err.message(),
        }
    }
}

/// Everything the window needs to draw Setup, Settings and the sandbox banner: the
/// engine's snapshot as the engine writes it, and what only the shell knows.
#[derive(Debug, Clone, Serialize)]
pub struct AppStateView {
    /// The engine's part, its fields at the top level of the window's `AppState`.
    #[serde(flatten)]
    pub engine: EngineState,
    /// The shell's part, at the same level.
    #[serde(flatten)]
    pub shell: ShellState,
}

/// What the window's `AppState` holds beyond the engine's snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShellState {
    /// True while the app runs against the in-process fake Google.
    pub sandbox: bool,
    /// The app starts when the person logs in (the login item is the shell's).
    pub start_at_login: bool,
    /// The tunnel CalWatch runs for a public address, if it runs one.
    pub tunnel: Option<TunnelStatusView>,
}

/// A supervised tunnel as the window shows it: the engine's status with its problem in
/// words of the language in effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TunnelStatusView {
    /// Which tool.
    pub tool: TunnelTool,
    /// Where it stands.
    pub state: TunnelState,
    /// The callback URL it gives, once read.
    pub public_url: Option<String>,
    /// Why it failed or is starting again, and what to do.
    pub error: Option<String>,
    /// How many times it was started again after dying.
    pub restarts: u32,
    /// The tool's process id while it runs.
    pub pid: Option<u32>,
}

impl From<TunnelStatus> for TunnelStatusView {
    fn from(s: TunnelStatus) -> Self {
        let locale = calwatch_core::locale::current();
        Self {
            tool: s.tool,
            state: s.state,
            public_url: s.public_url,
            error: s
                .problem
                .map(|p| calwatch_core::error::tunnel_problem_in(&p, &locale)),
            restarts: s.restarts,
            pid: s.pid,
        }
    }
}

impl AppStateView {
    /// The engine's snapshot plus what only the shell knows.
    pub fn new(engine: EngineState, sandbox: bool, start_at_login: bool) -> Self {
        Self {
            engine,
            shell: ShellState {
                sandbox,
                start_at_login,
                tunnel: None,
            },
        }
    }

    /// With the status of the tunnel CalWatch runs.
    pub fn with_tunnel(mut self, tunnel: Option<TunnelStatus>) -> Self {
        self.shell.tunnel = tunnel.map(Into::into);
        self
    }
}

/// One calendar of an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarView {
    /// The account it is listed under (Calendars groups by it).
    pub account: String,
    /// Google's calendar id.
    pub id: String,
    /// Its name.
    pub summary: String,
    /// CSS colour, when Google gives one.
    pub color: Option<String>,
    /// The account's own calendar.
    pub primary: bool,
    /// Has a channel.
    pub watched: bool,
    /// owner / writer / reader / freeBusyReader.
    pub access_role: String,
    /// Removed on Google's side; kept so its history still reads.
    pub gone: bool,
    /// Why it is gone, in a sentence for its row; `None` while listed.
    pub gone_reason: Option<String>,
    /// Its noise rules: muted, which kinds of change, within how many days.
    pub rules: CalendarRules,
}

/// The calendars with their noise rules (`rules` holds only those that differ from the
/// defaults).
pub fn calendar_views(
    calendars: Vec<CalendarRecord>,
    rules: &HashMap<CalendarKey, CalendarRules>,
    gone_reasons: &HashMap<CalendarKey, String>,
) -> Vec<CalendarView> {
    calendars
        .into_iter()
        .map(|c| {
            let rules = rules.get(&c.key()).copied().unwrap_or_default();
            let gone_reason = gone_reasons.get(&c.key()).cloned().filter(|_| c.gone);
            CalendarView {
                rules,
                gone_reason,
                ..CalendarView::from(c)
            }
        })
        .collect()
}

impl From<CalendarRecord> for CalendarView {
    fn from(c: CalendarRecord) -> Self {
        Self {
            account: c.account,
            id: c.id,
            summary: c.summary,
            color: c.color,
            primary: c.primary,
            watched: c.watched,
            // Empty says "not known yet" (a calendar stored before roles were kept).
            access_role: c.access_role.unwrap_or_default(),
            gone: c.gone,
            gone_reason: None,
            rules: CalendarRules::default(),
        }
    }
}

/// One push channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelView {
    /// The channel id CalWatch chose.
    pub id: String,
    /// The account whose calendar it watches.
    pub account: String,
    /// The watched calendar.
    pub calendar_id: String,
    /// Its name, so the window need not look it up.
    pub calendar_name: String,
    /// When the channel was made (ms).
    pub created_at: i64,
    /// When Google stops delivering (ms); the window counts down to it.
    pub expires_at: i64,
    /// Its lifecycle state; the window draws a badge for each.
    pub state: ChannelState,
    /// Why it is in `error`.
    pub error: Option<String>,
    /// The last message number received.
    pub last_message: u64,
}

impl ChannelView {
    /// `names` maps calendars to their names; an unknown one shows as its id.
    pub fn new(c: ChannelRecord, names: &HashMap<CalendarKey, String>) -> Self {
        Self {
            calendar_name: names
                .get(&c.calendar())
                .cloned()
                .unwrap_or_else(|| c.calendar_id.clone()),
            id: c.id,
            account: c.account,
            calendar_id: c.calendar_id,
            created_at: c.created_ms,
            expires_at: c.expiration_ms,
            state: c.state,
            error: c.error,
            last_message: c.last_message_number,
        }
    }
}

/// Calendar names by calendar, for [`ChannelView::new`].
pub fn calendar_names(calendars: &[CalendarRecord]) -> HashMap<CalendarKey, String> {
    calendars
        .iter()
        .map(|c| (c.key(), c.summary.clone()))
        .collect()
}

/// The channels the window lists: every one but the stopped ones.
pub fn channel_views(
    channels: Vec<ChannelRecord>,
    calendars: &[CalendarRecord],
) -> Vec<ChannelView> {
    let names = calendar_names(calendars);
    channels
        .into_iter()
        .filter(|c| c.state != ChannelState::Stopped)
        .map(|c| ChannelView::new(c, &names))
        .collect()
}

/// One account's calendar-list channel (`calendarList.watch`): how a calendar shared with
/// the person shows up at once. Renewed like a calendar's channels; not stopped by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListChannelView {
    /// The channel id CalWatch chose.
    pub id: String,
    /// The account whose calendar list it watches.
    pub account: String,
    /// When the channel was made (ms).
    pub created_at: i64,
    /// When Google stops delivering (ms); the window counts down to it.
    pub expires_at: i64,
    /// Its lifecycle state.
    pub state: ChannelState,
    /// The last message number received.
    pub last_message: u64,
}

impl From<ListChannelRecord> for ListChannelView {
    fn from(c: ListChannelRecord) -> Self {
        Self {
            id: c.id,
            account: c.account,
            created_at: c.created_ms,
            expires_at: c.expiration_ms,
            state: c.state,
            last_message: c.last_message_number,
        }
    }
}

/// The list channels the window shows, oldest first (the store's order).
pub fn list_channel_views(channels: Vec<ListChannelRecord>) -> Vec<ListChannelView> {
    channels
        .into_iter()
        .filter(|c| c.state != ChannelState::Stopped)
        .map(ListChannelView::from)
        .collect()
}

/// One recorded change, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeView {
    /// The store's row id (newest is highest).
    pub id: i64,
    /// The account whose calendar it is (empty in history from before accounts).
    pub account: String,
    /// The event's calendar.
    pub calendar_id: String,
    /// Its name.
    pub calendar_name: String,
    /// What happened to the event.
    pub kind: ChangeKind,
    /// "Team sync moved": the toast's title.
    pub headline: String,
    /// "Tue 3 Dec, 10:00 → 11:00 · Work": the toast's body.
    pub body: String,
    /// What changed, field by field.
    pub diffs: Vec<FieldDiffView>,
    /// When CalWatch learnt of it (ms).
    pub received_at: i64,
    /// The event in Google Calendar.
    pub html_link: Option<String>,
    /// Why it raised no toast; `None` when it was told.
    pub silenced: Option<Silence>,
    /// The reason in words ("muted calendar", "quiet hours"), for the Activity list.
    pub silenced_why: Option<String>,
}

/// One field of an update, before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDiffView {
    /// Which field.
    pub field: Field,
    /// The old value, in words.
    pub before: String,
    /// The new value, in words.
    pub after: String,
}

impl FieldDiffView {
    /// Times are written in `tz`, the person's zone.
    pub fn new(d: &FieldDiff, tz: chrono_tz::Tz) -> Self {
        let (before, after) = d.readable(tz);
        Self {
            field: d.field,
            before,
            after,
        }
    }
}

impl ChangeView {
    /// Times in the body are written in `tz`, the person's zone.
    pub fn new(stored: &StoredChange, tz: chrono_tz::Tz) -> Self {
        let change = &stored.change;
        Self {
            id: stored.id,
            account: change.account.clone(),
            calendar_id: change.calendar_id.clone(),
            calendar_name: change.calendar_name.clone(),
            kind: change.kind,
            headline: change.headline(),
            body: change.body(tz),
            diffs: change
                .diffs
                .iter()
                .map(|d| FieldDiffView::new(d, tz))
                .collect(),
            received_at: stored.received_ms,
            html_link: change.event_link(),
            silenced: stored.silenced,
            silenced_why: stored.silenced.map(|s| s.words().to_string()),
        }
    }
}

/// Converts a batch, keeping its order.
pub fn change_views(changes: &[StoredChange], tz: chrono_tz::Tz) -> Vec<ChangeView> {
    changes.iter().map(|c| ChangeView::new(c, tz)).collect()
}

/// The person's time zone (IANA name from the OS), UTC when it cannot be told.
pub fn local_tz() -> chrono_tz::Tz {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| name.parse().ok())
        .unwrap_or(chrono_tz::UTC)
}

/// An event of the sandbox calendar, as the sandbox panel lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxEvent {
    /// Google's event id.
    pub id: String,
    /// Its calendar.
    pub calendar_id: String,
    /// Its title.
    pub summary: String,
    /// ISO 8601: a date-time, or a date for all-day events.
    pub start: String,
    /// Same form as `start`.
    pub end: String,
    /// True when `start` / `end` are dates.
    pub all_day: bool,
    /// Where.
    pub location: Option<String>,
}

impl SandboxEvent {
    /// Reads a Google Event JSON as fake-google returns it.
    pub fn from_google(calendar_id: &str, event: &serde_json::Value) -> Self {
        let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
        let when = |key: &str| {
            let t = &event[key];
            text(&t["dateTime"])
                .or_else(|| text(&t["date"]))
                .unwrap_or_default()
        };
        Self {
            id: text(&event["id"]).unwrap_or_default(),
            calendar_id: calendar_id.to_string(),
            summary: text(&event["summary"]).unwrap_or_default(),
            start: when("start"),
            end: when("end"),
            all_day: event["start"]["date"].is_string(),
            location: text(&event["location"]),
        }
    }

    /// True when the event is cancelled (fake-google keeps those, as Google does).
    pub fn is_cancelled(event: &serde_json::Value) -> bool {
        event["status"].as_str() == Some("cancelled")
    }
}

/// The reachability probe's report, step by step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeReportView {
    /// Every step passed.
    pub ok: bool,
    /// What was tried, in order.
    pub steps: Vec<ProbeStepView>,
    /// The round trip through the public URL, when it worked.
    pub rtt_ms: Option<f64>,
}

/// One step of the probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeStepView {
    /// What was checked.
    pub name: String,
    /// Whether it passed.
    pub ok: bool,
    /// What was seen.
    pub detail: String,
}

impl From<calwatch_core::receiver::ProbeReport> for ProbeReportView {
    fn from(r: calwatch_core::receiver::ProbeReport) -> Self {
        Self {
            ok: r.ok,
            steps: r
                .steps
                .into_iter()
                .map(|s| ProbeStepView {
                    name: s.name,
                    ok: s.ok,
                    detail: s.detail,
                })
                .collect(),
            rtt_ms: r.rtt_ms,
        }
    }
}

/// The channel views, with their calendars' names (ids stand in when the calendar list
/// cannot be read).
pub fn channels(engine: &calwatch_core::engine::Engine) -> Result<Vec<ChannelView>, UiError> {
    let channels = engine.channels()?;
    let calendars = engine.calendars().unwrap_or_default();
    Ok(channel_views(channels, &calendars))
}

#[cfg(test)]
mod tests {
    use super::*;
    use calwatch_core::notice::{Change, EventTime};
    use chrono::TimeZone;

    fn at(hour: u32) -> EventTime {
        EventTime::at(
            chrono::FixedOffset::east_opt(0)
                .unwrap()
                .with_ymd_and_hms(2026, 12, 3, hour, 0, 0)
                .unwrap(),
        )
    }

    #[test]
    fn a_moved_event_shows_its_old_and_new_times_in_words() {
        let stored = StoredChange {
            id: 7,
            batch_id: 1,
            away: false,
            received_ms: 1_000,
            delivered: true,
            silenced: None,
            change: Change {
                account: String::new(),
                calendar_id: "work".into(),
                calendar_name: "Work".into(),
                event_id: "e1".into(),
                kind: ChangeKind::Updated,
                title: "Team sync".into(),
                start: Some(at(11)),
                end: Some(at(12)),
                diffs: vec![FieldDiff::time(
                    &at(10),
                    Some(&at(11)),
                    &at(11),
                    Some(&at(12)),
                )],
                html_link: None,
                facts: Default::default(),
            },
        };
        let view = ChangeView::new(&stored, chrono_tz::UTC);
        assert_eq!(view.headline, "Team sync moved");
        assert_eq!(view.diffs.len(), 1);
        assert_eq!(view.diffs[0].field, Field::Time);
        assert_eq!(
            (view.diffs[0].before.as_str(), view.diffs[0].after.as_str()),
            ("Thu 3 Dec, 10:00–11:00", "Thu 3 Dec, 11:00–12:00"),
            "the Activity list must show times a person reads, not the stored encoding"
        );
    }
}

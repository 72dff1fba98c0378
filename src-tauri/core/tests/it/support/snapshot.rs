//! Event snapshots as the store keeps them, built from the few fields a test cares about.

use calwatch_core::notice::EventTime;
use calwatch_core::store::EventSnapshot;

use super::store::at;

/// A confirmed, timed, single (non-repeating) event `event_id` in `calendar_id`: no title,
/// 2024-12-03 10:00–11:00 UTC, nothing else known. Change what the test is about, then
/// [`SnapshotBuilder::build`].
pub fn snapshot(calendar_id: &str, event_id: &str) -> SnapshotBuilder {
    SnapshotBuilder(EventSnapshot {
        calendar_id: calendar_id.into(),
        event_id: event_id.into(),
        summary: String::new(),
        start: at("2024-12-03T10:00:00Z"),
        end: at("2024-12-03T11:00:00Z"),
        all_day: false,
        location: None,
        description: None,
        status: "confirmed".into(),
        self_response: None,
        recurring_event_id: None,
        original_start: None,
        html_link: None,
        recurrence: Some(Vec::new()),
        people: None,
        meeting_link: None,
    })
}

/// An [`EventSnapshot`] being put together; see [`snapshot`].
pub struct SnapshotBuilder(EventSnapshot);

impl SnapshotBuilder {
    /// Its title.
    pub fn summary(mut self, summary: &str) -> Self {
        self.0.summary = summary.into();
        self
    }

    /// When it starts and ends.
    pub fn during(mut self, start: EventTime, end: EventTime) -> Self {
        self.0.start = start;
        self.0.end = end;
        self
    }

    /// All-day rather than timed (the times stay as given).
    pub fn all_day(mut self) -> Self {
        self.0.all_day = true;
        self
    }

    /// Where.
    pub fn location(mut self, location: &str) -> Self {
        self.0.location = Some(location.into());
        self
    }

    /// Its description text.
    pub fn description(mut self, description: &str) -> Self {
        self.0.description = Some(description.into());
        self
    }

    /// The signed-in user's own response.
    pub fn self_response(mut self, response: &str) -> Self {
        self.0.self_response = Some(response.into());
        self
    }

    /// An instance of series `series_id`, originally starting at `original_start`.
    pub fn instance_of(mut self, series_id: &str, original_start: EventTime) -> Self {
        self.0.recurring_event_id = Some(series_id.into());
        self.0.original_start = Some(original_start);
        self
    }

    /// Google's link to it.
    pub fn html_link(mut self, link: &str) -> Self {
        self.0.html_link = Some(link.into());
        self
    }

    /// Its own `recurrence` lines.
    pub fn recurrence(mut self, lines: &[&str]) -> Self {
        self.0.recurrence = Some(lines.iter().map(|l| l.to_string()).collect());
        self
    }

    /// The snapshot.
    pub fn build(self) -> EventSnapshot {
        self.0
    }
}

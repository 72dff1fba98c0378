//! Entry points for the fuzz targets under `fuzz/` (feature `fuzzing`, never in the app):
//! Google's answers go through the same decoding and error mapping the client uses, without
//! a network in between, so a fuzzer can try millions of bodies a minute.

use axum::http::StatusCode;

use super::errors::{classify, ErrorBody, Verdict};
use super::types::wire;
use super::{CalendarListEntry, Event, GoogleError};

/// An `events.list` page as the client decodes it; `None` when the client would report it
/// as undecodable.
pub fn events_page(body: &[u8]) -> Option<Vec<Event>> {
    serde_json::from_slice::<wire::EventsPage>(body)
        .ok()
        .map(|page| page.items)
}

/// A `calendarList.list` page as the client decodes it.
pub fn calendar_list_page(body: &[u8]) -> Option<Vec<CalendarListEntry>> {
    serde_json::from_slice::<wire::CalendarListPage>(body)
        .ok()
        .map(|page| page.items)
}

/// What the client makes of an error answer: the error a person would be shown (code and
/// sentence), or `None` when the client refreshes the token and tries again.
pub fn error_answer(status: u16, body: &[u8]) -> Option<(&'static str, String)> {
    let status = StatusCode::from_u16(status).ok()?;
    let error: GoogleError = match classify(status, &ErrorBody::parse(body), None) {
        Verdict::Refresh => return None,
        Verdict::Retry(e) | Verdict::Fail(e) => e,
    };
    Some((error.code(), error.to_string()))
}

//! Google's JSON: the first byte picks an `events.list` page, a `calendarList.list` page or
//! an error answer (with a status from the second byte); the rest is the body. Decoded
//! events are then classified (a baseline of the page, then the page again as a delta
//! against it) and every change worded, as the sync does with what Google sends.

#![no_main]

use calwatch_core::google::fuzzing::{calendar_list_page, error_answer, events_page};
use calwatch_core::sync::classify::{baseline, classify_delta, classify_full, CalendarRef};
use libfuzzer_sys::fuzz_target;

const STATUSES: [u16; 12] = [400, 401, 403, 404, 409, 410, 429, 500, 502, 503, 302, 418];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    match selector % 3 {
        0 => {
            let Some(events) = events_page(body) else {
                return;
            };
            let calendar = CalendarRef {
                id: "me@example.com",
                name: "Me",
            };
            let known = baseline(calendar.id, &events)
                .upserts
                .into_iter()
                .map(|s| (s.event_id.clone(), s))
                .collect();
            let delta = classify_delta(calendar, &known, &events);
            let full = classify_full(calendar, &Default::default(), &events);
            for change in delta.changes.iter().chain(&full.changes) {
                let _ = change.headline();
                let _ = change.body(chrono_tz::Tz::UTC);
                let _ = change.body(chrono_tz::Tz::Pacific__Kiritimati);
            }
        }
        1 => {
            if let Some(entries) = calendar_list_page(body) {
                for entry in entries {
                    let _ = entry.display_name();
                }
            }
        }
        _ => {
            let Some((&status, body)) = body.split_first() else {
                return;
            };
            let status = STATUSES[usize::from(status) % STATUSES.len()];
            if let Some((code, sentence)) = error_answer(status, body) {
                assert!(!code.is_empty() && !sentence.is_empty());
            }
        }
    }
});

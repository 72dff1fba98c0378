//! RRULE parsing and wording: the text is read as a series' `recurrence` lines (a DTSTART
//! line names its first occurrence), worded in two time zones, its end worked out, and the
//! rule compared with itself, as the change wording does for "repeats" diffs.

#![no_main]

use calwatch_core::event_time::EventTime;
use calwatch_core::notice::FieldDiff;
use calwatch_core::recurrence::{self, Series};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let series = Series::decode(text);
    let _ = series.words(chrono_tz::Tz::UTC);
    let _ = series.words(chrono_tz::Tz::America__St_Johns);
    let _ = series.last_occurrence();
    let _ = series.has_end();
    assert!(
        !series.words(chrono_tz::Tz::UTC).is_empty(),
        "a rule always reads as something"
    );

    // The same lines as Google's `recurrence` field of an event starting at a fixed time.
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let rules = recurrence::rules(&lines);
    assert!(recurrence::same_rules(&rules, &rules));
    let start = EventTime::decode("2026-12-01T10:00:00+01:00").expect("a start");
    let diff = FieldDiff::repeats(&start, &[], &start, &rules);
    let _ = Series::decode(&diff.after).words(chrono_tz::Tz::Europe__London);
});

//! Days and times as the locale writes them: "Thu 3 Dec, 11:00" (en-GB),
//! "Thu, Dec 3, 11:00 AM" (en-US), "12월 3일 (목) 오전 11:00" (ko), from ICU4X's CLDR data.
//!
//! Only the Gregorian calendar's data is compiled in (the fixed-calendar formatters), which
//! keeps the binary small; the window formats the same fields with the platform's
//! `Intl.DateTimeFormat` for the same tag and hour cycle, so both agree.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use icu_calendar::Gregorian;
use icu_datetime::fieldsets;
use icu_datetime::input::{Date, DateTime, Time};
use icu_datetime::preferences::HourCycle as IcuHourCycle;
use icu_datetime::{
    DateTimeFormatterPreferences, FixedCalendarDateTimeFormatter, NoCalendarFormatter,
};

use super::{HourCycle, Locale};

/// Formats `$at` with a fixed-calendar formatter for the field set `$fields`, `None` when
/// the data has no pattern for it (never for the compiled-in locales).
macro_rules! format_with {
    ($prefs:expr, $fields:expr, $at:expr) => {
        FixedCalendarDateTimeFormatter::<Gregorian, _>::try_new($prefs, $fields)
            .ok()
            .map(|formatter| formatter.format(&$at).to_string())
    };
}

impl Locale {
    fn preferences(&self) -> DateTimeFormatterPreferences {
        let locale = icu_locale_core::Locale::try_from_str(&self.dates)
            .unwrap_or(icu_locale_core::locale!("en-GB"));
        let mut prefs = DateTimeFormatterPreferences::from(&locale);
        prefs.hour_cycle = match self.hours {
            HourCycle::Automatic => None,
            HourCycle::H12 => Some(IcuHourCycle::Clock12),
            HourCycle::H24 => Some(IcuHourCycle::Clock24),
        };
        prefs
    }

    /// A day with its weekday: "Thu 3 Dec", "Thu, Dec 3", "12월 3일 (목)".
    pub fn day(&self, date: NaiveDate) -> String {
        icu_date(date)
            .and_then(|d| format_with!(self.preferences(), fieldsets::MDE::medium(), d))
            .unwrap_or_else(|| date.to_string())
    }

    /// A day without its weekday: "3 Dec", "Dec 3", "12월 3일"; with the year when asked.
    pub fn month_day(&self, date: NaiveDate, with_year: bool) -> String {
        icu_date(date)
            .and_then(|d| {
                if with_year {
                    format_with!(self.preferences(), fieldsets::YMD::long(), d)
                } else {
                    format_with!(self.preferences(), fieldsets::MD::medium(), d)
                }
            })
            .unwrap_or_else(|| date.to_string())
    }

    /// A time of day to the minute: "11:00", "11:00 AM", "오전 11:00".
    pub fn time(&self, time: NaiveTime) -> String {
        icu_time(time)
            .and_then(|t| {
                NoCalendarFormatter::try_new(self.preferences(), fieldsets::T::hm())
                    .ok()
                    .map(|formatter| formatter.format(&t).to_string())
            })
            .unwrap_or_else(|| time.format("%H:%M").to_string())
    }

    /// A day and a time: "Thu 3 Dec, 11:00", "Thu, Dec 3, 11:00 AM", "12월 3일 (목) 오전 11:00".
    pub fn day_time(&self, date: NaiveDate, time: NaiveTime) -> String {
        icu_date_time(date, time)
            .and_then(|at| {
                format_with!(
                    self.preferences(),
                    fieldsets::MDE::medium().with_time_hm(),
                    at
                )
            })
            .unwrap_or_else(|| format!("{date} {}", time.format("%H:%M")))
    }

    /// A weekday and a time, for a moment within the week: "Fri 07:00", "(금) 오전 7:00".
    pub fn weekday_time(&self, date: NaiveDate, time: NaiveTime) -> String {
        icu_date_time(date, time)
            .and_then(|at| {
                format_with!(self.preferences(), fieldsets::E::short().with_time_hm(), at)
            })
            .unwrap_or_else(|| format!("{date} {}", time.format("%H:%M")))
    }
}

fn icu_date_time(date: NaiveDate, time: NaiveTime) -> Option<DateTime<Gregorian>> {
    Some(DateTime {
        date: icu_date(date)?,
        time: icu_time(time)?,
    })
}

fn icu_date(date: NaiveDate) -> Option<Date<Gregorian>> {
    let month = u8::try_from(date.month()).ok()?;
    let day = u8::try_from(date.day()).ok()?;
    Date::try_new_gregorian(date.year(), month, day).ok()
}

fn icu_time(time: NaiveTime) -> Option<Time> {
    let hour = u8::try_from(time.hour()).ok()?;
    let minute = u8::try_from(time.minute()).ok()?;
    Time::try_new(hour, minute, 0, 0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thursday() -> (NaiveDate, NaiveTime) {
        (
            NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
            NaiveTime::from_hms_opt(11, 0, 0).unwrap(),
        )
    }

    #[test]
    fn each_locale_writes_day_and_time_its_own_way() {
        let (date, time) = thursday();
        let cases = [
            ("ko-KR", "12월 3일 (목) 오전 11:00"),
            ("en-US", "Thu, Dec 3, 11:00\u{202f}AM"),
            ("en-GB", "Thu 3 Dec, 11:00"),
        ];
        for (tag, expected) in cases {
            let locale = Locale::of_tag(tag);
            assert_eq!(locale.day_time(date, time), expected, "{tag}");
        }
    }

    #[test]
    fn the_hour_cycle_choice_beats_the_locales_habit() {
        let (date, _) = thursday();
        let afternoon = NaiveTime::from_hms_opt(14, 5, 0).unwrap();
        let us24 = Locale::new(super::super::Language::En, "en-US", HourCycle::H24);
        assert_eq!(us24.time(afternoon), "14:05");
        let gb12 = Locale::new(super::super::Language::En, "en-GB", HourCycle::H12);
        assert_eq!(gb12.time(afternoon), "2:05\u{202f}pm");
        let morning = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        assert_eq!(
            Locale::of_tag("en-GB").day_time(date, morning),
            "Thu 3 Dec, 09:00",
            "the window writes the same (its dayTime)"
        );
        let ko24 = Locale::new(super::super::Language::Ko, "ko-KR", HourCycle::H24);
        assert_eq!(ko24.day_time(date, afternoon), "12월 3일 (목) 14:05");
    }

    #[test]
    fn days_with_and_without_the_year() {
        let (date, _) = thursday();
        assert_eq!(Locale::of_tag("en-GB").month_day(date, false), "3 Dec");
        assert_eq!(
            Locale::of_tag("en-GB").month_day(date, true),
            "3 December 2026"
        );
        assert_eq!(Locale::of_tag("ko-KR").month_day(date, false), "12월 3일");
        assert_eq!(
            Locale::of_tag("ko-KR").month_day(date, true),
            "2026년 12월 3일"
        );
        assert_eq!(Locale::of_tag("ko-KR").day(date), "12월 3일 (목)");
    }
}

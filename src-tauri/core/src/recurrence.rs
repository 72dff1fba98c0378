//! A recurring series' rule: which of Google's `recurrence` lines are compared, how a
//! series is written into a [`FieldDiff`](crate::notice::FieldDiff), the rule in words
//! ("weekly on Tue until 8 Dec") and the series' last occurrence.
//!
//! Only the common shapes are understood (FREQ DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL,
//! BYDAY, BYMONTHDAY, COUNT, UNTIL, WKST); anything else is shown as Google wrote it.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

use crate::event_time::EventTime;
use crate::locale::{self, Locale};

/// No series is followed further than this many occurrences looking for its end.
const MAX_OCCURRENCES: u16 = 10_000;

/// Google's `recurrence` lines that make the series: the RRULEs and the EXDATEs, as
/// Google wrote them.
///
/// RDATE lines are left out: they add single occurrences, which Google reports as
/// instances of the series, told on their own. EXDATEs are kept for the series' end (the
/// last occurrence may be one taken out), not compared: see [`same_rules`].
pub fn rules(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|line| line.trim())
        .filter(|line| is_rrule(line) || line_name(line).eq_ignore_ascii_case("EXDATE"))
        .map(str::to_string)
        .collect()
}

/// Whether two lists of [`rules`] repeat the same way, even with their parts in another
/// order. Excluded dates do not count: a deleted occurrence is told on its own.
pub fn same_rules(a: &[String], b: &[String]) -> bool {
    let rrules = |lines: &[String]| -> Vec<Vec<String>> {
        lines
            .iter()
            .filter(|l| is_rrule(l))
            .map(|l| normalised(l))
            .collect()
    };
    rrules(a) == rrules(b)
}

/// A content line's name ("RRULE", "EXDATE", "DTSTART").
fn line_name(line: &str) -> &str {
    line.split_once([':', ';']).map_or(line, |(name, _)| name)
}

fn is_rrule(line: &str) -> bool {
    line_name(line.trim()).eq_ignore_ascii_case("RRULE")
}

/// An RRULE with its parts upper-cased and sorted.
fn normalised(rule: &str) -> Vec<String> {
    let value = rule.split_once(':').map_or(rule, |(_, value)| value);
    let mut parts: Vec<String> = value
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    parts.sort();
    parts
}

/// A series as a diff value: its first occurrence (`DTSTART`, in the series' zone) and its
/// rules, one iCalendar line each. Empty when the event does not repeat.
pub fn encode(start: &EventTime, rules: &[String]) -> String {
    if rules.is_empty() {
        return String::new();
    }
    let dtstart = match start {
        EventTime::Date { date } => format!("DTSTART;VALUE=DATE:{}", date.format("%Y%m%d")),
        EventTime::DateTime {
            date_time,
            time_zone,
        } => match time_zone
            .as_deref()
            .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
        {
            Some(zone) => format!(
                "DTSTART;TZID={zone}:{}",
                date_time.with_timezone(&zone).format("%Y%m%dT%H%M%S")
            ),
            None => format!(
                "DTSTART:{}",
                date_time.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ")
            ),
        },
    };
    std::iter::once(dtstart)
        .chain(rules.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A decoded [`encode`] value.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The first occurrence, when the value carried one that could be read.
    start: Option<Start>,
    /// The DTSTART line as written, for the expansion.
    dtstart: Option<String>,
    /// The EXDATE lines: occurrences taken out, which move the series' last one.
    exdates: Vec<String>,
    /// The RRULE lines as written.
    raw: Vec<String>,
    /// The same, understood; `None` when any of them is beyond what is understood.
    rules: Option<Vec<Rule>>,
}

/// When a series starts, in the terms its rule is expanded in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Start {
    /// An all-day series.
    Date(NaiveDate),
    /// A timed series: the wall-clock time in its zone (`None`: UTC).
    Local(NaiveDateTime, Option<chrono_tz::Tz>),
}

impl Start {
    fn date(&self) -> NaiveDate {
        match self {
            Start::Date(date) => *date,
            Start::Local(at, _) => at.date(),
        }
    }
}

/// One occurrence: a day, or a wall-clock time in the series' zone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Occurrence {
    /// An occurrence of an all-day series.
    Date(NaiveDate),
    /// An occurrence of a timed series.
    At {
        /// The day and time in the series' own zone.
        local: NaiveDateTime,
        /// The same moment.
        instant: DateTime<Utc>,
    },
}

impl Occurrence {
    /// The day it falls on in the series' own zone.
    pub fn local_date(&self) -> NaiveDate {
        match self {
            Occurrence::Date(date) => *date,
            Occurrence::At { local, .. } => local.date(),
        }
    }

    /// The day it falls on for a reader in `tz`.
    pub fn date_in(&self, tz: chrono_tz::Tz) -> NaiveDate {
        match self {
            Occurrence::Date(date) => *date,
            Occurrence::At { instant, .. } => instant.with_timezone(&tz).date_naive(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// The end of a rule as written: a day, a UTC moment, or a wall-clock time in the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    Date(NaiveDate),
    Utc(DateTime<Utc>),
    Floating(NaiveDateTime),
}

/// One understood RRULE.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    freq: Freq,
    interval: u32,
    /// BYDAY: the weekday and, for MONTHLY, which one in the month (1, 2, …, -1 = last).
    by_day: Vec<(Option<i32>, Weekday)>,
    /// BYMONTHDAY (MONTHLY only; negative counts from the month's end).
    by_month_day: Vec<i32>,
    count: Option<u32>,
    until: Option<Until>,
    /// WKST: where a week starts, which matters for "every 2 weeks on Mon, Sun".
    week_start: Weekday,
}

impl Rule {
    fn parse(line: &str) -> Option<Rule> {
        let (name, value) = line.trim().split_once(':')?;
        if !name.eq_ignore_ascii_case("RRULE") {
            return None;
        }
        let mut rule = Rule {
            freq: Freq::Daily,
            interval: 1,
            by_day: Vec::new(),
            by_month_day: Vec::new(),
            count: None,
            until: None,
            week_start: Weekday::Mon,
        };
        let mut freq = None;
        for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, val) = part.split_once('=')?;
            match key.to_ascii_uppercase().as_str() {
                "FREQ" => {
                    freq = Some(match val.to_ascii_uppercase().as_str() {
                        "DAILY" => Freq::Daily,
                        "WEEKLY" => Freq::Weekly,
                        "MONTHLY" => Freq::Monthly,
                        "YEARLY" => Freq::Yearly,
                        _ => return None,
                    })
                }
                "INTERVAL" => rule.interval = val.parse().ok().filter(|n| *n > 0)?,
                "COUNT" => rule.count = Some(val.parse().ok().filter(|n| *n > 0)?),
                "UNTIL" => rule.until = Some(parse_until(val)?),
                "WKST" => rule.week_start = weekday(val)?,
                "BYDAY" => rule.by_day = val.split(',').map(by_day).collect::<Option<Vec<_>>>()?,
                "BYMONTHDAY" => {
                    rule.by_month_day = val
                        .split(',')
                        .map(|d| {
                            d.trim()
                                .parse()
                                .ok()
                                .filter(|d: &i32| (1..=31).contains(&d.abs()))
                        })
                        .collect::<Option<Vec<_>>>()?
                }
                _ => return None,
            }
        }
        rule.freq = freq?;
        let ordinals = rule.by_day.iter().any(|(n, _)| n.is_some());
        let fits = match rule.freq {
            Freq::Daily | Freq::Weekly => !ordinals && rule.by_month_day.is_empty(),
            Freq::Monthly => {
                !(ordinals && rule.by_day.iter().any(|(n, _)| n.is_none()))
                    && (rule.by_day.is_empty() || rule.by_month_day.is_empty())
            }
            Freq::Yearly => rule.by_day.is_empty() && rule.by_month_day.is_empty(),
        };
        (fits && !(rule.count.is_some() && rule.until.is_some())).then_some(rule)
    }

    /// The same rule without its end, to tell "ends elsewhere" from "repeats differently".
    fn without_end(&self) -> Rule {
        Rule {
            count: None,
            until: None,
            ..self.clone()
        }
    }

    /// "weekly on Tue", "every 2 months on the last Fri", "yearly on 3 Dec".
    fn pattern_words(&self, start: Option<Start>, locale: &Locale) -> String {
        let id = match self.freq {
            Freq::Daily => "rule-daily",
            Freq::Weekly => "rule-weekly",
            Freq::Monthly => "rule-monthly",
            Freq::Yearly => "rule-yearly",
        };
        let text = locale.text(id, &[("interval", self.interval.into())]);
        let day_name = |d: Weekday| locale.text("weekday", &[("day", weekday_key(d).into())]);
        let list = |items: Vec<String>| {
            items
                .into_iter()
                .reduce(|first, second| {
                    locale.text(
                        "list-and",
                        &[("first", first.into()), ("second", second.into())],
                    )
                })
                .unwrap_or_default()
        };
        let days = |list_of: &[(Option<i32>, Weekday)]| {
            list(
                list_of
                    .iter()
                    .map(|(n, d)| match n {
                        Some(n) if *n < -2 => locale.text(
                            "nth-weekday-from-last",
                            &[("n", (-n).into()), ("day", day_name(*d).into())],
                        ),
                        Some(n) => locale.text(
                            "nth-weekday",
                            &[("n", (*n).into()), ("day", day_name(*d).into())],
                        ),
                        None => day_name(*d),
                    })
                    .collect(),
            )
        };
        let month_days = |list_of: Vec<i32>| {
            let items = list_of
                .into_iter()
                .map(|d| match d {
                    -1 => locale.text("month-day-last", &[]),
                    d if d < 0 => locale.text("month-day-from-last", &[("n", (-d).into())]),
                    d => locale.text("month-day", &[("n", d.into())]),
                })
                .collect();
            locale.text("rule-month-day", &[("days", list(items).into())])
        };
        let on = match self.freq {
            Freq::Daily if !self.by_day.is_empty() => Some(days(&self.by_day)),
            Freq::Daily => None,
            Freq::Weekly if !self.by_day.is_empty() => Some(days(&self.by_day)),
            Freq::Weekly => start.map(|s| day_name(s.date().weekday())),
            Freq::Monthly if !self.by_day.is_empty() => Some(days(&self.by_day)),
            Freq::Monthly if !self.by_month_day.is_empty() => {
                Some(month_days(self.by_month_day.clone()))
            }
            Freq::Monthly => start.map(|s| month_days(vec![s.date().day() as i32])),
            Freq::Yearly => start.map(|s| locale.month_day(s.date(), false)),
        };
        match on {
            Some(on) => locale.text("rule-on", &[("rule", text.into()), ("on", on.into())]),
            None => text,
        }
    }
}

impl Series {
    /// Reads an [`encode`] value; an empty one is a series that does not repeat.
    pub fn decode(text: &str) -> Series {
        let mut start = None;
        let mut dtstart = None;
        let mut raw = Vec::new();
        let mut exdates = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let name = line
                .split_once([':', ';'])
                .map_or(line, |(name, _)| name)
                .to_ascii_uppercase();
            match (name.as_str(), line.split_once(':')) {
                ("DTSTART", Some((params, value))) => {
                    start = parse_start(params, value);
                    dtstart = Some(line.to_string());
                }
                ("EXDATE", _) => exdates.push(line.to_string()),
                _ => raw.push(line.to_string()),
            }
        }
        let rules = raw.iter().map(|l| Rule::parse(l)).collect();
        Series {
            start,
            dtstart,
            exdates,
            raw,
            rules,
        }
    }

    /// Whether there is any rule at all.
    pub fn repeats(&self) -> bool {
        !self.raw.is_empty()
    }

    /// Whether `other` repeats the same way and only ends elsewhere (or no longer ends).
    pub fn same_but_for_the_end(&self, other: &Series) -> bool {
        match (&self.rules, &other.rules) {
            (Some(a), Some(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(a, b)| a.without_end() == b.without_end())
            }
            _ => false,
        }
    }

    /// Whether the series has an end (a COUNT or an UNTIL), understood or not.
    pub fn has_end(&self) -> bool {
        match &self.rules {
            Some(rules) => rules.iter().all(|r| r.count.is_some() || r.until.is_some()),
            None => self.raw.iter().all(|l| {
                let upper = l.to_ascii_uppercase();
                upper.contains("COUNT=") || upper.contains("UNTIL=")
            }),
        }
    }

    /// The series' last occurrence, expanded by the `rrule` crate (RFC 5545: every rule
    /// shape, the series' zone, its EXDATEs); `None` for a series without an end or one
    /// that cannot be expanded.
    pub fn last_occurrence(&self) -> Option<Occurrence> {
        let start = self.start?;
        if !self.repeats() || !self.has_end() {
            return None;
        }
        let text = std::iter::once(self.dtstart.clone()?)
            .chain(self.raw.iter().cloned())
            .chain(self.exdates.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n");
        let set: rrule::RRuleSet = text
            .parse()
            .map_err(|e| tracing::debug!(error = %e, "a series rule the expansion refuses"))
            .ok()?;
        let expanded = set.all(MAX_OCCURRENCES);
        if expanded.limited {
            // Longer than we follow: its end is too far off to name.
            return None;
        }
        let last = expanded.dates.last()?;
        Some(match start {
            Start::Date(_) => Occurrence::Date(last.date_naive()),
            Start::Local(..) => Occurrence::At {
                local: last.naive_local(),
                instant: last.with_timezone(&Utc),
            },
        })
    }

    /// The rule in words in the locale in effect.
    pub fn words(&self, tz: chrono_tz::Tz) -> String {
        self.words_in(tz, &locale::current())
    }

    /// The rule in words, dates as a reader in `tz` sees them: "weekly on Tue until 8 Dec",
    /// "every 2 days, 10 times", "does not repeat"; the rule as written when it is beyond
    /// what is understood.
    pub fn words_in(&self, tz: chrono_tz::Tz, locale: &Locale) -> String {
        if !self.repeats() {
            return locale.text("rule-none", &[]);
        }
        let Some(rules) = &self.rules else {
            return self.raw.join("\n");
        };
        rules
            .iter()
            .map(|rule| {
                let text = rule.pattern_words(self.start, locale);
                if let Some(count) = rule.count {
                    locale.text(
                        "rule-count",
                        &[("rule", text.into()), ("count", count.into())],
                    )
                } else if let Some(until) = rule.until {
                    let last = if rules.len() == 1 {
                        self.last_occurrence()
                    } else {
                        None
                    };
                    let date = match last {
                        Some(occurrence) => occurrence.date_in(tz),
                        None => until_date(until, tz),
                    };
                    let same_year = self.start.is_some_and(|s| s.date().year() == date.year());
                    let date = locale.month_day(date, !same_year);
                    locale.text(
                        "rule-until",
                        &[("rule", text.into()), ("date", date.into())],
                    )
                } else {
                    text
                }
            })
            .reduce(|first, second| {
                locale.text(
                    "rule-and",
                    &[("first", first.into()), ("second", second.into())],
                )
            })
            .unwrap_or_default()
    }
}

fn until_date(until: Until, tz: chrono_tz::Tz) -> NaiveDate {
    match until {
        Until::Date(date) => date,
        Until::Utc(at) => at.with_timezone(&tz).date_naive(),
        Until::Floating(at) => at.date(),
    }
}

fn parse_start(name: &str, value: &str) -> Option<Start> {
    let params: Vec<&str> = name.split(';').skip(1).collect();
    if params.iter().any(|p| p.eq_ignore_ascii_case("VALUE=DATE")) {
        return NaiveDate::parse_from_str(value, "%Y%m%d")
            .ok()
            .map(Start::Date);
    }
    let zone = params
        .iter()
        .find_map(|p| p.strip_prefix("TZID="))
        .and_then(|z| z.parse::<chrono_tz::Tz>().ok());
    let local = NaiveDateTime::parse_from_str(value.trim_end_matches('Z'), "%Y%m%dT%H%M%S").ok()?;
    Some(Start::Local(local, zone))
}

fn parse_until(value: &str) -> Option<Until> {
    let value = value.trim();
    if let Some(utc) = value.strip_suffix('Z') {
        let at = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
        return Some(Until::Utc(Utc.from_utc_datetime(&at)));
    }
    if value.contains('T') {
        return NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S")
            .ok()
            .map(Until::Floating);
    }
    NaiveDate::parse_from_str(value, "%Y%m%d")
        .ok()
        .map(Until::Date)
}

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code.trim().to_ascii_uppercase().as_str() {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

/// "TU" → (None, Tue); "2TU" → (Some(2), Tue); "-1FR" → (Some(-1), Fri).
fn by_day(text: &str) -> Option<(Option<i32>, Weekday)> {
    let text = text.trim();
    let split = text.len().checked_sub(2)?;
    let (n, day) = text.split_at_checked(split)?;
    let n = match n {
        "" => None,
        n => Some(n.parse::<i32>().ok().filter(|n| *n != 0 && n.abs() <= 5)?),
    };
    Some((n, weekday(day)?))
}

/// The catalogue's key for a weekday (`weekday` selects its name on it).
fn weekday_key(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;
    use chrono_tz::Europe::London;

    /// A series starting Tue 1 Dec 2026 09:00 New York time with these rules.
    fn standup(rules: &[&str]) -> Series {
        let start = EventTime::DateTime {
            date_time: DateTime::parse_from_rfc3339("2026-12-01T09:00:00-05:00").unwrap(),
            time_zone: Some("America/New_York".into()),
        };
        let lines: Vec<String> = rules.iter().map(|r| r.to_string()).collect();
        Series::decode(&encode(&start, &self::rules(&lines)))
    }

    fn words(rule: &str) -> String {
        standup(&[rule]).words(New_York)
    }

    #[test]
    fn each_frequency_reads_in_words_with_its_interval() {
        assert_eq!(words("RRULE:FREQ=DAILY"), "daily");
        assert_eq!(words("RRULE:FREQ=DAILY;INTERVAL=3"), "every 3 days");
        assert_eq!(
            words("RRULE:FREQ=WEEKLY"),
            "weekly on Tue",
            "the start's day"
        );
        assert_eq!(
            words("RRULE:FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=MO,WE"),
            "every 2 weeks on Mon, Wed"
        );
        assert_eq!(words("RRULE:FREQ=MONTHLY"), "monthly on day 1");
        assert_eq!(
            words("RRULE:FREQ=MONTHLY;BYMONTHDAY=15"),
            "monthly on day 15"
        );
        assert_eq!(
            words("RRULE:FREQ=MONTHLY;BYDAY=1TU"),
            "monthly on the 1st Tue"
        );
        assert_eq!(
            words("RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR"),
            "every 2 months on the last Fri"
        );
        assert_eq!(words("RRULE:FREQ=YEARLY"), "yearly on 1 Dec");
    }

    #[test]
    fn count_and_until_say_how_the_series_ends() {
        assert_eq!(words("RRULE:FREQ=DAILY;COUNT=10"), "daily, 10 times");
        assert_eq!(words("RRULE:FREQ=DAILY;COUNT=1"), "daily, once");
        assert_eq!(
            words("RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20261215T045959Z"),
            "weekly on Tue until 8 Dec",
            "until names the last occurrence, not Google's end-of-day cut"
        );
        assert_eq!(
            words("RRULE:FREQ=MONTHLY;UNTIL=20270301T000000Z"),
            "monthly on day 1 until 1 February 2027",
            "another year is said"
        );
    }

    #[test]
    fn the_until_date_is_the_readers_day() {
        // 23:30 in New York is already the next day in London.
        let start = EventTime::DateTime {
            date_time: DateTime::parse_from_rfc3339("2026-12-01T23:30:00-05:00").unwrap(),
            time_zone: Some("America/New_York".into()),
        };
        let rules = rules(&["RRULE:FREQ=DAILY;UNTIL=20261204T045959Z".to_string()]);
        let series = Series::decode(&encode(&start, &rules));
        assert_eq!(series.words(New_York), "daily until 3 Dec");
        assert_eq!(series.words(London), "daily until 4 Dec");
        assert_eq!(
            series.last_occurrence().map(|o| o.local_date()),
            NaiveDate::from_ymd_opt(2026, 12, 3),
            "in the series' own zone it is the 3rd"
        );
    }

    #[test]
    fn rules_beyond_the_common_shapes_are_shown_as_written() {
        let odd = "RRULE:FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR";
        assert_eq!(words(odd), odd);
        assert_eq!(words("RRULE:FREQ=HOURLY"), "RRULE:FREQ=HOURLY");
        assert_eq!(standup(&[]).words(New_York), "does not repeat");
        assert_eq!(
            standup(&["EXDATE;TZID=America/New_York:20261208T090000"]).words(New_York),
            "does not repeat",
            "an excluded date alone is no rule"
        );
    }

    #[test]
    fn the_same_rule_written_in_another_order_is_the_same_rule() {
        assert!(same_rules(
            &rules(&["RRULE:BYDAY=TU;FREQ=WEEKLY;WKST=SU".to_string()]),
            &rules(&[" rrule:FREQ=WEEKLY;WKST=SU;BYDAY=TU".to_string()])
        ));
        assert!(!same_rules(
            &rules(&["RRULE:FREQ=WEEKLY;BYDAY=TU".to_string()]),
            &rules(&["RRULE:FREQ=WEEKLY;BYDAY=TU,TH".to_string()])
        ));
    }

    #[test]
    fn last_occurrence_follows_count_until_and_interval() {
        let last = |rule: &str| {
            standup(&[rule])
                .last_occurrence()
                .map(|o| o.local_date().format("%Y-%m-%d").to_string())
        };
        assert_eq!(last("RRULE:FREQ=DAILY"), None, "no end");
        assert_eq!(
            last("RRULE:FREQ=DAILY;COUNT=3").as_deref(),
            Some("2026-12-03")
        );
        assert_eq!(
            last("RRULE:FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4").as_deref(),
            Some("2026-12-10")
        );
        assert_eq!(
            last("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20261231T000000Z").as_deref(),
            Some("2026-12-29")
        );
        assert_eq!(
            last("RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=2").as_deref(),
            Some("2027-01-29"),
            "the last Friday of December, then of January"
        );
        assert_eq!(
            last("RRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3").as_deref(),
            Some("2027-03-31"),
            "months without a 31st are skipped"
        );
        assert_eq!(
            last("RRULE:FREQ=YEARLY;COUNT=3").as_deref(),
            Some("2028-12-01")
        );
        assert_eq!(
            last("RRULE:FREQ=DAILY;UNTIL=20261130").as_deref(),
            None,
            "ended before it began"
        );
    }

    #[test]
    fn the_last_occurrence_honours_excluded_dates() {
        let series = standup(&[
            "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=3",
            "EXDATE;TZID=America/New_York:20261215T090000",
        ]);
        assert_eq!(
            series.last_occurrence().map(|o| o.local_date()),
            NaiveDate::from_ymd_opt(2026, 12, 8),
            "the 15th was taken out, so the series ends on the 8th"
        );
        assert!(
            same_rules(
                &rules(&["RRULE:FREQ=WEEKLY;BYDAY=TU".to_string()]),
                &rules(&[
                    "RRULE:FREQ=WEEKLY;BYDAY=TU".to_string(),
                    "EXDATE;TZID=America/New_York:20261215T090000".to_string()
                ])
            ),
            "a deleted occurrence is told on its own, not as a new rule"
        );
    }

    #[test]
    fn rules_beyond_words_still_have_an_end() {
        let odd = standup(&["RRULE:FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR;COUNT=2"]);
        assert_eq!(
            odd.last_occurrence().map(|o| o.local_date()),
            NaiveDate::from_ymd_opt(2027, 1, 29),
            "the last weekday of December, then of January"
        );
    }

    #[test]
    fn an_all_day_series_counts_days() {
        let start = EventTime::date(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap());
        let rules = rules(&["RRULE:FREQ=YEARLY;UNTIL=20281224".to_string()]);
        let series = Series::decode(&encode(&start, &rules));
        assert_eq!(
            series.last_occurrence(),
            Some(Occurrence::Date(
                NaiveDate::from_ymd_opt(2028, 12, 24).unwrap()
            ))
        );
        assert_eq!(
            series.words(London),
            "yearly on 24 Dec until 24 December 2028"
        );
    }

    #[test]
    fn a_new_end_is_told_apart_from_a_new_pattern() {
        let weekly = standup(&["RRULE:FREQ=WEEKLY;BYDAY=TU"]);
        let cut = standup(&["RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20261215T045959Z"]);
        let daily = standup(&["RRULE:FREQ=DAILY"]);
        assert!(weekly.same_but_for_the_end(&cut));
        assert!(!weekly.same_but_for_the_end(&daily));
        assert!(cut.has_end() && !weekly.has_end());
    }
}

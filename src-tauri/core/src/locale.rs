//! The reader's language and date conventions: which catalogue speaks, how dates and
//! times are written, and where both come from (the OS locale, or the person's choice in
//! Settings).
//!
//! # Layout
//! - [`catalogue`]: the Fluent catalogues (`locales/{en,ko}/*.ftl`, compiled in) and
//!   [`Locale::text`].
//! - [`dates`]: days and times as the locale writes them (ICU4X data).
//! - this file: [`Language`], [`HourCycle`], [`Locale`], the OS locale and the one locale
//!   in effect ([`current`], [`set_current`]).

pub mod catalogue;
pub mod dates;

use std::sync::RwLock;

use serde::{Deserialize, Serialize};

pub use catalogue::Args;

/// A language CalWatch speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English (the fallback for every language not listed).
    En,
    /// Korean.
    Ko,
}

impl Language {
    /// Every language with a catalogue, in the order Settings lists them.
    pub const ALL: [Language; 2] = [Language::En, Language::Ko];

    /// The BCP 47 language subtag, also the catalogue's folder name.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ko => "ko",
        }
    }

    /// The language of a POSIX or BCP 47 tag ("ko_KR.UTF-8", "ko-KR"); `None` for one
    /// without a catalogue (the caller falls back to English).
    pub fn of_tag(tag: &str) -> Option<Language> {
        let lang = tag
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.code() == lang)
    }

    /// The region whose date conventions go with the language when none is known.
    fn default_dates(self) -> &'static str {
        match self {
            // "C", "POSIX" or no locale at all: day before month and a 24-hour clock, as
            // CalWatch wrote dates before it followed the locale.
            Language::En => "en-GB",
            Language::Ko => "ko-KR",
        }
    }
}

/// What the person chose for the language in Settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LanguageChoice {
    /// Follow the OS locale.
    #[default]
    System,
    /// English, whatever the OS says.
    English,
    /// Korean, whatever the OS says.
    Korean,
}

/// Twelve or twenty-four hours: the locale's habit, or the person's choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HourCycle {
    /// As the locale writes times ("11:00 AM" in the US, "11:00" in Britain).
    #[default]
    Automatic,
    /// "11:00 AM", "오전 11:00".
    H12,
    /// "11:00", "23:00".
    H24,
}

/// The OS's locale settings as found: one tag for messages, one for dates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemLocale {
    /// The tag messages follow (`LC_ALL` > `LC_MESSAGES` > `LANG` on Linux).
    pub messages: Option<String>,
    /// The tag dates follow (`LC_ALL` > `LC_TIME` > `LANG` on Linux).
    pub time: Option<String>,
}

impl SystemLocale {
    /// Reads the POSIX locale variables through `var` (the environment, or a test's map):
    /// the first set, non-empty one wins, as the C library decides.
    pub fn from_posix(var: impl Fn(&str) -> Option<String>) -> SystemLocale {
        let first = |names: [&str; 3]| {
            names
                .into_iter()
                .filter_map(&var)
                .find(|value| !value.trim().is_empty())
        };
        SystemLocale {
            messages: first(["LC_ALL", "LC_MESSAGES", "LANG"]),
            time: first(["LC_ALL", "LC_TIME", "LANG"]),
        }
    }

    /// The OS's locale: the POSIX variables (read through `env`) on Linux, the platform's
    /// API elsewhere (a desktop app there starts without `LANG`).
    pub fn detect(env: &dyn Fn(&str) -> Option<String>) -> SystemLocale {
        if cfg!(target_os = "linux") {
            SystemLocale::from_posix(env)
        } else {
            SystemLocale::single(platform_locale())
        }
    }

    /// One tag for both (the platform API on Windows and macOS).
    pub fn single(tag: Option<String>) -> SystemLocale {
        SystemLocale {
            messages: tag.clone(),
            time: tag,
        }
    }
}

/// Which language speaks and how dates are written, resolved from the OS and Settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locale {
    /// The catalogue in use.
    language: Language,
    /// The BCP 47 tag dates are formatted for ("en-US", "ko-KR"), without an hour cycle.
    dates: String,
    /// The person's 12/24-hour choice on top of the tag's habit.
    hours: HourCycle,
}

impl Locale {
    /// A locale for `language` writing dates as `dates` (a POSIX or BCP 47 tag) does.
    pub fn new(language: Language, dates: &str, hours: HourCycle) -> Locale {
        let dates = bcp47(dates)
            .filter(|tag| Language::of_tag(tag) == Some(language))
            .unwrap_or_else(|| language.default_dates().to_string());
        Locale {
            language,
            dates,
            hours,
        }
    }

    /// A locale from a tag alone ("ko_KR.UTF-8", "en-US"), English for others.
    pub fn of_tag(tag: &str) -> Locale {
        let language = Language::of_tag(tag).unwrap_or(Language::En);
        Locale::new(language, tag, HourCycle::Automatic)
    }

    /// The locale in effect: the Settings choice over the OS's. Dates follow the OS's time
    /// locale when it is in the chosen language (English with British dates stays
    /// British), else the language's own conventions.
    pub fn resolve(system: &SystemLocale, choice: LanguageChoice, hours: HourCycle) -> Locale {
        let os_language = system
            .messages
            .as_deref()
            .and_then(Language::of_tag)
            .unwrap_or(Language::En);
        let language = match choice {
            LanguageChoice::System => os_language,
            LanguageChoice::English => Language::En,
            LanguageChoice::Korean => Language::Ko,
        };
        Locale::new(language, system.time.as_deref().unwrap_or_default(), hours)
    }

    /// The catalogue's language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The tag dates are written for, without the hour cycle ("en-GB").
    pub fn date_tag(&self) -> &str {
        &self.dates
    }

    /// The 12/24-hour choice.
    pub fn hours(&self) -> HourCycle {
        self.hours
    }
}

impl Default for Locale {
    fn default() -> Self {
        Locale::new(Language::En, "", HourCycle::Automatic)
    }
}

#[cfg(not(target_os = "linux"))]
fn platform_locale() -> Option<String> {
    sys_locale::get_locale()
}

#[cfg(target_os = "linux")]
fn platform_locale() -> Option<String> {
    None
}

/// A POSIX tag ("ko_KR.UTF-8@euro") as BCP 47 ("ko-KR"); `None` for "C", "POSIX" or
/// nothing.
fn bcp47(tag: &str) -> Option<String> {
    let base = tag.split(['.', '@']).next().unwrap_or_default().trim();
    if base.is_empty() || base.eq_ignore_ascii_case("C") || base.eq_ignore_ascii_case("POSIX") {
        return None;
    }
    let tag = base.replace('_', "-");
    icu_locale_core::LanguageIdentifier::try_from_str(&tag)
        .ok()
        .map(|id| id.to_string())
}

/// The locale the shell chose; read by every toast, tray label and error sentence.
static CURRENT: RwLock<Option<Locale>> = RwLock::new(None);

/// The locale in effect (English with British dates until the shell sets one).
pub fn current() -> Locale {
    CURRENT
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
        .unwrap_or_default()
}

/// Makes `locale` the one in effect: the next toast, tray label and error speak it.
pub fn set_current(locale: Locale) {
    *CURRENT
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(locale);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> SystemLocale {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        SystemLocale::from_posix(|name| map.get(name).cloned())
    }

    #[test]
    fn posix_variables_are_read_in_the_c_librarys_order() {
        let system = env(&[("LANG", "en_US.UTF-8"), ("LC_TIME", "ko_KR.UTF-8")]);
        let locale = Locale::resolve(&system, LanguageChoice::System, HourCycle::Automatic);
        assert_eq!(locale.language(), Language::En, "messages follow LANG");
        assert_eq!(
            locale.date_tag(),
            "en-GB",
            "Korean dates do not go with English sentences"
        );
        let system = env(&[("LANG", "ko_KR.UTF-8"), ("LC_MESSAGES", "en_US.UTF-8")]);
        let locale = Locale::resolve(&system, LanguageChoice::System, HourCycle::Automatic);
        assert_eq!(locale.language(), Language::En, "LC_MESSAGES beats LANG");
        let system = env(&[("LANG", "en_US.UTF-8"), ("LC_ALL", "ko_KR.UTF-8")]);
        let locale = Locale::resolve(&system, LanguageChoice::System, HourCycle::Automatic);
        assert_eq!(
            (locale.language(), locale.date_tag()),
            (Language::Ko, "ko-KR"),
            "LC_ALL beats both"
        );
    }

    #[test]
    fn settings_choice_beats_the_os_and_keeps_matching_dates() {
        let system = env(&[("LANG", "en_US.UTF-8")]);
        let korean = Locale::resolve(&system, LanguageChoice::Korean, HourCycle::H24);
        assert_eq!(
            (korean.language(), korean.date_tag(), korean.hours()),
            (Language::Ko, "ko-KR", HourCycle::H24)
        );
        let english = Locale::resolve(&system, LanguageChoice::English, HourCycle::Automatic);
        assert_eq!(
            english.date_tag(),
            "en-US",
            "American English stays American"
        );
    }

    #[test]
    fn unknown_or_c_locales_fall_back_to_english() {
        for tag in ["C", "POSIX", "C.UTF-8", "fr_FR.UTF-8", ""] {
            let locale = Locale::of_tag(tag);
            assert_eq!(locale.language(), Language::En, "{tag:?}");
        }
        assert_eq!(Locale::of_tag("C.UTF-8").date_tag(), "en-GB");
    }
}

//! The message catalogues: Fluent files under `locales/<language>/`, one per area
//! (`toasts`, `tray`, `errors`, and `window`, which the window reads itself), compiled in.
//!
//! A message missing from a catalogue falls back to English, then to its id, so a gap is
//! visible but never a crash; the parity test (`tests/it/locale_catalogues.rs`) keeps the
//! catalogues from drifting apart.

use std::borrow::Cow;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use super::{Language, Locale};

/// The areas the engine and the shell speak in; `window.ftl` is the window's own.
pub const RUST_AREAS: [&str; 3] = ["toasts", "tray", "errors"];

/// Every catalogue file, per language, as compiled in.
fn sources(language: Language) -> [&'static str; 3] {
    match language {
        Language::En => [
            include_str!("../../locales/en/toasts.ftl"),
            include_str!("../../locales/en/tray.ftl"),
            include_str!("../../locales/en/errors.ftl"),
        ],
        Language::Ko => [
            include_str!("../../locales/ko/toasts.ftl"),
            include_str!("../../locales/ko/tray.ftl"),
            include_str!("../../locales/ko/errors.ftl"),
        ],
    }
}

/// One value passed into a message: text from Google or a number (plurals select on it).
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    /// Text shown as it is (titles, places, calendar names, formatted dates).
    Text(Cow<'a, str>),
    /// A number; a message can choose its plural form by it.
    Number(i64),
}

/// A message's named values.
pub type Args<'a> = [(&'a str, Arg<'a>)];

impl<'a> From<&'a str> for Arg<'a> {
    fn from(text: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(text))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(text: &'a String) -> Self {
        Arg::Text(Cow::Borrowed(text))
    }
}

impl From<String> for Arg<'_> {
    fn from(text: String) -> Self {
        Arg::Text(Cow::Owned(text))
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
number_arg!(usize, u32, u64, i32, i64);

fn bundle(language: Language) -> &'static FluentBundle<FluentResource> {
    static BUNDLES: OnceLock<[FluentBundle<FluentResource>; 2]> = OnceLock::new();
    let bundles = BUNDLES.get_or_init(|| Language::ALL.map(build));
    &bundles[Language::ALL
        .iter()
        .position(|l| *l == language)
        .unwrap_or_default()]
}

fn build(language: Language) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = language
        .code()
        .parse()
        .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Toasts and the tray are plain text: Unicode isolation marks would show as boxes in
    // some notification servers. Names from Google are already whole placeables.
    bundle.set_use_isolating(false);
    for source in sources(language) {
        let resource = match FluentResource::try_new(source.to_string()) {
            Ok(resource) => resource,
            // The catalogue test parses every file; a broken one still gives the messages
            // that did parse.
            Err((resource, errors)) => {
                tracing::error!(?errors, language = language.code(), "catalogue errors");
                resource
            }
        };
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(?errors, language = language.code(), "duplicate messages");
        }
    }
    bundle
}

impl Locale {
    /// The message `id` in this locale's language, with `args` put in.
    pub fn text(&self, id: &str, args: &Args<'_>) -> String {
        format(self.language, id, args)
            .or_else(|| format(Language::En, id, args))
            .unwrap_or_else(|| id.to_string())
    }
}

fn format(language: Language, id: &str, args: &Args<'_>) -> Option<String> {
    let bundle = bundle(language);
    let pattern = bundle.get_message(id)?.value()?;
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        let value = match value {
            Arg::Text(text) => FluentValue::from(text.clone()),
            Arg::Number(n) => FluentValue::from(*n),
        };
        fluent_args.set(*name, value);
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    if !errors.is_empty() {
        tracing::warn!(?errors, id, language = language.code(), "message errors");
    }
    Some(text.into_owned())
}

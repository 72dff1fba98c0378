//! Toast text as the notification server reads it.
//!
//! Event titles are written by whoever sends the invitation. Freedesktop notification
//! servers that advertise `body-markup` (dunst, GNOME, KDE) parse the body, and dunst the
//! summary too, as a subset of XML markup: a title such as `<a href="…">Click me</a>`
//! would become a clickable link. Escaping `&`, `<`, `>` and both quotes (what
//! `g_markup_escape_text` escapes) keeps every title plain text. Other platforms' toasts
//! take plain text and would show the entities, so there the text goes as it is.

use std::borrow::Cow;

use calwatch_core::markup::escape;

/// `text` made safe for a toast's summary or body on this platform.
pub fn toast_text(text: &str) -> Cow<'_, str> {
    if cfg!(all(unix, not(target_os = "macos"))) {
        escape(text)
    } else {
        Cow::Borrowed(text)
    }
}

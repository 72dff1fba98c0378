//! Toast text as the notification server reads it.
//!
//! Event titles are written by whoever sends the invitation. Freedesktop notification
//! servers that advertise `body-markup` (dunst, GNOME, KDE) parse the body, and dunst the
//! summary too, as a subset of XML markup: a title such as `<a href="…">Click me</a>`
//! would become a clickable link. Escaping `&`, `<`, `>` and both quotes (what
//! `g_markup_escape_text` escapes) keeps every title plain text. Other platforms' toasts
//! take plain text and would show the entities, so there the text goes as it is.

use std::borrow::Cow;

/// `text` made safe for a toast's summary or body on this platform.
pub fn toast_text(text: &str) -> Cow<'_, str> {
    if cfg!(all(unix, not(target_os = "macos"))) {
        escape(text)
    } else {
        Cow::Borrowed(text)
    }
}

/// `text` with the five markup-special characters replaced by entities.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_in_a_title_becomes_text() {
        assert_eq!(
            escape(r#"<a href="https://evil.example">Click me</a> & co's"#),
            "&lt;a href=&quot;https://evil.example&quot;&gt;Click me&lt;/a&gt; &amp; co&apos;s"
        );
        assert_eq!(escape("Team sync → 11:00"), "Team sync → 11:00");
    }
}

//! Text kept as text inside markup: the sign-in listener's HTML pages and, in the shell,
//! toast titles and bodies (notification servers parse a subset of XML markup).

use std::borrow::Cow;

/// `text` with the five markup-special characters replaced by entities (what
/// `g_markup_escape_text` escapes; valid in HTML and XML alike).
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

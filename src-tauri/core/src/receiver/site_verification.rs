//! Google's domain verification through Search Console's HTML file: the receiver serves
//! `GET /google<hex>.html` with `google-site-verification: google<hex>.html` at the root of
//! the public address, so verifying the callback's domain is a paste, not a web server.
//!
//! Only the one name set is served; every other root path stays 404.

use std::sync::{Arc, RwLock};

use crate::poison::{read, write};

/// The name of the verification file being served, shared by the settings and the
/// running receiver (it changes without a rebind). Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct SiteVerification {
    /// `google<hex>.html`, or `None` when no file is served.
    name: Arc<RwLock<Option<String>>>,
}

impl SiteVerification {
    /// Serving `name` (already checked with [`check_file_name`]), or nothing.
    pub fn new(name: Option<String>) -> Self {
        SiteVerification {
            name: Arc::new(RwLock::new(name)),
        }
    }

    /// Serves `name` from now on (`None`: serves nothing).
    pub fn set(&self, name: Option<String>) {
        *write(&self.name) = name;
    }

    /// The body to answer `GET /<requested>` with, if `requested` is the file served.
    pub fn body_for(&self, requested: &str) -> Option<String> {
        read(&self.name)
            .as_deref()
            .filter(|name| *name == requested)
            .map(file_content)
    }
}

/// What Search Console expects the file to contain.
pub fn file_content(name: &str) -> String {
    format!("google-site-verification: {name}")
}

/// Checks a pasted verification file name and returns it as served: `google`, hex digits,
/// `.html` (as Search Console names it). A leading `/`, surrounding spaces or the whole
/// `google-site-verification: …` line pasted instead are accepted.
pub fn check_file_name(pasted: &str) -> Result<String, String> {
    let text = pasted.trim();
    let text = text
        .strip_prefix("google-site-verification:")
        .map_or(text, str::trim);
    let name = text.trim_start_matches('/');
    let hex = name
        .strip_prefix("google")
        .and_then(|rest| rest.strip_suffix(".html"));
    match hex {
        Some(hex)
            if !hex.is_empty() && hex.len() <= 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            Ok(name.to_string())
        }
        _ => {
            Err(crate::locale::current()
                .text("error-verification-file-name", &[("text", text.into())]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_console_name_is_accepted_as_pasted() {
        for pasted in [
            "google1234abcd5678ef90.html",
            "  /google1234abcd5678ef90.html ",
            "google-site-verification: google1234abcd5678ef90.html",
        ] {
            assert_eq!(
                check_file_name(pasted).as_deref(),
                Ok("google1234abcd5678ef90.html"),
                "{pasted:?}"
            );
        }
    }

    #[test]
    fn anything_else_is_refused_with_what_it_looks_like() {
        for pasted in [
            "",
            "google.html",
            "index.html",
            "google12zz.html",
            "google12/../../etc.html",
            "google1234.htm",
        ] {
            let err = check_file_name(pasted).expect_err(pasted);
            assert!(err.contains("google1234abcd5678ef90.html"), "{err}");
        }
    }

    #[test]
    fn only_the_name_set_is_served() {
        let served = SiteVerification::new(Some("google12ab.html".into()));
        assert_eq!(
            served.body_for("google12ab.html").as_deref(),
            Some("google-site-verification: google12ab.html")
        );
        assert_eq!(served.body_for("google99.html"), None);
        served.set(None);
        assert_eq!(served.body_for("google12ab.html"), None);
    }
}

//! Domain verification, as Google's push guide long required: with
//! `Options::require_verified_domains`, events.watch refuses an address whose domain was
//! not verified (401 `push.webhookUrlUnauthorized`, "Unauthorized WebHook callback
//! channel"), and [`Control::verify_domain`] plays Search Console: it fetches the HTML
//! verification file from the callback's origin and checks its content.
//!
//! A "domain" here is the address's host and port, so two loopback ports (a tunnel
//! stand-in's public side and the receiver itself) count as different domains.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::control::Control;
use crate::errors::ApiError;
use crate::state::Shared;

/// Why a domain could not be verified, in Search Console's spirit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The address is not an http(s) URL with a host.
    #[error("not a web address with a host: {0}")]
    NotAUrl(String),
    /// Nothing answered at the origin.
    #[error("could not fetch {url}: {reason}")]
    Unreachable {
        /// The file's URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// Something answered, but not with the file (status or content wrong).
    #[error("{url} answered HTTP {status} with {body:?}, not {expected:?}")]
    WrongFile {
        /// The file's URL.
        url: String,
        /// The status it answered with.
        status: u16,
        /// The start of what it answered.
        body: String,
        /// The content expected.
        expected: String,
    },
}

/// The domain of an address: its host and, when given, its port.
pub(crate) fn domain_of(url: &url::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// The content Search Console expects in the file named `file`.
pub fn verification_content(file: &str) -> String {
    format!("google-site-verification: {file}")
}

/// A fresh verification file name, as Search Console offers one: `google` + 16 hex digits.
pub(crate) fn new_file_name() -> String {
    use rand::RngCore as _;
    let mut bytes = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("google{hex}.html")
}

impl Control {
    /// The verification file name this fake's "Search Console" offers.
    pub fn site_verification_file(&self) -> String {
        self.shared.world().site_verification_file.clone()
    }

    /// The domains verified so far.
    pub fn verified_domains(&self) -> Vec<String> {
        self.shared
            .world()
            .verified_domains
            .iter()
            .cloned()
            .collect()
    }

    /// Fetches `GET <origin of url>/<file>` (the fake's own file name unless `file` is
    /// given) and, if it answers 200 with `google-site-verification: <file>`, marks the
    /// domain verified; returns the domain.
    pub async fn verify_domain(
        &self,
        url: &str,
        file: Option<&str>,
    ) -> Result<String, VerifyError> {
        let parsed = url::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| VerifyError::NotAUrl(url.to_string()))?;
        let domain = domain_of(&parsed).ok_or_else(|| VerifyError::NotAUrl(url.to_string()))?;
        let file = file.map_or_else(|| self.site_verification_file(), str::to_string);
        let mut at = parsed.clone();
        at.set_path(&format!("/{file}"));
        at.set_query(None);
        at.set_fragment(None);
        let expected = verification_content(&file);
        let response = self.shared.http.get(at.clone()).send().await.map_err(|e| {
            VerifyError::Unreachable {
                url: at.to_string(),
                reason: e.to_string(),
            }
        })?;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        if status != 200 || body.trim() != expected {
            return Err(VerifyError::WrongFile {
                url: at.to_string(),
                status,
                body: body.chars().take(200).collect(),
                expected,
            });
        }
        self.shared.world().verified_domains.insert(domain.clone());
        tracing::info!(%domain, "domain verified");
        Ok(domain)
    }
}

/// Body of `POST /control/verify-domain`.
#[derive(Deserialize)]
pub(crate) struct VerifyRequest {
    /// The callback address whose domain to verify.
    url: String,
    /// The file name to fetch; the fake's own when absent.
    #[serde(default)]
    file: Option<String>,
}

/// `POST /control/verify-domain {"url": …}`: 200 `{"domain": …}` or 400 with why.
pub(crate) async fn verify_domain(
    State(s): State<Arc<Shared>>,
    Json(body): Json<VerifyRequest>,
) -> Result<Json<Value>, ApiError> {
    let control = Control { shared: s };
    match control.verify_domain(&body.url, body.file.as_deref()).await {
        Ok(domain) => Ok(Json(json!({"domain": domain, "verified": true}))),
        Err(e) => Err(ApiError::global(
            StatusCode::BAD_REQUEST,
            "verificationFailed",
            e.to_string(),
        )),
    }
}

/// `GET /control/site-verification`: the file name this fake's Search Console offers.
pub(crate) async fn site_verification(State(s): State<Arc<Shared>>) -> Json<Value> {
    let control = Control { shared: s };
    let file = control.site_verification_file();
    Json(json!({
        "file": file,
        "content": verification_content(&file),
        "verified_domains": control.verified_domains(),
    }))
}

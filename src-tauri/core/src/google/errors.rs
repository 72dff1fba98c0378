//! Google's JSON error bodies and what they mean for CalWatch.

use reqwest::StatusCode;
use serde::Deserialize;

use super::TokenError;

/// Why a Calendar API call failed, in terms a caller can branch on.
///
/// Messages never carry an access token: they are built from Google's error text, the
/// HTTP status and the callback address, none of which is secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GoogleError {
    /// Google still answered 401 after one token refresh: the user must sign in again.
    #[error("Google did not accept CalWatch's sign-in; sign in again")]
    Unauthorized,
    /// No access token could be had from the token source.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// Google kept answering "rate limit exceeded" through every retry.
    #[error("Google's rate limit was still exceeded ({reason}) after {attempts} attempts; CalWatch will try again later")]
    RateLimited {
        /// Google's reason (`rateLimitExceeded`, `userRateLimitExceeded`, `usageLimits`…).
        reason: String,
        /// How many requests were made before giving up.
        attempts: u32,
    },
    /// The calendar, event or channel does not exist (or is no longer shared with the user).
    #[error("Google does not know this calendar or channel (404)")]
    NotFound,
    /// Google refused the request as not allowed for this user (403, not a rate limit).
    #[error("Google refused access ({reason}): {message}")]
    Forbidden {
        /// Google's reason, e.g. `forbidden` or `insufficientPermissions`.
        reason: String,
        /// Google's own explanation.
        message: String,
    },
    /// The sync token is no longer valid (410): forget it and do a full sync.
    #[error("the calendar's sync token expired; a full sync is needed")]
    SyncTokenExpired,
    /// Google will not deliver notifications to the callback address.
    #[error("{}", callback_sentence(*.reason, address))]
    CallbackRejected {
        /// Which of Google's refusals it was.
        reason: CallbackRejection,
        /// The callback address that was refused, shown back to the user.
        address: String,
        /// Google's own message, for the log.
        message: String,
    },
    /// Google refused the request as malformed (400).
    #[error("Google refused the request: {message}")]
    BadRequest {
        /// Google's own explanation.
        message: String,
    },
    /// An HTTP status CalWatch has no meaning for (a redirect, 409, …).
    #[error("Google answered with unexpected HTTP status {status}: {message}")]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// Google's message, or a description of the response.
        message: String,
    },
    /// Google kept failing with a server error through every retry.
    #[error("Google had a server error (HTTP {status}); CalWatch will try again later")]
    Server {
        /// The last HTTP status seen (5xx).
        status: u16,
    },
    /// Google could not be reached (DNS, connect, TLS, timeout).
    #[error("Google could not be reached: {0}")]
    Network(String),
    /// Google's answer was not the JSON CalWatch expects.
    #[error("Google's answer could not be read: {0}")]
    Decode(String),
    /// The client could not be built (a bad API base URL, no TLS backend).
    #[error("the Google client could not be set up: {0}")]
    Setup(String),
}

/// Which way Google refused a callback address at `events.watch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackRejection {
    /// `push.webhookUrlNotHttps`: not HTTPS, or no valid certificate.
    NotHttps,
    /// `push.webhookUrlUnauthorized`: Google will not deliver there.
    Unauthorized,
}

impl CallbackRejection {
    /// Google's reason string for this refusal.
    pub fn google_reason(self) -> &'static str {
        match self {
            CallbackRejection::NotHttps => "push.webhookUrlNotHttps",
            CallbackRejection::Unauthorized => "push.webhookUrlUnauthorized",
        }
    }
}

fn callback_sentence(reason: CallbackRejection, address: &str) -> String {
    match reason {
        CallbackRejection::NotHttps => format!(
            "Google refused the callback URL {address}: it must be HTTPS with a valid \
             certificate. Use the https address your tunnel gives you."
        ),
        CallbackRejection::Unauthorized => format!(
            "Google refused to deliver to {address}: Unauthorized WebHook callback channel \
             (push.webhookUrlUnauthorized). Google wants the address's domain verified: in \
             Setup, paste the name of the verification file Search Console offers \
             (google….html), verify the domain in Search Console, add it in Google Cloud \
             console under APIs & Services → Domain verification, then watch again."
        ),
    }
}

impl GoogleError {
    /// A stable identifier the window switches on; never changes with wording.
    pub fn code(&self) -> &'static str {
        match self {
            GoogleError::Unauthorized => "unauthorized",
            GoogleError::Token(TokenError::NeedsSignIn) => "needs_sign_in",
            GoogleError::Token(TokenError::Offline(_)) => "offline",
            GoogleError::Token(TokenError::Keyring(_)) => "keyring",
            GoogleError::RateLimited { .. } => "rate_limited",
            GoogleError::NotFound => "not_found",
            GoogleError::Forbidden { .. } => "forbidden",
            GoogleError::SyncTokenExpired => "sync_token_expired",
            GoogleError::CallbackRejected {
                reason: CallbackRejection::NotHttps,
                ..
            } => "callback_not_https",
            GoogleError::CallbackRejected {
                reason: CallbackRejection::Unauthorized,
                ..
            } => "callback_unauthorized",
            GoogleError::BadRequest { .. } => "bad_request",
            GoogleError::UnexpectedStatus { .. } => "unexpected_status",
            GoogleError::Server { .. } => "server_error",
            GoogleError::Network(_) => "network",
            GoogleError::Decode(_) => "decode",
            GoogleError::Setup(_) => "setup",
        }
    }

    /// Whether the user has to sign in again before anything else can work.
    pub fn needs_sign_in(&self) -> bool {
        matches!(
            self,
            GoogleError::Unauthorized | GoogleError::Token(TokenError::NeedsSignIn)
        )
    }

    /// Builds a network error from reqwest's, without the URL (its query can hold a sync
    /// or page token) and with the underlying cause, which is what a person can act on.
    pub(crate) fn network(err: &reqwest::Error) -> GoogleError {
        let what = if err.is_timeout() {
            "the request timed out"
        } else if err.is_connect() {
            "the connection failed"
        } else if err.is_body() || err.is_decode() {
            "the answer was cut off"
        } else {
            "the request failed"
        };
        let mut causes = Vec::new();
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            causes.push(cause.to_string());
            source = cause.source();
        }
        match causes.last() {
            Some(root) => GoogleError::Network(format!("{what} ({root})")),
            None => GoogleError::Network(what.to_string()),
        }
    }
}

/// `{"error": {"code": 403, "message": "…", "errors": [{"reason": "…"}]}}`
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorEnvelope {
    #[serde(default)]
    pub error: ErrorBody,
}

/// The inside of Google's error envelope; every field optional, unknown ones ignored.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub errors: Vec<ErrorItem>,
}

/// One entry of `error.errors`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorItem {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl ErrorBody {
    /// Reads a body that may be Google's JSON, something else, or empty.
    pub fn parse(body: &[u8]) -> ErrorBody {
        serde_json::from_slice::<ErrorEnvelope>(body)
            .map(|envelope| envelope.error)
            .unwrap_or_default()
    }

    fn reasons(&self) -> impl Iterator<Item = &str> {
        self.errors.iter().filter_map(|e| e.reason.as_deref())
    }

    fn has_reason(&self, reason: &str) -> bool {
        self.reasons().any(|r| r == reason)
    }

    fn first_reason(&self) -> Option<&str> {
        self.reasons().next()
    }

    fn text(&self, status: StatusCode) -> String {
        self.message
            .clone()
            .or_else(|| self.errors.iter().find_map(|e| e.message.clone()))
            .unwrap_or_else(|| {
                status
                    .canonical_reason()
                    .unwrap_or("no message")
                    .to_string()
            })
    }
}

const RATE_LIMIT_REASONS: [&str; 3] = ["rateLimitExceeded", "userRateLimitExceeded", "usageLimits"];

/// What to do about a non-success answer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Get a fresh token and try once more.
    Refresh,
    /// Wait and try again; if attempts run out, this is the error.
    Retry(GoogleError),
    /// Give up with this error.
    Fail(GoogleError),
}

/// Maps an HTTP status and Google's error body to a verdict.
///
/// `callback` is the address sent to `events.watch`, so a refusal can name it.
pub(crate) fn classify(status: StatusCode, body: &ErrorBody, callback: Option<&str>) -> Verdict {
    let code = status.as_u16();
    let address = callback.unwrap_or("the callback address").to_string();
    // The push refusals come first: a 401 webhookUrlUnauthorized is about the address,
    // and refreshing the access token would not change Google's mind.
    if body.has_reason(CallbackRejection::NotHttps.google_reason()) {
        return Verdict::Fail(GoogleError::CallbackRejected {
            reason: CallbackRejection::NotHttps,
            address,
            message: body.text(status),
        });
    }
    if matches!(code, 400 | 401 | 403)
        && body.has_reason(CallbackRejection::Unauthorized.google_reason())
    {
        return Verdict::Fail(GoogleError::CallbackRejected {
            reason: CallbackRejection::Unauthorized,
            address,
            message: body.text(status),
        });
    }
    let rate_limit_reason = RATE_LIMIT_REASONS.iter().find(|r| body.has_reason(r));
    match code {
        401 => Verdict::Refresh,
        403 | 429 if rate_limit_reason.is_some() => Verdict::Retry(GoogleError::RateLimited {
            reason: rate_limit_reason.copied().unwrap_or_default().to_string(),
            attempts: 0,
        }),
        // A bare 429 (no JSON, e.g. from a front end) is still "slow down".
        429 => Verdict::Retry(GoogleError::RateLimited {
            reason: body.first_reason().unwrap_or("tooManyRequests").to_string(),
            attempts: 0,
        }),
        403 => Verdict::Fail(GoogleError::Forbidden {
            reason: body.first_reason().unwrap_or("forbidden").to_string(),
            message: body.text(status),
        }),
        404 => Verdict::Fail(GoogleError::NotFound),
        // Any 410 on events.list means the sync token is gone, whatever the reason says.
        410 => Verdict::Fail(GoogleError::SyncTokenExpired),
        400 => Verdict::Fail(GoogleError::BadRequest {
            message: body.text(status),
        }),
        500..=599 => Verdict::Retry(GoogleError::Server { status: code }),
        _ if status.is_redirection() => Verdict::Fail(GoogleError::UnexpectedStatus {
            status: code,
            message: "a redirect, which CalWatch never follows".to_string(),
        }),
        _ => Verdict::Fail(GoogleError::UnexpectedStatus {
            status: code,
            message: body.text(status),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> ErrorBody {
        ErrorBody::parse(json.as_bytes())
    }

    #[test]
    fn rate_limit_reasons_are_retried_on_403_and_429() {
        for (status, reason) in [
            (403, "rateLimitExceeded"),
            (403, "userRateLimitExceeded"),
            (429, "usageLimits"),
        ] {
            let b = body(&format!(
                r#"{{"error":{{"code":{status},"message":"slow down","errors":[{{"reason":"{reason}"}}]}}}}"#
            ));
            let verdict = classify(StatusCode::from_u16(status).unwrap(), &b, None);
            assert!(
                matches!(verdict, Verdict::Retry(GoogleError::RateLimited { .. })),
                "{status} {reason} is a rate limit and must be retried, got {verdict:?}"
            );
        }
    }

    #[test]
    fn a_429_without_a_body_is_still_a_rate_limit() {
        let verdict = classify(StatusCode::TOO_MANY_REQUESTS, &body(""), None);
        assert!(matches!(
            verdict,
            Verdict::Retry(GoogleError::RateLimited { .. })
        ));
    }

    #[test]
    fn a_403_that_is_not_a_rate_limit_is_not_retried() {
        let b = body(r#"{"error":{"code":403,"message":"no","errors":[{"reason":"forbidden"}]}}"#);
        assert!(matches!(
            classify(StatusCode::FORBIDDEN, &b, None),
            Verdict::Fail(GoogleError::Forbidden { .. })
        ));
    }

    #[test]
    fn a_401_about_the_webhook_is_a_callback_refusal_not_a_token_refresh() {
        let b = body(
            r#"{"error":{"code":401,"message":"Unauthorized WebHook callback channel: https://x","errors":[{"reason":"push.webhookUrlUnauthorized"}]}}"#,
        );
        let verdict = classify(StatusCode::UNAUTHORIZED, &b, Some("https://x"));
        let Verdict::Fail(err) = verdict else {
            panic!("a webhook refusal must not trigger a refresh: {verdict:?}")
        };
        assert_eq!(err.code(), "callback_unauthorized");
        assert!(
            err.to_string().starts_with(
                "Google refused to deliver to https://x: Unauthorized WebHook callback channel (push.webhookUrlUnauthorized). Google wants the address's domain verified"
            ),
            "the user is told what to do: {err}"
        );
    }

    #[test]
    fn not_https_reads_as_a_sentence_naming_the_address() {
        let b = body(
            r#"{"error":{"code":400,"message":"WebHook callback must be HTTPS: http://x","errors":[{"reason":"push.webhookUrlNotHttps"}]}}"#,
        );
        let Verdict::Fail(err) = classify(StatusCode::BAD_REQUEST, &b, Some("http://x")) else {
            panic!("not retried")
        };
        assert_eq!(
            err.to_string(),
            "Google refused the callback URL http://x: it must be HTTPS with a valid certificate. \
             Use the https address your tunnel gives you."
        );
    }

    #[test]
    fn any_410_means_the_sync_token_expired() {
        for json in [
            r#"{"error":{"code":410,"errors":[{"reason":"fullSyncRequired"}]}}"#,
            r#"{"error":{"code":410,"errors":[{"reason":"updatedMinTooLongAgo"}]}}"#,
            "",
        ] {
            assert_eq!(
                classify(StatusCode::GONE, &body(json), None),
                Verdict::Fail(GoogleError::SyncTokenExpired)
            );
        }
    }

    #[test]
    fn server_errors_are_retried_and_401_refreshes() {
        assert_eq!(
            classify(StatusCode::SERVICE_UNAVAILABLE, &body(""), None),
            Verdict::Retry(GoogleError::Server { status: 503 })
        );
        assert_eq!(
            classify(StatusCode::UNAUTHORIZED, &body(""), None),
            Verdict::Refresh
        );
    }
}

//! The receiver's HTTP handlers and the one error type they answer with.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use super::probe::{PROBE_HEADER, PROOF_HEADER};
use super::registry::{Admission, Claim, Refusal};
use super::{Delivery, ReceiverState};

// Parsed once, not on every lookup: these are read on every delivery.
static CHANNEL_ID: HeaderName = HeaderName::from_static("x-goog-channel-id");
static CHANNEL_TOKEN: HeaderName = HeaderName::from_static("x-goog-channel-token");
static MESSAGE_NUMBER: HeaderName = HeaderName::from_static("x-goog-message-number");
static RESOURCE_ID: HeaderName = HeaderName::from_static("x-goog-resource-id");
static RESOURCE_STATE: HeaderName = HeaderName::from_static("x-goog-resource-state");
static RESOURCE_URI: HeaderName = HeaderName::from_static("x-goog-resource-uri");
static PROBE: HeaderName = HeaderName::from_static(PROBE_HEADER);

/// Google's sender honours robots.txt; a disallow would silently stop deliveries.
const ROBOTS_TXT: &str = "User-agent: *\nAllow: /\n";

/// Why the receiver refused a request; each maps to one status code and a plain reason.
#[derive(Debug, thiserror::Error)]
pub enum Rejection {
    /// A required Google header is absent.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// A Google header is present but unusable.
    #[error("malformed header {header}: {reason}")]
    MalformedHeader {
        /// The header's name.
        header: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// No channel with that id is registered (stopped, expired, or never ours).
    #[error("unknown channel")]
    UnknownChannel,
    /// The channel token is missing or wrong.
    #[error("channel token does not match")]
    WrongToken,
    /// The resource id is not the one the channel watches.
    #[error("resource id does not match the channel")]
    WrongResource,
    /// A probe whose nonce this receiver did not issue (or already answered).
    #[error("unknown or expired probe")]
    UnknownProbe,
    /// The body is over the limit.
    #[error("request body too large")]
    BodyTooLarge,
    /// The body could not be read (client went away, bad chunking).
    #[error("request body could not be read")]
    UnreadableBody,
    /// The sync side is gone (shutting down): Google retries 503 later.
    #[error("the receiver is shutting down")]
    SyncUnavailable,
}

impl Rejection {
    /// The status code Google (or a forger) gets.
    pub fn status(&self) -> StatusCode {
        match self {
            Rejection::MissingHeader(_)
            | Rejection::MalformedHeader { .. }
            | Rejection::UnreadableBody => StatusCode::BAD_REQUEST,
            Rejection::UnknownChannel => StatusCode::NOT_FOUND,
            Rejection::WrongToken | Rejection::WrongResource | Rejection::UnknownProbe => {
                StatusCode::FORBIDDEN
            }
            Rejection::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Rejection::SyncUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let status = self.status();
        // Bad input gets its reason (it helps whoever set up the tunnel); an internal
        // fault is logged here and answered generically.
        let text = if status.is_server_error() {
            tracing::error!(reason = %self, "receiver could not hand a delivery on");
            "temporarily unavailable".to_owned()
        } else {
            self.to_string()
        };
        (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            text,
        )
            .into_response()
    }
}

impl From<Refusal> for Rejection {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::UnknownChannel => Rejection::UnknownChannel,
            Refusal::WrongToken => Rejection::WrongToken,
            Refusal::WrongResource => Rejection::WrongResource,
        }
    }
}

pub(super) fn router(state: ReceiverState, callback_path: &str) -> Router {
    let limits = state.limits();
    let path = if callback_path.starts_with('/') {
        callback_path.to_owned()
    } else {
        format!("/{callback_path}")
    };
    Router::new()
        .route(&path, post(notification))
        .route("/robots.txt", get(robots))
        .route("/healthz", get(healthz))
        // Anything else: the verification file if it is the one set, else 404 (a route
        // would answer 405 to a POST at other paths).
        .fallback(verification_file)
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        // Global: one semaphore shared by every route, not one per route.
        .layer(GlobalConcurrencyLimitLayer::new(
            limits.max_concurrent_requests,
        ))
        // Outermost, so time spent queueing for the limit counts too.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .with_state(state)
}

async fn robots() -> &'static str {
    ROBOTS_TXT
}

async fn healthz() -> &'static str {
    "ok"
}

/// Search Console's `GET /google<hex>.html`: answered only for the name set in Settings.
async fn verification_file(
    State(state): State<ReceiverState>,
    method: Method,
    uri: Uri,
) -> Response {
    let file = uri.path().strip_prefix('/').unwrap_or_default();
    let body = (method == Method::GET)
        .then(|| state.site_verification().body_for(file))
        .flatten();
    match body {
        Some(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Answers from the headers alone: Google's Calendar notifications carry no body, so the
/// handler never waits for one; a client trickling a body cannot hold a request open.
async fn notification(State(state): State<ReceiverState>, headers: HeaderMap) -> Response {
    match handle(&state, &headers) {
        Ok(response) => response,
        Err(rejection) => {
            // The channel id is ours and harmless; the token is never logged.
            let channel = headers
                .get(&CHANNEL_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::debug!(
                status = rejection.status().as_u16(),
                reason = %rejection,
                channel,
                "receiver refused a delivery"
            );
            rejection.into_response()
        }
    }
}

fn handle(state: &ReceiverState, headers: &HeaderMap) -> Result<Response, Rejection> {
    // A declared body over the limit is refused unread; any other body is never read.
    if let Some(length) = headers.get(header::CONTENT_LENGTH) {
        let length = length
            .to_str()
            .ok()
            .and_then(|l| l.parse::<u64>().ok())
            .ok_or(Rejection::MalformedHeader {
                header: "Content-Length",
                reason: "not a whole number",
            })?;
        if length > state.limits().max_body_bytes as u64 {
            return Err(Rejection::BodyTooLarge);
        }
    }

    // Our own probe is told apart first, so it can never be mistaken for Google.
    if let Some(nonce) = headers.get(&PROBE) {
        let proof = nonce
            .to_str()
            .ok()
            .and_then(|nonce| state.probes().redeem(nonce))
            .ok_or(Rejection::UnknownProbe)?;
        let proof = HeaderValue::from_str(&proof).map_err(|_| Rejection::UnknownProbe)?;
        return Ok((StatusCode::OK, [(PROOF_HEADER, proof)], "CalWatch").into_response());
    }

    let channel_id = required(headers, &CHANNEL_ID, "X-Goog-Channel-ID")?;
    let message_number = required(headers, &MESSAGE_NUMBER, "X-Goog-Message-Number")?
        .parse::<u64>()
        .map_err(|_| Rejection::MalformedHeader {
            header: "X-Goog-Message-Number",
            reason: "not a whole number",
        })?;
    let resource_id = required(headers, &RESOURCE_ID, "X-Goog-Resource-ID")?;
    let state_name = required(headers, &RESOURCE_STATE, "X-Goog-Resource-State")?;
    let resource_state = match state_name {
        "sync" => ResourceState::Sync,
        "exists" => ResourceState::Exists,
        "not_exists" => ResourceState::NotExists,
        _ => {
            return Err(Rejection::MalformedHeader {
                header: "X-Goog-Resource-State",
                reason: "must be sync, exists or not_exists",
            })
        }
    };
    // Required by the protocol though unused: its absence marks a sender that is not Google.
    required(headers, &RESOURCE_URI, "X-Goog-Resource-URI")?;

    let claim = Claim {
        channel_id,
        token: headers.get(&CHANNEL_TOKEN).map(HeaderValue::as_bytes),
        resource_id,
        message_number,
        is_sync: resource_state == ResourceState::Sync,
    };
    let calendar_id = match state.registry().admit(&claim)? {
        Admission::Fresh { calendar_id } => calendar_id,
        Admission::Duplicate => {
            tracing::debug!(
                channel = channel_id,
                message_number,
                "duplicate delivery acknowledged"
            );
            return Ok(StatusCode::OK.into_response());
        }
    };

    let channel_id = channel_id.to_owned();
    let delivery = match resource_state {
        ResourceState::Sync => Delivery::Sync {
            channel_id,
            calendar_id,
            resource_id: resource_id.to_owned(),
            message_number,
        },
        ResourceState::Exists => Delivery::Exists {
            channel_id,
            calendar_id,
            message_number,
        },
        ResourceState::NotExists => Delivery::NotExists {
            channel_id,
            calendar_id,
            message_number,
        },
    };
    state
        .deliveries
        .send(delivery)
        .map_err(|_| Rejection::SyncUnavailable)?;
    Ok(StatusCode::OK.into_response())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResourceState {
    Sync,
    Exists,
    NotExists,
}

/// A required header as non-empty visible ASCII.
fn required<'h>(
    headers: &'h HeaderMap,
    name: &HeaderName,
    display: &'static str,
) -> Result<&'h str, Rejection> {
    let value = headers.get(name).ok_or(Rejection::MissingHeader(display))?;
    let text = value.to_str().map_err(|_| Rejection::MalformedHeader {
        header: display,
        reason: "not plain text",
    })?;
    if text.is_empty() {
        return Err(Rejection::MissingHeader(display));
    }
    Ok(text)
}

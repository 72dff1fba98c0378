//! Google's two error dialects: the Calendar API's `{"error": {"code", "message", "errors"}}`
//! envelope and the OAuth endpoints' flat `{"error", "error_description"}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A Calendar API error, rendered exactly like Google's JSON error body.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status; also repeated as `error.code` in the body, as Google does.
    pub status: StatusCode,
    /// `errors[0].domain`: "global", "usageLimits" or "push".
    pub domain: &'static str,
    /// `errors[0].reason`: what clients branch on (`fullSyncRequired`, `rateLimitExceeded`…).
    pub reason: &'static str,
    /// Human text; Google puts the same sentence at the top level and in `errors[0]`.
    pub message: String,
}

impl ApiError {
    /// Builds an error in the `global` domain.
    pub fn global(status: StatusCode, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            domain: "global",
            reason,
            message: message.into(),
        }
    }

    /// 400 with reason `invalid`, Google's answer to a bad parameter.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::global(StatusCode::BAD_REQUEST, "invalid", message)
    }

    /// 400 with reason `required`, for a missing parameter or field.
    pub fn required(message: impl Into<String>) -> Self {
        Self::global(StatusCode::BAD_REQUEST, "required", message)
    }

    /// 404 `notFound`, the answer for an unknown calendar or event.
    pub fn not_found() -> Self {
        Self::global(StatusCode::NOT_FOUND, "notFound", "Not Found")
    }

    /// 410 `fullSyncRequired`: the sync token is no longer valid.
    pub fn full_sync_required() -> Self {
        Self::global(
            StatusCode::GONE,
            "fullSyncRequired",
            "Sync token is no longer valid, a full sync is required.",
        )
    }

    /// 401 for a missing bearer token.
    pub fn login_required() -> Self {
        Self::global(StatusCode::UNAUTHORIZED, "required", "Login Required.")
    }

    /// 401 for an unknown, expired or revoked bearer token.
    pub fn invalid_credentials() -> Self {
        Self::global(StatusCode::UNAUTHORIZED, "authError", "Invalid Credentials")
    }

    /// 403 or 429 rate limiting, in the `usageLimits` domain like Google.
    pub fn rate_limited(status: StatusCode) -> Self {
        ApiError {
            status,
            domain: "usageLimits",
            reason: "rateLimitExceeded",
            message: "Rate Limit Exceeded".into(),
        }
    }

    /// 503 `backendError`, Google's transient failure.
    pub fn backend_error() -> Self {
        Self::global(
            StatusCode::SERVICE_UNAVAILABLE,
            "backendError",
            "The service is currently unavailable.",
        )
    }

    /// The gRPC-style status name Google adds next to `code`.
    fn status_name(&self) -> &'static str {
        match self.status.as_u16() {
            400 => "INVALID_ARGUMENT",
            401 => "UNAUTHENTICATED",
            403 => "PERMISSION_DENIED",
            404 => "NOT_FOUND",
            409 => "ALREADY_EXISTS",
            410 => "FAILED_PRECONDITION",
            429 => "RESOURCE_EXHAUSTED",
            503 => "UNAVAILABLE",
            _ => "UNKNOWN",
        }
    }

    /// The JSON body Google sends for this error.
    pub fn body(&self) -> serde_json::Value {
        json!({
            "error": {
                "code": self.status.as_u16(),
                "message": self.message,
                "errors": [{
                    "domain": self.domain,
                    "reason": self.reason,
                    "message": self.message,
                }],
                "status": self.status_name(),
            }
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            // Google names the scheme it wants, as RFC 6750 asks.
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static(
                    "Bearer realm=\"https://accounts.google.com/\"",
                ),
            );
        }
        response
    }
}

/// An OAuth token/revoke endpoint error: `{"error": "...", "error_description": "..."}`.
#[derive(Debug, Clone)]
pub struct OAuthError {
    /// 400 for grant problems, 401 for an unknown client, 503 for injected outages.
    pub status: StatusCode,
    /// The RFC 6749 error code (`invalid_grant`, `invalid_client`…).
    pub error: &'static str,
    /// Google's explanatory sentence.
    pub description: String,
}

impl OAuthError {
    /// 400 `invalid_grant`: the code or refresh token is dead, or PKCE failed.
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_grant",
            description: description.into(),
        }
    }

    /// 400 `invalid_request`: a parameter is missing or malformed.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            description: description.into(),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"error": self.error, "error_description": self.description})),
        )
            .into_response()
    }
}

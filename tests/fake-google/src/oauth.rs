//! Google's OAuth endpoints for an installed app: the authorization endpoint (auto-consent,
//! loopback redirect), the token endpoint (authorization_code with PKCE, refresh_token) and
//! revocation.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::control::TokenFailure;
use crate::errors::OAuthError;
use crate::state::{AuthCode, Shared, TokenRequestLog};

/// How long a `Hang` token failure holds the request: far beyond any client timeout.
const HANG_FOR: Duration = Duration::from_secs(3600);

/// The OAuth routes.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/o/oauth2/v2/auth", get(authorize))
        .route("/o/oauth2/auth", get(authorize))
        .route("/token", post(token))
        .route("/revoke", post(revoke))
}

/// Google shows an error page (no redirect) when it cannot trust the redirect URI.
fn error_page(status: StatusCode, error: &str, detail: &str) -> Response {
    let body = format!(
        "<!doctype html><title>Error {code}: {error}</title>\
         <h1>Access blocked: authorization error</h1>\
         <p>Error {code}: {error}</p><p>{detail}</p>",
        code = status.as_u16()
    );
    (status, Html(body)).into_response()
}

/// A 302 to the client's redirect URI with extra query parameters.
fn redirect_with(redirect_uri: &url::Url, params: &[(&str, &str)]) -> Response {
    let mut target = redirect_uri.clone();
    {
        let mut query = target.query_pairs_mut();
        for (key, value) in params {
            query.append_pair(key, value);
        }
    }
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

/// Desktop clients may redirect to any port on the loopback interface, over http.
fn is_loopback_redirect(uri: &url::Url) -> bool {
    uri.scheme() == "http"
        && matches!(
            uri.host_str(),
            Some("127.0.0.1") | Some("localhost") | Some("[::1]")
        )
}

/// GET /o/oauth2/v2/auth: checks the request like Google and consents on the user's behalf.
async fn authorize(
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let param = |name: &str| q.get(name).map(String::as_str).unwrap_or("");
    if param("client_id") != s.opts.client_id {
        return error_page(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The OAuth client was not found.",
        );
    }
    let Some(redirect_uri) = q.get("redirect_uri") else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: redirect_uri",
        );
    };
    let redirect = match url::Url::parse(redirect_uri) {
        Ok(url) if is_loopback_redirect(&url) => url,
        _ => return error_page(
            StatusCode::BAD_REQUEST,
            "redirect_uri_mismatch",
            "A desktop client must redirect to http://127.0.0.1:<port> or http://localhost:<port>.",
        ),
    };
    let state = param("state");
    if param("response_type") != "code" {
        return redirect_with(
            &redirect,
            &[("error", "unsupported_response_type"), ("state", state)],
        );
    }
    if param("scope").is_empty() {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: scope",
        );
    }
    let challenge = q.get("code_challenge").cloned();
    let method = q
        .get("code_challenge_method")
        .cloned()
        .unwrap_or_else(|| "plain".into());
    if challenge.is_some() && method != "S256" && method != "plain" {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid code_challenge_method value.",
        );
    }
    let denied = {
        let mut world = s.world();
        std::mem::take(&mut world.deny_next_consent)
    } || param("deny") == "1";
    if denied {
        return redirect_with(&redirect, &[("error", "access_denied"), ("state", state)]);
    }
    // Google's account chooser: the account a test picked for this consent wins (the
    // person clicks another account than the hint), then `login_hint`, then the first user.
    let user = {
        let mut world = s.world();
        let picked = world.next_consent_user.take();
        match picked.or_else(|| q.get("login_hint").filter(|h| !h.is_empty()).cloned()) {
            None => world.user_email.clone(),
            Some(hint) if world.users.contains(&hint) => hint,
            Some(hint) => {
                return error_page(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    &format!("fake-google has no user {hint}: add one with POST /control/users."),
                )
            }
        }
    };
    let code = format!("4/0Afake{}", uuid::Uuid::new_v4().simple());
    let scope = param("scope").to_string();
    s.world().auth_codes.insert(
        code.clone(),
        AuthCode {
            client_id: s.opts.client_id.clone(),
            redirect_uri: redirect_uri.clone(),
            code_challenge: challenge,
            challenge_method: method,
            scope: scope.clone(),
            offline: param("access_type") == "offline",
            user,
        },
    );
    redirect_with(
        &redirect,
        &[("state", state), ("code", &code), ("scope", &scope)],
    )
}

/// Client credentials from the form or from HTTP Basic, as Google accepts both.
fn client_credentials(form: &HashMap<String, String>, headers: &HeaderMap) -> (String, String) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b64| STANDARD.decode(b64).ok())
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let decode = |s: &str| {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            Some((decode(id), decode(secret)))
        });
    match basic {
        Some(pair) => pair,
        None => (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned().unwrap_or_default(),
        ),
    }
}

/// RFC 7636: 43–128 characters from the unreserved set.
fn verifier_well_formed(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// POST /token.
async fn token(State(s): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let failure = {
        let mut world = s.world();
        world.stats.token_calls += 1;
        world.token_failures.pop_front()
    };
    let (client_id, client_secret) = client_credentials(&form, &headers);
    let grant_type = form.get("grant_type").cloned().unwrap_or_default();
    let mut log = TokenRequestLog {
        grant_type: grant_type.clone(),
        redirect_uri: form.get("redirect_uri").cloned(),
        pkce_verified: false,
        client_id: client_id.clone(),
        error: None,
    };
    let outcome = match failure {
        Some(TokenFailure::Hang) => {
            // Parked until the client gives up or the fake shuts down.
            tokio::select! {
                _ = tokio::time::sleep(HANG_FOR) => {}
                _ = s.cancel.cancelled() => {}
            }
            Err(injected_outage())
        }
        Some(TokenFailure::ServerError) => Err(injected_outage()),
        Some(TokenFailure::InvalidGrant) => Err(OAuthError::invalid_grant(
            "Token has been expired or revoked.",
        )),
        None => grant(&s, &form, &client_id, &client_secret, &mut log),
    };
    log.error = outcome.as_ref().err().map(|e| e.error.to_string());
    let delay = {
        let mut world = s.world();
        world.token_log.push(log);
        world.faults.token_delay
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match outcome {
        Ok(body) => (
            StatusCode::OK,
            [(
                header::CACHE_CONTROL,
                "no-cache, no-store, max-age=0, must-revalidate",
            )],
            Json(body),
        )
            .into_response(),
        Err(err) => err.into_response(),
    }
}

/// The 503 Google's token endpoint gives during an outage.
fn injected_outage() -> OAuthError {
    OAuthError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        error: "temporarily_unavailable",
        description: "The service is currently unavailable.".into(),
    }
}

/// Checks the client and runs the requested grant.
fn grant(
    s: &Shared,
    form: &HashMap<String, String>,
    client_id: &str,
    client_secret: &str,
    log: &mut TokenRequestLog,
) -> Result<serde_json::Value, OAuthError> {
    if client_id != s.opts.client_id {
        return Err(OAuthError {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "The OAuth client was not found.".into(),
        });
    }
    // Desktop clients' secrets are not secret, but Google still insists on them.
    if client_secret != s.opts.client_secret {
        return Err(OAuthError {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "Unauthorized".into(),
        });
    }
    let now_ms = s.now().timestamp_millis();
    let ttl = s.opts.access_token_ttl;
    let field = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    match field("grant_type") {
        Some("authorization_code") => {
            let code = field("code")
                .ok_or_else(|| OAuthError::invalid_request("Missing required parameter: code"))?;
            let redirect_uri = field("redirect_uri").ok_or_else(|| {
                OAuthError::invalid_request("Missing required parameter: redirect_uri")
            })?;
            let mut world = s.world();
            let pending = world
                .auth_codes
                .get(code)
                .ok_or_else(|| OAuthError::invalid_grant("Malformed auth code."))?;
            if pending.client_id != client_id {
                return Err(OAuthError::invalid_grant("Unauthorized"));
            }
            if pending.redirect_uri != redirect_uri {
                return Err(OAuthError {
                    status: StatusCode::BAD_REQUEST,
                    error: "redirect_uri_mismatch",
                    description: "Bad Request".into(),
                });
            }
            if let Some(challenge) = &pending.code_challenge {
                let verifier = field("code_verifier")
                    .ok_or_else(|| OAuthError::invalid_grant("Missing code verifier."))?;
                let expected = if pending.challenge_method == "S256" {
                    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
                } else {
                    verifier.to_string()
                };
                if !verifier_well_formed(verifier) || &expected != challenge {
                    return Err(OAuthError::invalid_grant("Invalid code verifier."));
                }
                log.pkce_verified = true;
            }
            // Codes are single-use; only a successful exchange spends one.
            let pending = world
                .auth_codes
                .remove(code)
                .ok_or_else(|| OAuthError::invalid_grant("Malformed auth code."))?;
            let refresh = pending
                .offline
                .then(|| world.mint_refresh_token(&pending.scope, &pending.user));
            let access = world.mint_access_token(ttl, refresh.clone(), &pending.user, now_ms);
            let mut body = json!({
                "access_token": access,
                "expires_in": ttl.as_secs(),
                "scope": pending.scope,
                "token_type": "Bearer",
            });
            if let Some(refresh) = refresh {
                body["refresh_token"] = json!(refresh);
            }
            Ok(body)
        }
        Some("refresh_token") => {
            let refresh = field("refresh_token").ok_or_else(|| {
                OAuthError::invalid_request("Missing required parameter: refresh_token")
            })?;
            let mut world = s.world();
            let (scope, user) = world
                .refresh_tokens
                .get(refresh)
                .map(|grant| (grant.scope.clone(), grant.user.clone()))
                .ok_or_else(|| OAuthError::invalid_grant("Token has been expired or revoked."))?;
            let access = world.mint_access_token(ttl, Some(refresh.to_string()), &user, now_ms);
            // Google does not rotate refresh tokens: the response carries none.
            Ok(json!({
                "access_token": access,
                "expires_in": ttl.as_secs(),
                "scope": scope,
                "token_type": "Bearer",
            }))
        }
        Some(other) => Err(OAuthError {
            status: StatusCode::BAD_REQUEST,
            error: "unsupported_grant_type",
            description: format!("Invalid grant_type: {other}"),
        }),
        None => Err(OAuthError::invalid_request(
            "Missing required parameter: grant_type",
        )),
    }
}

/// POST /revoke?token=… (or the token in a form body). Revoking either token of a pair
/// revokes the refresh token and every access token minted from it, as Google does.
async fn revoke(
    State(s): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    body: String,
) -> Response {
    let token = q.get("token").cloned().or_else(|| {
        url::form_urlencoded::parse(body.as_bytes())
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
    });
    let mut world = s.world();
    let refresh = match token.as_deref() {
        Some(t) if world.refresh_tokens.contains_key(t) => Some(t.to_string()),
        Some(t) => match world.access_tokens.remove(t) {
            Some(grant) => grant.refresh_token,
            None => {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(json!({"error": "invalid_token", "error_description": "Token expired or revoked"})),
                )
                    .into_response()
            }
        },
        None => {
            return OAuthError::invalid_request("Missing required parameter: token").into_response()
        }
    };
    if let Some(refresh) = refresh {
        world.refresh_tokens.remove(&refresh);
        world
            .access_tokens
            .retain(|_, grant| grant.refresh_token.as_deref() != Some(refresh.as_str()));
    }
    (StatusCode::OK, Json(json!({}))).into_response()
}

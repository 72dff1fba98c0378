//! The installed-app authorization-code flow: PKCE, loopback redirect, compared `state`.

use std::time::Duration;

use axum::http::StatusCode;
use oauth2::{
    AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use subtle::ConstantTimeEq;
use tokio_util::sync::CancellationToken;

use super::loopback::{Callback, Loopback, Page, Redirect};
use super::oauth::{classify, Failure};
use super::{AuthError, OAuthApp, SCOPES};
use crate::secrets::{Sensitive, TokenSet};

/// Opens a URL in the user's browser (the shell passes tauri-plugin-opener; tests pass a
/// function that plays the browser). An `Err` is a sentence saying why it could not.
pub type Opener = dyn Fn(&str) -> Result<(), String> + Send + Sync;

/// The result of a completed sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The tokens Google issued; the caller labels the account and stores them.
    pub tokens: TokenSet,
}

/// What the flow needs once the browser comes back.
struct Pending<'a> {
    /// Redeems the code.
    app: &'a OAuthApp,
    /// Sent again with the code: Google checks it equals the one in the consent URL.
    redirect_uri: RedirectUrl,
    /// The random `state` sent out; the redirect must bring back exactly this.
    state: CsrfToken,
    /// Proves to the token endpoint that the code is redeemed by whoever asked for it.
    verifier: PkceCodeVerifier,
    /// Turns `expires_in` into an absolute expiry.
    now_ms: &'a (dyn Fn() -> i64 + Send + Sync),
}

/// Signs in through the system browser and returns the new tokens; stores nothing.
///
/// Listens on `127.0.0.1:<free port>`, opens Google's consent page with `opener`, and
/// waits for the redirect until `timeout` passes or `cancel` fires. However it ends, the
/// listener is closed before this returns.
pub async fn sign_in(
    app: &OAuthApp,
    opener: &Opener,
    cancel: CancellationToken,
    timeout: Duration,
) -> Result<SignedIn, AuthError> {
    sign_in_at(app, opener, cancel, timeout, &super::system_now_ms).await
}

/// [`sign_in`] with the clock the token expiry is computed from.
pub async fn sign_in_at(
    app: &OAuthApp,
    opener: &Opener,
    cancel: CancellationToken,
    timeout: Duration,
    now_ms: &(dyn Fn() -> i64 + Send + Sync),
) -> Result<SignedIn, AuthError> {
    let mut loopback = Loopback::start().await.map_err(|e| AuthError::Loopback {
        reason: e.to_string(),
    })?;
    let outcome = run(app, &mut loopback, opener, &cancel, timeout, now_ms).await;
    loopback.close().await;
    match &outcome {
        Ok(_) => tracing::info!("sign-in completed"),
        Err(e) => tracing::info!(code = e.code(), "sign-in did not complete: {e}"),
    }
    outcome
}

async fn run(
    app: &OAuthApp,
    loopback: &mut Loopback,
    opener: &Opener,
    cancel: &CancellationToken,
    timeout: Duration,
    now_ms: &(dyn Fn() -> i64 + Send + Sync),
) -> Result<SignedIn, AuthError> {
    let redirect_uri =
        RedirectUrl::new(loopback.redirect_uri()).map_err(|e| AuthError::Loopback {
            reason: e.to_string(),
        })?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = app
        .client()
        .authorize_url(CsrfToken::new_random)
        .set_redirect_uri(std::borrow::Cow::Borrowed(&redirect_uri))
        .add_scopes(SCOPES.iter().map(|s| Scope::new(s.to_string())))
        .set_pkce_challenge(challenge)
        // A refresh token is only issued with offline access, and Google only re-issues
        // one on an explicit consent screen.
        .add_extra_param("access_type", "offline")
        .add_extra_param("prompt", "consent")
        .url();
    let pending = Pending {
        app,
        redirect_uri,
        state,
        verifier,
        now_ms,
    };

    opener(url.as_str()).map_err(|reason| AuthError::BrowserNotOpened { reason })?;

    // Only the redirect bringing our `state` decides the flow. The listener's port is
    // visible to every local process: a request with a foreign or missing state gets an
    // error page and the flow keeps waiting for Google's redirect (until the timeout).
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let (redirect, reply) = loop {
        let callback = tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(AuthError::Cancelled),
            _ = &mut deadline => return Err(AuthError::TimedOut { after: timeout }),
            callback = loopback.next() => callback,
        };
        let Some(Callback { redirect, reply }) = callback else {
            return Err(AuthError::Loopback {
                reason: "the local sign-in listener stopped".to_string(),
            });
        };
        if pending.is_ours(&redirect) {
            break (redirect, reply);
        }
        tracing::warn!(
            "the sign-in listener got a request that is not Google's answer; still waiting"
        );
        let _ = reply.send(Page {
            status: StatusCode::BAD_REQUEST,
            message: crate::locale::current().text("signin-page-not-ours", &[]),
        });
    };
    let outcome = tokio::select! {
        biased;
        _ = cancel.cancelled() => Err(AuthError::Cancelled),
        outcome = pending.finish(redirect) => outcome,
    };
    let locale = crate::locale::current();
    let page = match &outcome {
        Ok(_) => Page {
            status: StatusCode::OK,
            message: locale.text("signin-page-done", &[]),
        },
        Err(e) => Page {
            status: StatusCode::BAD_REQUEST,
            message: {
                let (id, args) = e.wording();
                locale.text(
                    "signin-page-failed",
                    &[("reason", locale.text(id, &args).into())],
                )
            },
        },
    };
    // The tab may already be closed; the outcome stands either way.
    let _ = reply.send(page);
    outcome
}

impl Pending<'_> {
    /// Whether the redirect brings back the `state` we sent (compared in constant time):
    /// proof it answers our request, not one a page or a local process crafted.
    fn is_ours(&self, redirect: &Redirect) -> bool {
        let state = match redirect {
            Redirect::Code { state, .. } | Redirect::Error { state, .. } => state,
        };
        let expected = self.state.secret().as_bytes();
        state
            .as_ref()
            .is_some_and(|s| bool::from(s.as_bytes().ct_eq(expected)))
    }

    /// Checks the redirect and, if it is ours and carries a code, redeems the code.
    async fn finish(self, redirect: Redirect) -> Result<SignedIn, AuthError> {
        let (state, code) = match redirect {
            Redirect::Code { code, state } => (state, Ok(code)),
            Redirect::Error { error, state } => (state, Err(error)),
        };
        // Checked again here so `finish` is safe on its own.
        let expected = self.state.secret().as_bytes();
        let ours = state.is_some_and(|s| bool::from(s.as_bytes().ct_eq(expected)));
        if !ours {
            return Err(AuthError::StateMismatch);
        }
        let code = match code {
            Ok(code) => code,
            Err(error) if error == "access_denied" => return Err(AuthError::AccessDenied),
            Err(error) => {
                return Err(AuthError::Refused {
                    error: clean_code(&error),
                })
            }
        };
        let response = self
            .app
            .client()
            .exchange_code(AuthorizationCode::new(code))
            .set_redirect_uri(std::borrow::Cow::Borrowed(&self.redirect_uri))
            .set_pkce_verifier(self.verifier)
            .request_async(&self.app.transport())
            .await
            .map_err(|e| match classify(e) {
                Failure::Refused { error } => AuthError::Exchange { error },
                Failure::Transient { reason } => AuthError::Network { reason },
            })?;

        let Some(refresh) = response.refresh_token() else {
            return Err(AuthError::NoRefreshToken);
        };
        let granted: Vec<String> = match response.scopes() {
            Some(scopes) => scopes.iter().map(|s| s.to_string()).collect(),
            // RFC 6749: no `scope` in the answer means exactly what was asked for.
            None => SCOPES.iter().map(|s| s.to_string()).collect(),
        };
        let missing: Vec<String> = SCOPES
            .iter()
            .filter(|s| !granted.iter().any(|g| g == *s))
            .map(|s| s.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(AuthError::ScopesNotGranted { missing });
        }
        let expires_in = response
            .expires_in()
            .unwrap_or(super::DEFAULT_ACCESS_TOKEN_LIFETIME);
        Ok(SignedIn {
            tokens: TokenSet {
                access_token: Sensitive::new(response.access_token().secret().clone()),
                refresh_token: Some(Sensitive::new(refresh.secret().clone())),
                expires_at_ms: (self.now_ms)()
                    .saturating_add(i64::try_from(expires_in.as_millis()).unwrap_or(i64::MAX)),
                scopes: granted,
            },
        })
    }
}

/// OAuth error codes are `[a-z_]` words; anything else is shown as "unknown" rather
/// than echoing whatever a crafted redirect put there.
fn clean_code(code: &str) -> String {
    if !code.is_empty()
        && code.len() <= 64
        && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        code.to_string()
    } else {
        "unknown".to_string()
    }
}

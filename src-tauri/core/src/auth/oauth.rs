//! The OAuth client (oauth2's typestate client over reqwest) and how its failures read.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{
    AsyncHttpClient, AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet,
    ErrorResponseType, HttpRequest, HttpResponse, RefreshToken, RequestTokenError,
    StandardErrorResponse, TokenUrl,
};

use super::AuthError;
use crate::config;
use crate::secrets::Sensitive;

/// oauth2's client with the endpoints it drives for CalWatch: authorize and token.
/// (Revocation is sent by hand: oauth2 insists on an https revocation URL, which
/// fake-google on loopback cannot offer.)
pub(crate) type GoogleClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// How long one request to Google's OAuth endpoints may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The registered desktop OAuth client and the endpoints it talks to.
///
/// Cheap to clone; the HTTP client inside is shared.
#[derive(Clone)]
pub struct OAuthApp {
    /// The typestate client with every URL validated once, up front.
    client: GoogleClient,
    /// Where sign-out revokes the grant.
    revoke_url: reqwest::Url,
    /// Never follows redirects: a token endpoint that redirects is not one we trust.
    http: reqwest::Client,
}

impl std::fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client.client_id().as_str())
            .field("token_url", &self.client.token_uri().as_str())
            .finish_non_exhaustive()
    }
}

impl OAuthApp {
    /// The app's client: id and secret from the imported client file, URLs from the
    /// configured endpoints (which `CALWATCH_*` may point at fake-google).
    pub fn new(
        client: &config::ClientSecret,
        endpoints: &config::Endpoints,
    ) -> Result<OAuthApp, AuthError> {
        Self::from_parts(
            &client.client_id,
            &client.client_secret,
            &endpoints.auth_url,
            &endpoints.token_url,
            &endpoints.revoke_url,
        )
    }

    /// Builds the client from a client id/secret and the three endpoint URLs.
    pub fn from_parts(
        client_id: &str,
        client_secret: &Sensitive<String>,
        auth_url: &str,
        token_url: &str,
        revoke_url: &str,
    ) -> Result<OAuthApp, AuthError> {
        let bad = |what: &str, e: oauth2::url::ParseError| AuthError::Setup {
            reason: format!("the {what} URL is not valid ({e})"),
        };
        let client = BasicClient::new(ClientId::new(client_id.to_string()))
            .set_client_secret(ClientSecret::new(client_secret.expose().clone()))
            .set_auth_uri(AuthUrl::new(auth_url.to_string()).map_err(|e| bad("authorization", e))?)
            .set_token_uri(TokenUrl::new(token_url.to_string()).map_err(|e| bad("token", e))?)
            // Google documents the client id and secret as form fields of the token request.
            .set_auth_type(AuthType::RequestBody);
        let revoke_url = reqwest::Url::parse(revoke_url).map_err(|e| bad("revocation", e))?;
        Ok(OAuthApp {
            client,
            revoke_url,
            http: http_client(HTTP_TIMEOUT)?,
        })
    }

    /// The same client with another per-request timeout (30 s by default).
    pub fn with_timeout(mut self, timeout: Duration) -> Result<OAuthApp, AuthError> {
        self.http = http_client(timeout)?;
        Ok(self)
    }

    /// The OAuth client id (public; shown in diagnostics).
    pub fn client_id(&self) -> &str {
        self.client.client_id().as_str()
    }

    pub(crate) fn client(&self) -> &GoogleClient {
        &self.client
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Revokes `token` (RFC 7009, as Google takes it: the token in a form body). A token
    /// Google no longer knows (`invalid_token`) is as good as revoked.
    pub(crate) async fn revoke(&self, token: &Sensitive<String>) -> Result<(), Failure> {
        let response = self
            .http
            .post(self.revoke_url.clone())
            .form(&[("token", token.expose().as_str())])
            .send()
            .await
            .map_err(|e| Failure::Transient {
                reason: describe_error(&e),
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(Failure::Transient {
                reason: Transport::Status(status.as_u16()).to_string(),
            });
        }
        #[derive(serde::Deserialize)]
        struct ErrorBody {
            error: String,
        }
        let error = response
            .json::<ErrorBody>()
            .await
            .map(|b| b.error)
            .unwrap_or_else(|_| format!("HTTP {}", status.as_u16()));
        if error == "invalid_token" {
            return Ok(());
        }
        Err(Failure::Refused { error })
    }

    /// The transport oauth2 requests go through.
    pub(crate) fn transport(&self) -> OAuthHttp<'_> {
        OAuthHttp(&self.http)
    }

    /// One refresh-token grant, classified.
    pub(crate) async fn refresh(
        &self,
        refresh_token: &Sensitive<String>,
    ) -> Result<BasicTokenResponse, Failure> {
        let token = RefreshToken::new(refresh_token.expose().clone());
        self.client
            .exchange_refresh_token(&token)
            .request_async(&self.transport())
            .await
            .map_err(classify)
    }
}

fn http_client(timeout: Duration) -> Result<reqwest::Client, AuthError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .build()
        .map_err(|e| AuthError::Setup {
            reason: format!("the HTTP client could not be built ({e})"),
        })
}

/// reqwest as oauth2's transport, with 5xx/429 turned into transport failures so they
/// are never mistaken for a definitive answer from Google.
pub(crate) struct OAuthHttp<'a>(&'a reqwest::Client);

impl<'c> AsyncHttpClient<'c> for OAuthHttp<'_> {
    type Error = Transport;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, Transport>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let response = self
                .0
                .call(request)
                .await
                .map_err(|e| Transport::Network(describe_http_error(&e)))?;
            let status = response.status();
            if status.is_server_error() || status.as_u16() == 429 {
                return Err(Transport::Status(status.as_u16()));
            }
            Ok(response)
        })
    }
}

/// Why a request to an OAuth endpoint did not produce an answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Transport {
    /// The request did not get through (DNS, connect, TLS, timeout).
    #[error("{0}")]
    Network(String),
    /// Google is having trouble (5xx) or asks us to slow down (429).
    #[error("the server answered HTTP {0}")]
    Status(u16),
}

/// A failed token request, sorted by what the caller should do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Google refused (e.g. `invalid_grant`): retrying will not help; sign in again.
    Refused {
        /// The OAuth error code, e.g. `invalid_grant`.
        error: String,
    },
    /// No definitive answer: the network, a 5xx, a garbled reply. Retry later.
    Transient {
        /// What went wrong, without any token.
        reason: String,
    },
}

/// Sorts oauth2's errors. Only a 4xx with an OAuth error body is a refusal: anything we
/// cannot read as Google's answer (an HTML captive portal, an empty body) is transient.
pub(crate) fn classify<T>(err: RequestTokenError<Transport, StandardErrorResponse<T>>) -> Failure
where
    T: ErrorResponseType + AsRef<str> + std::fmt::Display + Send + Sync + 'static,
{
    match err {
        RequestTokenError::ServerResponse(response) => Failure::Refused {
            error: response.error().as_ref().to_string(),
        },
        RequestTokenError::Request(transport) => Failure::Transient {
            reason: transport.to_string(),
        },
        // The body may hold a token: report only where parsing stopped.
        RequestTokenError::Parse(e, _body) => Failure::Transient {
            reason: format!(
                "the token endpoint's answer could not be read (at {})",
                e.path()
            ),
        },
        RequestTokenError::Other(reason) => Failure::Transient { reason },
    }
}

/// oauth2 wraps reqwest's error in a vaguer one; unwrap it.
fn describe_http_error(err: &oauth2::HttpClientError<reqwest::Error>) -> String {
    match err {
        oauth2::HttpClientError::Reqwest(inner) => describe_error(inner.as_ref()),
        other => describe_error(other),
    }
}

/// reqwest's top-level message is vague ("error sending request"); the cause chain says
/// what actually happened (connection refused, timed out).
fn describe_error(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

//! A local stand-in for Google's OAuth and Calendar v3 endpoints, for CalWatch's tests and
//! sandbox. It is a real HTTP server: clients talk to it exactly as they talk to Google.
//!
//! # Layout
//! - `state`: the model — users, calendars, events stamped with per-calendar sequence numbers
//!   (what sync tokens point at), channels, OAuth codes and tokens, counters.
//! - `calendar_list`: each user's calendar list — entries with their role, name override,
//!   colour and visibility, stamped with per-user sequence numbers (calendarList sync
//!   tokens), removed entries kept as tombstones.
//! - `oauth`: authorization (auto-consent as the first user, the `login_hint` user or the
//!   one a test picked), token (PKCE, refresh) and revoke endpoints.
//! - `calendar`: the Calendar v3 routes: calendarList.list, calendarList.watch,
//!   events.list, events.watch, channels.stop; bearer check and API faults.
//! - `delivery`: push notifications — numbering, the per-channel POST worker, delivery faults.
//! - `control`: [`Control`] and the `/control/…` HTTP API mirroring it (which asks for
//!   the per-start secret, [`CONTROL_SECRET_HEADER`]).
//! - `checked`: [`Control`]'s event calls that report an unknown id instead of panicking.
//! - `domains`: domain verification — the file fetched from the callback's origin, and
//!   watches refused for unverified domains.
//! - `seed`: demo calendars and events.
//! - `errors`: Google's JSON error bodies.

mod calendar;
mod calendar_list;
mod checked;
mod control;
mod delivery;
mod domains;
mod errors;
mod oauth;
mod seed;
mod state;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use calendar_list::ListEntryChange;
pub use checked::ControlError;
pub use control::{Control, Faults, TokenFailure, CONTROL_SECRET_HEADER};
pub use delivery::USER_AGENT;
pub use domains::{verification_content, VerifyError};
pub use seed::{FAMILY_CALENDAR, WORK_CALENDAR};
pub use state::{ChannelInfo, ChannelState, Stats, TokenRequestLog, USER_EMAIL};

use state::{Pending, Shared, World};

/// How a fake is started.
#[derive(Debug, Clone)]
pub struct Options {
    /// Accept http:// watch addresses (tests, sandbox); Google itself demands https.
    pub allow_http: bool,
    /// Seed demo calendars and events (the binary does).
    pub seed: bool,
    /// The OAuth client id the endpoints accept.
    pub client_id: String,
    /// The client secret the token endpoint insists on.
    pub client_secret: String,
    /// Lifetime of issued access tokens.
    pub access_token_ttl: Duration,
    /// The secret the `/control/…` HTTP API asks for; `None` draws a random one at start.
    /// Every local user can reach the port, so the API is never open without one.
    pub control_secret: Option<String>,
    /// Refuse events.watch at a domain not verified through `POST /control/verify-domain`
    /// (401 `push.webhookUrlUnauthorized`), as Google does for some projects.
    pub require_verified_domains: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            allow_http: true,
            seed: false,
            client_id: "calwatch-test.apps.googleusercontent.com".into(),
            client_secret: "fake-client-secret".into(),
            access_token_ttl: Duration::from_secs(3600),
            control_secret: None,
            require_verified_domains: false,
        }
    }
}

/// A running fake Google. Dropping it stops the server and its delivery workers.
pub struct FakeGoogle {
    /// State shared with routes and workers.
    shared: Arc<Shared>,
    /// Where it listens.
    addr: SocketAddr,
    /// The server task; it ends once `cancel` fires and in-flight requests finish.
    _server: JoinHandle<()>,
}

impl FakeGoogle {
    /// Starts on 127.0.0.1 with a free port.
    pub async fn start(opts: Options) -> anyhow::Result<FakeGoogle> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        Self::start_on(listener, opts).await
    }

    /// Starts on a listener the caller bound.
    pub async fn start_on(
        listener: tokio::net::TcpListener,
        opts: Options,
    ) -> anyhow::Result<FakeGoogle> {
        let addr = listener.local_addr()?;
        // A wildcard bind is still reached over loopback by clients on this machine.
        let host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            addr.ip().to_string()
        };
        let base_url = format!("http://{host}:{}", addr.port());
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .build()?;
        let now = chrono::Utc::now();
        let mut world = World::new(now);
        if opts.seed {
            seed::seed(&mut world, now);
        }
        let control_secret = opts
            .control_secret
            .clone()
            .unwrap_or_else(control::random_secret);
        let shared = Arc::new(Shared {
            control_secret,
            world: std::sync::Mutex::new(world),
            opts,
            base_url,
            pending: Pending::default(),
            http,
            cancel: CancellationToken::new(),
        });
        let app = router(Arc::clone(&shared));
        // Graceful shutdown closes the listener and idle keep-alive connections, so a test
        // that drops the fake sees "connection refused" rather than a zombie server.
        let stop = shared.cancel.clone().cancelled_owned();
        let server = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
            {
                tracing::error!(%err, "fake-google server stopped");
            }
        });
        tracing::info!(base = %shared.base_url, "fake-google listening");
        Ok(FakeGoogle {
            shared,
            addr,
            _server: server,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The socket address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The authorization endpoint.
    pub fn auth_url(&self) -> String {
        format!("{}/o/oauth2/v2/auth", self.shared.base_url)
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/token", self.shared.base_url)
    }

    /// The revocation endpoint.
    pub fn revoke_url(&self) -> String {
        format!("{}/revoke", self.shared.base_url)
    }

    /// The Calendar API base, `{base}/calendar/v3`.
    pub fn api_base(&self) -> String {
        self.shared.api_base()
    }

    /// A `client_secret.json` of the "installed" kind pointing at this server.
    pub fn client_secret_json(&self) -> String {
        let doc = serde_json::json!({
            "installed": {
                "client_id": self.shared.opts.client_id,
                "project_id": "calwatch-fake",
                "auth_uri": self.auth_url(),
                "token_uri": self.token_url(),
                "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
                "client_secret": self.shared.opts.client_secret,
                "redirect_uris": ["http://localhost"],
            }
        });
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }

    /// The `CALWATCH_*` variables that point CalWatch at this server.
    pub fn env_assignments(&self, client_secret_file: &Path) -> Vec<(String, String)> {
        let mut vars = vec![
            ("CALWATCH_AUTH_URL".to_string(), self.auth_url()),
            ("CALWATCH_TOKEN_URL".to_string(), self.token_url()),
            ("CALWATCH_REVOKE_URL".to_string(), self.revoke_url()),
            ("CALWATCH_API_BASE".to_string(), self.api_base()),
            (
                "CALWATCH_CLIENT_SECRET_FILE".to_string(),
                client_secret_file.display().to_string(),
            ),
        ];
        if self.shared.opts.allow_http {
            vars.push(("CALWATCH_ALLOW_HTTP_CALLBACK".to_string(), "1".to_string()));
        }
        vars
    }

    /// The secret the `/control/…` HTTP API wants in [`CONTROL_SECRET_HEADER`].
    pub fn control_secret(&self) -> &str {
        &self.shared.control_secret
    }

    /// A handle for setting up data, switching faults and observing.
    pub fn control(&self) -> Control {
        Control {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl Drop for FakeGoogle {
    fn drop(&mut self) {
        // Stops the listener, delivery workers and any request parked by a `Hang` fault.
        self.shared.cancel.cancel();
    }
}

/// All routes, with a Google-style 404 for anything else.
fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(oauth::router())
        .merge(calendar::router())
        .merge(
            control::router().route_layer(axum::middleware::from_fn_with_state(
                Arc::clone(&shared),
                control::require_secret,
            )),
        )
        .fallback(|| async { errors::ApiError::not_found() })
        .layer(axum::middleware::from_fn(log_request))
        .with_state(shared)
}

/// One log line per request so a sandbox user can watch the app talk to "Google".
/// Only the path is logged: query strings can carry tokens (`/revoke?token=…`).
async fn log_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    tracing::info!(%method, %path, status = response.status().as_u16(), "request");
    response
}

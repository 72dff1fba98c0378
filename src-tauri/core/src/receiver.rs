//! The receiver: the HTTP endpoint Google's push notifications arrive at, and the probe
//! that checks the user's public callback URL really leads to it.
//!
//! A notification is checked (headers, channel, token, resource id, duplicate), answered
//! `200` at once and handed to the sync side as a [`Delivery`] over an unbounded channel:
//! the request never waits on Google or on a sync. Anything forged or malformed is
//! answered with its status code and goes no further.
//!
//! # Layout
//! - `connections`: the open connections, capped; the idlest closed first when full.
//! - [`registry`]: the channels the receiver answers for; token, resource id and
//!   duplicate checks.
//! - `routes`: the axum handlers and the one error type they answer with.
//! - [`probe`]: the reachability probe and the nonces the receiver recognises it by.
//! - [`recent`]: the message numbers a channel saw recently (the duplicate check).
//! - [`site_verification`]: the Search Console file served for domain verification.

mod connections;
pub mod probe;
pub mod recent;
pub mod registry;
mod routes;
pub mod site_verification;

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use connections::{OpenConnections, TrackedIo};
pub use probe::{
    check_callback, check_callback_in, ProbeNonces, ProbeReport, ProbeStep, ProbeStepCode,
};
pub use registry::{ChannelRegistry, RegisteredChannel};
pub use routes::Rejection;
pub use site_verification::SiteVerification;

/// The callback path used when the settings do not name one.
pub const DEFAULT_CALLBACK_PATH: &str = "/notifications";

/// A notification that passed every check, for the sync side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The channel was created (`X-Goog-Resource-State: sync`): it is confirmed working.
    Sync {
        /// Our channel id.
        channel_id: String,
        /// The calendar the channel watches.
        calendar_id: String,
        /// Google's id of the watched resource, needed to stop the channel later; the
        /// `sync` message can arrive before the watch response that also carries it.
        resource_id: String,
        /// The message number (1 for `sync`), for the store's last-seen record.
        message_number: u64,
    },
    /// Something in the calendar changed (created, updated or deleted): sync it.
    Exists {
        /// Our channel id.
        channel_id: String,
        /// The calendar to sync.
        calendar_id: String,
        /// The message number, for the store's last-seen record.
        message_number: u64,
    },
    /// The watched calendar no longer exists (deleted, or access lost).
    NotExists {
        /// Our channel id.
        channel_id: String,
        /// The calendar that is gone.
        calendar_id: String,
        /// The message number, for the store's last-seen record.
        message_number: u64,
    },
}

impl Delivery {
    /// The channel the notification came on.
    pub fn channel_id(&self) -> &str {
        match self {
            Delivery::Sync { channel_id, .. }
            | Delivery::Exists { channel_id, .. }
            | Delivery::NotExists { channel_id, .. } => channel_id,
        }
    }

    /// Google's message number for the notification.
    pub fn message_number(&self) -> u64 {
        match self {
            Delivery::Sync { message_number, .. }
            | Delivery::Exists { message_number, .. }
            | Delivery::NotExists { message_number, .. } => *message_number,
        }
    }
}

/// Limits that keep a flood or a slow client from tying the receiver up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiverLimits {
    /// Larger request bodies are refused with 413 (Google sends none for Calendar).
    pub max_body_bytes: usize,
    /// A request not answered within this (slow body, queue) gets 408.
    pub request_timeout: Duration,
    /// Requests handled at once; more wait their turn (within `request_timeout`).
    pub max_concurrent_requests: usize,
    /// A connection that has not sent its headers within this is closed (slowloris).
    pub header_read_timeout: Duration,
    /// Connections held open at once; when full, the one silent longest is closed to make
    /// room, so idle or slow clients cannot crowd out Google.
    pub max_connections: usize,
}

impl Default for ReceiverLimits {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(10),
            max_concurrent_requests: 256,
            // Google sends its few headers at once; a few seconds is generous.
            header_read_timeout: Duration::from_secs(3),
            max_connections: 256,
        }
    }
}

/// What the receiver's handlers share: the channels, where deliveries go, the probe nonces.
#[derive(Debug, Clone)]
pub struct ReceiverState {
    /// The channels to accept deliveries for; shared with the channel lifecycle.
    registry: ChannelRegistry,
    /// To the sync side. Unbounded so a request never waits on a busy sync; only
    /// authenticated, non-duplicate notifications get here, so it stays small.
    deliveries: mpsc::UnboundedSender<Delivery>,
    /// Nonces of probes in flight, so the receiver can tell its own probe from Google.
    probes: ProbeNonces,
    /// Body size, timeouts and concurrency.
    limits: ReceiverLimits,
    /// The domain verification file served at the root, if one is set.
    site_verification: SiteVerification,
}

impl ReceiverState {
    /// State with the default [`ReceiverLimits`].
    pub fn new(
        registry: ChannelRegistry,
        deliveries: mpsc::UnboundedSender<Delivery>,
        probes: ProbeNonces,
    ) -> Self {
        Self {
            registry,
            deliveries,
            probes,
            limits: ReceiverLimits::default(),
            site_verification: SiteVerification::default(),
        }
    }

    /// The same state serving `site_verification`'s file (shared: changing it there
    /// changes what the running receiver serves).
    pub fn with_site_verification(mut self, site_verification: SiteVerification) -> Self {
        self.site_verification = site_verification;
        self
    }

    /// The domain verification file this receiver serves.
    pub fn site_verification(&self) -> &SiteVerification {
        &self.site_verification
    }

    /// The same state with other limits.
    pub fn with_limits(mut self, limits: ReceiverLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The channels this receiver answers for.
    pub fn registry(&self) -> &ChannelRegistry {
        &self.registry
    }

    /// The probe nonces this receiver recognises.
    pub fn probes(&self) -> &ProbeNonces {
        &self.probes
    }

    /// The limits in force.
    pub fn limits(&self) -> ReceiverLimits {
        self.limits
    }
}

/// The receiver's routes (callback path, `/robots.txt`, `/healthz`, the domain
/// verification file); binds nothing.
pub fn router(state: ReceiverState, callback_path: &str) -> axum::Router {
    routes::router(state, callback_path)
}

/// Serves `router` on `listener` until `shutdown` completes, then lets requests in flight
/// finish. The caller binds the socket (tests bind port 0) and decides when to stop.
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    serve_with(listener, router, shutdown, ReceiverLimits::default()).await
}

/// [`serve`] with chosen connection limits (header read timeout, connection cap).
pub async fn serve_with(
    listener: TcpListener,
    router: axum::Router,
    shutdown: impl Future<Output = ()>,
    limits: ReceiverLimits,
) -> io::Result<()> {
    let stop = CancellationToken::new();
    let connections = TaskTracker::new();
    let open = Arc::new(OpenConnections::new(limits.max_connections));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let http = Arc::new(http);
    tokio::pin!(shutdown);

    loop {
        let (stream, _peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) if is_per_connection(&e) => continue,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning,
                    // the condition usually clears as connections close.
                    tracing::warn!(error = %e, "receiver could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Notifications are tiny; waiting to batch them only adds latency.
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let http = Arc::clone(&http);
        let stop = stop.clone();
        let admitted = open.admit();
        let open = Arc::clone(&open);
        connections.spawn(async move {
            let io = TrackedIo::new(stream, admitted.last_active, Arc::clone(&open));
            let conn = http.serve_connection(TokioIo::new(io), service);
            tokio::pin!(conn);
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "receiver connection ended with an error");
                    }
                }
                // Evicted to make room: dropping the connection closes the socket.
                () = admitted.close.cancelled() => {}
                () = stop.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "receiver connection ended with an error");
                    }
                }
            }
            open.leave(admitted.id);
        });
    }

    drop(listener);
    stop.cancel();
    connections.close();
    connections.wait().await;
    Ok(())
}

/// Errors that concern one connection only; the listener itself is fine.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

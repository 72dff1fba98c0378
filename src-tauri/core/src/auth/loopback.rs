//! The one-shot loopback listener the browser is redirected to after consent.
//!
//! A tiny axum server on `127.0.0.1:<free port>`: `GET /` with `code`/`error` is handed
//! to the sign-in flow, which answers with the page the tab shows. Anything else (the
//! browser's favicon request, a stray visit) gets a 404/400 and does not end the flow.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long in-flight responses (the result page) get to finish once the flow is over.
const DRAIN: Duration = Duration::from_secs(2);

/// What the browser brought back on the redirect URI.
pub(crate) enum Redirect {
    /// Consent given: the authorization code and the state it came with.
    Code { code: String, state: Option<String> },
    /// Consent not given, or Google refused: the OAuth `error` and the state.
    Error {
        error: String,
        state: Option<String>,
    },
}

/// One redirect, with the way to answer the tab that brought it.
pub(crate) struct Callback {
    /// What arrived.
    pub redirect: Redirect,
    /// The flow sends the page to show once it knows the outcome.
    pub reply: oneshot::Sender<Page>,
}

/// The page the browser tab shows.
pub(crate) struct Page {
    /// 200 when signed in, 4xx otherwise (the tab does not care; curl users do).
    pub status: StatusCode,
    /// One or two sentences of plain text; escaped before it goes into HTML.
    pub message: String,
}

/// A running listener; dropping it stops the server.
pub(crate) struct Loopback {
    /// The port the OS picked; part of the redirect URI.
    addr: SocketAddr,
    /// Redirects in arrival order.
    callbacks: mpsc::Receiver<Callback>,
    /// Tells the server to stop accepting and finish what it is answering.
    stop: CancellationToken,
    /// The server task; awaited (or aborted) so the socket is closed when `close` returns.
    server: Option<JoinHandle<()>>,
}

impl Loopback {
    /// Binds `127.0.0.1:0` and starts serving.
    pub async fn start() -> std::io::Result<Loopback> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        // Capacity 1 is enough: the flow reads one redirect at a time, and a second tab
        // simply waits its turn.
        let (tx, callbacks) = mpsc::channel(1);
        let router = Router::new()
            .route("/", get(redirect_target))
            .fallback(not_found)
            .with_state(Arc::new(tx));
        let stop = CancellationToken::new();
        let shutdown = stop.clone().cancelled_owned();
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::warn!(error = %e, "sign-in listener stopped with an error");
            }
        });
        Ok(Loopback {
            addr,
            callbacks,
            stop,
            server: Some(server),
        })
    }

    /// The redirect URI Google must send the browser to: `http://127.0.0.1:PORT`.
    pub fn redirect_uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next redirect; `None` only if the server died.
    pub async fn next(&mut self) -> Option<Callback> {
        self.callbacks.recv().await
    }

    /// Stops the server and waits until its socket is closed.
    pub async fn close(mut self) {
        self.stop.cancel();
        // A second tab's redirect may be queued, its handler waiting for a page: dropping
        // its reply lets it answer "no longer in progress" instead of holding the drain.
        self.callbacks.close();
        while self.callbacks.try_recv().is_ok() {}
        if let Some(mut server) = self.server.take() {
            // Graceful first so the result page reaches the tab; a browser holding a
            // connection open must not keep the port alive, hence the bound.
            if tokio::time::timeout(DRAIN, &mut server).await.is_err() {
                server.abort();
                let _ = server.await;
            }
        }
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        // Reached when the sign-in future is dropped mid-flow: never leave the port open.
        self.stop.cancel();
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

type Sender = Arc<mpsc::Sender<Callback>>;

async fn redirect_target(
    State(tx): State<Sender>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Response {
    let state = params.remove("state");
    let redirect = if let Some(error) = params.remove("error") {
        Redirect::Error { error, state }
    } else if let Some(code) = params.remove("code") {
        Redirect::Code { code, state }
    } else {
        return page(Page {
            status: StatusCode::BAD_REQUEST,
            message: crate::locale::current().text("signin-page-nothing-here", &[]),
        });
    };
    let (reply, answer) = oneshot::channel();
    let gone = || {
        page(Page {
            status: StatusCode::GONE,
            message: crate::locale::current().text("signin-page-gone", &[]),
        })
    };
    if tx.send(Callback { redirect, reply }).await.is_err() {
        return gone();
    }
    match answer.await {
        Ok(p) => page(p),
        Err(_) => gone(),
    }
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

fn page(p: Page) -> Response {
    let body = format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <title>CalWatch</title></head>\
         <body style=\"font-family: sans-serif; margin: 3em;\"><p>{}</p></body></html>\n",
        crate::locale::current().language().code(),
        // Messages can quote what Google sent back: text, not markup.
        crate::markup::escape(&p.message)
    );
    (p.status, Html(body)).into_response()
}

//! The forwarding itself: a "public" loopback port whose connections are spliced to the
//! origin (the receiver), byte for byte, as a tunnel's edge does.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// One tunnel: its origin, whether it forwards, and its current public port.
#[derive(Clone)]
pub struct Tunnel {
    inner: Arc<Inner>,
}

struct Inner {
    /// Where requests go (the receiver).
    origin: SocketAddr,
    /// The status a request gets while forwarding is off (the tool's own).
    refusal: &'static str,
    /// On or off; connections follow it.
    forwarding: watch::Sender<bool>,
    /// The public hostname and the task serving it (aborting it cuts its connections).
    public: Mutex<Option<(String, JoinHandle<()>)>>,
}

impl Tunnel {
    /// A tunnel to `origin` that answers `refusal` (e.g. "530 <none>") when not forwarding.
    pub fn new(origin: SocketAddr, refusal: &'static str) -> Tunnel {
        let (forwarding, _) = watch::channel(true);
        Tunnel {
            inner: Arc::new(Inner {
                origin,
                refusal,
                forwarding,
                public: Mutex::new(None),
            }),
        }
    }

    /// Opens a new public port (closing the old one and its connections); returns the
    /// hostname, `127.0.0.1:<port>`.
    pub async fn open(&self) -> std::io::Result<String> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let host = listener.local_addr()?.to_string();
        let task = tokio::spawn(serve(listener, self.clone()));
        let old = self
            .inner
            .public
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replace((host.clone(), task));
        if let Some((_, old)) = old {
            old.abort();
        }
        Ok(host)
    }

    /// The current public hostname.
    pub fn hostname(&self) -> Option<String> {
        self.inner
            .public
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|(h, _)| h.clone())
    }

    /// Starts or stops forwarding; stopping cuts the open connections too (a pooled
    /// keep-alive connection must not outlive the tunnel's origin).
    pub fn set_forwarding(&self, on: bool) {
        self.inner.forwarding.send_replace(on);
        eprintln!(
            "{} INF stand-in: forwarding {}",
            crate::stamp(),
            if on { "resumed" } else { "stopped" }
        );
    }
}

async fn serve(listener: TcpListener, tunnel: Tunnel) {
    // Dropped with the task: every connection it spliced is cut.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((inbound, _)) = accepted {
                    connections.spawn(splice(inbound, tunnel.clone()));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn splice(mut inbound: TcpStream, tunnel: Tunnel) {
    let mut on = tunnel.inner.forwarding.subscribe();
    if !*on.borrow_and_update() {
        refuse(&mut inbound, tunnel.inner.refusal).await;
        return;
    }
    let Ok(mut outbound) = TcpStream::connect(tunnel.inner.origin).await else {
        refuse(&mut inbound, "502 Bad Gateway").await;
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
        _ = on.wait_for(|on| !on) => {}
    }
}

/// Reads the request's head, then answers `status` and closes, as an edge with no origin.
async fn refuse(inbound: &mut TcpStream, status: &str) {
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), inbound.read(&mut buf)).await;
    let body = "error: the tunnel's origin is not reachable\n";
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = inbound.write_all(response.as_bytes()).await;
    let _ = inbound.shutdown().await;
}

//! The receiver's open connections: at most a fixed number, and when full the idlest is
//! closed to make room for the newcomer.
//!
//! Slow or idle connections (a slowloris, a flood of idle sockets) would otherwise pile up
//! without bound. Evicting the connection that has been silent longest means a genuine
//! delivery, which arrives and speaks at once, is always served: under attack it is the
//! attacker's own connections that get closed.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::poison;

/// The open connections, shared by the accept loop and the connection tasks.
#[derive(Debug)]
pub(crate) struct OpenConnections {
    /// Connection id → what is needed to judge and close it.
    open: Mutex<HashMap<u64, Entry>>,
    /// The most held at once.
    cap: usize,
    /// Ids in order of arrival.
    next_id: AtomicU64,
    /// Activity is kept as microseconds since this (one atomic store per read).
    epoch: Instant,
}

#[derive(Debug)]
struct Entry {
    /// When the client last sent bytes.
    last_active: Arc<AtomicU64>,
    /// Cancelled to close the connection at once.
    close: CancellationToken,
}

/// One admitted connection: its id (to leave), its close signal, and its activity clock.
pub(crate) struct Admitted {
    /// Passed back to [`OpenConnections::leave`] when the connection ends.
    pub id: u64,
    /// Cancelled when the connection is evicted to make room.
    pub close: CancellationToken,
    /// Updated by [`TrackedIo`] on every read.
    pub last_active: Arc<AtomicU64>,
}

impl OpenConnections {
    /// Room for `cap` connections (at least one).
    pub fn new(cap: usize) -> Self {
        Self {
            open: Mutex::new(HashMap::new()),
            cap: cap.max(1),
            next_id: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    /// Microseconds since the epoch, for activity stamps.
    pub fn now_us(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// Registers a new connection, closing the idlest one first if the cap is reached.
    pub fn admit(&self) -> Admitted {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let last_active = Arc::new(AtomicU64::new(self.now_us()));
        let close = CancellationToken::new();
        let mut open = poison::lock(&self.open);
        while open.len() >= self.cap {
            // A linear scan over at most `cap` entries, only when full: cheaper than
            // keeping an ordered index up to date on every read.
            let idlest = open
                .iter()
                .min_by_key(|(_, e)| e.last_active.load(Ordering::Relaxed))
                .map(|(id, _)| *id);
            match idlest.and_then(|id| open.remove(&id)) {
                Some(evicted) => evicted.close.cancel(),
                None => break,
            }
        }
        open.insert(
            id,
            Entry {
                last_active: Arc::clone(&last_active),
                close: close.clone(),
            },
        );
        Admitted {
            id,
            close,
            last_active,
        }
    }

    /// Forgets a connection that ended.
    pub fn leave(&self, id: u64) {
        poison::lock(&self.open).remove(&id);
    }

    /// How many connections are open.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        poison::lock(&self.open).len()
    }
}

/// A stream that stamps its connection's activity whenever the client sends bytes.
pub(crate) struct TrackedIo<S> {
    /// The socket.
    inner: S,
    /// Shared with the connection's [`Entry`].
    last_active: Arc<AtomicU64>,
    /// The clock the stamps are read from.
    connections: Arc<OpenConnections>,
}

impl<S> TrackedIo<S> {
    /// Wraps `inner`, stamping `last_active` from `connections`' clock.
    pub fn new(inner: S, last_active: Arc<AtomicU64>, connections: Arc<OpenConnections>) -> Self {
        Self {
            inner,
            last_active,
            connections,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for TrackedIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.last_active
                .store(this.connections.now_us(), Ordering::Relaxed);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for TrackedIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_idlest_connection_makes_room() {
        let open = OpenConnections::new(2);
        let a = open.admit();
        tokio::time::advance(std::time::Duration::from_millis(5)).await;
        let b = open.admit();
        tokio::time::advance(std::time::Duration::from_millis(5)).await;
        // `a` speaks: now `b` is the idlest.
        a.last_active.store(open.now_us(), Ordering::Relaxed);
        let c = open.admit();
        assert!(b.close.is_cancelled(), "the idlest one is closed");
        assert!(!a.close.is_cancelled() && !c.close.is_cancelled());
        assert_eq!(open.len(), 2);
        open.leave(a.id);
        assert_eq!(open.len(), 1);
    }
}

//! How the window process and a later launch talk to the running CalWatch on Linux: JSON,
//! one message a line, over the instance's Unix socket (`instance::socket_path`). The
//! window sends its commands and gets their answers and the engine's events; a launch
//! asks for the window.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::unix::OwnedWriteHalf;
use tokio::net::UnixStream;
use tokio::sync::oneshot;

use crate::views::UiError;

/// A message to the running CalWatch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToAgent {
    /// This connection is the window: send it the events.
    Window,
    /// One of the window's commands (ui/CONTRACT.md), answered by a `Reply` with its id.
    Call {
        /// Matches the reply to the call.
        id: u64,
        /// The command's name.
        command: String,
        /// Its arguments, as the window sent them.
        args: Value,
    },
    /// CalWatch was launched again: open the window.
    Open,
}

/// A message to the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToWindow {
    /// The answer to the call with this id.
    Reply {
        /// The call's id.
        id: u64,
        /// What the command returned.
        result: Result<Value, UiError>,
    },
    /// A `calwatch://…` event for the page.
    Event {
        /// Its name.
        name: String,
        /// Its payload.
        payload: Value,
    },
    /// Come to the front (the tray's Open, a toast's click, another launch).
    Show,
}

/// Writes `message` as one line.
pub async fn send<W, T>(writer: &mut W, message: &T) -> std::io::Result<()>
where
    W: tokio::io::AsyncWrite + Unpin,
    T: Serialize,
{
    let mut line = serde_json::to_vec(message)?;
    line.push(b'\n');
    writer.write_all(&line).await?;
    writer.flush().await
}

/// Reads lines of `T` until the other side closes; a line that is not a `T` is logged
/// and skipped (a newer or older peer must not end the conversation).
pub async fn receive<R, T>(reader: R, mut each: impl FnMut(T))
where
    R: tokio::io::AsyncRead + Unpin,
    T: serde::de::DeserializeOwned,
{
    let mut lines = BufReader::new(reader).lines();
    loop {
        match lines.next_line().await {
            Ok(Some(line)) => match serde_json::from_str(&line) {
                Ok(message) => each(message),
                Err(err) => tracing::warn!(error = %err, "an unreadable message was skipped"),
            },
            Ok(None) => break,
            Err(err) => {
                tracing::debug!(error = %err, "the connection ended");
                break;
            }
        }
    }
}

/// Asks the CalWatch listening on `socket` to open its window. `Ok(false)`: nobody listens
/// there (a socket file left by a CalWatch that did not quit cleanly reads the same).
pub async fn ask_to_open(socket: &Path, open: bool) -> std::io::Result<bool> {
    let mut stream = match UnixStream::connect(socket).await {
        Ok(stream) => stream,
        Err(err)
            if matches!(
                err.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Ok(false)
        }
        Err(err) => return Err(err),
    };
    if open {
        send(&mut stream, &ToAgent::Open).await?;
    }
    Ok(true)
}

/// The calls waiting for their reply, by id.
type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, UiError>>>>>;

/// The window's connection to the running CalWatch.
pub struct AgentClient {
    /// Calls go out here, one line each.
    writer: tokio::sync::Mutex<OwnedWriteHalf>,
    /// The calls waiting for their reply.
    pending: Pending,
    /// The next call's id.
    next: AtomicU64,
}

impl AgentClient {
    /// Connects as the window; `on_message` gets the events and `Show`, and `on_close`
    /// runs once when the running CalWatch is gone (it quit).
    pub async fn connect(
        socket: &Path,
        on_message: impl Fn(ToWindow) + Send + Sync + 'static,
        on_close: impl FnOnce() + Send + 'static,
    ) -> std::io::Result<AgentClient> {
        let stream = UnixStream::connect(socket).await?;
        let (reader, mut writer) = stream.into_split();
        send(&mut writer, &ToAgent::Window).await?;
        let pending: Pending = Arc::default();
        let replies = Arc::clone(&pending);
        tokio::spawn(async move {
            receive(reader, |message: ToWindow| match message {
                ToWindow::Reply { id, result } => {
                    let waiting = lock(&replies).remove(&id);
                    if let Some(waiting) = waiting {
                        let _ = waiting.send(result);
                    }
                }
                other => on_message(other),
            })
            .await;
            // Whoever still waits hears that nobody will answer.
            lock(&replies).clear();
            on_close();
        });
        Ok(AgentClient {
            writer: tokio::sync::Mutex::new(writer),
            pending,
            next: AtomicU64::new(1),
        })
    }

    /// Runs one of the window's commands in the running CalWatch.
    pub async fn call(&self, command: String, args: Value) -> Result<Value, UiError> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).insert(id, tx);
        let sent = send(
            &mut *self.writer.lock().await,
            &ToAgent::Call { id, command, args },
        )
        .await;
        if let Err(err) = sent {
            lock(&self.pending).remove(&id);
            tracing::warn!(error = %err, "a command could not reach CalWatch");
            return Err(gone());
        }
        rx.await.unwrap_or_else(|_| Err(gone()))
    }
}

/// The running CalWatch quit (or crashed) while the window was open.
fn gone() -> UiError {
    UiError::new(
        "internal",
        calwatch_core::locale::current().text("shell-agent-gone", &[]),
    )
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Only inserts and removes happen under it: a panic leaves a usable map.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_they_were_written() {
        let calls = [
            ToAgent::Window,
            ToAgent::Open,
            ToAgent::Call {
                id: 7,
                command: "renew_channel".into(),
                args: serde_json::json!({ "channelId": "c1" }),
            },
        ];
        for call in calls {
            let line = serde_json::to_string(&call).unwrap();
            assert!(!line.contains('\n'), "one message, one line: {line}");
            assert_eq!(serde_json::from_str::<ToAgent>(&line).unwrap(), call);
        }
        let reply = ToWindow::Reply {
            id: 7,
            result: Err(UiError::new("auth", "Sign in again")),
        };
        let line = serde_json::to_string(&reply).unwrap();
        assert_eq!(serde_json::from_str::<ToWindow>(&line).unwrap(), reply);
    }
}

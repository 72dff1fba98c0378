//! What the shell's pieces share, free of any window toolkit: the engine in use and the
//! [`Surface`] they show things on (a window, a tray). On Linux the long-lived process
//! (`agent`) has no window toolkit in it at all and its window is another process; on
//! Windows and macOS one Tauri process is both (`app`). Events, toasts, the tray's actions,
//! the wake watcher and the commands are written once, against this.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use crate::active::ActiveEngine;
use crate::tray::TrayView;

/// Where the shell shows things: the window (if one is open) and the tray.
pub trait Surface: Send + Sync + 'static {
    /// Sends a `calwatch://…` event (ui/CONTRACT.md) to the window, if one is open.
    fn emit(&self, event: &'static str, payload: serde_json::Value);
    /// Opens the window, or brings it forward if it is open.
    fn open_window(&self);
    /// Shows `view` in the tray (it may be the same as before: skip the work then).
    fn show_tray(&self, view: TrayView);
    /// Ends the app with `code`; the engine has stopped.
    fn exit(&self, code: i32);
}

/// The engine in use, the surface, and the runtime their tasks run on.
pub struct Shell {
    /// The window and the tray.
    surface: Arc<dyn Surface>,
    /// Set once the engine started (a failed start leaves it empty).
    active: OnceLock<ActiveEngine>,
    /// Where background work is spawned from threads that are not the runtime's (D-Bus
    /// callbacks of a toast or the tray).
    runtime: tokio::runtime::Handle,
}

impl Shell {
    /// A shell showing things on `surface`, spawning on `runtime`.
    pub fn new(surface: Arc<dyn Surface>, runtime: tokio::runtime::Handle) -> Arc<Shell> {
        Arc::new(Shell {
            surface,
            active: OnceLock::new(),
            runtime,
        })
    }

    /// Hands over the started engine (once; a second call is ignored).
    pub fn set_active(&self, active: ActiveEngine) {
        if self.active.set(active).is_err() {
            tracing::error!("the engine was handed to the shell twice");
        }
    }

    /// The engine in use, once started.
    pub fn active(&self) -> Option<&ActiveEngine> {
        self.active.get()
    }

    /// The window and the tray.
    pub fn surface(&self) -> &dyn Surface {
        self.surface.as_ref()
    }

    /// Sends `event` (a `calwatch://…` name of `events`) to the window.
    pub fn emit<T: Serialize + ?Sized>(&self, event: &'static str, payload: &T) {
        match serde_json::to_value(payload) {
            Ok(value) => self.surface.emit(event, value),
            Err(err) => tracing::error!(event, error = %err, "an event could not be written"),
        }
    }

    /// Sets the tray from the engine's state now.
    pub fn refresh_tray(&self) {
        if let Some(active) = self.active() {
            self.surface.show_tray(crate::tray::view(active));
        }
    }

    /// Runs `task` on the shell's runtime, from any thread.
    pub fn spawn<F>(&self, task: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.runtime.spawn(task)
    }

    /// Stops the engine and the tunnel, then ends the app (the tray's Quit, SIGTERM).
    pub async fn quit(&self, code: i32) {
        if let Some(active) = self.active() {
            let stopped =
                tokio::time::timeout(std::time::Duration::from_millis(1500), active.shutdown());
            if stopped.await.is_err() {
                tracing::warn!("the engine did not stop in time; quitting anyway");
            }
        }
        self.surface.exit(code);
    }
}

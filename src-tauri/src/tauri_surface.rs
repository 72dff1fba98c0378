//! The [`Surface`] of a process that holds the engine and the window together (Windows,
//! macOS; and the command tests, on the mock runtime): events go to the webview, the tray
//! is Tauri's.

use tauri::{AppHandle, Emitter as _, Manager as _, Runtime, WebviewWindowBuilder};

use crate::shell::Surface;
use crate::tray::TrayView;

/// The main window's label (tauri.conf.json).
pub const WINDOW: &str = "main";

/// The window and the tray, through the app handle.
pub struct TauriSurface<R: Runtime> {
    /// Everything hangs off it.
    app: AppHandle<R>,
}

impl<R: Runtime> TauriSurface<R> {
    /// The surface of `app`.
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }
}

impl<R: Runtime> Surface for TauriSurface<R> {
    fn emit(&self, event: &'static str, payload: serde_json::Value) {
        if let Err(err) = self.app.emit(event, payload) {
            tracing::debug!(error = %err, "an event could not reach the window");
        }
    }

    fn open_window(&self) {
        open_window(&self.app);
    }

    fn show_tray(&self, view: TrayView) {
        crate::tauri_tray::show(&self.app, view);
    }

    fn exit(&self, code: i32) {
        self.app.exit(code);
    }
}

/// Shows the window, re-creating it if it was closed (closing destroys the webview, so an
/// app in the tray only holds no web engine).
pub fn open_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(WINDOW) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    let Some(config) = app.config().app.windows.iter().find(|w| w.label == WINDOW) else {
        tracing::error!("tauri.conf.json has no main window");
        return;
    };
    match WebviewWindowBuilder::from_config(app, config).and_then(|b| b.build()) {
        Ok(window) => {
            let _ = window.set_focus();
        }
        Err(err) => tracing::error!(error = %err, "the window could not be opened"),
    }
}

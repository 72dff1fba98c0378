//! The window's side of its commands: one Tauri handler that hands every command to a
//! [`Backend`] — the engine in this process (`commands::call`, Windows and macOS) or the
//! running CalWatch over its socket (Linux's window process). The file picker is the one
//! command the window answers itself: it needs the window's toolkit.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};
use tauri::ipc::{Invoke, InvokeBody, InvokeError};
use tauri::{AppHandle, Manager as _, Runtime};
use tauri_plugin_dialog::DialogExt as _;

use crate::shell::Shell;
use crate::views::UiError;

/// A command's answer, as it travels.
pub type Answer = Pin<Box<dyn std::future::Future<Output = Result<Value, UiError>> + Send>>;

/// Who runs the window's commands.
pub trait Backend: Send + Sync + 'static {
    /// Runs `command` with `args` (an object, keys in camelCase).
    fn call(&self, command: String, args: Value) -> Answer;
}

/// The engine in this process.
impl Backend for Arc<Shell> {
    fn call(&self, command: String, args: Value) -> Answer {
        let shell = Arc::clone(self);
        Box::pin(async move { crate::commands::call(&shell, &command, args).await })
    }
}

/// The running CalWatch, from the window process.
#[cfg(target_os = "linux")]
impl Backend for Arc<crate::ipc::AgentClient> {
    fn call(&self, command: String, args: Value) -> Answer {
        let client = Arc::clone(self);
        // The client's own `call`, not this trait's (which `Arc` would pick first).
        Box::pin(async move { crate::ipc::AgentClient::call(&client, command, args).await })
    }
}

/// A backend given after the app is built: Tauri takes the handler before that, and what
/// answers the commands (the engine, the connection to it) is made from the built app.
#[derive(Default)]
pub struct LateBackend(OnceLock<Arc<dyn Backend>>);

impl LateBackend {
    /// From now on, `backend` answers (a second call is ignored).
    pub fn set(&self, backend: Arc<dyn Backend>) {
        let _ = self.0.set(backend);
    }
}

impl Backend for LateBackend {
    fn call(&self, command: String, args: Value) -> Answer {
        match self.0.get() {
            Some(backend) => backend.call(command, args),
            // Only a failed start leaves none, and then no window is open to ask.
            None => Box::pin(async { Err(crate::commands::not_running()) }),
        }
    }
}

/// Asks the person for a file.
pub trait FilePicker<R: Runtime>: Send + Sync + 'static {
    /// The client secret file the person chose; `None` when they cancel. Blocks: it is
    /// called off the async runtime.
    fn pick_client_secret(&self, app: &AppHandle<R>) -> Option<PathBuf>;
}

/// The desktop's own file chooser (the dialog plugin).
pub struct NativePicker;

impl<R: Runtime> FilePicker<R> for NativePicker {
    fn pick_client_secret(&self, app: &AppHandle<R>) -> Option<PathBuf> {
        let locale = calwatch_core::locale::current();
        app.dialog()
            .file()
            .set_title(locale.text("shell-picker-title", &[]))
            .add_filter(locale.text("shell-picker-filter", &[]), &["json"])
            .blocking_pick_file()
            .and_then(|p| p.into_path().ok())
    }
}

/// Picks the client secret, as the picker's command.
pub const PICK_CLIENT_SECRET: &str = "pick_client_secret";

/// Every command of ui/CONTRACT.md, for `Builder::invoke_handler`.
pub fn handler<R: Runtime>(
    backend: Arc<dyn Backend>,
    picker: Arc<dyn FilePicker<R>>,
) -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    move |invoke: Invoke<R>| {
        let command = invoke.message.command().to_string();
        let args = match invoke.message.payload() {
            InvokeBody::Json(args) => args.clone(),
            InvokeBody::Raw(_) => Value::Null,
        };
        let app = invoke.message.webview().app_handle().clone();
        let backend = Arc::clone(&backend);
        let picker = Arc::clone(&picker);
        invoke.resolver.respond_async(async move {
            let answer = if command == PICK_CLIENT_SECRET {
                pick_client_secret(&app, picker, backend.as_ref()).await
            } else {
                backend.call(command, args).await
            };
            answer.map_err(InvokeError::from)
        });
        true
    }
}

/// The native picker, then the import of what was picked; cancelling changes nothing.
async fn pick_client_secret<R: Runtime>(
    app: &AppHandle<R>,
    picker: Arc<dyn FilePicker<R>>,
    backend: &dyn Backend,
) -> Result<Value, UiError> {
    // The picker blocks until the person chooses: keep it off the async workers.
    let app = app.clone();
    let picked = tauri::async_runtime::spawn_blocking(move || picker.pick_client_secret(&app))
        .await
        .map_err(|e| {
            let reason = e.to_string();
            UiError::new(
                "internal",
                calwatch_core::locale::current()
                    .text("shell-picker-failed", &[("reason", reason.into())]),
            )
        })?;
    match picked {
        Some(path) => {
            backend
                .call("import_client_secret".into(), json!({ "path": path }))
                .await
        }
        None => backend.call("get_state".into(), json!({})).await,
    }
}

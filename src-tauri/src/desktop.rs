//! What the shell asks of the desktop: a file picker, the system browser, the login item.
//! Behind a trait so the command tests run on the mock runtime without portals, D-Bus or
//! a browser.

use std::path::PathBuf;

use tauri::{AppHandle, Runtime};
#[cfg(not(target_os = "linux"))]
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_dialog::DialogExt as _;

/// The desktop services the commands use.
pub trait Desktop: Send + Sync {
    /// Asks the person for a client secret file; `None` when they cancel. Blocks: call it
    /// off the async runtime.
    fn pick_client_secret(&self) -> Option<PathBuf>;
    /// Opens `url` in the person's browser.
    fn open_url(&self, url: &str) -> Result<(), String>;
    /// Whether the app starts at login.
    fn start_at_login(&self) -> bool;
    /// Turns starting at login on or off.
    fn set_start_at_login(&self, on: bool) -> Result<(), String>;
}

/// The real desktop, through Tauri's plugins.
pub struct TauriDesktop<R: Runtime> {
    /// The plugins hang off the app handle.
    app: AppHandle<R>,
}

impl<R: Runtime> TauriDesktop<R> {
    /// Uses the dialog, opener and autostart plugins registered on `app`.
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }
}

/// `CALWATCH_BROWSER_CMD`, when set, is run with the URL as its only argument instead of
/// the system browser. The headless tests use it to play the browser (a script that
/// fetches the URL and follows redirects); it is not meant for people.
pub const BROWSER_CMD_VAR: &str = "CALWATCH_BROWSER_CMD";

impl<R: Runtime> Desktop for TauriDesktop<R> {
    fn pick_client_secret(&self) -> Option<PathBuf> {
        self.app
            .dialog()
            .file()
            .set_title(calwatch_core::locale::current().text("shell-picker-title", &[]))
            .add_filter(
                calwatch_core::locale::current().text("shell-picker-filter", &[]),
                &["json"],
            )
            .blocking_pick_file()
            .and_then(|p| p.into_path().ok())
    }

    fn open_url(&self, url: &str) -> Result<(), String> {
        if let Some(cmd) = std::env::var_os(BROWSER_CMD_VAR).filter(|c| !c.is_empty()) {
            return std::process::Command::new(cmd)
                .arg(url)
                .spawn()
                .map(drop)
                .map_err(|e| {
                    let reason = e.to_string();
                    calwatch_core::locale::current()
                        .text("shell-browser-command-failed", &[("reason", reason.into())])
                });
        }
        tauri_plugin_opener::open_url(url, None::<&str>).map_err(|e| {
            let reason = e.to_string();
            calwatch_core::locale::current()
                .text("shell-browser-failed", &[("reason", reason.into())])
        })
    }

    #[cfg(target_os = "linux")]
    fn start_at_login(&self) -> bool {
        crate::login_item::LoginItem::for_this_process().is_ok_and(|item| item.is_enabled())
    }

    #[cfg(target_os = "linux")]
    fn set_start_at_login(&self, on: bool) -> Result<(), String> {
        let item = crate::login_item::LoginItem::for_this_process()?;
        if on {
            item.enable()
        } else {
            item.disable()
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn start_at_login(&self) -> bool {
        self.app.autolaunch().is_enabled().unwrap_or(false)
    }

    #[cfg(not(target_os = "linux"))]
    fn set_start_at_login(&self, on: bool) -> Result<(), String> {
        let login = self.app.autolaunch();
        let result = if on { login.enable() } else { login.disable() };
        result.map_err(|e| {
            let reason = e.to_string();
            calwatch_core::locale::current()
                .text("shell-login-item-failed", &[("reason", reason.into())])
        })
    }
}

//! What the engine's side of the shell asks of the desktop: the system browser and the
//! login item. Behind a trait so the command tests run without D-Bus or a browser. (The
//! file picker belongs to the window: `window_commands`.)

#[cfg(not(target_os = "linux"))]
use tauri::{AppHandle, Runtime};
#[cfg(not(target_os = "linux"))]
use tauri_plugin_autostart::ManagerExt as _;

/// The desktop services the commands use.
pub trait Desktop: Send + Sync {
    /// Opens `url` in the person's browser.
    fn open_url(&self, url: &str) -> Result<(), String>;
    /// Whether the app starts at login.
    fn start_at_login(&self) -> bool;
    /// Turns starting at login on or off.
    fn set_start_at_login(&self, on: bool) -> Result<(), String>;
}

/// The real desktop on Linux: the browser through the desktop's URL handler, the login
/// item as an XDG autostart entry. No window toolkit is involved.
#[cfg(target_os = "linux")]
pub struct SystemDesktop;

/// The real desktop elsewhere, through Tauri's plugins.
#[cfg(not(target_os = "linux"))]
pub struct TauriDesktop<R: Runtime> {
    /// The plugins hang off the app handle.
    app: AppHandle<R>,
}

#[cfg(not(target_os = "linux"))]
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

/// Runs `CALWATCH_BROWSER_CMD` with `url`, when it is set.
fn browser_command(url: &str) -> Option<Result<(), String>> {
    let cmd = std::env::var_os(BROWSER_CMD_VAR).filter(|c| !c.is_empty())?;
    Some(
        std::process::Command::new(cmd)
            .arg(url)
            .spawn()
            .map(drop)
            .map_err(|e| {
                let reason = e.to_string();
                calwatch_core::locale::current()
                    .text("shell-browser-command-failed", &[("reason", reason.into())])
            }),
    )
}

fn browser_failed(reason: impl std::fmt::Display) -> String {
    let reason = reason.to_string();
    calwatch_core::locale::current().text("shell-browser-failed", &[("reason", reason.into())])
}

#[cfg(target_os = "linux")]
impl Desktop for SystemDesktop {
    fn open_url(&self, url: &str) -> Result<(), String> {
        if let Some(result) = browser_command(url) {
            return result;
        }
        open::that_detached(url).map_err(browser_failed)
    }

    fn start_at_login(&self) -> bool {
        crate::login_item::LoginItem::for_this_process().is_ok_and(|item| item.is_enabled())
    }

    fn set_start_at_login(&self, on: bool) -> Result<(), String> {
        let item = crate::login_item::LoginItem::for_this_process()?;
        if on {
            item.enable()
        } else {
            item.disable()
        }
    }
}

#[cfg(not(target_os = "linux"))]
impl<R: Runtime> Desktop for TauriDesktop<R> {
    fn open_url(&self, url: &str) -> Result<(), String> {
        if let Some(result) = browser_command(url) {
            return result;
        }
        tauri_plugin_opener::open_url(url, None::<&str>).map_err(browser_failed)
    }

    fn start_at_login(&self) -> bool {
        self.app.autolaunch().is_enabled().unwrap_or(false)
    }

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

//! Builds and runs the Tauri app: plugins, the engine, the tray, the window's lifecycle.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use calwatch_core::config::Config;
use calwatch_core::secrets::KeyringStore;
use sha2::{Digest as _, Sha256};
use tauri::{AppHandle, Manager as _, RunEvent, Runtime};
use tauri_plugin_dialog::{DialogExt as _, MessageDialogKind};

use crate::active::{ActiveEngine, Wiring};
use crate::desktop::TauriDesktop;
use crate::notifier::ToastNotifier;
use crate::views::local_tz;
use crate::{commands, events, logging, tray};

/// Keeps OpenGL out of the process, on Linux; call first in `main`, before GTK starts and
/// before any thread runs (the environment is not safe to change while others read it).
///
/// GTK 3 opens OpenGL when it opens the display, only to pick visuals, window or not: with
/// Mesa's software GL that maps libLLVM and a DRI driver, some 29 MiB of a tray app that
/// draws nothing (`GDK_GL=disable`). Without GL in this process WebKit draws the window
/// without accelerated compositing; saying so (`WEBKIT_DISABLE_COMPOSITING_MODE`) keeps
/// its web process off GL as well, ~100 MiB less while the window is open, and a form
/// like ours needs no GPU. A person who sets either variable (even to an empty value)
/// is obeyed, so `GDK_GL= WEBKIT_DISABLE_COMPOSITING_MODE=0 calwatch` brings GL back.
pub fn keep_gl_out() {
    #[cfg(target_os = "linux")]
    for (name, value) in [
        ("GDK_GL", "disable"),
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    ] {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
}

/// Runs CalWatch until Quit; in the tray only when `background` (the login item's start).
pub fn run(background: bool) {
    let launched = Instant::now();
    let config = match Config::load() {
        Ok(config) => config,
        Err(err) => {
            // No settings were read, so no language was chosen: the system's.
            use calwatch_core::locale::{HourCycle, LanguageChoice, Locale, SystemLocale};
            let system = SystemLocale::detect(&|name| std::env::var(name).ok());
            let locale = Locale::resolve(&system, LanguageChoice::System, HourCycle::Automatic);
            let reason = calwatch_core::error::EngineError::from(err).message_in(&locale);
            eprintln!("{}: {reason}", locale.text("shell-cannot-start", &[]));
            std::process::exit(2);
        }
    };
    let log_guard = logging::init(&config.data_dir);

    let app = tauri::Builder::default()
        // First, so a second launch exits before anything else starts.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance_id(&config.data_dir))
                .callback(|app, _args, _cwd| tray::open_window(app))
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init());
    // Linux's login item is `login_item`'s (the plugin ignores $XDG_CONFIG_HOME).
    #[cfg(not(target_os = "linux"))]
    let app = app.plugin(
        tauri_plugin_autostart::Builder::new()
            .args([crate::cli::BACKGROUND_ARG])
            .build(),
    );
    let app = app
        .invoke_handler(commands::handler())
        .setup(move |app| {
            if let Err(err) = start(app.handle()) {
                cannot_start(app.handle(), &err);
                return Ok(());
            }
            // The figure the README quotes as "cold start to tray ready".
            tracing::info!(ms = launched.elapsed().as_millis() as u64, "tray ready");
            if !background {
                tray::open_window(app.handle());
            }
            Ok(())
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|err| {
            tracing::error!(error = %err, "the app could not be built");
            std::process::exit(1);
        });

    let code = app.run_return(|app, event| match event {
        // Closing the window must not quit: the tray lives on. Quit exits with a code.
        RunEvent::ExitRequested {
            api, code: None, ..
        } => api.prevent_exit(),
        // Every way out (Quit, SIGTERM, a failed start) ends the tunnel CalWatch started:
        // `process::exit` below runs no destructor.
        RunEvent::Exit => {
            if let Some(active) = app.try_state::<ActiveEngine>() {
                active.tunnels().kill_now();
            }
        }
        _ => {}
    });
    // Flushes the log file before the process ends.
    drop(log_guard);
    std::process::exit(code);
}

/// Starts the engine, wires it to the window and the desktop, builds the tray.
fn start<R: Runtime>(app: &AppHandle<R>) -> anyhow::Result<()> {
    let forward_to = app.clone();
    let wiring = Wiring {
        load_config: Box::new(|| Config::load().map_err(|e| e.to_string())),
        notifier: Arc::new(ToastNotifier::new(app.clone(), local_tz())),
        token_store: Arc::new(KeyringStore::new()),
        desktop: Arc::new(TauriDesktop::new(app.clone())),
        forward: Box::new(move |engine| events::forward(forward_to.clone(), engine)),
    };
    let active = tauri::async_runtime::block_on(ActiveEngine::start(wiring))?;
    app.manage(active);
    tray::build(app)?;
    // The tunnel chosen before keeps the public address working without a click.
    commands::restart_remembered_tunnel(app);
    #[cfg(unix)]
    quit_on_signal(app.clone());
    #[cfg(target_os = "linux")]
    crate::appearance::follow(app.clone());
    // Its first tick refreshes the tray at once.
    crate::wake::watch(app.clone());
    Ok(())
}

/// SIGTERM (the session ending, `kill`, a package upgrade's restart) and SIGINT (Ctrl-C in
/// a terminal) quit as the tray's Quit does, so the log is flushed and the engine stops
/// between syncs; the engine gets a moment, not a veto, since a session ending waits for
/// nobody.
#[cfg(unix)]
fn quit_on_signal<R: Runtime>(app: AppHandle<R>) {
    use tokio::signal::unix::{signal, SignalKind};
    tauri::async_runtime::spawn(async move {
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            tracing::warn!("SIGTERM and SIGINT will end CalWatch without a clean quit");
            return;
        };
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM: quitting"),
            _ = int.recv() => tracing::info!("SIGINT: quitting"),
        }
        if let Some(active) = app.try_state::<ActiveEngine>() {
            let stopped =
                tokio::time::timeout(std::time::Duration::from_millis(1500), active.shutdown());
            if stopped.await.is_err() {
                tracing::warn!("the engine did not stop in time; quitting anyway");
            }
        }
        app.exit(0);
    });
}

/// The engine could not start (e.g. the data was written by a newer CalWatch): say so in
/// a dialog, since there is no window to say it in, then quit.
fn cannot_start<R: Runtime>(app: &AppHandle<R>, err: &anyhow::Error) {
    tracing::error!(error = %err, "CalWatch cannot start");
    let quit = app.clone();
    app.dialog()
        .message(err.to_string())
        .title(calwatch_core::locale::current().text("shell-cannot-start", &[]))
        .kind(MessageDialogKind::Error)
        .show(move |_| quit.exit(1));
}

/// One instance per data directory: two on the same one would fight over the store and
/// the receiver's port, while separate ones (tests, a second profile) may run side by side.
/// The id is a hash that is the same in every build (Rust's `DefaultHasher` may change
/// between releases, and an upgraded binary would then miss the running one). The path is
/// hashed as text: exact for every UTF-8 path, and still stable for the rare other one.
fn instance_id(data_dir: &Path) -> String {
    let digest = Sha256::digest(data_dir.to_string_lossy().as_bytes());
    // A D-Bus name element must not start with a digit: hence the `d`.
    let mut id = String::from("app.calwatch.desktop.d");
    for byte in &digest[..8] {
        let _ = write!(id, "{byte:02x}");
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instance_id_of_a_data_dir_is_the_same_in_every_build() {
        // Pinned: a CalWatch built by another Rust release must find the running one.
        assert_eq!(
            instance_id(Path::new("/home/ada/.local/share/calwatch")),
            "app.calwatch.desktop.dca764ef1fb75900b"
        );
        assert_ne!(
            instance_id(Path::new("/home/ada/.local/share/calwatch")),
            instance_id(Path::new("/tmp/calwatch-test")),
            "another data dir is another instance"
        );
    }
}

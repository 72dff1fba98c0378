//! The app as one Tauri process holding the engine, the tray and the window (Windows,
//! macOS): plugins, the engine, the tray, the window's lifecycle. Linux splits it in two
//! (`agent` and `window`), so that the app in the tray holds no window toolkit.

use std::sync::Arc;
use std::time::Instant;

use calwatch_core::config::Config;
use calwatch_core::secrets::KeyringStore;
use tauri::{AppHandle, Manager as _, RunEvent, Runtime};
use tauri_plugin_dialog::{DialogExt as _, MessageDialogKind};

use crate::active::{ActiveEngine, Wiring};
use crate::notifier::ToastNotifier;
use crate::shell::Shell;
use crate::tauri_surface::TauriSurface;
use crate::views::local_tz;
use crate::window_commands::{Backend, LateBackend, NativePicker};
use crate::{events, logging};

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
/// (On Linux the window process calls it: the app in the tray has no GTK at all.)
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

/// The configuration, or the reason it cannot be read said on stderr and exit status 2.
pub fn config_or_exit() -> Config {
    match Config::load() {
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
    }
}

/// The app's configuration (tauri.conf.json) and the window's pages, embedded.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// The shell of this process, once the engine started.
struct ShellState(Arc<Shell>);

/// Runs CalWatch until Quit; in the tray only when `background` (the login item's start).
pub fn run(background: bool) {
    let launched = Instant::now();
    let config = config_or_exit();
    let log_guard = logging::init(&config.data_dir);

    // The handler is set before the app exists, the shell only in `setup`.
    let late = Arc::new(LateBackend::default());
    let backend: Arc<dyn Backend> = Arc::clone(&late) as Arc<dyn Backend>;
    let app = tauri::Builder::default()
        // First, so a second launch exits before anything else starts.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(crate::instance::instance_id(&config.data_dir))
                .callback(|app, _args, _cwd| crate::tauri_surface::open_window(app))
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
        .invoke_handler(crate::window_commands::handler(
            backend,
            Arc::new(NativePicker),
        ))
        .setup(move |app| {
            match start(app.handle()) {
                Ok(shell) => late.set(Arc::new(shell)),
                Err(err) => {
                    cannot_start(app.handle(), &err);
                    return Ok(());
                }
            }
            // The figure the README quotes as "cold start to tray ready".
            tracing::info!(ms = launched.elapsed().as_millis() as u64, "tray ready");
            if !background {
                crate::tauri_surface::open_window(app.handle());
            }
            Ok(())
        })
        .build(context())
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
            if let Some(shell) = app.try_state::<ShellState>() {
                if let Some(active) = shell.0.active() {
                    active.tunnels().kill_now();
                }
            }
        }
        _ => {}
    });
    // Flushes the log file before the process ends.
    drop(log_guard);
    std::process::exit(code);
}

/// Starts the engine, wires it to the window and the desktop, builds the tray.
fn start<R: Runtime>(app: &AppHandle<R>) -> anyhow::Result<Arc<Shell>> {
    let surface = Arc::new(TauriSurface::new(app.clone()));
    let shell = Shell::new(
        Arc::clone(&surface) as Arc<dyn crate::shell::Surface>,
        tauri::async_runtime::handle().inner().clone(),
    );
    #[cfg(not(target_os = "linux"))]
    crate::notifier::use_plugin(app, Arc::downgrade(&shell));
    let forward_to = Arc::downgrade(&shell);
    let wiring = Wiring {
        load_config: Box::new(|| Config::load().map_err(|e| e.to_string())),
        notifier: Arc::new(ToastNotifier::new(Arc::downgrade(&shell), local_tz())),
        token_store: Arc::new(KeyringStore::new()),
        desktop: desktop(app),
        forward: Box::new(move |engine| events::forward(forward_to.clone(), engine)),
    };
    let active = tauri::async_runtime::block_on(ActiveEngine::start(wiring))?;
    shell.set_active(active);
    app.manage(ShellState(Arc::clone(&shell)));
    crate::tauri_tray::build(app, &shell)?;
    // The tunnel chosen before keeps the public address working without a click.
    crate::commands::restart_remembered_tunnel(&shell);
    #[cfg(unix)]
    quit_on_signal(Arc::clone(&shell));
    // Its first tick refreshes the tray at once.
    crate::wake::watch(Arc::clone(&shell));
    Ok(shell)
}

#[cfg(target_os = "linux")]
fn desktop<R: Runtime>(_app: &AppHandle<R>) -> Arc<dyn crate::desktop::Desktop> {
    Arc::new(crate::desktop::SystemDesktop)
}

#[cfg(not(target_os = "linux"))]
fn desktop<R: Runtime>(app: &AppHandle<R>) -> Arc<dyn crate::desktop::Desktop> {
    Arc::new(crate::desktop::TauriDesktop::new(app.clone()))
}

/// SIGTERM (the session ending, `kill`, a package upgrade's restart) and SIGINT (Ctrl-C in
/// a terminal) quit as the tray's Quit does, so the log is flushed and the engine stops
/// between syncs; the engine gets a moment, not a veto, since a session ending waits for
/// nobody.
#[cfg(unix)]
pub fn quit_on_signal(shell: Arc<Shell>) {
    use tokio::signal::unix::{signal, SignalKind};
    let app = Arc::clone(&shell);
    shell.spawn(async move {
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
        app.quit(0).await;
    });
}

/// The engine could not start (e.g. the data was written by a newer CalWatch): say so in
/// a dialog, since there is no window to say it in, then quit.
fn cannot_start<R: Runtime>(app: &AppHandle<R>, err: &anyhow::Error) {
    tracing::error!(error = %err, "CalWatch cannot start");
    say_cannot_start(app, err.to_string());
}

/// The "CalWatch cannot start" dialog with `reason`; the app ends (status 1) when it is
/// closed.
pub fn say_cannot_start<R: Runtime>(app: &AppHandle<R>, reason: String) {
    let quit = app.clone();
    app.dialog()
        .message(reason)
        .title(calwatch_core::locale::current().text("shell-cannot-start", &[]))
        .kind(MessageDialogKind::Error)
        .show(move |_| quit.exit(1));
}

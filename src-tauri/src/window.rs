//! CalWatch's window on Linux, a process of its own (`calwatch-window`), started by the
//! running CalWatch (`agent`) and ended when the window closes: everything the window
//! toolkit and the web engine hold goes with it. Its commands go to the agent over the
//! socket and the engine's events come back the same way (`ipc`); the file picker is its
//! own. Started with [`CANNOT_START_ARG`], it only shows why CalWatch cannot start.

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{AppHandle, Emitter as _, RunEvent, Runtime};

use crate::ipc::{AgentClient, ToWindow};
use crate::window_commands::{Backend, LateBackend, NativePicker};

/// `--agent <socket>`: the socket of the CalWatch this is the window of.
pub const AGENT_ARG: &str = "--agent";
/// `--cannot-start <sentence>`: say in a dialog why CalWatch cannot start, then end.
pub const CANNOT_START_ARG: &str = "--cannot-start";

/// What the window process was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Be the window of the CalWatch listening on this socket.
    Window(PathBuf),
    /// Show this reason CalWatch cannot start.
    CannotStart(String),
}

/// Reads the arguments after the program name; `None` for anything else.
pub fn parse(args: impl IntoIterator<Item = String>) -> Option<Mode> {
    let mut args = args.into_iter();
    let mode = match (args.next()?.as_str(), args.next()?) {
        (AGENT_ARG, socket) => Mode::Window(PathBuf::from(socket)),
        (CANNOT_START_ARG, reason) => Mode::CannotStart(reason),
        _ => return None,
    };
    args.next().is_none().then_some(mode)
}

/// Runs the window process; returns its exit status.
pub fn run(args: impl IntoIterator<Item = String>) -> i32 {
    let Some(mode) = parse(args) else {
        eprintln!("calwatch-window is CalWatch's window: it is started by `calwatch`.");
        return 2;
    };
    // Before GTK starts and before any thread does.
    crate::app::keep_gl_out();
    let _log = calwatch_core::config::Config::load()
        .ok()
        .and_then(|config| crate::logging::init(&config.data_dir));
    match mode {
        Mode::Window(socket) => window(socket),
        Mode::CannotStart(reason) => cannot_start(reason),
    }
}

fn window(socket: PathBuf) -> i32 {
    let late = Arc::new(LateBackend::default());
    let backend = Arc::clone(&late);
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(crate::window_commands::handler(
            Arc::clone(&late) as Arc<dyn Backend>,
            Arc::new(NativePicker),
        ))
        // Inside the event loop: the window and what it hears are made on its thread.
        .setup(move |app| {
            let events = app.handle().clone();
            let closing = app.handle().clone();
            let connected = tauri::async_runtime::block_on(AgentClient::connect(
                &socket,
                move |message| received(&events, message),
                // CalWatch quit: its window goes with it.
                move || closing.exit(0),
            ));
            match connected {
                Ok(client) => backend.set(Arc::new(Arc::new(client))),
                Err(err) => {
                    tracing::error!(error = %err, socket = %socket.display(), "the window cannot reach CalWatch");
                    eprintln!(
                        "{}",
                        calwatch_core::locale::current().text("shell-agent-gone", &[])
                    );
                    app.handle().exit(1);
                    return Ok(());
                }
            }
            crate::tauri_surface::open_window(app.handle());
            crate::appearance::follow(app.handle().clone());
            Ok(())
        })
        .build(crate::app::context());
    match app {
        Ok(app) => app.run_return(|_, event| {
            if let RunEvent::ExitRequested { code: None, .. } = event {
                // The window was closed: this process ends, the tray stays with the agent.
                tracing::debug!("the window closed");
            }
        }),
        Err(err) => {
            tracing::error!(error = %err, "the window could not be built");
            1
        }
    }
}

/// An event or `Show` from CalWatch.
fn received<R: Runtime>(app: &AppHandle<R>, message: ToWindow) {
    match message {
        ToWindow::Event { name, payload } => {
            if let Err(err) = app.emit(&name, payload) {
                tracing::debug!(error = %err, "an event could not reach the page");
            }
        }
        ToWindow::Show => crate::tauri_surface::open_window(app),
        ToWindow::Reply { .. } => {}
    }
}

/// The dialog that says why CalWatch cannot start; ends when it is closed.
fn cannot_start(reason: String) -> i32 {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            crate::app::say_cannot_start(app.handle(), reason.clone());
            Ok(())
        })
        .build(crate::app::context());
    match app {
        Ok(app) => app.run_return(|_, _| {}),
        Err(err) => {
            tracing::error!(error = %err, "the dialog could not be shown");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_started_with_its_socket_or_a_reason() {
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse(args(&["--agent", "/run/user/1000/x.sock"])),
            Some(Mode::Window(PathBuf::from("/run/user/1000/x.sock")))
        );
        assert_eq!(
            parse(args(&["--cannot-start", "Data from a newer CalWatch"])),
            Some(Mode::CannotStart("Data from a newer CalWatch".into()))
        );
        assert_eq!(parse(args(&[])), None);
        assert_eq!(parse(args(&["--agent"])), None, "the socket is needed");
        assert_eq!(parse(args(&["--agent", "a", "b"])), None);
        assert_eq!(parse(args(&["--background"])), None);
    }
}

//! CalWatch on Linux, as it lives in the tray: the engine, the tray (a StatusNotifierItem,
//! `sni_tray`), the toasts (D-Bus), the login item, the wake watcher and the tunnel, and
//! no window toolkit at all. The window is a process of its own (`calwatch-window`,
//! `window`), started when it is asked for and gone when it is closed, so the app in the
//! tray stays small however long it runs and however often the window opened.
//!
//! The running agent listens on the instance's socket (`instance::socket_path`): the window
//! connects there for its commands and events (`ipc`), and a later launch of CalWatch
//! asks there for the window, which is what makes one CalWatch per data directory.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use calwatch_core::config::Config;
use calwatch_core::secrets::KeyringStore;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

use crate::active::{ActiveEngine, Wiring};
use crate::ipc::{ToAgent, ToWindow};
use crate::notifier::ToastNotifier;
use crate::shell::{Shell, Surface};
use crate::sni_tray::SniTray;
use crate::tray::TrayView;
use crate::views::local_tz;

/// The window's program, beside this one.
pub const WINDOW_PROGRAM: &str = "calwatch-window";

/// Runs CalWatch until Quit; without opening the window when `background` (the login
/// item's start). Returns the exit status.
pub fn run(background: bool) -> i32 {
    let launched = Instant::now();
    let config = crate::app::config_or_exit();
    let log_guard = crate::logging::init(&config.data_dir);
    // Two workers are plenty: the engine mostly waits, and a sync is one task at a time
    // per calendar.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("calwatch-rt")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            tracing::error!(error = %err, "the async runtime could not start");
            return 1;
        }
    };
    let code = runtime.block_on(serve(config, background, launched));
    // Whatever is still running (a sync, the tunnel's reader) ends with the process.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    drop(log_guard);
    code
}

async fn serve(config: Config, background: bool, launched: Instant) -> i32 {
    let socket = crate::instance::socket_path(
        &config.data_dir,
        std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from),
    );
    let listener = match listen(&socket, background).await {
        Ok(Some(listener)) => listener,
        // Another CalWatch runs on this data dir: it opened its window.
        Ok(None) => return 0,
        Err(err) => {
            tracing::error!(error = %err, socket = %socket.display(), "CalWatch cannot start");
            eprintln!(
                "{}: {err} ({})",
                calwatch_core::locale::current().text("shell-cannot-start", &[]),
                socket.display()
            );
            return 1;
        }
    };

    let (exit_tx, mut exit_rx) = unbounded_channel();
    let surface = Arc::new(AgentSurface {
        window_program: window_program(),
        socket: socket.clone(),
        windows: Arc::default(),
        tray: tokio::sync::OnceCell::new(),
        shell: std::sync::OnceLock::new(),
        exit: exit_tx,
        runtime: tokio::runtime::Handle::current(),
    });
    let shell = Shell::new(
        Arc::clone(&surface) as Arc<dyn Surface>,
        tokio::runtime::Handle::current(),
    );
    let _ = surface.shell.set(Arc::downgrade(&shell));
    if let Err(err) = start(&shell, &surface).await {
        cannot_start(&surface, &err).await;
        let _ = std::fs::remove_file(&socket);
        return 1;
    }
    // The figure the README quotes as "cold start to tray ready".
    tracing::info!(ms = launched.elapsed().as_millis() as u64, "tray ready");
    if !background {
        surface.open_window();
    }

    let accepting = tokio::spawn(accept(
        listener,
        Arc::downgrade(&shell),
        Arc::clone(&surface),
    ));
    let code = exit_rx.recv().await.unwrap_or(0);
    accepting.abort();
    // Every way here (Quit, SIGTERM) went through `Shell::quit`, which ended the engine
    // and the tunnel; the window ends when the socket closes.
    if let Some(tray) = surface.tray.get() {
        tray.shutdown();
    }
    let _ = std::fs::remove_file(&socket);
    code
}

/// Listens on `socket`; `None` when another CalWatch already does (it was asked to open its
/// window unless `background`).
async fn listen(socket: &Path, background: bool) -> std::io::Result<Option<UnixListener>> {
    if crate::ipc::ask_to_open(socket, !background).await? {
        tracing::info!("CalWatch already runs on this data dir: it opens its window");
        return Ok(None);
    }
    // Nobody answers: a socket file left by a CalWatch that did not quit cleanly.
    match std::fs::remove_file(socket) {
        Ok(()) => tracing::info!("removed the socket of a CalWatch that is gone"),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(err),
    }
    if let Some(dir) = socket.parent() {
        std::fs::create_dir_all(dir)?;
    }
    UnixListener::bind(socket).map(Some)
}

/// Starts the engine and wires it to the desktop; the tray, the tunnel, the watchers.
async fn start(shell: &Arc<Shell>, surface: &Arc<AgentSurface>) -> anyhow::Result<()> {
    let forward_to = Arc::downgrade(shell);
    let wiring = Wiring {
        load_config: Box::new(|| Config::load().map_err(|e| e.to_string())),
        notifier: Arc::new(ToastNotifier::new(Arc::downgrade(shell), local_tz())),
        token_store: Arc::new(KeyringStore::new()),
        desktop: Arc::new(crate::desktop::SystemDesktop),
        forward: Box::new(move |engine| crate::events::forward(forward_to.clone(), engine)),
    };
    shell.set_active(ActiveEngine::start(wiring).await?);
    if let Some(view) = shell.active().map(crate::tray::view) {
        let acting = Arc::downgrade(shell);
        let started = SniTray::start(view, move |action| {
            if let Some(shell) = acting.upgrade() {
                let acting = Arc::clone(&shell);
                shell.spawn(async move { crate::commands::tray_action(&acting, action).await });
            }
        })
        .await;
        match started {
            Ok(tray) => {
                let _ = surface.tray.set(Arc::new(tray));
            }
            // Toasts and the window still work; the log says why there is no icon.
            Err(err) => tracing::warn!(error = %err, "the tray icon could not be shown"),
        }
    }
    // The tunnel chosen before keeps the public address working without a click.
    crate::commands::restart_remembered_tunnel(shell);
    crate::app::quit_on_signal(Arc::clone(shell));
    // Its first tick refreshes the tray at once.
    crate::wake::watch(Arc::clone(shell));
    Ok(())
}

/// The engine could not start (e.g. the data was written by a newer CalWatch): the window
/// program says so in a dialog, since there is no window to say it in; then CalWatch ends.
async fn cannot_start(surface: &AgentSurface, err: &anyhow::Error) {
    tracing::error!(error = %err, "CalWatch cannot start");
    let shown = tokio::process::Command::new(&surface.window_program)
        .arg(crate::window::CANNOT_START_ARG)
        .arg(err.to_string())
        .status()
        .await;
    if let Err(err) = shown {
        tracing::error!(error = %err, "the window program could not say why");
    }
}

/// `calwatch-window` in the folder of this program (both are installed together).
fn window_program() -> PathBuf {
    let this = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("calwatch"));
    this.with_file_name(WINDOW_PROGRAM)
}

/// Takes connections until the app quits.
async fn accept(listener: UnixListener, shell: Weak<Shell>, surface: Arc<AgentSurface>) {
    let mut next = 0u64;
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                next += 1;
                tokio::spawn(talk(stream, next, shell.clone(), Arc::clone(&surface)));
            }
            Err(err) => {
                tracing::warn!(error = %err, "a connection could not be taken");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

/// One connection: a window (its commands, then the events) or a later launch.
async fn talk(stream: UnixStream, id: u64, shell: Weak<Shell>, surface: Arc<AgentSurface>) {
    let (reader, mut writer) = stream.into_split();
    let (to_window, mut outbox) = unbounded_channel::<ToWindow>();
    let writing = tokio::spawn(async move {
        while let Some(message) = outbox.recv().await {
            if crate::ipc::send(&mut writer, &message).await.is_err() {
                break;
            }
        }
    });
    crate::ipc::receive(reader, |message: ToAgent| match message {
        ToAgent::Window => surface.window_connected(id, to_window.clone()),
        ToAgent::Open => surface.open_window(),
        ToAgent::Call {
            id: call,
            command,
            args,
        } => {
            let Some(shell) = shell.upgrade() else {
                return;
            };
            // A new window's first question: the view a toast asked for goes first (its
            // page listens by now, and has not chosen a view yet).
            if command == "get_state" {
                for event in surface.take_views_asked() {
                    let _ = to_window.send(event);
                }
            }
            let reply = to_window.clone();
            tokio::spawn(async move {
                let result = crate::commands::call(&shell, &command, args).await;
                let _ = reply.send(ToWindow::Reply { id: call, result });
            });
        }
    })
    .await;
    surface.window_gone(id);
    drop(to_window);
    let _ = writing.await;
}

/// The windows connected (one, normally) and the window process being started.
#[derive(Default)]
struct Windows {
    /// Each window's connection id and outbox.
    connected: Vec<(u64, UnboundedSender<ToWindow>)>,
    /// A window process was started and has not connected (or ended) yet.
    starting: bool,
    /// `calwatch://navigate` and `calwatch://show-changes` sent while no window was
    /// connected: the newest of each, for the window being started.
    views_asked: Vec<ToWindow>,
}

/// Whether `message` is an `event` event.
fn same_event(message: &ToWindow, event: &str) -> bool {
    matches!(message, ToWindow::Event { name, .. } if name == event)
}

/// The agent's surface: the window is a process, reached over the socket; the tray is a
/// StatusNotifierItem.
struct AgentSurface {
    /// `calwatch-window`.
    window_program: PathBuf,
    /// Handed to the window process.
    socket: PathBuf,
    /// Who is connected; shared with the task that waits for the window process.
    windows: Arc<Mutex<Windows>>,
    /// The tray, once shown.
    tray: tokio::sync::OnceCell<Arc<SniTray>>,
    /// The shell this is the surface of (set right after both exist).
    shell: std::sync::OnceLock<Weak<Shell>>,
    /// Quit's exit status goes to `serve`.
    exit: UnboundedSender<i32>,
    /// Window processes are started and reaped on it, from any thread.
    runtime: tokio::runtime::Handle,
}

impl AgentSurface {
    fn lock(&self) -> std::sync::MutexGuard<'_, Windows> {
        self.windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn window_connected(&self, id: u64, outbox: UnboundedSender<ToWindow>) {
        let mut windows = self.lock();
        windows.starting = false;
        windows.connected.push((id, outbox));
    }

    /// The views asked for while no window was connected, oldest first; forgotten once
    /// taken.
    fn take_views_asked(&self) -> Vec<ToWindow> {
        std::mem::take(&mut self.lock().views_asked)
    }

    fn window_gone(&self, id: u64) {
        self.lock().connected.retain(|(each, _)| *each != id);
    }

    /// Starts the window process; it connects back, then shows itself.
    fn start_window(&self) {
        let _in_runtime = self.runtime.enter();
        let started = tokio::process::Command::new(&self.window_program)
            .arg(crate::window::AGENT_ARG)
            .arg(&self.socket)
            .spawn();
        let mut child = match started {
            Ok(child) => child,
            Err(err) => {
                self.lock().starting = false;
                tracing::error!(error = %err, program = %self.window_program.display(), "the window could not be started");
                self.window_failed(&err.to_string());
                return;
            }
        };
        tracing::info!(pid = child.id(), "window started");
        let windows = Arc::clone(&self.windows);
        self.runtime.spawn(async move {
            let status = child.wait().await;
            tracing::info!(?status, "window closed");
            // A window that ended before it connected (it failed) must not block the next.
            windows
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .starting = false;
        });
    }

    /// Says in a toast that the window did not open (there is no window to say it in).
    fn window_failed(&self, reason: &str) {
        let Some(shell) = self.shell.get().and_then(Weak::upgrade) else {
            return;
        };
        let toast = crate::notifier::Toast {
            title: calwatch_core::locale::current().text(
                "shell-window-failed",
                &[("reason", reason.to_string().into())],
            ),
            body: self.window_program.display().to_string(),
            on_click: crate::notifier::ToastClick::ShowActivity,
            actions: Vec::new(),
        };
        crate::notifier::show(&shell, &toast);
    }
}

impl Surface for AgentSurface {
    fn emit(&self, event: &'static str, payload: serde_json::Value) {
        let mut windows = self.lock();
        let message = ToWindow::Event {
            name: event.to_string(),
            payload,
        };
        if windows.connected.is_empty() {
            // The view a toast's click asks for, while its window is still starting: the
            // new page is told when it first asks for the state (`take_views_asked`).
            if event == crate::events::NAVIGATE || event == crate::events::SHOW_CHANGES {
                windows
                    .views_asked
                    .retain(|asked| !same_event(asked, event));
                windows.views_asked.push(message);
            }
            return;
        }
        for (_, outbox) in &windows.connected {
            let _ = outbox.send(message.clone());
        }
    }

    fn open_window(&self) {
        let mut windows = self.lock();
        if !windows.connected.is_empty() {
            for (_, outbox) in &windows.connected {
                let _ = outbox.send(ToWindow::Show);
            }
            return;
        }
        if windows.starting {
            return;
        }
        windows.starting = true;
        drop(windows);
        self.start_window();
    }

    fn show_tray(&self, view: TrayView) {
        if let Some(tray) = self.tray.get() {
            let tray = Arc::clone(tray);
            self.runtime.spawn(async move { tray.show(view).await });
        }
    }

    fn exit(&self, code: i32) {
        let _ = self.exit.send(code);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surface() -> AgentSurface {
        let (exit, _) = unbounded_channel();
        AgentSurface {
            window_program: PathBuf::from("/nonexistent/calwatch-window"),
            socket: PathBuf::from("/nonexistent/calwatch.sock"),
            windows: Arc::default(),
            tray: tokio::sync::OnceCell::new(),
            shell: std::sync::OnceLock::new(),
            exit,
            runtime: tokio::runtime::Handle::current(),
        }
    }

    fn event(name: &str, payload: serde_json::Value) -> ToWindow {
        ToWindow::Event {
            name: name.to_string(),
            payload,
        }
    }

    #[tokio::test]
    async fn the_view_a_toast_asks_for_waits_for_the_window_it_opens() {
        let surface = surface();
        // A digest's click with the window closed: Activity, with just its changes.
        surface.emit(crate::events::NAVIGATE, serde_json::json!("calendars"));
        surface.emit(crate::events::SHOW_CHANGES, serde_json::json!([4, 7]));
        surface.emit(crate::events::NAVIGATE, serde_json::json!("activity"));
        surface.emit(crate::events::STATE, serde_json::json!({}));
        assert_eq!(
            surface.take_views_asked(),
            vec![
                event(crate::events::SHOW_CHANGES, serde_json::json!([4, 7])),
                event(crate::events::NAVIGATE, serde_json::json!("activity")),
            ],
            "the newest view asked for and its changes; the state is read fresh anyway"
        );
        assert!(surface.take_views_asked().is_empty(), "told once");

        // With a window connected, events go straight to it and nothing waits.
        let (outbox, mut window) = unbounded_channel();
        surface.window_connected(1, outbox);
        surface.emit(crate::events::NAVIGATE, serde_json::json!("calendars"));
        assert_eq!(
            window.try_recv().ok(),
            Some(event(
                crate::events::NAVIGATE,
                serde_json::json!("calendars")
            ))
        );
        assert!(surface.take_views_asked().is_empty());
    }
}

//! The tray app: it lives without its window and then holds no web engine, no window
//! toolkit and no GL; one instance per data dir, a second launch opens the first one's
//! window, which is a process of its own that ends when it is closed.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context as _;
use e2e::{app_binary, free_port, has_web_engine, wait_until, App};

fn env_for(dir: &std::path::Path) -> Vec<(String, String)> {
    vec![
        (
            "CALWATCH_DATA_DIR".into(),
            dir.join("data").display().to_string(),
        ),
        (
            "CALWATCH_RECEIVER_ADDR".into(),
            format!("127.0.0.1:{}", free_port()),
        ),
    ]
}

/// Starts the app directly (no WebDriver) and waits for its "tray ready" log line.
fn launch_direct(env: &[(String, String)], args: &[&str]) -> anyhow::Result<Child> {
    let mut child = Command::new(app_binary()?)
        .args(args)
        .envs(env.iter().cloned())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().context("stderr is piped")?;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Keeps draining, so the app never blocks on a full pipe.
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("tray ready") {
                let _ = ready_tx.send(());
            }
        }
    });
    if ready_rx.recv_timeout(e2e::PATIENCE).is_err() {
        let _ = child.kill();
        anyhow::bail!("the app never logged “tray ready”");
    }
    Ok(child)
}

/// The files of the libraries the process has mapped whose names `wanted` picks.
fn mapped(pid: u32, wanted: impl Fn(&str) -> bool) -> Vec<String> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
    let mut found: Vec<String> = maps
        .lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .filter(|path| wanted(path.rsplit('/').next().unwrap_or(path)))
        .map(str::to_string)
        .collect();
    found.dedup();
    found
}

/// The GL implementation's libraries the process has mapped: Mesa's GLX/EGL drivers, a DRI
/// driver and the LLVM it compiles shaders with. (libGL/libEGL themselves are glvnd's small
/// dispatch stubs WebKitGTK links against: mapped by the loader, whatever the app does.)
fn gl_mapped(pid: u32) -> Vec<String> {
    mapped(pid, |name| {
        name.starts_with("libLLVM")
            || name.contains("_dri.so")
            || name.starts_with("libGLX_mesa")
            || name.starts_with("libEGL_mesa")
    })
}

/// The window toolkit's and the web engine's libraries the process has mapped: the app
/// in the tray links none of them (its window is a process of its own).
fn toolkit_mapped(pid: u32) -> Vec<String> {
    const TOOLKIT: [&str; 4] = [
        "libgtk-3",
        "libgdk-3",
        "libwebkit2gtk",
        "libjavascriptcoregtk",
    ];
    mapped(pid, |name| TOOLKIT.iter().any(|lib| name.starts_with(lib)))
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_launch_opens_the_window_of_the_running_tray_app() -> anyhow::Result<()> {
    e2e::require_desktop_session()?;
    let dir = tempfile::tempdir()?;
    let env = env_for(dir.path());

    // GTK opens GL only in the first process on a display and leaves the visuals it
    // picked on the root window for the next ones: forget them, so this app is the first
    // (as the login item's start may well be) and would open GL if it were going to.
    let forgot = Command::new("xprop")
        .args(["-root", "-remove", "GDK_VISUALS"])
        .status()
        .context("xprop (x11-utils) runs")?;
    anyhow::ensure!(forgot.success(), "xprop could not clear GDK_VISUALS");
    // As the login item starts it: the tray only.
    let mut first = launch_direct(&env, &["--background"])?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let outcome = async {
        anyhow::ensure!(
            !has_web_engine(first.id()),
            "in the tray only, the app holds no web engine"
        );
        let gl = gl_mapped(first.id());
        anyhow::ensure!(
            gl.is_empty(),
            "in the tray only, no GL driver is loaded (it costs ~29 MiB): {gl:?}"
        );
        let toolkit = toolkit_mapped(first.id());
        anyhow::ensure!(
            toolkit.is_empty(),
            "the app in the tray maps neither GTK nor WebKit: {toolkit:?}"
        );
        let second = Command::new(app_binary()?)
            .envs(env.iter().cloned())
            .output()?;
        anyhow::ensure!(
            second.status.success(),
            "the second launch hands over and exits: {:?}",
            second.status
        );
        anyhow::ensure!(alive(first.id()), "the first instance keeps running");
        wait_until("the first instance opened its window", || {
            has_web_engine(first.id())
        })
        .await
    }
    .await;
    let _ = first.kill();
    let _ = first.wait();
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_window_leaves_the_app_in_the_tray_without_a_web_engine() -> anyhow::Result<()>
{
    e2e::require_desktop_session()?;
    let dir = tempfile::tempdir()?;
    let app = App::launch("tray", &env_for(dir.path())).await?;
    app.find("nav-setup").await?;
    let pid = app.app_pid().context("the driver started the app")?;
    anyhow::ensure!(has_web_engine(pid), "the open window runs in a web process");

    app.close_window_like_a_person().await?;
    wait_until("the closed window's web process is gone", || {
        !has_web_engine(pid)
    })
    .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    anyhow::ensure!(
        alive(pid),
        "closing the window does not quit: the tray stays"
    );
    anyhow::ensure!(
        e2e::process_tree(pid).len() == 1,
        "the window's process ended with it: {:?}",
        e2e::process_tree(pid)
    );
    let toolkit = toolkit_mapped(pid);
    anyhow::ensure!(
        toolkit.is_empty(),
        "after the window closed, the app in the tray maps neither GTK nor WebKit: {toolkit:?}"
    );
    app.quit().await;
    Ok(())
}

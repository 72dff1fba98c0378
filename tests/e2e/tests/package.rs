//! The .deb as a person gets it: unpacked into a throwaway root (no system-wide install),
//! its own binary run in the headless session. Run by `make package-test`, which builds
//! the package and names it in `CALWATCH_PACKAGE_DEB`; `cargo test --workspace` skips this
//! target (it needs a release package).

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context as _};
use e2e::{free_port, has_web_engine, App, NotifyLog};

/// The .deb's contents, unpacked into a directory removed with it.
struct Unpacked {
    /// The throwaway root.
    root: tempfile::TempDir,
}

impl Unpacked {
    fn deb() -> anyhow::Result<Unpacked> {
        let deb = std::env::var_os("CALWATCH_PACKAGE_DEB").context(
            "CALWATCH_PACKAGE_DEB is not set: `make package-test` builds the .deb and runs \
             this test with it",
        )?;
        let root = tempfile::tempdir()?;
        let status = Command::new("dpkg-deb")
            .arg("-x")
            .arg(&deb)
            .arg(root.path())
            .status()
            .context("dpkg-deb runs")?;
        ensure!(status.success(), "dpkg-deb -x {deb:?} failed: {status}");
        Ok(Unpacked { root })
    }

    fn binary(&self) -> PathBuf {
        self.root.path().join("usr/bin/calwatch")
    }
}

/// A fresh profile: data dir, home, config dir, a receiver port.
fn profile(dir: &Path) -> Vec<(String, String)> {
    let at = |p: &str| dir.join(p).display().to_string();
    vec![
        ("CALWATCH_DATA_DIR".into(), at("data")),
        ("HOME".into(), at("home")),
        ("XDG_CONFIG_HOME".into(), at("config")),
        (
            "CALWATCH_RECEIVER_ADDR".into(),
            format!("127.0.0.1:{}", free_port()),
        ),
        ("TZ".into(), "UTC".into()),
    ]
}

fn value<'a>(env: &'a [(String, String)], key: &str) -> &'a str {
    env.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

#[test]
fn the_installed_binary_answers_version_and_help_without_starting() -> anyhow::Result<()> {
    let unpacked = Unpacked::deb()?;
    for (arg, expected) in [
        (
            "--version",
            format!("CalWatch {}\n", env!("CARGO_PKG_VERSION")),
        ),
        ("--help", "--background".to_string()),
    ] {
        // No display and no bus: the answer must not need the app to start.
        let out = Command::new(unpacked.binary())
            .arg(arg)
            .env_remove("DISPLAY")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .output()?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        ensure!(out.status.success(), "{arg} exits with success: {out:?}");
        ensure!(stdout.contains(&expected), "{arg} printed {stdout:?}");
    }
    Ok(())
}

/// Starts `binary --background` and waits for its "tray ready" log line.
fn start_in_tray(binary: &Path, env: &[(String, String)]) -> anyhow::Result<Child> {
    let mut child = Command::new(binary)
        .arg("--background")
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
        bail!("the installed app never logged “tray ready”");
    }
    Ok(child)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_the_tray_the_installed_app_receives_and_quits_on_sigterm() -> anyhow::Result<()> {
    e2e::require_desktop_session()?;
    let unpacked = Unpacked::deb()?;
    let dir = tempfile::tempdir()?;
    let env = profile(dir.path());
    let mut app = start_in_tray(&unpacked.binary(), &env)?;
    let outcome = async {
        ensure!(
            !has_web_engine(app.id()),
            "started at login, the app holds no web engine"
        );
        // Google's POSTs arrive here; one without Google's headers is answered, not dropped.
        let receiver = format!(
            "http://{}/notifications",
            value(&env, "CALWATCH_RECEIVER_ADDR")
        );
        let answer = reqwest::Client::new().post(&receiver).send().await;
        ensure!(
            answer.is_ok(),
            "the receiver answers at {receiver}: {answer:?}"
        );

        let term = Command::new("kill")
            .args(["-TERM", &app.id().to_string()])
            .status()?;
        ensure!(term.success(), "SIGTERM was sent");
        let deadline = Instant::now() + Duration::from_secs(2);
        let status = loop {
            if let Some(status) = app.try_wait()? {
                break status;
            }
            ensure!(
                Instant::now() < deadline,
                "SIGTERM did not end the app within 2 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        ensure!(
            status.success(),
            "SIGTERM quits as Quit does (exit status 0), not by the signal: {status}"
        );
        Ok(())
    }
    .await;
    let _ = app.kill();
    let _ = app.wait();
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_installed_app_toasts_as_calwatch_and_starts_at_login_from_its_place(
) -> anyhow::Result<()> {
    e2e::require_desktop_session()?;
    let toasts = NotifyLog::from_env()?;
    let unpacked = Unpacked::deb()?;
    let dir = tempfile::tempdir()?;
    let env = profile(dir.path());
    let app = App::launch_binary("package", &unpacked.binary(), &env).await?;

    app.click("try-sandbox").await?;
    app.wait_text("calendar-name", "Work").await?;
    app.click("watch-button").await?;
    app.wait_text("calendar-watched", "").await?;
    app.click("nav-sandbox").await?;
    app.find("sandbox-event-row").await?;
    app.type_into("sandbox-add-title", "Package check").await?;
    app.click("sandbox-add").await?;
    let toast = toasts.wait_for("Package check added", "").await?;
    ensure!(
        toast.app_name == "CalWatch",
        "the toast's app name: {toast:?}"
    );
    ensure!(
        toast.app_icon == "calwatch",
        "the toast names the icon the package installs: {toast:?}"
    );
    ensure!(
        unpacked
            .root
            .path()
            .join("usr/share/icons/hicolor/128x128/apps/calwatch.png")
            .is_file(),
        "the package installs the icon the toast names"
    );
    ensure!(
        toast.hint("desktop-entry") == Some("calwatch"),
        "the toast names the installed calwatch.desktop: {toast:?}"
    );
    ensure!(
        unpacked
            .root
            .path()
            .join("usr/share/applications/calwatch.desktop")
            .is_file(),
        "the desktop entry the hint names is in the package"
    );

    app.click("leave-sandbox").await?;
    app.wait_gone("sandbox-banner").await?;
    app.click("nav-settings").await?;
    app.click("autostart-toggle").await?;
    let entry = Path::new(value(&env, "XDG_CONFIG_HOME")).join("autostart/CalWatch.desktop");
    e2e::wait_until("the autostart entry is written", || entry.is_file()).await?;
    let text = std::fs::read_to_string(&entry)?;
    let exec = format!("Exec={} --background", unpacked.binary().display());
    ensure!(
        text.lines().any(|l| l == exec),
        "the entry starts the binary the app runs from, in the tray ({exec}): {text}"
    );
    app.quit().await;
    Ok(())
}

//! Drives CalWatch's real window over WebDriver (WebKitWebDriver, which launches the app
//! binary in automation mode), inside the headless desktop session `tests/desktop-session.sh`
//! provides (Xvfb, D-Bus, gnome-keyring, dunst, dbus-monitor). The tests in `tests/` use
//! these pieces; nothing here skips: a missing display or driver fails with a sentence.
//!
//! Sign-in needs a browser. The app runs `CALWATCH_BROWSER_CMD <url>` instead of the
//! system browser when that is set; [`browser_script`] writes one that fetches the URL and
//! follows fake-google's redirect to the app's loopback listener, as a browser would.

use std::future::Future;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// How long any one expected thing may take to appear in the window.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Fails (never skips) when the session the e2e tests need is not there.
pub fn require_desktop_session() -> anyhow::Result<()> {
    if std::env::var_os("DISPLAY").is_none() {
        bail!(
            "DISPLAY is not set: the e2e tests drive a real window. Run them through \
             `./tests/desktop-session.sh --display -- cargo test -p e2e` (or `make test`)."
        );
    }
    if which("WebKitWebDriver").is_none() {
        bail!(
            "WebKitWebDriver is not on PATH: install webkit2gtk-driver \
             (`make deps` does), then run the tests again."
        );
    }
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        bail!("no D-Bus session bus: run the tests through ./tests/desktop-session.sh");
    }
    Ok(())
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

/// The profile dir this executable was built into (`<target>/debug`): tests live in its
/// `deps/`, binaries in it.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the executable knows its own path");
    exe.ancestors()
        .find(|dir| {
            dir.file_name()
                .is_some_and(|n| n == "debug" || n == "release")
        })
        .expect("built into <target>/debug or <target>/release")
        .to_path_buf()
}

/// The cargo target dir.
pub fn target_dir() -> PathBuf {
    profile_dir()
        .parent()
        .expect("the profile dir sits in the target dir")
        .to_path_buf()
}

/// The app binary of the same profile as this executable.
pub fn app_binary() -> anyhow::Result<PathBuf> {
    let binary = profile_dir().join("calwatch");
    if !binary.is_file() {
        bail!(
            "{} does not exist: build the app first (`cargo build -p calwatch`; \
             `make test` builds it)",
            binary.display()
        );
    }
    Ok(binary)
}

/// A directory holding the tunnel stand-ins (`tests/tunnel-standin`) under the real tools'
/// names, for the front of the app's `PATH`; only `tools` are linked.
pub fn tunnel_tools_dir(dir: &Path, tools: &[&str]) -> anyhow::Result<PathBuf> {
    let standin = profile_dir().join("tunnel-standin");
    if !standin.is_file() {
        bail!(
            "{} does not exist: build the stand-ins first (`cargo build -p tunnel-standin`; \
             `make test` builds them)",
            standin.display()
        );
    }
    let bin = dir.join("tunnel-bin");
    std::fs::create_dir_all(&bin)?;
    for tool in tools {
        std::os::unix::fs::symlink(&standin, bin.join(tool))?;
    }
    Ok(bin)
}

/// `PATH` with `first` in front of the test's own.
pub fn path_with(first: &Path) -> String {
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{rest}", first.display())
}

/// Whether a process is alive (not gone, not a zombie).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

/// Sends a signal (`"TERM"`, `"KILL"`, `"USR1"`…) to a process.
pub fn signal(pid: u32, name: &str) -> anyhow::Result<()> {
    let sent = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()?;
    anyhow::ensure!(sent.success(), "kill -{name} {pid} failed");
    Ok(())
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Where screenshots go: `<target>/e2e-artifacts/`.
pub fn artifacts_dir() -> PathBuf {
    let dir = target_dir().join("e2e-artifacts");
    std::fs::create_dir_all(&dir).expect("the artifacts dir can be created");
    dir
}

/// Writes the stand-in browser into `dir` and returns its path (for `CALWATCH_BROWSER_CMD`).
/// It notes every URL it is asked to open in [`browser_log`], and fetches loopback ones
/// (fake-google's consent page), following the redirect back to the app as a browser would.
pub fn browser_script(dir: &Path) -> anyhow::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join("browser.sh");
    let log = browser_log(dir);
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\necho \"$1\" >> '{}'\ncase \"$1\" in\n  http://127.0.0.1:*) \
             exec curl -sS -L --max-redirs 5 -o /dev/null \"$1\" ;;\nesac\n",
            log.display()
        ),
    )?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    Ok(path)
}

/// The URLs the stand-in browser of `dir` was asked to open, one per line.
pub fn browser_log(dir: &Path) -> PathBuf {
    dir.join("browser.log")
}

/// The app under WebDriver: the driver process and the session.
pub struct App {
    /// WebKitWebDriver; the app is its child.
    driver: Child,
    /// The W3C session.
    pub client: Client,
    /// Prefix for this test's screenshots.
    name: String,
    /// The app's $HOME, removed with the app.
    _home: tempfile::TempDir,
}

impl App {
    /// Starts WebKitWebDriver with `env` (it passes its environment on to the app), then a
    /// session that launches the app binary.
    pub async fn launch(name: &str, env: &[(String, String)]) -> anyhow::Result<App> {
        Self::launch_binary(name, &app_binary()?, env).await
    }

    /// [`App::launch`] with another build of the app (the figures use the release one).
    pub async fn launch_binary(
        name: &str,
        binary: &Path,
        env: &[(String, String)],
    ) -> anyhow::Result<App> {
        require_desktop_session()?;
        let port = free_port();
        let mut driver = Command::new("WebKitWebDriver");
        driver
            .arg(format!("--port={port}"))
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        // A private home, so nothing the app (or WebKit, or Mesa) writes under $HOME
        // outlives the test; a test may pass its own.
        let home = tempfile::tempdir()?;
        driver.env("HOME", home.path());
        for (key, value) in env {
            driver.env(key, value);
        }
        let mut driver = driver.spawn().context("WebKitWebDriver starts")?;

        let mut caps = serde_json::Map::new();
        caps.insert(
            "webkitgtk:browserOptions".into(),
            json!({ "binary": binary, "args": [] }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + PATIENCE;
        let client = loop {
            let http = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(http)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                // The driver needs a moment to listen.
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await
                }
                Err(err) => {
                    let _ = driver.kill();
                    return Err(err).context("a WebDriver session with the app");
                }
            }
        };
        Ok(App {
            driver,
            client,
            name: name.to_string(),
            _home: home,
        })
    }

    fn locator(testid: &str) -> String {
        format!("[data-testid=\"{testid}\"]")
    }

    /// The element with this `data-testid`, waiting for it to appear.
    pub async fn find(&self, testid: &str) -> anyhow::Result<Element> {
        let css = Self::locator(testid);
        let found = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(&css))
            .await;
        match found {
            Ok(element) => Ok(element),
            Err(err) => {
                let evidence = self.save_evidence().await;
                Err(err).with_context(|| {
                    format!("the window never showed [data-testid={testid}] (see {evidence})")
                })
            }
        }
    }

    /// Every element with this `data-testid` now (maybe none).
    pub async fn all(&self, testid: &str) -> anyhow::Result<Vec<Element>> {
        let css = Self::locator(testid);
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.client.find_all(Locator::Css(&css)).await {
                Err(e) if stale(&e) && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                found => return Ok(found?),
            }
        }
    }

    /// Does `act` to the element with this `data-testid`, finding it again when the window
    /// re-rendered it between the finding and the doing.
    async fn on_element<T, F, Fut>(&self, testid: &str, act: F) -> anyhow::Result<T>
    where
        F: Fn(Element) -> Fut,
        Fut: Future<Output = Result<T, CmdError>>,
    {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match act(self.find(testid).await?).await {
                Err(e) if stale(&e) && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                done => return done.with_context(|| format!("using [data-testid={testid}]")),
            }
        }
    }

    /// Clicks the element with this `data-testid`.
    pub async fn click(&self, testid: &str) -> anyhow::Result<()> {
        self.on_element(
            testid,
            |element| async move { element.click().await.map(drop) },
        )
        .await
    }

    /// Replaces the text of an input.
    pub async fn type_into(&self, testid: &str, text: &str) -> anyhow::Result<()> {
        self.on_element(testid, |element| async move {
            element.clear().await?;
            element.send_keys(text).await
        })
        .await
    }

    /// Waits until some element with this `data-testid` contains `text`; returns its text.
    pub async fn wait_text(&self, testid: &str, text: &str) -> anyhow::Result<String> {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        loop {
            seen.clear();
            for element in self.all(testid).await? {
                if let Ok(t) = element.text().await {
                    if t.contains(text) {
                        return Ok(t);
                    }
                    seen.push(t);
                }
            }
            if Instant::now() > deadline {
                let evidence = self.save_evidence().await;
                bail!(
                    "[data-testid={testid}] never said “{text}”; it said {seen:?} (see {evidence})"
                );
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until an attribute of the element with this `data-testid` has `value`.
    pub async fn wait_attr(&self, testid: &str, attr: &str, value: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let now = self
                .on_element(testid, |element| async move { element.attr(attr).await })
                .await?;
            if now.as_deref() == Some(value) {
                return Ok(());
            }
            if Instant::now() > deadline {
                let evidence = self.save_evidence().await;
                bail!("[data-testid={testid}] {attr} stayed {now:?}, never “{value}” (see {evidence})");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until no element has this `data-testid`.
    pub async fn wait_gone(&self, testid: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + PATIENCE;
        while !self.all(testid).await?.is_empty() {
            if Instant::now() > deadline {
                let evidence = self.save_evidence().await;
                bail!("[data-testid={testid}] never went away (see {evidence})");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        Ok(())
    }

    /// Scrolls the element with this `data-testid` to the top of the window (for a
    /// screenshot of something below the fold).
    pub async fn scroll_to(&self, testid: &str) -> anyhow::Result<()> {
        self.client
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView({block: 'start'})",
                vec![serde_json::Value::String(Self::locator(testid))],
            )
            .await?;
        Ok(())
    }

    /// Runs `script` in the window and returns what it returns (a layout measurement the
    /// DOM alone does not say).
    pub async fn script(&self, script: &str) -> anyhow::Result<serde_json::Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// Saves a screenshot as `<target>/e2e-artifacts/<test>-<view>.png`. Call it after the
    /// expected text appeared; the short pause lets the frame catch up with the DOM.
    pub async fn screenshot(&self, view: &str) -> anyhow::Result<PathBuf> {
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.bring_a_frame().await?;
        let png = self.client.screenshot().await?;
        let path = artifacts_dir().join(format!("{}-{view}.png", self.name));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// The app's process id (a child of the driver).
    pub fn app_pid(&self) -> Option<u32> {
        process_tree(self.driver.id())
            .into_iter()
            .find(|(_, name)| name == "calwatch")
            .map(|(pid, _)| pid)
    }

    /// WebKit answers a screenshot after the page's next frame, and without accelerated
    /// compositing (the app turns it off) a page that is not changing draws none: the
    /// request would wait forever. A transparent dot repainted for two seconds brings a
    /// frame and changes no pixel.
    async fn bring_a_frame(&self) -> anyhow::Result<()> {
        self.client
            .execute(
                "const dot = document.createElement('div');
                 dot.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;\
                 pointer-events:none';
                 document.body.append(dot);
                 let n = 0;
                 const nudge = setInterval(() => {
                   dot.style.background = n++ % 2 ? 'transparent' : 'rgba(255,255,255,0)';
                   if (n > 40) { clearInterval(nudge); dot.remove(); }
                 }, 50);
                 return null;",
                vec![],
            )
            .await?;
        Ok(())
    }

    /// Saves what the window shows (screenshot and DOM) for a failed expectation.
    pub async fn save_evidence(&self) -> String {
        let base = artifacts_dir().join(format!("{}-failure", self.name));
        let _ = self.bring_a_frame().await;
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(base.with_extension("png"), png);
        }
        if let Ok(html) = self.client.source().await {
            let _ = std::fs::write(base.with_extension("html"), html);
        }
        base.display().to_string()
    }

    /// Closes the window as its close button does (WebDriver's own "close window" would
    /// end the session and the app with it); the app stays in the tray. The close is
    /// queued after the script returns: a window destroyed while WebDriver still waits
    /// for the script's result makes the call fail.
    pub async fn close_window_like_a_person(&self) -> anyhow::Result<()> {
        self.client
            .execute(
                "setTimeout(() => window.__TAURI_INTERNALS__.invoke('plugin:window|close', \
                 { label: 'main' }), 500); return null;",
                vec![],
            )
            .await?;
        Ok(())
    }

    /// Ends the session (the driver closes the app) and stops the driver.
    pub async fn quit(mut self) {
        let app = self.app_pid();
        let client = self.client.clone();
        let _ = client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // The driver normally ends the app with the session; make sure of it.
        if let Some(pid) = app {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // A failed test must not leave a driver and its app behind. The app outlives its
        // window (it stays in the tray), so it is ended by name, not only with the driver.
        if let Some(pid) = self.app_pid() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        let _ = self.driver.kill();
    }
}

/// The window re-rendered the element after WebDriver found it (Svelte replaces nodes);
/// looking again finds the new one.
fn stale(e: &CmdError) -> bool {
    e.is_stale_element_reference() || e.to_string().to_lowercase().contains("stale element")
}

/// Polls `check` until it holds, failing after [`PATIENCE`] with `what`.
pub async fn wait_until(what: &str, mut check: impl FnMut() -> bool) -> anyhow::Result<()> {
    let deadline = Instant::now() + PATIENCE;
    while !check() {
        if Instant::now() > deadline {
            bail!("timed out waiting until {what}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    Ok(())
}

/// A desktop notification as the `Notify` D-Bus call carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    /// The sender's app name.
    pub app_name: String,
    /// The icon (a theme name or a path).
    pub app_icon: String,
    /// The title.
    pub summary: String,
    /// The body.
    pub body: String,
    /// The hints whose values are strings (`desktop-entry`, …), in the call's order.
    pub hints: Vec<(String, String)>,
}

impl Toast {
    /// The value of a string hint.
    pub fn hint(&self, name: &str) -> Option<&str> {
        self.hints
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The `Notify` calls captured by dbus-monitor (the log `CALWATCH_NOTIFY_LOG` names).
pub struct NotifyLog {
    /// dbus-monitor's output file.
    path: PathBuf,
}

impl NotifyLog {
    /// The session's capture; fails with a sentence outside the desktop session.
    pub fn from_env() -> anyhow::Result<NotifyLog> {
        let path = std::env::var_os("CALWATCH_NOTIFY_LOG").context(
            "CALWATCH_NOTIFY_LOG is not set: run the tests through ./tests/desktop-session.sh, \
             which captures the session's notifications with dbus-monitor",
        )?;
        Ok(NotifyLog { path: path.into() })
    }

    /// Every `Notify` call so far.
    pub fn toasts(&self) -> Vec<Toast> {
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        parse_notify_calls(&text)
    }

    /// Waits for a toast whose title is `summary` and whose body contains `body`.
    pub async fn wait_for(&self, summary: &str, body: &str) -> anyhow::Result<Toast> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(t) = self
                .toasts()
                .into_iter()
                .find(|t| t.summary == summary && t.body.contains(body))
            {
                return Ok(t);
            }
            if Instant::now() > deadline {
                bail!(
                    "no toast “{summary}” / “…{body}…” was sent; the session saw {:#?}",
                    self.toasts()
                );
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }
}

/// Reads dbus-monitor's text: each `member=Notify` method call is followed by its
/// arguments, one per line; the strings are app_name, app_icon, summary, body, actions….
pub fn parse_notify_calls(text: &str) -> Vec<Toast> {
    /// One `Notify` call being read: its top-level strings and its string hints.
    #[derive(Default)]
    struct Call {
        strings: Vec<String>,
        hints: Vec<(String, String)>,
        key: Option<String>,
    }
    fn quoted(s: &str) -> Option<String> {
        let rest = s.split_once("string \"")?.1;
        Some(rest.strip_suffix('"').unwrap_or(rest).to_string())
    }
    let mut toasts = Vec::new();
    let mut call: Option<Call> = None;
    let mut finish = |call: Option<Call>| {
        if let Some(c) = call.filter(|c| c.strings.len() >= 4) {
            toasts.push(Toast {
                app_name: c.strings[0].clone(),
                app_icon: c.strings[1].clone(),
                summary: c.strings[2].clone(),
                body: c.strings[3].clone(),
                hints: c.hints,
            });
        }
    };
    for line in text.lines() {
        let trimmed = line.trim_start();
        let starts_message = ["method call", "method return", "signal", "error"]
            .iter()
            .any(|m| line.starts_with(m));
        if starts_message {
            finish(call.take());
            if line.starts_with("method call") && line.contains("member=Notify") {
                call = Some(Call::default());
            }
            continue;
        }
        let Some(c) = call.as_mut() else { continue };
        let depth = line.len() - trimmed.len();
        if trimmed.starts_with("dict entry(") {
            c.key = None;
        } else if trimmed.starts_with("variant") {
            // A hint's value: kept when it is a string.
            if let (Some(key), Some(value)) = (c.key.take(), quoted(trimmed)) {
                c.hints.push((key, value));
            }
        } else if let Some(Some(value)) = trimmed.starts_with("string \"").then(|| quoted(trimmed))
        {
            // Top-level strings are the arguments; deeper ones are actions or hint keys
            // (the arrays come after the four leading strings).
            if depth <= 3 {
                c.strings.push(value);
            } else if c.strings.len() >= 4 {
                c.key = Some(value);
            }
        }
    }
    finish(call);
    toasts
}

/// `root` and all its descendants, with their command names (from /proc).
pub fn process_tree(root: u32) -> Vec<(u32, String)> {
    use std::collections::HashMap;
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut names: HashMap<u32, String> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid …": comm may hold spaces, so split at the parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        names.insert(pid, stat[open + 1..close].to_string());
        if let Some(ppid) = stat[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
        {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut tree = Vec::new();
    let mut stack = vec![root];
    while let Some(pid) = stack.pop() {
        if tree.iter().any(|(p, _)| *p == pid) {
            continue;
        }
        tree.push((pid, names.get(&pid).cloned().unwrap_or_default()));
        stack.extend(children.get(&pid).into_iter().flatten());
    }
    tree
}

/// Whether any of `root`'s descendants is a WebKit web-content process.
pub fn has_web_engine(root: u32) -> bool {
    process_tree(root)
        .iter()
        .any(|(_, name)| name.starts_with("WebKitWebProces"))
}

/// Memory of one process, in KiB.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    /// The process's command name.
    pub name: String,
    /// Resident set size: counts shared libraries in full in every process.
    pub rss_kib: u64,
    /// Proportional set size: shared pages split between their users, so sums are honest.
    pub pss_kib: u64,
}

/// The memory of `root` and each of its descendants.
pub fn tree_memory(root: u32) -> Vec<Memory> {
    process_tree(root)
        .into_iter()
        .map(|(pid, name)| {
            let field = |key: &str| {
                std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
                    .ok()
                    .and_then(|text| {
                        text.lines()
                            .find_map(|l| l.strip_prefix(key))
                            .and_then(|v| v.split_whitespace().next())
                            .and_then(|n| n.parse().ok())
                    })
                    .unwrap_or(0)
            };
            Memory {
                name,
                rss_kib: field("Rss:"),
                pss_kib: field("Pss:"),
            }
        })
        .collect()
}

/// dbus-monitor watching `Notify` calls and their replies, so a test learns the id the
/// notification server gave a toast (what `ActionInvoked` names).
pub struct ReplyMonitor {
    child: Child,
    log: std::path::PathBuf,
}

impl ReplyMonitor {
    /// Starts watching; the log is written into `dir`.
    pub fn start(dir: &std::path::Path) -> anyhow::Result<Self> {
        let log = dir.join("replies.log");
        let child = Command::new("dbus-monitor")
            .args([
                "--session",
                "type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
                "type='method_return'",
            ])
            .stdout(std::fs::File::create(&log)?)
            .stderr(Stdio::null())
            .spawn()
            .context("dbus-monitor runs")?;
        // Let it register its match rules before the toast is raised.
        std::thread::sleep(Duration::from_millis(500));
        Ok(ReplyMonitor { child, log })
    }

    fn text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The messages of the log: a header line and its argument lines.
    fn messages(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for line in self.text().lines() {
            if line.starts_with(' ') {
                if let Some(last) = out.last_mut() {
                    last.1.push(line.trim().to_string());
                }
            } else {
                out.push((line.to_string(), Vec::new()));
            }
        }
        out
    }

    /// The Notify call whose summary is `summary`: its header and arguments.
    fn call(&self, summary: &str) -> Option<(String, Vec<String>)> {
        let quoted = format!("string \"{summary}\"");
        self.messages()
            .into_iter()
            .find(|(h, args)| h.contains("member=Notify") && args.contains(&quoted))
    }

    /// The action ids (and labels) the Notify call for `summary` offered.
    pub fn actions_of(&self, summary: &str) -> Vec<String> {
        let Some((_, args)) = self.call(summary) else {
            return Vec::new();
        };
        args.iter()
            .filter_map(|a| a.strip_prefix("string \"")?.strip_suffix('"'))
            .map(str::to_string)
            .collect()
    }

    /// Sends what a notification server sends when the person presses the button
    /// `action` on the toast `id`.
    pub fn press(id: u32, action: &str) -> anyhow::Result<()> {
        let sent = Command::new("dbus-send")
            .args([
                "--session",
                "--type=signal",
                "/org/freedesktop/Notifications",
                "org.freedesktop.Notifications.ActionInvoked",
                &format!("uint32:{id}"),
                &format!("string:{action}"),
            ])
            .status()?;
        anyhow::ensure!(sent.success(), "dbus-send sent ActionInvoked");
        Ok(())
    }

    /// The id the server answered the Notify call for `summary` with.
    pub async fn notification_id(&self, summary: &str) -> anyhow::Result<u32> {
        let field = |header: &str, name: &str| {
            header
                .split_whitespace()
                .find_map(|w| w.strip_prefix(&format!("{name}=")))
                .map(|v| v.trim_end_matches(';').to_string())
        };
        for _ in 0..100 {
            if let Some((call, _)) = self.call(summary) {
                let sender = field(&call, "sender");
                let serial = field(&call, "serial");
                let reply = self.messages().into_iter().find(|(h, _)| {
                    h.starts_with("method return")
                        && field(h, "destination") == sender
                        && field(h, "reply_serial") == serial
                });
                if let Some(id) = reply
                    .and_then(|(_, args)| args.first().cloned())
                    .and_then(|a| a.strip_prefix("uint32 ")?.parse().ok())
                {
                    return Ok(id);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("no reply to the Notify call for {summary}: {}", self.text())
    }
}

impl Drop for ReplyMonitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_calls_are_read_from_dbus_monitor_output() {
        let log = r#"signal time=1.0 sender=org.freedesktop.DBus -> destination=:1.9 serial=2 path=/org/freedesktop/DBus; interface=org.freedesktop.DBus; member=NameAcquired
   string ":1.9"
method call time=2.0 sender=:1.12 -> destination=org.freedesktop.Notifications serial=7 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=Notify
   string "CalWatch"
   uint32 0
   string "calwatch"
   string "Dentist added"
   string "Tue 5 Mar 10:00 → 11:00 · Work"
   array [
      string "default"
      string "Open"
   ]
   array [
      dict entry(
         string "urgency"
         variant             byte 1
      )
      dict entry(
         string "desktop-entry"
         variant             string "calwatch"
      )
   ]
   int32 -1
method return time=2.1 sender=:1.3 -> destination=:1.12 serial=4 reply_serial=7
   uint32 1
"#;
        assert_eq!(
            parse_notify_calls(log),
            vec![Toast {
                app_name: "CalWatch".into(),
                app_icon: "calwatch".into(),
                summary: "Dentist added".into(),
                body: "Tue 5 Mar 10:00 → 11:00 · Work".into(),
                hints: vec![("desktop-entry".into(), "calwatch".into())],
            }],
            "one Notify call with its string hints; actions, other hints and messages skipped"
        );
    }
}

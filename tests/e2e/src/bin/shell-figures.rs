//! Prints the desktop shell's figures for the README: cold start to tray ready, idle
//! memory (RSS and PSS summed over the app and its WebKit processes) with the window open
//! and tray-only, and the binary's size. Run inside a desktop session:
//!
//! ```text
//! ./tests/desktop-session.sh --display -- cargo run -p e2e --bin shell-figures -- [APP]
//! ```
//! APP defaults to `<target>/release/calwatch`, else `<target>/debug/calwatch`.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};

/// Idle time before memory is read, so start-up allocations have settled.
const SETTLE: Duration = Duration::from_secs(8);
/// Cold starts measured; the median is reported.
const RUNS: usize = 5;

fn main() -> anyhow::Result<()> {
    e2e::require_desktop_session()?;
    let binary = match std::env::args().nth(1) {
        Some(path) => PathBuf::from(path),
        None => default_binary()?,
    };
    println!("binary: {}", binary.display());
    let size = std::fs::metadata(&binary)?.len();

    let mut starts = Vec::new();
    for _ in 0..RUNS {
        let (mut app, ready, _dir) = launch(&binary, &[])?;
        starts.push(ready);
        stop(&mut app);
    }
    starts.sort();
    let median = starts[RUNS / 2];

    let (mut app, _, _dir) = launch(&binary, &[])?;
    std::thread::sleep(SETTLE);
    let window = e2e::tree_memory(app.id());
    stop(&mut app);

    let (mut app, _, _dir) = launch(&binary, &["--background"])?;
    std::thread::sleep(SETTLE);
    let tray = e2e::tree_memory(app.id());
    stop(&mut app);

    let closed = tokio::runtime::Runtime::new()?.block_on(window_closed(&binary))?;

    println!("| figure | value |");
    println!("|---|---|");
    println!(
        "| cold start to tray ready (median of {RUNS}) | {} ms (runs: {:?}) |",
        median.as_millis(),
        starts.iter().map(|d| d.as_millis()).collect::<Vec<_>>()
    );
    for (label, tree) in [
        ("window open", &window),
        ("tray only, started with --background", &tray),
        ("tray only, after closing the window", &closed),
    ] {
        let rss: u64 = tree.iter().map(|m| m.rss_kib).sum();
        let pss: u64 = tree.iter().map(|m| m.pss_kib).sum();
        let parts: Vec<String> = tree
            .iter()
            .map(|m| format!("{} {:.0}", m.name, m.pss_kib as f64 / 1024.0))
            .collect();
        println!(
            "| idle memory, {label} ({} processes) | RSS {:.1} MiB, PSS {:.1} MiB (PSS by process, MiB: {}) |",
            tree.len(),
            rss as f64 / 1024.0,
            pss as f64 / 1024.0,
            parts.join(", ")
        );
    }
    println!(
        "| binary size | {:.1} MiB |",
        size as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}

/// Opens the window, closes it as a person would, and reads the app's memory then.
async fn window_closed(binary: &Path) -> anyhow::Result<Vec<e2e::Memory>> {
    let dir = tempfile::tempdir()?;
    let env = vec![
        (
            "CALWATCH_DATA_DIR".to_string(),
            dir.path().join("data").display().to_string(),
        ),
        (
            "CALWATCH_RECEIVER_ADDR".to_string(),
            format!("127.0.0.1:{}", e2e::free_port()),
        ),
    ];
    let app = e2e::App::launch_binary("figures", binary, &env).await?;
    app.find("nav-setup").await?;
    let pid = app.app_pid().context("the driver started the app")?;
    app.close_window_like_a_person().await?;
    tokio::time::sleep(SETTLE).await;
    let memory = e2e::tree_memory(pid);
    app.quit().await;
    Ok(memory)
}

fn default_binary() -> anyhow::Result<PathBuf> {
    let target = e2e::target_dir();
    for profile in ["release", "debug"] {
        let path = target.join(profile).join("calwatch");
        if path.is_file() {
            return Ok(path);
        }
    }
    bail!(
        "no calwatch binary under {}: build it first",
        target.display()
    )
}

/// Starts the app on a fresh data dir and waits for its "tray ready" log line.
fn launch(binary: &Path, args: &[&str]) -> anyhow::Result<(Child, Duration, tempfile::TempDir)> {
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    let mut child = Command::new(binary)
        .args(args)
        .env("HOME", dir.path().join("home"))
        .env("CALWATCH_DATA_DIR", dir.path().join("data"))
        .env(
            "CALWATCH_RECEIVER_ADDR",
            format!("127.0.0.1:{}", e2e::free_port()),
        )
        .env("CALWATCH_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("the app starts")?;
    let stderr = child.stderr.take().context("stderr is piped")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("tray ready") {
                let _ = tx.send(started.elapsed());
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(ready) => Ok((child, ready, dir)),
        Err(_) => {
            stop(&mut child);
            bail!("the app never logged “tray ready”")
        }
    }
}

fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
    // WebKit's helpers leave when their parent's sockets close; give them a moment.
    std::thread::sleep(Duration::from_millis(500));
}

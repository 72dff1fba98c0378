//! Prints the desktop shell's figures for the README: cold start to tray ready, idle
//! memory (RSS and PSS summed over the app and its WebKit processes) with the window open,
//! tray-only and after the window was opened and closed; where the tray-only process's
//! memory goes (PSS by mapped file, and whether a GL driver or LLVM is mapped); its
//! threads; its wake-ups per minute, by thread; and the binary's size. Run inside a
//! desktop session:
//!
//! ```text
//! ./tests/desktop-session.sh --display -- cargo run -p e2e --bin shell-figures -- [APP]
//! ```
//! APP defaults to `<target>/release/calwatch`, else `<target>/debug/calwatch`.

use std::collections::BTreeMap;
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
/// How long wake-ups are counted (so the figure is per minute).
const WAKE_WINDOW: Duration = Duration::from_secs(60);
/// Mappings listed by PSS, largest first.
const TOP_MAPPINGS: usize = 14;

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

    // GTK opens GL only in the first process on a display, and leaves the visuals it
    // picked on the root window for the next: forget them, so the tray-only app is
    // measured as the first (as a login item may well be).
    let forgot = Command::new("xprop")
        .args(["-root", "-remove", "GDK_VISUALS"])
        .status()
        .context("xprop (x11-utils) runs")?;
    anyhow::ensure!(forgot.success(), "xprop could not clear GDK_VISUALS");
    let (mut app, _, _dir) = launch(&binary, &["--background"])?;
    std::thread::sleep(SETTLE);
    let tray = e2e::tree_memory(app.id());
    let tray_private = private_kib(app.id());
    let sharers = webkit_users().saturating_sub(1);
    let by_file = mappings(app.id());
    let threads = thread_names(app.id());
    let wakes = wake_ups(app.id(), WAKE_WINDOW);
    stop(&mut app);

    let (closed, closed_wakes) =
        tokio::runtime::Runtime::new()?.block_on(window_closed(&binary))?;

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
        "| tray only, private memory (USS: what ending it frees) | {:.1} MiB; while measured, {sharers} other processes on the machine mapped WebKitGTK (PSS splits shared pages with them) |",
        tray_private as f64 / 1024.0
    );
    let pss = |tree: &[e2e::Memory]| tree.iter().map(|m| m.pss_kib).sum::<u64>() as f64 / 1024.0;
    println!(
        "| window opened and closed, against tray only (all processes, PSS) | {:+.1} MiB |",
        pss(&closed) - pss(&tray)
    );
    let gl: Vec<&str> = by_file
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| gl_driver(name))
        .collect();
    println!(
        "| GL driver or LLVM mapped, tray only | {} |",
        if gl.is_empty() {
            "none".to_string()
        } else {
            gl.join(", ")
        }
    );
    println!(
        "| threads, tray only | {} ({}) |",
        threads.len(),
        threads.join(", ")
    );
    for (label, wakes) in [
        ("tray only", &wakes),
        ("after closing the window", &closed_wakes),
    ] {
        let total: u64 = wakes.values().sum();
        let parts: Vec<String> = wakes
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(name, n)| format!("{name} {n}"))
            .collect();
        println!(
            "| wake-ups per minute, {label} (context switches over {} s) | {total} ({}) |",
            WAKE_WINDOW.as_secs(),
            parts.join(", ")
        );
    }
    println!(
        "| binary size | {:.1} MiB ({size} B) |",
        size as f64 / (1024.0 * 1024.0)
    );
    println!();
    println!("| mapping, tray only | PSS |");
    println!("|---|---|");
    for (name, kib) in by_file.iter().take(TOP_MAPPINGS) {
        println!("| {name} | {:.1} MiB |", *kib as f64 / 1024.0);
    }
    Ok(())
}

/// PSS by mapped file (anonymous memory, the heap and stacks under their bracketed
/// names), largest first, in KiB.
fn mappings(pid: u32) -> Vec<(String, u64)> {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let mut by_name: BTreeMap<String, u64> = BTreeMap::new();
    let mut current = String::new();
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or("");
        if first.contains('-') && !first.ends_with(':') {
            // "start-end perms offset dev inode [path]": a new mapping.
            current = fields.nth(4).unwrap_or("[anon]").to_string();
            if current.starts_with("[stack") {
                current = "[stack]".into();
            }
        } else if first == "Pss:" {
            let kib: u64 = fields.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            *by_name.entry(current.clone()).or_default() += kib;
        }
    }
    let mut sorted: Vec<(String, u64)> = by_name.into_iter().collect();
    sorted.sort_by_key(|(_, kib)| std::cmp::Reverse(*kib));
    sorted
}

/// The process's private pages (clean and dirty), in KiB.
fn private_kib(pid: u32) -> u64 {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    rollup
        .lines()
        .filter(|l| l.starts_with("Private_"))
        .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum()
}

/// How many processes on the machine map WebKitGTK (the library the tray's PSS shares most).
fn webkit_users() -> usize {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.parse::<u32>().is_ok())
                && std::fs::read_to_string(entry.path().join("maps"))
                    .is_ok_and(|maps| maps.contains("libwebkit2gtk-4.1.so"))
        })
        .count()
}

/// Mesa's GL drivers and the LLVM its software rasteriser compiles with (libGL and
/// libEGL themselves are glvnd's small dispatch stubs WebKitGTK links against).
fn gl_driver(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.starts_with("libLLVM")
        || name.contains("_dri.so")
        || name.starts_with("libGLX_mesa")
        || name.starts_with("libEGL_mesa")
        || name.starts_with("libgallium")
}

/// The names of the process's threads.
fn thread_names(pid: u32) -> Vec<String> {
    tasks(pid).into_iter().map(|(_, name)| name).collect()
}

/// The process's threads: id and name.
fn tasks(pid: u32) -> Vec<(u32, String)> {
    let mut tasks: Vec<(u32, String)> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let tid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let name = std::fs::read_to_string(entry.path().join("comm")).ok()?;
            Some((tid, name.trim().to_string()))
        })
        .collect();
    tasks.sort();
    tasks
}

/// A thread's context switches so far (voluntary and not): each is a time it slept and
/// was woken, or was put off the CPU.
fn switches(pid: u32, tid: u32) -> u64 {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/status")).unwrap_or_default();
    status
        .lines()
        .filter(|l| l.contains("ctxt_switches:"))
        .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum()
}

/// Context switches per thread name over `window`, scaled to a minute (threads of the same
/// name summed; threads born or gone meanwhile count what they did while both were seen).
fn wake_ups(pid: u32, window: Duration) -> BTreeMap<String, u64> {
    let before: Vec<(u32, String, u64)> = tasks(pid)
        .into_iter()
        .map(|(tid, name)| (tid, name, switches(pid, tid)))
        .collect();
    std::thread::sleep(window);
    let mut by_name: BTreeMap<String, u64> = BTreeMap::new();
    for (tid, name) in tasks(pid) {
        let then = before
            .iter()
            .find(|(t, _, _)| *t == tid)
            .map(|(_, _, n)| *n)
            .unwrap_or(0);
        let now = switches(pid, tid);
        *by_name.entry(name).or_default() +=
            now.saturating_sub(then) * 60 / window.as_secs().max(1);
    }
    by_name
}

/// Opens the window, closes it as a person would, and reads the app's memory and
/// wake-ups then.
async fn window_closed(binary: &Path) -> anyhow::Result<(Vec<e2e::Memory>, BTreeMap<String, u64>)> {
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
    let wakes = tokio::task::spawn_blocking(move || wake_ups(pid, WAKE_WINDOW)).await?;
    app.quit().await;
    Ok((memory, wakes))
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

//! CalWatch's window, a process of its own on Linux (see `calwatch::window`).

// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[cfg(target_os = "linux")]
fn main() {
    std::process::exit(calwatch::window::run(std::env::args().skip(1)));
}

/// Elsewhere the window lives in `calwatch` itself.
#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("calwatch-window is used on Linux only: run calwatch.");
    std::process::exit(2);
}

// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use calwatch::cli::{self, Invocation};

fn main() {
    match cli::parse(std::env::args().skip(1)) {
        Invocation::Run { background } => run(background),
        Invocation::Print(text) => print!("{text}"),
        Invocation::Misuse(text) => {
            eprintln!("{text}");
            std::process::exit(2);
        }
    }
}

/// Linux: the app in the tray, without a window toolkit; its window is `calwatch-window`.
#[cfg(target_os = "linux")]
fn run(background: bool) {
    std::process::exit(calwatch::agent::run(background));
}

/// Elsewhere: one process for the tray and the window.
#[cfg(not(target_os = "linux"))]
fn run(background: bool) {
    // Before any thread runs.
    calwatch::app::keep_gl_out();
    calwatch::app::run(background)
}

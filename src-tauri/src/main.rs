// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use calwatch::cli::{self, Invocation};

fn main() {
    match cli::parse(std::env::args().skip(1)) {
        Invocation::Run { background } => {
            // Before GTK starts and before any thread does.
            calwatch::app::keep_gl_out();
            calwatch::app::run(background)
        }
        Invocation::Print(text) => print!("{text}"),
        Invocation::Misuse(text) => {
            eprintln!("{text}");
            std::process::exit(2);
        }
    }
}

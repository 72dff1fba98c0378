//! `settings.json` as a person may have edited it: loading never panics; a file that cannot
//! be used is an error with a sentence (the app then shows it and keeps the file).

#![no_main]

use std::sync::OnceLock;

use calwatch_core::config::Config;
use libfuzzer_sys::fuzz_target;

fn data_dir() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temp dir"))
}

fuzz_target!(|data: &[u8]| {
    let dir = data_dir();
    std::fs::write(dir.path().join("settings.json"), data).expect("settings written");
    let path = dir.path().display().to_string();
    let env = move |name: &str| (name == "CALWATCH_DATA_DIR").then(|| path.clone());
    match Config::load_from(&env) {
        Ok(config) => {
            let _ = config.settings_problem();
        }
        Err(e) => assert!(!e.to_string().is_empty(), "errors say what is wrong"),
    }
});

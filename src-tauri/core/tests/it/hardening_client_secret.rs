//! Importing a client secret reads only what an OAuth client file can be: a regular file
//! of a few KB. Anything else is refused with a sentence, and promptly.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use calwatch_core::config::{ClientSecretError, Config};

/// Imports `chosen` on a thread, so a read that never ends fails the test instead of
/// hanging it; the answer must come within a minute (it takes microseconds).
fn import(chosen: PathBuf, data: PathBuf) -> (ClientSecretError, bool) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut config = Config::with_data_dir(data);
        let err = config.import_client_secret(&chosen);
        let _ = tx.send((err, config.imported_client_secret_path().exists()));
    });
    let (result, copied) = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the import answers instead of waiting on the file");
    (result.expect_err("this file must be refused"), copied)
}

fn assert_refused(err: &ClientSecretError, code: &str, copied: bool) {
    assert_eq!(err.code(), code, "{err}");
    assert!(!copied, "nothing is copied into the data dir");
    let sentence = err.to_string();
    assert!(
        sentence.contains("Desktop app") && sentence.ends_with('.'),
        "the message says what to choose instead: {sentence}"
    );
}

#[test]
fn a_file_larger_than_any_client_file_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("client_secret_big.json");
    // Valid JSON, an OAuth client even, but padded far past what Google sends.
    let padding = "x".repeat(64 * 1024);
    std::fs::write(
        &big,
        format!(r#"{{"installed":{{"client_id":"a","client_secret":"b","auth_uri":"https://a","token_uri":"https://t","pad":"{padding}"}}}}"#),
    )
    .unwrap();
    let (err, copied) = import(big, dir.path().join("data"));
    assert_refused(&err, "client_secret_too_large", copied);
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_instead_of_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("client_secret_pipe.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let (err, copied) = import(fifo, dir.path().join("data"));
    assert_refused(&err, "client_secret_not_a_file", copied);
}

#[cfg(unix)]
#[test]
fn a_device_that_never_ends_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (err, copied) = import(Path::new("/dev/zero").into(), dir.path().join("data"));
    assert_refused(&err, "client_secret_not_a_file", copied);
}

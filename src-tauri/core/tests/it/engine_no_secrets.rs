//! After a sign-in, a watch and a few syncs, no OAuth token is in the data dir or in the
//! log: tokens live in the keyring (here its in-memory stand-in) and nowhere else.

use std::path::Path;

use crate::engine_support::{quick, Harness};
use crate::support::log::CapturedLog;
use calwatch_core::secrets::TokenStore;

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

// Paused time on one thread: the thread-local log subscriber sees every task.
#[tokio::test(start_paused = true)]
async fn no_token_reaches_the_data_dir_or_the_log() {
    // Everything logged, at every level.
    let logs = CapturedLog::default();
    let _guard = logs.install_for_thread(tracing::Level::TRACE);

    let h = Harness::start(quick).await;
    let first = h
        .tokens
        .load(&h.calendar)
        .await
        .expect("keyring stand-in readable")
        .expect("sign-in saved the tokens");
    h.watch().await;
    h.insert(
        "Secret-free meeting",
        "2026-12-23T10:00:00+00:00",
        "2026-12-23T11:00:00+00:00",
    );
    h.notifier.wait_for(1).await;
    h.settle().await;
    // A refresh happens too: the old access token is refused, a new one is fetched.
    h.control.expire_access_tokens();
    h.insert(
        "After a refresh",
        "2026-12-23T12:00:00+00:00",
        "2026-12-23T13:00:00+00:00",
    );
    h.notifier.wait_for(2).await;
    h.settle().await;

    let tokens = h
        .tokens
        .load(&h.calendar)
        .await
        .expect("keyring stand-in readable")
        .expect("the account's tokens are in the keyring");
    let access = tokens.access_token.expose().clone();
    let refresh = tokens
        .refresh_token
        .as_ref()
        .expect("a refresh token was granted")
        .expose()
        .clone();
    assert!(access.len() > 8 && refresh.len() > 8);
    let first_access = first.access_token.expose().clone();
    assert_ne!(
        first_access, access,
        "the refresh replaced the access token"
    );
    let secrets = [first_access, access, refresh];

    h.engine.shutdown().await;
    let files = files_under(h.dir.path());
    assert!(
        files.iter().any(
            |p| p.extension().is_some_and(|e| e == "sqlite" || e == "db")
                || p.to_string_lossy().contains("calwatch")
        ),
        "the data dir was written: {files:?}"
    );
    let logged = logs.bytes();
    assert!(!logged.is_empty(), "the engine logged something");
    for secret in &secrets {
        for file in &files {
            let bytes = std::fs::read(file).expect("readable file");
            assert!(
                !contains(&bytes, secret),
                "{} holds an OAuth token",
                file.display()
            );
        }
        assert!(!contains(&logged, secret), "the log holds an OAuth token");
    }
}

//! The keyring store against a real Secret Service (GNOME Keyring on a private bus).
//!
//! These tests need the headless session `tests/desktop-session.sh` sets up. Run outside
//! one (no `CALWATCH_DESKTOP_SESSION`), each test re-runs itself inside one, so a plain
//! `cargo test` works and never touches the developer's own keyring.

use std::path::PathBuf;
use std::process::Command;

use calwatch_core::secrets::{KeyringStore, Sensitive, TokenSet, TokenStore};

/// Set for a test that asked for a session of its own, to its name.
const OWN_SESSION: &str = "CALWATCH_TEST_OWN_SESSION";

/// `test`'s name as the test harness knows it in this binary: with its module's path.
fn qualified(test: &str) -> String {
    let module = module_path!().split_once("::").map_or("", |(_, m)| m);
    format!("{module}::{test}")
}

/// Re-runs `test` from this binary inside a fresh `tests/desktop-session.sh` session.
fn run_in_new_session(test: &str) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/desktop-session.sh");
    let status = Command::new(&script)
        .arg("--")
        .arg(std::env::current_exe().expect("the test binary's path"))
        .args([&qualified(test), "--exact", "--nocapture"])
        .env(OWN_SESSION, test)
        .status()
        .unwrap_or_else(|e| panic!("could not run {}: {e}", script.display()));
    assert!(
        status.success(),
        "{test} failed inside tests/desktop-session.sh (see its output above)"
    );
}

/// Outside a desktop session, re-runs `test` inside one and returns true (the caller is
/// then done); inside one, returns false.
fn rerun_in_desktop_session(test: &str) -> bool {
    if std::env::var_os("CALWATCH_DESKTOP_SESSION").is_some() {
        return false;
    }
    run_in_new_session(test);
    true
}

/// Like [`rerun_in_desktop_session`], but always in a new session, even from inside one.
fn rerun_in_own_desktop_session(test: &str) -> bool {
    if std::env::var(OWN_SESSION).as_deref() == Ok(test) {
        return false;
    }
    run_in_new_session(test);
    true
}

/// `secret-tool search --all service calwatch username <account>`, as a user would look.
///
/// Narrowed to one account: other tests in the same session add and delete their own
/// entries concurrently, and an item deleted between the search and the read makes
/// secret-tool fail.
fn secret_tool_search(account: &str) -> String {
    let out = Command::new("secret-tool")
        .args([
            "search",
            "--all",
            "service",
            KeyringStore::SERVICE,
            "username",
            account,
        ])
        .output()
        .expect("secret-tool (Debian: libsecret-tools) runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn tokens(access: &str) -> TokenSet {
    TokenSet {
        access_token: Sensitive::new(access.to_string()),
        refresh_token: Some(Sensitive::new("1//refresh-in-keyring".into())),
        expires_at_ms: 1_795_870_800_000,
        scopes: vec!["https://www.googleapis.com/auth/calendar.events.readonly".into()],
    }
}

#[tokio::test]
async fn tokens_round_trip_through_the_system_keyring() {
    if rerun_in_desktop_session("tokens_round_trip_through_the_system_keyring") {
        return;
    }
    let store = KeyringStore::new();
    let account = "round.trip@example.com";
    assert_eq!(
        store.load(account).await.unwrap(),
        None,
        "a new keyring has no entry"
    );

    store.save(account, &tokens("ya29.first")).await.unwrap();
    let listed = secret_tool_search(account);
    assert!(
        listed.contains(&format!("attribute.username = {account}")),
        "the entry is in the Secret Service under service=calwatch: {listed}"
    );
    assert!(
        listed.contains("ya29.first"),
        "the secret is the token set JSON"
    );
    assert_eq!(
        store.load(account).await.unwrap(),
        Some(tokens("ya29.first"))
    );

    // Saving again replaces the entry instead of adding a second one.
    store.save(account, &tokens("ya29.second")).await.unwrap();
    assert_eq!(
        store.load(account).await.unwrap(),
        Some(tokens("ya29.second"))
    );
    let listed = secret_tool_search(account);
    assert_eq!(
        listed
            .matches(&format!("attribute.username = {account}\n"))
            .count(),
        1,
        "one entry per account: {listed}"
    );

    store.delete(account).await.unwrap();
    assert_eq!(store.load(account).await.unwrap(), None);
    let listed = secret_tool_search(account);
    assert!(!listed.contains(account), "the entry is gone: {listed}");
    store
        .delete(account)
        .await
        .expect("deleting twice is not an error");
}

#[tokio::test]
async fn accounts_have_separate_entries() {
    if rerun_in_desktop_session("accounts_have_separate_entries") {
        return;
    }
    let store = KeyringStore::new();
    store
        .save("keyring-test-a@example.com", &tokens("ya29.a"))
        .await
        .unwrap();
    store
        .save("keyring-test-b@example.com", &tokens("ya29.b"))
        .await
        .unwrap();
    store.delete("keyring-test-a@example.com").await.unwrap();
    assert_eq!(
        store.load("keyring-test-a@example.com").await.unwrap(),
        None
    );
    assert_eq!(
        store.load("keyring-test-b@example.com").await.unwrap(),
        Some(tokens("ya29.b"))
    );
    store.delete("keyring-test-b@example.com").await.unwrap();
}

#[tokio::test]
async fn a_locked_keyring_is_reported_in_words() {
    // Locking is for good (unlocking needs a prompt): use a session of its own so other
    // tests sharing `make test`'s session keep an unlocked keyring.
    if rerun_in_own_desktop_session("a_locked_keyring_is_reported_in_words") {
        return;
    }
    let store =
        KeyringStore::with_service(KeyringStore::SERVICE, std::time::Duration::from_secs(5));
    let account = "locked@example.com";
    store.save(account, &tokens("ya29.locked")).await.unwrap();
    let lock = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ])
        .output()
        .unwrap();
    assert!(
        lock.status.success(),
        "{}",
        String::from_utf8_lossy(&lock.stderr)
    );

    // Unlocking needs a prompt nobody can answer headless: the store must not hang.
    let err = store
        .load(account)
        .await
        .expect_err("a locked keyring cannot be read");
    eprintln!("locked: {err}");
    assert_eq!(err.code(), "keyring_unavailable");
    assert!(
        err.to_string()
            .starts_with("the system keyring is locked / not available: "),
        "{err}"
    );
}

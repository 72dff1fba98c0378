//! With no Secret Service to talk to, the keyring store says so in a sentence a person can
//! act on, and never falls back to anything else.
//!
//! The session bus address is process-wide, so the check runs in a child process of this
//! binary whose environment points the bus at a socket that does not exist.

use std::process::Command;
use std::time::Duration;

use calwatch_core::secrets::{KeyringStore, SecretsError, Sensitive, TokenSet, TokenStore};

/// Set in the child so it runs the assertions instead of spawning again.
const CHILD: &str = "CALWATCH_TEST_NO_KEYRING_CHILD";

const SENTENCE: &str = "the system keyring is locked / not available: ";

#[test]
fn without_a_secret_service_every_call_says_the_keyring_is_not_available() {
    if std::env::var_os(CHILD).is_none() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-bus-here");
        let status = Command::new(std::env::current_exe().unwrap())
            .args([
                &format!(
                    "{}::without_a_secret_service_every_call_says_the_keyring_is_not_available",
                    module_path!().split_once("::").map_or("", |(_, m)| m)
                ),
                "--exact",
                "--nocapture",
            ])
            .env(CHILD, "1")
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", missing.display()),
            )
            .env_remove("DISPLAY")
            .status()
            .unwrap();
        assert!(
            status.success(),
            "the check failed in the child (output above)"
        );
        return;
    }

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        // Short timeout: a missing bus must fail fast, not by timing out.
        let store = KeyringStore::with_service(KeyringStore::SERVICE, Duration::from_secs(20));
        let tokens = TokenSet {
            access_token: Sensitive::new("ya29.never-stored".into()),
            refresh_token: None,
            expires_at_ms: 0,
            scopes: vec![],
        };
        let outcomes = [
            (
                "save",
                store.save("nobody@example.com", &tokens).await.err(),
            ),
            ("load", store.load("nobody@example.com").await.err()),
            ("delete", store.delete("nobody@example.com").await.err()),
        ];
        for (what, err) in outcomes {
            let err = err.unwrap_or_else(|| panic!("{what} cannot succeed without a keyring"));
            assert!(
                matches!(err, SecretsError::Unavailable { .. }),
                "{what}: {err:?}"
            );
            assert_eq!(err.code(), "keyring_unavailable");
            let text = err.to_string();
            eprintln!("{what}: {text}");
            assert!(
                text.starts_with(SENTENCE),
                "{what}: the clear sentence, got: {text}"
            );
            assert!(
                text.contains("Unlock your keyring"),
                "it says what to do: {text}"
            );
            assert!(!text.contains("ya29"), "no token in the message: {text}");
            assert!(
                !text.contains("did not answer within"),
                "{what}: a missing bus fails at once, not by timeout: {text}"
            );
        }
    });
}

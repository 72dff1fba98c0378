//! Importing Google's `client_secret*.json`: the right kind is accepted and copied into the
//! data dir; every wrong file gets its own message and code, and nothing is copied.

use std::path::Path;

use calwatch_core::config::{ClientSecret, ClientSecretError, Config};

const DESKTOP: &str = r#"{"installed":{"client_id":"123-abc.apps.googleusercontent.com",
  "project_id":"calwatch-test","auth_uri":"https://accounts.google.com/o/oauth2/auth",
  "token_uri":"https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url":"https://www.googleapis.com/oauth2/v1/certs",
  "client_secret":"GOCSPX-not-really-secret","redirect_uris":["http://localhost"]}}"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("test file written");
    path
}

/// Imports `text` into a fresh data dir; returns the error and whether a copy appeared.
fn import_error(text: &str) -> (ClientSecretError, bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let chosen = write(dir.path(), "client_secret_download.json", text);
    let mut config = Config::with_data_dir(dir.path().join("data"));
    let err = config
        .import_client_secret(&chosen)
        .expect_err("this file must be refused");
    (err, config.imported_client_secret_path().exists())
}

#[test]
fn desktop_client_is_accepted_and_copied_owner_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let chosen = write(dir.path(), "client_secret_123.json", DESKTOP);
    let mut config = Config::with_data_dir(dir.path().join("data"));

    let secret = config
        .import_client_secret(&chosen)
        .expect("a Desktop app client is accepted");

    assert_eq!(secret.client_id, "123-abc.apps.googleusercontent.com");
    assert_eq!(secret.client_secret.expose(), "GOCSPX-not-really-secret");
    assert_eq!(secret.token_uri, "https://oauth2.googleapis.com/token");
    assert_eq!(secret.redirect_uris, vec!["http://localhost".to_string()]);
    assert!(
        !format!("{secret:?}").contains("GOCSPX"),
        "the client secret must not show up in debug output"
    );
    let copy = config.imported_client_secret_path();
    assert_eq!(copy.file_name().unwrap(), "client_secret.json");
    assert_eq!(
        std::fs::read_to_string(&copy).unwrap(),
        DESKTOP,
        "the file is copied as it came"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o600,
            "only the owner may read the copied client file"
        );
    }
    let loaded = config
        .client_secret()
        .expect("the copy loads")
        .expect("a client is configured");
    assert_eq!(
        loaded, secret,
        "after import the copy in the data dir is what is used"
    );
}

#[test]
fn a_file_saved_by_a_windows_editor_is_still_accepted() {
    // Notepad and friends save UTF-8 with a byte order mark and CRLF line ends.
    let text = format!("\u{feff}{}", DESKTOP.replace('\n', "\r\n"));
    let dir = tempfile::tempdir().expect("tempdir");
    let chosen = write(dir.path(), "client_secret_123.json", &text);
    let mut config = Config::with_data_dir(dir.path().join("data"));

    let secret = config
        .import_client_secret(&chosen)
        .expect("the same client, saved by another editor, is accepted");
    assert_eq!(secret.client_id, "123-abc.apps.googleusercontent.com");
    assert_eq!(
        config.client_secret().expect("the copy loads"),
        Some(secret),
        "the copy in the data dir loads too"
    );
}

#[test]
fn no_client_configured_is_none_not_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config::with_data_dir(dir.path());
    assert_eq!(config.client_secret(), Ok(None));
}

#[test]
fn web_client_is_refused_with_what_to_create_instead() {
    let (err, copied) = import_error(
        r#"{"web":{"client_id":"x","client_secret":"y","auth_uri":"a","token_uri":"t"}}"#,
    );
    assert_eq!(err, ClientSecretError::WebClient);
    assert_eq!(err.code(), "client_secret_web_client");
    let text = err.to_string();
    assert!(
        text.contains("Web application"),
        "says what was chosen: {text}"
    );
    assert!(
        text.contains("Desktop app"),
        "says what to create instead: {text}"
    );
    assert!(
        text.contains("Credentials"),
        "says where to create it: {text}"
    );
    assert!(!copied, "a refused file is not copied");
}

#[test]
fn missing_field_is_named() {
    for field in ["client_id", "client_secret", "auth_uri", "token_uri"] {
        let mut value: serde_json::Value = serde_json::from_str(DESKTOP).unwrap();
        value["installed"].as_object_mut().unwrap().remove(field);
        let (err, copied) = import_error(&value.to_string());
        assert_eq!(err, ClientSecretError::MissingField(field));
        assert_eq!(err.code(), "client_secret_missing_field");
        assert!(
            err.to_string().contains(field),
            "the message names {field}: {err}"
        );
        assert!(!copied);
    }
    let blank = DESKTOP.replace("\"GOCSPX-not-really-secret\"", "\"  \"");
    assert_eq!(
        ClientSecret::from_json(&blank),
        Err(ClientSecretError::MissingField("client_secret")),
        "a blank value is as good as missing"
    );
}

#[test]
fn non_json_is_refused() {
    for text in ["<html>Sign in</html>", "", "{\"installed\": "] {
        let (err, copied) = import_error(text);
        assert_eq!(err, ClientSecretError::NotJson, "for {text:?}");
        assert_eq!(err.code(), "client_secret_not_json");
        assert!(err.to_string().contains("not JSON"));
        assert!(!copied);
    }
}

#[test]
fn json_that_is_no_oauth_client_is_refused() {
    let service_account = r#"{"type":"service_account","project_id":"p","private_key_id":"k",
        "client_email":"svc@p.iam.gserviceaccount.com"}"#;
    for text in [service_account, "[1, 2]", "{\"installed\": \"yes\"}"] {
        let (err, copied) = import_error(text);
        assert_eq!(err, ClientSecretError::NotAnOAuthClient, "for {text}");
        assert_eq!(err.code(), "client_secret_not_oauth_client");
        assert!(err.to_string().contains("not an OAuth client"));
        assert!(!copied);
    }
}

#[test]
fn unreadable_file_names_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("client_secret_nowhere.json");
    let mut config = Config::with_data_dir(dir.path().join("data"));
    let err = config
        .import_client_secret(&missing)
        .expect_err("no such file");
    assert!(matches!(err, ClientSecretError::Unreadable { ref path, .. } if path == &missing));
    assert_eq!(err.code(), "client_secret_unreadable");
    assert!(
        err.to_string().contains("client_secret_nowhere.json"),
        "{err}"
    );
}

#[test]
fn every_error_has_its_own_code_and_message() {
    let errors = [
        ClientSecretError::Unreadable {
            path: "f".into(),
            reason: "r".into(),
        },
        ClientSecretError::NotJson,
        ClientSecretError::WebClient,
        ClientSecretError::NotAnOAuthClient,
        ClientSecretError::MissingField("client_id"),
        ClientSecretError::NotSaved {
            path: "f".into(),
            reason: "r".into(),
        },
    ];
    let codes: std::collections::HashSet<_> = errors.iter().map(|e| e.code()).collect();
    let messages: std::collections::HashSet<_> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        codes.len(),
        errors.len(),
        "the window tells errors apart by code"
    );
    assert_eq!(messages.len(), errors.len(), "each case reads differently");
}

#[test]
fn configured_file_outside_data_dir_is_used_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let chosen = write(dir.path(), "fake_google_client.json", DESKTOP);
    let mut config = Config::with_data_dir(dir.path().join("data"));
    config.settings.client_secret_file = Some(chosen);
    let secret = config
        .client_secret()
        .unwrap()
        .expect("configured file loads");
    assert_eq!(secret.client_id, "123-abc.apps.googleusercontent.com");
}

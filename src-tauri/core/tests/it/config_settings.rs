//! Settings: defaults, `CALWATCH_*` overrides, the settings file, and callback URL checks.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use crate::support::log::CapturedLog;
use calwatch_core::config::{Config, ConfigError, Settings};

fn load(data_dir: &Path, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let mut env: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    env.insert("CALWATCH_DATA_DIR".into(), data_dir.display().to_string());
    Config::load_from(&move |name| env.get(name).cloned())
}

#[test]
fn fresh_data_dir_gives_googles_endpoints_and_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let config = load(dir.path(), &[]).expect("no settings file is fine");
    assert_eq!(config.data_dir, dir.path());
    assert_eq!(
        config.endpoints.api_base,
        "https://www.googleapis.com/calendar/v3"
    );
    assert_eq!(
        config.endpoints.auth_url,
        "https://accounts.google.com/o/oauth2/v2/auth"
    );
    assert_eq!(
        config.endpoints.token_url,
        "https://oauth2.googleapis.com/token"
    );
    assert_eq!(
        config.endpoints.revoke_url,
        "https://oauth2.googleapis.com/revoke"
    );
    assert!(!config.allow_http_callback);
    let s = &config.settings;
    assert_eq!(s.callback_url, None);
    assert_eq!(s.callback_path, "/notifications");
    assert_eq!(
        s.receiver_addr,
        "127.0.0.1:8765".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(s.summary_threshold, 3);
    assert!(!s.paused);
    assert_eq!(s.timings.coalesce_window, Duration::from_millis(500));
    assert_eq!(s.timings.backstop_interval, Duration::from_secs(900));
    assert_eq!(s.timings.channel_ttl, Duration::from_secs(7 * 86400));
    assert_eq!(s.timings.renew_at_fraction, 0.9);
    assert_eq!(s.timings.renew_min_lead, Duration::from_secs(3600));
    assert_eq!(s.timings.sign_in_timeout, Duration::from_secs(300));
    assert!(
        !dir.path().join("settings.json").exists(),
        "loading alone writes nothing"
    );
}

#[test]
fn every_environment_variable_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let config = load(
        dir.path(),
        &[
            (
                "CALWATCH_AUTH_URL",
                "http://127.0.0.1:4000/o/oauth2/v2/auth",
            ),
            ("CALWATCH_TOKEN_URL", "http://127.0.0.1:4000/token"),
            ("CALWATCH_REVOKE_URL", "http://127.0.0.1:4000/revoke"),
            ("CALWATCH_API_BASE", "http://127.0.0.1:4000/calendar/v3/"),
            ("CALWATCH_RECEIVER_ADDR", "0.0.0.0:9000"),
            ("CALWATCH_ALLOW_HTTP_CALLBACK", "1"),
            (
                "CALWATCH_CALLBACK_URL",
                "http://127.0.0.1:9000/notifications",
            ),
            (
                "CALWATCH_CLIENT_SECRET_FILE",
                "/tmp/fake/client_secret.json",
            ),
        ],
    )
    .expect("valid overrides load");
    assert_eq!(
        config.endpoints.auth_url,
        "http://127.0.0.1:4000/o/oauth2/v2/auth"
    );
    assert_eq!(config.endpoints.token_url, "http://127.0.0.1:4000/token");
    assert_eq!(config.endpoints.revoke_url, "http://127.0.0.1:4000/revoke");
    assert_eq!(
        config.endpoints.api_base, "http://127.0.0.1:4000/calendar/v3",
        "a trailing slash is dropped so paths can be appended"
    );
    assert!(config.allow_http_callback);
    assert_eq!(
        config.settings.receiver_addr,
        "0.0.0.0:9000".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(
        config.settings.callback_url.as_deref(),
        Some("http://127.0.0.1:9000/notifications")
    );
    assert_eq!(
        config.settings.client_secret_file.as_deref(),
        Some(Path::new("/tmp/fake/client_secret.json"))
    );
}

#[test]
fn malformed_environment_values_name_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    for (var, value) in [
        ("CALWATCH_RECEIVER_ADDR", "localhost"),
        ("CALWATCH_API_BASE", "not a url"),
        ("CALWATCH_TOKEN_URL", "ftp://example.com/token"),
        ("CALWATCH_ALLOW_HTTP_CALLBACK", "maybe"),
        ("CALWATCH_CALLBACK_URL", "http://example.com/notifications"),
    ] {
        let err = load(dir.path(), &[(var, value)]).expect_err("malformed value refused");
        assert_eq!(err.code(), "config_invalid_env", "{var}={value}");
        let text = err.to_string();
        assert!(text.contains(var), "the message names {var}: {text}");
        assert!(text.contains(value), "the message shows the value: {text}");
    }
}

#[test]
fn settings_survive_save_and_load() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = load(dir.path(), &[]).unwrap();
    config
        .set_callback_url("https://laptop.example.ts.net/notifications")
        .expect("https callback accepted");
    config.settings.paused = true;
    config.settings.summary_threshold = 5;
    config.settings.timings.backstop_interval = Duration::ZERO;
    config.save().expect("saved");

    let again = load(dir.path(), &[]).unwrap();
    assert_eq!(
        again.settings, config.settings,
        "what was saved is what loads"
    );
    let text = std::fs::read_to_string(dir.path().join("settings.json")).unwrap();
    assert!(
        text.contains("\"backstop_interval_ms\": 0"),
        "durations are readable ms: {text}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "settings.json")
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temp files left behind: {leftovers:?}"
    );
}

#[test]
fn environment_overrides_are_not_written_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = load(dir.path(), &[]).unwrap();
    config.settings.callback_url = Some("https://home.example.net/notifications".into());
    config.save().unwrap();

    let mut with_env = load(
        dir.path(),
        &[
            (
                "CALWATCH_CALLBACK_URL",
                "https://fake.example.org/notifications",
            ),
            ("CALWATCH_RECEIVER_ADDR", "127.0.0.1:9999"),
            ("CALWATCH_CLIENT_SECRET_FILE", "/tmp/fake.json"),
        ],
    )
    .unwrap();
    assert_eq!(
        with_env.settings.callback_url.as_deref(),
        Some("https://fake.example.org/notifications"),
        "the environment wins over the file"
    );
    with_env.settings.paused = true;
    with_env.save().unwrap();

    let plain = load(dir.path(), &[]).unwrap();
    assert_eq!(
        plain.settings.callback_url.as_deref(),
        Some("https://home.example.net/notifications"),
        "a run with overrides must not leave them in the file"
    );
    assert_eq!(
        plain.settings.receiver_addr,
        Settings::default().receiver_addr
    );
    assert_eq!(plain.settings.client_secret_file, None);
    assert!(
        plain.settings.paused,
        "the user's own change in that run is kept"
    );
}

#[test]
fn a_setting_changed_by_the_user_is_saved_even_if_the_environment_set_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = load(
        dir.path(),
        &[(
            "CALWATCH_CALLBACK_URL",
            "https://fake.example.org/notifications",
        )],
    )
    .unwrap();
    config
        .set_callback_url("https://chosen.example.net/hook")
        .unwrap();
    config.save().unwrap();
    let plain = load(dir.path(), &[]).unwrap();
    assert_eq!(
        plain.settings.callback_url.as_deref(),
        Some("https://chosen.example.net/hook")
    );
}

#[test]
fn damaged_settings_file_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    std::fs::write(&path, "{ \"paused\": tru").unwrap();
    let err = load(dir.path(), &[]).expect_err("damaged settings refused");
    assert_eq!(err.code(), "config_settings_invalid");
    assert!(err.to_string().contains("settings.json"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{ \"paused\": tru",
        "the file is not replaced with defaults"
    );

    std::fs::write(&path, "{\"timings\": {\"renew_at_fraction\": 1.5}}").unwrap();
    let err = load(dir.path(), &[]).expect_err("impossible fraction refused");
    assert!(err.to_string().contains("renew_at_fraction"), "{err}");

    // A zero retry wait would ask an unreachable Google again and again without pause.
    std::fs::write(&path, "{\"timings\": {\"sync_retry_first_ms\": 0}}").unwrap();
    let err = load(dir.path(), &[]).expect_err("a retry without a wait refused");
    assert!(
        err.to_string().contains("sync_retry_first_ms is 0"),
        "{err}"
    );
    std::fs::write(
        &path,
        "{\"timings\": {\"sync_retry_first_ms\": 60000, \"sync_retry_max_ms\": 5000}}",
    )
    .unwrap();
    let err = load(dir.path(), &[]).expect_err("a max below the first refused");
    assert!(err.to_string().contains("sync_retry_max_ms 5000"), "{err}");
}

#[test]
fn partial_settings_file_fills_in_defaults() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("settings.json"),
        r#"{"paused": true, "timings": {"coalesce_window_ms": 250}, "from_a_newer_version": 1}"#,
    )
    .unwrap();
    let config = load(dir.path(), &[]).expect("older or newer files load");
    assert!(config.settings.paused);
    assert_eq!(
        config.settings.timings.coalesce_window,
        Duration::from_millis(250)
    );
    assert_eq!(
        config.settings.timings.channel_ttl,
        Duration::from_secs(7 * 86400)
    );
    assert_eq!(config.settings.callback_path, "/notifications");
}

#[test]
fn callback_url_must_be_https() {
    let config = Config::with_data_dir("/unused");
    let err = config
        .validate_callback_url("http://laptop.example.ts.net/notifications")
        .expect_err("http refused");
    assert_eq!(err.code(), "callback_not_https");
    assert_eq!(
        err.to_string(),
        "The callback URL must start with https:// — Google only delivers to HTTPS. Use the https \
         address your tunnel (Tailscale Funnel, ngrok, cloudflared) gives you."
    );
    let err = config
        .validate_callback_url("ftp://example.com/x")
        .unwrap_err();
    assert_eq!(err.code(), "callback_not_https");
}

#[test]
fn http_callback_passes_only_when_allowed() {
    let mut config = Config::with_data_dir("/unused");
    config.allow_http_callback = true;
    let url = config
        .validate_callback_url(" http://127.0.0.1:8765/notifications ")
        .expect("allowed for local stand-ins");
    assert_eq!(url.as_str(), "http://127.0.0.1:8765/notifications");
}

#[test]
fn callback_url_that_is_not_a_url_says_so() {
    let config = Config::with_data_dir("/unused");
    for text in [
        "laptop.example.ts.net/notifications",
        "https://exa mple.com/",
        "",
    ] {
        let err = config.validate_callback_url(text).expect_err("not a URL");
        assert_eq!(err.code(), "callback_not_url", "for {text:?}: {err}");
        assert!(
            err.to_string().contains("https://"),
            "says what to enter: {err}"
        );
    }
}

#[test]
fn callback_url_without_host_says_so() {
    let config = Config::with_data_dir("/unused");
    for text in ["https://", "https://:8443/notifications"] {
        let err = config.validate_callback_url(text).expect_err("no host");
        assert_eq!(err.code(), "callback_no_host", "for {text:?}: {err}");
        assert!(err.to_string().contains("host"));
    }
}

#[test]
fn a_valid_https_callback_is_returned_parsed() {
    let config = Config::with_data_dir("/unused");
    let url = config
        .validate_callback_url("https://laptop.example.ts.net/notifications")
        .unwrap();
    assert_eq!(url.host_str(), Some("laptop.example.ts.net"));
    assert_eq!(url.path(), "/notifications");
}

#[test]
fn a_key_calwatch_does_not_know_is_reported_with_the_file_and_the_key_and_the_file_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    // A timing written at the top level instead of under "timings", and a typo inside it.
    let text = r#"{"backstop_interval_ms": 60000, "timings": {"coalesce_window_ms": 250, "coalesce_ms": 9}}"#;
    std::fs::write(&path, text).unwrap();
    let log = CapturedLog::default();
    let config = {
        let _log = log.install_for_thread(tracing::Level::WARN);
        load(dir.path(), &[]).expect("a file with unknown keys still loads")
    };
    assert_eq!(
        config.unknown_keys,
        ["backstop_interval_ms", "timings.coalesce_ms"]
    );
    assert_eq!(
        config.settings.timings.backstop_interval,
        Duration::from_secs(15 * 60),
        "the misplaced timing has no effect, which is why it is reported"
    );
    let problem = config
        .settings_problem()
        .expect("the window is told about the unknown keys");
    assert!(
        problem.contains(&path.display().to_string())
            && problem.contains("“backstop_interval_ms”")
            && problem.contains("“timings.coalesce_ms”")
            && problem.contains("belongs under “timings”"),
        "the sentence names the file, the keys and where a timing goes: {problem}"
    );
    let logged = log.text();
    assert!(
        logged.contains("settings.json") && logged.contains("backstop_interval_ms"),
        "the log names the file and the key: {logged}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "the file is kept as it is"
    );
    let clean = tempfile::tempdir().unwrap();
    assert_eq!(load(clean.path(), &[]).unwrap().settings_problem(), None);
}

//! The window's commands on Tauri's mock runtime, against a real engine talking to
//! fake-google over loopback, with a real SQLite file in a temp dir. Only the desktop (file
//! picker, browser, login item) and the toasts are stand-ins, so no D-Bus call is made.

use std::collections::HashMap;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use calwatch::active::{ActiveEngine, Wiring};
use calwatch::desktop::Desktop;
use calwatch::notifier::{clicked, ToastClick};
use calwatch::sandbox::Sandbox;
use calwatch::shell::{Shell, Surface};
use calwatch::tauri_surface::TauriSurface;
use calwatch::window_commands::{handler, Backend, FilePicker, LateBackend};
use calwatch::{events, tray};
use calwatch_core::config::Config;
use calwatch_core::notice::{CollectingNotifier, Notice};
use calwatch_core::secrets::MemoryTokenStore;
use calwatch_core::store::CalendarKey;
use fake_google::{ChannelState, FakeGoogle, Options};
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::webview::InvokeRequest;
use tauri::{App, AppHandle, Listener as _, WebviewWindow, WebviewWindowBuilder};

/// A desktop whose browser is a program following redirects (as a person's would, after
/// consenting), and whose login item is in memory.
#[derive(Default)]
struct FakeDesktop {
    /// Every URL opened.
    opened: Mutex<Vec<String>>,
    /// The login item.
    start_at_login: Mutex<bool>,
}

/// A file picker that answers what the test chose for the person.
#[derive(Default)]
struct FakePicker {
    /// What it answers.
    picks: Mutex<Option<PathBuf>>,
}

impl FilePicker<MockRuntime> for FakePicker {
    fn pick_client_secret(&self, _app: &AppHandle<MockRuntime>) -> Option<PathBuf> {
        self.picks.lock().unwrap().clone()
    }
}

impl Desktop for FakeDesktop {
    fn open_url(&self, url: &str) -> Result<(), String> {
        self.opened.lock().unwrap().push(url.to_string());
        if url.contains("/o/oauth2/") {
            return Sandbox::browser()(url);
        }
        Ok(())
    }
    fn start_at_login(&self) -> bool {
        *self.start_at_login.lock().unwrap()
    }
    fn set_start_at_login(&self, on: bool) -> Result<(), String> {
        *self.start_at_login.lock().unwrap() = on;
        Ok(())
    }
}

struct Harness {
    fake: FakeGoogle,
    notices: CollectingNotifier,
    desktop: Arc<FakeDesktop>,
    picker: Arc<FakePicker>,
    /// The engine and what it shows things on (the mock app's webview).
    shell: Arc<Shell>,
    dir: tempfile::TempDir,
    receiver_port: u16,
    webview: WebviewWindow<MockRuntime>,
    /// Every `calwatch://…` event the window was sent: (name, payload).
    events: Arc<Mutex<Vec<(String, Value)>>>,
    /// The app, kept alive: the webview belongs to it.
    _app: App<MockRuntime>,
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

/// An app on the mock runtime whose engine talks to a fresh, seeded fake-google.
/// `allow_http` is `CALWATCH_ALLOW_HTTP_CALLBACK`.
fn harness(allow_http: bool) -> Harness {
    let fake = tauri::async_runtime::block_on(FakeGoogle::start(Options {
        allow_http: true,
        seed: true,
        ..Options::default()
    }))
    .expect("fake-google starts");
    let dir = tempfile::tempdir().unwrap();
    let receiver_port = free_port();
    let mut env: HashMap<String, String> = HashMap::new();
    env.insert("CALWATCH_AUTH_URL".into(), fake.auth_url());
    env.insert("CALWATCH_TOKEN_URL".into(), fake.token_url());
    env.insert("CALWATCH_REVOKE_URL".into(), fake.revoke_url());
    env.insert("CALWATCH_API_BASE".into(), fake.api_base());
    env.insert(
        "CALWATCH_DATA_DIR".into(),
        dir.path().join("data").display().to_string(),
    );
    env.insert(
        "CALWATCH_RECEIVER_ADDR".into(),
        format!("127.0.0.1:{receiver_port}"),
    );
    if allow_http {
        env.insert("CALWATCH_ALLOW_HTTP_CALLBACK".into(), "1".into());
    }

    let late = Arc::new(LateBackend::default());
    let picker = Arc::new(FakePicker::default());
    let app = mock_builder()
        .invoke_handler(handler(
            Arc::clone(&late) as Arc<dyn Backend>,
            Arc::clone(&picker) as Arc<dyn FilePicker<MockRuntime>>,
        ))
        .build(mock_context(noop_assets()))
        .expect("the mock app builds");
    let notices = CollectingNotifier::new();
    let desktop = Arc::new(FakeDesktop::default());
    let shell = Shell::new(
        Arc::new(TauriSurface::new(app.handle().clone())) as Arc<dyn Surface>,
        tauri::async_runtime::handle().inner().clone(),
    );
    let forward_to = Arc::downgrade(&shell);
    let wiring = Wiring {
        load_config: Box::new(move || {
            Config::load_from(&|key: &str| env.get(key).cloned()).map_err(|e| e.to_string())
        }),
        notifier: Arc::new(notices.clone()),
        token_store: Arc::new(MemoryTokenStore::new()),
        desktop: desktop.clone(),
        forward: Box::new(move |engine| events::forward(forward_to.clone(), engine)),
    };
    let active =
        tauri::async_runtime::block_on(ActiveEngine::start(wiring)).expect("the engine starts");
    shell.set_active(active);
    late.set(Arc::new(Arc::clone(&shell)));
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    for name in [
        events::STATE,
        events::CHANNELS,
        events::LIST_CHANNELS,
        events::CHANGES,
        events::CALENDARS,
        events::ERROR,
    ] {
        let seen = Arc::clone(&events);
        app.listen_any(name, move |event| {
            let payload = serde_json::from_str(event.payload()).unwrap_or(Value::Null);
            seen.lock().unwrap().push((name.to_string(), payload));
        });
    }
    Harness {
        fake,
        notices,
        desktop,
        picker,
        shell,
        dir,
        receiver_port,
        webview,
        events,
        _app: app,
    }
}

impl Harness {
    /// The engine in use.
    fn active(&self) -> &ActiveEngine {
        self.shell.active().expect("the engine started")
    }

    /// Calls a command as the window does; `Err` holds the rejection's payload.
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                // On Linux the IPC only accepts this origin.
                url: "tauri://localhost".parse().unwrap(),
                body: tauri::ipc::InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: tauri::test::INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args)
            .unwrap_or_else(|err| panic!("{cmd} should succeed, got {err}"))
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn callback_url(&self) -> String {
        format!("http://127.0.0.1:{}/notifications", self.receiver_port)
    }

    /// Imports fake-google's client secret and signs in (the fake desktop plays the browser).
    fn signed_in(&self) -> Value {
        let secret = self.write("client_secret.json", &self.fake.client_secret_json());
        self.ok("import_client_secret", json!({ "path": secret }));
        self.ok("sign_in", json!({}))
    }

    /// The payloads of the `name` events sent so far.
    fn sent(&self, name: &str) -> Vec<Value> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, p)| p.clone())
            .collect()
    }

    fn primary(&self) -> String {
        self.fake.control().user_email()
    }
}

/// Polls `check` until it holds; the engine works in the background.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn error_code(err: &Value) -> &str {
    err["code"].as_str().unwrap_or_default()
}

#[test]
fn get_state_on_a_fresh_data_dir_has_the_contract_shape() {
    let h = harness(true);
    let state = h.ok("get_state", json!({}));
    assert_eq!(
        state["clientSecret"],
        json!({"imported": false, "clientId": null}),
        "nothing imported yet"
    );
    assert_eq!(state["account"], Value::Null, "nobody signed in yet");
    assert_eq!(state["signingIn"], json!(false));
    assert_eq!(state["sandbox"], json!(false), "the real engine is in use");
    assert_eq!(state["watchedCount"], json!(0));
    assert_eq!(state["nextRenewalAt"], Value::Null);
    assert_eq!(
        state["receiver"]["listening"],
        json!(true),
        "the receiver bound its port: {state}"
    );
    assert_eq!(
        state["startAtLogin"],
        json!(false),
        "the login item is the shell's, next to the engine's state"
    );
    let settings = &state["settings"];
    for key in [
        "paused",
        "summaryThreshold",
        "backstopMinutes",
        "receiverPort",
    ] {
        assert!(
            settings.get(key).is_some(),
            "settings.{key} is part of the contract: {settings}"
        );
    }
    assert_eq!(settings["receiverPort"], json!(h.receiver_port));
}

#[test]
fn a_web_client_secret_is_rejected_with_a_sentence() {
    let h = harness(true);
    let web = h.write(
        "client_secret_web.json",
        r#"{"web":{"client_id":"x.apps.googleusercontent.com","client_secret":"s",
            "auth_uri":"https://accounts.google.com/o/oauth2/auth",
            "token_uri":"https://oauth2.googleapis.com/token",
            "redirect_uris":["https://example.com/cb"]}}"#,
    );
    let err = h
        .invoke("import_client_secret", json!({ "path": web }))
        .expect_err("a web client cannot do the desktop flow");
    assert_eq!(error_code(&err), "bad_client_secret", "{err}");
    assert!(
        err["message"].as_str().unwrap_or_default().len() > 20,
        "the window shows a sentence, not a code: {err}"
    );
    let state = h.ok("get_state", json!({}));
    assert_eq!(
        state["clientSecret"]["imported"],
        json!(false),
        "a refused file leaves nothing imported"
    );
}

#[test]
fn importing_a_desktop_client_secret_shows_its_client_id() {
    let h = harness(true);
    let secret = h.write("client_secret.json", &h.fake.client_secret_json());
    let state = h.ok("import_client_secret", json!({ "path": secret }));
    assert_eq!(state["clientSecret"]["imported"], json!(true));
    assert_eq!(
        state["clientSecret"]["clientId"],
        json!("calwatch-test.apps.googleusercontent.com")
    );
}

#[test]
fn picking_a_client_secret_imports_it_and_cancelling_changes_nothing() {
    let h = harness(true);
    let cancelled = h.ok("pick_client_secret", json!({}));
    assert_eq!(cancelled["clientSecret"]["imported"], json!(false));
    let secret = h.write("client_secret.json", &h.fake.client_secret_json());
    *h.picker.picks.lock().unwrap() = Some(secret);
    let picked = h.ok("pick_client_secret", json!({}));
    assert_eq!(picked["clientSecret"]["imported"], json!(true));
}

#[test]
fn sign_in_before_importing_a_client_secret_says_so() {
    let h = harness(true);
    let err = h.invoke("sign_in", json!({})).expect_err("no client yet");
    assert_eq!(error_code(&err), "no_client_secret", "{err}");
}

#[test]
fn an_http_callback_url_is_refused_unless_allowed() {
    let h = harness(false);
    let err = h
        .invoke(
            "set_callback_url",
            json!({ "url": "http://example.com/notifications" }),
        )
        .expect_err("Google only posts to https");
    assert_eq!(error_code(&err), "callback_not_https", "{err}");
    assert!(!err["message"].as_str().unwrap_or_default().is_empty());

    let state = h.ok(
        "set_callback_url",
        json!({ "url": "https://calwatch.example.com/notifications" }),
    );
    assert_eq!(
        state["callbackUrl"],
        json!("https://calwatch.example.com/notifications")
    );
}

#[test]
fn sign_in_opens_the_browser_and_shows_the_account() {
    let h = harness(true);
    let state = h.signed_in();
    assert_eq!(
        state["account"],
        json!({"email": h.primary(), "status": "signed_in"}),
        "the account is labelled with its primary calendar"
    );
    let opened = h.desktop.opened.lock().unwrap().clone();
    assert_eq!(opened.len(), 1, "one browser window for one sign-in");
    assert!(opened[0].starts_with(&h.fake.auth_url()), "{opened:?}");
}

#[test]
fn watching_a_calendar_lists_its_channel_and_changes_become_notices() {
    let h = harness(true);
    h.signed_in();
    h.ok("set_callback_url", json!({ "url": h.callback_url() }));

    let calendars = h.ok("list_calendars", json!({}));
    let primary = calendars
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["primary"] == json!(true))
        .unwrap_or_else(|| panic!("the primary calendar is listed: {calendars}"))
        .clone();
    assert_eq!(primary["id"], json!(h.primary()));

    let channel = h.ok(
        "watch_calendar",
        json!({ "account": h.primary(), "calendarId": h.primary() }),
    );
    assert_eq!(channel["calendarId"], json!(h.primary()));
    assert_eq!(
        channel["calendarName"], primary["summary"],
        "the channel carries its calendar's name"
    );
    assert!(channel["expiresAt"].as_i64().unwrap() > channel["createdAt"].as_i64().unwrap());

    let channels = h.ok("list_channels", json!({}));
    assert_eq!(
        channels.as_array().unwrap().len(),
        1,
        "one channel: {channels}"
    );
    let (lists, live): (Vec<_>, Vec<_>) = h
        .fake
        .control()
        .channels()
        .into_iter()
        .filter(|c| c.state == ChannelState::Live)
        .partition(|c| c.calendar_list_user.is_some());
    assert_eq!(
        live.len(),
        1,
        "Google has exactly the calendar channel the window shows"
    );
    assert_eq!(
        lists.len(),
        1,
        "and the account's calendar-list channel: {lists:?}"
    );
    assert_eq!(live[0].id, channel["id"].as_str().unwrap());
    let state = h.ok("get_state", json!({}));
    assert_eq!(state["watchedCount"], json!(1));

    h.fake.control().insert_event(
        &h.primary(),
        json!({"summary": "Dentist",
               "start": {"dateTime": "2030-03-05T10:00:00Z"},
               "end": {"dateTime": "2030-03-05T11:00:00Z"}}),
    );
    eventually("the new event raised a notice", || {
        h.notices
            .notices()
            .iter()
            .any(|n| matches!(n, Notice::Single(c) if c.title == "Dentist"))
    });
    eventually("the window was sent the new change", || {
        h.sent(events::CHANGES).iter().any(|batch| {
            batch
                .as_array()
                .is_some_and(|b| b.iter().any(|c| c["headline"] == json!("Dentist added")))
        })
    });
    assert!(
        h.sent(events::CHANNELS)
            .iter()
            .any(|list| list[0]["calendarId"] == json!(h.primary())),
        "the window was sent the channel list with the new channel"
    );
    assert!(
        h.sent(events::ERROR).is_empty(),
        "nothing failed, so no error banner: {:?}",
        h.sent(events::ERROR)
    );
    let changes = h.ok("list_changes", json!({ "limit": 10 }));
    let newest = &changes[0];
    assert_eq!(newest["kind"], json!("created"), "{changes}");
    assert!(
        newest["headline"].as_str().unwrap().contains("Dentist"),
        "the activity list says what changed: {newest}"
    );
    assert!(newest["receivedAt"].as_i64().unwrap() > 0);

    h.ok("stop_channel", json!({ "channelId": channel["id"] }));
    assert_eq!(
        h.ok("list_channels", json!({})),
        json!([]),
        "a stopped channel leaves the list"
    );
    let stopped = h
        .fake
        .control()
        .channels()
        .into_iter()
        .find(|c| c.id == channel["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        stopped.state,
        ChannelState::Stopped,
        "Google was told to stop"
    );
}

#[test]
fn watch_on_a_new_calendars_toast_watches_it_and_a_failure_is_said() {
    let h = harness(true);
    h.signed_in();
    let offered = CalendarKey::new(h.primary(), h.primary());

    // No callback URL yet: Watch cannot work, and the window is told why.
    clicked(&h.shell, &ToastClick::Watch(offered.clone()));
    eventually("the failure reaches the window", || {
        h.sent("calwatch://error")
            .iter()
            .any(|e| e["code"] == json!("no_callback"))
    });
    assert_eq!(h.ok("get_state", json!({}))["watchedCount"], json!(0));

    h.ok("set_callback_url", json!({ "url": h.callback_url() }));
    clicked(&h.shell, &ToastClick::Watch(offered));
    eventually("the calendar is watched without the window", || {
        h.ok("get_state", json!({}))["watchedCount"] == json!(1)
    });
    assert_eq!(
        h.ok("list_channels", json!({})).as_array().map(Vec::len),
        Some(1),
        "with its channel"
    );
}

#[test]
fn watch_before_a_callback_url_is_set_says_so() {
    let h = harness(true);
    h.signed_in();
    let err = h
        .invoke(
            "watch_calendar",
            json!({ "account": h.primary(), "calendarId": h.primary() }),
        )
        .expect_err("Google needs an address to post to");
    assert_eq!(error_code(&err), "no_callback", "{err}");
}

#[test]
fn settings_reach_the_engine_and_the_login_item() {
    let h = harness(true);
    let state = h.ok(
        "update_settings",
        json!({ "settings": { "paused": true, "startAtLogin": true, "summaryThreshold": 5 } }),
    );
    assert_eq!(state["settings"]["paused"], json!(true));
    assert_eq!(state["startAtLogin"], json!(true));
    assert_eq!(state["settings"]["summaryThreshold"], json!(5));
    assert!(
        *h.desktop.start_at_login.lock().unwrap(),
        "the login item is on"
    );
}

#[test]
fn only_https_links_are_opened() {
    let h = harness(true);
    let err = h
        .invoke("open_link", json!({ "url": "file:///etc/passwd" }))
        .expect_err("a link from the window must not open local files");
    assert_eq!(error_code(&err), "internal");
    h.ok(
        "open_link",
        json!({ "url": "https://calendar.google.com/event?eid=x" }),
    );
    assert_eq!(
        h.desktop.opened.lock().unwrap().as_slice(),
        ["https://calendar.google.com/event?eid=x"]
    );
}

#[test]
fn sandbox_commands_outside_the_sandbox_say_how_to_start_it() {
    let h = harness(true);
    let err = h
        .invoke("sandbox_events", json!({}))
        .expect_err("no sandbox running");
    assert_eq!(error_code(&err), "sandbox", "{err}");
}

#[test]
fn the_sandbox_signs_in_by_itself_and_its_events_become_notices() {
    let h = harness(true);
    let state = h.ok("sandbox_start", json!({}));
    assert_eq!(
        state["sandbox"],
        json!(true),
        "the window labels the sandbox"
    );
    assert_eq!(
        state["account"]["status"],
        json!("signed_in"),
        "no browser was needed: {state}"
    );
    assert!(
        state["callbackUrl"]
            .as_str()
            .unwrap_or_default()
            .starts_with("http://127.0.0.1:"),
        "the sandbox posts on loopback: {state}"
    );
    assert!(
        h.desktop.opened.lock().unwrap().is_empty(),
        "the person's browser stays closed in the sandbox"
    );
    assert!(
        Path::new(&h.dir.path().join("data/sandbox")).is_dir(),
        "the sandbox keeps its own data dir"
    );

    let calendars = h.ok("list_calendars", json!({}));
    let calendar_id = calendars[0]["id"].as_str().unwrap().to_string();
    let account = calendars[0]["account"].as_str().unwrap().to_string();
    h.ok(
        "watch_calendar",
        json!({ "account": account, "calendarId": calendar_id }),
    );
    let seeded = h.ok("sandbox_events", json!({}));
    assert!(
        !seeded.as_array().unwrap().is_empty(),
        "the sandbox comes with events to play with"
    );

    let created = h.ok(
        "sandbox_create_event",
        json!({ "calendarId": calendar_id, "summary": "Try CalWatch",
                "start": "2030-01-02T09:00", "end": "2030-01-02T10:00", "allDay": false }),
    );
    assert_eq!(created["summary"], json!("Try CalWatch"));
    eventually("the sandbox event raised a notice", || {
        h.notices
            .notices()
            .iter()
            .any(|n| matches!(n, Notice::Single(c) if c.title == "Try CalWatch"))
    });
    let moved = h.ok(
        "sandbox_update_event",
        json!({ "calendarId": calendar_id, "eventId": created["id"],
                "start": "2030-01-02T11:00", "end": "2030-01-02T12:00" }),
    );
    assert!(moved["start"]
        .as_str()
        .unwrap()
        .starts_with("2030-01-02T11:00"));
    h.ok(
        "sandbox_delete_event",
        json!({ "calendarId": calendar_id, "eventId": created["id"] }),
    );
    let events = h.ok("sandbox_events", json!({}));
    assert!(
        !events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == created["id"]),
        "a deleted event leaves the panel"
    );

    // Its fake Google's control API is closed to whoever lacks the per-start secret.
    let base_url = h.active().sandbox().expect("in the sandbox").base_url();
    let status = tauri::async_runtime::block_on(async {
        reqwest::get(format!("{base_url}/control/user"))
            .await
            .map(|r| r.status().as_u16())
    });
    assert_eq!(status.ok(), Some(401), "no secret, no control API");

    let state = h.ok("sandbox_stop", json!({}));
    assert_eq!(state["sandbox"], json!(false), "back to the real setup");
    assert!(
        !h.dir.path().join("data/sandbox").exists(),
        "leaving the sandbox removes its data"
    );
    assert_eq!(
        state["account"],
        Value::Null,
        "the sandbox account does not follow into the real app"
    );
}

#[test]
fn the_tray_menu_pauses_toasts_and_toggles_start_at_login() {
    let h = harness(true);
    tauri::async_runtime::block_on(calwatch::commands::tray_action(
        &h.shell,
        tray::MenuAction::Pause(calwatch_core::engine::PauseFor::Hour),
    ));
    let state = h.ok("get_state", json!({}));
    assert_eq!(
        state["settings"]["paused"],
        json!(true),
        "Pause for 1 hour pauses the engine"
    );
    assert!(
        state["settings"]["pausedUntil"].is_i64() && state["hold"]["paused"] == json!(true),
        "the window and the tray know until when: {state}"
    );
    eventually("the window learnt of the pause", || {
        h.sent(events::STATE)
            .iter()
            .any(|s| s["settings"]["paused"] == json!(true))
    });
    tauri::async_runtime::block_on(calwatch::commands::tray_action(
        &h.shell,
        tray::MenuAction::Resume,
    ));
    assert_eq!(
        h.ok("get_state", json!({}))["settings"]["paused"],
        json!(false)
    );

    tauri::async_runtime::block_on(calwatch::commands::tray_action(
        &h.shell,
        tray::MenuAction::ToggleStartAtLogin,
    ));
    assert!(
        *h.desktop.start_at_login.lock().unwrap(),
        "Start at login turns the login item on"
    );
    assert_eq!(h.ok("get_state", json!({}))["startAtLogin"], json!(true));
}

#[test]
fn renewing_unwatching_probing_and_signing_out() {
    let h = harness(true);
    h.signed_in();
    h.ok("set_callback_url", json!({ "url": h.callback_url() }));
    let first = h.ok(
        "watch_calendar",
        json!({ "account": h.primary(), "calendarId": h.primary() }),
    );

    let renewed = h.ok("renew_channel", json!({ "channelId": first["id"] }));
    assert_ne!(renewed["id"], first["id"], "a renewal is a new channel");
    assert_eq!(renewed["calendarId"], json!(h.primary()));
    let listed = h.ok("list_channels", json!({}));
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == renewed["id"]),
        "the new channel is listed: {listed}"
    );

    let err = h
        .invoke("renew_channel", json!({ "channelId": "no-such-channel" }))
        .expect_err("nothing to renew");
    assert_eq!(error_code(&err), "not_found", "{err}");

    // The account's calendar list is watched too, shown and renewed the same way.
    let mut lists = Value::Null;
    eventually("the calendar-list channel is listed", || {
        lists = h.ok("list_calendar_list_channels", json!({}));
        lists.as_array().is_some_and(|l| l.len() == 1)
    });
    let list = lists[0].clone();
    assert_eq!(list["account"], json!(h.primary()), "{list}");
    assert!(list["expiresAt"].as_i64().unwrap_or_default() > 0, "{list}");
    let renewed_list = h.ok("renew_list_channel", json!({ "channelId": list["id"] }));
    assert_ne!(renewed_list["id"], list["id"], "a renewal is a new channel");
    eventually("the window is sent the renewed list channel", || {
        h.sent("calwatch://list-channels").iter().any(|views| {
            views
                .as_array()
                .is_some_and(|v| v.len() == 1 && v[0]["id"] == renewed_list["id"])
        })
    });
    let err = h
        .invoke("renew_list_channel", json!({ "channelId": list["id"] }))
        .expect_err("the old one is stopped");
    assert_eq!(error_code(&err), "not_found", "{err}");

    let report = h.ok("check_callback", json!({}));
    assert!(report["ok"].is_boolean(), "{report}");
    assert!(
        !report["steps"].as_array().unwrap().is_empty(),
        "the probe reports its steps: {report}"
    );
    for step in report["steps"].as_array().unwrap() {
        assert!(step["name"].is_string() && step["ok"].is_boolean() && step["detail"].is_string());
    }

    h.ok(
        "unwatch_calendar",
        json!({ "account": h.primary(), "calendarId": h.primary() }),
    );
    assert_eq!(
        h.ok("list_channels", json!({})),
        json!([]),
        "unwatching stops the calendar's channels"
    );
    assert_eq!(h.ok("get_state", json!({}))["watchedCount"], json!(0));

    let state = h.ok("sign_out", json!({}));
    assert_eq!(state["account"], Value::Null, "signed out");
    h.ok("cancel_sign_in", json!({}));
}

#[test]
fn a_sandbox_event_deleted_meanwhile_is_reported_in_words_and_the_app_carries_on() {
    let h = harness(true);
    h.ok("sandbox_start", json!({}));
    let calendars = h.ok("list_calendars", json!({}));
    let calendar_id = calendars[0]["id"].as_str().unwrap().to_string();
    // The panel listed an event a moment ago; it has vanished since.
    let vanished = json!({ "calendarId": calendar_id, "eventId": "vanished-meanwhile" });
    let mut update = vanished.clone();
    update["summary"] = json!("Renamed");
    for (cmd, args) in [
        ("sandbox_update_event", update),
        ("sandbox_delete_event", vanished),
        (
            "sandbox_create_event",
            json!({ "calendarId": "no-such-calendar", "summary": "x",
                    "start": "2030-01-02T09:00", "end": "2030-01-02T10:00", "allDay": false }),
        ),
    ] {
        let err = h
            .invoke(cmd, args)
            .expect_err("an id that vanished cannot be acted on");
        assert_eq!(error_code(&err), "not_found", "{cmd}: {err}");
        assert!(
            err["message"]
                .as_str()
                .is_some_and(|m| m.contains("no longer in the sandbox")),
            "{cmd}: the window shows a sentence saying what happened: {err}"
        );
    }
    assert!(
        !h.ok("sandbox_events", json!({}))
            .as_array()
            .unwrap()
            .is_empty(),
        "the app is still running and the panel still lists the sandbox's events"
    );
}

#[test]
fn a_window_that_fell_behind_the_event_stream_is_sent_the_changes_it_missed() {
    let h = harness(true);
    h.signed_in();
    h.ok("set_callback_url", json!({ "url": h.callback_url() }));
    h.ok(
        "watch_calendar",
        json!({ "account": h.primary(), "calendarId": h.primary() }),
    );
    let engine = h.active().engine();
    // Subscribed now, read only after it overflowed: it misses the change below.
    let lagging = engine.subscribe();
    h.fake.control().insert_event(
        &h.primary(),
        json!({"summary": "Dentist",
               "start": {"dateTime": "2030-03-05T10:00:00Z"},
               "end": {"dateTime": "2030-03-05T11:00:00Z"}}),
    );
    eventually("the change was recorded", || {
        h.notices
            .notices()
            .iter()
            .any(|n| matches!(n, Notice::Single(c) if c.title == "Dentist"))
    });
    // More events than the stream holds (each settings change announces the state).
    for i in 0..300 {
        let patch = calwatch_core::engine::SettingsPatch {
            paused: Some(i % 2 == 0),
            ..Default::default()
        };
        tauri::async_runtime::block_on(engine.update_settings(patch)).unwrap();
    }
    let seen_before = h.events.lock().unwrap().len();
    let _late = events::forward_from(Arc::downgrade(&h.shell), engine, lagging);
    eventually("the lagging window was sent the missed change", || {
        h.events.lock().unwrap()[seen_before..]
            .iter()
            .any(|(name, batch)| {
                name == events::CHANGES
                    && batch
                        .as_array()
                        .is_some_and(|b| b.iter().any(|c| c["headline"] == json!("Dentist added")))
            })
    });
}

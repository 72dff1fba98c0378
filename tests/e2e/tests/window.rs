//! The real window against fake-google, driven as a person would: import the client
//! secret, sign in, set the callback, watch a calendar, see changes arrive as toasts (on
//! D-Bus) and in Activity, pause, stop.

use std::time::Duration;

use anyhow::Context as _;
use e2e::{browser_log, browser_script, free_port, App, NotifyLog};
use fake_google::{ChannelState, FakeGoogle, Options, WORK_CALENDAR};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_watches_a_calendar_and_sees_each_change() -> anyhow::Result<()> {
    e2e::require_desktop_session()?;
    let toasts = NotifyLog::from_env()?;
    let fake = FakeGoogle::start(Options {
        allow_http: true,
        seed: true,
        ..Options::default()
    })
    .await?;
    let control = fake.control();
    let dir = tempfile::tempdir()?;
    let secret = dir.path().join("client_secret_desktop.json");
    std::fs::write(&secret, fake.client_secret_json())?;
    let receiver_port = free_port();

    let mut env: Vec<(String, String)> = fake
        .env_assignments(&secret)
        .into_iter()
        // The person imports the file in the window.
        .filter(|(key, _)| key != "CALWATCH_CLIENT_SECRET_FILE")
        .collect();
    env.extend([
        (
            "CALWATCH_DATA_DIR".into(),
            dir.path().join("data").display().to_string(),
        ),
        (
            "CALWATCH_RECEIVER_ADDR".into(),
            format!("127.0.0.1:{receiver_port}"),
        ),
        ("CALWATCH_ALLOW_HTTP_CALLBACK".into(), "1".into()),
        (
            "CALWATCH_BROWSER_CMD".into(),
            browser_script(dir.path())?.display().to_string(),
        ),
        // Toast bodies carry times: one zone makes them predictable.
        ("TZ".into(), "UTC".into()),
        // The login item is written under $XDG_CONFIG_HOME (else $HOME/.config): keep it in
        // here, where the test looks for it.
        ("HOME".into(), dir.path().join("home").display().to_string()),
        (
            "XDG_CONFIG_HOME".into(),
            dir.path().join("home/.config").display().to_string(),
        ),
        // The most talkative log, to check it still holds no secret.
        ("CALWATCH_LOG".into(), "debug".into()),
    ]);
    let app = App::launch("window", &env).await?;

    // Setup: the client secret file.
    app.type_into("client-secret-path", &secret.display().to_string())
        .await?;
    app.click("client-secret-import").await?;
    app.wait_text("client-id", "calwatch-test.apps.googleusercontent.com")
        .await?;

    // Sign in: the app opens "the browser", which consents and comes back.
    app.click("sign-in").await?;
    app.wait_text("account-email", &control.user_email())
        .await?;
    // The tokens went to the session's keyring (Secret Service), under the account.
    let stored = std::process::Command::new("secret-tool")
        .args(["search", "--all", "service", "calwatch"])
        .output()
        .context("secret-tool (libsecret-tools) reads the keyring")?;
    anyhow::ensure!(
        String::from_utf8_lossy(&stored.stdout).contains(&control.user_email()),
        "the keyring holds an entry for the signed-in account"
    );

    // The callback URL: the receiver on loopback (http allowed for the stand-in).
    let callback = format!("http://127.0.0.1:{receiver_port}/notifications");
    app.type_into("callback-url", &callback).await?;
    app.click("callback-save").await?;
    // Saved is not done: the step is ticked only once a Test passed.
    app.wait_attr("callback-state", "data-state", "untested")
        .await?;
    anyhow::ensure!(
        app.find("step-callback")
            .await?
            .attr("data-done")
            .await?
            .as_deref()
            == Some("false"),
        "a saved, untested callback is not ticked"
    );
    app.click("callback-test").await?;
    app.wait_attr("step-callback", "data-done", "true").await?;
    app.wait_attr("step-receiver", "data-done", "true").await?;
    app.screenshot("setup").await?;

    // Calendars: watch "Work".
    app.click("nav-calendars").await?;
    app.wait_text("calendar-name", "Work").await?;
    let rows = app.all("calendar-row").await?;
    let mut watched = false;
    for row in rows {
        if row.text().await?.contains("Work") {
            row.find(fantoccini::Locator::Css("[data-testid=\"watch-button\"]"))
                .await?
                .click()
                .await?;
            watched = true;
            break;
        }
    }
    anyhow::ensure!(watched, "the Work calendar has a Watch button");
    app.wait_text("calendar-watched", "").await?;
    app.screenshot("calendars").await?;

    // Channels: the new channel, its countdown running down.
    app.click("nav-channels").await?;
    app.wait_text("channel-calendar", "Work").await?;
    // The text reads "6 d 23 h" for a week-long channel; the seconds behind it show the
    // countdown running.
    let countdown = app.find("channel-countdown").await?;
    let text = countdown.text().await?;
    anyhow::ensure!(
        text.contains(" d "),
        "a week-long channel counts down in days: {text}"
    );
    let first = seconds_left(&countdown).await?;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let later = seconds_left(&app.find("channel-countdown").await?).await?;
    anyhow::ensure!(
        later < first,
        "the countdown decreases on its own: {first} s then {later} s"
    );
    let live: Vec<_> = control
        .channels()
        .into_iter()
        .filter(|c| c.state == ChannelState::Live && c.calendar_id == WORK_CALENDAR)
        .collect();
    anyhow::ensure!(
        live.len() == 1,
        "Google holds the one channel the window shows"
    );
    app.screenshot("channels").await?;

    // Changes in Google become toasts and Activity rows. Toasts of earlier tests in this
    // session are closed first, so the click below reaches ours.
    dunstctl(&["close-all"]);
    let event = control.insert_event(
        WORK_CALENDAR,
        json!({"summary": "Dentist",
               "start": {"dateTime": "2030-03-05T10:00:00Z"},
               "end": {"dateTime": "2030-03-05T11:00:00Z"}}),
    );
    let event_id = event["id"]
        .as_str()
        .context("fake-google gives the event an id")?;
    let added = toasts.wait_for("Dentist added", "Work").await?;
    anyhow::ensure!(
        added.body.contains("10:00"),
        "the toast says when: {added:?}"
    );

    // Clicking the toast (dunst's default action on the top one) opens the event in the
    // browser. Once dunst shows it, it is the only one: earlier ones were closed.
    let link = event["htmlLink"].as_str().context("the event has a link")?;
    e2e::wait_until("dunst shows the toast", || {
        dunstctl(&["count", "displayed"]) == "1"
    })
    .await?;
    let clicked = std::process::Command::new("dunstctl")
        .arg("action")
        .status()?;
    anyhow::ensure!(clicked.success(), "dunstctl could click the toast");
    // In the signed-in account: Google Calendar's `authuser` names it.
    let in_account = format!(
        "{link}&authuser={}",
        control.user_email().replace('@', "%40")
    );
    e2e::wait_until("the toast's click opened the event", || {
        std::fs::read_to_string(browser_log(dir.path()))
            .is_ok_and(|opened| opened.lines().any(|l| l == in_account))
    })
    .await?;

    control.update_event(
        WORK_CALENDAR,
        event_id,
        json!({"start": {"dateTime": "2030-03-05T14:00:00Z"},
               "end": {"dateTime": "2030-03-05T15:00:00Z"}}),
    );
    let moved = toasts.wait_for("Dentist moved", "Work").await?;
    anyhow::ensure!(
        moved.body.contains("10:00") && moved.body.contains("14:00") && moved.body.contains('→'),
        "a move says from when to when: {moved:?}"
    );

    control.delete_event(WORK_CALENDAR, event_id);
    toasts.wait_for("Dentist cancelled", "Work").await?;

    // More changes in one sync than the summary threshold make one summary toast; its
    // click opens the activity list. (One event is added without a push, the second with
    // one: the sync that push starts finds both.)
    app.click("nav-settings").await?;
    app.type_into("summary-threshold", "1").await?;
    app.click("settings-save").await?;
    app.find("settings-saved").await?;
    dunstctl(&["close-all"]);
    control.insert_events_quietly(
        WORK_CALENDAR,
        vec![json!({"summary": "Standup",
                    "start": {"dateTime": "2030-03-07T09:00:00Z"},
                    "end": {"dateTime": "2030-03-07T09:15:00Z"}})],
    );
    control.insert_event(
        WORK_CALENDAR,
        json!({"summary": "Retro",
               "start": {"dateTime": "2030-03-07T16:00:00Z"},
               "end": {"dateTime": "2030-03-07T17:00:00Z"}}),
    );
    toasts.wait_for("2 changes in Work", "").await?;
    e2e::wait_until("dunst shows the summary", || {
        dunstctl(&["count", "displayed"]) == "1"
    })
    .await?;
    dunstctl(&["action"]);
    app.find("view-activity")
        .await
        .context("a click on the summary opens the activity list")?;
    app.click("nav-settings").await?;
    app.type_into("summary-threshold", "3").await?;
    app.click("settings-save").await?;
    app.find("settings-saved").await?;

    app.click("nav-activity").await?;
    for headline in ["Dentist added", "Dentist moved", "Dentist cancelled"] {
        app.wait_text("change-headline", headline).await?;
    }
    app.screenshot("activity").await?;

    // Pause: changes are still recorded, but no toast.
    app.click("nav-settings").await?;
    app.click("pause-toggle").await?;
    app.wait_text("app-status", "paused").await?;
    app.screenshot("settings").await?;
    control.insert_event(
        WORK_CALENDAR,
        json!({"summary": "Quiet lunch",
               "start": {"dateTime": "2030-03-06T12:00:00Z"},
               "end": {"dateTime": "2030-03-06T13:00:00Z"}}),
    );
    app.click("nav-activity").await?;
    app.wait_text("change-headline", "Quiet lunch added")
        .await?;
    // The toast would have been sent with the record; give D-Bus a moment to show it.
    tokio::time::sleep(Duration::from_secs(2)).await;
    anyhow::ensure!(
        !toasts
            .toasts()
            .iter()
            .any(|t| t.summary.contains("Quiet lunch")),
        "paused: the change is recorded but raises no toast"
    );
    app.click("nav-settings").await?;
    app.click("pause-toggle").await?;

    // Start at login: the login item appears (starting in the tray), and goes again.
    let autostart = dir.path().join("home/.config/autostart");
    let login_item = || {
        std::fs::read_dir(&autostart)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .find(|text| text.contains("--background"))
    };
    app.click("autostart-toggle").await?;
    e2e::wait_until("the login item was written", || login_item().is_some()).await?;
    app.click("autostart-toggle").await?;
    e2e::wait_until("the login item was removed", || login_item().is_none()).await?;

    // Stop: the channel leaves the window and Google stops it.
    app.click("nav-channels").await?;
    app.click("channel-stop").await?;
    app.find("channels-empty").await?;
    app.screenshot("channels-stopped").await?;
    // The window shows it gone as soon as CalWatch stops using it; Google hears a moment later.
    e2e::wait_until("Google was told to stop the channel", || {
        control
            .channels()
            .iter()
            .any(|c| c.id == live[0].id && c.state == ChannelState::Stopped)
    })
    .await?;

    app.quit().await;

    // The log file: written in the data dir, and never a secret in it.
    let logs = dir.path().join("data").join("logs");
    let mut text = String::new();
    for entry in std::fs::read_dir(&logs).context("the app keeps a log in its data dir")? {
        text.push_str(&std::fs::read_to_string(entry?.path())?);
    }
    anyhow::ensure!(text.contains("signed in"), "the log tells the story");
    let channel_tokens: Vec<String> = control
        .channels()
        .into_iter()
        .filter_map(|c| c.token)
        .collect();
    for secret in ["ya29.fake-", "1//fake-", "fake-client-secret"]
        .into_iter()
        .chain(channel_tokens.iter().map(String::as_str))
    {
        anyhow::ensure!(
            !text.contains(secret),
            "the log must not contain “{secret}”"
        );
    }
    Ok(())
}

/// The seconds left the countdown shows.
async fn seconds_left(countdown: &fantoccini::elements::Element) -> anyhow::Result<u64> {
    let attr = countdown.attr("data-seconds-left").await?;
    attr.as_deref()
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("the countdown carries its seconds: {attr:?}"))
}

/// Runs dunstctl (dunst's control tool) and returns what it printed.
fn dunstctl(args: &[&str]) -> String {
    std::process::Command::new("dunstctl")
        .args(args)
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .unwrap_or_default()
}

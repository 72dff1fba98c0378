//! Noise control in the real window against fake-google: a muted calendar's change
//! raises no toast and shows in Activity as muted, unmuting brings toasts back; Join on
//! a toast of an event with a meeting link opens that link; Pause for 1 hour, then
//! Resume, tells one digest whose click shows just its changes.

use std::process::Command;
use std::time::Duration;

use anyhow::Context as _;
use e2e::{browser_log, browser_script, free_port, App, NotifyLog, ReplyMonitor};
use fake_google::{FakeGoogle, Options, WORK_CALENDAR};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_mutes_a_calendar_joins_a_meeting_and_pauses_for_an_hour() -> anyhow::Result<()> {
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
    let mut env: Vec<(String, String)> = fake.env_assignments(&secret);
    env.extend([
        (
            "CALWATCH_DATA_DIR".into(),
            dir.path().join("data").display().to_string(),
        ),
        (
            "CALWATCH_RECEIVER_ADDR".into(),
            format!("127.0.0.1:{receiver_port}"),
        ),
        (
            "CALWATCH_CALLBACK_URL".into(),
            format!("http://127.0.0.1:{receiver_port}/notifications"),
        ),
        ("CALWATCH_ALLOW_HTTP_CALLBACK".into(), "1".into()),
        (
            "CALWATCH_BROWSER_CMD".into(),
            browser_script(dir.path())?.display().to_string(),
        ),
        ("TZ".into(), "UTC".into()),
    ]);
    let app = App::launch("noise", &env).await?;
    // The client secret from the environment is imported at start: sign-in needs it.
    app.wait_text("client-id", "calwatch-test.apps.googleusercontent.com")
        .await?;
    app.click("sign-in").await?;
    app.wait_text("account-email", &control.user_email())
        .await?;

    // Watch Work, then mute it: still watched, no toast, Activity says "muted".
    app.click("nav-calendars").await?;
    app.wait_text("calendar-name", "Work").await?;
    work_row(&app)
        .await?
        .find(Locator::Css("[data-testid=\"watch-button\"]"))
        .await?
        .click()
        .await?;
    wait_row_attr(&app, "calendar-rules", "data-muted", "false").await?;
    work_row(&app)
        .await?
        .find(Locator::Css("[data-testid=\"calendar-mute\"]"))
        .await?
        .click()
        .await?;
    wait_row_attr(&app, "calendar-rules", "data-muted", "true").await?;
    app.screenshot("calendars-muted").await?;
    control.insert_event(
        WORK_CALENDAR,
        json!({"summary": "Muted lunch",
               "start": {"dateTime": "2030-04-02T12:00:00Z"},
               "end": {"dateTime": "2030-04-02T13:00:00Z"}}),
    );
    app.click("nav-activity").await?;
    app.wait_text("change-headline", "Muted lunch added")
        .await?;
    let silenced = app.find("change-silenced").await?;
    anyhow::ensure!(
        silenced.attr("data-silenced").await?.as_deref() == Some("muted_calendar")
            && silenced.text().await?.contains("muted calendar"),
        "Activity shows the change was silent because the calendar is muted"
    );
    app.screenshot("activity-muted").await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    anyhow::ensure!(
        !toasts
            .toasts()
            .iter()
            .any(|t| t.summary.contains("Muted lunch")),
        "a muted calendar's change raises no toast"
    );

    // Unmute: the next change is a toast again.
    app.click("nav-calendars").await?;
    work_row(&app)
        .await?
        .find(Locator::Css("[data-testid=\"calendar-mute\"]"))
        .await?
        .click()
        .await?;
    wait_row_attr(&app, "calendar-rules", "data-muted", "false").await?;
    control.insert_event(
        WORK_CALENDAR,
        json!({"summary": "Loud lunch",
               "start": {"dateTime": "2030-04-03T12:00:00Z"},
               "end": {"dateTime": "2030-04-03T13:00:00Z"}}),
    );
    toasts.wait_for("Loud lunch added", "Work").await?;

    // Join: the toast of an event with a Meet link offers it; choosing it opens the link.
    dunstctl(&["close-all"]);
    let monitor = ReplyMonitor::start(dir.path())?;
    let meet = "https://meet.google.com/abc-defg-hij";
    control.insert_event(
        WORK_CALENDAR,
        json!({"summary": "Design review",
               "hangoutLink": meet,
               "start": {"dateTime": "2030-04-04T15:00:00Z"},
               "end": {"dateTime": "2030-04-04T16:00:00Z"}}),
    );
    toasts.wait_for("Design review added", "Work").await?;
    let id = monitor.notification_id("Design review added").await?;
    anyhow::ensure!(
        monitor
            .actions_of("Design review added")
            .contains(&"join".to_string()),
        "the toast offers Join: {:?}",
        monitor.actions_of("Design review added")
    );
    // What a notification server sends when the person presses Join.
    ReplyMonitor::press(id, "join")?;
    e2e::wait_until("Join opened the meeting link", || {
        std::fs::read_to_string(browser_log(dir.path()))
            .is_ok_and(|opened| opened.lines().any(|l| l == meet))
    })
    .await?;
    drop(monitor);

    // Pause for 1 hour: recorded, silent; Resume tells one digest; its click shows it.
    app.click("nav-settings").await?;
    app.click("pause-hour").await?;
    app.wait_text("app-status", "paused").await?;
    control.insert_event(
        WORK_CALENDAR,
        json!({"summary": "Paused standup",
               "start": {"dateTime": "2030-04-05T09:00:00Z"},
               "end": {"dateTime": "2030-04-05T09:15:00Z"}}),
    );
    app.click("nav-activity").await?;
    app.wait_text("change-headline", "Paused standup added")
        .await?;
    app.find("activity-paused").await?;
    app.screenshot("activity-paused").await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    anyhow::ensure!(
        !toasts
            .toasts()
            .iter()
            .any(|t| t.summary.contains("Paused standup")),
        "paused: no toast"
    );
    dunstctl(&["close-all"]);
    app.click("resume-button").await?;
    let digest = toasts
        .wait_for(
            "While you were away: 1 change in 1 calendar",
            "Paused standup added",
        )
        .await?;
    anyhow::ensure!(digest.app_name == "CalWatch");
    e2e::wait_until("dunst shows the digest", || {
        dunstctl(&["count", "displayed"]) == "1"
    })
    .await?;
    app.click("nav-settings").await?;
    dunstctl(&["action"]);
    app.wait_attr("activity-focus", "data-count", "1")
        .await
        .context("a click on the digest shows Activity with just its change")?;
    let rows = app.all("change-row").await?;
    anyhow::ensure!(rows.len() == 1, "only the digest's change is listed");
    anyhow::ensure!(rows[0].text().await?.contains("Paused standup added"));
    app.screenshot("activity-digest").await?;
    app.quit().await;
    Ok(())
}

/// The Work calendar's row in Calendars.
async fn work_row(app: &App) -> anyhow::Result<fantoccini::elements::Element> {
    for row in app.all("calendar-row").await? {
        if row.attr("data-calendar-id").await?.as_deref() == Some(WORK_CALENDAR) {
            return Ok(row);
        }
    }
    anyhow::bail!("Calendars lists no Work row")
}

/// Waits until the Work row's element `testid` has `attr` = `value`.
async fn wait_row_attr(app: &App, testid: &str, attr: &str, value: &str) -> anyhow::Result<()> {
    for _ in 0..200 {
        if let Ok(row) = work_row(app).await {
            if let Ok(el) = row
                .find(Locator::Css(&format!("[data-testid=\"{testid}\"]")))
                .await
            {
                if el.attr(attr).await?.as_deref() == Some(value) {
                    return Ok(());
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the Work row's {testid} never had {attr}={value}")
}

/// Runs dunstctl (dunst's control tool) and returns what it printed.
fn dunstctl(args: &[&str]) -> String {
    Command::new("dunstctl")
        .args(args)
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .unwrap_or_default()
}

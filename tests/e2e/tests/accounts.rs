//! Two Google accounts in the real window: the second is added through the browser
//! sign-in, a calendar of each is watched, changes in both arrive as toasts naming their
//! calendar, a calendar shared with the second account appears in Calendars without a
//! reload (with a toast offering it), and signing one account out takes its calendars out
//! of the window while the other goes on.

use std::time::{Duration, Instant};

use e2e::{browser_script, free_port, App, NotifyLog, ReplyMonitor};
use fake_google::{FakeGoogle, Options};
use fantoccini::Locator;
use serde_json::json;

/// The second account, picked in Google's chooser.
const OTHER: &str = "other.account@example.com";
/// A calendar made during the test, then shared with the second account.
const OFFSITE: &str = "offsite@group.calendar.google.com";
/// How long the window is given to show something.
const PATIENCE: Duration = Duration::from_secs(60);

/// Clicks `button` inside the `row_testid` row whose `data-account` is `account` (and
/// whose `data-calendar-id`, when given, is `calendar`).
async fn click_in_row(
    app: &App,
    row_testid: &str,
    account: &str,
    calendar: Option<&str>,
    button: &str,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + PATIENCE;
    let css = format!("[data-testid=\"{button}\"]");
    loop {
        // The list re-renders as the engine reports (a row found can go stale before it
        // is clicked): a failed attempt looks again.
        let attempt: anyhow::Result<bool> = async {
            for row in app.all(row_testid).await? {
                let of_account = row.attr("data-account").await?.as_deref() == Some(account);
                let of_calendar = match calendar {
                    Some(id) => row.attr("data-calendar-id").await?.as_deref() == Some(id),
                    None => true,
                };
                if of_account && of_calendar {
                    row.find(Locator::Css(&css)).await?.click().await?;
                    return Ok(true);
                }
            }
            Ok(false)
        }
        .await;
        if let Ok(true) = attempt {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "no {row_testid} of {account} with a {button} ({attempt:?}; see {})",
            app.save_evidence().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `check` holds for the (account, watched) of the rows with this test id.
async fn until_rows(
    app: &App,
    testid: &str,
    what: &str,
    check: impl Fn(&[(Option<String>, Option<String>)]) -> bool,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let rows: anyhow::Result<Vec<(Option<String>, Option<String>)>> = async {
            let mut rows = Vec::new();
            for row in app.all(testid).await? {
                rows.push((
                    row.attr("data-account").await?,
                    row.attr("data-watched").await?,
                ));
            }
            Ok(rows)
        }
        .await;
        if let Ok(rows) = &rows {
            if check(rows) {
                return Ok(());
            }
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{what}: the window shows {rows:?} (see {})",
            app.save_evidence().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until Calendars shows a row of `calendar` under `account` (the window is not
/// reloaded: it follows the engine's calendar events).
async fn until_calendar_row(app: &App, account: &str, calendar: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let found: anyhow::Result<bool> = async {
            for row in app.all("calendar-row").await? {
                if row.attr("data-account").await?.as_deref() == Some(account)
                    && row.attr("data-calendar-id").await?.as_deref() == Some(calendar)
                {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        .await;
        if let Ok(true) = found {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "Calendars shows no {calendar} under {account} ({found:?}; see {})",
            app.save_evidence().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_account_is_added_watched_and_signed_out_alone() -> anyhow::Result<()> {
    e2e::require_desktop_session()?;
    let toasts = NotifyLog::from_env()?;
    let fake = FakeGoogle::start(Options {
        allow_http: true,
        ..Options::default()
    })
    .await?;
    let control = fake.control();
    let first = control.user_email();
    control.add_user(OTHER);
    let dir = tempfile::tempdir()?;
    let secret = dir.path().join("client_secret_desktop.json");
    std::fs::write(&secret, fake.client_secret_json())?;
    let receiver_port = free_port();
    let mut env = fake.env_assignments(&secret);
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
        ("HOME".into(), dir.path().join("home").display().to_string()),
        (
            "XDG_CONFIG_HOME".into(),
            dir.path().join("home/.config").display().to_string(),
        ),
    ]);
    let app = App::launch("accounts", &env).await?;

    // The first account, then "Add another Google account" picking the second.
    app.click("sign-in").await?;
    app.wait_text("account-email", &first).await?;
    control.consent_next_as(OTHER);
    app.click("add-account").await?;
    app.wait_text("account-email", OTHER).await?;

    // Calendars, grouped by account: watch each account's own calendar.
    app.click("nav-calendars").await?;
    app.wait_text("calendar-group-account", OTHER).await?;
    for account in [first.as_str(), OTHER] {
        click_in_row(&app, "calendar-row", account, Some(account), "watch-button").await?;
    }
    until_rows(&app, "calendar-row", "both calendars watched", |rows| {
        rows.iter()
            .filter(|(_, watched)| watched.as_deref() == Some("true"))
            .count()
            == 2
    })
    .await?;
    app.screenshot("accounts-calendars").await?;

    // A change in each: each toast names its calendar, with the account, since both
    // accounts' own calendars are called the same.
    let event = |summary: &str| {
        json!({
            "summary": summary,
            "start": {"dateTime": "2026-12-20T10:00:00Z"},
            "end": {"dateTime": "2026-12-20T11:00:00Z"},
        })
    };
    control.insert_event(&first, event("Standup"));
    control.insert_event(OTHER, event("Dinner"));
    toasts
        .wait_for("Standup added", &format!("Primary calendar ({first})"))
        .await?;
    toasts
        .wait_for("Dinner added", &format!("Primary calendar ({OTHER})"))
        .await?;

    // A calendar is made, then shared with the second account: each list that gains it
    // offers it in a toast, and it appears in Calendars at once, under each account.
    let monitor = ReplyMonitor::start(dir.path())?;
    control.add_calendar(OFFSITE, "Team Offsite", "UTC");
    toasts
        .wait_for("New calendar: Team Offsite — Watch?", &first)
        .await?;
    let offer = monitor
        .notification_id("New calendar: Team Offsite — Watch?")
        .await?;
    anyhow::ensure!(
        monitor
            .actions_of("New calendar: Team Offsite — Watch?")
            .windows(2)
            .any(|pair| pair == ["watch", "Watch"]),
        "the offer has a Watch button: {:?}",
        monitor.actions_of("New calendar: Team Offsite — Watch?")
    );
    control.share_calendar(OFFSITE, OTHER, "reader");
    toasts
        .wait_for("New calendar: Team Offsite — Watch?", OTHER)
        .await?;
    until_calendar_row(&app, OTHER, OFFSITE).await?;
    until_calendar_row(&app, &first, OFFSITE).await?;
    app.screenshot("accounts-shared-calendar").await?;

    // Watch on the first account's offer watches it there, and only there.
    ReplyMonitor::press(offer, "watch")?;
    let watched = |account: &str| {
        format!(
            r#"const row = [...document.querySelectorAll('[data-testid="calendar-row"]')]
                 .find((r) => r.dataset.account === '{account}' && r.dataset.calendarId === '{OFFSITE}');
               return row ? row.dataset.watched : null;"#
        )
    };
    let deadline = Instant::now() + PATIENCE;
    while app.script(&watched(&first)).await? != json!("true") {
        anyhow::ensure!(
            Instant::now() < deadline,
            "Watch on the toast did not watch Team Offsite (see {})",
            app.save_evidence().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::ensure!(
        app.script(&watched(OTHER)).await? == json!("false"),
        "the second account's Team Offsite is still only offered"
    );
    drop(monitor);

    // Channels shows each account's calendar-list channel below the calendars' channels.
    app.click("nav-channels").await?;
    let both = {
        let mut both = vec![first.clone(), OTHER.to_string()];
        both.sort();
        both
    };
    until_rows(
        &app,
        "list-channel-row",
        "a calendar-list channel per account",
        |rows| {
            let mut accounts: Vec<String> = rows.iter().filter_map(|r| r.0.clone()).collect();
            accounts.sort();
            accounts == both
        },
    )
    .await?;
    app.screenshot("accounts-list-channels").await?;

    // Sign the second account out in Settings: its calendars leave the window.
    app.click("nav-settings").await?;
    click_in_row(&app, "account-row", OTHER, None, "sign-out").await?;
    click_in_row(&app, "account-row", OTHER, None, "sign-out-confirm").await?;
    until_rows(&app, "account-row", "one account left", |rows| {
        rows.len() == 1 && rows[0].0.as_deref() == Some(first.as_str())
    })
    .await?;
    app.click("nav-calendars").await?;
    until_rows(
        &app,
        "calendar-row",
        "only the first account's calendars",
        |rows| {
            !rows.is_empty()
                && rows
                    .iter()
                    .all(|(account, _)| account.as_deref() == Some(first.as_str()))
        },
    )
    .await?;

    app.click("nav-channels").await?;
    until_rows(
        &app,
        "list-channel-row",
        "only the first account's calendar list is watched",
        |rows| rows.len() == 1 && rows[0].0.as_deref() == Some(first.as_str()),
    )
    .await?;

    // The first account keeps working.
    control.insert_event(&first, event("Review"));
    toasts.wait_for("Review added", "Primary calendar").await?;
    app.quit().await;
    Ok(())
}

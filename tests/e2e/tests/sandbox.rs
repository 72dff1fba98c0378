//! A newcomer without a Google account: "Try it without a Google account" → Watch → add an
//! event in the sandbox panel → a toast.

use e2e::{free_port, App, NotifyLog};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_works_end_to_end_from_a_fresh_data_dir() -> anyhow::Result<()> {
    e2e::require_desktop_session()?;
    let toasts = NotifyLog::from_env()?;
    let dir = tempfile::tempdir()?;
    let env: Vec<(String, String)> = vec![
        (
            "CALWATCH_DATA_DIR".into(),
            dir.path().join("data").display().to_string(),
        ),
        (
            "CALWATCH_RECEIVER_ADDR".into(),
            format!("127.0.0.1:{}", free_port()),
        ),
        ("TZ".into(), "UTC".into()),
    ];
    let app = App::launch("sandbox", &env).await?;

    app.click("try-sandbox").await?;
    app.find("sandbox-banner").await?;
    // The window moves on to Calendars: watching is the next step.
    app.wait_text("calendar-name", "Work").await?;
    app.click("watch-button").await?;
    app.wait_text("calendar-watched", "").await?;
    app.screenshot("calendars").await?;

    app.click("nav-sandbox").await?;
    app.find("sandbox-event-row").await?;
    app.type_into("sandbox-add-title", "Sandbox check").await?;
    app.click("sandbox-add").await?;
    app.wait_text("sandbox-event-title", "Sandbox check")
        .await?;
    app.screenshot("panel").await?;
    toasts.wait_for("Sandbox check added", "").await?;

    app.click("nav-activity").await?;
    app.wait_text("change-headline", "Sandbox check added")
        .await?;
    app.screenshot("activity").await?;

    app.click("leave-sandbox").await?;
    app.wait_gone("sandbox-banner").await?;
    app.quit().await;
    Ok(())
}

//! Anyone who invites the person to an event chooses its title: markup in it reaches the
//! notification server (dunst here, which renders body markup) as text, never as a bold
//! word, an image or a clickable link.

use e2e::{free_port, App, NotifyLog};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_event_titles_reaches_the_notification_server_escaped() -> anyhow::Result<()> {
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
    let app = App::launch("toast-markup", &env).await?;
    app.click("try-sandbox").await?;
    app.find("sandbox-banner").await?;
    app.wait_text("calendar-name", "Work").await?;
    app.click("watch-button").await?;
    app.wait_text("calendar-watched", "").await?;
    app.click("nav-sandbox").await?;
    app.find("sandbox-event-row").await?;

    let titles = [
        ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt; added"),
        (
            r#"<a href="https://evil.example">Click me</a>"#,
            "&lt;a href=&quot;https://evil.example&quot;&gt;Click me&lt;/a&gt; added",
        ),
        ("<img src=x>", "&lt;img src=x&gt; added"),
    ];
    // One at a time: three changes in one sync would be told as one summary toast.
    for (title, escaped) in titles {
        app.type_into("sandbox-add-title", title).await?;
        app.click("sandbox-add").await?;
        toasts.wait_for(escaped, "").await?;
    }
    for toast in toasts.toasts() {
        for markup in ["<b>", "<a ", "<img", "</"] {
            anyhow::ensure!(
                !toast.summary.contains(markup) && !toast.body.contains(markup),
                "no toast carries markup {markup:?}: {toast:?}"
            );
        }
    }
    app.quit().await;
    Ok(())
}

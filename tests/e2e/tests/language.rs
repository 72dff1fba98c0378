//! The person's language in the real window and toasts: with `LANG=ko_KR.UTF-8` Setup,
//! Calendars, Channels (with its countdown), Activity and a toast are Korean, dates in
//! Korean order; and in the pseudo-locale (accented, 40 % longer) no text in any view is
//! cut off or spills out of its box. Screenshots land in target/e2e-artifacts.

use e2e::{free_port, App, NotifyLog};

fn env(dir: &tempfile::TempDir, lang: &str) -> Vec<(String, String)> {
    vec![
        (
            "CALWATCH_DATA_DIR".into(),
            dir.path().join("data").display().to_string(),
        ),
        (
            "CALWATCH_RECEIVER_ADDR".into(),
            format!("127.0.0.1:{}", free_port()),
        ),
        ("TZ".into(), "UTC".into()),
        ("LANG".into(), lang.into()),
        ("LC_ALL".into(), String::new()),
    ]
}

/// Into the sandbox with Work watched: every view then has something to show.
async fn sandbox_with_work_watched(app: &App) -> anyhow::Result<()> {
    app.click("try-sandbox").await?;
    app.find("sandbox-banner").await?;
    app.wait_text("calendar-name", "Work").await?;
    app.click("watch-button").await?;
    app.wait_text("calendar-watched", "").await?;
    Ok(())
}

/// "12월 3일 (목) 오전 11:00": month, day, bracketed weekday, then the time of day.
fn korean_day_time(text: &str) -> bool {
    let mut words = text.split(' ');
    let month = words.next().unwrap_or_default();
    let day = words.next().unwrap_or_default();
    let weekday = words.next().unwrap_or_default();
    let meridiem = words.next().unwrap_or_default();
    month.ends_with('월')
        && day.ends_with('일')
        && weekday.starts_with('(')
        && (meridiem == "오전" || meridiem == "오후")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_korean_locale_the_window_and_the_toasts_speak_korean() -> anyhow::Result<()> {
    e2e::require_desktop_session()?;
    let toasts = NotifyLog::from_env()?;
    let dir = tempfile::tempdir()?;
    let app = App::launch("language-ko", &env(&dir, "ko_KR.UTF-8")).await?;

    app.wait_text("view-title", "설정하기").await?;
    app.screenshot("setup").await?;
    sandbox_with_work_watched(&app).await?;
    app.click("nav-calendars").await?;
    app.wait_text("view-title", "캘린더").await?;
    app.screenshot("calendars").await?;

    app.click("nav-channels").await?;
    app.wait_text("view-title", "채널").await?;
    let countdown = app.wait_text("channel-countdown", "일").await?;
    anyhow::ensure!(
        countdown.contains("시간"),
        "the expiry countdown reads in Korean units: {countdown:?}"
    );
    let expires = app.wait_text("channel-expires", "(").await?;
    anyhow::ensure!(
        expires.starts_with("20") && expires.contains("오"),
        "the expiry date is written year first, with 오전/오후: {expires:?}"
    );
    app.screenshot("channels").await?;

    app.click("nav-sandbox").await?;
    app.find("sandbox-event-row").await?;
    app.type_into("sandbox-add-title", "팀 회의").await?;
    app.click("sandbox-add").await?;
    let toast = toasts.wait_for("새 일정: 팀 회의", "·").await?;
    anyhow::ensure!(
        korean_day_time(&toast.body),
        "the toast's time is in Korean order: {:?}",
        toast.body
    );

    app.click("nav-activity").await?;
    app.wait_text("view-title", "활동").await?;
    app.wait_text("change-kind", "추가됨").await?;
    app.wait_text("change-headline", "새 일정: 팀 회의").await?;
    app.screenshot("activity").await?;
    app.quit().await;
    Ok(())
}

/// Visible elements whose own text is wider than their box (clipped or spilling), as
/// "testid-or-tag: text" lines.
const OVERFLOWING: &str = r#"
const out = [];
for (const el of document.querySelectorAll('body *')) {
  const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  // Inline boxes have no width of their own; text for screen readers only is clipped on purpose.
  if (!own || el.clientWidth <= 1 || el.closest('.sr-only, .visually-hidden')) continue;
  const style = getComputedStyle(el);
  if (style.display === 'inline') continue;
  if (el.scrollWidth > el.clientWidth + 1) {
    out.push(`${el.dataset.testid || el.tagName.toLowerCase()}: ${el.textContent.trim().slice(0, 60)}`);
  }
}
return out;
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_the_pseudo_locale_no_text_is_cut_off_in_any_view() -> anyhow::Result<()> {
    e2e::require_desktop_session()?;
    let dir = tempfile::tempdir()?;
    let app = App::launch("language-pseudo", &env(&dir, "en_GB.UTF-8")).await?;
    app.find("view-title").await?;
    sandbox_with_work_watched(&app).await?;
    // The window reads `?pseudo` at its next state: reload with it.
    app.script("location.search = '?pseudo'; return null;")
        .await?;
    app.wait_text("view-title", "[").await?;
    let mut problems = Vec::new();
    for view in [
        "setup",
        "calendars",
        "channels",
        "activity",
        "settings",
        "sandbox",
    ] {
        app.click(&format!("nav-{view}")).await?;
        app.wait_text("view-title", "~").await?;
        app.screenshot(view).await?;
        let found = app.script(OVERFLOWING).await?;
        for line in found.as_array().into_iter().flatten() {
            problems.push(format!("{view}: {}", line.as_str().unwrap_or_default()));
        }
    }
    app.quit().await;
    anyhow::ensure!(
        problems.is_empty(),
        "text cut off or spilling in the pseudo-locale: {problems:#?}"
    );
    Ok(())
}

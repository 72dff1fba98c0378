//! The person's language in the real window and toasts: with `LANG=ko_KR.UTF-8` Setup
//! (with its forms and the callback test's findings), Calendars, Channels (with its countdown), Activity, Settings, the
//! Sandbox and a toast are Korean, with no English word left beyond names, dates in Korean
//! order and the window's date for an event the toast's; and in the pseudo-locale
//! (accented, 40 % longer) no text in any view is cut off or spills out of its box.
//! Screenshots land in target/e2e-artifacts.

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

/// Every visible piece of text a person reads: text nodes outside `code` (commands and
/// file names), and the placeholders, labels and tooltips of visible elements.
const VISIBLE_TEXT: &str = r#"
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  const el = n.parentElement;
  if (!el || el.closest('code, script, style')) continue;
  // Hidden (a closed <details>, an unchosen <option>): not read. Screen-reader text is.
  if (!el.getClientRects().length && !el.closest('.sr-only, .visually-hidden')) continue;
  out.push(n.textContent);
}
for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
  if (!el.getClientRects().length) continue;
  for (const a of ['placeholder', 'aria-label', 'title']) out.push(el.getAttribute(a) || '');
}
return out.join('\n');
"#;

/// Words that stay as they are in Korean: names of products and tools, protocol words, and
/// what fake-google serves (calendar names, event titles, places).
const NOT_TRANSLATED: &[&str] = &[
    "Google",
    "CalWatch",
    "URL",
    "HTTPS",
    "HTTP",
    "DNS",
    "TLS",
    "IP",
    "ms",
    "OAuth",
    "JSON",
    "API",
    "ID",
    "HTML",
    "Cloud",
    "Search",
    "Console",
    "Tailscale",
    "Funnel",
    "ngrok",
    "cloudflared",
    "Cloudflare",
    "tailnet",
    "GNOME",
    "KWallet",
    "English",
    "ko",
    "KR",
    "client",
    "secret",
    "json",
    "home",
    "Work",
    "Family",
    "Dentist",
];

/// Phrases from Google quoted whole: what fake-google's events and places are called, an
/// API's name and an error Google shows in its own words.
const GOOGLE_PHRASES: &[&str] = &[
    "Google Calendar API",
    "Unauthorized WebHook callback channel",
    "Mum's birthday",
    "12 High Street, London",
    "Team sync",
    "Quarterly planning",
    "Room 4B, 200 Park Ave, New York",
    "Half term",
    "School play",
    "St Mary's Primary School hall",
];

/// The English words left in `view` of the window, beyond names, addresses and the above.
async fn english_words(app: &App) -> anyhow::Result<Vec<String>> {
    let mut text = app
        .script(VISIBLE_TEXT)
        .await?
        .as_str()
        .unwrap_or_default()
        .to_string();
    for phrase in GOOGLE_PHRASES {
        text = text.replace(phrase, " ");
    }
    let mut left = Vec::new();
    for word in text.split_whitespace() {
        // Addresses and e-mail addresses are names, not sentences.
        if word.contains("://") || word.contains('@') || word.starts_with('/') {
            continue;
        }
        // So are file names (an example of the verification file's).
        if word
            .rsplit_once('.')
            .is_some_and(|(stem, ext)| !stem.is_empty() && matches!(ext, "html" | "json"))
        {
            continue;
        }
        for run in word.split(|c: char| !c.is_ascii_alphabetic()) {
            if run.len() >= 2 && !NOT_TRANSLATED.contains(&run) && !left.iter().any(|w| w == run) {
                left.push(run.to_string());
            }
        }
    }
    Ok(left)
}

/// Fails with the English words found in `view`.
async fn all_korean(app: &App, view: &str) -> anyhow::Result<()> {
    let left = english_words(app).await?;
    anyhow::ensure!(
        left.is_empty(),
        "English left in the Korean {view} view: {left:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_korean_locale_the_window_and_the_toasts_speak_korean() -> anyhow::Result<()> {
    e2e::require_desktop_session()?;
    let toasts = NotifyLog::from_env()?;
    let dir = tempfile::tempdir()?;
    let app = App::launch("language-ko", &env(&dir, "ko_KR.UTF-8")).await?;

    app.wait_text("view-title", "설정하기").await?;
    // Setup's forms: the client file, sign-in, the callback URL, the tunnel offer.
    app.find("client-secret-path").await?;
    app.find("callback-url").await?;
    app.find("tunnel-offer").await?;
    app.screenshot("setup").await?;
    all_korean(&app, "Setup").await?;
    app.click("nav-settings").await?;
    app.wait_text("view-title", "설정").await?;
    app.find("settings-language").await?;
    app.screenshot("settings").await?;
    all_korean(&app, "Settings").await?;
    app.click("nav-setup").await?;
    app.find("try-sandbox").await?;
    sandbox_with_work_watched(&app).await?;
    // The callback test's findings, step by step, against the sandbox's own receiver.
    app.click("nav-setup").await?;
    app.wait_text("view-title", "설정하기").await?;
    app.click("callback-test").await?;
    app.wait_attr("probe-result", "data-ok", "true").await?;
    let steps = app.all("probe-step").await?;
    anyhow::ensure!(steps.len() >= 4, "every step is listed: {}", steps.len());
    app.screenshot("setup-probe").await?;
    all_korean(&app, "Setup (callback test)").await?;
    app.click("nav-calendars").await?;
    app.wait_text("view-title", "캘린더").await?;
    app.find("calendar-rules").await?;
    app.screenshot("calendars").await?;
    all_korean(&app, "Calendars").await?;

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
    all_korean(&app, "Channels").await?;
    let breaks = app
        .script("return getComputedStyle(document.body).wordBreak;")
        .await?;
    anyhow::ensure!(
        breaks.as_str() == Some("keep-all"),
        "Korean lines break between words, not inside one: {breaks}"
    );

    app.click("nav-sandbox").await?;
    app.find("sandbox-event-row").await?;
    app.type_into("sandbox-add-title", "팀 회의").await?;
    // 오후 11:00 for an hour: it ends at midnight, where window and toast once disagreed
    // on whether the event spans two days (it does not: an end is exclusive).
    app.type_into("sandbox-add-time-hour", "11").await?;
    app.type_into("sandbox-add-time-minute", "00").await?;
    app.script(
        r#"const period = document.querySelector('[data-testid="sandbox-add-time-period"]');
           period.value = 'pm';
           period.dispatchEvent(new Event('change', { bubbles: true }));
           return period.value;"#,
    )
    .await?;
    app.click("sandbox-add").await?;
    let toast = toasts
        .wait_for("새 일정: 팀 회의", "오후 11:00~오전 12:00")
        .await?;
    anyhow::ensure!(
        korean_day_time(&toast.body),
        "the toast's time is in Korean order: {:?}",
        toast.body
    );
    // The window writes the same event's day and time as the toast did.
    let toast_when = toast.body.split(" · ").next().unwrap_or_default();
    let window_when = app
        .script(
            r#"const row = [...document.querySelectorAll('[data-testid="sandbox-event-row"]')]
                 .find((r) => r.querySelector('[data-testid="sandbox-event-title"]').textContent === '팀 회의');
               return row ? row.querySelector('[data-testid="sandbox-event-when"]').textContent : '';"#,
        )
        .await?;
    let window_when = window_when.as_str().unwrap_or_default();
    anyhow::ensure!(
        window_when.replace('\u{202f}', " ") == toast_when.replace('\u{202f}', " "),
        "the window's date for the event ({window_when:?}) is the toast's ({:?})",
        toast.body
    );
    app.screenshot("sandbox").await?;
    all_korean(&app, "Sandbox").await?;

    app.click("nav-activity").await?;
    app.wait_text("view-title", "활동").await?;
    app.wait_text("change-kind", "추가됨").await?;
    app.wait_text("change-headline", "새 일정: 팀 회의").await?;
    app.screenshot("activity").await?;
    all_korean(&app, "Activity").await?;
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

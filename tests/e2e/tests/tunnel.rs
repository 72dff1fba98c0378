//! "Get a public address for me" in the real window, with the cloudflared stand-in first on
//! the app's PATH: the tunnel's address becomes the callback URL, the Test passes through
//! it, a change in Google reaches a toast through it; the tunnel moves when it restarts,
//! and it ends when CalWatch quits.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use e2e::{
    alive, browser_script, free_port, path_with, process_tree, signal, tunnel_tools_dir,
    wait_until, App, NotifyLog,
};
use fake_google::{ChannelState, Control, FakeGoogle, Options, WORK_CALENDAR};
use serde_json::json;

/// One of these tests at a time: each runs a window, a tunnel and fake-google, and five at
/// once on two cores starve each other's windows of the time their clicks need.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The app's environment: fake-google's endpoints and client, the stand-ins first on PATH.
fn env(fake: &FakeGoogle, dir: &Path, tools: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let secret = dir.join("client_secret_desktop.json");
    std::fs::write(&secret, fake.client_secret_json())?;
    let mut env = fake.env_assignments(&secret);
    env.extend([
        (
            "CALWATCH_DATA_DIR".into(),
            dir.join("data").display().to_string(),
        ),
        (
            "CALWATCH_RECEIVER_ADDR".into(),
            format!("127.0.0.1:{}", free_port()),
        ),
        (
            "CALWATCH_BROWSER_CMD".into(),
            browser_script(dir)?.display().to_string(),
        ),
        ("PATH".into(), path_with(tools)),
        ("TZ".into(), "UTC".into()),
    ]);
    Ok(env)
}

/// Signs in, gets a public address from the cloudflared stand-in (Test runs by itself and
/// passes), watches Work; returns how long the address took to pass its Test.
async fn set_up_through_the_tunnel(app: &App, control: &Control) -> anyhow::Result<Duration> {
    // The client secret from the environment is imported at start: sign-in needs it.
    app.wait_text("client-id", "calwatch-test.apps.googleusercontent.com")
        .await?;
    app.click("sign-in").await?;
    app.wait_text("account-email", &control.user_email())
        .await?;
    app.wait_attr("step-callback", "data-done", "false").await?;

    let clicked = Instant::now();
    app.click("tunnel-start-cloudflared").await?;
    app.wait_attr("tunnel-status", "data-state", "running")
        .await?;
    app.wait_attr("step-callback", "data-done", "true").await?;
    let to_passing_test = clicked.elapsed();
    app.wait_attr("probe-result", "data-ok", "true").await?;
    let headline = app.find("probe-result").await?.text().await?;
    anyhow::ensure!(
        !headline.contains("Reachable from the internet"),
        "the stand-in's loopback http address is not the internet: {headline}"
    );
    app.screenshot("setup-tunnel").await?;

    app.click("nav-calendars").await?;
    app.wait_text("calendar-name", "Work").await?;
    let mut watched = false;
    for row in app.all("calendar-row").await? {
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
    Ok(to_passing_test)
}

/// The live channels of Work at Google.
fn live_work_channels(control: &Control) -> Vec<fake_google::ChannelInfo> {
    control
        .channels()
        .into_iter()
        .filter(|c| c.state == ChannelState::Live && c.calendar_id == WORK_CALENDAR)
        .collect()
}

/// The stand-in cloudflared the app runs, by pid.
fn tunnel_pid(app_pid: u32) -> Option<u32> {
    process_tree(app_pid)
        .into_iter()
        .find(|(_, name)| name == "cloudflared")
        .map(|(pid, _)| pid)
}

/// fake-google with its sample calendars, delivering over plain http (the stand-in
/// tunnel's "public" address is loopback).
async fn seeded_google() -> anyhow::Result<FakeGoogle> {
    FakeGoogle::start(Options {
        allow_http: true,
        seed: true,
        ..Options::default()
    })
    .await
}

/// The callback URL the window shows as the tunnel's.
async fn tunnel_url(app: &App) -> anyhow::Result<String> {
    app.click("nav-setup").await?;
    let text = app.find("tunnel-status").await?.text().await?;
    text.split_whitespace()
        .find(|w| w.starts_with("http"))
        .map(str::to_string)
        .with_context(|| format!("the tunnel's status names its address: {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_address_from_cloudflared_carries_a_change_to_a_toast_and_ends_with_calwatch(
) -> anyhow::Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    e2e::require_desktop_session()?;
    let toasts = NotifyLog::from_env()?;
    let fake = seeded_google().await?;
    let control = fake.control();
    let dir = tempfile::tempdir()?;
    let tools = tunnel_tools_dir(dir.path(), &["cloudflared"])?;
    let app = App::launch("tunnel", &env(&fake, dir.path(), &tools)?).await?;

    // Only the installed tool is a button; the others are explained.
    app.find("tunnel-guide-ngrok").await?;
    app.find("tunnel-guide-tailscale").await?;
    let to_passing_test = set_up_through_the_tunnel(&app, &control).await?;
    println!(
        "figure: Get a public address → passing Test: {} ms",
        to_passing_test.as_millis()
    );

    let url = tunnel_url(&app).await?;
    let live = live_work_channels(&control);
    anyhow::ensure!(
        live.len() == 1 && live[0].address == url,
        "Google delivers to the tunnel's address {url}: {live:?}"
    );

    // A change in Google → fake-google → the tunnel → the receiver → a toast.
    let inserted = Instant::now();
    control.insert_event(
        WORK_CALENDAR,
        json!({"summary": "Tunnel check",
               "start": {"dateTime": "2030-04-01T10:00:00Z"},
               "end": {"dateTime": "2030-04-01T11:00:00Z"}}),
    );
    toasts.wait_for("Tunnel check added", "Work").await?;
    println!(
        "figure: change → toast through the tunnel stand-in: {} ms",
        inserted.elapsed().as_millis()
    );

    // Quitting (SIGTERM, as the session ending does) ends the tunnel CalWatch started.
    let app_pid = app.app_pid().context("the driver started the app")?;
    let tunnel = tunnel_pid(app_pid).context("the tunnel runs as CalWatch's child")?;
    signal(app_pid, "TERM")?;
    wait_until("CalWatch quit", || !alive(app_pid)).await?;
    wait_until("the tunnel process is gone", || !alive(tunnel)).await?;
    app.quit().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_tunnel_moves_the_channel_and_a_change_made_meanwhile_is_told_once(
) -> anyhow::Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    e2e::require_desktop_session()?;
    let toasts = NotifyLog::from_env()?;
    let fake = seeded_google().await?;
    let control = fake.control();
    let dir = tempfile::tempdir()?;
    let tools = tunnel_tools_dir(dir.path(), &["cloudflared"])?;
    let app = App::launch("tunnel-move", &env(&fake, dir.path(), &tools)?).await?;
    set_up_through_the_tunnel(&app, &control).await?;
    let old_url = tunnel_url(&app).await?;
    let old = live_work_channels(&control);
    anyhow::ensure!(old.len() == 1, "one channel before the move: {old:?}");

    // The quick tunnel dies; CalWatch starts it again, at a new address. A change made
    // while it is down has nowhere to go until the channel has moved.
    let app_pid = app.app_pid().context("the driver started the app")?;
    let first = tunnel_pid(app_pid).context("the tunnel runs")?;
    signal(first, "KILL")?;
    control.insert_event(
        WORK_CALENDAR,
        json!({"summary": "During the move",
               "start": {"dateTime": "2030-04-02T10:00:00Z"},
               "end": {"dateTime": "2030-04-02T11:00:00Z"}}),
    );
    wait_until("the tunnel runs again", || {
        tunnel_pid(app_pid).is_some_and(|pid| pid != first)
    })
    .await?;
    let mut new_url = old_url.clone();
    let deadline = Instant::now() + e2e::PATIENCE;
    while new_url == old_url && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        new_url = tunnel_url(&app).await.unwrap_or(new_url);
    }
    anyhow::ensure!(
        new_url != old_url,
        "the restarted quick tunnel has a new address"
    );
    wait_until(
        "Google delivers to the new address, the old channel stopped",
        || {
            let channels = control.channels();
            let moved = channels.iter().any(|c| {
                c.state == ChannelState::Live
                    && c.calendar_id == WORK_CALENDAR
                    && c.address == new_url
            });
            let old_stopped = channels
                .iter()
                .any(|c| c.id == old[0].id && c.state == ChannelState::Stopped);
            moved && old_stopped
        },
    )
    .await?;
    toasts.wait_for("During the move added", "Work").await?;
    // Another change through the new address, then the count: the first was told once.
    control.insert_event(
        WORK_CALENDAR,
        json!({"summary": "After the move",
               "start": {"dateTime": "2030-04-03T10:00:00Z"},
               "end": {"dateTime": "2030-04-03T11:00:00Z"}}),
    );
    toasts.wait_for("After the move added", "Work").await?;
    let told = toasts
        .toasts()
        .iter()
        .filter(|t| t.summary == "During the move added")
        .count();
    anyhow::ensure!(
        told == 1,
        "the change made during the move was told {told} times"
    );
    app.quit().await;
    Ok(())
}

/// Writes timings into the app's settings.json before it starts: seconds, not minutes.
fn short_push_timings(dir: &Path) -> anyhow::Result<()> {
    let data = dir.join("data");
    std::fs::create_dir_all(&data)?;
    std::fs::write(
        data.join("settings.json"),
        json!({"timings": {"push_check_interval_ms": 2000, "push_down_poll_ms": 3000}}).to_string(),
    )?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_down_is_said_and_changes_still_arrive_until_forwarding_resumes() -> anyhow::Result<()>
{
    let _one = ONE_AT_A_TIME.lock().await;
    e2e::require_desktop_session()?;
    let toasts = NotifyLog::from_env()?;
    let fake = seeded_google().await?;
    let control = fake.control();
    let dir = tempfile::tempdir()?;
    short_push_timings(dir.path())?;
    let tools = tunnel_tools_dir(dir.path(), &["cloudflared"])?;
    let app = App::launch("tunnel-push-down", &env(&fake, dir.path(), &tools)?).await?;
    set_up_through_the_tunnel(&app, &control).await?;
    app.click("nav-setup").await?;
    app.wait_attr("push-health", "data-state", "up").await?;

    // The tunnel stops forwarding: within a health check the window says push is down.
    let app_pid = app.app_pid().context("the driver started the app")?;
    let tunnel = tunnel_pid(app_pid).context("the tunnel runs")?;
    signal(tunnel, "USR1")?;
    app.wait_attr("push-health", "data-state", "down").await?;
    app.wait_text("push-health", "Push is down").await?;
    app.wait_text("app-status", "Push down").await?;
    app.screenshot("push-down").await?;

    // A change now is told anyway, on the short interval, as a pushed one would be.
    let inserted = Instant::now();
    control.insert_event(
        WORK_CALENDAR,
        json!({"summary": "While push is down",
               "start": {"dateTime": "2030-05-01T10:00:00Z"},
               "end": {"dateTime": "2030-05-01T11:00:00Z"}}),
    );
    toasts.wait_for("While push is down added", "Work").await?;
    println!(
        "figure: change → toast while push is down (3 s polling): {} ms",
        inserted.elapsed().as_millis()
    );

    // Forwarding resumes: back to push, and the polling stops.
    signal(tunnel, "USR2")?;
    app.wait_attr("push-health", "data-state", "up").await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = control.stats().events_list_calls;
    tokio::time::sleep(Duration::from_secs(8)).await;
    let after = control.stats().events_list_calls;
    anyhow::ensure!(
        after == before,
        "push is back: no polling ({before} events.list calls, then {after} 8 s later)"
    );
    control.insert_event(
        WORK_CALENDAR,
        json!({"summary": "Push is back",
               "start": {"dateTime": "2030-05-02T10:00:00Z"},
               "end": {"dateTime": "2030-05-02T11:00:00Z"}}),
    );
    toasts.wait_for("Push is back added", "Work").await?;
    app.quit().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unauthorized_watch_is_explained_and_the_pasted_file_verifies_the_tunnel_s_domain(
) -> anyhow::Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    e2e::require_desktop_session()?;
    let fake = FakeGoogle::start(Options {
        allow_http: true,
        seed: true,
        require_verified_domains: true,
        ..Options::default()
    })
    .await?;
    let control = fake.control();
    let dir = tempfile::tempdir()?;
    let tools = tunnel_tools_dir(dir.path(), &["cloudflared"])?;
    let app = App::launch("tunnel-verify", &env(&fake, dir.path(), &tools)?).await?;
    // The client secret from the environment is imported at start: sign-in needs it.
    app.wait_text("client-id", "calwatch-test.apps.googleusercontent.com")
        .await?;
    app.click("sign-in").await?;
    app.wait_text("account-email", &control.user_email())
        .await?;
    app.click("tunnel-start-cloudflared").await?;
    app.wait_attr("step-callback", "data-done", "true").await?;
    let url = tunnel_url(&app).await?;

    // Watch is refused: the window says what happened and leads to the steps.
    app.click("nav-calendars").await?;
    app.wait_text("calendar-name", "Work").await?;
    for row in app.all("calendar-row").await? {
        if row.text().await?.contains("Work") {
            row.find(fantoccini::Locator::Css("[data-testid=\"watch-button\"]"))
                .await?
                .click()
                .await?;
            break;
        }
    }
    let refusal = app
        .wait_text("calendar-error", "Unauthorized WebHook callback channel")
        .await?;
    anyhow::ensure!(refusal.contains("Search Console"), "what to do: {refusal}");
    app.screenshot("unauthorized").await?;
    app.click("calendar-error-remedy").await?;
    app.find("domain-verification").await?;
    app.find("verification-link-search-console").await?;
    app.find("verification-link-cloud-console").await?;
    app.wait_text("verification-quick-tunnel", "cannot stay verified")
        .await?;

    // Search Console cannot verify a file that is not served; after the paste it can,
    // through the tunnel; any other root path still answers 404.
    let file = control.site_verification_file();
    anyhow::ensure!(
        control.verify_domain(&url, None).await.is_err(),
        "nothing served yet"
    );
    app.type_into("verification-file", &file).await?;
    app.click("verification-save").await?;
    app.wait_text("verification-serving", &file).await?;
    control.verify_domain(&url, None).await.map_err(|e| {
        anyhow::anyhow!("fake-google's Search Console fetches the file through the tunnel: {e}")
    })?;
    let origin = url.trim_end_matches("/notifications");
    let client = reqwest::Client::builder().no_proxy().build()?;
    let other = client
        .get(format!("{origin}/google0000000000000000.html"))
        .send()
        .await?;
    anyhow::ensure!(
        other.status() == 404,
        "another root path: {}",
        other.status()
    );
    let served = client
        .get(format!("{origin}/{file}"))
        .send()
        .await?
        .text()
        .await?;
    anyhow::ensure!(
        served == format!("google-site-verification: {file}"),
        "{served}"
    );

    // Watch again: accepted.
    app.click("nav-calendars").await?;
    for row in app.all("calendar-row").await? {
        if row.text().await?.contains("Work") {
            row.find(fantoccini::Locator::Css("[data-testid=\"watch-button\"]"))
                .await?
                .click()
                .await?;
            break;
        }
    }
    app.wait_text("calendar-watched", "").await?;
    anyhow::ensure!(
        live_work_channels(&control)
            .iter()
            .any(|c| c.address == url),
        "Google now delivers to the verified tunnel address"
    );
    app.quit().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tunnel_chosen_before_starts_again_with_calwatch() -> anyhow::Result<()> {
    let _one = ONE_AT_A_TIME.lock().await;
    e2e::require_desktop_session()?;
    let fake = seeded_google().await?;
    let control = fake.control();
    let dir = tempfile::tempdir()?;
    let tools = tunnel_tools_dir(dir.path(), &["cloudflared"])?;
    let env = env(&fake, dir.path(), &tools)?;
    let app = App::launch("tunnel-again", &env).await?;
    // The client secret from the environment is imported at start: sign-in needs it.
    app.wait_text("client-id", "calwatch-test.apps.googleusercontent.com")
        .await?;
    app.click("sign-in").await?;
    app.wait_text("account-email", &control.user_email())
        .await?;
    app.click("tunnel-start-cloudflared").await?;
    app.wait_attr("step-callback", "data-done", "true").await?;
    let first = tunnel_url(&app).await?;
    let pid = app.app_pid().context("the driver started the app")?;
    signal(pid, "TERM")?;
    wait_until("CalWatch quit", || !alive(pid)).await?;
    app.quit().await;

    // Started again: the same tool runs without a click, and its (new) address is the
    // callback URL.
    let again = App::launch("tunnel-again-2", &env).await?;
    again
        .wait_attr("tunnel-status", "data-state", "running")
        .await?;
    let second = tunnel_url(&again).await?;
    anyhow::ensure!(
        second != first,
        "a quick tunnel's address is new at every start"
    );
    again.wait_attr("callback-url", "value", &second).await?;
    let pid = again.app_pid().context("the driver started the app")?;
    anyhow::ensure!(
        tunnel_pid(pid).is_some(),
        "the tunnel is CalWatch's child again"
    );
    again.quit().await;
    Ok(())
}

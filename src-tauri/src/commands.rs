//! The window's commands (ui/CONTRACT.md). Each takes its arguments, calls one engine
//! method and maps the result; errors reach the window as `UiError {code, message}`.
//! Those that touch files, the network or fake-google are `async` (they run on the async
//! runtime, never on the main thread that draws the window) and log their failure in
//! their span, as a warning: most are the person's to fix, and the window says how.

use std::path::PathBuf;

use calwatch_core::engine::{CalendarRules, NoticeRules, PauseFor, SettingsPatch};
use calwatch_core::locale::{HourCycle, LanguageChoice};
use calwatch_core::store::CalendarKey;
use calwatch_core::tunnel::{ToolOffer, TunnelTool};
use serde::Deserialize;
use tauri::{AppHandle, Emitter as _, Manager as _, Runtime, State};

use crate::active::ActiveEngine;
use crate::sandbox::Sandbox;
use crate::views::{
    calendar_views, change_views, list_channel_views, local_tz, AppStateView, CalendarView,
    ChangeView, ChannelView, ListChannelView, ProbeReportView, SandboxEvent, UiError,
};

type Result<T> = std::result::Result<T, UiError>;

/// Every command, for `Builder::invoke_handler`.
pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        get_state,
        import_client_secret,
        pick_client_secret,
        sign_in,
        cancel_sign_in,
        sign_out,
        set_callback_url,
        check_callback,
        list_calendars,
        watch_calendar,
        unwatch_calendar,
        list_channels,
        renew_channel,
        stop_channel,
        list_calendar_list_channels,
        renew_list_channel,
        list_changes,
        clear_history,
        update_settings,
        pause,
        resume,
        set_calendar_rules,
        open_link,
        tunnel_tools,
        start_tunnel,
        stop_tunnel,
        sandbox_start,
        sandbox_stop,
        sandbox_events,
        sandbox_create_event,
        sandbox_update_event,
        sandbox_delete_event,
    ]
}

/// Async, as it asks the desktop whether the login item exists (a file).
#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn get_state(active: State<'_, ActiveEngine>) -> Result<AppStateView> {
    Ok(active.app_state())
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn import_client_secret(
    active: State<'_, ActiveEngine>,
    path: PathBuf,
) -> Result<AppStateView> {
    let path = expand_home(path, std::env::var_os("HOME").map(PathBuf::from));
    active.engine().import_client_secret(&path).await?;
    Ok(active.app_state())
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn pick_client_secret(active: State<'_, ActiveEngine>) -> Result<AppStateView> {
    // The native picker blocks until the person chooses: keep it off the async workers.
    let desktop = std::sync::Arc::clone(active.desktop());
    let picked = tauri::async_runtime::spawn_blocking(move || desktop.pick_client_secret())
        .await
        .map_err(|e| {
            let reason = e.to_string();
            UiError::new(
                "internal",
                calwatch_core::locale::current()
                    .text("shell-picker-failed", &[("reason", reason.into())]),
            )
        })?;
    if let Some(path) = picked {
        active.engine().import_client_secret(&path).await?;
    }
    Ok(active.app_state())
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn sign_in(active: State<'_, ActiveEngine>) -> Result<AppStateView> {
    active.engine().sign_in(active.opener()).await?;
    Ok(active.app_state())
}

#[tauri::command]
pub fn cancel_sign_in(active: State<'_, ActiveEngine>) {
    active.engine().cancel_sign_in();
}

/// `account`: the account to sign out (every account when absent); `delete_history`: the
/// window's "Also delete this account's history" (on unless unticked).
#[tauri::command]
#[tracing::instrument(skip(active, account), err(level = "warn"))]
pub async fn sign_out(
    active: State<'_, ActiveEngine>,
    account: Option<String>,
    delete_history: Option<bool>,
) -> Result<AppStateView> {
    let delete_history = delete_history.unwrap_or(false);
    match account {
        Some(account) => {
            active
                .engine()
                .sign_out_account(&account, delete_history)
                .await?
        }
        None => active.engine().sign_out_with(delete_history).await?,
    }
    Ok(active.app_state())
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn set_callback_url(
    active: State<'_, ActiveEngine>,
    url: String,
) -> Result<AppStateView> {
    active.engine().set_callback_url(&url).await?;
    Ok(active.app_state())
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn check_callback(active: State<'_, ActiveEngine>) -> Result<ProbeReportView> {
    Ok(active.engine().check_callback().await?.into())
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn list_calendars(active: State<'_, ActiveEngine>) -> Result<Vec<CalendarView>> {
    let engine = active.engine();
    let calendars = engine.refresh_calendars().await?;
    Ok(calendar_views(
        calendars,
        &engine.all_calendar_rules()?,
        &engine.gone_reasons()?,
    ))
}

/// A calendar's row in Calendars: mute, kinds of change, within N days. Returns the
/// calendars as stored (no call to Google).
#[tauri::command]
#[tracing::instrument(skip(active, account), err(level = "warn"))]
pub async fn set_calendar_rules(
    active: State<'_, ActiveEngine>,
    account: String,
    calendar_id: String,
    rules: CalendarRules,
) -> Result<Vec<CalendarView>> {
    let engine = active.engine();
    engine.set_calendar_rules(&CalendarKey::new(account, calendar_id), rules)?;
    Ok(calendar_views(
        engine.calendars()?,
        &engine.all_calendar_rules()?,
        &engine.gone_reasons()?,
    ))
}

/// The tray's and the window's "Pause for 1 hour / until tomorrow / until I resume".
#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn pause(active: State<'_, ActiveEngine>, length: PauseFor) -> Result<AppStateView> {
    active.engine().pause(length)?;
    Ok(active.app_state())
}

/// The paused note's Resume: the digest follows for a pause that had an end.
#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn resume(active: State<'_, ActiveEngine>) -> Result<AppStateView> {
    active.engine().resume()?;
    Ok(active.app_state())
}

#[tauri::command]
#[tracing::instrument(skip(active, account), err(level = "warn"))]
pub async fn watch_calendar(
    active: State<'_, ActiveEngine>,
    account: String,
    calendar_id: String,
) -> Result<ChannelView> {
    let engine = active.engine();
    let channel = engine
        .watch(&CalendarKey::new(account, calendar_id))
        .await?;
    Ok(channel_view(&engine, channel).await)
}

#[tauri::command]
#[tracing::instrument(skip(active, account), err(level = "warn"))]
pub async fn unwatch_calendar(
    active: State<'_, ActiveEngine>,
    account: String,
    calendar_id: String,
) -> Result<()> {
    Ok(active
        .engine()
        .unwatch(&CalendarKey::new(account, calendar_id))
        .await?)
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn list_channels(active: State<'_, ActiveEngine>) -> Result<Vec<ChannelView>> {
    crate::events::channels(&active.engine()).await
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn renew_channel(
    active: State<'_, ActiveEngine>,
    channel_id: String,
) -> Result<ChannelView> {
    let engine = active.engine();
    let channel = engine.renew(&channel_id).await?;
    Ok(channel_view(&engine, channel).await)
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn stop_channel(active: State<'_, ActiveEngine>, channel_id: String) -> Result<()> {
    Ok(active.engine().stop_channel(&channel_id).await?)
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn list_calendar_list_channels(
    active: State<'_, ActiveEngine>,
) -> Result<Vec<ListChannelView>> {
    Ok(list_channel_views(active.engine().list_channels()?))
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn renew_list_channel(
    active: State<'_, ActiveEngine>,
    channel_id: String,
) -> Result<ListChannelView> {
    Ok(active
        .engine()
        .renew_list_channel(&channel_id)
        .await?
        .into())
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn list_changes(
    active: State<'_, ActiveEngine>,
    limit: usize,
) -> Result<Vec<ChangeView>> {
    let changes = active.engine().recent_changes(limit)?;
    Ok(change_views(&changes, local_tz()))
}

/// Settings → "Clear history"; returns what is left (changes not shown yet), newest first.
#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn clear_history(
    active: State<'_, ActiveEngine>,
    limit: usize,
) -> Result<Vec<ChangeView>> {
    let engine = active.engine();
    engine.clear_history()?;
    Ok(change_views(&engine.recent_changes(limit)?, local_tz()))
}

/// `Partial<Settings>` from the window.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsInput {
    /// Pause toasts.
    pub paused: Option<bool>,
    /// Start at login (the shell's, via the autostart plugin).
    pub start_at_login: Option<bool>,
    /// Summary toast threshold.
    pub summary_threshold: Option<usize>,
    /// Backstop sync interval; 0 is off.
    pub backstop_minutes: Option<u64>,
    /// The receiver's port (the engine rebinds).
    pub receiver_port: Option<u16>,
    /// While push is down, how often Google is checked, in minutes.
    pub push_down_poll_minutes: Option<u64>,
    /// The domain verification file's name (`google<hex>.html`); empty stops serving it.
    pub site_verification_file: Option<String>,
    /// The noise rules everywhere, quiet hours included.
    pub notices: Option<NoticeRules>,
    /// The language: `system`, `english` or `korean`.
    pub language: Option<LanguageChoice>,
    /// `automatic`, `h12` or `h24`.
    pub hour_cycle: Option<HourCycle>,
    /// Watch calendars newly shared with an account at once instead of offering them.
    pub watch_new_calendars: Option<bool>,
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn update_settings(
    active: State<'_, ActiveEngine>,
    settings: SettingsInput,
) -> Result<AppStateView> {
    if let Some(on) = settings.start_at_login {
        active
            .desktop()
            .set_start_at_login(on)
            .map_err(|e| UiError::new("internal", e))?;
    }
    let patch = SettingsPatch {
        paused: settings.paused,
        notices: settings.notices,
        summary_threshold: settings.summary_threshold,
        backstop_minutes: settings.backstop_minutes,
        receiver_port: settings.receiver_port,
        push_down_poll_minutes: settings.push_down_poll_minutes,
        site_verification_file: settings.site_verification_file,
        language: settings.language,
        hour_cycle: settings.hour_cycle,
        watch_new_calendars: settings.watch_new_calendars,
    };
    active.engine().update_settings(patch).await?;
    Ok(active.app_state())
}

/// `~/…` as the person's home, as a shell would read it (a typed path, not a picked one).
pub fn expand_home(path: PathBuf, home: Option<PathBuf>) -> PathBuf {
    match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path,
    }
}

/// The tunnel tools Setup offers, installed or not, with the command for this receiver.
#[tauri::command]
#[tracing::instrument(skip(active))]
pub async fn tunnel_tools(active: State<'_, ActiveEngine>) -> Result<Vec<ToolOffer>> {
    let port = receiver_port(&active);
    Ok(calwatch_core::tunnel::detect(port, None))
}

/// "Get a public address for me": starts `tool`, waits for its address and makes it the
/// callback URL (moving the channels); the window then offers Test.
#[tauri::command]
#[tracing::instrument(skip(app, active), err(level = "warn"))]
pub async fn start_tunnel<R: Runtime>(
    app: AppHandle<R>,
    active: State<'_, ActiveEngine>,
    tool: TunnelTool,
) -> Result<AppStateView> {
    let port = receiver_port(&active);
    let sink = address_sink(app.clone());
    let redraw = app.clone();
    let on_change = std::sync::Arc::new(move || {
        if let Some(active) = redraw.try_state::<ActiveEngine>() {
            let _ = redraw.emit(crate::events::STATE, active.app_state());
        }
    });
    active
        .tunnels()
        .start(tool, port, sink, on_change)
        .await
        .map_err(|problem| {
            let locale = calwatch_core::locale::current();
            UiError::new(
                "tunnel",
                calwatch_core::error::tunnel_problem_in(&problem, &locale),
            )
        })?;
    Ok(active.app_state())
}

/// Starts again the tunnel chosen before CalWatch last quit, in the background (at start).
pub fn restart_remembered_tunnel<R: Runtime>(app: &AppHandle<R>) {
    let Some(active) = app.try_state::<ActiveEngine>() else {
        return;
    };
    let Some(tool) = active.tunnels().chosen() else {
        return;
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(active) = app.try_state::<ActiveEngine>() else {
            return;
        };
        tracing::info!(tool = tool.program(), "starting the tunnel chosen before");
        if let Err(err) = start_tunnel(app.clone(), active, tool).await {
            tracing::warn!(error = %err.message, "the tunnel chosen before did not start");
            let _ = app.emit(crate::events::ERROR, err);
        }
    });
}

/// Ends the tunnel CalWatch started (the callback URL stays as it was).
#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn stop_tunnel(active: State<'_, ActiveEngine>) -> Result<AppStateView> {
    active.tunnels().stop().await;
    Ok(active.app_state())
}

/// The receiver's port as it listens (or is asked to).
fn receiver_port(active: &ActiveEngine) -> u16 {
    let state = active.engine().snapshot();
    state
        .receiver
        .address
        .parse::<std::net::SocketAddr>()
        .map(|a| a.port())
        .unwrap_or(state.settings.receiver_port)
}

/// Each address the tunnel gives becomes the engine's callback URL (the engine in use
/// then, which moves its channels there); a refusal reaches the window as an error.
fn address_sink<R: Runtime>(app: AppHandle<R>) -> calwatch_core::tunnel::AddressSink {
    std::sync::Arc::new(move |url: String| {
        let app = app.clone();
        Box::pin(async move {
            let Some(active) = app.try_state::<ActiveEngine>() else {
                return;
            };
            let engine = active.engine();
            if let Err(err) = engine.set_callback_url(&url).await {
                tracing::warn!(code = err.code(), error = %err, "the tunnel's address was refused");
                let _ = app.emit(crate::events::ERROR, UiError::from(err));
                return;
            }
            // Deliveries Google made while the tunnel was down or moving went nowhere: sync
            // every watched calendar now, told as pushed changes are (the person was not
            // away), once each (the sync token), also one a moved channel delivers again.
            for calendar in engine.calendars().unwrap_or_default() {
                if calendar.watched {
                    let engine = engine.clone();
                    tokio::spawn(async move {
                        if let Err(err) = engine.sync_now(&calendar.key()).await {
                            tracing::debug!(
                                code = err.code(),
                                "the sync after a tunnel move failed; its retry follows"
                            );
                        }
                    });
                }
            }
            // And is push working through the new address? In the background: the window
            // is waiting for the address, not for the verdict.
            tokio::spawn(async move {
                engine.recheck_push().await;
            });
        })
    })
}

/// True for `https://` URLs: the only links the window may open.
pub fn is_https(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.scheme() == "https")
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn open_link(active: State<'_, ActiveEngine>, url: String) -> Result<()> {
    if !is_https(&url) {
        return Err(UiError::new(
            "internal",
            calwatch_core::locale::current().text("shell-https-only", &[]),
        ));
    }
    active
        .desktop()
        .open_url(&url)
        .map_err(|e| UiError::new("internal", e))
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn sandbox_start(active: State<'_, ActiveEngine>) -> Result<AppStateView> {
    active.start_sandbox().await?;
    Ok(active.app_state())
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn sandbox_stop(active: State<'_, ActiveEngine>) -> Result<AppStateView> {
    active.stop_sandbox().await?;
    Ok(active.app_state())
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn sandbox_events(active: State<'_, ActiveEngine>) -> Result<Vec<SandboxEvent>> {
    let sandbox = running(&active)?;
    let calendars = active.engine().calendars()?;
    let ids: Vec<String> = calendars.into_iter().map(|c| c.id).collect();
    Ok(sandbox.events(&ids))
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn sandbox_create_event(
    active: State<'_, ActiveEngine>,
    calendar_id: String,
    summary: String,
    start: String,
    end: String,
    all_day: bool,
) -> Result<SandboxEvent> {
    running(&active)?.create_event(&calendar_id, &summary, &start, &end, all_day)
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn sandbox_update_event(
    active: State<'_, ActiveEngine>,
    calendar_id: String,
    event_id: String,
    summary: Option<String>,
    start: Option<String>,
    end: Option<String>,
) -> Result<SandboxEvent> {
    running(&active)?.update_event(
        &calendar_id,
        &event_id,
        summary.as_deref(),
        start.as_deref(),
        end.as_deref(),
    )
}

#[tauri::command]
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn sandbox_delete_event(
    active: State<'_, ActiveEngine>,
    calendar_id: String,
    event_id: String,
) -> Result<()> {
    running(&active)?.delete_event(&calendar_id, &event_id)
}

fn running(active: &ActiveEngine) -> Result<std::sync::Arc<Sandbox>> {
    active.sandbox().ok_or_else(|| {
        UiError::new(
            "sandbox",
            calwatch_core::locale::current().text("shell-sandbox-not-running", &[]),
        )
    })
}

async fn channel_view(
    engine: &calwatch_core::engine::Engine,
    channel: calwatch_core::store::ChannelRecord,
) -> ChannelView {
    // Only for the calendar's name; a failure here must not fail the watch that worked.
    let calendars = engine.calendars().unwrap_or_default();
    ChannelView::new(channel, &crate::views::calendar_names(&calendars))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_path_under_the_home_folder_is_expanded() {
        let home = Some(PathBuf::from("/home/ada"));
        assert_eq!(
            expand_home(
                PathBuf::from("~/Downloads/client_secret.json"),
                home.clone()
            ),
            PathBuf::from("/home/ada/Downloads/client_secret.json")
        );
        assert_eq!(
            expand_home(PathBuf::from("/tmp/~/x.json"), home.clone()),
            PathBuf::from("/tmp/~/x.json"),
            "only a leading ~/ is the home folder"
        );
        assert_eq!(
            expand_home(PathBuf::from("~other/x.json"), home),
            PathBuf::from("~other/x.json"),
            "another user's ~name is left alone"
        );
    }
}

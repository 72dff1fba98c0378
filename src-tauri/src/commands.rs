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
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::active::ActiveEngine;
use crate::sandbox::Sandbox;
use crate::shell::Shell;
use crate::tray::MenuAction;
use crate::views::{
    calendar_views, change_views, list_channel_views, local_tz, AppStateView, CalendarView,
    ChangeView, ChannelView, ListChannelView, ProbeReportView, SandboxEvent, UiError,
};

type Result<T> = std::result::Result<T, UiError>;

/// Runs the window's command `command` with its arguments (an object, keys in camelCase
/// as the window sends them) and answers with its result as JSON. Every window, in this
/// process or another, comes through here.
pub async fn call(shell: &Arc<Shell>, command: &str, args: Value) -> Result<Value> {
    let a = Args(args);
    if command == "start_tunnel" {
        return answer(start_tunnel(shell, a.get("tool")?).await);
    }
    let active = running_engine(shell)?;
    match command {
        "get_state" => answer(get_state(active).await),
        "import_client_secret" => answer(import_client_secret(active, a.get("path")?).await),
        "sign_in" => answer(sign_in(active).await),
        "cancel_sign_in" => {
            cancel_sign_in(active);
            answer(Ok(()))
        }
        "sign_out" => answer(sign_out(active, a.get("account")?, a.get("deleteHistory")?).await),
        "set_callback_url" => answer(set_callback_url(active, a.get("url")?).await),
        "check_callback" => answer(check_callback(active).await),
        "list_calendars" => answer(list_calendars(active).await),
        "watch_calendar" => {
            answer(watch_calendar(active, a.get("account")?, a.get("calendarId")?).await)
        }
        "unwatch_calendar" => {
            answer(unwatch_calendar(active, a.get("account")?, a.get("calendarId")?).await)
        }
        "list_channels" => answer(list_channels(active).await),
        "renew_channel" => answer(renew_channel(active, a.get("channelId")?).await),
        "stop_channel" => answer(stop_channel(active, a.get("channelId")?).await),
        "list_calendar_list_channels" => answer(list_calendar_list_channels(active).await),
        "renew_list_channel" => answer(renew_list_channel(active, a.get("channelId")?).await),
        "list_changes" => answer(list_changes(active, a.get("limit")?).await),
        "clear_history" => answer(clear_history(active, a.get("limit")?).await),
        "update_settings" => answer(update_settings(active, a.get("settings")?).await),
        "pause" => answer(pause(active, a.get("length")?).await),
        "resume" => answer(resume(active).await),
        "set_calendar_rules" => answer(
            set_calendar_rules(
                active,
                a.get("account")?,
                a.get("calendarId")?,
                a.get("rules")?,
            )
            .await,
        ),
        "open_link" => answer(open_link(active, a.get("url")?).await),
        "tunnel_tools" => answer(tunnel_tools(active).await),
        "stop_tunnel" => answer(stop_tunnel(active).await),
        "sandbox_start" => answer(sandbox_start(active).await),
        "sandbox_stop" => answer(sandbox_stop(active).await),
        "sandbox_events" => answer(sandbox_events(active).await),
        "sandbox_create_event" => answer(
            sandbox_create_event(
                active,
                a.get("calendarId")?,
                a.get("summary")?,
                a.get("start")?,
                a.get("end")?,
                a.get("allDay")?,
            )
            .await,
        ),
        "sandbox_update_event" => answer(
            sandbox_update_event(
                active,
                a.get("calendarId")?,
                a.get("eventId")?,
                a.get("summary")?,
                a.get("start")?,
                a.get("end")?,
            )
            .await,
        ),
        "sandbox_delete_event" => {
            answer(sandbox_delete_event(active, a.get("calendarId")?, a.get("eventId")?).await)
        }
        other => Err(internal(format!("no command “{other}”"))),
    }
}

/// A command's arguments as the window sent them.
struct Args(Value);

impl Args {
    /// The argument `name`; absent reads as `null` (so an `Option` is `None`).
    fn get<T: DeserializeOwned>(&self, name: &str) -> Result<T> {
        let value = self.0.get(name).cloned().unwrap_or(Value::Null);
        serde_json::from_value(value).map_err(|err| internal(format!("“{name}”: {err}")))
    }
}

/// A command's result as the window reads it.
fn answer<T: serde::Serialize>(result: Result<T>) -> Result<Value> {
    let value = result?;
    serde_json::to_value(value).map_err(|err| internal(err.to_string()))
}

/// A failure between the window and the engine (a bug, never the person's doing).
fn internal(reason: String) -> UiError {
    tracing::error!(%reason, "a command failed between the window and the engine");
    UiError::new(
        "internal",
        calwatch_core::locale::current().text("shell-bad-command", &[("reason", reason.into())]),
    )
}

/// The engine in use; only a failed start leaves none, and then no window asks.
fn running_engine(shell: &Shell) -> Result<&ActiveEngine> {
    shell.active().ok_or_else(not_running)
}

/// What a command hears when no engine runs to answer it.
pub fn not_running() -> UiError {
    UiError::new(
        "internal",
        calwatch_core::locale::current().text("shell-cannot-start", &[]),
    )
}

/// Does what the tray's menu item asks. Failures reach the window as `calwatch://error`.
pub async fn tray_action(shell: &Arc<Shell>, action: MenuAction) {
    let Some(active) = shell.active() else {
        return;
    };
    let result: Result<()> = match action {
        MenuAction::Open => {
            shell.surface().open_window();
            Ok(())
        }
        MenuAction::Pause(length) => active.engine().pause(length).map_err(UiError::from),
        MenuAction::Resume => active.engine().resume().map_err(UiError::from),
        MenuAction::ToggleStartAtLogin => {
            let on = active.desktop().start_at_login();
            let result = active
                .desktop()
                .set_start_at_login(!on)
                .map_err(|e| UiError::new("internal", e));
            shell.emit(crate::events::STATE, &active.app_state());
            result
        }
        MenuAction::Quit => {
            shell.quit(0).await;
            Ok(())
        }
    };
    if let Err(err) = result {
        tracing::warn!(code = %err.code, error = %err.message, "a tray action failed");
        shell.emit(crate::events::ERROR, &err);
    }
    // A click may flip a check mark by itself, whatever came of the action: the tray is
    // set from the truth again.
    shell.refresh_tray();
}

/// Async, as it asks the desktop whether the login item exists (a file).
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn get_state(active: &ActiveEngine) -> Result<AppStateView> {
    Ok(active.app_state())
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn import_client_secret(active: &ActiveEngine, path: PathBuf) -> Result<AppStateView> {
    let path = expand_home(path, std::env::var_os("HOME").map(PathBuf::from));
    active.engine().import_client_secret(&path).await?;
    Ok(active.app_state())
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn sign_in(active: &ActiveEngine) -> Result<AppStateView> {
    active.engine().sign_in(active.opener()).await?;
    Ok(active.app_state())
}

pub fn cancel_sign_in(active: &ActiveEngine) {
    active.engine().cancel_sign_in();
}

/// `account`: the account to sign out (every account when absent); `delete_history`: the
/// window's "Also delete this account's history" (on unless unticked).
#[tracing::instrument(skip(active, account), err(level = "warn"))]
pub async fn sign_out(
    active: &ActiveEngine,
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

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn set_callback_url(active: &ActiveEngine, url: String) -> Result<AppStateView> {
    active.engine().set_callback_url(&url).await?;
    Ok(active.app_state())
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn check_callback(active: &ActiveEngine) -> Result<ProbeReportView> {
    Ok(active.engine().check_callback().await?.into())
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn list_calendars(active: &ActiveEngine) -> Result<Vec<CalendarView>> {
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
#[tracing::instrument(skip(active, account), err(level = "warn"))]
pub async fn set_calendar_rules(
    active: &ActiveEngine,
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
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn pause(active: &ActiveEngine, length: PauseFor) -> Result<AppStateView> {
    active.engine().pause(length)?;
    Ok(active.app_state())
}

/// The paused note's Resume: the digest follows for a pause that had an end.
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn resume(active: &ActiveEngine) -> Result<AppStateView> {
    active.engine().resume()?;
    Ok(active.app_state())
}

#[tracing::instrument(skip(active, account), err(level = "warn"))]
pub async fn watch_calendar(
    active: &ActiveEngine,
    account: String,
    calendar_id: String,
) -> Result<ChannelView> {
    let engine = active.engine();
    let channel = engine
        .watch(&CalendarKey::new(account, calendar_id))
        .await?;
    Ok(channel_view(&engine, channel).await)
}

#[tracing::instrument(skip(active, account), err(level = "warn"))]
pub async fn unwatch_calendar(
    active: &ActiveEngine,
    account: String,
    calendar_id: String,
) -> Result<()> {
    Ok(active
        .engine()
        .unwatch(&CalendarKey::new(account, calendar_id))
        .await?)
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn list_channels(active: &ActiveEngine) -> Result<Vec<ChannelView>> {
    crate::views::channels(&active.engine())
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn renew_channel(active: &ActiveEngine, channel_id: String) -> Result<ChannelView> {
    let engine = active.engine();
    let channel = engine.renew(&channel_id).await?;
    Ok(channel_view(&engine, channel).await)
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn stop_channel(active: &ActiveEngine, channel_id: String) -> Result<()> {
    Ok(active.engine().stop_channel(&channel_id).await?)
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn list_calendar_list_channels(active: &ActiveEngine) -> Result<Vec<ListChannelView>> {
    Ok(list_channel_views(active.engine().list_channels()?))
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn renew_list_channel(
    active: &ActiveEngine,
    channel_id: String,
) -> Result<ListChannelView> {
    Ok(active
        .engine()
        .renew_list_channel(&channel_id)
        .await?
        .into())
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn list_changes(active: &ActiveEngine, limit: usize) -> Result<Vec<ChangeView>> {
    let changes = active.engine().recent_changes(limit)?;
    Ok(change_views(&changes, local_tz()))
}

/// Settings → "Clear history"; returns what is left (changes not shown yet), newest first.
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn clear_history(active: &ActiveEngine, limit: usize) -> Result<Vec<ChangeView>> {
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

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn update_settings(
    active: &ActiveEngine,
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
#[tracing::instrument(skip(active))]
pub async fn tunnel_tools(active: &ActiveEngine) -> Result<Vec<ToolOffer>> {
    let port = receiver_port(active);
    Ok(calwatch_core::tunnel::detect(port, None))
}

/// "Get a public address for me": starts `tool`, waits for its address and makes it the
/// callback URL (moving the channels); the window then offers Test.
#[tracing::instrument(skip(shell), err(level = "warn"))]
pub async fn start_tunnel(shell: &Arc<Shell>, tool: TunnelTool) -> Result<AppStateView> {
    let active = running_engine(shell)?;
    let port = receiver_port(active);
    let sink = address_sink(Arc::downgrade(shell));
    let redraw = Arc::downgrade(shell);
    let on_change = Arc::new(move || {
        if let Some(shell) = redraw.upgrade() {
            if let Some(active) = shell.active() {
                shell.emit(crate::events::STATE, &active.app_state());
            }
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
pub fn restart_remembered_tunnel(shell: &Arc<Shell>) {
    let Some(tool) = shell.active().and_then(|active| active.tunnels().chosen()) else {
        return;
    };
    let app = Arc::clone(shell);
    shell.spawn(async move {
        tracing::info!(tool = tool.program(), "starting the tunnel chosen before");
        if let Err(err) = start_tunnel(&app, tool).await {
            tracing::warn!(error = %err.message, "the tunnel chosen before did not start");
            app.emit(crate::events::ERROR, &err);
        }
    });
}

/// Ends the tunnel CalWatch started (the callback URL stays as it was).
#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn stop_tunnel(active: &ActiveEngine) -> Result<AppStateView> {
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
fn address_sink(shell: std::sync::Weak<Shell>) -> calwatch_core::tunnel::AddressSink {
    Arc::new(move |url: String| {
        let shell = shell.clone();
        Box::pin(async move {
            let Some(app) = shell.upgrade() else {
                return;
            };
            let Some(engine) = app.active().map(ActiveEngine::engine) else {
                return;
            };
            if let Err(err) = engine.set_callback_url(&url).await {
                tracing::warn!(code = err.code(), error = %err, "the tunnel's address was refused");
                app.emit(crate::events::ERROR, &UiError::from(err));
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

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn open_link(active: &ActiveEngine, url: String) -> Result<()> {
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

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn sandbox_start(active: &ActiveEngine) -> Result<AppStateView> {
    active.start_sandbox().await?;
    Ok(active.app_state())
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn sandbox_stop(active: &ActiveEngine) -> Result<AppStateView> {
    active.stop_sandbox().await?;
    Ok(active.app_state())
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn sandbox_events(active: &ActiveEngine) -> Result<Vec<SandboxEvent>> {
    let sandbox = running(active)?;
    let calendars = active.engine().calendars()?;
    let ids: Vec<String> = calendars.into_iter().map(|c| c.id).collect();
    Ok(sandbox.events(&ids))
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn sandbox_create_event(
    active: &ActiveEngine,
    calendar_id: String,
    summary: String,
    start: String,
    end: String,
    all_day: bool,
) -> Result<SandboxEvent> {
    running(active)?.create_event(&calendar_id, &summary, &start, &end, all_day)
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn sandbox_update_event(
    active: &ActiveEngine,
    calendar_id: String,
    event_id: String,
    summary: Option<String>,
    start: Option<String>,
    end: Option<String>,
) -> Result<SandboxEvent> {
    running(active)?.update_event(
        &calendar_id,
        &event_id,
        summary.as_deref(),
        start.as_deref(),
        end.as_deref(),
    )
}

#[tracing::instrument(skip(active), err(level = "warn"))]
pub async fn sandbox_delete_event(
    active: &ActiveEngine,
    calendar_id: String,
    event_id: String,
) -> Result<()> {
    running(active)?.delete_event(&calendar_id, &event_id)
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

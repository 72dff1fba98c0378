//! Forwards the engine's broadcasts to the window (`calwatch://…` events, with the views of
//! ui/CONTRACT.md). The tray follows the same events (see `tray::build`).

use calwatch_core::engine::{Engine, EngineEvent};
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter as _, Manager as _, Runtime};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;

use crate::active::ActiveEngine;
use crate::views::{
    calendar_views, change_views, channel_views, list_channel_views, local_tz, UiError,
};

/// AppState, whenever anything in it changes.
pub const STATE: &str = "calwatch://state";
/// ChannelView[], whenever a channel changes state.
pub const CHANNELS: &str = "calwatch://channels";
/// ListChannelView[], whenever a calendar-list channel changes (sent with CHANNELS).
pub const LIST_CHANNELS: &str = "calwatch://list-channels";
/// ChangeView[], the new ones, newest first.
pub const CHANGES: &str = "calwatch://changes";
/// CalendarView[].
pub const CALENDARS: &str = "calwatch://calendars";
/// UiError, for failures no command is waiting on.
pub const ERROR: &str = "calwatch://error";
/// The view to show ('activity', 'setup', …), e.g. after a summary toast was clicked.
pub const NAVIGATE: &str = "calwatch://navigate";
/// number[]: the ids of the changes Activity shows alone (a digest toast was clicked).
pub const SHOW_CHANGES: &str = "calwatch://show-changes";

/// How many recent changes a window that fell behind is sent again: as many as its
/// Activity list loads at start (`CHANGE_HISTORY_LIMIT` in ui/src/lib/store.svelte.ts).
const CATCH_UP_CHANGES: usize = 200;

/// Forwards `engine`'s events until the task is aborted (the engine was swapped out) or
/// the engine shuts down. Starts by publishing everything, so the window redraws from
/// this engine.
pub fn forward<R: Runtime>(app: AppHandle<R>, engine: Engine) -> JoinHandle<()> {
    let events = engine.subscribe();
    forward_from(app, engine, events)
}

/// [`forward`] from a subscription taken earlier (tests hand it one that already lagged).
pub fn forward_from<R: Runtime>(
    app: AppHandle<R>,
    engine: Engine,
    mut events: Receiver<EngineEvent>,
) -> JoinHandle<()> {
    tauri::async_runtime::spawn(async move {
        publish_all(&app, &engine).await;
        loop {
            match events.recv().await {
                Ok(event) => publish(&app, &engine, event).await,
                // Missed some: everything is re-read, so nothing stays stale.
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(missed, "the window fell behind the engine's events");
                    publish_all(&app, &engine).await;
                    publish_recent_changes(&app, &engine).await;
                }
                Err(RecvError::Closed) => break,
            }
        }
    })
}

async fn publish_all<R: Runtime>(app: &AppHandle<R>, engine: &Engine) {
    for event in [
        EngineEvent::State,
        EngineEvent::Channels,
        EngineEvent::Calendars,
    ] {
        publish(app, engine, event).await;
    }
}

/// The changes a window that fell behind may have missed: the recent ones again (it
/// merges them by id, so those it has are not doubled).
async fn publish_recent_changes<R: Runtime>(app: &AppHandle<R>, engine: &Engine) {
    match engine.recent_changes(CATCH_UP_CHANGES) {
        Ok(changes) => publish(app, engine, EngineEvent::Changes(changes)).await,
        Err(err) => tracing::debug!(code = err.code(), "recent changes not forwarded"),
    }
}

async fn publish<R: Runtime>(app: &AppHandle<R>, engine: &Engine, event: EngineEvent) {
    let sent = match event {
        EngineEvent::State => match app.try_state::<ActiveEngine>() {
            Some(active) => app.emit(STATE, active.app_state()),
            None => Ok(()),
        },
        // A list that cannot be read now (e.g. nobody signed in yet) is not news for the
        // window: it asks again when it shows the list, and the engine reports real
        // failures as `Error` events of their own.
        EngineEvent::Channels => {
            match engine.list_channels() {
                Ok(lists) => {
                    if let Err(err) = app.emit(LIST_CHANNELS, list_channel_views(lists)) {
                        tracing::debug!(error = %err, "an event could not reach the window");
                    }
                }
                Err(err) => tracing::debug!(code = err.code(), "list channels not forwarded"),
            }
            match channels(engine).await {
                Ok(views) => app.emit(CHANNELS, views),
                Err(err) => {
                    tracing::debug!(code = %err.code, "channels not forwarded");
                    Ok(())
                }
            }
        }
        EngineEvent::Calendars => match engine.calendars() {
            Ok(calendars) => app.emit(
                CALENDARS,
                calendar_views(
                    calendars,
                    &engine.all_calendar_rules().unwrap_or_default(),
                    &engine.gone_reasons().unwrap_or_default(),
                ),
            ),
            Err(err) => {
                tracing::debug!(code = err.code(), "calendars not forwarded");
                Ok(())
            }
        },
        EngineEvent::Changes(mut changes) => {
            changes.sort_by_key(|c| std::cmp::Reverse(c.id));
            app.emit(CHANGES, change_views(&changes, local_tz()))
        }
        // The window reads push health from AppState; the tray follows the same event.
        EngineEvent::PushHealth(_) => match app.try_state::<ActiveEngine>() {
            Some(active) => app.emit(STATE, active.app_state()),
            None => Ok(()),
        },
        EngineEvent::Error(err) => {
            tracing::warn!(code = err.code(), error = %err, "background failure");
            app.emit(ERROR, UiError::from(err))
        }
    };
    if let Err(err) = sent {
        tracing::debug!(error = %err, "an event could not reach the window");
    }
}

/// The channel views, with their calendars' names (ids stand in when the calendar list
/// cannot be read).
pub async fn channels(engine: &Engine) -> Result<Vec<crate::views::ChannelView>, UiError> {
    let channels = engine.channels()?;
    let calendars = engine.calendars().unwrap_or_default();
    Ok(channel_views(channels, &calendars))
}

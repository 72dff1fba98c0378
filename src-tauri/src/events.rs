//! Forwards the engine's broadcasts to the window (`calwatch://…` events, with the views of
//! ui/CONTRACT.md). The tray is refreshed with the state and the channels.

use std::sync::{Arc, Weak};

use calwatch_core::engine::{Engine, EngineEvent};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use tokio::task::JoinHandle;

use crate::shell::Shell;
use crate::views::{calendar_views, change_views, list_channel_views, local_tz, UiError};

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
pub fn forward(shell: Weak<Shell>, engine: Engine) -> JoinHandle<()> {
    let events = engine.subscribe();
    forward_from(shell, engine, events)
}

/// [`forward`] from a subscription taken earlier (tests hand it one that already lagged).
/// The shell is held weakly: it owns the engine, whose events end with it.
pub fn forward_from(
    shell: Weak<Shell>,
    engine: Engine,
    mut events: Receiver<EngineEvent>,
) -> JoinHandle<()> {
    let Some(owner) = shell.upgrade() else {
        // Quitting: nothing is left to tell.
        return tokio::spawn(async {});
    };
    owner.spawn(async move {
        let Some(app) = shell.upgrade() else { return };
        publish_all(&app, &engine).await;
        drop(app);
        loop {
            let event = events.recv().await;
            let Some(app) = shell.upgrade() else { break };
            match event {
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

async fn publish_all(app: &Arc<Shell>, engine: &Engine) {
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
async fn publish_recent_changes(app: &Arc<Shell>, engine: &Engine) {
    match engine.recent_changes(CATCH_UP_CHANGES) {
        Ok(changes) => publish(app, engine, EngineEvent::Changes(changes)).await,
        Err(err) => tracing::debug!(code = err.code(), "recent changes not forwarded"),
    }
}

async fn publish(app: &Arc<Shell>, engine: &Engine, event: EngineEvent) {
    match event {
        // The window reads push health from AppState; the tray follows the same event.
        EngineEvent::State | EngineEvent::PushHealth(_) => {
            if let Some(active) = app.active() {
                app.emit(STATE, &active.app_state());
            }
            // The tray shows the same state.
            app.refresh_tray();
        }
        // A list that cannot be read now (e.g. nobody signed in yet) is not news for the
        // window: it asks again when it shows the list, and the engine reports real
        // failures as `Error` events of their own.
        EngineEvent::Channels => {
            match engine.list_channels() {
                Ok(lists) => app.emit(LIST_CHANNELS, &list_channel_views(lists)),
                Err(err) => tracing::debug!(code = err.code(), "list channels not forwarded"),
            }
            match crate::views::channels(engine) {
                Ok(views) => app.emit(CHANNELS, &views),
                Err(err) => tracing::debug!(code = %err.code, "channels not forwarded"),
            }
            // The tray says when the next renewal is, and whether a channel failed.
            app.refresh_tray();
        }
        EngineEvent::Calendars => match engine.calendars() {
            Ok(calendars) => app.emit(
                CALENDARS,
                &calendar_views(
                    calendars,
                    &engine.all_calendar_rules().unwrap_or_default(),
                    &engine.gone_reasons().unwrap_or_default(),
                ),
            ),
            Err(err) => tracing::debug!(code = err.code(), "calendars not forwarded"),
        },
        EngineEvent::Changes(mut changes) => {
            changes.sort_by_key(|c| std::cmp::Reverse(c.id));
            app.emit(CHANGES, &change_views(&changes, local_tz()));
        }
        EngineEvent::Error(err) => {
            tracing::warn!(code = err.code(), error = %err, "background failure");
            app.emit(ERROR, &UiError::from(err));
        }
    }
}

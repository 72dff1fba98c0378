//! The tray drawn by Tauri, where one process holds the window and the tray (Windows,
//! macOS). What it shows and what its items do are `tray`'s.

use std::sync::Arc;

use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager as _, Runtime};

use crate::shell::Shell;
use crate::tray::{
    menu_action, MenuLabels, TrayLook, TrayView, OPEN, PAUSE_HOUR, PAUSE_TOMORROW,
    PAUSE_UNTIL_RESUMED, PUSH, QUIT, RESUME, START_AT_LOGIN,
};

/// The tray icon's id.
pub const TRAY_ID: &str = "calwatch";

/// The items that follow the state, kept so [`show`] can set them.
struct TrayItems<R: Runtime> {
    /// "Resume notifications": enabled only while paused.
    resume: MenuItem<R>,
    /// "Start at login".
    start_at_login: CheckMenuItem<R>,
    /// Whether push works (disabled: it only informs).
    push: MenuItem<R>,
    /// "Pause notifications" and its three lengths.
    pause: Submenu<R>,
    /// "For 1 hour", "Until tomorrow", "Until I resume".
    pause_items: [MenuItem<R>; 3],
    /// "Open CalWatch".
    open: MenuItem<R>,
    /// "Quit".
    quit: MenuItem<R>,
    /// What the tray shows now: a view that would change nothing makes no call (each is
    /// a round trip to the main thread, some 36 wake-ups for a whole refresh).
    shown: std::sync::Mutex<Option<TrayView>>,
}

impl<R: Runtime> TrayItems<R> {
    /// Sets every fixed label.
    fn label(&self, labels: &MenuLabels) {
        let _ = self.pause.set_text(&labels.pause);
        let _ = self.resume.set_text(&labels.resume);
        let _ = self.start_at_login.set_text(&labels.start_at_login);
        let _ = self.open.set_text(&labels.open);
        let _ = self.quit.set_text(&labels.quit);
        for (item, label) in self.pause_items.iter().zip([
            &labels.pause_hour,
            &labels.pause_tomorrow,
            &labels.pause_until_resumed,
        ]) {
            let _ = item.set_text(label);
        }
    }
}

const ICON_WATCHING: &[u8] = include_bytes!("../../icons/tray.png");
const ICON_PAUSED: &[u8] = include_bytes!("../../icons/tray-paused.png");
const ICON_ATTENTION: &[u8] = include_bytes!("../../icons/tray-attention.png");

fn icon(look: TrayLook) -> tauri::Result<Image<'static>> {
    Image::from_bytes(match look {
        TrayLook::Watching => ICON_WATCHING,
        TrayLook::Paused => ICON_PAUSED,
        TrayLook::Attention => ICON_ATTENTION,
    })
}

/// Creates the tray icon and its menu; its items act through `shell`.
pub fn build<R: Runtime>(app: &AppHandle<R>, shell: &Arc<Shell>) -> tauri::Result<()> {
    let item = |id: &str, enabled: bool| MenuItem::with_id(app, id, id, enabled, None::<&str>);
    let pause_items = [
        item(PAUSE_HOUR, true)?,
        item(PAUSE_TOMORROW, true)?,
        item(PAUSE_UNTIL_RESUMED, true)?,
    ];
    let pause = Submenu::with_items(
        app,
        "pause",
        true,
        &[&pause_items[0], &pause_items[1], &pause_items[2]],
    )?;
    let resume = item(RESUME, false)?;
    let start_at_login = CheckMenuItem::with_id(
        app,
        START_AT_LOGIN,
        START_AT_LOGIN,
        true,
        false,
        None::<&str>,
    )?;
    let push = item(PUSH, false)?;
    let open = item(OPEN, true)?;
    let quit = item(QUIT, true)?;
    let menu = Menu::with_items(
        app,
        &[
            &push,
            &PredefinedMenuItem::separator(app)?,
            &open,
            &PredefinedMenuItem::separator(app)?,
            &pause,
            &resume,
            &start_at_login,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let items = TrayItems {
        resume,
        start_at_login,
        push,
        pause,
        pause_items,
        open,
        quit,
        shown: std::sync::Mutex::new(None),
    };
    items.label(&MenuLabels::in_locale(&calwatch_core::locale::current()));
    app.manage(items);
    let on_menu = Arc::clone(shell);
    let on_click = Arc::clone(shell);
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon(TrayLook::Watching)?)
        .tooltip("CalWatch")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(move |app, event| {
            // A click flips a check mark by itself, whatever comes of the action: the
            // next view is applied even if it is the one shown before.
            if let Some(items) = app.try_state::<TrayItems<R>>() {
                *items
                    .shown
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
            }
            if let Some(action) = menu_action(event.id().as_ref()) {
                let shell = Arc::clone(&on_menu);
                on_menu.spawn(async move { crate::commands::tray_action(&shell, action).await });
            }
        })
        .on_tray_icon_event(move |_, event| {
            // A left click opens the window, as people expect of a tray icon.
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                on_click.surface().open_window();
            }
        })
        .build(app)?;
    Ok(())
}

/// Sets the icon, tooltip, labels and check marks. Does nothing without a tray (the mock
/// runtime) or when `view` is what is shown.
pub fn show<R: Runtime>(app: &AppHandle<R>, view: TrayView) {
    let (Some(tray), Some(items)) = (app.tray_by_id(TRAY_ID), app.try_state::<TrayItems<R>>())
    else {
        return;
    };
    let mut shown = items
        .shown
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if shown.as_ref() == Some(&view) {
        return;
    }
    let applied = icon(view.look)
        .and_then(|image| tray.set_icon(Some(image)))
        .and_then(|()| tray.set_tooltip(Some(&view.tooltip)));
    let _ = items.resume.set_enabled(view.paused);
    let _ = items.start_at_login.set_checked(view.start_at_login);
    let _ = items.push.set_text(&view.push_line);
    // A language chosen in Settings relabels the menu at once.
    items.label(&view.labels);
    match applied {
        Ok(()) => *shown = Some(view),
        Err(err) => tracing::debug!(error = %err, "the tray could not be updated"),
    }
}

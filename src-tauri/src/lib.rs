//! CalWatch's desktop shell: the tray, the window's commands and events, the toasts.
//! Everything that decides anything lives in `calwatch_core`; this crate only connects
//! the engine to the desktop.
//!
//! # Processes
//! On Linux CalWatch is two programs. `calwatch` ([`agent`]) is the app in the tray: the
//! engine, the tray, the toasts, the login item, the tunnel; it links no window toolkit
//! and no web engine. `calwatch-window` ([`window`]) is the window, a process the agent
//! starts when the window is asked for and that ends when it closes; its commands and the
//! engine's events travel over the agent's socket ([`ipc`]). On Windows and macOS one
//! Tauri process is both ([`app`]). Everything else is written once, against [`shell`].
//!
//! # Layout
//! - [`shell`]: the engine in use and the `Surface` (window, tray) things are shown on.
//! - [`agent`] (Linux): the app in the tray, its socket, starting the window process.
//! - [`window`] (Linux): the window process; [`ipc`]: what it and the agent say.
//! - [`app`]: the one-process app (Windows, macOS): plugins, tray, window lifecycle.
//! - [`window_commands`]: the window's one command handler, handing each command to the
//!   engine here or over the socket; the file picker.
//! - [`tauri_surface`], [`tauri_tray`]: the surface and the tray drawn by Tauri.
//! - `sni_tray` (Linux): the tray as a StatusNotifierItem over D-Bus.
//! - [`instance`]: one CalWatch per data dir: its id and socket.
//! - [`active`]: the engine the window talks to right now (the real one or the sandbox's).
//! - [`commands`]: the window's and the tray's commands, each a call to one engine method.
//! - [`events`]: forwards the engine's broadcasts to the window and refreshes the tray.
//! - [`views`]: the camelCase shapes the window reads (ui/CONTRACT.md) and `UiError`.
//! - `contract` (tests only): generates the window's TypeScript types from [`views`] and
//!   the engine's types (ui/src/lib/generated/contract.ts) and fails when they drifted.
//! - [`notifier`]: the engine's `Notifier` as native toasts (on Linux through its
//!   `xdg_toast`, with the app's name, icon and desktop entry; `markup` escapes titles).
//! - [`tray`]: what the tray shows (icon, tooltip, menu) and what each item asks for.
//! - [`tunnel`]: the tunnel CalWatch runs for a public address (the core supervises it).
//! - [`sandbox`]: fake-google in-process, so the app can be tried without an account.
//! - [`desktop`]: what the engine's side asks of the desktop (browser, login item).
//! - `login_item`: start at login on Linux (an XDG autostart entry).
//! - [`cli`]: the command line (`--version`, `--help`, `--background`).
//! - [`logging`]: tracing to stderr and a rolling file in the data dir.
//! - `appearance`: light or dark as the desktop says, followed by the portal's signal (Linux).
//! - [`wake`]: notices wake-from-sleep and the network coming back (catch-up sync), and
//!   keeps the tray's countdown fresh.
//! - [`network`]: the default routes, whose change means the network came back or moved.
//!
//! The modules depend one way (`module_graph`, a test, fails on a circle): `agent`, `app`
//! and `window` sit on top; `commands`, `notifier`, `events` and `wake` act through
//! `shell`, which holds `active` and shows `tray`'s view; `views` and `desktop` depend on
//! no other module.

pub mod active;
#[cfg(target_os = "linux")]
pub mod agent;
pub mod app;
#[cfg(target_os = "linux")]
mod appearance;
pub mod cli;
pub mod commands;
#[cfg(test)]
mod contract;
pub mod desktop;
pub mod events;
pub mod instance;
#[cfg(target_os = "linux")]
pub mod ipc;
pub mod logging;
#[cfg(target_os = "linux")]
pub mod login_item;
#[cfg(test)]
mod module_graph;
pub mod network;
pub mod notifier;
pub mod sandbox;
pub mod shell;
#[cfg(target_os = "linux")]
pub mod sni_tray;
pub mod tauri_surface;
pub mod tauri_tray;
pub mod tray;
pub mod tunnel;
pub mod views;
pub mod wake;
#[cfg(target_os = "linux")]
pub mod window;
pub mod window_commands;

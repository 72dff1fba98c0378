//! CalWatch's engine: everything but the display.
//!
//! # Layout
//!
//! Listed from the bottom up: a module uses only modules above it in this list (a test,
//! `tests/it/module_graph.rs`, fails on a cycle).
//! - [`clock`]: the one injected wall clock (engine, tokens, store); tokio-following in tests.
//! - [`poison`]: what a lock poisoned by a panic means, stated once.
//! - [`markup`]: text kept as text inside markup (sign-in pages, toasts).
//! - [`private_files`]: owner-only modes for the data dir, the database and the logs.
//! - [`log_file`]: the daily log file, owner-only, seven kept.
//! - [`event_time`]: an event's start or end (a date or a moment).
//! - [`locale`]: the reader's language and date conventions, the Fluent catalogues, ICU4X
//!   dates; the one locale in effect.
//! - [`trigger`]: what started a sync (push, catch-up, backstop…), which decides its wording.
//! - [`secrets`]: the `TokenStore` trait and its OS-keyring implementation; secret wrappers.
//! - [`recurrence`]: a series' rule: what is compared, in words, its last occurrence.
//! - [`notice`]: `Change` values (`change`), their wording (`wording`), summaries
//!   (`summary`) and the `Notifier` trait.
//! - [`noise`]: noise control: the rules a person sets (mute, kinds, within N days,
//!   declined, quiet hours), the decision per change and its recorded reason, pauses.
//! - [`config`]: settings (the rules everywhere among them), their `CALWATCH_*`
//!   overrides, importing `client_secret*.json`.
//! - [`google`]: the typed Calendar v3 client, its error mapping, the signed-in `Clients`.
//! - [`account`]: an account's status, shared by auth, the store and the window.
//! - [`auth`]: the OAuth installed-app flow (PKCE, loopback, `state`), refresh, revoke.
//! - [`store`]: SQLite persistence (open, migrate, the sync transaction) and its tables:
//!   `accounts`, `calendars`, `channels`, `sync_state`, `snapshots`, `history`, `rules`.
//! - [`error`]: `EngineError`, the window's error codes and sentences.
//! - [`receiver`]: the axum router for Google's POSTs, the domain verification file and
//!   the reachability probe.
//! - [`push_health`]: whether push works (up, down, unknown) and why, from a probe.
//! - [`event`]: `EngineEvent`, what subscribers hear, and `Report`, how background
//!   failures reach the engine.
//! - [`sync`]: per-calendar incremental sync, coalescing, change classification.
//! - [`channels`]: channel lifecycle: watch, renew before expiry (`lifecycle::renewal`),
//!   stop, re-arm.
//! - [`tunnel`]: the tunnel tools (cloudflared, ngrok, Tailscale Funnel) and the
//!   supervisor that runs one for a public address; knows nothing of the engine.
//! - [`engine`]: the `Engine` facade the shell holds, over `session`, `receiver`,
//!   `watching`, `dispatch`, `health`, `settings` and `state`; words sync and channel failures.

pub mod account;
pub mod auth;
pub mod channels;
pub mod clock;
pub mod config;
pub mod engine;
pub mod error;
pub mod event;
pub mod event_time;
pub mod google;
pub mod locale;
pub mod log_file;
pub mod markup;
pub mod noise;
pub mod notice;
pub mod poison;
pub mod private_files;
pub mod push_health;
pub mod receiver;
pub mod recurrence;
pub mod secrets;
pub mod store;
pub mod sync;
pub mod trigger;
pub mod tunnel;

//! CalWatch's engine: everything but the display.
//!
//! # Layout
//! - [`config`]: settings, their `CALWATCH_*` overrides, importing `client_secret*.json`.
//! - [`account`]: an account's status, shared by auth, the store and the window.
//! - [`secrets`]: the `TokenStore` trait and its OS-keyring implementation; secret wrappers.
//! - [`auth`]: the OAuth installed-app flow (PKCE, loopback, `state`), refresh, revoke.
//! - [`google`]: the typed Calendar v3 client and its error mapping.
//! - [`store`]: SQLite persistence: channels, sync tokens, snapshots, change history.
//! - [`notice`]: `Change` values and the `Notifier` trait.
//! - [`recurrence`]: a series' rule: what is compared, in words, its last occurrence.
//! - [`receiver`]: the axum router for Google's POSTs and the reachability probe.
//! - [`sync`]: per-calendar incremental sync, coalescing, change classification.
//! - [`channels`]: channel lifecycle: watch, renew before expiry, stop, re-arm.
//! - [`engine`]: wires the above; the one handle the shell holds.

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
pub mod notice;
pub mod poison;
pub mod receiver;
pub mod recurrence;
pub mod secrets;
pub mod store;
pub mod sync;
pub mod trigger;

//! Channel lifecycle: create a push channel for a calendar, renew it before it expires
//! (new channel first, then stop the old), stop it, and re-arm everything after a restart.
//!
//! # Layout
//! - [`timing`]: when to renew (pure arithmetic on stored wall-clock times).
//! - `lifecycle`: watch, renew, stop, re-arm, and the renewal timers; the same for each
//!   account's calendar-list channel (`calendarList.watch`).

mod lifecycle;
pub mod timing;

pub use lifecycle::{ChannelError, ChannelSettings, Channels, Followup};

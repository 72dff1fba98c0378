//! Noise control: what a person chose to be told, and the decision per change.
//!
//! Filters sit between classification and the notifier: every change is still recorded;
//! a change a rule silences is kept in the history with the reason ([`Silence`]), so the
//! window can say why it raised no toast. Nothing here does I/O: the outbox reads the
//! rules, asks [`decide`] and records the answer.
//!
//! # Layout
//! - [`rules`]: the rules (per calendar, everywhere, quiet hours) as stored and shown.
//! - [`filter`]: [`decide`], one change against the rules, and [`Silence`], the reason.
//! - [`quiet`]: quiet hours and pauses in time: whether now is quiet, and until when.

pub mod filter;
pub mod quiet;
pub mod rules;

pub use filter::{decide, Silence};
pub use quiet::{pause_end, Hold, PauseFor};
pub use rules::{CalendarRules, GuestReplies, Kinds, NoticeRules, QuietHours};

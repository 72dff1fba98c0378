//! What the engine tells its subscribers, and how the tasks below it report failures.
//!
//! Low in the core: sync and channels send these without knowing the engine.

use std::sync::Arc;

use crate::error::EngineError;
use crate::push_health::PushHealth;
use crate::store::StoredChange;

/// What the engine tells its subscribers (the shell turns these into window events).
#[derive(Debug, Clone)]
pub enum EngineEvent {
    /// Something in the engine's state changed: read `Engine::snapshot`.
    State,
    /// A channel was created, renewed, stopped or changed state: read `Engine::channels`.
    Channels,
    /// The calendar list changed: read `Engine::calendars`.
    Calendars,
    /// New changes were recorded (newest first).
    Changes(Vec<StoredChange>),
    /// A background operation failed (renewal, sync, keyring…).
    Error(EngineError),
    /// Push health changed (up, down, or why it is down): the tray follows it; the
    /// window reads it from `Engine::snapshot` as well.
    PushHealth(PushHealth),
}

/// Where a background task reports a failure of its own kind (a sync's, a renewal's); the
/// engine words it as an [`EngineError`] for the window.
pub type Report<E> = Arc<dyn Fn(E) + Send + Sync>;

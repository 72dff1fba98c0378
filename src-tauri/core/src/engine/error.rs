//! How the engine words what went wrong in sync and in the channel lifecycle.

use crate::channels::ChannelError;
use crate::error::{ending, EngineError, Sentence};
use crate::sync::SyncError;

impl From<SyncError> for EngineError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::NotSignedIn => EngineError::NeedsSignIn,
            SyncError::Google(g) => g.into(),
            SyncError::Store(s) => EngineError::Store(database(s)),
            SyncError::Stopped => EngineError::SyncStopped,
        }
    }
}

impl From<ChannelError> for EngineError {
    fn from(e: ChannelError) -> Self {
        match e {
            ChannelError::NoCallback => EngineError::NoCallback,
            ChannelError::NotSignedIn => EngineError::NeedsSignIn,
            ChannelError::Google(g) => g.into(),
            ChannelError::NotFound(id) => EngineError::NotFound(Sentence::of(
                "error-no-active-channel",
                vec![("id", id.into())],
            )),
            ChannelError::Renewing(_) => {
                EngineError::Busy(Sentence::of("error-channel-renewing", vec![]))
            }
            ChannelError::Store(s) => EngineError::Store(database(s)),
        }
    }
}

/// "The local database failed: …", the store's own words kept as the reason.
fn database(e: impl std::fmt::Display) -> Sentence {
    Sentence::of("error-database", vec![("reason", ending(&e.to_string()))])
}

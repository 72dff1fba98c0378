//! How the engine words what went wrong in sync and in the channel lifecycle.

use crate::channels::ChannelError;
use crate::error::{sentence, EngineError};
use crate::sync::SyncError;

impl From<SyncError> for EngineError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::NotSignedIn => EngineError::NeedsSignIn,
            SyncError::Google(g) => g.into(),
            SyncError::Store(s) => {
                EngineError::Store(sentence(format!("the local database failed: {s}")))
            }
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
            ChannelError::NotFound(id) => {
                EngineError::NotFound(format!("There is no active channel {id}."))
            }
            ChannelError::Renewing(_) => EngineError::Busy(
                "This channel is being renewed right now; its replacement shows up here in a \
                 moment."
                    .to_string(),
            ),
            ChannelError::Store(s) => {
                EngineError::Store(sentence(format!("the local database failed: {s}")))
            }
        }
    }
}

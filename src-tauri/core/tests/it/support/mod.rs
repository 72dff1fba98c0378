//! What the engine crate's integration tests share: a log that can be read back, a receiver
//! on loopback, a store in a temporary folder, and event snapshots to put in it.

pub mod log;
pub mod receiver;
pub mod snapshot;
pub mod store;

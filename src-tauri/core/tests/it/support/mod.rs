//! What the engine crate's integration tests share: a log that can be read back, a receiver
//! on loopback, and a store in a temporary folder.

pub mod log;
pub mod receiver;
pub mod store;

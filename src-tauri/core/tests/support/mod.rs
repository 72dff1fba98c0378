//! What the engine crate's integration tests share: a log that can be read back, a receiver
//! on loopback, and a store in a temporary folder. Each test binary declares `mod support;`
//! and uses the parts it needs.
#![allow(dead_code)]

pub mod log;
pub mod receiver;
pub mod store;

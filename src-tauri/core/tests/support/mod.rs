//! What the engine crate's integration tests share: a log that can be read back, and a
//! store in a temporary folder. Each test binary uses the parts it needs (`mod support;`).
#![allow(dead_code)]

pub mod log;
pub mod store;

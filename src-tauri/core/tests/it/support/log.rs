//! A log a test can read: what the code under test writes through `tracing`, kept in memory.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// A `Write` that keeps what a log subscriber writes, for inspection.
#[derive(Clone, Default)]
pub struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl CapturedLog {
    /// A plain-text (no colour codes) subscriber writing into this log, up to `level`.
    ///
    /// The caller installs it, for the thread (`tracing::subscriber::set_default`) or, in a
    /// binary of its own, for the process (`set_global_default`).
    pub fn subscriber(&self, level: tracing::Level) -> impl tracing::Subscriber + Send + Sync {
        let writer = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(level)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish()
    }

    /// Everything logged so far, as bytes.
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }

    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.bytes()).expect("the log is UTF-8")
    }
}

impl Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

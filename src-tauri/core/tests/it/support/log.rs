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

    /// Installs this log for the calling thread up to `level`, until the guard drops.
    ///
    /// `tracing` caches, per line of code and for the whole process, whether anyone wants
    /// its events, and works that out the first time any thread reaches the line. A test
    /// running beside this one with no subscriber of its own would cache "nobody" for a
    /// line this test then waits for, and its events would never reach this log (a refusal
    /// not logged; a secret not found because nothing was written). A do-nothing global
    /// subscriber, installed once, makes every thread answer "someone", so each thread's
    /// own subscriber decides event by event.
    #[must_use = "the log is only installed while the guard lives"]
    pub fn install_for_thread(&self, level: tracing::Level) -> tracing::subscriber::DefaultGuard {
        static GLOBAL: std::sync::Once = std::sync::Once::new();
        GLOBAL.call_once(|| {
            let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
        });
        tracing::subscriber::set_default(self.subscriber(level))
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

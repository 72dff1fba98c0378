//! Logging: tracing to stderr and to a daily file under `<data dir>/logs` (seven kept).
//! `CALWATCH_LOG` takes an env-filter (default `info`). Tokens never reach a log: the
//! engine wraps them in `Sensitive`, whose `Debug` and `Display` are redacted.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{fmt, EnvFilter};

/// Installs the global subscriber. Keep the guard alive until exit: dropping it flushes
/// the file. Without a writable data dir, logs go to stderr only.
pub fn init(data_dir: &Path) -> Option<WorkerGuard> {
    let filter =
        || EnvFilter::try_from_env("CALWATCH_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr = fmt::layer().with_writer(std::io::stderr);
    let logs = data_dir.join("logs");
    // The appender prunes old files at start and complains when the folder is missing.
    let _ = std::fs::create_dir_all(&logs);
    let file = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("calwatch")
        .filename_suffix("log")
        .max_log_files(7)
        .build(&logs);
    match file {
        Ok(file) => {
            let (writer, guard) = tracing_appender::non_blocking(file);
            let _ = tracing_subscriber::registry()
                .with(filter())
                .with(stderr)
                .with(fmt::layer().with_ansi(false).with_writer(writer))
                .try_init();
            Some(guard)
        }
        Err(err) => {
            let _ = tracing_subscriber::registry()
                .with(filter())
                .with(stderr)
                .try_init();
            tracing::warn!(error = %err, "no log file: logging to stderr only");
            None
        }
    }
}

//! Logging: tracing to stderr and to a daily file under `<data dir>/logs` (seven kept,
//! owner-only: see `calwatch_core::log_file`).
//! `CALWATCH_LOG` takes an env-filter (default `info`). Tokens never reach a log: the
//! engine wraps them in `Sensitive`, whose `Debug` and `Display` are redacted.

use std::path::Path;

use calwatch_core::log_file::DailyLog;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{fmt, EnvFilter};

/// Installs the global subscriber. Keep the guard alive until exit: dropping it flushes
/// the file. Without a writable data dir, logs go to stderr only.
pub fn init(data_dir: &Path) -> Option<WorkerGuard> {
    let filter =
        || EnvFilter::try_from_env("CALWATCH_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr = fmt::layer().with_writer(std::io::stderr);
    // The data dir holds what the logs describe: owner-only like them (an older install
    // is tightened here, at start).
    let _ = calwatch_core::private_files::private_dir(data_dir);
    let file = DailyLog::new(&data_dir.join("logs"));
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

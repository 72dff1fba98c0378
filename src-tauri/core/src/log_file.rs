//! The log file: one file a day under `<data dir>/logs`, seven kept, owner-only.
//!
//! Written by hand rather than with tracing-appender's rolling appender, which creates
//! every new day's file with the default umask (0644: readable by every local user).
//! Same names as before (`calwatch.YYYY-MM-DD.log`, UTC), so older files keep being pruned.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::private_files;

/// How many daily files are kept.
pub const KEPT_FILES: usize = 7;
const PREFIX: &str = "calwatch.";
const SUFFIX: &str = ".log";

/// Today's date for the file name; a function so tests can move days on.
pub type Today = Box<dyn Fn() -> NaiveDate + Send>;

/// An `io::Write` that appends to today's file, opening the next day's on first write.
pub struct DailyLog {
    /// The logs folder (owner-only).
    dir: PathBuf,
    /// Where "today" comes from: the UTC date in the app, a fake one in tests.
    today: Today,
    /// The open file and the day it is for.
    current: Option<(NaiveDate, File)>,
}

impl DailyLog {
    /// Logs under `dir` by UTC date; makes `dir` and the files already in it owner-only.
    pub fn new(dir: &Path) -> io::Result<DailyLog> {
        DailyLog::with_today(dir, Box::new(|| chrono::Utc::now().date_naive()))
    }

    /// [`DailyLog::new`] with the date from `today`.
    pub fn with_today(dir: &Path, today: Today) -> io::Result<DailyLog> {
        private_files::private_dir(dir)?;
        for path in log_files(dir)? {
            private_files::private_file(&path, false)?;
        }
        Ok(DailyLog {
            dir: dir.to_path_buf(),
            today,
            current: None,
        })
    }

    /// The path of the file for `day`.
    pub fn path_for(&self, day: NaiveDate) -> PathBuf {
        self.dir
            .join(format!("{PREFIX}{}{SUFFIX}", day.format("%Y-%m-%d")))
    }

    fn file(&mut self) -> io::Result<&mut File> {
        let today = (self.today)();
        if self.current.as_ref().map(|(day, _)| *day) != Some(today) {
            let path = self.path_for(today);
            private_files::private_file(&path, true)?;
            let file = fs::OpenOptions::new().append(true).open(&path)?;
            self.current = Some((today, file));
            self.prune()?;
        }
        match &mut self.current {
            Some((_, file)) => Ok(file),
            None => Err(io::Error::other("no log file open")),
        }
    }

    /// Deletes all but the newest [`KEPT_FILES`] files (names sort by date).
    fn prune(&self) -> io::Result<()> {
        let mut files = log_files(&self.dir)?;
        files.sort();
        let excess = files.len().saturating_sub(KEPT_FILES);
        for old in &files[..excess] {
            let _ = fs::remove_file(old);
        }
        Ok(())
    }
}

impl Write for DailyLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file()?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.current {
            Some((_, file)) => file.flush(),
            None => Ok(()),
        }
    }
}

/// CalWatch's log files in `dir`.
fn log_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(PREFIX) && name.ends_with(SUFFIX) && entry.file_type()?.is_file() {
            files.push(entry.path());
        }
    }
    Ok(files)
}

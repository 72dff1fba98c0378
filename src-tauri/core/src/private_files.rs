//! Owner-only files: the data dir holds event snapshots (titles, places, descriptions),
//! the change history, channel tokens and logs, none of which other local users may read.
//!
//! The data dir and its logs folder are 0700, the SQLite file with its WAL/SHM and the
//! log files 0600; an install made before this (default umask: 0755/0644) is tightened
//! when CalWatch starts. Elsewhere than unix these calls only create what is missing.

use std::fs;
use std::io;
use std::path::Path;

/// Creates `dir` (and its parents) if needed and makes it owner-only.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    set_mode(dir, 0o700)
}

/// Makes `path` owner-only if it exists; creates it empty (owner-only from the first
/// byte) when `create` is set. SQLite gives the WAL and SHM files the main file's mode,
/// so preparing the database file this way before opening covers them too.
pub fn private_file(path: &Path, create: bool) -> io::Result<()> {
    if create {
        let mut options = fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        options.open(path)?;
    } else if !path.exists() {
        return Ok(());
    }
    set_mode(path, 0o600)
}

/// Makes the SQLite database at `path`, its folder and its WAL/SHM files owner-only,
/// creating the folder and an empty database file if missing.
pub fn private_database(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_dir(dir)?;
    }
    private_file(path, true)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        private_file(Path::new(&side), false)?;
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let current = fs::metadata(path)?.permissions().mode() & 0o777;
    if current != mode {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    // Windows and macOS keep per-user profile folders private already.
    Ok(())
}

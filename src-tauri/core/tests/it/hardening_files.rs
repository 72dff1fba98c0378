//! What CalWatch keeps on disk (snapshots, history, channel tokens, logs) is readable by
//! its user only.
#![cfg(unix)]

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use crate::engine_support::{quick, Harness};
use calwatch_core::config::DATABASE_FILE;
use calwatch_core::log_file::{DailyLog, KEPT_FILES};
use calwatch_core::store::Store;
use chrono::NaiveDate;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{} exists: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn side(db: &Path, suffix: &str) -> std::path::PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}

#[tokio::test(start_paused = true)]
async fn after_a_sync_the_data_dir_and_database_files_are_owner_only() {
    let h = Harness::start(quick).await;
    h.watch().await;
    h.insert("Offsite", "2030-01-07T10:00:00Z", "2030-01-07T11:00:00Z");
    h.settle().await;
    h.notifier.wait_for(1).await;

    let data = h.dir.path().join("data");
    let db = data.join(DATABASE_FILE);
    assert_eq!(mode(&data), 0o700, "the data dir");
    assert_eq!(mode(&db), 0o600, "the SQLite file");
    assert_eq!(mode(&side(&db, "-wal")), 0o600, "its WAL");
    assert_eq!(mode(&side(&db, "-shm")), 0o600, "its shared memory file");
}

#[test]
fn an_existing_install_readable_by_everyone_is_tightened_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = data.join(DATABASE_FILE);
    {
        let _store = Store::open(&db).expect("store opens");
    }
    // As an older CalWatch left it, with the default umask.
    let open_to_all = |path: &Path, m: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(m)).unwrap()
    };
    open_to_all(&data, 0o755);
    open_to_all(&db, 0o644);
    let wal = side(&db, "-wal");
    std::fs::write(&wal, b"").unwrap();
    open_to_all(&wal, 0o644);

    let _store = Store::open(&db).expect("store opens again");
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&wal), 0o600);
}

#[test]
fn log_files_stay_owner_only_across_rotation_and_seven_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    // A file an older CalWatch wrote with the default umask.
    let old = logs.join("calwatch.2029-12-31.log");
    std::fs::write(&old, b"older\n").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o755)).unwrap();

    let start = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    let days = Arc::new(AtomicI64::new(0));
    let clock = Arc::clone(&days);
    let mut log = DailyLog::with_today(
        &logs,
        Box::new(move || start + chrono::Days::new(clock.load(Ordering::SeqCst) as u64)),
    )
    .expect("the logs folder opens");
    assert_eq!(mode(&logs), 0o700, "the logs folder is tightened at start");
    assert_eq!(mode(&old), 0o600, "and the files already in it");

    for day in 0..10 {
        days.store(day, Ordering::SeqCst);
        writeln!(log, "day {day}").unwrap();
        log.flush().unwrap();
        let today = log.path_for(start + chrono::Days::new(day as u64));
        assert_eq!(mode(&today), 0o600, "day {day}'s file after rotation");
    }
    let mut kept: Vec<_> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    kept.sort();
    assert_eq!(kept.len(), KEPT_FILES, "older days are pruned: {kept:?}");
    assert_eq!(kept.last().unwrap(), "calwatch.2030-01-10.log");
    let text = std::fs::read_to_string(logs.join("calwatch.2030-01-10.log")).unwrap();
    assert_eq!(text, "day 9\n");
}

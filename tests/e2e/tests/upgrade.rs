//! Upgrading: a data dir written by the previous release (0.1.0, `fixtures/`) opens in
//! this build with every watched calendar, channel and recorded change kept; the schema
//! is migrated forward, never reset.
//!
//! `fixtures/data-0.1.0.sqlite3` was written by CalWatch 0.1.0 itself (its sandbox, driven
//! through the window): signed in as sandbox.user@example.com, the primary calendar
//! watched, two events added ("Release party", "Budget review") and toasted.

use std::path::Path;

use std::io::{BufRead as _, BufReader};

use anyhow::Context as _;
use e2e::{app_binary, free_port};

/// What a person would miss after an upgrade, read straight from the database.
#[derive(Debug, PartialEq, Eq)]
struct Kept {
    /// The watched calendars' names.
    watched: Vec<String>,
    /// How many channels exist.
    channels: i64,
    /// Every recorded change's title.
    changes: Vec<String>,
}

fn read(database: &Path) -> anyhow::Result<(i64, Kept)> {
    let db = rusqlite::Connection::open(database)?;
    let version = db.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let strings = |sql: &str| -> anyhow::Result<Vec<String>> {
        let mut stmt = db.prepare(sql)?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    let kept = Kept {
        watched: strings("SELECT summary FROM calendars WHERE watched ORDER BY summary")?,
        channels: db.query_row("SELECT count(*) FROM channels", [], |row| row.get(0))?,
        changes: strings("SELECT json_extract(change, '$.title') FROM changes ORDER BY id")?,
    };
    Ok((version, kept))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_from_the_previous_release_opens_with_nothing_lost() -> anyhow::Result<()> {
    e2e::require_desktop_session()?;
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/data-0.1.0.sqlite3");
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data)?;
    let database = data.join("calwatch.sqlite3");
    std::fs::copy(&fixture, &database).context("the 0.1.0 fixture is there")?;
    let (old_version, before) = read(&database)?;
    assert_eq!(
        before.watched,
        vec!["sandbox.user@example.com".to_string()],
        "the fixture holds a watched calendar"
    );
    assert!(
        before.changes.len() >= 2,
        "the fixture holds changes: {before:?}"
    );

    let env = [
        ("CALWATCH_DATA_DIR".to_string(), data.display().to_string()),
        (
            "CALWATCH_RECEIVER_ADDR".to_string(),
            format!("127.0.0.1:{}", free_port()),
        ),
        ("TZ".to_string(), "UTC".to_string()),
    ];
    // As after an upgrade: the new binary starts on the old data (in the tray, as at login),
    // runs its migrations and engine, and quits.
    let mut app = std::process::Command::new(app_binary()?)
        .arg("--background")
        .envs(env.iter().cloned())
        .env("HOME", dir.path().join("home"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let stderr = app.stderr.take().context("stderr is piped")?;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("tray ready") {
                let _ = ready_tx.send(());
            }
        }
    });
    let ready = ready_rx.recv_timeout(e2e::PATIENCE);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &app.id().to_string()])
        .status();
    let _ = app.wait();
    ready.context("the new build starts on the 0.1.0 data (“tray ready”)")?;

    let (new_version, after) = read(&database)?;
    assert!(
        new_version >= old_version,
        "the schema moves forward ({old_version} → {new_version})"
    );
    assert_eq!(after.watched, before.watched, "watched calendars are kept");
    assert_eq!(after.channels, before.channels, "channels are kept");
    assert!(
        before.changes.iter().all(|c| after.changes.contains(c)),
        "every recorded change is kept: {before:?} → {after:?}"
    );
    Ok(())
}

//! Upgrading: a data dir written by the previous release (0.1.0, `fixtures/`) opens in
//! this build with every watched calendar, channel and recorded change kept; the schema
//! is migrated forward, never reset.
//!
//! `fixtures/data-0.1.0.sqlite3` was written by CalWatch 0.1.0 itself (its sandbox, driven
//! through the window): signed in as sandbox.user@example.com, the primary calendar
//! watched, two events added ("Release party", "Budget review") and toasted.

use std::path::Path;

use anyhow::Context as _;
use e2e::{free_port, App};

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

    let env = vec![
        ("CALWATCH_DATA_DIR".to_string(), data.display().to_string()),
        (
            "CALWATCH_RECEIVER_ADDR".to_string(),
            format!("127.0.0.1:{}", free_port()),
        ),
        ("TZ".to_string(), "UTC".to_string()),
    ];
    let app = App::launch("upgrade", &env).await?;
    app.click("nav-calendars").await?;
    app.wait_text("calendar-name", "Work").await?;
    app.find("calendar-watched").await?;
    app.screenshot("calendars").await?;
    app.click("nav-activity").await?;
    app.wait_text("change-headline", "Release party added")
        .await?;
    app.wait_text("change-headline", "Budget review added")
        .await?;
    app.quit().await;

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

//! Data written by a newer CalWatch: the app says so in a dialog (there is no window to
//! say it in) and leaves the file alone.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::Context as _;
use e2e::{app_binary, free_port};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_from_a_newer_calwatch_is_explained_and_left_untouched() -> anyhow::Result<()> {
    e2e::require_desktop_session()?;
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data)?;
    let database = data.join("calwatch.sqlite3");
    rusqlite::Connection::open(&database)?.pragma_update(None, "user_version", 999)?;

    let mut app = Command::new(app_binary()?)
        .env("HOME", dir.path().join("home"))
        .env("CALWATCH_DATA_DIR", &data)
        .env(
            "CALWATCH_RECEIVER_ADDR",
            format!("127.0.0.1:{}", free_port()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = app.stderr.take().context("stderr is piped")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("cannot start") {
                let _ = tx.send(line);
            }
        }
    });
    let outcome = async {
        let line = rx
            .recv_timeout(e2e::PATIENCE)
            .context("the app says why it cannot start")?;
        anyhow::ensure!(
            line.contains("newer version of CalWatch"),
            "the sentence names the cause: {line}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
        anyhow::ensure!(
            app.try_wait()?.is_none(),
            "the app waits on its dialog instead of vanishing"
        );
        let version: i64 = rusqlite::Connection::open(&database)?.pragma_query_value(
            None,
            "user_version",
            |row| row.get(0),
        )?;
        anyhow::ensure!(version == 999, "the newer data is left as it was");
        Ok(())
    }
    .await;
    let _ = app.kill();
    let _ = app.wait();
    outcome
}

//! The tool's process: started so it cannot outlive CalWatch, its output into CalWatch's
//! log line by line (and to the supervisor, which reads addresses from it).
//!
//! No orphan: the process is killed when the tunnel stops or is dropped, and when CalWatch
//! itself dies without a word (a crash, SIGKILL) the kernel ends it: on Linux it is started
//! through util-linux's `setpriv --pdeathsig KILL` when that is installed (the engine
//! forbids `unsafe`, so `prctl` cannot be called between fork and exec here). The death
//! signal follows the thread that started the process: the supervisor starts it from a
//! runtime worker thread, which lives as long as the runtime.

use std::ffi::OsString;
use std::io::{BufRead as _, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use crate::poison::lock;

/// The running child, shared by the supervisor and the handle (which kills it on drop).
#[derive(Clone, Default)]
pub(super) struct ChildSlot(Arc<Mutex<Option<Child>>>);

impl ChildSlot {
    /// Keeps `child` (a previous one is killed).
    pub(super) fn set(&self, child: Child) {
        if let Some(mut old) = lock(&self.0).replace(child) {
            let _ = old.kill();
            let _ = old.wait();
        }
    }

    /// Kills the child, if any, and reaps it.
    pub(super) fn kill(&self) {
        if let Some(mut child) = lock(&self.0).take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// How the child ended, once it has (it is then forgotten).
    pub(super) fn exited(&self) -> Option<ExitStatus> {
        let mut slot = lock(&self.0);
        let status = slot.as_mut()?.try_wait().ok().flatten()?;
        *slot = None;
        Some(status)
    }
}

/// Starts `program args…` with its output piped; each line is logged under `tool` and sent
/// on the returned channel.
pub(super) fn spawn(
    tool: &'static str,
    program: &Path,
    args: &[String],
    env: &[(OsString, OsString)],
) -> std::io::Result<(Child, mpsc::UnboundedReceiver<String>)> {
    let mut command =
        match super::tools::find("setpriv", None).filter(|_| cfg!(target_os = "linux")) {
            Some(setpriv) => {
                let mut c = Command::new(setpriv);
                c.args(["--pdeathsig", "KILL", "--"]).arg(program);
                c
            }
            None => Command::new(program),
        };
    command
        .args(args)
        .envs(env.iter().cloned())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group: a Ctrl-C in CalWatch's terminal is CalWatch's to handle (it
    // then ends the tool itself), not a signal the tool gets behind CalWatch's back.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn()?;
    let (tx, rx) = mpsc::unbounded_channel();
    if let Some(out) = child.stdout.take() {
        read_lines(tool, out, tx.clone());
    }
    if let Some(err) = child.stderr.take() {
        read_lines(tool, err, tx);
    }
    Ok((child, rx))
}

fn read_lines(
    tool: &'static str,
    from: impl Read + Send + 'static,
    to: mpsc::UnboundedSender<String>,
) {
    let spawned = std::thread::Builder::new()
        .name(format!("{tool}-output"))
        .spawn(move || {
            for line in BufReader::new(from).lines().map_while(Result::ok) {
                tracing::info!(tool, "{line}");
                let _ = to.send(line);
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(tool, error = %e, "the tunnel's output cannot be read");
    }
}

/// Runs a one-shot command (`tailscale funnel --bg …`) to its end: success and its words,
/// or the system's reason it could not run.
pub(super) async fn run_once(
    tool: &'static str,
    program: &Path,
    args: Vec<String>,
    env: &[(OsString, OsString)],
) -> Result<(bool, String), String> {
    let program = program.to_path_buf();
    let env = env.to_vec();
    let ran = tokio::task::spawn_blocking(move || {
        Command::new(program)
            .args(args)
            .envs(env)
            .stdin(Stdio::null())
            .output()
    })
    .await;
    match ran {
        Ok(Ok(out)) => {
            let mut words = String::from_utf8_lossy(&out.stdout).into_owned();
            words.push_str(&String::from_utf8_lossy(&out.stderr));
            for line in words.lines().filter(|l| !l.trim().is_empty()) {
                tracing::info!(tool, "{line}");
            }
            Ok((out.status.success(), words))
        }
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

//! The tunnel CalWatch runs for a public address ("Get a public address for me"): at most
//! one, held here for the window's commands and ended when CalWatch quits. The supervising
//! is the core's (`calwatch_core::tunnel`); this holds the handle, tells the window when its
//! status changes and hands each new address to whoever started it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use calwatch_core::tunnel::{
    AddressSink, Tunnel, TunnelOptions, TunnelProblem, TunnelStatus, TunnelTool,
};

/// How long "Get a public address" waits for the tool's address before saying so.
pub const READY_WITHIN: Duration = Duration::from_secs(45);

/// Called whenever the tunnel's status changes (the window and the tray redraw).
pub type OnChange = Arc<dyn Fn() + Send + Sync>;

/// The tunnel CalWatch started, if any.
#[derive(Default)]
pub struct Tunnels {
    /// The running tunnel and the task that follows its status.
    current: Mutex<Option<Running>>,
    /// Where the chosen tool is remembered, so the next start runs it again.
    remembered: Option<PathBuf>,
}

/// The file in the data dir that names the tool CalWatch runs (`{"tool":"cloudflared"}`).
pub const REMEMBERED: &str = "tunnel.json";

struct Running {
    tunnel: Tunnel,
    follower: tokio::task::JoinHandle<()>,
}

impl Tunnels {
    /// Tunnels whose chosen tool is remembered in `data_dir`.
    pub fn remembered_in(data_dir: &Path) -> Tunnels {
        Tunnels {
            current: Mutex::default(),
            remembered: Some(data_dir.join(REMEMBERED)),
        }
    }

    /// The tool chosen before (CalWatch starts it again at start), if any.
    pub fn chosen(&self) -> Option<TunnelTool> {
        let text = std::fs::read_to_string(self.remembered.as_ref()?).ok()?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        serde_json::from_value(value.get("tool")?.clone()).ok()
    }

    fn remember(&self, tool: Option<TunnelTool>) {
        let Some(path) = &self.remembered else {
            return;
        };
        let written = match tool {
            Some(tool) => std::fs::write(path, serde_json::json!({ "tool": tool }).to_string()),
            None => match std::fs::remove_file(path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                other => other,
            },
        };
        if let Err(e) = written {
            tracing::warn!(error = %e, file = %path.display(), "the tunnel choice could not be saved");
        }
    }

    /// Its status now (the window's `AppState.tunnel`).
    pub fn status(&self) -> Option<TunnelStatus> {
        self.lock().as_ref().map(|r| r.tunnel.status())
    }

    /// Starts `tool` in front of the receiver on `port` (ending the one running before)
    /// and waits for its address, which `sink` has been given by then.
    pub async fn start(
        &self,
        tool: TunnelTool,
        port: u16,
        sink: AddressSink,
        on_change: OnChange,
    ) -> Result<String, TunnelProblem> {
        if let Some(old) = self.lock().take() {
            old.follower.abort();
            old.tunnel.kill_now();
        }
        let tunnel = Tunnel::start(tool, port, TunnelOptions::default(), sink);
        let mut changes = tunnel.subscribe();
        let follower = tokio::spawn(async move {
            while changes.changed().await.is_ok() {
                on_change();
            }
        });
        let ready = {
            let mut status = tunnel.subscribe();
            // Waits on a clone of the handle's channel, so the lock is not held meanwhile.
            let probe = async move {
                let _ = status
                    .wait_for(|s| {
                        use calwatch_core::tunnel::TunnelState::*;
                        matches!(s.state, Running | Failed | Stopped)
                    })
                    .await;
            };
            *self.lock() = Some(Running { tunnel, follower });
            let _ = tokio::time::timeout(READY_WITHIN, probe).await;
            self.lock().as_ref().map(|r| r.tunnel.status())
        };
        match ready {
            Some(s) if s.state == calwatch_core::tunnel::TunnelState::Running => {
                self.remember(Some(tool));
                Ok(s.public_url.unwrap_or_default())
            }
            Some(s) => Err(s.problem.unwrap_or(TunnelProblem::NoAddressWithin {
                tool,
                seconds: READY_WITHIN.as_secs(),
            })),
            None => Err(TunnelProblem::StoppedEarly),
        }
    }

    /// Ends the tunnel (turning a Funnel off) and waits for it; the next start runs none.
    pub async fn stop(&self) {
        self.remember(None);
        let running = self.lock().take();
        if let Some(running) = running {
            running.follower.abort();
            running.tunnel.stop().await;
        }
    }

    /// Ends the tunnel's process now, without waiting: CalWatch is quitting.
    pub fn kill_now(&self) {
        if let Some(running) = self.lock().take() {
            running.follower.abort();
            running.tunnel.kill_now();
            tracing::info!("the tunnel was ended with CalWatch");
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Running>> {
        // Assignments only under the lock: a panic elsewhere leaves it consistent.
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chosen_tool_is_remembered_in_the_data_dir_until_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let tunnels = Tunnels::remembered_in(dir.path());
        assert_eq!(tunnels.chosen(), None);
        tunnels.remember(Some(TunnelTool::Ngrok));
        assert_eq!(
            Tunnels::remembered_in(dir.path()).chosen(),
            Some(TunnelTool::Ngrok),
            "the next start reads it"
        );
        let text = std::fs::read_to_string(dir.path().join(REMEMBERED)).unwrap();
        assert_eq!(text, r#"{"tool":"ngrok"}"#);
        tunnels.remember(None);
        assert_eq!(tunnels.chosen(), None);
        tunnels.remember(None);
    }
}

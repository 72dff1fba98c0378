//! The tunnel CalWatch runs for a public address ("Get a public address for me"): at most
//! one, held here for the window's commands and ended when CalWatch quits. The supervising
//! is the core's (`calwatch_core::tunnel`); this holds the handle, tells the window when its
//! status changes and hands each new address to whoever started it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use calwatch_core::tunnel::{AddressSink, Tunnel, TunnelOptions, TunnelStatus, TunnelTool};

/// How long "Get a public address" waits for the tool's address before saying so.
pub const READY_WITHIN: Duration = Duration::from_secs(45);

/// Called whenever the tunnel's status changes (the window and the tray redraw).
pub type OnChange = Arc<dyn Fn() + Send + Sync>;

/// The tunnel CalWatch started, if any.
#[derive(Default)]
pub struct Tunnels {
    /// The running tunnel and the task that follows its status.
    current: Mutex<Option<Running>>,
}

struct Running {
    tunnel: Tunnel,
    follower: tokio::task::JoinHandle<()>,
}

impl Tunnels {
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
    ) -> Result<String, String> {
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
                Ok(s.public_url.unwrap_or_default())
            }
            Some(s) => Err(s.error.unwrap_or_else(|| {
                format!(
                    "{} gave no public address within {} seconds; CalWatch's log has its output.",
                    tool.program(),
                    READY_WITHIN.as_secs()
                )
            })),
            None => Err("The tunnel was stopped before it gave an address.".to_string()),
        }
    }

    /// Ends the tunnel (turning a Funnel off) and waits for it.
    pub async fn stop(&self) {
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

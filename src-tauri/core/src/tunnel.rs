//! A public address for the receiver without expertise: the tunnel tools CalWatch knows
//! (cloudflared's quick tunnel, ngrok, Tailscale Funnel), which of them are installed, and
//! a supervisor that runs the chosen one as a child process, reads its public address,
//! restarts it with backoff when it dies and ends it when CalWatch quits.
//!
//! Nothing here knows the engine: the supervisor hands each new address to an
//! [`AddressSink`] (the shell's moves the channels: `Engine::set_callback_url`).
//!
//! # Layout
//! - [`tools`]: the tools (install links, the command with the port filled in) and
//!   finding them on `PATH`.
//!
//! What a tunnel has to say is a [`TunnelProblem`]: a code and values, no words. This module
//! has no message catalogue; the engine words it (`error::tunnel_sentence`) where it
//! reaches the window, in the language in effect.
//! - [`address`]: reading a tool's public address (metrics, banner, local API, status JSON)
//!   and turning a hostname into the callback URL.
//! - `process`: the child process: started so it cannot outlive CalWatch, its output into
//!   CalWatch's log.
//! - `supervisor`: the run loop: start, read the address, tell the sink, restart.

pub mod address;
mod process;
mod supervisor;
pub mod tools;

use std::ffi::OsString;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub use tools::{detect, ToolOffer, TunnelTool};

/// Told every new public callback URL (the first one, and each after a restart or a move).
pub type AddressSink = Arc<dyn Fn(String) -> BoxFuture<'static, ()> + Send + Sync>;

/// Where a supervised tunnel stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TunnelState {
    /// Started, its address not read yet.
    Starting,
    /// Forwarding; `public_url` is its address.
    Running,
    /// It died; started again after a pause.
    Restarting,
    /// It could not start and needs the person (`problem` says what to do).
    Failed,
    /// Stopped by CalWatch.
    Stopped,
}

/// A supervised tunnel as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TunnelStatus {
    /// Which tool.
    pub tool: TunnelTool,
    /// Where it stands.
    pub state: TunnelState,
    /// The callback URL it gives (`…/notifications`), once read.
    pub public_url: Option<String>,
    /// Why it failed or is starting again, when it did.
    pub problem: Option<TunnelProblem>,
    /// How many times it was started again after dying.
    pub restarts: u32,
    /// The tool's process id while it runs (none for Funnel, which tailscaled serves).
    pub pid: Option<u32>,
}

/// Why a tunnel failed, or why it is starting again: a stable code and the values to word
/// it with. The tool's own words and the system's reasons are kept as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum TunnelProblem {
    /// The tool is not (or no longer) on `PATH`.
    NotInstalled {
        /// Which tool.
        tool: TunnelTool,
    },
    /// The system refused to start the tool's process.
    NotStarted {
        /// Which tool.
        tool: TunnelTool,
        /// The system's reason.
        reason: String,
    },
    /// It ended before it ever gave an address; the person must do something first.
    Failed {
        /// Which tool.
        tool: TunnelTool,
        /// Its last lines, joined; empty when it wrote nothing.
        words: String,
        /// How it ended.
        ending: Ending,
        /// What the person should do, read from its words.
        todo: Todo,
    },
    /// It ended after running; CalWatch starts it again after a pause.
    Restarting {
        /// Which tool.
        tool: TunnelTool,
        /// How it ended.
        ending: Ending,
        /// The pause before it starts again, in seconds.
        seconds: u64,
    },
    /// Funnel started, but Tailscale named no DNS name for this device.
    NoDnsName,
    /// It gave no address within the time the caller waited.
    NoAddressWithin {
        /// Which tool.
        tool: TunnelTool,
        /// How long was waited, in seconds.
        seconds: u64,
    },
    /// It stopped (was stopped) before it gave an address.
    StoppedEarly,
}

/// How a tool's run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Ending {
    /// Its process exited; the system's own description ("exit status: 1").
    Exited {
        /// The system's description.
        status: String,
    },
    /// It gave no address within `seconds` and was ended.
    NoAddress {
        /// The start timeout, in seconds.
        seconds: u64,
    },
    /// A one-shot command did not answer within `seconds`.
    NoAnswer {
        /// The timeout, in seconds.
        seconds: u64,
    },
    /// It could not be run at all.
    NotRun {
        /// The system's reason.
        reason: String,
    },
}

/// What the person should do about a tool that failed, chosen from its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Todo {
    /// ngrok has no authtoken: sign up and add it.
    NgrokAuthtoken,
    /// Funnel is not enabled for the tailnet.
    EnableFunnel,
    /// Tailscale is not running or signed in, or HTTPS / Funnel are off.
    TailscaleUp,
    /// Nothing more specific: check the connection, the log has the rest.
    CheckConnection,
}

/// Timings and endpoints; tests shorten them.
#[derive(Debug, Clone)]
pub struct TunnelOptions {
    /// How long a tool may take to give its address before the start counts as failed.
    pub start_timeout: Duration,
    /// The first pause before starting a dead tunnel again; doubles on each death.
    pub backoff_first: Duration,
    /// The longest pause.
    pub backoff_max: Duration,
    /// A tunnel that ran this long starts again after the first pause, not a longer one.
    pub healthy_after: Duration,
    /// ngrok's local API (`CALWATCH_NGROK_API`, else ngrok's default 127.0.0.1:4040).
    pub ngrok_api: String,
    /// Where the tools are looked for (a `PATH` value); the process's `PATH` when `None`.
    pub search_path: Option<OsString>,
    /// More environment for the tools (tests point their stand-ins with it).
    pub tool_env: Vec<(OsString, OsString)>,
}

impl Default for TunnelOptions {
    fn default() -> Self {
        TunnelOptions {
            start_timeout: Duration::from_secs(30),
            backoff_first: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            healthy_after: Duration::from_secs(60),
            ngrok_api: std::env::var("CALWATCH_NGROK_API")
                .unwrap_or_else(|_| "127.0.0.1:4040".to_string()),
            search_path: None,
            tool_env: Vec::new(),
        }
    }
}

/// A running tunnel. Stopping it (or dropping it) ends the tool's process.
pub struct Tunnel {
    /// Its status, as it changes.
    status: watch::Receiver<TunnelStatus>,
    /// Stops the supervisor.
    stop: CancellationToken,
    /// The supervisor task (it kills the child and, for Funnel, turns the funnel off).
    task: Option<tokio::task::JoinHandle<()>>,
    /// The child, killed at once on drop (quitting may not wait for the task).
    child: process::ChildSlot,
    /// Where the tools are and their environment (turning a Funnel off on drop).
    options: TunnelOptions,
}

impl Tunnel {
    /// Starts `tool` in front of the receiver on `receiver_port`; `sink` hears each address.
    pub fn start(
        tool: TunnelTool,
        receiver_port: u16,
        options: TunnelOptions,
        sink: AddressSink,
    ) -> Tunnel {
        let (tx, status) = watch::channel(TunnelStatus {
            tool,
            state: TunnelState::Starting,
            public_url: None,
            problem: None,
            restarts: 0,
            pid: None,
        });
        let stop = CancellationToken::new();
        let child = process::ChildSlot::default();
        let task = tokio::spawn(supervisor::run(supervisor::Supervisor {
            tool,
            receiver_port,
            options: options.clone(),
            sink,
            status: tx,
            stop: stop.clone(),
            child: child.clone(),
        }));
        Tunnel {
            status,
            stop,
            task: Some(task),
            child,
            options,
        }
    }

    /// The status now.
    pub fn status(&self) -> TunnelStatus {
        self.status.borrow().clone()
    }

    /// The status as it changes.
    pub fn subscribe(&self) -> watch::Receiver<TunnelStatus> {
        self.status.clone()
    }

    /// Waits until the tunnel runs (returns its callback URL) or failed (returns why).
    pub async fn ready(&self, timeout: Duration) -> Result<String, TunnelProblem> {
        let mut status = self.status.clone();
        let waited = tokio::time::timeout(
            timeout,
            status.wait_for(|s| {
                matches!(s.state, TunnelState::Failed | TunnelState::Stopped)
                    || (s.state == TunnelState::Running && s.public_url.is_some())
            }),
        )
        .await;
        match waited {
            Ok(Ok(s)) if s.state == TunnelState::Running => {
                Ok(s.public_url.clone().unwrap_or_default())
            }
            Ok(Ok(s)) => Err(s.problem.clone().unwrap_or(TunnelProblem::StoppedEarly)),
            Ok(Err(_)) => Err(TunnelProblem::StoppedEarly),
            Err(_) => Err(TunnelProblem::NoAddressWithin {
                tool: self.status().tool,
                seconds: timeout.as_secs(),
            }),
        }
    }

    /// Ends the tool (and turns a Funnel off) and waits for it.
    pub async fn stop(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Ends the tool's process now, without waiting (quitting).
    pub fn kill_now(&self) {
        self.stop.cancel();
        self.child.kill();
        // Funnel has no child of CalWatch's: tailscaled serves it until told otherwise.
        let status = self.status();
        if status.tool == TunnelTool::Tailscale && status.state == TunnelState::Running {
            if let Some(tailscale) = tools::find("tailscale", self.options.search_path.as_deref()) {
                supervisor::funnel_off(&tailscale, &self.options.tool_env);
            }
        }
    }
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        self.kill_now();
    }
}

//! The run loop of one tunnel: start the tool, read its address, tell the sink, and start
//! it again with a growing pause when it dies. A tool that fails before it ever gave an
//! address is not restarted: its words say what the person must do first.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::address;
use super::process::{self, ChildSlot};
use super::tools::{find, TunnelTool};
use super::{AddressSink, Ending, Todo, TunnelOptions, TunnelProblem, TunnelState, TunnelStatus};

/// How often a starting tool is asked for its address, and a running one checked.
const POLL: Duration = Duration::from_millis(250);
/// How many of the tool's last lines are kept to say why it stopped.
const KEPT_LINES: usize = 6;

pub(super) struct Supervisor {
    pub(super) tool: TunnelTool,
    pub(super) receiver_port: u16,
    pub(super) options: TunnelOptions,
    pub(super) sink: AddressSink,
    pub(super) status: watch::Sender<TunnelStatus>,
    pub(super) stop: CancellationToken,
    pub(super) child: ChildSlot,
}

pub(super) async fn run(s: Supervisor) {
    match s.tool {
        TunnelTool::Tailscale => s.funnel().await,
        TunnelTool::Cloudflared | TunnelTool::Ngrok => s.supervise().await,
    }
}

impl Supervisor {
    fn update(&self, f: impl FnOnce(&mut TunnelStatus)) {
        self.status.send_modify(f);
    }

    fn fail(&self, problem: TunnelProblem) {
        tracing::warn!(
            tool = self.tool.program(),
            ?problem,
            "the tunnel could not start"
        );
        self.update(|s| {
            s.state = TunnelState::Failed;
            s.problem = Some(problem);
            s.pid = None;
        });
    }

    fn stopped(&self) {
        self.child.kill();
        self.update(|s| {
            s.state = TunnelState::Stopped;
            s.pid = None;
        });
    }

    /// A new public address: tell the sink (once per address), then show it, so whoever
    /// sees it running knows the engine has it already.
    async fn address(&self, found: &str, last: &mut Option<String>) {
        let Some(url) = address::callback_url(found) else {
            return;
        };
        if last.as_deref() != Some(url.as_str()) {
            tracing::info!(tool = self.tool.program(), %url, "the tunnel's public address");
            *last = Some(url.clone());
            (self.sink)(url.clone()).await;
        }
        self.update(|s| {
            s.state = TunnelState::Running;
            s.public_url = Some(url);
            s.problem = None;
        });
    }

    fn http() -> reqwest::Client {
        reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap_or_default()
    }

    /// The address the tool's local server gives, if it gives one yet.
    async fn query(&self, http: &reqwest::Client, metrics: &str) -> Option<String> {
        let url = match self.tool {
            TunnelTool::Cloudflared => format!("http://{metrics}/quicktunnel"),
            TunnelTool::Ngrok => format!("http://{}/api/tunnels", self.options.ngrok_api),
            TunnelTool::Tailscale => return None,
        };
        let body = http.get(url).send().await.ok()?.text().await.ok()?;
        match self.tool {
            TunnelTool::Cloudflared => address::cloudflared_quicktunnel(&body),
            _ => address::ngrok_tunnels(&body, self.receiver_port),
        }
    }

    /// The address in one line of the tool's output.
    fn address_in_line(&self, line: &str) -> Option<String> {
        match self.tool {
            TunnelTool::Cloudflared => address::cloudflared_banner(line),
            TunnelTool::Ngrok => address::ngrok_log_line(line),
            TunnelTool::Tailscale => None,
        }
    }

    fn args(&self, metrics: &str) -> Vec<String> {
        let port = self.receiver_port.to_string();
        match self.tool {
            TunnelTool::Cloudflared => vec![
                "tunnel".into(),
                "--no-autoupdate".into(),
                "--url".into(),
                format!("http://127.0.0.1:{port}"),
                "--metrics".into(),
                metrics.into(),
            ],
            TunnelTool::Ngrok => vec![
                "http".into(),
                port,
                "--log".into(),
                "stdout".into(),
                "--log-format".into(),
                "logfmt".into(),
            ],
            TunnelTool::Tailscale => vec![],
        }
    }

    /// cloudflared and ngrok: a child process kept alive.
    async fn supervise(self) {
        let program = self.tool.program();
        let http = Self::http();
        let mut last: Option<String> = None;
        // An ngrok agent already running for this port is used as it is.
        if self.tool == TunnelTool::Ngrok {
            if let Some(url) = self.query(&http, "").await {
                tracing::info!("an ngrok agent already forwards to the receiver: using it");
                self.address(&url, &mut last).await;
                self.stop.cancelled().await;
                self.update(|s| s.state = TunnelState::Stopped);
                return;
            }
        }
        let mut backoff = self.options.backoff_first;
        let mut ever_ran = false;
        loop {
            let Some(path) = find(program, self.options.search_path.as_deref()) else {
                self.fail(TunnelProblem::NotInstalled { tool: self.tool });
                return;
            };
            let metrics = free_port()
                .map(|p| format!("127.0.0.1:{p}"))
                .unwrap_or_else(|| "127.0.0.1:0".into());
            let (child, mut lines) = match process::spawn(
                program,
                &path,
                &self.args(&metrics),
                &self.options.tool_env,
            ) {
                Ok(started) => started,
                Err(e) => {
                    self.fail(TunnelProblem::NotStarted {
                        tool: self.tool,
                        reason: e.to_string(),
                    });
                    return;
                }
            };
            let pid = child.id();
            self.child.set(child);
            self.update(|s| s.pid = Some(pid));
            tracing::info!(tool = program, pid, "tunnel started");
            let started = Instant::now();
            let mut recent: VecDeque<String> = VecDeque::new();
            let mut got_address = false;
            let mut poll = tokio::time::interval(POLL);
            let ended = loop {
                tokio::select! {
                    _ = self.stop.cancelled() => {
                        self.stopped();
                        return;
                    }
                    Some(line) = lines.recv() => {
                        if let Some(found) = self.address_in_line(&line) {
                            got_address = true;
                            self.address(&found, &mut last).await;
                        }
                        recent.push_back(line);
                        if recent.len() > KEPT_LINES {
                            recent.pop_front();
                        }
                    }
                    _ = poll.tick() => {
                        if let Some(status) = self.child.exited() {
                            break Ending::Exited { status: status.to_string() };
                        }
                        if !got_address {
                            if let Some(found) = self.query(&http, &metrics).await {
                                got_address = true;
                                self.address(&found, &mut last).await;
                            } else if started.elapsed() > self.options.start_timeout {
                                self.child.kill();
                                break Ending::NoAddress { seconds: self.options.start_timeout.as_secs() };
                            }
                        }
                    }
                }
            };
            // The last words it wrote as it died.
            tokio::time::sleep(Duration::from_millis(50)).await;
            while let Ok(line) = lines.try_recv() {
                recent.push_back(line);
                if recent.len() > KEPT_LINES {
                    recent.pop_front();
                }
            }
            let words = recent
                .iter()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" / ");
            ever_ran |= got_address;
            if !ever_ran {
                self.fail(failed(self.tool, words, ended));
                return;
            }
            if started.elapsed() >= self.options.healthy_after {
                backoff = self.options.backoff_first;
            }
            tracing::warn!(
                tool = program,
                ?ended,
                next_in_ms = backoff.as_millis() as u64,
                "the tunnel stopped; starting it again"
            );
            self.update(|s| {
                s.state = TunnelState::Restarting;
                s.restarts += 1;
                s.pid = None;
                s.problem = Some(TunnelProblem::Restarting {
                    tool: self.tool,
                    ending: ended,
                    seconds: backoff.as_secs().max(1),
                });
            });
            tokio::select! {
                _ = self.stop.cancelled() => {
                    self.stopped();
                    return;
                }
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(self.options.backoff_max);
        }
    }

    /// Tailscale Funnel: tailscaled forwards; CalWatch turns the funnel on and off.
    async fn funnel(self) {
        let Some(path) = find("tailscale", self.options.search_path.as_deref()) else {
            self.fail(TunnelProblem::NotInstalled {
                tool: TunnelTool::Tailscale,
            });
            return;
        };
        let port = self.receiver_port.to_string();
        let on = process::run_once(
            "tailscale",
            &path,
            vec!["funnel".into(), "--bg".into(), port],
            &self.options.tool_env,
        );
        let ran = tokio::select! {
            done = tokio::time::timeout(self.options.start_timeout, on) => match done {
                Ok(Ok((ok, words))) => Ok((ok, words)),
                Ok(Err(reason)) => Err(Ending::NotRun { reason }),
                Err(_) => Err(Ending::NoAnswer { seconds: self.options.start_timeout.as_secs() }),
            },
            _ = self.stop.cancelled() => {
                self.stopped();
                return;
            }
        };
        let failure = match ran {
            Ok((true, _)) => None,
            Ok((false, words)) => Some((
                words.trim().to_owned(),
                Ending::Exited {
                    status: "exit".into(),
                },
            )),
            Err(ending) => Some((String::new(), ending)),
        };
        if let Some((words, ending)) = failure {
            self.fail(failed(TunnelTool::Tailscale, words, ending));
            return;
        }
        let status = process::run_once(
            "tailscale",
            &path,
            vec!["status".into(), "--json".into()],
            &self.options.tool_env,
        )
        .await;
        let named = match status {
            Ok((true, status)) => address::tailscale_status(&status),
            _ => None,
        };
        let Some(url) = named else {
            self.fail(TunnelProblem::NoDnsName);
            funnel_off(&path, &self.options.tool_env);
            return;
        };
        let mut last = None;
        self.address(&url, &mut last).await;
        self.stop.cancelled().await;
        funnel_off(&path, &self.options.tool_env);
        self.update(|s| s.state = TunnelState::Stopped);
    }
}

/// Turns CalWatch's funnel off (quitting, or choosing another way).
pub(super) fn funnel_off(
    tailscale: &std::path::Path,
    env: &[(std::ffi::OsString, std::ffi::OsString)],
) {
    let off = std::process::Command::new(tailscale)
        .envs(env.iter().cloned())
        .args(["funnel", "--https=443", "off"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    if let Err(e) = off {
        tracing::warn!(error = %e, "the funnel could not be turned off");
    }
}

/// A tool that failed before it gave an address: its own words, and what to do, read
/// from them.
fn failed(tool: TunnelTool, words: String, ending: Ending) -> TunnelProblem {
    let todo = match tool {
        TunnelTool::Ngrok if words.contains("ERR_NGROK_4018") || words.contains("authtoken") => {
            Todo::NgrokAuthtoken
        }
        TunnelTool::Tailscale if words.contains("Funnel is not enabled") => Todo::EnableFunnel,
        TunnelTool::Tailscale => Todo::TailscaleUp,
        _ => Todo::CheckConnection,
    };
    TunnelProblem::Failed {
        tool,
        words,
        ending,
        todo,
    }
}

fn free_port() -> Option<u16> {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .ok()
}

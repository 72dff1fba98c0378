//! The tunnel tools CalWatch can drive: how to install each and the exact command for
//! this receiver's port. Finding them on `PATH`. What each is and costs is the window's
//! to say (`tunnel-label-…`, `tunnel-summary-…` in window.ftl).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A supported tunnel tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TunnelTool {
    /// cloudflared's quick tunnel (trycloudflare.com).
    Cloudflared,
    /// ngrok's agent.
    Ngrok,
    /// Tailscale Funnel.
    Tailscale,
}

impl TunnelTool {
    /// Every tool, in the order Setup offers them (the stable address first).
    pub const ALL: [TunnelTool; 3] = [
        TunnelTool::Tailscale,
        TunnelTool::Ngrok,
        TunnelTool::Cloudflared,
    ];

    /// The executable's name.
    pub fn program(self) -> &'static str {
        match self {
            TunnelTool::Cloudflared => "cloudflared",
            TunnelTool::Ngrok => "ngrok",
            TunnelTool::Tailscale => "tailscale",
        }
    }

    /// Where to get it.
    pub fn install_url(self) -> &'static str {
        match self {
            TunnelTool::Cloudflared => {
                "https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/"
            }
            TunnelTool::Ngrok => "https://ngrok.com/download",
            TunnelTool::Tailscale => "https://tailscale.com/download",
        }
    }

    /// The command a person would run by hand for the receiver on `port`.
    pub fn command(self, port: u16) -> String {
        match self {
            TunnelTool::Cloudflared => format!("cloudflared tunnel --url http://127.0.0.1:{port}"),
            TunnelTool::Ngrok => format!("ngrok http {port}"),
            TunnelTool::Tailscale => format!("tailscale funnel --bg {port}"),
        }
    }
}

/// One tool as Setup offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolOffer {
    /// Which tool.
    pub tool: TunnelTool,
    /// Found on `PATH`.
    pub installed: bool,
    /// Where to get it.
    pub install_url: String,
    /// The exact command for this receiver's port.
    pub command: String,
}

/// Every tool, installed or not, for the receiver on `port`, searching `path` (a `PATH`
/// value; the process's own when `None`).
pub fn detect(port: u16, path: Option<&OsStr>) -> Vec<ToolOffer> {
    TunnelTool::ALL
        .iter()
        .map(|&tool| ToolOffer {
            tool,
            installed: find(tool.program(), path).is_some(),
            install_url: tool.install_url().to_string(),
            command: tool.command(port),
        })
        .collect()
}

/// The executable `program` on `path` (the process's `PATH` when `None`).
pub fn find(program: &str, path: Option<&OsStr>) -> Option<PathBuf> {
    let from_env = std::env::var_os("PATH");
    let path = path.or(from_env.as_deref())?;
    std::env::split_paths(path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file() || path.with_extension("exe").is_file()
    }
}

//! Stand-ins for the tunnel tools CalWatch drives — `cloudflared`, `ngrok` and `tailscale` —
//! in one multi-call binary: it acts as the tool its name (argv[0]) says, so tests put
//! symlinks named after the tools first on `PATH`. (`tunnel-standin <tool> …` works too.)
//!
//! Each takes the real tool's arguments, prints the real tool's banner, JSON or metrics on
//! the surfaces CalWatch reads, and really forwards HTTP from a "public" loopback port to
//! the receiver. A real tool's public hostname is a DNS name served over HTTPS; a stand-in's
//! is `127.0.0.1:<public port>`, printed wherever the real tool prints its hostname (after
//! `https://` where the tool writes a URL). CalWatch reaches a loopback hostname over
//! `http://`, which only an http-allowing configuration (tests, the sandbox) accepts.
//!
//! Controls, by signal to the forwarding process (`kill -USR1 <pid>` …):
//! - `SIGUSR1`: stop forwarding (the public port answers as a tunnel whose origin is gone:
//!   cloudflared's 530, ngrok's and Funnel's 502; open connections are cut);
//! - `SIGUSR2`: forward again;
//! - `SIGHUP`: restart the tunnel with a new address (a new public port, the banner again);
//! - `SIGTERM`/`SIGINT`: exit; `SIGKILL`: die.

mod cloudflared;
mod forward;
mod ngrok;
mod tailscale;

use std::path::Path;

fn main() {
    let mut args: Vec<String> = std::env::args().collect();
    let invoked = args
        .first()
        .map(|a| {
            Path::new(a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let tool = if invoked == "tunnel-standin" {
        if args.len() < 2 {
            eprintln!("usage: tunnel-standin cloudflared|ngrok|tailscale ARGS…");
            std::process::exit(2);
        }
        args.remove(1)
    } else {
        invoked
    };
    let rest: Vec<String> = args.into_iter().skip(1).collect();
    let code = match tool.as_str() {
        "cloudflared" => cloudflared::main(&rest),
        "ngrok" => ngrok::main(&rest),
        "tailscale" => tailscale::main(&rest),
        other => {
            eprintln!("tunnel-standin: unknown tool {other:?} (cloudflared, ngrok, tailscale)");
            2
        }
    };
    std::process::exit(code);
}

/// A single-threaded runtime: a stand-in forwards a handful of requests at a time.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The value of `--name value` or `--name=value`.
fn flag(args: &[String], name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    args.iter().enumerate().find_map(|(i, a)| {
        if a == name {
            args.get(i + 1).cloned()
        } else {
            a.strip_prefix(&prefix).map(str::to_string)
        }
    })
}

/// The loopback address a tool's origin argument names: `8765`, `localhost:8765`,
/// `http://127.0.0.1:8765`.
fn origin(arg: &str) -> Option<std::net::SocketAddr> {
    let rest = arg
        .strip_prefix("http://")
        .or_else(|| arg.strip_prefix("https://"))
        .unwrap_or(arg);
    let rest = rest.split('/').next().unwrap_or(rest);
    let port = match rest.rsplit_once(':') {
        Some((_, port)) => port,
        None => rest,
    };
    let port: u16 = port.parse().ok()?;
    Some(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
}

/// Now, as the tools stamp their log lines.
fn stamp() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The control signals, listened for from the start: a signal that comes before the
/// tunnel is up must not end the process with the default action.
pub struct Signals {
    usr1: tokio::signal::unix::Signal,
    usr2: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

/// Starts listening for the control signals (inside the runtime).
fn signals() -> std::io::Result<Signals> {
    use tokio::signal::unix::{signal, SignalKind};
    Ok(Signals {
        usr1: signal(SignalKind::user_defined1())?,
        usr2: signal(SignalKind::user_defined2())?,
        hup: signal(SignalKind::hangup())?,
        term: signal(SignalKind::terminate())?,
        int: signal(SignalKind::interrupt())?,
    })
}

/// Follows the control signals until SIGTERM/SIGINT; `renamed` is told each new hostname.
async fn follow_signals(mut s: Signals, tunnel: &forward::Tunnel, mut renamed: impl FnMut(&str)) {
    loop {
        tokio::select! {
            _ = s.usr1.recv() => tunnel.set_forwarding(false),
            _ = s.usr2.recv() => tunnel.set_forwarding(true),
            _ = s.hup.recv() => match tunnel.open().await {
                Ok(host) => renamed(&host),
                Err(e) => eprintln!("tunnel-standin: cannot open a new address: {e}"),
            },
            _ = s.term.recv() => return,
            _ = s.int.recv() => return,
        }
    }
}

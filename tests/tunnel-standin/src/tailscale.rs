//! `tailscale funnel --bg <port>`, `tailscale funnel --https=443 off` (or `funnel reset`) and
//! `tailscale status --json`. As with the real tool, `funnel --bg` returns at once and the
//! forwarding goes on in the background (here a detached stand-in process, where tailscaled
//! would do it); its state lives in `TUNNEL_STANDIN_TAILSCALE_STATE` (a directory; default
//! `<tmp>/tailscale-standin`). `Self.DNSName` is the funnel's hostname with the trailing dot
//! DNS names carry. With `TUNNEL_STANDIN_TAILSCALE_FUNNEL_OFF=1`, `funnel` fails as on a
//! tailnet whose funnel attribute is not enabled.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::forward::Tunnel;
use crate::origin;

/// Where a node without a funnel says it lives.
const NODE: &str = "standin.tail0000.ts.net";

pub fn main(args: &[String]) -> i32 {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["version", ..] | ["--version", ..] => {
            println!("1.76.1\n  tailscale commit: stand-in\n  go version: go1.23.1");
            0
        }
        ["status", rest @ ..] => status(rest.contains(&"--json")),
        ["funnel", rest @ ..] => funnel(rest),
        ["__funnel-daemon", port] => daemon(port),
        _ => {
            eprintln!("stand-in tailscale: supported: status --json, funnel --bg <port>, funnel --https=443 off, funnel reset");
            2
        }
    }
}

fn state_dir() -> PathBuf {
    std::env::var_os("TUNNEL_STANDIN_TAILSCALE_STATE")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("tailscale-standin"))
}

fn state_file() -> PathBuf {
    state_dir().join("funnel.json")
}

fn running() -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(state_file()).ok()?;
    let state: serde_json::Value = serde_json::from_str(&text).ok()?;
    let pid = state["pid"].as_u64()?;
    std::path::Path::new(&format!("/proc/{pid}"))
        .exists()
        .then_some(state)
}

fn status(json: bool) -> i32 {
    let dns = running()
        .and_then(|s| s["hostname"].as_str().map(str::to_string))
        .unwrap_or_else(|| NODE.to_string());
    if json {
        let status = serde_json::json!({
            "Version": "1.76.1-stand-in",
            "BackendState": "Running",
            "Self": {
                "ID": "nStandIn1CNTRL",
                "HostName": "standin",
                "DNSName": format!("{dns}."),
                "OS": "linux",
                "Online": true,
                "Capabilities": ["https", "funnel"]
            },
            "MagicDNSSuffix": "tail0000.ts.net",
            "CurrentTailnet": {
                "Name": "standin@example.com",
                "MagicDNSSuffix": "tail0000.ts.net",
                "MagicDNSEnabled": true
            }
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&status).unwrap_or_default()
        );
    } else {
        println!("100.100.100.1  standin  standin@  linux  -");
    }
    0
}

fn stop_daemon() {
    if let Some(pid) = running().and_then(|s| s["pid"].as_u64()) {
        let _ = std::process::Command::new("kill")
            .arg(pid.to_string())
            .status();
    }
    let _ = std::fs::remove_file(state_file());
}

fn funnel(args: &[&str]) -> i32 {
    if args.contains(&"off") || args.first() == Some(&"reset") {
        stop_daemon();
        return 0;
    }
    if args.first() == Some(&"status") {
        match running() {
            Some(s) => println!(
                "# Funnel on:\n#     - https://{}\n\nhttps://{} (Funnel on)\n|-- / proxy http://127.0.0.1:{}",
                s["hostname"].as_str().unwrap_or(""),
                s["hostname"].as_str().unwrap_or(""),
                s["port"]
            ),
            None => println!("No serve config"),
        }
        return 0;
    }
    if std::env::var_os("TUNNEL_STANDIN_TAILSCALE_FUNNEL_OFF").is_some() {
        eprintln!("Funnel is not enabled on your tailnet.\nTo enable, visit:\n\n         https://login.tailscale.com/f/funnel?node=nStandIn1CNTRL\n");
        return 1;
    }
    let Some(port) = args
        .iter()
        .rev()
        .find(|a| !a.starts_with("--"))
        .and_then(|a| origin(a))
    else {
        eprintln!("error: funnel needs a port, e.g. `tailscale funnel --bg 8765`");
        return 1;
    };
    if !args.iter().any(|a| *a == "--bg" || *a == "--bg=true") {
        eprintln!("stand-in tailscale: only `funnel --bg` (background) is supported");
        return 2;
    }
    stop_daemon();
    let _ = std::fs::create_dir_all(state_dir());
    let Ok(me) = std::env::current_exe() else {
        eprintln!("stand-in tailscale: cannot find its own executable");
        return 1;
    };
    use std::os::unix::process::CommandExt as _;
    let spawned = std::process::Command::new(me)
        .args(["tailscale", "__funnel-daemon", &port.port().to_string()])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn();
    if let Err(e) = spawned {
        eprintln!("stand-in tailscale: cannot start the forwarding: {e}");
        return 1;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let state = loop {
        if let Some(s) = running() {
            break s;
        }
        if Instant::now() > deadline {
            eprintln!("error: the funnel did not come up");
            return 1;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let host = state["hostname"].as_str().unwrap_or_default();
    println!(
        "Available on the internet:\n\nhttps://{host}/\n|-- proxy http://127.0.0.1:{}\n\nFunnel started and running in the background.\nTo disable the proxy, run: tailscale funnel --https=443 off",
        port.port()
    );
    0
}

fn daemon(port: &str) -> i32 {
    let Some(origin) = origin(port) else {
        return 2;
    };
    crate::runtime().block_on(async move {
        let Ok(signals) = crate::signals() else {
            return 1;
        };
        let tunnel = Tunnel::new(origin, "502 Bad Gateway");
        let Ok(host) = tunnel.open().await else {
            return 1;
        };
        let write = |host: &str| {
            let state = serde_json::json!({
                "hostname": host,
                "pid": std::process::id(),
                "port": origin.port(),
            });
            let _ = std::fs::write(state_file(), state.to_string());
        };
        write(&host);
        crate::follow_signals(signals, &tunnel, write).await;
        let _ = std::fs::remove_file(state_file());
        0
    })
}

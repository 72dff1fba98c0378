//! `ngrok http <port> [--log stdout]`: an agent with its local API. `GET /api/tunnels` lists
//! the tunnel as ngrok v3 does (`public_url`, `proto: "https"`, `config.addr`). The API
//! listens on `CALWATCH_NGROK_API` when set (tests; CalWatch reads the same variable),
//! else ngrok's 127.0.0.1:4040. With `TUNNEL_STANDIN_NGROK_NO_AUTHTOKEN=1` it fails as ngrok
//! without an authtoken does.

use axum::routing::get;
use axum::{Json, Router};

use crate::forward::Tunnel;
use crate::{flag, origin, stamp};

pub fn main(args: &[String]) -> i32 {
    match args.first().map(String::as_str) {
        Some("version") | Some("--version") => {
            println!("ngrok version 3.18.4");
            return 0;
        }
        Some("http") => {}
        _ => {
            eprintln!("stand-in ngrok: only `ngrok http <port>` is supported");
            return 2;
        }
    }
    if std::env::var_os("TUNNEL_STANDIN_NGROK_NO_AUTHTOKEN").is_some() {
        for line in [
            "authentication failed: Usage of ngrok requires a verified account and authtoken.",
            "",
            "Sign up for an account: https://dashboard.ngrok.com/signup",
            "Install your authtoken: https://dashboard.ngrok.com/get-started/your-authtoken",
            "",
            "ERR_NGROK_4018",
            "https://ngrok.com/docs/errors/err_ngrok_4018",
        ] {
            eprintln!("ERROR:  {line}");
        }
        return 1;
    }
    // The origin is the first argument after `http` that is not a flag or a flag's value.
    let mut addr = None;
    let mut skip = false;
    for a in &args[1..] {
        if skip {
            skip = false;
        } else if a.starts_with("--") {
            skip = !a.contains('=') && a != "--inspect";
        } else {
            addr = Some(a.clone());
            break;
        }
    }
    let Some(addr) = addr else {
        eprintln!("ERROR:  Error reading configuration: the `http` command needs an address");
        return 1;
    };
    let Some(origin) = origin(&addr) else {
        eprintln!("ERROR:  invalid address to forward to: {addr:?}");
        return 1;
    };
    let log_stdout = flag(args, "--log").as_deref() == Some("stdout");
    crate::runtime().block_on(run(origin, addr, log_stdout))
}

async fn run(origin: std::net::SocketAddr, addr: String, log: bool) -> i32 {
    let signals = match crate::signals() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("stand-in ngrok: cannot listen for signals: {e}");
            return 1;
        }
    };
    let api = std::env::var("CALWATCH_NGROK_API").unwrap_or_else(|_| "127.0.0.1:4040".into());
    let listener = match tokio::net::TcpListener::bind(&api).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("ERROR:  failed to start the web interface on {api}: {e}");
            return 1;
        }
    };
    let tunnel = Tunnel::new(origin, "502 Bad Gateway");
    let host = match tunnel.open().await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("ERROR:  failed to start tunnel: {e}");
            return 1;
        }
    };
    let say = move |msg: &str| {
        if log {
            println!("t={} lvl=info {msg}", stamp());
        }
    };
    say(&format!(
        "msg=\"starting web service\" obj=web addr={api} allow_hosts=[]"
    ));
    say(&format!(
        "msg=\"started tunnel\" obj=tunnels name=command_line addr=http://localhost:{} url=https://{host}",
        origin.port()
    ));
    let state = tunnel.clone();
    let config_addr = format!("http://localhost:{}", origin.port());
    let app = Router::new().route(
        "/api/tunnels",
        get(move || {
            let host = state.hostname().unwrap_or_default();
            let addr = config_addr.clone();
            async move {
                Json(serde_json::json!({
                    "tunnels": [{
                        "name": "command_line",
                        "ID": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
                        "uri": "/api/tunnels/command_line",
                        "public_url": format!("https://{host}"),
                        "proto": "https",
                        "config": { "addr": addr, "inspect": true },
                        "metrics": {}
                    }],
                    "uri": "/api/tunnels"
                }))
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let _ = addr;
    crate::follow_signals(signals, &tunnel, |host| {
        say(&format!(
            "msg=\"started tunnel\" obj=tunnels name=command_line addr=http://localhost:{} url=https://{host}",
            origin.port()
        ))
    })
    .await;
    say("msg=\"received stop request\" obj=app stopReq=true");
    0
}

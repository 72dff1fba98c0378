//! `cloudflared tunnel --url http://127.0.0.1:<port> --metrics 127.0.0.1:<port>`: a quick
//! tunnel. The banner goes to stderr as cloudflared writes it; the metrics server answers
//! `GET /quicktunnel` with `{"hostname":"…"}` as text/plain, `/ready` and `/metrics`.

use axum::http::header;
use axum::routing::get;
use axum::Router;

use crate::forward::Tunnel;
use crate::{flag, origin, stamp};

pub fn main(args: &[String]) -> i32 {
    if args.first().map(String::as_str) == Some("--version")
        || args.first().map(String::as_str) == Some("version")
    {
        println!("cloudflared version 2025.11.1 (built 2025-11-20-0000 UTC)");
        return 0;
    }
    if args.first().map(String::as_str) != Some("tunnel") {
        eprintln!("stand-in cloudflared: only `cloudflared tunnel --url …` is supported");
        return 2;
    }
    let Some(url) = flag(args, "--url") else {
        eprintln!(
            "{} ERR You did not specify any valid additional argument to the cloudflared tunnel command.",
            stamp()
        );
        return 1;
    };
    let Some(origin) = origin(&url) else {
        eprintln!("{} ERR Could not parse the origin URL {url:?}", stamp());
        return 1;
    };
    let metrics = flag(args, "--metrics").unwrap_or_else(|| "127.0.0.1:0".into());
    crate::runtime().block_on(run(origin, url, metrics))
}

async fn run(origin: std::net::SocketAddr, url: String, metrics: String) -> i32 {
    let signals = match crate::signals() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("stand-in cloudflared: cannot listen for signals: {e}");
            return 1;
        }
    };
    eprintln!(
        "{} INF Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick way to experiment and try it out. However, be aware that these account-less Tunnels have no uptime guarantee, are subject to the Cloudflare Online Services Terms of Use (https://www.cloudflare.com/website-terms/), and Cloudflare reserves the right to investigate your use of Tunnels for violations of such terms. If you intend to use Tunnels in production you should use a pre-created named tunnel by following: https://developers.cloudflare.com/cloudflare-one/connections/connect-networks",
        stamp()
    );
    eprintln!(
        "{} INF Requesting new quick Tunnel on trycloudflare.com...",
        stamp()
    );
    let tunnel = Tunnel::new(origin, "530 <none>");
    let host = match tunnel.open().await {
        Ok(host) => host,
        Err(e) => {
            eprintln!("{} ERR failed to request quick Tunnel: {e}", stamp());
            return 1;
        }
    };
    banner(&host);
    let listener = match tokio::net::TcpListener::bind(&metrics).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "{} ERR failed to bind the metrics server on {metrics}: {e}",
                stamp()
            );
            return 1;
        }
    };
    let bound = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or(metrics);
    eprintln!("{} INF Starting metrics server on {bound}/metrics", stamp());
    eprintln!("{} INF Version 2025.11.1 (stand-in) origin={url}", stamp());
    let state = tunnel.clone();
    let app = Router::new()
        .route(
            "/quicktunnel",
            get(move || {
                let host = state.hostname().unwrap_or_default();
                async move {
                    (
                        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                        serde_json::json!({ "hostname": host }).to_string(),
                    )
                }
            }),
        )
        .route(
            "/ready",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    r#"{"status":200,"readyConnections":4,"connectorId":"00000000-0000-4000-8000-000000000000"}"#,
                )
            }),
        )
        .route(
            "/metrics",
            get(|| async { "# HELP cloudflared_tunnel_ha_connections Number of active ha connections\ncloudflared_tunnel_ha_connections 4\n" }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    eprintln!(
        "{} INF Registered tunnel connection connIndex=0 connection=00000000-0000-4000-8000-000000000001 event=0 ip=127.0.0.1 location=lhr01 protocol=quic",
        stamp()
    );
    crate::follow_signals(signals, &tunnel, |host| {
        eprintln!(
            "{} INF Retrying connection: the quick Tunnel restarts",
            stamp()
        );
        banner(host);
    })
    .await;
    eprintln!(
        "{} INF Initiating graceful shutdown due to signal terminated ...",
        stamp()
    );
    0
}

/// The box cloudflared draws around a quick tunnel's address.
fn banner(host: &str) {
    let url = format!("https://{host}");
    let line = "+--------------------------------------------------------------------------------------------+";
    eprintln!("{} INF {line}", stamp());
    eprintln!(
        "{} INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |",
        stamp()
    );
    eprintln!("{} INF |  {url:<90}|", stamp());
    eprintln!("{} INF {line}", stamp());
}

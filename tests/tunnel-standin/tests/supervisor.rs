//! The tunnel supervisor (`calwatch_core::tunnel`) against the stand-in tools, put first on
//! the `PATH` it searches: real child processes, real forwarding on loopback to a receiver
//! stand-in, addresses read from the same surfaces as the real tools'.

use std::ffi::OsString;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use calwatch_core::tunnel::{
    detect, AddressSink, Tunnel, TunnelOptions, TunnelState, TunnelStatus, TunnelTool,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// A tunnel's problem as the window says it in English.
fn english(problem: &calwatch_core::tunnel::TunnelProblem) -> String {
    calwatch_core::error::tunnel_problem_in(problem, &calwatch_core::locale::Locale::default())
}

const PATIENCE: Duration = Duration::from_secs(20);

/// A directory with the stand-in linked under each tool's name.
fn tools_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for tool in ["cloudflared", "ngrok", "tailscale"] {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_tunnel-standin"), dir.path().join(tool))
            .unwrap();
    }
    dir
}

/// An origin that answers every request with "receiver <n>", n counting requests.
async fn receiver() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut n = 0u32;
        while let Ok((mut conn, _)) = listener.accept().await {
            n += 1;
            let body = format!("receiver {n}");
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf).await;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = conn.write_all(reply.as_bytes()).await;
            });
        }
    });
    port
}

/// Records every address the supervisor hands on.
fn sink() -> (AddressSink, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let to = Arc::clone(&seen);
    let sink: AddressSink = Arc::new(move |url: String| {
        to.lock().unwrap().push(url);
        Box::pin(async {})
    });
    (sink, seen)
}

fn options(dir: &Path, env: &[(&str, String)]) -> TunnelOptions {
    TunnelOptions {
        start_timeout: Duration::from_secs(10),
        backoff_first: Duration::from_millis(200),
        backoff_max: Duration::from_secs(1),
        search_path: Some(dir.as_os_str().to_owned()),
        tool_env: env
            .iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v)))
            .collect(),
        ..TunnelOptions::default()
    }
}

/// What a GET through the public callback URL's origin answers.
async fn through(url: &str) -> Result<(u16, String), reqwest::Error> {
    let origin = url.trim_end_matches("/notifications");
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()?
        .get(format!("{origin}/"))
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.text().await?))
}

async fn wait_status(
    tunnel: &Tunnel,
    what: &str,
    check: impl Fn(&TunnelStatus) -> bool,
) -> TunnelStatus {
    let mut status = tunnel.subscribe();
    let seen = match tokio::time::timeout(PATIENCE, status.wait_for(|s| check(s))).await {
        Ok(Ok(s)) => s.clone(),
        _ => panic!(
            "timed out waiting until {what}; the tunnel is {:?}",
            tunnel.status()
        ),
    };
    seen
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

fn signal(pid: u32, sig: &str) {
    assert!(std::process::Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .unwrap()
        .success());
}

#[test]
fn setup_offers_exactly_the_tools_on_path_with_the_command_for_this_port() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_tunnel-standin"),
        dir.path().join("ngrok"),
    )
    .unwrap();
    let offers = detect(8765, Some(dir.path().as_os_str()));
    let installed: Vec<TunnelTool> = offers
        .iter()
        .filter(|o| o.installed)
        .map(|o| o.tool)
        .collect();
    assert_eq!(installed, vec![TunnelTool::Ngrok]);
    let cloudflared = offers
        .iter()
        .find(|o| o.tool == TunnelTool::Cloudflared)
        .unwrap();
    assert_eq!(
        cloudflared.command,
        "cloudflared tunnel --url http://127.0.0.1:8765"
    );
    assert!(cloudflared.install_url.starts_with("https://"));
    let funnel = offers
        .iter()
        .find(|o| o.tool == TunnelTool::Tailscale)
        .unwrap();
    assert_eq!(funnel.command, "tailscale funnel --bg 8765");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quick_tunnel_forwards_to_the_receiver_and_its_address_reaches_the_sink() {
    let dir = tools_dir();
    let port = receiver().await;
    let (sink, seen) = sink();
    let tunnel = Tunnel::start(
        TunnelTool::Cloudflared,
        port,
        options(dir.path(), &[]),
        sink,
    );
    let url = tunnel
        .ready(PATIENCE)
        .await
        .expect("the quick tunnel gives its address");
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/notifications"),
        "{url}"
    );
    assert_eq!(
        *seen.lock().unwrap(),
        vec![url.clone()],
        "the sink hears the address once"
    );
    let (status, body) = through(&url).await.unwrap();
    assert_eq!(
        (status, body.starts_with("receiver")),
        (200, true),
        "{body}"
    );

    let pid = tunnel
        .status()
        .pid
        .expect("the tool runs as CalWatch's child");
    assert!(alive(pid));
    tunnel.stop().await;
    assert!(!alive(pid), "stopping the tunnel ends the tool's process");
    assert!(
        through(&url).await.is_err(),
        "nothing answers at the old address"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tunnel_that_dies_is_started_again_and_its_new_address_reaches_the_sink() {
    let dir = tools_dir();
    let port = receiver().await;
    let (sink, seen) = sink();
    let tunnel = Tunnel::start(
        TunnelTool::Cloudflared,
        port,
        options(dir.path(), &[]),
        sink,
    );
    let first = tunnel.ready(PATIENCE).await.unwrap();
    let pid = tunnel.status().pid.unwrap();

    signal(pid, "KILL");
    let again = wait_status(&tunnel, "it runs again at a new address", |s| {
        s.state == TunnelState::Running && s.public_url.as_deref() != Some(first.as_str())
    })
    .await;
    assert_eq!(again.restarts, 1);
    assert_ne!(again.pid, Some(pid), "a new process");
    let second = again.public_url.unwrap();
    assert_eq!(*seen.lock().unwrap(), vec![first, second.clone()]);
    assert_eq!(
        through(&second).await.unwrap().0,
        200,
        "the new address forwards"
    );
    tunnel.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_that_moves_while_running_reaches_the_sink() {
    let dir = tools_dir();
    let port = receiver().await;
    let (sink, seen) = sink();
    let tunnel = Tunnel::start(
        TunnelTool::Cloudflared,
        port,
        options(dir.path(), &[]),
        sink,
    );
    let first = tunnel.ready(PATIENCE).await.unwrap();
    signal(tunnel.status().pid.unwrap(), "HUP");
    let moved = wait_status(&tunnel, "the new address is read from the banner", |s| {
        s.public_url.as_deref() != Some(first.as_str())
    })
    .await;
    assert_eq!(moved.restarts, 0, "the same process, a new address");
    assert_eq!(seen.lock().unwrap().len(), 2);
    tunnel.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_tunnel_kills_the_tool() {
    let dir = tools_dir();
    let port = receiver().await;
    let (sink, _) = sink();
    let tunnel = Tunnel::start(
        TunnelTool::Cloudflared,
        port,
        options(dir.path(), &[]),
        sink,
    );
    tunnel.ready(PATIENCE).await.unwrap();
    let pid = tunnel.status().pid.unwrap();
    drop(tunnel);
    assert!(!alive(pid), "no orphan once the handle is gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ngrok_gives_its_https_tunnel_from_its_local_api() {
    let dir = tools_dir();
    let port = receiver().await;
    let api = format!("127.0.0.1:{}", free_port());
    let (sink, seen) = sink();
    let mut opts = options(dir.path(), &[("CALWATCH_NGROK_API", api.clone())]);
    opts.ngrok_api = api;
    let tunnel = Tunnel::start(TunnelTool::Ngrok, port, opts, sink);
    let url = tunnel
        .ready(PATIENCE)
        .await
        .expect("ngrok gives its address");
    assert_eq!(through(&url).await.unwrap().0, 200);
    assert_eq!(seen.lock().unwrap().len(), 1);
    tunnel.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ngrok_without_an_authtoken_says_its_words_and_what_to_do() {
    let dir = tools_dir();
    let port = receiver().await;
    let api = format!("127.0.0.1:{}", free_port());
    let (sink, seen) = sink();
    let mut opts = options(
        dir.path(),
        &[
            ("CALWATCH_NGROK_API", api.clone()),
            ("TUNNEL_STANDIN_NGROK_NO_AUTHTOKEN", "1".into()),
        ],
    );
    opts.ngrok_api = api;
    let tunnel = Tunnel::start(TunnelTool::Ngrok, port, opts, sink);
    let error = tunnel
        .ready(PATIENCE)
        .await
        .expect_err("no authtoken, no tunnel");
    let error = english(&error);
    assert!(error.contains("ERR_NGROK_4018"), "its own words: {error}");
    assert!(
        error.contains("ngrok config add-authtoken"),
        "what to do: {error}"
    );
    assert_eq!(
        tunnel.status().state,
        TunnelState::Failed,
        "not restarted in a loop"
    );
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn funnel_gives_the_dns_name_and_is_turned_off_on_stop() {
    let dir = tools_dir();
    let state = tempfile::tempdir().unwrap();
    let port = receiver().await;
    let (sink, _) = sink();
    let env = [(
        "TUNNEL_STANDIN_TAILSCALE_STATE",
        state.path().display().to_string(),
    )];
    let tunnel = Tunnel::start(TunnelTool::Tailscale, port, options(dir.path(), &env), sink);
    let url = tunnel
        .ready(PATIENCE)
        .await
        .expect("funnel gives its address");
    assert_eq!(through(&url).await.unwrap().0, 200, "{url} forwards");
    assert_eq!(
        tunnel.status().pid,
        None,
        "tailscaled serves a funnel, not a child"
    );
    tunnel.stop().await;
    assert!(
        !state.path().join("funnel.json").exists(),
        "stopping turns the funnel off"
    );
    assert!(through(&url).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn funnel_not_enabled_on_the_tailnet_shows_tailscales_words_and_what_to_do() {
    let dir = tools_dir();
    let state = tempfile::tempdir().unwrap();
    let port = receiver().await;
    let (sink, _) = sink();
    let env = [
        (
            "TUNNEL_STANDIN_TAILSCALE_STATE",
            state.path().display().to_string(),
        ),
        ("TUNNEL_STANDIN_TAILSCALE_FUNNEL_OFF", "1".into()),
    ];
    let tunnel = Tunnel::start(TunnelTool::Tailscale, port, options(dir.path(), &env), sink);
    let error = english(&tunnel.ready(PATIENCE).await.expect_err("funnel is off"));
    assert!(
        error.contains("Funnel is not enabled on your tailnet"),
        "{error}"
    );
    assert!(
        error.contains("https://login.tailscale.com/f/funnel"),
        "the link: {error}"
    );
    assert!(error.contains("Enable Funnel"), "what to do: {error}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

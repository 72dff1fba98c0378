//! What the engine benchmarks share: an engine signed in against a fake Google on
//! loopback, a notifier that timestamps, percentiles, and reading this process's memory.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use calwatch_core::config::Config;
use calwatch_core::engine::{Engine, EngineDeps};
use calwatch_core::notice::{Notice, Notifier};
use calwatch_core::secrets::MemoryTokenStore;
use tokio::sync::watch;

/// One notifier call: when, and what it carried.
pub type Call = (Instant, Vec<Notice>);

/// A notifier that records when each call happened and what it carried.
#[derive(Clone)]
pub struct TimedNotifier {
    /// (when, notices) per call.
    pub calls: Arc<Mutex<Vec<Call>>>,
    /// Number of calls, for waiting.
    pub count: watch::Sender<usize>,
}

impl Default for TimedNotifier {
    fn default() -> Self {
        Self {
            calls: Arc::default(),
            count: watch::channel(0).0,
        }
    }
}

impl TimedNotifier {
    /// Waits until at least `n` calls happened (or `limit` passed); returns the count.
    pub async fn wait_for(&self, n: usize, limit: Duration) -> usize {
        let mut rx = self.count.subscribe();
        let _ = tokio::time::timeout(limit, rx.wait_for(|c| *c >= n)).await;
        let count = *self.count.borrow();
        count
    }

    /// Total changes told (a summary counts its changes).
    pub fn changes_told(&self) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .flat_map(|(_, n)| n.iter())
            .map(|n| match n {
                Notice::Single(_) => 1,
                Notice::Summary { count, .. } | Notice::Digest { count, .. } => *count,
                Notice::NewCalendar { .. } => 0,
            })
            .sum()
    }
}

#[async_trait::async_trait]
impl Notifier for TimedNotifier {
    async fn notify(&self, notices: &[Notice]) {
        let now = Instant::now();
        self.calls.lock().unwrap().push((now, notices.to_vec()));
        self.count.send_modify(|c| *c += 1);
    }
}

/// A running engine and what it was started with.
pub struct Bench {
    /// The engine.
    pub engine: Engine,
    /// Its notifier.
    pub notifier: TimedNotifier,
    /// Its receiver's address.
    pub receiver: SocketAddr,
    /// Holds the data dir.
    pub dir: tempfile::TempDir,
}

/// Starts an engine against the fake Google at `base_url` (its OAuth client is the
/// default one), signs in through the browser flow and lists calendars.
pub async fn engine_against(base_url: &str, tune: impl Fn(&mut Config)) -> Bench {
    let dir = tempfile::tempdir().expect("temp dir");
    let receiver = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        l.local_addr().expect("address")
    };
    let mut config = config_against(base_url, dir.path(), receiver);
    tune(&mut config);
    let notifier = TimedNotifier::default();
    let engine = Engine::start(
        config,
        EngineDeps {
            token_store: Arc::new(MemoryTokenStore::new()),
            notifier: Arc::new(notifier.clone()),
        },
    )
    .await
    .expect("engine starts");
    engine
        .sign_in(browser_opener())
        .await
        .expect("sign-in against the fake");
    engine
        .set_callback_url(&format!("http://{receiver}/notifications"))
        .await
        .expect("callback URL");
    engine.refresh_calendars().await.expect("calendar list");
    Bench {
        engine,
        notifier,
        receiver,
        dir,
    }
}

/// The configuration of an engine against the fake Google at `base_url`, with its data
/// (and the default OAuth client's secret file) under `dir` and its receiver on
/// `receiver`; no backstop sync, so only deliveries and catch-up cause syncs.
pub fn config_against(base_url: &str, dir: &Path, receiver: SocketAddr) -> Config {
    let secret = dir.join("client_secret.json");
    std::fs::write(
        &secret,
        serde_json::json!({"installed": {
            "client_id": "calwatch-test.apps.googleusercontent.com",
            "client_secret": "fake-client-secret",
            "auth_uri": format!("{base_url}/o/oauth2/v2/auth"),
            "token_uri": format!("{base_url}/token"),
            "redirect_uris": ["http://localhost"],
        }})
        .to_string(),
    )
    .expect("client secret written");
    let env = [
        ("CALWATCH_AUTH_URL", format!("{base_url}/o/oauth2/v2/auth")),
        ("CALWATCH_TOKEN_URL", format!("{base_url}/token")),
        ("CALWATCH_REVOKE_URL", format!("{base_url}/revoke")),
        ("CALWATCH_API_BASE", format!("{base_url}/calendar/v3")),
        ("CALWATCH_CLIENT_SECRET_FILE", secret.display().to_string()),
        ("CALWATCH_ALLOW_HTTP_CALLBACK", "1".to_string()),
        ("CALWATCH_DATA_DIR", dir.join("data").display().to_string()),
        ("CALWATCH_RECEIVER_ADDR", receiver.to_string()),
    ];
    let mut config = Config::load_from(&|name: &str| {
        env.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())
    })
    .expect("config");
    config.settings.timings.backstop_interval = Duration::ZERO;
    config
}

/// The person's browser for sign-in: fetches the authorization URL, which fake-google
/// answers by redirecting to CalWatch's loopback listener with a code.
pub fn browser_opener() -> Arc<calwatch_core::auth::Opener> {
    Arc::new(|url: &str| {
        let url = url.to_string();
        tokio::spawn(async move {
            let _ = reqwest::get(&url).await;
        });
        Ok(())
    })
}

/// The person's tunnel: forwards Google's POSTs to the receiver on a free port, noting
/// when it handed over the last `exists` message, so latency is counted from the moment
/// the receiver could first see the message.
pub struct Forwarder {
    /// The callback URL to give the engine (the tunnel's public end).
    pub url: String,
    /// The address the engine's receiver must listen on.
    pub receiver: SocketAddr,
    /// When the last `exists` was handed to the receiver.
    arrived: Arc<Mutex<Option<Instant>>>,
}

impl Forwarder {
    /// Starts forwarding to a receiver address chosen now (the engine binds it later).
    pub async fn start() -> Forwarder {
        let receiver = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().expect("address")
        };
        Self::start_to(receiver).await
    }

    /// Starts forwarding to the receiver at `receiver`.
    pub async fn start_to(receiver: SocketAddr) -> Forwarder {
        use axum::http::{HeaderMap, StatusCode};
        let arrived: Arc<Mutex<Option<Instant>>> = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/notifications", listener.local_addr().unwrap());
        let target = format!("http://{receiver}/notifications");
        let client = reqwest::Client::new();
        let stamp = Arc::clone(&arrived);
        let app = axum::Router::new().route(
            "/notifications",
            axum::routing::post(move |headers: HeaderMap| {
                let client = client.clone();
                let target = target.clone();
                let stamp = Arc::clone(&stamp);
                async move {
                    let mut request = client.post(&target);
                    for (name, value) in headers.iter() {
                        if name.as_str().starts_with("x-goog-") {
                            request = request.header(name.as_str(), value.as_bytes());
                        }
                    }
                    if headers
                        .get("x-goog-resource-state")
                        .is_some_and(|v| v == "exists")
                    {
                        *stamp.lock().unwrap() = Some(Instant::now());
                    }
                    match request.send().await {
                        Ok(r) => {
                            StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::OK)
                        }
                        Err(_) => StatusCode::BAD_GATEWAY,
                    }
                }
            }),
        );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Forwarder {
            url,
            receiver,
            arrived,
        }
    }

    /// Forgets the last arrival, before a new sample.
    pub fn forget(&self) {
        *self.arrived.lock().unwrap() = None;
    }

    /// When the last `exists` was handed to the receiver, if one was since `forget`.
    pub fn arrived(&self) -> Option<Instant> {
        *self.arrived.lock().unwrap()
    }
}

/// The `p`-th percentile (0..=100) of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// A `/proc/self/status` field in KiB (`VmRSS`, `VmHWM`), on Linux.
pub fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// "met" / "NOT met", for the report lines.
pub fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}

/// The runtime every engine benchmark runs on (multi-threaded, two workers), so their
/// figures are taken under the same conditions.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// CPU time this process has used so far, user + system, all threads: the same
/// accounting `getrusage(RUSAGE_SELF)` reads, from /proc/self/stat (no unsafe call). On a
/// machine shared with other work it is the fair figure; wall time includes waiting for
/// a core. Children (fake-google) are not counted.
pub fn cpu_seconds() -> f64 {
    cpu_seconds_of("self")
}

/// CPU time, user + system, of the process `pid` ("self" for this one), as [`cpu_seconds`].
pub fn cpu_seconds_of(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name, which is in parentheses and may hold spaces.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line: 11 and 12 counted after the name.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // USER_HZ is 100 on every Linux architecture CalWatch builds for.
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// The 1-, 5- and 15-minute load averages, for the report: tail latencies and wall times
/// depend on what else the cores are doing.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Starts this bench binary again as fake-google's process (`CALWATCH_BENCH_FAKE=<value>`
/// tells it to serve), so the parent's memory figures are the engine's alone. Returns the
/// child and the base URL it printed once seeded; closing its stdin ends it.
pub fn fake_google_child(value: &str) -> (std::process::Child, String) {
    use std::io::{BufRead as _, BufReader};
    use std::process::{Command, Stdio};
    let exe = std::env::current_exe().expect("own path");
    let mut child = Command::new(exe)
        .env("CALWATCH_BENCH_FAKE", value)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("fake-google child starts");
    let mut base_url = String::new();
    BufReader::new(child.stdout.take().expect("child stdout"))
        .read_line(&mut base_url)
        .expect("child prints its URL");
    (child, base_url.trim().to_string())
}

//! What the engine tests share: a fake Google on loopback, a real data dir in a tempdir,
//! a real sign-in through fake-google's consent page, and a notifier that records.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use calwatch_core::config::Config;
use calwatch_core::engine::{Clock, Engine, EngineDeps, EngineOptions, TokioClock};
use calwatch_core::google::RetryPolicy;
use calwatch_core::notice::{Change, ChangeKind, Notice, Notifier};
use calwatch_core::secrets::MemoryTokenStore;
use fake_google::{Control, FakeGoogle, Options};
use serde_json::{json, Value};
use tokio::sync::watch;

/// How long a test waits for something the engine should do; generous, because with
/// paused time it costs nothing and without it only a failing test waits this long.
///
/// Well above the Google client's request timeout (60 s): with paused time the clock
/// jumps to the next timer whenever the runtime finds nothing ready, and on a busy
/// machine a loopback reply can be a moment late. The jump must land on the request's
/// timeout (the engine retries) rather than on the test's own deadline.
pub const PATIENCE: Duration = Duration::from_secs(600);

/// How far paused time may jump at once while [`patiently`] waits.
const TICK: Duration = Duration::from_millis(10);

/// How long a wait may also take on the wall clock before [`patiently`] gives up.
const REAL_PATIENCE: Duration = Duration::from_secs(60);

/// `tokio::time::timeout(PATIENCE, fut)`, given up only once [`REAL_PATIENCE`] has passed
/// on the wall clock too.
///
/// Time is paused in these tests and jumps to the next timer whenever nothing is ready,
/// also while a loopback packet is still in the kernel on a busy machine (CI runs ~300
/// of these tests at once on two cores): with the deadline the next timer, one such
/// moment would end the wait on the spot, and a stall of a second spins through any
/// paused deadline (the engine's own request timeouts fire and it retries later, which
/// the wait must outlast). A tick every 10 ms keeps each jump small, and the wall clock
/// decides when a wait has really failed.
pub async fn patiently<T>(fut: impl std::future::Future<Output = T>) -> Result<T, Elapsed> {
    tokio::pin!(fut);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let real_deadline = std::time::Instant::now() + REAL_PATIENCE;
    loop {
        tokio::select! {
            out = &mut fut => return Ok(out),
            () = tokio::time::sleep(TICK) => {
                if tokio::time::Instant::now() >= deadline
                    && std::time::Instant::now() >= real_deadline
                {
                    return Err(Elapsed);
                }
            }
        }
    }
}

/// Waits for the first engine event `pick` takes, and returns what it made of it; fails
/// with `what` if none comes. A lagging receiver reads on.
pub async fn heard<T>(
    events: &mut tokio::sync::broadcast::Receiver<calwatch_core::engine::EngineEvent>,
    what: &str,
    pick: impl Fn(calwatch_core::engine::EngineEvent) -> Option<T>,
) -> T {
    patiently(async {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let Some(found) = pick(event) {
                        return found;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("engine events ended: {e}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("never heard: {what}"))
}

/// [`patiently`]'s deadline passed.
#[derive(Debug)]
pub struct Elapsed;

/// A notifier that keeps every notice and lets a test wait for them.
#[derive(Clone)]
pub struct RecordingNotifier {
    /// Every notice, in order.
    seen: Arc<Mutex<Vec<Notice>>>,
    /// How many notify calls so far (a wake-up for waiters).
    calls: watch::Sender<usize>,
    /// When set, `notify` never returns: the app "dies" between commit and toast.
    hang: Arc<std::sync::atomic::AtomicBool>,
    /// Calls that hung.
    hung: watch::Sender<usize>,
    /// While true, `notify` waits (a slow toast) until [`RecordingNotifier::release`].
    held: watch::Sender<bool>,
}

impl Default for RecordingNotifier {
    fn default() -> Self {
        Self {
            seen: Arc::default(),
            calls: watch::channel(0).0,
            hang: Arc::default(),
            hung: watch::channel(0).0,
            held: watch::channel(false).0,
        }
    }
}

impl RecordingNotifier {
    /// From now on, `notify` hangs forever without showing anything.
    pub fn hang_from_now(&self) {
        self.hang.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// From now on, `notify` waits until [`RecordingNotifier::release`] (counted as hung).
    pub fn hold_from_now(&self) {
        self.held.send_replace(true);
    }

    /// Lets held `notify` calls finish.
    pub fn release(&self) {
        self.held.send_replace(false);
    }

    /// Waits until a `notify` call is hanging.
    pub async fn wait_for_hang(&self) {
        let mut rx = self.hung.subscribe();
        patiently(rx.wait_for(|n| *n > 0))
            .await
            .expect("the notifier was called")
            .expect("the notifier lives");
    }

    /// Every notice so far.
    pub fn notices(&self) -> Vec<Notice> {
        self.seen.lock().unwrap().clone()
    }

    /// The single-change notices so far.
    pub fn changes(&self) -> Vec<Change> {
        self.notices()
            .into_iter()
            .filter_map(|n| match n {
                Notice::Single(c) => Some(c),
                Notice::Summary { .. } | Notice::Digest { .. } | Notice::NewCalendar { .. } => None,
            })
            .collect()
    }

    /// Waits until the notices shown so far satisfy `done` (`what` names it on failure).
    pub async fn wait_until(&self, what: &str, done: impl Fn(&[Notice]) -> bool) -> Vec<Notice> {
        let mut rx = self.calls.subscribe();
        let reached = patiently(async {
            loop {
                if done(&self.notices()) {
                    return;
                }
                if rx.changed().await.is_err() {
                    return;
                }
            }
        })
        .await;
        let notices = self.notices();
        assert!(reached.is_ok(), "{what} never came: {notices:#?}");
        notices
    }

    /// Waits until at least `n` notices were shown.
    pub async fn wait_for(&self, n: usize) -> Vec<Notice> {
        let mut rx = self.calls.subscribe();
        let seen = Arc::clone(&self.seen);
        let reached = patiently(async {
            loop {
                if seen.lock().unwrap().len() >= n {
                    return;
                }
                if rx.changed().await.is_err() {
                    return;
                }
            }
        })
        .await;
        let notices = self.notices();
        assert!(
            reached.is_ok(),
            "expected at least {n} notices, got {}: {notices:#?}",
            notices.len()
        );
        notices
    }
}

#[async_trait::async_trait]
impl Notifier for RecordingNotifier {
    async fn notify(&self, notices: &[Notice]) {
        if self.hang.load(std::sync::atomic::Ordering::SeqCst) {
            self.hung.send_modify(|n| *n += 1);
            std::future::pending::<()>().await;
        }
        let mut held = self.held.subscribe();
        if *held.borrow_and_update() {
            self.hung.send_modify(|n| *n += 1);
            let _ = held.wait_for(|held| !*held).await;
        }
        self.seen.lock().unwrap().extend_from_slice(notices);
        self.calls.send_modify(|n| *n += 1);
    }
}

/// A running engine against a fake Google, with everything a test needs to poke it.
pub struct Harness {
    /// The stand-in Google.
    pub fake: FakeGoogle,
    /// fake-google's control handle.
    pub control: Control,
    /// Holds the data dir and the client secret file.
    pub dir: tempfile::TempDir,
    /// The engine under test.
    pub engine: Engine,
    /// What the engine showed.
    pub notifier: RecordingNotifier,
    /// The keyring stand-in (kept across restarts, like the OS keyring).
    pub tokens: Arc<MemoryTokenStore>,
    /// The receiver's address (a fixed port, so a restarted engine gets the same one).
    pub receiver: SocketAddr,
    /// The primary calendar's id (the signed-in user's address).
    pub calendar: String,
    /// The primary calendar's key: the signed-in account's own calendar.
    pub key: calwatch_core::store::CalendarKey,
    /// The clock the engine was started with.
    pub clock: Arc<dyn Clock>,
    /// Changes to the config before start (timings).
    tune: Arc<dyn Fn(&mut Config) + Send + Sync>,
}

/// Test timings: a short coalescing window, the backstop and the push health check off
/// unless a test wants them.
pub fn quick(config: &mut Config) {
    config.settings.timings.coalesce_window = Duration::from_millis(50);
    config.settings.timings.backstop_interval = Duration::ZERO;
    config.settings.timings.push_check_interval = Duration::ZERO;
}

/// A free loopback port (bound and released; the engine binds it next).
pub fn free_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().expect("bound address")
}

/// Google retry waits short enough for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
    }
}

impl Harness {
    /// fake-google, an engine signed in through the real browser flow, the callback URL
    /// set to the engine's receiver, nothing watched yet.
    pub async fn start(tune: impl Fn(&mut Config) + Send + Sync + 'static) -> Harness {
        Self::start_against(Options::default(), tune).await
    }

    /// [`Harness::start`] against a fake-google started with `options`.
    pub async fn start_against(
        options: Options,
        tune: impl Fn(&mut Config) + Send + Sync + 'static,
    ) -> Harness {
        let fake = FakeGoogle::start(options)
            .await
            .expect("fake-google starts");
        let control = fake.control();
        let dir = tempfile::tempdir().expect("a temp dir");
        let receiver = free_port();
        let tune: Arc<dyn Fn(&mut Config) + Send + Sync> = Arc::new(tune);
        let tokens = Arc::new(MemoryTokenStore::new());
        let notifier = RecordingNotifier::default();
        let clock: Arc<dyn Clock> = Arc::new(TokioClock::new());
        let config = config_for(&fake, &dir, receiver, &*tune);
        let engine = start_engine(config, &tokens, &notifier, &clock).await;
        engine
            .sign_in(browser())
            .await
            .expect("sign-in through fake-google succeeds");
        engine
            .set_callback_url(&format!("http://{receiver}/notifications"))
            .await
            .expect("an http callback is allowed against fake-google");
        let calendar = control.user_email();
        let calendars = engine.refresh_calendars().await.expect("calendar list");
        assert!(
            calendars.iter().any(|c| c.id == calendar),
            "the primary calendar is listed"
        );
        Harness {
            fake,
            control,
            dir,
            engine,
            notifier,
            tokens,
            receiver,
            key: calwatch_core::store::CalendarKey::new(&calendar, &calendar),
            calendar,
            clock,
            tune,
        }
    }

    /// Watches the primary calendar.
    pub async fn watch(&self) -> calwatch_core::store::ChannelRecord {
        self.engine
            .watch(&self.key)
            .await
            .expect("watching the primary calendar works")
    }

    /// Stops the engine (as on quit or a crash: background work ends, nothing more is
    /// shown) and starts a new one on the same data dir, keyring and receiver port, with
    /// `clock` (e.g. days later) and a fresh notifier.
    pub async fn restart(&mut self, clock: Arc<dyn Clock>) {
        self.engine.shutdown().await;
        self.notifier = RecordingNotifier::default();
        self.clock = Arc::clone(&clock);
        let config = config_for(&self.fake, &self.dir, self.receiver, &*self.tune);
        self.engine = start_engine(config, &self.tokens, &self.notifier, &clock).await;
    }

    /// Inserts a timed event in the primary calendar.
    pub fn insert(&self, summary: &str, start: &str, end: &str) -> String {
        let event = self.control.insert_event(
            &self.calendar,
            json!({
                "summary": summary,
                "start": {"dateTime": start, "timeZone": "Europe/London"},
                "end": {"dateTime": end, "timeZone": "Europe/London"},
            }),
        );
        id_of(&event)
    }

    /// Waits until fake-google sent every queued notification, then until the engine
    /// finished the syncs they caused (a sync requested now runs after them).
    pub async fn settle(&self) {
        self.control.wait_for_deliveries_idle().await;
        patiently(self.engine.sync_now(&self.key))
            .await
            .expect("the sync worker answers")
            .expect("a sync succeeds");
    }

    /// A second connection to the engine's database (SQLite shares the file).
    pub fn store(&self) -> calwatch_core::store::Store {
        let config = config_for(&self.fake, &self.dir, self.receiver, &*self.tune);
        calwatch_core::store::Store::open(&config.database_path()).expect("the store opens")
    }

    /// events.list calls so far for the primary calendar.
    pub fn list_calls(&self) -> u64 {
        self.control
            .stats()
            .events_list_calls_by_calendar
            .get(&self.calendar)
            .copied()
            .unwrap_or(0)
    }

    /// fake-google's calendar channels (`events.watch`), without the channels on the
    /// accounts' calendar lists.
    pub fn calendar_channels(&self) -> Vec<fake_google::ChannelInfo> {
        self.control
            .channels()
            .into_iter()
            .filter(|c| c.calendar_list_user.is_none())
            .collect()
    }

    /// fake-google's view of one of the engine's channels.
    pub fn google_channel(&self, id: &str) -> fake_google::ChannelInfo {
        self.control
            .channels()
            .into_iter()
            .find(|c| c.id == id)
            .expect("fake-google knows the channel")
    }
}

/// The id of an event JSON.
pub fn id_of(event: &Value) -> String {
    event["id"].as_str().expect("events have ids").to_string()
}

/// The kinds of some changes, for compact assertions.
pub fn kinds(changes: &[Change]) -> Vec<ChangeKind> {
    changes.iter().map(|c| c.kind).collect()
}

fn config_for(
    fake: &FakeGoogle,
    dir: &tempfile::TempDir,
    receiver: SocketAddr,
    tune: &(dyn Fn(&mut Config) + Send + Sync),
) -> Config {
    let secret_file: PathBuf = dir.path().join("client_secret_test.json");
    if !secret_file.exists() {
        std::fs::write(&secret_file, fake.client_secret_json()).expect("client secret written");
    }
    let mut env: Vec<(String, String)> = fake.env_assignments(&secret_file);
    env.push((
        "CALWATCH_DATA_DIR".into(),
        dir.path().join("data").display().to_string(),
    ));
    env.push(("CALWATCH_RECEIVER_ADDR".into(), receiver.to_string()));
    let mut config = Config::load_from(&|name: &str| {
        env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
    .expect("config loads from the test environment");
    tune(&mut config);
    config
}

async fn start_engine(
    config: Config,
    tokens: &Arc<MemoryTokenStore>,
    notifier: &RecordingNotifier,
    clock: &Arc<dyn Clock>,
) -> Engine {
    Engine::start_with(
        config,
        EngineDeps {
            token_store: Arc::clone(tokens) as _,
            notifier: Arc::new(notifier.clone()),
        },
        EngineOptions {
            clock: Arc::clone(clock),
            google_retry: Some(fast_retry()),
            time_zone: chrono_tz::UTC,
        },
    )
    .await
    .expect("the engine starts")
}

/// Plays the user's browser: follows the consent URL; fake-google consents and redirects
/// to the sign-in's loopback listener.
pub fn browser() -> Arc<calwatch_core::auth::Opener> {
    Arc::new(|url: &str| {
        let url = url.to_string();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            if let Err(e) = client.get(&url).send().await {
                eprintln!("test browser could not follow the consent URL: {e}");
            }
        });
        Ok(())
    })
}

/// Plays the user's browser choosing `email` in Google's account chooser: the consent URL
/// is followed with `login_hint`, so fake-google consents as that user (see
/// `Control::add_user`).
pub fn browser_as(email: &str) -> Arc<calwatch_core::auth::Opener> {
    let email = email.to_string();
    let follow = browser();
    Arc::new(move |url: &str| {
        let mut url = url::Url::parse(url).map_err(|e| e.to_string())?;
        url.query_pairs_mut().append_pair("login_hint", &email);
        follow(url.as_str())
    })
}

/// What a [`Tunnel`] hook is shown of each notification: its channel id and state.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `X-Goog-Channel-ID`.
    pub channel_id: String,
    /// `X-Goog-Resource-State`.
    pub state: String,
}

/// A stand-in for the user's tunnel (Tailscale Funnel, ngrok…): forwards Google's POSTs to
/// the receiver, and lets a test act at the moment a notification passes through.
pub struct Tunnel {
    /// Where Google is told to deliver.
    pub url: String,
    /// Stops the tunnel.
    _stop: tokio_util::sync::DropGuard,
}

/// Runs before a notification is forwarded.
pub type Hook = Arc<dyn Fn(&Seen) + Send + Sync>;

impl Tunnel {
    /// A tunnel on a free loopback port forwarding to `receiver`.
    pub async fn start(receiver: SocketAddr, hook: Hook) -> Tunnel {
        use axum::http::{HeaderMap, StatusCode};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("tunnel binds");
        let url = format!(
            "http://{}/notifications",
            listener.local_addr().expect("tunnel address")
        );
        let target = format!("http://{receiver}/notifications");
        let client = reqwest::Client::new();
        let app = axum::Router::new().route(
            "/notifications",
            axum::routing::post(move |headers: HeaderMap| {
                let client = client.clone();
                let target = target.clone();
                let hook = Arc::clone(&hook);
                async move {
                    let header = |name: &str| {
                        headers
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_string()
                    };
                    hook(&Seen {
                        channel_id: header("x-goog-channel-id"),
                        state: header("x-goog-resource-state"),
                    });
                    let mut request = client.post(&target);
                    for (name, value) in headers.iter() {
                        if name.as_str().starts_with("x-goog-") {
                            request = request.header(name.as_str(), value.as_bytes());
                        }
                    }
                    match request.send().await {
                        Ok(response) => StatusCode::from_u16(response.status().as_u16())
                            .unwrap_or(StatusCode::BAD_GATEWAY),
                        Err(_) => StatusCode::BAD_GATEWAY,
                    }
                }
            }),
        );
        let stop = tokio_util::sync::CancellationToken::new();
        let shutdown = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown.cancelled_owned())
                .await;
        });
        Tunnel {
            url,
            _stop: stop.drop_guard(),
        }
    }
}

/// A stand-in for a tunnel's public side that forwards every request (any method, path
/// and headers) to the receiver and can be told to stop forwarding, as a tunnel whose
/// connector lost its way answers 502 at the public address.
pub struct Relay {
    /// The public origin, `http://127.0.0.1:PORT` (what a tunnel tool reports).
    pub origin: String,
    /// Whether requests are forwarded (else 502).
    forwarding: Arc<std::sync::atomic::AtomicBool>,
    /// Stops the relay.
    _stop: tokio_util::sync::DropGuard,
}

impl Relay {
    /// A relay on a free loopback port forwarding to `receiver`.
    pub async fn start(receiver: SocketAddr) -> Relay {
        use axum::body::Bytes;
        use axum::http::{HeaderMap, Method, StatusCode, Uri};
        use axum::response::IntoResponse;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("relay binds");
        let origin = format!("http://{}", listener.local_addr().expect("relay address"));
        let forwarding = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let on = Arc::clone(&forwarding);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let client = client.clone();
                let on = Arc::clone(&on);
                async move {
                    if !on.load(std::sync::atomic::Ordering::SeqCst) {
                        return (StatusCode::BAD_GATEWAY, "origin unreachable").into_response();
                    }
                    let path = uri.path_and_query().map_or("/", |p| p.as_str());
                    let mut request = client.request(method, format!("http://{receiver}{path}"));
                    for (name, value) in &headers {
                        if name != "host" && name != "content-length" {
                            request = request.header(name, value);
                        }
                    }
                    match request.body(body).send().await {
                        Ok(answer) => {
                            let status = StatusCode::from_u16(answer.status().as_u16())
                                .unwrap_or(StatusCode::BAD_GATEWAY);
                            let mut out = HeaderMap::new();
                            for (name, value) in answer.headers() {
                                if name != "content-length" && name != "transfer-encoding" {
                                    out.insert(name.clone(), value.clone());
                                }
                            }
                            let bytes = answer.bytes().await.unwrap_or_default();
                            (status, out, bytes).into_response()
                        }
                        Err(_) => (StatusCode::BAD_GATEWAY, "origin unreachable").into_response(),
                    }
                }
            },
        );
        let stop = tokio_util::sync::CancellationToken::new();
        let until = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(until.cancelled_owned())
                .await;
        });
        Relay {
            origin,
            forwarding,
            _stop: stop.drop_guard(),
        }
    }

    /// Stops (false) or resumes (true) forwarding.
    pub fn forward(&self, on: bool) {
        self.forwarding
            .store(on, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Waits until the engine's push health satisfies `pred`, and returns it.
pub async fn until_push_health(
    engine: &Engine,
    pred: impl Fn(&calwatch_core::engine::PushHealth) -> bool,
) -> calwatch_core::engine::PushHealth {
    let reached = patiently(async {
        loop {
            let health = engine.push_health();
            if pred(&health) {
                return health;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    reached.unwrap_or_else(|_| panic!("push health never got there: {:?}", engine.push_health()))
}

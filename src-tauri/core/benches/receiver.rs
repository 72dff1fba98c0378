//! Receiver throughput and latency over loopback.
//!
//! `cargo bench -p calwatch-core --bench receiver` starts the receiver with many
//! registered channels and drives it from a separate load-generator process (this same
//! binary, re-run with `--load-generator`), so the client's work shows up as a competing
//! process rather than as tasks sharing the receiver's runtime. It prints
//! acknowledgements per second and p50/p99 latency for genuine deliveries, then the same
//! for forged ones (wrong token), then the latency of genuine deliveries sent while
//! 1 000 slow or idle connections are held open, and whether the targets were met.
//!
//! Knobs (environment): `RECEIVER_BENCH_REQUESTS` (default 100 000 per phase),
//! `RECEIVER_BENCH_CONNECTIONS` (64), `RECEIVER_BENCH_CHANNELS` (1 000),
//! `RECEIVER_BENCH_SERVER_THREADS` (2), `RECEIVER_BENCH_SLOW_CONNECTIONS` (1 000).

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use calwatch_core::receiver::{
    router, serve, ChannelRegistry, ProbeNonces, ReceiverState, RegisteredChannel,
    DEFAULT_CALLBACK_PATH,
};
use calwatch_core::secrets::Sensitive;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

/// Acknowledgements per second the receiver must sustain on 2 cores.
const TARGET_RATE: f64 = 20_000.0;
/// p99 latency the receiver must stay under, in microseconds.
const TARGET_P99_US: u64 = 2_000;
/// Requests each connection sends before measuring, to open connections and warm caches.
const WARMUP_PER_CONNECTION: u64 = 50;
/// Latency a genuine delivery must stay under while slow connections are held open.
const TARGET_UNDER_SLOW_MS: f64 = 50.0;
/// Genuine deliveries measured while the slow connections are held.
const DELIVERIES_UNDER_SLOW: u64 = 200;
/// A load-generator run that takes longer than this is stopped: something is wrong.
const PHASE_TIME_LIMIT: Duration = Duration::from_secs(180);

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn channel_id(i: u64) -> String {
    format!("bench-channel-{i:05}")
}

fn token(i: u64) -> String {
    format!("bench-token-{i:05}-q8Yb3yH5Vw0mKp2rT7xZc1nL4sD6fG9h")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--load-generator") {
        return load_generator(&args[2..]);
    }

    let requests = env_or("RECEIVER_BENCH_REQUESTS", 100_000);
    let connections = env_or("RECEIVER_BENCH_CONNECTIONS", 64);
    let channels = env_or("RECEIVER_BENCH_CHANNELS", 1_000).max(connections);
    let server_threads = env_or("RECEIVER_BENCH_SERVER_THREADS", 2) as usize;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(server_threads)
        .enable_all()
        .build()?;
    let registry = ChannelRegistry::new();
    for i in 0..channels {
        let mut channel = RegisteredChannel::new(
            format!("calendar-{i}@example.com"),
            Sensitive::new(token(i)),
        );
        channel.resource_id = Some(format!("resource-{i}"));
        registry.insert(channel_id(i), channel);
    }
    let (tx, mut deliveries) = tokio::sync::mpsc::unbounded_channel();
    let delivered = Arc::new(AtomicU64::new(0));
    let (addr, stop) = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = ReceiverState::new(registry, tx, ProbeNonces::new());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(
            listener,
            router(state, DEFAULT_CALLBACK_PATH),
            async move {
                let _ = stopped.await;
            },
        ));
        // Stands in for the sync side: takes deliveries off the queue as they come.
        let counted = Arc::clone(&delivered);
        tokio::spawn(async move {
            while deliveries.recv().await.is_some() {
                counted.fetch_add(1, Ordering::Relaxed);
            }
        });
        Ok::<_, std::io::Error>((addr, stop))
    })?;

    println!(
        "receiver benchmark: {requests} requests per phase, {connections} keep-alive connections, \
         {channels} channels, {server_threads} server threads, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    // Other processes on the same cores show up as latency tails; print the context.
    println!("load average before: {}", load_average());

    let mut all_met = true;
    let mut first_number = 1;
    for forged in [false, true] {
        let what = if forged {
            "forged deliveries rejected (403)"
        } else {
            "genuine deliveries acknowledged"
        };
        // Saturation: every connection sends its next request as soon as the last is
        // answered. Gives the most the receiver can take; latency there is queueing
        // (connections / rate), so it is printed but not held against the target.
        let before = delivered.load(Ordering::Relaxed);
        let load = Load {
            forged,
            requests,
            connections,
            channels,
            first_number,
            rate: 0.0,
        };
        let most = run_phase(addr, &load)?;
        first_number += 1_000_000;
        // At the target rate: requests paced at 20 000/s over the same connections, the
        // load the target describes; this is the latency that has to stay under 2 ms.
        let paced = Load {
            first_number,
            rate: TARGET_RATE,
            ..load
        };
        let at_target = run_phase(addr, &paced)?;
        first_number += 1_000_000;
        // Let the counting task catch up with the last acknowledged deliveries.
        std::thread::sleep(Duration::from_millis(200));
        let handed_on = delivered.load(Ordering::Relaxed) - before;
        let expected_handed_on = if forged {
            0
        } else {
            most.requests + at_target.requests + 2 * connections * WARMUP_PER_CONNECTION
        };

        let met = most.rate >= TARGET_RATE
            && at_target.rate >= TARGET_RATE * 0.95
            && at_target.p99_us <= TARGET_P99_US
            && most.unexpected + at_target.unexpected == 0
            && handed_on == expected_handed_on;
        all_met &= met;
        println!("{what}:");
        println!(
            "  saturation:  {:>7.0}/s  p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms  ({} requests)",
            most.rate,
            ms(most.p50_us),
            ms(most.p99_us),
            ms(most.max_us),
            most.requests
        );
        println!(
            "  at 20 000/s: {:>7.0}/s  p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms  ({} requests)",
            at_target.rate,
            ms(at_target.p50_us),
            ms(at_target.p99_us),
            ms(at_target.max_us),
            at_target.requests
        );
        println!(
            "  unexpected statuses: {}; handed to sync: {handed_on} (expected {expected_handed_on})",
            most.unexpected + at_target.unexpected
        );
        println!(
            "  target >= {TARGET_RATE:.0}/s and p99 <= {:.1} ms at that rate: {}",
            ms(TARGET_P99_US),
            if met { "met" } else { "NOT met" }
        );
    }
    let slow = env_or("RECEIVER_BENCH_SLOW_CONNECTIONS", 1_000) as usize;
    let under_slow = genuine_under_slow_connections(addr, slow, first_number)?;
    let met =
        under_slow.p99_us as f64 / 1000.0 <= TARGET_UNDER_SLOW_MS && under_slow.unexpected == 0;
    all_met &= met;
    println!("genuine deliveries with {slow} slow or idle connections open:");
    println!(
        "  one at a time, new connection each: p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms  ({} requests)",
        ms(under_slow.p50_us),
        ms(under_slow.p99_us),
        ms(under_slow.max_us),
        under_slow.requests
    );
    println!(
        "  target p99 < {TARGET_UNDER_SLOW_MS:.0} ms: {}",
        if met { "met" } else { "NOT met" }
    );
    println!("load average after: {}", load_average());
    println!(
        "receiver targets: {}",
        if all_met { "all met" } else { "NOT all met" }
    );
    let _ = stop.send(());
    runtime.shutdown_timeout(Duration::from_secs(2));
    Ok(())
}

/// Opens `slow` connections that stall (half trickle a body after their headers, a
/// quarter stop mid-header, a quarter say nothing), then times genuine deliveries, each on
/// a new connection, while they are held. Blocking sockets from this thread: the
/// receiver runs on its own runtime's threads.
fn genuine_under_slow_connections(
    addr: SocketAddr,
    slow: usize,
    first_number: u64,
) -> Result<PhaseResult, Box<dyn std::error::Error>> {
    use std::io::{Read, Write};
    let mut held = Vec::with_capacity(slow);
    for i in 0..slow {
        let mut conn = std::net::TcpStream::connect(addr)?;
        let stall: &[u8] = match i % 4 {
            0 | 1 => b"POST /notifications HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\nx",
            2 => b"POST /notifications HTTP/1.1\r\nHost:",
            _ => b"",
        };
        // The receiver may already have closed it to make room: that is its defence.
        let _ = conn.write_all(stall);
        held.push(conn);
    }
    let mut latencies = Vec::with_capacity(DELIVERIES_UNDER_SLOW as usize);
    let mut unexpected = 0;
    let started = Instant::now();
    for n in 0..DELIVERIES_UNDER_SLOW {
        let request = format!(
            "POST {DEFAULT_CALLBACK_PATH} HTTP/1.1\r\nHost: x\r\nX-Goog-Channel-ID: {}\r\n\
             X-Goog-Channel-Token: {}\r\nX-Goog-Message-Number: {}\r\n\
             X-Goog-Resource-ID: resource-0\r\nX-Goog-Resource-State: exists\r\n\
             X-Goog-Resource-URI: https://www.googleapis.com/x\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n",
            channel_id(0),
            token(0),
            first_number + n
        );
        let sent = Instant::now();
        let mut conn = std::net::TcpStream::connect(addr)?;
        conn.set_nodelay(true)?;
        conn.write_all(request.as_bytes())?;
        let mut answer = [0u8; 12];
        conn.read_exact(&mut answer)?;
        latencies.push(sent.elapsed().as_micros() as u64);
        if &answer != b"HTTP/1.1 200" {
            unexpected += 1;
        }
    }
    let elapsed = started.elapsed();
    drop(held);
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    Ok(PhaseResult {
        requests: DELIVERIES_UNDER_SLOW,
        rate: DELIVERIES_UNDER_SLOW as f64 / elapsed.as_secs_f64(),
        p50_us: at(0.5),
        p99_us: at(0.99),
        max_us: *latencies.last().unwrap_or(&0),
        unexpected,
    })
}

/// The 1/5/15-minute load averages (Linux), or "unknown".
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_owned())
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// What one load-generator run sends.
#[derive(Debug, Clone, Copy)]
struct Load {
    /// Wrong tokens instead of the right ones.
    forged: bool,
    /// Measured requests (after warm-up).
    requests: u64,
    /// Keep-alive connections, each with one request in flight at most.
    connections: u64,
    /// Registered channels, spread over the connections.
    channels: u64,
    /// Message numbers start here, above any earlier run's, so genuine ones stay fresh.
    first_number: u64,
    /// Requests per second to pace at; 0 sends each as soon as the last is answered.
    rate: f64,
}

/// One phase's figures, as printed by the load generator.
struct PhaseResult {
    requests: u64,
    rate: f64,
    p50_us: u64,
    p99_us: u64,
    max_us: u64,
    unexpected: u64,
}

fn run_phase(addr: SocketAddr, load: &Load) -> Result<PhaseResult, Box<dyn std::error::Error>> {
    let mut child = Command::new(std::env::current_exe()?)
        .args([
            "--load-generator",
            &addr.to_string(),
            if load.forged { "forged" } else { "genuine" },
            &load.requests.to_string(),
            &load.connections.to_string(),
            &load.channels.to_string(),
            &load.first_number.to_string(),
            &load.rate.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let started = Instant::now();
    loop {
        if child.try_wait()?.is_some() {
            break;
        }
        if started.elapsed() > PHASE_TIME_LIMIT {
            child.kill()?;
            return Err(format!("{load:?} exceeded {PHASE_TIME_LIMIT:?}").into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(format!("the load generator failed: {}", output.status).into());
    }
    let text = String::from_utf8(output.stdout)?;
    let fields: Vec<f64> = text
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let [requests, rate, p50, p99, max, unexpected] = fields[..] else {
        return Err(format!("unexpected load generator output: {text:?}").into());
    };
    Ok(PhaseResult {
        requests: requests as u64,
        rate,
        p50_us: p50 as u64,
        p99_us: p99 as u64,
        max_us: max as u64,
        unexpected: unexpected as u64,
    })
}

/// The client side, in its own process:
/// `addr mode requests connections channels first_number rate`.
/// Prints `requests rate p50_us p99_us max_us unexpected` on one line.
fn load_generator(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let [addr, mode, requests, connections, channels, first_number, rate] = args else {
        return Err(
            "usage: --load-generator ADDR MODE REQUESTS CONNECTIONS CHANNELS FIRST_NUMBER RATE"
                .into(),
        );
    };
    let addr: SocketAddr = addr.parse()?;
    let forged = mode == "forged";
    let requests: u64 = requests.parse()?;
    let connections: u64 = connections.parse()?;
    let channels: u64 = channels.parse()?;
    let first_number: u64 = first_number.parse()?;
    let rate: f64 = rate.parse()?;

    // One thread: the client is a single competing process, like Google's many senders
    // funnelled through one tunnel.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        // Measured requests are shared out: each connection takes the next one when free.
        let remaining = Arc::new(AtomicI64::new(requests as i64));
        let unexpected = Arc::new(AtomicU64::new(0));
        // Paced runs: one permit per request, released on schedule by a pacer thread.
        let due = Arc::new(tokio::sync::Semaphore::new(0));
        let warm = Arc::new(tokio::sync::Barrier::new(connections as usize + 1));
        let mut workers = Vec::new();
        for c in 0..connections {
            let remaining = Arc::clone(&remaining);
            let unexpected = Arc::clone(&unexpected);
            let due = Arc::clone(&due);
            let warm = Arc::clone(&warm);
            workers.push(tokio::spawn(async move {
                let stream = tokio::net::TcpStream::connect(addr).await?;
                stream.set_nodelay(true)?;
                let (mut sender, conn) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
                tokio::spawn(conn);
                // This connection's own channels, so per-channel message numbers arrive
                // in order and every genuine delivery is fresh (not a duplicate).
                let own: Vec<u64> = (c..channels).step_by(connections as usize).collect();
                let mut latencies = Vec::new();
                for k in 0.. {
                    let measured = k >= WARMUP_PER_CONNECTION;
                    if k == WARMUP_PER_CONNECTION {
                        warm.wait().await;
                    }
                    if measured {
                        if remaining.fetch_sub(1, Ordering::AcqRel) <= 0 {
                            break;
                        }
                        if rate > 0.0 {
                            due.acquire().await?.forget();
                        }
                    }
                    let channel = own[(k % own.len() as u64) as usize];
                    let number = first_number + k / own.len() as u64;
                    let token = if forged {
                        "not-the-token".to_owned()
                    } else {
                        token(channel)
                    };
                    let state = if number == 1 { "sync" } else { "exists" };
                    let request = hyper::Request::post(DEFAULT_CALLBACK_PATH)
                        .header("host", addr.to_string())
                        .header("x-goog-channel-id", channel_id(channel))
                        .header("x-goog-channel-token", token)
                        .header("x-goog-message-number", number.to_string())
                        .header("x-goog-resource-id", format!("resource-{channel}"))
                        .header("x-goog-resource-state", state)
                        .header(
                            "x-goog-resource-uri",
                            "https://www.googleapis.com/calendar/v3/calendars/x/events?alt=json",
                        )
                        .body(Empty::<Bytes>::new())?;
                    let t0 = Instant::now();
                    sender.ready().await?;
                    let response = sender.send_request(request).await?;
                    let status = response.status();
                    response.into_body().collect().await?;
                    let elapsed = t0.elapsed();
                    let expected = if forged { 403 } else { 200 };
                    if status.as_u16() != expected {
                        unexpected.fetch_add(1, Ordering::Relaxed);
                    }
                    if measured {
                        latencies.push(elapsed.as_micros() as u64);
                    }
                }
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(latencies)
            }));
        }
        warm.wait().await;
        let began = Instant::now();
        if rate > 0.0 {
            // A thread, not a tokio timer: tokio's 1 ms timer resolution would release
            // requests in bursts of rate/1000, measuring the bursts instead of the receiver.
            let due = Arc::clone(&due);
            std::thread::spawn(move || {
                let interval = Duration::from_secs_f64(1.0 / rate);
                let mut released = 0u64;
                while released < requests {
                    let now = Instant::now();
                    let owed = ((now - began).as_secs_f64() * rate) as u64 + 1;
                    let owed = owed.min(requests);
                    if owed > released {
                        due.add_permits((owed - released) as usize);
                        released = owed;
                    }
                    std::thread::sleep(interval);
                }
            });
        }
        let mut latencies = Vec::with_capacity(requests as usize);
        for worker in workers {
            latencies.extend(worker.await?.map_err(|e| e.to_string())?);
        }
        let elapsed = began.elapsed().as_secs_f64();
        latencies.sort_unstable();
        let at =
            |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
        println!(
            "{} {:.1} {} {} {} {}",
            latencies.len(),
            latencies.len() as f64 / elapsed,
            at(0.50),
            at(0.99),
            latencies.last().copied().unwrap_or(0),
            unexpected.load(Ordering::Relaxed)
        );
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}

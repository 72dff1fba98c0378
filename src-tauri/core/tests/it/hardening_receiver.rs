//! Slow and idle connections cannot starve the receiver: a genuine delivery is answered
//! while a thousand of them are held open, and the idlest connection makes room when the
//! receiver is full.

use std::net::SocketAddr;
use std::time::Duration;

use calwatch_core::receiver::{
    router, serve_with, ChannelRegistry, Delivery, ProbeNonces, ReceiverLimits, ReceiverState,
    RegisteredChannel, DEFAULT_CALLBACK_PATH,
};
use calwatch_core::secrets::Sensitive;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

const CHANNEL: &str = "4ba78bf0-6a47-11e2-bcfd-0800200c9a66";
const TOKEN: &str = "q8Yb3yH5Vw0mKp2rT7xZc1nL4sD6fG9hJ0aQwErTyUi";
const RESOURCE: &str = "ret08u3rv24htgh289g";
/// Slow or idle connections held open at once.
const HELD: usize = 1_000;

struct Running {
    addr: SocketAddr,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
    limits: ReceiverLimits,
}

async fn start(limits: ReceiverLimits) -> Running {
    let registry = ChannelRegistry::new();
    registry.insert(
        CHANNEL,
        RegisteredChannel::new("work@example.com", Sensitive::new(TOKEN.to_owned())),
    );
    let (tx, deliveries) = mpsc::unbounded_channel();
    let state = ReceiverState::new(registry, tx, ProbeNonces::new()).with_limits(limits);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve_with(
        listener,
        router(state, DEFAULT_CALLBACK_PATH),
        std::future::pending(),
        limits,
    ));
    Running {
        addr,
        deliveries,
        limits,
    }
}

/// One genuine delivery with message number `n`, over a new connection.
async fn genuine(addr: SocketAddr, n: u64) -> StatusCode {
    reqwest::Client::new()
        .post(format!("http://{addr}{DEFAULT_CALLBACK_PATH}"))
        .header("X-Goog-Channel-ID", CHANNEL)
        .header("X-Goog-Channel-Token", TOKEN)
        .header("X-Goog-Message-Number", n.to_string())
        .header("X-Goog-Resource-ID", RESOURCE)
        .header("X-Goog-Resource-State", "exists")
        .header(
            "X-Goog-Resource-URI",
            "https://www.googleapis.com/calendar/v3/calendars/work/events",
        )
        .send()
        .await
        .expect("the receiver answers")
        .status()
}

/// The soft open-files limit (Linux), to keep both ends of the held connections under it.
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_genuine_delivery_is_answered_while_a_thousand_slow_connections_are_held() {
    let limits = ReceiverLimits {
        header_read_timeout: Duration::from_secs(3),
        ..ReceiverLimits::default()
    };
    let mut rx = start(limits).await;
    // Each held connection costs a descriptor here and (until evicted) one in the receiver.
    let held = match open_files_limit() {
        Some(limit) if limit < 2 * HELD + 200 => {
            let fits = limit.saturating_sub(200) / 2;
            eprintln!("open-files limit {limit}: holding {fits} connections instead of {HELD}");
            fits
        }
        _ => HELD,
    };

    let mut connections = Vec::with_capacity(held);
    for i in 0..held {
        let mut conn = TcpStream::connect(rx.addr).await.expect("connects");
        match i % 4 {
            // A POST that announces a body and trickles one byte of it.
            0 | 1 => {
                let head = format!(
                    "POST {DEFAULT_CALLBACK_PATH} HTTP/1.1\r\nHost: x\r\n\
                     X-Goog-Channel-ID: {CHANNEL}\r\nContent-Length: 60000\r\n\r\nx"
                );
                let _ = conn.write_all(head.as_bytes()).await;
            }
            // Headers that never finish (slowloris).
            2 => {
                let _ = conn
                    .write_all(format!("POST {DEFAULT_CALLBACK_PATH} HTTP/1.1\r\nHost:").as_bytes())
                    .await;
            }
            // Connected and silent.
            _ => {}
        }
        connections.push(conn);
    }

    // Generous: a header timeout is how long the slowest of them could hold anything up.
    let answered = tokio::time::timeout(limits.header_read_timeout, genuine(rx.addr, 7)).await;
    assert_eq!(
        answered.ok(),
        Some(StatusCode::OK),
        "a genuine delivery is acknowledged while {held} slow connections are open"
    );
    assert_eq!(
        rx.deliveries.try_recv().map(|d| d.message_number()).ok(),
        Some(7),
        "and handed on to sync"
    );
    drop(connections);
}

#[tokio::test]
async fn a_full_receiver_closes_its_idlest_connection_to_serve_a_new_one() {
    let limits = ReceiverLimits {
        max_connections: 8,
        ..ReceiverLimits::default()
    };
    let rx = start(limits).await;
    let mut idle = Vec::new();
    for _ in 0..limits.max_connections {
        idle.push(TcpStream::connect(rx.addr).await.unwrap());
        // Accepted in order, so the first is the idlest.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert_eq!(genuine(rx.addr, 1).await, StatusCode::OK);

    let mut byte = [0u8; 1];
    let closed = tokio::time::timeout(rx.limits.header_read_timeout / 2, idle[0].read(&mut byte))
        .await
        .expect("the idlest connection is closed to make room, before any timeout");
    assert!(
        matches!(closed, Ok(0) | Err(_)),
        "closed by the receiver: {closed:?}"
    );
}

#[tokio::test]
async fn a_declared_large_body_is_refused_without_reading_it() {
    let rx = start(ReceiverLimits::default()).await;
    let mut conn = TcpStream::connect(rx.addr).await.unwrap();
    let head = format!(
        "POST {DEFAULT_CALLBACK_PATH} HTTP/1.1\r\nHost: x\r\nX-Goog-Channel-ID: {CHANNEL}\r\n\
         X-Goog-Channel-Token: {TOKEN}\r\nX-Goog-Message-Number: 3\r\n\
         X-Goog-Resource-ID: {RESOURCE}\r\nX-Goog-Resource-State: exists\r\n\
         X-Goog-Resource-URI: https://www.googleapis.com/x\r\nContent-Length: 10000000\r\n\r\n"
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 64];
    let n = tokio::time::timeout(rx.limits.header_read_timeout, conn.read(&mut answer))
        .await
        .expect("answered from the headers, without waiting for the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");
}

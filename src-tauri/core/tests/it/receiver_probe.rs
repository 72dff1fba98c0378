//! The reachability probe against real local servers: it reports OK with a round trip
//! when the URL leads to this receiver, and names the failing step otherwise.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::any;
use calwatch_core::receiver::{
    check_callback, router, serve, ChannelRegistry, Delivery, ProbeNonces, ProbeReport,
    ProbeStepCode, ReceiverState, DEFAULT_CALLBACK_PATH,
};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// A CalWatch receiver on loopback; its probe nonces are shared with the caller.
struct Receiver {
    addr: SocketAddr,
    probes: ProbeNonces,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let probes = ProbeNonces::for_receiver(addr);
        let (tx, deliveries) = mpsc::unbounded_channel();
        let state = ReceiverState::new(ChannelRegistry::new(), tx, probes.clone());
        let served = tokio::spawn(serve(
            listener,
            router(state, DEFAULT_CALLBACK_PATH),
            std::future::pending(),
        ));
        Receiver {
            addr,
            probes,
            deliveries,
            served,
        }
    }

    fn url(&self) -> String {
        format!("http://{}{DEFAULT_CALLBACK_PATH}", self.addr)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.served.abort();
    }
}

/// Some other HTTP server on loopback answering every request with `answer`.
async fn other_server(answer: fn() -> axum::response::Response) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .route("/{*path}", any(move || async move { answer() }))
        .fallback(any(move || async move { answer() }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// An HTTPS server with a self-signed certificate for 127.0.0.1, as a tunnel with a
/// home-made certificate would present.
async fn self_signed_https_server() -> SocketAddr {
    use tokio_rustls::rustls;
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![certified.cert.der().clone()], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            // The client is expected to abort the handshake; nothing to serve.
            tokio::spawn(async move {
                let _ = acceptor.accept(stream).await;
            });
        }
    });
    addr
}

fn codes(report: &ProbeReport) -> Vec<(ProbeStepCode, bool)> {
    report.steps.iter().map(|s| (s.code, s.ok)).collect()
}

fn failed(report: &ProbeReport) -> (ProbeStepCode, String) {
    assert!(!report.ok, "the probe should have failed: {report:#?}");
    let step = report.failure().expect("a failed report names its step");
    (step.code, step.detail.clone())
}

#[tokio::test]
async fn a_url_leading_to_this_receiver_is_ok_with_its_round_trip() {
    let mut rx = Receiver::start().await;
    let report = check_callback(&rx.url(), &rx.probes, true).await;
    assert!(report.ok, "the receiver is right there: {report:#?}");
    assert_eq!(
        codes(&report),
        vec![
            (ProbeStepCode::Address, true),
            (ProbeStepCode::Dns, true),
            (ProbeStepCode::Connection, true),
            (ProbeStepCode::Receiver, true),
        ],
        "plain http has no TLS step; every other step passes"
    );
    let rtt = report.rtt_ms.expect("an OK probe reports its round trip");
    assert!(rtt >= 0.0);
    assert!(
        report.steps.last().unwrap().detail.contains(" ms"),
        "the user sees the round trip in words"
    );
    assert!(
        rx.deliveries.try_recv().is_err(),
        "a probe is never mistaken for Google: no delivery"
    );

    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["steps"][3]["code"], "receiver");
    assert!(json["steps"][3]["name"].is_string() && json["steps"][3]["detail"].is_string());
    assert!(
        json["rtt_ms"].is_number(),
        "the window shows the round trip"
    );
}

#[tokio::test]
async fn localhost_by_name_resolves_and_reaches_the_receiver() {
    let rx = Receiver::start().await;
    let url = format!("http://localhost:{}{DEFAULT_CALLBACK_PATH}", rx.addr.port());
    let report = check_callback(&url, &rx.probes, true).await;
    assert!(report.ok, "{report:#?}");
}

#[tokio::test]
async fn http_is_refused_unless_allowed() {
    let rx = Receiver::start().await;
    let (step, detail) = failed(&check_callback(&rx.url(), &rx.probes, false).await);
    assert_eq!(step, ProbeStepCode::Address);
    assert!(
        detail.contains("https://"),
        "the user is told to use https: {detail}"
    );

    let (step, _) = failed(&check_callback("ftp://example.com/x", &rx.probes, true).await);
    assert_eq!(step, ProbeStepCode::Address);
    let (step, detail) = failed(&check_callback("not a url", &rx.probes, true).await);
    assert_eq!(step, ProbeStepCode::Address);
    assert!(detail.contains("not a web address"), "{detail}");
}

#[tokio::test]
async fn a_host_that_does_not_resolve_is_named_as_dns() {
    let probes = ProbeNonces::new();
    // `.invalid` is reserved never to resolve (RFC 6761).
    let report = check_callback(
        "https://calwatch-tunnel.invalid/notifications",
        &probes,
        false,
    )
    .await;
    let (step, detail) = failed(&report);
    assert_eq!(step, ProbeStepCode::Dns, "{report:#?}");
    assert!(
        detail.contains("calwatch-tunnel.invalid"),
        "the detail names the host: {detail}"
    );
}

#[tokio::test]
async fn nothing_listening_is_named_as_the_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let probes = ProbeNonces::new();
    let report = check_callback(&format!("http://{addr}/notifications"), &probes, true).await;
    let (step, detail) = failed(&report);
    assert_eq!(step, ProbeStepCode::Connection, "{report:#?}");
    assert!(detail.contains("nothing accepted a connection"), "{detail}");
}

#[tokio::test]
async fn a_self_signed_certificate_is_named_as_rejected() {
    let addr = self_signed_https_server().await;
    let probes = ProbeNonces::new();
    let report = check_callback(&format!("https://{addr}/notifications"), &probes, false).await;
    let (step, detail) = failed(&report);
    assert_eq!(step, ProbeStepCode::Tls, "{report:#?}");
    assert!(
        detail.contains("the tunnel's certificate was rejected: Google needs a valid certificate"),
        "the user learns the certificate is the problem: {detail}"
    );
    assert_eq!(
        codes(&report)[..3],
        [
            (ProbeStepCode::Address, true),
            (ProbeStepCode::Dns, true),
            (ProbeStepCode::Connection, true)
        ],
        "everything before TLS worked"
    );
}

#[tokio::test]
async fn plain_http_behind_an_https_url_is_named_as_a_tls_failure() {
    let rx = Receiver::start().await;
    let url = format!("https://{}{DEFAULT_CALLBACK_PATH}", rx.addr);
    let report = check_callback(&url, &rx.probes, false).await;
    let (step, detail) = failed(&report);
    assert_eq!(step, ProbeStepCode::Tls, "{report:#?}");
    assert!(
        detail.contains("TLS") || detail.contains("secure"),
        "{detail}"
    );
}

#[tokio::test]
async fn another_server_answering_is_not_taken_for_calwatch() {
    let rx = Receiver::start().await;
    let not_found = other_server(|| StatusCode::NOT_FOUND.into_response()).await;
    let bad_gateway = other_server(|| StatusCode::BAD_GATEWAY.into_response()).await;
    let happy = other_server(|| (StatusCode::OK, "ok").into_response()).await;
    // A server that copies our request headers into its answer must not pass either.
    let echo = other_server(|| {
        (
            StatusCode::OK,
            [("x-calwatch-probe-proof", "whatever-was-sent")],
            "ok",
        )
            .into_response()
    })
    .await;

    for (what, addr, status) in [
        ("404", not_found, "404"),
        ("502", bad_gateway, "502"),
        ("200 without proof", happy, "200"),
        ("200 with a made-up proof", echo, "200"),
    ] {
        let report =
            check_callback(&format!("http://{addr}/notifications"), &rx.probes, true).await;
        let (step, detail) = failed(&report);
        assert_eq!(step, ProbeStepCode::Receiver, "{what}: {report:#?}");
        assert!(
            detail.contains("something answered at that address")
                && detail.contains("but not CalWatch")
                && detail.contains(status),
            "{what}: {detail}"
        );
        assert!(
            detail.contains(&format!("is the tunnel forwarding to {}?", rx.addr)),
            "{what}: the user is told where the tunnel should lead: {detail}"
        );
        assert_eq!(
            report.rtt_ms, None,
            "{what}: no round trip to CalWatch to report"
        );
    }
}

#[tokio::test]
async fn another_calwatch_receiver_is_not_this_one() {
    let ours = Receiver::start().await;
    let theirs = Receiver::start().await;
    // A tunnel still pointing at an old instance: it does not know our nonce.
    let report = check_callback(&theirs.url(), &ours.probes, true).await;
    let (step, detail) = failed(&report);
    assert_eq!(step, ProbeStepCode::Receiver, "{report:#?}");
    assert!(detail.contains("403"), "{detail}");
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_is_explained() {
    let addr = other_server(|| {
        (
            StatusCode::MOVED_PERMANENTLY,
            [("location", "https://elsewhere.example/notifications")],
        )
            .into_response()
    })
    .await;
    let report = check_callback(
        &format!("http://{addr}/notifications"),
        &ProbeNonces::new(),
        true,
    )
    .await;
    let (step, detail) = failed(&report);
    assert_eq!(step, ProbeStepCode::Receiver);
    assert!(
        detail.contains("redirects") && detail.contains("https://elsewhere.example/notifications"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_probe_with_an_unknown_or_used_nonce_is_refused_and_never_delivered() {
    let mut rx = Receiver::start().await;
    let http = reqwest::Client::new();
    let forged = http
        .post(rx.url())
        .header("X-CalWatch-Probe", "made-up")
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        StatusCode::FORBIDDEN,
        "only nonces we issued are answered"
    );

    let nonce = rx.probes.issue(tokio::time::Instant::now());
    let first = http
        .post(rx.url())
        .header("X-CalWatch-Probe", &nonce)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert!(first.headers().contains_key("x-calwatch-probe-proof"));
    let replay = http
        .post(rx.url())
        .header("X-CalWatch-Probe", &nonce)
        .send()
        .await
        .unwrap();
    assert_eq!(
        replay.status(),
        StatusCode::FORBIDDEN,
        "a nonce is good for one probe"
    );

    assert!(
        rx.deliveries.try_recv().is_err(),
        "no probe ever reaches the sync side"
    );
}

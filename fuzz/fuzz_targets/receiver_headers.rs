//! The receiver's header handling: a POST to the callback path whose headers come from
//! arbitrary bytes (one `name:value` per line), through the real router, with one channel
//! registered so well-formed inputs reach the token check, the message numbers and the
//! hand-over to the sync side. Whatever arrives, the receiver answers; it never panics.

#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request};
use calwatch_core::receiver::{
    router, ChannelRegistry, ProbeNonces, ReceiverState, RegisteredChannel,
};
use calwatch_core::secrets::Sensitive;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

struct Fixture {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let registry = ChannelRegistry::new();
        registry.insert(
            "chan-1",
            RegisteredChannel::new("me@example.com", Sensitive::new("tok-1".to_owned())),
        );
        let (tx, mut deliveries) = tokio::sync::mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime");
        // The sync side: takes what the receiver hands on, so the queue stays empty.
        runtime.spawn(async move { while deliveries.recv().await.is_some() {} });
        let state = ReceiverState::new(registry, tx, ProbeNonces::new());
        Fixture {
            runtime,
            router: router(state, "/notifications"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let mut request = Request::post("/notifications");
    for line in data.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        // Only what an HTTP parser could have handed on: valid names and values.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name),
            HeaderValue::from_bytes(value.trim_ascii()),
        ) {
            request = request.header(name, value);
        }
    }
    let Ok(request) = request.body(Body::empty()) else {
        return;
    };
    let response = fixture
        .runtime
        .block_on(fixture.router.clone().oneshot(request))
        .expect("the router always answers");
    assert!(
        !response.status().is_server_error(),
        "a 5xx makes Google retry: {}",
        response.status()
    );
});

//! A real receiver serving on loopback with one registered channel, and the far end of the
//! channel its deliveries are handed on through.

use calwatch_core::receiver::{
    router, serve, ChannelRegistry, Delivery, ProbeNonces, ReceiverLimits, ReceiverState,
    RegisteredChannel,
};
use calwatch_core::secrets::Sensitive;
use reqwest::StatusCode;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// A receiver on 127.0.0.1:0; dropping it stops it.
pub struct LoopbackReceiver {
    /// `http://127.0.0.1:PORT`, where it listens.
    pub base: String,
    /// The path Google posts to.
    pub callback_path: String,
    /// The channels it accepts deliveries for (the test may change them while it runs).
    pub registry: ChannelRegistry,
    /// A client to talk to it.
    pub http: reqwest::Client,
    /// What the receiver handed on to the sync side.
    deliveries: mpsc::UnboundedReceiver<Delivery>,
    /// Sending (or dropping) it shuts the server down gracefully.
    stop: Option<oneshot::Sender<()>>,
    /// The server task, to await its end.
    served: Option<JoinHandle<std::io::Result<()>>>,
}

impl LoopbackReceiver {
    /// Serves `callback_path` with `channel` registered for `calendar` under `token`.
    pub async fn start(
        channel: &str,
        calendar: &str,
        token: &str,
        callback_path: &str,
        limits: ReceiverLimits,
    ) -> LoopbackReceiver {
        let registry = ChannelRegistry::new();
        registry.insert(
            channel,
            RegisteredChannel::new(calendar, Sensitive::new(token.to_owned())),
        );
        let (tx, deliveries) = mpsc::unbounded_channel();
        let state =
            ReceiverState::new(registry.clone(), tx, ProbeNonces::new()).with_limits(limits);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(serve(listener, router(state, callback_path), async move {
            let _ = stopped.await;
        }));
        LoopbackReceiver {
            base,
            callback_path: callback_path.to_owned(),
            registry,
            http: reqwest::Client::new(),
            deliveries,
            stop: Some(stop),
            served: Some(served),
        }
    }

    /// The callback URL Google would be given.
    pub fn url(&self) -> String {
        format!("{}{}", self.base, self.callback_path)
    }

    /// POSTs to the callback with exactly the given headers; returns status and body text.
    pub async fn post(&self, headers: &[(&str, &str)]) -> (StatusCode, String) {
        let mut req = self.http.post(self.url());
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let res = req.send().await.expect("the receiver answers");
        (res.status(), res.text().await.unwrap())
    }

    /// Everything handed to the sync side so far. The handler sends before it answers,
    /// so once a response is in, its delivery (if any) is already queued.
    pub fn drain(&mut self) -> Vec<Delivery> {
        let mut out = Vec::new();
        while let Ok(d) = self.deliveries.try_recv() {
            out.push(d);
        }
        out
    }

    /// Stops accepting, lets requests in flight finish, and waits for the server to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.served.take().unwrap().await.unwrap().unwrap();
    }
}

impl Drop for LoopbackReceiver {
    fn drop(&mut self) {
        if let Some(served) = self.served.take() {
            served.abort();
        }
    }
}

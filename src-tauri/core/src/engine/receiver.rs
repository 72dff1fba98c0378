//! The local receiver Google posts to: binding (and rebinding) it, the public callback
//! URL in front of it, and probing that URL end to end.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::settings::channel_settings;
use super::{lock, read, write, EngineError, EngineEvent, Inner};
use crate::error::Sentence;
use crate::receiver::{self, ProbeNonces, ProbeReport, ReceiverState};

/// The receiver as it runs now.
pub(super) struct Receiver {
    /// The address asked for (settings) or, when listening, the one bound.
    pub(super) address: SocketAddr,
    /// Why it is not listening, if it is not.
    pub(super) error: Option<EngineError>,
    /// The probe nonces the running router recognises.
    pub(super) probes: Option<ProbeNonces>,
    /// Stops the server.
    pub(super) stop: CancellationToken,
    /// The server task.
    pub(super) task: Option<JoinHandle<()>>,
}

impl Inner {
    /// Sets the public callback URL Google delivers to (https unless allowed otherwise).
    /// Live channels pointing elsewhere move onto the new address (new channel first, then
    /// the old one stopped: the kept sync token tells a change made meanwhile once); the
    /// address is probed now and again once every move is done.
    pub(super) async fn set_callback_url(self: &Arc<Self>, url: &str) -> Result<(), EngineError> {
        let inner = self;
        {
            let mut config = write(&inner.config);
            config.set_callback_url(url)?;
            config.save()?;
            inner.channels.set_settings(channel_settings(&config));
        }
        let address = inner.channels.settings().callback_url;
        let mut moves = Vec::new();
        for channel in inner.live_channels()? {
            if Some(&channel.address) != address.as_ref() {
                let channels = inner.channels.clone();
                moves.push(tokio::spawn(async move {
                    match channels.renew(&channel.id).await {
                        Ok(new) => {
                            tracing::info!(old = %channel.id, new = %new.id, "channel moved to the new callback URL")
                        }
                        // A renewal already under way makes its new channel at the new
                        // address, or that channel's timer moves it at once.
                        Err(e) => {
                            tracing::warn!(error = %e, "moving a channel to the new callback URL failed")
                        }
                    }
                }));
            }
        }
        // Calendar lists move too (their timers replace them at once), and an account
        // whose list was not watched for want of an address is watched now.
        if let Err(e) = inner.channels.move_lists() {
            tracing::warn!(error = %e, "could not move the calendar-list channels");
        }
        inner.follow_calendar_lists();
        inner.recheck.notify_one();
        if !moves.is_empty() {
            let this = Arc::clone(inner);
            tokio::spawn(async move {
                for moved in moves {
                    let _ = moved.await;
                }
                this.recheck.notify_one();
            });
        }
        inner.emit(EngineEvent::State);
        Ok(())
    }

    /// Probes the public callback URL end to end and says which step failed.
    pub(super) async fn check_callback(&self) -> Result<ProbeReport, EngineError> {
        let (url, allow_http) = {
            let config = read(&self.config);
            (
                config.settings.callback_url.clone(),
                config.allow_http_callback,
            )
        };
        let url = url.ok_or(EngineError::NoCallback)?;
        let (probes, error) = {
            let receiver = lock(&self.receiver);
            (receiver.probes.clone(), receiver.error.clone())
        };
        match probes {
            Some(probes) => Ok(receiver::check_callback(&url, &probes, allow_http).await),
            None => Err(error.unwrap_or_else(|| {
                EngineError::Internal(Sentence::of("error-receiver-not-running", vec![]))
            })),
        }
    }

    /// Stops the receiver, if it runs, and waits until it no longer listens.
    pub(super) async fn stop_receiver(&self) {
        let task = {
            let mut receiver = lock(&self.receiver);
            receiver.stop.cancel();
            receiver.task.take()
        };
        if let Some(task) = task {
            let _ = task.await;
        }
    }

    /// (Re)binds the receiver on `address`; a failure is kept in the state and broadcast.
    pub(super) async fn bind_receiver(&self, address: SocketAddr) {
        self.stop_receiver().await;
        let callback_path = read(&self.config).settings.callback_path.clone();
        let mut status = Receiver {
            address,
            error: None,
            probes: None,
            stop: self.cancel.child_token(),
            task: None,
        };
        match TcpListener::bind(address).await {
            Ok(listener) => {
                let bound = listener.local_addr().unwrap_or(address);
                let probes = ProbeNonces::for_receiver(bound);
                let state = ReceiverState::new(
                    self.registry.clone(),
                    self.deliveries.clone(),
                    probes.clone(),
                )
                .with_site_verification(self.site_verification.clone());
                let router = receiver::router(state, &callback_path);
                let stop = status.stop.clone();
                status.task = Some(tokio::spawn(async move {
                    if let Err(e) = receiver::serve(listener, router, stop.cancelled_owned()).await
                    {
                        tracing::warn!(error = %e, "the receiver stopped");
                    }
                }));
                status.address = bound;
                status.probes = Some(probes);
                tracing::info!(%bound, "receiver listening");
            }
            Err(e) => {
                let error = if e.kind() == std::io::ErrorKind::AddrInUse {
                    EngineError::PortInUse {
                        port: address.port(),
                    }
                } else {
                    EngineError::Internal(Sentence::of(
                        "error-receiver-bind",
                        vec![
                            ("address", address.to_string().into()),
                            ("reason", e.to_string().into()),
                        ],
                    ))
                };
                tracing::warn!(%address, error = %e, "receiver could not bind");
                status.error = Some(error.clone());
                self.emit(EngineEvent::Error(error));
            }
        }
        *lock(&self.receiver) = status;
        self.emit(EngineEvent::State);
    }
}

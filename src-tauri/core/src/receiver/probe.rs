//! The reachability probe: does the user's public callback URL lead to this receiver?
//!
//! [`check_callback`] POSTs to the public URL with a one-time nonce in [`PROBE_HEADER`].
//! The receiver (which shares the [`ProbeNonces`]) answers a nonce it issued with a proof
//! in [`PROOF_HEADER`] that only it can compute, so an answer from anything else (a
//! tunnel's error page, another local server) is told apart from CalWatch. Each step is
//! reported in words from the catalogue (errors.ftl), in the language in effect when the
//! test ran, so the window can say what to fix.

use std::collections::HashMap;
use std::error::Error as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::time::Instant;

use crate::locale::catalogue::Arg;
use crate::locale::{Args, Locale};

/// The request header carrying the probe's nonce.
pub const PROBE_HEADER: &str = "x-calwatch-probe";
/// The response header carrying the receiver's proof that it saw the nonce.
pub const PROOF_HEADER: &str = "x-calwatch-probe-proof";

/// How long an issued nonce stays redeemable: one probe's round trip, with room.
const NONCE_TTL: Duration = Duration::from_secs(60);
/// Outstanding nonces kept at most; a probe is user-initiated, so this is never reached
/// in use and only bounds memory if something calls the probe in a loop.
const MAX_OUTSTANDING: usize = 64;
/// DNS and connection steps give up after this.
const STEP_TIMEOUT: Duration = Duration::from_secs(5);
/// The whole probe request gives up after this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The nonces of probes in flight, shared by the prober and the receiver. Cheap to clone.
#[derive(Clone)]
pub struct ProbeNonces {
    /// Nonce → when it stops being accepted.
    outstanding: Arc<Mutex<HashMap<String, Instant>>>,
    /// Per-process secret the proof is keyed with, so a server that merely echoes
    /// request headers back does not pass for CalWatch.
    key: Arc<[u8; 32]>,
    /// Where the receiver listens locally, to name it when the tunnel leads elsewhere.
    receiver_addr: Option<SocketAddr>,
}

impl std::fmt::Debug for ProbeNonces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbeNonces")
            .field("receiver_addr", &self.receiver_addr)
            .finish_non_exhaustive()
    }
}

impl Default for ProbeNonces {
    fn default() -> Self {
        Self::new()
    }
}

impl ProbeNonces {
    /// A fresh set with a new random key.
    pub fn new() -> Self {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Self {
            outstanding: Arc::default(),
            key: Arc::new(key),
            receiver_addr: None,
        }
    }

    /// A fresh set that names `addr` as the receiver's local address in its advice.
    pub fn for_receiver(addr: SocketAddr) -> Self {
        Self {
            receiver_addr: Some(addr),
            ..Self::new()
        }
    }

    /// The receiver's local address, if known.
    pub fn receiver_addr(&self) -> Option<SocketAddr> {
        self.receiver_addr
    }

    /// Issues a one-time nonce, valid until `now + 60 s`.
    pub fn issue(&self, now: Instant) -> String {
        let mut raw = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let nonce = URL_SAFE_NO_PAD.encode(raw);
        let mut outstanding = self.lock();
        outstanding.retain(|_, expires| *expires > now);
        if outstanding.len() >= MAX_OUTSTANDING {
            // Drop the oldest: the newest probe is the one the user is waiting for.
            if let Some(oldest) = outstanding
                .iter()
                .min_by_key(|(_, expires)| **expires)
                .map(|(n, _)| n.clone())
            {
                outstanding.remove(&oldest);
            }
        }
        outstanding.insert(nonce.clone(), now + NONCE_TTL);
        nonce
    }

    /// Redeems a nonce (once) and returns the proof to answer with; `None` if it was not
    /// issued here, was already used, or expired.
    pub fn redeem(&self, nonce: &str) -> Option<String> {
        self.redeem_at(nonce, Instant::now())
    }

    /// [`ProbeNonces::redeem`] at a given time.
    pub fn redeem_at(&self, nonce: &str, now: Instant) -> Option<String> {
        let expires = self.lock().remove(nonce)?;
        (expires > now).then(|| self.proof(nonce))
    }

    /// Forgets a nonce whose probe ended without it being redeemed.
    fn forget(&self, nonce: &str) {
        self.lock().remove(nonce);
    }

    /// The proof for a nonce: a keyed hash only holders of this set can compute.
    fn proof(&self, nonce: &str) -> String {
        let mut h = Sha256::new();
        h.update(b"calwatch-probe-v1\0");
        h.update(self.key.as_slice());
        h.update(nonce.as_bytes());
        URL_SAFE_NO_PAD.encode(h.finalize())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        // Every critical section is a single map operation: a poisoned lock is intact.
        crate::poison::lock(&self.outstanding)
    }
}

/// Which check a [`ProbeStep`] reports; stable, for the window to switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeStepCode {
    /// The URL parses and is https (or http where allowed).
    Address,
    /// The host name resolves.
    Dns,
    /// Something accepts a TCP connection there.
    Connection,
    /// The TLS handshake succeeds with a certificate Google would accept.
    Tls,
    /// The answer came from this receiver (the nonce's proof matches).
    Receiver,
}

/// One step of the probe, in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeStep {
    /// Which check this is.
    pub code: ProbeStepCode,
    /// The check's name as shown to the user.
    pub name: String,
    /// Whether it passed.
    pub ok: bool,
    /// What was found, or what is wrong and what to do about it.
    pub detail: String,
}

/// The probe's outcome: every step tried, in order; the last failed one is the problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeReport {
    /// The URL that was probed.
    pub url: String,
    /// True when every step passed: Google can reach this receiver.
    pub ok: bool,
    /// The steps tried, in order; probing stops at the first failure.
    pub steps: Vec<ProbeStep>,
    /// The probe request's round trip in milliseconds, when the receiver answered.
    pub rtt_ms: Option<f64>,
}

impl ProbeReport {
    /// The first failed step, if any.
    pub fn failure(&self) -> Option<&ProbeStep> {
        self.steps.iter().find(|s| !s.ok)
    }
}

/// Builds the report step by step.
struct Steps {
    url: String,
    steps: Vec<ProbeStep>,
    /// The language the steps are told in.
    locale: Locale,
}

impl Steps {
    fn pass(&mut self, code: ProbeStepCode, detail: String) {
        self.push(code, true, detail);
    }

    fn fail(mut self, code: ProbeStepCode, detail: String) -> ProbeReport {
        self.push(code, false, detail);
        self.finish(None)
    }

    fn push(&mut self, code: ProbeStepCode, ok: bool, detail: String) {
        let id = match code {
            ProbeStepCode::Address => "probe-step-address",
            ProbeStepCode::Dns => "probe-step-dns",
            ProbeStepCode::Connection => "probe-step-connection",
            ProbeStepCode::Tls => "probe-step-tls",
            ProbeStepCode::Receiver => "probe-step-receiver",
        };
        let name = self.locale.text(id, &[]);
        self.steps.push(ProbeStep {
            code,
            name,
            ok,
            detail,
        });
    }

    fn finish(self, rtt_ms: Option<f64>) -> ProbeReport {
        ProbeReport {
            ok: self.steps.iter().all(|s| s.ok),
            url: self.url,
            steps: self.steps,
            rtt_ms,
        }
    }
}

fn say(locale: &Locale, id: &str, args: &Args<'_>) -> String {
    locale.text(id, args)
}

/// Checks that `public_url` leads to this receiver, the way Google will reach it.
///
/// `allow_http` lets an `http://` URL through (local stand-ins only: Google needs https).
pub async fn check_callback(
    public_url: &str,
    probes: &ProbeNonces,
    allow_http: bool,
) -> ProbeReport {
    check_callback_in(public_url, probes, allow_http, crate::locale::current()).await
}

/// [`check_callback`], its steps told in `locale`'s language.
pub async fn check_callback_in(
    public_url: &str,
    probes: &ProbeNonces,
    allow_http: bool,
    locale: Locale,
) -> ProbeReport {
    let mut steps = Steps {
        url: public_url.to_owned(),
        steps: Vec::new(),
        locale: locale.clone(),
    };
    let locale = &locale;
    use ProbeStepCode::*;

    // Address.
    let url = match url::Url::parse(public_url.trim()) {
        Ok(url) => url,
        Err(e) => {
            return steps.fail(
                Address,
                say(
                    locale,
                    "probe-not-a-url",
                    &[("reason", e.to_string().into())],
                ),
            )
        }
    };
    let https = match url.scheme() {
        "https" => true,
        "http" if allow_http => false,
        "http" => return steps.fail(Address, say(locale, "probe-http-refused", &[])),
        other => {
            return steps.fail(
                Address,
                say(locale, "probe-wrong-scheme", &[("scheme", other.into())]),
            )
        }
    };
    let Some(host) = url.host_str().map(str::to_owned) else {
        return steps.fail(Address, say(locale, "probe-no-host", &[]));
    };
    let Some(port) = url.port_or_known_default() else {
        return steps.fail(Address, say(locale, "probe-no-port", &[]));
    };
    steps.pass(
        Address,
        say(
            locale,
            if https {
                "probe-https"
            } else {
                "probe-plain-http"
            },
            &[],
        ),
    );

    // DNS. `url` keeps IPv6 literals bracketed; an IP needs no lookup.
    let bare_host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = if let Ok(ip) = bare_host.parse::<IpAddr>() {
        steps.pass(
            Dns,
            say(locale, "probe-ip-address", &[("ip", ip.to_string().into())]),
        );
        vec![SocketAddr::new(ip, port)]
    } else {
        match tokio::time::timeout(STEP_TIMEOUT, tokio::net::lookup_host((bare_host, port))).await {
            Ok(Ok(found)) => {
                let found: Vec<SocketAddr> = found.collect();
                if found.is_empty() {
                    return steps.fail(Dns, no_such_host(locale, bare_host));
                }
                steps.pass(
                    Dns,
                    say(
                        locale,
                        "probe-resolves",
                        &[
                            ("host", bare_host.into()),
                            ("ip", found[0].ip().to_string().into()),
                        ],
                    ),
                );
                found
            }
            Ok(Err(_)) => return steps.fail(Dns, no_such_host(locale, bare_host)),
            Err(_) => {
                return steps.fail(
                    Dns,
                    say(
                        locale,
                        "probe-lookup-slow",
                        &[
                            ("host", bare_host.into()),
                            ("seconds", STEP_TIMEOUT.as_secs().to_string().into()),
                        ],
                    ),
                )
            }
        }
    };

    // Connection: done separately so "nothing listens there" is named as such.
    let mut last_error = None;
    let mut connected = None;
    for addr in &addrs {
        match tokio::time::timeout(STEP_TIMEOUT, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_stream)) => {
                connected = Some(*addr);
                break;
            }
            Ok(Err(e)) => last_error = Some(e.to_string()),
            Err(_) => last_error = Some(say(locale, "probe-timed-out", &[])),
        }
    }
    let Some(connected) = connected else {
        return steps.fail(
            Connection,
            say(
                locale,
                "probe-nothing-listens",
                &[
                    ("host", Arg::from(&host)),
                    ("port", port.to_string().into()),
                    ("reason", last_error.unwrap_or_default().into()),
                ],
            ),
        );
    };
    steps.pass(
        Connection,
        say(
            locale,
            "probe-connected",
            &[("address", connected.to_string().into())],
        ),
    );

    // The request itself: TLS (for https) and who answers.
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(STEP_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            return steps.fail(
                Connection,
                say(
                    locale,
                    "probe-request-setup",
                    &[("reason", e.to_string().into())],
                ),
            )
        }
    };
    let nonce = probes.issue(Instant::now());
    let started = Instant::now();
    let sent = client
        .post(url.clone())
        .header(PROBE_HEADER, &nonce)
        .send()
        .await;
    let rtt = started.elapsed();
    // A nonce the receiver never saw must not stay redeemable.
    probes.forget(&nonce);

    let response = match sent {
        Ok(response) => response,
        Err(e) => {
            if let Some(tls) = tls_error(&e) {
                let detail = match tls {
                    rustls::Error::InvalidCertificate(why) => say(
                        locale,
                        "probe-certificate-rejected",
                        &[("reason", format!("{why:?}").into())],
                    ),
                    other => say(
                        locale,
                        "probe-handshake-failed",
                        &[("reason", other.to_string().into())],
                    ),
                };
                return steps.fail(Tls, detail);
            }
            if e.is_timeout() {
                return steps.fail(
                    Receiver,
                    say(
                        locale,
                        "probe-no-answer",
                        &[("seconds", REQUEST_TIMEOUT.as_secs().to_string().into())],
                    ),
                );
            }
            if https && e.is_connect() {
                return steps.fail(
                    Tls,
                    say(
                        locale,
                        "probe-secure-connection-failed",
                        &[("reason", chain(&e).into())],
                    ),
                );
            }
            return steps.fail(
                Receiver,
                say(
                    locale,
                    "probe-request-failed",
                    &[("reason", chain(&e).into())],
                ),
            );
        }
    };
    if https {
        steps.pass(Tls, say(locale, "probe-certificate-accepted", &[]));
    }

    let status = response.status();
    let expected = probes.proof(&nonce);
    let proven = response
        .headers()
        .get(PROOF_HEADER)
        .map(|v| bool::from(v.as_bytes().ct_eq(expected.as_bytes())))
        .unwrap_or(false);
    let rtt_ms = (rtt.as_secs_f64() * 10_000.0).round() / 10.0;
    if status.is_success() && proven {
        steps.pass(
            Receiver,
            say(
                locale,
                "probe-answered",
                &[("ms", rtt_ms.to_string().into())],
            ),
        );
        return steps.finish(Some(rtt_ms));
    }

    let forward_to = match probes.receiver_addr() {
        Some(addr) => addr.to_string(),
        None => say(locale, "probe-receiver-address", &[]),
    };
    let detail = if status.is_redirection() {
        let to = match response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
        {
            Some(to) => to.to_owned(),
            None => say(locale, "probe-elsewhere", &[]),
        };
        say(
            locale,
            "probe-redirects",
            &[
                ("status", status.as_u16().to_string().into()),
                ("to", to.into()),
            ],
        )
    } else {
        say(
            locale,
            "probe-not-calwatch",
            &[
                ("status", status.as_u16().to_string().into()),
                ("forward", forward_to.into()),
            ],
        )
    };
    steps.fail(Receiver, detail)
}

fn no_such_host(locale: &Locale, host: &str) -> String {
    say(locale, "probe-no-such-host", &[("host", host.into())])
}

/// The rustls error somewhere in a reqwest error's chain, if the failure was TLS.
fn tls_error(e: &reqwest::Error) -> Option<&rustls::Error> {
    e.source().and_then(find_rustls)
}

fn find_rustls<'e>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    if let Some(tls) = err.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    // `io::Error::source` skips the error it wraps, and the TLS stack nests io::Errors:
    // look inside each one explicitly.
    if let Some(inner) = err
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        let inner: &(dyn std::error::Error + 'static) = inner;
        if let Some(tls) = find_rustls(inner) {
            return Some(tls);
        }
    }
    err.source().and_then(find_rustls)
}

/// A reqwest error with its causes, which carry the useful part ("connection refused").
fn chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(err) = source {
        text.push_str(": ");
        text.push_str(&err.to_string());
        source = err.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_nonce_is_redeemable_once_and_expires() {
        let probes = ProbeNonces::new();
        let now = Instant::now();
        let once = probes.issue(now);
        assert!(probes.redeem_at(&once, now).is_some());
        assert!(
            probes.redeem_at(&once, now).is_none(),
            "a nonce is one-time"
        );

        let late = probes.issue(now);
        tokio::time::advance(NONCE_TTL + Duration::from_secs(1)).await;
        assert!(
            probes.redeem_at(&late, Instant::now()).is_none(),
            "an expired nonce must not be accepted"
        );
    }

    #[test]
    fn proofs_differ_between_receivers() {
        let a = ProbeNonces::new();
        let b = ProbeNonces::new();
        assert_ne!(a.proof("n"), b.proof("n"), "the proof is keyed per process");
    }
}

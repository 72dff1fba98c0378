//! Push notifications: numbering messages, the per-channel worker that POSTs them to the
//! channel's address with Google's headers, and the delivery faults (delay, duplicate,
//! reorder, drop) tests switch on.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;

use crate::state::{ChannelInfo, ChannelState, Pending, Shared, World};

/// Google's crawler identity; receivers may log or check it.
pub const USER_AGENT: &str =
    "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)";

/// How long a reordering worker waits for a second message to swap with. Tests mutate
/// back to back, so the partner arrives within microseconds; a lone message still goes out.
const REORDER_GRACE: Duration = Duration::from_millis(100);

/// Attempts per POST when the receiver answers 5xx or is unreachable (Google retries too).
const MAX_ATTEMPTS: u32 = 4;

/// First retry delay; doubles each attempt. Shorter than Google's so tests stay quick.
const RETRY_BASE: Duration = Duration::from_millis(100);

/// `X-Goog-Resource-State`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResourceState {
    /// The first message on a new channel.
    Sync,
    /// Something in the calendar (or the calendar list) changed.
    Exists,
    /// The calendar is gone.
    NotExists,
}

impl ResourceState {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceState::Sync => "sync",
            ResourceState::Exists => "exists",
            ResourceState::NotExists => "not_exists",
        }
    }
}

/// One notification, with everything its headers need captured when it was queued.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    /// `X-Goog-Channel-ID`.
    pub channel_id: String,
    /// `X-Goog-Message-Number`.
    pub number: u64,
    /// `X-Goog-Resource-State`.
    pub state: ResourceState,
    /// `X-Goog-Resource-ID`.
    pub resource_id: String,
    /// `X-Goog-Resource-URI`.
    pub resource_uri: String,
    /// `X-Goog-Channel-Expiration`, rendered as an HTTP date.
    pub expiration_ms: i64,
    /// `X-Goog-Channel-Token`, if the watch set one.
    pub token: Option<String>,
    /// The channel's address.
    pub address: String,
}

/// Queues a message on the channel at `index`, numbering it and applying the drop fault.
/// Numbers grow by a random step because Google's do: receivers must not expect +1.
pub(crate) fn queue(world: &mut World, pending: &Pending, index: usize, state: ResourceState) {
    let step = world.number_rng.gen_range(1..=5u64);
    let drop = state == ResourceState::Exists
        && world.faults.drop_rate > 0.0
        && world.drop_rng.gen::<f64>() < world.faults.drop_rate;
    let channel = &mut world.channels[index];
    let number = match state {
        ResourceState::Sync => 1,
        _ => channel.info.last_message_number + step,
    };
    channel.info.last_message_number = number;
    if drop {
        // The number is spent all the same: the receiver sees a gap, as with a real loss.
        world.stats.deliveries_dropped += 1;
        return;
    }
    let message = Message {
        channel_id: channel.info.id.clone(),
        number,
        state,
        resource_id: channel.info.resource_id.clone(),
        resource_uri: channel.info.resource_uri.clone(),
        expiration_ms: channel.info.expiration_ms,
        token: channel.info.token.clone(),
        address: channel.info.address.clone(),
    };
    if let Some(outbox) = &channel.outbox {
        pending.add();
        if outbox.send(message).is_err() {
            // The worker is gone (server shutting down): nothing will send it.
            pending.done();
        }
    }
}

/// Queues `state` to every live events channel of a calendar.
pub(crate) fn queue_to_calendar(
    world: &mut World,
    pending: &Pending,
    calendar_id: &str,
    state: ResourceState,
    now_ms: i64,
) {
    queue_where(world, pending, state, now_ms, |c| {
        c.calendar_list_user.is_none() && c.calendar_id == calendar_id
    });
}

/// Queues `exists` to every live calendarList channel watching `user`'s list.
pub(crate) fn queue_to_calendar_list(
    world: &mut World,
    pending: &Pending,
    user: &str,
    now_ms: i64,
) {
    queue_where(world, pending, ResourceState::Exists, now_ms, |c| {
        c.calendar_list_user.as_deref() == Some(user)
    });
}

/// Queues `state` to every live channel `watches` picks.
fn queue_where(
    world: &mut World,
    pending: &Pending,
    state: ResourceState,
    now_ms: i64,
    watches: impl Fn(&ChannelInfo) -> bool,
) {
    world.expire_due_channels(now_ms);
    let live: Vec<usize> = world
        .channels
        .iter()
        .enumerate()
        .filter(|(_, c)| c.info.state == ChannelState::Live && watches(&c.info))
        .map(|(i, _)| i)
        .collect();
    for index in live {
        queue(world, pending, index, state);
    }
}

/// Starts the worker that sends one channel's messages in order.
pub(crate) fn spawn_worker(
    shared: Arc<Shared>,
    mut inbox: tokio::sync::mpsc::UnboundedReceiver<Message>,
) {
    tokio::spawn(async move {
        let cancel = shared.cancel.clone();
        loop {
            let first = tokio::select! {
                _ = cancel.cancelled() => return,
                next = inbox.recv() => match next {
                    Some(message) => message,
                    None => return,
                },
            };
            let mut batch = vec![first];
            if shared.world().faults.reorder_deliveries {
                if let Ok(Some(second)) = tokio::time::timeout(REORDER_GRACE, inbox.recv()).await {
                    batch.insert(0, second);
                }
            }
            for message in batch {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = deliver(&shared, &message) => {}
                }
                shared.pending.done();
            }
        }
    });
}

/// True if the channel may still receive messages right now.
fn still_live(shared: &Shared, channel_id: &str) -> bool {
    let now_ms = shared.now().timestamp_millis();
    let mut world = shared.world();
    world.expire_due_channels(now_ms);
    world
        .channels
        .iter()
        .any(|c| c.info.id == channel_id && c.info.state == ChannelState::Live)
}

/// Sends one message, honouring the delay and duplicate faults.
async fn deliver(shared: &Shared, message: &Message) {
    let (delay, duplicate) = {
        let world = shared.world();
        (
            world.faults.delivery_delay,
            world.faults.duplicate_deliveries,
        )
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let copies = if duplicate { 2 } else { 1 };
    for _ in 0..copies {
        post_with_retries(shared, message).await;
    }
}

/// POSTs once, retrying 5xx answers and connection failures with doubling backoff.
async fn post_with_retries(shared: &Shared, message: &Message) {
    let mut backoff = RETRY_BASE;
    for attempt in 1..=MAX_ATTEMPTS {
        // A channel stopped while a message waited (or between retries) gets nothing more.
        if !still_live(shared, &message.channel_id) {
            tracing::debug!(channel = %message.channel_id, "channel no longer live; message discarded");
            return;
        }
        let retry = match post(shared, message).await {
            Ok(status) => {
                shared.world().stats.deliveries_sent += 1;
                tracing::info!(
                    channel = %message.channel_id,
                    number = message.number,
                    state = message.state.as_str(),
                    status,
                    "notification delivered"
                );
                let transient = matches!(status, 500 | 502 | 503 | 504);
                if !transient && !(200..300).contains(&status) && status != 102 {
                    tracing::warn!(channel = %message.channel_id, status, "receiver refused a notification");
                }
                transient
            }
            Err(err) => {
                tracing::warn!(channel = %message.channel_id, error = %err, "notification POST failed");
                true
            }
        };
        if !retry {
            return;
        }
        if attempt < MAX_ATTEMPTS {
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
    }
}

/// One POST with Google's headers and no body.
async fn post(shared: &Shared, message: &Message) -> Result<u16, reqwest::Error> {
    let mut request = shared
        .http
        .post(&message.address)
        .header(reqwest::header::USER_AGENT, USER_AGENT)
        .header("X-Goog-Channel-ID", &message.channel_id)
        .header("X-Goog-Message-Number", message.number.to_string())
        .header("X-Goog-Resource-ID", &message.resource_id)
        .header("X-Goog-Resource-State", message.state.as_str())
        .header("X-Goog-Resource-URI", &message.resource_uri)
        .header(
            "X-Goog-Channel-Expiration",
            http_date(message.expiration_ms),
        )
        .header(reqwest::header::CONTENT_LENGTH, "0");
    if let Some(token) = &message.token {
        request = request.header("X-Goog-Channel-Token", token);
    }
    let response = request.send().await?;
    Ok(response.status().as_u16())
}

/// `Tue, 19 Nov 2013 01:13:52 GMT`, the form Google uses for the expiration header.
pub(crate) fn http_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

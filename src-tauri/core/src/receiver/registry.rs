//! The channels the receiver answers for, and the checks a delivery must pass against them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use subtle::ConstantTimeEq;

use super::recent::RecentNumbers;
use crate::poison;
use crate::secrets::Sensitive;

/// A channel the receiver accepts deliveries for (a copy; the registry keeps the live one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredChannel {
    /// The calendar this channel watches: what the sync side needs to act on a delivery.
    pub calendar_id: String,
    /// The token given to Google at watch time; a delivery without it is forged.
    pub token: Sensitive<String>,
    /// Google's id of the watched resource, once known from the watch response or the
    /// `sync` message; a delivery naming another resource is forged.
    pub resource_id: Option<String>,
    /// The message number admitted last on this channel (0: none yet). Restored from the
    /// store after a restart so a replay of the last message stays a duplicate; see
    /// [`RecentNumbers`] for why this is not "the highest".
    pub last_message_number: u64,
}

impl RegisteredChannel {
    /// A freshly created channel: no resource id and no message seen yet.
    pub fn new(calendar_id: impl Into<String>, token: Sensitive<String>) -> Self {
        Self {
            calendar_id: calendar_id.into(),
            token,
            resource_id: None,
            last_message_number: 0,
        }
    }
}

/// The live form of a channel: the parts that change are atomics or behind their own
/// short lock, so checking a delivery never takes the registry's write lock.
#[derive(Debug)]
struct LiveChannel {
    /// See [`RegisteredChannel::calendar_id`].
    calendar_id: String,
    /// See [`RegisteredChannel::token`].
    token: Sensitive<String>,
    /// See [`RegisteredChannel::resource_id`]; written at most a few times per channel.
    resource_id: Mutex<Option<String>>,
    /// The numbers seen recently; one short lock makes the duplicate check race-free when
    /// Google retries a message while the first attempt is in flight.
    recent: Mutex<RecentNumbers>,
}

/// The channels the receiver knows, shared between the receiver and the channel lifecycle.
///
/// Cheap to clone (one `Arc`); reads take a read lock for a hash lookup only.
#[derive(Debug, Clone, Default)]
pub struct ChannelRegistry {
    /// Channel id → channel. `Arc` so a lookup can drop the map lock at once.
    channels: Arc<RwLock<HashMap<String, Arc<LiveChannel>>>>,
}

/// What a delivery claims, as read from Google's headers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Claim<'a> {
    /// `X-Goog-Channel-ID`.
    pub channel_id: &'a str,
    /// `X-Goog-Channel-Token`, absent when the sender did not send one.
    pub token: Option<&'a [u8]>,
    /// `X-Goog-Resource-ID`.
    pub resource_id: &'a str,
    /// `X-Goog-Message-Number`.
    pub message_number: u64,
    /// Whether `X-Goog-Resource-State` is `sync`: only that message may teach the
    /// channel its resource id.
    pub is_sync: bool,
}

/// Why the registry refused a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No channel with that id is registered.
    UnknownChannel,
    /// The token is missing or different.
    WrongToken,
    /// The resource id differs from the one the channel is known to watch.
    WrongResource,
}

/// A delivery the registry let through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Admission {
    /// New on this channel: forward it to the sync side.
    Fresh {
        /// The calendar the channel watches.
        calendar_id: String,
    },
    /// Seen already (a retry, replay or late out-of-order message): acknowledge only.
    Duplicate,
}

impl ChannelRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a channel (before `events.watch` is called: the `sync` message can come
    /// before the watch response). Replaces a channel with the same id.
    pub fn insert(&self, channel_id: impl Into<String>, channel: RegisteredChannel) {
        let live = Arc::new(LiveChannel {
            calendar_id: channel.calendar_id,
            token: channel.token,
            resource_id: Mutex::new(channel.resource_id),
            recent: Mutex::new(RecentNumbers::seeded(channel.last_message_number)),
        });
        self.write().insert(channel_id.into(), live);
    }

    /// Forgets a channel; its later deliveries answer 404. Returns what was known of it.
    pub fn remove(&self, channel_id: &str) -> Option<RegisteredChannel> {
        self.write().remove(channel_id).map(|live| snapshot(&live))
    }

    /// Records the resource id from the watch response; false if the channel is unknown.
    pub fn set_resource_id(&self, channel_id: &str, resource_id: impl Into<String>) -> bool {
        match self.live(channel_id) {
            Some(live) => {
                *poison::lock(&live.resource_id) = Some(resource_id.into());
                true
            }
            None => false,
        }
    }

    /// A copy of what is known of a channel.
    pub fn get(&self, channel_id: &str) -> Option<RegisteredChannel> {
        self.live(channel_id).map(|live| snapshot(&live))
    }

    /// Whether a channel with that id is registered.
    pub fn contains(&self, channel_id: &str) -> bool {
        self.read().contains_key(channel_id)
    }

    /// How many channels are registered.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether no channel is registered.
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// Checks a delivery against its channel and records its message number.
    ///
    /// The order matters: nothing about the channel changes until the token and the
    /// resource id have been checked, so a forged delivery cannot advance the message
    /// number (which would turn Google's real next message into a "duplicate") nor
    /// plant a resource id.
    pub(crate) fn admit(&self, claim: &Claim<'_>) -> Result<Admission, Refusal> {
        let live = self.live(claim.channel_id).ok_or(Refusal::UnknownChannel)?;

        let token_ok = match claim.token {
            Some(given) => bool::from(given.ct_eq(live.token.expose().as_bytes())),
            // A channel created without a token would accept a missing one; CalWatch
            // always sets one, so for it a missing token is a wrong token.
            None => live.token.expose().is_empty(),
        };
        if !token_ok {
            return Err(Refusal::WrongToken);
        }

        {
            let mut known = poison::lock(&live.resource_id);
            match known.as_deref() {
                Some(resource_id) if resource_id != claim.resource_id => {
                    return Err(Refusal::WrongResource);
                }
                Some(_) => {}
                // Only the `sync` message (sent once, at channel creation, with the
                // right token) may teach the resource id; a later `exists` is
                // accepted on its token alone until the watch response arrives.
                None if claim.is_sync => *known = Some(claim.resource_id.to_owned()),
                None => {}
            }
        }

        let fresh = poison::lock(&live.recent).admit(claim.message_number);
        if !fresh {
            Ok(Admission::Duplicate)
        } else {
            Ok(Admission::Fresh {
                calendar_id: live.calendar_id.clone(),
            })
        }
    }

    fn live(&self, channel_id: &str) -> Option<Arc<LiveChannel>> {
        self.read().get(channel_id).cloned()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<LiveChannel>>> {
        poison::read(&self.channels)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Arc<LiveChannel>>> {
        poison::write(&self.channels)
    }
}

fn snapshot(live: &LiveChannel) -> RegisteredChannel {
    RegisteredChannel {
        calendar_id: live.calendar_id.clone(),
        token: live.token.clone(),
        resource_id: poison::lock(&live.resource_id).clone(),
        last_message_number: poison::lock(&live.recent).latest(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim<'a>(
        token: Option<&'a [u8]>,
        resource_id: &'a str,
        n: u64,
        is_sync: bool,
    ) -> Claim<'a> {
        Claim {
            channel_id: "ch-1",
            token,
            resource_id,
            message_number: n,
            is_sync,
        }
    }

    fn registry() -> ChannelRegistry {
        let r = ChannelRegistry::new();
        r.insert(
            "ch-1",
            RegisteredChannel::new("work@example.com", Sensitive::new("tok".into())),
        );
        r
    }

    #[test]
    fn forged_deliveries_do_not_advance_the_message_number() {
        let r = registry();
        assert_eq!(
            r.admit(&claim(Some(b"nope"), "res", 100, false)),
            Err(Refusal::WrongToken)
        );
        assert_eq!(
            r.get("ch-1").unwrap().last_message_number,
            0,
            "a forged message must not make Google's real next message a duplicate"
        );
    }

    #[test]
    fn numbers_seen_recently_are_duplicates() {
        let r = registry();
        let fresh = Admission::Fresh {
            calendar_id: "work@example.com".into(),
        };
        assert_eq!(
            r.admit(&claim(Some(b"tok"), "res", 1, true)),
            Ok(fresh.clone())
        );
        assert_eq!(
            r.admit(&claim(Some(b"tok"), "res", 7, false)),
            Ok(fresh.clone())
        );
        assert_eq!(
            r.admit(&claim(Some(b"tok"), "res", 7, false)),
            Ok(Admission::Duplicate)
        );
        assert_eq!(
            r.admit(&claim(Some(b"tok"), "res", 1, false)),
            Ok(Admission::Duplicate)
        );
        assert_eq!(
            r.admit(&claim(Some(b"tok"), "res", 5, false)),
            Ok(fresh.clone()),
            "a late message not seen before costs one sync, never a missed change"
        );
        assert_eq!(r.admit(&claim(Some(b"tok"), "res", 8, false)), Ok(fresh));
    }

    #[test]
    fn only_sync_teaches_the_resource_id() {
        let r = registry();
        r.admit(&claim(Some(b"tok"), "res-a", 3, false)).unwrap();
        assert_eq!(
            r.get("ch-1").unwrap().resource_id,
            None,
            "exists must not teach"
        );
        r.admit(&claim(Some(b"tok"), "res-b", 4, true)).unwrap();
        assert_eq!(r.get("ch-1").unwrap().resource_id.as_deref(), Some("res-b"));
        assert_eq!(
            r.admit(&claim(Some(b"tok"), "res-a", 5, false)),
            Err(Refusal::WrongResource)
        );
    }
}

//! The model behind every endpoint: calendars and their events (each change stamped with a
//! per-calendar sequence number, which is what sync tokens point at), channels, OAuth codes
//! and tokens, fault switches and counters. Handlers lock [`World`] briefly, never across
//! an `.await`.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use chrono::{DateTime, Duration as ChronoDuration, SecondsFormat, Timelike, Utc};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use tokio::sync::{mpsc, Notify};
use tokio_util::sync::CancellationToken;

use crate::calendar_list::CalendarList;
use crate::control::{Faults, TokenFailure};
use crate::delivery::Message;

/// Everything one running fake shares between its routes, its delivery workers and
/// [`crate::Control`].
pub(crate) struct Shared {
    /// The mutable model; a std mutex because no critical section awaits.
    pub world: Mutex<World>,
    /// Client credentials and switches fixed at start.
    pub opts: crate::Options,
    /// What a `/control/…` request must carry (see `control::require_secret`).
    pub control_secret: String,
    /// `http://127.0.0.1:PORT`, used to build resource URIs and the client secret file.
    pub base_url: String,
    /// Deliveries queued but not yet sent or dropped; lets tests wait for quiet.
    pub pending: Pending,
    /// The client deliveries are POSTed with (no redirects, bounded timeouts).
    pub http: reqwest::Client,
    /// Cancelled when the server is dropped so delivery workers stop.
    pub cancel: CancellationToken,
}

impl Shared {
    /// Locks the model. A panic elsewhere must not wedge every later test request, so a
    /// poisoned lock is taken over rather than propagated.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Wall-clock now; read once at the edge and passed into the model's logic.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// `{base}/calendar/v3`.
    pub fn api_base(&self) -> String {
        format!("{}/calendar/v3", self.base_url)
    }
}

/// A counter of in-flight deliveries with a wake-up for whoever waits for zero.
#[derive(Default)]
pub(crate) struct Pending {
    /// Messages queued and not yet sent or discarded.
    count: AtomicUsize,
    /// Woken each time `count` reaches zero.
    idle: Notify,
}

impl Pending {
    /// One more message is on its way.
    pub fn add(&self) {
        self.count.fetch_add(1, Ordering::SeqCst);
    }

    /// One message was sent or discarded.
    pub fn done(&self) {
        if self.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.idle.notify_waiters();
        }
    }

    /// Resolves once nothing is queued.
    pub async fn wait_idle(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            // Register before checking so a `done` between check and await is not missed.
            notified.as_mut().enable();
            if self.count.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// Where a channel is in its life, as `Control::channels` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelState {
    /// Delivering.
    Live,
    /// Stopped with channels.stop; gets nothing more.
    Stopped,
    /// Past its expiration or expired by a test; gets nothing more, stop answers 404.
    Expired,
}

/// A channel as fake-google sees it (every channel ever created is kept).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChannelInfo {
    /// The id the client chose.
    pub id: String,
    /// The watched calendar's resource id (the same for every channel of that calendar).
    pub resource_id: String,
    /// The calendar id as stored (`primary` resolved to the user's email); empty for a
    /// calendarList channel.
    pub calendar_id: String,
    /// For a calendarList.watch channel, the user whose calendar list it watches; None
    /// for an events.watch channel.
    #[serde(default)]
    pub calendar_list_user: Option<String>,
    /// Where deliveries are POSTed.
    pub address: String,
    /// Echoed in `X-Goog-Channel-Token` when set.
    pub token: Option<String>,
    /// Milliseconds since the epoch when the channel dies.
    pub expiration_ms: i64,
    /// Live, stopped or expired.
    pub state: ChannelState,
    /// The number given to the latest message queued on this channel (1 = the sync message).
    pub last_message_number: u64,
    /// The `resourceUri` returned by watch and sent in `X-Goog-Resource-URI`.
    pub resource_uri: String,
}

/// Request counters, so tests can assert how hard a client hit the server.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Stats {
    /// Authenticated events.list calls, including ones answered with an injected fault.
    pub events_list_calls: u64,
    /// The same, per calendar id (after resolving `primary`).
    pub events_list_calls_by_calendar: HashMap<String, u64>,
    /// Authenticated events.watch calls.
    pub watch_calls: u64,
    /// Authenticated channels.stop calls.
    pub stop_calls: u64,
    /// Token endpoint calls, any grant, any outcome.
    pub token_calls: u64,
    /// Delivery POSTs that reached the receiver (a duplicate counts twice).
    pub deliveries_sent: u64,
    /// `exists` messages discarded by the drop fault.
    pub deliveries_dropped: u64,
    /// Authenticated calendarList.list calls.
    pub calendar_list_calls: u64,
    /// The same, per user (the account the token acts as).
    pub calendar_list_calls_by_user: HashMap<String, u64>,
    /// The calendarList.list calls that carried a `syncToken` (incremental ones).
    pub calendar_list_sync_calls: u64,
    /// Authenticated calendarList.watch calls.
    pub calendar_list_watch_calls: u64,
}

/// One call to the token endpoint, for tests that check what a client sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenRequestLog {
    /// `authorization_code` or `refresh_token` (or whatever was sent).
    pub grant_type: String,
    /// The redirect_uri sent with an authorization_code grant.
    pub redirect_uri: Option<String>,
    /// True when a code_verifier matched the code's S256 challenge.
    pub pkce_verified: bool,
    /// The client id presented (form field or HTTP Basic).
    pub client_id: String,
    /// The OAuth error returned, or None on success.
    pub error: Option<String>,
}

/// An authorization code waiting to be exchanged.
pub(crate) struct AuthCode {
    /// The client the code was issued to.
    pub client_id: String,
    /// Must be repeated exactly at the token endpoint.
    pub redirect_uri: String,
    /// The PKCE challenge, if the client sent one.
    pub code_challenge: Option<String>,
    /// `S256` or `plain`.
    pub challenge_method: String,
    /// Echoed in the token response.
    pub scope: String,
    /// `access_type=offline` asks for a refresh token.
    pub offline: bool,
    /// The user who consented; the tokens the code buys act as this user.
    pub user: String,
}

/// A bearer token the Calendar API accepts until `expires_at_ms`.
pub(crate) struct AccessGrant {
    /// When the token stops working.
    pub expires_at_ms: i64,
    /// The refresh token it came from, so revoking that also kills this.
    pub refresh_token: Option<String>,
    /// The user the token acts as (whose calendar list and channels it reaches).
    pub user: String,
}

/// What a refresh token grants.
pub(crate) struct RefreshGrant {
    /// Echoed in refresh responses.
    pub scope: String,
    /// The user who consented; access tokens minted from it act as this user.
    pub user: String,
}

/// One event as stored: Google's JSON plus the sequence number of its latest change.
#[derive(Debug, Clone)]
pub(crate) struct StoredEvent {
    /// The full Event resource as Google would return it.
    pub body: Value,
    /// The calendar sequence number when this event last changed.
    pub seq: u64,
}

/// A calendar and its events.
pub(crate) struct Calendar {
    /// Calendar id; the primary calendar's is the user's email.
    pub id: String,
    /// Display name.
    pub summary: String,
    /// IANA zone name.
    pub time_zone: String,
    /// The opaque id every channel on this calendar reports in `X-Goog-Resource-ID`.
    pub resource_id: String,
    /// Bumped on every event change; sync tokens remember the value they were cut at.
    pub seq: u64,
    /// Bumped by `expire_sync_tokens`; tokens from an older epoch answer 410.
    pub epoch: u64,
    /// Events by id; ordered so pages are stable.
    pub events: BTreeMap<String, StoredEvent>,
    /// Each event's latest change by its sequence number (seq → event id), so an
    /// incremental listing walks only the changes after its token instead of scanning
    /// every event: it costs what it returns.
    pub changes: BTreeMap<u64, String>,
    /// The user who created it (its events' default creator); who else sees it is up to
    /// each user's calendar list.
    pub owner: String,
    /// When the calendar or one of its events last changed.
    pub updated: DateTime<Utc>,
}

/// A channel plus the queue feeding its delivery worker.
pub(crate) struct Channel {
    /// What tests observe.
    pub info: ChannelInfo,
    /// The user who created it: only that user can stop it, as on Google.
    pub user: String,
    /// The worker's inbox; None once the channel is stopped or expired.
    pub outbox: Option<mpsc::UnboundedSender<Message>>,
}

/// Why a model operation failed; routes turn it into Google's error, Control panics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ModelError {
    /// No such calendar.
    UnknownCalendar(String),
    /// No such event in that calendar.
    UnknownEvent(String),
    /// Insert with an id that is already live.
    DuplicateEvent(String),
    /// The body is not a JSON object.
    NotAnObject,
    /// A calendar with that id already exists.
    DuplicateCalendar(String),
    /// A user with that email already exists.
    DuplicateUser(String),
    /// No user with that email.
    UnknownUser(String),
    /// A user's primary calendar cannot leave their list.
    PrimaryStaysListed(String),
    /// Not one of Google's access roles.
    UnknownRole(String),
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelError::UnknownCalendar(id) => write!(f, "no calendar with id {id}"),
            ModelError::UnknownEvent(id) => write!(f, "no event with id {id}"),
            ModelError::DuplicateEvent(id) => write!(f, "an event with id {id} already exists"),
            ModelError::NotAnObject => write!(f, "an event must be a JSON object"),
            ModelError::DuplicateCalendar(id) => {
                write!(f, "a calendar with id {id} already exists")
            }
            ModelError::DuplicateUser(email) => write!(f, "a user {email} already exists"),
            ModelError::UnknownUser(email) => write!(f, "no user {email}"),
            ModelError::PrimaryStaysListed(email) => {
                write!(
                    f,
                    "{email}'s primary calendar cannot leave their calendar list"
                )
            }
            ModelError::UnknownRole(role) => write!(
                f,
                "unknown access role {role}: use owner, writer, reader or freeBusyReader"
            ),
        }
    }
}

/// The whole mutable state of one fake Google.
pub(crate) struct World {
    /// The first user: the one consent picks when the browser names no other, and the
    /// owner of calendars added without naming one. Also their primary calendar's id.
    pub user_email: String,
    /// Every user who can consent (`user_email` first), each with a primary calendar.
    pub users: Vec<String>,
    /// Named in channels.stop's 404 message, like Google's project number.
    pub project_number: String,
    /// Calendars in creation order; which user sees which is up to `lists`.
    pub calendars: Vec<Calendar>,
    /// Each user's calendar list, by email.
    pub lists: HashMap<String, CalendarList>,
    /// The user the next consent signs in as, whatever the authorization URL hints: the
    /// person picking another account in Google's account chooser.
    pub next_consent_user: Option<String>,
    /// Every channel ever created (ids stay reserved after stop, as on Google).
    pub channels: Vec<Channel>,
    /// Live authorization codes (single use).
    pub auth_codes: HashMap<String, AuthCode>,
    /// Access tokens by value.
    pub access_tokens: HashMap<String, AccessGrant>,
    /// Refresh tokens by value, with the scope and user they grant.
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    /// The fault switches in force.
    pub faults: Faults,
    /// Decides which `exists` messages the drop fault eats; reseeded by `set_faults`.
    pub drop_rng: StdRng,
    /// Picks the gaps between message numbers.
    pub number_rng: StdRng,
    /// Queued token endpoint failures, consumed one per request.
    pub token_failures: VecDeque<TokenFailure>,
    /// Makes the next authorization answer `access_denied`.
    pub deny_next_consent: bool,
    /// Request counters.
    pub stats: Stats,
    /// Every token endpoint call.
    pub token_log: Vec<TokenRequestLog>,
    /// The verification file name this fake's "Search Console" offers.
    pub site_verification_file: String,
    /// Domains (host and port) verified through the control API.
    pub verified_domains: std::collections::BTreeSet<String>,
}

/// The primary user of every fake.
pub const USER_EMAIL: &str = "sandbox.user@example.com";

impl World {
    /// An empty world holding only the user's primary calendar.
    pub fn new(now: DateTime<Utc>) -> World {
        let mut world = World {
            user_email: USER_EMAIL.to_string(),
            users: vec![USER_EMAIL.to_string()],
            project_number: "123456789012".to_string(),
            calendars: Vec::new(),
            lists: HashMap::new(),
            next_consent_user: None,
            channels: Vec::new(),
            auth_codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            faults: Faults::default(),
            drop_rng: StdRng::seed_from_u64(0),
            number_rng: StdRng::from_entropy(),
            token_failures: VecDeque::new(),
            deny_next_consent: false,
            stats: Stats::default(),
            token_log: Vec::new(),
            site_verification_file: crate::domains::new_file_name(),
            verified_domains: std::collections::BTreeSet::new(),
        };
        world.lists.insert(
            USER_EMAIL.to_string(),
            CalendarList::new(random_resource_id()),
        );
        world
            .add_calendar(USER_EMAIL, USER_EMAIL, "Europe/London", now)
            .expect("an empty world has no calendars to clash with");
        world
    }

    /// Resolves `primary` to the first user's calendar id, as Google does in paths.
    pub fn resolve_calendar_id(&self, id: &str) -> String {
        let first = self.user_email.clone();
        self.resolve_for(id, &first)
    }

    /// Resolves `primary` to `user`'s calendar id.
    pub fn resolve_for(&self, id: &str, user: &str) -> String {
        if id == "primary" {
            user.to_string()
        } else {
            id.to_string()
        }
    }

    /// Adds a user who can consent, with their own primary calendar (its id is `email`).
    pub fn add_user(&mut self, email: &str, now: DateTime<Utc>) -> Result<(), ModelError> {
        if self.users.iter().any(|u| u == email) {
            return Err(ModelError::DuplicateUser(email.to_string()));
        }
        if self.calendars.iter().any(|c| c.id == email) {
            return Err(ModelError::DuplicateCalendar(email.to_string()));
        }
        self.lists
            .insert(email.to_string(), CalendarList::new(random_resource_id()));
        self.users.push(email.to_string());
        self.add_calendar_of(email, email, "Europe/London", email, now)
    }

    /// A user's calendar list.
    pub fn list_mut(&mut self, user: &str) -> Result<&mut CalendarList, ModelError> {
        self.lists
            .get_mut(user)
            .ok_or_else(|| ModelError::UnknownUser(user.to_string()))
    }

    /// The palette colour a calendar gets in a list by default.
    fn colour_of(&self, calendar_id: &str) -> (&'static str, &'static str) {
        // Google's palette: cycle through a few of its calendar colours.
        const PALETTE: [(&str, &str); 4] = [
            ("14", "#9fe1e7"),
            ("7", "#42d692"),
            ("4", "#fa573c"),
            ("9", "#7bd148"),
        ];
        let index = self
            .calendars
            .iter()
            .position(|c| c.id == calendar_id)
            .unwrap_or(self.calendars.len());
        PALETTE[index % PALETTE.len()]
    }

    /// Puts a calendar in `user`'s list with `role`, or changes their role on it.
    /// Ok(false) if it was already there with that role.
    pub fn share(
        &mut self,
        calendar_id: &str,
        user: &str,
        role: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, ModelError> {
        if !crate::calendar_list::known_role(role) {
            return Err(ModelError::UnknownRole(role.to_string()));
        }
        let id = self.calendar(calendar_id)?.id.clone();
        let colour = self.colour_of(&id);
        Ok(self.list_mut(user)?.upsert(&id, role, colour, now))
    }

    /// Takes a calendar off `user`'s list; their event channels on it end, as their
    /// access to it did.
    pub fn unlist(
        &mut self,
        calendar_id: &str,
        user: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ModelError> {
        let id = self.resolve_for(calendar_id, user);
        if id == user {
            return Err(ModelError::PrimaryStaysListed(user.to_string()));
        }
        if !self.list_mut(user)?.remove(&id, now) {
            return Err(ModelError::UnknownCalendar(id));
        }
        self.end_event_channels(&id, Some(user));
        Ok(())
    }

    /// Ends the live event channels on a calendar (only `user`'s, if given).
    pub fn end_event_channels(&mut self, calendar_id: &str, user: Option<&str>) {
        for channel in &mut self.channels {
            let theirs = user.is_none_or(|u| channel.user == u);
            if channel.info.calendar_list_user.is_none()
                && channel.info.calendar_id == calendar_id
                && channel.info.state == ChannelState::Live
                && theirs
            {
                channel.info.state = ChannelState::Expired;
                channel.outbox = None;
            }
        }
    }

    /// The users whose list holds the calendar.
    pub fn listed_by(&self, calendar_id: &str) -> Vec<String> {
        self.users
            .iter()
            .filter(|u| {
                self.lists
                    .get(*u)
                    .is_some_and(|l| l.entry(calendar_id).is_some())
            })
            .cloned()
            .collect()
    }

    /// Adds an empty calendar to the first user's list.
    pub fn add_calendar(
        &mut self,
        id: &str,
        summary: &str,
        time_zone: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ModelError> {
        let owner = self.user_email.clone();
        self.add_calendar_of(id, summary, time_zone, &owner, now)
    }

    /// Adds an empty calendar to `owner`'s list.
    fn add_calendar_of(
        &mut self,
        id: &str,
        summary: &str,
        time_zone: &str,
        owner: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ModelError> {
        if self.calendars.iter().any(|c| c.id == id) {
            return Err(ModelError::DuplicateCalendar(id.to_string()));
        }
        let colour = self.colour_of(id);
        self.list_mut(owner)?.upsert(id, "owner", colour, now);
        self.calendars.push(Calendar {
            id: id.to_string(),
            summary: summary.to_string(),
            time_zone: time_zone.to_string(),
            resource_id: random_resource_id(),
            seq: 0,
            epoch: 0,
            events: BTreeMap::new(),
            changes: BTreeMap::new(),
            owner: owner.to_string(),
            updated: now,
        });
        Ok(())
    }

    /// The calendar with this id (after `primary` resolution).
    pub fn calendar(&self, id: &str) -> Result<&Calendar, ModelError> {
        let id = self.resolve_calendar_id(id);
        self.calendars
            .iter()
            .find(|c| c.id == id)
            .ok_or(ModelError::UnknownCalendar(id))
    }

    /// The calendar with this id as `user` sees it: `primary` is theirs, and a calendar
    /// in another user's list does not exist for them (Google answers 404).
    pub fn calendar_of(&self, id: &str, user: &str) -> Result<&Calendar, ModelError> {
        let id = self.resolve_for(id, user);
        let listed = self.lists.get(user).is_some_and(|l| l.entry(&id).is_some());
        self.calendars
            .iter()
            .find(|c| c.id == id && listed)
            .ok_or(ModelError::UnknownCalendar(id))
    }

    /// The calendar with this id, mutable.
    pub fn calendar_mut(&mut self, id: &str) -> Result<&mut Calendar, ModelError> {
        let id = self.resolve_calendar_id(id);
        self.calendars
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or(ModelError::UnknownCalendar(id))
    }

    /// The channel with this id, if it was ever created.
    pub fn channel_mut(&mut self, id: &str) -> Option<&mut Channel> {
        self.channels.iter_mut().find(|c| c.info.id == id)
    }

    /// Marks channels whose expiration has passed as expired, closing their queues.
    pub fn expire_due_channels(&mut self, now_ms: i64) {
        for channel in &mut self.channels {
            if channel.info.state == ChannelState::Live && channel.info.expiration_ms <= now_ms {
                channel.info.state = ChannelState::Expired;
                channel.outbox = None;
            }
        }
    }

    /// The user a live access token acts as; None if `token` is not live.
    pub fn access_token_user(&self, token: &str, now_ms: i64) -> Option<String> {
        self.access_tokens
            .get(token)
            .filter(|grant| grant.expires_at_ms > now_ms)
            .map(|grant| grant.user.clone())
    }

    /// Mints an access token for `user` valid for `ttl`.
    pub fn mint_access_token(
        &mut self,
        ttl: std::time::Duration,
        refresh_token: Option<String>,
        user: &str,
        now_ms: i64,
    ) -> String {
        let token = format!("ya29.fake-{}", uuid::Uuid::new_v4().simple());
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        self.access_tokens.insert(
            token.clone(),
            AccessGrant {
                expires_at_ms: now_ms.saturating_add(ttl_ms),
                refresh_token,
                user: user.to_string(),
            },
        );
        token
    }

    /// Mints a refresh token for `scope` on `user`'s behalf.
    pub fn mint_refresh_token(&mut self, scope: &str, user: &str) -> String {
        let token = format!("1//fake-{}", uuid::Uuid::new_v4().simple());
        self.refresh_tokens.insert(
            token.clone(),
            RefreshGrant {
                scope: scope.to_string(),
                user: user.to_string(),
            },
        );
        token
    }
}

impl Calendar {
    /// Stores a new event, filling the read-only fields Google adds.
    pub fn insert_event(
        &mut self,
        mut event: Value,
        user_email: &str,
        now: DateTime<Utc>,
    ) -> Result<Value, ModelError> {
        let object = event.as_object_mut().ok_or(ModelError::NotAnObject)?;
        let id = match object.get("id").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            // Google's ids are base32hex; a simple uuid (hex) is a subset of that alphabet.
            None => uuid::Uuid::new_v4().simple().to_string(),
        };
        if self
            .events
            .get(&id)
            .is_some_and(|e| e.body["status"] != "cancelled")
        {
            return Err(ModelError::DuplicateEvent(id));
        }
        self.seq += 1;
        let stamp = rfc3339(now);
        object.insert("kind".into(), json!("calendar#event"));
        object.insert("id".into(), json!(id));
        object.insert("etag".into(), json!(etag(now, self.seq)));
        object.entry("status").or_insert(json!("confirmed"));
        object.insert("htmlLink".into(), json!(html_link(&id, &self.id)));
        object.insert("created".into(), json!(stamp));
        object.insert("updated".into(), json!(stamp));
        object
            .entry("iCalUID")
            .or_insert(json!(format!("{id}@google.com")));
        object.entry("sequence").or_insert(json!(0));
        object.entry("eventType").or_insert(json!("default"));
        object
            .entry("reminders")
            .or_insert(json!({"useDefault": true}));
        object
            .entry("creator")
            .or_insert(json!({"email": user_email, "self": true}));
        let organizer = if self.id == user_email {
            json!({"email": self.id, "self": true})
        } else {
            json!({"email": self.id, "displayName": self.summary, "self": true})
        };
        object.entry("organizer").or_insert(organizer);
        // Google refuses events without times; a test that does not care gets the next hour.
        if !object.contains_key("start") {
            let start = now
                .with_minute(0)
                .and_then(|t| t.with_second(0))
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(now)
                + ChronoDuration::hours(1);
            object.insert("start".into(), json!({"dateTime": rfc3339_secs(start)}));
            object.insert(
                "end".into(),
                json!({"dateTime": rfc3339_secs(start + ChronoDuration::hours(1))}),
            );
        }
        self.updated = now;
        let replaced = self.events.insert(
            id.clone(),
            StoredEvent {
                body: event.clone(),
                seq: self.seq,
            },
        );
        self.index_change(&id, replaced.map(|e| e.seq), self.seq);
        Ok(event)
    }

    /// Applies a JSON merge-patch (RFC 7386) to an event; read-only fields stay Google's.
    pub fn update_event(
        &mut self,
        event_id: &str,
        patch: &Value,
        now: DateTime<Utc>,
    ) -> Result<Value, ModelError> {
        if !patch.is_object() {
            return Err(ModelError::NotAnObject);
        }
        let seq = self.seq + 1;
        let stored = self
            .events
            .get_mut(event_id)
            .ok_or_else(|| ModelError::UnknownEvent(event_id.to_string()))?;
        merge_patch(&mut stored.body, patch);
        let object = stored.body.as_object_mut().ok_or(ModelError::NotAnObject)?;
        object.insert("id".into(), json!(event_id));
        object.insert("kind".into(), json!("calendar#event"));
        object.insert("etag".into(), json!(etag(now, seq)));
        object.insert("updated".into(), json!(rfc3339(now)));
        let sequence = object.get("sequence").and_then(Value::as_i64).unwrap_or(0);
        object.insert("sequence".into(), json!(sequence + 1));
        let previous = std::mem::replace(&mut stored.seq, seq);
        let body = stored.body.clone();
        self.seq = seq;
        self.updated = now;
        self.index_change(event_id, Some(previous), seq);
        Ok(body)
    }

    /// Cancels an event (Google keeps it as `status: "cancelled"` so incremental syncs see
    /// the deletion). Cancelling a recurring series cancels its exceptions too. Returns
    /// false if it was already cancelled, so nothing changed.
    pub fn delete_event(&mut self, event_id: &str, now: DateTime<Utc>) -> Result<bool, ModelError> {
        let status = self
            .events
            .get(event_id)
            .ok_or_else(|| ModelError::UnknownEvent(event_id.to_string()))?
            .body["status"]
            .clone();
        if status == "cancelled" {
            return Ok(false);
        }
        let exceptions: Vec<String> = self
            .events
            .iter()
            .filter(|(_, e)| {
                e.body["recurringEventId"] == event_id && e.body["status"] != "cancelled"
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in std::iter::once(event_id.to_string()).chain(exceptions) {
            self.seq += 1;
            let seq = self.seq;
            if let Some(stored) = self.events.get_mut(&id) {
                if let Some(object) = stored.body.as_object_mut() {
                    object.insert("status".into(), json!("cancelled"));
                    object.insert("updated".into(), json!(rfc3339(now)));
                    object.insert("etag".into(), json!(etag(now, seq)));
                }
                let previous = std::mem::replace(&mut stored.seq, seq);
                self.index_change(&id, Some(previous), seq);
            }
        }
        self.updated = now;
        Ok(true)
    }

    /// Moves `id`'s entry in the change index from `previous` to `seq`.
    fn index_change(&mut self, id: &str, previous: Option<u64>, seq: u64) {
        if let Some(previous) = previous {
            self.changes.remove(&previous);
        }
        self.changes.insert(seq, id.to_string());
    }

    /// One page of events.list. `cursor` says which changes to include and where the
    /// previous page stopped; the returned cursor, if any, is where the next page starts.
    ///
    /// A full listing walks the events by id; an incremental one walks the change index
    /// from the token's sequence number, so it never touches an unchanged event.
    pub fn page(&self, cursor: &Cursor, max_results: usize) -> (Vec<Value>, Option<Cursor>) {
        let mut items = Vec::new();
        if let Some(since) = cursor.since {
            // Incremental: every change after the token, deletions included.
            let from = cursor.after_seq.unwrap_or(since).max(since);
            let mut last_seq = None;
            for (seq, id) in self
                .changes
                .range((std::ops::Bound::Excluded(from), std::ops::Bound::Unbounded))
            {
                let Some(stored) = self.events.get(id) else {
                    continue;
                };
                if items.len() == max_results {
                    let next = Cursor {
                        after_seq: last_seq,
                        ..cursor.clone()
                    };
                    return (items, Some(next));
                }
                items.push(wire_event(&stored.body));
                last_seq = Some(*seq);
            }
            return (items, None);
        }
        let mut last_id = None;
        let range = match &cursor.after_id {
            Some(after) => self
                .events
                .range::<String, _>((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded)),
            None => self.events.range::<String, _>(..),
        };
        for (id, stored) in range {
            let cancelled = stored.body["status"] == "cancelled";
            if cancelled && !cursor.show_deleted {
                continue;
            }
            if items.len() == max_results {
                // At least one more matches: the caller needs a next page.
                let next = Cursor {
                    after_id: last_id,
                    ..cursor.clone()
                };
                return (items, Some(next));
            }
            items.push(wire_event(&stored.body));
            last_id = Some(id.clone());
        }
        (items, None)
    }
}

/// Which events a listing covers and where it resumes; encoded into page tokens.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Cursor {
    /// The calendar the listing belongs to.
    pub calendar_id: String,
    /// The calendar epoch when the listing began; an expired epoch answers 410.
    pub epoch: u64,
    /// None for a full sync; Some(seq) for changes after that sequence number.
    pub since: Option<u64>,
    /// The calendar sequence number when the listing began: the next sync token's value.
    pub snapshot: u64,
    /// Full syncs include cancelled events only when asked.
    pub show_deleted: bool,
    /// The last id already returned (full listings).
    pub after_id: Option<String>,
    /// The sequence number of the last change already returned (incremental listings).
    #[serde(default)]
    pub after_seq: Option<u64>,
}

impl Cursor {
    /// An opaque page token.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        format!("CiAK{}", URL_SAFE_NO_PAD.encode(json))
    }

    /// Reads a page token back; None if it is not one of ours.
    pub fn decode(token: &str) -> Option<Cursor> {
        let bytes = URL_SAFE_NO_PAD.decode(token.strip_prefix("CiAK")?).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// What a sync token points at: a calendar's state at one sequence number in one epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyncToken {
    /// The calendar it was issued for.
    pub calendar_id: String,
    /// The epoch it was issued in.
    pub epoch: u64,
    /// Changes with a larger sequence number are new to the holder.
    pub seq: u64,
}

impl SyncToken {
    /// An opaque token; Google's look like base64 too.
    pub fn encode(&self) -> String {
        let raw = format!("{}\n{}\n{}", self.calendar_id, self.epoch, self.seq);
        format!("CPDAlvWDx{}", URL_SAFE_NO_PAD.encode(raw))
    }

    /// Reads a token back; None if it is not one of ours.
    pub fn decode(token: &str) -> Option<SyncToken> {
        let bytes = URL_SAFE_NO_PAD
            .decode(token.strip_prefix("CPDAlvWDx")?)
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.rsplitn(3, '\n');
        let seq = parts.next()?.parse().ok()?;
        let epoch = parts.next()?.parse().ok()?;
        let calendar_id = parts.next()?.to_string();
        Some(SyncToken {
            calendar_id,
            epoch,
            seq,
        })
    }
}

/// The event as events.list shows it: a cancelled event carries only what Google
/// guarantees (id, status, and for a cancelled exception its series and original start).
pub(crate) fn wire_event(body: &Value) -> Value {
    if body["status"] != "cancelled" {
        return body.clone();
    }
    let mut slim = Map::new();
    for key in [
        "kind",
        "etag",
        "id",
        "status",
        "recurringEventId",
        "originalStartTime",
    ] {
        if let Some(value) = body.get(key) {
            slim.insert(key.to_string(), value.clone());
        }
    }
    Value::Object(slim)
}

/// RFC 7386: objects merge recursively, `null` deletes, anything else replaces.
fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(fields) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Some(object) = target.as_object_mut() {
                for (key, value) in fields {
                    if value.is_null() {
                        object.remove(key);
                    } else {
                        merge_patch(object.entry(key.clone()).or_insert(Value::Null), value);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// Google's timestamp style: `2026-11-28T23:59:01.123Z`.
pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Event times are whole seconds: `2026-11-28T23:00:00Z`.
pub(crate) fn rfc3339_secs(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A quoted, ever-changing etag like Google's `"3181161784712000"`.
fn etag(now: DateTime<Utc>, seq: u64) -> String {
    format!("\"{}{:03}\"", now.timestamp_millis(), seq % 1000)
}

/// Google's event link: `eid` is base64 of "<event id> <calendar id>".
pub(crate) fn html_link(event_id: &str, calendar_id: &str) -> String {
    let eid = STANDARD_NO_PAD.encode(format!("{event_id} {calendar_id}"));
    format!("https://www.google.com/calendar/event?eid={eid}")
}

/// An opaque resource id shaped like Google's (22 url-safe characters).
fn random_resource_id() -> String {
    URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_tokens_round_trip_even_for_ids_with_separators() {
        let token = SyncToken {
            calendar_id: "odd\nid#x@group.calendar.google.com".into(),
            epoch: 3,
            seq: 42,
        };
        assert_eq!(SyncToken::decode(&token.encode()), Some(token));
        assert_eq!(
            SyncToken::decode("not-a-token"),
            None,
            "foreign tokens are rejected"
        );
    }

    #[test]
    fn merge_patch_merges_objects_and_null_removes() {
        let mut event = json!({"summary": "A", "start": {"date": "2030-01-01"}, "location": "X"});
        merge_patch(
            &mut event,
            &json!({"start": {"dateTime": "2030-01-01T10:00:00Z", "date": null}, "location": null}),
        );
        assert_eq!(
            event,
            json!({"summary": "A", "start": {"dateTime": "2030-01-01T10:00:00Z"}}),
            "RFC 7386: nested merge, null deletes"
        );
    }

    #[test]
    fn an_update_bumps_the_sequence_so_tokens_before_it_see_the_change() {
        let now = Utc::now();
        let mut world = World::new(now);
        let calendar = world.calendar_mut("primary").expect("primary exists");
        let event = calendar
            .insert_event(json!({"summary": "A"}), USER_EMAIL, now)
            .expect("insert");
        let before = calendar.seq;
        let id = event["id"].as_str().expect("id").to_string();
        calendar
            .update_event(&id, &json!({"summary": "B"}), now)
            .expect("update");
        let cursor = Cursor {
            calendar_id: calendar.id.clone(),
            epoch: 0,
            since: Some(before),
            snapshot: calendar.seq,
            show_deleted: true,
            after_id: None,
            after_seq: None,
        };
        let (items, more) = calendar.page(&cursor, 10);
        assert_eq!((items.len(), more), (1, None));
        assert_eq!(items[0]["summary"], "B");
        assert_eq!(items[0]["sequence"], 1, "Google bumps `sequence` on update");
    }

    #[test]
    fn an_incremental_listing_pages_through_only_the_changes_in_their_order() {
        let now = Utc::now();
        let mut world = World::new(now);
        let calendar = world.calendar_mut("primary").expect("primary exists");
        let ids: Vec<String> = (0..50)
            .map(|i| {
                let event = calendar
                    .insert_event(json!({"summary": format!("E{i}")}), USER_EMAIL, now)
                    .expect("insert");
                event["id"].as_str().expect("id").to_string()
            })
            .collect();
        let before = calendar.seq;
        // Three events change; one of them twice, so it is listed once, as it is now.
        calendar
            .update_event(&ids[7], &json!({"summary": "first"}), now)
            .expect("update");
        calendar.delete_event(&ids[3], now).expect("delete");
        calendar
            .update_event(&ids[40], &json!({"summary": "second"}), now)
            .expect("update");
        calendar
            .update_event(&ids[7], &json!({"summary": "third"}), now)
            .expect("update");
        assert_eq!(calendar.changes.len(), 50, "one index entry per event");
        let mut cursor = Cursor {
            calendar_id: calendar.id.clone(),
            epoch: 0,
            since: Some(before),
            snapshot: calendar.seq,
            show_deleted: true,
            after_id: None,
            after_seq: None,
        };
        let mut listed = Vec::new();
        loop {
            let (items, next) = calendar.page(&cursor, 2);
            assert!(items.len() <= 2, "a page holds at most maxResults");
            listed.extend(items);
            match next {
                Some(next) => cursor = next,
                None => break,
            }
        }
        let seen: Vec<(&str, &str)> = listed
            .iter()
            .map(|e| {
                (
                    e["id"].as_str().unwrap_or_default(),
                    e["summary"]
                        .as_str()
                        .unwrap_or(e["status"].as_str().unwrap_or_default()),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (ids[3].as_str(), "cancelled"),
                (ids[40].as_str(), "second"),
                (ids[7].as_str(), "third"),
            ],
            "every change after the token once, oldest first, deletions included"
        );
    }

    #[test]
    fn a_channel_past_its_expiration_is_expired_and_loses_its_queue() {
        let mut world = World::new(Utc::now());
        let (outbox, _inbox) = mpsc::unbounded_channel();
        world.channels.push(Channel {
            info: ChannelInfo {
                id: "c".into(),
                resource_id: "r".into(),
                calendar_id: USER_EMAIL.into(),
                calendar_list_user: None,
                address: "https://example.com/n".into(),
                token: None,
                expiration_ms: 1_000,
                state: ChannelState::Live,
                last_message_number: 1,
                resource_uri: "u".into(),
            },
            user: USER_EMAIL.into(),
            outbox: Some(outbox),
        });
        world.expire_due_channels(999);
        assert_eq!(
            world.channels[0].info.state,
            ChannelState::Live,
            "not yet due"
        );
        world.expire_due_channels(1_000);
        assert_eq!(world.channels[0].info.state, ChannelState::Expired);
        assert!(
            world.channels[0].outbox.is_none(),
            "an expired channel gets nothing more"
        );
    }

    #[test]
    fn handles_can_move_between_tasks() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<crate::Control>();
        assert_send_sync::<crate::FakeGoogle>();
    }
}

//! The test-facing side: [`Control`] (an in-process handle) and the same operations over
//! HTTP under `/control/…` for curl users, the app's sandbox panel and end-to-end tests.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::calendar_list::ListEntryChange;
use crate::delivery::{queue_to_calendar, queue_to_calendar_list, ResourceState};
use crate::errors::ApiError;
use crate::state::{
    Calendar, ChannelInfo, ChannelState, ModelError, Shared, Stats, TokenRequestLog,
};

/// Scopes granted to tokens minted without the OAuth dance.
pub(crate) const DEFAULT_SCOPES: &str = "https://www.googleapis.com/auth/calendar.events.readonly https://www.googleapis.com/auth/calendar.calendarlist.readonly";

/// Fault switches. `Default` is "behave like a healthy Google".
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Wait this long before each delivery POST.
    #[serde(rename = "delivery_delay_ms", with = "millis")]
    pub delivery_delay: Duration,
    /// Send every POST twice with the same message number.
    pub duplicate_deliveries: bool,
    /// Swap the order of consecutive POSTs on a channel.
    pub reorder_deliveries: bool,
    /// Share (0.0..=1.0) of `exists` messages silently dropped, decided by a seeded RNG.
    pub drop_rate: f64,
    /// Seed for the drop decisions, so a run is repeatable.
    pub drop_seed: u64,
    /// The next N Calendar API calls answer with a rate-limit error.
    pub rate_limit_next: usize,
    /// 403 (the default, also when 0) or 429 for those rate-limit errors.
    pub rate_limit_status: u16,
    /// The next N Calendar API calls answer 503 (after any rate limiting is used up).
    pub server_error_next: usize,
    /// Cut channel lifetimes to this, as Google shortens long ttls.
    #[serde(rename = "channel_ttl_cap_secs", with = "optional_secs")]
    pub channel_ttl_cap: Option<Duration>,
    /// events.watch and calendarList.watch answer 401 `push.webhookUrlUnauthorized`.
    pub reject_callback_unauthorized: bool,
    /// events.watch and calendarList.watch create the channel (and queue its `sync`
    /// message) at once but answer only after this long, like a slow Google; a refusal
    /// comes as late.
    #[serde(rename = "watch_delay_ms", with = "millis")]
    pub watch_delay: Duration,
    /// events.list answers at most this many events a page (0: no cap), as Google may
    /// return fewer than `maxResults`: many pages out of a small calendar.
    pub list_page_cap: usize,
    /// events.list decides at once but answers only after this long, like a slow Google
    /// on a long listing.
    #[serde(rename = "list_delay_ms", with = "millis")]
    pub list_delay: Duration,
    /// The token endpoint decides at once (a refresh is granted, a code spent) but the
    /// answer arrives only after this long, like a slow network.
    #[serde(rename = "token_delay_ms", with = "millis")]
    pub token_delay: Duration,
}

/// How the token endpoint misbehaves for a queued failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenFailure {
    /// 400 `invalid_grant`, as for a revoked or expired refresh token.
    InvalidGrant,
    /// 503, a transient outage.
    ServerError,
    /// Never answers (for an hour), to exercise client timeouts.
    Hang,
}

/// A cheap, cloneable handle on a running fake: set up data, switch faults, observe.
#[derive(Clone)]
pub struct Control {
    /// The fake's state.
    pub(crate) shared: Arc<Shared>,
}

impl Control {
    // --- accounts & tokens ---

    /// A valid bearer token, without the OAuth dance.
    pub fn issue_access_token(&self) -> String {
        let user = self.user_email();
        self.issue_access_token_for(&user)
    }

    /// A valid bearer token acting as `email` (added with [`Control::add_user`]).
    /// Panics on an unknown user.
    pub fn issue_access_token_for(&self, email: &str) -> String {
        let now_ms = self.shared.now().timestamp_millis();
        let ttl = self.shared.opts.access_token_ttl;
        let mut world = self.shared.world();
        if !world.users.iter().any(|u| u == email) {
            panic!("issue_access_token_for: no user {email}");
        }
        world.mint_access_token(ttl, None, email, now_ms)
    }

    /// A valid (access, refresh) pair, as if the user had just consented.
    pub fn issue_token_pair(&self) -> (String, String) {
        let user = self.user_email();
        self.issue_token_pair_for(&user)
    }

    /// A valid (access, refresh) pair, as if `email` had just consented. Panics on an
    /// unknown user.
    pub fn issue_token_pair_for(&self, email: &str) -> (String, String) {
        self.try_issue_token_pair_for(email)
            .unwrap_or_else(|e| panic!("issue_token_pair_for: {e}"))
    }

    /// Kills every token: refresh grants answer `invalid_grant`, API calls 401.
    pub fn revoke_all_tokens(&self) {
        let mut world = self.shared.world();
        world.access_tokens.clear();
        world.refresh_tokens.clear();
    }

    /// Makes every current access token expired (refresh tokens keep working).
    pub fn expire_access_tokens(&self) {
        for grant in self.shared.world().access_tokens.values_mut() {
            grant.expires_at_ms = i64::MIN;
        }
    }

    /// The first user's email, which is also their primary calendar's id. Consent is
    /// given as this user unless the authorization URL names another in `login_hint`.
    pub fn user_email(&self) -> String {
        self.shared.world().user_email.clone()
    }

    /// Adds another user who can consent (picked with `login_hint=<email>` on the
    /// authorization URL), with an empty primary calendar whose id is `email`. Calendars
    /// and channels are per user, as on Google. Panics if the user exists.
    pub fn add_user(&self, email: &str) {
        self.try_add_user(email)
            .unwrap_or_else(|e| panic!("add_user: {e}"));
    }

    /// Every user, the first one first.
    pub fn users(&self) -> Vec<String> {
        self.shared.world().users.clone()
    }

    /// Makes the next consent sign in as `email`, whatever the authorization URL's
    /// `login_hint` says: the person picks that account in Google's account chooser. Used
    /// once, then consent is back to the hint or the first user. Panics on an unknown user.
    pub fn consent_next_as(&self, email: &str) {
        self.try_consent_next_as(email)
            .unwrap_or_else(|e| panic!("consent_next_as: {e}"));
    }

    /// Makes the next authorization request answer `error=access_denied`.
    pub fn deny_next_consent(&self) {
        self.shared.world().deny_next_consent = true;
    }

    // --- calendar lists ---

    /// Shares a calendar with `email`: it appears in their calendar list with `role`
    /// (`reader`, `writer`, `owner`, `freeBusyReader`), or their role changes if it is
    /// there already. Its events are the same events for every user who has it. Their
    /// calendarList channels hear `exists`. Panics on an unknown calendar, user or role.
    pub fn share_calendar(&self, calendar_id: &str, email: &str, role: &str) {
        self.try_share_calendar(calendar_id, email, role)
            .unwrap_or_else(|e| panic!("share_calendar: {e}"));
    }

    /// Takes a calendar off `email`'s list (they unsubscribed, or it was unshared):
    /// incremental listings report it `deleted: true`, their events.list and events.watch
    /// for it answer 404 and their event channels on it stop. Their calendarList channels
    /// hear `exists`. Panics if it is not on their list or is their primary calendar.
    pub fn remove_from_calendar_list(&self, email: &str, calendar_id: &str) {
        self.try_remove_from_calendar_list(email, calendar_id)
            .unwrap_or_else(|e| panic!("remove_from_calendar_list: {e}"));
    }

    /// Changes `email`'s entry for a calendar: their own name for it (`summaryOverride`),
    /// its colour, whether it is hidden. Their calendarList channels hear `exists` if
    /// anything changed. Panics if it is not on their list.
    pub fn update_calendar_list_entry(
        &self,
        email: &str,
        calendar_id: &str,
        change: ListEntryChange,
    ) {
        self.try_update_calendar_list_entry(email, calendar_id, &change)
            .unwrap_or_else(|e| panic!("update_calendar_list_entry: {e}"));
    }

    /// Hides (or shows again) a calendar in `email`'s list.
    pub fn hide_calendar(&self, email: &str, calendar_id: &str, hidden: bool) {
        self.update_calendar_list_entry(
            email,
            calendar_id,
            ListEntryChange {
                hidden: Some(hidden),
                ..ListEntryChange::default()
            },
        );
    }

    /// Renames the calendar itself (its `summary`, for every user who lists it); each of
    /// their calendarList channels hears `exists`. Panics on an unknown calendar.
    pub fn rename_calendar(&self, calendar_id: &str, summary: &str) {
        self.try_rename_calendar(calendar_id, summary)
            .unwrap_or_else(|e| panic!("rename_calendar: {e}"));
    }

    /// Invalidates every calendarList sync token (and page token) of `email`: the next use
    /// answers 410 `fullSyncRequired`. Panics on an unknown user.
    pub fn expire_calendar_list_sync_tokens(&self, email: &str) {
        self.try_expire_calendar_list_sync_tokens(email)
            .unwrap_or_else(|e| panic!("expire_calendar_list_sync_tokens: {e}"));
    }

    // --- calendars & events ---

    /// Adds an empty calendar to the user's list. Panics if the id is taken.
    pub fn add_calendar(&self, id: &str, summary: &str, time_zone: &str) {
        self.try_add_calendar(id, summary, time_zone)
            .unwrap_or_else(|e| panic!("add_calendar: {e}"));
    }

    /// Sets the calendar owner's access role on it (`owner`, `writer`, `reader`,
    /// `freeBusyReader`), as calendarList and events.list report it. Panics on an unknown
    /// id or role.
    pub fn set_access_role(&self, calendar_id: &str, role: &str) {
        let owner = {
            let world = self.shared.world();
            world
                .calendar(calendar_id)
                .unwrap_or_else(|e| panic!("set_access_role: {e}"))
                .owner
                .clone()
        };
        self.share_calendar(calendar_id, &owner, role);
    }

    /// Removes a calendar; its live channels get a `not_exists` message, and it leaves
    /// every calendar list (whose channels hear `exists`).
    pub fn delete_calendar(&self, id: &str) {
        self.try_delete_calendar(id)
            .unwrap_or_else(|e| panic!("delete_calendar: {e}"));
    }

    /// Inserts an event (Google Event JSON; id generated if absent) and notifies channels.
    /// Returns the event as Google would. Panics on an unknown calendar or a taken id.
    pub fn insert_event(&self, calendar_id: &str, event: Value) -> Value {
        self.try_insert_event(calendar_id, event)
            .unwrap_or_else(|e| panic!("insert_event: {e}"))
    }

    /// Merge-patches an event and notifies channels. Panics on an unknown event.
    pub fn update_event(&self, calendar_id: &str, event_id: &str, patch: Value) -> Value {
        self.try_update_event(calendar_id, event_id, patch)
            .unwrap_or_else(|e| panic!("update_event: {e}"))
    }

    /// Cancels an event (it stays listed as `cancelled`) and notifies channels.
    /// Cancelling an already cancelled event changes nothing. Panics on an unknown event.
    pub fn delete_event(&self, calendar_id: &str, event_id: &str) {
        self.try_delete_event(calendar_id, event_id)
            .unwrap_or_else(|e| panic!("delete_event: {e}"));
    }

    /// Bulk insert without notifying anyone (seeding, benchmarks).
    pub fn insert_events_quietly(&self, calendar_id: &str, events: Vec<Value>) {
        let now = self.shared.now();
        let mut world = self.shared.world();
        let calendar = world
            .calendar_mut(calendar_id)
            .unwrap_or_else(|e| panic!("insert_events_quietly: {e}"));
        let user = calendar.owner.clone();
        for event in events {
            calendar
                .insert_event(event, &user, now)
                .unwrap_or_else(|e| panic!("insert_events_quietly: {e}"));
        }
    }

    /// Every event of a calendar as stored, cancelled ones included.
    pub fn events(&self, calendar_id: &str) -> Vec<Value> {
        self.try_events(calendar_id)
            .unwrap_or_else(|e| panic!("events: {e}"))
    }

    // --- faults ---

    /// Replaces the fault switches (and reseeds the drop RNG from `drop_seed`).
    pub fn set_faults(&self, faults: Faults) {
        let mut world = self.shared.world();
        world.drop_rng = StdRng::seed_from_u64(faults.drop_seed);
        world.faults = faults;
    }

    /// Back to a healthy Google: default faults, no queued token failures or denials.
    pub fn reset_faults(&self) {
        self.set_faults(Faults::default());
        let mut world = self.shared.world();
        world.token_failures.clear();
        world.deny_next_consent = false;
    }

    /// The fault switches in force (counters show what is left).
    pub fn faults(&self) -> Faults {
        self.shared.world().faults.clone()
    }

    /// Invalidates every sync token (and page token) of a calendar: the next use is a 410.
    pub fn expire_sync_tokens(&self, calendar_id: &str) {
        let mut world = self.shared.world();
        match world.calendar_mut(calendar_id) {
            Ok(calendar) => calendar.epoch += 1,
            Err(e) => panic!("expire_sync_tokens: {e}"),
        }
    }

    /// Ends a channel as if its time were up: no more deliveries, stop answers 404.
    pub fn expire_channel(&self, channel_id: &str) {
        let mut world = self.shared.world();
        match world.channel_mut(channel_id) {
            Some(channel) => {
                channel.info.state = ChannelState::Expired;
                channel.outbox = None;
            }
            None => panic!("expire_channel: no channel with id {channel_id}"),
        }
    }

    /// The next `n` token endpoint requests fail as `how` says.
    pub fn fail_next_token_requests(&self, n: usize, how: TokenFailure) {
        self.shared
            .world()
            .token_failures
            .extend(std::iter::repeat_n(how, n));
    }

    // --- observation ---

    /// Every channel ever created, with its current state.
    pub fn channels(&self) -> Vec<ChannelInfo> {
        let now_ms = self.shared.now().timestamp_millis();
        let mut world = self.shared.world();
        world.expire_due_channels(now_ms);
        world.channels.iter().map(|c| c.info.clone()).collect()
    }

    /// Request and delivery counters.
    pub fn stats(&self) -> Stats {
        self.shared.world().stats.clone()
    }

    /// Every token endpoint request so far.
    pub fn token_requests(&self) -> Vec<TokenRequestLog> {
        self.shared.world().token_log.clone()
    }

    /// Resolves when every queued delivery was sent, dropped or discarded.
    pub async fn wait_for_deliveries_idle(&self) {
        self.shared.pending.wait_idle().await;
    }

    // --- fallible forms shared with the HTTP control API ---

    pub(crate) fn try_add_calendar(
        &self,
        id: &str,
        summary: &str,
        time_zone: &str,
    ) -> Result<(), ModelError> {
        self.change_lists(|world, now| {
            world.add_calendar(id, summary, time_zone, now)?;
            Ok(vec![world.user_email.clone()])
        })
    }

    pub(crate) fn try_add_user(&self, email: &str) -> Result<(), ModelError> {
        let now = self.shared.now();
        self.shared.world().add_user(email, now)
    }

    pub(crate) fn try_consent_next_as(&self, email: &str) -> Result<(), ModelError> {
        let mut world = self.shared.world();
        if !world.users.iter().any(|u| u == email) {
            return Err(ModelError::UnknownUser(email.to_string()));
        }
        world.next_consent_user = Some(email.to_string());
        Ok(())
    }

    pub(crate) fn try_issue_token_pair_for(
        &self,
        email: &str,
    ) -> Result<(String, String), ModelError> {
        let now_ms = self.shared.now().timestamp_millis();
        let ttl = self.shared.opts.access_token_ttl;
        let mut world = self.shared.world();
        if !world.users.iter().any(|u| u == email) {
            return Err(ModelError::UnknownUser(email.to_string()));
        }
        let refresh = world.mint_refresh_token(DEFAULT_SCOPES, email);
        let access = world.mint_access_token(ttl, Some(refresh.clone()), email, now_ms);
        Ok((access, refresh))
    }

    pub(crate) fn try_delete_calendar(&self, id: &str) -> Result<(), ModelError> {
        self.change_lists(|world, now| {
            let id = world.calendar(id)?.id.clone();
            queue_to_calendar(
                world,
                &self.shared.pending,
                &id,
                ResourceState::NotExists,
                now.timestamp_millis(),
            );
            world.calendars.retain(|c| c.id != id);
            let listed_by = world.listed_by(&id);
            for user in &listed_by {
                world.list_mut(user)?.remove(&id, now);
            }
            Ok(listed_by)
        })
    }

    pub(crate) fn try_share_calendar(
        &self,
        calendar_id: &str,
        email: &str,
        role: &str,
    ) -> Result<(), ModelError> {
        self.change_lists(|world, now| {
            let changed = world.share(calendar_id, email, role, now)?;
            Ok(if changed {
                vec![email.to_string()]
            } else {
                vec![]
            })
        })
    }

    pub(crate) fn try_remove_from_calendar_list(
        &self,
        email: &str,
        calendar_id: &str,
    ) -> Result<(), ModelError> {
        self.change_lists(|world, now| {
            world.unlist(calendar_id, email, now)?;
            Ok(vec![email.to_string()])
        })
    }

    pub(crate) fn try_update_calendar_list_entry(
        &self,
        email: &str,
        calendar_id: &str,
        change: &ListEntryChange,
    ) -> Result<(), ModelError> {
        self.change_lists(|world, now| {
            let id = world.resolve_for(calendar_id, email);
            let changed = world.list_mut(email)?.update(&id, change, now)?;
            Ok(if changed {
                vec![email.to_string()]
            } else {
                vec![]
            })
        })
    }

    pub(crate) fn try_rename_calendar(
        &self,
        calendar_id: &str,
        summary: &str,
    ) -> Result<(), ModelError> {
        self.change_lists(|world, now| {
            let calendar = world.calendar_mut(calendar_id)?;
            if calendar.summary == summary {
                return Ok(vec![]);
            }
            calendar.summary = summary.to_string();
            calendar.updated = now;
            let id = calendar.id.clone();
            let listed_by = world.listed_by(&id);
            for user in &listed_by {
                world.list_mut(user)?.calendar_changed(&id, now);
            }
            Ok(listed_by)
        })
    }

    pub(crate) fn try_expire_calendar_list_sync_tokens(
        &self,
        email: &str,
    ) -> Result<(), ModelError> {
        self.shared.world().list_mut(email)?.epoch += 1;
        Ok(())
    }

    /// Runs one change to calendar lists and queues `exists` to the calendarList channels
    /// of every user it names — in the same critical section, so message order follows
    /// change order.
    fn change_lists(
        &self,
        change: impl FnOnce(
            &mut crate::state::World,
            chrono::DateTime<chrono::Utc>,
        ) -> Result<Vec<String>, ModelError>,
    ) -> Result<(), ModelError> {
        let now = self.shared.now();
        let mut world = self.shared.world();
        let changed = change(&mut world, now)?;
        for user in changed {
            queue_to_calendar_list(
                &mut world,
                &self.shared.pending,
                &user,
                now.timestamp_millis(),
            );
        }
        Ok(())
    }

    pub(crate) fn try_insert_event(
        &self,
        calendar_id: &str,
        event: Value,
    ) -> Result<Value, ModelError> {
        self.mutate(calendar_id, |calendar, user, now| {
            calendar.insert_event(event, user, now).map(|e| (e, true))
        })
    }

    pub(crate) fn try_update_event(
        &self,
        calendar_id: &str,
        event_id: &str,
        patch: Value,
    ) -> Result<Value, ModelError> {
        self.mutate(calendar_id, |calendar, _, now| {
            calendar
                .update_event(event_id, &patch, now)
                .map(|e| (e, true))
        })
    }

    pub(crate) fn try_delete_event(
        &self,
        calendar_id: &str,
        event_id: &str,
    ) -> Result<(), ModelError> {
        self.mutate(calendar_id, |calendar, _, now| {
            calendar
                .delete_event(event_id, now)
                .map(|changed| ((), changed))
        })
    }

    pub(crate) fn try_events(&self, calendar_id: &str) -> Result<Vec<Value>, ModelError> {
        let world = self.shared.world();
        Ok(world
            .calendar(calendar_id)?
            .events
            .values()
            .map(|e| e.body.clone())
            .collect())
    }

    /// Runs one change on a calendar and, if something changed, queues `exists` to every
    /// live channel of it — in the same critical section, so message order follows
    /// change order.
    fn mutate<T>(
        &self,
        calendar_id: &str,
        change: impl FnOnce(
            &mut Calendar,
            &str,
            chrono::DateTime<chrono::Utc>,
        ) -> Result<(T, bool), ModelError>,
    ) -> Result<T, ModelError> {
        let now = self.shared.now();
        let mut world = self.shared.world();
        let calendar = world.calendar_mut(calendar_id)?;
        let user = calendar.owner.clone();
        let id = calendar.id.clone();
        let (out, changed) = change(calendar, &user, now)?;
        if changed {
            queue_to_calendar(
                &mut world,
                &self.shared.pending,
                &id,
                ResourceState::Exists,
                now.timestamp_millis(),
            );
        }
        Ok(out)
    }
}

/// Model errors as HTTP answers for the control API.
impl From<ModelError> for ApiError {
    fn from(err: ModelError) -> Self {
        let message = err.to_string();
        match err {
            ModelError::UnknownCalendar(_)
            | ModelError::UnknownEvent(_)
            | ModelError::UnknownUser(_) => {
                ApiError::global(StatusCode::NOT_FOUND, "notFound", message)
            }
            ModelError::DuplicateEvent(_)
            | ModelError::DuplicateCalendar(_)
            | ModelError::DuplicateUser(_) => {
                ApiError::global(StatusCode::CONFLICT, "duplicate", message)
            }
            ModelError::NotAnObject
            | ModelError::PrimaryStaysListed(_)
            | ModelError::UnknownRole(_) => ApiError::invalid(message),
        }
    }
}

/// The header a `/control/…` request carries the per-start secret in.
pub const CONTROL_SECRET_HEADER: &str = "x-fake-google-control-secret";

/// A fresh secret: 32 random bytes, base64url.
pub(crate) fn random_secret() -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Refuses a `/control/…` request without the secret: the port is open to every local
/// user, and the API reads the account and adds events that would toast in the session
/// of whoever runs the app.
pub(crate) async fn require_secret(
    State(s): State<Arc<Shared>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let given = request
        .headers()
        .get(CONTROL_SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if constant_time_eq(given, s.control_secret.as_bytes()) {
        next.run(request).await
    } else {
        ApiError::global(
            StatusCode::UNAUTHORIZED,
            "authError",
            "The control API needs the secret fake-google printed at start.",
        )
        .into_response()
    }
}

/// Compares without stopping at the first difference (no timing hint about the secret).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `/control/…` routes; `require_secret` guards them (see `crate::router`).
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/control/user", get(user))
        .route("/control/users", post(add_user).get(users))
        .route("/control/next-consent", post(consent_next_as))
        .route(
            "/control/users/{email}/calendar-list/{cal}",
            patch(update_list_entry).delete(remove_from_list),
        )
        .route(
            "/control/users/{email}/expire-calendar-list-sync-tokens",
            post(expire_list_sync_tokens),
        )
        .route("/control/calendars", post(add_calendar))
        .route(
            "/control/calendars/{cal}",
            axum::routing::delete(delete_calendar).patch(rename_calendar),
        )
        .route("/control/calendars/{cal}/share", post(share_calendar))
        .route(
            "/control/calendars/{cal}/events",
            post(insert_event).get(list_events),
        )
        .route(
            "/control/calendars/{cal}/events/{id}",
            patch(update_event).delete(delete_event),
        )
        .route(
            "/control/calendars/{cal}/expire-sync-tokens",
            post(expire_sync_tokens),
        )
        .route("/control/channels", get(channels))
        .route("/control/channels/{id}/expire", post(expire_channel))
        .route("/control/stats", get(stats))
        .route("/control/faults", post(set_faults).get(get_faults))
        .route("/control/reset-faults", post(reset_faults))
        .route("/control/token-failures", post(token_failures))
        .route("/control/token-requests", get(token_requests))
        .route("/control/tokens", post(issue_tokens))
        .route("/control/tokens/revoke-all", post(revoke_all))
        .route("/control/tokens/expire-access", post(expire_access))
        .route("/control/deny-next-consent", post(deny_next_consent))
        .route("/control/wait-idle", post(wait_idle))
        .route(
            "/control/verify-domain",
            post(crate::domains::verify_domain),
        )
        .route(
            "/control/site-verification",
            get(crate::domains::site_verification),
        )
}

fn control(shared: Arc<Shared>) -> Control {
    Control { shared }
}

async fn user(State(s): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({"email": control(s).user_email()}))
}

/// Body of `POST /control/users`.
#[derive(Deserialize)]
struct NewUser {
    email: String,
}

async fn add_user(
    State(s): State<Arc<Shared>>,
    Json(user): Json<NewUser>,
) -> Result<StatusCode, ApiError> {
    control(s).try_add_user(&user.email)?;
    Ok(StatusCode::CREATED)
}

async fn users(State(s): State<Arc<Shared>>) -> Json<Vec<String>> {
    Json(control(s).users())
}

/// Body of `POST /control/next-consent` and `POST /control/tokens`.
#[derive(Deserialize)]
struct UserEmail {
    email: String,
}

async fn consent_next_as(
    State(s): State<Arc<Shared>>,
    Json(body): Json<UserEmail>,
) -> Result<StatusCode, ApiError> {
    control(s).try_consent_next_as(&body.email)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Body of `POST /control/calendars/{cal}/share`.
#[derive(Deserialize)]
struct Share {
    email: String,
    #[serde(default = "default_role")]
    role: String,
}

fn default_role() -> String {
    "reader".into()
}

async fn share_calendar(
    State(s): State<Arc<Shared>>,
    Path(cal): Path<String>,
    Json(body): Json<Share>,
) -> Result<StatusCode, ApiError> {
    control(s).try_share_calendar(&cal, &body.email, &body.role)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_from_list(
    State(s): State<Arc<Shared>>,
    Path((email, cal)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    control(s).try_remove_from_calendar_list(&email, &cal)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn update_list_entry(
    State(s): State<Arc<Shared>>,
    Path((email, cal)): Path<(String, String)>,
    Json(change): Json<ListEntryChange>,
) -> Result<StatusCode, ApiError> {
    control(s).try_update_calendar_list_entry(&email, &cal, &change)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn expire_list_sync_tokens(
    State(s): State<Arc<Shared>>,
    Path(email): Path<String>,
) -> Result<StatusCode, ApiError> {
    control(s).try_expire_calendar_list_sync_tokens(&email)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Body of `PATCH /control/calendars/{cal}`.
#[derive(Deserialize)]
struct Rename {
    summary: String,
}

async fn rename_calendar(
    State(s): State<Arc<Shared>>,
    Path(cal): Path<String>,
    Json(body): Json<Rename>,
) -> Result<StatusCode, ApiError> {
    control(s).try_rename_calendar(&cal, &body.summary)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Body of `POST /control/calendars`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewCalendar {
    id: String,
    summary: String,
    #[serde(default = "default_time_zone")]
    time_zone: String,
}

fn default_time_zone() -> String {
    "Europe/London".into()
}

async fn add_calendar(
    State(s): State<Arc<Shared>>,
    Json(body): Json<NewCalendar>,
) -> Result<StatusCode, ApiError> {
    control(s).try_add_calendar(&body.id, &body.summary, &body.time_zone)?;
    Ok(StatusCode::CREATED)
}

async fn delete_calendar(
    State(s): State<Arc<Shared>>,
    Path(cal): Path<String>,
) -> Result<StatusCode, ApiError> {
    control(s).try_delete_calendar(&cal)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn insert_event(
    State(s): State<Arc<Shared>>,
    Path(cal): Path<String>,
    Json(event): Json<Value>,
) -> Result<Response, ApiError> {
    let event = control(s).try_insert_event(&cal, event)?;
    Ok((StatusCode::OK, Json(event)).into_response())
}

async fn list_events(
    State(s): State<Arc<Shared>>,
    Path(cal): Path<String>,
) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(control(s).try_events(&cal)?))
}

async fn update_event(
    State(s): State<Arc<Shared>>,
    Path((cal, id)): Path<(String, String)>,
    Json(patch): Json<Value>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(control(s).try_update_event(&cal, &id, patch)?))
}

async fn delete_event(
    State(s): State<Arc<Shared>>,
    Path((cal, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    control(s).try_delete_event(&cal, &id)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn expire_sync_tokens(
    State(s): State<Arc<Shared>>,
    Path(cal): Path<String>,
) -> Result<StatusCode, ApiError> {
    s.world().calendar_mut(&cal)?.epoch += 1;
    Ok(StatusCode::NO_CONTENT)
}

async fn channels(State(s): State<Arc<Shared>>) -> Json<Vec<ChannelInfo>> {
    Json(control(s).channels())
}

async fn expire_channel(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let mut world = s.world();
    let channel = world.channel_mut(&id).ok_or_else(ApiError::not_found)?;
    channel.info.state = ChannelState::Expired;
    channel.outbox = None;
    Ok(StatusCode::NO_CONTENT)
}

async fn stats(State(s): State<Arc<Shared>>) -> Json<Stats> {
    Json(control(s).stats())
}

async fn set_faults(State(s): State<Arc<Shared>>, Json(faults): Json<Faults>) -> Json<Faults> {
    let control = control(s);
    control.set_faults(faults);
    Json(control.faults())
}

async fn get_faults(State(s): State<Arc<Shared>>) -> Json<Faults> {
    Json(control(s).faults())
}

async fn reset_faults(State(s): State<Arc<Shared>>) -> StatusCode {
    control(s).reset_faults();
    StatusCode::NO_CONTENT
}

/// Body of `POST /control/token-failures`.
#[derive(Deserialize)]
struct TokenFailures {
    n: usize,
    how: TokenFailure,
}

async fn token_failures(
    State(s): State<Arc<Shared>>,
    Json(body): Json<TokenFailures>,
) -> StatusCode {
    control(s).fail_next_token_requests(body.n, body.how);
    StatusCode::NO_CONTENT
}

async fn token_requests(State(s): State<Arc<Shared>>) -> Json<Vec<TokenRequestLog>> {
    Json(control(s).token_requests())
}

/// `POST /control/tokens`, optionally with `{"email": …}` to act as another user.
async fn issue_tokens(State(s): State<Arc<Shared>>, body: String) -> Result<Json<Value>, ApiError> {
    let control = control(s);
    let email = if body.trim().is_empty() {
        control.user_email()
    } else {
        serde_json::from_str::<UserEmail>(&body)
            .map_err(|e| ApiError::invalid(format!("Expected {{\"email\": …}}: {e}")))?
            .email
    };
    let (access, refresh) = control.try_issue_token_pair_for(&email)?;
    Ok(Json(
        json!({"access_token": access, "refresh_token": refresh}),
    ))
}

async fn revoke_all(State(s): State<Arc<Shared>>) -> StatusCode {
    control(s).revoke_all_tokens();
    StatusCode::NO_CONTENT
}

async fn expire_access(State(s): State<Arc<Shared>>) -> StatusCode {
    control(s).expire_access_tokens();
    StatusCode::NO_CONTENT
}

async fn deny_next_consent(State(s): State<Arc<Shared>>) -> StatusCode {
    control(s).deny_next_consent();
    StatusCode::NO_CONTENT
}

async fn wait_idle(State(s): State<Arc<Shared>>) -> StatusCode {
    control(s).wait_for_deliveries_idle().await;
    StatusCode::NO_CONTENT
}

/// `Duration` as whole milliseconds in JSON.
mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

/// `Option<Duration>` as whole seconds (or null) in JSON.
mod optional_secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.as_secs()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_secs))
    }
}

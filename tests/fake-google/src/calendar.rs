//! The Calendar v3 routes CalWatch calls: calendarList.list (full and incremental sync),
//! calendarList.watch, events.list (full and incremental sync), events.watch and
//! channels.stop. Every route needs a bearer token
//! this fake issued, then passes through the rate-limit / outage faults.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::calendar_list::{ListCursor, ListEntry, ListSyncToken};
use crate::delivery::{self, ResourceState};
use crate::errors::ApiError;
use crate::state::{
    rfc3339, Calendar, Channel, ChannelInfo, ChannelState, Cursor, Shared, Stats, SyncToken,
};

/// events.list page size when the client does not say.
const EVENTS_DEFAULT_PAGE: usize = 250;
/// events.list's largest page; bigger requests are cut to this.
const EVENTS_MAX_PAGE: usize = 2500;
/// calendarList.list page size when the client does not say.
const LIST_DEFAULT_PAGE: usize = 100;
/// calendarList.list's largest page.
const LIST_MAX_PAGE: usize = 250;
/// Channel lifetime when `params.ttl` is absent: 7 days.
const DEFAULT_TTL: Duration = Duration::from_secs(604_800);
/// Google cuts longer lifetimes to about a month.
const MAX_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Parameters Google refuses next to `syncToken` (they would change the result set).
const NOT_WITH_SYNC_TOKEN: [&str; 8] = [
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
];

/// The Calendar API routes.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/calendar/v3/users/me/calendarList", get(calendar_list))
        .route(
            "/calendar/v3/users/me/calendarList/watch",
            post(calendar_list_watch),
        )
        .route(
            "/calendar/v3/calendars/{calendar_id}/events",
            get(events_list),
        )
        .route(
            "/calendar/v3/calendars/{calendar_id}/events/watch",
            post(events_watch),
        )
        .route("/calendar/v3/channels/stop", post(channels_stop))
}

/// Authenticates the call, counts it, then applies any queued rate-limit or outage fault;
/// the user the token acts as. Counting happens before faults so tests see every attempt a
/// retrying client makes.
fn gate(
    s: &Shared,
    headers: &HeaderMap,
    count: impl FnOnce(&mut Stats, &str),
) -> Result<String, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .ok_or_else(ApiError::login_required)?;
    let now_ms = s.now().timestamp_millis();
    let mut world = s.world();
    let user = world
        .access_token_user(token, now_ms)
        .ok_or_else(ApiError::invalid_credentials)?;
    count(&mut world.stats, &user);
    let faults = &mut world.faults;
    if faults.rate_limit_next > 0 {
        faults.rate_limit_next -= 1;
        let status = match faults.rate_limit_status {
            429 => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::FORBIDDEN,
        };
        return Err(ApiError::rate_limited(status));
    }
    if faults.server_error_next > 0 {
        faults.server_error_next -= 1;
        return Err(ApiError::backend_error());
    }
    Ok(user)
}

/// Parses `maxResults`: absent → `default`, above `max` → `max` (Google clamps), else 400.
fn max_results(q: &HashMap<String, String>, default: usize, max: usize) -> Result<usize, ApiError> {
    match q.get("maxResults") {
        None => Ok(default),
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if n >= 1 => Ok(usize::try_from(n).unwrap_or(max).min(max)),
            _ => Err(ApiError::invalid(format!(
                "Invalid value '{raw}'. Values must be within the range: [1, {max}]"
            ))),
        },
    }
}

/// Parses a boolean query parameter.
fn flag(q: &HashMap<String, String>, name: &str) -> Result<Option<bool>, ApiError> {
    match q.get(name).map(String::as_str) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(ApiError::invalid(format!(
            "Invalid value '{other}' for {name}: must be true or false"
        ))),
    }
}

/// GET /users/me/calendarList: full listing (pages, then a sync token) or incremental
/// (entries changed since the token, removed ones as `deleted: true`).
async fn calendar_list(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let incremental = q.contains_key("syncToken");
    let user = gate(&s, &headers, |stats, user| {
        stats.calendar_list_calls += 1;
        *stats
            .calendar_list_calls_by_user
            .entry(user.to_string())
            .or_default() += 1;
        if incremental {
            stats.calendar_list_sync_calls += 1;
        }
    })?;
    let page_size = max_results(&q, LIST_DEFAULT_PAGE, LIST_MAX_PAGE)?;
    let show_deleted = flag(&q, "showDeleted")?;
    let show_hidden = flag(&q, "showHidden")?;
    let min_access_role = q.get("minAccessRole").cloned();
    if let Some(role) = &min_access_role {
        if !crate::calendar_list::known_role(role) {
            return Err(ApiError::invalid(format!(
                "Invalid value '{role}' for minAccessRole."
            )));
        }
    }
    let world = s.world();
    let list = world.lists.get(&user).ok_or_else(ApiError::not_found)?;
    let since = match q.get("syncToken") {
        None => None,
        Some(raw) => {
            if min_access_role.is_some() {
                return Err(ApiError::invalid(
                    "The parameter minAccessRole cannot be used together with syncToken.",
                ));
            }
            let token = ListSyncToken::decode(raw)
                .filter(|t| t.user == user)
                .ok_or_else(|| ApiError::invalid("Invalid sync token value."))?;
            if token.epoch != list.epoch || token.seq > list.seq {
                return Err(ApiError::full_sync_required());
            }
            Some(token.seq)
        }
    };
    let cursor = match q.get("pageToken") {
        Some(raw) => {
            let cursor = ListCursor::decode(raw)
                .filter(|c| c.user == user)
                .ok_or_else(|| ApiError::invalid("Invalid page token value."))?;
            if cursor.epoch != list.epoch {
                return Err(ApiError::full_sync_required());
            }
            cursor
        }
        // A sync token implies showDeleted and showHidden, as on Google: the holder must
        // learn of every entry that left or was hidden.
        None => ListCursor {
            user: user.clone(),
            epoch: list.epoch,
            since,
            snapshot: list.seq,
            show_deleted: since.is_some() || show_deleted.unwrap_or(false),
            show_hidden: since.is_some() || show_hidden.unwrap_or(false),
            min_access_role,
            after_index: None,
            after_seq: None,
        },
    };
    let (entries, next) = list.page(&cursor, page_size);
    let items: Vec<Value> = entries
        .iter()
        .map(|entry| {
            let calendar = world.calendars.iter().find(|c| c.id == entry.calendar_id);
            wire_entry(entry, calendar, &user)
        })
        .collect();
    let mut body = json!({
        "kind": "calendar#calendarList",
        "etag": format!("\"p{}{:04}\"", list.seq, list.epoch % 10_000),
        "items": items,
    });
    match next {
        Some(next) => body["nextPageToken"] = json!(next.encode()),
        None => {
            let token = ListSyncToken {
                user,
                epoch: list.epoch,
                seq: cursor.snapshot,
            };
            body["nextSyncToken"] = json!(token.encode());
        }
    }
    Ok(Json(body))
}

/// A calendarListEntry as Google shows it. A removed entry (or one whose calendar is gone)
/// carries only what tells the client to drop it.
fn wire_entry(entry: &ListEntry, calendar: Option<&Calendar>, user: &str) -> Value {
    let etag = format!(
        "\"{}{:03}\"",
        entry.updated.timestamp_millis(),
        entry.seq % 1000
    );
    let calendar = match calendar {
        Some(calendar) if !entry.deleted => calendar,
        _ => {
            return json!({
                "kind": "calendar#calendarListEntry",
                "etag": etag,
                "id": entry.calendar_id,
                "deleted": true,
            })
        }
    };
    let primary = calendar.id == user;
    let mut out = json!({
        "kind": "calendar#calendarListEntry",
        "etag": etag,
        "id": calendar.id,
        "summary": calendar.summary,
        "timeZone": calendar.time_zone,
        "colorId": entry.color_id,
        "backgroundColor": entry.background_color,
        "foregroundColor": "#000000",
        "selected": !entry.hidden,
        "accessRole": entry.access_role,
        "defaultReminders": if primary { json!([{"method": "popup", "minutes": 10}]) } else { json!([]) },
        "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
    });
    if let Some(name) = &entry.summary_override {
        out["summaryOverride"] = json!(name);
    }
    if entry.hidden {
        out["hidden"] = json!(true);
    }
    if primary {
        out["primary"] = json!(true);
        out["notificationSettings"] = json!({"notifications": [
            {"type": "eventCreation", "method": "email"},
            {"type": "eventChange", "method": "email"},
        ]});
    }
    out
}

/// GET /calendars/{calendarId}/events: full sync (pages, then a sync token) or incremental
/// sync (changes since the token, deletions as `cancelled`). `singleEvents`, `timeMin` and
/// the like are accepted on full syncs but not applied: recurring events come as series.
async fn events_list(
    State(s): State<Arc<Shared>>,
    Path(calendar_id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let user = gate(&s, &headers, |stats, user| {
        stats.events_list_calls += 1;
        // `primary` is counted under the caller's own calendar id.
        let resolved = if calendar_id == "primary" {
            user.to_string()
        } else {
            calendar_id.clone()
        };
        *stats
            .events_list_calls_by_calendar
            .entry(resolved)
            .or_default() += 1;
    })?;
    let page_size = max_results(&q, EVENTS_DEFAULT_PAGE, EVENTS_MAX_PAGE)?;
    let show_deleted = flag(&q, "showDeleted")?;
    flag(&q, "singleEvents")?;
    let (page_cap, delay) = {
        let world = s.world();
        (world.faults.list_page_cap, world.faults.list_delay)
    };
    let page_size = match page_cap {
        0 => page_size,
        cap => page_size.min(cap),
    };
    let answer = list_page(&s, &calendar_id, &user, &q, page_size, show_deleted);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    answer
}

/// One page of events.list, decided at once (a slow answer is delayed by the caller).
fn list_page(
    s: &Arc<Shared>,
    calendar_id: &str,
    user: &str,
    q: &HashMap<String, String>,
    page_size: usize,
    show_deleted: Option<bool>,
) -> Result<Json<Value>, ApiError> {
    let world = s.world();
    let calendar = world
        .calendar_of(calendar_id, user)
        .map_err(|_| ApiError::not_found())?;
    let access_role = world
        .lists
        .get(user)
        .and_then(|l| l.entry(&calendar.id))
        .map_or("reader", |e| e.access_role.as_str());

    let since = match q.get("syncToken") {
        None => None,
        Some(raw) => {
            if let Some(name) = NOT_WITH_SYNC_TOKEN.iter().find(|n| q.contains_key(**n)) {
                return Err(ApiError::invalid(format!(
                    "The parameter {name} cannot be used together with syncToken."
                )));
            }
            if show_deleted == Some(false) {
                return Err(ApiError::invalid(
                    "showDeleted=false cannot be used together with syncToken: deletions are always included.",
                ));
            }
            let token = SyncToken::decode(raw)
                .filter(|t| t.calendar_id == calendar.id)
                .ok_or_else(|| ApiError::invalid("Invalid sync token value."))?;
            if token.epoch != calendar.epoch || token.seq > calendar.seq {
                return Err(ApiError::full_sync_required());
            }
            Some(token.seq)
        }
    };
    let cursor = match q.get("pageToken") {
        Some(raw) => {
            let cursor = Cursor::decode(raw)
                .filter(|c| c.calendar_id == calendar.id)
                .ok_or_else(|| ApiError::invalid("Invalid page token value."))?;
            if cursor.epoch != calendar.epoch {
                return Err(ApiError::full_sync_required());
            }
            cursor
        }
        None => Cursor {
            calendar_id: calendar.id.clone(),
            epoch: calendar.epoch,
            since,
            snapshot: calendar.seq,
            show_deleted: show_deleted.unwrap_or(false),
            after_id: None,
            after_seq: None,
        },
    };
    let (items, next) = calendar.page(&cursor, page_size);
    let mut body = json!({
        "kind": "calendar#events",
        "etag": format!("\"p{}{:04}\"", calendar.updated.timestamp_millis(), calendar.seq % 10_000),
        "summary": calendar.summary,
        "description": "",
        "updated": rfc3339(calendar.updated),
        "timeZone": calendar.time_zone,
        "accessRole": access_role,
        "defaultReminders": [{"method": "popup", "minutes": 10}],
        "items": items,
    });
    match next {
        Some(next) => {
            body["nextPageToken"] = json!(next.encode());
        }
        None => {
            let token = SyncToken {
                calendar_id: calendar.id.clone(),
                epoch: calendar.epoch,
                seq: cursor.snapshot,
            };
            body["nextSyncToken"] = json!(token.encode());
        }
    }
    Ok(Json(body))
}

/// Reads a JSON request body, answering Google's `parseError` if it is not JSON.
fn parse_body(body: &str) -> Result<Value, ApiError> {
    serde_json::from_str::<Value>(body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| ApiError::global(StatusCode::BAD_REQUEST, "parseError", "Parse Error"))
}

/// POST /calendars/{calendarId}/events/watch.
async fn events_watch(
    State(s): State<Arc<Shared>>,
    Path(calendar_id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Result<Json<Value>, ApiError> {
    // A slow Google is as slow to refuse as to create.
    let delay = s.world().faults.watch_delay;
    let answer = create_channel(&s, Watched::Events(calendar_id), &headers, &body);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok(Json(answer?))
}

/// POST /users/me/calendarList/watch: the same channel as events.watch, on the caller's
/// calendar list.
async fn calendar_list_watch(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    body: String,
) -> Result<Json<Value>, ApiError> {
    let delay = s.world().faults.watch_delay;
    let answer = create_channel(&s, Watched::CalendarList, &headers, &body);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok(Json(answer?))
}

/// What a new channel watches.
enum Watched {
    /// A calendar's events (the id as the path gave it, maybe `primary`).
    Events(String),
    /// The caller's calendar list.
    CalendarList,
}

/// Creates the channel and queues its `sync` message; the answer.
fn create_channel(
    s: &Arc<Shared>,
    watched: Watched,
    headers: &HeaderMap,
    body: &str,
) -> Result<Value, ApiError> {
    let user = gate(s, headers, |stats, _| match watched {
        Watched::Events(_) => stats.watch_calls += 1,
        Watched::CalendarList => stats.calendar_list_watch_calls += 1,
    })?;
    let body = parse_body(body)?;
    let text = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };

    let id = text("id").ok_or_else(|| ApiError::required("Required parameter: id"))?;
    let id_ok = id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/' | b'='));
    if !id_ok {
        return Err(ApiError::invalid(format!(
            "Invalid channel id {id}: use at most 64 characters from [A-Za-z0-9-_+/=]."
        )));
    }
    match text("type") {
        Some("web_hook") | Some("webhook") => {}
        Some(other) => return Err(ApiError::invalid(format!("Invalid channel type: {other}"))),
        None => return Err(ApiError::required("Required parameter: type")),
    }
    let address =
        text("address").ok_or_else(|| ApiError::required("Required parameter: address"))?;
    let url = url::Url::parse(address)
        .map_err(|_| ApiError::invalid(format!("Invalid WebHook callback URL: {address}")))?;
    match url.scheme() {
        "https" => {}
        "http" if s.opts.allow_http => {}
        _ => {
            return Err(ApiError::global(
                StatusCode::BAD_REQUEST,
                "push.webhookUrlNotHttps",
                format!("WebHook callback must be HTTPS: {address}"),
            ))
        }
    }
    let token = match body.get("token") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if t.len() <= 256 => Some(t.clone()),
        Some(_) => {
            return Err(ApiError::invalid(
                "Channel token must be a string of at most 256 characters.",
            ))
        }
    };
    let ttl = match body.pointer("/params/ttl") {
        None => DEFAULT_TTL,
        Some(Value::String(raw)) => raw
            .parse::<u64>()
            .ok()
            .filter(|secs| *secs > 0)
            .map(Duration::from_secs)
            .ok_or_else(|| ApiError::invalid(format!("Invalid ttl value: {raw}")))?,
        Some(other) => return Err(ApiError::invalid(format!("Invalid ttl value: {other}"))),
    };

    let now_ms = s.now().timestamp_millis();
    let mut world = s.world();
    let unverified = s.opts.require_verified_domains
        && crate::domains::domain_of(&url).is_none_or(|d| !world.verified_domains.contains(&d));
    if world.faults.reject_callback_unauthorized || unverified {
        return Err(ApiError::global(
            StatusCode::UNAUTHORIZED,
            "push.webhookUrlUnauthorized",
            format!("Unauthorized WebHook callback channel: {address}"),
        ));
    }
    let (calendar_id, calendar_list_user, resource_id, resource_uri) = match &watched {
        Watched::Events(calendar_id) => {
            let calendar = world
                .calendar_of(calendar_id, &user)
                .map_err(|_| ApiError::not_found())?;
            let encoded: String =
                url::form_urlencoded::byte_serialize(calendar.id.as_bytes()).collect();
            let uri = format!("{}/calendars/{encoded}/events?alt=json", s.api_base());
            (calendar.id.clone(), None, calendar.resource_id.clone(), uri)
        }
        Watched::CalendarList => {
            let list = world.lists.get(&user).ok_or_else(ApiError::not_found)?;
            let uri = format!("{}/users/me/calendarList?alt=json", s.api_base());
            (
                String::new(),
                Some(user.clone()),
                list.resource_id.clone(),
                uri,
            )
        }
    };
    // Ids stay taken after a channel is stopped, as on Google.
    if world.channels.iter().any(|c| c.info.id == id) {
        return Err(ApiError::global(
            StatusCode::BAD_REQUEST,
            "duplicate",
            format!("Channel id {id} not unique"),
        ));
    }
    let ttl = [Some(ttl), Some(MAX_TTL), world.faults.channel_ttl_cap]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(DEFAULT_TTL);
    let expiration_ms = now_ms.saturating_add(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX));
    let info = ChannelInfo {
        id: id.to_string(),
        resource_id: resource_id.clone(),
        calendar_id,
        calendar_list_user,
        address: address.to_string(),
        token: token.clone(),
        expiration_ms,
        state: ChannelState::Live,
        last_message_number: 0,
        resource_uri: resource_uri.clone(),
    };
    let (outbox, inbox) = mpsc::unbounded_channel();
    delivery::spawn_worker(Arc::clone(s), inbox);
    world.channels.push(Channel {
        info,
        user,
        outbox: Some(outbox),
    });
    // Queued before answering: like Google, the sync message may beat the watch response.
    let index = world.channels.len() - 1;
    delivery::queue(&mut world, &s.pending, index, ResourceState::Sync);

    let mut channel = json!({
        "kind": "api#channel",
        "id": id,
        "resourceId": resource_id,
        "resourceUri": resource_uri,
        "expiration": expiration_ms.to_string(),
    });
    if let Some(token) = token {
        channel["token"] = json!(token);
    }
    Ok(channel)
}

/// POST /channels/stop.
async fn channels_stop(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    body: String,
) -> Result<StatusCode, ApiError> {
    let user = gate(&s, &headers, |stats, _| stats.stop_calls += 1)?;
    let body = parse_body(&body)?;
    let id = body
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::required("Required parameter: id"))?;
    let resource_id = body
        .get("resourceId")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::required("Required parameter: resourceId"))?;
    let now_ms = s.now().timestamp_millis();
    let mut world = s.world();
    world.expire_due_channels(now_ms);
    let project = world.project_number.clone();
    match world.channel_mut(id) {
        // Only the user who created a channel can stop it; Google tells anyone else it
        // does not exist.
        Some(channel)
            if channel.info.state == ChannelState::Live
                && channel.info.resource_id == resource_id
                && channel.user == user =>
        {
            channel.info.state = ChannelState::Stopped;
            channel.outbox = None;
            Ok(StatusCode::NO_CONTENT)
        }
        _ => Err(ApiError::global(
            StatusCode::NOT_FOUND,
            "notFound",
            format!("Channel '{id}' not found for project '{project}'"),
        )),
    }
}

//! The HTTP side: requests, pages, retries, token refresh.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{header, Method};
use serde::de::DeserializeOwned;
use url::Url;

use super::errors::{classify, ErrorBody, GoogleError, Verdict};
use super::retry::RetryPolicy;
use super::types::{
    wire, CalendarListDelta, CalendarListEntry, Channel, EventsDelta, EventsPage, PageNext,
    WatchRequest,
};
use super::TokenSource;

/// What Google says when it cannot read a sync token (a 400, not the 410 of an expired one).
const INVALID_SYNC_TOKEN: &str = "Invalid sync token value";

/// Google's largest `maxResults` for `events.list`: fewer round trips on a full sync.
const MAX_EVENTS_PAGE: u32 = 2500;
/// Google's largest `maxResults` for `calendarList.list`.
const MAX_CALENDAR_LIST_PAGE: u32 = 250;
/// A list that has not ended after this many pages is a loop, not a calendar.
pub(crate) const MAX_PAGES: usize = 10_000;
/// Connecting to Google takes well under this unless the network is down.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Bounds one request, including reading a full 2500-event page.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The typed Calendar v3 client: calendarList.list, events.list, events.watch, channels.stop.
///
/// Cheap to clone; clones share the connection pool and the token source.
#[derive(Clone)]
pub struct CalendarClient {
    /// Built with redirects off: a redirect from "Google" is never something to follow.
    http: reqwest::Client,
    /// `…/calendar/v3`, from config, so tests and the sandbox can point elsewhere.
    api_base: Url,
    /// Where bearer tokens come from, and who refreshes them after a 401.
    tokens: Arc<dyn TokenSource>,
    /// Backoff for rate limits and server errors.
    retry: RetryPolicy,
    /// `maxResults` override, so tests can force many pages out of a few items.
    page_size: Option<u32>,
}

impl std::fmt::Debug for CalendarClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CalendarClient")
            .field("api_base", &self.api_base.as_str())
            .field("retry", &self.retry)
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

/// `events.list` parameters that are the same for full and incremental syncs.
///
/// Google refuses an incremental sync whose parameters differ from the full sync's, so
/// both are built from here. `showDeleted=true` makes a full sync list deletions the same
/// way an incremental one must (as `cancelled`), and is allowed with `syncToken`.
/// Deliberately absent: `singleEvents` (unbounded without `timeMax`, which a sync token
/// forbids) and everything Google refuses alongside a `syncToken`.
fn events_params(page_size: u32) -> Vec<(&'static str, String)> {
    vec![
        ("maxResults", page_size.to_string()),
        ("showDeleted", "true".to_string()),
    ]
}

/// One API call, replayable for retries.
struct Call<'a> {
    method: Method,
    url: Url,
    body: Option<serde_json::Value>,
    /// Safe to resend after a network error (GETs and `channels.stop`; not `watch`,
    /// where a lost answer may mean the channel exists and its id is now taken).
    idempotent: bool,
    /// The watch address, so a callback refusal can name it.
    callback: Option<&'a str>,
}

impl CalendarClient {
    /// A client for the API at `api_base` (e.g. `https://www.googleapis.com/calendar/v3`).
    pub fn new(api_base: &str, tokens: Arc<dyn TokenSource>) -> Result<Self, GoogleError> {
        let api_base = Url::parse(api_base).map_err(|e| {
            GoogleError::Setup(format!("the API address {api_base:?} is not a URL ({e})"))
        })?;
        if api_base.cannot_be_a_base() || !matches!(api_base.scheme(), "http" | "https") {
            return Err(GoogleError::Setup(format!(
                "the API address {api_base} is not an http(s) URL"
            )));
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("CalWatch/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GoogleError::Setup(e.to_string()))?;
        Ok(CalendarClient {
            http,
            api_base,
            tokens,
            retry: RetryPolicy::default(),
            page_size: None,
        })
    }

    /// The same client with another backoff policy (tests use a tiny `base`).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The same client asking for at most `page_size` items per page (clamped to Google's maxima).
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size.max(1));
        self
    }

    /// Every calendar in the user's list, across all pages.
    pub async fn calendar_list(&self) -> Result<Vec<CalendarListEntry>, GoogleError> {
        Ok(self.calendar_list_delta(None).await?.entries)
    }

    /// The calendar list with a sync token for next time: in full without `sync_token`
    /// (hidden entries left out, as in Google's own list), else only the entries changed
    /// since, removed and hidden ones included and marked.
    ///
    /// [`GoogleError::SyncTokenExpired`] means: forget the token and list in full.
    pub async fn calendar_list_delta(
        &self,
        sync_token: Option<&str>,
    ) -> Result<CalendarListDelta, GoogleError> {
        let page_size = self.page_size(MAX_CALENDAR_LIST_PAGE);
        let mut entries = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = self.url(&["users", "me", "calendarList"]);
            {
                let mut query = url.query_pairs_mut();
                query.append_pair("maxResults", &page_size.to_string());
                if let Some(token) = sync_token {
                    query.append_pair("syncToken", token);
                }
                if let Some(token) = &page_token {
                    query.append_pair("pageToken", token);
                }
            }
            let page: wire::CalendarListPage = match self.get_json(url).await {
                Err(GoogleError::BadRequest { message })
                    if sync_token.is_some() && message.contains(INVALID_SYNC_TOKEN) =>
                {
                    tracing::info!(%message, "Google cannot read the calendar list's sync token");
                    return Err(GoogleError::SyncTokenExpired);
                }
                other => other?,
            };
            entries.extend(page.items);
            match page_next(
                page.next_page_token,
                page.next_sync_token,
                "the calendar list",
            )? {
                PageNext::Page(next) => page_token = Some(next),
                PageNext::Done(next_sync_token) => {
                    return Ok(CalendarListDelta {
                        entries,
                        next_sync_token,
                    })
                }
            }
        }
        Err(too_many_pages())
    }

    /// Opens a push channel on the account's calendar list (calendars shared, removed,
    /// renamed).
    pub async fn calendar_list_watch(&self, req: &WatchRequest) -> Result<Channel, GoogleError> {
        let url = self.url(&["users", "me", "calendarList", "watch"]);
        self.watch_at(url, req).await
    }

    /// Whether Google still lets this account read the calendar's events: `false` only on
    /// Google's own 404, the one answer that proves a `not_exists` delivery true.
    pub async fn calendar_exists(&self, calendar_id: &str) -> Result<bool, GoogleError> {
        let mut url = self.url(&["calendars", calendar_id, "events"]);
        url.query_pairs_mut()
            .append_pair("maxResults", "1")
            .append_pair("fields", "kind");
        match self.get_json::<serde_json::Value>(url).await {
            Ok(_) => Ok(true),
            Err(GoogleError::NotFound) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// A full sync: every event of the calendar, across all pages, and the first sync token.
    pub async fn events_full(&self, calendar_id: &str) -> Result<EventsDelta, GoogleError> {
        self.events_pages(calendar_id, None).await
    }

    /// An incremental sync: what changed since `sync_token`, across all pages.
    ///
    /// [`GoogleError::SyncTokenExpired`] means: forget the token and call [`Self::events_full`].
    /// Google answers a token it cannot read (damaged, from another calendar) with 400
    /// "Invalid sync token value." instead of 410; the cure is the same full sync, so it is
    /// reported the same way rather than failing the calendar forever.
    pub async fn events_since(
        &self,
        calendar_id: &str,
        sync_token: &str,
    ) -> Result<EventsDelta, GoogleError> {
        match self.events_pages(calendar_id, Some(sync_token)).await {
            Err(GoogleError::BadRequest { message }) if message.contains(INVALID_SYNC_TOKEN) => {
                tracing::info!(calendar = calendar_id, %message, "Google cannot read the sync token");
                Err(GoogleError::SyncTokenExpired)
            }
            other => other,
        }
    }

    /// One page of a listing, so a sync can process each as it arrives instead of holding
    /// the whole calendar: a full listing without `sync_token`, an incremental one with it;
    /// `page_token` is the previous page's [`PageNext::Page`].
    ///
    /// A sync token Google cannot read answers [`GoogleError::SyncTokenExpired`], as in
    /// [`Self::events_since`]; so does a listing whose pages expired mid-way (Google's 410).
    pub async fn events_page(
        &self,
        calendar_id: &str,
        sync_token: Option<&str>,
        page_token: Option<&str>,
    ) -> Result<EventsPage, GoogleError> {
        let params = events_params(self.page_size(MAX_EVENTS_PAGE));
        let mut url = self.url(&["calendars", calendar_id, "events"]);
        {
            let mut query = url.query_pairs_mut();
            for (name, value) in &params {
                query.append_pair(name, value);
            }
            if let Some(token) = sync_token {
                query.append_pair("syncToken", token);
            }
            if let Some(token) = page_token {
                query.append_pair("pageToken", token);
            }
        }
        let page: wire::EventsPage = match self.get_json(url).await {
            Err(GoogleError::BadRequest { message })
                if sync_token.is_some() && message.contains(INVALID_SYNC_TOKEN) =>
            {
                tracing::info!(calendar = calendar_id, %message, "Google cannot read the sync token");
                return Err(GoogleError::SyncTokenExpired);
            }
            other => other?,
        };
        let next = page_next(page.next_page_token, page.next_sync_token, "events")?;
        Ok(EventsPage {
            events: page.items,
            next,
        })
    }

    /// Opens a push channel on the calendar's events.
    pub async fn watch(
        &self,
        calendar_id: &str,
        req: &WatchRequest,
    ) -> Result<Channel, GoogleError> {
        let url = self.url(&["calendars", calendar_id, "events", "watch"]);
        self.watch_at(url, req).await
    }

    /// `events.watch` and `calendarList.watch` take the same body and answer the same.
    async fn watch_at(&self, url: Url, req: &WatchRequest) -> Result<Channel, GoogleError> {
        let body = wire::WatchBody {
            id: &req.id,
            kind: "web_hook",
            address: &req.address,
            token: req.token.expose(),
            params: wire::WatchParams {
                ttl: req.ttl.as_secs().to_string(),
            },
        };
        let body = serde_json::to_value(&body).map_err(|e| GoogleError::Decode(e.to_string()))?;
        let call = Call {
            method: Method::POST,
            url,
            body: Some(body),
            idempotent: false,
            callback: Some(&req.address),
        };
        let reply: wire::ChannelReply = decode(self.execute(&call).await?.as_ref())?;
        let expiration = reply.expiration.ok_or_else(|| {
            GoogleError::Decode("the channel came back without an expiration".into())
        })?;
        let expiration_ms = expiration.trim().parse::<i64>().map_err(|_| {
            GoogleError::Decode(format!(
                "the channel's expiration {expiration:?} is not a number of milliseconds"
            ))
        })?;
        Ok(Channel {
            id: reply.id,
            resource_id: reply.resource_id,
            resource_uri: reply.resource_uri.unwrap_or_default(),
            expiration_ms,
        })
    }

    /// Stops a channel; one Google no longer knows (404) counts as already stopped.
    pub async fn stop(&self, channel_id: &str, resource_id: &str) -> Result<(), GoogleError> {
        let body = wire::StopBody {
            id: channel_id,
            resource_id,
        };
        let call = Call {
            method: Method::POST,
            url: self.url(&["channels", "stop"]),
            body: Some(
                serde_json::to_value(&body).map_err(|e| GoogleError::Decode(e.to_string()))?,
            ),
            idempotent: true,
            callback: None,
        };
        match self.execute(&call).await {
            Ok(_) | Err(GoogleError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn events_pages(
        &self,
        calendar_id: &str,
        sync_token: Option<&str>,
    ) -> Result<EventsDelta, GoogleError> {
        let params = events_params(self.page_size(MAX_EVENTS_PAGE));
        let mut events = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = self.url(&["calendars", calendar_id, "events"]);
            {
                let mut query = url.query_pairs_mut();
                for (name, value) in &params {
                    query.append_pair(name, value);
                }
                if let Some(token) = sync_token {
                    query.append_pair("syncToken", token);
                }
                if let Some(token) = &page_token {
                    query.append_pair("pageToken", token);
                }
            }
            let page: wire::EventsPage = self.get_json(url).await?;
            events.extend(page.items);
            match page_next(page.next_page_token, page.next_sync_token, "events")? {
                PageNext::Page(next) => page_token = Some(next),
                PageNext::Done(next_sync_token) => {
                    return Ok(EventsDelta {
                        events,
                        next_sync_token,
                    })
                }
            }
        }
        Err(too_many_pages())
    }

    fn page_size(&self, max: u32) -> u32 {
        self.page_size.map_or(max, |size| size.min(max))
    }

    /// `api_base` + path segments, each percent-encoded (calendar ids hold `@` and `#`).
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.api_base.clone();
        url.path_segments_mut()
            // `new` refused cannot-be-a-base URLs, so this always has segments.
            .expect("api_base is a base URL")
            .pop_if_empty()
            .extend(segments);
        url
    }

    async fn get_json<T: DeserializeOwned>(&self, url: Url) -> Result<T, GoogleError> {
        let call = Call {
            method: Method::GET,
            url,
            body: None,
            idempotent: true,
            callback: None,
        };
        decode(self.execute(&call).await?.as_ref())
    }

    /// Sends `call` until it succeeds, refreshing the token once on 401 and backing off
    /// on rate limits, server errors and (for idempotent calls) network failures.
    async fn execute(&self, call: &Call<'_>) -> Result<impl AsRef<[u8]>, GoogleError> {
        let mut token = self.tokens.access_token().await?;
        let mut refreshed = false;
        let mut attempts: u32 = 0;
        loop {
            attempts += 1;
            let mut request = self
                .http
                .request(call.method.clone(), call.url.clone())
                // reqwest marks the header sensitive, so it is kept out of its own logs too.
                .bearer_auth(token.expose());
            if let Some(body) = &call.body {
                request = request.json(body);
            }
            let sent = request.send().await;
            let response = match sent {
                Ok(response) => response,
                Err(err) => {
                    let error = GoogleError::network(&err);
                    tracing::debug!(
                        method = %call.method,
                        path = call.url.path(),
                        attempt = attempts,
                        error = %error,
                        "google request failed"
                    );
                    if call.idempotent && attempts < self.retry.max_attempts {
                        tokio::time::sleep(self.retry.delay(attempts, None)).await;
                        continue;
                    }
                    return Err(error);
                }
            };
            let status = response.status();
            let retry_after = retry_after(response.headers());
            tracing::debug!(
                method = %call.method,
                path = call.url.path(),
                status = status.as_u16(),
                attempt = attempts,
                "google request"
            );
            let body = response
                .bytes()
                .await
                .map_err(|e| GoogleError::network(&e))?;
            if status.is_success() {
                return Ok(body);
            }
            match classify(status, &ErrorBody::parse(&body), call.callback) {
                Verdict::Refresh if !refreshed => {
                    refreshed = true;
                    // A refresh is not a backoff retry: it does not use up an attempt.
                    attempts -= 1;
                    token = self.tokens.refresh_after_unauthorized(&token).await?;
                }
                Verdict::Refresh => return Err(GoogleError::Unauthorized),
                Verdict::Retry(_) if attempts < self.retry.max_attempts => {
                    let wait = self.retry.delay(attempts, retry_after);
                    tracing::debug!(
                        path = call.url.path(),
                        status = status.as_u16(),
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "google asked to slow down; retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
                Verdict::Retry(GoogleError::RateLimited { reason, .. }) => {
                    return Err(GoogleError::RateLimited { reason, attempts })
                }
                Verdict::Retry(error) | Verdict::Fail(error) => return Err(error),
            }
        }
    }
}

/// `Retry-After` in seconds (Google does not send the HTTP-date form for the API).
fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    headers
        .get(header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, GoogleError> {
    serde_json::from_slice(body).map_err(|e| GoogleError::Decode(e.to_string()))
}

pub(crate) fn too_many_pages() -> GoogleError {
    GoogleError::Decode(format!(
        "Google kept returning more pages after {MAX_PAGES}"
    ))
}

/// Where a listing goes after a page: Google puts the sync token on the last page only,
/// never with a page token; a last page without one is not a listing CalWatch can trust.
fn page_next(
    next_page_token: Option<String>,
    next_sync_token: Option<String>,
    what: &str,
) -> Result<PageNext, GoogleError> {
    match (next_page_token, next_sync_token) {
        (Some(next), _) if !next.is_empty() => Ok(PageNext::Page(next)),
        (_, Some(next_sync_token)) => Ok(PageNext::Done(next_sync_token)),
        (_, None) => Err(GoogleError::Decode(format!(
            "the last page of {what} carried no sync token"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::http::{header::LOCATION, StatusCode};
    use axum::routing::get;
    use axum::Router;

    use super::*;
    use crate::google::FixedToken;
    use crate::secrets::Sensitive;

    fn client(base: &str) -> CalendarClient {
        CalendarClient::new(base, Arc::new(FixedToken(Sensitive::new("t".into())))).unwrap()
    }

    #[tokio::test]
    async fn redirects_are_never_followed() {
        let followed = Arc::new(AtomicUsize::new(0));
        let hits = followed.clone();
        let app = Router::new()
            .route(
                "/calendar/v3/users/me/calendarList",
                get(|| async { (StatusCode::FOUND, [(LOCATION, "/elsewhere")]) }),
            )
            .route(
                "/elsewhere",
                get(move || async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    r#"{"items":[]}"#
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move { axum::serve(listener, app).await });

        let result = client(&format!("http://{addr}/calendar/v3"))
            .calendar_list()
            .await;

        assert!(
            matches!(
                result,
                Err(GoogleError::UnexpectedStatus { status: 302, .. })
            ),
            "a 302 must surface as an error, got {result:?}"
        );
        assert_eq!(
            followed.load(Ordering::SeqCst),
            0,
            "the client must not have gone where the redirect pointed"
        );
        server.abort();
    }

    #[test]
    fn calendar_ids_are_percent_encoded_as_one_path_segment() {
        let c = client("https://www.googleapis.com/calendar/v3/");
        let url = c.url(&[
            "calendars",
            "en.usa#holiday@group.v.calendar.google.com/x y",
            "events",
        ]);
        assert_eq!(
            url.as_str(),
            "https://www.googleapis.com/calendar/v3/calendars/en.usa%23holiday@group.v.calendar.google.com%2Fx%20y/events",
            "a '#' or '/' in an id must not cut the path short"
        );
    }

    #[test]
    fn a_base_that_is_not_http_is_refused() {
        let tokens: Arc<dyn TokenSource> = Arc::new(FixedToken(Sensitive::new("t".into())));
        for base in ["not a url", "mailto:x@example.com", "ftp://x/calendar/v3"] {
            let err = CalendarClient::new(base, tokens.clone()).unwrap_err();
            assert_eq!(err.code(), "setup", "{base} is no API base");
        }
    }

    #[test]
    fn page_size_is_clamped_to_googles_maxima() {
        let c = client("http://127.0.0.1:1/calendar/v3").with_page_size(100_000);
        assert_eq!(c.page_size(MAX_EVENTS_PAGE), 2500);
        assert_eq!(c.page_size(MAX_CALENDAR_LIST_PAGE), 250);
        assert_eq!(
            client("http://127.0.0.1:1").page_size(MAX_EVENTS_PAGE),
            2500
        );
    }

    #[tokio::test]
    async fn network_errors_name_the_cause_but_no_token() {
        // A port nobody listens on: bind, note it, let it go.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let tokens = Arc::new(FixedToken(Sensitive::new("ya29.access-secret".into())));
        let c = CalendarClient::new(&format!("http://127.0.0.1:{port}/calendar/v3"), tokens)
            .unwrap()
            .with_retry_policy(RetryPolicy {
                max_attempts: 2,
                base: Duration::from_millis(1),
                cap: Duration::from_millis(1),
            });

        let err = c.events_since("primary", "sync-secret").await.unwrap_err();

        assert_eq!(err.code(), "network");
        let shown = format!("{err} {err:?} {c:?}");
        assert!(
            !shown.contains("access-secret") && !shown.contains("sync-secret"),
            "neither the access token nor the sync token may reach a message: {shown}"
        );
    }

    #[test]
    fn the_client_and_its_calls_can_move_to_spawned_tasks() {
        // The engine runs syncs in spawned tasks; a non-Send future would only show up there.
        fn assert_send<T: Send + Sync>(_: &T) {}
        fn assert_send_future<T: Send>(_: T) {}
        let c = client("http://127.0.0.1:1/calendar/v3");
        assert_send(&c);
        assert_send_future(c.calendar_list());
        assert_send_future(c.events_since("primary", "token"));
        let req = WatchRequest::new("https://x", Sensitive::new("t".into()), Duration::ZERO);
        assert_send_future(c.watch("primary", &req));
        assert_send_future(c.stop("id", "res"));
    }
}

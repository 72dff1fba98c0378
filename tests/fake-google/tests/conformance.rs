//! fake-google's JSON against Google's own discovery document (fixtures/calendar.v3.json).
//!
//! The discovery format is almost JSON Schema: `$ref` names a schema by bare id and there
//! are extra keys (`annotations`, `id`, `description`). We translate it into draft-7
//! definitions. To make the check bite, every object that lists its `properties` is made
//! to reject additional properties: Google's schemas enumerate every field, so a misspelt
//! or invented field name in fake-google's output fails here, as does a wrong type or a
//! malformed RFC 3339 timestamp. `format: int64` on a string (e.g. Channel.expiration)
//! becomes a digits-only pattern.

mod common;

use common::{api_get, api_post, full_sync, http, seeded_fake, urlencode, watch, Receiver};
use fake_google::{FakeGoogle, Faults, WORK_CALENDAR};
use serde_json::{json, Map, Value};

/// The discovery schema ids as draft-7 `definitions`.
fn definitions() -> Map<String, Value> {
    let text = include_str!("fixtures/calendar.v3.json");
    let doc: Value = serde_json::from_str(text).expect("the fixture is JSON");
    doc["schemas"]
        .as_object()
        .expect("discovery has schemas")
        .iter()
        .map(|(name, schema)| (name.clone(), translate(schema)))
        .collect()
}

/// One discovery schema node → a strict JSON Schema node.
fn translate(node: &Value) -> Value {
    let Some(object) = node.as_object() else {
        return node.clone();
    };
    let mut out = Map::new();
    for (key, value) in object {
        match key.as_str() {
            "$ref" => {
                let name = value.as_str().expect("$ref is a schema name");
                out.insert("$ref".into(), json!(format!("#/definitions/{name}")));
            }
            // Discovery's `"type": "any"` means no constraint.
            "type" if value == "any" => {}
            "type" | "enum" => {
                out.insert(key.clone(), value.clone());
            }
            "format" => match value.as_str() {
                Some("date-time") | Some("date") => {
                    out.insert("format".into(), value.clone());
                }
                Some("int64") | Some("uint64") if object.get("type") == Some(&json!("string")) => {
                    out.insert("pattern".into(), json!("^-?[0-9]+$"));
                }
                // int32, double, byte…: the type check is what matters.
                _ => {}
            },
            "properties" => {
                let properties: Map<String, Value> = value
                    .as_object()
                    .expect("properties is an object")
                    .iter()
                    .map(|(name, schema)| (name.clone(), translate(schema)))
                    .collect();
                out.insert("properties".into(), Value::Object(properties));
            }
            "items" | "additionalProperties" => {
                out.insert(key.clone(), translate(value));
            }
            // Documentation and discovery-only keys: `id`, `description`, `default`
            // (Google writes boolean defaults as strings), `annotations`.
            _ => {}
        }
    }
    if out.contains_key("properties") && !out.contains_key("additionalProperties") {
        out.insert("additionalProperties".into(), json!(false));
    }
    Value::Object(out)
}

/// A validator for `schema`, with the discovery definitions available to `$ref`.
fn validator(schema: Value) -> jsonschema::Validator {
    let mut root = schema;
    root["definitions"] = Value::Object(definitions());
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&root)
        .expect("translated discovery schemas compile")
}

/// A discovery schema by name, optionally with fields that must be present.
fn schema(name: &str, required: &[&str]) -> jsonschema::Validator {
    validator(json!({
        "allOf": [{"$ref": format!("#/definitions/{name}")}],
        "required": required,
    }))
}

/// Google's error envelope. The discovery document describes only the `errors[]` items
/// (schema `Error`: domain, reason); Google also puts `message` there, so the item schema
/// is Error's properties plus `message`, still closed to anything else.
fn error_envelope() -> jsonschema::Validator {
    let defs = definitions();
    let error_props = defs["Error"]["properties"].clone();
    let mut item_props = error_props
        .as_object()
        .cloned()
        .expect("Error has properties");
    item_props.insert("message".into(), json!({"type": "string"}));
    validator(json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["error"],
        "properties": {"error": {
            "type": "object",
            "additionalProperties": false,
            "required": ["code", "message", "errors"],
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string"},
                "status": {"type": "string"},
                "errors": {"type": "array", "minItems": 1, "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["domain", "reason", "message"],
                    "properties": item_props,
                }},
            },
        }},
    }))
}

/// Asserts `instance` validates, listing every violation if not.
fn assert_conforms(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let problems: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        problems.is_empty(),
        "{what} must follow calendar.v3.json, but: {problems:#?}\n{instance:#}"
    );
}

async fn token(fake: &FakeGoogle) -> String {
    fake.control().issue_access_token()
}

#[tokio::test]
async fn the_strict_schemas_reject_a_misspelt_field_and_a_wrong_type() {
    let channel = schema("Channel", &["id"]);
    let good = json!({"kind": "api#channel", "id": "c1", "resourceId": "r", "expiration": "1426325213000"});
    assert!(channel.is_valid(&good), "a well-formed Channel passes");
    let misspelt = json!({"kind": "api#channel", "id": "c1", "resourceID": "r"});
    assert!(
        !channel.is_valid(&misspelt),
        "resourceID is not a Channel field, so it must fail"
    );
    let number = json!({"kind": "api#channel", "id": "c1", "expiration": 1426325213000i64});
    assert!(
        !channel.is_valid(&number),
        "expiration is an int64 carried as a string"
    );
    let event = schema("Event", &[]);
    assert!(
        !event.is_valid(&json!({"start": {"dateTime": "tomorrow"}})),
        "EventDateTime.dateTime must be RFC 3339"
    );
}

#[tokio::test]
async fn calendar_list_pages_follow_the_calendar_list_schema() {
    let fake = seeded_fake().await;
    let token = token(&fake).await;
    let validator = schema("CalendarList", &["kind", "items"]);
    let (status, first) = api_get(&fake, &token, "/users/me/calendarList?maxResults=2").await;
    assert_eq!(status, 200);
    assert_conforms(&validator, &first, "calendarList page 1");
    let next = first["nextPageToken"]
        .as_str()
        .expect("three calendars need two pages of 2");
    let (_, last) = api_get(
        &fake,
        &token,
        &format!(
            "/users/me/calendarList?maxResults=2&pageToken={}",
            urlencode(next)
        ),
    )
    .await;
    assert_conforms(&validator, &last, "calendarList last page");
    let entry = schema(
        "CalendarListEntry",
        &["id", "summary", "accessRole", "timeZone"],
    );
    for item in first["items"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(last["items"].as_array().into_iter().flatten())
    {
        assert_conforms(&entry, item, "calendarList entry");
    }
}

#[tokio::test]
async fn events_pages_full_and_incremental_follow_the_events_schema() {
    let fake = seeded_fake().await;
    let token = token(&fake).await;
    let validator = schema("Events", &["kind", "items", "timeZone"]);
    // Page by page with a small page size so both nextPageToken and nextSyncToken pages are checked.
    for calendar in [fake.control().user_email(), WORK_CALENDAR.to_string()] {
        let (status, page) = api_get(
            &fake,
            &token,
            &format!("/calendars/{}/events?maxResults=1", urlencode(&calendar)),
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            page.get("nextPageToken").is_some(),
            "seeded calendars have more than one event"
        );
        assert_conforms(&validator, &page, "events page with nextPageToken");
        let (items, _, sync) = full_sync(&fake, &token, &calendar, 2500).await;
        let event = schema(
            "Event",
            &[
                "id", "status", "start", "end", "htmlLink", "updated", "etag",
            ],
        );
        for item in &items {
            assert_conforms(&event, item, "seeded event");
        }
        // A change of every kind, then the incremental page (with a cancelled event).
        let control = fake.control();
        let created = control.insert_event(&calendar, json!({"summary": "New", "start": {"date": "2030-01-01"}, "end": {"date": "2030-01-02"}}));
        let first_id = items[0]["id"].as_str().expect("seeded event id");
        control.update_event(&calendar, first_id, json!({"summary": "Renamed"}));
        control.delete_event(&calendar, created["id"].as_str().expect("id"));
        let (_, delta) = api_get(
            &fake,
            &token,
            &format!(
                "/calendars/{}/events?syncToken={}",
                urlencode(&calendar),
                urlencode(&sync)
            ),
        )
        .await;
        assert_conforms(&validator, &delta, "incremental events page");
        assert!(
            delta["items"]
                .as_array()
                .expect("items")
                .iter()
                .any(|e| e["status"] == "cancelled"),
            "the incremental page shows the deletion"
        );
    }
}

#[tokio::test]
async fn the_watch_response_follows_the_channel_schema() {
    let fake = seeded_fake().await;
    let token = token(&fake).await;
    let receiver = Receiver::start().await;
    let (status, channel) = watch(&fake, &token, "primary", "conformance-1", receiver.url()).await;
    assert_eq!(status, 200, "{channel}");
    let validator = schema(
        "Channel",
        &[
            "kind",
            "id",
            "resourceId",
            "resourceUri",
            "expiration",
            "token",
        ],
    );
    assert_conforms(&validator, &channel, "events.watch response");
}

#[tokio::test]
async fn calendar_list_sync_and_watch_follow_the_discovery_document() {
    let doc: Value = serde_json::from_str(include_str!("fixtures/calendar.v3.json")).expect("JSON");
    let methods = &doc["resources"]["calendarList"]["methods"];
    assert_eq!(methods["watch"]["path"], "users/me/calendarList/watch");
    assert_eq!(methods["watch"]["httpMethod"], "POST");
    for parameter in [
        "syncToken",
        "showDeleted",
        "showHidden",
        "maxResults",
        "pageToken",
        "minAccessRole",
    ] {
        assert!(
            methods["list"]["parameters"].get(parameter).is_some(),
            "fake-google reads {parameter}, which calendarList.list must know"
        );
    }

    let fake = fake_google::FakeGoogle::start(fake_google::Options::default())
        .await
        .expect("starts");
    let control = fake.control();
    control.add_calendar("a@group.calendar.google.com", "A", "UTC");
    control.add_calendar("b@group.calendar.google.com", "B", "UTC");
    let token = token(&fake).await;
    let receiver = Receiver::start().await;
    let body =
        json!({"id": "list-conf", "type": "web_hook", "address": receiver.url(), "token": "t"});
    let (status, channel) = api_post(&fake, &token, "/users/me/calendarList/watch", &body).await;
    assert_eq!(status, 200, "{channel}");
    assert_conforms(
        &schema(
            "Channel",
            &[
                "kind",
                "id",
                "resourceId",
                "resourceUri",
                "expiration",
                "token",
            ],
        ),
        &channel,
        "calendarList.watch response",
    );

    let (_, full) = api_get(&fake, &token, "/users/me/calendarList").await;
    let sync = full["nextSyncToken"]
        .as_str()
        .expect("sync token")
        .to_string();
    control.remove_from_calendar_list(&control.user_email(), "a@group.calendar.google.com");
    control.update_calendar_list_entry(
        &control.user_email(),
        "b@group.calendar.google.com",
        fake_google::ListEntryChange {
            summary_override: Some(Some("Bee".into())),
            hidden: Some(true),
            ..Default::default()
        },
    );
    let (status, changes) = api_get(
        &fake,
        &token,
        &format!("/users/me/calendarList?syncToken={}", urlencode(&sync)),
    )
    .await;
    assert_eq!(status, 200, "{changes}");
    assert_eq!(
        changes["items"].as_array().map(Vec::len),
        Some(2),
        "{changes}"
    );
    assert_conforms(
        &schema("CalendarList", &["kind", "items", "nextSyncToken"]),
        &changes,
        "incremental calendarList page with a removed and a hidden entry",
    );
    for item in changes["items"].as_array().into_iter().flatten() {
        assert_conforms(
            &schema("CalendarListEntry", &["kind", "etag", "id"]),
            item,
            "changed entry",
        );
    }
}

#[tokio::test]
async fn error_bodies_follow_googles_error_envelope() {
    let fake = FakeGoogle::start(fake_google::Options {
        allow_http: false,
        seed: true,
        ..Default::default()
    })
    .await
    .expect("starts");
    let control = fake.control();
    let token = control.issue_access_token();
    let envelope = error_envelope();
    let mut bodies: Vec<(u16, &str, Value)> = Vec::new();

    let response = http()
        .get(format!("{}/users/me/calendarList", fake.api_base()))
        .send()
        .await
        .expect("reaches");
    bodies.push((
        response.status().as_u16(),
        "missing token",
        response.json().await.expect("json"),
    ));
    let (s, b) = api_get(&fake, "not-a-token", "/users/me/calendarList").await;
    bodies.push((s, "unknown token", b));
    let (s, b) = api_get(&fake, &token, "/calendars/nobody%40example.com/events").await;
    bodies.push((s, "unknown calendar", b));
    let (_, _, sync) = full_sync(&fake, &token, "primary", 250).await;
    control.expire_sync_tokens("primary");
    let (s, b) = api_get(
        &fake,
        &token,
        &format!("/calendars/primary/events?syncToken={}", urlencode(&sync)),
    )
    .await;
    bodies.push((s, "stale sync token", b));
    let (s, b) = api_get(
        &fake,
        &token,
        &format!(
            "/calendars/primary/events?syncToken={}&q=x",
            urlencode(&sync)
        ),
    )
    .await;
    bodies.push((s, "param not allowed with syncToken", b));
    let (s, b) = watch(
        &fake,
        &token,
        "primary",
        "plain-http",
        "http://127.0.0.1:9/notifications",
    )
    .await;
    bodies.push((s, "http callback", b));
    let (s, b) = api_post(
        &fake,
        &token,
        "/channels/stop",
        &json!({"id": "never", "resourceId": "x"}),
    )
    .await;
    bodies.push((s, "stop unknown channel", b));
    for (status, what) in [(403u16, "rate limit 403"), (429, "rate limit 429")] {
        control.set_faults(Faults {
            rate_limit_next: 1,
            rate_limit_status: status,
            ..Faults::default()
        });
        let (s, b) = api_get(&fake, &token, "/users/me/calendarList").await;
        bodies.push((s, what, b));
    }
    control.set_faults(Faults {
        server_error_next: 1,
        ..Faults::default()
    });
    let (s, b) = api_get(&fake, &token, "/users/me/calendarList").await;
    bodies.push((s, "backend error", b));
    control.set_faults(Faults {
        reject_callback_unauthorized: true,
        ..Faults::default()
    });
    let (s, b) = watch(
        &fake,
        &token,
        "primary",
        "unauthorized",
        "https://example.com/n",
    )
    .await;
    bodies.push((s, "unauthorized callback", b));

    let expected = [401, 401, 404, 410, 400, 400, 404, 403, 429, 503, 401];
    for ((status, what, body), want) in bodies.iter().zip(expected) {
        assert_eq!(*status, want, "{what}: unexpected status, body {body}");
        assert_eq!(
            body["error"]["code"], want,
            "{what}: error.code repeats the HTTP status"
        );
        assert_conforms(&envelope, body, what);
    }
}

//! Tokens are wrapped so they cannot reach a log or a file by accident.

use calwatch_core::secrets::{SecretsError, Sensitive, TokenSet};

/// Compiles only while `T` does NOT implement `serde::Serialize`: with an impl, the
/// `_` below could be either marker and inference fails (the `static_assertions`
/// `assert_not_impl_any!` technique).
macro_rules! assert_not_serialize {
    ($t:ty) => {
        const _: fn() = || {
            trait AmbiguousIfSerialize<Marker> {
                fn check() {}
            }
            impl<T: ?Sized> AmbiguousIfSerialize<()> for T {}
            #[allow(dead_code)]
            struct IsSerialize;
            impl<T: ?Sized + serde::Serialize> AmbiguousIfSerialize<IsSerialize> for T {}
            <$t as AmbiguousIfSerialize<_>>::check();
        };
    };
}

// Pinned: adding `#[derive(Serialize)]` to either type breaks the build right here.
assert_not_serialize!(TokenSet);
assert_not_serialize!(Sensitive<String>);

fn sample() -> TokenSet {
    TokenSet {
        access_token: Sensitive::new("ya29.access-SECRET".into()),
        refresh_token: Some(Sensitive::new("1//refresh-SECRET".into())),
        expires_at_ms: 1_795_870_800_000,
        scopes: vec!["https://www.googleapis.com/auth/calendar.events.readonly".into()],
    }
}

#[test]
fn debug_of_a_token_set_shows_no_token() {
    let text = format!("{:?}", sample());
    assert!(!text.contains("SECRET"), "Debug must redact tokens: {text}");
    assert!(text.contains("<redacted>"), "{text}");
    assert!(
        text.contains("1795870800000"),
        "non-secret fields stay readable: {text}"
    );
}

#[test]
fn the_keyring_json_round_trips_and_is_still_wrapped() {
    let json = sample().to_keyring_json();
    assert_eq!(
        format!("{json:?}"),
        "<redacted>",
        "the JSON itself is a secret"
    );
    let value: serde_json::Value = serde_json::from_str(json.expose()).unwrap();
    assert_eq!(value["version"], 1, "the format is versioned");
    assert_eq!(value["access_token"], "ya29.access-SECRET");
    assert_eq!(
        TokenSet::from_keyring_json(json.expose()).unwrap(),
        sample()
    );
}

#[test]
fn a_garbled_entry_is_reported_without_quoting_it() {
    // A wrong type makes serde_json quote the value; the error must not.
    let garbled =
        r#"{"version":1,"access_token":"ya29.x","refresh_token":42,"expires_at_ms":"tok-SECRET"}"#;
    let err = TokenSet::from_keyring_json(garbled).unwrap_err();
    assert!(matches!(err, SecretsError::Unreadable { .. }), "{err:?}");
    assert!(!err.to_string().contains("SECRET"), "{err}");

    let future = r#"{"version":2,"access_token":"a","expires_at_ms":0}"#;
    let err = TokenSet::from_keyring_json(future).unwrap_err();
    assert!(err.to_string().contains("format version 2"), "{err}");
    assert_eq!(err.code(), "keyring_entry_unreadable");
}

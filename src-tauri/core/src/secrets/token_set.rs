//! The OAuth tokens of one account and their keyring encoding.

use serde::{Deserialize, Serialize};

use super::{SecretsError, Sensitive};

/// The keyring value's format version; bumped if the JSON shape ever changes.
const FORMAT_VERSION: u32 = 1;

/// An account's OAuth tokens.
///
/// Deliberately not `Serialize`: the only way to write it out is
/// [`TokenSet::to_keyring_json`], which exists for the keyring and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSet {
    /// The bearer token for Calendar API calls; short-lived (about an hour).
    pub access_token: Sensitive<String>,
    /// Mints new access tokens; `None` if Google did not grant offline access.
    pub refresh_token: Option<Sensitive<String>>,
    /// When the access token stops working, in milliseconds since the epoch.
    pub expires_at_ms: i64,
    /// The scopes Google granted (space-separated in OAuth, split here).
    pub scopes: Vec<String>,
}

/// The JSON shape in the keyring; private so nothing else can serialize tokens with it.
#[derive(Serialize, Deserialize)]
struct KeyringJson {
    version: u32,
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    expires_at_ms: i64,
    #[serde(default)]
    scopes: Vec<String>,
}

impl TokenSet {
    /// The keyring value: the token set as JSON, still wrapped so it cannot be logged.
    pub fn to_keyring_json(&self) -> Sensitive<String> {
        let json = KeyringJson {
            version: FORMAT_VERSION,
            access_token: self.access_token.expose().clone(),
            refresh_token: self.refresh_token.as_ref().map(|t| t.expose().clone()),
            expires_at_ms: self.expires_at_ms,
            scopes: self.scopes.clone(),
        };
        // Serializing plain strings and numbers into a String cannot fail.
        Sensitive::new(serde_json::to_string(&json).expect("token JSON is always encodable"))
    }

    /// Reads a keyring value written by [`TokenSet::to_keyring_json`].
    pub fn from_keyring_json(text: &str) -> Result<TokenSet, SecretsError> {
        // serde_json's messages can quote the offending value, which may be a token:
        // report only where the problem is.
        let json: KeyringJson =
            serde_json::from_str(text).map_err(|e| SecretsError::Unreadable {
                reason: format!(
                    "not the expected JSON (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            })?;
        if json.version != FORMAT_VERSION {
            return Err(SecretsError::Unreadable {
                reason: format!(
                    "format version {} (this CalWatch reads version {FORMAT_VERSION})",
                    json.version
                ),
            });
        }
        Ok(TokenSet {
            access_token: Sensitive::new(json.access_token),
            refresh_token: json.refresh_token.map(Sensitive::new),
            expires_at_ms: json.expires_at_ms,
            scopes: json.scopes,
        })
    }
}

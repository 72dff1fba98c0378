//! Token sets in the OS keyring (Secret Service on Linux, Keychain, Credential Manager).

use std::time::Duration;

use super::{SecretsError, TokenSet, TokenStore};

/// Keeps each account's token set as one keyring entry: service `calwatch`, user = the
/// account (its address), secret = [`TokenSet::to_keyring_json`].
///
/// Every call runs on the blocking pool with a timeout, because the platform APIs block
/// and a locked keyring may wait on an unlock prompt indefinitely.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    /// The keyring "service" attribute shared by all CalWatch entries.
    service: String,
    /// How long one keyring call may take before it is reported as unavailable; long
    /// enough for a person to answer an unlock prompt.
    timeout: Duration,
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyringStore {
    /// The service name every entry is filed under.
    pub const SERVICE: &'static str = "calwatch";
    /// The default per-call timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

    /// The app's store: service `calwatch`, 30 s per call.
    pub fn new() -> Self {
        Self::with_service(Self::SERVICE, Self::DEFAULT_TIMEOUT)
    }

    /// A store under another service name or timeout (the sandbox, tests).
    pub fn with_service(service: &str, timeout: Duration) -> Self {
        Self {
            service: service.to_string(),
            timeout,
        }
    }

    /// The keyring service name entries are filed under.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Runs one blocking keyring operation on `account`'s entry, bounded by the timeout.
    async fn call<T, F>(
        &self,
        account: &str,
        action: &'static str,
        op: F,
    ) -> Result<T, SecretsError>
    where
        T: Send + 'static,
        F: FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
    {
        let service = self.service.clone();
        let account = account.to_string();
        let task = tokio::task::spawn_blocking(move || {
            let entry = keyring::Entry::new(&service, &account)?;
            op(&entry)
        });
        // On timeout the blocking thread is left to finish on its own (it cannot be
        // interrupted); the caller is told now rather than hanging with it.
        match tokio::time::timeout(self.timeout, task).await {
            Err(_) => Err(SecretsError::TimedOut {
                millis: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            }),
            Ok(Err(join)) => Err(SecretsError::Crashed {
                action,
                reason: join.to_string(),
            }),
            Ok(Ok(result)) => result.map_err(|e| map_error(e, action)),
        }
    }
}

/// Turns a keyring error into ours without ever carrying secret bytes along.
fn map_error(err: keyring::Error, action: &'static str) -> SecretsError {
    match err {
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => {
            SecretsError::Unavailable {
                reason: e.to_string(),
            }
        }
        // The payload is the secret itself: never show it.
        keyring::Error::BadEncoding(_) => SecretsError::Unreadable {
            reason: "the entry is not UTF-8 text".to_string(),
        },
        keyring::Error::Ambiguous(found) => SecretsError::Ambiguous {
            action,
            count: found.len(),
        },
        other => SecretsError::Refused {
            action,
            reason: other.to_string(),
        },
    }
}

#[async_trait::async_trait]
impl TokenStore for KeyringStore {
    async fn load(&self, account: &str) -> Result<Option<TokenSet>, SecretsError> {
        let secret = self
            .call(account, "read", |entry| match entry.get_password() {
                Ok(text) => Ok(Some(super::Sensitive::new(text))),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(e),
            })
            .await?;
        secret
            .map(|text| TokenSet::from_keyring_json(text.expose()))
            .transpose()
    }

    async fn save(&self, account: &str, tokens: &TokenSet) -> Result<(), SecretsError> {
        let json = tokens.to_keyring_json();
        self.call(account, "save", move |entry| {
            entry.set_password(json.expose())
        })
        .await
    }

    async fn delete(&self, account: &str) -> Result<(), SecretsError> {
        self.call(account, "delete", |entry| match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        })
        .await
    }
}

//! An in-memory token store: a test double, never used by the app.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{SecretsError, TokenSet, TokenStore};
use crate::poison::lock;

/// Keeps token sets in memory; forgets them when dropped.
///
/// Only for other modules' tests (the engine, sync, the shell's mock runtime), where a
/// real keyring is beside the point. The app itself always uses [`super::KeyringStore`]:
/// tokens must never silently live somewhere the user's keyring does not protect.
#[derive(Default)]
pub struct MemoryTokenStore {
    /// account → token set.
    entries: Mutex<HashMap<String, TokenSet>>,
    /// While set, every call fails as a locked keyring does, with this reason.
    unavailable: Mutex<Option<String>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The accounts that currently have tokens (sorted), so tests can see what was kept.
    pub fn accounts(&self) -> Vec<String> {
        let mut accounts: Vec<String> = self.lock().keys().cloned().collect();
        accounts.sort();
        accounts
    }

    /// Plays a locked (or not yet started) keyring: every call fails with
    /// [`SecretsError::Unavailable`] and `reason` until called again with `None`.
    pub fn set_unavailable(&self, reason: Option<&str>) {
        *lock(&self.unavailable) = reason.map(str::to_string);
    }

    /// Fails as a locked keyring does, while [`MemoryTokenStore::set_unavailable`] says so.
    fn available(&self) -> Result<(), SecretsError> {
        match &*lock(&self.unavailable) {
            Some(reason) => Err(SecretsError::Unavailable {
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TokenSet>> {
        // A panic while holding the lock cannot leave a HashMap half-updated in a way that
        // matters to a test double: keep going.
        lock(&self.entries)
    }
}

#[async_trait::async_trait]
impl TokenStore for MemoryTokenStore {
    async fn load(&self, account: &str) -> Result<Option<TokenSet>, SecretsError> {
        self.available()?;
        Ok(self.lock().get(account).cloned())
    }

    async fn save(&self, account: &str, tokens: &TokenSet) -> Result<(), SecretsError> {
        self.available()?;
        self.lock().insert(account.to_string(), tokens.clone());
        Ok(())
    }

    async fn delete(&self, account: &str) -> Result<(), SecretsError> {
        self.available()?;
        self.lock().remove(account);
        Ok(())
    }
}

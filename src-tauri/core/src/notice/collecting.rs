//! A notifier for tests (feature `test-util`): keeps what it was given.

use std::sync::{Arc, Mutex};

use super::{Notice, Notifier};
use crate::poison::lock;

/// A notifier that keeps what it was given: for tests (feature `test-util`).
#[derive(Clone, Default)]
pub struct CollectingNotifier {
    /// Every notice received, in order.
    seen: Arc<Mutex<Vec<Notice>>>,
}

impl CollectingNotifier {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything notified so far.
    pub fn notices(&self) -> Vec<Notice> {
        lock(&self.seen).clone()
    }
}

#[async_trait::async_trait]
impl Notifier for CollectingNotifier {
    async fn notify(&self, notices: &[Notice]) {
        lock(&self.seen).extend_from_slice(notices);
    }
}

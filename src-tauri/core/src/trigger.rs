//! What started a sync: it decides how the sync's findings are told ("while you were
//! away" for a catch-up) and is recorded with them.

/// What started a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    /// Google pushed a notification on the calendar's channel.
    Push,
    /// The catch-up at start, after the machine woke, after signing in or after a gap
    /// nothing watched: what it finds is told as "while you were away".
    CatchUp,
    /// Nothing was heard for the backstop interval: a sync anyway, in case Google
    /// dropped a notification.
    Backstop,
    /// The retry of a sync that failed (a failed catch-up is retried as a catch-up).
    Retry,
    /// A caller asked and waits for the result (the baseline when watching starts).
    Asked,
    /// Changes a previous run recorded but never showed, shown at start.
    Redelivery,
}

impl Trigger {
    /// Whether what this sync finds is told as one "while you were away" summary.
    pub fn told_as_away(self) -> bool {
        self == Trigger::CatchUp
    }

    /// The trigger of one sync that serves both requests: a catch-up's promise to tell
    /// "while you were away" is kept; otherwise the first request names it.
    pub fn and(self, other: Trigger) -> Trigger {
        if other.told_as_away() {
            other
        } else {
            self
        }
    }
}

//! The message numbers a channel saw recently: what makes a delivery a duplicate.
//!
//! Google numbers a channel's messages in increasing order, but retries and late
//! deliveries arrive out of order, and whoever holds the channel token (the tunnel
//! provider sees it) can send any number. "Not larger than the highest seen" would let one
//! forged `18446744073709551615` turn every later genuine message into a duplicate; a
//! window of recently seen numbers cannot be poisoned that way. A number that fell out of
//! the window is taken as new again, which costs at most one coalesced sync.

use std::collections::VecDeque;

/// How many numbers a channel remembers: far more than Google retries in flight at once.
pub const RECENT_WINDOW: usize = 64;

/// The last [`RECENT_WINDOW`] message numbers admitted on one channel, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecentNumbers {
    /// Oldest first; a linear scan of 64 numbers costs less than hashing.
    seen: VecDeque<u64>,
}

impl RecentNumbers {
    /// Remembers `seed` (the last number stored before a restart), unless it is 0 (none).
    pub fn seeded(seed: u64) -> Self {
        let mut recent = Self::default();
        if seed != 0 {
            recent.seen.push_back(seed);
        }
        recent
    }

    /// Records `n`; false when it was seen recently (a duplicate).
    pub fn admit(&mut self, n: u64) -> bool {
        if self.seen.contains(&n) {
            return false;
        }
        if self.seen.len() == RECENT_WINDOW {
            self.seen.pop_front();
        }
        self.seen.push_back(n);
        true
    }

    /// The number admitted last (0 when none): what the store keeps across restarts.
    pub fn latest(&self) -> u64 {
        self.seen.back().copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_number_does_not_make_later_ones_duplicates() {
        let mut recent = RecentNumbers::seeded(3);
        assert!(recent.admit(u64::MAX));
        assert!(recent.admit(4), "a genuine next number is new");
        assert!(!recent.admit(4), "and its retry a duplicate");
        assert!(!recent.admit(u64::MAX));
    }

    #[test]
    fn numbers_out_of_the_window_are_new_again() {
        let mut recent = RecentNumbers::default();
        for n in 1..=RECENT_WINDOW as u64 {
            assert!(recent.admit(n));
        }
        assert!(!recent.admit(1), "still in the window");
        assert!(recent.admit(RECENT_WINDOW as u64 + 1));
        assert!(recent.admit(1), "pushed out by the newer one");
    }
}

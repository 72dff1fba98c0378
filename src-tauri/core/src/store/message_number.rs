//! How a channel's message number (a `u64` from Google) is kept in SQLite, whose INTEGER
//! is an `i64`.
//!
//! The column holds the number's bit pattern: numbers above `i64::MAX` read back negative
//! in SQL, so SQL never compares or orders them; Rust converts both ways losslessly.
//! (An earlier cast saturated at `i64::MAX`, so a row may still hold that; it reads back
//! as that same number and does no harm: duplicates are judged by recent numbers, not by
//! the largest.)

/// The column value for `n`.
pub(crate) fn to_column(n: u64) -> i64 {
    i64::from_ne_bytes(n.to_ne_bytes())
}

/// The number a column value holds.
pub(crate) fn from_column(v: i64) -> u64 {
    u64::from_ne_bytes(v.to_ne_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_u64_survives_the_round_trip() {
        for n in [0, 1, i64::MAX as u64, i64::MAX as u64 + 1, u64::MAX] {
            assert_eq!(from_column(to_column(n)), n);
        }
    }
}

//! Locks that outlive a panic: the one place the core says what a poisoned lock means.
//!
//! Every lock in the core guards plain data that is whole between statements (no
//! invariant is half-updated across a call that can panic), and SQLite rolls back a
//! transaction dropped mid-way; so a lock poisoned by a panicking thread is still safe to
//! use, and the app keeps running instead of panicking everywhere after the first panic.

use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Locks `m`, also after a panic poisoned it.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Reads `l`, also after a panic poisoned it.
pub fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

/// Writes `l`, also after a panic poisoned it.
pub fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

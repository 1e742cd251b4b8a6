//! 64-bit fingerprints of states, for exhaustive search ([`super::explore`]
//! and the stateright model of `crate/tests/model`).
//!
//! A replica is hashed through [`Replica::hash_state`], a client through
//! [`Client::hash_state`] and a message through its `Hash` (a state carried in
//! a message by its whole content, a replica's own by its digest); parts that
//! implement only `Debug` (a faulty replica's behaviour state) are hashed
//! through their `Debug` text, streamed into the hasher without building it.
//! Two different states are taken for one only if their 64-bit hashes
//! collide: a chance of about k²/2⁶⁵ among k states, under 10⁻⁷ for a million.

use std::collections::hash_map::DefaultHasher;
use std::fmt::{self, Write as _};
use std::hash::Hasher;

use crate::protocol::{Client, Replica};

/// Feeds `Debug` text to a hasher without building the string.
struct HashWriter(DefaultHasher);

impl fmt::Write for HashWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// A 64-bit hash of `x`'s `Debug` text (SipHash with fixed keys: the same in
/// every run and on every platform, so searches and traces are reproducible).
pub fn debug_hash<T: fmt::Debug + ?Sized>(x: &T) -> u64 {
    let mut w = HashWriter(DefaultHasher::new());
    // Writing to a hasher cannot fail; a `Debug` impl that does would only hash less.
    let _ = write!(w, "{x:?}");
    w.0.finish()
}

/// A replica's fingerprint: its state ([`Replica::hash_state`]: all but its
/// keys, its configuration and the order its votes arrived in) through
/// SipHash with fixed keys.
pub fn replica_hash(r: &Replica) -> u64 {
    let mut h = DefaultHasher::new();
    r.hash_state(&mut h);
    h.finish()
}

/// A client's fingerprint: its state ([`Client::hash_state`]: all but its
/// configuration) through SipHash with fixed keys.
pub fn client_hash(c: &Client) -> u64 {
    let mut h = DefaultHasher::new();
    c.hash_state(&mut h);
    h.finish()
}

/// A 64-bit hash of `x` through its `Hash` (SipHash with fixed keys, as
/// [`debug_hash`]).
pub fn hash_of<T: std::hash::Hash + ?Sized>(x: &T) -> u64 {
    let mut h = DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}

/// Mixes a hash (the finalizer of SplitMix64), so that sums of mixed hashes
/// fingerprint multisets.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

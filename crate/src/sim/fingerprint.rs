//! 64-bit fingerprints of states, for exhaustive search ([`super::explore`]
//! and the stateright model of `crate/tests/model`).
//!
//! [`Replica`] and [`Client`](crate::protocol::Client) implement neither
//! `Hash` nor `Eq`: a state is identified by a hash of the `Debug` text of its
//! parts (derived `Debug` prints every field, in order), streamed into the
//! hasher without building the text. Two different states are taken for one
//! only if their 64-bit hashes collide: a chance of about k²/2⁶⁵ among k
//! states, under 10⁻⁷ for a million.

use std::collections::hash_map::DefaultHasher;
use std::fmt::{self, Write as _};
use std::hash::Hasher;

use crate::protocol::Replica;

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

/// A replica's fingerprint: [`debug_hash`] of its `Debug` text less the
/// `sigs: [..]` lists of its vote tallies. Those lists hold the signatures of
/// the voters named in the `who: {..}` set just before them, in arrival order:
/// the replica stores a vote only from its signer with a valid signature, and
/// a signature here is a function of the vote and its signer, so the list
/// says nothing the set does not but the order, which nothing reads (the
/// certificates built from it are sorted by replica). Leaving it out merges
/// states that differ only in the order votes arrived. Should the field be
/// renamed, nothing is left out: states are told apart more finely, never less.
pub fn replica_hash(r: &Replica) -> u64 {
    let mut w = SkipSigs { h: DefaultHasher::new(), buf: [0; 256], len: 0, matched: 0, skipping: false };
    let _ = write!(w, "{r:?}");
    for k in 0..w.matched {
        w.emit(SkipSigs::PATTERN[k]);
    }
    w.flush();
    w.h.finish()
}

/// Mixes a hash (the finalizer of SplitMix64), so that sums of mixed hashes
/// fingerprint multisets.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A `Debug` text to hasher writer that leaves out each `sigs: [..]` list
/// that follows a `}` (the end of the `who` set), without building the text.
struct SkipSigs {
    h: DefaultHasher,
    buf: [u8; 256],
    len: usize,
    /// Bytes of [`SkipSigs::PATTERN`] seen and held back.
    matched: usize,
    /// Inside a list left out.
    skipping: bool,
}

impl SkipSigs {
    const PATTERN: &'static [u8] = b"}, sigs: [";

    fn emit(&mut self, b: u8) {
        if self.len == self.buf.len() {
            self.flush();
        }
        self.buf[self.len] = b;
        self.len += 1;
    }

    fn flush(&mut self) {
        self.h.write(&self.buf[..self.len]);
        self.len = 0;
    }
}

impl fmt::Write for SkipSigs {
    fn write_str(&mut self, mut s: &str) -> fmt::Result {
        if !self.skipping && self.matched == 0 {
            // The common case: text up to the next `}` goes straight through.
            let cut = s.find('}').unwrap_or(s.len());
            self.flush();
            self.h.write(&s.as_bytes()[..cut]);
            s = &s[cut..];
        }
        for &b in s.as_bytes() {
            if self.skipping {
                self.skipping = b != b']';
                continue;
            }
            if b == Self::PATTERN[self.matched] {
                self.matched += 1;
                if self.matched == Self::PATTERN.len() {
                    self.emit(b'}');
                    self.matched = 0;
                    self.skipping = true;
                }
                continue;
            }
            // A mismatch: what was held back is text (the pattern's first
            // byte occurs in it only there, so no later start hides in it).
            for k in 0..self.matched {
                self.emit(Self::PATTERN[k]);
            }
            self.matched = 0;
            if b == Self::PATTERN[0] {
                self.matched = 1;
            } else {
                self.emit(b);
            }
        }
        Ok(())
    }
}

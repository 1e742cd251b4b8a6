//! Identifiers and the modelled message digest.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Index of a replica, `0..n`.
pub type ReplicaId = usize;
/// Identifier of a client.
pub type ClientId = u32;
/// A view number; the primary of view `v` is `v mod n`.
pub type View = u64;
/// A sequence number assigned by the primary.
pub type Seq = u64;

/// A participant on the network: a replica or a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "kebab-case")]
pub enum NodeId {
    /// Replica `i`.
    Replica(ReplicaId),
    /// Client `c`.
    Client(ClientId),
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeId::Replica(i) => write!(f, "R{i}"),
            NodeId::Client(c) => write!(f, "C{c}"),
        }
    }
}

/// A message digest. The paper uses a collision-resistant hash (MD5); the
/// playground models it with 64-bit FNV-1a, which is deterministic on every
/// platform. Forgery is modelled by the simulator, not by hash strength.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Digest(pub u64);

impl Digest {
    /// The digest of the null request used to fill gaps in a new view.
    pub const NULL: Digest = Digest(0);

    /// FNV-1a over `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        let mut h = Fnv::new();
        h.write(bytes);
        Digest(h.finish())
    }

    /// Chains this digest with another value (used for the state digest).
    pub fn chain(self, other: u64) -> Digest {
        let mut h = Fnv::new();
        h.write(&self.0.to_le_bytes());
        h.write(&other.to_le_bytes());
        Digest(h.finish())
    }

    /// The 16 bits the short form shows (None for the null request's digest).
    pub fn short_bits(&self) -> Option<u16> {
        (*self != Digest::NULL).then_some((self.0 >> 48) as u16)
    }

    /// Short hex form for labels, e.g. `a3f2`.
    pub fn short(&self) -> String {
        if *self == Digest::NULL {
            "null".to_string()
        } else {
            format!("{:04x}", (self.0 >> 48) as u16)
        }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

/// Incremental 64-bit FNV-1a.
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    pub(crate) fn finish(&self) -> u64 {
        // Final avalanche so short inputs differ in their high bits too.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        if x == 0 {
            1
        } else {
            x
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_stable_and_never_null() {
        assert_eq!(Digest::of(b"warTime=1234"), Digest::of(b"warTime=1234"));
        assert_ne!(Digest::of(b"warTime=1234"), Digest::of(b"warTime=1235"));
        assert_ne!(Digest::of(b""), Digest::NULL);
    }

    /// The reference vectors of SipHash-2-4 (key 00 01 .. 0f; messages 00 01 .. of length 0, 1, 8, 15).
    #[test]
    fn sip_matches_the_reference_vectors() {
        let key = |i: u64| (0..8).fold(0u64, |a, j| a | ((8 * i + j) << (8 * j)));
        let sip = |len: u8| {
            let mut h = Sip::with_key(key(0), key(1));
            h.write(&(0..len).collect::<Vec<u8>>());
            h.finish()
        };
        assert_eq!(sip(0), 0x726f_db47_dd0e_0e31);
        assert_eq!(sip(1), 0x74f8_39c5_93dc_67fd);
        assert_eq!(sip(8), 0x93f5_f579_9a93_2462);
        assert_eq!(sip(15), 0xa129_ca61_49be_45e5);
    }
}

/// SipHash-2-4 with a fixed key: a 256-bit internal state, so finding a
/// second input with a given 64-bit output costs about 2^64 tries, where a
/// sum of per-entry hashes, or a hash whose state is 64 bits (FNV), is broken
/// in seconds by a generalized birthday or meet-in-the-middle search. The
/// digest of a state that checkpoints certify and state transfer checks
/// ([`crate::protocol::AppState::digest`]). Bytes are fed in 8-byte words.
pub(crate) struct Sip {
    v: [u64; 4],
    tail: u64,
    ntail: usize,
    len: u64,
}

impl Sip {
    pub(crate) fn new() -> Sip {
        Sip::with_key(0x7062_6674_2d73_7461, 0x7465_2d64_6967_6573) // "pbft-sta", "te-diges"
    }

    fn with_key(k0: u64, k1: u64) -> Sip {
        Sip { v: [k0 ^ 0x736f_6d65_7073_6575, k1 ^ 0x646f_7261_6e64_6f6d, k0 ^ 0x6c79_6765_6e65_7261, k1 ^ 0x7465_6462_7974_6573], tail: 0, ntail: 0, len: 0 }
    }

    #[inline]
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }

    #[inline]
    fn word(&mut self, m: u64) {
        self.v[3] ^= m;
        Self::round(&mut self.v);
        Self::round(&mut self.v);
        self.v[0] ^= m;
    }

    /// Bytes as a plain stream (SipHash as specified; for its reference vectors).
    #[cfg(test)]
    fn write(&mut self, mut bytes: &[u8]) {
        self.len = self.len.wrapping_add(bytes.len() as u64);
        // Whole words at once while no partial word waits.
        while self.ntail == 0 && bytes.len() >= 8 {
            let (w, rest) = bytes.split_at(8);
            self.word(u64::from_le_bytes(w.try_into().expect("8 bytes")));
            bytes = rest;
        }
        for &b in bytes {
            self.tail |= u64::from(b) << (8 * self.ntail);
            self.ntail += 1;
            if self.ntail == 8 {
                let m = self.tail;
                self.word(m);
                self.tail = 0;
                self.ntail = 0;
            }
        }
    }

    /// Writes a number: one word.
    pub(crate) fn u64(&mut self, x: u64) {
        debug_assert_eq!(self.ntail, 0, "words after whole words only");
        self.len = self.len.wrapping_add(8);
        self.word(x);
    }

    /// Writes bytes after their length, in whole words (the last one padded
    /// with zeros): the length makes the padding unambiguous, and no two
    /// sequences of fields run together alike.
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        let mut words = b.chunks_exact(8);
        for w in &mut words {
            self.u64(u64::from_le_bytes(w.try_into().expect("8 bytes")));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.u64(u64::from_le_bytes(w));
        }
    }

    pub(crate) fn finish(mut self) -> u64 {
        let m = self.tail | (self.len << 56);
        self.word(m);
        self.v[2] ^= 0xff;
        for _ in 0..4 {
            Self::round(&mut self.v);
        }
        self.v[0] ^ self.v[1] ^ self.v[2] ^ self.v[3]
    }
}


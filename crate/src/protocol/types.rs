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
}

//! Signatures. Messages that enter certificates (PRE-PREPARE, PREPARE,
//! COMMIT, CHECKPOINT, VIEW-CHANGE, NEW-VIEW) are signed by their sender, and
//! certificates embed the signed messages themselves, so a receiver checks
//! evidence, not a list of names (Castro–Liskov §2 and §4.4; the TOCS paper's
//! MAC-only variant needs more machinery than a playground should show).
//!
//! The protocol sees signatures through [`Keys`]: sign as oneself, verify as
//! anyone. The simulator uses [`ModelKeys`]: a signature is a keyed hash under
//! the signer's secret, which only that replica's [`Keys`] can compute, so a
//! faulty replica can sign anything in its own name and embed genuine messages
//! it received, but never forge another's. pbft-node uses ed25519.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

use super::types::{Fnv, ReplicaId};

/// A signature: opaque bytes (8 in the simulator's model, 64 for ed25519),
/// shared, so a message copied to every replica does not copy them.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Sig(pub Arc<[u8]>);

impl fmt::Debug for Sig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sig({})", self.hex().chars().take(8).collect::<String>())
    }
}

impl Sig {
    /// Lowercase hex.
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// From lowercase or uppercase hex.
    pub fn from_hex(s: &str) -> Option<Sig> {
        if !s.len().is_multiple_of(2) {
            return None;
        }
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect::<Option<Vec<u8>>>().map(Sig::from)
    }

    /// No signature (a message not signed yet, or whose signature was stripped).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for Sig {
    fn from(v: Vec<u8>) -> Sig {
        Sig(v.into())
    }
}

impl Serialize for Sig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.hex())
    }
}

impl<'de> Deserialize<'de> for Sig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Sig::from_hex(&s).ok_or_else(|| serde::de::Error::custom("a signature is hex"))
    }
}

/// A replica's view of the cluster's keys: its own private key, everyone's public one.
pub trait Signer: fmt::Debug + Send + Sync {
    /// Whose private key this holds.
    fn id(&self) -> ReplicaId;
    /// Signs `bytes` as [`Signer::id`].
    fn sign(&self, bytes: &[u8]) -> Sig;
    /// Whether `sig` is `signer`'s signature over `bytes`.
    fn verify(&self, signer: ReplicaId, bytes: &[u8], sig: &Sig) -> bool;
}

/// Shared keys of one replica (cheap to clone with the replica).
pub type Keys = Arc<dyn Signer>;

/// The simulator's signatures: replica `i` signs with a keyed FNV hash under
/// its own secret. Unforgeable by construction: the only way to get `i`'s
/// signature is `i`'s `Keys`, and the simulator hands those to `i` alone.
#[derive(Clone, Debug)]
pub struct ModelKeys {
    me: ReplicaId,
    cluster: u64,
}

impl ModelKeys {
    /// The keys of replica `me` in a cluster whose secrets derive from `cluster`.
    pub fn new(me: ReplicaId, cluster: u64) -> ModelKeys {
        ModelKeys { me, cluster }
    }

    /// The keys of replica `me` with the simulator's cluster secret.
    pub fn of(me: ReplicaId) -> Keys {
        Arc::new(ModelKeys::new(me, Self::CLUSTER))
    }

    /// The simulator's cluster secret.
    pub const CLUSTER: u64 = 0x70bf_7c0a_57ed_5eed;

    /// `m` signed as replica `replica` with the simulator's keys: for
    /// hand-made messages in tests and examples (a faulty replica in the
    /// simulator gets its own keys only, see `sim::byzantine::Cx`).
    pub fn signed_as<M: Signed>(replica: ReplicaId, m: M) -> M {
        m.signed(&ModelKeys::new(replica, Self::CLUSTER))
    }

    fn mac(&self, signer: ReplicaId, bytes: &[u8]) -> Sig {
        let mut h = Fnv::new();
        h.write(&self.cluster.to_le_bytes());
        h.write(&(signer as u64).to_le_bytes());
        h.write(bytes);
        Sig::from(h.finish().to_le_bytes().to_vec())
    }
}

impl Signer for ModelKeys {
    fn id(&self) -> ReplicaId {
        self.me
    }
    fn sign(&self, bytes: &[u8]) -> Sig {
        self.mac(self.me, bytes)
    }
    fn verify(&self, signer: ReplicaId, bytes: &[u8], sig: &Sig) -> bool {
        self.mac(signer, bytes) == *sig
    }
}

/// A message that carries its sender's signature over [`Signed::signing_bytes`].
pub trait Signed {
    /// What the signature covers: every field but the signature.
    fn signing_bytes(&self) -> SigningBytes;
    /// The signature carried.
    fn sig(&self) -> &Sig;
    /// The signature, to replace it.
    fn sig_mut(&mut self) -> &mut Sig;

    /// Signs the message as `keys`' owner.
    fn sign(&mut self, keys: &dyn Signer) {
        let sig = keys.sign(self.signing_bytes().finish());
        *self.sig_mut() = sig;
    }

    /// The message signed as `keys`' owner.
    fn signed(mut self, keys: &dyn Signer) -> Self
    where
        Self: Sized,
    {
        self.sign(keys);
        self
    }

    /// Whether it carries `signer`'s valid signature.
    fn signed_by(&self, keys: &dyn Signer, signer: ReplicaId) -> bool {
        keys.verify(signer, self.signing_bytes().finish(), self.sig())
    }
}

/// Bytes a signature covers, written field by field with a tag per kind.
#[derive(Default)]
pub struct SigningBytes(Vec<u8>);

impl SigningBytes {
    /// Starts the bytes of a message of kind `tag`.
    pub fn new(tag: &str) -> SigningBytes {
        let mut b = SigningBytes(Vec::with_capacity(64));
        b.bytes(tag.as_bytes());
        b
    }
    /// Appends a number.
    pub fn u64(&mut self, x: u64) -> &mut Self {
        self.0.extend_from_slice(&x.to_le_bytes());
        self
    }
    /// Appends bytes with their length.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
        self
    }
    /// Appends another message's signed bytes and its signature: a
    /// certificate's signature covers the messages it embeds.
    pub fn embed<M: Signed>(&mut self, m: &M) -> &mut Self {
        self.bytes(m.signing_bytes().finish());
        self.bytes(&m.sig().0);
        self
    }
    /// The bytes.
    pub fn finish(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_signature_verifies_as_its_signer_only() {
        let a = ModelKeys::of(1);
        let b = ModelKeys::of(2);
        let sig = a.sign(b"prepare v0 n1");
        assert!(b.verify(1, b"prepare v0 n1", &sig), "anyone verifies");
        assert!(!b.verify(2, b"prepare v0 n1", &sig), "not as someone else");
        assert!(!b.verify(1, b"prepare v0 n2", &sig), "not for other bytes");
        assert_ne!(b.sign(b"prepare v0 n1"), sig, "2 cannot make 1's signature");
        assert_eq!(Sig::from_hex(&sig.hex()), Some(sig));
        assert_eq!(Sig::from_hex("abc"), None);
    }
}

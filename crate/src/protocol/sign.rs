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

use super::types::{ClientId, ReplicaId};

/// A signature: opaque bytes (8 in the simulator's model, 64 for ed25519).
/// Short ones live inline and long ones are shared, so copying a message
/// to every replica copies no signature bytes.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Sig(Repr);

#[derive(Clone, Default, PartialEq, Eq, Hash)]
enum Repr {
    #[default]
    Empty,
    Inline(u8, [u8; Sig::INLINE]),
    Shared(Arc<[u8]>),
}

impl fmt::Debug for Sig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sig({})", self.hex().chars().take(8).collect::<String>())
    }
}

impl Sig {
    const INLINE: usize = 16;

    /// The signature's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Empty => &[],
            Repr::Inline(len, b) => &b[..*len as usize],
            Repr::Shared(b) => b,
        }
    }

    /// Lowercase hex.
    pub fn hex(&self) -> String {
        self.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
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
        self.as_bytes().is_empty()
    }
}

impl From<&[u8]> for Sig {
    fn from(v: &[u8]) -> Sig {
        if v.is_empty() {
            Sig(Repr::Empty)
        } else if v.len() <= Sig::INLINE {
            let mut b = [0; Sig::INLINE];
            b[..v.len()].copy_from_slice(v);
            Sig(Repr::Inline(v.len() as u8, b))
        } else {
            Sig(Repr::Shared(v.into()))
        }
    }
}

impl From<Vec<u8>> for Sig {
    fn from(v: Vec<u8>) -> Sig {
        Sig::from(&v[..])
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
    /// Whether `sig` is client `client`'s signature over `bytes` (a
    /// REQUEST's). By default client `c` signs with replica `c`'s key: in
    /// pbft-node the client of node `c` is client `c`. The tag that starts a
    /// request's signed bytes keeps them apart from any replica message.
    fn verify_client(&self, client: ClientId, bytes: &[u8], sig: &Sig) -> bool {
        self.verify(client as ReplicaId, bytes, sig)
    }
}

/// A client's private key: clients sign their requests (Castro–Liskov §4.1),
/// so no replica can make a request in an honest client's name.
pub trait ClientSigner: fmt::Debug + Send + Sync {
    /// Whose key this is.
    fn client(&self) -> ClientId;
    /// Signs `bytes` as [`ClientSigner::client`].
    fn sign(&self, bytes: &[u8]) -> Sig;
}

/// A client's shared key (cheap to clone with the client).
pub type ClientKey = Arc<dyn ClientSigner>;

/// The client that runs beside a replica and signs with its key (pbft-node:
/// node `i` is client `i`, checked by [`Signer::verify_client`]'s default).
#[derive(Clone, Debug)]
pub struct ReplicaClient(pub Keys);

impl ClientSigner for ReplicaClient {
    fn client(&self) -> ClientId {
        self.0.id() as ClientId
    }
    fn sign(&self, bytes: &[u8]) -> Sig {
        self.0.sign(bytes)
    }
}

/// A client's key in the simulator's model: a keyed hash under the client's
/// own secret, apart from every replica's ([`ModelKeys::client`]).
#[derive(Clone, Debug)]
pub struct ModelClientKey {
    client: ClientId,
    cluster: u64,
}

impl ClientSigner for ModelClientKey {
    fn client(&self) -> ClientId {
        self.client
    }
    fn sign(&self, bytes: &[u8]) -> Sig {
        model_mac(self.cluster, client_principal(self.client), bytes)
    }
}

/// Where clients' secrets sit in the model's key space: above every replica's.
fn client_principal(client: ClientId) -> u64 {
    (1u64 << 40) + client as u64
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

    /// The key of client `client` with the simulator's cluster secret: the
    /// simulator hands it to that client alone (and those of accomplice
    /// clients to faulty replicas, see `sim::byzantine::ACCOMPLICE_CLIENT`).
    pub fn client(client: ClientId) -> ClientKey {
        Arc::new(ModelClientKey { client, cluster: Self::CLUSTER })
    }

    fn mac(&self, signer: ReplicaId, bytes: &[u8]) -> Sig {
        model_mac(self.cluster, signer as u64, bytes)
    }
}

/// A keyed hash of `bytes` under `principal`'s secret: eight bytes at a
/// time through a multiply-rotate mix, then splitmix64's finalizer. Not
/// cryptography: unforgeable here because only `principal`'s keys compute
/// it for `principal`.
fn model_mac(cluster: u64, principal: u64, bytes: &[u8]) -> Sig {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = cluster ^ principal.wrapping_add(1).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h ^ u64::from_le_bytes(tail) ^ ((bytes.len() as u64) << 56)).wrapping_mul(K);
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    Sig::from(&h.to_le_bytes()[..])
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
    fn verify_client(&self, client: ClientId, bytes: &[u8], sig: &Sig) -> bool {
        model_mac(self.cluster, client_principal(client), bytes) == *sig
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
/// The first 64 bytes (all of a vote's) need no allocation.
pub struct SigningBytes {
    inline: [u8; SigningBytes::INLINE],
    len: usize,
    spill: Vec<u8>,
}

impl SigningBytes {
    const INLINE: usize = 64;

    /// Starts the bytes of a message of kind `tag`.
    pub fn new(tag: &str) -> SigningBytes {
        let mut b = SigningBytes { inline: [0; Self::INLINE], len: 0, spill: Vec::new() };
        b.bytes(tag.as_bytes());
        b
    }

    #[inline]
    fn put(&mut self, b: &[u8]) {
        if self.spill.is_empty() && self.len + b.len() <= Self::INLINE {
            self.inline[self.len..self.len + b.len()].copy_from_slice(b);
            self.len += b.len();
        } else {
            if self.spill.is_empty() {
                self.spill.extend_from_slice(&self.inline[..self.len]);
            }
            self.spill.extend_from_slice(b);
        }
    }

    /// Appends a number.
    #[inline]
    pub fn u64(&mut self, x: u64) -> &mut Self {
        self.put(&x.to_le_bytes());
        self
    }

    /// Appends numbers, in one go.
    #[inline]
    pub fn words<const N: usize>(&mut self, xs: [u64; N]) -> &mut Self {
        let mut b = [[0u8; 8]; N];
        for (i, x) in xs.iter().enumerate() {
            b[i] = x.to_le_bytes();
        }
        self.put(b.as_flattened());
        self
    }

    /// Appends bytes with their length.
    #[inline]
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u64(b.len() as u64);
        self.put(b);
        self
    }

    /// Appends another message's signed bytes and its signature: a
    /// certificate's signature covers the messages it embeds.
    pub fn embed<M: Signed>(&mut self, m: &M) -> &mut Self {
        self.bytes(m.signing_bytes().finish());
        self.bytes(m.sig().as_bytes());
        self
    }

    /// The bytes.
    pub fn finish(&self) -> &[u8] {
        if self.spill.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
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

//! Replica signatures with ed25519 (Castro–Liskov §2: "all replicas know
//! the others' public keys to verify signatures").
//!
//! Messages that enter certificates (PRE-PREPARE, PREPARE, COMMIT,
//! CHECKPOINT, VIEW-CHANGE, NEW-VIEW) are signed by their sender and the
//! certificates embed them, so evidence can be checked by anyone who holds
//! the cluster's public keys. [`Ed25519Keys`] is what a node hands its
//! [`Replica`](crate::protocol::Replica): its own signing key and every
//! replica's verifying key. The channel keeps its per-pair HMAC ([`Key`](super::Key)).
//!
//! A key is given as hex: a public key is 32 bytes (64 hex digits), a secret
//! key is the 32-byte ed25519 seed (64 hex digits). Where they come from is
//! the cluster file's business ([`ClusterConfig`](super::ClusterConfig)).

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::path::Path;

use crate::protocol::{ReplicaId, Sig, Signer};

/// One node's signature keys: its own signing key and every replica's
/// verifying key, by replica id.
#[derive(Clone)]
pub struct Ed25519Keys {
    me: ReplicaId,
    signing: SigningKey,
    public: Vec<VerifyingKey>,
}

impl Ed25519Keys {
    /// The keys of replica `me`, which signs with `signing`, in a cluster
    /// whose replicas verify as `public` (by replica id). Refused unless
    /// `public[me]` is `signing`'s own public key.
    pub fn new(me: ReplicaId, signing: SigningKey, public: Vec<VerifyingKey>) -> Result<Ed25519Keys, String> {
        match public.get(me) {
            None => Err(format!("replica {me} has no public key among the {}", public.len())),
            Some(p) if *p != signing.verifying_key() => {
                Err(format!("the secret key of replica {me} does not match its public key {}", public_hex(p)))
            }
            Some(_) => Ok(Ed25519Keys { me, signing, public }),
        }
    }

    /// The public key of `replica`, if it is in the cluster.
    pub fn public_key(&self, replica: ReplicaId) -> Option<&VerifyingKey> {
        self.public.get(replica)
    }
}

impl Signer for Ed25519Keys {
    fn id(&self) -> ReplicaId {
        self.me
    }

    fn sign(&self, bytes: &[u8]) -> Sig {
        Sig::from(&ed25519_dalek::Signer::sign(&self.signing, bytes).to_bytes()[..])
    }

    /// Strict verification (RFC 8032 with the small-order and
    /// non-canonical checks of `verify_strict`): a faulty replica cannot
    /// make one signature that verifies for two messages or two signers.
    fn verify(&self, signer: ReplicaId, bytes: &[u8], sig: &Sig) -> bool {
        let Some(key) = self.public.get(signer) else { return false };
        let Ok(sig) = Signature::from_slice(sig.as_bytes()) else { return false };
        key.verify_strict(bytes, &sig).is_ok()
    }
}

impl fmt::Debug for Ed25519Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret key.
        f.debug_struct("Ed25519Keys")
            .field("me", &self.me)
            .field("public", &self.public.iter().map(|p| short(&public_hex(p))).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn short(hex: &str) -> String {
    format!("{}…", &hex[..hex.len().min(8)])
}

/// A public key as lowercase hex (64 digits).
pub fn public_hex(key: &VerifyingKey) -> String {
    super::auth::to_hex(key.as_bytes())
}

/// A secret key (its 32-byte seed) as lowercase hex (64 digits).
pub fn secret_hex(key: &SigningKey) -> String {
    super::auth::to_hex(key.as_bytes())
}

/// 32 bytes from 64 hex digits; `what` names the field in the error.
fn hex32(hex: &str, what: &str) -> Result<[u8; 32], String> {
    let hex = hex.trim();
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("{what} is not hex (0-9, a-f): {:?}", short(hex)));
    }
    if hex.len() != 64 {
        return Err(format!("{what} must be 64 hex digits (32 bytes), not {}", hex.len()));
    }
    let bytes = super::auth::from_hex(hex).ok_or_else(|| format!("{what} is not hex"))?;
    bytes.try_into().map_err(|_| format!("{what} must be 32 bytes"))
}

/// Parses an ed25519 public key from 64 hex digits. Refuses points that are
/// not on the curve and weak (small-order) keys, which would let their holder
/// make signatures that verify for more than one message.
pub fn parse_public_key(hex: &str) -> Result<VerifyingKey, String> {
    let bytes = hex32(hex, "public_key")?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| "public_key is not an ed25519 public key (not a curve point)".to_string())?;
    if key.is_weak() {
        return Err("public_key is a weak (small-order) ed25519 key".into());
    }
    Ok(key)
}

/// Parses an ed25519 secret key (a 32-byte seed) from 64 hex digits.
pub fn parse_secret_key(hex: &str) -> Result<SigningKey, String> {
    hex32(hex, "secret_key").map(|seed| SigningKey::from_bytes(&seed))
}

/// **Demo only.** The signing key of node `name` derived from the cluster
/// `secret`: seed = HMAC-SHA256(secret, "pbft-sign-key" ‖ name lowercased),
/// each part length-prefixed as in [`derive_pair_key`](super::derive_pair_key).
/// Whoever knows the secret can sign as every node, so such keys add nothing
/// to the pair MACs; they exist so that the built-in four generals (and any
/// cluster file without public keys) run with no key files.
pub fn derive_signing_key(secret: &str, name: &str) -> SigningKey {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    for part in ["pbft-sign-key", &name.to_ascii_lowercase()] {
        m.update(&(part.len() as u32).to_be_bytes());
        m.update(part.as_bytes());
    }
    SigningKey::from_bytes(&m.finalize().into_bytes().into())
}

/// 32 fresh random bytes from the operating system.
pub fn random_bytes() -> Result<[u8; 32], String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("the operating system gave no random bytes: {e}"))?;
    Ok(seed)
}

/// A fresh signing key from the operating system's randomness.
pub fn fresh_signing_key() -> Result<SigningKey, String> {
    random_bytes().map(|seed| SigningKey::from_bytes(&seed))
}

/// The text of a key file for node `name`: a comment and the secret key in hex.
pub fn key_file_text(name: &str, key: &SigningKey) -> String {
    format!(
        "# ed25519 secret key of pbft-node {name} (public key {}). Keep it private.\n{}\n",
        public_hex(&key.verifying_key()),
        secret_hex(key)
    )
}

/// Reads a key file: the secret key as 64 hex digits on one line; blank
/// lines and lines starting with `#` are ignored.
pub fn read_key_file(path: &Path) -> Result<SigningKey, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read key file {}: {e}", path.display()))?;
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
    let (Some(line), None) = (lines.next(), lines.next()) else {
        return Err(format!("key file {}: expected one line with the secret key in hex", path.display()));
    };
    parse_secret_key(line).map_err(|e| format!("key file {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(n: usize) -> (Vec<SigningKey>, Vec<VerifyingKey>) {
        let secrets: Vec<SigningKey> = (0..n).map(|i| derive_signing_key("test", &format!("node{i}"))).collect();
        let public = secrets.iter().map(SigningKey::verifying_key).collect();
        (secrets, public)
    }

    #[test]
    fn a_signature_verifies_as_its_signer_only() {
        let (secrets, public) = cluster(4);
        let a = Ed25519Keys::new(1, secrets[1].clone(), public.clone()).unwrap();
        let b = Ed25519Keys::new(2, secrets[2].clone(), public.clone()).unwrap();
        assert_eq!(a.id(), 1);
        let sig = a.sign(b"prepare v0 n1");
        assert_eq!(sig.as_bytes().len(), 64);
        assert!(b.verify(1, b"prepare v0 n1", &sig), "anyone verifies");
        assert!(a.verify(1, b"prepare v0 n1", &sig), "the signer too");
        assert!(!b.verify(2, b"prepare v0 n1", &sig), "not as someone else");
        assert!(!b.verify(0, b"prepare v0 n1", &sig), "not as someone else");
        assert!(!b.verify(9, b"prepare v0 n1", &sig), "not as a replica outside the cluster");
        assert!(!b.verify(1, b"prepare v0 n2", &sig), "not for other bytes");
        assert!(!b.verify(1, b"", &sig), "not for no bytes");
        let other = b.sign(b"prepare v0 n1");
        assert_ne!(other, sig, "2's signature is not 1's");
        assert!(!a.verify(1, b"prepare v0 n1", &other), "2 cannot sign as 1");
        // Deterministic (RFC 8032): the same bytes, the same signature.
        assert_eq!(a.sign(b"prepare v0 n1"), sig);
    }

    #[test]
    fn damaged_signatures_do_not_verify() {
        let (secrets, public) = cluster(4);
        let a = Ed25519Keys::new(0, secrets[0].clone(), public).unwrap();
        let sig = a.sign(b"commit v3 n7");
        for i in [0, 31, 32, 63] {
            let mut bytes = sig.as_bytes().to_vec();
            bytes[i] ^= 1;
            let bad = Sig::from(bytes);
            assert!(!a.verify(0, b"commit v3 n7", &bad), "bit flipped at byte {i}");
        }
        assert!(!a.verify(0, b"commit v3 n7", &Sig::from(&sig.as_bytes()[..63])), "short");
        assert!(!a.verify(0, b"commit v3 n7", &Sig::from([sig.as_bytes(), &[0]].concat())), "long");
        assert!(!a.verify(0, b"commit v3 n7", &Sig::default()), "empty");
        assert!(!a.verify(0, b"commit v3 n7", &Sig::from(vec![0; 64])), "zeros");
    }

    #[test]
    fn keys_must_match_and_never_print_the_secret() {
        let (secrets, public) = cluster(4);
        assert!(Ed25519Keys::new(1, secrets[2].clone(), public.clone()).unwrap_err().contains("does not match"));
        assert!(Ed25519Keys::new(4, secrets[0].clone(), public.clone()).unwrap_err().contains("no public key"));
        let k = Ed25519Keys::new(3, secrets[3].clone(), public).unwrap();
        let debug = format!("{k:?}");
        assert!(!debug.contains(&secret_hex(&secrets[3])[..8]), "{debug}");
        assert_eq!(k.public_key(3), Some(&secrets[3].verifying_key()));
    }

    #[test]
    fn hex_keys_parse_and_bad_ones_are_refused_with_reasons() {
        let s = derive_signing_key("x", "Apple");
        assert_eq!(parse_secret_key(&secret_hex(&s)).unwrap(), s);
        assert_eq!(parse_secret_key(&secret_hex(&s).to_uppercase()).unwrap(), s);
        let p = s.verifying_key();
        assert_eq!(parse_public_key(&format!(" {} ", public_hex(&p))).unwrap(), p);
        assert!(parse_public_key("zz").unwrap_err().contains("not hex"));
        assert!(parse_public_key("abcd").unwrap_err().contains("64 hex digits"));
        assert!(parse_public_key(&"0".repeat(128)).unwrap_err().contains("64 hex digits"));
        assert!(parse_secret_key(&"g".repeat(64)).unwrap_err().contains("not hex"));
        assert!(parse_secret_key(&"0".repeat(62)).unwrap_err().contains("64 hex digits"));
        // The identity point (small order) and a y with no point on the curve.
        let identity = format!("01{}", "0".repeat(62));
        assert!(parse_public_key(&identity).unwrap_err().contains("weak"));
        let off_curve = format!("02{}", "0".repeat(62));
        assert!(parse_public_key(&off_curve).unwrap_err().contains("not an ed25519 public key"));
    }

    #[test]
    fn demo_keys_derive_from_secret_and_name() {
        assert_eq!(derive_signing_key("s", "Apple"), derive_signing_key("s", "apple"));
        assert_ne!(derive_signing_key("s", "Apple"), derive_signing_key("s", "MS"));
        assert_ne!(derive_signing_key("s", "Apple"), derive_signing_key("t", "Apple"));
        assert_ne!(fresh_signing_key().unwrap(), fresh_signing_key().unwrap());
    }

    #[test]
    fn key_files_round_trip() {
        let dir = std::env::temp_dir().join(format!("pbft-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = fresh_signing_key().unwrap();
        let path = dir.join("Apple.key");
        std::fs::write(&path, key_file_text("Apple", &key)).unwrap();
        assert_eq!(read_key_file(&path).unwrap(), key);
        std::fs::write(&path, "# nothing\n\n").unwrap();
        assert!(read_key_file(&path).unwrap_err().contains("one line"));
        std::fs::write(&path, "abc\n").unwrap();
        assert!(read_key_file(&path).unwrap_err().contains("64 hex digits"));
        assert!(read_key_file(&dir.join("none.key")).unwrap_err().contains("cannot read"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

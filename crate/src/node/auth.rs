//! Message authentication codes (Castro–Liskov §3, "authenticators").
//!
//! In the paper a multicast carries an authenticator: one MAC per receiver,
//! each under the key that sender and receiver share. Over HTTP every request
//! has exactly one receiver, so it carries that receiver's entry: an
//! HMAC-SHA256 of the exact body bytes under the pair's key, in the
//! `X-Pbft-Mac` header (hex), with the sender's name in `X-Pbft-From`.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// Header naming the sending node.
pub const FROM_HEADER: &str = "x-pbft-from";
/// Header carrying the hex HMAC-SHA256 of the body.
pub const MAC_HEADER: &str = "x-pbft-mac";

/// A key shared by two nodes.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(Vec<u8>);

impl Key {
    /// A key from raw bytes.
    pub fn from_bytes(bytes: &[u8]) -> Key {
        Key(bytes.to_vec())
    }

    fn hmac(&self) -> HmacSha256 {
        // HMAC takes keys of any length; this cannot fail.
        <HmacSha256 as Mac>::new_from_slice(&self.0).expect("HMAC accepts any key length")
    }

    /// The MAC of `body`, as lowercase hex.
    pub fn mac_hex(&self, body: &[u8]) -> String {
        let mut m = self.hmac();
        m.update(body);
        to_hex(&m.finalize().into_bytes())
    }

    /// Whether `mac_hex` is the MAC of `body` (compared in constant time).
    pub fn verify_hex(&self, body: &[u8], mac_hex: &str) -> bool {
        let Some(tag) = from_hex(mac_hex.trim()) else { return false };
        let mut m = self.hmac();
        m.update(body);
        m.verify_slice(&tag).is_ok()
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(..)")
    }
}

/// The key of the pair {a, b}, derived from the cluster secret:
/// HMAC-SHA256(secret, "pbft-pair-key" ‖ min(a, b) ‖ max(a, b)), names lowercased.
pub fn derive_pair_key(secret: &str, a: &str, b: &str) -> Key {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut m = Key::from_bytes(secret.as_bytes()).hmac();
    for part in ["pbft-pair-key", &lo, &hi] {
        m.update(&(part.len() as u32).to_be_bytes());
        m.update(part.as_bytes());
    }
    Key(m.finalize().into_bytes().to_vec())
}

pub(super) fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

pub(super) fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.len() > 128 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    s.as_bytes().chunks(2).map(|p| Some(digit(p[0])? << 4 | digit(p[1])?)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_verify_and_forgeries_do_not() {
        let k = derive_pair_key("s", "Apple", "MS");
        assert_eq!(k, derive_pair_key("s", "ms", "APPLE"));
        let mac = k.mac_hex(b"body");
        assert_eq!(mac.len(), 64);
        assert!(k.verify_hex(b"body", &mac));
        assert!(!k.verify_hex(b"bodY", &mac));
        assert!(!derive_pair_key("s", "Apple", "IBM").verify_hex(b"body", &mac));
        assert!(!derive_pair_key("t", "Apple", "MS").verify_hex(b"body", &mac));
        assert!(!k.verify_hex(b"body", "zz"));
        assert!(!k.verify_hex(b"body", ""));
        assert!(!k.verify_hex(b"body", &mac[..62]));
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(from_hex(&to_hex(&[0, 1, 0xab, 0xff])), Some(vec![0, 1, 0xab, 0xff]));
        assert_eq!(from_hex("0g"), None);
    }
}

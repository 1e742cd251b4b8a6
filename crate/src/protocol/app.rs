//! The replicated service: a small key-value store.
//!
//! `key=value` sets a key and returns `key=value`; a bare `key` reads it and
//! returns its value (or `key unset`). The state also holds the last reply
//! sent to each client, as in the paper, so exactly-once semantics survive
//! state transfer.

use serde::{Deserialize, Serialize};

use super::types::{ClientId, Digest, Seq};

/// The last reply cached for a client (Castro–Liskov §4.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedReply {
    /// The client.
    pub client: ClientId,
    /// Timestamp of its last executed request.
    pub timestamp: u64,
    /// The result sent.
    pub result: String,
}

/// The service state of one replica.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppState {
    /// Sequence number of the last request reflected here.
    pub seq: Seq,
    /// The store, sorted by key.
    pub store: Vec<(String, String)>,
    /// Last reply per client, sorted by client.
    pub replies: Vec<CachedReply>,
    /// Running digest over every executed (seq, request digest).
    pub chain: Digest,
    /// Sum of the hashes of the store's entries and of the cached replies,
    /// kept up to date on each change so the digest costs O(1). Not sent:
    /// a receiver recomputes it from the content ([`AppState::rehash`]).
    #[serde(skip)]
    content_hash: u64,
}

fn entry_hash(k: &str, v: &str) -> u64 {
    let mut h = super::types::Fnv::new();
    h.write(&(k.len() as u64).to_le_bytes());
    h.write(k.as_bytes());
    h.write(v.as_bytes());
    h.finish()
}

fn reply_hash(r: &CachedReply) -> u64 {
    let mut h = super::types::Fnv::new();
    h.write(&r.client.to_le_bytes());
    h.write(&r.timestamp.to_le_bytes());
    h.write(r.result.as_bytes());
    // Distinct from store entries: domain separation.
    h.finish().rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15
}

impl AppState {
    /// The state digest used in CHECKPOINT messages. It covers the sequence
    /// number, the execution chain, every store entry and every cached reply
    /// (an incremental multiset hash of the content), so a certified digest
    /// pins down a transferred state.
    pub fn digest(&self) -> Digest {
        let mut h = super::types::Fnv::new();
        h.write(&self.seq.to_le_bytes());
        h.write(&self.chain.0.to_le_bytes());
        h.write(&self.content_hash.to_le_bytes());
        h.write(&(self.store.len() as u64).to_le_bytes());
        h.write(&(self.replies.len() as u64).to_le_bytes());
        Digest(h.finish())
    }

    /// Recomputes the content hash from the store and replies (after receiving
    /// a state from another replica: never trust a sender's bookkeeping).
    pub fn rehash(&mut self) {
        let store = self.store.iter().fold(0u64, |a, (k, v)| a.wrapping_add(entry_hash(k, v)));
        let replies = self.replies.iter().fold(0u64, |a, r| a.wrapping_add(reply_hash(r)));
        self.content_hash = store.wrapping_add(replies);
    }

    /// The cached reply for `client`, if any.
    pub fn last_reply(&self, client: ClientId) -> Option<&CachedReply> {
        self.replies
            .binary_search_by_key(&client, |r| r.client)
            .ok()
            .map(|i| &self.replies[i])
    }

    /// Records that `seq` was executed with request digest `d` (or a null request).
    pub(crate) fn advance(&mut self, seq: Seq, d: Digest) {
        self.seq = seq;
        self.chain = self.chain.chain(d.0 ^ seq.rotate_left(32));
    }

    /// Applies `op` for `client` at `timestamp`, caches and returns the result.
    pub(crate) fn apply(&mut self, client: ClientId, timestamp: u64, op: &str) -> String {
        let mut hash = self.content_hash;
        let key = op.split_once('=').map(|(k, _)| k.trim());
        let old = key.and_then(|k| self.store.binary_search_by(|(x, _)| x.as_str().cmp(k)).ok());
        if let Some(i) = old {
            hash = hash.wrapping_sub(entry_hash(&self.store[i].0, &self.store[i].1));
        }
        let result = execute_op(&mut self.store, op);
        if let Some(k) = key {
            let i = self.store.binary_search_by(|(x, _)| x.as_str().cmp(k)).expect("just written");
            hash = hash.wrapping_add(entry_hash(&self.store[i].0, &self.store[i].1));
        }
        let cached = CachedReply { client, timestamp, result: result.clone() };
        hash = hash.wrapping_add(reply_hash(&cached));
        match self.replies.binary_search_by_key(&client, |r| r.client) {
            Ok(i) => {
                hash = hash.wrapping_sub(reply_hash(&self.replies[i]));
                self.replies[i] = cached;
            }
            Err(i) => self.replies.insert(i, cached),
        }
        self.content_hash = hash;
        result
    }
}

/// Executes one operation on a sorted key-value vector and returns its result.
pub fn execute_op(store: &mut Vec<(String, String)>, op: &str) -> String {
    let op = op.trim();
    match op.split_once('=') {
        Some((k, v)) => {
            let (k, v) = (k.trim().to_string(), v.trim().to_string());
            let result = format!("{k}={v}");
            match store.binary_search_by(|(key, _)| key.as_str().cmp(&k)) {
                Ok(i) => store[i].1 = v,
                Err(i) => store.insert(i, (k, v)),
            }
            result
        }
        None => match store.binary_search_by(|(key, _)| key.as_str().cmp(op)) {
            Ok(i) => format!("{op}={}", store[i].1),
            Err(_) => format!("{op} unset"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_sets_and_reads() {
        let mut s = AppState::default();
        assert_eq!(s.apply(1, 1, "warTime=1234"), "warTime=1234");
        assert_eq!(s.apply(1, 2, "warTime"), "warTime=1234");
        assert_eq!(s.apply(2, 1, "peace"), "peace unset");
        assert_eq!(s.last_reply(1).unwrap().timestamp, 2);
        let d0 = s.digest();
        s.advance(1, Digest(7));
        assert_ne!(s.digest(), d0);
        // The incremental hash equals one recomputed from the content.
        let mut copy = s.clone();
        copy.rehash();
        assert_eq!(copy.digest(), s.digest());
        // And the content matters: a tampered store changes the digest.
        copy.store[0].1 = "EVIL".into();
        copy.rehash();
        assert_ne!(copy.digest(), s.digest());
    }
}

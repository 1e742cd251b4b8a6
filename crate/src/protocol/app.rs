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
}

impl AppState {
    /// The state digest used in CHECKPOINT messages: covers the sequence
    /// number, the execution chain, the whole store and the reply cache, so a
    /// certified digest pins down every byte of a transferred state.
    pub fn digest(&self) -> Digest {
        let mut h = super::types::Fnv::new();
        h.write(&self.seq.to_le_bytes());
        h.write(&self.chain.0.to_le_bytes());
        for (k, v) in &self.store {
            h.write(&(k.len() as u64).to_le_bytes());
            h.write(k.as_bytes());
            h.write(&(v.len() as u64).to_le_bytes());
            h.write(v.as_bytes());
        }
        for r in &self.replies {
            h.write(&r.client.to_le_bytes());
            h.write(&r.timestamp.to_le_bytes());
            h.write(&(r.result.len() as u64).to_le_bytes());
            h.write(r.result.as_bytes());
        }
        Digest(h.finish())
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
        let result = execute_op(&mut self.store, op);
        let cached = CachedReply { client, timestamp, result: result.clone() };
        match self.replies.binary_search_by_key(&client, |r| r.client) {
            Ok(i) => self.replies[i] = cached,
            Err(i) => self.replies.insert(i, cached),
        }
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
    }
}

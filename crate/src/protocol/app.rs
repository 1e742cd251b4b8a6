//! The replicated service: a small key-value store.
//!
//! `key=value` sets a key and returns `key=value`; a bare `key` reads it and
//! returns its value (or `key unset`). The state also holds the last reply
//! sent to each client, as in the paper, so exactly-once semantics survive
//! state transfer.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::types::{ClientId, Digest, Seq};

/// A key and its value in the [`Store`].
pub type Pair = (Arc<str>, Arc<str>);

/// The store's key-value pairs, sorted by key, kept in chunks that copies of
/// the store share (`Arc`, copy on write), in a list of chunks that copies
/// share too. A copy costs one pointer; a write after copying duplicates the
/// list (a pointer per chunk) and one chunk: replicas keep their state
/// at each checkpoint and the simulator keeps copies of whole runs, so copies
/// must not cost the whole store. Keys and values are shared strings, so
/// duplicating a chunk costs pointers, not text. It reads like a sorted
/// `Vec<(key, value)>` (and is sent as one).
#[derive(Clone, Default)]
pub struct Store {
    /// The chunks, themselves shared: a copy of the store is one pointer, and
    /// the first write after copying duplicates the list of chunk pointers
    /// and the one chunk written.
    chunks: Arc<Vec<Arc<Chunk>>>,
    len: usize,
}

/// A run of the store's pairs, with its digest once computed (cleared by
/// every change through [`Chunk::edit`]). The state digest hashes the
/// chunks' digests, so a checkpoint re-hashes only the chunks written since
/// the last one. The layout is part of the state: replicas that executed the
/// same requests split their chunks alike, and a transferred store keeps its
/// sender's layout (it is sent as its chunks).
#[derive(Clone, Default)]
struct Chunk {
    pairs: Vec<Pair>,
    digest: std::sync::OnceLock<u64>,
}

impl std::ops::Deref for Chunk {
    type Target = Vec<Pair>;
    fn deref(&self) -> &Vec<Pair> {
        &self.pairs
    }
}

impl Chunk {
    fn new(pairs: Vec<Pair>) -> Arc<Chunk> {
        Arc::new(Chunk { pairs, digest: std::sync::OnceLock::new() })
    }

    /// The pairs, to change (copied first when shared); the digest is forgotten.
    fn edit(this: &mut Arc<Chunk>) -> &mut Vec<Pair> {
        let c = Arc::make_mut(this);
        c.digest = std::sync::OnceLock::new();
        &mut c.pairs
    }

    fn digest(&self) -> u64 {
        *self.digest.get_or_init(|| {
            let mut h = super::types::Sip::new();
            h.u64(self.pairs.len() as u64);
            for (k, v) in &self.pairs {
                h.bytes(k.as_bytes());
                h.bytes(v.as_bytes());
            }
            h.finish()
        })
    }
}

impl Store {
    /// Pairs per chunk when a full one is split (chunks hold up to twice that).
    const CHUNK: usize = 32;

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no key is set.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = &Pair> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// The chunk where `key` is or belongs: the first whose last key is not
    /// below it (the last chunk for a key above every other). None when empty.
    fn chunk_of(&self, key: &str) -> Option<usize> {
        let i = self.chunks.partition_point(|c| c.last().is_some_and(|(k, _)| &**k < key));
        (!self.chunks.is_empty()).then(|| i.min(self.chunks.len() - 1))
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        let c = &self.chunks[self.chunk_of(key)?];
        c.binary_search_by(|(k, _)| (**k).cmp(key)).ok().map(|i| &*c[i].1)
    }

    /// Sets `key` to `value`. The key is allocated only when it is new.
    pub fn set(&mut self, key: &str, value: &str) {
        let Some(ci) = self.chunk_of(key) else {
            Arc::make_mut(&mut self.chunks).push(Chunk::new(vec![(key.into(), value.into())]));
            self.len = 1;
            return;
        };
        let chunks = Arc::make_mut(&mut self.chunks);
        let c = Chunk::edit(&mut chunks[ci]);
        match c.binary_search_by(|(k, _)| (**k).cmp(key)) {
            Ok(i) => c[i].1 = value.into(),
            Err(i) => {
                c.insert(i, (key.into(), value.into()));
                self.len += 1;
                if c.len() >= 2 * Self::CHUNK {
                    let upper = c.split_off(Self::CHUNK);
                    chunks.insert(ci + 1, Chunk::new(upper));
                }
            }
        }
    }

    /// Feeds the store to a state digest: its size and each chunk's digest
    /// (computed once per chunk until the chunk changes).
    fn digest_into(&self, h: &mut super::types::Sip) {
        h.u64(self.len as u64);
        h.u64(self.chunks.len() as u64);
        for c in self.chunks.iter() {
            h.u64(c.digest());
        }
    }

    /// The first pair, to change in place (the caller keeps the keys sorted).
    pub fn first_mut(&mut self) -> Option<&mut Pair> {
        Arc::make_mut(&mut self.chunks).first_mut().and_then(|c| Chunk::edit(c).first_mut())
    }

    /// Appends a pair after the last one (the caller keeps the keys sorted).
    pub fn push(&mut self, pair: Pair) {
        let chunks = Arc::make_mut(&mut self.chunks);
        match chunks.last_mut() {
            Some(c) if c.len() < 2 * Self::CHUNK => Chunk::edit(c).push(pair),
            _ => chunks.push(Chunk::new(vec![pair])),
        }
        self.len += 1;
    }
}

impl FromIterator<Pair> for Store {
    fn from_iter<I: IntoIterator<Item = Pair>>(pairs: I) -> Store {
        let mut s = Store::default();
        for p in pairs {
            s.push(p);
        }
        s
    }
}

impl PartialEq for Store {
    fn eq(&self, other: &Store) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl Eq for Store {}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Sent as its chunks (lists of pairs): the layout is part of what the digest covers.
impl Serialize for Store {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.chunks.iter().map(|c| &c.pairs))
    }
}

impl<'de> Deserialize<'de> for Store {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Store, D::Error> {
        let chunks: Vec<Arc<Chunk>> = Vec::<Vec<Pair>>::deserialize(d)?.into_iter().filter(|c| !c.is_empty()).map(Chunk::new).collect();
        let len = chunks.iter().map(|c| c.len()).sum();
        Ok(Store { chunks: Arc::new(chunks), len })
    }
}

/// The last reply cached for a client (Castro–Liskov §4.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CachedReply {
    /// The client.
    pub client: ClientId,
    /// Timestamp of its last executed request.
    pub timestamp: u64,
    /// The result sent.
    pub result: Arc<str>,
}

/// The service state of one replica.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppState {
    /// Sequence number of the last request reflected here.
    pub seq: Seq,
    /// The store, sorted by key.
    pub store: Store,
    /// Last reply per client, sorted by client.
    pub replies: Vec<CachedReply>,
    /// Running digest over every executed (seq, request digest).
    pub chain: Digest,
    /// Sum of the hashes of the store's entries and of the cached replies,
    /// kept up to date on each change so the fingerprint costs O(1). Not sent:
    /// a receiver recomputes it from the content ([`AppState::rehash`]).
    #[serde(skip)]
    content_hash: u64,
    /// The digest, once computed: cleared by every change made through
    /// `apply`, `advance` and `rehash` (a receiver rehashes before it checks).
    #[serde(skip)]
    digest: DigestCache,
}

/// [`AppState::digest`] once computed. Not part of what a state is: two
/// states are equal whether or not either has computed it.
#[derive(Clone, Default)]
struct DigestCache(std::sync::OnceLock<Digest>);

impl PartialEq for DigestCache {
    fn eq(&self, _: &DigestCache) -> bool {
        true
    }
}

impl Eq for DigestCache {}

impl std::fmt::Debug for DigestCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("_")
    }
}

/// A state hashes as its fingerprint, in O(1) whatever the store's size
/// (it covers every entry and cached reply through the content hash kept up
/// to date on each change).
impl std::hash::Hash for AppState {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.fingerprint().hash(h);
    }
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
    /// The state digest used in CHECKPOINT messages and checked on state
    /// transfer: SipHash over the sequence number, the execution chain, the
    /// store (the digests of its chunks, each SipHash over its pairs in
    /// order: a two-level hash tree) and every cached reply in order, so a
    /// certified digest pins down a transferred state (a faulty replica would
    /// need about 2^64 tries to find another state with it). A checkpoint
    /// re-hashes only the chunks written since the last one.
    pub fn digest(&self) -> Digest {
        *self.digest.0.get_or_init(|| {
            let mut h = super::types::Sip::new();
            h.bytes(b"state");
            h.u64(self.seq);
            h.u64(self.chain.0);
            self.store.digest_into(&mut h);
            h.u64(self.replies.len() as u64);
            for r in &self.replies {
                h.u64(u64::from(r.client));
                h.u64(r.timestamp);
                h.bytes(r.result.as_bytes());
            }
            Digest(h.finish().max(1))
        })
    }

    /// A fingerprint of the state in O(1) (an incremental sum of the hashes
    /// of its entries, kept up to date on each change): what the safety
    /// monitor compares after every execution and what exhaustive search
    /// remembers states by. Not a protocol digest: sums of 64-bit hashes
    /// can be made to collide.
    pub fn fingerprint(&self) -> Digest {
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
        self.digest = DigestCache::default();
    }

    /// Whether the store's keys and the cached replies' clients are strictly
    /// increasing, as every honest replica keeps them: lookups are binary
    /// searches that a permuted or repeated list would break, so a state that
    /// arrives in a message is checked for this before it is installed.
    pub fn is_canonical(&self) -> bool {
        let mut last: Option<&str> = None;
        for (k, _) in self.store.iter() {
            if last.is_some_and(|l| l >= &**k) {
                return false;
            }
            last = Some(k);
        }
        self.replies.windows(2).all(|w| w[0].client < w[1].client)
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
        self.digest = DigestCache::default();
        self.seq = seq;
        self.chain = self.chain.chain(d.0 ^ seq.rotate_left(32));
    }

    /// Applies `op` for `client` at `timestamp`, caches and returns the result.
    pub(crate) fn apply(&mut self, client: ClientId, timestamp: u64, op: &Arc<str>) -> Arc<str> {
        self.digest = DigestCache::default();
        let mut hash = self.content_hash;
        let key = as_write(op).map(|(k, _)| k);
        if let Some(old) = key.and_then(|k| self.store.get(k)) {
            hash = hash.wrapping_sub(entry_hash(key.unwrap_or_default(), old));
        }
        let result = execute_op(&mut self.store, op);
        if let Some(k) = key {
            hash = hash.wrapping_add(entry_hash(k, self.store.get(k).expect("just written")));
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

/// A write `k=v` as its key and value (each trimmed), or None for a read.
pub fn as_write(op: &str) -> Option<(&str, &str)> {
    op.trim().split_once('=').map(|(k, v)| (k.trim(), v.trim()))
}

/// Whether `result` is what the write (`k`, `v`) answers: `k=v`, whatever
/// the store held before.
pub fn answers_write((k, v): (&str, &str), result: &str) -> bool {
    result.len() == k.len() + 1 + v.len() && result.starts_with(k) && result[k.len()..].starts_with('=') && result.ends_with(v)
}

/// Executes one operation on the store and returns its result. A write that
/// is already written as it answers (`k=v`, no spaces) answers with the
/// operation itself, shared.
pub fn execute_op(store: &mut Store, op: &Arc<str>) -> Arc<str> {
    match as_write(op) {
        Some((k, v)) => {
            store.set(k, v);
            if answers_write((k, v), op) { op.clone() } else { format!("{k}={v}").into() }
        }
        None => {
            let key = op.trim();
            match store.get(key) {
                Some(v) => format!("{key}={v}").into(),
                None => format!("{key} unset").into(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a faulty replica can send: a state whose content hash was not
    /// kept up to date. As a message it is told apart by its content; as a
    /// replica's own state (kept by `apply`, or rehashed on receipt) by its digest.
    #[test]
    fn a_state_in_a_message_hashes_by_its_content() {
        use crate::protocol::StateReply;
        let hash = |x: &dyn Fn(&mut std::collections::hash_map::DefaultHasher)| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            x(&mut h);
            std::hash::Hasher::finish(&h)
        };
        let mut honest = AppState::default();
        honest.apply(1, 1, &"x=1".into());
        let mut forged = honest.clone();
        forged.store.first_mut().expect("a pair").1 = "2".into(); // no rehash: the same fingerprint
        assert_eq!(forged.fingerprint(), honest.fingerprint());
        assert_ne!(forged.digest(), honest.digest(), "the digest is of the content itself");
        let reply = |state: &AppState| StateReply { seq: 1, state: state.clone(), proof: Vec::new(), replica: 2 };
        use std::hash::Hash;
        assert_ne!(hash(&|h| reply(&honest).hash(h)), hash(&|h| reply(&forged).hash(h)));
        assert_eq!(hash(&|h| reply(&honest).hash(h)), hash(&|h| reply(&honest.clone()).hash(h)));
        forged.rehash();
        assert_ne!(forged.fingerprint(), honest.fingerprint(), "a rehashed state shows the difference in its fingerprint");
    }

    #[test]
    fn store_sets_and_reads() {
        let mut s = AppState::default();
        assert_eq!(&*s.apply(1, 1, &"warTime=1234".into()), "warTime=1234");
        assert_eq!(&*s.apply(1, 2, &"warTime".into()), "warTime=1234");
        assert_eq!(&*s.apply(2, 1, &"peace".into()), "peace unset");
        assert_eq!(s.last_reply(1).unwrap().timestamp, 2);
        let d0 = s.digest();
        s.advance(1, Digest(7));
        assert_ne!(s.digest(), d0);
        // The incremental hash equals one recomputed from the content.
        let mut copy = s.clone();
        copy.rehash();
        assert_eq!(copy.digest(), s.digest());
        // And the content matters: a tampered store changes the digest.
        copy.store.first_mut().expect("one key").1 = "EVIL".into();
        copy.rehash();
        assert_ne!(copy.digest(), s.digest());
    }

    #[test]
    fn the_store_reads_like_a_sorted_vector_and_copies_share_its_chunks() {
        let mut s = Store::default();
        let mut v: Vec<(String, String)> = Vec::new();
        // Keys in a scrambled order, some written twice: enough for several chunks.
        for i in 0..500u32 {
            let (k, val) = (format!("k{}", (i * 37) % 311), i.to_string());
            execute_op(&mut s, &format!("{k}={val}").into());
            match v.binary_search_by(|(x, _)| x.cmp(&k)) {
                Ok(j) => v[j].1 = val,
                Err(j) => v.insert(j, (k, val)),
            }
        }
        assert_eq!(s.len(), v.len());
        assert!(s.iter().map(|(k, v)| (&**k, &**v)).eq(v.iter().map(|(k, v)| (k.as_str(), v.as_str()))));
        assert!(s.chunks.len() > 5 && s.chunks.iter().all(|c| c.len() < 2 * Store::CHUNK));
        assert_eq!(*execute_op(&mut s, &"k5".into()), format!("k5={}", s.get("k5").unwrap()));
        assert_eq!(&*execute_op(&mut s, &"nope".into()), "nope unset");
        // A copy shares the list of chunks; a write duplicates the list and only the chunk it changes.
        let copy = s.clone();
        assert!(Arc::ptr_eq(&s.chunks, &copy.chunks));
        s.set("k7", "new");
        assert!(!Arc::ptr_eq(&s.chunks, &copy.chunks));
        let shared = s.chunks.iter().zip(copy.chunks.iter()).filter(|(a, b)| Arc::ptr_eq(a, b)).count();
        assert_eq!(shared, s.chunks.len() - 1);
        assert_eq!(copy.get("k7"), v.iter().find(|(k, _)| k == "k7").map(|(_, x)| x.as_str()));
        assert_eq!(s.get("k7"), Some("new"));
        // Sent as a plain list of pairs.
        let back: Store = v.iter().map(|(k, x)| (k.as_str().into(), x.as_str().into())).collect();
        assert_eq!(back, copy);
        assert_eq!(format!("{copy:?}"), format!("{v:?}"));
    }
}

//! The protocol's messages (Castro–Liskov §4, Figure 1 and §4.4).
//!
//! Two kinds of authentication, as in the paper (§4, and §4.4's signed
//! variant). The channel: the driver stamps every envelope with its true
//! sender (pbft-node MACs it per pair), and handlers check that the replica
//! named inside a message is that sender. Signatures: the messages that
//! enter certificates (PRE-PREPARE, PREPARE, COMMIT, CHECKPOINT,
//! VIEW-CHANGE, NEW-VIEW) carry their signer's [`Sig`] over their other
//! fields ([`Signed`]), and certificates embed the signed messages
//! themselves, so evidence relayed by a third replica can be checked.

use serde::{Deserialize, Serialize};
use std::fmt;

use std::sync::Arc;

use super::config::Config;
use super::sign::{ClientSigner, Sig, Signed, Signer, SigningBytes};
use super::types::{ClientId, Digest, ReplicaId, Seq, View};

/// ⟨REQUEST, o, t, c⟩: client `c` asks for operation `o` with timestamp `t`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Request {
    /// The operation, e.g. `warTime=1234` (shared: every copy of the request,
    /// the replicas' logs and the client's results point at one string).
    pub op: Arc<str>,
    /// The client's timestamp (strictly increasing per client).
    pub timestamp: u64,
    /// The client.
    pub client: ClientId,
    /// The client's signature over the other fields (§4.1: clients sign
    /// their requests, so no replica can make one in an honest client's name).
    #[serde(default)]
    pub sig: Sig,
}

impl Request {
    /// Client `client`'s request for `op` at `timestamp`, not signed yet.
    pub fn new(op: impl Into<Arc<str>>, timestamp: u64, client: ClientId) -> Request {
        Request { op: op.into(), timestamp, client, sig: Sig::default() }
    }

    fn signing_bytes(&self) -> SigningBytes {
        let mut b = SigningBytes::new("request");
        b.words([self.client as u64, self.timestamp]).bytes(self.op.as_bytes());
        b
    }

    /// The request signed with `key` (the key of the client it names).
    pub fn signed(mut self, key: &dyn ClientSigner) -> Request {
        self.sig = key.sign(self.signing_bytes().finish());
        self
    }

    /// Whether it carries the signature of the client it names.
    pub fn signed_by_client(&self, keys: &dyn Signer) -> bool {
        keys.verify_client(self.client, self.signing_bytes().finish(), &self.sig)
    }

    /// The request's digest D(m).
    pub fn digest(&self) -> Digest {
        let mut h = super::types::Fnv::new();
        h.write(&self.client.to_le_bytes());
        h.write(&self.timestamp.to_le_bytes());
        h.write(self.op.as_bytes());
        Digest(h.finish())
    }
}

/// ⟨⟨PRE-PREPARE, v, n, d⟩, m⟩: the primary assigns sequence number `seq` to the
/// request `m` (None for the null request of a new view).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PrePrepare {
    /// View.
    pub view: View,
    /// Sequence number.
    pub seq: Seq,
    /// Digest of the request (or [`Digest::NULL`]).
    pub digest: Digest,
    /// The request piggybacked on the pre-prepare; `None` is the null request.
    pub request: Option<Request>,
    /// The signer's signature over the other fields.
    #[serde(default)]
    pub sig: Sig,
}

/// ⟨PREPARE, v, n, d, i⟩ from a backup.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Prepare {
    /// View.
    pub view: View,
    /// Sequence number.
    pub seq: Seq,
    /// Digest.
    pub digest: Digest,
    /// The sending replica.
    pub replica: ReplicaId,
    /// The signer's signature over the other fields.
    #[serde(default)]
    pub sig: Sig,
}

/// ⟨COMMIT, v, n, d, i⟩.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Commit {
    /// View.
    pub view: View,
    /// Sequence number.
    pub seq: Seq,
    /// Digest.
    pub digest: Digest,
    /// The sending replica.
    pub replica: ReplicaId,
    /// The signer's signature over the other fields.
    #[serde(default)]
    pub sig: Sig,
}

/// ⟨REPLY, v, t, c, i, r⟩.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reply {
    /// The replica's current view (lets the client track the primary).
    pub view: View,
    /// Timestamp of the request answered.
    pub timestamp: u64,
    /// The client.
    pub client: ClientId,
    /// The replying replica.
    pub replica: ReplicaId,
    /// The result of executing the operation (shared with the replica's
    /// cached reply, its log and the events).
    pub result: Arc<str>,
}

/// ⟨CHECKPOINT, n, d, i⟩: replica `i`'s state digest after executing `seq`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Sequence number of the last request reflected in the state.
    pub seq: Seq,
    /// Digest of the state.
    pub digest: Digest,
    /// The sending replica.
    pub replica: ReplicaId,
    /// The signer's signature over the other fields.
    #[serde(default)]
    pub sig: Sig,
}

/// A prepared certificate in a VIEW-CHANGE's P set: a pre-prepare and the
/// matching prepares (§4.4).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PreparedCert {
    /// The pre-prepare (with its request), signed by its view's primary.
    pub pre_prepare: PrePrepare,
    /// The matching PREPAREs of distinct backups, signed.
    pub prepares: Vec<Prepare>,
}

/// ⟨VIEW-CHANGE, v+1, n, C, P, i⟩.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ViewChange {
    /// The view being moved to.
    pub new_view: View,
    /// Sequence number of the sender's last stable checkpoint.
    pub stable_seq: Seq,
    /// Its digest.
    pub stable_digest: Digest,
    /// C: the quorum of CHECKPOINT messages proving it (empty for seq 0).
    pub checkpoint_proof: Vec<Checkpoint>,
    /// P: a prepared certificate for every request prepared above `stable_seq`.
    pub prepared: Vec<PreparedCert>,
    /// The sending replica.
    pub replica: ReplicaId,
    /// The signer's signature over the other fields.
    #[serde(default)]
    pub sig: Sig,
}

/// ⟨NEW-VIEW, v+1, V, O⟩.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NewView {
    /// The new view.
    pub view: View,
    /// V: a quorum of signed VIEW-CHANGE messages for `view`.
    pub view_changes: Vec<ViewChange>,
    /// O: pre-prepares for view `view`, one per sequence number in (min-s,
    /// max-s], each signed by the new primary.
    pub pre_prepares: Vec<PrePrepare>,
    /// The signer's signature over the other fields.
    #[serde(default)]
    pub sig: Sig,
}

/// State transfer: ask a replica for its state at a stable checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StateRequest {
    /// The checkpoint wanted.
    pub seq: Seq,
    /// The asking replica.
    pub replica: ReplicaId,
}

/// State transfer: the application state at checkpoint `seq`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateReply {
    /// The checkpoint.
    pub seq: Seq,
    /// The state (its digest must match the certified checkpoint digest).
    pub state: super::app::AppState,
    /// The quorum of CHECKPOINT messages certifying the state's digest.
    pub proof: Vec<Checkpoint>,
    /// The answering replica.
    pub replica: ReplicaId,
}

/// A state in a message hashes by its content, every entry and cached reply:
/// an `AppState` hashes as its digest, which rests on the content hash its
/// owner keeps up to date, and a faulty sender may have built the state any
/// way it likes (the receiver recomputes it, [`super::app::AppState::rehash`]).
impl std::hash::Hash for StateReply {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let StateReply { seq, state, proof, replica } = self;
        (seq, proof, replica, state.seq, state.chain, &state.replies).hash(h);
        h.write_usize(state.store.len());
        for pair in state.store.iter() {
            pair.hash(h);
        }
    }
}

/// Every message of the protocol.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Message {
    /// REQUEST (client → primary, or a backup relaying it).
    Request(Request),
    /// PRE-PREPARE.
    PrePrepare(PrePrepare),
    /// PREPARE.
    Prepare(Prepare),
    /// COMMIT.
    Commit(Commit),
    /// REPLY.
    Reply(Reply),
    /// CHECKPOINT.
    Checkpoint(Checkpoint),
    /// VIEW-CHANGE.
    ViewChange(Box<ViewChange>),
    /// NEW-VIEW.
    NewView(Box<NewView>),
    /// FETCH-STATE (state transfer request).
    FetchState(StateRequest),
    /// STATE (state transfer reply).
    State(Box<StateReply>),
}

/// The kind of a message, as the strings the page and tests use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MsgKind {
    /// `request`
    Request,
    /// `pre-prepare`
    PrePrepare,
    /// `prepare`
    Prepare,
    /// `commit`
    Commit,
    /// `reply`
    Reply,
    /// `checkpoint`
    Checkpoint,
    /// `view-change`
    ViewChange,
    /// `new-view`
    NewView,
    /// `fetch-state`
    FetchState,
    /// `state`
    State,
}

impl MsgKind {
    /// Every kind, in protocol order.
    pub const ALL: [MsgKind; 10] = [
        MsgKind::Request,
        MsgKind::PrePrepare,
        MsgKind::Prepare,
        MsgKind::Commit,
        MsgKind::Reply,
        MsgKind::Checkpoint,
        MsgKind::ViewChange,
        MsgKind::NewView,
        MsgKind::FetchState,
        MsgKind::State,
    ];

    /// The kebab-case name (`pre-prepare`).
    pub fn as_str(&self) -> &'static str {
        match self {
            MsgKind::Request => "request",
            MsgKind::PrePrepare => "pre-prepare",
            MsgKind::Prepare => "prepare",
            MsgKind::Commit => "commit",
            MsgKind::Reply => "reply",
            MsgKind::Checkpoint => "checkpoint",
            MsgKind::ViewChange => "view-change",
            MsgKind::NewView => "new-view",
            MsgKind::FetchState => "fetch-state",
            MsgKind::State => "state",
        }
    }

    /// Index into [`MsgKind::ALL`].
    pub fn index(&self) -> usize {
        *self as usize
    }
}

impl fmt::Display for MsgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Message {
    /// What the message weighs: 1, plus one for every signed message, entry
    /// or certificate it carries (a VIEW-CHANGE's proofs, a NEW-VIEW's
    /// VIEW-CHANGEs and pre-prepares, a state's entries). Copying, checking
    /// and handling it cost about that much.
    pub fn weight(&self) -> u64 {
        fn view_change(m: &ViewChange) -> u64 {
            1 + m.checkpoint_proof.len() as u64 + m.prepared.iter().map(|c| 1 + c.prepares.len() as u64).sum::<u64>()
        }
        match self {
            Message::ViewChange(m) => view_change(m),
            Message::NewView(m) => 1 + m.pre_prepares.len() as u64 + m.view_changes.iter().map(view_change).sum::<u64>(),
            Message::State(m) => 1 + m.proof.len() as u64 + m.state.store.len() as u64 + m.state.replies.len() as u64,
            _ => 1,
        }
    }

    /// The message's kind.
    pub fn kind(&self) -> MsgKind {
        match self {
            Message::Request(_) => MsgKind::Request,
            Message::PrePrepare(_) => MsgKind::PrePrepare,
            Message::Prepare(_) => MsgKind::Prepare,
            Message::Commit(_) => MsgKind::Commit,
            Message::Reply(_) => MsgKind::Reply,
            Message::Checkpoint(_) => MsgKind::Checkpoint,
            Message::ViewChange(_) => MsgKind::ViewChange,
            Message::NewView(_) => MsgKind::NewView,
            Message::FetchState(_) => MsgKind::FetchState,
            Message::State(_) => MsgKind::State,
        }
    }

    /// The view the message belongs to, if any.
    pub fn view(&self) -> Option<View> {
        match self {
            Message::PrePrepare(m) => Some(m.view),
            Message::Prepare(m) => Some(m.view),
            Message::Commit(m) => Some(m.view),
            Message::Reply(m) => Some(m.view),
            Message::ViewChange(m) => Some(m.new_view),
            Message::NewView(m) => Some(m.view),
            _ => None,
        }
    }

    /// The sequence number the message is about, if any.
    pub fn seq(&self) -> Option<Seq> {
        match self {
            Message::PrePrepare(m) => Some(m.seq),
            Message::Prepare(m) => Some(m.seq),
            Message::Commit(m) => Some(m.seq),
            Message::Checkpoint(m) => Some(m.seq),
            Message::ViewChange(m) => Some(m.stable_seq),
            Message::FetchState(m) => Some(m.seq),
            Message::State(m) => Some(m.seq),
            _ => None,
        }
    }

    /// The digest the message carries, if any.
    pub fn digest(&self) -> Option<Digest> {
        match self {
            Message::Request(r) => Some(r.digest()),
            Message::PrePrepare(m) => Some(m.digest),
            Message::Prepare(m) => Some(m.digest),
            Message::Commit(m) => Some(m.digest),
            Message::Checkpoint(m) => Some(m.digest),
            _ => None,
        }
    }
}

fn vote_bytes(tag: &str, view: View, seq: Seq, digest: Digest, replica: ReplicaId) -> SigningBytes {
    let mut b = SigningBytes::new(tag);
    b.words([view, seq, digest.0, replica as u64]);
    b
}

macro_rules! signed {
    ($t:ty, |$m:ident| $bytes:expr) => {
        impl Signed for $t {
            fn signing_bytes(&self) -> SigningBytes {
                let $m = self;
                $bytes
            }
            fn sig(&self) -> &Sig {
                &self.sig
            }
            fn sig_mut(&mut self) -> &mut Sig {
                &mut self.sig
            }
        }
    };
}

// The request itself is covered through the digest (checked against it).
signed!(PrePrepare, |m| vote_bytes("pre-prepare", m.view, m.seq, m.digest, 0));
signed!(Prepare, |m| vote_bytes("prepare", m.view, m.seq, m.digest, m.replica));
signed!(Commit, |m| vote_bytes("commit", m.view, m.seq, m.digest, m.replica));
signed!(Checkpoint, |m| vote_bytes("checkpoint", 0, m.seq, m.digest, m.replica));
signed!(ViewChange, |m| {
    let mut b = SigningBytes::new("view-change");
    b.u64(m.new_view).u64(m.stable_seq).u64(m.stable_digest.0).u64(m.replica as u64);
    b.u64(m.checkpoint_proof.len() as u64);
    for c in &m.checkpoint_proof {
        b.embed(c);
    }
    b.u64(m.prepared.len() as u64);
    for cert in &m.prepared {
        b.embed(&cert.pre_prepare).u64(cert.prepares.len() as u64);
        for p in &cert.prepares {
            b.embed(p);
        }
    }
    b
});
signed!(NewView, |m| {
    let mut b = SigningBytes::new("new-view");
    b.u64(m.view).u64(m.view_changes.len() as u64);
    for vc in &m.view_changes {
        b.embed(vc);
    }
    b.u64(m.pre_prepares.len() as u64);
    for pp in &m.pre_prepares {
        b.embed(pp);
    }
    b
});

impl PrePrepare {
    /// The same assignment as `other`, whoever signed either.
    pub fn same_as(&self, other: &PrePrepare) -> bool {
        (self.view, self.seq, self.digest, &self.request) == (other.view, other.seq, other.digest, &other.request)
    }
}

impl Message {
    /// The replica whose signature the message must carry, for the kinds
    /// that are signed: the primary of its view for PRE-PREPARE and
    /// NEW-VIEW, the replica it names for the others.
    pub fn signer(&self, cfg: &Config) -> Option<ReplicaId> {
        match self {
            Message::PrePrepare(m) => Some(cfg.primary(m.view)),
            Message::Prepare(m) => Some(m.replica),
            Message::Commit(m) => Some(m.replica),
            Message::Checkpoint(m) => Some(m.replica),
            Message::ViewChange(m) => Some(m.replica),
            Message::NewView(m) => Some(cfg.primary(m.view)),
            _ => None,
        }
    }

    fn signed_ref(&self) -> Option<&dyn Signed> {
        match self {
            Message::PrePrepare(m) => Some(m),
            Message::Prepare(m) => Some(m),
            Message::Commit(m) => Some(m),
            Message::Checkpoint(m) => Some(m),
            Message::ViewChange(m) => Some(&**m),
            Message::NewView(m) => Some(&**m),
            _ => None,
        }
    }

    fn signed_mut(&mut self) -> Option<&mut dyn Signed> {
        match self {
            Message::PrePrepare(m) => Some(m),
            Message::Prepare(m) => Some(m),
            Message::Commit(m) => Some(m),
            Message::Checkpoint(m) => Some(m),
            Message::ViewChange(m) => Some(&mut **m),
            Message::NewView(m) => Some(&mut **m),
            _ => None,
        }
    }

    /// Whether the message is unsigned, or carries its signer's valid signature.
    pub fn verifies(&self, keys: &dyn Signer, cfg: &Config) -> bool {
        match (self.signer(cfg), self.signed_ref()) {
            (Some(signer), Some(s)) => s.signed_by(keys, signer),
            _ => true,
        }
    }

    /// Signs the message as `keys`' owner when that is its signer (a faulty
    /// replica signs what it rewrites in its own name; it cannot sign for
    /// another).
    pub fn sign_if_mine(&mut self, keys: &dyn Signer, cfg: &Config) {
        if self.signer(cfg) == Some(keys.id()) {
            if let Some(s) = self.signed_mut() {
                s.sign(keys);
            }
        }
    }
}

impl fmt::Display for Message {
    /// Compact labels that double as canvas text and log lines: `PP v0 n3 a3f2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Request(r) => write!(f, "REQ t{} {}", r.timestamp, r.op),
            Message::PrePrepare(m) => write!(f, "PP v{} n{} {}", m.view, m.seq, m.digest),
            Message::Prepare(m) => write!(f, "P v{} n{} {}", m.view, m.seq, m.digest),
            Message::Commit(m) => write!(f, "C v{} n{} {}", m.view, m.seq, m.digest),
            Message::Reply(m) => write!(f, "REPLY v{} t{} {}", m.view, m.timestamp, m.result),
            Message::Checkpoint(m) => write!(f, "CKPT n{} {}", m.seq, m.digest),
            Message::ViewChange(m) => write!(f, "VC v{} s{} |P|={}", m.new_view, m.stable_seq, m.prepared.len()),
            Message::NewView(m) => write!(f, "NV v{} |O|={}", m.view, m.pre_prepares.len()),
            Message::FetchState(m) => write!(f, "FETCH n{}", m.seq),
            Message::State(m) => write!(f, "STATE n{}", m.seq),
        }
    }
}

//! The protocol's messages (Castro–Liskov §4, Figure 1 and §4.4).
//!
//! Authentication is modelled: the driver stamps every envelope with its true
//! sender, and handlers check that the replica named inside a message is that
//! sender. Messages embedded in certificates (VIEW-CHANGE, NEW-VIEW) stand for
//! signed messages and are taken as authentic.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::types::{ClientId, Digest, ReplicaId, Seq, View};

/// ⟨REQUEST, o, t, c⟩: client `c` asks for operation `o` with timestamp `t`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// The operation, e.g. `warTime=1234`.
    pub op: String,
    /// The client's timestamp (strictly increasing per client).
    pub timestamp: u64,
    /// The client.
    pub client: ClientId,
}

impl Request {
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrePrepare {
    /// View.
    pub view: View,
    /// Sequence number.
    pub seq: Seq,
    /// Digest of the request (or [`Digest::NULL`]).
    pub digest: Digest,
    /// The request piggybacked on the pre-prepare; `None` is the null request.
    pub request: Option<Request>,
}

/// ⟨PREPARE, v, n, d, i⟩ from a backup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prepare {
    /// View.
    pub view: View,
    /// Sequence number.
    pub seq: Seq,
    /// Digest.
    pub digest: Digest,
    /// The sending replica.
    pub replica: ReplicaId,
}

/// ⟨COMMIT, v, n, d, i⟩.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// View.
    pub view: View,
    /// Sequence number.
    pub seq: Seq,
    /// Digest.
    pub digest: Digest,
    /// The sending replica.
    pub replica: ReplicaId,
}

/// ⟨REPLY, v, t, c, i, r⟩.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// The replica's current view (lets the client track the primary).
    pub view: View,
    /// Timestamp of the request answered.
    pub timestamp: u64,
    /// The client.
    pub client: ClientId,
    /// The replying replica.
    pub replica: ReplicaId,
    /// The result of executing the operation.
    pub result: String,
}

/// ⟨CHECKPOINT, n, d, i⟩: replica `i`'s state digest after executing `seq`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Sequence number of the last request reflected in the state.
    pub seq: Seq,
    /// Digest of the state.
    pub digest: Digest,
    /// The sending replica.
    pub replica: ReplicaId,
}

/// A prepared certificate in a VIEW-CHANGE's P set: a pre-prepare and the
/// matching prepares (§4.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreparedCert {
    /// The pre-prepare (with its request).
    pub pre_prepare: PrePrepare,
    /// The backups whose matching PREPAREs form the certificate.
    pub prepares: Vec<ReplicaId>,
}

/// ⟨VIEW-CHANGE, v+1, n, C, P, i⟩.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// ⟨NEW-VIEW, v+1, V, O⟩.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewView {
    /// The new view.
    pub view: View,
    /// V: a quorum of VIEW-CHANGE messages for `view`.
    pub view_changes: Vec<ViewChange>,
    /// O: pre-prepares for view `view`, one per sequence number in (min-s, max-s].
    pub pre_prepares: Vec<PrePrepare>,
}

/// State transfer: ask a replica for its state at a stable checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// Every message of the protocol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

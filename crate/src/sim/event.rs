//! The stream of events the simulator emits: what the page animates and
//! what tests read.

use serde::{Serialize, Serializer};

use std::sync::Arc;

use super::{Action, TimerKind};
use crate::protocol::{Digest, MsgKind, NodeId, Phase, Reject, ReplicaId, Seq, View};

/// A node as a number for JavaScript: replica `i` is `i`, client `c` is `-1 - c`.
pub fn node_number(n: NodeId) -> i64 {
    match n {
        NodeId::Replica(i) => i as i64,
        NodeId::Client(c) => -1 - i64::from(c),
    }
}

/// The node of a node number (the inverse of [`node_number`]).
pub fn node_of(n: i64) -> NodeId {
    if n >= 0 {
        NodeId::Replica(n as usize)
    } else {
        NodeId::Client((-1 - n) as u32)
    }
}

/// Serializes a [`NodeId`] as [`node_number`].
pub fn ser_node<S: Serializer>(n: &NodeId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(node_number(*n))
}

/// Serializes a [`Digest`] in its short form (`a3f2`, or `null` for the null request).
pub fn ser_digest<S: Serializer>(d: &Digest, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.short())
}

/// Serializes an optional [`Digest`] as [`ser_digest`] (none: nothing).
pub fn ser_opt_digest<S: Serializer>(d: &Option<Digest>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_some(&d.short()),
        None => s.serialize_none(),
    }
}

/// Why a message never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DropReason {
    /// Random loss on the link.
    Loss,
    /// The link was cut by a partition.
    Partition,
    /// The receiver was crashed.
    Crashed,
    /// Dropped by the user.
    User,
}

/// A safety violation found by the invariant monitor (`{ code, ...fields }` in JS).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum Violation {
    /// Two honest replicas executed different requests at one sequence number.
    Agreement {
        /// Sequence number.
        seq: Seq,
        /// First replica and the digest it executed.
        first: ReplicaId,
        /// Its digest (short form).
        first_digest: String,
        /// Its operation (none: the null request).
        first_op: Option<Arc<str>>,
        /// Second replica.
        second: ReplicaId,
        /// Its digest.
        second_digest: String,
        /// Its operation (none: the null request).
        second_op: Option<Arc<str>>,
    },
    /// An honest replica executed out of order (its log is not a prefix).
    Order {
        /// The replica.
        replica: ReplicaId,
        /// The sequence number it executed.
        seq: Seq,
        /// What it had executed before.
        after: Seq,
    },
    /// Two honest replicas hold different states after the same sequence number.
    State {
        /// Sequence number.
        seq: Seq,
        /// First replica.
        first: ReplicaId,
        /// Second replica.
        second: ReplicaId,
    },
    /// An honest replica executed one client request twice.
    Duplicate {
        /// The replica.
        replica: ReplicaId,
        /// The client.
        client: u32,
        /// The request's timestamp.
        timestamp: u64,
    },
    /// The client accepted a result that its write could not have produced.
    WrongResult {
        /// The request's timestamp.
        timestamp: u64,
        /// The operation.
        op: String,
        /// The accepted result.
        result: String,
    },
    /// The client accepted two different results for one request.
    ClientConflict {
        /// The request's timestamp.
        timestamp: u64,
        /// The result accepted first.
        accepted: String,
        /// The other result vouched for by f+1 replicas.
        other: String,
    },
}

impl Violation {
    /// Every code a violation can carry.
    pub const CODES: [&'static str; 6] = ["agreement", "order", "state", "duplicate", "wrong-result", "client-conflict"];

    /// This violation's code.
    pub fn code(&self) -> &'static str {
        Self::CODES[match self {
            Violation::Agreement { .. } => 0,
            Violation::Order { .. } => 1,
            Violation::State { .. } => 2,
            Violation::Duplicate { .. } => 3,
            Violation::WrongResult { .. } => 4,
            Violation::ClientConflict { .. } => 5,
        }]
    }
}

impl DropReason {
    /// Every drop reason.
    pub const CODES: [&'static str; 4] = ["loss", "partition", "crashed", "user"];
}

impl EventKind {
    /// Every event type (`type` in JS).
    pub const TYPES: [&'static str; 17] = [
        "sent",
        "delivered",
        "dropped",
        "phase",
        "executed",
        "checkpoint-stable",
        "view-change-started",
        "view-changed",
        "state-transferred",
        "submitted",
        "retransmitted",
        "accepted",
        "rejected",
        "fault",
        "violation",
        "picked",
        "fired",
    ];

    /// This event's type.
    pub fn type_name(&self) -> &'static str {
        Self::TYPES[self.type_index()]
    }

    /// This event's type as its index in [`EventKind::TYPES`].
    pub fn type_index(&self) -> usize {
        match self {
            EventKind::Sent { .. } => 0,
            EventKind::Delivered { .. } => 1,
            EventKind::Dropped { .. } => 2,
            EventKind::Phase { .. } => 3,
            EventKind::Executed { .. } => 4,
            EventKind::CheckpointStable { .. } => 5,
            EventKind::ViewChangeStarted { .. } => 6,
            EventKind::ViewChanged { .. } => 7,
            EventKind::StateTransferred { .. } => 8,
            EventKind::Submitted { .. } => 9,
            EventKind::Retransmitted { .. } => 10,
            EventKind::Accepted { .. } => 11,
            EventKind::Rejected { .. } => 12,
            EventKind::Fault { .. } => 13,
            EventKind::Violation { .. } => 14,
            EventKind::Picked { .. } => 15,
            EventKind::Fired { .. } => 16,
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Violation::Agreement { seq, first, first_digest, first_op, second, second_digest, second_op } => {
                let op = |o: &Option<Arc<str>>| o.as_deref().map_or("the null request".to_string(), |o| format!("\"{o}\""));
                write!(
                    f,
                    "agreement broken at n{seq}: replica {first} executed {} ({first_digest}), replica {second} executed {} ({second_digest})",
                    op(first_op),
                    op(second_op)
                )
            }
            Violation::Order { replica, seq, after } => {
                write!(f, "replica {replica} executed n{seq} right after n{after}")
            }
            Violation::State { seq, first, second } => {
                write!(f, "replicas {first} and {second} hold different states after n{seq}")
            }
            Violation::Duplicate { replica, client, timestamp } => {
                write!(f, "replica {replica} executed request t{timestamp} of client {client} twice")
            }
            Violation::WrongResult { timestamp, op, result } => {
                write!(f, "the client accepted \"{result}\" for request t{timestamp} \"{op}\"")
            }
            Violation::ClientConflict { timestamp, accepted, other } => write!(
                f,
                "the client accepted \"{accepted}\" for request t{timestamp}, then f+1 replicas answered \"{other}\""
            ),
        }
    }
}

/// One thing that happened, at virtual time `time`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// Increasing id (unique within one run).
    pub id: u64,
    /// Virtual time in milliseconds.
    pub time: u64,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum EventKind {
    /// A message left its sender.
    Sent {
        /// Message id (for `dropMessage`).
        msg: u64,
        /// Sender.
        #[serde(serialize_with = "ser_node")]
        from: NodeId,
        /// Receiver.
        #[serde(serialize_with = "ser_node")]
        to: NodeId,
        /// Kind.
        kind: MsgKind,
        /// View, when the message has one.
        view: Option<View>,
        /// Sequence number, when it has one.
        seq: Option<Seq>,
        /// Digest (short), when it has one.
        #[serde(serialize_with = "ser_opt_digest")]
        digest: Option<Digest>,
        /// When it will arrive.
        deliver_at: u64,
        /// The client's timestamp of a REQUEST or a REPLY.
        timestamp: Option<u64>,
        /// The operation of a REQUEST, the result of a REPLY (shared).
        text: Option<Arc<str>>,
        /// How many prepared certificates a VIEW-CHANGE carries, how many
        /// pre-prepares a NEW-VIEW.
        count: Option<u32>,
    },
    /// A message arrived and was handled.
    Delivered {
        /// Message id.
        msg: u64,
        /// Sender.
        #[serde(serialize_with = "ser_node")]
        from: NodeId,
        /// Receiver.
        #[serde(serialize_with = "ser_node")]
        to: NodeId,
        /// Kind.
        kind: MsgKind,
    },
    /// A message was lost.
    Dropped {
        /// Message id.
        msg: u64,
        /// Sender.
        #[serde(serialize_with = "ser_node")]
        from: NodeId,
        /// Receiver.
        #[serde(serialize_with = "ser_node")]
        to: NodeId,
        /// Kind.
        kind: MsgKind,
        /// Why.
        reason: DropReason,
    },
    /// A replica reached a phase for a sequence number.
    Phase {
        /// Replica.
        replica: ReplicaId,
        /// View.
        view: View,
        /// Sequence number.
        seq: Seq,
        /// Digest (short).
        #[serde(serialize_with = "ser_digest")]
        digest: Digest,
        /// Phase.
        phase: Phase,
    },
    /// A replica executed a sequence number.
    Executed {
        /// Replica.
        replica: ReplicaId,
        /// Sequence number.
        seq: Seq,
        /// Digest (short).
        #[serde(serialize_with = "ser_digest")]
        digest: Digest,
        /// Operation (None for a null request).
        op: Option<Arc<str>>,
        /// Client timestamp.
        timestamp: Option<u64>,
        /// Result (None for a null request or a re-executed duplicate).
        result: Option<Arc<str>>,
    },
    /// A replica's checkpoint became stable.
    CheckpointStable {
        /// Replica.
        replica: ReplicaId,
        /// Sequence number.
        seq: Seq,
    },
    /// A replica started a view change.
    ViewChangeStarted {
        /// Replica.
        replica: ReplicaId,
        /// Target view.
        view: View,
        /// Whether the replica is the primary of the view before the target
        /// (it gives up on its own view).
        was_primary: bool,
    },
    /// A replica installed a new view.
    ViewChanged {
        /// Replica.
        replica: ReplicaId,
        /// The view.
        view: View,
        /// Its primary.
        primary: ReplicaId,
    },
    /// A replica caught up by state transfer.
    StateTransferred {
        /// Replica.
        replica: ReplicaId,
        /// Checkpoint installed.
        seq: Seq,
        /// Where the state came from.
        from: ReplicaId,
    },
    /// The client submitted a request.
    Submitted {
        /// The client.
        client: u32,
        /// Timestamp.
        timestamp: u64,
        /// Operation.
        op: Arc<str>,
    },
    /// The client timed out and broadcast a request.
    Retransmitted {
        /// The client.
        client: u32,
        /// Timestamp.
        timestamp: u64,
        /// Attempt number.
        attempt: u32,
    },
    /// The client accepted a result.
    Accepted {
        /// The client.
        client: u32,
        /// Timestamp.
        timestamp: u64,
        /// Operation.
        op: Arc<str>,
        /// Result.
        result: Arc<str>,
        /// View of the replies.
        view: View,
        /// Replicas whose replies matched.
        replicas: Vec<ReplicaId>,
    },
    /// A node rejected an input.
    Rejected {
        /// Who rejected it.
        #[serde(serialize_with = "ser_node")]
        node: NodeId,
        /// Who sent it.
        #[serde(serialize_with = "ser_node")]
        from: NodeId,
        /// Why.
        reason: Reject,
        /// The message refused, when it is the one that was being delivered
        /// (a message kept aside and looked at later has none).
        msg: Option<u64>,
    },
    /// A fault or setting was applied (crash, recover, behaviour, partition,
    /// heal, loss, link latency): the action itself, as recorded.
    Fault {
        /// The action.
        action: Action,
        /// The replica concerned, if one.
        replica: Option<ReplicaId>,
    },
    /// The invariant monitor found a violation.
    Violation {
        /// The violation.
        violation: Violation,
    },
    /// The user delivered a message ([`Action::Deliver`]); its `delivered`
    /// (or `dropped`) event follows.
    Picked {
        /// Message id.
        msg: u64,
        /// Sender.
        #[serde(serialize_with = "ser_node")]
        from: NodeId,
        /// Receiver.
        #[serde(serialize_with = "ser_node")]
        to: NodeId,
        /// Kind.
        kind: MsgKind,
    },
    /// The user fired a timer ([`Action::FireTimer`]); what it does follows.
    Fired {
        /// Whose timer.
        #[serde(serialize_with = "ser_node")]
        node: NodeId,
        /// Which.
        timer: TimerKind,
    },
}

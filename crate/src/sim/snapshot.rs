//! A plain picture of a run, for the page and for tests.

use serde::Serialize;
use crate::vecmap::VecMap;

use super::network::Envelope;
use std::sync::Arc;

use super::{event, Behavior, Delivery, PendingTimer, Simulation, Violation};
use crate::protocol::{Accepted, Digest, LogEntryView, Message, MsgKind, NodeId, ReplicaId, ReplicaSummary, Seq, View};

/// A message in flight, as shown in a snapshot.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InFlight {
    /// Message id.
    pub id: u64,
    /// Kind.
    pub kind: MsgKind,
    /// Sender (replica id, or -1 for the client).
    #[serde(serialize_with = "event::ser_node")]
    pub from: NodeId,
    /// Receiver.
    #[serde(serialize_with = "event::ser_node")]
    pub to: NodeId,
    /// View, if any.
    pub view: Option<View>,
    /// Sequence number, if any.
    pub seq: Option<Seq>,
    /// Digest (short), if any.
    pub digest: Option<String>,
    /// Send time.
    pub sent_at: u64,
    /// Arrival time.
    pub deliver_at: u64,
    /// Compact label.
    pub label: String,
    /// The message's fields in words, for the inspector.
    pub detail: String,
    /// Will be lost on the way (random loss).
    pub lost: bool,
}

/// One executed sequence number at a replica.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExecutedEntry {
    /// Sequence number.
    pub seq: Seq,
    /// Digest (short form: `a3f2`, or `null`).
    #[serde(serialize_with = "short_digest")]
    pub digest: Digest,
    /// Operation; None for a null request.
    pub op: Option<Arc<str>>,
}

fn short_digest<S: serde::Serializer>(d: &Digest, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.short())
}

/// One replica in a snapshot.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSnapshot {
    /// Name.
    pub name: String,
    /// Not crashed.
    pub up: bool,
    /// Behaviour.
    pub behavior: Behavior,
    /// Id, view, status, watermarks, ...: what every driver shows.
    #[serde(flatten)]
    pub summary: ReplicaSummary,
    /// The last executed sequence numbers in order (state transfers leave
    /// gaps): the last [`Snapshot::DEFAULT_TAIL`] unless asked otherwise.
    pub executed: Vec<ExecutedEntry>,
    /// How many sequence numbers this replica executed in all (the length of
    /// its whole `executed` list).
    pub executed_count: usize,
    /// Log entries with their vote counts.
    pub log: Vec<LogEntryView>,
}

/// A request of the client in a snapshot.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutstandingSnapshot {
    /// Timestamp.
    pub timestamp: u64,
    /// Operation.
    pub op: String,
    /// Replies: (replica, result).
    pub replies: Vec<(ReplicaId, String)>,
    /// Largest number of matching replies.
    pub matching: usize,
    /// Needed (f+1).
    pub needed: usize,
}

/// The client in a snapshot.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientSnapshot {
    /// The view the client believes in.
    pub view: View,
    /// The latest accepted results in order (at most [`Client::KEEP_ACCEPTED`](crate::protocol::Client::KEEP_ACCEPTED)).
    pub accepted: Vec<Accepted>,
    /// How many results the client accepted in all.
    pub accepted_count: usize,
    /// Requests not yet accepted.
    pub outstanding: Vec<OutstandingSnapshot>,
}

/// Counters.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Messages sent, by kind.
    pub sent: VecMap<MsgKind, u64>,
    /// Messages delivered.
    pub delivered: u64,
    /// Messages dropped.
    pub dropped: u64,
}

/// A plain picture of the whole run.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Virtual time.
    pub now: u64,
    /// Number of replicas.
    pub n: usize,
    /// Faults tolerated.
    pub f: usize,
    /// Quorum size.
    pub quorum: usize,
    /// Matching prepares needed.
    pub prepares_needed: usize,
    /// Matching commits needed.
    pub commits_needed: usize,
    /// Matching replies the client needs.
    pub replies_needed: usize,
    /// Seed.
    pub seed: u64,
    /// `paper` or `naive`.
    pub quorum_rule: crate::protocol::QuorumRule,
    /// Checkpoint interval K.
    pub checkpoint_interval: u64,
    /// Log window L.
    pub log_window: u64,
    /// Loss rate.
    pub loss: f64,
    /// Continuous load, requests per virtual second (0: off).
    pub load: u32,
    /// Partition group of each replica (all 0 when whole).
    pub partition: Vec<u32>,
    /// Replicas.
    pub replicas: Vec<ReplicaSnapshot>,
    /// The client.
    pub client: ClientSnapshot,
    /// Messages in flight, by id.
    pub in_flight: Vec<InFlight>,
    /// Counters.
    pub stats: Stats,
    /// Safety violations (empty while safety holds; the first
    /// [`Monitor::KEEP_VIOLATIONS`](super::Monitor::KEEP_VIOLATIONS)).
    pub violations: Vec<Violation>,
    /// How many safety violations were found in all.
    pub violation_count: usize,
    /// Whether nothing is in flight and no timer is armed.
    pub idle: bool,
    /// How messages arrive and timers fire: `auto` or `manual`.
    pub delivery: Delivery,
    /// The running timers, each node and kind once (the one due soonest), by due time.
    pub pending_timers: Vec<PendingTimer>,
}

impl Snapshot {
    /// How many entries of each replica's `executed` list a snapshot holds
    /// unless asked for another number.
    pub const DEFAULT_TAIL: usize = 64;
}

impl Simulation {
    // ----- snapshot --------------------------------------------------------

    /// A plain picture of the run, its size bounded whatever the run's
    /// length: each replica's `executed` list holds its last
    /// [`Snapshot::DEFAULT_TAIL`] entries.
    pub fn snapshot(&self) -> Snapshot {
        self.snapshot_with(None)
    }

    /// A plain picture of the run with only the last `executed_tail` entries
    /// of each replica's `executed` list (None: the last
    /// [`Snapshot::DEFAULT_TAIL`]; `Some(usize::MAX)`: all of them, the whole
    /// history, which [`Simulation::executed`] also gives).
    pub fn snapshot_with(&self, executed_tail: Option<usize>) -> Snapshot {
        let tail = executed_tail.unwrap_or(Snapshot::DEFAULT_TAIL);
        let p = &self.cfg.protocol;
        let from: Vec<usize> = self.nodes.iter().map(|node| node.executed.len().saturating_sub(tail)).collect();
        let mut tails = self.executed_from(&from).into_iter();
        let replicas = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let r = &node.replica;
                ReplicaSnapshot {
                    name: self.name(i),
                    up: node.up,
                    behavior: node.behavior,
                    summary: r.summary(),
                    executed: tails.next().unwrap_or_default(),
                    executed_count: node.executed.len(),
                    log: r.log_entries(),
                }
            })
            .collect();
        let client = &self.clients[0];
        let outstanding = client
            .outstanding()
            .into_iter()
            .map(|t| OutstandingSnapshot {
                timestamp: t,
                op: client.op_of(t).unwrap_or_default().to_string(),
                replies: client.replies_for(t),
                matching: client.best_match(t),
                needed: p.weak(),
            })
            .collect();
        Snapshot {
            now: self.now,
            n: p.n,
            f: p.f(),
            quorum: p.quorum(),
            prepares_needed: p.prepare_threshold(),
            commits_needed: p.commit_threshold(),
            replies_needed: p.weak(),
            seed: self.cfg.seed,
            quorum_rule: p.quorum_rule,
            checkpoint_interval: p.checkpoint_interval,
            log_window: p.log_window,
            loss: self.loss,
            load: self.load.rate,
            partition: self.partition.clone(),
            replicas,
            client: ClientSnapshot {
                view: client.view(),
                accepted: client.accepted().into_iter().cloned().collect(),
                accepted_count: client.accepted_count(),
                outstanding,
            },
            in_flight: self.in_flight.values().map(|e| self.in_flight_view(e)).collect(),
            stats: self.stats.clone(),
            violations: self.monitor.violations().to_vec(),
            violation_count: self.monitor.violation_count(),
            idle: self.is_idle(),
            delivery: self.delivery(),
            pending_timers: self.pending_timers(),
        }
    }

    pub(super) fn in_flight_view(&self, e: &Envelope) -> InFlight {
        InFlight {
            id: e.id,
            kind: e.msg.kind(),
            from: e.from,
            to: e.to,
            view: e.msg.view(),
            seq: e.msg.seq(),
            digest: e.msg.digest().map(|d| d.short()),
            sent_at: e.sent_at,
            deliver_at: e.deliver_at,
            label: e.msg.to_string(),
            detail: describe(&e.msg),
            lost: e.lost,
        }
    }

}

/// A message's fields in words, for the inspector.
pub fn describe(m: &Message) -> String {
    let d = |d: Digest| d.short();
    match m {
        Message::Request(r) => format!("REQUEST o=\"{}\" t={} c={} digest={}", r.op, r.timestamp, r.client, d(r.digest())),
        Message::PrePrepare(p) => format!(
            "PRE-PREPARE v={} n={} d={} m={}",
            p.view,
            p.seq,
            d(p.digest),
            p.request.as_ref().map_or("null request".to_string(), |r| format!("\"{}\" (t={})", r.op, r.timestamp))
        ),
        Message::Prepare(p) => format!("PREPARE v={} n={} d={} i={}", p.view, p.seq, d(p.digest), p.replica),
        Message::Commit(c) => format!("COMMIT v={} n={} d={} i={}", c.view, c.seq, d(c.digest), c.replica),
        Message::Reply(r) => format!("REPLY v={} t={} c={} i={} r=\"{}\"", r.view, r.timestamp, r.client, r.replica, r.result),
        Message::Checkpoint(c) => format!("CHECKPOINT n={} d={} i={}", c.seq, d(c.digest), c.replica),
        Message::ViewChange(v) => format!(
            "VIEW-CHANGE v={} n={} |C|={} P=[{}] i={}",
            v.new_view,
            v.stable_seq,
            v.checkpoint_proof.len(),
            v.prepared.iter().map(|c| format!("n{}:{}@v{}", c.pre_prepare.seq, d(c.pre_prepare.digest), c.pre_prepare.view)).collect::<Vec<_>>().join(", "),
            v.replica
        ),
        Message::NewView(nv) => format!(
            "NEW-VIEW v={} V from [{}] O=[{}]",
            nv.view,
            nv.view_changes.iter().map(|v| v.replica.to_string()).collect::<Vec<_>>().join(", "),
            nv.pre_prepares.iter().map(|p| format!("n{}:{}", p.seq, d(p.digest))).collect::<Vec<_>>().join(", ")
        ),
        Message::FetchState(f) => format!("FETCH-STATE n={} i={}", f.seq, f.replica),
        Message::State(s) => format!("STATE n={} d={} i={} ({} keys)", s.seq, d(s.state.digest()), s.replica, s.state.store.len()),
    }
}

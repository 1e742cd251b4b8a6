//! The deterministic simulator: virtual time, an event queue ordered by
//! (time, insertion order), one seeded RNG, a network with per-link latency,
//! loss and partitions, faults, Byzantine behaviours and an invariant monitor.
//!
//! Same configuration + same timed actions = the same run, event for event.

mod byzantine;
mod event;
mod monitor;
mod presets;
mod rng;

pub use byzantine::{forge, rewrite, Behavior, ACCOMPLICE_CLIENT};
pub use event::{node_number, DropReason, Event, EventKind, Violation};
pub use monitor::Monitor;
pub use presets::{preset, Preset, PRESETS};
pub use rng::Rng;

use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fmt;

use crate::protocol::{
    Accepted, Client, ClientOutput, ClientTimer, Config, ConfigError, Digest, LogEntryView, Message,
    MsgKind, NodeId, Output, Replica, ReplicaId, ReplicaStatus, ReplicaTimer, Seq, View,
};

/// Simulator settings. Every field has a documented default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SimConfig {
    /// Protocol parameters (n, K, L, timeouts, quorum rule). Default: n = 4, K = 4, L = 8.
    pub protocol: Config,
    /// Seed of the RNG. Default 1.
    pub seed: u64,
    /// Smallest one-way latency in virtual ms. Default 60.
    pub latency_min: u64,
    /// Largest one-way latency in virtual ms. Default 140.
    pub latency_max: u64,
    /// Probability that a message is lost. Default 0.
    pub loss: f64,
    /// Replica names shown to people. Default `R0`, `R1`, ...
    pub names: Vec<String>,
    /// Number of clients (each with one request outstanding at a time). Default 1.
    pub clients: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig { protocol: Config::default(), seed: 1, latency_min: 60, latency_max: 140, loss: 0.0, names: Vec::new(), clients: 1 }
    }
}

impl SimConfig {
    /// Defaults with `n` replicas and `seed`.
    pub fn new(n: usize, seed: u64) -> SimConfig {
        SimConfig { protocol: Config::with_n(n), seed, ..SimConfig::default() }
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<(), SimError> {
        self.protocol.validate().map_err(SimError::Config)?;
        if self.latency_min == 0 || self.latency_min > self.latency_max || self.latency_max > 60_000 {
            return Err(SimError::Latency(self.latency_min, self.latency_max));
        }
        if !(0.0..=1.0).contains(&self.loss) || self.loss.is_nan() {
            return Err(SimError::Loss(self.loss));
        }
        if self.clients == 0 || self.clients > 64 {
            return Err(SimError::Clients(self.clients));
        }
        if !self.names.is_empty() && self.names.len() != self.protocol.n {
            return Err(SimError::Names(format!("{} names for {} replicas", self.names.len(), self.protocol.n)));
        }
        if let Some(bad) = self.names.iter().find(|s| s.trim().is_empty() || s.chars().count() > 24) {
            return Err(SimError::Names(format!("name \"{}\" must be 1 to 24 characters", bad.chars().take(24).collect::<String>())));
        }
        Ok(())
    }
}

/// Why the simulator refused something.
#[derive(Clone, Debug, PartialEq)]
pub enum SimError {
    /// Invalid protocol parameters.
    Config(ConfigError),
    /// Invalid latency range.
    Latency(u64, u64),
    /// Loss rate outside [0, 1].
    Loss(f64),
    /// Bad replica names.
    Names(String),
    /// Client count outside 1..=64.
    Clients(usize),
    /// A replica id out of range.
    NoSuchReplica {
        /// The id given.
        id: i64,
        /// The number of replicas.
        n: usize,
    },
    /// No message with that id is in flight.
    NoSuchMessage(u64),
    /// An unknown behaviour name.
    Behavior(String),
    /// An unknown preset name.
    Preset(String),
    /// An empty or oversized operation.
    Operation(String),
    /// A partition that is not a list of disjoint groups of replicas.
    Partition(String),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Config(e) => write!(f, "invalid config: {e}"),
            SimError::Latency(lo, hi) => write!(f, "invalid latency range {lo}..{hi} ms: need 1 <= min <= max <= 60000"),
            SimError::Loss(p) => write!(f, "loss rate must be between 0 and 1, got {p}"),
            SimError::Names(why) => write!(f, "invalid names: {why}"),
            SimError::Clients(c) => write!(f, "clients must be between 1 and 64, got {c}"),
            SimError::NoSuchReplica { id, n } => write!(f, "no replica {id}: replica ids go from 0 to {}", n.saturating_sub(1)),
            SimError::NoSuchMessage(id) => write!(f, "no message {id} is in flight"),
            SimError::Behavior(why) => f.write_str(why),
            SimError::Preset(name) => write!(f, "unknown preset \"{name}\"; expected one of: {}", PRESETS.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")),
            SimError::Operation(why) => write!(f, "invalid operation: {why}"),
            SimError::Partition(why) => write!(f, "invalid partition: {why}"),
        }
    }
}

impl std::error::Error for SimError {}

/// Something a user (or a preset, or a permalink) does to the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum Action {
    /// A client submits an operation.
    Request {
        /// The operation.
        op: String,
        /// The client (default 0).
        #[serde(default, skip_serializing_if = "is_zero")]
        client: u32,
    },
    /// Crash a replica.
    Crash {
        /// Replica.
        replica: ReplicaId,
    },
    /// Restart a crashed replica.
    Recover {
        /// Replica.
        replica: ReplicaId,
    },
    /// Change a replica's behaviour.
    SetBehavior {
        /// Replica.
        replica: ReplicaId,
        /// Behaviour.
        behavior: Behavior,
    },
    /// Drop one in-flight message.
    DropMessage {
        /// Message id.
        msg: u64,
    },
    /// Cut the network into groups; the client and unlisted replicas join the first group.
    Partition {
        /// Disjoint groups of replicas.
        groups: Vec<Vec<ReplicaId>>,
    },
    /// Remove every partition.
    Heal,
    /// Set the loss rate.
    SetLoss {
        /// Probability in [0, 1].
        rate: f64,
    },
    /// Set the latency range of the link between two nodes (both directions;
    /// node numbers as in events: replica `i` is `i`, client 0 is `-1`).
    SetLinkLatency {
        /// One end.
        a: i64,
        /// The other end.
        b: i64,
        /// Smallest one-way latency in virtual ms.
        min: u64,
        /// Largest one-way latency in virtual ms.
        max: u64,
    },
}

/// An action at a virtual time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimedAction {
    /// Virtual time (ms) at which it applies, after everything due at that time.
    pub at: u64,
    /// The action.
    #[serde(flatten)]
    pub action: Action,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    Deliver(u64),
    ReplicaTimer(ReplicaId, ReplicaTimer, u64),
    ClientTimer(u32, u64, u64),
}

/// A message in flight.
#[derive(Clone, Debug)]
struct Envelope {
    id: u64,
    from: NodeId,
    to: NodeId,
    msg: Message,
    sent_at: u64,
    deliver_at: u64,
    lost: bool,
}

/// Messages in flight by id. Ids are handed out in order and messages land
/// roughly in order, so a ring of slots indexed by `id - base` beats a map.
#[derive(Clone, Default)]
struct InFlightTable {
    base: u64,
    slots: std::collections::VecDeque<Option<Envelope>>,
    len: usize,
}

impl InFlightTable {
    fn insert(&mut self, e: Envelope) {
        if self.slots.is_empty() {
            self.base = e.id;
        }
        debug_assert_eq!(e.id, self.base + self.slots.len() as u64, "ids are sequential");
        self.slots.push_back(Some(e));
        self.len += 1;
    }
    fn slot(&self, id: u64) -> Option<usize> {
        id.checked_sub(self.base).map(|i| i as usize).filter(|&i| i < self.slots.len())
    }
    fn get(&self, id: u64) -> Option<&Envelope> {
        self.slot(id).and_then(|i| self.slots[i].as_ref())
    }
    fn contains_key(&self, id: u64) -> bool {
        self.get(id).is_some()
    }
    fn remove(&mut self, id: u64) -> Option<Envelope> {
        let i = self.slot(id)?;
        let e = self.slots[i].take()?;
        self.len -= 1;
        while matches!(self.slots.front(), Some(None)) {
            self.slots.pop_front();
            self.base += 1;
        }
        Some(e)
    }
    fn is_empty(&self) -> bool {
        self.len == 0
    }
    fn len(&self) -> usize {
        self.len
    }
    fn values(&self) -> impl Iterator<Item = &Envelope> {
        self.slots.iter().flatten()
    }
}

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
    pub op: Option<String>,
}

fn short_digest<S: serde::Serializer>(d: &Digest, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.short())
}

/// One replica in a snapshot.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSnapshot {
    /// Id.
    pub id: ReplicaId,
    /// Name.
    pub name: String,
    /// Not crashed.
    pub up: bool,
    /// Behaviour.
    pub behavior: Behavior,
    /// `normal` or `view-change`.
    pub status: ReplicaStatus,
    /// Current view.
    pub view: View,
    /// Primary of its current view.
    pub is_primary: bool,
    /// Last executed sequence number.
    pub last_executed: Seq,
    /// Last stable checkpoint (= low watermark).
    pub stable_checkpoint: Seq,
    /// Low watermark h.
    pub low_watermark: Seq,
    /// High watermark H.
    pub high_watermark: Seq,
    /// Current view-change timeout.
    pub timeout: u64,
    /// Requests waiting for execution.
    pub pending: usize,
    /// Executed sequence numbers in order (state transfers leave gaps).
    pub executed: Vec<ExecutedEntry>,
    /// Log entries with their vote counts.
    pub log: Vec<LogEntryView>,
    /// State digest (short).
    pub state_digest: String,
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
    /// Accepted results in order.
    pub accepted: Vec<Accepted>,
    /// Requests not yet accepted.
    pub outstanding: Vec<OutstandingSnapshot>,
}

/// Counters.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Messages sent, by kind.
    pub sent: BTreeMap<MsgKind, u64>,
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
    /// Safety violations (empty while safety holds).
    pub violations: Vec<Violation>,
    /// Whether nothing is in flight and no timer is armed.
    pub idle: bool,
}

#[derive(Clone)]
struct Node {
    replica: Replica,
    up: bool,
    behavior: Behavior,
    ever_faulty: bool,
    timers: [(u64, bool); 3],
    executed: Vec<ExecutedEntry>,
}

/// The simulator. See the crate docs for a walkthrough.
#[derive(Clone)]
pub struct Simulation {
    cfg: SimConfig,
    rng: Rng,
    now: u64,
    queue: BinaryHeap<Reverse<(u64, u64, Item)>>,
    qseq: u64,
    nodes: Vec<Node>,
    clients: Vec<Client>,
    client_timers: BTreeMap<(u32, u64), u64>,
    in_flight: InFlightTable,
    next_msg: u64,
    partition: Vec<u32>,
    /// Per-link latency ranges overriding the default, keyed by (low, high) node number.
    links: BTreeMap<(i64, i64), (u64, u64)>,
    loss: f64,
    events: Vec<Event>,
    next_event: u64,
    record: bool,
    stats: Stats,
    monitor: Monitor,
    actions: Vec<TimedAction>,
    applied: usize,
    timer_gen: u64,
    /// Reused output buffers (one per nesting level of handler calls).
    spare: Vec<Vec<Output>>,
    /// True after seeking back: the recorded future is a replay, and the next
    /// action forks the run (drops it) instead of joining it.
    rewound: bool,
    /// Copies of this run taken every [`Simulation::SAVE_EVERY`] ms of virtual
    /// time (without their own copies), so seeking back replays a short stretch.
    saved: Vec<Simulation>,
    /// Whether copies are saved (off for benchmarks and property tests).
    saving: bool,
}

fn is_zero(c: &u32) -> bool {
    *c == 0
}

impl Simulation {
    /// A new run. Fails on an invalid configuration.
    pub fn new(cfg: SimConfig) -> Result<Simulation, SimError> {
        cfg.validate()?;
        let n = cfg.protocol.n;
        let nodes = (0..n)
            .map(|i| Node {
                replica: Replica::new(i, cfg.protocol.clone()),
                up: true,
                behavior: Behavior::Honest,
                ever_faulty: false,
                timers: [(0, false); 3],
                executed: Vec::new(),
            })
            .collect();
        Ok(Simulation {
            rng: Rng::new(cfg.seed),
            now: 0,
            queue: BinaryHeap::new(),
            qseq: 0,
            nodes,
            clients: (0..cfg.clients as u32).map(|c| Client::new(c, cfg.protocol.clone())).collect(),
            client_timers: BTreeMap::new(),
            in_flight: InFlightTable::default(),
            next_msg: 1,
            partition: vec![0; n],
            links: BTreeMap::new(),
            loss: cfg.loss,
            events: Vec::new(),
            next_event: 1,
            record: true,
            stats: Stats::default(),
            monitor: Monitor::new(n),
            actions: Vec::new(),
            applied: 0,
            timer_gen: 0,
            spare: Vec::new(),
            rewound: false,
            saved: Vec::new(),
            saving: true,
            cfg,
        })
    }

    /// A new run that will apply `actions` (sorted by time) as time reaches them.
    pub fn with_actions(cfg: SimConfig, mut actions: Vec<TimedAction>) -> Result<Simulation, SimError> {
        let mut sim = Simulation::new(cfg)?;
        actions.sort_by_key(|a| a.at);
        for a in &actions {
            sim.check_action(&a.action)?;
        }
        sim.actions = actions;
        Ok(sim)
    }

    /// Stops recording events and saving copies for `seek` (benchmarks,
    /// property tests); counters and the monitor still run.
    pub fn set_recording(&mut self, on: bool) {
        self.record = on;
        self.saving = on;
    }

    // ----- read access -----------------------------------------------------

    /// Virtual time in ms.
    pub fn now(&self) -> u64 {
        self.now
    }
    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }
    /// Number of replicas.
    pub fn n(&self) -> usize {
        self.nodes.len()
    }
    /// Replica `i`'s state machine.
    pub fn replica(&self, i: ReplicaId) -> &Replica {
        &self.nodes[i].replica
    }
    /// Whether replica `i` is up.
    pub fn is_up(&self, i: ReplicaId) -> bool {
        self.nodes[i].up
    }
    /// What replica `i` executed, in order.
    pub fn executed(&self, i: ReplicaId) -> &[ExecutedEntry] {
        &self.nodes[i].executed
    }
    /// Client 0 (the one the page shows).
    pub fn client(&self) -> &Client {
        &self.clients[0]
    }
    /// Client `c`.
    pub fn client_by_id(&self, c: u32) -> Option<&Client> {
        self.clients.get(c as usize)
    }
    /// Safety violations found so far.
    pub fn violations(&self) -> &[Violation] {
        self.monitor.violations()
    }
    /// Counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
    /// Every action applied or scheduled, in time order.
    pub fn actions(&self) -> &[TimedAction] {
        &self.actions
    }
    /// Number of messages in flight.
    pub fn in_flight_len(&self) -> usize {
        self.in_flight.len()
    }
    /// Ids of messages in flight, oldest first.
    pub fn in_flight_ids(&self) -> Vec<u64> {
        self.in_flight.values().map(|e| e.id).collect()
    }
    /// The message with id `id`, if in flight: (from, to, message).
    pub fn in_flight_message(&self, id: u64) -> Option<(NodeId, NodeId, &Message)> {
        self.in_flight.get(id).map(|e| (e.from, e.to, &e.msg))
    }

    /// Nothing in flight, no timer armed, no scheduled action left.
    pub fn is_idle(&self) -> bool {
        self.in_flight.is_empty()
            && self.client_timers.is_empty()
            && self.applied >= self.actions.len()
            && self.nodes.iter().all(|n| n.timers.iter().all(|t| !t.1))
    }

    fn replica_id(&self, id: i64) -> Result<ReplicaId, SimError> {
        if id < 0 || id as usize >= self.nodes.len() {
            Err(SimError::NoSuchReplica { id, n: self.nodes.len() })
        } else {
            Ok(id as usize)
        }
    }

    // ----- user actions ----------------------------------------------------

    fn check_action(&self, a: &Action) -> Result<(), SimError> {
        match a {
            Action::Request { op, client } => {
                if *client as usize >= self.clients.len() {
                    return Err(SimError::Operation(format!("no client {client}")));
                }
                if op.trim().is_empty() {
                    return Err(SimError::Operation("the operation is empty".into()));
                }
                if op.chars().count() > 200 {
                    return Err(SimError::Operation("the operation is longer than 200 characters".into()));
                }
            }
            Action::Crash { replica } | Action::Recover { replica } | Action::SetBehavior { replica, .. } => {
                self.replica_id(*replica as i64)?;
            }
            Action::DropMessage { .. } | Action::Heal => {}
            Action::Partition { groups } => {
                let mut seen = vec![false; self.nodes.len()];
                for g in groups {
                    for &r in g {
                        self.replica_id(r as i64)?;
                        if seen[r] {
                            return Err(SimError::Partition(format!("replica {r} is in two groups")));
                        }
                        seen[r] = true;
                    }
                }
            }
            Action::SetLoss { rate } => {
                if !(0.0..=1.0).contains(rate) || rate.is_nan() {
                    return Err(SimError::Loss(*rate));
                }
            }
            Action::SetLinkLatency { a, b, min, max } => {
                for end in [*a, *b] {
                    let ok = (end >= 0 && (end as usize) < self.nodes.len()) || (end < 0 && ((-1 - end) as usize) < self.clients.len());
                    if !ok {
                        return Err(SimError::NoSuchReplica { id: end, n: self.nodes.len() });
                    }
                }
                if a == b {
                    return Err(SimError::Latency(*min, *max));
                }
                if *min == 0 || min > max || *max > 60_000 {
                    return Err(SimError::Latency(*min, *max));
                }
            }
        }
        Ok(())
    }

    /// Applies an action now and records it, dropping any recorded future: the
    /// run forks here. Its events are returned by the next `advance`, `step`,
    /// `run_until_idle` or `take_events`.
    pub fn act(&mut self, action: Action) -> Result<(), SimError> {
        self.check_action(&action)?;
        if let Action::DropMessage { msg } = action {
            if !self.in_flight.contains_key(msg) {
                return Err(SimError::NoSuchMessage(msg));
            }
        }
        let entry = TimedAction { at: self.now, action: action.clone() };
        if self.rewound {
            // Acting in the past forks a new future: the recorded one is dropped.
            self.actions.truncate(self.applied);
            self.rewound = false;
            let now = self.now;
            self.saved.retain(|s| s.now <= now);
        }
        // Otherwise actions scheduled later (a preset's, a permalink's) stay.
        self.actions.insert(self.applied, entry);
        self.applied += 1;
        self.apply(action);
        Ok(())
    }

    /// Client 0 submits `op`; returns its timestamp.
    pub fn request(&mut self, op: &str) -> Result<u64, SimError> {
        self.request_from(0, op)
    }

    /// Client `client` submits `op`; returns its timestamp.
    pub fn request_from(&mut self, client: u32, op: &str) -> Result<u64, SimError> {
        self.act(Action::Request { op: op.to_string(), client })?;
        Ok(self.clients[client as usize].last_timestamp())
    }

    /// Crashes replica `i`.
    pub fn crash(&mut self, i: i64) -> Result<(), SimError> {
        let replica = self.replica_id(i)?;
        self.act(Action::Crash { replica })
    }
    /// Recovers replica `i`.
    pub fn recover(&mut self, i: i64) -> Result<(), SimError> {
        let replica = self.replica_id(i)?;
        self.act(Action::Recover { replica })
    }
    /// Sets replica `i`'s behaviour by name.
    pub fn set_behavior(&mut self, i: i64, behavior: &str) -> Result<(), SimError> {
        let replica = self.replica_id(i)?;
        let behavior = behavior.parse::<Behavior>().map_err(SimError::Behavior)?;
        self.act(Action::SetBehavior { replica, behavior })
    }
    /// Drops in-flight message `id`.
    pub fn drop_message(&mut self, id: u64) -> Result<(), SimError> {
        self.act(Action::DropMessage { msg: id })
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::Request { op, client } => {
                let mut out = Vec::new();
                let t = self.clients[client as usize].submit(&op, &mut out);
                self.emit(EventKind::Submitted { client, timestamp: t, op });
                self.client_outputs(client, out);
            }
            Action::Crash { replica } => {
                if self.nodes[replica].up {
                    self.nodes[replica].up = false;
                    for t in ReplicaTimer::ALL {
                        self.nodes[replica].timers[t.index()].1 = false;
                    }
                    let name = self.name(replica);
                    self.emit(EventKind::Fault { description: format!("{name} crashed"), replica: Some(replica) });
                }
            }
            Action::Recover { replica } => {
                if !self.nodes[replica].up {
                    self.nodes[replica].up = true;
                    let name = self.name(replica);
                    self.emit(EventKind::Fault { description: format!("{name} recovered"), replica: Some(replica) });
                    let mut out = Vec::new();
                    self.nodes[replica].replica.on_restart(&mut out);
                    self.replica_outputs(replica, out);
                }
            }
            Action::SetBehavior { replica, behavior } => {
                let node = &mut self.nodes[replica];
                node.behavior = behavior;
                node.ever_faulty |= behavior != Behavior::Honest;
                let name = self.name(replica);
                self.emit(EventKind::Fault { description: format!("{name} is now {behavior}: {}", behavior.describe()), replica: Some(replica) });
            }
            Action::DropMessage { msg } => {
                if let Some(e) = self.in_flight.remove(msg) {
                    self.stats.dropped += 1;
                    self.emit(EventKind::Dropped { msg, from: e.from, to: e.to, kind: e.msg.kind(), reason: DropReason::User });
                }
            }
            Action::Partition { groups } => {
                self.partition = vec![0; self.nodes.len()];
                for (g, members) in groups.iter().enumerate() {
                    for &r in members {
                        self.partition[r] = g as u32;
                    }
                }
                let words: Vec<String> = groups
                    .iter()
                    .map(|g| g.iter().map(|&r| self.name(r)).collect::<Vec<_>>().join(" "))
                    .collect();
                self.emit(EventKind::Fault { description: format!("network partitioned: {{{}}}", words.join("} | {")), replica: None });
            }
            Action::Heal => {
                self.partition = vec![0; self.nodes.len()];
                self.emit(EventKind::Fault { description: "network healed".into(), replica: None });
            }
            Action::SetLinkLatency { a, b, min, max } => {
                self.links.insert((a.min(b), a.max(b)), (min, max));
                let name = |x: i64| if x < 0 { "the client".to_string() } else { self.name(x as usize) };
                let description = format!("link {} ↔ {} now takes {min} to {max} ms", name(a), name(b));
                self.emit(EventKind::Fault { description, replica: None });
            }
            Action::SetLoss { rate } => {
                self.loss = rate;
                self.emit(EventKind::Fault { description: format!("loss rate set to {:.0}%", rate * 100.0), replica: None });
            }
        }
    }

    /// The name of replica `i`.
    pub fn name(&self, i: ReplicaId) -> String {
        self.cfg.names.get(i).cloned().unwrap_or_else(|| format!("R{i}"))
    }

    // ----- running ---------------------------------------------------------

    /// The virtual time of the next thing due (message, timer or action).
    pub fn next_instant(&self) -> Option<u64> {
        let item = self.queue.peek().map(|Reverse((t, _, _))| *t);
        match (item, self.next_action_at()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn next_action_at(&self) -> Option<u64> {
        self.actions.get(self.applied).map(|a| a.at)
    }

    /// Processes everything due at the earliest pending instant (actions
    /// after the items of that instant). Returns false when nothing is left.
    fn step_instant(&mut self, limit: u64) -> bool {
        let before = self.now;
        let progressed = self.step_instant_inner(limit);
        if progressed && self.saving {
            self.maybe_save(before);
        }
        progressed
    }

    fn step_instant_inner(&mut self, limit: u64) -> bool {
        let item_t = self.queue.peek().map(|Reverse((t, _, _))| *t);
        let action_t = self.next_action_at();
        match (item_t, action_t) {
            (Some(t), a) if t <= limit && a.is_none_or(|a| t <= a) => {
                self.now = self.now.max(t);
                while let Some(Reverse((t2, _, _))) = self.queue.peek() {
                    if *t2 != t {
                        break;
                    }
                    let Reverse((_, _, item)) = self.queue.pop().expect("peeked");
                    self.process(item);
                }
                true
            }
            (_, Some(a)) if a <= limit => {
                self.now = self.now.max(a);
                while self.next_action_at() == Some(a) {
                    let action = self.actions[self.applied].action.clone();
                    self.applied += 1;
                    self.apply(action);
                }
                true
            }
            _ => false,
        }
    }

    /// Advances virtual time by `ms`, returning the events that happened.
    pub fn advance(&mut self, ms: u64) -> Vec<Event> {
        let target = self.now.saturating_add(ms);
        while self.step_instant(target) {}
        self.now = target;
        self.take_events()
    }

    /// Runs to the next instant at which anything happens.
    pub fn step(&mut self) -> Vec<Event> {
        self.step_instant(u64::MAX);
        self.take_events()
    }

    /// Runs until idle or until `max_ms` of virtual time passed.
    pub fn run_until_idle(&mut self, max_ms: u64) -> Vec<Event> {
        let limit = self.now.saturating_add(max_ms);
        while !self.is_idle() && self.step_instant(limit) {}
        if !self.is_idle() {
            self.now = limit;
        }
        self.take_events()
    }

    /// Runs until `pred` holds (checked after each instant) or `max_ms` passed.
    /// Returns whether it held.
    pub fn run_until(&mut self, max_ms: u64, mut pred: impl FnMut(&Simulation) -> bool) -> bool {
        let limit = self.now.saturating_add(max_ms);
        loop {
            if pred(self) {
                return true;
            }
            if !self.step_instant(limit) {
                self.now = limit;
                return pred(self);
            }
        }
    }

    /// Virtual time between saved copies used by [`Simulation::seek`].
    pub const SAVE_EVERY: u64 = 2_000;

    /// Goes to virtual time `t` by deterministic replay: from the latest
    /// saved copy at or before `t` (or from the start), applying every
    /// recorded action. Seeking back keeps the recorded future, so seeking
    /// forward again replays it; a new action after seeking back forks the run.
    /// Events are not recorded during the replay (they are the ones seen the
    /// first time); use [`Simulation::seek_with_events`] to get them.
    pub fn seek(&mut self, t: u64) {
        if t >= self.now {
            let record = self.record;
            self.record = false;
            self.advance(t - self.now);
            self.record = record;
            self.events.clear();
            return;
        }
        let base = self.saved.iter().rposition(|s| s.now <= t).map(|i| self.saved[i].clone());
        self.replay(base, t, false);
    }

    /// Replays this run from time 0 to `t` and returns every event on the way.
    pub fn seek_with_events(&mut self, t: u64) -> Vec<Event> {
        self.replay(None, t, true)
    }

    /// Replaces this run by a replay of its recorded actions up to `t`, from
    /// `base` (a saved copy at or before `t`) or from the start, recording
    /// events on the way only if asked.
    fn replay(&mut self, base: Option<Simulation>, t: u64, with_events: bool) -> Vec<Event> {
        let mut run = base.unwrap_or_else(|| Simulation::new(self.cfg.clone()).expect("config was validated"));
        run.actions = std::mem::take(&mut self.actions);
        run.saved = std::mem::take(&mut self.saved);
        run.record = with_events && self.record;
        let events = run.advance(t - run.now);
        run.record = self.record;
        run.rewound = t < self.now || self.rewound;
        *self = run;
        events
    }

    /// Keeps a copy of the run each time virtual time crosses a multiple of
    /// `SAVE_EVERY` (at most 256 copies; older ones are thinned out).
    fn maybe_save(&mut self, before: u64) {
        if before / Self::SAVE_EVERY == self.now / Self::SAVE_EVERY {
            return;
        }
        if self.saved.last().is_some_and(|s| s.now >= self.now) {
            return;
        }
        let saved = std::mem::take(&mut self.saved);
        let events = std::mem::take(&mut self.events);
        let copy = self.clone();
        self.saved = saved;
        self.events = events;
        self.saved.push(copy);
        if self.saved.len() > 256 {
            // Keep every other copy: the spacing doubles, the reach stays.
            let mut i = 0;
            self.saved.retain(|_| {
                i += 1;
                i % 2 == 0
            });
        }
    }


    /// Drains the recorded events.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    // ----- internals -------------------------------------------------------

    /// Like `emit`, building the event only when events are recorded (ids
    /// advance either way, so a replay without recording stays in step).
    fn emit_with(&mut self, kind: impl FnOnce() -> EventKind) {
        if self.record {
            self.events.push(Event { id: self.next_event, time: self.now, kind: kind() });
        }
        self.next_event += 1;
    }

    fn emit(&mut self, kind: EventKind) {
        if self.record {
            self.events.push(Event { id: self.next_event, time: self.now, kind });
        }
        self.next_event += 1;
    }

    fn schedule(&mut self, at: u64, item: Item) {
        self.qseq += 1;
        self.queue.push(Reverse((at, self.qseq, item)));
    }

    fn process(&mut self, item: Item) {
        match item {
            Item::Deliver(id) => self.deliver(id),
            Item::ReplicaTimer(r, timer, gen) => {
                let up = self.nodes[r].up;
                let slot = &mut self.nodes[r].timers[timer.index()];
                if slot.0 != gen || !slot.1 || !up {
                    return;
                }
                slot.1 = false;
                let mut out = Vec::new();
                self.nodes[r].replica.on_timer(timer, &mut out);
                self.replica_outputs(r, out);
            }
            Item::ClientTimer(c, t, gen) => {
                if self.client_timers.get(&(c, t)) != Some(&gen) {
                    return;
                }
                self.client_timers.remove(&(c, t));
                let mut out = Vec::new();
                self.clients[c as usize].on_timer(ClientTimer(t), &mut out);
                self.client_outputs(c, out);
            }
        }
    }

    fn linked(&self, a: NodeId, b: NodeId) -> bool {
        let g = |n: NodeId| match n {
            NodeId::Replica(i) => self.partition[i],
            NodeId::Client(_) => 0,
        };
        g(a) == g(b)
    }

    fn deliver(&mut self, id: u64) {
        let Some(e) = self.in_flight.remove(id) else { return };
        let kind = e.msg.kind();
        let reason = if e.lost {
            Some(DropReason::Loss)
        } else if !self.linked(e.from, e.to) {
            Some(DropReason::Partition)
        } else if matches!(e.to, NodeId::Replica(r) if !self.nodes[r].up) {
            Some(DropReason::Crashed)
        } else {
            None
        };
        if let Some(reason) = reason {
            self.stats.dropped += 1;
            self.emit(EventKind::Dropped { msg: id, from: e.from, to: e.to, kind, reason });
            return;
        }
        self.stats.delivered += 1;
        self.emit(EventKind::Delivered { msg: id, from: e.from, to: e.to, kind });
        match e.to {
            NodeId::Replica(r) => {
                let mut out = self.spare.pop().unwrap_or_default();
                self.nodes[r].replica.on_message(e.from, e.msg, &mut out);
                self.replica_outputs(r, out);
            }
            NodeId::Client(c) => {
                if let Message::Reply(reply) = e.msg {
                    let mut out = Vec::new();
                    self.clients[c as usize].on_reply(e.from, reply, &mut out);
                    self.client_outputs(c, out);
                }
            }
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: Message) {
        // Nobody sends to itself; accomplice clients of a faulty primary are not simulated.
        if from == to || matches!(to, NodeId::Client(c) if c as usize >= self.clients.len()) {
            return;
        }
        let id = self.next_msg;
        self.next_msg += 1;
        let (x, y) = (node_number(from), node_number(to));
        let (lo, hi) = self.links.get(&(x.min(y), x.max(y))).copied().unwrap_or((self.cfg.latency_min, self.cfg.latency_max));
        let latency = self.rng.range(lo, hi);
        let lost = self.rng.chance(self.loss);
        let deliver_at = self.now + latency;
        let kind = msg.kind();
        *self.stats.sent.entry(kind).or_default() += 1;
        self.emit_with(|| EventKind::Sent {
            msg: id,
            from,
            to,
            kind,
            view: msg.view(),
            seq: msg.seq(),
            digest: msg.digest().map(|d| d.short()),
            deliver_at,
            label: msg.to_string(),
        });
        self.in_flight.insert(Envelope { id, from, to, msg, sent_at: self.now, deliver_at, lost });
        self.schedule(deliver_at, Item::Deliver(id));
    }

    fn replica_outputs(&mut self, r: ReplicaId, mut out: Vec<Output>) {
        for o in out.drain(..) {
            match o {
                Output::Send { to, msg } => {
                    let behavior = self.nodes[r].behavior;
                    if behavior == Behavior::Honest {
                        self.send(NodeId::Replica(r), to, msg);
                    } else {
                        for m in rewrite(behavior, &self.cfg.protocol, r, to, msg) {
                            self.send(NodeId::Replica(r), to, m);
                        }
                    }
                }
                Output::SetTimer { timer, after } => {
                    self.timer_gen += 1;
                    let gen = self.timer_gen;
                    self.nodes[r].timers[timer.index()] = (gen, true);
                    self.schedule(self.now + after, Item::ReplicaTimer(r, timer, gen));
                }
                Output::CancelTimer(timer) => {
                    self.nodes[r].timers[timer.index()].1 = false;
                }
                Output::Phase { view, seq, digest, phase } => {
                    self.emit_with(|| EventKind::Phase { replica: r, view, seq, digest: digest.short(), phase });
                }
                Output::Executed { seq, digest, request, result, state } => {
                    let honest = !self.nodes[r].ever_faulty;
                    let fresh = match (&request, &result) {
                        (Some(q), Some(_)) => Some((q.client, q.timestamp)),
                        _ => None,
                    };
                    let found = self.monitor.on_executed(r, seq, digest, state, fresh, honest);
                    self.emit_with(|| EventKind::Executed {
                        replica: r,
                        seq,
                        digest: digest.short(),
                        op: request.as_ref().map(|q| q.op.clone()),
                        timestamp: request.as_ref().map(|q| q.timestamp),
                        result,
                    });
                    let entry = ExecutedEntry { seq, digest, op: request.map(|q| q.op) };
                    self.nodes[r].executed.push(entry);
                    for v in found {
                        self.emit(EventKind::Violation { description: v.to_string(), violation: v });
                    }
                }
                Output::CheckpointStable { seq } => self.emit(EventKind::CheckpointStable { replica: r, seq }),
                Output::ViewChangeStarted { view } => self.emit(EventKind::ViewChangeStarted { replica: r, view }),
                Output::NewViewInstalled { view } => {
                    let primary = self.cfg.protocol.primary(view);
                    self.emit(EventKind::ViewChanged { replica: r, view, primary });
                }
                Output::StateTransferred { seq, from } => {
                    self.monitor.on_state_transfer(r, seq);
                    self.emit(EventKind::StateTransferred { replica: r, seq, from });
                }
                Output::Rejected { from, reason } => {
                    self.emit_with(|| EventKind::Rejected { node: NodeId::Replica(r), from, reason });
                }
            }
        }
        self.spare.push(out);
    }

    fn client_outputs(&mut self, c: u32, out: Vec<ClientOutput>) {
        let me = NodeId::Client(c);
        for o in out {
            match o {
                ClientOutput::Send { to, msg } => self.send(me, to, msg),
                ClientOutput::SetTimer { timer, after } => {
                    self.timer_gen += 1;
                    let gen = self.timer_gen;
                    self.client_timers.insert((c, timer.0), gen);
                    self.schedule(self.now + after, Item::ClientTimer(c, timer.0, gen));
                }
                ClientOutput::CancelTimer(timer) => {
                    self.client_timers.remove(&(c, timer.0));
                }
                ClientOutput::Accepted(a) => {
                    let wrong = self.monitor.on_accepted(a.timestamp, &a.op, &a.result);
                    self.emit(EventKind::Accepted {
                        client: c,
                        timestamp: a.timestamp,
                        op: a.op,
                        result: a.result,
                        view: a.view,
                        replicas: a.replicas,
                    });
                    if let Some(v) = wrong {
                        self.emit(EventKind::Violation { description: v.to_string(), violation: v });
                    }
                }
                ClientOutput::Retransmitted { timestamp, attempt } => {
                    self.emit(EventKind::Retransmitted { client: c, timestamp, attempt })
                }
                ClientOutput::Conflict { timestamp, accepted, other } => {
                    if let Some(v) = self.monitor.on_client_conflict(timestamp, accepted, other) {
                        self.emit(EventKind::Violation { description: v.to_string(), violation: v });
                    }
                }
                ClientOutput::Rejected { from, reason } => {
                    self.emit_with(|| EventKind::Rejected { node: me, from, reason });
                }
            }
        }
    }

    // ----- snapshot --------------------------------------------------------

    /// A plain picture of the run.
    pub fn snapshot(&self) -> Snapshot {
        self.snapshot_with(None)
    }

    /// A plain picture of the run with only the last `executed_tail` entries
    /// of each replica's `executed` list (None: all of them).
    pub fn snapshot_with(&self, executed_tail: Option<usize>) -> Snapshot {
        let p = &self.cfg.protocol;
        let replicas = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let r = &node.replica;
                ReplicaSnapshot {
                    id: i,
                    name: self.name(i),
                    up: node.up,
                    behavior: node.behavior,
                    status: r.status(),
                    view: r.view(),
                    is_primary: r.is_primary(),
                    last_executed: r.last_executed(),
                    stable_checkpoint: r.low_watermark(),
                    low_watermark: r.low_watermark(),
                    high_watermark: r.high_watermark(),
                    timeout: r.current_timeout(),
                    pending: r.pending_len(),
                    executed: match executed_tail {
                        Some(k) => node.executed[node.executed.len().saturating_sub(k)..].to_vec(),
                        None => node.executed.clone(),
                    },
                    log: r.log_entries(),
                    state_digest: r.app().digest().short(),
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
            partition: self.partition.clone(),
            replicas,
            client: ClientSnapshot { view: client.view(), accepted: client.accepted().to_vec(), outstanding },
            in_flight: self.in_flight.values().map(|e| self.in_flight_view(e)).collect(),
            stats: self.stats.clone(),
            violations: self.monitor.violations().to_vec(),
            idle: self.is_idle(),
        }
    }

    fn in_flight_view(&self, e: &Envelope) -> InFlight {
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

//! The driver: one task owns this node's [`Replica`] and [`Client`], feeds
//! them messages and fired timers, and performs their outputs with real
//! sockets and real time (milliseconds). It is the simulator's job done for
//! real; the protocol decisions all stay in [`crate::protocol`].

use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{sleep_until, Instant};

use crate::protocol::{
    Accepted, Client, ClientId, ClientOutput, ClientTimer, Config, Keys, LogEntryView, ReplicaClient, Message, MsgKind,
    NodeId, Output, Replica, ReplicaId, ReplicaStatus, ReplicaSummary, ReplicaTimer, Seq, TimerSlots, View,
};

use crate::sim::{EventKind, TimerKind};

use super::config::Cluster;
use super::peer::{Link, LinkView, Outgoing};
use super::stream::Hub;
use super::wal::{Record, RecordRef, Wal};
use super::wire::{node_of, Envelope};

/// Requests one node's client may hold (waiting or queued) before `/req` answers 503.
pub const MAX_WAITING: usize = 1024;
/// How long an accepted result waits for the local replica to report its
/// sequence number before it is answered without one.
const SEQ_GRACE: Duration = Duration::from_millis(100);
/// Own-client executions remembered for their sequence numbers.
const KEEP_SEQS: usize = 4096;
/// Events handled before one `fsync` covers them all (group commit).
const BATCH: usize = 64;

/// What the HTTP side asks of the driver.
#[derive(Debug)]
pub enum Event {
    /// Authenticated messages from a peer.
    Inbound(Vec<Envelope>),
    /// `GET /req?op`: submit `op` through this node's client.
    Submit {
        /// The operation.
        op: String,
        /// Where the outcome goes.
        reply: oneshot::Sender<Outcome>,
    },
    /// `GET /status`.
    Status(oneshot::Sender<Box<Status>>),
}

/// The outcome of a request submitted through `/req`.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// f+1 replicas replied with the same result.
    Accepted(Answer),
    /// No f+1 matching replies within the bound.
    NoQuorum(NoQuorum),
    /// Too many requests are waiting at this node.
    Busy {
        /// Why.
        error: String,
    },
}

/// A result accepted by this node's client.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// The operation.
    pub op: String,
    /// The result f+1 replicas agree on.
    pub result: String,
    /// The view of the matching replies (as the client's [`Accepted`] reports it).
    pub view: View,
    /// The sequence number the request executed at, as this node's replica
    /// saw it; `None` when that replica has not executed it (yet).
    pub seq: Option<Seq>,
    /// The client's timestamp of the request.
    pub timestamp: u64,
    /// The client (this node's name).
    pub client: String,
    /// The replicas whose matching replies decided it.
    pub replicas: Vec<String>,
    /// Milliseconds from submission to acceptance.
    pub latency_ms: f64,
}

/// Why a request got no result in time.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoQuorum {
    /// Plain-words explanation.
    pub error: String,
    /// The operation.
    pub op: String,
    /// The client's timestamp of the request.
    pub timestamp: u64,
    /// Matching replies needed (f+1).
    pub needed: usize,
    /// The most matching replies any one result got.
    pub best_match: usize,
    /// Replies received: (replica, result).
    pub replies: Vec<(String, String)>,
    /// How long the node waited, ms.
    pub waited_ms: u64,
}

/// `GET /status`: this replica's state, its client and its links.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// This node's name.
    pub node: String,
    /// Its replica id.
    pub replica: ReplicaId,
    /// Cluster size.
    pub n: usize,
    /// Faults tolerated.
    pub f: usize,
    /// The primary of its view.
    pub primary: String,
    /// Its ed25519 public key (hex): what its signatures verify under.
    pub public_key: String,
    /// View, status, watermarks, ... (the summary every driver shows; `timeout` in ms).
    #[serde(flatten)]
    pub summary: ReplicaSummary,
    /// The log above h.
    pub log: Vec<LogEntryView>,
    /// Number of keys in the replicated store.
    pub store_size: usize,
    /// The store (first 100 keys).
    pub store: Vec<(String, String)>,
    /// This node's client.
    pub client: ClientStatus,
    /// The other nodes and the state of the links to them.
    pub peers: Vec<PeerStatus>,
    /// Message counters.
    pub stats: Stats,
    /// The replica's log on disk (`--data-dir`); none: its state lives in memory only.
    pub durability: Option<Durability>,
    /// Clients of `/events` now.
    pub event_subscribers: usize,
    /// Protocol parameters.
    pub config: Config,
    /// Milliseconds since this process started.
    pub uptime_ms: u64,
}

/// The client part of [`Status`].
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientStatus {
    /// Client id (= replica id of this node).
    pub id: ClientId,
    /// The view the client believes in.
    pub view: View,
    /// Timestamps sent and not yet accepted.
    pub outstanding: Vec<u64>,
    /// Requests waiting for their turn.
    pub queued: usize,
    /// Results accepted since start.
    pub accepted: usize,
    /// HTTP requests waiting for a result.
    pub waiting: usize,
}

/// The durable part of [`Status`].
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Durability {
    /// The log file.
    pub wal: String,
    /// Records in it.
    pub records: u64,
    /// Its size in bytes.
    pub bytes: u64,
    /// `fsync` calls since the start.
    pub syncs: u64,
    /// What the start recovered from it.
    pub recovered: Recovered,
}

/// What a node recovered from its log when it started.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recovered {
    /// Inputs replayed.
    pub records: u64,
    /// Restarts among them (earlier lives of this replica).
    pub restarts: u64,
    /// The replica's view after the replay.
    pub view: View,
    /// Its last executed sequence number after the replay.
    pub last_executed: Seq,
    /// Its stable checkpoint after the replay.
    pub stable_checkpoint: Seq,
    /// Milliseconds the replay took.
    pub ms: f64,
}

/// One peer in [`Status`].
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerStatus {
    /// Name.
    pub name: String,
    /// Address.
    pub addr: String,
    /// Its ed25519 public key (hex).
    pub public_key: String,
    /// The link to it.
    #[serde(flatten)]
    pub link: LinkView,
}

/// Message counters of a node.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Messages sent, by kind.
    pub sent: BTreeMap<MsgKind, u64>,
    /// Messages received, by kind.
    pub received: BTreeMap<MsgKind, u64>,
    /// Inputs the state machines rejected.
    pub rejected: u64,
    /// Results accepted by the client.
    pub accepted: u64,
    /// `/req` answered 503.
    pub no_quorum: u64,
}

struct Waiter {
    op: String,
    reply: oneshot::Sender<Outcome>,
    started: Instant,
    deadline: Instant,
}

/// The driver of one node.
pub struct Runner {
    me: ReplicaId,
    cluster: Arc<Cluster>,
    replica: Replica,
    client: Client,
    links: Vec<Option<Link>>,
    replica_deadlines: TimerSlots<Instant>,
    client_deadlines: BTreeMap<u64, Instant>,
    /// HTTP requests waiting for their result, by client timestamp.
    waiters: BTreeMap<u64, Waiter>,
    /// Accepted results waiting for the local sequence number.
    held: BTreeMap<u64, (Accepted, Waiter, Instant)>,
    /// Sequence numbers at which this node's client's requests executed here.
    seqs: BTreeMap<u64, Seq>,
    /// Messages between this node's client and replica (never on the network).
    local: VecDeque<(u64, NodeId, NodeId, Message)>,
    stats: Stats,
    started: Instant,
    request_timeout: Duration,
    /// The replica's outputs not yet performed: they wait until the inputs
    /// that caused them are on disk. With the id of the message being
    /// handled when they were made.
    pending: Vec<(Option<u64>, Output)>,
    /// The message being handled: (id, sender).
    handling: Option<(u64, NodeId)>,
    /// The next id of a message this node sends.
    next_msg: u64,
    wal: Option<Wal>,
    /// Records to replay at the start.
    replay: Vec<Record>,
    recovered: Recovered,
    hub: Hub,
}

impl Runner {
    /// A driver for replica `me` of `cluster`, with links to every peer; the
    /// replica signs and verifies with `keys` (an [`Ed25519Keys`](super::Ed25519Keys)).
    /// The client's timestamps start at `clock`, e.g. microseconds since the epoch.
    ///
    /// With `wal` (the log and the records it held), the replica replays
    /// those records before anything else and logs every input from then on;
    /// `hub` publishes its events.
    pub fn new(
        me: ReplicaId,
        cluster: Arc<Cluster>,
        links: Vec<Option<Link>>,
        clock: u64,
        keys: Keys,
        wal: Option<(Wal, Vec<Record>)>,
        hub: Hub,
    ) -> Runner {
        let cfg = cluster.protocol.clone();
        let (wal, replay) = match wal {
            Some((w, r)) => (Some(w), r),
            None => (None, Vec::new()),
        };
        Runner {
            pending: Vec::new(),
            handling: None,
            next_msg: clock,
            wal,
            replay,
            recovered: Recovered::default(),
            hub,
            me,
            replica: Replica::with_keys(me, cfg.clone(), keys.clone()),
            client: Client::with_last_timestamp(me as ClientId, cfg, clock).with_key(Arc::new(ReplicaClient(keys))),
            links,
            replica_deadlines: TimerSlots::new(),
            client_deadlines: BTreeMap::new(),
            waiters: BTreeMap::new(),
            held: BTreeMap::new(),
            seqs: BTreeMap::new(),
            local: VecDeque::new(),
            stats: Stats::default(),
            started: Instant::now(),
            request_timeout: Duration::from_millis(cluster.request_timeout_ms),
            cluster,
        }
    }

    /// Runs until every sender of `rx` is gone.
    pub async fn run(mut self, mut rx: mpsc::Receiver<Event>) {
        self.recover();
        self.log_input(RecordRef::Restart);
        let mut out = Vec::new();
        self.replica.on_restart(&mut out);
        self.replica_outputs(out);
        self.settle();
        loop {
            let next = self.next_deadline().unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                ev = rx.recv() => match ev {
                    Some(ev) => {
                        self.handle_one(ev);
                        // What else is waiting joins this batch: one fsync for all.
                        for _ in 1..BATCH {
                            match rx.try_recv() {
                                Ok(ev) => self.handle_one(ev),
                                Err(_) => break,
                            }
                        }
                    }
                    None => break,
                },
                _ = sleep_until(next) => {}
            }
            self.fire_due(Instant::now());
        }
    }

    // ----- durability ----------------------------------------------------------

    /// Replays the log's records through the replica: it is back in the
    /// state it was in when the last record was written. The outputs are
    /// dropped: they were performed (or lost with the crash) in the earlier life.
    fn recover(&mut self) {
        let records = std::mem::take(&mut self.replay);
        if self.wal.is_none() {
            return;
        }
        let t0 = Instant::now();
        let mut out = Vec::new();
        let mut restarts = 0;
        let n = records.len() as u64;
        for r in records {
            match r {
                Record::Restart => {
                    restarts += 1;
                    self.replica.on_restart(&mut out);
                }
                Record::Deliver { from, msg } => self.replica.on_message(from, msg, &mut out),
                Record::Timer { timer } => {
                    if let Some(t) = Record::timer(timer) {
                        self.replica.on_timer(t, &mut out);
                    }
                }
            }
            out.clear();
        }
        let s = self.replica.summary();
        self.recovered = Recovered {
            records: n,
            restarts,
            view: s.view,
            last_executed: s.last_executed,
            stable_checkpoint: s.stable_checkpoint,
            ms: t0.elapsed().as_secs_f64() * 1000.0,
        };
        if let Some(w) = &self.wal {
            let r = &self.recovered;
            tracing::info!(
                target: "pbft::wal",
                "{:<13} recovered from {}: {} inputs replayed in {:.1} ms ({} earlier starts): view {}, last executed n{}, stable checkpoint n{}",
                self.label(self.me_replica()),
                w.path().display(),
                r.records,
                r.ms,
                r.restarts,
                r.view,
                r.last_executed,
                r.stable_checkpoint
            );
        }
    }

    /// Appends one input of the replica to the log, before it is handled.
    fn log_input(&mut self, r: RecordRef<'_>) {
        if let Some(w) = &mut self.wal {
            if let Err(e) = w.append(&r) {
                fatal(&e);
            }
        }
    }

    /// Performs what the replica decided, once the inputs behind it are on
    /// disk, and delivers the messages between this node's client and replica;
    /// until nothing is left.
    fn settle(&mut self) {
        loop {
            if !self.pending.is_empty() {
                if let Some(w) = &mut self.wal {
                    if let Err(e) = w.sync() {
                        fatal(&e);
                    }
                }
                for (handling, o) in std::mem::take(&mut self.pending) {
                    self.perform(handling, o);
                }
            }
            match self.local.pop_front() {
                Some((id, from, to, msg)) => self.deliver(id, from, to, msg),
                None if self.pending.is_empty() => break,
                None => {}
            }
        }
    }

    // ----- labels ----------------------------------------------------------

    fn label(&self, id: NodeId) -> String {
        let name = |i: usize| self.cluster.names.get(i).cloned().unwrap_or_else(|| format!("#{i}"));
        match id {
            NodeId::Replica(i) => name(i),
            NodeId::Client(c) => format!("{}/client", name(c as usize)),
        }
    }

    fn name(&self, i: ReplicaId) -> &str {
        self.cluster.names.get(i).map_or("?", |s| s.as_str())
    }

    fn me_replica(&self) -> NodeId {
        NodeId::Replica(self.me)
    }

    fn me_client(&self) -> NodeId {
        NodeId::Client(self.me as ClientId)
    }

    // ----- events ------------------------------------------------------------

    /// Handles one event and performs what follows from it.
    pub fn handle(&mut self, ev: Event) {
        self.handle_one(ev);
        self.settle();
    }

    fn handle_one(&mut self, ev: Event) {
        match ev {
            Event::Inbound(envs) => {
                for e in envs {
                    self.deliver(e.id, e.from, e.to, e.msg);
                }
            }
            Event::Submit { op, reply } => self.submit(op, reply),
            Event::Status(reply) => {
                let _ = reply.send(Box::new(self.status()));
            }
        }
    }

    fn submit(&mut self, op: String, reply: oneshot::Sender<Outcome>) {
        // Bound both the HTTP requests waiting and the client's own queue (a
        // request whose HTTP answer timed out stays queued in the client).
        if self.waiters.len() + self.held.len() >= MAX_WAITING || self.client.queued() >= MAX_WAITING {
            let error = format!("{} requests are already waiting at {}; try again later", MAX_WAITING, self.name(self.me));
            let _ = reply.send(Outcome::Busy { error });
            return;
        }
        let mut out = Vec::new();
        let t = self.client.submit(op.as_str(), &mut out);
        tracing::info!(target: "pbft::client", "{:<13} new request t{t} {op:?}", self.label(self.me_client()));
        let client = self.me as u32;
        self.hub.emit(|| EventKind::Submitted { client, timestamp: t, op: op.as_str().into() });
        let now = Instant::now();
        self.waiters.insert(t, Waiter { op, reply, started: now, deadline: now + self.request_timeout });
        self.client_outputs(out);
    }

    fn deliver(&mut self, id: u64, from: NodeId, to: NodeId, msg: Message) {
        tracing::info!(target: "pbft::msg", "{:<13} <- {:<13} {}", self.label(to), self.label(from), msg);
        let kind = msg.kind();
        *self.stats.received.entry(kind).or_default() += 1;
        self.hub.emit(|| EventKind::Delivered { msg: id, from, to, kind });
        self.handling = Some((id, from));
        match to {
            NodeId::Replica(_) => {
                self.log_input(RecordRef::Deliver { from, msg: &msg });
                let mut out = Vec::new();
                self.replica.on_message(from, msg, &mut out);
                self.replica_outputs(out);
            }
            NodeId::Client(_) => match msg {
                Message::Reply(reply) => {
                    let mut out = Vec::new();
                    self.client.on_reply(from, reply, &mut out);
                    self.client_outputs(out);
                }
                other => {
                    self.stats.rejected += 1;
                    tracing::info!(target: "pbft::reject", "{:<13} rejected {} from {}: a client takes only replies", self.label(to), other.kind().as_str(), self.label(from));
                }
            },
        }
        self.handling = None;
    }

    /// Sends `msg` from one of this node's principals.
    fn route(&mut self, from: NodeId, to: NodeId, msg: Message) {
        let k = node_of(to);
        if k >= self.cluster.n() {
            tracing::warn!(target: "pbft::net", "{:<13} has no address for {to}; dropped {msg}", self.label(from));
            return;
        }
        tracing::info!(target: "pbft::msg", "{:<13} -> {:<13} {}", self.label(from), self.label(to), msg);
        *self.stats.sent.entry(msg.kind()).or_default() += 1;
        let id = self.next_msg;
        self.next_msg += 1;
        self.hub.emit(|| sent_event(id, from, to, &msg));
        if k == self.me {
            self.local.push_back((id, from, to, msg));
        } else if let Some(link) = &self.links[k] {
            link.send(Outgoing { id, from, to, msg });
        }
    }

    // ----- outputs -------------------------------------------------------------

    /// Keeps the replica's outputs until [`Runner::settle`] performs them.
    fn replica_outputs(&mut self, out: Vec<Output>) {
        let h = self.handling.map(|h| h.0);
        self.pending.extend(out.into_iter().map(|o| (h, o)));
    }

    fn perform(&mut self, handling: Option<u64>, o: Output) {
        let me = self.me_replica();
        let r = self.me;
        {
            match o {
                Output::Send { to, msg } => self.route(me, to, msg),
                Output::SetTimer { .. } | Output::CancelTimer(_) => {
                    self.replica_deadlines.apply(&o, |after| Instant::now() + Duration::from_millis(after));
                }
                Output::Phase { view, seq, digest, phase } => {
                    tracing::debug!(target: "pbft::phase", "{:<13} v{view} n{seq} {digest} {phase:?}", self.label(me));
                    self.hub.emit(|| EventKind::Phase { replica: r, view, seq, digest, phase });
                }
                Output::Executed { seq, digest, request, result, .. } => {
                    self.hub.emit(|| EventKind::Executed {
                        replica: r,
                        seq,
                        digest,
                        op: request.as_ref().map(|q| q.op.clone()),
                        timestamp: request.as_ref().map(|q| q.timestamp),
                        result: result.clone(),
                    });
                    let what = match (&request, &result) {
                        (Some(r), Some(res)) => format!("{:?} from {} t{} -> {res:?}", r.op, self.label(NodeId::Client(r.client)), r.timestamp),
                        (Some(r), None) => format!("{:?} t{} (executed before; cached reply resent)", r.op, r.timestamp),
                        (None, _) => "null request".to_string(),
                    };
                    tracing::info!(target: "pbft::exec", "{:<13} executed n{seq} {digest}: {what}", self.label(me));
                    if let Some(r) = request.filter(|r| r.client == self.me as ClientId) {
                        self.own_executed(r.timestamp, seq);
                    }
                }
                Output::CheckpointStable { seq } => {
                    self.hub.emit(|| EventKind::CheckpointStable { replica: r, seq });
                    tracing::info!(target: "pbft::checkpoint", "{:<13} checkpoint n{seq} is stable; log garbage-collected up to n{seq}", self.label(me));
                }
                Output::ViewChangeStarted { view } => {
                    let was_primary = view > 0 && self.cluster.protocol.primary(view - 1) == r;
                    self.hub.emit(|| EventKind::ViewChangeStarted { replica: r, view, was_primary });
                    let primary = self.name(self.cluster.protocol.primary(view)).to_string();
                    tracing::warn!(target: "pbft::view", "{:<13} VIEW CHANGE: moving to view {view} (primary {primary})", self.label(me));
                }
                Output::NewViewInstalled { view } => {
                    let p = self.cluster.protocol.primary(view);
                    self.hub.emit(|| EventKind::ViewChanged { replica: r, view, primary: p });
                    let primary = self.name(p).to_string();
                    tracing::warn!(target: "pbft::view", "{:<13} NEW VIEW {view} installed (primary {primary})", self.label(me));
                }
                Output::StateTransferred { seq, from } => {
                    self.hub.emit(|| EventKind::StateTransferred { replica: r, seq, from });
                    let from = self.name(from).to_string();
                    tracing::info!(target: "pbft::state", "{:<13} state transfer: installed the state of checkpoint n{seq} from {from}", self.label(me));
                }
                Output::Rejected { from, reason } => {
                    self.stats.rejected += 1;
                    tracing::info!(target: "pbft::reject", "{:<13} rejected input from {}: {reason}", self.label(me), self.label(from));
                    self.hub.emit(|| EventKind::Rejected { node: me, from, reason, msg: handling });
                }
            }
        }
    }

    fn client_outputs(&mut self, out: Vec<ClientOutput>) {
        let me = self.me_client();
        for o in out {
            match o {
                ClientOutput::Send { to, msg } => self.route(me, to, msg),
                ClientOutput::SetTimer { timer, after } => {
                    self.client_deadlines.insert(timer.0, Instant::now() + Duration::from_millis(after));
                }
                ClientOutput::CancelTimer(timer) => {
                    self.client_deadlines.remove(&timer.0);
                }
                ClientOutput::Accepted(a) => {
                    let client = self.me as u32;
                    self.hub.emit(|| EventKind::Accepted {
                        client,
                        timestamp: a.timestamp,
                        op: a.op.clone(),
                        result: a.result.clone(),
                        view: a.view,
                        replicas: a.replicas.clone(),
                    });
                    self.accepted(a)
                }
                ClientOutput::Retransmitted { timestamp, attempt } => {
                    let client = self.me as u32;
                    self.hub.emit(|| EventKind::Retransmitted { client, timestamp, attempt });
                    tracing::warn!(target: "pbft::client", "{:<13} no result for t{timestamp} yet: broadcast it to every replica (attempt {attempt})", self.label(me));
                }
                ClientOutput::Conflict { timestamp, accepted, other } => {
                    tracing::error!(target: "pbft::client", "{:<13} CONFLICT for t{timestamp}: accepted {accepted:?}, but f+1 replicas also vouch for {other:?}", self.label(me));
                }
                ClientOutput::Rejected { from, reason } => {
                    self.stats.rejected += 1;
                    tracing::info!(target: "pbft::reject", "{:<13} rejected reply from {}: {reason}", self.label(me), self.label(from));
                    let msg = self.handling.filter(|h| h.1 == from).map(|h| h.0);
                    self.hub.emit(|| EventKind::Rejected { node: me, from, reason, msg });
                }
            }
        }
    }

    fn accepted(&mut self, a: Accepted) {
        self.stats.accepted += 1;
        let who: Vec<&str> = a.replicas.iter().map(|&r| self.name(r)).collect();
        tracing::info!(target: "pbft::client", "{:<13} accepted t{} {:?} -> {:?} (view {}, replies from {})", self.label(self.me_client()), a.timestamp, a.op, a.result, a.view, who.join(", "));
        let Some(w) = self.waiters.remove(&a.timestamp) else { return };
        // The local replica usually executed the request before f+1 replies
        // arrived; if it is in step but a message behind, wait briefly for
        // its sequence number. If it is behind (restarted, changing view), don't.
        let in_step = self.replica.status() == ReplicaStatus::Normal && self.replica.view() == a.view;
        match self.seqs.get(&a.timestamp) {
            Some(&seq) => self.answer(a, w, Some(seq)),
            None if !in_step => self.answer(a, w, None),
            None => {
                let deadline = Instant::now() + SEQ_GRACE;
                self.held.insert(a.timestamp, (a, w, deadline));
            }
        }
    }

    fn own_executed(&mut self, t: u64, seq: Seq) {
        if let Some((a, w, _)) = self.held.remove(&t) {
            return self.answer(a, w, Some(seq));
        }
        self.seqs.insert(t, seq);
        while self.seqs.len() > KEEP_SEQS {
            self.seqs.pop_first();
        }
    }

    fn answer(&mut self, a: Accepted, w: Waiter, seq: Option<Seq>) {
        let answer = Answer {
            op: a.op.to_string(),
            result: a.result.to_string(),
            view: a.view,
            seq,
            timestamp: a.timestamp,
            client: self.name(self.me).to_string(),
            replicas: a.replicas.iter().map(|&r| self.name(r).to_string()).collect(),
            latency_ms: w.started.elapsed().as_secs_f64() * 1000.0,
        };
        let _ = w.reply.send(Outcome::Accepted(answer));
    }

    // ----- time --------------------------------------------------------------------

    fn next_deadline(&self) -> Option<Instant> {
        // Waiters and held results are in timestamp order with a common
        // timeout, so the first of each expires first.
        self.replica_deadlines
            .running()
            .map(|(_, d)| d)
            .chain(self.client_deadlines.values().copied())
            .chain(self.waiters.values().next().map(|w| w.deadline))
            .chain(self.held.values().next().map(|h| h.2))
            .min()
    }

    /// Runs every timer that is due at `now`.
    pub fn fire_due(&mut self, now: Instant) {
        for timer in ReplicaTimer::ALL {
            if self.replica_deadlines.get(timer).is_some_and(|d| d <= now) {
                self.replica_deadlines.cancel(timer);
                let node = self.me_replica();
                self.hub.emit(|| EventKind::Fired { node, timer: TimerKind::of_replica(timer) });
                self.log_input(RecordRef::Timer { timer: timer.index() });
                let mut out = Vec::new();
                self.replica.on_timer(timer, &mut out);
                self.replica_outputs(out);
            }
        }
        let due: Vec<u64> = self.client_deadlines.iter().filter(|(_, &d)| d <= now).map(|(&t, _)| t).collect();
        for t in due {
            self.client_deadlines.remove(&t);
            let node = self.me_client();
            self.hub.emit(|| EventKind::Fired { node, timer: TimerKind::Retransmit });
            let mut out = Vec::new();
            self.client.on_timer(ClientTimer(t), &mut out);
            self.client_outputs(out);
        }
        while let Some(entry) = self.waiters.first_entry() {
            if entry.get().deadline > now {
                break;
            }
            let (t, w) = entry.remove_entry();
            self.no_quorum(t, w);
        }
        while let Some(entry) = self.held.first_entry() {
            if entry.get().2 > now {
                break;
            }
            let (a, w, _) = entry.remove();
            self.answer(a, w, None);
        }
        self.settle();
    }

    fn no_quorum(&mut self, t: u64, w: Waiter) {
        self.stats.no_quorum += 1;
        let needed = self.cluster.protocol.weak();
        let best_match = self.client.best_match(t);
        let replies: Vec<(String, String)> =
            self.client.replies_for(t).into_iter().map(|(r, res)| (self.name(r).to_string(), res)).collect();
        let waited = w.started.elapsed();
        let error = format!(
            "no quorum: {best_match} of the {needed} matching replies needed arrived within {:.1} s \
             (are fewer than {} of the {} replicas up?). The request stays queued at {} and may still execute later.",
            waited.as_secs_f64(),
            self.cluster.protocol.quorum(),
            self.cluster.n(),
            self.name(self.me),
        );
        tracing::warn!(target: "pbft::client", "{:<13} t{t} {:?}: {error}", self.label(self.me_client()), w.op);
        let nq = NoQuorum { error, op: w.op, timestamp: t, needed, best_match, replies, waited_ms: waited.as_millis() as u64 };
        let _ = w.reply.send(Outcome::NoQuorum(nq));
    }

    // ----- status ---------------------------------------------------------------------

    /// The state shown by `GET /status`.
    pub fn status(&self) -> Status {
        let r = &self.replica;
        let cfg = r.config();
        let app = r.app();
        let peers = (0..self.cluster.n())
            .filter(|&i| i != self.me)
            .map(|i| PeerStatus {
                name: self.cluster.names[i].clone(),
                addr: self.cluster.host_names[i].clone(),
                public_key: super::keys::public_hex(self.cluster.public_key(i)),
                link: self.links[i].as_ref().map(|l| l.stats.view()).unwrap_or_else(|| super::peer::LinkStats::default().view()),
            })
            .collect();
        Status {
            node: self.name(self.me).to_string(),
            replica: self.me,
            n: cfg.n,
            f: cfg.f(),
            primary: self.name(cfg.primary(r.view())).to_string(),
            public_key: super::keys::public_hex(self.cluster.public_key(self.me)),
            summary: r.summary(),
            log: r.log_entries(),
            store_size: app.store.len(),
            store: app.store.iter().take(100).map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            client: ClientStatus {
                id: self.client.id(),
                view: self.client.view(),
                outstanding: self.client.outstanding(),
                queued: self.client.queued(),
                accepted: self.stats.accepted as usize,
                waiting: self.waiters.len() + self.held.len(),
            },
            peers,
            stats: self.stats.clone(),
            durability: self.wal.as_ref().map(|w| Durability {
                wal: w.path().display().to_string(),
                records: w.records,
                bytes: w.bytes,
                syncs: w.syncs,
                recovered: self.recovered.clone(),
            }),
            event_subscribers: self.hub.sender().receiver_count(),
            config: cfg.clone(),
            uptime_ms: self.started.elapsed().as_millis() as u64,
        }
    }
}

/// A replica that cannot write its log must not go on: what it would send
/// next could promise something a restart forgets.
fn fatal(e: &str) -> ! {
    tracing::error!(target: "pbft::wal", "cannot write the replica's log: {e}; stopping");
    std::process::exit(3);
}

/// The `sent` event of a message (as the simulator's, with `deliverAt` = now).
fn sent_event(id: u64, from: NodeId, to: NodeId, msg: &Message) -> EventKind {
    EventKind::Sent {
        msg: id,
        from,
        to,
        kind: msg.kind(),
        view: msg.view(),
        seq: msg.seq(),
        digest: msg.digest(),
        deliver_at: super::stream::now_ms(),
        timestamp: match msg {
            Message::Request(r) => Some(r.timestamp),
            Message::Reply(r) => Some(r.timestamp),
            _ => None,
        },
        text: match msg {
            Message::Request(r) => Some(r.op.clone()),
            Message::Reply(r) => Some(r.result.clone()),
            _ => None,
        },
        count: match msg {
            Message::ViewChange(m) => Some(m.prepared.len() as u32),
            Message::NewView(m) => Some(m.pre_prepares.len() as u32),
            _ => None,
        },
    }
}

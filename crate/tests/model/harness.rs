//! The protocol's own state machines as a [stateright] model: exhaustive
//! checking of PBFT at n = 4 (f = 1) under every interleaving the bounds allow.
//!
//! Nothing here re-implements PBFT. A state holds four [`Replica`]s (or, for
//! the one Byzantine replica, what it has seen and done), the scripted
//! [`Client`] and the messages in flight; an action hands one message to its
//! receiver's real handler, fires one timer, drops a message, crashes a
//! replica or lets the faulty replica send something it can sign. The
//! handlers' [`Output`]s become new messages, timers and executions.
//!
//! # The model
//!
//! - **Network**: a multiset of envelopes (sender, receiver, message). Any one
//!   may be delivered next, so every reordering is explored; a copy sent while
//!   an equal one is in flight is a second copy. Time does not exist: a timer
//!   that is running may fire at any moment (an early timeout is one the
//!   network's delays allowed): replicas' timers of the kinds the setup
//!   enables at most `max_timers` times per run in all, the client's at most
//!   `max_client_timers` times. Up to `max_drops` messages are lost and
//!   up to `max_crashes` replicas of `crashable` stop for good (their messages
//!   in flight to them are gone; what they sent before still arrives).
//! - **Client**: [`Client`] itself, submitting the setup's operations at the
//!   start (it sends one at a time, the next after f+1 matching replies) and
//!   broadcasting on its own timer.
//! - **Byzantine replica** (at most one): it runs no state machine. It sees
//!   the client's requests sent to it and sends, at any moment (or, with
//!   [`Menu::at_once`], before anything else happens), messages of a menu
//!   signed with its own key ([`Inject`]): as primary, a PRE-PREPARE of the
//!   client's request or of a genuine accomplice's ([`forge`]) to any one
//!   backup, alone or with its PREPARE and COMMIT ([`Inject::Equivocate`],
//!   one request per backup, as the simulator's `equivocate`); PREPAREs and
//!   COMMITs for either; a VIEW-CHANGE hiding every prepared certificate; a
//!   REPLY with the accomplice's result. It never has another replica's
//!   signature, as in the simulator. What it sends arrives at once (it picks
//!   the moment, so a message of its own in flight adds no behaviour); an item
//!   is used up when it changes its receiver.
//!
//! # Properties
//!
//! Checked in every state ([`Property::always`]): **agreement** (no two honest
//! replicas, crashed ones included, execute different requests at one sequence
//! number), **exactly once** (an honest replica executes a client's request at
//! most once), **accepted is committed** (every result the client accepted was
//! the result of an honest replica's execution of that request), and **no
//! conflict** (f+1 replicas never vouch for a second result of an accepted
//! request). **Acceptance** (every request accepted) is
//! [`Property::eventually`] where the setup says the bounds allow it, else
//! [`Property::sometimes`] (see [`Setup::liveness`]); where a view change
//! should be possible, "a new view installed" is a `sometimes` too, so a
//! bound too tight to reach one shows as a failure, not as a silent pass.
//! stateright checks `eventually` on the runs that end (no action left): a
//! run that joins a state seen before is not looked at again, so a
//! counterexample there can be missed; every run here is finite (each action
//! uses up a message or a budget), but joins are common.
//!
//! # States and fingerprints
//!
//! A state is identified by a 64-bit fingerprint of every replica (see
//! [`replica_hash`]: the replica's own `hash_state`, every field but its keys
//! and configuration, the arrival order of vote signatures left out), of the
//! client (its own `hash_state`), of every envelope in flight (its `Hash`) and of
//! the budgets left. Each replica's fingerprint is computed
//! once, when it changes, and cached. Two different states are taken for one
//! only if their 64-bit hashes collide (stateright itself keeps only 64-bit
//! fingerprints of visited states): a chance of about k²/2⁶⁵ among k
//! states, under 10⁻⁷ for a million.
//!
//! # Size
//!
//! Every order of every message is a lot of states: a replica's state
//! depends on the order its inputs came in (which PREPAREs its prepared
//! certificate holds, its retransmission bookkeeping), and four replicas
//! progress independently. One request with no fault takes more than a
//! million states before half its messages are delivered; with one replica
//! down or Byzantine (three to interleave) a request takes thousands to tens
//! of thousands, a view change hundreds of thousands. BENCHMARKS.md ("Model
//! checking") has the numbers.
//!
//! [stateright]: https://docs.rs/stateright

#![allow(dead_code)] // each user (the test, the example) uses a part

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeSet;
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use pbft_playground::protocol::{
    AppState, Client, ClientId, ClientOutput, ClientTimer, Commit, Config, Digest, Message, ModelKeys, NodeId, Output,
    PrePrepare, Prepare, QuorumRule, Replica, ReplicaId, ReplicaStatus, ReplicaTimer, Reply, Request, Seq, Sig, Signed,
    ViewChange,
};
use pbft_playground::sim::forge;
use stateright::{Model, Property};

/// The client's id.
pub const CLIENT: ClientId = 0;

// ----- fingerprints --------------------------------------------------------

pub use pbft_playground::sim::{client_hash, debug_hash, hash_of, replica_hash};

/// A replica's fingerprint the slow way, from a different source: its `Debug`
/// text with the `sigs` lists cut out, hashed (for the test that the two tell
/// the same states apart).
pub fn replica_hash_of_text(r: &Replica) -> u64 {
    let text = format!("{r:?}");
    let mut kept = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("}, sigs: [") {
        kept.push_str(&rest[..=at]);
        let tail = &rest[at + 1..];
        rest = &tail[tail.find(']').expect("a sigs list ends") + 1..];
    }
    kept.push_str(rest);
    let mut h = DefaultHasher::new();
    h.write(kept.as_bytes());
    h.finish()
}

// ----- the setup -----------------------------------------------------------

/// Which of a replica's timers may fire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerKinds {
    /// A replica's request / view-change timer (§4.4).
    pub view_change: bool,
    /// A replica's retransmission timer (VIEW-CHANGE, and the normal case's).
    pub retransmit: bool,
    /// A replica's state-transfer timer.
    pub fetch: bool,
}

impl TimerKinds {
    /// The timer a view change needs: the request timer.
    pub const VIEW_CHANGE: TimerKinds = TimerKinds { view_change: true, retransmit: false, fetch: false };
    /// Every timer.
    pub const ALL: TimerKinds = TimerKinds { view_change: true, retransmit: true, fetch: true };

    fn replica(&self, t: ReplicaTimer) -> bool {
        match t {
            ReplicaTimer::ViewChange => self.view_change,
            ReplicaTimer::Retransmit => self.retransmit,
            ReplicaTimer::Fetch => self.fetch,
        }
    }
}

/// What the Byzantine replica may send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Menu {
    /// As primary of view 0: a PRE-PREPARE, its PREPARE and its COMMIT of one
    /// request, to one backup, in one step; one request per backup (the
    /// simulator's `equivocate`).
    pub equivocate: bool,
    /// As primary of view 0: a PRE-PREPARE to one backup.
    pub propose: bool,
    /// A PREPARE or a COMMIT of view 0, to one replica.
    pub votes: bool,
    /// A VIEW-CHANGE for view 1 that hides every prepared certificate, to one replica.
    pub view_change: bool,
    /// A REPLY with the accomplice's result, to the client.
    pub reply: bool,
    /// Only before anything else happens (as the simulator's `equivocate`
    /// does, sending its pre-prepares as it proposes), rather than at any moment.
    pub at_once: bool,
}

impl Menu {
    /// Equivocation, one backup at a time: to each, a request with all the
    /// support the primary can give it.
    pub const EQUIVOCATE: Menu =
        Menu { equivocate: true, propose: false, votes: false, view_change: false, reply: false, at_once: false };
    /// Pre-prepares and votes one message at a time, for either request, to anyone.
    pub const MESSAGES: Menu =
        Menu { equivocate: false, propose: true, votes: true, view_change: false, reply: false, at_once: false };
    /// Everything.
    pub const ALL: Menu = Menu { equivocate: true, propose: true, votes: true, view_change: true, reply: true, at_once: false };

    /// The same, but only before anything else happens.
    pub const fn at_once(self) -> Menu {
        Menu { at_once: true, ..self }
    }
}

/// One configuration to check.
#[derive(Clone, Debug)]
pub struct Setup {
    /// A short name for reports.
    pub name: String,
    /// The protocol's configuration (n = 4; the quorum rule is what varies).
    pub cfg: Config,
    /// The operations the client submits, in order.
    pub ops: Vec<String>,
    /// The Byzantine replica, if any.
    pub faulty: Option<ReplicaId>,
    /// What it may send.
    pub menu: Menu,
    /// Replicas crashed from the start.
    pub down: Vec<ReplicaId>,
    /// Replicas that may crash.
    pub crashable: Vec<ReplicaId>,
    /// How many of them may crash in one run.
    pub max_crashes: u8,
    /// How many messages may be lost in one run.
    pub max_drops: u8,
    /// How many replica timers may fire in one run (each firing counts one).
    pub max_timers: u8,
    /// Which replica timers may fire.
    pub timers: TimerKinds,
    /// How many times the client's timer may fire in one run (§4.1: it
    /// broadcasts the request to every replica).
    pub max_client_timers: u8,
    /// The client's timer fires once before anything else (its request reaches
    /// every replica from the start).
    pub broadcast_first: bool,
    /// Whether acceptance is checked as `eventually` (every maximal run ends
    /// with every request accepted) rather than `sometimes` (some run does).
    /// Under bounds a run can end because the budget ran out where the real
    /// protocol would time out once more (after a drop, say), so `eventually`
    /// holds only where the bounds leave room for every recovery the faults
    /// can call for; elsewhere `sometimes` shows acceptance is reachable.
    pub liveness: bool,
    /// Whether some run is expected to install view 1 at an honest replica
    /// (a [`Property::sometimes`]: the bounds leave room for a view change).
    pub view_change: bool,
}

impl Setup {
    /// n = 4 under the paper's rule, `requests` operations, no faults, no timers.
    pub fn new(name: &str, requests: usize) -> Setup {
        let ops = ["x=1", "y=2", "x=3"].iter().take(requests).map(|s| s.to_string()).collect();
        Setup {
            name: name.to_string(),
            cfg: Config::default(),
            ops,
            faulty: None,
            menu: Menu::EQUIVOCATE,
            down: Vec::new(),
            crashable: Vec::new(),
            max_crashes: 0,
            max_drops: 0,
            max_timers: 0,
            timers: TimerKinds::VIEW_CHANGE,
            max_client_timers: 0,
            broadcast_first: false,
            liveness: true,
            view_change: false,
        }
    }

    /// The same under the naive quorum rule (more than n/3 votes).
    pub fn naive(mut self) -> Setup {
        self.cfg.quorum_rule = QuorumRule::Naive;
        self
    }

    /// Replica `r` is Byzantine with `menu`.
    pub fn byzantine(mut self, r: ReplicaId, menu: Menu) -> Setup {
        self.faulty = Some(r);
        self.menu = menu;
        self
    }

    /// Replica `r` is down from the start.
    pub fn down(mut self, r: ReplicaId) -> Setup {
        self.down.push(r);
        self
    }

    /// Up to `max` of `replicas` may crash.
    pub fn crashes(mut self, replicas: &[ReplicaId], max: u8) -> Setup {
        self.crashable = replicas.to_vec();
        self.max_crashes = max;
        self
    }

    /// Up to `max` replica timers of `kinds` may fire.
    pub fn timers(mut self, max: u8, kinds: TimerKinds) -> Setup {
        self.max_timers = max;
        self.timers = kinds;
        self
    }

    /// The client's timer fires once at the start: it sends its first request to every replica.
    pub fn broadcast_first(mut self) -> Setup {
        self.broadcast_first = true;
        self
    }

    /// The client's timer may fire up to `max` times.
    pub fn client_timers(mut self, max: u8) -> Setup {
        self.max_client_timers = max;
        self
    }

    /// Up to `max` messages may be lost.
    pub fn drops(mut self, max: u8) -> Setup {
        self.max_drops = max;
        self
    }

    /// Some run is expected to install a new view (see [`Setup::view_change`]).
    pub fn expect_view_change(mut self) -> Setup {
        self.view_change = true;
        self
    }

    /// Acceptance checked as `sometimes` (see [`Setup::liveness`]).
    pub fn reachable_only(mut self) -> Setup {
        self.liveness = false;
        self
    }
}

// ----- the state -----------------------------------------------------------

/// One message in flight. Equal envelopes are equal copies.
#[derive(Clone)]
pub struct Envelope {
    /// The true sender (the channel stamps it).
    pub from: NodeId,
    /// The receiver.
    pub to: NodeId,
    /// The message.
    pub msg: Arc<Message>,
    /// Fingerprint of (from, to, msg).
    key: u64,
}

impl Envelope {
    fn new(from: NodeId, to: NodeId, msg: Message) -> Envelope {
        let key = hash_of(&(from, to, &msg));
        Envelope { from, to, msg: Arc::new(msg), key }
    }

    /// The order actions list deliveries in: by receiver, sender, kind, then fingerprint.
    fn order(&self) -> (NodeId, NodeId, usize, u64) {
        (self.to, self.from, self.msg.kind().index(), self.key)
    }
}

impl PartialEq for Envelope {
    fn eq(&self, other: &Envelope) -> bool {
        self.key == other.key && self.from == other.from && self.to == other.to
    }
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} → {}: {}", self.from, self.to, label(&self.msg))
    }
}

/// A compact label of a message: its `Display`, with the operation of a request it carries.
pub fn label(m: &Message) -> String {
    match m {
        Message::PrePrepare(pp) => match &pp.request {
            Some(r) => format!("{m} ({} from C{})", r.op, r.client),
            None => format!("{m} (null)"),
        },
        Message::Request(r) => format!("{m} from C{}", r.client),
        Message::ViewChange(vc) => format!("{m} from R{}", vc.replica),
        _ => m.to_string(),
    }
}

/// An execution by a replica, from its [`Output::Executed`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Exec {
    /// Sequence number.
    pub seq: Seq,
    /// Digest of what was executed (NULL for a null request).
    pub digest: Digest,
    /// (client, timestamp, operation) of the request, None for a null request.
    pub request: Option<(ClientId, u64, String)>,
    /// The result; None when the request had executed before, or was null.
    pub result: Option<Arc<str>>,
}

/// An honest replica, its running timers and what it executed.
#[derive(Clone, Debug)]
pub struct Node {
    /// The state machine.
    pub replica: Replica,
    /// Running timers, by [`ReplicaTimer::index`].
    pub timers: [bool; 3],
    /// Every execution, in order.
    pub executed: Vec<Exec>,
    fp: u64,
}

impl Node {
    fn new(replica: Replica) -> Node {
        let mut n = Node { replica, timers: [false; 3], executed: Vec::new(), fp: 0 };
        n.refresh();
        n
    }

    fn refresh(&mut self) {
        let mut h = DefaultHasher::new();
        replica_hash(&self.replica).hash(&mut h);
        self.timers.hash(&mut h);
        self.executed.hash(&mut h);
        self.fp = h.finish();
    }
}

/// A replica's place in the state.
#[derive(Clone, Debug)]
pub enum Slot {
    /// Honest and running.
    Up(Arc<Node>),
    /// Honest and stopped for good: its executions still count.
    Crashed(Arc<Node>),
    /// The Byzantine replica (see [`Faulty`]).
    Faulty,
}

impl Slot {
    /// The honest replica's node, running or crashed.
    pub fn honest(&self) -> Option<&Node> {
        match self {
            Slot::Up(n) | Slot::Crashed(n) => Some(n),
            Slot::Faulty => None,
        }
    }
}

/// What the Byzantine replica knows and has done.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Faulty {
    /// Its id.
    pub id: ReplicaId,
    /// Timestamps of the client's requests it received.
    pub known: BTreeSet<u64>,
    /// The menu items it used, by index into [`PbftModel::menu`] (only
    /// those that changed their receiver: see [`Action::Byzantine`]).
    pub done: u128,
    /// Something other than the Byzantine replica has acted.
    pub late: bool,
}

/// The client, its running timers and whether it saw a conflict.
#[derive(Clone, Debug)]
pub struct ClientNode {
    /// The state machine.
    pub client: Client,
    /// Timestamps whose retransmission timer runs.
    pub timers: BTreeSet<u64>,
    /// f+1 replicas vouched for a second result of an accepted request.
    pub conflict: bool,
    fp: u64,
}

impl ClientNode {
    fn refresh(&mut self) {
        self.fp = hash_of(&(client_hash(&self.client), debug_hash(&(&self.timers, self.conflict))));
    }
}

/// A state of the whole system.
#[derive(Clone)]
pub struct State {
    /// The replicas, by id.
    pub replicas: Vec<Slot>,
    /// The Byzantine replica's knowledge, if there is one.
    pub faulty: Option<Faulty>,
    /// The client.
    pub client: Arc<ClientNode>,
    /// Messages in flight with their number of copies, in [`Envelope::order`].
    pub net: Vec<(Envelope, u8)>,
    /// Messages that may still be lost.
    pub drops_left: u8,
    /// Replica timer firings left.
    pub timers_left: u8,
    /// Client timer firings left.
    pub client_timers_left: u8,
    /// Crashes left.
    pub crashes_left: u8,
}

impl Hash for State {
    fn hash<H: Hasher>(&self, h: &mut H) {
        for s in &self.replicas {
            match s {
                Slot::Up(n) => (0u8, n.fp).hash(h),
                Slot::Crashed(n) => (1u8, n.fp).hash(h),
                Slot::Faulty => 2u8.hash(h),
            }
        }
        self.faulty.hash(h);
        self.client.fp.hash(h);
        self.net.len().hash(h);
        for (e, k) in &self.net {
            (e.key, *k).hash(h);
        }
        (self.drops_left, self.timers_left, self.client_timers_left, self.crashes_left).hash(h);
    }
}

impl State {
    /// The state's fingerprint (what [`PartialEq`] compares, as the checker does).
    pub fn fingerprint(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.hash(&mut h);
        h.finish()
    }

    /// The honest replicas (crashed ones included) and their nodes.
    pub fn honest(&self) -> impl Iterator<Item = (ReplicaId, &Node)> {
        self.replicas.iter().enumerate().filter_map(|(i, s)| s.honest().map(|n| (i, n)))
    }

    /// The results the client accepted.
    pub fn accepted(&self) -> Vec<&pbft_playground::protocol::Accepted> {
        self.client.client.accepted()
    }

    fn push(&mut self, e: Envelope) {
        match self.net.binary_search_by(|(x, _)| x.order().cmp(&e.order())) {
            Ok(i) => self.net[i].1 = self.net[i].1.saturating_add(1),
            Err(i) => self.net.insert(i, (e, 1)),
        }
    }

    /// Removes one copy of `e`; false if none is in flight.
    fn take(&mut self, e: &Envelope) -> bool {
        match self.net.binary_search_by(|(x, _)| x.order().cmp(&e.order())) {
            Ok(i) => {
                self.net[i].1 -= 1;
                if self.net[i].1 == 0 {
                    self.net.remove(i);
                }
                true
            }
            Err(_) => false,
        }
    }

    /// Sends `msg` from `from` to `to`: into the network, unless the receiver
    /// has crashed (lost) or is the Byzantine replica (which only takes note
    /// of the client's requests: it needs nothing else).
    fn send(&mut self, from: NodeId, to: NodeId, msg: Message) {
        if let NodeId::Replica(j) = to {
            match self.replicas.get(j) {
                Some(Slot::Up(_)) => {}
                Some(Slot::Faulty) => {
                    if let (Message::Request(r), Some(f)) = (&msg, self.faulty.as_mut()) {
                        if r.client == CLIENT {
                            f.known.insert(r.timestamp);
                        }
                    }
                    return;
                }
                _ => return,
            }
        }
        if let NodeId::Client(c) = to {
            if c != CLIENT {
                return; // an accomplice of the Byzantine replica: its replies show nothing
            }
        }
        self.push(Envelope::new(from, to, msg));
    }

    /// Carries out replica `i`'s outputs.
    fn apply(&mut self, i: ReplicaId, node: &mut Node, out: Vec<Output>) {
        for o in out {
            match o {
                Output::Send { to, msg } => self.send(NodeId::Replica(i), to, msg),
                Output::SetTimer { timer, .. } => node.timers[timer.index()] = true,
                Output::CancelTimer(timer) => node.timers[timer.index()] = false,
                Output::Executed { seq, digest, request, result, .. } => {
                    let request = request.map(|r| (r.client, r.timestamp, r.op.to_string()));
                    node.executed.push(Exec { seq, digest, request, result });
                }
                _ => {}
            }
        }
        node.refresh();
    }

    /// Carries out the client's outputs.
    fn apply_client(&mut self, c: &mut ClientNode, out: Vec<ClientOutput>) {
        for o in out {
            match o {
                ClientOutput::Send { to, msg } => self.send(NodeId::Client(CLIENT), to, msg),
                ClientOutput::SetTimer { timer: ClientTimer(t), .. } => {
                    c.timers.insert(t);
                }
                ClientOutput::CancelTimer(ClientTimer(t)) => {
                    c.timers.remove(&t);
                }
                ClientOutput::Conflict { .. } => c.conflict = true,
                _ => {}
            }
        }
        c.refresh();
    }

    /// `to` handles `msg` from `from`.
    fn receive(&mut self, from: NodeId, to: NodeId, msg: Message) {
        match to {
            NodeId::Replica(j) => self.with_replica(j, |r, out| r.on_message(from, msg, out)),
            NodeId::Client(_) => {
                if let Message::Reply(reply) = msg {
                    let mut c = (*self.client).clone();
                    let mut out = Vec::new();
                    c.client.on_reply(from, reply, &mut out);
                    self.apply_client(&mut c, out);
                    self.client = Arc::new(c);
                }
            }
        }
    }

    /// Runs `f` on running replica `i` and carries out its outputs (the
    /// replica is copied only here, when it changes).
    fn with_replica(&mut self, i: ReplicaId, f: impl FnOnce(&mut Replica, &mut Vec<Output>)) {
        let Slot::Up(node) = &self.replicas[i] else { return };
        let mut node = (**node).clone();
        let mut out = Vec::new();
        f(&mut node.replica, &mut out);
        self.apply(i, &mut node, out);
        self.replicas[i] = Slot::Up(Arc::new(node));
    }
}

impl PartialEq for State {
    fn eq(&self, other: &State) -> bool {
        self.fingerprint() == other.fingerprint()
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.replicas.iter().enumerate() {
            match s {
                Slot::Faulty => writeln!(f, "R{i}: Byzantine {:?}", self.faulty)?,
                Slot::Up(n) | Slot::Crashed(n) => {
                    let r = &n.replica;
                    let up = if matches!(s, Slot::Up(_)) { "up" } else { "crashed" };
                    let ex: Vec<String> = n.executed.iter().map(exec_label).collect();
                    writeln!(f, "R{i}: {up} v{} {:?} executed [{}]", r.view(), r.status(), ex.join(", "))?;
                }
            }
        }
        let acc: Vec<String> = self.accepted().iter().map(|a| format!("t{} {}", a.timestamp, a.result)).collect();
        writeln!(f, "client: accepted [{}]", acc.join(", "))?;
        for (e, k) in &self.net {
            writeln!(f, "  in flight ×{k}: {e:?}")?;
        }
        write!(
            f,
            "left: {} drops, {} replica timers, {} client timers, {} crashes",
            self.drops_left, self.timers_left, self.client_timers_left, self.crashes_left
        )
    }
}

/// `n1 x=1 (C0 t1)`, `n2 null`.
pub fn exec_label(e: &Exec) -> String {
    match &e.request {
        Some((c, t, op)) => {
            let again = if e.result.is_none() { ", again" } else { "" };
            format!("n{} {op} (C{c} t{t}{again})", e.seq)
        }
        None => format!("n{} null", e.seq),
    }
}

// ----- actions -------------------------------------------------------------

/// A request the Byzantine replica can put forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Req {
    /// The client's request number `i` (0-based): only once it received it.
    Client(usize),
    /// The accomplice's request in the place of the client's number `i`
    /// ([`forge`]: another value, a genuine request of accomplice client 1000+1).
    Accomplice(usize),
}

/// An item of the Byzantine replica's menu: one message it signs in its own name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Inject {
    /// As primary of view 0: PRE-PREPARE, PREPARE and COMMIT of `req` at `seq`, to backup `to`.
    Equivocate {
        /// The backup.
        to: ReplicaId,
        /// The sequence number.
        seq: Seq,
        /// The request.
        req: Req,
    },
    /// As primary of view 0: PRE-PREPARE of `req` at `seq`, to backup `to`.
    PrePrepare {
        /// The backup.
        to: ReplicaId,
        /// The sequence number.
        seq: Seq,
        /// The request.
        req: Req,
    },
    /// PREPARE of `req` at `seq` in view 0, to `to`.
    Prepare {
        /// The receiver.
        to: ReplicaId,
        /// The sequence number.
        seq: Seq,
        /// The request voted for.
        req: Req,
    },
    /// COMMIT of `req` at `seq` in view 0, to `to`.
    Commit {
        /// The receiver.
        to: ReplicaId,
        /// The sequence number.
        seq: Seq,
        /// The request voted for.
        req: Req,
    },
    /// A VIEW-CHANGE for view 1 from the initial checkpoint with no prepared certificate, to `to`.
    HideCertificates {
        /// The receiver.
        to: ReplicaId,
    },
    /// A REPLY to the client with the accomplice's result of the client's request `i`.
    LyingReply {
        /// Which request.
        i: usize,
    },
}

impl Inject {
    fn req(&self) -> Option<Req> {
        match *self {
            Inject::Equivocate { req, .. }
            | Inject::PrePrepare { req, .. }
            | Inject::Prepare { req, .. }
            | Inject::Commit { req, .. } => Some(req),
            Inject::HideCertificates { .. } | Inject::LyingReply { .. } => None,
        }
    }
}

/// What can happen next.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// One copy of the envelope reaches its receiver.
    Deliver(Envelope),
    /// One copy of the envelope is lost.
    Drop(Envelope),
    /// A replica's running timer fires.
    Timer(ReplicaId, ReplicaTimer),
    /// The client's timer of request `t` fires.
    ClientTimer(u64),
    /// The replica stops for good.
    Crash(ReplicaId),
    /// The Byzantine replica sends menu item `usize`, and it arrives at
    /// once: the faulty replica picks the moment, so a message of its own in
    /// flight adds no behaviour (whenever it would arrive, it could have been
    /// sent then). An item is used up when it changes its receiver; one that
    /// changes nothing now is no transition, and stays on the menu.
    Byzantine(usize, Inject),
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Deliver(e) => write!(f, "deliver {e:?}"),
            Action::Drop(e) => write!(f, "drop    {e:?}"),
            Action::Timer(i, t) => write!(f, "timer   R{i} {t:?} fires"),
            Action::ClientTimer(t) => write!(f, "timer   C{CLIENT} retransmission of t{t} fires"),
            Action::Crash(i) => write!(f, "crash   R{i}"),
            Action::Byzantine(_, inject) => write!(f, "byzantine {inject:?}"),
        }
    }
}

// ----- the model -----------------------------------------------------------

/// A [`Setup`] as a stateright [`Model`].
pub struct PbftModel {
    /// The configuration checked.
    pub setup: Setup,
    /// The client's requests, in order (timestamps 1, 2, ...).
    pub requests: Vec<Request>,
    /// The accomplice's request in the place of each.
    pub accomplices: Vec<Request>,
    /// The Byzantine replica's menu (empty without one).
    pub menu: Vec<Inject>,
}

impl PbftModel {
    /// The model of `setup`.
    pub fn new(setup: Setup) -> PbftModel {
        assert_eq!(setup.cfg.n, 4, "the model is written for n = 4");
        let requests: Vec<Request> = setup
            .ops
            .iter()
            .enumerate()
            .map(|(i, op)| Request::new(op.as_str(), i as u64 + 1, CLIENT).signed(&*ModelKeys::client(CLIENT)))
            .collect();
        let accomplices = requests.iter().map(|r| forge(r, 1)).collect();
        let mut menu = Vec::new();
        if let Some(b) = setup.faulty {
            let m = setup.menu;
            let others: Vec<ReplicaId> = (0..setup.cfg.n).filter(|&j| j != b).collect();
            let reqs: Vec<Req> = (0..requests.len()).flat_map(|i| [Req::Client(i), Req::Accomplice(i)]).collect();
            let primary = setup.cfg.primary(0) == b;
            for &to in &others {
                for seq in 1..=requests.len() as Seq {
                    for &req in &reqs {
                        if primary && m.equivocate {
                            menu.push(Inject::Equivocate { to, seq, req });
                        }
                        if primary && m.propose {
                            menu.push(Inject::PrePrepare { to, seq, req });
                        }
                        if m.votes {
                            menu.push(Inject::Prepare { to, seq, req });
                            menu.push(Inject::Commit { to, seq, req });
                        }
                    }
                }
                if m.view_change {
                    menu.push(Inject::HideCertificates { to });
                }
            }
            if m.reply {
                menu.extend((0..requests.len()).map(|i| Inject::LyingReply { i }));
            }
        }
        assert!(menu.len() <= 128, "the menu's used items are a 128-bit mask");
        PbftModel { setup, requests, accomplices, menu }
    }

    fn request(&self, r: Req) -> &Request {
        match r {
            Req::Client(i) => &self.requests[i],
            Req::Accomplice(i) => &self.accomplices[i],
        }
    }

    /// Whether the Byzantine replica can send `inject` now: it has the
    /// client's request only once it received it.
    fn can_inject(&self, f: &Faulty, inject: &Inject) -> bool {
        if let Inject::Equivocate { to, seq, .. } = *inject {
            let same = |k: usize| matches!(self.menu[k], Inject::Equivocate { to: t, seq: n, .. } if (t, n) == (to, seq));
            if (0..self.menu.len()).any(|k| f.done & (1u128 << k) != 0 && same(k)) {
                return false;
            }
        }
        match inject.req() {
            Some(Req::Client(i)) => f.known.contains(&self.requests[i].timestamp),
            _ => true,
        }
    }

    /// The messages of `inject` with their receiver, signed by the Byzantine
    /// replica `b`, in the order they arrive.
    fn injected(&self, b: ReplicaId, inject: &Inject) -> Vec<(NodeId, Message)> {
        let keys = ModelKeys::new(b, ModelKeys::CLUSTER);
        let digest = |r: Req| self.request(r).digest();
        let one = |to: ReplicaId, m: Message| vec![(NodeId::Replica(to), m)];
        match *inject {
            Inject::Equivocate { to, seq, req } => {
                [Inject::PrePrepare { to, seq, req }, Inject::Prepare { to, seq, req }, Inject::Commit { to, seq, req }]
                    .iter()
                    .flat_map(|i| self.injected(b, i))
                    .collect()
            }
            Inject::PrePrepare { to, seq, req } => {
                let r = self.request(req).clone();
                let pp = PrePrepare { view: 0, seq, digest: r.digest(), request: Some(r), sig: Sig::default() };
                one(to, Message::PrePrepare(pp.signed(&keys)))
            }
            Inject::Prepare { to, seq, req } => {
                let p = Prepare { view: 0, seq, digest: digest(req), replica: b, sig: Sig::default() };
                one(to, Message::Prepare(p.signed(&keys)))
            }
            Inject::Commit { to, seq, req } => {
                let c = Commit { view: 0, seq, digest: digest(req), replica: b, sig: Sig::default() };
                one(to, Message::Commit(c.signed(&keys)))
            }
            Inject::HideCertificates { to } => {
                let vc = ViewChange {
                    new_view: 1,
                    stable_seq: 0,
                    stable_digest: AppState::default().digest(),
                    checkpoint_proof: Vec::new(),
                    prepared: Vec::new(),
                    replica: b,
                    sig: Sig::default(),
                };
                one(to, Message::ViewChange(Box::new(vc.signed(&keys))))
            }
            Inject::LyingReply { i } => {
                let result = pbft_playground::protocol::execute_op(&mut pbft_playground::protocol::Store::default(), &self.accomplices[i].op);
                let reply = Reply { view: 0, timestamp: self.requests[i].timestamp, client: CLIENT, replica: b, result };
                vec![(NodeId::Client(CLIENT), Message::Reply(reply))]
            }
        }
    }
}

impl Model for PbftModel {
    type State = State;
    type Action = Action;

    fn init_states(&self) -> Vec<State> {
        let s = &self.setup;
        let replicas = (0..s.cfg.n)
            .map(|i| {
                if s.faulty == Some(i) {
                    Slot::Faulty
                } else if s.down.contains(&i) {
                    Slot::Crashed(Arc::new(Node::new(Replica::new(i, s.cfg.clone()))))
                } else {
                    Slot::Up(Arc::new(Node::new(Replica::new(i, s.cfg.clone()))))
                }
            })
            .collect();
        let mut client =
            ClientNode { client: Client::new(CLIENT, s.cfg.clone()), timers: BTreeSet::new(), conflict: false, fp: 0 };
        let mut state = State {
            replicas,
            faulty: s.faulty.map(|id| Faulty { id, known: BTreeSet::new(), done: 0, late: false }),
            client: Arc::new(client.clone()),
            net: Vec::new(),
            drops_left: s.max_drops,
            timers_left: s.max_timers,
            client_timers_left: s.max_client_timers,
            crashes_left: s.max_crashes,
        };
        let mut out = Vec::new();
        for op in &s.ops {
            client.client.submit(op.as_str(), &mut out);
        }
        if s.broadcast_first {
            client.client.on_timer(ClientTimer(1), &mut out);
        }
        state.apply_client(&mut client, out);
        state.client = Arc::new(client);
        vec![state]
    }

    fn actions(&self, state: &State, actions: &mut Vec<Action>) {
        for (e, _) in &state.net {
            actions.push(Action::Deliver(e.clone()));
        }
        if state.timers_left > 0 {
            for (i, slot) in state.replicas.iter().enumerate() {
                if let Slot::Up(n) = slot {
                    for t in ReplicaTimer::ALL {
                        if n.timers[t.index()] && self.setup.timers.replica(t) {
                            actions.push(Action::Timer(i, t));
                        }
                    }
                }
            }
        }
        if state.client_timers_left > 0 {
            actions.extend(state.client.timers.iter().map(|&t| Action::ClientTimer(t)));
        }
        if let Some(f) = state.faulty.as_ref().filter(|f| !(f.late && self.setup.menu.at_once)) {
            for (k, inject) in self.menu.iter().enumerate() {
                if f.done & (1u128 << k) == 0 && self.can_inject(f, inject) {
                    actions.push(Action::Byzantine(k, *inject));
                }
            }
        }
        if state.crashes_left > 0 {
            for &i in &self.setup.crashable {
                if matches!(state.replicas[i], Slot::Up(_)) {
                    actions.push(Action::Crash(i));
                }
            }
        }
        if state.drops_left > 0 {
            for (e, _) in &state.net {
                actions.push(Action::Drop(e.clone()));
            }
        }
    }

    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        let mut s = last.clone();
        if let (Some(f), false) = (s.faulty.as_mut(), matches!(action, Action::Byzantine(..))) {
            f.late = self.setup.menu.at_once; // (only tracked when it matters)
        }
        match action {
            Action::Deliver(e) => {
                if !s.take(&e) {
                    return None;
                }
                s.receive(e.from, e.to, (*e.msg).clone());
            }
            Action::Drop(e) => {
                if !s.take(&e) {
                    return None;
                }
                s.drops_left -= 1;
            }
            Action::Timer(i, t) => {
                s.timers_left -= 1;
                s.with_replica(i, |r, out| {
                    // The slot is free again before the handler may set it anew.
                    out.push(Output::CancelTimer(t));
                    r.on_timer(t, out);
                });
            }
            Action::ClientTimer(t) => {
                s.client_timers_left -= 1;
                let mut c = (*s.client).clone();
                c.timers.remove(&t);
                let mut out = Vec::new();
                c.client.on_timer(ClientTimer(t), &mut out);
                s.apply_client(&mut c, out);
                s.client = Arc::new(c);
            }
            Action::Crash(i) => {
                s.crashes_left -= 1;
                let Slot::Up(n) = &s.replicas[i] else { return None };
                let mut n = (**n).clone();
                n.timers = [false; 3];
                n.refresh();
                s.replicas[i] = Slot::Crashed(Arc::new(n));
                s.net.retain(|(e, _)| e.to != NodeId::Replica(i));
            }
            Action::Byzantine(k, inject) => {
                let before = s.fingerprint();
                let b = s.faulty.as_ref().expect("a Byzantine replica").id;
                for (to, msg) in self.injected(b, &inject) {
                    s.receive(NodeId::Replica(b), to, msg);
                }
                if s.fingerprint() == before {
                    return None;
                }
                s.faulty.as_mut().expect("a Byzantine replica").done |= 1u128 << k;
            }
        }
        Some(s)
    }

    fn format_action(&self, action: &Action) -> String {
        action.to_string()
    }

    fn properties(&self) -> Vec<Property<Self>> {
        let mut p = vec![
            Property::<Self>::always("agreement", |_, s| agreement(s).is_none()),
            Property::<Self>::always("exactly once", |_, s| exactly_once(s)),
            Property::<Self>::always("accepted is committed", |_, s| accepted_is_committed(s)),
            Property::<Self>::always("no conflicting results", |_, s| !s.client.conflict),
        ];
        let all_accepted = |m: &PbftModel, s: &State| s.accepted().len() == m.requests.len();
        p.push(if self.setup.liveness {
            Property::<Self>::eventually("every request accepted", all_accepted)
        } else {
            Property::<Self>::sometimes("every request accepted", all_accepted)
        });
        if self.setup.view_change {
            p.push(Property::<Self>::sometimes("a new view installed", |_, s| {
                s.honest().any(|(_, n)| n.replica.view() >= 1 && n.replica.status() == ReplicaStatus::Normal)
            }));
        }
        p
    }
}

// ----- properties ----------------------------------------------------------

/// Two honest replicas that executed different things at one sequence
/// number: (seq, replica, its execution, other replica, its execution).
pub fn agreement(s: &State) -> Option<(Seq, ReplicaId, Exec, ReplicaId, Exec)> {
    let honest: Vec<(ReplicaId, &Node)> = s.honest().collect();
    for (a, (i, x)) in honest.iter().enumerate() {
        for (j, y) in &honest[a + 1..] {
            for e in &x.executed {
                if let Some(o) = y.executed.iter().find(|o| o.seq == e.seq) {
                    if o.digest != e.digest {
                        return Some((e.seq, *i, e.clone(), *j, o.clone()));
                    }
                }
            }
        }
    }
    None
}

/// No honest replica executes one request of a client twice (a second
/// assignment of it must find the cached reply: `result` None).
pub fn exactly_once(s: &State) -> bool {
    s.honest().all(|(_, n)| {
        let fresh: Vec<(ClientId, u64)> =
            n.executed.iter().filter(|e| e.result.is_some()).filter_map(|e| e.request.as_ref().map(|r| (r.0, r.1))).collect();
        let unique: BTreeSet<&(ClientId, u64)> = fresh.iter().collect();
        unique.len() == fresh.len()
    })
}

/// Every result the client accepted is what an honest replica computed when
/// it executed that request (so it committed there, and by agreement it is
/// the one result of that request).
pub fn accepted_is_committed(s: &State) -> bool {
    s.accepted().iter().all(|a| {
        s.honest().any(|(_, n)| {
            n.executed.iter().any(|e| {
                e.result.as_deref() == Some(&*a.result)
                    && e.request.as_ref().is_some_and(|(c, t, op)| (*c, *t, op.as_str()) == (CLIENT, a.timestamp, &*a.op))
            })
        })
    })
}

// ----- running -------------------------------------------------------------

/// What one check found.
pub struct Report {
    /// The setup's name.
    pub name: String,
    /// Distinct states explored.
    pub unique: usize,
    /// States generated, repeats included.
    pub generated: usize,
    /// The longest path explored.
    pub max_depth: usize,
    /// Wall time.
    pub elapsed: std::time::Duration,
    /// Whether every reachable state was explored (false: stopped at the cap).
    pub complete: bool,
    /// Each property with a discovery: its name and the path to it.
    pub discoveries: Vec<(&'static str, stateright::Path<State, Action>)>,
}

impl Report {
    /// The discovery of `name`, if any.
    pub fn discovery(&self, name: &str) -> Option<&stateright::Path<State, Action>> {
        self.discoveries.iter().find(|(n, _)| *n == name).map(|(_, p)| p)
    }

    /// Names of the properties that failed (an `always` or `eventually` with a
    /// counterexample, or a `sometimes` never seen).
    pub fn failures(&self, model: &PbftModel) -> Vec<&'static str> {
        model
            .properties()
            .iter()
            .filter(|p| {
                let found = self.discovery(p.name).is_some();
                match p.expectation {
                    // A run stopped at its cap may not have got there yet.
                    stateright::Expectation::Sometimes => !found && self.complete,
                    _ => found,
                }
            })
            .map(|p| p.name)
            .collect()
    }
}

/// Checks `setup` exhaustively, breadth first, on `threads` threads; stops
/// at the first failure when `stop_at_failure`, and after about `cap`
/// generated states if there is a cap.
pub fn check(setup: Setup, threads: usize, stop_at_failure: bool, cap: Option<usize>) -> (PbftModel, Report) {
    use stateright::{Checker, HasDiscoveries};
    let name = setup.name.clone();
    let start = std::time::Instant::now();
    let mut builder = PbftModel::new(setup).checker().threads(threads);
    if stop_at_failure {
        builder = builder.finish_when(HasDiscoveries::AnyFailures);
    }
    if let Some(cap) = cap {
        builder = builder.target_state_count(cap);
    }
    let checker = builder.spawn_bfs().join();
    let elapsed = start.elapsed();
    let mut discoveries: Vec<_> = checker.discoveries().into_iter().collect();
    discoveries.sort_by_key(|(n, _)| *n);
    let report = Report {
        complete: cap.is_none_or(|c| checker.state_count() < c),
        name,
        unique: checker.unique_state_count(),
        generated: checker.state_count(),
        max_depth: checker.max_depth(),
        elapsed,
        discoveries,
    };
    // The checker owns the model; build an equal one for the caller.
    let model = PbftModel::new(checker.model().setup.clone());
    (model, report)
}

/// A run: each state with the action taken from it (None for the last).
pub type Steps = Vec<(State, Option<Action>)>;

/// Replays `actions` from the initial state while each is possible; stops
/// after the first state where `stop` holds. None if an action is not
/// possible where it comes or `stop` never holds.
fn replay(model: &PbftModel, actions: &[Action], stop: &dyn Fn(&State) -> bool) -> Option<Steps> {
    let mut state = model.init_states().remove(0);
    let mut steps = Vec::new();
    for a in actions {
        if stop(&state) {
            break;
        }
        let mut possible = Vec::new();
        model.actions(&state, &mut possible);
        if !possible.contains(a) {
            return None;
        }
        let next = model.next_state(&state, a.clone())?;
        steps.push((state, Some(a.clone())));
        state = next;
    }
    let found = stop(&state);
    steps.push((state, None));
    found.then_some(steps)
}

/// A counterexample to property `name` made short: `path` cut at its first
/// state that breaks the property, then every step the break does not need
/// left out, one at a time until none can go. (stateright's breadth-first
/// checker reports the last counterexample it met in a block of states, not
/// always a shortest one.)
pub fn minimize(model: &PbftModel, name: &'static str, path: &stateright::Path<State, Action>) -> Steps {
    let property = stateright::Model::property(model, name);
    let broken = |s: &State| !(property.condition)(model, s);
    let mut actions = path.clone().into_actions();
    let mut best = replay(model, &actions, &broken).expect("the counterexample replays");
    actions = best.iter().filter_map(|(_, a)| a.clone()).collect();
    let mut k = 0;
    while k < actions.len() {
        let mut shorter = actions.clone();
        shorter.remove(k);
        match replay(model, &shorter, &broken) {
            Some(steps) => {
                actions = steps.iter().filter_map(|(_, a)| a.clone()).collect();
                best = steps;
                k = 0;
            }
            None => k += 1,
        }
    }
    best
}

/// A run as numbered lines: each action, and what it made replicas execute
/// or the client accept.
pub fn trace(model: &PbftModel, steps: &[(State, Option<Action>)]) -> String {
    let mut s = String::new();
    for (k, w) in steps.windows(2).enumerate() {
        let (before, Some(action)) = (&w[0].0, &w[0].1) else { continue };
        let after = &w[1].0;
        match action {
            Action::Byzantine(_, inject) => {
                let b = before.faulty.as_ref().expect("a Byzantine replica").id;
                let _ = writeln!(s, "{:>3}. byzantine R{b}: {inject:?}", k + 1);
                for (to, m) in model.injected(b, inject) {
                    let _ = writeln!(s, "       R{b} → {to}: {}", label(&m));
                }
            }
            _ => {
                let _ = writeln!(s, "{:>3}. {action}", k + 1);
            }
        }
        for ((i, b), (_, a)) in before.honest().zip(after.honest()) {
            for e in &a.executed[b.executed.len()..] {
                let _ = writeln!(s, "       R{i} executes {}", exec_label(e));
            }
        }
        for a in &after.accepted()[before.accepted().len()..] {
            let _ = writeln!(s, "       C{CLIENT} accepts t{} = {} (replies of {:?})", a.timestamp, a.result, a.replicas);
        }
    }
    s
}

// ----- configurations ------------------------------------------------------

/// The configurations `cargo test` checks exhaustively (tests/model.rs): a
/// few seconds each in a debug build.
pub fn ci_configurations() -> Vec<Setup> {
    vec![
        Setup::new("R3 down, 1 request", 1).down(3),
        Setup::new("R3 down, 2 requests", 2).down(3),
        Setup::new("R0 equivocates at once, 1 request", 1).byzantine(0, Menu::EQUIVOCATE.at_once()).reachable_only(),
    ]
}

/// The naive quorum's counterexample `cargo test` finds.
pub fn ci_naive() -> Setup {
    Setup::new("naive quorum, R0 equivocates at once, 1 request", 1).naive().byzantine(0, Menu::EQUIVOCATE.at_once())
}

/// The larger configurations of `cargo run --release --example model`, with
/// the number of generated states at which a run stops if it has not
/// finished (None: run to the end).
pub fn larger_configurations() -> Vec<(Setup, Option<usize>)> {
    const CAP: Option<usize> = Some(4_000_000);
    vec![
        (Setup::new("naive quorum, R0 sends anything, 1 request", 1).naive().byzantine(0, Menu::MESSAGES), None),
        (Setup::new("R0 equivocates, 1 request", 1).byzantine(0, Menu::EQUIVOCATE).reachable_only(), None),
        (
            Setup::new("R0 down, 1 request, view change", 1)
                .down(0)
                .client_timers(1)
                .timers(2, TimerKinds::VIEW_CHANGE)
                .reachable_only()
                .expect_view_change(),
            None,
        ),
        (
            Setup::new("R0 down, 2 requests, view change", 2)
                .down(0)
                .client_timers(2)
                .timers(2, TimerKinds::VIEW_CHANGE)
                .reachable_only()
                .expect_view_change(),
            CAP,
        ),
        (
            Setup::new("R3 down, 1 request, early view change", 1)
                .down(3)
                .client_timers(1)
                .timers(2, TimerKinds::VIEW_CHANGE)
                .reachable_only()
                .expect_view_change(),
            CAP,
        ),
        (
            Setup::new("R0 equivocates or hides certificates, view change", 1)
                .byzantine(0, Menu { view_change: true, ..Menu::EQUIVOCATE })
                .client_timers(1)
                .timers(2, TimerKinds::VIEW_CHANGE)
                .reachable_only(),
            CAP,
        ),
        (Setup::new("R3 down, 1 request, 1 drop, 2 timers", 1).down(3).drops(1).timers(2, TimerKinds::ALL).reachable_only(), CAP),
        (Setup::new("R3 may crash, 1 request", 1).crashes(&[3], 1).reachable_only(), CAP),
        (Setup::new("no faults, 1 request", 1), CAP),
    ]
}

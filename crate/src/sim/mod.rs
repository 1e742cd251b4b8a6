//! The deterministic simulator: virtual time, an event queue ordered by
//! (time, insertion order), one seeded RNG, a network with per-link latency,
//! loss and partitions, faults, Byzantine behaviours and an invariant monitor.
//!
//! Same configuration + same timed actions = the same run, event for event.

mod action;
mod byzantine;
mod chunked;
mod codes;
mod config;
mod event;
#[cfg(any(not(target_arch = "wasm32"), feature = "explore"))]
pub mod explore;
mod fingerprint;
mod manual;
mod monitor;
mod network;
mod presets;
mod replay;
mod rng;
mod snapshot;

pub use action::{Action, TimedAction};
pub use byzantine::{
    corrupt, forge, Adversary, Behavior, BehaviorDef, Cx, Effect, ParamDef, Params, ACCOMPLICES, ACCOMPLICE_CLIENT, BEHAVIORS,
};
pub use chunked::Chunked;
pub use codes::Codes;
pub use config::{SimConfig, SimError};
pub use fingerprint::{client_hash, debug_hash, hash_of, mix, replica_hash};
pub use event::{node_number, node_of, DropReason, Event, EventKind, Violation};
pub use manual::{Delivery, PendingTimer, TimerKind};
pub use monitor::Monitor;
pub use presets::{preset, Preset, PRESETS};
pub use rng::Rng;
pub use snapshot::{
    describe, ClientSnapshot, ExecutedEntry, InFlight, OutstandingSnapshot, ReplicaSnapshot, Snapshot, Stats,
};

use std::cmp::Reverse;
use crate::vecmap::VecMap;
use std::collections::BinaryHeap;

use network::InFlightTable;

use crate::protocol::{
    Client, ClientOutput, ClientTimer, Message, NodeId, Output, Replica, ReplicaId, ReplicaTimer, TimerSlots,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    /// A message in flight arrives.
    Deliver(u64),
    /// A replica's timer (with the generation it was set with).
    ReplicaTimer(ReplicaId, ReplicaTimer, u64),
    /// A client's timer for one request: (client, timestamp, generation).
    ClientTimer(u32, u64, u64),
    /// A faulty replica's own timer: (replica, tag, generation of its behaviour).
    AdversaryTimer(ReplicaId, u32, u64),
    /// A message a faulty replica held back leaves now (id into `delayed`).
    DelayedSend(u64),
    /// The continuous load's next request (with the generation of its setting).
    LoadTick(u64),
}

/// The continuous load ([`Action::SetLoad`]).
#[derive(Clone, Debug, Default)]
struct Load {
    /// Requests per virtual second (0: off).
    rate: u32,
    /// Bumped on each setting: older ticks are stale.
    gen: u64,
    /// Requests it submitted so far.
    made: u64,
    /// Turns skipped because the client had two requests waiting.
    skipped: u64,
}

impl Load {
    /// Requests a client may have waiting before it skips its turn.
    const BACKLOG: usize = 2;

    /// Virtual ms between requests.
    fn interval(&self) -> u64 {
        (1000 / u64::from(self.rate.max(1))).max(1)
    }
}

#[derive(Clone)]
struct Node {
    replica: Replica,
    up: bool,
    behavior: Behavior,
    /// The behaviour's adversary (None while honest).
    adversary: Option<Box<dyn Adversary>>,
    /// Bumped on each behaviour change: older adversary timers are stale.
    behavior_gen: u64,
    ever_faulty: bool,
    /// Running timers, marked by the generation they were set with.
    timers: TimerSlots<u64>,
    executed: Chunked<ExecutedEntry>,
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
    client_timers: VecMap<(u32, u64), u64>,
    in_flight: InFlightTable,
    next_msg: u64,
    partition: Vec<u32>,
    /// Per-link latency ranges overriding the default, keyed by (low, high) node number.
    links: VecMap<(i64, i64), (u64, u64)>,
    loss: f64,
    load: Load,
    events: Vec<Event>,
    next_event: u64,
    /// Work done so far: a unit per message sent and per message handled,
    /// plus one per signed message nested in it ([`Message::weight`]), so
    /// that a budget counts a NEW-VIEW of a large cluster for what it costs.
    work: u64,
    record: bool,
    stats: Stats,
    monitor: Monitor,
    actions: Vec<TimedAction>,
    applied: usize,
    timer_gen: u64,
    /// Messages faulty replicas hold back, by id: (sender, receiver, message).
    delayed: VecMap<u64, (ReplicaId, NodeId, Message)>,
    next_delayed: u64,
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
    /// On a saved copy: the lengths of what it left out.
    cut: Option<replay::Cut>,
    /// The message being handled (id, sender), so a refusal can name it.
    handling: Option<(u64, NodeId)>,
    /// Manual delivery ([`Delivery::Manual`]): the queue waits for the user.
    manual: bool,
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
                behavior: Behavior::HONEST,
                adversary: None,
                behavior_gen: 0,
                ever_faulty: false,
                timers: TimerSlots::new(),
                executed: Chunked::default(),
            })
            .collect();
        Ok(Simulation {
            rng: Rng::new(cfg.seed),
            now: 0,
            queue: BinaryHeap::new(),
            qseq: 0,
            nodes,
            clients: (0..cfg.clients as u32).map(|c| Client::new(c, cfg.protocol.clone())).collect(),
            client_timers: VecMap::new(),
            in_flight: InFlightTable::default(),
            next_msg: 1,
            partition: vec![0; n],
            links: VecMap::new(),
            loss: cfg.loss,
            load: Load::default(),
            events: Vec::new(),
            next_event: 1,
            work: 0,
            record: true,
            stats: Stats::default(),
            monitor: Monitor::for_config(&cfg.protocol),
            actions: Vec::new(),
            applied: 0,
            timer_gen: 0,
            delayed: VecMap::new(),
            next_delayed: 0,
            spare: Vec::new(),
            rewound: false,
            saved: Vec::new(),
            saving: true,
            cut: None,
            handling: None,
            manual: cfg.delivery == Delivery::Manual,
            cfg,
        })
    }

    /// A new run that will apply `actions` (sorted by time) as time reaches them.
    pub fn with_actions(cfg: SimConfig, mut actions: Vec<TimedAction>) -> Result<Simulation, SimError> {
        let mut sim = Simulation::new(cfg)?;
        for (index, a) in actions.iter().enumerate() {
            sim.check_action(&a.action).map_err(|e| SimError::InAction { index, at: a.at, error: Box::new(e) })?;
        }
        actions.sort_by_key(|a| a.at);
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
    /// Work done so far (messages sent and handled, weighed by what they
    /// carry): it only grows, and it is the same in every replay of a run.
    pub fn work(&self) -> u64 {
        self.work
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
    /// What replica `i` executed, in order (a copy). A replica's log holds
    /// its latest entries in memory ([`Chunked::HOLDS`] at least); the rest is
    /// rebuilt by replay, which costs a run from a saved copy or the start.
    pub fn executed(&self, i: ReplicaId) -> Vec<ExecutedEntry> {
        let from: Vec<usize> = self.nodes.iter().enumerate().map(|(j, node)| if j == i { 0 } else { node.executed.len() }).collect();
        self.executed_from(&from).swap_remove(i)
    }
    /// How many entries replica `i` executed.
    pub fn executed_count(&self, i: ReplicaId) -> usize {
        self.nodes[i].executed.len()
    }
    /// Client 0 (the one the page shows).
    pub fn client(&self) -> &Client {
        &self.clients[0]
    }
    /// Client `c`.
    pub fn client_by_id(&self, c: u32) -> Option<&Client> {
        self.clients.get(c as usize)
    }
    /// Safety violations found so far (the first [`Monitor::KEEP_VIOLATIONS`]).
    pub fn violations(&self) -> &[Violation] {
        self.monitor.violations()
    }
    /// How many safety violations were found in all.
    pub fn violation_count(&self) -> usize {
        self.monitor.violation_count()
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
            && self.load.rate == 0
            && self.client_timers.is_empty()
            && self.applied >= self.actions.len()
            && self.delayed.is_empty()
            && self.nodes.iter().all(|n| !n.timers.any())
    }


    // ----- running ---------------------------------------------------------

    /// The virtual time of the next thing due (message, timer or action; in
    /// manual delivery, only actions are due by themselves).
    pub fn next_instant(&self) -> Option<u64> {
        let item = self.next_item_at();
        match (item, self.next_action_at()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// When the next queued item (message or timer) is due, unless the queue waits for the user.
    fn next_item_at(&self) -> Option<u64> {
        if self.manual {
            return None;
        }
        self.queue.peek().map(|Reverse((t, _, _))| *t)
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
        let item_t = self.next_item_at();
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

    /// Advances virtual time by `ms`, returning the events that happened (in
    /// manual delivery the clock moves, but only scheduled actions happen).
    pub fn advance(&mut self, ms: u64) -> Vec<Event> {
        let target = self.now.saturating_add(ms);
        while self.step_instant(target) {}
        let before = self.now;
        self.now = target;
        if self.manual && self.saving {
            // Nothing pops from the queue: copies for `seek` are taken as the clock moves.
            self.maybe_save(before);
        }
        self.take_events()
    }

    /// Runs to the next instant at which anything happens.
    pub fn step(&mut self) -> Vec<Event> {
        self.step_instant(u64::MAX);
        self.take_events()
    }

    /// Runs until idle or until `max_ms` of virtual time passed. In manual
    /// delivery, until nothing more happens by itself ([`Simulation::is_waiting`]):
    /// the clock stays at the last thing that happened.
    pub fn run_until_idle(&mut self, max_ms: u64) -> Vec<Event> {
        let limit = self.now.saturating_add(max_ms);
        while !self.is_idle() && !self.is_waiting() && self.step_instant(limit) {}
        if !self.is_idle() && !self.is_waiting() {
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

    /// Drains the recorded events.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Moves the recorded events to the end of `out`. The run's own buffer
    /// keeps its capacity, so a caller that steps instant by instant does
    /// not allocate a list per instant.
    pub fn drain_events_into(&mut self, out: &mut Vec<Event>) {
        out.append(&mut self.events);
    }

    /// [`Simulation::step`], its events moved to the end of `out`.
    pub fn step_into(&mut self, out: &mut Vec<Event>) {
        self.step_instant(u64::MAX);
        self.drain_events_into(out);
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
            Item::Deliver(id) => self.arrive(id),
            Item::ReplicaTimer(r, timer, gen) => {
                let node = &mut self.nodes[r];
                if node.timers.get(timer) != Some(gen) || !node.up {
                    return;
                }
                node.timers.cancel(timer);
                let mut out = Vec::new();
                node.replica.on_timer(timer, &mut out);
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
            Item::AdversaryTimer(r, tag, gen) => {
                if self.nodes[r].behavior_gen == gen && self.nodes[r].up {
                    self.with_adversary(r, |adv, cx| adv.on_timer(cx, tag));
                }
            }
            Item::LoadTick(gen) => {
                if gen != self.load.gen || self.load.rate == 0 {
                    return;
                }
                let turn = (self.load.made + self.load.skipped) as usize % self.clients.len();
                let c = &self.clients[turn];
                if c.outstanding().len() + c.queued() < Load::BACKLOG {
                    self.load.made += 1;
                    // A few keys over and over: the service's store stays small.
                    let op: std::sync::Arc<str> = format!("load{}={}", self.load.made % 8, self.load.made).into();
                    let mut out = Vec::new();
                    let t = self.clients[turn].submit(op.clone(), &mut out);
                    self.emit(EventKind::Submitted { client: turn as u32, timestamp: t, op });
                    self.client_outputs(turn as u32, out);
                } else {
                    self.load.skipped += 1;
                }
                self.schedule(self.now + self.load.interval(), Item::LoadTick(gen));
            }
            Item::DelayedSend(id) => {
                if let Some((r, to, msg)) = self.delayed.remove(&id) {
                    if self.nodes[r].up {
                        self.send(NodeId::Replica(r), to, msg);
                    }
                }
            }
        }
    }

    /// Runs `f` on replica `r`'s adversary, if it has one, and carries out
    /// what it did. Returns what `f` returned (None without an adversary).
    fn with_adversary<T>(&mut self, r: ReplicaId, f: impl FnOnce(&mut dyn Adversary, &mut Cx<'_>) -> T) -> Option<T> {
        let mut adv = self.nodes[r].adversary.take()?;
        let mut effects = Vec::new();
        let mut cx = Cx::new(r, &self.cfg.protocol, self.now, &self.nodes[r].replica, &mut effects);
        let result = f(adv.as_mut(), &mut cx);
        self.nodes[r].adversary = Some(adv);
        let gen = self.nodes[r].behavior_gen;
        for e in effects {
            match e {
                Effect::Send { to, msg, delay: 0 } => self.send(NodeId::Replica(r), to, msg),
                Effect::Send { to, msg, delay } => {
                    let id = self.next_delayed;
                    self.next_delayed += 1;
                    self.delayed.insert(id, (r, to, msg));
                    self.schedule(self.now + delay, Item::DelayedSend(id));
                }
                Effect::Timer { after, tag } => self.schedule(self.now + after, Item::AdversaryTimer(r, tag, gen)),
            }
        }
        Some(result)
    }

    fn replica_outputs(&mut self, r: ReplicaId, mut out: Vec<Output>) {
        for o in out.drain(..) {
            match o {
                Output::Send { to, msg } => {
                    if self.nodes[r].adversary.is_some() {
                        self.with_adversary(r, |adv, cx| adv.on_send(cx, to, msg));
                    } else {
                        self.send(NodeId::Replica(r), to, msg);
                    }
                }
                Output::SetTimer { timer, after } => {
                    self.timer_gen += 1;
                    let gen = self.timer_gen;
                    self.nodes[r].timers.set(timer, gen);
                    self.schedule(self.now + after, Item::ReplicaTimer(r, timer, gen));
                }
                Output::CancelTimer(timer) => self.nodes[r].timers.cancel(timer),
                Output::Phase { view, seq, digest, phase } => {
                    self.emit_with(|| EventKind::Phase { replica: r, view, seq, digest, phase });
                }
                Output::Executed { seq, digest, request, result, state } => {
                    let honest = !self.nodes[r].ever_faulty;
                    let fresh = match (&request, &result) {
                        (Some(q), Some(_)) => Some((q.client, q.timestamp)),
                        _ => None,
                    };
                    let found = self.monitor.on_executed(r, seq, digest, state, request.as_ref().map(|q| &q.op), fresh, honest);
                    self.emit_with(|| EventKind::Executed {
                        replica: r,
                        seq,
                        digest,
                        op: request.as_ref().map(|q| q.op.clone()),
                        timestamp: request.as_ref().map(|q| q.timestamp),
                        result,
                    });
                    let entry = ExecutedEntry { seq, digest, op: request.map(|q| q.op) };
                    self.nodes[r].executed.push(entry);
                    for v in found {
                        self.emit(EventKind::Violation { violation: v });
                    }
                }
                Output::CheckpointStable { seq } => self.emit(EventKind::CheckpointStable { replica: r, seq }),
                Output::ViewChangeStarted { view } => {
                    let was_primary = view > 0 && self.cfg.protocol.primary(view - 1) == r;
                    self.emit(EventKind::ViewChangeStarted { replica: r, view, was_primary })
                }
                Output::NewViewInstalled { view } => {
                    let primary = self.cfg.protocol.primary(view);
                    self.emit(EventKind::ViewChanged { replica: r, view, primary });
                }
                Output::StateTransferred { seq, from } => {
                    self.monitor.on_state_transfer(r, seq);
                    self.emit(EventKind::StateTransferred { replica: r, seq, from });
                }
                Output::Rejected { from, reason } => {
                    let msg = self.handling.filter(|h| h.1 == from).map(|h| h.0);
                    self.emit_with(|| EventKind::Rejected { node: NodeId::Replica(r), from, reason, msg });
                }
            }
        }
        // Timers' outputs come in new buffers and end here too: keep a few.
        if self.spare.len() < 4 {
            self.spare.push(out);
        }
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
                        self.emit(EventKind::Violation { violation: v });
                    }
                }
                ClientOutput::Retransmitted { timestamp, attempt } => {
                    self.emit(EventKind::Retransmitted { client: c, timestamp, attempt })
                }
                ClientOutput::Conflict { timestamp, accepted, other } => {
                    if let Some(v) = self.monitor.on_client_conflict(timestamp, accepted, other) {
                        self.emit(EventKind::Violation { violation: v });
                    }
                }
                ClientOutput::Rejected { from, reason } => {
                    let msg = self.handling.filter(|h| h.1 == from).map(|h| h.0);
                    self.emit_with(|| EventKind::Rejected { node: me, from, reason, msg });
                }
            }
        }
    }

}

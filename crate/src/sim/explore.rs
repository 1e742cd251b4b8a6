//! Exhaustive exploration of what can happen next: from a run's current
//! instant, every order in which the network can deliver the messages in
//! flight, and (within budgets) drop them or fire the running timers, with
//! the safety monitor watching every state reached.
//!
//! The search runs the simulator itself in manual delivery ("you are the
//! network"): a step is a [`Choice`], which is exactly the recorded action
//! the user could have taken ([`Action::Deliver`], [`Action::DropMessage`],
//! [`Action::FireTimer`]) at the same virtual time. A counterexample is
//! therefore a list of actions that the page replays as a run.
//!
//! - **States** are told apart by a 64-bit [`World::fingerprint`]: every
//!   replica's state ([`replica_hash`]), whether it is up, its behaviour and
//!   its adversary's state, its running timers; the clients; the multiset of
//!   messages in flight (sender, receiver, message; not their ids or times);
//!   the messages faulty replicas hold back and their timers, in the order
//!   they are due; partitions and the continuous load; how many violations
//!   the monitor has seen; the budgets used. Not the RNG (in manual mode it
//!   only draws latencies nobody waits for; a random behaviour's draws are
//!   the one thing two merged states can differ in), nor the clock (it does
//!   not move during a search).
//! - **The search** is depth-first with state hashing: each state is
//!   expanded once, or again when it is reached by a shorter path than
//!   before, so with a depth bound every state within that many steps is
//!   seen. Memory is the set of fingerprints (about 16 bytes a state) and one
//!   run per level of the current path.
//! - **Properties** are the monitor's: agreement, exactly once, accepted is
//!   committed, no conflicting results. A state in which the monitor counts
//!   a violation the starting state did not have ends the search with a
//!   [`Counterexample`], shortened ([`Explorer::counterexample`]) by leaving
//!   out every step it does not need.
//!
//! `crate/tests/explore.rs` cross-checks this search against stateright's
//! breadth-first checker on the same model: the same number of distinct states.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use super::{client_hash, debug_hash, hash_of, mix, node_of, replica_hash, Action, Delivery, Item, Simulation, TimedAction, TimerKind, Violation};
use crate::protocol::ReplicaTimer;
use std::cmp::Reverse;

/// How far a search goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Distinct states at most.
    pub states: u64,
    /// Steps from the starting state at most.
    pub depth: u32,
    /// Timers fired on one path at most (0: messages only).
    pub timers: u32,
    /// Messages dropped on one path at most.
    pub drops: u32,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds { states: 1_000_000, depth: 40, timers: 0, drops: 0 }
    }
}

/// One step of a search: what the network does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// The message in flight with this id arrives.
    Deliver(u64),
    /// The message in flight with this id is lost.
    Drop(u64),
    /// This node's running timer of this kind goes off.
    Fire(i64, TimerKind),
}

impl Choice {
    /// The recorded action that takes this step.
    pub fn action(self) -> Action {
        match self {
            Choice::Deliver(msg) => Action::Deliver { msg },
            Choice::Drop(msg) => Action::DropMessage { msg },
            Choice::Fire(node, timer) => Action::FireTimer { node, timer },
        }
    }
}

/// A state of the search: a run in manual delivery, at the instant the
/// search started, and the budgets its path used.
#[derive(Clone)]
pub struct World {
    sim: Simulation,
    timers: u32,
    drops: u32,
    /// Each replica's part of the fingerprint (kept up to date by `apply`: a
    /// step changes the one node it happens at).
    node_fp: Vec<u64>,
    /// Each client's.
    client_fp: Vec<u64>,
    /// The messages in flight and their hashes, by id.
    flight: Vec<(u64, u64)>,
}

impl World {
    /// The run `sim` at its current instant, ready to be explored: the actions
    /// due now applied, manual delivery on, nothing recorded for replay (no
    /// events, no copies for `seek`, no actions: the clock stays where it is,
    /// so actions scheduled later never come; no executed logs).
    pub fn new(mut sim: Simulation) -> World {
        let now = sim.now;
        while sim.next_action_at().is_some_and(|t| t <= now) {
            let action = sim.actions[sim.applied].action.clone();
            sim.applied += 1;
            sim.apply(action);
        }
        sim.manual = true;
        sim.record = false;
        sim.saving = false;
        sim.saved.clear();
        sim.events.clear();
        sim.actions.clear();
        sim.applied = 0;
        sim.rewound = false;
        // What only grows with the run is not copied into every state: each
        // replica's executed log is for snapshots (the monitor keeps its own
        // window, the replica its own state), so a step costs the same after a
        // long run as after a short one.
        for node in &mut sim.nodes {
            node.executed = Default::default();
        }
        let mut w = World { sim, timers: 0, drops: 0, node_fp: Vec::new(), client_fp: Vec::new(), flight: Vec::new() };
        w.node_fp = (0..w.sim.nodes.len()).map(|r| w.node_hash(r)).collect();
        w.client_fp = w.sim.clients.iter().map(client_hash).collect();
        w.flight = w.sim.in_flight.values().map(|e| (e.id, envelope_hash(e))).collect();
        w
    }

    fn node_hash(&self, r: usize) -> u64 {
        let node = &self.sim.nodes[r];
        let mut h = FpHasher::default();
        h.write_u64(replica_hash(&node.replica));
        (node.up, node.ever_faulty, node.behavior).hash(&mut h);
        if node.adversary.is_some() {
            h.write_u64(debug_hash(&node.adversary));
        }
        for t in [ReplicaTimer::ViewChange, ReplicaTimer::Retransmit, ReplicaTimer::Fetch] {
            h.write_u8(node.timers.get(t).is_some() as u8);
        }
        h.finish()
    }

    /// Whether message `id` is lost whenever it is delivered (the network
    /// loses it, a partition separates its ends, its receiver is down): its
    /// delivery changes nothing but the messages in flight, commutes with
    /// every other step and stays possible until taken, so the search takes
    /// it first and alone (a reduction that keeps every reachable state of
    /// the nodes and every violation).
    fn doomed(&self, e: &super::network::Envelope) -> bool {
        let s = &self.sim;
        e.lost || !s.linked(e.from, e.to) || matches!(e.to, crate::protocol::NodeId::Replica(r) if !s.nodes[r].up)
    }

    /// The run.
    pub fn sim(&self) -> &Simulation {
        &self.sim
    }

    /// What can happen next within `bounds`: each distinct message in flight
    /// delivered (of identical copies, the oldest) or dropped, each running
    /// timer fired (one per node and kind, the one due soonest).
    pub fn choices(&self, bounds: &Bounds) -> Vec<Choice> {
        let s = &self.sim;
        if let Some(e) = s.in_flight.values().find(|e| self.doomed(e)) {
            return vec![Choice::Deliver(e.id)];
        }
        let mut out = Vec::new();
        let mut seen: Vec<u64> = Vec::new();
        for e in s.in_flight.values() {
            let key = self.flight_hash(e.id);
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            out.push(Choice::Deliver(e.id));
            if self.drops < bounds.drops {
                out.push(Choice::Drop(e.id));
            }
        }
        if self.timers < bounds.timers {
            out.extend(s.pending_timers().into_iter().map(|p| Choice::Fire(p.node, p.timer)));
        }
        out
    }

    /// Takes step `c` (one of [`World::choices`]).
    pub fn apply(&mut self, c: Choice) {
        use crate::protocol::NodeId;
        let at = match c {
            Choice::Deliver(id) => self.sim.in_flight.get(id).map(|e| e.to),
            Choice::Drop(_) => None,
            Choice::Fire(node, _) => Some(node_of(node)),
        };
        match c {
            Choice::Deliver(_) => {}
            Choice::Drop(_) => self.drops += 1,
            Choice::Fire(..) => self.timers += 1,
        }
        let first_new = self.sim.next_msg;
        self.sim.apply(c.action());
        match at {
            Some(NodeId::Replica(r)) => self.node_fp[r] = self.node_hash(r),
            Some(NodeId::Client(k)) => self.client_fp[k as usize] = client_hash(&self.sim.clients[k as usize]),
            None => {}
        }
        let in_flight = &self.sim.in_flight;
        self.flight.retain(|&(id, _)| in_flight.contains_key(id));
        for id in first_new..self.sim.next_msg {
            if let Some(e) = in_flight.get(id) {
                self.flight.push((id, envelope_hash(e)));
            }
        }
    }

    /// The hash of message `id` in flight.
    fn flight_hash(&self, id: u64) -> u64 {
        match self.flight.binary_search_by_key(&id, |&(i, _)| i) {
            Ok(k) => self.flight[k].1,
            Err(_) => self.sim.in_flight.get(id).map_or(0, envelope_hash),
        }
    }

    /// The state's fingerprint (see the module docs for what it covers).
    pub fn fingerprint(&self) -> u64 {
        let s = &self.sim;
        let mut h = FpHasher::default();
        for &x in self.node_fp.iter().chain(&self.client_fp) {
            h.write_u64(x);
        }
        for key in s.client_timers.keys() {
            key.hash(&mut h);
        }
        // Messages in flight: a multiset, whatever their ids and order.
        let flight = self.flight.iter().fold(0u64, |sum, &(_, x)| sum.wrapping_add(mix(x)));
        h.write_u64(flight);
        h.write_usize(self.flight.len());
        // A faulty replica's own timers and held-back messages, in the order they fire.
        let mut own: Vec<(u64, u64, u64)> = Vec::new();
        for &Reverse((due, qseq, item)) in s.queue.iter() {
            let what = match item {
                Item::AdversaryTimer(r, tag, gen) if s.nodes[r].behavior_gen == gen => debug_hash(&(r, tag)),
                Item::DelayedSend(id) => match s.delayed.get(&id) {
                    Some(d) => debug_hash(d),
                    None => continue,
                },
                Item::LoadTick(gen) if gen == s.load.gen => 1,
                _ => continue,
            };
            own.push((due, qseq, what));
        }
        own.sort_unstable();
        for (_, _, what) in own {
            h.write_u64(what);
        }
        s.partition.hash(&mut h);
        (s.load.rate, s.load.made, s.load.skipped).hash(&mut h);
        h.write_usize(s.monitor.violation_count());
        (self.timers, self.drops).hash(&mut h);
        h.finish()
    }

    /// How many safety violations the monitor has counted.
    pub fn violations(&self) -> usize {
        self.sim.monitor.violation_count()
    }

    /// Whether every client request was accepted (nothing outstanding or queued).
    pub fn all_accepted(&self) -> bool {
        self.sim.clients.iter().all(|c| c.outstanding().is_empty() && c.queued() == 0)
    }
}

/// A message in flight, as the state sees it: who sent what to whom.
fn envelope_hash(e: &super::network::Envelope) -> u64 {
    hash_of(&(e.from, e.to, &e.msg, e.lost))
}

/// Fingerprints are already hashes: the set of visited states keys on them as they are.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

/// The hasher a fingerprint is built with: FNV-1a over the parts' own
/// 64-bit hashes and small fields (fast, the same on every platform).
struct FpHasher(u64);

impl Default for FpHasher {
    fn default() -> Self {
        FpHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for FpHasher {
    fn finish(&self) -> u64 {
        mix(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = mix(self.0 ^ x).wrapping_add(0x9e37_79b9_7f4a_7c15);
    }
}

/// How far a search got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Distinct states seen (the starting state included).
    pub states: u64,
    /// Steps taken (successors generated, repeats included).
    pub generated: u64,
    /// The current path's length.
    pub depth: u32,
    /// The longest path taken.
    pub max_depth: u32,
    /// Distinct states where nothing more can happen within the bounds.
    pub ended: u64,
    /// Of those, the ones where every request was accepted.
    pub ended_accepted: u64,
    /// The search is over (nothing left, a violation found, or the state bound reached).
    pub done: bool,
    /// States were left unexpanded at the depth bound.
    pub depth_cut: bool,
    /// The search stopped at the state bound.
    pub states_cut: bool,
}

impl Progress {
    /// Over, with every state within the bounds seen (depth bound aside: see `depth_cut`).
    pub fn complete(&self) -> bool {
        self.done && !self.states_cut
    }
}

/// A path that breaks a property.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// The steps, from the starting state.
    pub steps: Vec<Choice>,
    /// What broke.
    pub violation: Violation,
}

impl Counterexample {
    /// The steps as recorded actions from `at`, the instant the search started
    /// from: manual delivery switched on at `at` (if the run was not in it),
    /// then one step every `every` ms of virtual time, so a timeline shows
    /// them one by one. In manual delivery nothing happens by itself while the
    /// clock moves, so spacing them changes nothing but when they are seen.
    pub fn actions(&self, at: u64, was: Delivery, every: u64) -> Vec<TimedAction> {
        let manual = (was != Delivery::Manual).then(|| TimedAction { at, action: Action::SetDelivery { mode: Delivery::Manual } });
        let steps = self.steps.iter().enumerate().map(|(i, c)| TimedAction { at: at + every * (i as u64 + 1), action: c.action() });
        manual.into_iter().chain(steps).collect()
    }
}

struct Frame {
    world: World,
    choices: Vec<Choice>,
    next: usize,
    /// The step that led here (None at the start).
    via: Option<Choice>,
}

/// A depth-first search with state hashing, run in slices ([`Explorer::run`]).
pub struct Explorer {
    bounds: Bounds,
    root: World,
    /// Violations the starting state already had.
    before: usize,
    /// Each state seen and the shortest path length it was reached by.
    visited: HashMap<u64, u32, BuildHasherDefault<IdHasher>>,
    stack: Vec<Frame>,
    progress: Progress,
    found: Option<Vec<Choice>>,
}

impl Explorer {
    /// A search from `sim`'s current instant (see [`World::new`]).
    /// Bounds of 0 states or 0 steps count as 1.
    pub fn new(sim: Simulation, bounds: Bounds) -> Explorer {
        let bounds = Bounds { states: bounds.states.max(1), depth: bounds.depth.max(1), ..bounds };
        let root = World::new(sim);
        let mut ex = Explorer {
            bounds,
            before: root.violations(),
            visited: HashMap::default(),
            stack: Vec::new(),
            progress: Progress::default(),
            found: None,
            root: root.clone(),
        };
        ex.visited.insert(root.fingerprint(), 0);
        ex.progress.states = 1;
        ex.enter(root, None, true);
        ex
    }

    /// The starting state.
    pub fn root(&self) -> &World {
        &self.root
    }

    /// The bounds.
    pub fn bounds(&self) -> Bounds {
        self.bounds
    }

    /// How far it got.
    pub fn progress(&self) -> Progress {
        Progress { depth: self.stack.len().saturating_sub(1) as u32, ..self.progress }
    }

    /// Whether a state with fingerprint `fp` was seen.
    pub fn seen(&self, fp: u64) -> bool {
        self.visited.contains_key(&fp)
    }

    /// Pushes `world` to expand next (`fresh`: seen for the first time, not
    /// again by a shorter path).
    fn enter(&mut self, world: World, via: Option<Choice>, fresh: bool) {
        let choices = world.choices(&self.bounds);
        if choices.is_empty() && fresh {
            self.progress.ended += 1;
            self.progress.ended_accepted += u64::from(world.all_accepted());
        }
        self.stack.push(Frame { world, choices, next: 0, via });
    }

    /// Takes up to `steps` steps; returns whether the search is over.
    pub fn run(&mut self, steps: u64) -> bool {
        for _ in 0..steps {
            if self.progress.done {
                break;
            }
            self.step();
        }
        self.progress.done
    }

    fn step(&mut self) {
        let Some(top) = self.stack.last_mut() else {
            self.progress.done = true;
            return;
        };
        let Some(&c) = top.choices.get(top.next) else {
            self.stack.pop();
            return;
        };
        top.next += 1;
        let mut world = top.world.clone();
        world.apply(c);
        self.progress.generated += 1;
        let depth = self.stack.len() as u32;
        let fp = world.fingerprint();
        let fresh = match self.visited.get_mut(&fp) {
            Some(d) if *d <= depth => return,
            Some(d) => {
                *d = depth;
                false
            }
            None => {
                self.visited.insert(fp, depth);
                self.progress.states += 1;
                true
            }
        };
        self.progress.max_depth = self.progress.max_depth.max(depth);
        if world.violations() > self.before {
            let mut path: Vec<Choice> = self.stack.iter().filter_map(|f| f.via).collect();
            path.push(c);
            self.found = Some(path);
            self.progress.done = true;
            return;
        }
        if depth >= self.bounds.depth {
            self.progress.depth_cut = true;
            return;
        }
        self.enter(world, Some(c), fresh);
        if self.progress.states >= self.bounds.states {
            self.progress.states_cut = true;
            self.progress.done = true;
        }
    }

    /// The violation found, shortened: each step whose removal still leads
    /// to a violation is left out (later messages are matched by content,
    /// since ids follow the order things were sent), then the path is cut
    /// where the violation happens.
    pub fn counterexample(&self) -> Option<Counterexample> {
        let path = self.found.as_ref()?;
        let mut best = self.replay(&self.keyed(path))?;
        let mut i = 0;
        while i < best.len() {
            let mut shorter = self.keyed(&best);
            shorter.remove(i);
            match self.replay(&shorter) {
                Some(p) => best = p,
                None => i += 1,
            }
        }
        let mut world = self.root.clone();
        for &c in &best {
            world.apply(c);
        }
        let violation = world.sim.monitor.violations().get(self.before).cloned()?;
        Some(Counterexample { steps: best, violation })
    }

    /// A path with each message named by its content.
    fn keyed(&self, path: &[Choice]) -> Vec<(Choice, u64)> {
        self.walk(path, |c, e| (c, e.map_or(0, envelope_hash)))
    }

    /// Takes `path` from the starting state, calling `f` with each step and,
    /// for a delivery or a drop, its message (before the step is taken).
    fn walk<T>(&self, path: &[Choice], mut f: impl FnMut(Choice, Option<&super::network::Envelope>) -> T) -> Vec<T> {
        let mut world = self.root.clone();
        path.iter()
            .map(|&c| {
                let out = match c {
                    Choice::Deliver(id) | Choice::Drop(id) => f(c, world.sim.in_flight.get(id)),
                    Choice::Fire(..) => f(c, None),
                };
                world.apply(c);
                out
            })
            .collect()
    }

    /// Replays a keyed path from the start, each message found again by its
    /// content: the path up to its first violation, or None if a step cannot
    /// be taken or no violation comes.
    fn replay(&self, path: &[(Choice, u64)]) -> Option<Vec<Choice>> {
        let mut world = self.root.clone();
        let mut out = Vec::new();
        for &(c, key) in path {
            let c = match c {
                Choice::Deliver(_) | Choice::Drop(_) => {
                    let id = world.sim.in_flight.values().find(|e| envelope_hash(e) == key)?.id;
                    if matches!(c, Choice::Deliver(_)) { Choice::Deliver(id) } else { Choice::Drop(id) }
                }
                Choice::Fire(node, timer) => {
                    world.sim.has_timer(node, timer).then_some(c)?
                }
            };
            world.apply(c);
            out.push(c);
            if world.violations() > self.before {
                return Some(out);
            }
        }
        None
    }
}

/// A step of a path and the message it delivered or dropped (None for a timer).
#[derive(Clone, Copy, Debug)]
pub struct StepInfo {
    /// The step.
    pub choice: Choice,
    /// Its message's sender, receiver and kind.
    pub message: Option<(crate::protocol::NodeId, crate::protocol::NodeId, crate::protocol::MsgKind)>,
}

impl Explorer {
    /// Each step of `steps` (taken from the starting state) with its message.
    pub fn steps(&self, steps: &[Choice]) -> Vec<StepInfo> {
        self.walk(steps, |choice, e| StepInfo { choice, message: e.map(|e| (e.from, e.to, e.msg.kind())) })
    }

    /// One line per step of `steps` (taken from the starting state): what
    /// the network did, and what it carried.
    pub fn trace(&self, steps: &[Choice]) -> Vec<String> {
        use crate::protocol::NodeId;
        let name = |n: NodeId| match n {
            NodeId::Replica(r) => format!("R{r}"),
            NodeId::Client(c) => format!("C{c}"),
        };
        self.walk(steps, |c, e| match (c, e) {
            (Choice::Fire(node, timer), _) => format!("fire {}'s {timer} timer", name(node_of(node))),
            (Choice::Deliver(id) | Choice::Drop(id), e) => {
                let verb = if matches!(c, Choice::Deliver(_)) { "deliver" } else { "drop" };
                match e {
                    Some(e) => format!("{verb} #{id} {} → {}: {}", name(e.from), name(e.to), super::describe(&e.msg)),
                    None => format!("{verb} #{id} (not in flight)"),
                }
            }
        })
    }
}

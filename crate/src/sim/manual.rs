//! "You are the network": manual delivery. In manual mode nothing in the event
//! queue happens by itself: a message in flight arrives when the user delivers
//! it ([`Action::Deliver`]) and a timer goes off when the user fires it
//! ([`Action::FireTimer`]), each at the current virtual time, as a recorded
//! action (so replay, seek and permalinks reproduce the picks). The clock still
//! moves (`advance`), and actions scheduled for later (a preset's, a
//! permalink's) still apply when it reaches them.
//!
//! - A delivery takes the path of an arrival in automatic mode: a message the
//!   network loses (random loss, a partition between its ends, a crashed
//!   receiver) is dropped, with its reason, when it is delivered.
//! - Every queued item that is not a message is a pending timer: a replica's
//!   timers (view change, retransmission, state fetch), a client's request
//!   timer (retransmission), a faulty replica's own timers and the messages it
//!   holds back (behaviour), the continuous load's next request (load).
//!   Firing one fires the one of that node and kind due soonest.
//! - Back in automatic mode, what is overdue happens at once, in the order it
//!   was due (messages by their `deliverAt`, timers by their due time); the
//!   rest at its time.
//!
//! Delivering and firing also work in automatic mode: the message arrives, or
//! the timer goes off, now, earlier than it would have.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use std::cmp::Reverse;

use super::{node_number, node_of, Action, EventKind, Item, SimError, Simulation};
use crate::protocol::{NodeId, ReplicaTimer};

/// How messages arrive and timers fire (serialized as its code: `auto`, `manual`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delivery {
    /// Messages arrive at their `deliverAt`, timers fire when due (the default).
    #[default]
    Auto,
    /// Nothing arrives and no timer fires until the user says so ("you are the network").
    Manual,
}

impl Delivery {
    /// Every mode's code.
    pub const CODES: [&'static str; 2] = ["auto", "manual"];

    /// This mode's code.
    pub fn as_str(self) -> &'static str {
        Self::CODES[self as usize]
    }

    /// The mode of a code.
    pub fn named(code: &str) -> Option<Delivery> {
        match code {
            "auto" => Some(Delivery::Auto),
            "manual" => Some(Delivery::Manual),
            _ => None,
        }
    }
}

/// A kind of timer the user can fire (serialized as its code, [`TimerKind::CODES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimerKind {
    /// A replica's request timer, and during a view change the timer waiting
    /// for NEW-VIEW: when it fires, the replica moves to the next view (§4.4).
    ViewChange,
    /// A replica's retransmission of its unacknowledged messages (its
    /// VIEW-CHANGE during a view change); a client's request timer, which
    /// broadcasts the request to every replica.
    Retransmit,
    /// A replica waiting for a checkpoint, then for the state it fetched.
    Fetch,
    /// A faulty replica's own next move (its behaviour's timer, or a message it held back).
    Behavior,
    /// The continuous load's next request.
    Load,
}

impl TimerKind {
    /// Every timer code.
    pub const CODES: [&'static str; 5] = ["view-change", "retransmit", "fetch", "behavior", "load"];

    /// Every timer kind, in the order of [`TimerKind::CODES`].
    pub const ALL: [TimerKind; 5] = [TimerKind::ViewChange, TimerKind::Retransmit, TimerKind::Fetch, TimerKind::Behavior, TimerKind::Load];

    /// This timer's code.
    pub fn as_str(self) -> &'static str {
        Self::CODES[self as usize]
    }

    /// The timer of a code.
    pub fn named(code: &str) -> Option<TimerKind> {
        Self::CODES.iter().position(|&c| c == code).map(|i| Self::ALL[i])
    }

    /// The kind of a replica's timer.
    pub fn of_replica(t: ReplicaTimer) -> TimerKind {
        match t {
            ReplicaTimer::ViewChange => TimerKind::ViewChange,
            ReplicaTimer::Retransmit => TimerKind::Retransmit,
            ReplicaTimer::Fetch => TimerKind::Fetch,
        }
    }
}

// As strings, read as strings (as `Behavior` is): no enum visitor per type in the wasm build.
impl Serialize for Delivery {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Delivery {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Delivery::named(&code).ok_or_else(|| serde::de::Error::custom(format!("unknown delivery mode \"{code}\", expected auto or manual")))
    }
}

impl Serialize for TimerKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TimerKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        TimerKind::named(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown timer \"{code}\", expected one of: {}", TimerKind::CODES.join(", "))))
    }
}

impl std::fmt::Display for TimerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A timer that is running, as a snapshot lists it (`{ node, timer, due }`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingTimer {
    /// Its node: replica `i` is `i`, client `c` is `-1 - c`.
    pub node: i64,
    /// Its kind.
    pub timer: TimerKind,
    /// When it is due (virtual ms; in manual mode it may be past).
    pub due: u64,
}

impl Simulation {
    /// How messages arrive and timers fire now.
    pub fn delivery(&self) -> Delivery {
        if self.manual {
            Delivery::Manual
        } else {
            Delivery::Auto
        }
    }

    /// Manual delivery and nothing scheduled: nothing happens until the user
    /// delivers a message or fires a timer (or acts otherwise).
    pub fn is_waiting(&self) -> bool {
        self.manual && self.next_action_at().is_none()
    }

    /// The node and kind of a queued item if it is a live timer (not a
    /// message, not a timer that was reset or cancelled since).
    fn live_timer(&self, item: Item) -> Option<(i64, TimerKind)> {
        match item {
            Item::Deliver(_) => None,
            Item::ReplicaTimer(r, timer, gen) => {
                let node = &self.nodes[r];
                (node.up && node.timers.get(timer) == Some(gen)).then(|| (r as i64, TimerKind::of_replica(timer)))
            }
            Item::ClientTimer(c, t, gen) => {
                (self.client_timers.get(&(c, t)) == Some(&gen)).then(|| (node_number(NodeId::Client(c)), TimerKind::Retransmit))
            }
            Item::AdversaryTimer(r, _, gen) => {
                let node = &self.nodes[r];
                (node.up && node.behavior_gen == gen).then_some((r as i64, TimerKind::Behavior))
            }
            Item::DelayedSend(id) => {
                let &(r, _, _) = self.delayed.get(&id)?;
                self.nodes[r].up.then_some((r as i64, TimerKind::Behavior))
            }
            Item::LoadTick(gen) => {
                if gen != self.load.gen || self.load.rate == 0 {
                    return None;
                }
                let turn = (self.load.made + self.load.skipped) as usize % self.clients.len();
                Some((node_number(NodeId::Client(turn as u32)), TimerKind::Load))
            }
        }
    }

    /// The running timers, each node and kind once (the one due soonest), by due time.
    pub fn pending_timers(&self) -> Vec<PendingTimer> {
        // A handful of timers: a list searched and sorted by hand keeps the wasm build small.
        let mut soonest: Vec<(u64, u64, PendingTimer)> = Vec::new();
        for &Reverse((due, qseq, item)) in self.queue.iter() {
            let Some((node, timer)) = self.live_timer(item) else { continue };
            match soonest.iter_mut().find(|e| e.2.node == node && e.2.timer == timer) {
                Some(e) if (due, qseq) < (e.0, e.1) => *e = (due, qseq, PendingTimer { node, timer, due }),
                Some(_) => {}
                None => soonest.push((due, qseq, PendingTimer { node, timer, due })),
            }
        }
        for i in 1..soonest.len() {
            let mut j = i;
            while j > 0 && (soonest[j - 1].0, soonest[j - 1].1) > (soonest[j].0, soonest[j].1) {
                soonest.swap(j - 1, j);
                j -= 1;
            }
        }
        soonest.into_iter().map(|(_, _, p)| p).collect()
    }

    /// The queue entry of node `node`'s live `timer` due soonest: (due, queue sequence, item).
    fn find_timer(&self, node: i64, timer: TimerKind) -> Option<(u64, u64, Item)> {
        self.queue
            .iter()
            .filter(|Reverse((_, _, item))| self.live_timer(*item) == Some((node, timer)))
            .map(|Reverse(x)| *x)
            .min_by_key(|&(due, qseq, _)| (due, qseq))
    }

    /// Whether node `node` has a `timer` running.
    pub fn has_timer(&self, node: i64, timer: TimerKind) -> bool {
        self.find_timer(node, timer).is_some()
    }

    /// Checks that `node` is a node of this run (replica `i` is `i`, client `c` is `-1 - c`).
    pub(super) fn check_node(&self, node: i64) -> Result<(), SimError> {
        let ok = (node >= 0 && (node as usize) < self.nodes.len()) || (node < 0 && ((-1 - node) as usize) < self.clients.len());
        if ok {
            Ok(())
        } else {
            Err(SimError::NoSuchReplica { id: node, n: self.nodes.len() })
        }
    }

    /// Delivers in-flight message `id` now (the user's pick).
    pub fn deliver(&mut self, id: u64) -> Result<(), SimError> {
        self.act(Action::Deliver { msg: id })
    }

    /// Fires node `node`'s `timer` now (the one due soonest).
    pub fn fire_timer(&mut self, node: i64, timer: TimerKind) -> Result<(), SimError> {
        self.act(Action::FireTimer { node, timer })
    }

    /// Switches between automatic and manual delivery.
    pub fn set_delivery(&mut self, mode: Delivery) -> Result<(), SimError> {
        self.act(Action::SetDelivery { mode })
    }

    /// Applies [`Action::Deliver`]: the message arrives now (or is dropped,
    /// if the network loses it), its queue entry gone.
    pub(super) fn pick_message(&mut self, id: u64) {
        let Some(e) = self.in_flight.get(id) else { return };
        let (from, to, kind) = (e.from, e.to, e.msg.kind());
        self.emit(EventKind::Picked { msg: id, from, to, kind });
        self.queue.retain(|Reverse((_, _, item))| *item != Item::Deliver(id));
        self.arrive(id);
    }

    /// Applies [`Action::FireTimer`]: the timer goes off now, its queue entry gone.
    pub(super) fn fire(&mut self, node: i64, timer: TimerKind) {
        let Some((_, qseq, item)) = self.find_timer(node, timer) else { return };
        self.emit(EventKind::Fired { node: node_of(node), timer });
        self.queue.retain(|Reverse((_, s, _))| *s != qseq);
        self.process(item);
    }

    /// Applies [`Action::SetDelivery`]. Back in automatic mode, what is overdue
    /// happens at once, in the order it was due.
    pub(super) fn switch_delivery(&mut self, mode: Delivery) {
        self.manual = mode == Delivery::Manual;
        if self.manual {
            return;
        }
        while let Some(Reverse((t, _, _))) = self.queue.peek() {
            if *t > self.now {
                break;
            }
            let Reverse((_, _, item)) = self.queue.pop().expect("peeked");
            self.process(item);
        }
    }
}

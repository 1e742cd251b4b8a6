//! The simulated network: messages in flight, per-link latency, loss and partitions.

use super::{node_number, DropReason, EventKind, Item, Simulation};
use crate::protocol::{Message, NodeId};

/// A message in flight.
#[derive(Clone, Debug)]
pub(super) struct Envelope {
    pub(super) id: u64,
    pub(super) from: NodeId,
    pub(super) to: NodeId,
    pub(super) msg: Message,
    pub(super) sent_at: u64,
    pub(super) deliver_at: u64,
    pub(super) lost: bool,
}

/// Messages in flight by id. Ids are handed out in order and messages land
/// roughly in order, so a ring of slots indexed by `id - base` beats a map.
#[derive(Clone, Default)]
pub(super) struct InFlightTable {
    pub(super) base: u64,
    pub(super) slots: std::collections::VecDeque<Option<Envelope>>,
    pub(super) len: usize,
}

impl InFlightTable {
    pub(super) fn insert(&mut self, e: Envelope) {
        if self.slots.is_empty() {
            self.base = e.id;
        }
        debug_assert_eq!(e.id, self.base + self.slots.len() as u64, "ids are sequential");
        self.slots.push_back(Some(e));
        self.len += 1;
    }
    pub(super) fn slot(&self, id: u64) -> Option<usize> {
        // Converted without wrapping: on wasm32 a `usize` has 32 bits, and an
        // id 2³² past a message in flight must not name that message.
        id.checked_sub(self.base).and_then(|i| usize::try_from(i).ok()).filter(|&i| i < self.slots.len())
    }
    pub(super) fn get(&self, id: u64) -> Option<&Envelope> {
        self.slot(id).and_then(|i| self.slots[i].as_ref())
    }
    pub(super) fn contains_key(&self, id: u64) -> bool {
        self.get(id).is_some()
    }
    pub(super) fn remove(&mut self, id: u64) -> Option<Envelope> {
        let i = self.slot(id)?;
        let e = self.slots[i].take()?;
        self.len -= 1;
        while matches!(self.slots.front(), Some(None)) {
            self.slots.pop_front();
            self.base += 1;
        }
        Some(e)
    }
    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub(super) fn len(&self) -> usize {
        self.len
    }
    pub(super) fn values(&self) -> impl Iterator<Item = &Envelope> {
        self.slots.iter().flatten()
    }
}

impl Simulation {
    pub(super) fn linked(&self, a: NodeId, b: NodeId) -> bool {
        let g = |n: NodeId| match n {
            NodeId::Replica(i) => self.partition[i],
            NodeId::Client(_) => 0,
        };
        g(a) == g(b)
    }

    /// Message `id` arrives now: delivered, or dropped if the network loses it.
    pub(super) fn arrive(&mut self, id: u64) {
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
        self.work += e.msg.weight();
        self.emit(EventKind::Delivered { msg: id, from: e.from, to: e.to, kind });
        match e.to {
            NodeId::Replica(r) => {
                // A faulty replica's adversary sees the message first and may keep it.
                if self.nodes[r].adversary.is_some() && self.with_adversary(r, |adv, cx| adv.on_receive(cx, e.from, &e.msg)) == Some(false) {
                    return;
                }
                let mut out = self.spare.pop().unwrap_or_default();
                self.handling = Some((id, e.from));
                self.nodes[r].replica.on_message(e.from, e.msg, &mut out);
                self.replica_outputs(r, out);
                self.handling = None;
            }
            NodeId::Client(c) => {
                if let Message::Reply(reply) = e.msg {
                    let mut out = Vec::new();
                    self.handling = Some((id, e.from));
                    self.clients[c as usize].on_reply(e.from, reply, &mut out);
                    self.client_outputs(c, out);
                    self.handling = None;
                }
            }
        }
    }

    pub(super) fn send(&mut self, from: NodeId, to: NodeId, msg: Message) {
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
        self.work += msg.weight();
        self.emit_with(|| EventKind::Sent {
            msg: id,
            from,
            to,
            kind,
            view: msg.view(),
            seq: msg.seq(),
            digest: msg.digest(),
            deliver_at,
            timestamp: match &msg {
                Message::Request(r) => Some(r.timestamp),
                Message::Reply(r) => Some(r.timestamp),
                _ => None,
            },
            text: match &msg {
                Message::Request(r) => Some(r.op.clone()),
                Message::Reply(r) => Some(r.result.clone()),
                _ => None,
            },
            count: match &msg {
                Message::ViewChange(m) => Some(m.prepared.len() as u32),
                Message::NewView(m) => Some(m.pre_prepares.len() as u32),
                _ => None,
            },
        });
        self.in_flight.insert(Envelope { id, from, to, msg, sent_at: self.now, deliver_at, lost });
        self.schedule(deliver_at, Item::Deliver(id));
    }
}

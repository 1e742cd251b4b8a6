//! Normal-case retransmission (Castro–Liskov TOCS 2002 §5.2; Castro's thesis
//! §5.2: messages are sent again until the receiver is known to have them).
//!
//! PRE-PREPARE, PREPARE and COMMIT travel once; a backup that loses one would
//! time out alone and leave for a view change nobody else wants. So, on the
//! [`ReplicaTimer::Retransmit`] tick of the normal case:
//!
//! - a replica sends its own messages for a log entry of the current view
//!   again to each replica that has not acknowledged it: a replica's COMMIT
//!   for the entry (or its CHECKPOINT at or above it) is its acknowledgment.
//!   An entry is first sent again when it is two ticks old (between one and
//!   two retransmission intervals, time enough for the normal case to finish),
//!   then at four and eight ticks, then left to checkpoints and state
//!   transfer. Only replicas heard from lately are sent to: a crashed one is
//!   not flooded, and one that speaks again is served again;
//! - a backup relays again to the primary (up to three times a view) the
//!   requests it holds that it has not seen assigned in this view; the
//!   primary answers a relayed request it did assign with its PRE-PREPARE;
//! - a replica that receives a COMMIT it already counted learns that its
//!   sender misses ours, and answers it with ours (on the 1st, 2nd, 4th, ...
//!   duplicate, so two replicas never echo each other for long).

use super::{Output, Replica, ReplicaStatus, ReplicaTimer, Slot};
use crate::protocol::message::{Commit, Message, Prepare};
use crate::protocol::quorum::VoteSet;
use crate::protocol::types::{Digest, NodeId, ReplicaId, Seq, View};

/// Retransmissions of one log entry's messages (at ages 2, 3, 4 and 5 ticks).
const MAX_RESENDS: u32 = 4;
/// Relays of one request to the primary of one view (on receipt, on ticks).
const MAX_FORWARDS: u32 = 3;

impl Replica {
    /// Per replica, the highest checkpoint above h it sent us (0 if none):
    /// it executed every sequence number up to there.
    fn checkpointed(&self) -> Vec<Seq> {
        let mut upto = vec![0; self.cfg.n];
        for (&seq, msgs) in &self.checkpoints {
            for c in msgs {
                if let Some(u) = upto.get_mut(c.replica) {
                    *u = (*u).max(seq);
                }
            }
        }
        upto
    }

    /// The replicas that have not acknowledged entry `seq` and that we heard
    /// from since shortly before it was logged. Empty when there is nothing
    /// of ours to send again for it.
    fn unacknowledged(&self, seq: Seq, slot: &Slot, checkpointed: &[Seq]) -> VoteSet {
        let mut missing = VoteSet::new();
        let Some(pp) = &slot.pp else { return missing };
        if pp.view != self.view || slot.resent >= MAX_RESENDS {
            return missing;
        }
        let acked = slot.commits.voters(pp.view, pp.digest);
        for j in (0..self.cfg.n).filter(|&j| j != self.id && !acked.contains(j)) {
            let alive = self.heard[j].is_some_and(|h| h + 1 >= slot.born);
            // One that executed past it needs nothing from us, unless we
            // still need its COMMIT: ours, sent again, asks for it.
            if alive && (checkpointed[j] < seq || !slot.committed) {
                missing.insert(j);
            }
        }
        missing
    }

    /// Whether the normal-case tick has work now or later.
    fn wants_tick(&self) -> bool {
        let upto = self.checkpointed();
        let entries = self.log.range(self.low + 1..).any(|(&seq, s)| !self.unacknowledged(seq, s, &upto).is_empty());
        entries || (!self.is_primary() && self.pending.values().any(|r| self.may_forward(r)))
    }

    fn may_forward(&self, r: &crate::protocol::message::Request) -> bool {
        let relayed = self.forwarded.get(&(r.client, r.timestamp)).filter(|&&(v, _)| v == self.view);
        relayed.is_none_or(|&(_, times)| times < MAX_FORWARDS) && !self.is_assigned(r)
    }

    /// Starts the normal-case tick if it has work and is not running.
    pub(super) fn arm_tick(&mut self, out: &mut Vec<Output>) {
        if self.ticking || self.status != ReplicaStatus::Normal || !self.wants_tick() {
            return;
        }
        // Resuming after a pause: at least a tick's worth of time may have
        // passed, and an entry is still first sent again a full interval on.
        self.ticks += 1;
        self.ticking = true;
        out.push(Output::SetTimer { timer: ReplicaTimer::Retransmit, after: self.cfg.view_change_retransmit });
    }

    /// The normal-case tick fired.
    pub(super) fn on_normal_tick(&mut self, out: &mut Vec<Output>) {
        self.ticking = false;
        self.ticks += 1;
        let upto = self.checkpointed();
        let due: Vec<(Seq, VoteSet)> = self
            .log
            .range(self.low + 1..)
            .filter(|(_, s)| self.ticks - s.born >= 2 + u64::from(s.resent))
            .map(|(&seq, s)| (seq, self.unacknowledged(seq, s, &upto)))
            .filter(|(_, missing)| !missing.is_empty())
            .collect();
        for (seq, missing) in due {
            let msgs = self.own_messages(seq);
            if let Some(slot) = self.log.get_mut(&seq) {
                slot.resent += 1;
            }
            for j in missing.iter() {
                for m in &msgs {
                    out.push(Output::Send { to: NodeId::Replica(j), msg: m.clone() });
                }
            }
        }
        if !self.is_primary() {
            let again: Vec<_> = self.pending.values().filter(|r| self.may_forward(r)).cloned().collect();
            for r in again {
                self.forward_to_primary(r, out);
            }
        }
        if self.wants_tick() {
            self.ticking = true;
            out.push(Output::SetTimer { timer: ReplicaTimer::Retransmit, after: self.cfg.view_change_retransmit });
        }
    }

    /// What we sent for entry `seq` of the current view: the primary's
    /// PRE-PREPARE (not a NEW-VIEW's null one: that travels in the NEW-VIEW),
    /// a backup's PREPARE, and our COMMIT once prepared.
    fn own_messages(&self, seq: Seq) -> Vec<Message> {
        let mut msgs = Vec::new();
        let Some(slot) = self.log.get(&seq) else { return msgs };
        let Some(pp) = &slot.pp else { return msgs };
        let (view, digest) = (pp.view, pp.digest);
        if self.cfg.primary(view) == self.id {
            if pp.request.is_some() {
                msgs.push(Message::PrePrepare(pp.clone()));
            }
        } else if slot.prepares.voters(view, digest).contains(self.id) {
            msgs.push(Message::Prepare(Prepare { view, seq, digest, replica: self.id }));
        }
        if slot.commits.voters(view, digest).contains(self.id) {
            msgs.push(Message::Commit(Commit { view, seq, digest, replica: self.id }));
        }
        msgs
    }

    /// A backup relayed to us, the primary, a request we already assigned in
    /// this view: it holds the request but not our PRE-PREPARE for it (it was
    /// lost), so it gets that again at once.
    pub(super) fn answer_relayed_request(&self, from: NodeId, req: &crate::protocol::message::Request, out: &mut Vec<Output>) {
        let NodeId::Replica(j) = from else { return };
        if j == self.id || j >= self.cfg.n || self.status != ReplicaStatus::Normal || !self.is_primary() {
            return;
        }
        let d = req.digest();
        let assigned = self.log.range(self.low + 1..).find_map(|(_, s)| s.pp.as_ref().filter(|pp| pp.view == self.view && pp.digest == d));
        if let Some(pp) = assigned {
            out.push(Output::Send { to: from, msg: Message::PrePrepare(pp.clone()) });
        }
    }

    /// Replica `j` sent again a COMMIT we had counted: it misses ours.
    pub(super) fn answer_commit_again(&mut self, seq: Seq, (view, digest): (View, Digest), j: ReplicaId, out: &mut Vec<Output>) {
        let (me, n) = (self.id, self.cfg.n);
        let Some(slot) = self.log.get_mut(&seq) else { return };
        if !slot.commits.voters(view, digest).contains(me) {
            return;
        }
        slot.dup_commits.resize(n, 0);
        slot.dup_commits[j] += 1;
        if slot.dup_commits[j].is_power_of_two() {
            let msg = Message::Commit(Commit { view, seq, digest, replica: me });
            out.push(Output::Send { to: NodeId::Replica(j), msg });
        }
    }
}

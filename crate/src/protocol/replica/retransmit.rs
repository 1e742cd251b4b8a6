//! Normal-case retransmission (Castro–Liskov TOCS 2002 §5.2; Castro's thesis
//! §5.2: messages are sent again until the receiver is known to have them).
//!
//! PRE-PREPARE, PREPARE, COMMIT and CHECKPOINT travel once; a backup that
//! loses one would time out alone and leave for a view change nobody else
//! wants. So, on the [`ReplicaTimer::Retransmit`] tick of the normal case
//! (every half retransmission interval, only while there is something to do):
//!
//! - a replica sends its own messages for a log entry of the current view
//!   again to each replica that has not acknowledged it: a replica's COMMIT
//!   for the entry (or its CHECKPOINT at or above it) is its acknowledgment;
//!   while the entry is not committed here, also to those whose COMMIT we
//!   lack, which answer with theirs. An entry is first sent again when it is
//!   three ticks old (one to one and a half intervals: time enough for the
//!   normal case to finish, and well before a backup's request timer), then
//!   at each of the next three ticks, then left to checkpoints and state
//!   transfer. Only replicas heard from lately are sent to: a crashed one is
//!   not flooded, and one that speaks again is served again;
//! - likewise our CHECKPOINTs not yet stable, to replicas that sent us none
//!   at or above them;
//! - a backup relays again to the primary (up to three times a view) the
//!   requests it holds that it has not seen assigned in this view; the
//!   primary answers a relayed request it did assign with its PRE-PREPARE.
//!
//! And on receipt: a COMMIT or CHECKPOINT we had already counted means its
//! sender misses ours, and a vote for a sequence number at or below our
//! stable checkpoint means it is behind; both are answered (ours, or our
//! CHECKPOINT for h) on the 1st, 2nd, 4th, ... such message, so two replicas
//! never echo each other for long.

use super::{CheckpointResends, Output, Pending, Replica, ReplicaStatus, ReplicaTimer, Slot};
use crate::protocol::message::{Checkpoint, Message};
use crate::protocol::quorum::VoteSet;
use crate::protocol::types::{Digest, NodeId, ReplicaId, Seq, View};

/// Retransmissions of one log entry's messages (at ages 3, 4, 5 and 6 ticks).
const MAX_RESENDS: u32 = 4;
/// Age in ticks at which an entry's messages are first sent again: between
/// two and three ticks, one to one and a half retransmission intervals.
const FIRST_RESEND_AGE: u64 = 3;
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

    /// The replicas we heard from lately that sent us no CHECKPOINT at or
    /// above our checkpoint `seq` (not yet stable), while we may send ours again.
    fn checkpoint_unacknowledged(&self, seq: Seq, r: &CheckpointResends, checkpointed: &[Seq]) -> VoteSet {
        let mut missing = VoteSet::new();
        if r.resent >= MAX_RESENDS || seq <= self.low {
            return missing;
        }
        for j in (0..self.cfg.n).filter(|&j| j != self.id) {
            if self.heard[j].is_some_and(|h| h + 1 >= r.born) && checkpointed[j] < seq {
                missing.insert(j);
            }
        }
        missing
    }

    /// Whether the normal-case tick has work now or later.
    fn wants_tick(&self) -> bool {
        let upto = self.checkpointed();
        let entries = self.log.range(self.low + 1..).any(|(&seq, s)| !self.unacknowledged(seq, s, &upto).is_empty());
        let checkpoints = self.checkpoint_resends.iter().any(|(&seq, r)| !self.checkpoint_unacknowledged(seq, r, &upto).is_empty());
        entries || checkpoints || (!self.is_primary() && self.pending.values().any(|p| self.may_forward(p)))
    }

    /// Whether a backup relays pending request `p` to the primary again: not
    /// assigned yet, and relayed fewer than [`MAX_FORWARDS`] times in this view.
    fn may_forward(&self, p: &Pending) -> bool {
        let relayed = p.relayed.filter(|&(v, _)| v == self.view);
        relayed.is_none_or(|(_, times)| times < MAX_FORWARDS) && !self.is_assigned(&p.request)
    }

    /// The normal-case tick: half the retransmission interval, so an entry is
    /// first sent again one to one and a half intervals after it was logged,
    /// well before a backup's request timer (twice the interval by default).
    fn tick_interval(&self) -> u64 {
        (self.cfg.view_change_retransmit / 2).max(1)
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
        out.push(Output::SetTimer { timer: ReplicaTimer::Retransmit, after: self.tick_interval() });
    }

    /// The normal-case tick fired.
    pub(super) fn on_normal_tick(&mut self, out: &mut Vec<Output>) {
        self.ticking = false;
        self.ticks += 1;
        let upto = self.checkpointed();
        let due: Vec<(Seq, VoteSet)> = self
            .log
            .range(self.low + 1..)
            .filter(|(_, s)| self.ticks - s.born >= FIRST_RESEND_AGE + u64::from(s.resent))
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
        let due: Vec<(Seq, VoteSet)> = self
            .checkpoint_resends
            .iter()
            .filter(|(_, r)| self.ticks - r.born >= FIRST_RESEND_AGE + u64::from(r.resent))
            .map(|(&seq, r)| (seq, self.checkpoint_unacknowledged(seq, r, &upto)))
            .filter(|(_, missing)| !missing.is_empty())
            .collect();
        for (seq, missing) in due {
            let Some(digest) = self.snapshots.get(&seq).map(|s| s.digest()) else {
                continue;
            };
            if let Some(r) = self.checkpoint_resends.get_mut(&seq) {
                r.resent += 1;
            }
            for j in missing.iter() {
                let msg = Message::Checkpoint(self.own_checkpoint(seq, digest));
                out.push(Output::Send { to: NodeId::Replica(j), msg });
            }
        }
        if !self.is_primary() {
            let again: Vec<_> = self.pending.values().filter(|p| self.may_forward(p)).map(|p| p.request.clone()).collect();
            for r in again {
                self.forward_to_primary(r, out);
            }
        }
        if self.wants_tick() {
            self.ticking = true;
            out.push(Output::SetTimer { timer: ReplicaTimer::Retransmit, after: self.tick_interval() });
        }
    }

    /// What we sent for entry `seq` of the current view: the primary's
    /// PRE-PREPARE (not a NEW-VIEW's null one: that travels in the NEW-VIEW),
    /// a backup's PREPARE, and our COMMIT once prepared.
    fn own_messages(&self, seq: Seq) -> Vec<Message> {
        let mut msgs = Vec::new();
        let Some(slot) = self.log.get(&seq) else {
            return msgs;
        };
        let Some(pp) = &slot.pp else { return msgs };
        let (view, digest) = (pp.view, pp.digest);
        if self.cfg.primary(view) == self.id {
            if pp.request.is_some() {
                msgs.push(Message::PrePrepare(pp.clone()));
            }
        } else if slot.prepares.voters(view, digest).contains(self.id) {
            msgs.push(Message::Prepare(self.own_prepare(view, seq, digest)));
        }
        if slot.commits.voters(view, digest).contains(self.id) {
            msgs.push(Message::Commit(self.own_commit(view, seq, digest)));
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

    /// A replica sent again a CHECKPOINT we had recorded: it misses ours.
    pub(super) fn answer_checkpoint_again(&mut self, c: Checkpoint, out: &mut Vec<Output>) {
        let n = self.cfg.n;
        let Some(digest) = self.snapshots.get(&c.seq).map(|s| s.digest()) else {
            return;
        };
        let Some(r) = self.checkpoint_resends.get_mut(&c.seq) else {
            return;
        };
        r.dups.resize(n, 0);
        r.dups[c.replica] = r.dups[c.replica].saturating_add(1);
        if r.dups[c.replica].is_power_of_two() {
            let msg = Message::Checkpoint(self.own_checkpoint(c.seq, digest));
            out.push(Output::Send { to: NodeId::Replica(c.replica), msg });
        }
    }

    /// A replica sent a normal-case message for a sequence number we
    /// discarded at our stable checkpoint: it is behind, and our CHECKPOINT
    /// for h helps it certify the state to fetch (§4.3).
    pub(super) fn answer_behind(&mut self, from: NodeId, out: &mut Vec<Output>) {
        let NodeId::Replica(j) = from else { return };
        if self.low == 0 || j >= self.cfg.n {
            return;
        }
        self.behind_msgs[j] = self.behind_msgs[j].saturating_add(1);
        if self.behind_msgs[j].is_power_of_two() {
            let mine = self.own_checkpoint(self.low, self.stable_digest);
            out.push(Output::Send { to: from, msg: Message::Checkpoint(mine) });
        }
    }

    /// Replica `j` sent again a COMMIT we had counted: it misses ours.
    pub(super) fn answer_commit_again(&mut self, seq: Seq, (view, digest): (View, Digest), j: ReplicaId, out: &mut Vec<Output>) {
        let (me, n) = (self.id, self.cfg.n);
        let Some(slot) = self.log.get_mut(&seq) else {
            return;
        };
        if !slot.commits.voters(view, digest).contains(me) {
            return;
        }
        slot.dup_commits.resize(n, 0);
        slot.dup_commits[j] = slot.dup_commits[j].saturating_add(1);
        if slot.dup_commits[j].is_power_of_two() {
            let msg = Message::Commit(self.own_commit(view, seq, digest));
            out.push(Output::Send { to: NodeId::Replica(j), msg });
        }
    }
}

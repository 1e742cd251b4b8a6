//! Checkpoints and garbage collection (Castro–Liskov §4.3): a checkpoint
//! every K executed requests, stable at a quorum of matching CHECKPOINTs,
//! then the log up to it is discarded and the watermarks move.

use std::ops::Bound::{Excluded, Unbounded};
use super::{Output, Replica, ReplicaStatus, ReplicaTimer};
use crate::protocol::message::{Checkpoint, Message, MsgKind};
use crate::protocol::quorum::{Certificate, VoteSet};
use crate::protocol::reject::Reject;
use crate::protocol::types::{Digest, NodeId, Seq};
use crate::protocol::viewchange::trim_checkpoint_proof;

impl Replica {
    pub(super) fn take_checkpoint(&mut self, out: &mut Vec<Output>) {
        let seq = self.app.seq;
        let digest = self.app.digest();
        self.snapshots.insert(seq, self.app.clone());
        self.checkpoint_resends.insert(seq, super::CheckpointResends { born: self.ticks, ..Default::default() });
        let c = self.own_checkpoint(seq, digest);
        self.broadcast(Message::Checkpoint(c.clone()), out);
        self.record_checkpoint(c, out);
    }

    /// Sends our CHECKPOINTs above h again: they are sent once and may be
    /// lost, and without a stable checkpoint the log window fills up for good.
    pub(super) fn resend_checkpoints(&self, out: &mut Vec<Output>) {
        for (&seq, state) in self.snapshots.range(self.low + 1..) {
            let c = self.own_checkpoint(seq, state.digest());
            self.broadcast(Message::Checkpoint(c), out);
        }
    }

    pub(super) fn on_checkpoint(&mut self, from: NodeId, c: Checkpoint, out: &mut Vec<Output>) {
        if !Self::sender_is(from, c.replica) || c.replica >= self.cfg.n {
            return Self::reject(from, Reject::WrongSigner { kind: MsgKind::Checkpoint }, out);
        }
        if !self.cfg.is_checkpoint(c.seq) {
            return Self::reject(from, Reject::NotCheckpointSeq { seq: c.seq, interval: self.cfg.checkpoint_interval }, out);
        }
        if c.seq < self.low {
            // The sender is behind: our own vote for our stable checkpoint
            // helps it gather a certificate and fetch the state.
            let mine = self.own_checkpoint(self.low, self.stable_digest);
            out.push(Output::Send { to: from, msg: Message::Checkpoint(mine) });
            return;
        }
        if c.seq == self.low {
            // Sent again, one we counted for our stable checkpoint: the sender
            // misses ours (answered on the 1st, 2nd, 4th, ... such message).
            if self.stable_proof.contains(&c) {
                self.answer_behind(from, out);
            }
            return;
        }
        if self.checkpoints.get(&c.seq).is_some_and(|m| m.contains(&c)) {
            return self.answer_checkpoint_again(c, out);
        }
        // Far above the window keep one checkpoint per replica, its latest:
        // storage stays bounded, and a quorum of them still lets a replica
        // that fell far behind (or restarted empty) fetch the state.
        let far = self.high_watermark() + 4 * self.cfg.log_window;
        if c.seq > far {
            if self.checkpoints.range((Excluded(c.seq), Unbounded)).any(|(_, m)| m.iter().any(|m| m.replica == c.replica)) {
                return;
            }
            for (_, msgs) in self.checkpoints.range_mut(far + 1..) {
                msgs.retain(|m| m.replica != c.replica);
            }
            self.checkpoints.retain(|_, m| !m.is_empty());
        }
        self.record_checkpoint(c, out);
    }

    fn record_checkpoint(&mut self, c: Checkpoint, out: &mut Vec<Output>) {
        let (seq, digest) = (c.seq, c.digest);
        let msgs = self.checkpoints.entry(seq).or_default();
        if let Some(old) = msgs.iter_mut().find(|m| m.replica == c.replica) {
            *old = c;
        } else {
            msgs.push(c);
        }
        let proof: Vec<Checkpoint> = msgs.iter().filter(|m| m.digest == digest).cloned().collect();
        let signers: VoteSet = proof.iter().map(|m| m.replica).collect();
        if !self.cfg.certifies(Certificate::Checkpoint, &signers) {
            return;
        }
        if self.snapshots.get(&seq).is_some_and(|s| s.digest() == digest) {
            self.make_stable(seq, digest, proof, out);
        } else if seq > self.app.seq && self.fetch.as_ref().is_none_or(|f| f.0 < seq) {
            // A quorum is past us. Fetch the state at once if the checkpoint is
            // beyond our log window; otherwise give the normal case a moment.
            self.fetch = Some((seq, digest, proof, 0));
            if seq > self.high_watermark() {
                self.ask_for_state(out);
            } else {
                out.push(Output::SetTimer { timer: ReplicaTimer::Fetch, after: self.cfg.state_retry });
            }
        }
    }

    pub(super) fn make_stable(&mut self, seq: Seq, digest: Digest, proof: Vec<Checkpoint>, out: &mut Vec<Output>) {
        if seq <= self.low {
            return;
        }
        if let Some(s) = self.snapshots.remove(&seq) {
            self.stable_state = s;
        }
        self.low = seq;
        self.stable_digest = digest;
        self.stable_proof = trim_checkpoint_proof(seq, digest, &proof);
        self.snapshots.keep_from(&(seq + 1));
        self.checkpoints.keep_from(&(seq + 1));
        self.checkpoint_resends.keep_from(&(seq + 1));
        self.behind_msgs.iter_mut().for_each(|c| *c = 0);
        self.log.keep_from(&(seq + 1));
        if self.fetch.as_ref().is_some_and(|f| f.0 <= seq) {
            self.fetch = None;
            out.push(Output::CancelTimer(ReplicaTimer::Fetch));
        }
        out.push(Output::CheckpointStable { seq });
        // Messages kept from above the old window may fit now.
        let ahead = std::mem::take(&mut self.ahead);
        for (from, m) in ahead {
            if m.seq().is_some_and(|n| n > self.low) {
                self.on_message(from, m, out);
            }
        }
        if self.status == ReplicaStatus::Normal && self.is_primary() {
            self.next_seq = self.next_seq.max(seq);
            let backlog = std::mem::take(&mut self.backlog);
            for r in backlog {
                if self.app.last_reply(r.client).is_none_or(|c| c.timestamp < r.timestamp) {
                    self.propose(r, out);
                }
            }
        }
    }
}

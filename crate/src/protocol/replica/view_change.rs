//! View change (Castro–Liskov §4.4–4.5): the request timer, VIEW-CHANGE,
//! NEW-VIEW and its O set, and help for replicas left in an older view.

use std::ops::Bound::{Excluded, Unbounded};
use super::{Output, Rearm, Replica, ReplicaStatus, ReplicaTimer};
use crate::protocol::config::Config;
use crate::protocol::message::{Message, MsgKind, NewView, Request, ViewChange};
use crate::protocol::quorum::{Certificate, VoteSet};
use crate::protocol::reject::Reject;
use crate::protocol::sign::{Sig, Signed};
use crate::protocol::types::{NodeId, Seq, View};
use crate::protocol::viewchange::{compute_o_set, trim_checkpoint_proof, validate_view_change};

impl Replica {
    /// (Re)arms the request timer while requests are pending (§4.4). The
    /// paper arms it on backups; the primary arms it too, so a primary left
    /// behind in an old view (it was down or cut off while the others moved
    /// on) notices that nothing executes and rejoins them.
    pub(super) fn update_request_timer(&mut self, rearm: Rearm, out: &mut Vec<Output>) {
        if self.status != ReplicaStatus::Normal {
            return;
        }
        let Some(&first) = self.pending.keys().next() else {
            if self.timed.take().is_some() {
                out.push(Output::CancelTimer(ReplicaTimer::ViewChange));
            }
            return;
        };
        let waited_done = self.timed.is_some_and(|k| !self.pending.contains_key(&k));
        let arm = match rearm {
            Rearm::IfIdle => self.timed.is_none(),
            // Restarted only when the request it waited for executed: other
            // requests executing must not hide one the primary ignores.
            Rearm::IfDone => self.timed.is_none() || waited_done,
            Rearm::Always => true,
        };
        if arm {
            self.timed = Some(first);
            out.push(Output::SetTimer { timer: ReplicaTimer::ViewChange, after: self.current_timeout() });
        }
    }

    /// A replica still working in an older view (it was down or cut off when
    /// the view changed) gets the NEW-VIEW we accepted. It can check V and O
    /// by itself, but not who picked V: the primary's own copy counts at once,
    /// a copy relayed by a backup only when f+1 replicas relayed the same one
    /// (§4.4, see [`Replica::on_new_view`]). The primary sends it on the
    /// straggler's 1st, 2nd, 4th, 8th, ... old-view message, so a lost copy is
    /// made up for without flooding; the other replicas from the 2nd on,
    /// leaving the primary the first word and covering for one that does not
    /// help. They also send the VIEW-CHANGE that took them to this view: a
    /// straggler waiting for a NEW-VIEW its primary no longer sends (it moved
    /// on) then sees that a quorum left the old view, and its timer takes it
    /// on to the next view with the others (§4.5.2).
    pub(super) fn help_straggler(&mut self, to: NodeId, out: &mut Vec<Output>) {
        let NodeId::Replica(j) = to else { return };
        if self.status != ReplicaStatus::Normal {
            return;
        }
        let Some(nv) = &self.last_new_view else {
            return;
        };
        let primary = self.cfg.primary(nv.view) == self.id;
        let count = &mut self.straggler_msgs[j];
        *count += 1;
        if count.is_power_of_two() {
            if primary || *count >= 2 {
                out.push(Output::Send { to, msg: Message::NewView(Box::new(nv.clone())) });
            }
            if let Some(vc) = self.own_view_change.as_ref().filter(|vc| vc.new_view == self.view && !primary && *count >= 2) {
                out.push(Output::Send { to, msg: Message::ViewChange(Box::new(vc.clone())) });
            }
            // And our vote for our stable checkpoint: with the others' it
            // certifies the state a straggler that missed it should fetch.
            if self.low > 0 {
                let mine = self.own_checkpoint(self.low, self.stable_digest);
                out.push(Output::Send { to, msg: Message::Checkpoint(mine) });
            }
        }
    }

    pub(super) fn start_view_change(&mut self, v: View, out: &mut Vec<Output>) {
        self.view = v;
        self.status = ReplicaStatus::ViewChange;
        self.timed = None;
        self.ticking = false; // the Retransmit timer now repeats our VIEW-CHANGE
        let prepared = self.log.range(self.low + 1..).filter_map(|(_, s)| s.cert.clone()).collect();
        let vc = ViewChange {
            new_view: v,
            stable_seq: self.low,
            stable_digest: self.stable_digest,
            checkpoint_proof: self.stable_proof.clone(),
            prepared,
            replica: self.id,
            sig: Sig::default(),
        }
        .signed(&*self.keys);
        self.view_changes.keep_from(&v);
        self.view_changes.entry(v).or_default().insert(self.id, vc.clone());
        self.own_view_change = Some(vc.clone());
        out.push(Output::ViewChangeStarted { view: v });
        self.broadcast(Message::ViewChange(Box::new(vc)), out);
        self.resend_checkpoints(out);
        out.push(Output::SetTimer { timer: ReplicaTimer::ViewChange, after: self.current_timeout() });
        out.push(Output::SetTimer { timer: ReplicaTimer::Retransmit, after: self.cfg.view_change_retransmit });
        self.vc_quorum = false;
        self.check_vc_quorum(out);
        self.maybe_send_new_view(out);
    }

    pub(super) fn on_view_change(&mut self, from: NodeId, vc: ViewChange, out: &mut Vec<Output>) {
        if !Self::sender_is(from, vc.replica) || vc.replica >= self.cfg.n {
            return Self::reject(from, Reject::WrongSigner { kind: MsgKind::ViewChange }, out);
        }
        if vc.new_view < self.view || (vc.new_view == self.view && self.status == ReplicaStatus::Normal) {
            // A straggler: help it into our view with the NEW-VIEW we accepted.
            return self.help_straggler(from, out);
        }
        if let Err(defect) = validate_view_change(&self.cfg, &*self.keys, &vc) {
            return Self::reject(from, Reject::InvalidViewChange { view: vc.new_view, defect }, out);
        }
        // Keep one VIEW-CHANGE per replica, its latest: a replica that asks
        // for view w has given up every view below w, and a faulty one cannot
        // make us store a message per view.
        let (r, w) = (vc.replica, vc.new_view);
        if self.view_changes.range((Excluded(w), Unbounded)).any(|(_, m)| m.contains_key(&r)) {
            return;
        }
        for m in self.view_changes.range_mut(..w).map(|(_, m)| m) {
            m.remove(&r);
        }
        self.view_changes.retain(|_, m| !m.is_empty());
        self.view_changes.entry(w).or_default().insert(r, vc);
        // Join on f+1 VIEW-CHANGEs for higher views (§4.5.2 liveness).
        let current = self.view;
        let in_vc = self.status == ReplicaStatus::ViewChange;
        let mut senders = VoteSet::new();
        let mut smallest = None;
        for (&v, m) in self.view_changes.range(current..) {
            if v == current && in_vc {
                continue;
            }
            senders.extend(m.keys().copied().filter(|&r| r != self.id));
            smallest = smallest.or(Some(v));
        }
        if self.cfg.certifies(Certificate::Weak, &senders) {
            if let Some(v) = smallest {
                if v > current || !in_vc {
                    self.start_view_change(v, out);
                    return;
                }
            }
        }
        self.check_vc_quorum(out);
        self.maybe_send_new_view(out);
    }

    /// Replicas that left the last view with us (for this view or a later one).
    fn joined(&self) -> VoteSet {
        self.view_changes.range(self.view..).flat_map(|(_, m)| m.keys().copied()).collect()
    }

    /// Whether a quorum has left the last view with us (§4.5.2).
    fn quorum_joined(&self) -> bool {
        self.cfg.certifies(Certificate::ViewChange, &self.joined())
    }

    /// §4.5.2: the timer for the new view starts once a quorum has asked for
    /// it, giving its primary a full period to send NEW-VIEW.
    fn check_vc_quorum(&mut self, out: &mut Vec<Output>) {
        if self.status == ReplicaStatus::ViewChange && !self.vc_quorum && self.quorum_joined() {
            self.vc_quorum = true;
            out.push(Output::SetTimer { timer: ReplicaTimer::ViewChange, after: self.current_timeout() });
        }
    }

    fn maybe_send_new_view(&mut self, out: &mut Vec<Output>) {
        if self.status != ReplicaStatus::ViewChange || !self.is_primary() {
            return;
        }
        let Some(vcs) = self.view_changes.get(&self.view) else {
            return;
        };
        let senders: VoteSet = vcs.keys().copied().collect();
        if !self.cfg.certifies(Certificate::ViewChange, &senders) || !senders.contains(self.id) {
            return;
        }
        // V: our own VIEW-CHANGE and the lowest-numbered others up to a quorum.
        let others = self.cfg.quorums().needed(Certificate::ViewChange) - 1;
        let mut v: Vec<ViewChange> = vec![vcs[&self.id].clone()];
        v.extend(vcs.values().filter(|m| m.replica != self.id).take(others).cloned());
        crate::vecmap::sort_small_by_key(&mut v, |m| m.replica);
        let o = compute_o_set(&self.cfg, self.view, &v);
        let pre_prepares = o.pre_prepares.into_iter().map(|pp| pp.signed(&*self.keys)).collect();
        let nv = NewView { view: self.view, view_changes: v, pre_prepares, sig: Sig::default() }.signed(&*self.keys);
        self.broadcast(Message::NewView(Box::new(nv.clone())), out);
        self.install_new_view(nv, out);
    }

    /// NEW-VIEW (§4.4). Only the primary of view v may send NEW-VIEW for v:
    /// V and O depend on which quorum of VIEW-CHANGEs it picked, so a backup
    /// could build another valid-looking one from other genuine VIEW-CHANGEs
    /// and undo a request that committed. The NEW-VIEW must carry that
    /// primary's signature, whoever relays it (a straggler gets copies from
    /// others, see [`Replica::help_straggler`]), and so must each
    /// pre-prepare of O and each VIEW-CHANGE of V its sender's; a backup
    /// then recomputes O from V and compares.
    pub(super) fn on_new_view(&mut self, from: NodeId, nv: NewView, out: &mut Vec<Output>) {
        let NodeId::Replica(sender) = from else {
            return Self::reject(from, Reject::WrongSender { kind: MsgKind::NewView }, out);
        };
        if nv.view < self.view || (nv.view == self.view && self.status == ReplicaStatus::Normal) {
            return;
        }
        let primary = self.cfg.primary(nv.view);
        if !nv.signed_by(&*self.keys, primary) {
            let reason = if sender == primary {
                Reject::BadSignature { kind: MsgKind::NewView, signer: primary }
            } else {
                Reject::NewViewNotFromPrimary { view: nv.view, primary }
            };
            return Self::reject(from, reason, out);
        }
        // V must be a quorum of valid VIEW-CHANGEs for this view from distinct replicas.
        let mut senders = VoteSet::new();
        for vc in &nv.view_changes {
            if vc.new_view != nv.view || vc.replica >= self.cfg.n {
                let (replica, other) = (vc.replica, vc.new_view);
                return Self::reject(from, Reject::NewViewOtherView { view: nv.view, replica, other }, out);
            }
            if let Err(defect) = validate_view_change(&self.cfg, &*self.keys, vc) {
                return Self::reject(from, Reject::NewViewBadViewChange { view: nv.view, replica: vc.replica, defect }, out);
            }
            senders.insert(vc.replica);
        }
        let tally = self.cfg.tally(Certificate::ViewChange, &senders);
        if !tally.certified() {
            let (count, needed) = (tally.count, tally.needed);
            return Self::reject(from, Reject::NewViewNoQuorum { view: nv.view, count, needed }, out);
        }
        // Backups recompute O and compare (§4.4); each of its pre-prepares
        // enters prepared certificates of this view, so each is signed.
        let o = compute_o_set(&self.cfg, nv.view, &nv.view_changes);
        let same = o.pre_prepares.len() == nv.pre_prepares.len() && o.pre_prepares.iter().zip(&nv.pre_prepares).all(|(a, b)| a.same_as(b));
        if !same {
            return Self::reject(from, Reject::NewViewWrongO { view: nv.view }, out);
        }
        if nv.pre_prepares.iter().any(|pp| !pp.signed_by(&*self.keys, primary)) {
            return Self::reject(from, Reject::BadSignature { kind: MsgKind::PrePrepare, signer: primary }, out);
        }
        self.install_new_view(nv, out);
    }

    fn install_new_view(&mut self, nv: NewView, out: &mut Vec<Output>) {
        let o = compute_o_set(&self.cfg, nv.view, &nv.view_changes);
        self.view = nv.view;
        self.status = ReplicaStatus::Normal;
        self.view_changes.keep_from(&(nv.view + 1));
        self.straggler_msgs.iter_mut().for_each(|c| *c = 0);
        out.push(Output::CancelTimer(ReplicaTimer::Retransmit));
        self.ticking = false;
        out.push(Output::CancelTimer(ReplicaTimer::ViewChange));
        self.timed = None;
        out.push(Output::NewViewInstalled { view: nv.view });
        // Checkpoint: adopt min-s, fetching the state if we are behind it.
        if o.min_s > self.low {
            if self.snapshots.get(&o.min_s).is_some_and(|s| s.digest() == o.min_s_digest) {
                self.make_stable(o.min_s, o.min_s_digest, o.min_s_proof.clone(), out);
            } else if o.min_s > self.app.seq {
                // The same fetch goes on with the next replica: a new view
                // does not send it back to the first one asked.
                let attempt = match &self.fetch {
                    Some((s, d, _, a)) if *s == o.min_s && *d == o.min_s_digest => a + 1,
                    _ => 0,
                };
                self.fetch = Some((o.min_s, o.min_s_digest, trim_checkpoint_proof(o.min_s, o.min_s_digest, &o.min_s_proof), attempt));
                self.ask_for_state(out);
            }
        }
        // Pre-prepares of old views above max-s are discarded.
        for (&seq, slot) in self.log.iter_mut() {
            if seq > o.max_s && slot.pp.as_ref().is_some_and(|p| p.view < nv.view) {
                slot.pp = None;
                slot.prepared = false;
                slot.committed = false;
            }
        }
        for pp in nv.pre_prepares.iter() {
            if pp.seq <= self.low {
                continue;
            }
            let (view, seq, digest) = (pp.view, pp.seq, pp.digest);
            self.accept_pre_prepare(pp.clone(), out);
            self.send_prepare(view, seq, digest, out);
        }
        self.next_seq = o.max_s.max(o.min_s).max(self.low);
        self.forget_old_votes();
        self.last_new_view = Some(nv.clone());
        let seqs: Vec<Seq> = nv.pre_prepares.iter().map(|p| p.seq).collect();
        for s in seqs {
            self.try_progress(s, out);
        }
        if self.is_primary() {
            // Requests in flight survive the view change: assign them anew.
            // Only requests that came from clients: a request seen only in a
            // faulty primary's pre-prepare is its client's to retransmit.
            let mut waiting: Vec<Request> = self.pending.values().map(|p| p.request.clone()).collect();
            waiting.extend(std::mem::take(&mut self.backlog));
            for r in waiting {
                if self.app.last_reply(r.client).is_none_or(|c| c.timestamp < r.timestamp) {
                    self.propose(r, out);
                }
            }
        }
        // Messages of this view that overtook the NEW-VIEW.
        let early = std::mem::take(&mut self.early);
        for (from, m) in early {
            match m.view() {
                Some(v) if v == self.view => self.on_message(from, m, out),
                Some(v) if v > self.view => self.early.push_back((from, m)),
                _ => {}
            }
        }
        self.update_request_timer(Rearm::Always, out);
    }

    /// The view-change timer fired: in the normal case a request waited too
    /// long; during a view change NEW-VIEW did not come in time (§4.4, §4.5.2).
    pub(super) fn on_view_change_timer(&mut self, out: &mut Vec<Output>) {
        self.timed = None;
        if self.status == ReplicaStatus::Normal {
            // A request waited too long: suspect the primary.
            return self.start_view_change(self.view + 1, out);
        }
        // Waiting for NEW-VIEW: wait twice as long next time (§4.5.2).
        self.backoff = (self.backoff + 1).min(Config::MAX_BACKOFF_EXP);
        if self.quorum_joined() {
            // A quorum left the old view but this view's primary did not deliver: next view.
            self.start_view_change(self.view + 1, out);
        } else {
            // Too few replicas are here yet to blame this view's primary; a
            // replica alone must not run ahead through views (§4.5.2).
            out.push(Output::SetTimer { timer: ReplicaTimer::ViewChange, after: self.current_timeout() });
        }
    }

    /// The retransmission timer fired: during a view change, send our
    /// VIEW-CHANGE (and CHECKPOINTs) again; in the normal case, our
    /// unacknowledged normal-case messages (see the `retransmit` module).
    pub(super) fn on_retransmit_timer(&mut self, out: &mut Vec<Output>) {
        if self.status == ReplicaStatus::Normal {
            return self.on_normal_tick(out);
        }
        if self.status == ReplicaStatus::ViewChange {
            if let Some(vc) = self.view_changes.get(&self.view).and_then(|m| m.get(&self.id)) {
                self.broadcast(Message::ViewChange(Box::new(vc.clone())), out);
            }
            self.resend_checkpoints(out);
            out.push(Output::SetTimer { timer: ReplicaTimer::Retransmit, after: self.cfg.view_change_retransmit });
        }
    }
}

//! Normal-case operation (Castro–Liskov §4.1–4.2): requests, pre-prepares,
//! PREPARE and COMMIT votes, prepared and committed-local, execution in order.

use std::ops::Bound::{self, Excluded, Included, Unbounded};
use super::{Cast, Output, Pending, Phase, Rearm, Replica, ReplicaStatus};
use crate::protocol::message::{Commit, Message, MsgKind, PrePrepare, Prepare, PreparedCert, Reply, Request};
use crate::protocol::quorum::{Certificate, VoteSet};
use crate::protocol::reject::Reject;
use crate::protocol::sign::{Sig, Signed};
use crate::protocol::types::{ClientId, Digest, NodeId, ReplicaId, Seq, View};

impl Replica {
    /// Keeps a normal-case message of a view we have not installed yet; one
    /// of an older view is rejected and its sender helped into ours.
    ///
    /// The buffer is bounded per sender (4·L messages each, its oldest
    /// dropped first; an honest replica sends at most two per sequence number
    /// of a view's window), so a faulty replica flooding it only pushes out
    /// its own messages.
    fn hold_early(&mut self, from: NodeId, msg: Message, view: View, out: &mut Vec<Output>) {
        if view > self.view || (view == self.view && self.status == ReplicaStatus::ViewChange) {
            if self.early.iter().any(|(f, m)| *f == from && *m == msg) {
                return; // a retransmission of one we hold
            }
            let cap = 4 * self.cfg.log_window as usize;
            if self.early.iter().filter(|(f, _)| *f == from).count() >= cap {
                if let Some(oldest) = self.early.iter().position(|(f, _)| *f == from) {
                    self.early.remove(oldest);
                }
            }
            self.early.push_back((from, msg));
            if view > self.view {
                self.follow_later_view(out);
            }
        } else {
            Self::reject(from, Reject::OldView { kind: msg.kind(), view, current: self.view }, out);
            self.help_straggler(from, out);
        }
    }

    /// §4.5.2's f+1 rule, for normal-case messages: when f+1 replicas, one of
    /// them honest, work in views above ours, a view above ours was installed
    /// by a quorum and ours is over. Ask for the smallest of those views, as
    /// on f+1 VIEW-CHANGEs; the replicas there answer a VIEW-CHANGE for
    /// their view with its NEW-VIEW (its primary's copy counts at once).
    fn follow_later_view(&mut self, out: &mut Vec<Output>) {
        let mut senders = VoteSet::new();
        let mut smallest: Option<View> = None;
        for (from, m) in &self.early {
            if let (NodeId::Replica(j), Some(v)) = (*from, m.view()) {
                if v > self.view && j != self.id && j < self.cfg.n {
                    senders.insert(j);
                    smallest = Some(smallest.map_or(v, |s| s.min(v)));
                }
            }
        }
        if let Some(v) = smallest {
            if self.cfg.certifies(Certificate::Weak, &senders) {
                self.start_view_change(v, out);
            }
        }
    }

    /// A normal-case message outside (h, H] is rejected (§4.2). One just above
    /// H is also kept aside and looked at again when the window moves: a
    /// replica that fell behind then finishes the requests after the
    /// checkpoint it fetched, instead of waiting for the next one. At most
    /// 2·L are kept per sender (an honest one sends at most two per
    /// sequence number), so one sender cannot crowd out the others.
    fn out_of_window(&mut self, from: NodeId, msg: Message, seq: Seq, out: &mut Vec<Output>) {
        let (kind, low, high) = (msg.kind(), self.low, self.high_watermark());
        Self::reject(from, Reject::OutsideWindow { kind, seq, low, high }, out);
        if seq <= low {
            return self.answer_behind(from, out);
        }
        let limit = self.high_watermark() + self.cfg.log_window;
        let cap = 2 * self.cfg.log_window as usize;
        if seq > self.high_watermark()
            && seq <= limit
            && self.ahead.iter().filter(|(f, _)| *f == from).count() < cap
            && !self.ahead.iter().any(|(f, m)| *f == from && *m == msg)
        {
            self.ahead.push((from, msg));
        }
    }

    /// REQUEST (§4.1–4.2).
    pub(super) fn on_request(&mut self, from: NodeId, req: Request, out: &mut Vec<Output>) {
        if !req.signed_by_client(&*self.keys) {
            return Self::reject(from, Reject::BadRequestSignature { client: req.client, timestamp: req.timestamp }, out);
        }
        self.answer_relayed_request(from, &req, out);
        if let Some(c) = self.app.last_reply(req.client) {
            if req.timestamp < c.timestamp {
                return Self::reject(from, Reject::StaleRequest { timestamp: req.timestamp, last: c.timestamp }, out);
            }
            if req.timestamp == c.timestamp {
                // Exactly once: resend the cached reply.
                let reply = Reply { view: self.view, timestamp: c.timestamp, client: c.client, replica: self.id, result: c.result.clone() };
                out.push(Output::Send { to: NodeId::Client(req.client), msg: Message::Reply(reply) });
                return;
            }
        }
        // One pending request per client, its newest: an honest client has
        // one outstanding at a time (an older one still here was accepted, so
        // it is committed and reaches us), and a faulty client cannot make us
        // keep a request per timestamp.
        let c = req.client;
        if self.pending.range((Excluded((c, req.timestamp)), Included((c, u64::MAX)))).next().is_some() {
            return;
        }
        self.forget_pending(c, Excluded(req.timestamp));
        // A retransmission replaces the request and keeps what was relayed of it.
        let relayed = self
            .pending
            .entry((req.client, req.timestamp))
            .and_modify(|p| p.request = req.clone())
            .or_insert_with(|| Pending { request: req.clone(), relayed: None })
            .relayed;
        if self.status != ReplicaStatus::Normal {
            return;
        }
        if self.is_primary() {
            self.propose(req, out);
        } else if !self.is_assigned(&req) {
            // A backup relays a request it has not seen assigned to the
            // primary (§4.1), whoever handed it over: a request given to the
            // backups alone would otherwise time them out against an honest
            // primary that never saw it. A client's retransmission is relayed
            // each time; one from a replica once per view.
            let again = relayed.is_some_and(|(v, _)| v == self.view);
            if matches!(from, NodeId::Client(_)) || !again {
                self.forward_to_primary(req, out);
            }
        }
        self.update_request_timer(Rearm::IfIdle, out);
    }

    /// Forgets client `c`'s pending requests up to timestamp `upto` (executed
    /// ones, or ones a newer request of the client replaces).
    fn forget_pending(&mut self, c: ClientId, upto: Bound<u64>) {
        let upto = match upto {
            Included(t) => Included((c, t)),
            Excluded(t) => Excluded((c, t)),
            Unbounded => Included((c, u64::MAX)),
        };
        let gone: Vec<(ClientId, u64)> = self.pending.range((Included((c, 0)), upto)).map(|(k, _)| *k).collect();
        for k in gone {
            self.pending.remove(&k);
        }
    }

    /// Relays a pending request to the primary of our view and notes it.
    pub(super) fn forward_to_primary(&mut self, req: Request, out: &mut Vec<Output>) {
        let view = self.view;
        if let Some(p) = self.pending.get_mut(&(req.client, req.timestamp)) {
            let relayed = p.relayed.get_or_insert((view, 0));
            if relayed.0 != view {
                *relayed = (view, 0);
            }
            relayed.1 = relayed.1.saturating_add(1);
        }
        out.push(Output::Send { to: NodeId::Replica(self.cfg.primary(view)), msg: Message::Request(req) });
    }

    pub(super) fn is_assigned(&self, req: &Request) -> bool {
        let d = req.digest();
        self.log.values().any(|s| s.pp.as_ref().is_some_and(|pp| pp.view == self.view && pp.digest == d))
            || self.backlog.iter().any(|r| r == req)
    }

    /// The primary assigns the next sequence number, or queues the request
    /// when the log window is full.
    pub(super) fn propose(&mut self, req: Request, out: &mut Vec<Output>) {
        if self.is_assigned(&req) {
            return;
        }
        let seq = self.next_seq + 1;
        if seq > self.high_watermark() {
            // Queued, one per client (its newest), as pending requests are.
            if !self.backlog.iter().any(|r| r.client == req.client && r.timestamp > req.timestamp) {
                self.backlog.retain(|r| r.client != req.client);
                self.backlog.push(req);
            }
            return;
        }
        self.next_seq = seq;
        let pp = PrePrepare { view: self.view, seq, digest: req.digest(), request: Some(req), sig: Sig::default() }.signed(&*self.keys);
        self.accept_pre_prepare(pp.clone(), out);
        self.broadcast(Message::PrePrepare(pp), out);
        self.try_progress(seq, out);
    }

    /// Logs a pre-prepare (own or accepted); resets per-view progress.
    pub(super) fn accept_pre_prepare(&mut self, pp: PrePrepare, out: &mut Vec<Output>) {
        let ticks = self.ticks;
        let slot = self.log.entry(pp.seq).or_default();
        if slot.pp.as_ref().map(|p| p.view) != Some(pp.view) {
            slot.prepared = false;
            slot.committed = false;
            slot.born = ticks;
            slot.resent = 0;
            slot.dup_commits.clear();
        }
        out.push(Output::Phase { view: pp.view, seq: pp.seq, digest: pp.digest, phase: Phase::PrePrepared });
        slot.pp = Some(pp);
    }

    /// PRE-PREPARE acceptance checks (§4.2).
    pub(super) fn on_pre_prepare(&mut self, from: NodeId, pp: PrePrepare, out: &mut Vec<Output>) {
        if !Self::sender_is(from, self.cfg.primary(pp.view)) {
            let primary = self.cfg.primary(pp.view);
            return Self::reject(from, Reject::NotPrimary { kind: MsgKind::PrePrepare, view: pp.view, primary }, out);
        }
        if self.not_in_view(pp.view) {
            let view = pp.view;
            return self.hold_early(from, Message::PrePrepare(pp), view, out);
        }
        if !self.in_window(pp.seq) {
            let seq = pp.seq;
            return self.out_of_window(from, Message::PrePrepare(pp), seq, out);
        }
        match &pp.request {
            Some(r) if r.digest() != pp.digest => return Self::reject(from, Reject::DigestMismatch { view: pp.view, seq: pp.seq }, out),
            // A primary cannot order a request no client signed (§4.1).
            Some(r) if !r.signed_by_client(&*self.keys) => {
                return Self::reject(from, Reject::BadRequestSignature { client: r.client, timestamp: r.timestamp }, out);
            }
            Some(_) => {}
            None => return Self::reject(from, Reject::NullPrePrepare { view: pp.view, seq: pp.seq }, out),
        }
        if let Some(old) = self.log.get(&pp.seq).and_then(|s| s.pp.as_ref()) {
            if old.view == pp.view {
                if old.digest != pp.digest {
                    return Self::reject(from, Reject::ConflictingPrePrepare { view: pp.view, seq: pp.seq }, out);
                }
                return; // duplicate
            }
        }
        let (view, seq, digest) = (pp.view, pp.seq, pp.digest);
        self.accept_pre_prepare(pp, out);
        self.send_prepare(view, seq, digest, out);
        self.try_progress(seq, out);
    }

    pub(super) fn send_prepare(&mut self, view: View, seq: Seq, digest: Digest, out: &mut Vec<Output>) {
        if self.cfg.primary(view) == self.id {
            return;
        }
        let prepare = self.own_prepare(view, seq, digest);
        let slot = self.log.entry(seq).or_default();
        slot.prepares.insert(view, digest, self.id, &prepare.sig);
        self.broadcast(Message::Prepare(prepare), out);
    }

    /// PREPARE (§4.2): from a backup of the current view, within the window.
    pub(super) fn on_prepare(&mut self, from: NodeId, p: Prepare, out: &mut Vec<Output>) {
        let (view, seq, digest, replica) = (p.view, p.seq, p.digest, p.replica);
        // Under the paper's rule the primary's pre-prepare is its vote: a
        // PREPARE in its own name does not count toward prepared (§4.2).
        let counts = self.cfg.quorums().counts(Certificate::Prepared { view }, replica);
        if replica == self.cfg.primary(view) && !counts && Self::sender_is(from, replica) {
            return Self::reject(from, Reject::PrepareFromPrimary { view, seq }, out);
        }
        let sig = p.sig.clone();
        self.on_vote(from, Message::Prepare(p), (view, seq, digest, replica), sig, out);
    }

    /// COMMIT (§4.2): from any replica of the current view, within the window.
    pub(super) fn on_commit(&mut self, from: NodeId, c: Commit, out: &mut Vec<Output>) {
        let vote = (c.view, c.seq, c.digest, c.replica);
        let sig = c.sig.clone();
        self.on_vote(from, Message::Commit(c), vote, sig, out);
    }

    /// The checks PREPARE and COMMIT share, then the vote is counted once per replica.
    fn on_vote(&mut self, from: NodeId, msg: Message, vote: (View, Seq, Digest, ReplicaId), sig: Sig, out: &mut Vec<Output>) {
        let (view, seq, digest, replica) = vote;
        let kind = msg.kind();
        if !Self::sender_is(from, replica) || replica >= self.cfg.n {
            return Self::reject(from, Reject::WrongSigner { kind }, out);
        }
        if self.not_in_view(view) {
            return self.hold_early(from, msg, view, out);
        }
        if !self.in_window(seq) {
            return self.out_of_window(from, msg, seq, out);
        }
        let slot = self.log.entry(seq).or_default();
        let votes = if matches!(msg, Message::Prepare(_)) { &mut slot.prepares } else { &mut slot.commits };
        match votes.insert(view, digest, replica, &sig) {
            Cast::New => {}
            Cast::Again => {
                if kind == MsgKind::Commit {
                    self.answer_commit_again(seq, (view, digest), replica, out);
                }
                return Self::reject(from, Reject::DuplicateVote { kind, seq }, out);
            }
            Cast::Conflict => return Self::reject(from, Reject::ConflictingVote { kind, view, seq }, out),
        }
        self.try_progress(seq, out);
    }

    /// Evaluates prepared and committed-local for `seq` and acts on them.
    pub(super) fn try_progress(&mut self, seq: Seq, out: &mut Vec<Output>) {
        let q = self.cfg.quorums();
        let me = self.id;
        let normal = self.status == ReplicaStatus::Normal;
        let Some(slot) = self.log.get_mut(&seq) else {
            return;
        };
        let Some((view, digest)) = slot.pp.as_ref().map(|p| (p.view, p.digest)) else {
            return;
        };
        if view != self.view || !normal {
            return;
        }
        if !slot.prepared {
            // prepared: the pre-prepare and 2f matching PREPAREs from distinct backups.
            let prepared = Certificate::Prepared { view };
            let votes = q.counted(prepared, &slot.prepares.voters(view, digest));
            if !q.certifies(prepared, &votes) {
                return;
            }
            slot.prepared = true;
            let prepares = slot.prepares.prepares(view, seq, digest, &votes);
            let pre_prepare = slot.pp.clone().expect("checked above");
            slot.cert = Some(PreparedCert { pre_prepare, prepares });
            let commit = Commit { view, seq, digest, replica: me, sig: Sig::default() }.signed(&*self.keys);
            slot.commits.insert(view, digest, me, &commit.sig);
            out.push(Output::Phase { view, seq, digest, phase: Phase::Prepared });
            self.broadcast(Message::Commit(commit), out);
        }
        let slot = self.log.get_mut(&seq).expect("slot exists");
        // committed-local: prepared and a quorum of matching COMMITs, own included.
        if !slot.committed && q.certifies(Certificate::Committed, &slot.commits.voters(view, digest)) {
            slot.committed = true;
            out.push(Output::Phase { view, seq, digest, phase: Phase::Committed });
            self.try_execute(out);
        }
    }

    /// Executes committed requests in sequence order (§4.2).
    pub(super) fn try_execute(&mut self, out: &mut Vec<Output>) {
        let mut executed_any = false;
        loop {
            let seq = self.app.seq + 1;
            let Some(slot) = self.log.get(&seq) else {
                break;
            };
            if !slot.committed {
                break;
            }
            let pp = slot.pp.clone().expect("committed slot has a pre-prepare");
            let mut result = None;
            if let Some(req) = &pp.request {
                let fresh = self.app.last_reply(req.client).is_none_or(|c| c.timestamp < req.timestamp);
                if fresh {
                    let r = self.app.apply(req.client, req.timestamp, &req.op);
                    let reply =
                        Reply { view: self.view, timestamp: req.timestamp, client: req.client, replica: self.id, result: r.clone() };
                    out.push(Output::Send { to: NodeId::Client(req.client), msg: Message::Reply(reply) });
                    result = Some(r);
                }
                self.forget_pending(req.client, Included(req.timestamp));
            }
            self.app.advance(seq, pp.digest);
            executed_any = true;
            out.push(Output::Executed { seq, digest: pp.digest, request: pp.request.clone(), result, state: self.app.fingerprint() });
            out.push(Output::Phase { view: pp.view, seq, digest: pp.digest, phase: Phase::Executed });
            if self.cfg.is_checkpoint(seq) {
                self.take_checkpoint(out);
            }
        }
        if executed_any {
            self.backoff = 0;
            self.update_request_timer(Rearm::IfDone, out);
        }
    }
}

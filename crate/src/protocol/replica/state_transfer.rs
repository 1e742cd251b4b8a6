//! State transfer: a replica behind a certified stable checkpoint fetches
//! the state at it from a replica of the proof, and checks it against the proof.

use super::{Output, Rearm, Replica, ReplicaTimer};
use crate::protocol::message::{Message, MsgKind, StateReply, StateRequest};
use crate::protocol::reject::Defect;
use crate::protocol::reject::Reject;
use crate::protocol::types::{NodeId, ReplicaId, Seq};
use crate::protocol::viewchange::check_checkpoint_proof;

impl Replica {
    /// STATEs sent to one replica per stable checkpoint.
    const STATE_ANSWERS: u8 = 3;

    pub(super) fn ask_for_state(&mut self, out: &mut Vec<Output>) {
        let Some((seq, _, proof, attempt)) = &self.fetch else {
            return;
        };
        // The proof's signers first (they hold the state), each once, then
        // every other replica: a STATE is checked on arrival whoever sends
        // it, and one faulty signer that never answers is asked once a round.
        let mut others: Vec<ReplicaId> = Vec::with_capacity(self.cfg.n);
        for r in proof.iter().map(|c| c.replica).chain(0..self.cfg.n) {
            if r != self.id && r < self.cfg.n && !others.contains(&r) {
                others.push(r);
            }
        }
        if let Some(&to) = others.get(attempt % others.len().max(1)) {
            let msg = Message::FetchState(StateRequest { seq: *seq, replica: self.id });
            out.push(Output::Send { to: NodeId::Replica(to), msg });
        }
        out.push(Output::SetTimer { timer: ReplicaTimer::Fetch, after: self.cfg.state_retry });
    }

    pub(super) fn on_fetch_state(&mut self, from: NodeId, m: StateRequest, out: &mut Vec<Output>) {
        if !Self::sender_is(from, m.replica) {
            return Self::reject(from, Reject::WrongSigner { kind: MsgKind::FetchState }, out);
        }
        if self.low >= m.seq && self.low > 0 {
            // A few answers per replica and checkpoint: the state is sent
            // again when asked again (it may be lost), not without end.
            let Some(answered) = self.state_answers.get_mut(m.replica) else { return };
            if answered.0 != self.low {
                *answered = (self.low, 0);
            }
            if answered.1 >= Self::STATE_ANSWERS {
                return;
            }
            answered.1 += 1;
            let reply = StateReply { seq: self.low, state: self.stable_state.clone(), proof: self.stable_proof.clone(), replica: self.id };
            out.push(Output::Send { to: from, msg: Message::State(Box::new(reply)) });
        }
    }

    pub(super) fn on_state(&mut self, from: NodeId, m: StateReply, out: &mut Vec<Output>) {
        if !Self::sender_is(from, m.replica) {
            return Self::reject(from, Reject::WrongSigner { kind: MsgKind::State }, out);
        }
        if self.fetch.is_none() {
            return Self::reject(from, Reject::UnsolicitedState { seq: m.seq }, out);
        }
        if m.seq <= self.app.seq {
            return; // already there
        }
        if !m.state.is_canonical() {
            return Self::reject(from, Reject::MalformedState { seq: m.seq }, out);
        }
        let mut m = m;
        m.state.rehash();
        let digest = m.state.digest();
        if m.state.seq != m.seq {
            return Self::reject(from, Reject::UncertifiedState { seq: m.seq }, out);
        }
        match check_checkpoint_proof(&self.cfg, &*self.keys, m.seq, digest, &m.proof) {
            Ok(()) => {}
            Err(Defect::BadSignature { kind, signer }) => return Self::reject(from, Reject::BadSignature { kind, signer }, out),
            Err(_) => return Self::reject(from, Reject::UncertifiedState { seq: m.seq }, out),
        }
        self.app = m.state.clone();
        self.snapshots.insert(m.seq, m.state);
        self.pending.retain(|&(c, t), _| self.app.last_reply(c).is_none_or(|r| r.timestamp < t));
        out.push(Output::StateTransferred { seq: m.seq, from: m.replica });
        // Only a state at or above the checkpoint being fetched ends the
        // fetch (make_stable ends it then). An older certified one, say from
        // a faulty replica that kept it, is installed, and the fetch goes on.
        self.make_stable(m.seq, digest, m.proof, out);
        // Later sequence numbers may already be committed here.
        let seqs: Vec<Seq> = self.log.keys().copied().collect();
        for s in seqs {
            self.try_progress(s, out);
        }
        self.try_execute(out);
        self.update_request_timer(Rearm::IfDone, out);
    }

    /// The fetch timer fired: ask the next replica of the proof (§4.3 state transfer).
    pub(super) fn on_fetch_timer(&mut self, out: &mut Vec<Output>) {
        if let Some((seq, digest, proof, attempt)) = self.fetch.take() {
            if seq > self.app.seq {
                self.fetch = Some((seq, digest, proof, attempt + 1));
                self.ask_for_state(out);
            }
        }
    }
}

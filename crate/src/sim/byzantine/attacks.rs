//! Attacks on the view change, on state transfer and on the request timer:
//! a faulty replica that forges a NEW-VIEW from its own choice of quorum,
//! serves bad state, and hands requests to the backups behind the primary's
//! back. (Replays and floods live in [`super::noise`].)
//!
//! Every attack here is deterministic (no randomness of its own), keeps a
//! bounded number of messages, and stops acting once the cluster is quiet
//! (see [`Pacer`]), so a run with nothing else going on still goes idle.

use crate::vecmap::VecMap;

use super::{accomplice_request, corrupt, Adversary, BehaviorDef, Cx, ParamDef, Params};
use crate::protocol::{
    compute_o_set, AppState, Certificate, Checkpoint, Message, NewView, NodeId, PrePrepare, Prepare, PreparedCert, ReplicaId, ReplicaStatus,
    Request, Seq, Sig, StateReply, View, ViewChange, VoteSet,
};

/// Paces an adversary's own timer. The timer is armed when something
/// arrives (never two at once), and a tick acts only while the faulty
/// replica's honest machine still moves (view, status, executed, stable
/// checkpoint) or a client spoke lately: after [`Pacer::QUIET_TICKS`]
/// ticks without either, it falls silent until the cluster moves again.
/// So attacks stay bounded and a run with nothing else going on goes idle.
#[derive(Clone, Debug, Default)]
pub(super) struct Pacer {
    /// When the armed timer runs out (None: not armed).
    due: Option<u64>,
    /// Ticks in a row at which nothing moved.
    quiet: u32,
    /// What the honest machine looked like at the last tick.
    mark: Option<(View, bool, Seq, Seq)>,
}

impl Pacer {
    /// Quiet ticks after which the adversary stops acting.
    pub(super) const QUIET_TICKS: u32 = 6;

    /// Arms the timer (tag 0) to run out `every` ms from now, unless it is armed.
    /// A timer lost while the replica was down counts as run out.
    pub(super) fn arm(&mut self, cx: &mut Cx<'_>, every: u64) {
        if self.due.is_none_or(|d| d < cx.now) {
            self.due = Some(cx.now + every);
            cx.set_timer(every, 0);
        }
    }

    /// Something new happened (a client's request): the adversary may act again.
    pub(super) fn wake(&mut self) {
        self.quiet = 0;
    }

    /// The timer ran out: whether to act now.
    pub(super) fn tick(&mut self, cx: &Cx<'_>) -> bool {
        self.due = None;
        let r = cx.replica;
        let mark = (r.view(), r.status() == ReplicaStatus::Normal, r.last_executed(), r.low_watermark());
        if self.mark != Some(mark) {
            self.mark = Some(mark);
            self.quiet = 0;
        } else {
            self.quiet = self.quiet.saturating_add(1);
        }
        self.quiet < Self::QUIET_TICKS
    }
}

// ----- forge-new-view --------------------------------------------------------

/// `forge-new-view`: a faulty backup keeps the genuine VIEW-CHANGEs it
/// receives and, as soon as it holds a quorum for a view whose primary it is
/// not, builds a NEW-VIEW of its own from another choice of quorum than the
/// primary's (the highest-numbered replicas, the primary last) with the O set
/// those make, signs it (with its own key: it has no other) and sends it to
/// everyone. Only the primary of the new view may send NEW-VIEW
/// (Castro–Liskov §4.4): honest replicas must reject it. As the primary of a
/// new view it behaves honestly.
#[derive(Clone, Debug, Default)]
pub struct ForgeNewView {
    /// The latest VIEW-CHANGE of each replica (its own included): at most n.
    latest: VecMap<ReplicaId, ViewChange>,
    /// The highest view it forged a NEW-VIEW for.
    forged: Option<View>,
}

impl ForgeNewView {
    fn keep(&mut self, cx: &mut Cx<'_>, vc: &ViewChange) {
        if self.latest.get(&vc.replica).is_some_and(|old| old.new_view > vc.new_view) {
            return;
        }
        self.latest.insert(vc.replica, vc.clone());
        let w = vc.new_view;
        if cx.cfg.primary(w) == cx.me || self.forged.is_some_and(|f| f >= w) || w < cx.replica.view() {
            return;
        }
        let needed = cx.cfg.quorums().needed(Certificate::ViewChange);
        let primary = cx.cfg.primary(w);
        // Another quorum than the primary's (its own and the lowest-numbered
        // others): the highest-numbered replicas, the primary only if needed.
        let mut chosen: Vec<&ViewChange> = self.latest.values().filter(|m| m.new_view == w).collect();
        if chosen.len() < needed {
            return;
        }
        crate::vecmap::sort_small_by_key(&mut chosen, |m| (m.replica == primary, std::cmp::Reverse(m.replica)));
        let mut v: Vec<ViewChange> = chosen.into_iter().take(needed).cloned().collect();
        crate::vecmap::sort_small_by_key(&mut v, |m| m.replica);
        let o = compute_o_set(cx.cfg, w, &v);
        self.forged = Some(w);
        // Signed as it can sign: in its own name, not the primary's.
        let pre_prepares = o.pre_prepares.into_iter().map(|pp| cx.sign(pp)).collect();
        let nv = cx.sign(NewView { view: w, view_changes: v, pre_prepares, sig: Sig::default() });
        cx.broadcast(Message::NewView(Box::new(nv)));
    }
}

impl Adversary for ForgeNewView {
    fn on_send(&mut self, cx: &mut Cx<'_>, to: NodeId, msg: Message) {
        if let Message::ViewChange(vc) = &msg {
            if vc.replica == cx.me {
                let vc = vc.as_ref().clone();
                cx.send(to, msg);
                return self.keep(cx, &vc);
            }
        }
        cx.send(to, msg);
    }

    fn on_receive(&mut self, cx: &mut Cx<'_>, from: NodeId, msg: &Message) -> bool {
        if let Message::ViewChange(vc) = msg {
            // Only genuine ones: signed by the replica that sent them.
            if from == NodeId::Replica(vc.replica) && vc.replica < cx.cfg.n {
                self.keep(cx, vc);
            }
        }
        true
    }

    fn box_clone(&self) -> Box<dyn Adversary> {
        Box::new(self.clone())
    }
}

/// The `forge-new-view` behaviour.
pub const FORGE_NEW_VIEW: BehaviorDef = BehaviorDef {
    name: "forge-new-view",
    description: "as a backup, builds and sends its own NEW-VIEW from a quorum of genuine VIEW-CHANGEs",
    params: &[],
    make: |_| Some(Box::new(ForgeNewView::default())),
};

// ----- feed-backups -----------------------------------------------------------

const FEED_EVERY: ParamDef = ParamDef { name: "every", default: 400, min: 50, max: 10_000 };
const FEED_ACCOMPLICES: ParamDef = ParamDef { name: "accomplices", default: 3, min: 0, max: 20 };

/// `feed-backups`: every genuine request it gets from a client it hands to the
/// backups only, again and again on a timer, and never relays it to the
/// primary; backups that time out on it suspect an honest primary. Honest
/// clients also reach the primary, so it adds fresh requests of colluding
/// clients (genuinely signed by them, ids from [`ACCOMPLICE_CLIENT`](super::ACCOMPLICE_CLIENT)) that only
/// it knows, one at a time, at most `accomplices` of them. The defence
/// (Castro–Liskov §4.1): a backup relays every request it times to the primary.
#[derive(Clone, Debug)]
pub struct FeedBackups {
    every: u64,
    accomplices: u64,
    /// Accomplice requests made so far.
    made: u64,
    /// Requests being fed, with how often each was sent (at most [`Self::KEEP`]).
    fed: Vec<(Request, u32)>,
    pacer: Pacer,
}

impl FeedBackups {
    /// Requests fed at once.
    const KEEP: usize = 16;
    /// Times one request is handed out.
    const SENDS: u32 = 8;

    fn new(params: &Params) -> FeedBackups {
        FeedBackups {
            every: FEED_EVERY.value(params),
            accomplices: FEED_ACCOMPLICES.value(params),
            made: 0,
            fed: Vec::new(),
            pacer: Pacer::default(),
        }
    }

    fn executed(cx: &Cx<'_>, r: &Request) -> bool {
        cx.replica.app().last_reply(r.client).is_some_and(|c| c.timestamp >= r.timestamp)
    }
}

impl Adversary for FeedBackups {
    fn on_receive(&mut self, cx: &mut Cx<'_>, from: NodeId, msg: &Message) -> bool {
        let mut seen = true;
        if let (NodeId::Client(_), Message::Request(r)) = (from, msg) {
            if !Self::executed(cx, r) && !self.fed.iter().any(|(q, _)| q == r) {
                if self.fed.len() >= Self::KEEP {
                    self.fed.remove(0);
                }
                self.fed.push((r.clone(), 0));
            }
            self.pacer.wake();
            // As a backup its honest machine never sees the request, so it
            // never relays it to the primary (as the primary it orders it).
            seen = cx.replica.is_primary();
        }
        self.pacer.arm(cx, self.every);
        seen
    }

    fn on_timer(&mut self, cx: &mut Cx<'_>, _tag: u32) {
        if !self.pacer.tick(cx) {
            return;
        }
        self.fed.retain(|(r, sent)| *sent < Self::SENDS && !Self::executed(cx, r));
        if self.fed.is_empty() && self.made < self.accomplices && cx.replica.status() == ReplicaStatus::Normal {
            self.made += 1;
            // Timestamps from virtual time: fresh even for a new instance of this behaviour.
            let r = accomplice_request(format!("fed={}", self.made), cx.now + 1, 0);
            self.fed.push((r, 0));
        }
        let primary = cx.cfg.primary(cx.replica.view());
        let backups: Vec<ReplicaId> = cx.others().filter(|&i| i != primary).collect();
        for (r, sent) in &mut self.fed {
            *sent += 1;
            for &b in &backups {
                cx.send(NodeId::Replica(b), Message::Request(r.clone()));
            }
        }
        if !self.fed.is_empty() {
            self.pacer.arm(cx, self.every);
        }
    }

    fn box_clone(&self) -> Box<dyn Adversary> {
        Box::new(self.clone())
    }
}

/// The `feed-backups` behaviour.
pub const FEED_BACKUPS: BehaviorDef = BehaviorDef {
    name: "feed-backups",
    description: "hands client requests to the backups only, never to the primary, so they suspect an honest primary",
    params: &[FEED_EVERY, FEED_ACCOMPLICES],
    make: |p| Some(Box::new(FeedBackups::new(p))),
};

// ----- fake-certificate -----------------------------------------------------

/// A "certificate" for (`seq`, `digest`) made up by the faulty replica: a
/// quorum of CHECKPOINTs in others' names and its own, all signed with its
/// own key, its own last (the only signature there that verifies).
fn made_up_proof(cx: &Cx<'_>, seq: Seq, digest: crate::protocol::Digest) -> Vec<Checkpoint> {
    let quorum = cx.cfg.quorums().needed(Certificate::Checkpoint);
    let names = (0..cx.cfg.n).filter(|&i| i != cx.me).take(quorum - 1).chain([cx.me]);
    names.map(|replica| cx.sign(Checkpoint { seq, digest, replica, sig: Sig::default() })).collect()
}

/// `fake-certificate`: every VIEW-CHANGE its honest machine sends goes out
/// changed, claiming more than it can prove. For a view change to an odd
/// view: a prepared certificate for a request of its own making (from a
/// colluding client) at the first sequence number above its stable
/// checkpoint, in the view just below, with a pre-prepare of that view's
/// primary and PREPAREs of 2f backups; believed, it would win the O set's
/// tie-break against a request that committed there and undo it. For an
/// even view: a stable checkpoint one interval above its own, certified by
/// CHECKPOINTs of a quorum for a made-up state. It signs everything with its
/// own key, the only one it has, so every message it puts in another's name
/// fails verification, and honest replicas refuse the VIEW-CHANGE
/// (Castro–Liskov §4.4, the signed variant). Its honest VIEW-CHANGE never
/// leaves: the other replicas change view without it. It keeps the others'
/// VIEW-CHANGEs from its own machine, which would otherwise count its own
/// as part of a quorum nobody else sees and run ahead into views alone; so
/// it follows the others into each new view through their NEW-VIEW.
#[derive(Clone, Debug, Default)]
pub struct FakeCertificate;

impl FakeCertificate {
    fn fake(cx: &Cx<'_>, vc: &ViewChange) -> ViewChange {
        let mut vc = vc.clone();
        let cfg = cx.cfg;
        if vc.new_view % 2 == 1 {
            let (view, seq) = (vc.new_view - 1, vc.stable_seq + 1);
            let request = accomplice_request(format!("forged={seq}"), vc.new_view, 0);
            let digest = request.digest();
            let pre_prepare = cx.sign(PrePrepare { view, seq, digest, request: Some(request), sig: Sig::default() });
            let primary = cfg.primary(view);
            let backups = (0..cfg.n).filter(|&i| i != primary && i != cx.me);
            let prepares = backups.take(2 * cfg.f()).map(|replica| cx.sign(Prepare { view, seq, digest, replica, sig: Sig::default() })).collect();
            vc.prepared.retain(|c| c.pre_prepare.seq != seq);
            vc.prepared.insert(0, PreparedCert { pre_prepare, prepares });
        } else {
            let seq = vc.stable_seq + cfg.checkpoint_interval;
            let digest = corrupt(vc.stable_digest);
            vc.checkpoint_proof = made_up_proof(cx, seq, digest);
            vc.stable_seq = seq;
            vc.stable_digest = digest;
            vc.prepared.retain(|c| c.pre_prepare.seq > seq);
        }
        vc
    }
}

impl Adversary for FakeCertificate {
    fn on_send(&mut self, cx: &mut Cx<'_>, to: NodeId, msg: Message) {
        match msg {
            Message::ViewChange(vc) if vc.replica == cx.me => {
                let fake = Self::fake(cx, &vc);
                cx.send(to, Message::ViewChange(Box::new(fake)));
            }
            m => cx.send(to, m),
        }
    }

    fn on_receive(&mut self, _cx: &mut Cx<'_>, _from: NodeId, msg: &Message) -> bool {
        !matches!(msg, Message::ViewChange(_))
    }

    fn box_clone(&self) -> Box<dyn Adversary> {
        Box::new(self.clone())
    }
}

/// The `fake-certificate` behaviour.
pub const FAKE_CERTIFICATE: BehaviorDef = BehaviorDef {
    name: "fake-certificate",
    description: "sends VIEW-CHANGEs with a prepared certificate or checkpoint proof it made up, others' signatures included",
    params: &[],
    make: |_| Some(Box::new(FakeCertificate)),
};

// ----- bad-state ------------------------------------------------------------

/// `bad-state`: answers a state fetch with a state it changed, beside the
/// genuine checkpoint certificate it holds; then with the same state and a
/// certificate for its digest made up in others' names; then with an older
/// certified state when a newer one is asked. A fetcher checks the state's
/// digest against the certificate and every CHECKPOINT's signature, and
/// keeps fetching until it has the checkpoint it asked for.
#[derive(Clone, Debug, Default)]
pub struct BadState {
    /// Its own state at its latest checkpoints (at most [`Self::KEEP`]).
    states: VecMap<Seq, AppState>,
    /// CHECKPOINT messages for those checkpoints (own and genuine others').
    votes: VecMap<Seq, Vec<Checkpoint>>,
}

impl BadState {
    /// Checkpoints remembered.
    const KEEP: usize = 4;
    /// Delay of the changed state with a made-up certificate (virtual ms).
    const MADE_UP_AFTER: u64 = 20;
    /// Delay of the older state after the changed one (virtual ms).
    const OLDER_AFTER: u64 = 40;

    fn trim(&mut self) {
        while self.states.len() > Self::KEEP {
            self.states.pop_first();
        }
        let oldest = self.states.keys().next().copied().unwrap_or(0);
        self.votes.keep_from(&oldest);
        while self.votes.len() > 2 * Self::KEEP {
            self.votes.pop_first();
        }
    }

    fn vote(&mut self, c: &Checkpoint) {
        let votes = self.votes.entry(c.seq).or_default();
        votes.retain(|m| m.replica != c.replica);
        votes.push(c.clone());
        self.trim();
    }

    /// A certificate for its own state at `seq`: a quorum of matching CHECKPOINTs.
    fn certified(&self, cx: &Cx<'_>, seq: Seq) -> Option<(AppState, Vec<Checkpoint>)> {
        let state = self.states.get(&seq)?;
        let digest = state.digest();
        let proof: Vec<Checkpoint> = self.votes.get(&seq)?.iter().filter(|c| c.digest == digest).cloned().collect();
        let signers: VoteSet = proof.iter().map(|c| c.replica).collect();
        cx.cfg.certifies(Certificate::Checkpoint, &signers).then(|| (state.clone(), proof))
    }

    /// `state` with one value changed: its digest is no longer the certified one.
    fn lie(state: &AppState) -> AppState {
        let mut s = state.clone();
        match s.store.first_mut() {
            Some((_, v)) => *v = format!("{v}~forged").into(),
            None => s.store.push(("forged".into(), "1".into())),
        }
        s.rehash();
        s
    }
}

impl Adversary for BadState {
    fn on_send(&mut self, cx: &mut Cx<'_>, to: NodeId, msg: Message) {
        match msg {
            Message::Checkpoint(c) => {
                // Its state right at its checkpoint (the machine may have gone on).
                if c.replica == cx.me && cx.replica.app().seq == c.seq && !self.states.contains_key(&c.seq) {
                    self.states.insert(c.seq, cx.replica.app().clone());
                }
                self.vote(&c);
                cx.send(to, Message::Checkpoint(c));
            }
            Message::State(mut s) => {
                // The honest answer: remember it, send a changed state with the genuine proof.
                self.states.insert(s.seq, s.state.clone());
                for c in &s.proof {
                    self.vote(c);
                }
                s.state = Self::lie(&s.state);
                // And the same lie with a certificate for its digest made
                // up in a quorum's names (only its own signature verifies).
                let proof = made_up_proof(cx, s.seq, s.state.digest());
                let made_up = StateReply { proof, ..(*s).clone() };
                cx.send(to, Message::State(s));
                cx.send_after(Self::MADE_UP_AFTER, to, Message::State(Box::new(made_up)));
            }
            m => cx.send(to, m),
        }
    }

    fn on_receive(&mut self, cx: &mut Cx<'_>, from: NodeId, msg: &Message) -> bool {
        match msg {
            // Genuine votes for checkpoints it may still need to certify.
            Message::Checkpoint(c) if from == NodeId::Replica(c.replica) && self.states.keys().next().is_none_or(|&s| c.seq >= s) => {
                self.vote(c);
            }
            Message::FetchState(m) if from == NodeId::Replica(m.replica) => {
                // Its honest machine answers now (changed on the way out);
                // an older certified state than the one asked for follows.
                let older = self.states.range(1..m.seq).rev().find_map(|(&s, _)| self.certified(cx, s).map(|c| (s, c)));
                if let Some((seq, (state, proof))) = older {
                    let msg = Message::State(Box::new(StateReply { seq, state, proof, replica: cx.me }));
                    cx.send_after(Self::OLDER_AFTER, from, msg);
                }
            }
            _ => {}
        }
        true
    }

    fn box_clone(&self) -> Box<dyn Adversary> {
        Box::new(self.clone())
    }
}

/// The `bad-state` behaviour.
pub const BAD_STATE: BehaviorDef = BehaviorDef {
    name: "bad-state",
    description: "answers state fetches with a changed state, with a made-up certificate, or an older certified state",
    params: &[],
    make: |_| Some(Box::new(BadState::default())),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Config, Digest, Replica};
    use crate::sim::Effect;

    fn vc(replica: ReplicaId, new_view: View) -> ViewChange {
        ViewChange { new_view, stable_seq: 0, stable_digest: Digest::default(), checkpoint_proof: vec![], prepared: vec![], replica, sig: Sig::default() }
    }

    #[test]
    fn the_forger_picks_another_quorum_than_the_primary() {
        let cfg = Config::default();
        let me = Replica::new(3, cfg.clone());
        let mut adv = ForgeNewView::default();
        let mut effects = Vec::new();
        let mut cx = Cx::new(3, &cfg, 0, &me, &mut effects);
        adv.on_send(&mut cx, NodeId::Replica(0), Message::ViewChange(Box::new(vc(3, 1))));
        for r in [0, 2, 1] {
            let mut cx = Cx::new(3, &cfg, 0, &me, &mut effects);
            adv.on_receive(&mut cx, NodeId::Replica(r), &Message::ViewChange(Box::new(vc(r, 1))));
        }
        // A VIEW-CHANGE in another's name (relayed) is not taken.
        let mut cx = Cx::new(3, &cfg, 0, &me, &mut effects);
        adv.on_receive(&mut cx, NodeId::Replica(0), &Message::ViewChange(Box::new(vc(1, 2))));
        let forged: Vec<&NewView> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::Send { msg: Message::NewView(nv), .. } => Some(nv.as_ref()),
                _ => None,
            })
            .collect();
        // Once, to the three others, as soon as it held a quorum: 0, 2 and 3,
        // where view 1's primary (R1) would have put itself in.
        assert_eq!(forged.len(), 3);
        let v: Vec<ReplicaId> = forged[0].view_changes.iter().map(|m| m.replica).collect();
        assert_eq!(v, vec![0, 2, 3]);
        assert_eq!(forged[0].view, 1);
        assert_eq!(forged[0].pre_prepares, compute_o_set(&cfg, 1, &forged[0].view_changes).pre_prepares);
    }

    #[test]
    fn a_changed_state_no_longer_matches_its_digest() {
        let mut s = AppState::default();
        assert_ne!(BadState::lie(&s).digest(), s.digest());
        s.store.push(("k".into(), "v".into()));
        s.rehash();
        let lie = BadState::lie(&s);
        assert_eq!((lie.seq, lie.store.len()), (s.seq, 1));
        assert_ne!(lie.digest(), s.digest());
    }

    #[test]
    fn the_pacer_falls_silent_when_nothing_moves() {
        let cfg = Config::default();
        let me = Replica::new(3, cfg.clone());
        let mut pacer = Pacer::default();
        let mut effects = Vec::new();
        let mut cx = Cx::new(3, &cfg, 0, &me, &mut effects);
        pacer.arm(&mut cx, 100);
        pacer.arm(&mut cx, 100);
        assert_eq!(effects.len(), 1, "one timer at a time");
        let cx = Cx::new(3, &cfg, 100, &me, &mut effects);
        let acts: Vec<bool> = (0..Pacer::QUIET_TICKS + 2).map(|_| pacer.tick(&cx)).collect();
        assert_eq!(acts.iter().filter(|&&a| a).count(), Pacer::QUIET_TICKS as usize);
        assert!(!acts[acts.len() - 1]);
        pacer.wake();
        assert!(pacer.tick(&cx), "a client's request wakes it");
    }
}

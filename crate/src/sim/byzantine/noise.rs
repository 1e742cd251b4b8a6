//! Noise attacks: a faulty replica that replays old messages, and one that
//! floods the others' buffers for future views and sequence numbers.
//!
//! Both act on their own timer, paced by [`Pacer`]: bounded traffic per tick,
//! and silence once the cluster is quiet.

use std::collections::VecDeque;

use super::attacks::Pacer;
use super::{accomplice_request, Adversary, BehaviorDef, Cx, ParamDef, Params};
use crate::protocol::Sig;
use crate::protocol::{Commit, Digest, Message, MsgKind, NodeId, PrePrepare, Prepare, ReplicaId};

// ----- replay -----------------------------------------------------------------

const REPLAY_EVERY: ParamDef = ParamDef { name: "every", default: 500, min: 50, max: 10_000 };

/// A message kept for replaying.
#[derive(Clone, Debug)]
enum Old {
    /// One it sent in its own name, and to whom.
    Sent { to: Vec<NodeId>, msg: Message },
    /// One it received from another replica (signed by that one).
    Heard { from: ReplicaId, msg: Message },
}

/// `replay`: keeps the last [`Replay::KEEP`] PRE-PREPAREs, votes,
/// CHECKPOINTs, VIEW-CHANGEs and NEW-VIEWs it sent or received, and on a
/// timer (every `every` ms) sends a few of them again, oldest first, round
/// and round: its own to their first receivers (it may sign them again),
/// others' to everyone else exactly as they were (it cannot sign in their
/// name, so they arrive from the wrong sender). Receivers must treat a
/// replayed message as the duplicate or stale message it is.
#[derive(Clone, Debug)]
pub struct Replay {
    every: u64,
    log: VecDeque<Old>,
    cursor: usize,
    pacer: Pacer,
}

impl Replay {
    /// Messages kept.
    const KEEP: usize = 256;
    /// Messages replayed per tick.
    const BATCH: usize = 6;

    fn new(params: &Params) -> Replay {
        Replay { every: REPLAY_EVERY.value(params), log: VecDeque::new(), cursor: 0, pacer: Pacer::default() }
    }

    fn kept(msg: &Message) -> bool {
        matches!(
            msg.kind(),
            MsgKind::PrePrepare | MsgKind::Prepare | MsgKind::Commit | MsgKind::Checkpoint | MsgKind::ViewChange | MsgKind::NewView
        )
    }

    fn push(&mut self, old: Old) {
        if self.log.len() >= Self::KEEP {
            self.log.pop_front();
            self.cursor = self.cursor.saturating_sub(1);
        }
        self.log.push_back(old);
    }
}

impl Adversary for Replay {
    fn on_send(&mut self, cx: &mut Cx<'_>, to: NodeId, msg: Message) {
        if Self::kept(&msg) {
            // A broadcast is kept once, with all its receivers.
            match self.log.back_mut() {
                Some(Old::Sent { to: tos, msg: last }) if *last == msg => {
                    if !tos.contains(&to) {
                        tos.push(to);
                    }
                }
                _ => self.push(Old::Sent { to: vec![to], msg: msg.clone() }),
            }
        }
        cx.send(to, msg);
    }

    fn on_receive(&mut self, cx: &mut Cx<'_>, from: NodeId, msg: &Message) -> bool {
        match from {
            NodeId::Replica(j) if Self::kept(msg) => {
                let seen = self.log.iter().rev().take(cx.cfg.n).any(|o| matches!(o, Old::Heard { msg: m, .. } if m == msg));
                if !seen {
                    self.push(Old::Heard { from: j, msg: msg.clone() });
                }
            }
            NodeId::Client(_) => self.pacer.wake(),
            _ => {}
        }
        self.pacer.arm(cx, self.every);
        true
    }

    fn on_timer(&mut self, cx: &mut Cx<'_>, _tag: u32) {
        if self.log.is_empty() || !self.pacer.tick(cx) {
            return;
        }
        for _ in 0..Self::BATCH.min(self.log.len()) {
            let i = self.cursor % self.log.len();
            self.cursor = i + 1;
            match &self.log[i] {
                Old::Sent { to, msg } => {
                    for &t in to {
                        cx.send(t, msg.clone());
                    }
                }
                Old::Heard { from, msg } => {
                    let others: Vec<ReplicaId> = cx.others().filter(|i| i != from).collect();
                    for t in others {
                        cx.send(NodeId::Replica(t), msg.clone());
                    }
                }
            }
        }
        self.pacer.arm(cx, self.every);
    }

    fn box_clone(&self) -> Box<dyn Adversary> {
        Box::new(self.clone())
    }
}

/// The `replay` behaviour.
pub const REPLAY: BehaviorDef = BehaviorDef {
    name: "replay",
    description: "sends old messages again, its own and others', on a timer",
    params: &[REPLAY_EVERY],
    make: |p| Some(Box::new(Replay::new(p))),
};

// ----- flood ------------------------------------------------------------------

const FLOOD_BURST: ParamDef = ParamDef { name: "burst", default: 20, min: 1, max: 200 };

/// `flood`: on a timer, sends every other replica `burst` messages in its own
/// name that an honest replica must keep for later or refuse: PREPAREs and
/// COMMITs for the next views, PREPAREs and COMMITs for sequence numbers just
/// above the log window, and PRE-PREPAREs (of accomplices' requests) for the
/// next view it will lead. Buffers for early messages must stay bounded per
/// sender, so one faulty replica cannot crowd out the honest ones.
#[derive(Clone, Debug)]
pub struct Flood {
    burst: u64,
    /// Messages made so far (varies them).
    k: u64,
    pacer: Pacer,
}

impl Flood {
    /// Time between bursts (virtual ms).
    const EVERY: u64 = 300;

    fn new(params: &Params) -> Flood {
        Flood { burst: FLOOD_BURST.value(params), k: 0, pacer: Pacer::default() }
    }
}

impl Adversary for Flood {
    fn on_receive(&mut self, cx: &mut Cx<'_>, from: NodeId, _msg: &Message) -> bool {
        if matches!(from, NodeId::Client(_)) {
            self.pacer.wake();
        }
        self.pacer.arm(cx, Self::EVERY);
        true
    }

    fn on_timer(&mut self, cx: &mut Cx<'_>, _tag: u32) {
        if !self.pacer.tick(cx) {
            return;
        }
        let (me, n) = (cx.me, cx.cfg.n as u64);
        let (v, low, high) = (cx.replica.view(), cx.replica.low_watermark(), cx.replica.high_watermark());
        let l = cx.cfg.log_window;
        // The next view it leads.
        let own = (v + 1..=v + n).find(|&w| cx.cfg.primary(w) == me).unwrap_or(v + n);
        for _ in 0..self.burst {
            self.k += 1;
            let k = self.k;
            let digest = Digest::of(&k.to_le_bytes());
            let (ahead, inside) = (high + 1 + k % l, low + 1 + k % l);
            let later = v + 1 + (k / 5) % 3;
            let msg = match k % 5 {
                0 => Message::Prepare(Prepare { view: later, seq: inside, digest, replica: me, sig: Sig::default() }),
                1 => Message::Commit(Commit { view: later, seq: inside, digest, replica: me, sig: Sig::default() }),
                2 => Message::Prepare(Prepare { view: v, seq: ahead, digest, replica: me, sig: Sig::default() }),
                3 => Message::Commit(Commit { view: v, seq: ahead, digest, replica: me, sig: Sig::default() }),
                _ => {
                    let r = accomplice_request(format!("flood={k}"), k, 1);
                    Message::PrePrepare(PrePrepare { view: own, seq: inside, digest: r.digest(), request: Some(r), sig: Sig::default() })
                }
            };
            cx.broadcast(msg);
        }
        self.pacer.arm(cx, Self::EVERY);
    }

    fn box_clone(&self) -> Box<dyn Adversary> {
        Box::new(self.clone())
    }
}

/// The `flood` behaviour.
pub const FLOOD: BehaviorDef = BehaviorDef {
    name: "flood",
    description: "fills the others' buffers with votes and pre-prepares for future views and sequence numbers",
    params: &[FLOOD_BURST],
    make: |p| Some(Box::new(Flood::new(p))),
};

//! A small driver of real `Replica`s for tests with hand-made messages
//! (regressions.rs, adversary.rs): zero-latency FIFO delivery between the
//! honest replicas, timers fired in (deadline, replica, timer) order, a
//! message lost where `lose` says so, and optionally one faulty replica whose
//! answers a closure makes.

use std::collections::VecDeque;

use pbft_playground::protocol::{
    Config, Message, ModelKeys, NodeId, Output, Replica, ReplicaId, Request, Seq, Signed, StateReply, StateRequest, TimerSlots,
};

/// Whether a message from → to is lost.
pub type Lose = Box<dyn FnMut(NodeId, NodeId, &Message) -> bool>;

/// The faulty replica: what it sends, (to, message), for each message it
/// receives, given the time and the sender.
pub type Faulty = Box<dyn FnMut(u64, NodeId, &Message) -> Vec<(ReplicaId, Message)>>;

/// Replicas wired together (see the module's comment).
pub struct Net {
    pub now: u64,
    pub reps: Vec<Replica>,
    pub timers: Vec<TimerSlots<u64>>,
    pub queue: VecDeque<(NodeId, NodeId, Message)>,
    /// Every send: (time, from, to, message), lost ones included.
    pub sent: Vec<(u64, NodeId, NodeId, Message)>,
    /// Every other output: (time, replica, output).
    pub outputs: Vec<(u64, ReplicaId, Output)>,
    pub lose: Lose,
    /// A replica replaced by a closure: its `Replica` neither receives nor times out.
    pub faulty: Option<(ReplicaId, Faulty)>,
}

impl Net {
    pub fn new(cfg: Config, lose: impl FnMut(NodeId, NodeId, &Message) -> bool + 'static) -> Net {
        let n = cfg.n;
        Net {
            now: 0,
            reps: (0..n).map(|i| Replica::new(i, cfg.clone())).collect(),
            timers: vec![TimerSlots::new(); n],
            queue: VecDeque::new(),
            sent: Vec::new(),
            outputs: Vec::new(),
            lose: Box::new(lose),
            faulty: None,
        }
    }

    pub fn apply(&mut self, i: ReplicaId, out: Vec<Output>) {
        let now = self.now;
        for o in out {
            if self.timers[i].apply(&o, |after| now + after).is_some() || matches!(o, Output::CancelTimer(_)) {
                continue;
            }
            match o {
                Output::Send { to, msg } => {
                    let from = NodeId::Replica(i);
                    self.sent.push((now, from, to, msg.clone()));
                    if matches!(to, NodeId::Replica(_)) && !(self.lose)(from, to, &msg) {
                        self.queue.push_back((from, to, msg));
                    }
                }
                o => self.outputs.push((now, i, o)),
            }
        }
    }

    /// Hands `msg` from `from` to replica `to` (a client's, or a faulty replica's).
    pub fn input(&mut self, from: NodeId, to: ReplicaId, msg: Message) {
        self.queue.push_back((from, NodeId::Replica(to), msg));
        self.pump();
    }

    /// Client 0's writes `k<t>=<t>` for each timestamp `t` of `ts`, handed to replica 0.
    pub fn writes(&mut self, ts: std::ops::RangeInclusive<u64>) {
        for t in ts {
            self.input(NodeId::Client(0), 0, Message::Request(signed_request(&format!("k{t}={t}"), t, 0)));
        }
    }

    /// Delivers everything in flight.
    pub fn pump(&mut self) {
        while let Some((from, to, msg)) = self.queue.pop_front() {
            let NodeId::Replica(j) = to else { continue };
            if let Some((f, hook)) = self.faulty.as_mut().filter(|(f, _)| *f == j) {
                let f = *f;
                for (to, m) in hook(self.now, from, &msg) {
                    self.sent.push((self.now, NodeId::Replica(f), NodeId::Replica(to), m.clone()));
                    self.queue.push_back((NodeId::Replica(f), NodeId::Replica(to), m));
                }
                continue;
            }
            let mut out = Vec::new();
            self.reps[j].on_message(from, msg, &mut out);
            self.apply(j, out);
        }
    }

    /// Runs until virtual time `t`, firing the honest replicas' timers as they fall due.
    pub fn run_until(&mut self, t: u64) {
        loop {
            self.pump();
            let faulty = self.faulty.as_ref().map(|(f, _)| *f);
            let next = (0..self.reps.len())
                .filter(|&i| Some(i) != faulty)
                .flat_map(|i| self.timers[i].running().map(move |(timer, at)| (at, i, timer.index(), timer)))
                .filter(|&(at, ..)| at <= t)
                .min_by_key(|&(at, i, k, _)| (at, i, k));
            let Some((at, i, _, timer)) = next else { break };
            self.now = at.max(self.now);
            self.timers[i].cancel(timer);
            let mut out = Vec::new();
            self.reps[i].on_timer(timer, &mut out);
            self.apply(i, out);
        }
        self.now = t;
    }

    /// Replica `i`'s answer to a FETCH-STATE of `asker` for `seq` (the STATE, not delivered).
    pub fn state_from(&mut self, i: ReplicaId, asker: ReplicaId, seq: Seq) -> Box<StateReply> {
        let mut out = Vec::new();
        self.reps[i].on_message(NodeId::Replica(asker), Message::FetchState(StateRequest { seq, replica: asker }), &mut out);
        out.into_iter().find_map(|o| match o { Output::Send { msg: Message::State(s), .. } => Some(s), _ => None }).expect("a STATE")
    }

    pub fn view_changes_started(&self) -> Vec<(u64, ReplicaId)> {
        self.outputs.iter().filter(|(_, _, o)| matches!(o, Output::ViewChangeStarted { .. })).map(|(t, i, _)| (*t, *i)).collect()
    }
}

/// n = 4 (f = 1), K = 4, L = 8.
pub fn cfg4() -> Config {
    Config::default()
}

/// Client `client`'s request, signed with its key (as the simulator's clients sign).
pub fn signed_request(op: &str, timestamp: u64, client: u32) -> Request {
    Request::new(op, timestamp, client).signed(&*ModelKeys::client(client))
}

/// `m` signed by replica `r` (an honest replica's message, or a faulty one's in its own name).
pub fn by<M: Signed>(r: ReplicaId, m: M) -> M {
    ModelKeys::signed_as(r, m)
}

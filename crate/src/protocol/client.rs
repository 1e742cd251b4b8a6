//! The client (Castro–Liskov §4.1): send to the primary, accept a result
//! once f+1 replicas reply with it, broadcast on timeout. As in the paper,
//! a client has one request outstanding at a time; later submissions wait
//! in order (timestamps must reach the replicas in order, or an early higher
//! timestamp would make the lower ones look already executed).

use serde::Serialize;
use crate::vecmap::VecMap;
use std::collections::VecDeque;
use std::sync::Arc;

use super::config::Config;
use super::message::{Message, MsgKind, Reply, Request};
use super::sign::{ClientKey, ModelKeys};
use super::quorum::Certificate;
use super::reject::Reject;
use super::types::{ClientId, NodeId, ReplicaId, View};

/// A client timer: the retransmission timer of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientTimer(pub u64);

/// A result the client accepted.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Accepted {
    /// The request's timestamp.
    pub timestamp: u64,
    /// The operation.
    pub op: Arc<str>,
    /// The accepted result.
    pub result: Arc<str>,
    /// The lowest view among the matching replies.
    pub view: View,
    /// The replicas whose matching replies made the decision.
    pub replicas: Vec<ReplicaId>,
}

/// What a client handler asks for or reports.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientOutput {
    /// Send a message to a replica.
    Send {
        /// The receiver.
        to: NodeId,
        /// The message.
        msg: Message,
    },
    /// (Re)start the retransmission timer of a request.
    SetTimer {
        /// Which request.
        timer: ClientTimer,
        /// Delay.
        after: u64,
    },
    /// Stop a request's timer.
    CancelTimer(ClientTimer),
    /// f+1 matching replies: the result is accepted.
    Accepted(Accepted),
    /// The request timed out and was broadcast to every replica.
    Retransmitted {
        /// The request's timestamp.
        timestamp: u64,
        /// How many times it has been broadcast.
        attempt: u32,
    },
    /// f+1 replicas vouched for a second, different result of an accepted request.
    Conflict {
        /// The request's timestamp.
        timestamp: u64,
        /// The result accepted first.
        accepted: String,
        /// The other result.
        other: String,
    },
    /// A reply was ignored.
    Rejected {
        /// Sender.
        from: NodeId,
        /// Why.
        reason: Reject,
    },
}

#[derive(Clone, Debug, Hash)]
struct Outstanding {
    request: Request,
    /// Latest reply per replica: (result, view).
    replies: VecMap<ReplicaId, (Arc<str>, View)>,
    accepted: Option<Arc<str>>,
    attempts: u32,
}

/// The requests a client tracks, by timestamp. They are consecutive: each new
/// one has the next timestamp and the oldest (decided) ones are let go first,
/// so a timestamp is an index, however many are queued.
#[derive(Clone, Debug, Default, Hash)]
struct Requests {
    /// Timestamp of the first one held.
    first: u64,
    list: VecDeque<Arc<Outstanding>>,
}

impl Requests {
    fn get(&self, t: u64) -> Option<&Arc<Outstanding>> {
        self.list.get(usize::try_from(t.checked_sub(self.first)?).ok()?)
    }

    fn get_mut(&mut self, t: u64) -> Option<&mut Arc<Outstanding>> {
        self.list.get_mut(usize::try_from(t.checked_sub(self.first)?).ok()?)
    }

    /// Adds request `t`, the next timestamp after the last one held.
    fn push(&mut self, t: u64, o: Arc<Outstanding>) {
        if self.list.is_empty() {
            self.first = t;
        }
        debug_assert_eq!(t, self.first + self.list.len() as u64, "timestamps are consecutive");
        self.list.push_back(o);
    }

    fn first(&self) -> Option<&Arc<Outstanding>> {
        self.list.front()
    }

    fn pop_first(&mut self) {
        if self.list.pop_front().is_some() {
            self.first += 1;
        }
    }

    fn len(&self) -> usize {
        self.list.len()
    }

    fn iter(&self) -> impl Iterator<Item = (u64, &Arc<Outstanding>)> + '_ {
        (self.first..).zip(&self.list)
    }
}

/// A PBFT client.
///
/// What it keeps is bounded whatever the run's length: the requests not yet
/// accepted, the reply tallies of the last [`Client::KEEP_DECIDED`] decided
/// ones and the last [`Client::KEEP_ACCEPTED`] accepted results (with the
/// count of all of them). Requests and results are shared (`Arc`), so a copy
/// of a client (the simulator saves copies of a run) costs pointers, not text.
#[derive(Clone, Debug)]
pub struct Client {
    id: ClientId,
    cfg: Config,
    view: View,
    last_timestamp: u64,
    /// Requests are sent in timestamp order: every t <= sent_upto was sent.
    sent_upto: u64,
    requests: Requests,
    /// The latest accepted results, oldest first.
    accepted: VecDeque<Arc<Accepted>>,
    /// How many results were accepted in all.
    accepted_total: usize,
    /// Its private key: every request it sends is signed with it.
    key: ClientKey,
}

impl Client {
    /// How many decided requests keep their reply tallies (to notice conflicts).
    const KEEP_DECIDED: usize = 64;
    /// How many of the latest accepted results the client keeps.
    pub const KEEP_ACCEPTED: usize = 64;

    /// A client `id` of the cluster `cfg`.
    pub fn new(id: ClientId, cfg: Config) -> Client {
        Client {
            id,
            cfg,
            view: 0,
            last_timestamp: 0,
            sent_upto: 0,
            requests: Requests::default(),
            accepted: VecDeque::new(),
            accepted_total: 0,
            key: ModelKeys::client(id),
        }
    }

    /// The client signing with `key` instead of the simulator's model key
    /// (pbft-node: the node's own ed25519 key, see [`ReplicaClient`]).
    pub fn with_key(self, key: ClientKey) -> Client {
        Client { key, ..self }
    }

    /// A client whose timestamps continue after `last_timestamp`. The paper
    /// suggests the client's clock as its timestamp (Castro–Liskov §4.1): a
    /// client process that restarts with a clock reading here is not taken
    /// for the one it replaces (whose requests the replicas remember).
    pub fn with_last_timestamp(id: ClientId, cfg: Config, last_timestamp: u64) -> Client {
        Client { last_timestamp, sent_upto: last_timestamp, ..Client::new(id, cfg) }
    }

    /// Feeds the client's state to `h`: every field but its configuration
    /// (fixed for its life). For fingerprints of states in exhaustive search
    /// ([`crate::sim::fingerprint`]); the fields are named one by one, so a
    /// field added to `Client` must be added here.
    pub fn hash_state<H: std::hash::Hasher>(&self, h: &mut H) {
        use std::hash::Hash;
        let Client { id, cfg: _, view, last_timestamp, sent_upto, requests, accepted, accepted_total, key: _ } = self;
        (id, view, last_timestamp, sent_upto, requests, accepted, accepted_total).hash(h);
    }

    /// The client id.
    pub fn id(&self) -> ClientId {
        self.id
    }
    /// The latest view the client has heard of.
    pub fn view(&self) -> View {
        self.view
    }
    /// Timestamp of the last submitted request.
    pub fn last_timestamp(&self) -> u64 {
        self.last_timestamp
    }
    /// The latest accepted results (at most [`Client::KEEP_ACCEPTED`]), in
    /// acceptance order; [`Client::accepted_count`] counts all of them.
    pub fn accepted(&self) -> Vec<&Accepted> {
        self.accepted.iter().map(|a| &**a).collect()
    }
    /// The last accepted result.
    pub fn last_accepted(&self) -> Option<&Accepted> {
        self.accepted.back().map(|a| &**a)
    }
    /// How many results the client accepted in all.
    pub fn accepted_count(&self) -> usize {
        self.accepted_total
    }
    /// Timestamps of requests not yet accepted.
    pub fn outstanding(&self) -> Vec<u64> {
        self.requests.iter().filter(|(_, o)| o.accepted.is_none()).map(|(t, _)| t).collect()
    }
    /// The operation of request `timestamp`, if the client still tracks it.
    pub fn op_of(&self, timestamp: u64) -> Option<&str> {
        self.requests.get(timestamp).map(|o| &*o.request.op)
    }
    /// Replies so far for request `timestamp`: (replica, result).
    pub fn replies_for(&self, timestamp: u64) -> Vec<(ReplicaId, String)> {
        self.requests
            .get(timestamp)
            .map(|o| o.replies.iter().map(|(&r, (res, _))| (r, res.to_string())).collect())
            .unwrap_or_default()
    }
    /// The largest number of matching replies for one result of `timestamp`.
    pub fn best_match(&self, timestamp: u64) -> usize {
        let Some(o) = self.requests.get(timestamp) else { return 0 };
        let mut tally: VecMap<&str, usize> = VecMap::new();
        for (res, _) in o.replies.values() {
            *tally.entry(res).or_default() += 1;
        }
        tally.values().copied().max().unwrap_or(0)
    }

    /// Submits operation `op`: sends it to the primary it believes in, or
    /// queues it behind the request still outstanding. Returns its timestamp.
    pub fn submit(&mut self, op: impl Into<Arc<str>>, out: &mut Vec<ClientOutput>) -> u64 {
        self.last_timestamp += 1;
        let t = self.last_timestamp;
        let request = Request::new(op, t, self.id).signed(&*self.key);
        let busy = self.requests.get(self.sent_upto).is_some_and(|o| o.accepted.is_none());
        self.requests.push(t, Arc::new(Outstanding { request, replies: VecMap::new(), accepted: None, attempts: 0 }));
        if !busy {
            self.send_next(out);
        }
        t
    }

    /// Sends the oldest queued request, if any.
    fn send_next(&mut self, out: &mut Vec<ClientOutput>) {
        let primary = self.cfg.primary(self.view);
        let t = self.sent_upto + 1;
        if let Some(o) = self.requests.get(t) {
            self.sent_upto = t;
            out.push(ClientOutput::Send { to: NodeId::Replica(primary), msg: Message::Request(o.request.clone()) });
            out.push(ClientOutput::SetTimer { timer: ClientTimer(t), after: self.cfg.client_timeout });
        }
    }

    /// Number of requests submitted but not yet sent (waiting their turn).
    pub fn queued(&self) -> usize {
        (self.last_timestamp - self.sent_upto) as usize
    }

    /// A REPLY from `from`.
    pub fn on_reply(&mut self, from: NodeId, reply: Reply, out: &mut Vec<ClientOutput>) {
        if from != NodeId::Replica(reply.replica) || reply.replica >= self.cfg.n || reply.client != self.id {
            out.push(ClientOutput::Rejected { from, reason: Reject::WrongSigner { kind: MsgKind::Reply } });
            return;
        }
        let cfg = &self.cfg;
        let Some(o) = self.requests.get_mut(reply.timestamp) else { return };
        let o = Arc::make_mut(o);
        o.replies.insert(reply.replica, (reply.result.clone(), reply.view));
        let matching: Vec<(ReplicaId, View)> = o
            .replies
            .iter()
            .filter(|(_, (res, _))| *res == reply.result)
            .map(|(&r, &(_, v))| (r, v))
            .collect();
        // §4.1: f+1 matching replies from distinct replicas, one of them honest.
        let tally = cfg.tally(Certificate::Weak, &matching.iter().map(|&(r, _)| r).collect());
        if !tally.certified() {
            return;
        }
        match &o.accepted {
            None => {
                o.accepted = Some(reply.result.clone());
                // The lowest view among the matching replies: at least one of
                // them is honest, so a lying replica cannot push the client ahead.
                let view = matching.iter().map(|&(_, v)| v).min().unwrap_or(0);
                self.view = self.view.max(view);
                let a = Accepted {
                    timestamp: reply.timestamp,
                    op: o.request.op.clone(),
                    result: reply.result,
                    view,
                    replicas: matching.iter().map(|&(r, _)| r).collect(),
                };
                out.push(ClientOutput::CancelTimer(ClientTimer(a.timestamp)));
                out.push(ClientOutput::Accepted(a.clone()));
                self.accepted.push_back(Arc::new(a));
                self.accepted_total += 1;
                if self.accepted.len() > Self::KEEP_ACCEPTED {
                    self.accepted.pop_front();
                }
                self.forget_old();
                self.send_next(out);
            }
            Some(first) if *first != reply.result && tally.count == tally.needed => {
                out.push(ClientOutput::Conflict { timestamp: reply.timestamp, accepted: first.to_string(), other: reply.result.to_string() });
            }
            Some(_) => {}
        }
    }

    fn forget_old(&mut self) {
        // Keep the last few decided requests to notice a conflicting second result.
        // Requests are decided in order, so the oldest entries are the decided ones.
        while self.requests.len() > Self::KEEP_DECIDED + self.queued() + 1 {
            match self.requests.first() {
                Some(o) if o.accepted.is_some() => {
                    self.requests.pop_first();
                }
                _ => break,
            }
        }
    }

    /// The retransmission timer of a request fired: broadcast it (§4.1).
    pub fn on_timer(&mut self, timer: ClientTimer, out: &mut Vec<ClientOutput>) {
        let Some(o) = self.requests.get_mut(timer.0) else { return };
        if o.accepted.is_some() || timer.0 > self.sent_upto {
            return;
        }
        let o = Arc::make_mut(o);
        o.attempts += 1;
        for i in 0..self.cfg.n {
            out.push(ClientOutput::Send { to: NodeId::Replica(i), msg: Message::Request(o.request.clone()) });
        }
        out.push(ClientOutput::Retransmitted { timestamp: timer.0, attempt: o.attempts });
        let after = self.cfg.client_timeout << o.attempts.min(3);
        out.push(ClientOutput::SetTimer { timer, after });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(c: &mut Client, replica: ReplicaId, timestamp: u64, result: &str) -> Vec<ClientOutput> {
        let mut out = Vec::new();
        let r = Reply { view: 0, timestamp, client: c.id(), replica, result: result.into() };
        c.on_reply(NodeId::Replica(replica), r, &mut out);
        out
    }

    #[test]
    fn keeps_the_latest_results_and_counts_them_all() {
        let mut c = Client::new(0, Config::default());
        let mut out = Vec::new();
        for i in 1..=100u64 {
            c.submit(format!("k={i}"), &mut out);
        }
        for t in 1..=100u64 {
            reply(&mut c, 0, t, &format!("k={t}"));
            let out = reply(&mut c, 1, t, &format!("k={t}"));
            assert!(out.iter().any(|o| matches!(o, ClientOutput::Accepted(a) if a.timestamp == t)));
        }
        assert_eq!(c.accepted_count(), 100);
        let acc = c.accepted();
        assert_eq!(acc.len(), Client::KEEP_ACCEPTED);
        assert_eq!((acc[0].timestamp, c.last_accepted().map(|a| a.timestamp)), (100 - Client::KEEP_ACCEPTED as u64 + 1, Some(100)));
        assert!(c.requests.len() <= Client::KEEP_DECIDED + 1 && c.outstanding().is_empty());
        // A copy shares the requests and results; a late reply changes only the live one.
        let copy = c.clone();
        assert!(Arc::ptr_eq(&copy.accepted[0], &c.accepted[0]));
        // A recently decided request still notices f+1 replicas vouching for another result.
        assert!(reply(&mut c, 2, 99, "k=evil").is_empty());
        let out = reply(&mut c, 3, 99, "k=evil");
        assert!(matches!(&out[..], [ClientOutput::Conflict { timestamp: 99, .. }]), "{out:?}");
        assert_eq!(copy.requests.get(99).unwrap().replies.len(), 2, "the copy kept its own tally");
    }
}

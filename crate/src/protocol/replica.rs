//! The replica state machine: normal case (§4.2), garbage collection (§4.3),
//! view change (§4.4) and state transfer.

use serde::Serialize;
use std::collections::BTreeMap;

use super::app::AppState;
use super::config::{Config, QuorumRule};
use super::message::{
    Checkpoint, Commit, Message, NewView, PrePrepare, Prepare, PreparedCert, Reply, Request,
    MsgKind, StateReply, StateRequest, ViewChange,
};
use super::reject::Reject;
use super::types::{ClientId, Digest, NodeId, ReplicaId, Seq, View};
use super::viewchange::{certifies_checkpoint, compute_o_set, validate_view_change};

/// Timers a replica asks its driver to run. Setting a timer replaces the
/// running one of the same kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplicaTimer {
    /// The request timer of a backup, and, during a view change, the timer
    /// waiting for NEW-VIEW (§4.4, liveness).
    ViewChange,
    /// Retransmission of this replica's VIEW-CHANGE until NEW-VIEW arrives.
    Retransmit,
    /// Waiting for a checkpoint to be reached locally, then for a state reply.
    Fetch,
}

impl ReplicaTimer {
    /// Every timer kind.
    pub const ALL: [ReplicaTimer; 3] = [ReplicaTimer::ViewChange, ReplicaTimer::Retransmit, ReplicaTimer::Fetch];

    /// Index into [`ReplicaTimer::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Progress of one sequence number at one replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// A pre-prepare was accepted (or sent, at the primary).
    PrePrepared,
    /// prepared(m, v, n, i) holds.
    Prepared,
    /// committed-local(m, v, n, i) holds.
    Committed,
    /// Executed.
    Executed,
}

/// Whether a replica is working in a view or moving to the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplicaStatus {
    /// Normal case operation in `view`.
    Normal,
    /// Waiting for NEW-VIEW for `view`.
    ViewChange,
}

/// What a handler asks the driver to do or tells it happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// Send `msg` to `to` (never to the replica itself).
    Send {
        /// The receiver.
        to: NodeId,
        /// The message.
        msg: Message,
    },
    /// Start (or restart) a timer.
    SetTimer {
        /// Which timer.
        timer: ReplicaTimer,
        /// Delay in the driver's time units.
        after: u64,
    },
    /// Stop a timer.
    CancelTimer(ReplicaTimer),
    /// A sequence number reached a phase.
    Phase {
        /// View.
        view: View,
        /// Sequence number.
        seq: Seq,
        /// Digest.
        digest: Digest,
        /// Phase reached.
        phase: Phase,
    },
    /// A sequence number was executed.
    Executed {
        /// Sequence number.
        seq: Seq,
        /// Digest (NULL for a null request).
        digest: Digest,
        /// The request (None for a null request).
        request: Option<Request>,
        /// The result, or None when the request had executed before (its
        /// cached reply was resent) or was null.
        result: Option<String>,
        /// The state digest right after this execution.
        state: Digest,
    },
    /// A checkpoint became stable; the log up to `seq` was discarded.
    CheckpointStable {
        /// Sequence number of the checkpoint.
        seq: Seq,
    },
    /// This replica started a view change to `view`.
    ViewChangeStarted {
        /// The view moved to.
        view: View,
    },
    /// This replica installed `view` after a valid NEW-VIEW.
    NewViewInstalled {
        /// The view.
        view: View,
    },
    /// This replica installed the state of checkpoint `seq` from another.
    StateTransferred {
        /// The checkpoint.
        seq: Seq,
        /// The replica the state came from.
        from: ReplicaId,
    },
    /// An input was rejected or ignored, with the reason.
    Rejected {
        /// Who sent it.
        from: NodeId,
        /// Why.
        reason: Reject,
    },
}

/// When to (re)start the request timer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rearm {
    /// Only if it is not running.
    IfIdle,
    /// If it is not running or the request it waited for has executed.
    IfDone,
    /// Always (a new view: a fresh chance for every pending request).
    Always,
}

/// Votes of distinct replicas for one (view, digest).
#[derive(Clone, Debug)]
struct Votes {
    view: View,
    digest: Digest,
    who: u128,
}

fn count(votes: &[Votes], view: View, digest: Digest, mask: u128) -> usize {
    votes
        .iter()
        .find(|v| v.view == view && v.digest == digest)
        .map_or(0, |v| (v.who & mask).count_ones() as usize)
}

fn who(votes: &[Votes], view: View, digest: Digest, mask: u128) -> u128 {
    votes
        .iter()
        .find(|v| v.view == view && v.digest == digest)
        .map_or(0, |v| v.who & mask)
}

/// Records a vote; returns false when that replica had already voted for it.
fn add_vote(votes: &mut Vec<Votes>, view: View, digest: Digest, from: ReplicaId) -> bool {
    let bit = 1u128 << from;
    if let Some(v) = votes.iter_mut().find(|v| v.view == view && v.digest == digest) {
        let fresh = v.who & bit == 0;
        v.who |= bit;
        fresh
    } else {
        votes.push(Votes { view, digest, who: bit });
        true
    }
}

/// The log entry for one sequence number.
#[derive(Clone, Debug, Default)]
struct Slot {
    /// The accepted pre-prepare of the highest view seen.
    pp: Option<PrePrepare>,
    prepares: Vec<Votes>,
    commits: Vec<Votes>,
    /// The view in which `pp` prepared here.
    prepared: bool,
    committed: bool,
    /// The highest-view prepared certificate (kept across views for P).
    cert: Option<PreparedCert>,
}

/// A replica's log entry as shown to people: votes counted toward thresholds.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntryView {
    /// Sequence number.
    pub seq: Seq,
    /// View of the accepted pre-prepare.
    pub view: View,
    /// Digest (short hex, or `null`).
    pub digest: String,
    /// The operation (None for a null request).
    pub op: Option<String>,
    /// Client timestamp of the request.
    pub timestamp: Option<u64>,
    /// The phase reached here.
    pub phase: Phase,
    /// Matching PREPAREs counted (own included).
    pub prepares: usize,
    /// PREPAREs needed.
    pub prepares_needed: usize,
    /// Matching COMMITs counted (own included).
    pub commits: usize,
    /// COMMITs needed.
    pub commits_needed: usize,
}

/// A PBFT replica. Drive it with [`Replica::on_message`] and [`Replica::on_timer`].
#[derive(Clone, Debug)]
pub struct Replica {
    id: ReplicaId,
    cfg: Config,
    view: View,
    status: ReplicaStatus,
    log: BTreeMap<Seq, Slot>,
    /// The primary's last assigned sequence number.
    next_seq: Seq,
    app: AppState,
    /// Low watermark h = sequence number of the last stable checkpoint.
    low: Seq,
    stable_digest: Digest,
    stable_proof: Vec<Checkpoint>,
    stable_state: AppState,
    /// Own state at checkpoints not yet stable.
    snapshots: BTreeMap<Seq, AppState>,
    /// CHECKPOINT messages received above h, per sequence number.
    checkpoints: BTreeMap<Seq, Vec<Checkpoint>>,
    /// Requests received from clients (directly, or relayed) and not yet
    /// executed, by (client, timestamp): what the request timer watches (§4.4).
    pending: BTreeMap<(ClientId, u64), Request>,
    /// Requests the primary could not assign yet (log window full).
    backlog: Vec<Request>,
    view_changes: BTreeMap<View, BTreeMap<ReplicaId, ViewChange>>,
    last_new_view: Option<NewView>,
    backoff: u32,
    /// The pending request the request timer is waiting for, when armed.
    timed: Option<(ClientId, u64)>,
    /// During a view change: a quorum has asked for this view.
    vc_quorum: bool,
    /// A certified checkpoint above our state: (seq, digest, proof, attempt).
    fetch: Option<(Seq, Digest, Vec<Checkpoint>, usize)>,
    /// Normal-case messages of a view not yet installed here (they can
    /// overtake the NEW-VIEW on the network); replayed when it is.
    early: std::collections::VecDeque<(NodeId, Message)>,
    /// Old-view messages received per replica since our last view change.
    straggler_msgs: Vec<u64>,
    /// Normal-case messages just above the window, for when it moves.
    ahead: Vec<(NodeId, Message)>,
}

impl Replica {
    /// A replica `id` of a cluster, in view 0. `cfg` must be valid.
    pub fn new(id: ReplicaId, cfg: Config) -> Replica {
        debug_assert!(cfg.validate().is_ok() && id < cfg.n);
        let n = cfg.n;
        Replica {
            id,
            cfg,
            view: 0,
            status: ReplicaStatus::Normal,
            log: BTreeMap::new(),
            next_seq: 0,
            app: AppState::default(),
            low: 0,
            stable_digest: AppState::default().digest(),
            stable_proof: Vec::new(),
            stable_state: AppState::default(),
            snapshots: BTreeMap::new(),
            checkpoints: BTreeMap::new(),
            pending: BTreeMap::new(),
            backlog: Vec::new(),
            view_changes: BTreeMap::new(),
            last_new_view: None,
            backoff: 0,
            timed: None,
            vc_quorum: false,
            fetch: None,
            early: std::collections::VecDeque::new(),
            straggler_msgs: vec![0; n],
            ahead: Vec::new(),
        }
    }

    // ----- accessors -------------------------------------------------------

    /// This replica's id.
    pub fn id(&self) -> ReplicaId {
        self.id
    }
    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }
    /// Current view (during a view change: the view being moved to).
    pub fn view(&self) -> View {
        self.view
    }
    /// Normal or view change.
    pub fn status(&self) -> ReplicaStatus {
        self.status
    }
    /// Whether this replica is the primary of its current view.
    pub fn is_primary(&self) -> bool {
        self.cfg.primary(self.view) == self.id
    }
    /// Sequence number of the last executed request.
    pub fn last_executed(&self) -> Seq {
        self.app.seq
    }
    /// Low watermark h (the last stable checkpoint).
    pub fn low_watermark(&self) -> Seq {
        self.low
    }
    /// High watermark H = h + L.
    pub fn high_watermark(&self) -> Seq {
        self.low + self.cfg.log_window
    }
    /// The service state.
    pub fn app(&self) -> &AppState {
        &self.app
    }
    /// Number of sequence numbers held in the log.
    pub fn log_len(&self) -> usize {
        self.log.len()
    }
    /// The view-change timeout currently in force (doubles per failed view).
    pub fn current_timeout(&self) -> u64 {
        self.cfg.view_change_timeout << self.backoff
    }
    /// Requests known but not yet executed.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }
    /// Log entries with their vote counts, in sequence order.
    pub fn log_entries(&self) -> Vec<LogEntryView> {
        let mask = self.prepare_mask_for(self.view);
        self.log
            .iter()
            .filter_map(|(&seq, s)| {
                let pp = s.pp.as_ref()?;
                let mask = if pp.view == self.view { mask } else { self.prepare_mask_for(pp.view) };
                let phase = if seq <= self.app.seq {
                    Phase::Executed
                } else if s.committed {
                    Phase::Committed
                } else if s.prepared {
                    Phase::Prepared
                } else {
                    Phase::PrePrepared
                };
                Some(LogEntryView {
                    seq,
                    view: pp.view,
                    digest: pp.digest.short(),
                    op: pp.request.as_ref().map(|r| r.op.clone()),
                    timestamp: pp.request.as_ref().map(|r| r.timestamp),
                    phase,
                    prepares: count(&s.prepares, pp.view, pp.digest, mask),
                    prepares_needed: self.cfg.prepare_threshold(),
                    commits: count(&s.commits, pp.view, pp.digest, u128::MAX),
                    commits_needed: self.cfg.commit_threshold(),
                })
            })
            .collect()
    }

    // ----- helpers ---------------------------------------------------------

    fn all_mask(&self) -> u128 {
        if self.cfg.n >= 128 {
            u128::MAX
        } else {
            (1u128 << self.cfg.n) - 1
        }
    }

    /// Replicas whose PREPAREs count in view `v`: backups only, unless naive.
    fn prepare_mask_for(&self, v: View) -> u128 {
        match self.cfg.quorum_rule {
            QuorumRule::Paper => self.all_mask() & !(1u128 << self.cfg.primary(v)),
            QuorumRule::Naive => self.all_mask(),
        }
    }

    fn broadcast(&self, msg: Message, out: &mut Vec<Output>) {
        for i in 0..self.cfg.n {
            if i != self.id {
                out.push(Output::Send { to: NodeId::Replica(i), msg: msg.clone() });
            }
        }
    }

    fn reject(from: NodeId, reason: Reject, out: &mut Vec<Output>) {
        out.push(Output::Rejected { from, reason });
    }

    fn in_window(&self, seq: Seq) -> bool {
        seq > self.low && seq <= self.high_watermark()
    }

    fn sender_is(from: NodeId, claimed: ReplicaId) -> bool {
        from == NodeId::Replica(claimed)
    }

    /// (Re)arms the request timer while requests are pending (§4.4). The
    /// paper arms it on backups; the primary arms it too, so a primary left
    /// behind in an old view (it was down or cut off while the others moved
    /// on) notices that nothing executes and rejoins them.
    fn update_request_timer(&mut self, rearm: Rearm, out: &mut Vec<Output>) {
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

    // ----- inputs ----------------------------------------------------------

    /// Keeps a normal-case message of a view we have not installed yet.
    /// Returns true when the message was kept (or belongs to an old view).
    fn hold_early(&mut self, from: NodeId, msg: Message, view: View, out: &mut Vec<Output>) {
        if view > self.view || (view == self.view && self.status == ReplicaStatus::ViewChange) {
            const MAX_EARLY: usize = 4096;
            if self.early.len() >= MAX_EARLY {
                self.early.pop_front();
            }
            self.early.push_back((from, msg));
        } else {
            Self::reject(from, Reject::OldView { kind: msg.kind(), view, current: self.view }, out);
            self.help_straggler(from, out);
        }
    }

    /// A replica still working in an older view (it was down or cut off when
    /// the view changed) gets the NEW-VIEW we accepted: it is self-certifying,
    /// so it can check and install it. Sent on its 1st, 2nd, 4th, 8th, ...
    /// old-view message, so a lost copy is made up for without flooding.
    fn help_straggler(&mut self, to: NodeId, out: &mut Vec<Output>) {
        let NodeId::Replica(j) = to else { return };
        if self.status != ReplicaStatus::Normal {
            return;
        }
        let Some(nv) = &self.last_new_view else { return };
        let count = &mut self.straggler_msgs[j];
        *count += 1;
        if count.is_power_of_two() {
            out.push(Output::Send { to, msg: Message::NewView(Box::new(nv.clone())) });
            // And our vote for our stable checkpoint: with the others' it
            // certifies the state a straggler that missed it should fetch.
            if self.low > 0 {
                let mine = Checkpoint { seq: self.low, digest: self.stable_digest, replica: self.id };
                out.push(Output::Send { to, msg: Message::Checkpoint(mine) });
            }
        }
    }

    /// A normal-case message outside (h, H] is rejected (§4.2). One just above
    /// H is also kept aside and looked at again when the window moves: a
    /// replica that fell behind then finishes the requests after the
    /// checkpoint it fetched, instead of waiting for the next one.
    fn out_of_window(&mut self, from: NodeId, msg: Message, seq: Seq, out: &mut Vec<Output>) {
        let (kind, low, high) = (msg.kind(), self.low, self.high_watermark());
        Self::reject(from, Reject::OutsideWindow { kind, seq, low, high }, out);
        let limit = self.high_watermark() + self.cfg.log_window;
        let cap = 4 * self.cfg.log_window as usize * self.cfg.n;
        if seq > self.high_watermark() && seq <= limit && self.ahead.len() < cap {
            self.ahead.push((from, msg));
        }
    }

    fn not_in_view(&self, view: View) -> bool {
        view != self.view || self.status != ReplicaStatus::Normal
    }

    /// Handles one message from `from` (the true sender, stamped by the driver).
    pub fn on_message(&mut self, from: NodeId, msg: Message, out: &mut Vec<Output>) {
        match msg {
            Message::Request(r) => self.on_request(from, r, out),
            Message::PrePrepare(m) => self.on_pre_prepare(from, m, out),
            Message::Prepare(m) => self.on_prepare(from, m, out),
            Message::Commit(m) => self.on_commit(from, m, out),
            Message::Checkpoint(m) => self.on_checkpoint(from, m, out),
            Message::ViewChange(m) => self.on_view_change(from, *m, out),
            Message::NewView(m) => self.on_new_view(from, *m, out),
            Message::FetchState(m) => self.on_fetch_state(from, m, out),
            Message::State(m) => self.on_state(from, *m, out),
            Message::Reply(_) => Self::reject(from, Reject::WrongSender { kind: MsgKind::Reply }, out),
        }
    }

    /// Handles a timer the driver ran out.
    pub fn on_timer(&mut self, timer: ReplicaTimer, out: &mut Vec<Output>) {
        match timer {
            ReplicaTimer::ViewChange => {
                self.timed = None;
                if self.status == ReplicaStatus::Normal {
                    // A request waited too long: suspect the primary.
                    return self.start_view_change(self.view + 1, out);
                }
                // Waiting for NEW-VIEW: wait twice as long next time (§4.5.2).
                self.backoff = (self.backoff + 1).min(Config::MAX_BACKOFF_EXP);
                if self.joined() >= self.cfg.quorum() {
                    // A quorum left the old view but this view's primary did not deliver: next view.
                    self.start_view_change(self.view + 1, out);
                } else {
                    // Too few replicas are here yet to blame this view's primary; a
                    // replica alone must not run ahead through views (§4.5.2).
                    out.push(Output::SetTimer { timer: ReplicaTimer::ViewChange, after: self.current_timeout() });
                }
            }
            ReplicaTimer::Retransmit => {
                if self.status == ReplicaStatus::ViewChange {
                    if let Some(vc) = self.view_changes.get(&self.view).and_then(|m| m.get(&self.id)) {
                        self.broadcast(Message::ViewChange(Box::new(vc.clone())), out);
                    }
                    self.resend_checkpoints(out);
                    out.push(Output::SetTimer { timer: ReplicaTimer::Retransmit, after: self.cfg.view_change_retransmit });
                }
            }
            ReplicaTimer::Fetch => {
                if let Some((seq, digest, proof, attempt)) = self.fetch.take() {
                    if seq > self.app.seq {
                        self.fetch = Some((seq, digest, proof, attempt + 1));
                        self.ask_for_state(out);
                    }
                }
            }
        }
    }

    /// The replica restarts after a crash with its state intact (as if it had
    /// kept its log on disk): its timers are armed again.
    pub fn on_restart(&mut self, out: &mut Vec<Output>) {
        self.timed = None;
        match self.status {
            ReplicaStatus::ViewChange => {
                out.push(Output::SetTimer { timer: ReplicaTimer::ViewChange, after: self.current_timeout() });
                out.push(Output::SetTimer { timer: ReplicaTimer::Retransmit, after: self.cfg.view_change_retransmit });
            }
            ReplicaStatus::Normal => self.update_request_timer(Rearm::Always, out),
        }
        if self.fetch.is_some() {
            out.push(Output::SetTimer { timer: ReplicaTimer::Fetch, after: self.cfg.state_retry });
        }
    }

    /// REQUEST (§4.1–4.2).
    fn on_request(&mut self, from: NodeId, req: Request, out: &mut Vec<Output>) {
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
        self.pending.insert((req.client, req.timestamp), req.clone());
        if self.status != ReplicaStatus::Normal {
            return;
        }
        if self.is_primary() {
            self.propose(req, out);
        } else if matches!(from, NodeId::Client(_)) {
            // A backup relays a broadcast request to the primary (§4.1).
            out.push(Output::Send { to: NodeId::Replica(self.cfg.primary(self.view)), msg: Message::Request(req) });
        }
        self.update_request_timer(Rearm::IfIdle, out);
    }

    fn is_assigned(&self, req: &Request) -> bool {
        let d = req.digest();
        self.log.values().any(|s| s.pp.as_ref().is_some_and(|pp| pp.view == self.view && pp.digest == d))
            || self.backlog.iter().any(|r| r == req)
    }

    /// The primary assigns the next sequence number, or queues the request
    /// when the log window is full.
    fn propose(&mut self, req: Request, out: &mut Vec<Output>) {
        if self.is_assigned(&req) {
            return;
        }
        let seq = self.next_seq + 1;
        if seq > self.high_watermark() {
            self.backlog.push(req);
            return;
        }
        self.next_seq = seq;
        let pp = PrePrepare { view: self.view, seq, digest: req.digest(), request: Some(req) };
        self.accept_pre_prepare(pp.clone(), out);
        self.broadcast(Message::PrePrepare(pp), out);
        self.try_progress(seq, out);
    }

    /// Logs a pre-prepare (own or accepted); resets per-view progress.
    fn accept_pre_prepare(&mut self, pp: PrePrepare, out: &mut Vec<Output>) {
        let slot = self.log.entry(pp.seq).or_default();
        if slot.pp.as_ref().map(|p| p.view) != Some(pp.view) {
            slot.prepared = false;
            slot.committed = false;
        }
        out.push(Output::Phase { view: pp.view, seq: pp.seq, digest: pp.digest, phase: Phase::PrePrepared });
        slot.pp = Some(pp);
    }

    /// PRE-PREPARE acceptance checks (§4.2).
    fn on_pre_prepare(&mut self, from: NodeId, pp: PrePrepare, out: &mut Vec<Output>) {
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
            Some(r) if r.digest() == pp.digest => {}
            Some(_) => return Self::reject(from, Reject::DigestMismatch { view: pp.view, seq: pp.seq }, out),
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

    fn send_prepare(&mut self, view: View, seq: Seq, digest: Digest, out: &mut Vec<Output>) {
        if self.cfg.primary(view) == self.id {
            return;
        }
        let slot = self.log.entry(seq).or_default();
        add_vote(&mut slot.prepares, view, digest, self.id);
        self.broadcast(Message::Prepare(Prepare { view, seq, digest, replica: self.id }), out);
    }

    /// PREPARE (§4.2): from a backup of the current view, within the window.
    fn on_prepare(&mut self, from: NodeId, p: Prepare, out: &mut Vec<Output>) {
        let (view, seq, digest, replica) = (p.view, p.seq, p.digest, p.replica);
        if self.cfg.quorum_rule == QuorumRule::Paper && replica == self.cfg.primary(view) && Self::sender_is(from, replica) {
            return Self::reject(from, Reject::PrepareFromPrimary { view, seq }, out);
        }
        self.on_vote(from, Message::Prepare(p), (view, seq, digest, replica), out);
    }

    /// COMMIT (§4.2): from any replica of the current view, within the window.
    fn on_commit(&mut self, from: NodeId, c: Commit, out: &mut Vec<Output>) {
        let vote = (c.view, c.seq, c.digest, c.replica);
        self.on_vote(from, Message::Commit(c), vote, out);
    }

    /// The checks PREPARE and COMMIT share, then the vote is counted once per replica.
    fn on_vote(&mut self, from: NodeId, msg: Message, (view, seq, digest, replica): (View, Seq, Digest, ReplicaId), out: &mut Vec<Output>) {
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
        if !add_vote(votes, view, digest, replica) {
            return Self::reject(from, Reject::DuplicateVote { kind, seq }, out);
        }
        self.try_progress(seq, out);
    }

    /// Evaluates prepared and committed-local for `seq` and acts on them.
    fn try_progress(&mut self, seq: Seq, out: &mut Vec<Output>) {
        let mask = self.prepare_mask_for(self.view);
        let (pthr, cthr) = (self.cfg.prepare_threshold(), self.cfg.commit_threshold());
        let me = self.id;
        let normal = self.status == ReplicaStatus::Normal;
        let Some(slot) = self.log.get_mut(&seq) else { return };
        let Some((view, digest)) = slot.pp.as_ref().map(|p| (p.view, p.digest)) else { return };
        if view != self.view || !normal {
            return;
        }
        if !slot.prepared {
            let votes = who(&slot.prepares, view, digest, mask);
            if (votes.count_ones() as usize) < pthr {
                return;
            }
            slot.prepared = true;
            let prepares = (0..self.cfg.n).filter(|i| votes & (1u128 << i) != 0).collect();
            let pre_prepare = slot.pp.clone().expect("checked above");
            slot.cert = Some(PreparedCert { pre_prepare, prepares });
            add_vote(&mut slot.commits, view, digest, me);
            out.push(Output::Phase { view, seq, digest, phase: Phase::Prepared });
            let commit = Commit { view, seq, digest, replica: me };
            self.broadcast(Message::Commit(commit), out);
        }
        let slot = self.log.get_mut(&seq).expect("slot exists");
        if !slot.committed && count(&slot.commits, view, digest, u128::MAX) >= cthr {
            slot.committed = true;
            out.push(Output::Phase { view, seq, digest, phase: Phase::Committed });
            self.try_execute(out);
        }
    }

    /// Executes committed requests in sequence order (§4.2).
    fn try_execute(&mut self, out: &mut Vec<Output>) {
        let mut executed_any = false;
        loop {
            let seq = self.app.seq + 1;
            let Some(slot) = self.log.get(&seq) else { break };
            if !slot.committed {
                break;
            }
            let pp = slot.pp.clone().expect("committed slot has a pre-prepare");
            let mut result = None;
            if let Some(req) = &pp.request {
                let fresh = self.app.last_reply(req.client).is_none_or(|c| c.timestamp < req.timestamp);
                if fresh {
                    let r = self.app.apply(req.client, req.timestamp, &req.op);
                    let reply = Reply { view: self.view, timestamp: req.timestamp, client: req.client, replica: self.id, result: r.clone() };
                    out.push(Output::Send { to: NodeId::Client(req.client), msg: Message::Reply(reply) });
                    result = Some(r);
                }
                let client = req.client;
                let ts = req.timestamp;
                let done: Vec<(ClientId, u64)> = self.pending.range((client, 0)..=(client, ts)).map(|(k, _)| *k).collect();
                for k in done {
                    self.pending.remove(&k);
                }
            }
            self.app.advance(seq, pp.digest);
            executed_any = true;
            out.push(Output::Executed { seq, digest: pp.digest, request: pp.request.clone(), result, state: self.app.digest() });
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

    // ----- checkpoints and garbage collection (§4.3) -------------------------

    fn take_checkpoint(&mut self, out: &mut Vec<Output>) {
        let seq = self.app.seq;
        let digest = self.app.digest();
        self.snapshots.insert(seq, self.app.clone());
        let c = Checkpoint { seq, digest, replica: self.id };
        self.broadcast(Message::Checkpoint(c.clone()), out);
        self.record_checkpoint(c, out);
    }

    /// Sends our CHECKPOINTs above h again: they are sent once and may be
    /// lost, and without a stable checkpoint the log window fills up for good.
    fn resend_checkpoints(&self, out: &mut Vec<Output>) {
        for (&seq, state) in self.snapshots.range(self.low + 1..) {
            let c = Checkpoint { seq, digest: state.digest(), replica: self.id };
            self.broadcast(Message::Checkpoint(c), out);
        }
    }

    fn on_checkpoint(&mut self, from: NodeId, c: Checkpoint, out: &mut Vec<Output>) {
        if !Self::sender_is(from, c.replica) || c.replica >= self.cfg.n {
            return Self::reject(from, Reject::WrongSigner { kind: MsgKind::Checkpoint }, out);
        }
        if !self.cfg.is_checkpoint(c.seq) {
            return Self::reject(from, Reject::NotCheckpointSeq { seq: c.seq, interval: self.cfg.checkpoint_interval }, out);
        }
        if c.seq <= self.low {
            if c.seq < self.low {
                // The sender is behind: our own vote for our stable checkpoint
                // helps it gather a certificate and fetch the state.
                let mine = Checkpoint { seq: self.low, digest: self.stable_digest, replica: self.id };
                out.push(Output::Send { to: from, msg: Message::Checkpoint(mine) });
            }
            return;
        }
        // Far above the window keep one checkpoint per replica, its latest:
        // storage stays bounded, and a quorum of them still lets a replica
        // that fell far behind (or restarted empty) fetch the state.
        let far = self.high_watermark() + 4 * self.cfg.log_window;
        if c.seq > far {
            if self.checkpoints.range(c.seq + 1..).any(|(_, m)| m.iter().any(|m| m.replica == c.replica)) {
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
        if proof.len() < self.cfg.quorum() {
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

    fn make_stable(&mut self, seq: Seq, digest: Digest, proof: Vec<Checkpoint>, out: &mut Vec<Output>) {
        if seq <= self.low {
            return;
        }
        if let Some(s) = self.snapshots.remove(&seq) {
            self.stable_state = s;
        }
        self.low = seq;
        self.stable_digest = digest;
        self.stable_proof = proof;
        self.snapshots = self.snapshots.split_off(&(seq + 1));
        self.checkpoints = self.checkpoints.split_off(&(seq + 1));
        self.log = self.log.split_off(&(seq + 1));
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

    // ----- state transfer ----------------------------------------------------

    fn ask_for_state(&mut self, out: &mut Vec<Output>) {
        let Some((seq, _, proof, attempt)) = &self.fetch else { return };
        let others: Vec<ReplicaId> = proof.iter().map(|c| c.replica).filter(|&r| r != self.id).collect();
        if let Some(&to) = others.get(attempt % others.len().max(1)) {
            let msg = Message::FetchState(StateRequest { seq: *seq, replica: self.id });
            out.push(Output::Send { to: NodeId::Replica(to), msg });
        }
        out.push(Output::SetTimer { timer: ReplicaTimer::Fetch, after: self.cfg.state_retry });
    }

    fn on_fetch_state(&mut self, from: NodeId, m: StateRequest, out: &mut Vec<Output>) {
        if !Self::sender_is(from, m.replica) {
            return Self::reject(from, Reject::WrongSigner { kind: MsgKind::FetchState }, out);
        }
        if self.low >= m.seq && self.low > 0 {
            let reply = StateReply { seq: self.low, state: self.stable_state.clone(), proof: self.stable_proof.clone(), replica: self.id };
            out.push(Output::Send { to: from, msg: Message::State(Box::new(reply)) });
        }
    }

    fn on_state(&mut self, from: NodeId, m: StateReply, out: &mut Vec<Output>) {
        if !Self::sender_is(from, m.replica) {
            return Self::reject(from, Reject::WrongSigner { kind: MsgKind::State }, out);
        }
        if self.fetch.is_none() {
            return Self::reject(from, Reject::UnsolicitedState { seq: m.seq }, out);
        }
        if m.seq <= self.app.seq {
            return; // already there
        }
        let mut m = m;
        m.state.rehash();
        let digest = m.state.digest();
        if m.state.seq != m.seq || !certifies_checkpoint(&self.cfg, m.seq, digest, &m.proof) {
            return Self::reject(from, Reject::UncertifiedState { seq: m.seq }, out);
        }
        self.app = m.state.clone();
        self.snapshots.insert(m.seq, m.state);
        self.pending.retain(|&(c, t), _| self.app.last_reply(c).is_none_or(|r| r.timestamp < t));
        out.push(Output::StateTransferred { seq: m.seq, from: m.replica });
        self.make_stable(m.seq, digest, m.proof, out);
        self.fetch = None;
        out.push(Output::CancelTimer(ReplicaTimer::Fetch));
        // Later sequence numbers may already be committed here.
        let seqs: Vec<Seq> = self.log.keys().copied().collect();
        for s in seqs {
            self.try_progress(s, out);
        }
        self.try_execute(out);
        self.update_request_timer(Rearm::IfDone, out);
    }

    // ----- view change (§4.4) ------------------------------------------------

    fn start_view_change(&mut self, v: View, out: &mut Vec<Output>) {
        self.view = v;
        self.status = ReplicaStatus::ViewChange;
        self.timed = None;
        let prepared = self
            .log
            .range(self.low + 1..)
            .filter_map(|(_, s)| s.cert.clone())
            .collect();
        let vc = ViewChange {
            new_view: v,
            stable_seq: self.low,
            stable_digest: self.stable_digest,
            checkpoint_proof: self.stable_proof.clone(),
            prepared,
            replica: self.id,
        };
        self.view_changes = self.view_changes.split_off(&v);
        self.view_changes.entry(v).or_default().insert(self.id, vc.clone());
        out.push(Output::ViewChangeStarted { view: v });
        self.broadcast(Message::ViewChange(Box::new(vc)), out);
        self.resend_checkpoints(out);
        out.push(Output::SetTimer { timer: ReplicaTimer::ViewChange, after: self.current_timeout() });
        out.push(Output::SetTimer { timer: ReplicaTimer::Retransmit, after: self.cfg.view_change_retransmit });
        self.vc_quorum = false;
        self.check_vc_quorum(out);
        self.maybe_send_new_view(out);
    }

    fn on_view_change(&mut self, from: NodeId, vc: ViewChange, out: &mut Vec<Output>) {
        if !Self::sender_is(from, vc.replica) || vc.replica >= self.cfg.n {
            return Self::reject(from, Reject::WrongSigner { kind: MsgKind::ViewChange }, out);
        }
        if vc.new_view < self.view || (vc.new_view == self.view && self.status == ReplicaStatus::Normal) {
            // A straggler: help it into our view with the NEW-VIEW we accepted.
            return self.help_straggler(from, out);
        }
        if let Err(defect) = validate_view_change(&self.cfg, &vc) {
            return Self::reject(from, Reject::InvalidViewChange { view: vc.new_view, defect }, out);
        }
        // Keep one VIEW-CHANGE per replica, its latest: a replica that asks
        // for view w has given up every view below w, and a faulty one cannot
        // make us store a message per view.
        let (r, w) = (vc.replica, vc.new_view);
        if self.view_changes.range(w + 1..).any(|(_, m)| m.contains_key(&r)) {
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
        let mut senders = 0u128;
        let mut smallest = None;
        for (&v, m) in self.view_changes.range(current..) {
            if v == current && in_vc {
                continue;
            }
            for &r in m.keys() {
                if r != self.id {
                    senders |= 1u128 << r;
                }
            }
            smallest = smallest.or(Some(v));
        }
        if senders.count_ones() as usize >= self.cfg.weak() {
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
    fn joined(&self) -> usize {
        let mut joined = 0u128;
        for m in self.view_changes.range(self.view..).map(|(_, m)| m) {
            for &r in m.keys() {
                joined |= 1u128 << r;
            }
        }
        joined.count_ones() as usize
    }

    /// §4.5.2: the timer for the new view starts once a quorum has asked for
    /// it, giving its primary a full period to send NEW-VIEW.
    fn check_vc_quorum(&mut self, out: &mut Vec<Output>) {
        if self.status == ReplicaStatus::ViewChange && !self.vc_quorum && self.joined() >= self.cfg.quorum() {
            self.vc_quorum = true;
            out.push(Output::SetTimer { timer: ReplicaTimer::ViewChange, after: self.current_timeout() });
        }
    }

    fn maybe_send_new_view(&mut self, out: &mut Vec<Output>) {
        if self.status != ReplicaStatus::ViewChange || !self.is_primary() {
            return;
        }
        let Some(vcs) = self.view_changes.get(&self.view) else { return };
        if vcs.len() < self.cfg.quorum() || !vcs.contains_key(&self.id) {
            return;
        }
        // V: our own VIEW-CHANGE and the lowest-numbered others up to a quorum.
        let mut v: Vec<ViewChange> = vec![vcs[&self.id].clone()];
        v.extend(vcs.values().filter(|m| m.replica != self.id).take(self.cfg.quorum() - 1).cloned());
        v.sort_by_key(|m| m.replica);
        let o = compute_o_set(&self.cfg, self.view, &v);
        let nv = NewView { view: self.view, view_changes: v, pre_prepares: o.pre_prepares };
        self.broadcast(Message::NewView(Box::new(nv.clone())), out);
        self.install_new_view(nv, out);
    }

    fn on_new_view(&mut self, from: NodeId, nv: NewView, out: &mut Vec<Output>) {
        if !matches!(from, NodeId::Replica(_)) {
            return Self::reject(from, Reject::WrongSender { kind: MsgKind::NewView }, out);
        }
        if nv.view < self.view || (nv.view == self.view && self.status == ReplicaStatus::Normal) {
            return;
        }
        // V must be a quorum of valid VIEW-CHANGEs for this view from distinct replicas.
        let mut seen = 0u128;
        for vc in &nv.view_changes {
            if vc.new_view != nv.view || vc.replica >= self.cfg.n {
                let (replica, other) = (vc.replica, vc.new_view);
                return Self::reject(from, Reject::NewViewOtherView { view: nv.view, replica, other }, out);
            }
            if let Err(defect) = validate_view_change(&self.cfg, vc) {
                return Self::reject(from, Reject::NewViewBadViewChange { view: nv.view, replica: vc.replica, defect }, out);
            }
            seen |= 1u128 << vc.replica;
        }
        if (seen.count_ones() as usize) < self.cfg.quorum() {
            let (count, needed) = (seen.count_ones() as usize, self.cfg.quorum());
            return Self::reject(from, Reject::NewViewNoQuorum { view: nv.view, count, needed }, out);
        }
        // Backups recompute O and compare (§4.4).
        let o = compute_o_set(&self.cfg, nv.view, &nv.view_changes);
        if o.pre_prepares != nv.pre_prepares {
            return Self::reject(from, Reject::NewViewWrongO { view: nv.view }, out);
        }
        self.install_new_view(nv, out);
    }

    fn install_new_view(&mut self, nv: NewView, out: &mut Vec<Output>) {
        let o = compute_o_set(&self.cfg, nv.view, &nv.view_changes);
        self.view = nv.view;
        self.status = ReplicaStatus::Normal;
        self.view_changes = self.view_changes.split_off(&(nv.view + 1));
        self.straggler_msgs.iter_mut().for_each(|c| *c = 0);
        out.push(Output::CancelTimer(ReplicaTimer::Retransmit));
        out.push(Output::CancelTimer(ReplicaTimer::ViewChange));
        self.timed = None;
        out.push(Output::NewViewInstalled { view: nv.view });
        // Checkpoint: adopt min-s, fetching the state if we are behind it.
        if o.min_s > self.low {
            if self.snapshots.get(&o.min_s).is_some_and(|s| s.digest() == o.min_s_digest) {
                self.make_stable(o.min_s, o.min_s_digest, o.min_s_proof.clone(), out);
            } else if o.min_s > self.app.seq {
                self.fetch = Some((o.min_s, o.min_s_digest, o.min_s_proof.clone(), 0));
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
        self.last_new_view = Some(nv.clone());
        let seqs: Vec<Seq> = nv.pre_prepares.iter().map(|p| p.seq).collect();
        for s in seqs {
            self.try_progress(s, out);
        }
        if self.is_primary() {
            // Requests in flight survive the view change: assign them anew.
            // Only requests that came from clients: a request seen only in a
            // faulty primary's pre-prepare is its client's to retransmit.
            let mut waiting: Vec<Request> = self.pending.values().cloned().collect();
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
}

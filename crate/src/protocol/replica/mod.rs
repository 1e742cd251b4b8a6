//! The replica state machine: normal case (§4.2), garbage collection (§4.3),
//! view change (§4.4) and state transfer.
//!
//! This file holds the replica's state, the types its handlers speak in and
//! the dispatch of inputs; each job's handlers live in their own file, each
//! an `impl Replica` block:
//!
//! - [`normal`]: requests, pre-prepares, PREPARE/COMMIT votes, execution (§4.1–4.2);
//! - [`retransmit`]: sending normal-case messages again until they are acknowledged;
//! - [`checkpoint`]: checkpoints and garbage collection (§4.3);
//! - [`state_transfer`]: fetching the state at a stable checkpoint;
//! - [`view_change`]: the request timer, VIEW-CHANGE and NEW-VIEW (§4.4–4.5).

mod checkpoint;
mod normal;
mod retransmit;
mod state_transfer;
mod view_change;

use serde::Serialize;
use crate::vecmap::VecMap;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::app::AppState;
use super::config::Config;
use super::message::{Checkpoint, Commit, Message, MsgKind, NewView, PrePrepare, Prepare, PreparedCert, Request, ViewChange};
use super::quorum::{Certificate, VoteSet};
use super::reject::Reject;
use super::sign::{Keys, ModelKeys, Sig, Signed, Signer};
use super::types::{ClientId, Digest, NodeId, ReplicaId, Seq, View};

/// Timers a replica asks its driver to run. Setting a timer replaces the
/// running one of the same kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReplicaTimer {
    /// The request timer of a backup, and, during a view change, the timer
    /// waiting for NEW-VIEW (§4.4, liveness).
    ViewChange,
    /// Retransmission: during a view change, of this replica's VIEW-CHANGE
    /// until NEW-VIEW arrives; in the normal case, of its PRE-PREPARE, PREPARE
    /// and COMMIT messages that other replicas have not acknowledged.
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
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
        result: Option<Arc<str>>,
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

/// The votes logged for one sequence number, in the order they came: each
/// (view, digest) voted for, the replica that sent it and its signature (a
/// prepared certificate embeds the signed PREPAREs). One list for all of
/// them: a sequence number's votes cost one allocation, not one per
/// (view, digest) and another for its signatures.
#[derive(Clone, Default)]
struct Votes(Vec<Vote>);

#[derive(Clone, Debug)]
struct Vote {
    view: View,
    digest: Digest,
    from: ReplicaId,
    sig: Sig,
}

/// What [`Votes::insert`] made of a vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cast {
    /// The replica's first vote in the view: kept.
    New,
    /// The same vote again (a resend): nothing changes.
    Again,
    /// A vote for another digest than the replica's first in the view: not kept.
    Conflict,
}

/// Per (view, digest) voted for, in the order each was first voted for, its
/// voters, not their signatures: the replica stores a vote only from its
/// signer with a valid signature, and a signature is a function of the vote
/// and its signer, so the signatures say nothing the voters do not but the
/// order the votes arrived in, which nothing reads (certificates built from
/// them are sorted by replica). States that differ only in that order hash alike.
impl std::hash::Hash for Votes {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let mut groups = 0usize;
        for (view, digest) in self.groups() {
            (view, digest, self.voters(view, digest)).hash(h);
            groups += 1;
        }
        h.write_usize(groups);
    }
}

/// Per (view, digest), its voters and then their signatures in arrival order.
impl std::fmt::Debug for Votes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Votes [")?;
        for (view, digest) in self.groups() {
            write!(f, "{{ view: {view}, digest: {digest:?}, who: {:?} }}, sigs: [", self.voters(view, digest))?;
            for v in self.0.iter().filter(|v| (v.view, v.digest) == (view, digest)) {
                write!(f, "({}, {:?}), ", v.from, v.sig)?;
            }
            f.write_str("], ")?;
        }
        f.write_str("]")
    }
}

impl Votes {
    /// Each (view, digest) voted for, in the order each was first voted for.
    fn groups(&self) -> impl Iterator<Item = (View, Digest)> + '_ {
        self.0.iter().enumerate().filter(|&(i, v)| !self.0[..i].iter().any(|w| (w.view, w.digest) == (v.view, v.digest))).map(|(_, v)| (v.view, v.digest))
    }

    /// Records `from`'s vote in `view`. A replica's first vote in a view is
    /// the one kept: an honest replica votes once per view and sequence
    /// number, so a second one for another digest is a faulty replica's, and
    /// keeping only the first bounds the set at one vote per replica and view
    /// whatever a faulty one sends.
    fn insert(&mut self, view: View, digest: Digest, from: ReplicaId, sig: &Sig) -> Cast {
        if let Some(v) = self.0.iter().find(|v| v.view == view && v.from == from) {
            return if v.digest == digest { Cast::Again } else { Cast::Conflict };
        }
        self.0.push(Vote { view, digest, from, sig: sig.clone() });
        Cast::New
    }

    /// The replicas that voted for (`view`, `digest`).
    fn voters(&self, view: View, digest: Digest) -> VoteSet {
        let mut who = VoteSet::new();
        for v in self.0.iter().filter(|v| v.view == view && v.digest == digest) {
            who.insert(v.from);
        }
        who
    }

    /// Forgets the votes of views below `view` other than `keep` (the view of
    /// the slot's pre-prepare, whose counts the log shows).
    fn forget_below(&mut self, view: View, keep: Option<View>) {
        self.0.retain(|v| v.view >= view || Some(v.view) == keep);
    }

    /// The signed PREPAREs of `who` for (`view`, `seq`, `digest`).
    fn prepares(&self, view: View, seq: Seq, digest: Digest, who: &VoteSet) -> Vec<Prepare> {
        let mut v: Vec<Prepare> = self
            .0
            .iter()
            .filter(|v| v.view == view && v.digest == digest && who.contains(v.from))
            .map(|v| Prepare { view, seq, digest, replica: v.from, sig: v.sig.clone() })
            .collect();
        crate::vecmap::sort_small_by_key(&mut v, |p| p.replica);
        v
    }
}

/// The log entry for one sequence number.
#[derive(Clone, Debug, Default, Hash)]
struct Slot {
    /// The accepted pre-prepare of the highest view seen.
    pp: Option<PrePrepare>,
    prepares: Votes,
    commits: Votes,
    /// The view in which `pp` prepared here.
    prepared: bool,
    committed: bool,
    /// The highest-view prepared certificate (kept across views for P).
    cert: Option<PreparedCert>,
    /// The retransmission tick at which `pp` was accepted here (its age is
    /// counted in ticks, see [`Replica::ticks`]).
    born: u64,
    /// How many times our messages for `pp` were sent again.
    resent: u32,
    /// Per replica, duplicate COMMITs received from it for `pp`: a replica
    /// sends its COMMIT again when it misses ours.
    dup_commits: Vec<u32>,
}

/// Retransmission bookkeeping of one of our checkpoints not yet stable.
#[derive(Clone, Debug, Default, Hash)]
struct CheckpointResends {
    /// The tick at which we took it.
    born: u64,
    /// How many times we sent it again.
    resent: u32,
    /// Per replica, duplicate CHECKPOINTs received from it for this one.
    dups: Vec<u32>,
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
    pub op: Option<Arc<str>>,
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

/// A request received and not yet executed.
#[derive(Clone, Debug, Hash)]
struct Pending {
    request: Request,
    /// When this backup relayed it to the primary: the view it did so in and
    /// how many times (§4.1: relayed on receipt, again on retransmission ticks).
    relayed: Option<(View, u32)>,
}

/// A PBFT replica. Drive it with [`Replica::on_message`] and [`Replica::on_timer`].
#[derive(Clone, Debug)]
pub struct Replica {
    id: ReplicaId,
    /// Our private key and everyone's public one.
    keys: Keys,
    cfg: Config,
    view: View,
    status: ReplicaStatus,
    log: VecMap<Seq, Slot>,
    /// The primary's last assigned sequence number.
    next_seq: Seq,
    app: AppState,
    /// Low watermark h = sequence number of the last stable checkpoint.
    low: Seq,
    stable_digest: Digest,
    stable_proof: Vec<Checkpoint>,
    stable_state: AppState,
    /// Own state at checkpoints not yet stable.
    snapshots: VecMap<Seq, AppState>,
    /// CHECKPOINT messages received above h, per sequence number.
    checkpoints: VecMap<Seq, Vec<Checkpoint>>,
    /// Our checkpoints above h, for sending them again until stable.
    checkpoint_resends: VecMap<Seq, CheckpointResends>,
    /// Per replica, its normal-case messages for sequence numbers at or
    /// below h since h last moved: it works on what we discarded, and gets
    /// our CHECKPOINT for h (on the 1st, 2nd, 4th, ... of them).
    behind_msgs: Vec<u64>,
    /// Requests received from clients (directly, or relayed) and not yet
    /// executed, by (client, timestamp): what the request timer watches
    /// (§4.4), each with whether and how often this backup relayed it. A
    /// tree, not a [`VecMap`]: anyone can hand a replica requests under any
    /// client ids, so this map can grow large in any key order.
    pending: BTreeMap<(ClientId, u64), Pending>,
    /// Requests the primary could not assign yet (log window full).
    backlog: Vec<Request>,
    view_changes: VecMap<View, VecMap<ReplicaId, ViewChange>>,
    last_new_view: Option<NewView>,
    /// The last VIEW-CHANGE we sent: shown to a straggler asking for the
    /// view it took us to, so it sees that a quorum left the old one.
    own_view_change: Option<ViewChange>,
    backoff: u32,
    /// The pending request the request timer is waiting for, when armed.
    timed: Option<(ClientId, u64)>,
    /// During a view change: a quorum has asked for this view.
    vc_quorum: bool,
    /// A certified checkpoint above our state: (seq, digest, proof, attempt).
    fetch: Option<(Seq, Digest, Vec<Checkpoint>, usize)>,
    /// Per replica, the stable checkpoint we last sent it the state of and
    /// how many times: a few answers per checkpoint (a STATE weighs the whole
    /// state, a FETCH-STATE almost nothing).
    state_answers: Vec<(Seq, u8)>,
    /// Normal-case messages of a view not yet installed here (they can
    /// overtake the NEW-VIEW on the network); replayed when it is.
    early: std::collections::VecDeque<(NodeId, Message)>,
    /// Old-view messages received per replica since our last view change.
    straggler_msgs: Vec<u64>,
    /// Normal-case messages just above the window, for when it moves.
    ahead: Vec<(NodeId, Message)>,
    /// Normal-case retransmission ticks so far (plus one for each time the
    /// tick was started again after a pause): the age of a log entry is
    /// counted in them, no clock needed.
    ticks: u64,
    /// Whether the retransmission timer runs for the normal case.
    ticking: bool,
    /// Per replica, the tick at which we last received anything from it.
    heard: Vec<Option<u64>>,
}

impl Replica {
    /// A replica `id` of a cluster, in view 0, signing with the simulator's
    /// model keys ([`ModelKeys`]). `cfg` must be valid.
    pub fn new(id: ReplicaId, cfg: Config) -> Replica {
        Replica::with_keys(id, cfg, ModelKeys::of(id))
    }

    /// A replica `id` that signs and verifies with `keys` (whose
    /// [`Signer::id`](super::sign::Signer::id) must be `id`). `cfg` must be valid.
    pub fn with_keys(id: ReplicaId, cfg: Config, keys: Keys) -> Replica {
        debug_assert!(cfg.validate().is_ok() && id < cfg.n && keys.id() == id);
        let n = cfg.n;
        Replica {
            id,
            keys,
            cfg,
            view: 0,
            status: ReplicaStatus::Normal,
            log: VecMap::new(),
            next_seq: 0,
            app: AppState::default(),
            low: 0,
            stable_digest: AppState::default().digest(),
            stable_proof: Vec::new(),
            stable_state: AppState::default(),
            snapshots: VecMap::new(),
            checkpoints: VecMap::new(),
            checkpoint_resends: VecMap::new(),
            behind_msgs: vec![0; n],
            pending: BTreeMap::new(),
            backlog: Vec::new(),
            view_changes: VecMap::new(),
            last_new_view: None,
            own_view_change: None,
            backoff: 0,
            timed: None,
            vc_quorum: false,
            fetch: None,
            state_answers: vec![(0, 0); n],
            early: std::collections::VecDeque::new(),
            straggler_msgs: vec![0; n],
            ahead: Vec::new(),
            ticks: 0,
            ticking: false,
            heard: vec![None; n],
        }
    }

    /// Feeds the replica's state to `h`: every field but its keys and its
    /// configuration (fixed for its life), with the vote tallies' signatures
    /// left out (see `VotesFor`'s `Hash`). For fingerprints of states in
    /// exhaustive search ([`crate::sim::fingerprint`]). The fields are named
    /// one by one, so a field added to `Replica` must be added here.
    pub fn hash_state<H: std::hash::Hasher>(&self, h: &mut H) {
        use std::hash::Hash;
        let Replica {
            id,
            keys: _,
            cfg: _,
            view,
            status,
            log,
            next_seq,
            app,
            low,
            stable_digest,
            stable_proof,
            stable_state,
            snapshots,
            checkpoints,
            checkpoint_resends,
            behind_msgs,
            pending,
            backlog,
            view_changes,
            last_new_view,
            own_view_change,
            backoff,
            timed,
            vc_quorum,
            fetch,
            state_answers,
            early,
            straggler_msgs,
            ahead,
            ticks,
            ticking,
            heard,
        } = self;
        (id, view, status, log, next_seq, app, low, stable_digest, stable_proof, stable_state).hash(h);
        (snapshots, checkpoints, checkpoint_resends, behind_msgs, pending, backlog).hash(h);
        (view_changes, last_new_view, own_view_change, backoff, timed, vc_quorum, fetch).hash(h);
        (state_answers, early, straggler_msgs, ahead, ticks, ticking, heard).hash(h);
    }

    // ----- accessors -------------------------------------------------------

    /// This replica's id.
    pub fn id(&self) -> ReplicaId {
        self.id
    }

    /// Its keys: its own private key, everyone's public one.
    pub fn keys(&self) -> &dyn Signer {
        &*self.keys
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

    /// How many distinct views this replica keeps per-view state for: the
    /// views of the PREPARE and COMMIT votes in its log and of the
    /// VIEW-CHANGE messages it holds. It does not grow with the number of
    /// view changes: installing a view drops the votes of older views (but
    /// those for an entry's own pre-prepare), and at most one VIEW-CHANGE per
    /// replica is kept.
    pub fn views_held(&self) -> usize {
        let mut views: Vec<View> = self.view_changes.keys().copied().collect();
        for s in self.log.values() {
            views.extend(s.prepares.0.iter().chain(&s.commits.0).map(|e| e.view));
        }
        views.sort_unstable();
        views.dedup();
        views.len()
    }

    /// Requests known but not yet executed.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Log entries with their vote counts, in sequence order.
    pub fn log_entries(&self) -> Vec<LogEntryView> {
        self.log
            .iter()
            .filter_map(|(&seq, s)| {
                let pp = s.pp.as_ref()?;
                let prepares = self.cfg.tally(Certificate::Prepared { view: pp.view }, &s.prepares.voters(pp.view, pp.digest));
                let commits = self.cfg.tally(Certificate::Committed, &s.commits.voters(pp.view, pp.digest));
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
                    prepares: prepares.count,
                    prepares_needed: prepares.needed,
                    commits: commits.count,
                    commits_needed: commits.needed,
                })
            })
            .collect()
    }

    // ----- helpers ---------------------------------------------------------

    /// Drops the votes of views below the current one, once a view is
    /// installed: nothing can read them any more. Votes are counted only in
    /// the view they were cast in and only while we work in it
    /// ([`Replica::try_progress`]): a certificate of an older view can no
    /// longer be assembled here, and the one an entry did assemble is kept
    /// whole in `cert` (a VIEW-CHANGE's P reports it, signed PREPAREs and all).
    /// Only the votes for an entry's own pre-prepare stay, whatever its view:
    /// the log shows their counts. Without this, an entry the view changes
    /// carry from view to view (no checkpoint becoming stable to discard
    /// it) keeps two vote lists per view it lived through.
    fn forget_old_votes(&mut self) {
        let view = self.view;
        for slot in self.log.values_mut() {
            let keep = slot.pp.as_ref().map(|p| p.view);
            slot.prepares.forget_below(view, keep);
            slot.commits.forget_below(view, keep);
        }
    }

    fn broadcast(&self, msg: Message, out: &mut Vec<Output>) {
        for i in 0..self.cfg.n {
            if i != self.id {
                out.push(Output::Send { to: NodeId::Replica(i), msg: msg.clone() });
            }
        }
    }

    /// Our PREPARE, signed.
    fn own_prepare(&self, view: View, seq: Seq, digest: Digest) -> Prepare {
        Prepare { view, seq, digest, replica: self.id, sig: Sig::default() }.signed(&*self.keys)
    }

    /// Our COMMIT, signed.
    fn own_commit(&self, view: View, seq: Seq, digest: Digest) -> Commit {
        Commit { view, seq, digest, replica: self.id, sig: Sig::default() }.signed(&*self.keys)
    }

    /// Our CHECKPOINT, signed.
    fn own_checkpoint(&self, seq: Seq, digest: Digest) -> Checkpoint {
        Checkpoint { seq, digest, replica: self.id, sig: Sig::default() }.signed(&*self.keys)
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

    fn not_in_view(&self, view: View) -> bool {
        view != self.view || self.status != ReplicaStatus::Normal
    }

    // ----- inputs ----------------------------------------------------------

    /// Handles one message from `from` (the true sender, stamped by the driver).
    pub fn on_message(&mut self, from: NodeId, msg: Message, out: &mut Vec<Output>) {
        if let NodeId::Replica(j) = from {
            if let Some(h) = self.heard.get_mut(j) {
                *h = Some(self.ticks);
            }
        }
        // A signed message straight from its signer must carry its valid
        // signature: it may be embedded later in a certificate we show others.
        // (A message whose envelope names another sender is refused by its
        // handler; a NEW-VIEW, which others may relay, is checked there.)
        if let Some(signer) = msg.signer(&self.cfg) {
            let relayable = matches!(msg, Message::NewView(_));
            if !relayable && from == NodeId::Replica(signer) && !msg.verifies(&*self.keys, &self.cfg) {
                Self::reject(from, Reject::BadSignature { kind: msg.kind(), signer }, out);
                return self.arm_tick(out);
            }
        }
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
        self.arm_tick(out);
    }

    /// Handles a timer the driver ran out.
    pub fn on_timer(&mut self, timer: ReplicaTimer, out: &mut Vec<Output>) {
        match timer {
            ReplicaTimer::ViewChange => self.on_view_change_timer(out),
            ReplicaTimer::Retransmit => self.on_retransmit_timer(out),
            ReplicaTimer::Fetch => self.on_fetch_timer(out),
        }
        self.arm_tick(out);
    }

    /// The replica restarts after a crash with its state intact (as if it had
    /// kept its log on disk): its timers are armed again.
    pub fn on_restart(&mut self, out: &mut Vec<Output>) {
        self.timed = None;
        self.ticking = false;
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
        self.arm_tick(out);
    }
}

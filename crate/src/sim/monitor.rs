//! The invariant monitor: checks safety on every step (Castro–Liskov §4.5.1).

use crate::vecmap::VecMap;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::event::Violation;
use crate::protocol::{answers_write, as_write, Config, Digest, ReplicaId, Seq};

/// What the first honest replica to execute a sequence number did there.
#[derive(Clone, Debug, PartialEq, Eq)]
struct First {
    replica: ReplicaId,
    /// The request digest it executed.
    digest: Digest,
    /// Its state digest right after.
    state: Digest,
    /// The operation (None for the null request).
    op: Option<Arc<str>>,
}

/// Sequence numbers per chunk of [`Records`].
const CHUNK: u64 = 16;

/// The monitor's records by sequence number, in chunks of [`CHUNK`]
/// consecutive sequence numbers shared between copies of the run (`Arc`,
/// copy on write): a saved copy costs a pointer per chunk, and the live run's
/// next write duplicates one chunk.
#[derive(Clone, Debug, Default)]
struct Records {
    /// The records of each chunk's sequence numbers, by chunk number.
    chunks: VecMap<u64, Arc<[Option<First>; CHUNK as usize]>>,
    /// How many records there are.
    len: usize,
}

impl Records {
    fn get(&self, s: Seq) -> Option<&First> {
        self.chunks.get(&(s / CHUNK))?[(s % CHUNK) as usize].as_ref()
    }

    /// Records `f` at `s` (where there is none).
    fn insert(&mut self, s: Seq, f: First) {
        let chunk = self.chunks.entry(s / CHUNK).or_insert_with(|| Arc::new([const { None }; CHUNK as usize]));
        let slot = &mut Arc::make_mut(chunk)[(s % CHUNK) as usize];
        if slot.is_none() {
            self.len += 1;
        }
        *slot = Some(f);
    }

    /// Keeps the records whose sequence number satisfies `keep` (a chunk is
    /// duplicated only when it is shared and loses some of them).
    fn retain(&mut self, keep: impl Fn(Seq) -> bool) {
        let mut len = 0;
        self.chunks.retain(|&c, chunk| {
            let base = c * CHUNK;
            let gone = |j: usize, r: &Option<First>| r.is_some() && !keep(base + j as u64);
            if chunk.iter().enumerate().any(|(j, r)| gone(j, r)) {
                for (j, r) in Arc::make_mut(chunk).iter_mut().enumerate() {
                    if gone(j, r) {
                        *r = None;
                    }
                }
            }
            let here = chunk.iter().filter(|r| r.is_some()).count();
            len += here;
            here > 0
        });
        self.len = len;
    }
}

/// Watches executions of honest replicas and the client's decisions.
///
/// Its memory is bounded whatever the run's length. Agreement is checked per
/// sequence number against the first honest execution there, kept in a
/// sliding window: the last [`Monitor::window`] sequence numbers executed,
/// and the `window` sequence numbers above each replica's last execution (a
/// replica that lags, or is down, can only go on from where it stopped: the
/// protocol lets it execute at most L = `log_window` past its last stable
/// checkpoint before it must fetch a state). Below that, every replica has
/// executed or will jump over by state transfer.
///
/// The state digest each execution reports covers the replica's whole
/// executed prefix (the service's running chain over every executed
/// sequence number and request digest, carried over by state transfer), so
/// comparing state digests at the same sequence number compares whole
/// histories: a replica that diverged anywhere before, even where its window
/// record is gone, differs at the next sequence number the monitor checks.
#[derive(Clone, Debug)]
pub struct Monitor {
    /// First honest execution per sequence number, inside the window.
    by_seq: Records,
    /// How far the window reaches (see the type's docs).
    window: u64,
    /// Highest sequence number any honest replica executed.
    top: Seq,
    /// `by_seq` is pruned when it grows beyond this many entries.
    prune_at: usize,
    /// The latest timestamp each replica freshly executed for each client.
    /// Clients' timestamps only grow and a request executes at most once, so
    /// a fresh execution at or below it is a second one (bounded: n × clients).
    /// A tree, not a [`VecMap`]: a faulty primary can have requests of any
    /// number of client ids executed, in any order.
    fresh: BTreeMap<(ReplicaId, u32), u64>,
    /// Last executed sequence number per replica.
    last: Vec<Seq>,
    /// The first [`Monitor::KEEP_VIOLATIONS`] violations.
    violations: Vec<Violation>,
    /// How many violations were found in all.
    violation_count: usize,
}

impl Default for Monitor {
    fn default() -> Monitor {
        Monitor::new(0)
    }
}

impl Monitor {
    /// The window of a monitor made with [`Monitor::new`].
    pub const DEFAULT_WINDOW: u64 = 256;
    /// How many violations are kept (every one is still reported as it is
    /// found, and counted).
    pub const KEEP_VIOLATIONS: usize = 1000;

    /// A monitor for `n` replicas with the default window.
    pub fn new(n: usize) -> Monitor {
        Monitor::with_window(n, Self::DEFAULT_WINDOW)
    }

    /// A monitor for a cluster: its window reaches well past the log window
    /// L (`4 L`, and at least [`Monitor::DEFAULT_WINDOW`]).
    pub fn for_config(cfg: &Config) -> Monitor {
        Monitor::with_window(cfg.n, cfg.log_window.saturating_mul(4).max(Self::DEFAULT_WINDOW))
    }

    /// A monitor for `n` replicas whose window reaches `window` (at least 1)
    /// sequence numbers.
    pub fn with_window(n: usize, window: u64) -> Monitor {
        let window = window.max(1);
        Monitor {
            by_seq: Records::default(),
            window,
            top: 0,
            prune_at: Self::prune_floor(window),
            fresh: BTreeMap::new(),
            last: vec![0; n],
            violations: Vec::new(),
            violation_count: 0,
        }
    }

    /// `by_seq` is pruned once it holds more than this (twice the window:
    /// a saved copy of the run carries the record, so it stays small).
    fn prune_floor(window: u64) -> usize {
        usize::try_from(window).unwrap_or(usize::MAX).saturating_mul(2)
    }

    /// How many sequence numbers the window reaches.
    pub fn window(&self) -> u64 {
        self.window
    }

    /// The violations found so far (the first [`Monitor::KEEP_VIOLATIONS`]).
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// How many violations were found in all.
    pub fn violation_count(&self) -> usize {
        self.violation_count
    }

    /// How many sequence numbers the agreement check holds a record of.
    pub fn records(&self) -> usize {
        self.by_seq.len
    }

    fn record(&mut self, v: Violation) -> Option<Violation> {
        self.violation_count += 1;
        if self.violations.len() < Self::KEEP_VIOLATIONS {
            self.violations.push(v.clone());
        }
        Some(v)
    }

    /// Replica `r` executed `seq` with request digest `d`, leaving state
    /// digest `state`; `fresh` names the (client, timestamp) when the request
    /// was really applied (not a null request or a cached duplicate). Only
    /// honest replicas are checked.
    pub fn on_executed(
        &mut self,
        r: ReplicaId,
        seq: Seq,
        d: Digest,
        state: Digest,
        op: Option<&Arc<str>>,
        fresh: Option<(u32, u64)>,
        honest: bool,
    ) -> Vec<Violation> {
        let mut found = Vec::new();
        let after = self.last[r];
        self.last[r] = seq;
        if !honest {
            return found;
        }
        if seq != after + 1 {
            found.extend(self.record(Violation::Order { replica: r, seq, after }));
        }
        if let Some((client, timestamp)) = fresh {
            let latest = self.fresh.entry((r, client)).or_insert(0);
            if timestamp <= *latest {
                found.extend(self.record(Violation::Duplicate { replica: r, client, timestamp }));
            } else {
                *latest = timestamp;
            }
        }
        // By its fields: cloning the record (its operation) on every execution is not needed.
        match self.by_seq.get(seq).map(|f| (f.replica, f.digest, f.state)) {
            None => {
                // The first honest execution here (or one after the window
                // let the record go, when no replica could still need it).
                self.by_seq.insert(seq, First { replica: r, digest: d, state, op: op.cloned() });
                self.top = self.top.max(seq);
                if self.by_seq.len > self.prune_at {
                    self.prune();
                }
            }
            Some((first, digest, _)) if digest != d => {
                let first_op = self.by_seq.get(seq).and_then(|f| f.op.clone());
                found.extend(self.record(Violation::Agreement {
                    seq,
                    first,
                    first_digest: digest.short(),
                    first_op,
                    second: r,
                    second_digest: d.short(),
                    second_op: op.cloned(),
                }));
            }
            Some((first, _, first_state)) if first_state != state => {
                found.extend(self.record(Violation::State { seq, first, second: r }));
            }
            Some(_) => {}
        }
        found
    }

    /// Drops the records no replica can need: keeps the last `window`
    /// sequence numbers and the `window` above each replica's last execution
    /// (amortized O(n) per record).
    fn prune(&mut self) {
        let (recent, window, last) = (self.top.saturating_sub(self.window), self.window, &self.last);
        self.by_seq.retain(|s| s > recent || last.iter().any(|&l| s > l && s - l <= window));
        self.prune_at = self.by_seq.len.saturating_mul(2).max(Self::prune_floor(self.window));
    }

    /// The client accepted `result` for `op`: a write `k=v` can only answer `k=v`.
    pub fn on_accepted(&mut self, timestamp: u64, op: &str, result: &str) -> Option<Violation> {
        // The service itself says what a write answers (whatever the state).
        match as_write(op) {
            Some(w) if !answers_write(w, result) => {
                self.record(Violation::WrongResult { timestamp, op: op.to_string(), result: result.to_string() })
            }
            _ => None,
        }
    }

    /// Replica `r` jumped to checkpoint `seq` by state transfer.
    pub fn on_state_transfer(&mut self, r: ReplicaId, seq: Seq) {
        self.last[r] = seq;
    }

    /// The client saw f+1 replies for a second result of an accepted request.
    pub fn on_client_conflict(&mut self, timestamp: u64, accepted: String, other: String) -> Option<Violation> {
        self.record(Violation::ClientConflict { timestamp, accepted, other })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_disagreement_and_gaps_but_ignores_byzantine_replicas() {
        let s = Digest(100);
        let mut m = Monitor::new(4);
        assert!(m.on_executed(0, 1, Digest(1), s, None, Some((0, 1)), true).is_empty());
        assert!(m.on_executed(1, 1, Digest(1), s, None, Some((0, 1)), true).is_empty());
        assert!(m.on_executed(3, 1, Digest(9), s, None, None, false).is_empty(), "faulty replicas may do anything");
        let v = m.on_executed(2, 1, Digest(2), s, None, None, true);
        assert!(matches!(v[0], Violation::Agreement { seq: 1, .. }));
        let v = m.on_executed(0, 3, Digest(3), s, None, None, true);
        assert!(matches!(v[0], Violation::Order { replica: 0, seq: 3, after: 1 }));
        m.on_state_transfer(1, 8);
        assert!(m.on_executed(1, 9, Digest(4), s, None, None, true).is_empty());
        m.on_state_transfer(2, 8);
        assert!(m.on_executed(2, 9, Digest(4), Digest(5), None, None, true).iter().any(|v| matches!(v, Violation::State { seq: 9, .. })));
        assert!(matches!(m.on_executed(1, 10, Digest(6), s, None, Some((0, 1)), true)[0], Violation::Duplicate { replica: 1, .. }));
        assert!(m.on_accepted(1, "a=1", "a=1").is_none());
        assert!(m.on_accepted(1, "a", "a=7").is_none(), "reads are not checked");
        assert!(m.on_accepted(2, "a=1", "a=2").is_some());
        assert_eq!(m.violations().len(), 5);
        assert_eq!(m.violation_count(), 5);
    }

    /// The reference history: request digest at `s` and the state digest
    /// after it (a running hash over the prefix, as the service's chain is).
    fn at(s: Seq) -> (Digest, Digest) {
        (Digest(s * 7), Digest((1..=s).fold(0u64, |h, x| h.rotate_left(5) ^ (x * 7))))
    }

    fn run(m: &mut Monitor, r: ReplicaId, seqs: std::ops::RangeInclusive<Seq>) -> Vec<Violation> {
        seqs.flat_map(|s| {
            let (d, st) = at(s);
            m.on_executed(r, s, d, st, None, None, true)
        })
        .collect()
    }

    #[test]
    fn the_window_bounds_memory_and_still_catches_laggards_and_jumpers() {
        let w = 8;
        let mut m = Monitor::with_window(4, w);
        for r in 0..3 {
            assert!(run(&mut m, r, 1..=1000).is_empty());
        }
        // R3 is down at 0: the window keeps the last w and the w above R3.
        assert!(m.records() <= 2 * 2 * w as usize + 1, "{} records", m.records());
        assert!((1..=w).all(|s| m.by_seq.get(s).is_some()) && m.by_seq.get(1000).is_some());
        // R3 comes back and executes from its log: a different request at n5 is caught.
        assert!(run(&mut m, 3, 1..=4).is_empty());
        let v = m.on_executed(3, 5, Digest(1), at(5).1, None, None, true);
        assert!(matches!(v[..], [Violation::Agreement { seq: 5, first: 0, second: 3, .. }]), "{v:?}");

        // R2 jumps to a checkpoint near the top and goes on with another state.
        let mut m = Monitor::with_window(4, w);
        for r in 0..2 {
            assert!(run(&mut m, r, 1..=1000).is_empty());
        }
        m.on_state_transfer(2, 996);
        let v = m.on_executed(2, 997, at(997).0, Digest(5), None, None, true);
        assert!(matches!(v[..], [Violation::State { seq: 997, first: 0, second: 2 }]), "{v:?}");
    }

    #[test]
    fn a_divergence_where_the_window_let_go_shows_in_the_state_at_the_next_record() {
        let w = 8;
        let mut m = Monitor::with_window(4, w);
        for r in 0..3 {
            assert!(run(&mut m, r, 1..=100).is_empty());
        }
        // R3 executes far behind the others, where no record is left, and
        // strays at n50: its later states differ from the others'.
        assert!(run(&mut m, 3, 1..=49).is_empty());
        assert!(m.by_seq.get(50).is_none(), "the record at n50 is gone");
        let mut h = at(49).1 .0;
        let mut found = Vec::new();
        for s in 50..=100 {
            let d = if s == 50 { Digest(999) } else { at(s).0 };
            h = h.rotate_left(5) ^ d.0;
            found.extend(m.on_executed(3, s, d, Digest(h), None, None, true));
        }
        assert!(matches!(found[0], Violation::State { second: 3, .. }), "{found:?}");
        assert!(found.iter().all(|v| matches!(v, Violation::State { second: 3, .. })), "{found:?}");
    }

    #[test]
    fn violations_kept_are_bounded_and_all_are_counted() {
        let mut m = Monitor::new(2);
        for s in 1..=(Monitor::KEEP_VIOLATIONS as u64 + 10) {
            m.on_executed(0, s, Digest(1), Digest(1), None, None, true);
            assert_eq!(m.on_executed(1, s, Digest(2), Digest(2), None, None, true).len(), 1);
        }
        assert_eq!(m.violations().len(), Monitor::KEEP_VIOLATIONS);
        assert_eq!(m.violation_count(), Monitor::KEEP_VIOLATIONS + 10);
    }
}

//! The invariant monitor: checks safety on every step (Castro–Liskov §4.5.1).

use std::collections::BTreeMap;

use super::event::Violation;
use crate::protocol::{execute_op, Digest, ReplicaId, Seq, Store};

/// Watches executions of honest replicas and the client's decisions.
#[derive(Clone, Debug, Default)]
pub struct Monitor {
    /// First honest execution seen per sequence number: (replica, request
    /// digest, state digest after it).
    by_seq: BTreeMap<Seq, (ReplicaId, Digest, Digest)>,
    /// The latest timestamp each replica freshly executed for each client.
    /// Clients' timestamps only grow and a request executes at most once, so
    /// a fresh execution at or below it is a second one (bounded: n × clients).
    fresh: BTreeMap<(ReplicaId, u32), u64>,
    /// Last executed sequence number per replica.
    last: Vec<Seq>,
    violations: Vec<Violation>,
}

impl Monitor {
    /// A monitor for `n` replicas.
    pub fn new(n: usize) -> Monitor {
        Monitor { by_seq: BTreeMap::new(), fresh: BTreeMap::new(), last: vec![0; n], violations: Vec::new() }
    }

    /// Every violation so far.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    fn record(&mut self, v: Violation) -> Option<Violation> {
        self.violations.push(v.clone());
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
        match self.by_seq.get(&seq) {
            None => {
                self.by_seq.insert(seq, (r, d, state));
            }
            Some(&(first, fd, _)) if fd != d => {
                found.extend(self.record(Violation::Agreement {
                    seq,
                    first,
                    first_digest: fd.short(),
                    second: r,
                    second_digest: d.short(),
                }));
            }
            Some(&(first, _, fs)) if fs != state => {
                found.extend(self.record(Violation::State { seq, first, second: r }));
            }
            Some(_) => {}
        }
        found
    }

    /// The client accepted `result` for `op`: a write `k=v` can only answer `k=v`.
    pub fn on_accepted(&mut self, timestamp: u64, op: &str, result: &str) -> Option<Violation> {
        // The service itself says what a write answers (on an empty store:
        // a write's result does not depend on the state).
        let expected = op.contains('=').then(|| execute_op(&mut Store::default(), op));
        match expected {
            Some(e) if e != result => {
                self.record(Violation::WrongResult { timestamp, op: op.to_string(), result: result.to_string() })
            }
            _ => None,
        }
    }

    /// Takes out the record of first executions per sequence number (it only
    /// grows: saved copies of a run share the live one's instead of copying it).
    pub(super) fn take_history(&mut self) -> BTreeMap<Seq, (ReplicaId, Digest, Digest)> {
        std::mem::take(&mut self.by_seq)
    }

    /// The highest sequence number in the record.
    pub(super) fn history_upto(&self) -> Option<Seq> {
        self.by_seq.keys().next_back().copied()
    }

    /// Puts back a record taken with [`Monitor::take_history`], cut back to
    /// what it held at `upto` (entries never change once written).
    pub(super) fn restore_history(&mut self, mut history: BTreeMap<Seq, (ReplicaId, Digest, Digest)>, upto: Option<Seq>) {
        match upto {
            Some(k) => drop(history.split_off(&(k + 1))),
            None => history.clear(),
        }
        self.by_seq = history;
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
        assert!(m.on_executed(0, 1, Digest(1), s, Some((0, 1)), true).is_empty());
        assert!(m.on_executed(1, 1, Digest(1), s, Some((0, 1)), true).is_empty());
        assert!(m.on_executed(3, 1, Digest(9), s, None, false).is_empty(), "faulty replicas may do anything");
        let v = m.on_executed(2, 1, Digest(2), s, None, true);
        assert!(matches!(v[0], Violation::Agreement { seq: 1, .. }));
        let v = m.on_executed(0, 3, Digest(3), s, None, true);
        assert!(matches!(v[0], Violation::Order { replica: 0, seq: 3, after: 1 }));
        m.on_state_transfer(1, 8);
        assert!(m.on_executed(1, 9, Digest(4), s, None, true).is_empty());
        m.on_state_transfer(2, 8);
        assert!(m.on_executed(2, 9, Digest(4), Digest(5), None, true).iter().any(|v| matches!(v, Violation::State { seq: 9, .. })));
        assert!(matches!(m.on_executed(1, 10, Digest(6), s, Some((0, 1)), true)[0], Violation::Duplicate { replica: 1, .. }));
        assert!(m.on_accepted(1, "a=1", "a=1").is_none());
        assert!(m.on_accepted(1, "a", "a=7").is_none(), "reads are not checked");
        assert!(m.on_accepted(2, "a=1", "a=2").is_some());
        assert_eq!(m.violations().len(), 5);
    }
}

//! The invariant monitor: checks safety on every step (Castro–Liskov §4.5.1).

use std::collections::BTreeMap;

use super::event::Violation;
use crate::protocol::{Digest, ReplicaId, Seq};

/// Watches executions of honest replicas and the client's decisions.
#[derive(Clone, Debug, Default)]
pub struct Monitor {
    /// First honest execution seen per sequence number.
    by_seq: BTreeMap<Seq, (ReplicaId, Digest)>,
    /// Last executed sequence number per replica.
    last: Vec<Seq>,
    violations: Vec<Violation>,
}

impl Monitor {
    /// A monitor for `n` replicas.
    pub fn new(n: usize) -> Monitor {
        Monitor { by_seq: BTreeMap::new(), last: vec![0; n], violations: Vec::new() }
    }

    /// Every violation so far.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    fn record(&mut self, v: Violation) -> Option<Violation> {
        self.violations.push(v.clone());
        Some(v)
    }

    /// Replica `r` executed `seq` with digest `d`. Only honest replicas are checked.
    pub fn on_executed(&mut self, r: ReplicaId, seq: Seq, d: Digest, honest: bool) -> Vec<Violation> {
        let mut found = Vec::new();
        let after = self.last[r];
        self.last[r] = seq;
        if !honest {
            return found;
        }
        if seq != after + 1 {
            found.extend(self.record(Violation::Order { replica: r, seq, after }));
        }
        match self.by_seq.get(&seq) {
            None => {
                self.by_seq.insert(seq, (r, d));
            }
            Some(&(first, fd)) if fd != d => {
                found.extend(self.record(Violation::Agreement {
                    seq,
                    first,
                    first_digest: fd.short(),
                    second: r,
                    second_digest: d.short(),
                }));
            }
            Some(_) => {}
        }
        found
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
        let mut m = Monitor::new(4);
        assert!(m.on_executed(0, 1, Digest(1), true).is_empty());
        assert!(m.on_executed(1, 1, Digest(1), true).is_empty());
        assert!(m.on_executed(3, 1, Digest(9), false).is_empty(), "faulty replicas may do anything");
        let v = m.on_executed(2, 1, Digest(2), true);
        assert!(matches!(v[0], Violation::Agreement { seq: 1, .. }));
        let v = m.on_executed(0, 3, Digest(3), true);
        assert!(matches!(v[0], Violation::Order { replica: 0, seq: 3, after: 1 }));
        m.on_state_transfer(1, 8);
        assert!(m.on_executed(1, 9, Digest(4), true).is_empty());
        assert_eq!(m.violations().len(), 2);
    }
}

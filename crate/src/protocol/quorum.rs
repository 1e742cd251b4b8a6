//! Vote sets and the quorum rule: the one place PBFT's vote arithmetic lives.
//!
//! A [`VoteSet`] is a set of distinct replicas that sent matching votes.
//! [`Quorums`] knows the cluster size and the [`QuorumRule`], and answers the
//! only question handlers ask of a set of votes: does it make this
//! [`Certificate`]? Handlers never count bits themselves.
//!
//! The numbers are Castro–Liskov's (OSDI 1999 §4; TOCS 2002 §2–4), written for
//! any n rather than only n = 3f + 1:
//!
//! | certificate                         | votes needed (paper) | who counts        |
//! |-------------------------------------|----------------------|-------------------|
//! | prepared (§4.2)                     | quorum − 1 (= 2f)    | backups of view v |
//! | committed-local (§4.2)              | quorum (= 2f+1)      | every replica     |
//! | stable checkpoint (§4.3)            | quorum               | every replica     |
//! | VIEW-CHANGEs for a new view (§4.4)  | quorum               | every replica     |
//! | weak: one honest voice (§4.1, §4.5.2) | f + 1              | every replica     |
//!
//! with f = ⌊(n−1)/3⌋ and quorum = ⌈(n+f+1)/2⌉, so that any two quorums share
//! at least f + 1 replicas, one of them honest.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::types::{ReplicaId, View};

/// How many matching votes make a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuorumRule {
    /// Castro–Liskov: 2f prepares from distinct backups, ⌈(n+f+1)/2⌉ commits.
    Paper,
    /// UNSAFE: any vote counts, including the primary's prepare, and more than
    /// n/3 votes are enough. This is the rule of a well-known blog-post
    /// implementation; it exists only so the playground can show safety break.
    /// It changes prepared and committed-local only; checkpoints, view changes
    /// and weak certificates keep the paper's numbers.
    Naive,
}

/// A certificate PBFT builds from matching votes of distinct replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Certificate {
    /// prepared(m, v, n, i) (§4.2): PREPAREs matching a pre-prepare of `view`.
    /// Under the paper's rule only backups count: the primary's pre-prepare
    /// stands for its vote, so a PREPARE in its name adds nothing.
    Prepared {
        /// The view of the pre-prepare (it names the primary left out).
        view: View,
    },
    /// committed-local(m, v, n, i) (§4.2): matching COMMITs, own included.
    Committed,
    /// A stable checkpoint (§4.3): matching CHECKPOINTs.
    Checkpoint,
    /// VIEW-CHANGEs for one new view (§4.4): what NEW-VIEW's V must hold, and
    /// what starts the timer waiting for NEW-VIEW (§4.5.2).
    ViewChange,
    /// f + 1 (§4.1, §4.5.2): at least one honest replica among them; enough
    /// for a client to accept a result and for a replica to join a view change.
    Weak,
}

/// Votes counted toward a certificate and the number it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Distinct voters that count.
    pub count: usize,
    /// Voters needed.
    pub needed: usize,
}

impl Tally {
    /// Whether the votes make the certificate.
    pub fn certified(self) -> bool {
        self.count >= self.needed
    }
}

/// The quorum arithmetic of one cluster: its size and its rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quorums {
    n: usize,
    rule: QuorumRule,
}

impl Quorums {
    /// The quorums of a cluster of `n ≥ 1` replicas under `rule`.
    pub fn new(n: usize, rule: QuorumRule) -> Quorums {
        Quorums { n, rule }
    }

    /// Number of replicas.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The rule in force.
    pub fn rule(&self) -> QuorumRule {
        self.rule
    }

    /// f = ⌊(n−1)/3⌋, the number of faulty replicas tolerated (Castro–Liskov §2).
    pub fn f(&self) -> usize {
        (self.n - 1) / 3
    }

    /// Quorum = ⌈(n+f+1)/2⌉; equals 2f+1 when n = 3f+1 (Castro–Liskov §4).
    /// Any two quorums intersect in at least f+1 replicas, one of them honest.
    pub fn quorum(&self) -> usize {
        (self.n + self.f() + 1).div_ceil(2)
    }

    /// f+1: enough for one honest voice (client replies, joining a view change).
    pub fn weak(&self) -> usize {
        self.f() + 1
    }

    /// Matching PREPAREs (own included, from backups only) that make a request
    /// prepared (§4.2).
    pub fn prepare_threshold(&self) -> usize {
        match self.rule {
            // A quorum minus the primary, whose pre-prepare is its vote.
            QuorumRule::Paper => self.quorum() - 1,
            QuorumRule::Naive => self.naive_threshold(),
        }
    }

    /// Matching COMMITs (own included) that make a request committed-local (§4.2).
    pub fn commit_threshold(&self) -> usize {
        match self.rule {
            QuorumRule::Paper => self.quorum(),
            QuorumRule::Naive => self.naive_threshold(),
        }
    }

    /// "More than n/3 votes": ⌊n/3⌋ + 1.
    fn naive_threshold(&self) -> usize {
        self.n / 3 + 1
    }

    /// Distinct voters `cert` needs.
    pub fn needed(&self, cert: Certificate) -> usize {
        match cert {
            Certificate::Prepared { .. } => self.prepare_threshold(),
            Certificate::Committed => self.commit_threshold(),
            Certificate::Checkpoint | Certificate::ViewChange => self.quorum(),
            Certificate::Weak => self.weak(),
        }
    }

    /// Whether a vote of `voter` counts toward `cert`: it must be a replica of
    /// the cluster, and under the paper's rule not the primary of a prepare's
    /// view (§4.2: prepares come from backups).
    pub fn counts(&self, cert: Certificate, voter: ReplicaId) -> bool {
        if voter >= self.n {
            return false;
        }
        match (cert, self.rule) {
            (Certificate::Prepared { view }, QuorumRule::Paper) => voter != self.primary(view),
            _ => true,
        }
    }

    /// The voters of `votes` that count toward `cert`.
    pub fn counted(&self, cert: Certificate, votes: &VoteSet) -> VoteSet {
        votes.filter(|r| self.counts(cert, r))
    }

    /// The votes of `votes` that count toward `cert`, and how many it needs.
    pub fn tally(&self, cert: Certificate, votes: &VoteSet) -> Tally {
        Tally { count: self.counted(cert, votes).count(), needed: self.needed(cert) }
    }

    /// Whether `votes` make `cert` under the configured rule.
    pub fn certifies(&self, cert: Certificate, votes: &VoteSet) -> bool {
        self.tally(cert, votes).certified()
    }

    /// The primary of view `v`: v mod n (§4).
    pub fn primary(&self, v: View) -> ReplicaId {
        (v % self.n as u64) as ReplicaId
    }
}

/// A set of distinct replica ids below [`VoteSet::CAPACITY`]: who voted.
/// Inserting a replica twice counts it once.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct VoteSet {
    /// Bit `r` is set when replica `r` is in the set.
    bits: u128,
}

impl VoteSet {
    /// The largest number of distinct replicas a set holds (ids `0..CAPACITY`).
    pub const CAPACITY: usize = u128::BITS as usize;

    /// The empty set.
    pub const fn new() -> VoteSet {
        VoteSet { bits: 0 }
    }

    fn bit(r: ReplicaId) -> Option<u128> {
        (r < Self::CAPACITY).then(|| 1u128 << r)
    }

    /// Adds `r`; returns whether it was not there yet. An id at or above
    /// [`VoteSet::CAPACITY`] names no replica: it is not added.
    pub fn insert(&mut self, r: ReplicaId) -> bool {
        let Some(bit) = Self::bit(r) else { return false };
        let fresh = self.bits & bit == 0;
        self.bits |= bit;
        fresh
    }

    /// Removes `r`; returns whether it was there.
    pub fn remove(&mut self, r: ReplicaId) -> bool {
        let Some(bit) = Self::bit(r) else { return false };
        let was = self.bits & bit != 0;
        self.bits &= !bit;
        was
    }

    /// Whether `r` is in the set.
    pub fn contains(&self, r: ReplicaId) -> bool {
        Self::bit(r).is_some_and(|bit| self.bits & bit != 0)
    }

    /// Number of distinct replicas in the set.
    pub fn count(&self) -> usize {
        self.bits.count_ones() as usize
    }

    /// Whether nobody is in the set.
    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    /// The replicas in ascending order.
    pub fn iter(&self) -> VoteSetIter {
        VoteSetIter { bits: self.bits }
    }

    /// Replicas in either set.
    pub fn union(&self, other: &VoteSet) -> VoteSet {
        VoteSet { bits: self.bits | other.bits }
    }

    /// Replicas in both sets.
    pub fn intersection(&self, other: &VoteSet) -> VoteSet {
        VoteSet { bits: self.bits & other.bits }
    }

    /// The replicas for which `keep` holds.
    pub fn filter(&self, mut keep: impl FnMut(ReplicaId) -> bool) -> VoteSet {
        self.iter().filter(|&r| keep(r)).collect()
    }
}

impl fmt::Debug for VoteSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl FromIterator<ReplicaId> for VoteSet {
    fn from_iter<I: IntoIterator<Item = ReplicaId>>(iter: I) -> VoteSet {
        let mut set = VoteSet::new();
        set.extend(iter);
        set
    }
}

impl Extend<ReplicaId> for VoteSet {
    fn extend<I: IntoIterator<Item = ReplicaId>>(&mut self, iter: I) {
        for r in iter {
            self.insert(r);
        }
    }
}

impl IntoIterator for &VoteSet {
    type Item = ReplicaId;
    type IntoIter = VoteSetIter;
    fn into_iter(self) -> VoteSetIter {
        self.iter()
    }
}

/// The replicas of a [`VoteSet`], in ascending order.
#[derive(Clone, Debug)]
pub struct VoteSetIter {
    bits: u128,
}

impl Iterator for VoteSetIter {
    type Item = ReplicaId;

    fn next(&mut self) -> Option<ReplicaId> {
        if self.bits == 0 {
            return None;
        }
        let r = self.bits.trailing_zeros() as ReplicaId;
        self.bits &= self.bits - 1;
        Some(r)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.bits.count_ones() as usize;
        (n, Some(n))
    }
}

impl ExactSizeIterator for VoteSetIter {}

#[cfg(test)]
mod tests {
    use super::*;

    fn paper(n: usize) -> Quorums {
        Quorums::new(n, QuorumRule::Paper)
    }

    fn set(ids: impl IntoIterator<Item = ReplicaId>) -> VoteSet {
        ids.into_iter().collect()
    }

    #[test]
    fn quorum_arithmetic_matches_the_paper() {
        // (n, f, quorum, prepares needed, weak)
        for (n, f, q) in [(1, 0, 1), (2, 0, 2), (3, 0, 2), (4, 1, 3), (5, 1, 4), (6, 1, 4), (7, 2, 5), (10, 3, 7), (13, 4, 9), (16, 5, 11), (64, 21, 43)] {
            let c = paper(n);
            assert_eq!(c.f(), f, "f for n={n}");
            assert_eq!(c.quorum(), q, "quorum for n={n}");
            assert_eq!(c.weak(), f + 1);
            if n == 3 * f + 1 {
                assert_eq!(c.quorum(), 2 * f + 1);
                assert_eq!(c.prepare_threshold(), 2 * f);
            }
        }
    }

    #[test]
    fn any_two_quorums_share_an_honest_replica() {
        for n in 1..=64 {
            let c = paper(n);
            // |Q1 ∩ Q2| ≥ 2q − n ≥ f + 1
            assert!(2 * c.quorum() > n + c.f(), "n={n}");
            assert!(c.quorum() <= n - c.f(), "a quorum must be reachable with f silent, n={n}");
        }
    }

    #[test]
    fn naive_rule_is_weaker() {
        let c = Quorums::new(4, QuorumRule::Naive);
        assert_eq!(c.prepare_threshold(), 2);
        assert_eq!(c.commit_threshold(), 2);
        // Two naive commit quorums need not intersect in an honest replica.
        assert!(2 * c.commit_threshold() < c.n() + c.f() + 1);
    }

    #[test]
    fn vote_set_counts_each_replica_once() {
        let mut s = VoteSet::new();
        assert!(s.is_empty());
        assert!(s.insert(2));
        assert!(!s.insert(2), "a second vote of the same replica is not fresh");
        assert!(s.insert(0));
        assert_eq!(s.count(), 2);
        assert!(s.contains(0) && s.contains(2) && !s.contains(1));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![0, 2], "ascending");
        assert_eq!(s.iter().len(), 2);
        assert!(s.remove(0));
        assert!(!s.remove(0));
        assert_eq!(s, set([2]));
        assert_eq!(format!("{:?}", set([3, 1])), "{1, 3}");
        assert_eq!(set([0, 1]).union(&set([1, 5])), set([0, 1, 5]));
        assert_eq!(set([0, 1]).intersection(&set([1, 5])), set([1]));
        assert_eq!(set(0..10).filter(|r| r % 3 == 0), set([0, 3, 6, 9]));
    }

    #[test]
    fn vote_set_holds_every_id_up_to_128() {
        let all = set(0..VoteSet::CAPACITY);
        assert_eq!(all.count(), 128);
        assert!(all.contains(127));
        assert_eq!(all.iter().last(), Some(127));
        let mut s = VoteSet::new();
        assert!(s.insert(127));
        assert!(!s.insert(127));
        assert!(!s.insert(128), "128 names no replica");
        assert!(!s.contains(128));
        assert_eq!(s.count(), 1);
    }

    #[test]
    fn one_replica_certifies_everything_alone() {
        let q = paper(1);
        let me = set([0]);
        assert_eq!(q.prepare_threshold(), 0, "the lone primary's pre-prepare is the quorum");
        assert!(q.certifies(Certificate::Prepared { view: 0 }, &VoteSet::new()));
        for cert in [Certificate::Committed, Certificate::Checkpoint, Certificate::ViewChange, Certificate::Weak] {
            assert!(q.certifies(cert, &me), "{cert:?}");
            assert!(!q.certifies(cert, &VoteSet::new()), "{cert:?}");
        }
        assert!(!q.certifies(Certificate::Committed, &set([1])), "replica 1 is not in a cluster of one");
    }

    #[test]
    fn four_replicas_need_two_backup_prepares_and_three_commits() {
        // Castro–Liskov §4.2 with n = 4, f = 1.
        let q = paper(4);
        let view = 1; // primary 1
        let prepared = Certificate::Prepared { view };
        assert!(!q.certifies(prepared, &set([1, 2])), "the primary's prepare does not count");
        assert_eq!(q.tally(prepared, &set([1, 2])), Tally { count: 1, needed: 2 });
        assert!(q.certifies(prepared, &set([2, 3])));
        assert_eq!(q.counted(prepared, &set([0, 1, 2])), set([0, 2]));
        assert!(!q.counts(prepared, 1) && q.counts(prepared, 0));
        assert!(!q.certifies(Certificate::Committed, &set([0, 1])));
        assert!(q.certifies(Certificate::Committed, &set([0, 1, 2])), "own commit and the primary's count");
        assert!(q.certifies(Certificate::Checkpoint, &set([1, 2, 3])));
        assert!(!q.certifies(Certificate::ViewChange, &set([1, 3])));
        assert!(q.certifies(Certificate::Weak, &set([1, 3])));
        assert!(!q.certifies(Certificate::Weak, &set([3])));
        assert!(!q.certifies(Certificate::Committed, &set([0, 1, 7])), "7 is not a replica of four");
    }

    #[test]
    fn naive_rule_counts_the_primary_and_needs_more_than_a_third() {
        let naive = Quorums::new(4, QuorumRule::Naive);
        let prepared = Certificate::Prepared { view: 0 };
        assert!(naive.counts(prepared, 0), "the primary's prepare counts");
        assert!(naive.certifies(prepared, &set([0, 1])));
        assert!(naive.certifies(Certificate::Committed, &set([0, 3])));
        assert!(!paper(4).certifies(Certificate::Committed, &set([0, 3])));
        // Only prepared and committed-local change.
        for cert in [Certificate::Checkpoint, Certificate::ViewChange, Certificate::Weak] {
            assert_eq!(naive.needed(cert), paper(4).needed(cert), "{cert:?}");
        }
    }

    #[test]
    fn largest_clusters_count_ids_127_and_128() {
        for n in [127, 128] {
            let q = paper(n);
            let f = q.f();
            assert_eq!((n, f, q.quorum()), (n, 42, if n == 127 { 85 } else { 86 }));
            // The last backups, the primary of view n−1 (replica n−1) left out.
            let view = (n - 1) as View;
            let top = set(n - q.quorum()..n);
            assert_eq!(top.count(), q.quorum());
            let prepared = Certificate::Prepared { view };
            assert_eq!(q.tally(prepared, &top), Tally { count: q.quorum() - 1, needed: q.quorum() - 1 });
            assert!(q.certifies(prepared, &top));
            assert!(!q.certifies(prepared, &top.filter(|r| r != n - 2)));
            assert!(q.certifies(Certificate::Committed, &top));
            assert!(!q.certifies(Certificate::Committed, &top.filter(|r| r != n - 1)));
            assert!(q.certifies(Certificate::Weak, &set(n - f - 1..n)));
        }
    }
}

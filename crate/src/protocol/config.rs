//! Cluster configuration and the paper's quorum arithmetic.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::types::{ReplicaId, Seq, View};

/// How many matching votes make a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuorumRule {
    /// Castro–Liskov: 2f prepares from distinct backups, ⌈(n+f+1)/2⌉ commits.
    Paper,
    /// UNSAFE: any vote counts, including the primary's prepare, and more than
    /// n/3 votes are enough. This is the rule of a well-known blog-post
    /// implementation; it exists only so the playground can show safety break.
    Naive,
}

/// Why a [`Config`] was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// `n` was zero or above [`Config::MAX_REPLICAS`].
    ReplicaCount(usize),
    /// The checkpoint interval `K` was zero.
    CheckpointInterval,
    /// The log window `L` was smaller than `K`.
    LogWindow {
        /// The window asked for.
        l: u64,
        /// The checkpoint interval.
        k: u64,
    },
    /// A timeout of zero.
    Timeout(&'static str),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::ReplicaCount(n) => write!(
                f,
                "n must be between 1 and {} replicas, got {n}",
                Config::MAX_REPLICAS
            ),
            ConfigError::CheckpointInterval => f.write_str("checkpoint interval K must be at least 1"),
            ConfigError::LogWindow { l, k } => write!(
                f,
                "log window L ({l}) must be at least the checkpoint interval K ({k})"
            ),
            ConfigError::Timeout(which) => write!(f, "{which} must be greater than zero"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Protocol parameters shared by every replica and client of one cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// Number of replicas.
    pub n: usize,
    /// Checkpoint interval K: a checkpoint is taken at every multiple of K.
    pub checkpoint_interval: u64,
    /// Log window L: sequence numbers are accepted in `(h, h + L]`.
    pub log_window: u64,
    /// Base request / view-change timeout of backups (time units of the driver).
    pub view_change_timeout: u64,
    /// Client retransmission timeout.
    pub client_timeout: u64,
    /// Interval at which an unanswered VIEW-CHANGE is sent again.
    pub view_change_retransmit: u64,
    /// Interval at which a lagging replica asks again for state.
    pub state_retry: u64,
    /// The quorum rule (the paper's unless you want to see safety break).
    pub quorum_rule: QuorumRule,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            n: 4,
            checkpoint_interval: 4,
            log_window: 8,
            view_change_timeout: 1200,
            client_timeout: 1000,
            view_change_retransmit: 600,
            state_retry: 500,
            quorum_rule: QuorumRule::Paper,
        }
    }
}

impl Config {
    /// Largest cluster the playground accepts.
    pub const MAX_REPLICAS: usize = 128;
    /// The view-change timeout stops doubling after this many failed views.
    pub const MAX_BACKOFF_EXP: u32 = 5;

    /// A default configuration for `n` replicas.
    pub fn with_n(n: usize) -> Config {
        Config { n, ..Config::default() }
    }

    /// Checks the parameters.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.n == 0 || self.n > Self::MAX_REPLICAS {
            return Err(ConfigError::ReplicaCount(self.n));
        }
        if self.checkpoint_interval == 0 {
            return Err(ConfigError::CheckpointInterval);
        }
        if self.log_window < self.checkpoint_interval {
            return Err(ConfigError::LogWindow { l: self.log_window, k: self.checkpoint_interval });
        }
        for (name, v) in [
            ("view-change timeout", self.view_change_timeout),
            ("client timeout", self.client_timeout),
            ("view-change retransmit interval", self.view_change_retransmit),
            ("state retry interval", self.state_retry),
        ] {
            if v == 0 {
                return Err(ConfigError::Timeout(name));
            }
        }
        Ok(())
    }

    /// f = ⌊(n−1)/3⌋, the number of faulty replicas tolerated.
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

    /// Matching PREPAREs (own included, from backups only) that make a request prepared.
    pub fn prepare_threshold(&self) -> usize {
        match self.quorum_rule {
            // A quorum minus the primary, whose pre-prepare is its vote.
            QuorumRule::Paper => self.quorum() - 1,
            QuorumRule::Naive => self.naive_threshold(),
        }
    }

    /// Matching COMMITs (own included) that make a request committed-local.
    pub fn commit_threshold(&self) -> usize {
        match self.quorum_rule {
            QuorumRule::Paper => self.quorum(),
            QuorumRule::Naive => self.naive_threshold(),
        }
    }

    /// "More than n/3 votes": ⌊n/3⌋ + 1.
    fn naive_threshold(&self) -> usize {
        self.n / 3 + 1
    }

    /// The primary of view `v`.
    pub fn primary(&self, v: View) -> ReplicaId {
        (v % self.n as u64) as ReplicaId
    }

    /// Whether `seq` is a checkpoint sequence number.
    pub fn is_checkpoint(&self, seq: Seq) -> bool {
        seq > 0 && seq.is_multiple_of(self.checkpoint_interval)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quorum_arithmetic_matches_the_paper() {
        // (n, f, quorum, prepares needed, weak)
        for (n, f, q) in [(1, 0, 1), (2, 0, 2), (3, 0, 2), (4, 1, 3), (5, 1, 4), (6, 1, 4), (7, 2, 5), (10, 3, 7), (13, 4, 9), (16, 5, 11), (64, 21, 43)] {
            let c = Config::with_n(n);
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
            let c = Config::with_n(n);
            // |Q1 ∩ Q2| ≥ 2q − n ≥ f + 1
            assert!(2 * c.quorum() > n + c.f(), "n={n}");
            assert!(c.quorum() <= n - c.f(), "a quorum must be reachable with f silent, n={n}");
        }
    }

    #[test]
    fn naive_rule_is_weaker() {
        let c = Config { quorum_rule: QuorumRule::Naive, ..Config::with_n(4) };
        assert_eq!(c.prepare_threshold(), 2);
        assert_eq!(c.commit_threshold(), 2);
        // Two naive commit quorums need not intersect in an honest replica.
        assert!(2 * c.commit_threshold() < c.n + c.f() + 1);
    }

    #[test]
    fn validation_rejects_bad_values() {
        assert_eq!(Config::with_n(0).validate(), Err(ConfigError::ReplicaCount(0)));
        assert!(Config::with_n(129).validate().is_err());
        let c = Config { checkpoint_interval: 0, ..Config::default() };
        assert_eq!(c.validate(), Err(ConfigError::CheckpointInterval));
        let c = Config { log_window: 2, ..Config::default() };
        assert!(matches!(c.validate(), Err(ConfigError::LogWindow { .. })));
        assert!(Config::default().validate().is_ok());
        assert_eq!(Config::default().primary(5), 1);
    }
}

//! Cluster configuration. The quorum arithmetic it answers for lives in
//! [`super::quorum`]; the methods here only delegate to it.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::quorum::{Certificate, QuorumRule, Quorums, Tally, VoteSet};
use super::types::{ReplicaId, Seq, View};

// Every replica id of the largest cluster fits in a vote set.
const _: () = assert!(Config::MAX_REPLICAS <= VoteSet::CAPACITY);

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
    /// Interval at which an unanswered VIEW-CHANGE is sent again; also the
    /// tick of the normal case's retransmission of PRE-PREPARE, PREPARE and
    /// COMMIT messages not yet acknowledged.
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

    /// The quorums of this cluster under its rule (Castro–Liskov §4).
    pub fn quorums(&self) -> Quorums {
        Quorums::new(self.n, self.quorum_rule)
    }

    /// Whether `votes` make `cert` under the configured rule: see [`Quorums::certifies`].
    pub fn certifies(&self, cert: Certificate, votes: &VoteSet) -> bool {
        self.quorums().certifies(cert, votes)
    }

    /// The votes of `votes` that count toward `cert`, and how many it needs:
    /// see [`Quorums::tally`].
    pub fn tally(&self, cert: Certificate, votes: &VoteSet) -> Tally {
        self.quorums().tally(cert, votes)
    }

    /// f, the number of faulty replicas tolerated: see [`Quorums::f`].
    pub fn f(&self) -> usize {
        self.quorums().f()
    }

    /// The quorum size ⌈(n+f+1)/2⌉: see [`Quorums::quorum`].
    pub fn quorum(&self) -> usize {
        self.quorums().quorum()
    }

    /// f+1, one honest voice: see [`Quorums::weak`].
    pub fn weak(&self) -> usize {
        self.quorums().weak()
    }

    /// PREPAREs that make a request prepared: see [`Quorums::prepare_threshold`].
    pub fn prepare_threshold(&self) -> usize {
        self.quorums().prepare_threshold()
    }

    /// COMMITs that make a request committed-local: see [`Quorums::commit_threshold`].
    pub fn commit_threshold(&self) -> usize {
        self.quorums().commit_threshold()
    }

    /// The primary of view `v`: see [`Quorums::primary`].
    pub fn primary(&self, v: View) -> ReplicaId {
        self.quorums().primary(v)
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

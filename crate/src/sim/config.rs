//! Simulator settings and errors.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::presets::PRESETS;
use super::{Delivery, TimerKind};
use crate::protocol::{Config, ConfigError};

/// Simulator settings. Every field has a documented default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SimConfig {
    /// Protocol parameters (n, K, L, timeouts, quorum rule). Default: n = 4, K = 4, L = 8.
    pub protocol: Config,
    /// Seed of the RNG. Default 1.
    pub seed: u64,
    /// Smallest one-way latency in virtual ms. Default 60.
    pub latency_min: u64,
    /// Largest one-way latency in virtual ms. Default 140.
    pub latency_max: u64,
    /// Probability that a message is lost. Default 0.
    pub loss: f64,
    /// Replica names shown to people. Default `R0`, `R1`, ...
    pub names: Vec<String>,
    /// Number of clients (each with one request outstanding at a time). Default 1.
    pub clients: usize,
    /// How messages arrive and timers fire at the start ([`Delivery::Manual`]:
    /// only when the user says so). Default automatic.
    pub delivery: Delivery,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig { protocol: Config::default(), seed: 1, latency_min: 60, latency_max: 140, loss: 0.0, names: Vec::new(), clients: 1, delivery: Delivery::Auto }
    }
}

impl SimConfig {
    /// Defaults with `n` replicas and `seed`.
    pub fn new(n: usize, seed: u64) -> SimConfig {
        SimConfig { protocol: Config::with_n(n), seed, ..SimConfig::default() }
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<(), SimError> {
        self.protocol.validate().map_err(SimError::Config)?;
        if self.latency_min == 0 || self.latency_min > self.latency_max || self.latency_max > 60_000 {
            return Err(SimError::Latency(self.latency_min, self.latency_max));
        }
        if !(0.0..=1.0).contains(&self.loss) || self.loss.is_nan() {
            return Err(SimError::Loss(self.loss));
        }
        if self.clients == 0 || self.clients > 64 {
            return Err(SimError::Clients(self.clients));
        }
        if !self.names.is_empty() && self.names.len() != self.protocol.n {
            return Err(SimError::Names(format!("{} names for {} replicas", self.names.len(), self.protocol.n)));
        }
        if let Some(bad) = self.names.iter().find(|s| s.trim().is_empty() || s.chars().count() > 24) {
            return Err(SimError::Names(format!("name \"{}\" must be 1 to 24 characters", bad.chars().take(24).collect::<String>())));
        }
        Ok(())
    }
}

/// Why the simulator refused something.
#[derive(Clone, Debug, PartialEq)]
pub enum SimError {
    /// Invalid protocol parameters.
    Config(ConfigError),
    /// Invalid latency range.
    Latency(u64, u64),
    /// Loss rate outside [0, 1].
    Loss(f64),
    /// Continuous load above its highest rate.
    Load(u32),
    /// Bad replica names.
    Names(String),
    /// Client count outside 1..=64.
    Clients(usize),
    /// A replica id out of range.
    NoSuchReplica {
        /// The id given.
        id: i64,
        /// The number of replicas.
        n: usize,
    },
    /// No message with that id is in flight.
    NoSuchMessage(u64),
    /// No such timer is running at that node (node number, timer).
    NoSuchTimer(i64, TimerKind),
    /// An unknown behaviour name.
    Behavior(String),
    /// An unknown preset name.
    Preset(String),
    /// An empty or oversized operation.
    Operation(String),
    /// A partition that is not a list of disjoint groups of replicas.
    Partition(String),
    /// Action `index` of a run's list (in the order given), at `at` ms, cannot be taken.
    InAction {
        /// Its place in the list.
        index: usize,
        /// Its time.
        at: u64,
        /// Why.
        error: Box<SimError>,
    },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Config(e) => write!(f, "invalid config: {e}"),
            SimError::Latency(lo, hi) => write!(f, "invalid latency range {lo}..{hi} ms: need 1 <= min <= max <= 60000"),
            SimError::Loss(p) => write!(f, "loss rate must be between 0 and 1, got {}", decimal(*p)),
            SimError::Load(r) => write!(f, "load must be 0 to {} requests per second, got {r}", super::Action::MAX_LOAD),
            SimError::Names(why) => write!(f, "invalid names: {why}"),
            SimError::Clients(c) => write!(f, "clients must be between 1 and 64, got {c}"),
            SimError::NoSuchReplica { id, n } => write!(f, "no replica {id}: replica ids go from 0 to {}", n.saturating_sub(1)),
            SimError::NoSuchMessage(id) => write!(f, "no message {id} is in flight"),
            SimError::NoSuchTimer(node, timer) => {
                let who = if *node < 0 { format!("client {}", -1 - node) } else { format!("replica {node}") };
                write!(f, "no {timer} timer of {who} is running")
            }
            SimError::Behavior(why) => f.write_str(why),
            SimError::Preset(name) => write!(f, "unknown preset \"{name}\"; expected one of: {}", PRESETS.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")),
            SimError::Operation(why) => write!(f, "invalid operation: {why}"),
            SimError::Partition(why) => write!(f, "invalid partition: {why}"),
            SimError::InAction { index, at, error } => write!(f, "action {index} (at {at} ms): {error}"),
        }
    }
}

impl std::error::Error for SimError {}

/// `x` in decimal, up to nine places (`0.25`, `-3`, `1.5`), written without
/// the float formatting machinery (which would be a tenth of the wasm).
fn decimal(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a >= 1e15 {
        return format!("{sign}{}", a as u128);
    }
    let units = (a * 1e9).round() as u64;
    let (int, frac) = (units / 1_000_000_000, units % 1_000_000_000);
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let frac = format!("{frac:09}");
    format!("{sign}{int}.{}", frac.trim_end_matches('0'))
}

#[cfg(test)]
mod decimal_tests {
    #[test]
    fn decimals_read_as_written() {
        for (x, s) in [(0.25, "0.25"), (-3.0, "-3"), (1.5, "1.5"), (2.0, "2"), (1e20, "100000000000000000000"), (f64::NAN, "NaN"), (-0.000000001, "-0.000000001")] {
            assert_eq!(super::decimal(x), s);
        }
    }
}

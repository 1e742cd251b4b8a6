//! Cluster membership: names, addresses, keys and protocol timeouts.
//!
//! A cluster file is TOML (or JSON, by its `.json` extension):
//!
//! ```toml
//! # Shared secret; the key of each pair of nodes is derived from it and the
//! # two names, unless the pair has its own key under [[keys]].
//! secret = "change me"
//! # How long GET /req waits for f+1 matching replies before answering 503.
//! request_timeout_ms = 10000
//!
//! [protocol]                 # every field optional (milliseconds)
//! checkpoint_interval = 4
//! log_window = 8
//! view_change_timeout = 1200
//! client_timeout = 1000
//! view_change_retransmit = 600
//! state_retry = 500
//!
//! [[nodes]]
//! name = "Apple"
//! addr = "127.0.0.1:1111"
//! # ... one [[nodes]] table per replica; replica i is the i-th table.
//!
//! [[keys]]                   # optional: a pair's own key instead of the derived one
//! pair = ["Apple", "MS"]
//! key = "a long random string"
//! ```
//!
//! Without a file, [`ClusterConfig::four_generals`] is used: Apple, MS,
//! Google and IBM on 127.0.0.1:1111..1114.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;

use crate::protocol::{Config, ReplicaId};

use super::auth::{derive_pair_key, Key};
use super::NodeError;

/// The secret of the built-in demo cluster. Fine on one laptop; set your own
/// `secret` in a cluster file for anything else.
pub const DEMO_SECRET: &str = "pbft-playground demo secret";

/// One member of the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeEntry {
    /// Name, e.g. `Apple`; unique in the cluster (compared case-insensitively).
    pub name: String,
    /// `host:port` where the node listens and its peers reach it.
    pub addr: String,
}

/// An explicitly configured key for one pair of nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairKey {
    /// The two names.
    pub pair: [String; 2],
    /// The key (any string; use a long random one).
    pub key: String,
}

/// Protocol parameters of a cluster file; missing fields keep the node defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtocolOverrides {
    /// Checkpoint interval K.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_interval: Option<u64>,
    /// Log window L.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_window: Option<u64>,
    /// Base view-change (request) timeout, ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view_change_timeout: Option<u64>,
    /// Client retransmission timeout, ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_timeout: Option<u64>,
    /// VIEW-CHANGE retransmission interval, ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view_change_retransmit: Option<u64>,
    /// State-transfer retry interval, ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_retry: Option<u64>,
}

/// A cluster as written in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    /// The cluster secret the pair keys are derived from.
    #[serde(default = "default_secret")]
    pub secret: String,
    /// How long `GET /req` waits for a result (ms) before answering 503.
    #[serde(default = "default_request_timeout")]
    pub request_timeout_ms: u64,
    /// Protocol parameters.
    #[serde(default)]
    pub protocol: ProtocolOverrides,
    /// The replicas, in replica-id order.
    pub nodes: Vec<NodeEntry>,
    /// Keys for particular pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<PairKey>,
}

fn default_secret() -> String {
    DEMO_SECRET.to_string()
}

fn default_request_timeout() -> u64 {
    10_000
}

/// Protocol defaults of the native node: the playground's own defaults
/// ([`Config::default`]: K = 4, L = 8, view-change timeout 1200, client
/// timeout 1000, retransmit 600, state retry 500), read as milliseconds.
/// Each node's client has one request outstanding, so at most n requests
/// are in flight and a short window costs nothing; a short checkpoint
/// interval lets a restarted replica catch up after a few requests.
pub fn node_protocol_defaults(n: usize) -> Config {
    Config::with_n(n)
}

impl ClusterConfig {
    /// The four generals of the classic demo: Apple, MS, Google and IBM on
    /// 127.0.0.1 ports 1111 to 1114.
    pub fn four_generals() -> ClusterConfig {
        let nodes = ["Apple", "MS", "Google", "IBM"]
            .iter()
            .enumerate()
            .map(|(i, name)| NodeEntry { name: name.to_string(), addr: format!("127.0.0.1:{}", 1111 + i) })
            .collect();
        ClusterConfig {
            secret: default_secret(),
            request_timeout_ms: default_request_timeout(),
            protocol: ProtocolOverrides::default(),
            nodes,
            keys: Vec::new(),
        }
    }

    /// Reads a cluster file: JSON if its name ends in `.json`, TOML otherwise.
    pub fn load(path: &Path) -> Result<ClusterConfig, NodeError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| NodeError::Config(format!("cannot read {}: {e}", path.display())))?;
        let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let parsed = if is_json { Self::from_json(&text) } else { Self::from_toml(&text) };
        parsed.map_err(|e| NodeError::Config(format!("{}: {e}", path.display())))
    }

    /// Parses TOML text.
    pub fn from_toml(text: &str) -> Result<ClusterConfig, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim().to_string())
    }

    /// Parses JSON text.
    pub fn from_json(text: &str) -> Result<ClusterConfig, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// The file form, as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot print the config: {e}\n"))
    }

    /// The protocol configuration of this cluster.
    pub fn protocol_config(&self) -> Config {
        let d = node_protocol_defaults(self.nodes.len());
        let p = &self.protocol;
        Config {
            checkpoint_interval: p.checkpoint_interval.unwrap_or(d.checkpoint_interval),
            log_window: p.log_window.unwrap_or(d.log_window),
            view_change_timeout: p.view_change_timeout.unwrap_or(d.view_change_timeout),
            client_timeout: p.client_timeout.unwrap_or(d.client_timeout),
            view_change_retransmit: p.view_change_retransmit.unwrap_or(d.view_change_retransmit),
            state_retry: p.state_retry.unwrap_or(d.state_retry),
            ..d
        }
    }

    /// The same cluster with every protocol parameter written out (for
    /// `--print-config`: a file to edit).
    pub fn with_effective_protocol(mut self) -> ClusterConfig {
        let c = self.protocol_config();
        self.protocol = ProtocolOverrides {
            checkpoint_interval: Some(c.checkpoint_interval),
            log_window: Some(c.log_window),
            view_change_timeout: Some(c.view_change_timeout),
            client_timeout: Some(c.client_timeout),
            view_change_retransmit: Some(c.view_change_retransmit),
            state_retry: Some(c.state_retry),
        };
        self
    }

    /// Index of the node called `name` (case-insensitive), or given by its index.
    pub fn find(&self, name: &str) -> Option<ReplicaId> {
        self.nodes
            .iter()
            .position(|n| n.name.eq_ignore_ascii_case(name))
            .or_else(|| name.parse::<usize>().ok().filter(|&i| i < self.nodes.len()))
    }

    /// Checks the file and resolves it into a [`Cluster`].
    pub fn resolve(&self) -> Result<Cluster, NodeError> {
        let err = |m: String| Err(NodeError::Config(m));
        if self.nodes.is_empty() {
            return err("the cluster has no nodes".into());
        }
        let protocol = self.protocol_config();
        protocol.validate().map_err(|e| NodeError::Config(format!("protocol: {e}")))?;
        if self.secret.is_empty() {
            return err("secret must not be empty".into());
        }
        if self.request_timeout_ms == 0 {
            return err("request_timeout_ms must be greater than zero".into());
        }
        let mut addrs = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let valid_name = !n.name.is_empty()
                && n.name.len() <= 32
                && n.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid_name {
                return err(format!("node {i}: name {:?} must be 1 to 32 letters, digits, '-' or '_'", n.name));
            }
            if n.name.parse::<usize>().is_ok() {
                return err(format!("node {i}: name {:?} must not be a number", n.name));
            }
            if self.nodes[..i].iter().any(|m| m.name.eq_ignore_ascii_case(&n.name)) {
                return err(format!("node name {:?} appears twice", n.name));
            }
            let addr = resolve_addr(&n.addr).map_err(|e| NodeError::Config(format!("node {}: {e}", n.name)))?;
            if addrs.contains(&addr) {
                return err(format!("node {}: address {} is used twice", n.name, n.addr));
            }
            addrs.push(addr);
        }
        let names: Vec<String> = self.nodes.iter().map(|n| n.name.clone()).collect();
        let mut keys: Vec<Vec<Key>> = (0..names.len())
            .map(|a| (0..names.len()).map(|b| derive_pair_key(&self.secret, &names[a], &names[b])).collect())
            .collect();
        for k in &self.keys {
            let (Some(a), Some(b)) = (self.find_name(&k.pair[0]), self.find_name(&k.pair[1])) else {
                return err(format!("[[keys]] names an unknown node: {:?}", k.pair));
            };
            if a == b || k.key.is_empty() {
                return err(format!("[[keys]] {:?}: needs two different nodes and a non-empty key", k.pair));
            }
            let key = Key::from_bytes(k.key.as_bytes());
            keys[a][b] = key.clone();
            keys[b][a] = key;
        }
        Ok(Cluster {
            names,
            addrs,
            host_names: self.nodes.iter().map(|n| n.addr.clone()).collect(),
            keys,
            protocol,
            request_timeout_ms: self.request_timeout_ms,
            demo_secret: self.secret == DEMO_SECRET,
        })
    }

    fn find_name(&self, name: &str) -> Option<ReplicaId> {
        self.nodes.iter().position(|n| n.name.eq_ignore_ascii_case(name))
    }
}

/// Resolves `host:port` to one socket address (IPv4 preferred).
fn resolve_addr(addr: &str) -> Result<SocketAddr, String> {
    let found: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|e| format!("address {addr:?} is not host:port ({e})"))?
        .collect();
    found
        .iter()
        .find(|a| a.is_ipv4())
        .or(found.first())
        .copied()
        .ok_or_else(|| format!("address {addr:?} resolves to nothing"))
}

/// A checked cluster: everything a node needs to know about its peers.
#[derive(Clone)]
pub struct Cluster {
    /// Names, by replica id.
    pub names: Vec<String>,
    /// Resolved addresses, by replica id.
    pub addrs: Vec<SocketAddr>,
    /// Addresses as written, by replica id (for display).
    pub host_names: Vec<String>,
    /// `keys[a][b]`: the key shared by nodes a and b.
    keys: Vec<Vec<Key>>,
    /// Protocol parameters (times in milliseconds).
    pub protocol: Config,
    /// Bound on `GET /req`, ms.
    pub request_timeout_ms: u64,
    /// Whether the keys come from the public demo secret.
    pub demo_secret: bool,
}

impl Cluster {
    /// Number of replicas.
    pub fn n(&self) -> usize {
        self.names.len()
    }

    /// The key shared by `a` and `b`.
    pub fn key(&self, a: ReplicaId, b: ReplicaId) -> &Key {
        &self.keys[a][b]
    }

    /// Index of the node called `name` (case-insensitive).
    pub fn find(&self, name: &str) -> Option<ReplicaId> {
        self.names.iter().position(|n| n.eq_ignore_ascii_case(name))
    }
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print keys.
        f.debug_struct("Cluster")
            .field("names", &self.names)
            .field("addrs", &self.addrs)
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_generals_is_the_default() {
        let c = ClusterConfig::four_generals().resolve().unwrap();
        assert_eq!(c.names, ["Apple", "MS", "Google", "IBM"]);
        assert_eq!(c.addrs[1].port(), 1112);
        assert_eq!(c.find("ibm"), Some(3));
        assert!(c.demo_secret);
        assert_eq!(c.protocol.n, 4);
        // Pair keys are symmetric and differ between pairs.
        assert_eq!(c.key(0, 1), c.key(1, 0));
        assert_ne!(c.key(0, 1), c.key(0, 2));
    }

    #[test]
    fn toml_round_trip_and_overrides() {
        let mut cfg = ClusterConfig::four_generals();
        cfg.protocol.view_change_timeout = Some(500);
        cfg.keys.push(PairKey { pair: ["Apple".into(), "MS".into()], key: "k".into() });
        let text = cfg.to_toml();
        let back = ClusterConfig::from_toml(&text).unwrap();
        assert_eq!(back, cfg);
        let c = back.resolve().unwrap();
        assert_eq!(c.protocol.view_change_timeout, 500);
        assert_eq!(c.protocol.checkpoint_interval, 4);
        assert_eq!(c.key(0, 1), &Key::from_bytes(b"k"));
        assert_ne!(c.key(0, 2), &Key::from_bytes(b"k"));
    }

    #[test]
    fn json_is_accepted() {
        let c = ClusterConfig::from_json(r#"{"nodes":[{"name":"a","addr":"127.0.0.1:9001"}]}"#).unwrap();
        assert_eq!(c.resolve().unwrap().n(), 1);
    }

    #[test]
    fn bad_files_are_refused_with_reasons() {
        let bad = |toml: &str| match ClusterConfig::from_toml(toml) {
            Err(e) => e,
            Ok(c) => match c.resolve() {
                Err(e) => e.to_string(),
                Ok(_) => panic!("accepted: {toml}"),
            },
        };
        assert!(bad("nodes = []").contains("no nodes"));
        assert!(bad("[[nodes]]\nname = \"a\"\naddr = \"nowhere\"").contains("host:port"));
        assert!(bad("[[nodes]]\nname = \"a\"\naddr = \"127.0.0.1:1\"\n[[nodes]]\nname = \"A\"\naddr = \"127.0.0.1:2\"").contains("twice"));
        assert!(bad("[[nodes]]\nname = \"a b\"\naddr = \"127.0.0.1:1\"").contains("letters"));
        assert!(bad("[protocol]\ncheckpoint_interval = 0\n[[nodes]]\nname = \"a\"\naddr = \"127.0.0.1:1\"").contains("checkpoint"));
        assert!(bad("colour = 1\n[[nodes]]\nname = \"a\"\naddr = \"127.0.0.1:1\"").contains("colour"));
        assert!(bad("[[nodes]]\nname = \"a\"\naddr = \"127.0.0.1:1\"\n[[keys]]\npair = [\"a\", \"zz\"]\nkey = \"k\"").contains("unknown node"));
    }
}

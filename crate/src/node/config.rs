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
//! # Its ed25519 public key, 64 hex digits (see "Signature keys" below).
//! public_key = "eb44500052095fa5c4f97b9d28e0c75903fd8f861e377377726697d8a23d215b"
//! # ... one [[nodes]] table per replica; replica i is the i-th table.
//!
//! [[keys]]                   # optional: a pair's own key instead of the derived one
//! pair = ["Apple", "MS"]
//! key = "a long random string"
//! ```
//!
//! # Two kinds of keys
//!
//! - **Pair keys** authenticate the channel: every HTTP message carries an
//!   HMAC-SHA256 under the key of its sender and receiver ([`super::auth`]).
//! - **Signature keys** (ed25519, [`super::keys`]): the messages that enter
//!   certificates (PRE-PREPARE, PREPARE, COMMIT, CHECKPOINT, VIEW-CHANGE,
//!   NEW-VIEW) are signed by their sender, and certificates embed the signed
//!   messages, so a replica can prove to a third what another one said.
//!   Every node knows every node's public key (`public_key` in its
//!   `[[nodes]]` entry); each node alone holds its secret key.
//!
//! A node finds its own secret key, in this order: the file given with
//! `pbft-node --key-file FILE` (one line, 64 hex digits: the 32-byte ed25519
//! seed), a `secret_key = "…"` in its `[[nodes]]` entry (handy for a cluster
//! on one machine, but then the file is a secret of every node), or, as a
//! **demo-only** fallback, a key derived from the cluster `secret` and its
//! name ([`derive_signing_key`]). A node without `public_key` gets the
//! derived key's public key. Derived keys are known to everyone who has the
//! cluster file, so anyone with it can sign as any node: they only keep the
//! built-in four generals and quick test clusters free of key files.
//! `pbft-node --gen-keys` prints the cluster with fresh random keys (and with
//! `--key-dir DIR`, writes one key file per node instead of `secret_key`s).
//! Whatever the source, a secret key must match the node's `public_key`, or
//! the node refuses to start.
//!
//! Without a file, [`ClusterConfig::four_generals`] is used: Apple, MS,
//! Google and IBM on 127.0.0.1:1111..1114, with the demo secret
//! [`DEMO_SECRET`] and signature keys derived from it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;

use crate::protocol::{Config, ReplicaId};

use ed25519_dalek::{SigningKey, VerifyingKey};

use super::auth::{derive_pair_key, Key};
use super::keys::{self, derive_signing_key, Ed25519Keys};
use super::NodeError;

/// The secret of the built-in demo cluster. Fine on one laptop; set your own
/// `secret` in a cluster file for anything else. **Demo only**, like the
/// signature keys derived from it when a cluster file gives none.
pub const DEMO_SECRET: &str = "pbft-playground demo secret";

/// One member of the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeEntry {
    /// Name, e.g. `Apple`; unique in the cluster (compared case-insensitively).
    pub name: String,
    /// `host:port` where the node listens and its peers reach it.
    pub addr: String,
    /// Its ed25519 public key, 64 hex digits. Without it, the node's signing
    /// key derives from the cluster secret (demo only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Its ed25519 secret key (the 32-byte seed), 64 hex digits. Optional:
    /// better kept in the node's own key file (`--key-file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<String>,
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
            .map(|(i, name)| NodeEntry {
                name: name.to_string(),
                addr: format!("127.0.0.1:{}", 1111 + i),
                public_key: None,
                secret_key: None,
            })
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

    /// The same cluster with every node's public key written out, as `cluster`
    /// resolved them (for `--print-config`).
    pub fn with_public_keys(mut self, cluster: &Cluster) -> ClusterConfig {
        for (entry, key) in self.nodes.iter_mut().zip(&cluster.public_keys) {
            entry.public_key = Some(keys::public_hex(key));
        }
        self
    }

    /// The same cluster with fresh random signature keys (`--gen-keys`): a
    /// `public_key` and a `secret_key` for every node, and a fresh `secret`
    /// for the pair keys if it was the public [`DEMO_SECRET`] (another secret
    /// is kept). Also returns the new secret keys, by replica id.
    pub fn with_fresh_keys(mut self) -> Result<(ClusterConfig, Vec<SigningKey>), NodeError> {
        if self.secret == DEMO_SECRET {
            self.secret = super::auth::to_hex(&keys::random_bytes().map_err(NodeError::Config)?);
        }
        let mut secrets = Vec::new();
        for entry in &mut self.nodes {
            let key = keys::fresh_signing_key().map_err(NodeError::Config)?;
            entry.public_key = Some(keys::public_hex(&key.verifying_key()));
            entry.secret_key = Some(keys::secret_hex(&key));
            secrets.push(key);
        }
        Ok((self, secrets))
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
        let mut public_keys = Vec::new();
        let mut secret_keys = Vec::new();
        let mut derived_keys = Vec::new();
        for n in &self.nodes {
            let (public, secret, derived) = self.signature_keys(n).map_err(|e| NodeError::Config(format!("node {}: {e}", n.name)))?;
            if let Some(j) = public_keys.iter().position(|p| *p == public) {
                return err(format!("nodes {} and {} have the same public_key", names[j], n.name));
            }
            public_keys.push(public);
            secret_keys.push(secret);
            derived_keys.push(derived);
        }
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
            public_keys,
            secret_keys,
            derived_keys,
            protocol,
            request_timeout_ms: self.request_timeout_ms,
            demo_secret: self.secret == DEMO_SECRET,
        })
    }

    /// A node's public key, its secret key if the file gives or derives it,
    /// and whether that secret key is the derived (demo-only) one.
    fn signature_keys(&self, n: &NodeEntry) -> Result<(VerifyingKey, Option<SigningKey>, bool), String> {
        let public = n.public_key.as_deref().map(keys::parse_public_key).transpose()?;
        let secret = n.secret_key.as_deref().map(keys::parse_secret_key).transpose()?;
        Ok(match (public, secret) {
            (Some(p), Some(s)) if s.verifying_key() != p => return Err("secret_key does not match its public_key".into()),
            (Some(p), Some(s)) => (p, Some(s), false),
            (None, Some(s)) => (s.verifying_key(), Some(s), false),
            (None, None) => {
                let s = derive_signing_key(&self.secret, &n.name);
                (s.verifying_key(), Some(s), true)
            }
            (Some(p), None) => {
                // The demo key if it is the one the file names; else the
                // node's key file must bring it.
                let s = derive_signing_key(&self.secret, &n.name);
                if s.verifying_key() == p {
                    (p, Some(s), true)
                } else {
                    (p, None, false)
                }
            }
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
    /// Every node's ed25519 public key, by replica id.
    public_keys: Vec<VerifyingKey>,
    /// The ed25519 secret keys the file gives or derives, by replica id.
    secret_keys: Vec<Option<SigningKey>>,
    /// Whether node i's secret key is derived from the cluster secret (demo only).
    derived_keys: Vec<bool>,
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

    /// The ed25519 public key of node `i`.
    pub fn public_key(&self, i: ReplicaId) -> &VerifyingKey {
        &self.public_keys[i]
    }

    /// Whether node `i` signs with the key derived from the cluster secret
    /// (demo only: everyone with the cluster file could sign as it).
    pub fn derived_key(&self, i: ReplicaId) -> bool {
        self.derived_keys[i] && self.secret_keys[i].is_some()
    }

    /// Gives node `me` its secret key from elsewhere (`--key-file`; `origin`
    /// names it in errors). Refused unless it matches the node's public key.
    pub fn set_secret_key(&mut self, me: ReplicaId, key: SigningKey, origin: &str) -> Result<(), NodeError> {
        let public = self.public_keys[me];
        if key.verifying_key() != public {
            return Err(NodeError::Config(format!(
                "{origin} is not the secret key of {}: its public key {} differs from {}'s public_key {} in the cluster file",
                self.names[me],
                keys::public_hex(&key.verifying_key()),
                self.names[me],
                keys::public_hex(&public),
            )));
        }
        self.secret_keys[me] = Some(key);
        self.derived_keys[me] = false;
        Ok(())
    }

    /// The signature keys of node `me`: its secret key and every public key.
    pub fn signer(&self, me: ReplicaId) -> Result<Ed25519Keys, NodeError> {
        let Some(secret) = self.secret_keys[me].clone() else {
            return Err(NodeError::Config(format!(
                "node {} has a public_key but no secret key: start it with --key-file FILE \
                 (pbft-node --gen-keys --key-dir DIR writes one per node)",
                self.names[me]
            )));
        };
        Ed25519Keys::new(me, secret, self.public_keys.clone()).map_err(NodeError::Config)
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
    use crate::protocol::Signer;

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
        // Signature keys: derived from the demo secret, one per node.
        for i in 0..4 {
            assert!(c.derived_key(i));
            assert_eq!(*c.public_key(i), derive_signing_key(DEMO_SECRET, &c.names[i]).verifying_key());
            assert_eq!(c.signer(i).unwrap().id(), i);
        }
        assert_ne!(c.public_key(0), c.public_key(1));
    }

    /// A file entry for node `name` with the given keys.
    fn entry(name: &str, port: u16, public_key: Option<String>, secret_key: Option<String>) -> NodeEntry {
        NodeEntry { name: name.into(), addr: format!("127.0.0.1:{port}"), public_key, secret_key }
    }

    #[test]
    fn printed_public_keys_keep_the_demo_cluster_working() {
        let file = ClusterConfig::four_generals();
        let printed = file.clone().with_public_keys(&file.resolve().unwrap());
        assert!(printed.nodes.iter().all(|n| n.public_key.as_ref().is_some_and(|k| k.len() == 64)));
        let text = printed.to_toml();
        assert!(text.contains("public_key = "), "{text}");
        let c = ClusterConfig::from_toml(&text).unwrap().resolve().unwrap();
        assert!((0..4).all(|i| c.derived_key(i) && c.signer(i).is_ok()));
    }

    #[test]
    fn fresh_keys_parse_and_sign() {
        let (file, secrets) = ClusterConfig::four_generals().with_fresh_keys().unwrap();
        assert_ne!(file.secret, DEMO_SECRET, "the public demo secret is replaced");
        let back = ClusterConfig::from_toml(&file.to_toml()).unwrap();
        assert_eq!(back, file);
        let c = back.resolve().unwrap();
        assert!(!c.demo_secret);
        let signers: Vec<Ed25519Keys> = (0..4).map(|i| c.signer(i).unwrap()).collect();
        for i in 0..4 {
            assert!(!c.derived_key(i));
            assert_eq!(*c.public_key(i), secrets[i].verifying_key());
            let sig = signers[i].sign(b"checkpoint n4");
            assert!(signers[(i + 1) % 4].verify(i, b"checkpoint n4", &sig));
            assert!(!signers[(i + 1) % 4].verify((i + 1) % 4, b"checkpoint n4", &sig));
        }
        // Another secret is kept.
        let mut own = ClusterConfig::four_generals();
        own.secret = "ours".into();
        assert_eq!(own.with_fresh_keys().unwrap().0.secret, "ours");
    }

    #[test]
    fn a_secret_key_from_elsewhere_must_match_the_public_key() {
        let (mut file, secrets) = ClusterConfig::four_generals().with_fresh_keys().unwrap();
        for n in &mut file.nodes {
            n.secret_key = None;
        }
        let mut c = file.resolve().unwrap();
        let e = c.signer(1).unwrap_err().to_string();
        assert!(e.contains("MS has a public_key but no secret key") && e.contains("--key-file"), "{e}");
        let e = c.set_secret_key(1, secrets[2].clone(), "key file x.key").unwrap_err().to_string();
        assert!(e.contains("x.key is not the secret key of MS"), "{e}");
        assert!(c.signer(1).is_err());
        c.set_secret_key(1, secrets[1].clone(), "key file ms.key").unwrap();
        assert_eq!(*c.signer(1).unwrap().public_key(1).unwrap(), secrets[1].verifying_key());
        assert!(!c.derived_key(1));
        // The demo key does not stand in for a real public key.
        assert!(c.signer(0).is_err());
    }

    #[test]
    fn bad_keys_are_refused_with_reasons() {
        let bad = |nodes: Vec<NodeEntry>| {
            let file = ClusterConfig { nodes, ..ClusterConfig::four_generals() };
            match file.resolve() {
                Err(e) => e.to_string(),
                Ok(_) => panic!("accepted: {}", file.to_toml()),
            }
        };
        let a = derive_signing_key("x", "a");
        let b = derive_signing_key("x", "b");
        let (pa, sa) = (keys::public_hex(&a.verifying_key()), keys::secret_hex(&a));
        let pb = keys::public_hex(&b.verifying_key());
        let e = bad(vec![entry("a", 1, Some("xyz".into()), None)]);
        assert!(e.contains("node a: public_key is not hex"), "{e}");
        let e = bad(vec![entry("a", 1, Some(pa[..60].into()), None)]);
        assert!(e.contains("node a: public_key must be 64 hex digits (32 bytes), not 60"), "{e}");
        let e = bad(vec![entry("a", 1, Some(format!("{pa}00")), None)]);
        assert!(e.contains("64 hex digits"), "{e}");
        let e = bad(vec![entry("a", 1, None, Some("nothex".into()))]);
        assert!(e.contains("node a: secret_key is not hex"), "{e}");
        let e = bad(vec![entry("a", 1, Some(pb.clone()), Some(sa.clone()))]);
        assert!(e.contains("node a: secret_key does not match its public_key"), "{e}");
        let e = bad(vec![entry("a", 1, Some(pa.clone()), None), entry("b", 2, Some(pa.clone()), None)]);
        assert!(e.contains("nodes a and b have the same public_key"), "{e}");
        let e = bad(vec![entry("a", 1, Some(format!("01{}", "0".repeat(62))), None)]);
        assert!(e.contains("weak"), "{e}");
        // Good: a public key alone, and a matching pair.
        let file = ClusterConfig {
            nodes: vec![entry("a", 1, Some(pa.clone()), Some(sa)), entry("b", 2, Some(pb), None)],
            ..ClusterConfig::four_generals()
        };
        let c = file.resolve().unwrap();
        assert!(c.signer(0).is_ok() && c.signer(1).is_err());
        // The same keys through TOML.
        let toml = format!("[[nodes]]\nname = \"a\"\naddr = \"127.0.0.1:1\"\npublic_key = \"{pa}\"\n");
        assert_eq!(*ClusterConfig::from_toml(&toml).unwrap().resolve().unwrap().public_key(0), a.verifying_key());
        assert!(ClusterConfig::from_toml(&format!("{toml}public_key = \"{pa}\"\n")).is_err(), "duplicate key");
        assert!(ClusterConfig::from_toml(&format!("{toml}publik_key = \"{pa}\"\n")).unwrap_err().contains("publik_key"));
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

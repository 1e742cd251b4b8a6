//! The same engine over a real network: a replica process speaking PBFT over
//! HTTP (`--features node`, binary `pbft-node`).
//!
//! A node is one replica plus one client. The driver ([`runner`]) owns both
//! state machines and performs their outputs with real time (tokio timers,
//! milliseconds) and real sockets: every `Send` becomes an HTTP request to
//! the peer (`POST /pbft`, a JSON array of messages, HMAC-SHA256 under the
//! pair's key in a header: [`auth`], [`wire`], [`peer`]). The replica signs
//! the messages that enter certificates with its ed25519 key and verifies
//! the others' with their public keys ([`keys`], [`Ed25519Keys`]); which
//! keys those are is in the cluster file ([`ClusterConfig`]). Nothing here decides
//! anything about the protocol: that stays in [`crate::protocol`].
//!
//! ```text
//!  GET /req?op ─► client.submit ─► Send REQUEST ─► POST /pbft ─► primary's replica.on_message
//!  POST /pbft ─► verify MAC ─► replica.on_message / client.on_reply ─► outputs ─► POST /pbft ...
//!  tokio timer ─► replica.on_timer / client.on_timer ─► outputs
//!  f+1 matching replies ─► client Accepted ─► 200 {result, view, seq}
//! ```
//!
//! `GET /events` streams what the node does as the simulator's events
//! ([`stream`]), for the playground's live mode; [`cors`] lets a page from
//! an allowed origin read it.
//!
//! With a data directory ([`NodeOptions::data_dir`], `--data-dir`) the replica
//! is durable ([`wal`]): it logs its inputs and `fsync`s them before it acts on
//! them, and a restarted node replays the log and resumes where it stopped.
//!
//! Without one, a process that is killed loses its state: it restarts as a fresh replica
//! in view 0 and catches up with the protocol's own means. The next stable
//! checkpoint of the others makes it fetch their state (state transfer), and
//! the first old-view message it sends (as soon as a request reaches it)
//! brings it the NEW-VIEW of the current view. Until then it counts as the
//! one faulty replica the cluster tolerates. Its client continues its
//! timestamps from the wall clock, so its new requests are never mistaken
//! for ones executed before the restart.

mod auth;
mod config;
pub mod cors;
mod http;
pub mod keys;
mod peer;
mod runner;
pub mod stream;
pub mod wal;
mod wire;

pub use auth::{derive_pair_key, Key, FROM_HEADER, MAC_HEADER};
pub use config::{node_protocol_defaults, Cluster, ClusterConfig, NodeEntry, PairKey, ProtocolOverrides, DEMO_SECRET};
pub use http::{percent_decode, router, AppState, MAX_OP};
pub use keys::Ed25519Keys;
pub use peer::{error_chain, LinkView};
pub use cors::Cors;
pub use runner::{Answer, ClientStatus, Durability, Event, NoQuorum, Outcome, PeerStatus, Recovered, Runner, Stats, Status, MAX_WAITING};
pub use wire::{decode, encode, Envelope, EnvelopeRef, MAX_BATCH, MAX_BODY, PBFT_PATH};

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::protocol::ReplicaId;

/// Why a node could not start or stopped.
#[derive(Debug)]
pub enum NodeError {
    /// The cluster file is unreadable or invalid.
    Config(String),
    /// The name given is not in the cluster.
    UnknownNode {
        /// The name asked for.
        name: String,
        /// The names in the cluster.
        known: Vec<String>,
    },
    /// The listening socket could not be opened.
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The error.
        error: String,
    },
    /// The server failed.
    Serve(String),
    /// The data directory cannot be used.
    Storage(String),
}

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeError::Config(m) => write!(f, "bad cluster config: {m}"),
            NodeError::UnknownNode { name, known } => {
                write!(f, "no node called {name:?} in the cluster; the nodes are {}", known.join(", "))
            }
            NodeError::Bind { addr, error } => write!(
                f,
                "cannot listen on {addr}: {error} (is another process, perhaps the same node, already using the port?)"
            ),
            NodeError::Serve(m) => write!(f, "server error: {m}"),
            NodeError::Storage(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for NodeError {}

/// Capacity of a node's event queue.
const EVENTS: usize = 16_384;

/// How a node runs, beside its cluster. The default: on its own address,
/// state in memory only, readable by pages from this machine.
#[derive(Clone, Debug, Default)]
pub struct NodeOptions {
    /// Listen here instead of on the node's own address.
    pub listen: Option<SocketAddr>,
    /// Keep the replica's state here (a write-ahead log, [`wal`]); none: in memory only.
    pub data_dir: Option<PathBuf>,
    /// Origins whose pages may read the node.
    pub cors: Cors,
}

/// Runs node `name` of `cluster` until Ctrl-C or SIGTERM.
pub async fn run(cluster: Cluster, name: &str, options: NodeOptions) -> Result<(), NodeError> {
    let listen = options.listen;
    let me: ReplicaId = cluster
        .find(name)
        .or_else(|| name.parse::<usize>().ok().filter(|&i| i < cluster.n()))
        .ok_or_else(|| NodeError::UnknownNode { name: name.to_string(), known: cluster.names.clone() })?;
    let signer = cluster.signer(me)?;
    let cluster = Arc::new(cluster);
    let addr = listen.unwrap_or(cluster.addrs[me]);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| NodeError::Bind { addr, error: e.to_string() })?;
    let local = listener.local_addr().unwrap_or(addr);

    let http = peer::http_client();
    let links = (0..cluster.n())
        .map(|i| {
            (i != me).then(|| {
                peer::Link::spawn(
                    cluster.names[me].clone(),
                    cluster.names[i].clone(),
                    cluster.addrs[i],
                    cluster.key(me, i).clone(),
                    http.clone(),
                )
            })
        })
        .collect();
    let wal = match &options.data_dir {
        Some(dir) => Some(wal::Wal::open(dir, &cluster.names[me]).map_err(NodeError::Storage)?),
        None => None,
    };
    let durable = wal.is_some();
    let (tx, rx) = mpsc::channel(EVENTS);
    let clock = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64);
    let hub = stream::Hub::new();
    let stream_tx = hub.sender();
    tokio::spawn(Runner::new(me, cluster.clone(), links, clock, Arc::new(signer), wal, hub).run(rx));

    let p = &cluster.protocol;
    tracing::info!(
        target: "pbft::node",
        "{} is replica {me} of {} (f = {}), listening on http://{local}; primary of view 0: {}",
        cluster.names[me],
        cluster.n(),
        p.f(),
        cluster.names[p.primary(0)]
    );
    tracing::info!(
        target: "pbft::node",
        "K = {}, L = {}, view-change timeout {} ms, client timeout {} ms, /req bound {} ms; peers: {}",
        p.checkpoint_interval,
        p.log_window,
        p.view_change_timeout,
        p.client_timeout,
        cluster.request_timeout_ms,
        (0..cluster.n()).filter(|&i| i != me).map(|i| format!("{} {}", cluster.names[i], cluster.host_names[i])).collect::<Vec<_>>().join(", ")
    );
    tracing::info!(target: "pbft::node", "signs as ed25519 public key {}", keys::public_hex(cluster.public_key(me)));
    if cluster.demo_secret {
        tracing::info!(target: "pbft::node", "MAC keys derive from the public demo secret; set `secret` in a cluster file for anything but a demo");
    }
    if cluster.derived_key(me) {
        tracing::info!(
            target: "pbft::node",
            "its signing key derives from the cluster secret (demo only: whoever has the cluster file can sign as any node); \
             `pbft-node --gen-keys` makes real keys"
        );
    }
    match &options.data_dir {
        Some(dir) => tracing::info!(target: "pbft::node", "durable: the replica's inputs are logged and fsynced in {} before it acts on them", dir.display()),
        None => tracing::info!(target: "pbft::node", "not durable: the replica's state lives in memory only (--data-dir DIR keeps it)"),
    }
    let origins = options.cors.origins();
    tracing::info!(
        target: "pbft::node",
        "GET /events streams what it does; pages from {} may read it",
        if origins.is_empty() { "no other origin".to_string() } else { origins.join(", ") }
    );
    tracing::info!(target: "pbft::node", "try: curl 'http://{local}/req?warTime=1234'  and  curl http://{local}/status");

    let app = router(AppState { me, cluster: cluster.clone(), events: tx, stream: stream_tx, durable, cors: Arc::new(options.cors) });
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    // No graceful drain: a stopped node is a crashed one as far as its peers
    // can tell (and a durable one has logged everything it acted on).
    tokio::select! {
        r = std::future::IntoFuture::into_future(axum::serve(listener, app)) => r.map_err(|e| NodeError::Serve(e.to_string()))?,
        _ = shutdown_signal() => {}
    }
    tracing::info!(target: "pbft::node", "{} stopped", cluster.names[me]);
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

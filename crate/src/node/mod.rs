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
//! A process that is killed loses its state: it restarts as a fresh replica
//! in view 0 and catches up with the protocol's own means. The next stable
//! checkpoint of the others makes it fetch their state (state transfer), and
//! the first old-view message it sends (as soon as a request reaches it)
//! brings it the NEW-VIEW of the current view. Until then it counts as the
//! one faulty replica the cluster tolerates. Its client continues its
//! timestamps from the wall clock, so its new requests are never mistaken
//! for ones executed before the restart.

mod auth;
mod config;
mod http;
pub mod keys;
mod peer;
mod runner;
mod wire;

pub use auth::{derive_pair_key, Key, FROM_HEADER, MAC_HEADER};
pub use config::{node_protocol_defaults, Cluster, ClusterConfig, NodeEntry, PairKey, ProtocolOverrides, DEMO_SECRET};
pub use http::{percent_decode, router, AppState, MAX_OP};
pub use keys::Ed25519Keys;
pub use peer::{error_chain, LinkView};
pub use runner::{Answer, ClientStatus, Event, NoQuorum, Outcome, PeerStatus, Runner, Stats, Status, MAX_WAITING};
pub use wire::{decode, encode, Envelope, EnvelopeRef, MAX_BATCH, MAX_BODY, PBFT_PATH};

use std::fmt;
use std::net::SocketAddr;
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
        }
    }
}

impl std::error::Error for NodeError {}

/// Capacity of a node's event queue.
const EVENTS: usize = 16_384;

/// Runs node `name` of `cluster` until Ctrl-C or SIGTERM. `listen`
/// overrides the address to listen on (default: the node's own address).
pub async fn run(cluster: Cluster, name: &str, listen: Option<SocketAddr>) -> Result<(), NodeError> {
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
    let (tx, rx) = mpsc::channel(EVENTS);
    let clock = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64);
    tokio::spawn(Runner::new(me, cluster.clone(), links, clock, Arc::new(signer)).run(rx));

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
    tracing::info!(target: "pbft::node", "try: curl 'http://{local}/req?warTime=1234'  and  curl http://{local}/status");

    let app = router(AppState { me, cluster: cluster.clone(), events: tx });
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    // No graceful drain: a replica's state lives in memory only, and a
    // stopped node is a crashed one as far as its peers can tell.
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

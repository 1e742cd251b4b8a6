//! Outgoing links: one queue and one sender task per peer.
//!
//! Messages to a peer leave in the order the state machine produced them.
//! While a request is on its way, later messages queue up and go together in
//! the next request (a batch), so an idle link adds no delay and a busy one
//! needs few round trips. A peer that does not answer loses the messages
//! meant for it, like a lossy network: the protocol retransmits what matters.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

use crate::protocol::{Message, NodeId};

use super::auth::{Key, FROM_HEADER, MAC_HEADER};
use super::wire::{encode, EnvelopeRef, MAX_BATCH, PBFT_PATH};

/// Messages waiting for one peer before new ones are dropped.
const QUEUE: usize = 16_384;
/// Bound on one HTTP exchange with a peer.
const SEND_TIMEOUT: Duration = Duration::from_secs(2);

/// The HTTP client shared by every link of a node.
pub type Http = HttpClient<HttpConnector, Full<Bytes>>;

/// A new HTTP client (keep-alive connections, no Nagle delay).
pub fn http_client() -> Http {
    let mut conn = HttpConnector::new();
    conn.set_nodelay(true);
    conn.set_connect_timeout(Some(Duration::from_secs(1)));
    HttpClient::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(30))
        .build(conn)
}

/// A message on its way out.
#[derive(Debug)]
pub struct Outgoing {
    /// The message's id (its `sent` event's `msg`).
    pub id: u64,
    /// The sending principal (this node's replica or client).
    pub from: NodeId,
    /// The receiving principal.
    pub to: NodeId,
    /// The message.
    pub msg: Message,
}

/// Counters of one link, shown by `GET /status`.
#[derive(Debug, Default)]
pub struct LinkStats {
    delivered: AtomicU64,
    requests: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    up: AtomicBool,
    last_error: Mutex<Option<String>>,
}

/// A snapshot of [`LinkStats`].
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkView {
    /// Whether the last exchange with the peer succeeded.
    pub reachable: bool,
    /// Messages the peer accepted.
    pub delivered: u64,
    /// HTTP requests made (each carries a batch).
    pub requests: u64,
    /// Messages lost because a request failed.
    pub failed: u64,
    /// Messages dropped because the queue was full.
    pub dropped: u64,
    /// The last error, if any.
    pub last_error: Option<String>,
}

impl LinkStats {
    /// A snapshot.
    pub fn view(&self) -> LinkView {
        LinkView {
            reachable: self.up.load(Ordering::Relaxed),
            delivered: self.delivered.load(Ordering::Relaxed),
            requests: self.requests.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            last_error: self.last_error.lock().map(|e| e.clone()).unwrap_or(None),
        }
    }
}

/// The sending end of a link to one peer.
pub struct Link {
    tx: mpsc::Sender<Outgoing>,
    /// Its counters.
    pub stats: Arc<LinkStats>,
}

impl Link {
    /// Starts the sender task of the link from node `me` to `peer` at `addr`.
    pub fn spawn(me: String, peer: String, addr: SocketAddr, key: Key, http: Http) -> Link {
        let (tx, rx) = mpsc::channel(QUEUE);
        let stats = Arc::new(LinkStats::default());
        let uri: Uri = format!("http://{addr}{PBFT_PATH}").parse().expect("a socket address makes a valid URI");
        tokio::spawn(run(rx, LinkCtx { me, peer, addr, key, http, uri, stats: stats.clone() }));
        Link { tx, stats }
    }

    /// Queues a message; false (and counted) when the queue is full.
    pub fn send(&self, m: Outgoing) -> bool {
        match self.tx.try_send(m) {
            Ok(()) => true,
            Err(_) => {
                self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }
}

struct LinkCtx {
    me: String,
    peer: String,
    addr: SocketAddr,
    key: Key,
    http: Http,
    uri: Uri,
    stats: Arc<LinkStats>,
}

async fn run(mut rx: mpsc::Receiver<Outgoing>, ctx: LinkCtx) {
    // None until the first exchange: log the first outcome, then every change.
    let mut up: Option<bool> = None;
    let mut batch: Vec<Outgoing> = Vec::new();
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let refs: Vec<EnvelopeRef<'_>> =
            batch.iter().map(|o| EnvelopeRef { id: o.id, from: o.from, to: o.to, msg: &o.msg }).collect();
        let body = encode(&refs);
        let mac = ctx.key.mac_hex(&body);
        ctx.stats.requests.fetch_add(1, Ordering::Relaxed);
        let count = batch.len() as u64;
        match post(&ctx, body, &mac).await {
            Ok(()) => {
                ctx.stats.delivered.fetch_add(count, Ordering::Relaxed);
                ctx.stats.up.store(true, Ordering::Relaxed);
                if up != Some(true) {
                    tracing::info!(target: "pbft::net", "{} -> {}: connected to {}", ctx.me, ctx.peer, ctx.addr);
                }
                up = Some(true);
            }
            Err(e) => {
                ctx.stats.failed.fetch_add(count, Ordering::Relaxed);
                ctx.stats.up.store(false, Ordering::Relaxed);
                if up != Some(false) {
                    tracing::warn!(
                        target: "pbft::net",
                        "{} -> {}: cannot deliver to {} ({e}); dropping its messages until it answers",
                        ctx.me, ctx.peer, ctx.addr
                    );
                }
                if let Ok(mut last) = ctx.stats.last_error.lock() {
                    *last = Some(e);
                }
                up = Some(false);
            }
        }
        batch.clear();
    }
}

async fn post(ctx: &LinkCtx, body: Vec<u8>, mac: &str) -> Result<(), String> {
    let req = Request::post(ctx.uri.clone())
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(FROM_HEADER, ctx.me.as_str())
        .header(MAC_HEADER, mac)
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let exchange = async {
        let resp = ctx.http.request(req).await.map_err(|e| error_chain(&e))?;
        let status = resp.status();
        let body = resp.into_body().collect().await.map_err(|e| error_chain(&e))?.to_bytes();
        if status.is_success() {
            Ok(())
        } else {
            let text = String::from_utf8_lossy(&body[..body.len().min(200)]).trim().to_string();
            Err(format!("HTTP {status}: {text}"))
        }
    };
    tokio::time::timeout(SEND_TIMEOUT, exchange)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {} s", SEND_TIMEOUT.as_secs())))
}

/// An error and its causes on one line: `client error (Connect): tcp connect error: Connection refused`.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

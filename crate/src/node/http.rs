//! The HTTP face of a node.
//!
//! | route | what |
//! |---|---|
//! | `POST /pbft` | protocol messages from peers (JSON, MAC in `X-Pbft-Mac`); 204, or 401 forged, 400 malformed |
//! | `GET /req?<op>` | run `op` through this node's client: 200 with the result, 503 without a quorum in time |
//! | `GET /status` | this replica's state as JSON |
//! | `GET /events` | what the node does, as Server-Sent Events ([`super::stream`]) |
//! | `GET /` | a short help text |

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::protocol::{ClientId, Message, NodeId};

use super::auth::{FROM_HEADER, MAC_HEADER};
use super::config::Cluster;
use super::cors::{self, Cors};
use super::runner::{Event, Outcome};
use super::stream::{self, Hello};
use super::wire::{decode, MAX_BODY, PBFT_PATH};

/// Longest operation `/req` takes.
pub const MAX_OP: usize = 4096;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// This node.
    pub me: usize,
    /// The cluster.
    pub cluster: Arc<Cluster>,
    /// The driver's queue.
    pub events: mpsc::Sender<Event>,
    /// The driver's published events (`/events`).
    pub stream: broadcast::Sender<Arc<str>>,
    /// Whether the replica keeps its state on disk.
    pub durable: bool,
    /// Who may read the node from a browser.
    pub cors: Arc<Cors>,
}

/// The router of a node.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(PBFT_PATH, post(on_pbft))
        .route("/req", get(on_req))
        .route("/status", get(on_status))
        .route("/events", get(on_events))
        .route("/", get(on_index))
        .fallback(|| async { text(StatusCode::NOT_FOUND, "not found; try GET /, /req?key=value, /status or /events\n".into()) })
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(state.cors.clone(), cors::layer))
        .with_state(state)
}

fn text(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_string_pretty(value) {
        Ok(mut s) => {
            s.push('\n');
            (status, [(header::CONTENT_TYPE, "application/json")], s).into_response()
        }
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot encode the answer: {e}\n")),
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
}

fn error(status: StatusCode, msg: &str) -> Response {
    json(status, &ErrorBody { error: msg })
}

/// `POST /pbft`: authenticate, parse, check the principals, hand to the driver.
async fn on_pbft(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let me = st.cluster.names[st.me].as_str();
    let sender_name = headers.get(FROM_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
    let refuse = |status: StatusCode, why: String| {
        tracing::warn!(target: "pbft::auth", "{me:<13} refused a message (claimed sender {sender_name:?}): {why}");
        error(status, &why)
    };
    let Some(sender) = st.cluster.find(sender_name).filter(|&s| s != st.me) else {
        return refuse(StatusCode::UNAUTHORIZED, format!("unknown sender {sender_name:?} in {FROM_HEADER}"));
    };
    let mac = headers.get(MAC_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !st.cluster.key(sender, st.me).verify_hex(&body, mac) {
        return refuse(StatusCode::UNAUTHORIZED, format!("bad or missing MAC: not authenticated as {}", st.cluster.names[sender]));
    }
    let envs = match decode(&body) {
        Ok(envs) => envs,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("malformed message: {e}")),
    };
    for e in &envs {
        let own = matches!(e.from, NodeId::Replica(i) if i == sender) || matches!(e.from, NodeId::Client(c) if c as usize == sender);
        if !own {
            return refuse(StatusCode::UNAUTHORIZED, format!("{} may not send as {}", st.cluster.names[sender], e.from));
        }
        let for_me = matches!(e.to, NodeId::Replica(i) if i == st.me) || matches!(e.to, NodeId::Client(c) if c as usize == st.me);
        if !for_me {
            return refuse(StatusCode::BAD_REQUEST, format!("message for {} delivered to {me}", e.to));
        }
        // A client speaks only for itself (replicas relay others' requests).
        if let (NodeId::Client(c), Message::Request(r)) = (e.from, &e.msg) {
            if r.client != c as ClientId {
                return refuse(StatusCode::UNAUTHORIZED, format!("client {c} sent a request in the name of client {}", r.client));
            }
        }
    }
    match st.events.try_send(Event::Inbound(envs)) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(mpsc::error::TrySendError::Full(_)) => error(StatusCode::SERVICE_UNAVAILABLE, "overloaded: message queue full"),
        Err(mpsc::error::TrySendError::Closed(_)) => error(StatusCode::SERVICE_UNAVAILABLE, "shutting down"),
    }
}

/// Percent-decodes a query string (`%3D` → `=`); `+` stays `+`.
pub fn percent_decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
            match hex {
                Some(v) => {
                    out.push(v);
                    i += 3;
                    continue;
                }
                None => return Err(format!("bad percent escape at byte {i}")),
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "the operation is not UTF-8".to_string())
}

/// `GET /req?<op>`.
async fn on_req(State(st): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let op = match percent_decode(query.as_deref().unwrap_or("")) {
        Ok(op) => op,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e),
    };
    if op.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "no operation: use /req?key=value to set a key, /req?key to read it");
    }
    if op.len() > MAX_OP || op.chars().any(|c| c.is_control()) {
        return error(StatusCode::BAD_REQUEST, &format!("the operation must be at most {MAX_OP} bytes without control characters"));
    }
    let (tx, rx) = oneshot::channel();
    if st.events.send(Event::Submit { op, reply: tx }).await.is_err() {
        return error(StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    // The driver answers within the request timeout; this is only a backstop.
    let backstop = Duration::from_millis(st.cluster.request_timeout_ms) + Duration::from_secs(5);
    let outcome = match tokio::time::timeout(backstop, rx).await {
        Ok(Ok(o)) => o,
        _ => return error(StatusCode::SERVICE_UNAVAILABLE, "no answer from the replica"),
    };
    let wants_text = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("text/plain"));
    let status = match &outcome {
        Outcome::Accepted(_) => StatusCode::OK,
        Outcome::NoQuorum(_) | Outcome::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
    };
    if wants_text {
        let body = match &outcome {
            Outcome::Accepted(a) => format!(
                "{} (view {}, seq {}, {:.1} ms, replies from {})\n",
                a.result,
                a.view,
                a.seq.map_or("?".to_string(), |s| s.to_string()),
                a.latency_ms,
                a.replicas.join(", ")
            ),
            Outcome::NoQuorum(n) => format!("{}\n", n.error),
            Outcome::Busy { error } => format!("{error}\n"),
        };
        return text(status, body);
    }
    json(status, &outcome)
}

/// `GET /status`.
async fn on_status(State(st): State<AppState>) -> Response {
    let (tx, rx) = oneshot::channel();
    if st.events.send(Event::Status(tx)).await.is_err() {
        return error(StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    match tokio::time::timeout(Duration::from_secs(5), rx).await {
        Ok(Ok(s)) => json(StatusCode::OK, &*s),
        _ => error(StatusCode::SERVICE_UNAVAILABLE, "no answer from the replica"),
    }
}

/// `GET /events`.
async fn on_events(State(st): State<AppState>) -> Response {
    // Subscribed first: whatever the state below already shows, the stream
    // has everything after it.
    let rx = st.stream.subscribe();
    let (tx, status) = oneshot::channel();
    if st.events.send(Event::Status(tx)).await.is_err() {
        return error(StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    let Ok(Ok(status)) = tokio::time::timeout(Duration::from_secs(5), status).await else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "no answer from the replica");
    };
    let c = &st.cluster;
    let hello = Hello {
        node: c.names[st.me].clone(),
        replica: st.me,
        names: c.names.clone(),
        addrs: c.host_names.clone(),
        n: c.n(),
        f: c.protocol.f(),
        time: stream::now_ms(),
        durable: st.durable,
        config: status.config.clone(),
        view: status.summary.view,
        last_executed: status.summary.last_executed,
    };
    stream::sse(&hello, rx).into_response()
}

/// `GET /`.
async fn on_index(State(st): State<AppState>) -> Response {
    let c = &st.cluster;
    let me = &c.names[st.me];
    let mut s = format!(
        "pbft-node {me}: replica {} of {} (f = {}), PBFT by Castro & Liskov\n\n",
        st.me,
        c.n(),
        c.protocol.f()
    );
    s.push_str("  GET /req?warTime=1234   set a key through consensus (f+1 matching replies)\n");
    s.push_str("  GET /req?warTime        read it back (also through consensus)\n");
    s.push_str("  GET /status             this replica's view, log, watermarks and peers (JSON)\n");
    s.push_str("  GET /events             what it does, live (Server-Sent Events, the simulator's events)\n\n");
    s.push_str("cluster:\n");
    for (i, n) in c.names.iter().enumerate() {
        s.push_str(&format!("  {i}  {n:<10} {}{}\n", c.host_names[i], if i == st.me { "  (this node)" } else { "" }));
    }
    text(StatusCode::OK, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("warTime=1234").unwrap(), "warTime=1234");
        assert_eq!(percent_decode("a%3Db%20c+d").unwrap(), "a=b c+d");
        assert!(percent_decode("a%zz").is_err());
        assert!(percent_decode("a%4").is_err());
        assert!(percent_decode("%ff").is_err());
        assert!(percent_decode("%+1").is_err());
    }
}

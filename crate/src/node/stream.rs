//! `GET /events`: what this node does, as Server-Sent Events.
//!
//! The events are the simulator's ([`crate::sim::Event`], the same JSON the
//! page decodes: `{"id", "time", "type": "sent" | "delivered" | "phase" |
//! "executed" | "checkpoint-stable" | "view-change-started" | "view-changed"
//! | "state-transferred" | "submitted" | "retransmitted" | "accepted" |
//! "rejected", ...}`), with real time: `time` is milliseconds since the Unix
//! epoch. A message's `msg` id is given by its sender and travels with it, so
//! the `delivered` event at the receiver names the `sent` event at the sender
//! (ids are unique per sending node; a restarted node starts them from its
//! start time in microseconds). `deliverAt` of a `sent` event is its `time`
//! (nobody knows when a real message arrives). `fired` says a timer went off
//! (`{"node", "timer": "view-change" | "retransmit" | "fetch"}`; a client's
//! request timer is `retransmit`), as the simulator says of a timer fired in
//! manual delivery: with the deliveries, it is all a replay needs.
//!
//! The first event of a stream is `event: hello` with the node, the cluster's
//! names and `n`, `f`; then one unnamed event per engine event. The buffer
//! is bounded: a client too slow to keep up misses events and gets `event:
//! lagged` with `{"missed": k}` instead of holding memory.

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use serde::Serialize;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::broadcast;

use crate::sim::{Event, EventKind};

/// Events buffered for the slowest subscriber before it lags.
pub const STREAM_BUFFER: usize = 4096;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// The driver's side: numbers, stamps and publishes events.
pub struct Hub {
    tx: broadcast::Sender<Arc<str>>,
    next: u64,
}

impl Hub {
    /// A hub with a bounded buffer.
    pub fn new() -> Hub {
        Hub { tx: broadcast::channel(STREAM_BUFFER).0, next: 0 }
    }

    /// Where `/events` subscribes.
    pub fn sender(&self) -> broadcast::Sender<Arc<str>> {
        self.tx.clone()
    }

    /// Whether anybody listens (events are only made then).
    pub fn listening(&self) -> bool {
        self.tx.receiver_count() > 0
    }

    /// Publishes the event `kind()` makes, if anybody listens.
    pub fn emit(&mut self, kind: impl FnOnce() -> EventKind) {
        if !self.listening() {
            return;
        }
        self.next += 1;
        let ev = Event { id: self.next, time: now_ms(), kind: kind() };
        if let Ok(s) = serde_json::to_string(&ev) {
            let _ = self.tx.send(s.into());
        }
    }
}

impl Default for Hub {
    fn default() -> Hub {
        Hub::new()
    }
}

/// The first event of a stream: who is speaking.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Hello {
    /// This node's name.
    pub node: String,
    /// Its replica id.
    pub replica: usize,
    /// The cluster's node names, by replica id.
    pub names: Vec<String>,
    /// The cluster's addresses (host:port), by replica id.
    pub addrs: Vec<String>,
    /// Cluster size.
    pub n: usize,
    /// Faults tolerated.
    pub f: usize,
    /// Milliseconds since the Unix epoch.
    pub time: u64,
    /// Whether the replica keeps its state on disk (`--data-dir`).
    pub durable: bool,
    /// The protocol's parameters (K, L, timeouts).
    pub config: crate::protocol::Config,
    /// The replica's view now.
    pub view: crate::protocol::View,
    /// Its last executed sequence number now.
    pub last_executed: crate::protocol::Seq,
}

/// The SSE response for one subscriber.
pub fn sse(hello: &Hello, rx: broadcast::Receiver<Arc<str>>) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let first = SseEvent::default().event("hello").data(serde_json::to_string(hello).unwrap_or_default());
    let rest = items(rx).map(|item| match item {
        Item::Event(s) => SseEvent::default().data(&*s),
        Item::Lagged(k) => SseEvent::default().event("lagged").data(format!("{{\"missed\":{k}}}")),
    });
    Sse::new(stream::once(async move { first }).chain(rest).map(Ok)).keep_alive(KeepAlive::default())
}

/// What a subscriber gets.
#[derive(Debug, PartialEq)]
enum Item {
    /// One event (JSON).
    Event(Arc<str>),
    /// The subscriber fell behind and missed this many events.
    Lagged(u64),
}

/// A subscriber's events, until the driver stops.
fn items(rx: broadcast::Receiver<Arc<str>>) -> impl Stream<Item = Item> {
    stream::unfold(rx, |mut rx| async move {
        let item = match rx.recv().await {
            Ok(s) => Item::Event(s),
            Err(broadcast::error::RecvError::Lagged(k)) => Item::Lagged(k),
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((item, rx))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_slow_subscriber_misses_events_instead_of_holding_them() {
        let mut hub = Hub::new();
        // Nobody listens: nothing is even made.
        hub.emit(|| unreachable!("no subscriber, no event"));
        let rx = hub.sender().subscribe();
        let extra = 10;
        for seq in 0..(STREAM_BUFFER + extra) as u64 {
            hub.emit(|| EventKind::CheckpointStable { replica: 0, seq });
        }
        drop(hub);
        let got: Vec<Item> = items(rx).collect().await;
        assert_eq!(got.len(), 1 + STREAM_BUFFER, "the buffer holds the newest, and one notice");
        assert_eq!(got[0], Item::Lagged(extra as u64));
        let Item::Event(first) = &got[1] else { panic!("{:?}", got[1]) };
        let v: serde_json::Value = serde_json::from_str(first).unwrap();
        assert_eq!(v["type"], "checkpoint-stable");
        assert_eq!(v["seq"], extra);
        assert_eq!(v["id"], extra + 1);
    }
}

//! The wire format: `POST /pbft` with a JSON array of envelopes.
//!
//! ```json
//! [{"id": 1733150000123456,
//!   "from": {"type": "replica", "id": 0},
//!   "to":   {"type": "replica", "id": 1},
//!   "msg":  {"kind": "prepare", "view": 0, "seq": 3, "digest": 123, "replica": 0}}]
//! ```
//!
//! A node sends the messages queued for one peer in one request (a batch of
//! one when the link is idle), in the order they were produced. A node is
//! two principals: its replica (`replica`, id = its index) and its client
//! (`client`, id = its index).

use serde::{Deserialize, Serialize};

use crate::protocol::{Message, NodeId};

/// Path of the message endpoint.
pub const PBFT_PATH: &str = "/pbft";
/// Largest body a node accepts (a STATE message carries the whole store).
pub const MAX_BODY: usize = 16 << 20;
/// Most envelopes in one request.
pub const MAX_BATCH: usize = 512;

/// One message on the wire (owned, for receiving).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Envelope {
    /// The sender's id of the message (what its `/events` called it; 0 if none).
    #[serde(default)]
    pub id: u64,
    /// The sending principal.
    pub from: NodeId,
    /// The receiving principal.
    pub to: NodeId,
    /// The message.
    pub msg: Message,
}

/// One message on the wire (borrowed, for sending).
#[derive(Serialize)]
pub struct EnvelopeRef<'a> {
    /// The sender's id of the message.
    pub id: u64,
    /// The sending principal.
    pub from: NodeId,
    /// The receiving principal.
    pub to: NodeId,
    /// The message.
    pub msg: &'a Message,
}

/// Parses a request body: an array of envelopes, or one envelope.
pub fn decode(body: &[u8]) -> Result<Vec<Envelope>, String> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let envs: Vec<Envelope> = match first {
        Some(b'{') => vec![serde_json::from_slice(body).map_err(|e| e.to_string())?],
        _ => serde_json::from_slice(body).map_err(|e| e.to_string())?,
    };
    if envs.is_empty() {
        return Err("no messages".into());
    }
    if envs.len() > MAX_BATCH {
        return Err(format!("{} messages in one request (at most {MAX_BATCH})", envs.len()));
    }
    Ok(envs)
}

/// Encodes a batch.
pub fn encode(batch: &[EnvelopeRef<'_>]) -> Vec<u8> {
    // Serializing plain data to a Vec cannot fail.
    serde_json::to_vec(batch).unwrap_or_default()
}

/// The node index behind a principal.
pub fn node_of(id: NodeId) -> usize {
    match id {
        NodeId::Replica(i) => i,
        NodeId::Client(c) => c as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Digest, ModelKeys, Prepare, Sig};

    #[test]
    fn round_trip_and_errors() {
        let msg = Message::Prepare(ModelKeys::signed_as(0, Prepare { view: 0, seq: 3, digest: Digest(7), replica: 0, sig: Sig::default() }));
        let body = encode(&[EnvelopeRef { id: 9, from: NodeId::Replica(0), to: NodeId::Replica(1), msg: &msg }]);
        let text = String::from_utf8(body.clone()).unwrap();
        assert!(text.contains(r#""kind":"prepare""#), "{text}");
        let back = decode(&body).unwrap();
        assert_eq!(back, vec![Envelope { id: 9, from: NodeId::Replica(0), to: NodeId::Replica(1), msg }]);
        // A single object is accepted too.
        let one = &text[1..text.len() - 1];
        assert_eq!(decode(one.as_bytes()).unwrap().len(), 1);
        assert!(decode(b"[]").is_err());
        assert!(decode(b"{").is_err());
        assert!(decode(br#"[{"from":{"type":"replica","id":0},"to":{"type":"replica","id":1},"msg":{"kind":"bogus"}}]"#).is_err());
    }

    /// A state crosses the wire with its chunks as they were, so its digest
    /// (which covers them) is the sender's; a client's request keeps its signature.
    #[test]
    fn a_state_and_a_signed_request_cross_the_wire_intact() {
        use crate::protocol::{AppState, Request, StateReply};
        let mut state = AppState::default();
        for i in 0..500u32 {
            state.apply(i % 5, u64::from(i) + 1, &format!("k{}={i}", (i * 37) % 311).into());
        }
        let digest = state.digest();
        let msg = Message::State(Box::new(StateReply { seq: 0, state, proof: Vec::new(), replica: 1 }));
        let back = decode(&encode(&[EnvelopeRef { id: 1, from: NodeId::Replica(1), to: NodeId::Replica(2), msg: &msg }])).unwrap();
        let Message::State(mut s) = back[0].msg.clone() else { panic!("a STATE") };
        s.state.rehash();
        assert!(s.state.is_canonical());
        assert_eq!(s.state.digest(), digest);
        let req = Request::new("x=1", 3, 2).signed(&*ModelKeys::client(2));
        let msg = Message::Request(req.clone());
        let back = decode(&encode(&[EnvelopeRef { id: 2, from: NodeId::Client(2), to: NodeId::Replica(0), msg: &msg }])).unwrap();
        let Message::Request(r) = &back[0].msg else { panic!("a REQUEST") };
        assert!(r.signed_by_client(&*ModelKeys::of(0)));
        assert_eq!(r, &req);
    }
}

//! Events across the boundary in one batch: numbers in one array, strings in
//! one string, and the few events with nested data (rejected, fault, violation)
//! as objects. `crate/js/events.js` turns the batch into the plain objects the
//! JS API returns: the same objects, field for field, as serializing each
//! event with serde would give (a test checks), plus each sent message's
//! label (`PP v0 n1 a3f2`). Serializing field by field crossed the boundary
//! for every key and every string; this crosses it three times a batch.
//!
//! Layout: per event `[type, id, time, ...fields]`, the fields by type as
//! `encode` writes them and `decodeEvents` reads them. An absent number is
//! -1; a digest is its short form's 16 bits, -2 for the null request's and -1
//! for none; a string is its length in UTF-16 units (-1: none) and its text
//! the next piece of the batch's string; a node is its node number.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::to_js;
use crate::protocol::{Digest, NodeId};
use crate::sim::{node_number, Codes, Event, EventKind};

#[wasm_bindgen(module = "/js/events.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = decodeEvents)]
    fn decode_events(nums: &[f64], text: &str, rich: &Array, codes: &JsValue) -> Result<JsValue, JsValue>;
}

/// The marker of an event sent as an object (its index in the batch's list follows).
const RICH: f64 = -1.0;

thread_local! {
    /// The names the decoder gives type, kind, phase and drop-reason numbers.
    static CODES: Result<JsValue, String> = to_js(&Codes::all()).map_err(|e| format!("{e:?}"));
}

/// A batch being written.
#[derive(Default)]
struct Batch {
    nums: Vec<f64>,
    text: String,
    rich: Vec<JsValue>,
}

impl Batch {
    fn num(&mut self, x: impl Into<f64>) {
        self.nums.push(x.into());
    }
    fn opt(&mut self, x: Option<u64>) {
        self.nums.push(x.map_or(-1.0, |x| x as f64));
    }
    fn node(&mut self, n: NodeId) {
        self.nums.push(node_number(n) as f64);
    }
    fn digest(&mut self, d: Option<Digest>) {
        self.nums.push(match d {
            None => -1.0,
            Some(d) => d.short_bits().map_or(-2.0, f64::from),
        });
    }
    fn str(&mut self, s: Option<&str>) {
        match s {
            None => self.nums.push(-1.0),
            Some(s) => {
                let units = if s.is_ascii() { s.len() } else { s.encode_utf16().count() };
                self.nums.push(units as f64);
                self.text.push_str(s);
            }
        }
    }

    fn event(&mut self, e: &Event) -> Result<(), JsError> {
        use EventKind as K;
        if let K::Rejected { .. } | K::Fault { .. } | K::Violation { .. } = e.kind {
            self.num(RICH);
            self.num(self.rich.len() as f64);
            self.rich.push(rich(e)?);
            return Ok(());
        }
        self.num(e.kind.type_index() as f64);
        self.num(e.id as f64);
        self.num(e.time as f64);
        match &e.kind {
            K::Sent { msg, from, to, kind, view, seq, digest, deliver_at, timestamp, text, count } => {
                self.num(*msg as f64);
                self.node(*from);
                self.node(*to);
                self.num(*kind as u8);
                self.opt(*view);
                self.opt(*seq);
                self.digest(*digest);
                self.num(*deliver_at as f64);
                self.opt(*timestamp);
                self.str(text.as_deref());
                self.opt(count.map(u64::from));
            }
            K::Delivered { msg, from, to, kind } => {
                self.num(*msg as f64);
                self.node(*from);
                self.node(*to);
                self.num(*kind as u8);
            }
            K::Dropped { msg, from, to, kind, reason } => {
                self.num(*msg as f64);
                self.node(*from);
                self.node(*to);
                self.num(*kind as u8);
                self.num(*reason as u8);
            }
            K::Phase { replica, view, seq, digest, phase } => {
                self.num(*replica as f64);
                self.num(*view as f64);
                self.num(*seq as f64);
                self.digest(Some(*digest));
                self.num(*phase as u8);
            }
            K::Executed { replica, seq, digest, op, timestamp, result } => {
                self.num(*replica as f64);
                self.num(*seq as f64);
                self.digest(Some(*digest));
                self.str(op.as_deref());
                self.opt(*timestamp);
                self.str(result.as_deref());
            }
            K::CheckpointStable { replica, seq } => {
                self.num(*replica as f64);
                self.num(*seq as f64);
            }
            K::ViewChangeStarted { replica, view, was_primary } => {
                self.num(*replica as f64);
                self.num(*view as f64);
                self.num(u8::from(*was_primary));
            }
            K::ViewChanged { replica, view, primary } => {
                self.num(*replica as f64);
                self.num(*view as f64);
                self.num(*primary as f64);
            }
            K::StateTransferred { replica, seq, from } => {
                self.num(*replica as f64);
                self.num(*seq as f64);
                self.num(*from as f64);
            }
            K::Submitted { client, timestamp, op } => {
                self.num(*client);
                self.num(*timestamp as f64);
                self.str(Some(op));
            }
            K::Retransmitted { client, timestamp, attempt } => {
                self.num(*client);
                self.num(*timestamp as f64);
                self.num(*attempt);
            }
            K::Accepted { client, timestamp, op, result, view, replicas } => {
                self.num(*client);
                self.num(*timestamp as f64);
                self.str(Some(op));
                self.str(Some(result));
                self.num(*view as f64);
                self.num(replicas.len() as f64);
                for r in replicas {
                    self.num(*r as f64);
                }
            }
            K::Picked { msg, from, to, kind } => {
                self.num(*msg as f64);
                self.node(*from);
                self.node(*to);
                self.num(*kind as u8);
            }
            K::Fired { node, timer } => {
                self.node(*node);
                self.num(*timer as u8);
            }
            // Sent as objects, above.
            K::Rejected { .. } | K::Fault { .. } | K::Violation { .. } => {}
        }
        Ok(())
    }
}

/// A rejected, fault or violation event as the object serde would make of it
/// (`{ id, time, type, ...fields }`, a test checks), built here so that the
/// module carries no serializer for every kind of event (and none for its
/// flattening into the event), only for the nested parts.
fn rich(e: &Event) -> Result<JsValue, JsError> {
    let o = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        js_sys::Reflect::set(&o, &JsValue::from_str(k), &v).map(drop).map_err(|_| JsError::new("events: an event object could not be built"))
    };
    let num = |x: Option<f64>| x.map_or(JsValue::UNDEFINED, JsValue::from_f64);
    set("id", JsValue::from_f64(e.id as f64))?;
    set("time", JsValue::from_f64(e.time as f64))?;
    set("type", JsValue::from_str(e.kind.type_name()))?;
    match &e.kind {
        EventKind::Rejected { node, from, reason, msg } => {
            set("node", JsValue::from_f64(node_number(*node) as f64))?;
            set("from", JsValue::from_f64(node_number(*from) as f64))?;
            set("reason", to_js(reason)?)?;
            set("msg", num(msg.map(|m| m as f64)))?;
        }
        EventKind::Fault { action, replica } => {
            set("action", to_js(action)?)?;
            set("replica", num(replica.map(|r| r as f64)))?;
        }
        EventKind::Violation { violation } => set("violation", to_js(violation)?)?,
        _ => return Err(JsError::new("events: only rejected, fault and violation events are sent as objects")),
    }
    Ok(o.into())
}

/// `events` as the JS API returns them: an array of plain objects.
pub(super) fn to_js_events(events: &[Event]) -> Result<JsValue, JsError> {
    let mut b = Batch { nums: Vec::with_capacity(events.len() * 10), ..Batch::default() };
    for e in events {
        b.event(e)?;
    }
    let rich: Array = b.rich.into_iter().collect();
    CODES.with(|codes| match codes {
        Ok(codes) => decode_events(&b.nums, &b.text, &rich, codes).map_err(|e| JsError::new(&super::thrown(&e))),
        Err(e) => Err(JsError::new(e)),
    })
}

//! The JavaScript API: a thin `#[wasm_bindgen]` facade over [`crate::sim`].
//!
//! Conversions and argument checks only. Every argument is checked here
//! before the engine sees it, and nothing a caller passes can trap:
//!
//! - a wrong type or value throws an `Error` that names the method, the
//!   parameter and what it needs (`crash: replica must be a whole number from
//!   0 to 3, got 7 (no replica 7)`). Values are never coerced: `"2"`, `true`
//!   and `null` are not numbers here, as they would be for an `f64` parameter;
//! - user code inside an argument (a getter, a Proxy trap) runs only through
//!   calls that catch what it throws, so Rust always returns normally and the
//!   simulation stays usable (an exception unwinding through Rust would leave
//!   the object borrowed for ever);
//! - every call does bounded work: virtual time ends at [`MAX_TIME`], strings
//!   and lists are measured before they are copied, and a call that runs the
//!   engine past the furthest time the run has reached stops after
//!   [`MAX_EVENTS`] events, [`MAX_INSTANTS`] instants or [`MAX_WORK`] units
//!   of work (messages weighed by what they carry) of new run.

use serde::Serialize;
use std::fmt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use js_sys::{Array, JsString, Reflect};

mod actions;
mod events;
#[cfg(feature = "explore")]
mod explore;

use crate::protocol::{Config, QuorumRule};
use crate::sim::{self, Action, Behavior, Codes, Delivery, Event, ParamDef, Params, SimConfig, SimError, TimedAction, TimerKind, PRESETS};

// ----- limits -------------------------------------------------------------

/// The latest virtual time in ms, `Number.MAX_SAFE_INTEGER`: `now` and every
/// time in an event stay exact JS numbers.
pub const MAX_TIME: u64 = 9_007_199_254_740_991;
/// Most events of new run (past the furthest time the run has reached) one
/// call records before it stops.
pub const MAX_EVENTS: usize = 500_000;
/// Most instants of new run one call processes before it stops.
pub const MAX_INSTANTS: usize = 250_000;
/// Most work of new run one call does before it stops ([`sim::Simulation::work`]:
/// a unit per message sent or handled and per signed message inside it). A
/// run of requests reaches [`MAX_EVENTS`] first (about 0.7 units an event); in
/// a large cluster's view change one NEW-VIEW weighs thousands.
pub const MAX_WORK: u64 = 1_000_000;
/// Most events `seek(t, true, since)` returns.
pub const MAX_SEEK_EVENTS: usize = 2_000_000;
/// Most entries of the `actions` option.
pub const MAX_ACTIONS: usize = 100_000;
/// Largest checkpoint interval K and log window L (the protocol keeps
/// buffers a few windows long per sender).
pub const MAX_WINDOW: u64 = 1024;
/// Longest string (in UTF-16 units) inside nested data (an action).
const MAX_STRING: u32 = 1_000;

// ----- errors ---------------------------------------------------------------

/// Why an argument was refused: the message of the thrown `Error`.
#[derive(Debug)]
struct Refusal(String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

type Checked<T> = Result<T, Refusal>;

fn fail<T>(msg: String) -> Checked<T> {
    Err(Refusal(msg))
}

/// The engine's refusal, after the name of the method.
fn by(method: &'static str) -> impl Fn(SimError) -> Refusal {
    move |e| Refusal(format!("{method}: {e}"))
}

/// A refusal with `prefix` before it.
fn prefixed(prefix: &str) -> impl Fn(Refusal) -> Refusal + '_ {
    move |r| Refusal(format!("{prefix}{}", r.0))
}

/// Plain data for JS: written as JSON text here, built by one `JSON.parse` there (a field
/// without a value is `null`). Smaller and faster than setting each key from wasm.
fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(v).map_err(|_| JsError::new("a value the engine could not write as JSON"))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("unreadable JSON"))
}

// ----- reading JS values without coercing or trusting them -------------------

#[wasm_bindgen]
extern "C" {
    /// `Array.isArray`, catching what a revoked Proxy throws.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(v: &JsValue) -> Result<bool, JsValue>;
    /// `Object.keys`, catching what a Proxy trap throws.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(v: &JsValue) -> Result<Array, JsValue>;
    /// `Object.getPrototypeOf`, catching what a Proxy trap throws.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = getPrototypeOf)]
    fn prototype_of(v: &JsValue) -> Result<JsValue, JsValue>;
}

/// A number as JS writes it (`NaN`, `Infinity`, `-0`, `1e+300`), by JS
/// itself (Rust's float formatting is a tenth of the wasm's code).
fn show(x: f64) -> String {
    if x == 0.0 && x.is_sign_negative() {
        "-0".into()
    } else {
        js_sys::Number::from(x).to_string_with_radix(10).map(String::from).unwrap_or_else(|_| "a number".into())
    }
}

/// What a JS value is, for a message: `number 7`, `string "x"`, `boolean
/// true`, `null`, `undefined`, `array`, `object`, `function`, `symbol`, `bigint`.
fn got(v: &JsValue) -> String {
    if let Some(x) = v.as_f64() {
        return format!("number {}", show(x));
    }
    if let Some(b) = v.as_bool() {
        return format!("boolean {b}");
    }
    if v.is_null() {
        return "null".into();
    }
    if v.is_undefined() {
        return "undefined".into();
    }
    if let Some(s) = v.dyn_ref::<JsString>() {
        return match s.length() {
            0 => "empty string".into(),
            1..=40 => format!("string {:?}", String::from(s)),
            len => format!("string of {len} characters"),
        };
    }
    if v.is_function() {
        "function".into()
    } else if v.is_symbol() {
        "symbol".into()
    } else if v.is_bigint() {
        "bigint".into()
    } else if is_array(v) == Ok(true) {
        "array".into()
    } else {
        "object".into()
    }
}

/// The message of what JS threw, clipped.
fn thrown(e: &JsValue) -> String {
    thrown_within(e, 200)
}

/// What `e` says, as [`thrown`], with messages of up to `max` characters kept whole.
fn thrown_within(e: &JsValue, max: u32) -> String {
    let text = |s: &JsString| if s.length() <= max { String::from(s) } else { format!("a message of {} characters", s.length()) };
    if let Some(s) = e.dyn_ref::<JsString>() {
        return text(s);
    }
    if e.is_object() {
        if let Some(m) = Reflect::get(e, &JsValue::from_str("message")).ok().and_then(|m| m.dyn_ref::<JsString>().map(text)) {
            return m;
        }
    }
    got(e)
}

/// `v[key]`; what a getter or a Proxy trap throws becomes the refusal.
fn get(v: &JsValue, key: &JsValue, what: &dyn Fn() -> String) -> Checked<JsValue> {
    Reflect::get(v, key).map_err(|e| Refusal(format!("reading {} threw: {}", what(), thrown(&e))))
}

/// The elements of `v` if it is an array (of at most `max`); None if it is not one.
fn array_items(v: &JsValue, max: usize, what: &dyn Fn() -> String) -> Checked<Option<Vec<JsValue>>> {
    if !v.is_object() || !is_array(v).map_err(|e| Refusal(format!("reading {} threw: {}", what(), thrown(&e))))? {
        return Ok(None);
    }
    let len = get(v, &JsValue::from_str("length"), what)?.as_f64().unwrap_or(f64::NAN);
    if !(len >= 0.0 && len.fract() == 0.0 && len <= max as f64) {
        return fail(format!("{} must have at most {max} entries, got {}", what(), show(len)));
    }
    (0..len as u32).map(|i| get(v, &JsValue::from(i), &|| format!("{}[{i}]", what()))).collect::<Checked<_>>().map(Some)
}

/// The own enumerable keys of the object `v` (at most `max`); a key longer
/// than `MAX_STRING` comes back empty.
fn keys(v: &JsValue, max: usize, what: &dyn Fn() -> String) -> Checked<Vec<String>> {
    let keys = object_keys(v).map_err(|e| Refusal(format!("reading {} threw: {}", what(), thrown(&e))))?;
    if keys.length() as usize > max {
        return fail(format!("{} must have at most {max} fields, got {}", what(), keys.length()));
    }
    Ok(keys.iter().map(|k| k.dyn_ref::<JsString>().filter(|s| s.length() <= MAX_STRING).map(String::from).unwrap_or_default()).collect())
}

/// The enumerable string keys of an object and of its prototypes below
/// `Object.prototype` (what `for ... in` visits: `Object.create({ every: 5 })`
/// has `every`), at most `max` in all, each once.
fn inherited_keys(v: &JsValue, max: usize, what: &dyn Fn() -> String) -> Checked<Vec<String>> {
    let threw = |e: JsValue| Refusal(format!("reading {} threw: {}", what(), thrown(&e)));
    let root = prototype_of(&js_sys::Object::new()).map_err(threw)?;
    let mut all = keys(v, max, what)?;
    let mut at = prototype_of(v).map_err(threw)?;
    // A chain of prototypes is finite, but may be long: 32 levels are read.
    for _ in 0..32 {
        if at.is_null() || !at.is_object() || at == root {
            break;
        }
        for key in keys(&at, max, what)? {
            if !all.contains(&key) {
                all.push(key);
            }
        }
        if all.len() > max {
            return fail(format!("{} must have at most {max} fields, got more", what()));
        }
        at = prototype_of(&at).map_err(threw)?;
    }
    Ok(all)
}

/// A plain object (not an array, not a function), checked without trusting it.
fn is_plain_object(v: &JsValue, what: &dyn Fn() -> String) -> Checked<bool> {
    Ok(v.is_object() && !is_array(v).map_err(|e| Refusal(format!("reading {} threw: {}", what(), thrown(&e))))?)
}

/// A number argument (`need` says what it must be).
fn number(v: &JsValue, what: &str, need: &str) -> Checked<f64> {
    match v.as_f64() {
        Some(x) => Ok(x),
        None => fail(format!("{what} must be {need}, got {}", got(v))),
    }
}

/// A whole number from `lo` to `hi` (at most `MAX_TIME`); `unit` follows
/// "whole number" in the message (" of virtual ms").
fn whole_in(v: &JsValue, what: &str, lo: u64, hi: u64, unit: &str) -> Checked<u64> {
    let need = format!("a whole number{unit} from {lo} to {hi}");
    let x = number(v, what, &need)?;
    if x.is_finite() && x.fract() == 0.0 && x >= lo as f64 && x <= hi as f64 {
        Ok(x as u64)
    } else {
        fail(format!("{what} must be {need}, got {}", show(x)))
    }
}

/// A string argument of at most `max` UTF-16 units (measured before it is copied).
fn string_arg(v: &JsValue, what: &str, max: u32) -> Checked<String> {
    match v.dyn_ref::<JsString>() {
        Some(s) if s.length() <= max => Ok(String::from(s)),
        Some(s) => fail(format!("{what} must be a string of at most {max} characters, got one of {}", s.length())),
        None => fail(format!("{what} must be a string, got {}", got(v))),
    }
}

/// Where a string holds half of a UTF-16 surrogate pair on its own (which Rust's
/// text cannot hold: it would silently become U+FFFD).
fn lone_surrogate(s: &JsString) -> Option<usize> {
    let units: Vec<u16> = s.iter().collect();
    let mut i = 0;
    while i < units.len() {
        match units[i] {
            0xD800..=0xDBFF if matches!(units.get(i + 1), Some(0xDC00..=0xDFFF)) => i += 2,
            0xD800..=0xDFFF => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// A string that is shown and recorded as it was given (an operation, a name):
/// as [`string_arg`], and refused if it is not well-formed Unicode.
fn text_arg(v: &JsValue, what: &str, max: u32) -> Checked<String> {
    let text = string_arg(v, what, max)?;
    // A lone surrogate arrives as U+FFFD: only then are the units looked at.
    if !text.contains('\u{FFFD}') {
        return Ok(text);
    }
    match v.dyn_ref::<JsString>().and_then(lone_surrogate) {
        Some(i) => fail(format!("{what} must be well-formed text, got a string with a lone surrogate (half of a UTF-16 pair) at index {i}")),
        None => Ok(text),
    }
}

/// Left out: `undefined` or `null`.
fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

// ----- options of `new Simulation` -------------------------------------------

/// Options of `new Simulation(options)`; every field is optional.
#[derive(Default)]
struct Options {
    n: Option<u64>,
    seed: Option<u64>,
    preset: Option<String>,
    checkpoint_interval: Option<u64>,
    log_window: Option<u64>,
    latency_min: Option<u64>,
    latency_max: Option<u64>,
    loss: Option<f64>,
    names: Option<Vec<String>>,
    naive_quorum: Option<bool>,
    view_change_timeout: Option<u64>,
    client_timeout: Option<u64>,
    actions: Option<Vec<TimedAction>>,
    clients: Option<u64>,
    delivery: Option<Delivery>,
}

/// The option names `new Simulation()` accepts.
const OPTION_NAMES: [&str; 15] = [
    "n",
    "seed",
    "preset",
    "checkpointInterval",
    "logWindow",
    "latencyMin",
    "latencyMax",
    "loss",
    "names",
    "naiveQuorum",
    "viewChangeTimeout",
    "clientTimeout",
    "actions",
    "clients",
    "delivery",
];

impl Options {
    /// Reads and checks `options` (undefined and null: every default).
    fn read(options: &JsValue) -> Checked<Options> {
        let mut o = Options::default();
        if absent(options) {
            return Ok(o);
        }
        let what = || "options".to_string();
        if !is_plain_object(options, &what)? {
            return fail(format!("options must be an object such as {{ n: 4, seed: 7 }}, got {}", got(options)));
        }
        for key in inherited_keys(options, 1_000, &what)? {
            if !OPTION_NAMES.contains(&key.as_str()) {
                let shown: String = key.chars().take(40).collect();
                return fail(format!("unknown field `{shown}`, expected one of: {}", OPTION_NAMES.join(", ")));
            }
        }
        // Every option by name, as a JS API reads an options object: inherited
        // fields and getters (a class's `get n()`) count like own ones.
        for name in OPTION_NAMES {
            let v = get(options, &JsValue::from_str(name), &|| format!("options.{name}"))?;
            if absent(&v) {
                continue; // the default
            }
            let whole = |lo: u64, hi: u64, unit: &str| whole_in(&v, name, lo, hi, unit).map(Some);
            match name {
                "n" => o.n = Some(replica_count(&v)?),
                "clients" => o.clients = whole(1, 64, "")?,
                "seed" => o.seed = whole(0, MAX_TIME, "")?,
                "checkpointInterval" => o.checkpoint_interval = whole(1, MAX_WINDOW, "")?,
                "logWindow" => o.log_window = whole(1, MAX_WINDOW, "")?,
                "latencyMin" => o.latency_min = whole(1, 60_000, " of virtual ms")?,
                "latencyMax" => o.latency_max = whole(1, 60_000, " of virtual ms")?,
                "viewChangeTimeout" => o.view_change_timeout = whole(1, MAX_TIME, " of virtual ms")?,
                "clientTimeout" => o.client_timeout = whole(1, MAX_TIME, " of virtual ms")?,
                // The engine checks the range (and says "loss rate must be between 0 and 1").
                "loss" => o.loss = Some(number(&v, "loss", "a number from 0 to 1")? + 0.0),
                "naiveQuorum" => match v.as_bool() {
                    Some(b) => o.naive_quorum = Some(b),
                    None => return fail(format!("naiveQuorum must be true or false, got {}", got(&v))),
                },
                "preset" => o.preset = Some(string_arg(&v, "preset (a name from Simulation.presets())", 100)?),
                "names" => o.names = Some(read_names(&v)?),
                "actions" => o.actions = Some(read_actions(&v)?),
                "delivery" => o.delivery = Some(delivery_arg(&v, "delivery")?),
                _ => return fail(format!("option {name} is not read")),
            }
        }
        Ok(o)
    }
}

/// A delivery mode: the string `"auto"` or `"manual"`.
fn delivery_arg(v: &JsValue, what: &str) -> Checked<Delivery> {
    let need = "\"auto\" or \"manual\"";
    match v.dyn_ref::<JsString>() {
        Some(s) if s.length() <= 40 => match Delivery::named(&String::from(s)) {
            Some(d) => Ok(d),
            None => fail(format!("{what} must be {need}, got {}", got(v))),
        },
        _ => fail(format!("{what} must be {need}, got {}", got(v))),
    }
}

/// The `n` option: a whole number, in the range the protocol's config states.
fn replica_count(v: &JsValue) -> Checked<u64> {
    let max = Config::MAX_REPLICAS;
    let x = number(v, "n", &format!("a whole number from 1 to {max}"))?;
    if !(x.is_finite() && x.fract() == 0.0) {
        return fail(format!("n must be a whole number from 1 to {max}, got {}", show(x)));
    }
    if !(x >= 1.0 && x <= max as f64) {
        return fail(format!("n must be between 1 and {max} replicas, got {}", show(x)));
    }
    Ok(x as u64)
}

fn read_names(v: &JsValue) -> Checked<Vec<String>> {
    let Some(items) = array_items(v, Config::MAX_REPLICAS, &|| "names".to_string())? else {
        return fail(format!("names must be an array of strings, one per replica, got {}", got(v)));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, x)| match x.dyn_ref::<JsString>() {
            // Up to 100 units are copied; the engine refuses more than 24 characters, saying which.
            Some(s) if s.length() <= 100 => text_arg(x, &format!("names[{i}]"), 100),
            Some(s) => fail(format!("names[{i}] must be 1 to 24 characters, got {}", s.length())),
            None => fail(format!("names[{i}] must be a string, got {}", got(x))),
        })
        .collect()
}

fn read_actions(v: &JsValue) -> Checked<Vec<TimedAction>> {
    let Some(items) = array_items(v, MAX_ACTIONS, &|| "actions".to_string())? else {
        return fail(format!("actions must be an array of actions [{{ at, type, ... }}] as sim.actions() returns, got {}", got(v)));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, a) in items.iter().enumerate() {
        out.push(actions::read_action(a, i)?);
    }
    Ok(out)
}

fn build(o: Options) -> Result<sim::Simulation, SimError> {
    let seed = o.seed.unwrap_or(1);
    let (mut cfg, mut actions) = match &o.preset {
        Some(name) => sim::preset(name, seed)?,
        None => (SimConfig { seed, ..SimConfig::default() }, Vec::new()),
    };
    let p: &mut Config = &mut cfg.protocol;
    if let Some(n) = o.n {
        let n = n as usize;
        p.n = n;
        if !cfg.names.is_empty() && cfg.names.len() != n {
            // A preset's names fit its own size; pad or cut them for another n.
            cfg.names.resize_with(n, String::new);
            for (i, name) in cfg.names.iter_mut().enumerate() {
                if name.is_empty() {
                    *name = format!("R{i}");
                }
            }
        }
    }
    let set = |field: &mut u64, v: Option<u64>| {
        if let Some(v) = v {
            *field = v;
        }
    };
    set(&mut p.checkpoint_interval, o.checkpoint_interval);
    set(&mut p.log_window, o.log_window);
    set(&mut p.view_change_timeout, o.view_change_timeout);
    set(&mut p.client_timeout, o.client_timeout);
    if let Some(naive) = o.naive_quorum {
        p.quorum_rule = if naive { QuorumRule::Naive } else { QuorumRule::Paper };
    }
    set(&mut cfg.latency_min, o.latency_min);
    set(&mut cfg.latency_max, o.latency_max);
    if let Some(v) = o.loss {
        cfg.loss = v;
    }
    if let Some(names) = o.names {
        cfg.names = names;
    }
    if let Some(c) = o.clients {
        cfg.clients = c as usize;
    }
    if let Some(d) = o.delivery {
        cfg.delivery = d;
    }
    if let Some(a) = o.actions {
        actions = a;
    }
    sim::Simulation::with_actions(cfg, actions)
}

/// Groups of replica ids (`[[0, 1, 2], [3]]`): of `partition`, or of a
/// partition action. `prefix` starts every message, `name` is the groups'
/// name in it; a group holds at most `most` ids, each read by `id`.
fn read_groups(
    v: &JsValue,
    prefix: &str,
    name: &str,
    most: usize,
    id: &dyn Fn(&JsValue, &str) -> Checked<usize>,
) -> Checked<Vec<Vec<usize>>> {
    let Some(items) = array_items(v, 1024, &|| name.to_string()).map_err(prefixed(prefix))? else {
        let need = "an array of arrays of replica ids such as [[0, 1, 2], [3]]";
        return fail(format!("{prefix}{name} must be {need}, got {}", got(v)));
    };
    let mut out = Vec::with_capacity(items.len());
    for (g, group) in items.iter().enumerate() {
        let Some(members) = array_items(group, most, &|| format!("{name}[{g}]")).map_err(prefixed(prefix))? else {
            return fail(format!("{prefix}{name}[{g}] must be an array of replica ids, got {}", got(group)));
        };
        out.push(members.iter().enumerate().map(|(i, r)| id(r, &format!("{prefix}{name}[{g}][{i}]"))).collect::<Checked<Vec<_>>>()?);
    }
    Ok(out)
}

/// The parameters of `setBehavior`: left out, or an object of whole numbers.
fn read_params(v: &JsValue) -> Checked<Params> {
    let mut params = Params::new();
    if absent(v) {
        return Ok(params);
    }
    let what = || "params".to_string();
    if !is_plain_object(v, &what)? {
        return fail(format!("params must be an object of whole numbers such as {{ every: 300 }}, got {}", got(v)));
    }
    for key in inherited_keys(v, 64, &what)? {
        if key.is_empty() || key.chars().count() > 40 {
            return fail("params has a field name that is empty or longer than 40 characters".into());
        }
        let x = get(v, &JsValue::from_str(&key), &|| format!("params.{key}"))?;
        // The behaviour checks the name and the range; this, that it is a number.
        params.insert(key.clone(), whole_in(&x, &format!("params.{key}"), 0, MAX_TIME, "")?);
    }
    Ok(params)
}

// ----- the simulation ---------------------------------------------------------

/// A PBFT run: replicas, a client and the simulated network.
#[wasm_bindgen]
pub struct Simulation {
    inner: sim::Simulation,
    /// The furthest virtual time the run's current future has reached: going
    /// up to it again replays work done once; past it, work is budgeted.
    horizon: u64,
    /// Events of a call that stopped at its budget, returned by the next call
    /// that returns events.
    pending: Vec<Event>,
}

/// What a budgeted run of the engine is for.
#[derive(Clone, Copy, PartialEq)]
enum Goal {
    /// Up to the limit, recording events.
    Advance,
    /// Up to the limit or until idle, recording events.
    Idle,
    /// Up to the limit without recording events (a forward seek).
    Seek,
}

// The Rust side: budgeted runs and argument checks that need the run.
impl Simulation {
    /// Runs the engine instant by instant up to virtual time `limit`, as `goal`
    /// says, appending the events to `events`. Up to the horizon it replays
    /// work done before; past it, at most [`MAX_EVENTS`] events (those already
    /// in `events` included), [`MAX_INSTANTS`] instants and [`MAX_WORK`] work.
    /// Returns false when it stopped there (at an instant: the run is
    /// consistent and usable).
    ///
    /// The same as `advance`, `run_until_idle` and `seek` of the engine, which
    /// process instants in the same order and stop at the same places.
    fn run_to(&mut self, limit: u64, goal: Goal, events: &mut Vec<Event>) -> bool {
        // Events already in the list (kept from a call that stopped, and not
        // taken since) count: what one call holds stays bounded however
        // often a caller goes on without taking them.
        let (mut fresh_events, mut fresh_instants, mut fresh_work) = (events.len(), 0usize, 0u64);
        let done = loop {
            if goal == Goal::Idle && (self.inner.is_idle() || self.inner.is_waiting()) {
                break true;
            }
            let Some(t) = self.inner.next_instant().filter(|&t| t <= limit) else {
                // Nothing left before the limit: the clock moves there.
                match goal {
                    Goal::Seek => self.inner.seek(limit),
                    _ => events.extend(self.inner.advance(limit - self.inner.now())),
                }
                break true;
            };
            let fresh = t > self.horizon;
            if fresh && (fresh_events >= MAX_EVENTS || fresh_instants >= MAX_INSTANTS || fresh_work >= MAX_WORK) {
                break false;
            }
            let (before, work) = (events.len(), self.inner.work());
            match goal {
                Goal::Seek => self.inner.seek(t.max(self.inner.now())),
                _ => self.inner.step_into(events),
            }
            if fresh {
                fresh_instants += 1;
                fresh_events += events.len() - before;
                fresh_work += self.inner.work() - work;
            }
        };
        self.horizon = self.horizon.max(self.inner.now());
        done
    }

    /// Goes to `to` (at most the horizon) and returns the events from `from`
    /// to there: the run first goes, without events, to just before `from`
    /// (from a saved copy), then records instant by instant. More than
    /// [`MAX_SEEK_EVENTS`] stops it, at an instant, with a refusal.
    fn replayed_events(&mut self, from: u64, to: u64) -> Result<Vec<Event>, JsError> {
        let mut events = if from == 0 { self.inner.seek_with_events(0) } else { self.inner.seek(from - 1); Vec::new() };
        while self.inner.next_instant().is_some_and(|x| x <= to) {
            self.inner.step_into(&mut events);
            if events.len() > MAX_SEEK_EVENTS {
                let now = self.inner.now();
                return Err(Refusal(format!(
                    "seek: stopped at {now} ms: withEvents returns at most {MAX_SEEK_EVENTS} events, and there are more from {from} to {to} ms; \
                     ask for those from a later time (since) or seek in smaller steps"
                ))
                .into());
            }
        }
        self.inner.seek(to);
        Ok(events)
    }

    /// The events kept from a call that stopped, then those recorded since.
    fn take_all(&mut self) -> Vec<Event> {
        let mut events = std::mem::take(&mut self.pending);
        self.inner.drain_events_into(&mut events);
        events
    }

    /// After an action: one taken in the past forks the run (the engine drops
    /// the recorded future), so the horizon comes back to now.
    fn acted(&mut self, r: Result<(), SimError>, method: &'static str) -> Result<(), JsError> {
        r.map_err(by(method))?;
        self.horizon = self.inner.now();
        Ok(())
    }

    /// The error of a call that stopped at its budget (its events are kept).
    fn stopped(&mut self, method: &str, events: Option<Vec<Event>>, short_of: &str) -> JsError {
        let kept = if events.is_some() { "; the events so far are returned by the next takeEvents()" } else { "" };
        self.pending = events.unwrap_or_default();
        JsError::new(&format!(
            "{method}: stopped at {} ms, {short_of}: one call runs at most {MAX_EVENTS} events, {MAX_INSTANTS} instants or {MAX_WORK} units of work \
             past the furthest time the run had reached{kept}. Go on in smaller steps.",
            self.inner.now()
        ))
    }

    /// A replica id argument.
    fn replica(&self, v: &JsValue, what: &str) -> Checked<i64> {
        let n = self.inner.n() as f64;
        let need = format!("a whole number from 0 to {}", show(n - 1.0));
        let x = number(v, what, &format!("a replica id, {need}"))?;
        if x.is_finite() && x.fract() == 0.0 && x >= 0.0 && x < n {
            Ok(x as i64)
        } else if x.is_finite() && x.fract() == 0.0 {
            fail(format!("{what} must be {need}, got {} (no replica {})", show(x), show(x)))
        } else {
            fail(format!("{what} must be {need}, got {}", show(x)))
        }
    }

    /// A node number argument: replica `i` is `i`, client `c` is `-1 - c`.
    fn node(&self, v: &JsValue, what: &str) -> Checked<i64> {
        let (n, c) = (self.inner.n() as f64, self.inner.config().clients as f64);
        let need = format!("a node number, a whole number from {} to {} (replica i is i, the client is -1)", show(-c), show(n - 1.0));
        let x = number(v, what, &need)?;
        if x.is_finite() && x.fract() == 0.0 && x >= -c && x < n {
            Ok(x as i64)
        } else {
            fail(format!("{what} must be {need}, got {}", show(x)))
        }
    }
}

/// The same methods for Rust callers (`crate/tests/web.rs`), with numbers as
/// `f64`: each converts and calls the JS method of the same name.
impl Simulation {
    /// `crash` (see the JS method).
    pub fn crash(&mut self, replica: f64) -> Result<(), JsError> {
        self.crash_js(replica.into())
    }
    /// `recover`.
    pub fn recover(&mut self, replica: f64) -> Result<(), JsError> {
        self.recover_js(replica.into())
    }
    /// `setBehavior`.
    pub fn set_behavior(&mut self, replica: f64, behavior: JsValue, params: JsValue) -> Result<(), JsError> {
        self.set_behavior_js(replica.into(), behavior, params)
    }
    /// `dropMessage`.
    pub fn drop_message(&mut self, id: f64) -> Result<(), JsError> {
        self.drop_message_js(id.into())
    }
    /// `deliver`.
    pub fn deliver(&mut self, id: f64) -> Result<(), JsError> {
        self.deliver_js(id.into())
    }
    /// `fireTimer`.
    pub fn fire_timer(&mut self, node: f64, timer: &str) -> Result<(), JsError> {
        self.fire_timer_js(node.into(), timer.into())
    }
    /// `setDelivery`.
    pub fn set_delivery(&mut self, mode: &str) -> Result<(), JsError> {
        self.set_delivery_js(mode.into())
    }
    /// `setLoss`.
    pub fn set_loss(&mut self, rate: f64) -> Result<(), JsError> {
        self.set_loss_js(rate.into())
    }
    /// `setLinkLatency`.
    pub fn set_link_latency(&mut self, a: f64, b: f64, min: f64, max: f64) -> Result<(), JsError> {
        self.set_link_latency_js(a.into(), b.into(), min.into(), max.into())
    }
    /// `advance`.
    pub fn advance(&mut self, ms: f64) -> Result<JsValue, JsError> {
        self.advance_js(ms.into())
    }
    /// `runUntilIdle`.
    pub fn run_until_idle(&mut self, max_ms: f64) -> Result<JsValue, JsError> {
        self.run_until_idle_js(max_ms.into())
    }
    /// `seek`.
    pub fn seek(&mut self, t: f64, with_events: Option<bool>) -> Result<JsValue, JsError> {
        self.seek_js(t.into(), with_events.map_or(JsValue::UNDEFINED, JsValue::from), JsValue::UNDEFINED)
    }
    /// `snapshot`.
    pub fn snapshot(&self, executed_tail: Option<f64>) -> Result<JsValue, JsError> {
        self.snapshot_js(executed_tail.map_or(JsValue::UNDEFINED, JsValue::from))
    }
}

#[wasm_bindgen]
impl Simulation {
    /// `new Simulation({ n, seed, preset, checkpointInterval, logWindow, latencyMin,
    /// latencyMax, loss, names, naiveQuorum, viewChangeTimeout, clientTimeout, actions, clients, delivery })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Simulation, JsError> {
        console_error_panic_hook::set_once();
        let options = Options::read(&options).map_err(prefixed("invalid options: "))?;
        let own_actions = options.actions.is_some();
        let inner = build(options).map_err(|e| match e {
            // The caller's own list: the entry as they wrote it.
            SimError::InAction { index, error, .. } if own_actions => Refusal(format!("invalid options: actions[{index}]: {error}")),
            e => Refusal(format!("invalid options: {e}")),
        })?;
        Ok(Simulation { inner, horizon: 0, pending: Vec::new() })
    }

    /// The client submits an operation; returns its timestamp. With
    /// `client`, that client (0 to `clients` - 1) submits it.
    pub fn request(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] op: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] client: JsValue,
    ) -> Result<f64, JsError> {
        if op.dyn_ref::<JsString>().is_some_and(|s| s.length() > 400) {
            // The engine takes at most 200 characters: a longer string is not even copied.
            return Err(Refusal("request: invalid operation: the operation is longer than 200 characters".into()).into());
        }
        let op = text_arg(&op, "request: the operation", u32::MAX)?;
        let last = self.inner.config().clients.saturating_sub(1) as u64;
        let client = if absent(&client) { 0 } else { whole_in(&client, "request: client", 0, last, " (a client of this run)")? as u32 };
        let t = self.inner.request_from(client, &op).map_err(by("request"))?;
        self.horizon = self.inner.now();
        Ok(t as f64)
    }

    /// Crashes a replica. Like every action, its events come with the next
    /// `advance`, `step`, `runUntilIdle` or `takeEvents`.
    #[wasm_bindgen(js_name = crash)]
    pub fn crash_js(&mut self, #[wasm_bindgen(unchecked_param_type = "number")] replica: JsValue) -> Result<(), JsError> {
        let r = self.replica(&replica, "crash: replica")?;
        let done = self.inner.crash(r);
        self.acted(done, "crash")
    }

    /// Restarts a crashed replica (its state intact, as if kept on disk).
    #[wasm_bindgen(js_name = recover)]
    pub fn recover_js(&mut self, #[wasm_bindgen(unchecked_param_type = "number")] replica: JsValue) -> Result<(), JsError> {
        let r = self.replica(&replica, "recover: replica")?;
        let done = self.inner.recover(r);
        self.acted(done, "recover")
    }

    /// Sets a replica's behaviour by name (`Simulation.behaviors()` lists
    /// them), with its parameters if it takes any: `setBehavior(1, "replay", { every: 300 })`.
    #[wasm_bindgen(js_name = setBehavior)]
    pub fn set_behavior_js(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] replica: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] behavior: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Record<string, number>")] params: JsValue,
    ) -> Result<(), JsError> {
        let r = self.replica(&replica, "setBehavior: replica")?;
        let behavior = string_arg(&behavior, "setBehavior: the behaviour", 100).map_err(|e| {
            let names: Vec<&str> = Behavior::all().map(|b| b.as_str()).collect();
            Refusal(format!("{e} (one of: {})", names.join(", ")))
        })?;
        let params = read_params(&params).map_err(prefixed("setBehavior: invalid behaviour parameters: "))?;
        let done = self.inner.set_behavior_with(r, &behavior, params);
        self.acted(done, "setBehavior")
    }

    /// Drops one in-flight message by id.
    #[wasm_bindgen(js_name = dropMessage)]
    pub fn drop_message_js(&mut self, #[wasm_bindgen(unchecked_param_type = "number")] id: JsValue) -> Result<(), JsError> {
        let id = whole_in(&id, "dropMessage: id", 0, MAX_TIME, " (a message id)")?;
        let done = self.inner.drop_message(id);
        self.acted(done, "dropMessage")
    }

    /// Delivers one in-flight message now, by id ("you are the network"): it
    /// arrives, or is dropped with its reason if the network loses it.
    #[wasm_bindgen(js_name = deliver)]
    pub fn deliver_js(&mut self, #[wasm_bindgen(unchecked_param_type = "number")] id: JsValue) -> Result<(), JsError> {
        let id = whole_in(&id, "deliver: id", 0, MAX_TIME, " (a message id)")?;
        if self.inner.in_flight_message(id).is_none() {
            return Err(Refusal(format!("deliver: id must be the id of a message in flight, got {id} (no such message in flight)")).into());
        }
        let done = self.inner.deliver(id);
        self.acted(done, "deliver")
    }

    /// Fires a running timer now: `fireTimer(1, "view-change")` (node numbers
    /// as in events, the client is -1; codes in `Simulation.codes().timers`;
    /// `snapshot().pendingTimers` lists the running ones).
    #[wasm_bindgen(js_name = fireTimer)]
    pub fn fire_timer_js(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] node: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] timer: JsValue,
    ) -> Result<(), JsError> {
        let node = self.node(&node, "fireTimer: node")?;
        let need = format!("a timer code, one of: {}", TimerKind::CODES.join(", "));
        let code = string_arg(&timer, "fireTimer: timer", 40).map_err(|e| Refusal(format!("{e} ({need})")))?;
        let Some(kind) = TimerKind::named(&code) else {
            return Err(Refusal(format!("fireTimer: timer must be {need}, got {}", got(&timer))).into());
        };
        if !self.inner.has_timer(node, kind) {
            let running: Vec<&str> =
                self.inner.pending_timers().iter().filter(|p| p.node == node).map(|p| p.timer.as_str()).collect();
            let who = if node < 0 { "the client".to_string() } else { format!("replica {node}") };
            let has = if running.is_empty() { format!("{who} has none running") } else { format!("running at {who}: {}", running.join(", ")) };
            return Err(Refusal(format!("fireTimer: timer must be a timer running at node {node}, got \"{code}\" ({has})")).into());
        }
        let done = self.inner.fire_timer(node, kind);
        self.acted(done, "fireTimer")
    }

    /// Switches delivery: `"auto"` (messages arrive at their `deliverAt`,
    /// timers fire when due) or `"manual"` (nothing arrives and no timer fires
    /// until `deliver` or `fireTimer` says so). Recorded like every action.
    #[wasm_bindgen(js_name = setDelivery)]
    pub fn set_delivery_js(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] mode: JsValue) -> Result<(), JsError> {
        let mode = delivery_arg(&mode, "setDelivery: mode")?;
        let done = self.inner.set_delivery(mode);
        self.acted(done, "setDelivery")
    }

    /// How messages arrive and timers fire now: `"auto"` or `"manual"`.
    #[wasm_bindgen(getter)]
    pub fn delivery(&self) -> String {
        self.inner.delivery().as_str().to_string()
    }

    /// Cuts the network into groups of replicas, e.g. `[[0, 1, 2], [3]]`.
    pub fn partition(&mut self, #[wasm_bindgen(unchecked_param_type = "number[][]")] groups: JsValue) -> Result<(), JsError> {
        let out = read_groups(&groups, "partition: ", "groups", self.inner.n(), &|r, what| self.replica(r, what).map(|r| r as usize))?;
        let done = self.inner.act(Action::Partition { groups: out });
        self.acted(done, "partition")
    }

    /// Removes every partition.
    pub fn heal(&mut self) -> Result<(), JsError> {
        let done = self.inner.act(Action::Heal);
        self.acted(done, "heal")
    }

    /// Continuous load: the clients submit requests at `rate` per virtual
    /// second between them (a whole number from 0, off, to 50).
    #[wasm_bindgen(js_name = setLoad)]
    pub fn set_load_js(&mut self, #[wasm_bindgen(unchecked_param_type = "number")] rate: JsValue) -> Result<(), JsError> {
        let max = Action::MAX_LOAD;
        let need = format!("a whole number of requests per second from 0 to {max}");
        let x = number(&rate, "setLoad: rate", &need)?;
        if !(x.is_finite() && x.fract() == 0.0 && (0.0..=f64::from(max)).contains(&x)) {
            return Err(Refusal(format!("setLoad: rate must be {need}, got {}", show(x))).into());
        }
        let done = self.inner.act(Action::SetLoad { rate: x as u32 });
        self.acted(done, "setLoad")
    }

    /// Sets the message loss rate (0 to 1).
    #[wasm_bindgen(js_name = setLoss)]
    pub fn set_loss_js(&mut self, #[wasm_bindgen(unchecked_param_type = "number")] rate: JsValue) -> Result<(), JsError> {
        let need = "a number from 0 to 1";
        let x = number(&rate, "setLoss: rate", need)?;
        if !(0.0..=1.0).contains(&x) {
            return Err(Refusal(format!("setLoss: rate must be {need}, got {}", show(x))).into());
        }
        let done = self.inner.act(Action::SetLoss { rate: x + 0.0 });
        self.acted(done, "setLoss")
    }

    /// Sets the latency range of the link between nodes `a` and `b` (both
    /// directions; replica `i` is `i`, the client is `-1`), in virtual ms.
    #[wasm_bindgen(js_name = setLinkLatency)]
    pub fn set_link_latency_js(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] a: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] b: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] min: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] max: JsValue,
    ) -> Result<(), JsError> {
        let (a, b) = (self.node(&a, "setLinkLatency: a")?, self.node(&b, "setLinkLatency: b")?);
        let min = whole_in(&min, "setLinkLatency: min", 1, 60_000, " of virtual ms")?;
        let max = whole_in(&max, "setLinkLatency: max", 1, 60_000, " of virtual ms")?;
        if a == b {
            return Err(Refusal(format!("setLinkLatency: a and b must be two different nodes, got {a} twice")).into());
        }
        if min > max {
            return Err(Refusal(format!("setLinkLatency: min must be at most max, got {min} and {max}")).into());
        }
        let done = self.inner.act(Action::SetLinkLatency { a, b, min, max });
        self.acted(done, "setLinkLatency")
    }

    /// Advances virtual time by `ms`; returns the events that happened.
    #[wasm_bindgen(js_name = advance)]
    pub fn advance_js(&mut self, #[wasm_bindgen(unchecked_param_type = "number")] ms: JsValue) -> Result<JsValue, JsError> {
        let left = MAX_TIME - self.inner.now().min(MAX_TIME);
        let target = self.inner.now() + whole_in(&ms, "advance: ms", 0, left, " of virtual ms")?;
        let mut events = self.take_all();
        if !self.run_to(target, Goal::Advance, &mut events) {
            return Err(self.stopped("advance", Some(events), &format!("short of {target} ms")));
        }
        events::to_js_events(&events)
    }

    /// Runs to the next instant at which something happens; returns its events.
    pub fn step(&mut self) -> Result<JsValue, JsError> {
        let mut events = self.take_all();
        if self.inner.next_instant().is_some_and(|t| t <= MAX_TIME) {
            self.inner.step_into(&mut events);
            self.horizon = self.horizon.max(self.inner.now());
        }
        events::to_js_events(&events)
    }

    /// Runs until nothing is in flight and no timer is armed, or `maxMs` passed
    /// (`Infinity`: no time limit).
    #[wasm_bindgen(js_name = runUntilIdle)]
    pub fn run_until_idle_js(
        &mut self,
        #[wasm_bindgen(js_name = maxMs, unchecked_param_type = "number")] max_ms: JsValue,
    ) -> Result<JsValue, JsError> {
        let need = "a whole number of virtual ms >= 0, or Infinity";
        let x = number(&max_ms, "runUntilIdle: maxMs", need)?;
        if !(x >= 0.0 && (x.fract() == 0.0 || x == f64::INFINITY)) {
            return Err(Refusal(format!("runUntilIdle: maxMs must be {need}, got {}", show(x))).into());
        }
        // A limit past the latest virtual time is no limit.
        let left = MAX_TIME - self.inner.now().min(MAX_TIME);
        let limit = self.inner.now() + if x >= left as f64 { left } else { x as u64 };
        let mut events = self.take_all();
        if !self.run_to(limit, Goal::Idle, &mut events) {
            return Err(self.stopped("runUntilIdle", Some(events), "not idle"));
        }
        events::to_js_events(&events)
    }

    /// Goes to virtual time `t` by deterministic replay (from a saved copy
    /// of the run when one is near). Actions recorded after `t` stay, so
    /// seeking forward again replays them; a new action after seeking back
    /// forks the run. Returns nothing, or with `withEvents` the events from
    /// `since` (default 0) to `t`: a replay that records them, from the
    /// latest saved copy before `since`, of at most [`MAX_SEEK_EVENTS`] events.
    #[wasm_bindgen(js_name = seek)]
    pub fn seek_js(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number")] t: JsValue,
        #[wasm_bindgen(js_name = withEvents, unchecked_optional_param_type = "boolean")] with_events: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] since: JsValue,
    ) -> Result<JsValue, JsError> {
        let t = whole_in(&t, "seek: t", 0, MAX_TIME, " of virtual ms")?;
        let with_events = match with_events.as_bool() {
            Some(b) => b,
            None if absent(&with_events) => false,
            None => return Err(Refusal(format!("seek: withEvents must be true or false (or left out), got {}", got(&with_events))).into()),
        };
        let since = if absent(&since) { 0 } else { whole_in(&since, "seek: since", 0, t, " of virtual ms (at most t)")? };
        if since > 0 && !with_events {
            return Err(Refusal("seek: since goes with withEvents = true".into()).into());
        }
        self.pending.clear();
        // Up to the horizon, a replay of work done before; past it, budgeted.
        let known = t.min(self.horizon);
        let short_of = format!("short of {t} ms");
        if with_events {
            let mut events = self.replayed_events(since.min(known), known)?;
            if t > known && !self.run_to(t, Goal::Advance, &mut events) {
                return Err(self.stopped("seek", Some(events), &short_of));
            }
            events::to_js_events(&events)
        } else {
            self.inner.seek(known);
            if t > known && !self.run_to(t, Goal::Seek, &mut Vec::new()) {
                return Err(self.stopped("seek", None, &short_of));
            }
            Ok(JsValue::UNDEFINED)
        }
    }

    /// The events recorded since the last call that returned events (e.g.
    /// those of actions applied while paused).
    #[wasm_bindgen(js_name = takeEvents)]
    pub fn take_events(&mut self) -> Result<JsValue, JsError> {
        let events = self.take_all();
        events::to_js_events(&events)
    }

    /// Virtual time of the next scheduled message delivery, timer or action
    /// (undefined when nothing is scheduled): lets a page skip quiet time exactly.
    #[wasm_bindgen(getter, js_name = nextEventTime)]
    pub fn next_event_time(&self) -> Option<f64> {
        self.inner.next_instant().map(|t| t as f64)
    }

    /// A plain object describing the whole run. With `executedTail`, each
    /// replica's `executed` list holds only its last `executedTail` entries.
    #[wasm_bindgen(js_name = snapshot)]
    pub fn snapshot_js(
        &self,
        #[wasm_bindgen(js_name = executedTail, unchecked_optional_param_type = "number")] executed_tail: JsValue,
    ) -> Result<JsValue, JsError> {
        let tail = if absent(&executed_tail) {
            None
        } else {
            Some(whole_in(&executed_tail, "snapshot: executedTail", 0, MAX_TIME, "")?.min(usize::MAX as u64) as usize)
        };
        to_js(&self.inner.snapshot_with(tail))
    }

    /// Every action recorded, `[{ at, type, ... }]`: with the seed and options
    /// this reproduces the run exactly (pass it back as `actions`).
    pub fn actions(&self) -> Result<JsValue, JsError> {
        to_js(self.inner.actions())
    }

    /// Virtual time in ms.
    #[wasm_bindgen(getter)]
    pub fn now(&self) -> f64 {
        self.inner.now() as f64
    }

    /// Number of replicas.
    #[wasm_bindgen(getter)]
    pub fn n(&self) -> usize {
        self.inner.n()
    }

    /// Whether nothing is in flight and no timer is armed.
    #[wasm_bindgen(getter)]
    pub fn idle(&self) -> bool {
        self.inner.is_idle()
    }

    /// The presets: `[{ name, title, description }]`.
    pub fn presets() -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct P {
            name: &'static str,
            title: &'static str,
            description: &'static str,
        }
        let list: Vec<P> = PRESETS.iter().map(|p| P { name: p.name, title: p.title, description: p.description }).collect();
        to_js(&list)
    }

    /// The behaviours: `[{ name, description, params: [{ name, default, min, max }] }]`.
    pub fn behaviors() -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct B {
            name: &'static str,
            description: &'static str,
            params: &'static [ParamDef],
        }
        let list: Vec<B> =
            Behavior::all().map(|b| B { name: b.as_str(), description: b.describe(), params: b.def().params }).collect();
        to_js(&list)
    }

    /// Every code the engine can emit, by what it names: `{ events, kinds,
    /// phases, drops, rejects, defects, violations, faults, behaviors, timers, deliveries }`.
    /// The page has words for each one in every language (a test checks).
    pub fn codes() -> Result<JsValue, JsError> {
        to_js(&Codes::all())
    }
}

//! The JavaScript API: a thin `#[wasm_bindgen]` facade over [`crate::sim`].
//! Conversions only; every invalid argument becomes a thrown `Error`.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::protocol::{Config, QuorumRule};
use crate::sim::{self, Action, Behavior, Codes, ParamDef, Params, SimConfig, TimedAction, PRESETS};

/// Options of `new Simulation(options)`; every field is optional.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct Options {
    n: Option<f64>,
    seed: Option<f64>,
    preset: Option<String>,
    checkpoint_interval: Option<f64>,
    log_window: Option<f64>,
    latency_min: Option<f64>,
    latency_max: Option<f64>,
    loss: Option<f64>,
    names: Option<Vec<String>>,
    naive_quorum: Option<bool>,
    view_change_timeout: Option<f64>,
    client_timeout: Option<f64>,
    actions: Option<Vec<TimedAction>>,
    clients: Option<f64>,
}

/// The option names `new Simulation()` accepts.
const OPTION_NAMES: [&str; 14] = [
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
];

/// An optional whole-number option (numbers arrive from JS as doubles).
fn opt(x: Option<f64>, name: &str) -> Result<Option<u64>, JsError> {
    x.map(|v| whole(v, name)).transpose()
}

fn err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsError> {
    let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    v.serialize(&ser).map_err(err)
}

/// A JS number that must be a whole, non-negative id.
fn whole(x: f64, what: &str) -> Result<u64, JsError> {
    if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= 9_007_199_254_740_991.0 {
        Ok(x as u64)
    } else {
        Err(JsError::new(&format!("{what} must be a whole number >= 0, got {x}")))
    }
}

/// A JS value that must be a string (the glue does not check `&str`
/// parameters in release builds, so every string arrives as a `JsValue`).
fn string_arg(v: &JsValue, what: &str) -> Result<String, JsError> {
    v.as_string().ok_or_else(|| {
        let got = if v.is_null() {
            "null".to_string()
        } else if v.is_undefined() {
            "nothing".to_string()
        } else {
            v.js_typeof().as_string().unwrap_or_default()
        };
        JsError::new(&format!("{what} must be a string, got {got}"))
    })
}

fn replica_arg(x: f64) -> Result<i64, JsError> {
    if x.is_finite() && x.fract() == 0.0 {
        Ok(x as i64)
    } else {
        Err(JsError::new(&format!("replica id must be a whole number, got {x}")))
    }
}

fn build(o: Options) -> Result<sim::Simulation, JsError> {
    let seed = opt(o.seed, "seed")?.unwrap_or(1);
    let (mut cfg, mut actions) = match &o.preset {
        Some(name) => sim::preset(name, seed).map_err(err)?,
        None => (SimConfig { seed, ..SimConfig::default() }, Vec::new()),
    };
    let p: &mut Config = &mut cfg.protocol;
    if let Some(n) = opt(o.n, "n")? {
        let n = n.min(u32::MAX as u64) as usize;
        p.n = n;
        if !cfg.names.is_empty() && cfg.names.len() != n {
            // A preset's names fit its own size; pad or cut them for another n.
            cfg.names.resize_with(n.min(Config::MAX_REPLICAS), String::new);
            for (i, name) in cfg.names.iter_mut().enumerate() {
                if name.is_empty() {
                    *name = format!("R{i}");
                }
            }
        }
    }
    let set = |field: &mut u64, v: Option<f64>, name: &str| -> Result<(), JsError> {
        if let Some(v) = opt(v, name)? {
            *field = v;
        }
        Ok(())
    };
    set(&mut p.checkpoint_interval, o.checkpoint_interval, "checkpointInterval")?;
    set(&mut p.log_window, o.log_window, "logWindow")?;
    set(&mut p.view_change_timeout, o.view_change_timeout, "viewChangeTimeout")?;
    set(&mut p.client_timeout, o.client_timeout, "clientTimeout")?;
    if let Some(naive) = o.naive_quorum {
        p.quorum_rule = if naive { QuorumRule::Naive } else { QuorumRule::Paper };
    }
    set(&mut cfg.latency_min, o.latency_min, "latencyMin")?;
    set(&mut cfg.latency_max, o.latency_max, "latencyMax")?;
    if let Some(v) = o.loss {
        cfg.loss = v;
    }
    if let Some(names) = o.names {
        cfg.names = names;
    }
    if let Some(c) = opt(o.clients, "clients")? {
        cfg.clients = c.min(u32::MAX as u64) as usize;
    }
    if let Some(a) = o.actions {
        actions = a;
    }
    sim::Simulation::with_actions(cfg, actions).map_err(err)
}

/// A PBFT run: replicas, a client and the simulated network.
#[wasm_bindgen]
pub struct Simulation {
    inner: sim::Simulation,
}

#[wasm_bindgen]
impl Simulation {
    /// `new Simulation({ n, seed, preset, checkpointInterval, logWindow, latencyMin,
    /// latencyMax, loss, names, naiveQuorum, viewChangeTimeout, clientTimeout, actions })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Simulation, JsError> {
        console_error_panic_hook::set_once();
        let options: Options = if options.is_undefined() || options.is_null() {
            Options::default()
        } else {
            if !options.is_object() {
                return Err(JsError::new("invalid options: expected an object such as { n: 4, seed: 7 }"));
            }
            // serde-wasm-bindgen reads only the fields it knows: catch typos here.
            for key in js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>()).iter() {
                let key = key.as_string().unwrap_or_default();
                if !OPTION_NAMES.contains(&key.as_str()) {
                    let shown: String = key.chars().take(40).collect();
                    return Err(JsError::new(&format!(
                        "invalid options: unknown field `{shown}`, expected one of: {}",
                        OPTION_NAMES.join(", ")
                    )));
                }
            }
            serde_wasm_bindgen::from_value(options).map_err(|e| JsError::new(&format!("invalid options: {e}")))?
        };
        Ok(Simulation { inner: build(options)? })
    }

    /// The client submits an operation; returns its timestamp.
    pub fn request(&mut self, op: JsValue) -> Result<f64, JsError> {
        let op = string_arg(&op, "the operation")?;
        self.inner.request(&op).map(|t| t as f64).map_err(err)
    }

    /// Crashes a replica. Like every action, its events come with the next
    /// `advance`, `step`, `runUntilIdle` or `takeEvents`.
    pub fn crash(&mut self, replica: f64) -> Result<(), JsError> {
        self.inner.crash(replica_arg(replica)?).map_err(err)
    }

    /// Restarts a crashed replica (its state intact, as if kept on disk).
    pub fn recover(&mut self, replica: f64) -> Result<(), JsError> {
        self.inner.recover(replica_arg(replica)?).map_err(err)
    }

    /// Sets a replica's behaviour by name (`Simulation.behaviors()` lists
    /// them), with its parameters if it takes any: `setBehavior(1, "replay", { every: 300 })`.
    #[wasm_bindgen(js_name = setBehavior)]
    pub fn set_behavior(&mut self, replica: f64, behavior: JsValue, params: JsValue) -> Result<(), JsError> {
        let behavior = string_arg(&behavior, "the behaviour")?;
        let params: Params = if params.is_undefined() || params.is_null() {
            Params::new()
        } else {
            serde_wasm_bindgen::from_value(params)
                .map_err(|e| JsError::new(&format!("invalid behaviour parameters: expected an object of whole numbers ({e})")))?
        };
        self.inner.set_behavior_with(replica_arg(replica)?, &behavior, params).map_err(err)
    }

    /// Drops one in-flight message by id.
    #[wasm_bindgen(js_name = dropMessage)]
    pub fn drop_message(&mut self, id: f64) -> Result<(), JsError> {
        self.inner.drop_message(whole(id, "message id")?).map_err(err)
    }

    /// Cuts the network into groups of replicas, e.g. `[[0, 1, 2], [3]]`.
    pub fn partition(&mut self, groups: JsValue) -> Result<(), JsError> {
        let groups: Vec<Vec<usize>> = serde_wasm_bindgen::from_value(groups)
            .map_err(|e| JsError::new(&format!("invalid partition: expected arrays of replica ids ({e})")))?;
        self.inner.act(Action::Partition { groups }).map_err(err)
    }

    /// Removes every partition.
    pub fn heal(&mut self) -> Result<(), JsError> {
        self.inner.act(Action::Heal).map_err(err)
    }

    /// Sets the message loss rate (0 to 1).
    #[wasm_bindgen(js_name = setLoss)]
    pub fn set_loss(&mut self, rate: f64) -> Result<(), JsError> {
        self.inner.act(Action::SetLoss { rate }).map_err(err)
    }

    /// Sets the latency range of the link between nodes `a` and `b` (both
    /// directions; replica `i` is `i`, the client is `-1`), in virtual ms.
    #[wasm_bindgen(js_name = setLinkLatency)]
    pub fn set_link_latency(&mut self, a: f64, b: f64, min: f64, max: f64) -> Result<(), JsError> {
        let (a, b) = (replica_arg(a)?, replica_arg(b)?);
        let (min, max) = (whole(min, "min")?, whole(max, "max")?);
        self.inner.act(Action::SetLinkLatency { a, b, min, max }).map_err(err)
    }

    /// Advances virtual time by `ms`; returns the events that happened.
    pub fn advance(&mut self, ms: f64) -> Result<JsValue, JsError> {
        let e = self.inner.advance(whole(ms, "ms")?);
        to_js(&e)
    }

    /// Runs to the next instant at which something happens; returns its events.
    pub fn step(&mut self) -> Result<JsValue, JsError> {
        let e = self.inner.step();
        to_js(&e)
    }

    /// Runs until nothing is in flight and no timer is armed, or `maxMs` passed.
    #[wasm_bindgen(js_name = runUntilIdle)]
    pub fn run_until_idle(&mut self, max_ms: f64) -> Result<JsValue, JsError> {
        let e = self.inner.run_until_idle(whole(max_ms, "maxMs")?);
        to_js(&e)
    }

    /// Goes to virtual time `t` by deterministic replay (from a saved copy
    /// of the run when one is near). Actions recorded after `t` stay, so
    /// seeking forward again replays them; a new action after seeking back
    /// forks the run. Returns nothing, or with `withEvents` every event from
    /// time 0 to `t` (slower: a full replay that records them).
    pub fn seek(&mut self, t: f64, with_events: Option<bool>) -> Result<JsValue, JsError> {
        let t = whole(t, "time")?;
        if with_events.unwrap_or(false) {
            to_js(&self.inner.seek_with_events(t))
        } else {
            self.inner.seek(t);
            Ok(JsValue::UNDEFINED)
        }
    }

    /// The events recorded since the last call that returned events (e.g.
    /// those of actions applied while paused).
    #[wasm_bindgen(js_name = takeEvents)]
    pub fn take_events(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.inner.take_events())
    }

    /// Virtual time of the next scheduled message delivery, timer or action
    /// (undefined when nothing is scheduled): lets a page skip quiet time exactly.
    #[wasm_bindgen(getter, js_name = nextEventTime)]
    pub fn next_event_time(&self) -> Option<f64> {
        self.inner.next_instant().map(|t| t as f64)
    }

    /// A plain object describing the whole run. With `executedTail`, each
    /// replica's `executed` list holds only its last `executedTail` entries.
    pub fn snapshot(&self, executed_tail: Option<f64>) -> Result<JsValue, JsError> {
        let tail = executed_tail.map(|k| whole(k, "executedTail")).transpose()?;
        to_js(&self.inner.snapshot_with(tail.map(|k| k as usize)))
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
    /// phases, drops, rejects, defects, violations, faults, behaviors }`.
    /// The page has words for each one in every language (a test checks).
    pub fn codes() -> Result<JsValue, JsError> {
        to_js(&Codes::all())
    }
}

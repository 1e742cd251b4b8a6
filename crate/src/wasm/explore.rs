//! The explorer for JavaScript (`--features explore`: the second wasm of
//! `www/pkg-explore`, which the page loads only when the Explore panel opens).
//!
//! - `new Explorer(options, bounds)`: a search from virtual time `bounds.at`
//!   of the run `new Simulation(options)` makes (the page passes its options
//!   and recorded actions); `run(steps)`, `progress()`, `counterexample()`.
//! - `exploreWorker()`: makes the calling Web Worker an explorer that talks to
//!   the page by messages (through web-sys): `{ type: "start", id, options,
//!   bounds }` starts a search (replacing one under way), `{ type: "stop" }`
//!   ends it. The worker answers `{ type: "progress" | "done" | "stopped", id,
//!   ...progress }` about every 50 ms and at the end (with `counterexample`
//!   when one was found), or `{ type: "error", id, message }`. It searches in
//!   slices and yields between them, so a stop is read at once.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::{absent, fail, get, got, inherited_keys, is_plain_object, whole_in, Checked, Refusal, Simulation, MAX_TIME};
use crate::sim::explore::{Bounds, Explorer as Search};
use crate::sim::{Delivery, TimedAction, Violation};

/// Distinct states a search may keep at most (about 16 bytes each, twice that while its table grows).
pub const MAX_STATES: u64 = 5_000_000;
/// Steps on one path at most.
pub const MAX_DEPTH: u64 = 1_000;
/// Timers fired, or messages dropped, on one path at most.
pub const MAX_BUDGET: u64 = 20;

/// A search and what it started from.
struct Job {
    search: Search,
    at: u64,
    was: Delivery,
    /// `performance`-free wall time (ms) when it started.
    started: f64,
}

/// What a report says of a search (`progress()`, and the worker's messages without `type` and `id`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    states: u64,
    generated: u64,
    depth: u32,
    max_depth: u32,
    ended: u64,
    ended_accepted: u64,
    done: bool,
    complete: bool,
    depth_cut: bool,
    states_cut: bool,
    elapsed_ms: f64,
    bounds: BoundsJs,
    /// Violations the run already had where the search started (it looks for new ones).
    violations_before: usize,
}

#[derive(Serialize)]
struct BoundsJs {
    at: u64,
    states: u64,
    depth: u32,
    timers: u32,
    drops: u32,
}

/// A counterexample for JS: what broke, the actions that replay it, one line per step.
#[derive(Serialize)]
struct Found {
    violation: Violation,
    /// From the instant the search started, a step every [`STEP_EVERY`] ms: with the
    /// run's own actions up to that instant, they replay the counterexample.
    actions: Vec<TimedAction>,
    /// Each step: `{ step: "deliver" | "drop" | "fire", msg, from, to, kind }` or `{ step: "fire", node, timer }`.
    steps: Vec<StepJs>,
    /// One line of English per step.
    trace: Vec<String>,
}

#[derive(Serialize)]
struct StepJs {
    step: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    msg: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<crate::protocol::MsgKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timer: Option<crate::sim::TimerKind>,
}

impl StepJs {
    fn of(s: crate::sim::explore::StepInfo) -> StepJs {
        use crate::sim::explore::Choice;
        use crate::sim::node_number;
        let (step, msg, node, timer) = match s.choice {
            Choice::Deliver(id) => ("deliver", Some(id), None, None),
            Choice::Drop(id) => ("drop", Some(id), None, None),
            Choice::Fire(node, timer) => ("fire", None, Some(node), Some(timer)),
        };
        let (from, to, kind) = match s.message {
            Some((f, t, k)) => (Some(node_number(f)), Some(node_number(t)), Some(k)),
            None => (None, None, None),
        };
        StepJs { step, msg, from, to, kind, node, timer }
    }
}

impl Job {
    fn start(options: &JsValue, bounds: &JsValue) -> Result<Job, JsError> {
        let (at, b) = read_bounds(bounds).map_err(|r| Refusal(format!("new Explorer: {r}")))?;
        let mut sim = Simulation::new(options.clone()).map_err(|e| Refusal(format!("new Explorer: {}", said(e))))?;
        sim.seek(at as f64, Some(false))
            .map_err(|e| Refusal(format!("new Explorer: the run cannot reach bounds.at = {at} ms: {}", said(e))))?;
        let mut inner = sim.inner;
        inner.set_recording(false);
        let was = inner.delivery();
        Ok(Job { search: Search::new(inner, b), at, was, started: js_sys::Date::now() })
    }

    fn report(&self) -> Report {
        let p = self.search.progress();
        let b = self.search.bounds();
        Report {
            states: p.states,
            generated: p.generated,
            depth: p.depth,
            max_depth: p.max_depth,
            ended: p.ended,
            ended_accepted: p.ended_accepted,
            done: p.done,
            complete: p.complete(),
            depth_cut: p.depth_cut,
            states_cut: p.states_cut,
            elapsed_ms: js_sys::Date::now() - self.started,
            bounds: BoundsJs { at: self.at, states: b.states, depth: b.depth, timers: b.timers, drops: b.drops },
            violations_before: self.search.root().violations(),
        }
    }

    fn found(&self) -> Option<Found> {
        let c = self.search.counterexample()?;
        Some(Found {
            steps: self.search.steps(&c.steps).into_iter().map(StepJs::of).collect(),
            trace: self.search.trace(&c.steps), actions: c.actions(self.at, self.was, STEP_EVERY),
            violation: c.violation,
        })
    }
}

/// The message of an error the JS API would throw (ours: whole, however long).
fn said(e: JsError) -> String {
    super::thrown_within(&JsValue::from(e), u32::MAX)
}

/// `{ at, states, depth, timers, drops }`, each optional.
fn read_bounds(v: &JsValue) -> Checked<(u64, Bounds)> {
    let mut b = Bounds::default();
    let mut at = 0;
    if absent(v) {
        return Ok((at, b));
    }
    let what = || "bounds".to_string();
    if !is_plain_object(v, &what)? {
        return fail(format!("bounds must be an object such as {{ at: 0, states: 100000, depth: 40, timers: 0, drops: 0 }}, got {}", got(v)));
    }
    const KNOWN: [&str; 5] = ["at", "states", "depth", "timers", "drops"];
    for key in inherited_keys(v, 16, &what)? {
        if !KNOWN.contains(&key.as_str()) {
            let shown: String = key.chars().take(40).collect();
            return fail(format!("bounds has no field \"{shown}\" (known: at, states, depth, timers, drops)"));
        }
    }
    // Each by name: inherited fields and getters count like own ones.
    for key in KNOWN {
        let x = get(v, &JsValue::from_str(key), &|| format!("bounds.{key}"))?;
        if absent(&x) {
            continue;
        }
        let name = format!("bounds.{key}");
        match key {
            "at" => at = whole_in(&x, &name, 0, MAX_TIME, " of virtual ms")?,
            "states" => b.states = whole_in(&x, &name, 1, MAX_STATES, "")?,
            "depth" => b.depth = whole_in(&x, &name, 1, MAX_DEPTH, "")? as u32,
            "timers" => b.timers = whole_in(&x, &name, 0, MAX_BUDGET, "")? as u32,
            "drops" => b.drops = whole_in(&x, &name, 0, MAX_BUDGET, "")? as u32,
            _ => {} // every key of KNOWN has its arm above
        }
    }
    Ok((at, b))
}

/// A search of every order in which the network can deliver what is in
/// flight at an instant of a run (README, "Explore").
#[wasm_bindgen]
pub struct Explorer {
    job: Job,
}

#[wasm_bindgen]
impl Explorer {
    /// `new Explorer(options, { at, states, depth, timers, drops })`: `options`
    /// as for `new Simulation`; the search starts at virtual time `at`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, bounds: JsValue) -> Result<Explorer, JsError> {
        Ok(Explorer { job: Job::start(&options, &bounds)? })
    }

    /// Takes up to `steps` steps (a whole number from 1 to 10⁹); returns whether the search is over.
    pub fn run(&mut self, #[wasm_bindgen(unchecked_param_type = "number")] steps: JsValue) -> Result<bool, JsError> {
        let steps = whole_in(&steps, "run: steps", 1, 1_000_000_000, "")?;
        Ok(self.job.search.run(steps))
    }

    /// `{ states, generated, depth, maxDepth, ended, endedAccepted, done, complete,
    /// depthCut, statesCut, elapsedMs, bounds, violationsBefore }`.
    pub fn progress(&self) -> Result<JsValue, JsError> {
        super::to_js(&self.job.report())
    }

    /// `{ violation, actions, trace }` once a violation was found, else `null`.
    pub fn counterexample(&self) -> Result<JsValue, JsError> {
        match self.job.found() {
            Some(f) => super::to_js(&f),
            None => Ok(JsValue::NULL),
        }
    }
}

/// Virtual ms between a counterexample's steps (one at a time on the timeline).
pub const STEP_EVERY: u64 = 200;

/// How long the worker searches before it yields (ms).
const SLICE_MS: f64 = 50.0;

#[derive(Serialize)]
struct Message<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    id: f64,
    #[serde(flatten)]
    report: Option<Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counterexample: Option<Found>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// Makes this Web Worker an explorer (see the module docs).
#[wasm_bindgen(js_name = exploreWorker)]
pub fn explore_worker() -> Result<(), JsError> {
    let scope: DedicatedWorkerGlobalScope =
        js_sys::global().dyn_into().map_err(|_| JsError::new("exploreWorker: call it in a dedicated Web Worker"))?;
    let job: Rc<RefCell<Option<(f64, Job)>>> = Rc::default();
    let tick: Rc<RefCell<Option<Closure<dyn FnMut()>>>> = Rc::default();
    let post = {
        let scope = scope.clone();
        move |m: &Message| {
            if let Ok(v) = super::to_js(m) {
                let _ = scope.post_message(&v);
            }
        }
    };
    let schedule = {
        let (scope, tick) = (scope.clone(), tick.clone());
        move || {
            if let Some(f) = tick.borrow().as_ref() {
                let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(f.as_ref().unchecked_ref(), 0);
            }
        }
    };
    {
        let (job, post, schedule) = (job.clone(), post.clone(), schedule.clone());
        *tick.borrow_mut() = Some(Closure::new(move || {
            let mut slot = job.borrow_mut();
            let Some((id, j)) = slot.as_mut() else { return };
            let t0 = js_sys::Date::now();
            let mut done = false;
            while !done && js_sys::Date::now() - t0 < SLICE_MS {
                done = j.search.run(100);
            }
            let kind = if done { "done" } else { "progress" };
            let counterexample = if done { j.found() } else { None };
            post(&Message { kind, id: *id, report: Some(j.report()), counterexample, message: None });
            if done {
                *slot = None;
            } else {
                drop(slot);
                schedule();
            }
        }));
    }
    post(&Message { kind: "ready", id: 0.0, report: None, counterexample: None, message: None });
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let data = e.data();
        let field = |k: &str| js_sys::Reflect::get(&data, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
        let id = field("id").as_f64().unwrap_or(0.0);
        match field("type").as_string().as_deref() {
            Some("start") => match Job::start(&field("options"), &field("bounds")) {
                Ok(j) => {
                    let running = job.borrow().is_some();
                    *job.borrow_mut() = Some((id, j));
                    if !running {
                        schedule();
                    }
                }
                Err(err) => post(&Message { kind: "error", id, report: None, counterexample: None, message: Some(said(err)) }),
            },
            Some("stop") => {
                if let Some((id, j)) = job.borrow_mut().take() {
                    post(&Message { kind: "stopped", id, report: Some(j.report()), counterexample: None, message: None });
                }
            }
            _ => {
                let message = Some("the explorer worker takes { type: \"start\", id, options, bounds } or { type: \"stop\" }".into());
                post(&Message { kind: "error", id, report: None, counterexample: None, message });
            }
        }
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    Ok(())
}


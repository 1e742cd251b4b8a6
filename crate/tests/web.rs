//! The JavaScript API, driven in a real browser by `wasm-pack test --headless --chrome`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Reflect};
use pbft_playground::wasm::Simulation;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).expect("property")
}

fn num(v: &JsValue, key: &str) -> f64 {
    get(v, key).as_f64().unwrap_or_else(|| panic!("{key} is not a number"))
}

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn error_message(e: JsValue) -> String {
    let e: js_sys::Error = e.dyn_into().expect("an Error object");
    String::from(e.message())
}

#[wasm_bindgen_test]
fn a_request_commits_everywhere_and_the_snapshot_shows_it() {
    let mut sim = Simulation::new(options(&[("n", 4.into()), ("seed", 7.into())])).unwrap();
    let t = sim.request("warTime=1234".into(), JsValue::UNDEFINED).unwrap();
    assert_eq!(t, 1.0);
    let events: Array = sim.run_until_idle(10_000.0).unwrap().into();
    assert!(events.length() > 29);
    let kinds: Vec<String> = events.iter().map(|e| get(&e, "type").as_string().unwrap()).collect();
    assert!(kinds.iter().any(|k| k == "accepted"));
    assert_eq!(kinds.iter().filter(|k| *k == "executed").count(), 4);

    let snap = sim.snapshot(None).unwrap();
    assert_eq!(num(&snap, "n"), 4.0);
    assert_eq!(num(&snap, "f"), 1.0);
    let replicas: Array = get(&snap, "replicas").into();
    for r in replicas.iter() {
        assert_eq!(num(&r, "lastExecuted"), 1.0);
        let executed: Array = get(&r, "executed").into();
        assert_eq!(get(&executed.get(0), "op").as_string().as_deref(), Some("warTime=1234"));
    }
    let sent = get(&get(&snap, "stats"), "sent");
    assert_eq!(num(&sent, "pre-prepare"), 3.0, "stats.sent is a plain object keyed by kind");
    assert_eq!(num(&sent, "commit"), 12.0);
    let accepted: Array = get(&get(&snap, "client"), "accepted").into();
    assert_eq!(get(&accepted.get(0), "result").as_string().as_deref(), Some("warTime=1234"));
    assert_eq!(Array::from(&get(&snap, "violations")).length(), 0);
}

#[wasm_bindgen_test]
fn messages_in_flight_can_be_inspected_and_dropped() {
    let mut sim = Simulation::new(JsValue::UNDEFINED).unwrap();
    sim.request("x=1".into(), JsValue::UNDEFINED).unwrap();
    let snap = sim.snapshot(None).unwrap();
    let flying: Array = get(&snap, "inFlight").into();
    assert_eq!(flying.length(), 1);
    let m = flying.get(0);
    assert_eq!(get(&m, "kind").as_string().as_deref(), Some("request"));
    assert_eq!(num(&m, "from"), -1.0, "the client is node -1");
    assert_eq!(num(&m, "to"), 0.0);
    sim.drop_message(num(&m, "id")).unwrap();
    let flying: Array = get(&sim.snapshot(None).unwrap(), "inFlight").into();
    assert_eq!(flying.length(), 0);
    let err = sim.drop_message(999.0).unwrap_err();
    assert!(error_message(err.into()).contains("no message 999"));
}

#[wasm_bindgen_test]
fn crashing_the_primary_changes_the_view() {
    let mut sim = Simulation::new(options(&[("preset", "primary-crash".into()), ("seed", 3.into())])).unwrap();
    sim.run_until_idle(60_000.0).unwrap();
    let snap = sim.snapshot(None).unwrap();
    let replicas: Array = get(&snap, "replicas").into();
    assert!(!get(&replicas.get(0), "up").as_bool().unwrap());
    for i in 1..4 {
        assert_eq!(num(&replicas.get(i), "view"), 1.0);
    }
    let accepted: Array = get(&get(&snap, "client"), "accepted").into();
    assert_eq!(num(&accepted.get(0), "view"), 1.0);
}

#[wasm_bindgen_test]
fn invalid_arguments_throw_clear_errors() {
    let bad = |pairs: &[(&str, JsValue)]| {
        let refused = Simulation::new(options(pairs)).err().unwrap_or_else(|| panic!("accepted {pairs:?}"));
        error_message(refused.into())
    };
    assert!(bad(&[("n", 0.into())]).contains("n must be between 1 and 128"));
    assert!(bad(&[("n", 500.into())]).contains("n must be between"));
    assert!(bad(&[("preset", "nope".into())]).contains("unknown preset"));
    assert!(bad(&[("loss", 2.into())]).contains("loss rate"));
    assert!(bad(&[("nn", 4.into())]).contains("unknown field"));
    assert!(bad(&[("seed", (-1).into())]).contains("seed must be a whole number"));
    assert!(bad(&[("n", 2.5.into())]).contains("n must be a whole number"));
    assert!(bad(&[("names", "Apple".into())]).contains("invalid options"));

    let mut sim = Simulation::new(JsValue::NULL).unwrap();
    let msg = |e: JsError| error_message(e.into());
    assert!(msg(sim.crash(4.0).unwrap_err()).contains("no replica 4"));
    assert!(msg(sim.crash(-1.0).unwrap_err()).contains("no replica -1"));
    assert!(msg(sim.crash(1.5).unwrap_err()).contains("whole number"));
    assert!(msg(sim.set_behavior(1.0, "evil".into(), JsValue::UNDEFINED).unwrap_err()).contains("unknown behavior"));
    assert!(msg(sim.request("   ".into(), JsValue::UNDEFINED).unwrap_err()).contains("empty"));
    // Wrong types are clear errors too, never a trap.
    assert!(msg(sim.request(42.into(), JsValue::UNDEFINED).unwrap_err()).contains("the operation must be a string, got number"));
    assert!(msg(sim.request(JsValue::NULL, JsValue::UNDEFINED).unwrap_err()).contains("got null"));
    assert!(msg(sim.request(js_sys::Object::new().into(), JsValue::UNDEFINED).unwrap_err()).contains("got object"));
    // A client the run lacks: the run has one client, 0.
    assert!(msg(sim.request("a=1".into(), 1.into()).unwrap_err()).contains("request: client must be a whole number (a client of this run) from 0 to 0, got 1"));
    assert!(msg(sim.request("a=1".into(), (-1).into()).unwrap_err()).contains("request: client"));
    assert!(msg(sim.set_behavior(0.0, 42.into(), JsValue::UNDEFINED).unwrap_err()).contains("the behaviour must be a string"));
    assert!(msg(sim.advance(f64::NAN).unwrap_err()).contains("whole number"));
    // Nothing was lost: the simulation still works.
    sim.request("ok=1".into(), JsValue::UNDEFINED).unwrap();
    sim.run_until_idle(10_000.0).unwrap();
    let accepted: Array = get(&get(&sim.snapshot(None).unwrap(), "client"), "accepted").into();
    assert_eq!(accepted.length(), 1);
}

#[wasm_bindgen_test]
fn actions_replay_the_same_run() {
    let mut a = Simulation::new(options(&[("seed", 11.into())])).unwrap();
    a.request("warTime=1234".into(), JsValue::UNDEFINED).unwrap();
    let ev_a: Array = a.advance(150.0).unwrap().into();
    a.crash(0.0).unwrap();
    let ev_a = ev_a.concat(&a.advance(8_000.0).unwrap().into());
    let actions = a.actions().unwrap();
    let mut b = Simulation::new(options(&[("seed", 11.into()), ("actions", actions)])).unwrap();
    let ev_b: Array = b.advance(150.0).unwrap().into();
    let ev_b = ev_b.concat(&b.advance(8_000.0).unwrap().into());
    assert_eq!(ev_a.length(), ev_b.length());
    let json = |v: JsValue| js_sys::JSON::stringify(&v).unwrap().as_string().unwrap();
    assert_eq!(json(ev_a.into()), json(ev_b.into()));
    assert_eq!(Array::from(&Simulation::presets().unwrap()).length() as usize, pbft_playground::sim::PRESETS.len());

    // Seeking back and forward lands on the same state.
    let json1 = |v: JsValue| js_sys::JSON::stringify(&v).unwrap().as_string().unwrap();
    let end = json1(b.snapshot(None).unwrap());
    assert_eq!(b.seek(1_000.0, None).unwrap(), JsValue::UNDEFINED);
    assert_eq!(b.now(), 1_000.0);
    let replayed: Array = b.seek(2_000.0, Some(true)).unwrap().into();
    assert!(replayed.length() > 0);
    b.seek(8_150.0, None).unwrap();
    assert_eq!(json1(b.snapshot(None).unwrap()), end);
    let tail = b.snapshot(Some(0.0)).unwrap();
    let r0 = get(&get(&tail, "replicas"), "1");
    assert_eq!(Array::from(&get(&r0, "executed")).length(), 0, "executedTail 0 leaves the list empty");
    assert!(num(&r0, "lastExecuted") >= 1.0, "replica 1 executed the request");
    assert!(b.next_event_time().is_some() || b.idle());
}

fn json(v: &JsValue) -> String {
    js_sys::JSON::stringify(v).unwrap().as_string().unwrap()
}

/// Events cross the boundary as codes with parameters; the page words them.
#[wasm_bindgen_test]
fn rejections_faults_and_violations_are_codes_with_parameters() {
    // A crashed backup and an equivocating primary under the naive rule: faults,
    // rejections and (the naive rule is unsafe) violations.
    let mut sim = Simulation::new(options(&[("seed", 14.into()), ("naiveQuorum", true.into())])).unwrap();
    sim.crash(3.0).unwrap();
    sim.recover(3.0).unwrap();
    sim.set_behavior(0.0, "equivocate".into(), JsValue::UNDEFINED).unwrap();
    sim.request("warTime=1234".into(), JsValue::UNDEFINED).unwrap();
    let events: Array = sim.run_until_idle(30_000.0).unwrap().into();
    // A backup that sends duplicate and conflicting votes: rejections.
    let mut other = Simulation::new(options(&[("seed", 3.into())])).unwrap();
    other.set_behavior(2.0, "conflicting-votes".into(), JsValue::UNDEFINED).unwrap();
    other.request("peace=1".into(), JsValue::UNDEFINED).unwrap();
    let events = events.concat(&other.run_until_idle(30_000.0).unwrap().into());
    let of = |t: &str| events.iter().filter(|e| get(e, "type").as_string().as_deref() == Some(t)).collect::<Vec<_>>();
    let faults = of("fault");
    assert_eq!(json(&faults[0]).split_once(",\"type\"").map(|(_, rest)| rest.to_string()).as_deref(),
        Some(r#":"fault","action":{"type":"crash","replica":3},"replica":3}"#));
    assert!(json(&faults[2]).contains(r#""action":{"type":"set-behavior","replica":0,"behavior":"equivocate"}"#), "{}", json(&faults[2]));
    let rejected = of("rejected");
    assert!(!rejected.is_empty());
    for r in &rejected {
        let reason = get(r, "reason");
        let code = get(&reason, "code").as_string().expect("reason.code");
        assert!(!code.is_empty() && !code.contains(' '), "a code, not a sentence: {code}");
    }
    let violations = of("violation");
    assert!(!violations.is_empty(), "the naive quorum is unsafe on this seed");
    let v = get(&violations[0], "violation");
    assert_eq!(get(&v, "code").as_string().as_deref(), Some("agreement"));
    assert!(get(&v, "seq").as_f64().is_some());
    assert!(get(&violations[0], "description").is_undefined(), "no English sentence crosses");
    let snap_v: Array = get(&sim.snapshot(None).unwrap(), "violations").into();
    assert_eq!(get(&snap_v.get(0), "code").as_string().as_deref(), Some("agreement"));

    // Every code the events used is listed by Simulation.codes().
    let codes = Simulation::codes().unwrap();
    let listed = |k: &str| Array::from(&get(&codes, k)).iter().filter_map(|c| c.as_string()).collect::<Vec<_>>();
    for r in &rejected {
        let code = get(&get(r, "reason"), "code").as_string().unwrap();
        assert!(listed("rejects").contains(&code), "{code} is listed");
    }
    for f in &faults {
        let t = get(&get(f, "action"), "type").as_string().unwrap();
        assert!(listed("faults").contains(&t), "{t} is listed");
    }
    for e in events.iter() {
        assert!(listed("events").contains(&get(&e, "type").as_string().unwrap()));
    }
    assert!(listed("behaviors").contains(&"equivocate".to_string()));
    assert_eq!(listed("violations").len(), 6);
    let behaviors: Array = Simulation::behaviors().unwrap().into();
    assert_eq!(behaviors.length() as usize, listed("behaviors").len());
    assert!(Array::from(&get(&behaviors.get(1), "params")).is_array());
}

#[wasm_bindgen_test]
fn behaviour_parameters_are_checked() {
    let mut sim = Simulation::new(JsValue::NULL).unwrap();
    let msg = |e: JsError| error_message(e.into());
    let p = options(&[("ms", 5.into())]);
    assert!(msg(sim.set_behavior(1.0, "silent".into(), p).unwrap_err()).contains("takes no parameters"));
    assert!(msg(sim.set_behavior(1.0, "silent".into(), "x".into()).unwrap_err()).contains("invalid behaviour parameters"));
    assert!(msg(sim.set_behavior(9.0, "silent".into(), JsValue::NULL).unwrap_err()).contains("no replica 9"));
    sim.set_behavior(1.0, "silent".into(), JsValue::NULL).unwrap();
    let snap = sim.snapshot(None).unwrap();
    let r1 = get(&get(&snap, "replicas"), "1");
    assert_eq!(get(&r1, "behavior").as_string().as_deref(), Some("silent"));
}

/// `a` and `b` are the same plain data: the same keys (an undefined value
/// included) and the same values, all the way down.
fn same(a: &JsValue, b: &JsValue, at: &str) -> Result<(), String> {
    if a.is_object() && b.is_object() {
        if Array::is_array(a) != Array::is_array(b) {
            return Err(format!("{at}: an array on one side only"));
        }
        let (ka, kb) = (js_sys::Object::keys(a.unchecked_ref::<js_sys::Object>()), js_sys::Object::keys(b.unchecked_ref::<js_sys::Object>()));
        let (ka, kb): (Vec<String>, Vec<String>) =
            (ka.iter().map(|k| k.as_string().unwrap()).collect(), kb.iter().map(|k| k.as_string().unwrap()).collect());
        let (mut sa, mut sb) = (ka.clone(), kb.clone());
        sa.sort();
        sb.sort();
        if sa != sb {
            return Err(format!("{at}: keys {ka:?} and {kb:?}"));
        }
        for k in &ka {
            same(&get(a, k), &get(b, k), &format!("{at}.{k}"))?;
        }
        Ok(())
    } else if js_sys::Object::is(a, b) {
        Ok(())
    } else {
        Err(format!("{at}: {a:?} and {b:?}"))
    }
}

/// Events cross the boundary as one batch that crate/js/events.js decodes: the
/// objects are the ones serializing each event would give, and each sent
/// message's label is the engine's own text of it (as `snapshot().inFlight` has it).
#[wasm_bindgen_test]
fn events_decoded_from_a_batch_are_the_engine_events_field_for_field() {
    use pbft_playground::sim;
    let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    let presets: Array = Simulation::presets().unwrap().into();
    let mut names: Vec<String> = presets.iter().map(|p| get(&p, "name").as_string().unwrap()).collect();
    names.push(String::new()); // no preset: requests with operations in other scripts, under load
    let mut types = std::collections::BTreeSet::new();
    for name in &names {
        let (cfg, actions) = if name.is_empty() { (sim::SimConfig::default(), Vec::new()) } else { sim::preset(name, 1).unwrap() };
        let mut native = sim::Simulation::with_actions(cfg, actions).unwrap();
        let mut js = if name.is_empty() {
            Simulation::new(JsValue::UNDEFINED).unwrap()
        } else {
            Simulation::new(options(&[("preset", name.as_str().into())])).unwrap()
        };
        if name.is_empty() {
            for op in ["名字=值", "x=😀", "plain=1"] {
                native.request(op).unwrap();
                js.request(op.into(), JsValue::UNDEFINED).unwrap();
            }
            native.act(sim::Action::SetLoad { rate: 20 }).unwrap();
            js.set_load_js(20.into()).unwrap();
        }
        let mut labels = std::collections::HashMap::new();
        for step in 0..60 {
            let ours: Array = js.advance(100.0).unwrap().into();
            let theirs = native.advance(100);
            assert_eq!(ours.length() as usize, theirs.len(), "{name} at step {step}: as many events");
            for (i, (o, e)) in ours.iter().zip(&theirs).enumerate() {
                let expected = serde::Serialize::serialize(e, &ser).unwrap();
                let kind = get(&o, "type").as_string().unwrap();
                if kind == "sent" {
                    labels.insert(num(&o, "msg") as u64, get(&o, "label").as_string().unwrap());
                    Reflect::delete_property(o.unchecked_ref::<js_sys::Object>(), &"label".into()).unwrap();
                }
                types.insert(kind);
                if let Err(e) = same(&o, &expected, &format!("{name}: event {i} of step {step}")) {
                    panic!("{e}");
                }
            }
            let in_flight: Array = get(&sim_snapshot(&js), "inFlight").into();
            for m in in_flight.iter() {
                let id = num(&m, "id") as u64;
                assert_eq!(labels.get(&id), get(&m, "label").as_string().as_ref(), "{name}: the label of message {id}");
            }
        }
    }
    for t in ["sent", "delivered", "dropped", "phase", "executed", "checkpoint-stable", "view-change-started", "view-changed", "state-transferred", "submitted", "accepted", "rejected", "fault", "violation"] {
        assert!(types.contains(t), "the presets and the load run emit {t} events");
    }
}

fn sim_snapshot(s: &Simulation) -> JsValue {
    s.snapshot(Some(0.0)).unwrap()
}

/// You are the network: the `picked` and `fired` events cross the boundary field
/// for field, and a manual run's picks, passed back as `actions`, replay it.
#[wasm_bindgen_test]
fn manual_delivery_events_decode_and_its_picks_replay() {
    use pbft_playground::sim;
    let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    let cfg = sim::SimConfig { delivery: sim::Delivery::Manual, ..sim::SimConfig::default() };
    let mut native = sim::Simulation::new(cfg).unwrap();
    let mut js = Simulation::new(options(&[("delivery", "manual".into())])).unwrap();
    native.request("x=1").unwrap();
    js.request("x=1".into(), JsValue::UNDEFINED).unwrap();
    let mut types = std::collections::BTreeSet::new();
    for step in 0..60 {
        let ours: Array = js.advance(30.0).unwrap().into();
        let mut theirs = native.advance(30);
        // The newest message in flight, and every fifth pick a timer instead.
        let timer = native.pending_timers().first().copied();
        if let (4, Some(p)) = (step % 5, timer) {
            native.fire_timer(p.node, p.timer).unwrap();
            js.fire_timer(p.node as f64, p.timer.as_str()).unwrap();
        } else if let Some(&id) = native.in_flight_ids().last() {
            native.deliver(id).unwrap();
            js.deliver(id as f64).unwrap();
        }
        theirs.extend(native.take_events());
        let ours: Vec<JsValue> = ours.iter().chain(Array::from(&js.take_events().unwrap()).iter()).collect();
        assert_eq!(ours.len(), theirs.len(), "step {step}: as many events");
        for (i, (o, e)) in ours.iter().zip(&theirs).enumerate() {
            let expected = serde::Serialize::serialize(e, &ser).unwrap();
            let kind = get(o, "type").as_string().unwrap();
            if kind == "sent" {
                Reflect::delete_property(o.unchecked_ref::<js_sys::Object>(), &"label".into()).unwrap();
            }
            types.insert(kind);
            if let Err(e) = same(o, &expected, &format!("event {i} of step {step}")) {
                panic!("{e}");
            }
        }
    }
    assert!(types.contains("picked") && types.contains("fired") && types.contains("accepted"), "{types:?}");
    let snap = sim_snapshot(&js);
    assert_eq!(get(&snap, "delivery").as_string().as_deref(), Some("manual"));
    assert_eq!(json(&snap), json(&serde::Serialize::serialize(&native.snapshot_with(Some(0)), &ser).unwrap()));
    let mut again = Simulation::new(options(&[("delivery", "manual".into()), ("actions", js.actions().unwrap())])).unwrap();
    again.advance(js.now()).unwrap();
    assert_eq!(json(&sim_snapshot(&again)), json(&snap));
    assert!(error_message(js.deliver(99_999.0).unwrap_err().into()).contains("no such message in flight"));
    js.set_delivery("auto").unwrap();
    assert_eq!(js.delivery(), "auto");
}

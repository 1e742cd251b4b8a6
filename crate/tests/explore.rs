//! The explorer of the Explore panel (`src/sim/explore.rs`): the naive
//! quorum's counterexample found and replayed as recorded actions, the
//! paper's quorums holding under every order, and the search cross-checked
//! against stateright's breadth-first checker on the same model (the same
//! distinct states).
#![cfg(not(target_arch = "wasm32"))]

use std::hash::{Hash, Hasher};

use pbft_playground::sim::explore::{Bounds, Choice, Explorer, World};
use pbft_playground::sim::{preset, Delivery, Simulation, TimedAction, Violation};
use stateright::{Checker, Model, Property};

/// Preset `name`'s run at `at` ms, ready to explore.
fn run_at(name: &str, at: u64) -> (Simulation, Vec<TimedAction>) {
    let (cfg, actions) = preset(name, 1).expect("a preset");
    let mut sim = Simulation::with_actions(cfg, actions.clone()).expect("its actions");
    sim.set_recording(false);
    sim.advance(at);
    (sim, actions)
}

fn explore(name: &str, at: u64, bounds: Bounds) -> Explorer {
    let (sim, _) = run_at(name, at);
    let mut ex = Explorer::new(sim, bounds);
    assert!(ex.run(u64::MAX), "the search ends");
    ex
}

/// Under the naive quorum (more than n/3 votes) the equivocating primary
/// splits the backups: the search finds it, the counterexample is short, and
/// its actions, recorded after the preset's, replay in a fresh run to the same
/// violation (what the page loads into its timeline).
#[test]
fn the_naive_quorum_counterexample_replays_as_actions() {
    let ex = explore("naive-quorum", 0, Bounds::default());
    let c = ex.counterexample().expect("a violation under the naive quorum");
    assert!(matches!(c.violation, Violation::Agreement { seq: 1, .. }), "{}", c.violation);
    assert!(c.steps.len() <= 7, "{:#?}", ex.trace(&c.steps));
    assert!(c.steps.iter().all(|s| matches!(s, Choice::Deliver(_))), "messages only: {:?}", c.steps);
    let trace = ex.trace(&c.steps);
    assert!(trace[0].starts_with("deliver #1 C0 → R0: REQUEST"), "{trace:#?}");

    let (cfg, mut actions) = preset("naive-quorum", 1).expect("a preset");
    let ours = c.actions(0, Delivery::Auto, 200);
    assert_eq!(ours.len(), c.steps.len() + 1, "manual delivery first, then the steps");
    actions.extend(ours);
    let mut replay = Simulation::with_actions(cfg, actions).expect("the counterexample's actions are valid");
    replay.advance(200 * c.steps.len() as u64);
    assert_eq!(replay.delivery(), Delivery::Manual);
    assert_eq!(replay.violations().first().map(|v| v.to_string()), Some(c.violation.to_string()));
    // Without its last step there is no violation yet: the path is cut where it happens.
    let (cfg, mut actions) = preset("naive-quorum", 1).expect("a preset");
    actions.extend(c.actions(0, Delivery::Auto, 200).into_iter().take(c.steps.len()));
    let mut short = Simulation::with_actions(cfg, actions).expect("valid");
    short.advance(10_000);
    assert!(short.violations().is_empty());
}

/// The same primary under the paper's quorums: no order of its messages
/// breaks anything (up to the state bound of the test).
#[test]
fn an_equivocating_primary_breaks_nothing_in_any_order() {
    let ex = explore("equivocation", 0, Bounds { states: 20_000, ..Bounds::default() });
    let p = ex.progress();
    assert!(ex.counterexample().is_none());
    assert_eq!(p.states, 20_000);
    assert!(p.states_cut && !p.complete());
}

/// A search from the middle of a run, with the network in automatic mode:
/// the counterexample switches to manual delivery first.
#[test]
fn a_search_starts_from_any_instant() {
    let (sim, _) = run_at("naive-quorum", 30);
    assert_eq!(sim.delivery(), Delivery::Auto);
    let before = sim.in_flight_len();
    assert!(before > 0, "messages in flight at 30 ms");
    let mut ex = Explorer::new(sim, Bounds::default());
    ex.run(u64::MAX);
    let root = ex.root().sim();
    assert_eq!(root.delivery(), Delivery::Manual);
    assert_eq!(root.now(), 30);
    if let Some(c) = ex.counterexample() {
        let acts = c.actions(30, Delivery::Auto, 200);
        assert_eq!(acts[0].at, 30);
        assert!(acts.iter().skip(1).enumerate().all(|(i, a)| a.at == 30 + 200 * (i as u64 + 1)));
    }
}

/// A depth bound sees every state within that many steps, however the
/// depth-first search first reached it: the states within depth d are those
/// stateright's breadth-first search finds within depth d.
#[test]
fn a_depth_bound_keeps_every_state_within_it() {
    let bounds = Bounds { depth: 4, ..Bounds::default() };
    let ex = explore("backup-crash", 0, bounds);
    assert!(ex.progress().depth_cut);
    let (sim, _) = run_at("backup-crash", 0);
    let bfs = Same { root: World::new(sim), bounds, depth: Some(4) }.checker().spawn_bfs().join();
    assert_eq!(ex.progress().states as usize, bfs.unique_state_count());
}

// ----- the cross-check -----------------------------------------------------

/// The explorer's model ([`World::choices`], [`World::apply`]) as a stateright model.
struct Same {
    root: World,
    bounds: Bounds,
    /// Leave states at this many steps unexpanded (the explorer's depth bound).
    depth: Option<usize>,
}

#[derive(Clone)]
struct St {
    world: World,
    fp: u64,
    depth: usize,
}

impl Hash for St {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(self.fp);
    }
}

impl PartialEq for St {
    fn eq(&self, other: &St) -> bool {
        self.fp == other.fp
    }
}

impl std::fmt::Debug for St {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "state {:016x}", self.fp)
    }
}

impl Model for Same {
    type State = St;
    type Action = Choice;

    fn init_states(&self) -> Vec<St> {
        vec![St { fp: self.root.fingerprint(), world: self.root.clone(), depth: 0 }]
    }

    fn actions(&self, s: &St, actions: &mut Vec<Choice>) {
        if s.world.violations() == 0 && self.depth.is_none_or(|d| s.depth < d) {
            actions.extend(s.world.choices(&self.bounds));
        }
    }

    fn next_state(&self, s: &St, c: Choice) -> Option<St> {
        let mut world = s.world.clone();
        world.apply(c);
        Some(St { fp: world.fingerprint(), world, depth: s.depth + 1 })
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::<Self>::always("safe", |_, s| s.world.violations() == 0)]
    }
}

/// Both searches on preset `name` at `at` ms within `bounds`: the explorer's
/// distinct states and stateright's.
fn cross_check(name: &str, at: u64, bounds: Bounds) -> (u64, usize) {
    let ex = explore(name, at, bounds);
    let p = ex.progress();
    assert!(p.complete() && !p.depth_cut, "{name}: exhaustive within the bounds: {p:?}");
    assert!(ex.counterexample().is_none());
    let (sim, _) = run_at(name, at);
    let checker = Same { root: World::new(sim), bounds, depth: None }.checker().threads(2).spawn_bfs().join();
    checker.assert_properties();
    eprintln!("{name} at {at} ms, {bounds:?}: explorer {} states, stateright {}", p.states, checker.unique_state_count());
    (p.states, checker.unique_state_count())
}

#[test]
fn the_explorer_finds_the_states_stateright_finds() {
    for (name, at, bounds) in [
        ("backup-crash", 0, Bounds::default()),
        ("backup-crash", 0, Bounds { drops: 1, ..Bounds::default() }),
        ("primary-crash", 0, Bounds { timers: 2, ..Bounds::default() }),
        ("generals", 200, Bounds::default()),
    ] {
        let (ours, theirs) = cross_check(name, at, bounds);
        assert!(ours > 100, "{name}: a search worth the name ({ours} states)");
        assert_eq!(ours as usize, theirs, "{name} at {at} ms, {bounds:?}");
    }
}

/// stateright on the same model finds the naive quorum's violation too.
#[test]
fn stateright_agrees_the_naive_quorum_is_unsafe() {
    let (sim, _) = run_at("naive-quorum", 0);
    let checker = Same { root: World::new(sim), bounds: Bounds::default(), depth: None }
        .checker()
        .finish_when(stateright::HasDiscoveries::AnyFailures)
        .spawn_bfs()
        .join();
    let path = checker.discovery("safe").expect("a violation");
    assert!(path.last_state().world.violations() > 0);
    let ex = explore("naive-quorum", 0, Bounds::default());
    let ours = ex.counterexample().expect("ours too");
    assert_eq!(path.into_actions().len(), ours.steps.len(), "breadth first finds a shortest one: as short as ours, minimized");
}

//! Randomized property tests over many seeds, and determinism.
//!
//! Each run mixes crashes, partitions, message loss and up to f Byzantine
//! replicas, then heals the crashes, partitions and loss. Safety must hold
//! throughout; once healed, every submitted request must be accepted.
//! A failure names its seed: rerun it with `PBFT_SEED=<seed> cargo test --test properties`;
//! explore more seeds with `PBFT_SEEDS=<count>`.

mod common;

use pbft_playground::sim::{Action, Behavior, Event, Rng, SimConfig, Simulation, TimedAction};

/// Every faulty behaviour the engine lists: a new one is fuzzed without touching this file.
fn byzantine() -> Vec<Behavior> {
    Behavior::byzantine().collect()
}

/// A random scenario for `seed`: configuration and timed actions.
fn scenario(seed: u64) -> (SimConfig, Vec<TimedAction>, usize) {
    let mut rng = Rng::new(seed ^ 0x5eed);
    let n = [4, 4, 5, 7][rng.range(0, 3) as usize];
    let mut cfg = SimConfig::new(n, seed);
    cfg.clients = rng.range(1, 2) as usize;
    // Checkpoint interval and log window: the defaults most of the time,
    // sometimes a window no wider than the interval (the hardest case).
    if rng.chance(0.3) {
        let k = [1, 2, 4][rng.range(0, 2) as usize];
        cfg.protocol.checkpoint_interval = k;
        cfg.protocol.log_window = k * rng.range(1, 3);
    }
    let f = cfg.protocol.f();
    let mut actions = Vec::new();
    let at = |t: u64, a: Action| TimedAction { at: t, action: a };
    // Up to f Byzantine replicas, for the whole run.
    let byz = rng.range(0, f as u64) as usize;
    let mut faulty = Vec::new();
    while faulty.len() < byz {
        let r = rng.range(0, n as u64 - 1) as usize;
        if !faulty.contains(&r) {
            faulty.push(r);
            let all = byzantine();
            let behavior = all[rng.range(0, all.len() as u64 - 1) as usize];
            actions.push(at(0, Action::SetBehavior { replica: r, behavior, params: Default::default() }));
        }
    }
    // 15 s of chaos.
    let mut requests = 0;
    let mut t = 0;
    while t < 15_000 {
        t += rng.range(100, 900);
        match rng.range(0, 9) {
            0..=4 => {
                let client = rng.range(0, cfg.clients as u64 - 1) as u32;
                actions.push(at(t, Action::Request { op: format!("k{}={}", rng.range(0, 5), t).into(), client }));
                requests += 1;
            }
            5 => actions.push(at(t, Action::Crash { replica: rng.range(0, n as u64 - 1) as usize })),
            6 => actions.push(at(t, Action::Recover { replica: rng.range(0, n as u64 - 1) as usize })),
            7 => {
                let cut = rng.range(0, n as u64 - 1) as usize;
                let (a, b): (Vec<usize>, Vec<usize>) = (0..n).partition(|&r| r != cut || rng.chance(0.3));
                actions.push(at(t, Action::Partition { groups: vec![a, b] }));
            }
            8 => actions.push(at(t, Action::SetLoss { rate: rng.range(0, 30) as f64 / 100.0 })),
            _ => actions.push(at(t, Action::Heal)),
        }
    }
    // Heal everything but the Byzantine replicas.
    t += 1;
    actions.push(at(t, Action::Heal));
    actions.push(at(t, Action::SetLoss { rate: 0.0 }));
    for r in 0..n {
        actions.push(at(t, Action::Recover { replica: r }));
    }
    (cfg, actions, requests)
}

fn check_seed(seed: u64) {
    let (cfg, actions, requests) = scenario(seed);
    let clients = cfg.clients as u32;
    let mut sim = Simulation::with_actions(cfg.clone(), actions).expect("valid scenario");
    sim.set_recording(false);
    let accepted = |s: &Simulation| (0..clients).map(|c| s.client_by_id(c).unwrap().accepted_count()).sum::<usize>();
    let done = sim.run_until(1_500_000, |s| s.now() > 15_001 && accepted(s) == requests);
    assert!(
        sim.violations().is_empty(),
        "seed {seed} (n={}): safety violated: {:?}",
        cfg.protocol.n,
        sim.violations()
    );
    assert!(
        done,
        "seed {seed} (n={}, faulty {:?}): after healing only {}/{requests} requests were accepted by t={} ms; (view, status, executed, low, pending): {:?}",
        cfg.protocol.n,
        sim.actions().iter().filter(|a| matches!(a.action, Action::SetBehavior { .. })).map(|a| &a.action).collect::<Vec<_>>(),
        accepted(&sim),
        sim.now(),
        (0..sim.n()).map(|i| { let r = sim.replica(i); (r.view(), r.status(), r.last_executed(), r.low_watermark(), r.pending_len()) }).collect::<Vec<_>>()
    );
    // Honest replicas that executed the same sequence numbers hold the same state.
    sim.run_until_idle(20_000);
    assert!(sim.violations().is_empty(), "seed {seed}: {:?}", sim.violations());
}

#[test]
fn random_faults_never_break_safety_and_healing_restores_liveness() {
    if let Ok(seed) = std::env::var("PBFT_SEED") {
        check_seed(seed.parse().expect("PBFT_SEED is a number"));
        return;
    }
    // PBFT_SEEDS=<count> explores more (a nightly run might use 100000).
    let count: u64 = std::env::var("PBFT_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5000);
    for seed in 0..count {
        check_seed(seed);
    }
}

fn run(seed: u64) -> (Vec<Event>, Vec<TimedAction>) {
    let (cfg, actions, _) = scenario(seed);
    let mut sim = Simulation::with_actions(cfg, actions).unwrap();
    let mut events = sim.advance(12_000);
    events.extend(sim.advance(12_000));
    (events, sim.actions().to_vec())
}

#[test]
fn same_seed_and_actions_give_identical_event_lists() {
    for seed in [3, 11, 29] {
        let (a, acts_a) = run(seed);
        let (b, acts_b) = run(seed);
        assert!(a.len() > 100, "seed {seed}: a non-trivial run");
        assert_eq!(acts_a, acts_b);
        if a != b {
            let i = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
            panic!("seed {seed}: runs diverge at event {i}: {:?} vs {:?}", a.get(i), b.get(i));
        }
    }
}

#[test]
fn live_actions_replay_identically_and_seek_returns_to_the_same_moment() {
    // Actions applied live, between advances, replay the same from the log.
    let mut live = common::sim(4, 21);
    let mut events = Vec::new();
    live.request("warTime=1234").unwrap();
    events.extend(live.advance(170));
    live.crash(0).unwrap();
    events.extend(live.advance(3_000));
    live.request("warTime=4321").unwrap();
    let id = live.in_flight_ids()[0];
    live.drop_message(id).unwrap();
    events.extend(live.advance(9_000));
    assert_eq!(live.client().accepted().len(), 2);

    let mut replay = Simulation::with_actions(live.config().clone(), live.actions().to_vec()).unwrap();
    let replayed = replay.advance(live.now());
    assert_eq!(events, replayed, "a permalink's actions reproduce the run event for event");

    // Seeking back to the middle and forward again gives the same future.
    let mid = 2_000;
    let before: Vec<Event> = events.iter().filter(|e| e.time <= mid).cloned().collect();
    let after: Vec<Event> = events.iter().filter(|e| e.time > mid).cloned().collect();
    let end = live.now();
    let snapshot_at_end = live.snapshot();
    let rewound = live.seek_with_events(mid);
    assert_eq!(rewound, before);
    assert_eq!(live.advance(end - mid), after);
    assert_eq!(live.snapshot(), snapshot_at_end);

    // Seeking with saved copies lands on exactly the same state as a full replay.
    for t in [0, 150, 1_999, 2_000, 4_321, 7_000, end] {
        live.seek(t);
        let mut fresh = Simulation::with_actions(live.config().clone(), live.actions().to_vec()).unwrap();
        fresh.advance(t);
        assert_eq!(live.snapshot(), fresh.snapshot(), "seek({t})");
        assert_eq!(live.advance(10), fresh.advance(10), "the run goes on identically after seek({t})");
    }

    // Acting after seeking back forks a new future.
    live.seek(mid);
    live.recover(0).unwrap();
    assert_eq!(live.actions().len(), 3, "the recorded future was dropped");

    // Acting without seeking back keeps scheduled actions (a preset's).
    let (cfg, actions) = pbft_playground::sim::preset("checkpoint", 1).unwrap();
    let mut p = Simulation::with_actions(cfg, actions).unwrap();
    p.advance(700);
    p.request("extra=1").unwrap();
    assert_eq!(p.actions().len(), 10, "the preset's later requests stay");
    p.run_until_idle(60_000);
    assert_eq!(p.client().accepted().len(), 10);
}

//! The explorer of the page's Explore panel, natively: every order in which
//! the network can deliver what is in flight at an instant of a preset's run
//! (and, within budgets, drop messages or fire timers), each state checked by
//! the safety monitor (`src/sim/explore.rs`).
//!
//! ```text
//! cargo run --release --example explore -- naive-quorum            # finds the counterexample
//! cargo run --release --example explore -- equivocation            # every order: nothing breaks
//! cargo run --release --example explore -- primary-crash --at 0 --timers 3 --states 2000000
//! ```
//!
//! Options: `--at MS` (the instant to start from, default 0), `--timers K`,
//! `--drops K`, `--depth D`, `--states N`, `--seed S`; `--after K` runs K
//! requests to their end first, then the search starts at the next request
//! (how the cost of a step grows with the run before it). Prints the states seen,
//! the time, states per second, and a counterexample's steps.

#[cfg(not(target_arch = "wasm32"))]
use std::time::Instant;

#[cfg(not(target_arch = "wasm32"))]
use pbft_playground::sim::explore::{Bounds, Explorer};
#[cfg(not(target_arch = "wasm32"))]
use pbft_playground::sim::{preset, Simulation};

/// The search is native here (the page's wasm module has none; the explorer's
/// own module is built with `--features explore`).
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let mut args = std::env::args().skip(1);
    let mut name = String::from("naive-quorum");
    let (mut at, mut seed, mut after) = (0u64, 1u64, None);
    let mut bounds = Bounds::default();
    while let Some(a) = args.next() {
        let mut num = || args.next().and_then(|v| v.parse::<u64>().ok()).unwrap_or_else(|| panic!("{a} needs a whole number"));
        match a.as_str() {
            "--at" => at = num(),
            "--seed" => seed = num(),
            "--timers" => bounds.timers = num() as u32,
            "--drops" => bounds.drops = num() as u32,
            "--depth" => bounds.depth = num() as u32,
            "--states" => bounds.states = num(),
            "--after" => after = Some(num()),
            _ => name = a,
        }
    }
    let (cfg, actions) = preset(&name, seed).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulation::with_actions(cfg, actions).expect("a preset's actions are valid");
    sim.set_recording(false);
    if let Some(k) = after {
        for i in 0..k {
            sim.request(&format!("k{i}={i}")).expect("a request");
        }
        sim.run_until_idle(u64::MAX);
        sim.request("x=1").expect("a request");
        name = format!("{name} after {k} requests");
    } else {
        sim.advance(at);
    }
    at = sim.now();
    let start = Instant::now();
    let mut ex = Explorer::new(sim, bounds);
    while !ex.run(100_000) {
        let p = ex.progress();
        eprintln!("  {} states, depth {}, {:.1} s", p.states, p.max_depth, start.elapsed().as_secs_f64());
    }
    let secs = start.elapsed().as_secs_f64();
    let p = ex.progress();
    println!(
        "{name} at {at} ms, bounds {bounds:?}: {} states, {} generated, longest path {}, {} ended ({} with every request accepted), {:.2} s, {:.0} states/s{}{}",
        p.states,
        p.generated,
        p.max_depth,
        p.ended,
        p.ended_accepted,
        secs,
        p.states as f64 / secs,
        if p.states_cut { ", stopped at the state bound" } else { "" },
        if p.depth_cut { ", paths cut at the depth bound" } else { "" },
    );
    match ex.counterexample() {
        Some(c) => {
            println!("violation: {}", c.violation);
            for (i, line) in ex.trace(&c.steps).iter().enumerate() {
                println!("  {:2}. {line}", i + 1);
            }
        }
        None => println!("no violation"),
    }
}

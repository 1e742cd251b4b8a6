//! Exhaustive model checking of the protocol's replicas with stateright (see
//! `tests/model/harness.rs`): the configurations of BENCHMARKS.md's "Model
//! checking", larger than the test's.
//!
//! ```text
//! cargo run --release --example model                 # every configuration, one thread
//! cargo run --release --example model -- naive        # those whose name contains "naive"
//! cargo run --release --example model -- --list       # their names
//! cargo run --release --example model -- --threads 2 normal
//! ```
//!
//! Each line reports the distinct states explored, the states generated, the
//! longest path, the time, and every property that failed with its trace.

#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/model/harness.rs"]
mod harness;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use harness::*;
    let mut threads = 1;
    let mut filters = Vec::new();
    let mut list = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => threads = args.next().and_then(|t| t.parse().ok()).expect("--threads N"),
            "--list" => list = true,
            _ => filters.push(a),
        }
    }
    let setups: Vec<Setup> =
        configurations().into_iter().filter(|s| filters.is_empty() || filters.iter().any(|f| s.name.contains(f.as_str()))).collect();
    for s in setups {
        if list {
            println!("{}", s.name);
            continue;
        }
        let stop = s.cfg.quorum_rule == pbft_playground::protocol::QuorumRule::Naive;
        let (model, r) = check(s, threads, stop);
        let failures = r.failures(&model);
        println!(
            "{:<40} {:>10} states {:>11} generated  depth {:>3}  {:>8.2} s  {}",
            r.name,
            r.unique,
            r.generated,
            r.max_depth,
            r.elapsed.as_secs_f64(),
            if failures.is_empty() { "ok".to_string() } else { format!("FAILED: {}", failures.join(", ")) }
        );
        for name in failures {
            if let Some(path) = r.discovery(name) {
                println!("--- {name}: {} steps", path.clone().into_actions().len());
                print!("{}", trace(path));
                println!("--- last state:\n{:?}", path.last_state());
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

/// The configurations checked, smallest first.
#[cfg(not(target_arch = "wasm32"))]
fn configurations() -> Vec<harness::Setup> {
    use harness::*;
    vec![
        Setup::new("normal, 1 request", 1),
        Setup::new("normal, 2 requests", 2),
        Setup::new("R3 down, 1 request", 1).down(3),
        Setup::new("R3 down, 2 requests", 2).down(3),
        Setup::new("R0 down, 1 request, view change", 1).down(0).timers(2, TimerKinds::VIEW_CHANGE).client_timers(1).reachable_only(),
        Setup::new("R0 down, 1 request, view change, 3 timers", 1).down(0).timers(3, TimerKinds::VIEW_CHANGE).client_timers(1).reachable_only(),
        Setup::new("R3 byzantine votes, 1 request", 1).byzantine(3, Menu { votes: true, view_change: true, reply: true, ..Menu::MESSAGES }).reachable_only(),
        Setup::new("naive, R0 equivocates, 1 request", 1).naive().byzantine(0, Menu::EQUIVOCATE),
        Setup::new("R0 equivocates, 1 request", 1).byzantine(0, Menu::EQUIVOCATE).reachable_only(),
        Setup::new("naive, R0 sends anything, 1 request", 1).naive().byzantine(0, Menu::MESSAGES),
        Setup::new("R0 sends anything, 1 request", 1).byzantine(0, Menu::MESSAGES),
    ]
}

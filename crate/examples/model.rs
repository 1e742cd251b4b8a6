//! Exhaustive model checking of the protocol's replicas with stateright (see
//! `tests/model/harness.rs`): the test's configurations and the larger ones
//! of BENCHMARKS.md's "Model checking".
//!
//! ```text
//! cargo run --release --example model -- --list                  # the configurations' names
//! cargo run --release --example model -- "R0 down, 1 request, view change"   # that one
//! cargo run --release --example model -- naive                   # every one whose name contains "naive"
//! cargo run --release --example model -- --threads 2 equivocates
//! cargo run --release --example model                            # all: about 15 minutes, up to 8 GB
//! ```
//!
//! Each line reports the distinct states explored, the states generated, the
//! longest run, the time, and every property that failed, with its run
//! (a counterexample to an `always` property minimized first). Runs with a
//! cap stop after about that many generated states and say so.

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
    // A name given whole picks that configuration alone; otherwise every one containing it.
    let all = configurations();
    let picked = |s: &Setup| {
        filters.is_empty()
            || filters
                .iter()
                .any(|f| if all.iter().any(|(t, _)| t.name == *f) { s.name == *f } else { s.name.contains(f.as_str()) })
    };
    let setups: Vec<(Setup, Option<usize>)> = all.iter().filter(|(s, _)| picked(s)).cloned().collect();
    for (s, cap) in setups {
        if list {
            println!("{}", s.name);
            continue;
        }
        let stop = s.cfg.quorum_rule == pbft_playground::protocol::QuorumRule::Naive;
        let (model, r) = check(s, threads, stop, cap);
        let failures = r.failures(&model);
        println!(
            "{:<40} {:>10} states {:>11} generated  depth {:>3}  {:>8.2} s  {}",
            r.name,
            r.unique,
            r.generated,
            r.max_depth,
            r.elapsed.as_secs_f64(),
            match (failures.is_empty(), r.complete) {
                (true, true) => "ok".to_string(),
                (true, false) => "ok so far (stopped at the cap)".to_string(),
                (false, _) => format!("FAILED: {}", failures.join(", ")),
            }
        );
        for name in failures {
            if let Some(path) = r.discovery(name) {
                let steps = if stateright::Model::property(&model, name).expectation == stateright::Expectation::Always {
                    minimize(&model, name, path)
                } else {
                    path.clone().into_vec()
                };
                println!("--- {name}: {} steps", steps.len() - 1);
                print!("{}", trace(&model, &steps));
                println!("--- the last state:\n{:?}", steps.last().expect("a state").0);
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

/// The configurations checked: the test's, then the larger ones.
#[cfg(not(target_arch = "wasm32"))]
fn configurations() -> Vec<(harness::Setup, Option<usize>)> {
    let mut all: Vec<_> = harness::ci_configurations().into_iter().map(|s| (s, None)).collect();
    all.push((harness::ci_naive(), None));
    all.extend(harness::larger_configurations());
    all
}

//! Engine throughput: committed requests and protocol messages processed per
//! second of CPU, at n = 4, 7, 16, 31 and 64. Event recording is off (the page
//! records them; this measures the protocol and the simulator's queue).
//!
//! Run: `cargo bench --bench engine`. Numbers go to BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use pbft_playground::sim::{SimConfig, Simulation};
use std::hint::black_box;
use std::time::Duration;

const CLIENTS: usize = 8;

fn requests_for(n: usize) -> usize {
    match n {
        0..=7 => 400,
        8..=16 => 120,
        17..=31 => 40,
        _ => 16,
    }
}

fn prepared(n: usize) -> Simulation {
    let cfg = SimConfig { clients: CLIENTS, ..SimConfig::new(n, 42) };
    let mut sim = Simulation::new(cfg).expect("valid config");
    sim.set_recording(false);
    for i in 0..requests_for(n) {
        sim.request_from((i % CLIENTS) as u32, &format!("k{}={i}", i % 16)).expect("valid op");
    }
    sim
}

/// Runs every request to acceptance; returns messages delivered.
fn run(mut sim: Simulation, n: usize) -> u64 {
    let total = requests_for(n);
    let done = sim.run_until(10_000_000, |s| {
        (0..CLIENTS as u32).map(|c| s.client_by_id(c).map_or(0, |c| c.accepted_count())).sum::<usize>() == total
    });
    assert!(done && sim.violations().is_empty());
    sim.stats().delivered
}

fn engine(c: &mut Criterion) {
    for n in [4, 7, 16, 31, 64] {
        let messages = run(prepared(n), n);
        let mut g = c.benchmark_group(format!("n={n}"));
        g.sample_size(10).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_millis(500));
        g.throughput(Throughput::Elements(requests_for(n) as u64));
        g.bench_function("committed requests", |b| {
            b.iter_batched(|| prepared(n), |sim| black_box(run(sim, n)), BatchSize::LargeInput)
        });
        g.throughput(Throughput::Elements(messages));
        g.bench_function("messages processed", |b| {
            b.iter_batched(|| prepared(n), |sim| black_box(run(sim, n)), BatchSize::LargeInput)
        });
        g.finish();
        println!("n={n}: {messages} messages for {} requests ({:.1} per request)", requests_for(n), messages as f64 / requests_for(n) as f64);
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);

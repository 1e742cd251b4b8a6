//! Runs a burst of requests with event recording off (for profiling).
use pbft_playground::sim::{SimConfig, Simulation};
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(4);
    let total: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let clients = 8;
    let mut sim = Simulation::new(SimConfig { clients, ..SimConfig::new(n, 42) }).unwrap();
    sim.set_recording(false);
    for i in 0..total {
        sim.request_from((i % clients) as u32, &format!("k{}={i}", i % 16)).unwrap();
    }
    let t = std::time::Instant::now();
    let ok = sim.run_until(100_000_000, |s| (0..clients as u32).map(|c| s.client_by_id(c).unwrap().accepted_count()).sum::<usize>() == total);
    let dt = t.elapsed().as_secs_f64();
    println!("n={n} ok={ok} {total} requests in {dt:.3}s = {:.0} req/s, {} messages = {:.0} msg/s", total as f64 / dt, sim.stats().delivered, sim.stats().delivered as f64 / dt);
}

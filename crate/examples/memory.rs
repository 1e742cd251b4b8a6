//! Memory and time of a long run as the page runs it: events recorded (and
//! drained after each batch, as the page takes them) and saved copies for
//! seeking on. `cargo run --release --example memory -- <n> <requests>`.
use pbft_playground::sim::{SimConfig, Simulation};

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(4);
    let total: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(4000);
    let clients = 4;
    let mut sim = Simulation::new(SimConfig { clients, ..SimConfig::new(n, 42) }).unwrap();
    let t = std::time::Instant::now();
    let mut done = 0;
    while done < total {
        for i in done..(done + 500).min(total) {
            sim.request_from((i % clients) as u32, &format!("k{}={i}", i % 16)).unwrap();
        }
        done = (done + 500).min(total);
        let events = sim.run_until_idle(100_000_000);
        drop(events);
        println!("{done:>6} requests  t={:>8} ms virtual  {:>7.1} MiB  {:>6.2} s", sim.now(), rss_kib() as f64 / 1024.0, t.elapsed().as_secs_f64());
    }
}

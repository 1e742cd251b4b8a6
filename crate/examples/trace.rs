use pbft_playground::sim::*;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).map(|s| s.as_str()).unwrap_or("primary-crash");
    let until: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10000);
    let (cfg, actions) = preset(name, 7).unwrap();
    let mut sim = Simulation::with_actions(cfg, actions).unwrap();
    for e in sim.advance(until) {
        match &e.kind {
            EventKind::Sent { .. } | EventKind::Delivered { .. } => {}
            k => println!("{:>6} {:?}", e.time, k),
        }
    }
    let s = sim.snapshot();
    for r in &s.replicas {
        let r = &r.summary;
        println!("R{} v{} {:?} exec {} low {}", r.id, r.view, r.status, r.last_executed, r.low_watermark);
    }
    println!("accepted {:?}", s.client.accepted);
    println!("violations {:?}", s.violations);
}

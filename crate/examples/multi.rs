use pbft_playground::sim::*;
fn main() {
    let mut s = Simulation::new(SimConfig::new(4, 9)).unwrap();
    for i in 0..3 { s.request(&format!("k={i}")).unwrap(); }
    for e in s.run_until_idle(5000) {
        match &e.kind {
            EventKind::Sent { .. } | EventKind::Delivered { .. } => {}
            k => println!("{:>6} {:?}", e.time, k),
        }
    }
}

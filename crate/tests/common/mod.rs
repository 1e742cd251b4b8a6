//! Helpers shared by the scenario and property tests.
#![allow(dead_code)]

pub mod net;

use pbft_playground::protocol::{Message, MsgKind, NodeId};
use pbft_playground::sim::{Event, EventKind, SimConfig, Simulation};

/// A default simulation (n, seed).
pub fn sim(n: usize, seed: u64) -> Simulation {
    Simulation::new(SimConfig::new(n, seed)).expect("valid config")
}

/// Runs `ms` of virtual time, dropping every in-flight message for which
/// `drop` is true as soon as it is sent. Returns all events.
pub fn run_dropping(sim: &mut Simulation, ms: u64, mut drop: impl FnMut(NodeId, NodeId, &Message) -> bool) -> Vec<Event> {
    let end = sim.now() + ms;
    let mut events = Vec::new();
    loop {
        let doomed: Vec<u64> = sim
            .in_flight_ids()
            .into_iter()
            .filter(|&id| {
                let (from, to, m) = sim.in_flight_message(id).expect("in flight");
                drop(from, to, m)
            })
            .collect();
        for id in doomed {
            sim.drop_message(id).expect("message in flight");
        }
        match sim.next_instant() {
            Some(t) if t <= end => events.extend(sim.step()),
            _ => break,
        }
    }
    events.extend(sim.advance(end - sim.now()));
    events
}

/// Asserts the invariant monitor found nothing.
pub fn assert_safe(sim: &Simulation) {
    assert!(sim.violations().is_empty(), "safety violated: {:?}", sim.violations());
}

/// Messages sent by kind in `events`.
pub fn sent(events: &[Event], kind: MsgKind) -> usize {
    events.iter().filter(|e| matches!(&e.kind, EventKind::Sent { kind: k, .. } if *k == kind)).count()
}

/// The accepted results in `events`: (timestamp, result, view).
pub fn accepted(events: &[Event]) -> Vec<(u64, String, u64)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Accepted { timestamp, result, view, .. } => Some((*timestamp, result.to_string(), *view)),
            _ => None,
        })
        .collect()
}

/// Operations executed by replica `i`, in order (None for null requests).
pub fn ops(sim: &Simulation, i: usize) -> Vec<Option<String>> {
    sim.executed(i).iter().map(|e| e.op.as_deref().map(str::to_string)).collect()
}

/// True when every replica in `which` executed `op` exactly once.
pub fn all_executed_once(sim: &Simulation, which: &[usize], op: &str) -> bool {
    which.iter().all(|&i| ops(sim, i).iter().filter(|o| o.as_deref() == Some(op)).count() == 1)
}

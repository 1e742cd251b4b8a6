//! Runs that never end: what the engine keeps about a run is bounded (the
//! monitor's window, the clients' latest requests, a snapshot's tails, saved
//! copies that share the store), and a long run still seeks exactly.

mod common;

use pbft_playground::protocol::Client;
use pbft_playground::sim::{SimConfig, Simulation, Snapshot};

const CLIENTS: u32 = 2;

/// `requests` writes of distinct keys from two clients, 100 at a time, with
/// replica 3 down for the middle third of them.
fn long_run(requests: usize) -> Simulation {
    let mut s = Simulation::new(SimConfig { clients: CLIENTS as usize, ..SimConfig::new(4, 9) }).unwrap();
    for start in (0..requests).step_by(100) {
        if start == requests / 3 {
            s.crash(3).unwrap();
        }
        if start == 2 * requests / 3 {
            s.recover(3).unwrap();
        }
        for i in start..(start + 100).min(requests) {
            s.request_from(i as u32 % CLIENTS, &format!("k{i}={i}")).unwrap();
        }
        s.run_until_idle(10_000_000);
    }
    s
}

fn accepted(s: &Simulation) -> usize {
    (0..CLIENTS).map(|c| s.client_by_id(c).unwrap().accepted_count()).sum()
}

#[test]
fn a_long_run_keeps_the_latest_results_and_a_bounded_snapshot() {
    let s = long_run(1_200);
    common::assert_safe(&s);
    assert_eq!(accepted(&s), 1_200);
    let c = s.client();
    assert_eq!((c.accepted().len(), c.accepted_count()), (Client::KEEP_ACCEPTED, 600));
    assert_eq!(c.last_accepted().map(|a| &*a.op), Some("k1198=1198"));
    let snap = s.snapshot();
    assert_eq!((snap.client.accepted.len(), snap.client.accepted_count), (Client::KEEP_ACCEPTED, 600));
    assert_eq!(snap.client.accepted.last().map(|a| a.timestamp), Some(600));
    for (i, r) in snap.replicas.iter().enumerate() {
        assert_eq!(r.executed.len(), Snapshot::DEFAULT_TAIL, "{}", r.name);
        assert_eq!(r.executed_count, s.executed(i).len());
        assert_eq!(r.executed[..], s.executed(i)[r.executed_count - Snapshot::DEFAULT_TAIL..]);
    }
    // The whole history on request.
    let full = s.snapshot_with(Some(usize::MAX));
    assert!(full.replicas.iter().enumerate().all(|(i, r)| r.executed[..] == *s.executed(i)));
    assert!(s.executed(3).len() < s.executed(0).len(), "R3 caught up by state transfer");
    assert_eq!(s.replica(3).last_executed(), s.replica(0).last_executed());
    assert_eq!(s.replica(0).app().store.len(), 1_200);
}

#[test]
fn seeking_in_a_long_run_lands_where_a_full_replay_does() {
    let mut live = long_run(1_500);
    let end = live.now();
    let all = Some(usize::MAX);
    let at_end = live.snapshot_with(all);
    for t in [end / 3, end / 2, 2 * end / 3, end - 1] {
        live.seek(t);
        let mut fresh = Simulation::with_actions(live.config().clone(), live.actions().to_vec()).unwrap();
        fresh.set_recording(false);
        fresh.advance(t);
        assert_eq!(live.snapshot_with(all), fresh.snapshot_with(all), "seek({t})");
        assert_eq!(live.client().accepted_count(), fresh.client().accepted_count());
    }
    live.seek(end);
    assert_eq!(live.snapshot_with(all), at_end);
}

//! Runs that never end: what the engine keeps about a run is bounded (the
//! monitor's window, the clients' latest requests, a snapshot's tails, saved
//! copies that share the store, a replica's state through any number of
//! views), and a long run still seeks exactly.

mod common;

use pbft_playground::protocol::{Client, Message, ReplicaStatus};
use pbft_playground::sim::{Action, SimConfig, Simulation, Snapshot};

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
    assert_eq!(c.last_accepted().map(|a| a.op.as_str()), Some("k1198=1198"));
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

/// View changes without end: a continuous load and every CHECKPOINT lost, so no
/// checkpoint becomes stable, the log window fills up and stays full, and each
/// view times out in turn, its NEW-VIEW carrying the window's entries into the
/// next. What a replica keeps per view (PREPARE and COMMIT votes, VIEW-CHANGEs)
/// must not pile up: at any time a replica holds state for at most three views
/// (the view of its entries' pre-prepares, the view it moves to, one asked for
/// beyond it), not one per view it lived through (`cargo run --release
/// --example memory -- views 4 1000` shows the bytes: flat about 22 KB a
/// replica, where they grew by about 2.8 KB a view).
#[test]
fn endless_view_changes_keep_a_replica_s_state_bounded() {
    let views = if cfg!(debug_assertions) { 300 } else { 1_000 };
    let mut s = Simulation::new(SimConfig::new(4, 5)).unwrap();
    s.set_recording(false);
    s.act(Action::SetLoad { rate: 5 }).unwrap();
    let mut most = 0;
    let mut installed = 0;
    while s.replica(0).view() < views {
        common::run_dropping(&mut s, 5_000, |_, _, m| matches!(m, Message::Checkpoint(_)));
        for i in 0..s.n() {
            let r = s.replica(i);
            assert_eq!(r.low_watermark(), 0, "{}: no checkpoint can become stable", s.name(i));
            most = most.max(r.views_held());
            installed += usize::from(r.status() == ReplicaStatus::Normal && r.view() > 0);
        }
        assert!(s.now() < 1_000 * views * 10, "the views keep changing");
    }
    common::assert_safe(&s);
    assert!(installed > 0, "views are installed, not only asked for");
    assert_eq!(s.replica(0).log_len(), 8, "the window stays full");
    assert!(most <= 3, "a replica held state for {most} views at once");
}

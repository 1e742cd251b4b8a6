//! Runs that never end: what the engine keeps about a run is bounded (the
//! monitor's window, the clients' latest requests, a snapshot's tails, saved
//! copies that share the store, a replica's state through any number of
//! views), and a long run still seeks exactly.

mod common;

use pbft_playground::protocol::{Client, Message, ReplicaStatus};
use pbft_playground::sim::{Action, Behavior, Event, Rng, SimConfig, Simulation, Snapshot};

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

/// Each replica's executed log holds only its latest entries; what a snapshot or
/// `executed` asks for beyond them is rebuilt by replay. After seeking back below
/// the window and forking the run there, every tail (and the whole history) is
/// the one a fresh replay of the same actions gives.
#[test]
fn executed_logs_beyond_their_window_are_rebuilt_exactly_after_a_fork() {
    let mut live = long_run(1_500);
    let end = live.now();
    live.seek(3 * end / 4);
    live.request_from(0, "fork=1").unwrap();
    live.run_until_idle(1_000_000);
    let forked = live.now();
    for t in [forked, end / 2] {
        live.seek(t);
        let mut fresh = Simulation::with_actions(live.config().clone(), live.actions().to_vec()).unwrap();
        fresh.set_recording(false);
        fresh.advance(t);
        for tail in [0, 1, 64, 300, 1_000, usize::MAX] {
            assert_eq!(live.snapshot_with(Some(tail)), fresh.snapshot_with(Some(tail)), "at {t}: tail {tail}");
        }
        for i in 0..4 {
            let whole = fresh.executed(i);
            assert_eq!(live.executed(i), whole, "at {t}: R{i}");
            assert_eq!(live.executed_count(i), whole.len());
            // A log holds at most 384 of its latest entries: the rest was rebuilt.
            assert!(i == 3 || whole.len() > 384, "at {t}: R{i}'s log is longer than its window ({})", whole.len());
        }
        let forks = fresh.executed(0).iter().filter(|e| e.op.as_deref() == Some("fork=1")).count();
        assert_eq!(forks, usize::from(t == forked), "at {t}: the fork executed, and only after it was made");
    }
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

/// A long run of `seed` driven as the page drives one, through its actions
/// one at a time (each applied when virtual time reaches it, events drained
/// as they come): n of 4 (even seeds) or 7 (odd ones), one or two clients, a
/// Byzantine replica from the start (any behaviour), a continuous load that
/// never stops (its rate changes), and every few seconds a request, a crash
/// (often of the primary, so views change) recovered a few seconds later, a
/// partition healed likewise, a loss rate, or a message dropped in flight. It
/// lasts `ms` of virtual time, then everything but the Byzantine replica is
/// healed for the last 20 s.
fn chaotic_run(seed: u64, ms: u64) -> Simulation {
    let mut rng = Rng::new(seed ^ 0x10_6e_55);
    let n = [4, 7][(seed % 2) as usize];
    let clients = rng.range(1, 2) as u32;
    let mut s = Simulation::new(SimConfig { clients: clients as usize, ..SimConfig::new(n, seed) }).unwrap();
    let byzantine: Vec<Behavior> = Behavior::byzantine().collect();
    let faulty = rng.range(0, n as u64 - 1) as usize;
    let behavior = byzantine[rng.range(0, byzantine.len() as u64 - 1) as usize];
    s.act(Action::SetBehavior { replica: faulty, behavior, params: Default::default() }).unwrap();
    s.act(Action::SetLoad { rate: rng.range(1, 8) as u32 }).unwrap();
    // Recoveries and heals to come: (time, action).
    let mut later: Vec<(u64, Action)> = Vec::new();
    while s.now() < ms {
        drop(s.advance(rng.range(500, 4_000)));
        let now = s.now();
        for (_, a) in later.iter().filter(|(t, _)| *t <= now) {
            s.act(a.clone()).unwrap();
        }
        later.retain(|(t, _)| *t > now);
        let crash = |r: usize, rng: &mut Rng, later: &mut Vec<(u64, Action)>| {
            later.push((now + rng.range(2_000, 15_000), Action::Recover { replica: r }));
            Action::Crash { replica: r }
        };
        let action = match rng.range(0, 9) {
            0 | 1 => Action::Request { op: format!("k{}={now}", rng.range(0, 9)).into(), client: rng.range(0, clients as u64 - 1) as u32 },
            // The primary of the view most replicas are in.
            2 | 3 => {
                let mut views: Vec<u64> = (0..n).map(|i| s.replica(i).view()).collect();
                views.sort_unstable();
                crash(s.config().protocol.primary(views[n / 2]), &mut rng, &mut later)
            }
            4 => crash(rng.range(0, n as u64 - 1) as usize, &mut rng, &mut later),
            5 => {
                let cut = rng.range(0, n as u64 - 1) as usize;
                let (a, b): (Vec<usize>, Vec<usize>) = (0..n).partition(|&r| r != cut || rng.chance(0.3));
                later.push((now + rng.range(2_000, 20_000), Action::Heal));
                Action::Partition { groups: vec![a, b] }
            }
            6 => Action::SetLoss { rate: rng.range(0, 20) as f64 / 100.0 },
            7 => Action::SetLoad { rate: rng.range(1, 8) as u32 },
            _ => {
                let ids = s.in_flight_ids();
                match ids.get(rng.range(0, ids.len().max(1) as u64 - 1) as usize) {
                    Some(&msg) => Action::DropMessage { msg },
                    None => continue,
                }
            }
        };
        s.act(action).unwrap();
    }
    s.act(Action::Heal).unwrap();
    s.act(Action::SetLoss { rate: 0.0 }).unwrap();
    for r in (0..n).filter(|&r| r != faulty) {
        s.act(Action::Recover { replica: r }).unwrap();
    }
    drop(s.advance(20_000));
    s
}

fn accepted_counts(s: &Simulation) -> Vec<usize> {
    (0..s.config().clients as u32).map(|c| s.client_by_id(c).unwrap().accepted_count()).collect()
}

/// What a run shows at one moment, and the events of the next few seconds
/// (their ids and times too: they depend on all the state a snapshot does
/// not show, the timers, the RNG, the messages' ids).
fn moment(s: &Simulation) -> (Snapshot, Vec<usize>, Vec<Event>) {
    let mut next = s.clone();
    next.set_recording(true);
    (s.snapshot_with(Some(usize::MAX)), accepted_counts(s), next.advance(3_000))
}

/// Seeking in a long run lands where a fresh replay of its actions does, at
/// random times, backward and forward, over random configurations; each run
/// is long enough that the simulator has thinned its saved copies (it keeps
/// 256, one per [`Simulation::SAVE_EVERY`] ms in which anything happened, and
/// the load never stops), so seeks replay from copies of both spacings.
/// Debug builds (`cargo test`) make 2 runs of 560 s with 6 seeks each, not 8
/// of 700 s with 10: the same paths, in about 4 s instead of 21 (release: 7 s).
#[test]
fn seeking_at_random_times_after_long_chaotic_runs_lands_where_a_fresh_replay_does() {
    let (runs, ms, seeks) = if cfg!(debug_assertions) { (2, 560_000, 6) } else { (8, 700_000, 10) };
    assert!(ms > 256 * Simulation::SAVE_EVERY, "long enough to thin the saved copies");
    for seed in 0..runs {
        let mut live = chaotic_run(seed, ms);
        let end = live.now();
        let actions = live.actions().to_vec();
        let at_end = moment(&live);
        let mut rng = Rng::new(seed ^ 0x5ee4);
        // Any time, and the edges: the instant of an action (applied after
        // what else is due then), a multiple of SAVE_EVERY (where copies are
        // taken), a millisecond either side.
        let times: Vec<u64> = (0..seeks)
            .map(|i| match i % 3 {
                0 => rng.range(0, end),
                1 => (actions[rng.range(0, actions.len() as u64 - 1) as usize].at + rng.range(0, 2)).saturating_sub(1),
                _ => (rng.range(1, end / Simulation::SAVE_EVERY) * Simulation::SAVE_EVERY + rng.range(0, 2) - 1).min(end),
            })
            .collect();
        // The reference: a fresh replay of the recorded actions from time 0,
        // through the times in order (advancing in one step or several is the
        // same: the page advances a frame at a time).
        let mut sorted = times.clone();
        sorted.sort_unstable();
        let mut fresh = Simulation::with_actions(live.config().clone(), actions.clone()).unwrap();
        fresh.set_recording(false);
        let mut expected = std::collections::BTreeMap::new();
        for &t in &sorted {
            fresh.advance(t - fresh.now());
            expected.insert(t, moment(&fresh));
        }
        let n = live.n();
        for &t in &times {
            live.seek(t);
            assert_eq!(live.now(), t);
            let (snap, counts, events) = moment(&live);
            let (want_snap, want_counts, want_events) = &expected[&t];
            assert!(snap == *want_snap, "seed {seed} (n = {n}): seek({t}) of {end}: the snapshot differs from a fresh replay's");
            assert_eq!(counts, *want_counts, "seed {seed}: seek({t}): accepted results");
            assert!(events == *want_events, "seed {seed} (n = {n}): seek({t}) of {end}: the next 3 s differ from a fresh replay's");
        }
        assert_eq!(live.actions(), &actions[..], "seed {seed}: seeking keeps the recorded actions");
        live.seek(end);
        let (snap, counts, events) = moment(&live);
        assert!(snap == at_end.0, "seed {seed} (n = {n}): seek back to the end: the snapshot differs");
        assert_eq!(counts, at_end.1, "seed {seed}: seek back to the end: accepted results");
        assert!(events == at_end.2, "seed {seed} (n = {n}): seek back to the end: the next 3 s differ");
        common::assert_safe(&live);
        assert!(accepted_counts(&live).iter().sum::<usize>() > 100, "seed {seed}: the run did work");
    }
}

//! The adversary's attacks on the view change, state transfer, the request
//! timer and the buffers, each driven through the simulator with n = 4 (one
//! faulty replica) and n = 7 (two): safety holds, the client's requests are
//! accepted, the attack is caught where a check can catch it, and the run
//! still goes idle (a faulty replica cannot keep it busy for ever).
//!
//! Some of these fail until the protocol closes the holes of issue 10:
//! F1 (a NEW-VIEW accepted from a non-primary), F2 (certificates without
//! signed evidence), F3 (requests from replicas not relayed to the primary),
//! F5 (an older state cancels a fetch).

mod common;

use std::collections::BTreeSet;

use common::*;
use pbft_playground::protocol::{Defect, MsgKind, NodeId, Reject, ReplicaStatus};
use pbft_playground::sim::{Action, Behavior, Event, EventKind, Params, SimConfig, Simulation, TimedAction};

fn at(t: u64, action: Action) -> TimedAction {
    TimedAction { at: t, action }
}

fn behave(replica: usize, name: &str) -> TimedAction {
    behave_with(replica, name, Params::new())
}

fn behave_with(replica: usize, name: &str, params: Params) -> TimedAction {
    at(0, Action::SetBehavior { replica, behavior: Behavior::named(name).unwrap(), params })
}

fn req(t: u64, op: String) -> TimedAction {
    at(t, Action::Request { op: op.into(), client: 0 })
}

/// Fast links (10–20 ms) between `a` and each of `bs`.
fn fast(a: usize, bs: impl IntoIterator<Item = usize>) -> Vec<TimedAction> {
    bs.into_iter().filter(|&b| b != a).map(|b| at(0, Action::SetLinkLatency { a: a as i64, b: b as i64, min: 10, max: 20 })).collect()
}

/// Plays `actions` on n replicas until idle (at most `ms`); returns every event.
fn play(n: usize, seed: u64, actions: Vec<TimedAction>, ms: u64) -> (Simulation, Vec<Event>) {
    let mut s = Simulation::with_actions(SimConfig::new(n, seed), actions).expect("valid scenario");
    let events = s.run_until_idle(ms);
    (s, events)
}

/// The run went idle: nothing in flight, no timer left, every action applied.
fn assert_idle(s: &Simulation) {
    assert!(s.is_idle(), "the run did not go idle by t={} ms: {} messages in flight", s.now(), s.in_flight_len());
}

/// Every request of client 0 was accepted, each once and with its own result.
fn assert_all_accepted(s: &Simulation, requests: usize) {
    let acc = s.client().accepted();
    assert_eq!(acc.len(), requests, "accepted {} of {requests}", acc.len());
    assert!(acc.iter().all(|a| *a.result == *a.op || !a.op.contains('=')), "{acc:?}");
}

/// Ids of the messages `from` sent of `kind`.
fn sent_ids(events: &[Event], from: usize, kind: MsgKind) -> BTreeSet<u64> {
    events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Sent { msg, from: NodeId::Replica(f), kind: k, .. } if f == from && k == kind => Some(msg),
            _ => None,
        })
        .collect()
}

/// Codes of the rejections, by honest replicas, of `kind` messages sent by `from`.
fn refused(events: &[Event], from: usize, kind: MsgKind, honest: &[usize]) -> Vec<&'static str> {
    let ids = sent_ids(events, from, kind);
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Rejected { node: NodeId::Replica(r), reason, msg: Some(m), .. } if honest.contains(r) && ids.contains(m) => {
                Some(reason.code())
            }
            _ => None,
        })
        .collect()
}

/// Codes of every rejection by honest replicas of messages from `from`.
fn refused_any(events: &[Event], from: usize, honest: &[usize]) -> BTreeSet<&'static str> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Rejected { node: NodeId::Replica(r), from: NodeId::Replica(f), reason, .. } if honest.contains(r) && *f == from => {
                Some(reason.code())
            }
            _ => None,
        })
        .collect()
}

fn honest(n: usize, faulty: &[usize]) -> Vec<usize> {
    (0..n).filter(|i| !faulty.contains(i)).collect()
}

/// Runs `actions` twice: the same events both times.
fn assert_deterministic(n: usize, seed: u64, actions: &[TimedAction]) {
    let a = play(n, seed, actions.to_vec(), 60_000).1;
    let b = play(n, seed, actions.to_vec(), 60_000).1;
    assert!(a == b, "two runs of the same scenario differ");
}

// ----- forge-new-view (F1) -----------------------------------------------------

/// The primary of view 0 is down; faulty backups with fast links hold a
/// quorum of VIEW-CHANGEs before view 1's primary does and send their own
/// NEW-VIEW. Castro–Liskov §4.4: only the new primary sends NEW-VIEW.
fn forge_new_view(n: usize, faulty: &[usize]) {
    let mut actions = vec![at(0, Action::Crash { replica: 0 })];
    for &r in faulty {
        actions.push(behave(r, "forge-new-view"));
        actions.extend(fast(r, 1..n));
    }
    actions.push(req(0, "warTime=1234".into()));
    actions.push(req(6_000, "retreat=no".into()));
    assert_deterministic(n, 3, &actions);
    let (s, events) = play(n, 3, actions, 120_000);
    assert_safe(&s);
    assert_all_accepted(&s, 2);
    assert_eq!(s.client().accepted()[0].view, 1, "the request commits in view 1");
    let honest: Vec<usize> = honest(n, faulty).into_iter().filter(|&i| i != 0).collect();
    for &r in faulty {
        assert!(!sent_ids(&events, r, MsgKind::NewView).is_empty(), "R{r} forged no NEW-VIEW");
        let codes = refused(&events, r, MsgKind::NewView, &honest);
        assert!(!codes.is_empty(), "F1: no honest replica refused R{r}'s forged NEW-VIEW");
    }
    for &i in &honest {
        assert_eq!(s.replica(i).view(), 1, "R{i}");
    }
    assert_idle(&s);
}

#[test]
fn forged_new_view_is_refused_n4() {
    forge_new_view(4, &[3]);
}

#[test]
fn forged_new_view_is_refused_n7() {
    forge_new_view(7, &[5, 6]);
}

// ----- fake-certificate (F2) -------------------------------------------------------

/// Requests commit in view 0; then the primary is down for a while, later
/// the next view's primary too, so the view changes twice and the faulty replicas
/// send VIEW-CHANGEs with a made-up prepared certificate (odd views) and a
/// made-up checkpoint proof (even views). With f faulty replicas already,
/// the honest replicas left cannot form a quorum without the one cut off:
/// the view change completes once it is back up. Every embedded signature is
/// checked (§4.4, signed variant): the fakes are refused with
/// `bad-signature` defects and what committed stays committed.
fn fake_certificate(n: usize, faulty: &[usize]) {
    let mut actions: Vec<TimedAction> = faulty.iter().map(|&r| behave(r, "fake-certificate")).collect();
    actions.extend((0..5).map(|i| req(i * 300, format!("k{i}={i}"))));
    actions.push(at(2_000, Action::Crash { replica: 0 }));
    actions.push(req(2_100, "after=1".into()));
    actions.push(at(8_000, Action::Recover { replica: 0 }));
    actions.push(at(16_000, Action::Crash { replica: 1 }));
    actions.push(req(16_100, "after=2".into()));
    actions.push(at(24_000, Action::Recover { replica: 1 }));
    assert_deterministic(n, 7, &actions);
    let (s, events) = play(n, 7, actions, 120_000);
    assert_safe(&s);
    assert_all_accepted(&s, 7);
    let honest = honest(n, faulty);
    let mut defects = BTreeSet::new();
    for e in &events {
        if let EventKind::Rejected { node: NodeId::Replica(r), from: NodeId::Replica(f), reason: Reject::InvalidViewChange { defect, .. }, .. } = &e.kind {
            if honest.contains(r) && faulty.contains(f) {
                defects.insert(format!("{}:{}", defect.code(), match defect { Defect::BadSignature { kind, .. } => kind.as_str(), _ => "" }));
            }
        }
    }
    for want in ["bad-signature:pre-prepare", "bad-signature:checkpoint"] {
        assert!(defects.contains(want), "F2: no honest replica caught a made-up certificate ({want}); caught {defects:?}");
    }
    // The forged request never executed anywhere.
    for i in 0..n {
        assert!(!s.executed(i).iter().any(|e| e.op.as_deref().is_some_and(|op| op.starts_with("forged="))), "R{i} executed a forged request");
    }
    assert!(honest.iter().all(|&i| s.replica(i).view() >= 2), "two view changes happened");
    assert_idle(&s);
}

#[test]
fn fake_certificates_are_refused_n4() {
    fake_certificate(4, &[3]);
}

#[test]
fn fake_certificates_are_refused_n7() {
    fake_certificate(7, &[5, 6]);
}

// ----- feed-backups (F3) ---------------------------------------------------------

/// Faulty backups hand requests (their accomplices') to the other backups
/// only. Backups relay what they time to the primary (§4.1), so the honest
/// primary orders it and is never suspected.
fn feed_backups(n: usize, faulty: &[usize]) {
    let mut actions: Vec<TimedAction> = faulty.iter().map(|&r| behave(r, "feed-backups")).collect();
    actions.extend((0..6).map(|i| req(i * 700, format!("k{i}={i}"))));
    assert_deterministic(n, 4, &actions);
    let (s, events) = play(n, 4, actions, 120_000);
    assert_safe(&s);
    assert_all_accepted(&s, 6);
    let honest = honest(n, faulty);
    // The faulty replicas did hand requests to the backups...
    for &r in faulty {
        let to_backups = events.iter().any(|e| {
            matches!(e.kind, EventKind::Sent { from: NodeId::Replica(f), to: NodeId::Replica(t), kind: MsgKind::Request, .. } if f == r && t != 0)
        });
        assert!(to_backups, "R{r} fed nobody");
    }
    // ...and yet no honest replica suspected the honest primary.
    let suspected: Vec<(usize, u64)> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::ViewChangeStarted { replica, view, .. } if honest.contains(&replica) => Some((replica, view)),
            _ => None,
        })
        .collect();
    assert!(suspected.is_empty(), "F3: honest replicas deposed the honest primary: (replica, view) {suspected:?}");
    assert!(honest.iter().all(|&i| s.replica(i).view() == 0 && s.replica(i).status() == ReplicaStatus::Normal));
    // The accomplices' requests were ordered too (relayed to the primary).
    assert!(s.executed(0).iter().any(|e| e.op.as_deref().is_some_and(|op| op.starts_with("fed="))));
    assert_idle(&s);
}

#[test]
fn fed_backups_do_not_depose_an_honest_primary_n4() {
    feed_backups(4, &[3]);
}

#[test]
fn fed_backups_do_not_depose_an_honest_primary_n7() {
    feed_backups(7, &[5, 6]);
}

/// Without accomplices the attack has only the client's requests, which
/// reach the primary anyway: nothing happens (the behaviour's parameter works).
#[test]
fn feed_backups_without_accomplices_is_harmless() {
    let params: Params = [("accomplices".to_string(), 0), ("every".to_string(), 100)].into_iter().collect();
    let mut actions = vec![behave_with(3, "feed-backups", params)];
    actions.extend((0..4).map(|i| req(i * 700, format!("k{i}={i}"))));
    let (s, events) = play(4, 5, actions, 60_000);
    assert_safe(&s);
    assert_all_accepted(&s, 4);
    assert!(!events.iter().any(|e| matches!(e.kind, EventKind::ViewChangeStarted { .. })));
    assert_idle(&s);
}

// ----- bad-state (F5) --------------------------------------------------------------

/// Replica `n - 1` is cut off while 20 requests commit; after healing, four
/// more make a new checkpoint (24) and it fetches that state. The faulty
/// replicas execute first and are asked first (fast links); they answer with
/// a changed state and then an older certified one (20), whose successors the
/// laggard saw only while they were beyond its window. It must refuse the
/// lie, keep fetching 24 and install it.
fn bad_state(n: usize, faulty: &[usize]) {
    let laggard = n - 1;
    let mut actions = Vec::new();
    for &r in faulty {
        actions.push(behave(r, "bad-state"));
        actions.extend(fast(r, 0..n));
    }
    let rest: Vec<usize> = (0..n).filter(|&i| i != laggard).collect();
    actions.push(at(0, Action::Partition { groups: vec![rest, vec![laggard]] }));
    actions.extend((0..20).map(|i| req(i * 300, format!("k{}={}", i % 3, i + 1))));
    actions.push(at(15_000, Action::Heal));
    actions.extend((0..4).map(|i| req(15_100 + i * 400, format!("after={}", i + 1))));
    assert_deterministic(n, 6, &actions);
    let (s, events) = play(n, 6, actions, 120_000);
    assert_safe(&s);
    assert_all_accepted(&s, 24);
    // A faulty replica was asked and lied; the laggard caught the lie.
    let lies: Vec<&str> = faulty.iter().flat_map(|&r| refused(&events, r, MsgKind::State, &[laggard])).collect();
    assert!(lies.contains(&"uncertified-state"), "the laggard did not refuse a changed state: {lies:?}");
    assert!(lies.contains(&"bad-signature"), "F2: the laggard did not refuse a made-up checkpoint certificate: {lies:?}");
    let transfers: Vec<(u64, usize)> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::StateTransferred { replica, seq, from } if replica == laggard => Some((seq, from)),
            _ => None,
        })
        .collect();
    assert!(
        s.replica(laggard).app().digest() == s.replica(0).app().digest(),
        "F5: the laggard ended at n{} (state transfers (seq, from): {transfers:?}), the others at n{}",
        s.replica(laggard).last_executed(),
        s.replica(0).last_executed()
    );
    assert_eq!(s.replica(laggard).last_executed(), 24);
    assert_idle(&s);
}

#[test]
fn bad_state_is_refused_and_the_laggard_catches_up_n4() {
    bad_state(4, &[2]);
}

#[test]
fn bad_state_is_refused_and_the_laggard_catches_up_n7() {
    bad_state(7, &[4, 5]);
}

// ----- replay ----------------------------------------------------------------------

/// Faulty replicas (the primary among them for n = 7) replay old
/// pre-prepares, votes and checkpoints through ten requests and two
/// checkpoints. Replays of their own are duplicates or stale; others'
/// messages relayed by them arrive from the wrong sender.
fn replay(n: usize, faulty: &[usize]) {
    let every: Params = [("every".to_string(), 150)].into_iter().collect();
    let mut actions: Vec<TimedAction> = faulty.iter().map(|&r| behave_with(r, "replay", every.clone())).collect();
    actions.extend((0..10).map(|i| req(i * 400, format!("k{}={i}", i % 4))));
    assert_deterministic(n, 7, &actions);
    let (s, events) = play(n, 7, actions, 120_000);
    assert_safe(&s);
    assert_all_accepted(&s, 10);
    let honest = honest(n, faulty);
    for i in honest.iter().copied() {
        assert_eq!(s.replica(i).last_executed(), 10, "R{i}");
        assert!(all_executed_once(&s, &[i], "k1=1"));
    }
    for &r in faulty {
        let codes = refused_any(&events, r, &honest);
        assert!(codes.contains("wrong-signer"), "R{r}'s relays were not refused: {codes:?}");
        assert!(codes.contains("duplicate-vote") || codes.contains("outside-window"), "R{r}'s own replays: {codes:?}");
    }
    assert_idle(&s);
}

#[test]
fn replayed_messages_change_nothing_n4() {
    replay(4, &[3]);
}

#[test]
fn replayed_messages_change_nothing_n7() {
    replay(7, &[0, 6]);
}

/// Replays through a view change: old VIEW-CHANGEs and NEW-VIEWs sent again.
#[test]
fn replay_through_a_view_change() {
    let every: Params = [("every".to_string(), 100)].into_iter().collect();
    let actions = vec![
        behave_with(6, "replay", every),
        at(0, Action::Crash { replica: 0 }),
        req(0, "warTime=1234".into()),
        req(5_000, "retreat=no".into()),
    ];
    let (s, events) = play(7, 8, actions, 120_000);
    assert_safe(&s);
    assert_all_accepted(&s, 2);
    assert!(!sent_ids(&events, 6, MsgKind::NewView).is_empty(), "R6 replayed the NEW-VIEW it got");
    assert!((1..6).all(|i| s.replica(i).view() == 1));
    assert_idle(&s);
}

// ----- flood -------------------------------------------------------------------------

/// Faulty replicas flood the others with votes and pre-prepares for future
/// views and for sequence numbers above the window, while requests commit
/// and a checkpoint moves the window.
fn flood(n: usize, faulty: &[usize], burst: u64) {
    let p: Params = [("burst".to_string(), burst)].into_iter().collect();
    let mut actions: Vec<TimedAction> = faulty.iter().map(|&r| behave_with(r, "flood", p.clone())).collect();
    actions.extend((0..10).map(|i| req(i * 400, format!("k{}={i}", i % 4))));
    assert_deterministic(n, 9, &actions);
    let (s, events) = play(n, 9, actions, 120_000);
    assert_safe(&s);
    assert_all_accepted(&s, 10);
    let honest = honest(n, faulty);
    for &r in faulty {
        let codes = refused_any(&events, r, &honest);
        assert!(codes.contains("outside-window"), "R{r}'s messages above the window were taken: {codes:?}");
        let sent = events.iter().filter(|e| matches!(e.kind, EventKind::Sent { from: NodeId::Replica(f), .. } if f == r)).count();
        assert!(sent > 100 * burst as usize / 20, "R{r} flooded only {sent} messages");
    }
    assert!(honest.iter().all(|&i| s.replica(i).last_executed() == 10 && s.replica(i).view() == 0));
    assert_idle(&s);
}

#[test]
fn flood_is_absorbed_n4() {
    flood(4, &[3], 50);
}

#[test]
fn flood_is_absorbed_n7() {
    flood(7, &[5, 6], 200);
}

/// A flood during a view change: the early-message buffer must not lose the
/// honest replicas' messages of the new view to the flooder's.
#[test]
fn flood_during_a_view_change() {
    let p: Params = [("burst".to_string(), 200)].into_iter().collect();
    let actions = vec![
        behave_with(6, "flood", p),
        at(0, Action::Crash { replica: 0 }),
        req(0, "warTime=1234".into()),
        req(5_000, "retreat=no".into()),
        req(5_500, "advance=yes".into()),
    ];
    let (s, events) = play(7, 10, actions, 120_000);
    assert_safe(&s);
    assert_all_accepted(&s, 3);
    assert!(refused_any(&events, 6, &[1, 2, 3, 4, 5]).contains("outside-window"));
    assert_idle(&s);
}

// ----- every behaviour ---------------------------------------------------------------

/// Every behaviour the engine lists leaves an idle cluster idle and a busy
/// one bounded: after the requests, the run goes idle.
#[test]
fn every_behaviour_lets_the_run_go_idle() {
    for b in Behavior::byzantine() {
        for (n, faulty) in [(4, vec![3]), (4, vec![0]), (7, vec![1, 6])] {
            let mut actions: Vec<TimedAction> =
                faulty.iter().map(|&r| at(0, Action::SetBehavior { replica: r, behavior: b, params: Params::new() })).collect();
            actions.extend((0..5).map(|i| req(i * 500, format!("x={i}"))));
            let (s, _) = play(n, 11, actions, 600_000);
            assert_safe(&s);
            assert!(s.is_idle(), "{b} on {faulty:?} (n={n}) keeps the run busy at t={} ms", s.now());
        }
    }
}

/// The bound is tight (Castro–Liskov §4.5.1: safety needs at most f faulty
/// replicas out of 3f + 1). With f + 1 = 2 colluding faulty replicas among
/// four, an equivocating primary and a backup voting for each replica's
/// variant, honest R2 and R3 execute different requests at n1, and the
/// monitor shows it. With either one alone, safety holds.
#[test]
fn f_plus_1_colluding_replicas_break_agreement_and_the_monitor_shows_it() {
    let run = |faulty: &[(i64, &str)]| {
        let mut s = Simulation::new(SimConfig::new(4, 21)).unwrap();
        for &(r, b) in faulty {
            s.set_behavior(r, b).unwrap();
        }
        s.request("warTime=1234").unwrap();
        s.run_until_idle(60_000);
        s
    };
    let both = run(&[(0, "equivocate"), (1, "collude")]);
    let v = both.violations();
    assert!(
        v.iter().any(|v| matches!(v, pbft_playground::sim::Violation::Agreement { seq: 1, .. })),
        "f + 1 faulty replicas break agreement: {v:?}"
    );
    let ops: Vec<_> = [2, 3].iter().map(|&i| both.executed(i).first().and_then(|e| e.op.clone())).collect();
    assert_ne!(ops[0], ops[1], "honest R2 and R3 executed different requests at n1");
    for alone in [&[(0, "equivocate")][..], &[(1, "collude")][..]] {
        let s = run(alone);
        assert!(s.violations().is_empty(), "{alone:?}: f faulty replicas cannot break safety");
        assert_eq!(s.client().accepted().len(), 1, "{alone:?}");
    }
}

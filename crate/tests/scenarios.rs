//! Scenario tests: the paper's cases driven through the simulator, each
//! checking the invariants as well as the outcome (n = 4, K = 4, L = 8 unless stated).

mod common;

use common::*;
use pbft_playground::protocol::{
    Reject,
    Config, Phase, Message, ModelKeys, MsgKind, NodeId, Output, PrePrepare, QuorumRule, Replica, Request, Sig,
};
use pbft_playground::sim::{Behavior, EventKind, SimConfig, Simulation};

const OP: &str = "warTime=1234";

/// 1. Castro–Liskov §4.2, Figure 1: the normal-case message pattern.
#[test]
fn happy_path_follows_the_papers_message_pattern() {
    let mut s = sim(4, 1);
    let t = s.request(OP).unwrap();
    let events = s.run_until_idle(10_000);
    assert_eq!(sent(&events, MsgKind::Request), 1, "client → primary");
    assert_eq!(sent(&events, MsgKind::PrePrepare), 3, "primary → 3 backups");
    assert_eq!(sent(&events, MsgKind::Prepare), 9, "3 backups → 3 others");
    assert_eq!(sent(&events, MsgKind::Commit), 12, "4 replicas → 3 others");
    assert_eq!(sent(&events, MsgKind::Reply), 4, "every replica replies");
    assert_eq!(events.iter().filter(|e| matches!(e.kind, EventKind::Sent { .. })).count(), 29);
    for i in 0..4 {
        assert_eq!(ops(&s, i), vec![Some(OP.to_string())], "replica {i}");
        assert_eq!(s.replica(i).last_executed(), 1);
    }
    let a = &s.client().accepted()[0];
    assert_eq!((a.timestamp, &*a.result, a.view), (t, OP, 0));
    assert_eq!(a.replicas.len(), 2, "accepted at exactly f+1 matching replies");
    // The decision came with the second reply, before the last two arrived.
    let replies_before: usize = {
        let accept_id = events.iter().find(|e| matches!(e.kind, EventKind::Accepted { .. })).unwrap().id;
        events.iter().filter(|e| e.id < accept_id && matches!(e.kind, EventKind::Delivered { kind: MsgKind::Reply, .. })).count()
    };
    assert_eq!(replies_before, 2);
    assert_safe(&s);
}

/// 2. The paper's Figure 1: replica 3 is faulty (here: crashed).
#[test]
fn backup_crashed_requests_still_commit_in_view_0() {
    let mut s = sim(4, 2);
    s.crash(3).unwrap();
    for i in 0..3 {
        s.request(&format!("x={i}")).unwrap();
    }
    let events = s.run_until_idle(20_000);
    assert_eq!(accepted(&events).len(), 3);
    assert!(accepted(&events).iter().all(|(_, _, v)| *v == 0));
    assert!(!events.iter().any(|e| matches!(e.kind, EventKind::ViewChangeStarted { .. })));
    for i in 0..3 {
        assert_eq!(s.replica(i).last_executed(), 3);
    }
    assert_eq!(s.replica(3).last_executed(), 0);
    assert_safe(&s);
}

/// 3. §4.4: the primary crashes; the client broadcasts, backups change view.
#[test]
fn primary_crash_installs_view_1_and_the_request_commits_once() {
    let mut s = sim(4, 3);
    s.crash(0).unwrap();
    s.request(OP).unwrap();
    let events = s.run_until_idle(60_000);
    assert!(events.iter().any(|e| matches!(e.kind, EventKind::Retransmitted { .. })), "client timed out and broadcast");
    for i in 1..4 {
        assert!(events.iter().any(|e| matches!(e.kind, EventKind::ViewChangeStarted { replica, view: 1, was_primary: false } if replica == i)));
        assert!(events.iter().any(|e| matches!(e.kind, EventKind::ViewChanged { replica, view: 1, primary: 1 } if replica == i)));
        assert_eq!(s.replica(i).view(), 1);
    }
    assert!(sent(&events, MsgKind::NewView) >= 3);
    assert!(all_executed_once(&s, &[1, 2, 3], OP));
    let acc = accepted(&events);
    assert_eq!(acc.len(), 1);
    assert_eq!(acc[0].2, 1, "replies carry view 1");
    assert_safe(&s);
}

/// 4. f+1 crashed: no progress, no violation, doubling timeouts; recovery restores progress.
#[test]
fn two_crashed_replicas_stop_progress_until_one_recovers() {
    let mut s = sim(4, 4);
    s.crash(2).unwrap();
    s.crash(3).unwrap();
    s.request(OP).unwrap();
    // Watch replica 1's view-change timeout while nothing can commit.
    let mut timeouts = vec![s.replica(1).current_timeout()];
    let mut events = Vec::new();
    while s.now() < 60_000 {
        events.extend(s.step());
        let t = s.replica(1).current_timeout();
        if t != *timeouts.last().unwrap() {
            timeouts.push(t);
        }
    }
    assert!(accepted(&events).is_empty());
    assert!((0..4).all(|i| s.replica(i).last_executed() == 0));
    let base = Config::default().view_change_timeout;
    assert!(timeouts.len() >= 4, "{timeouts:?}");
    for (k, t) in timeouts.iter().enumerate() {
        assert_eq!(*t, base << k, "the timeout doubles each time: {timeouts:?}");
    }
    // Without a quorum for view 1 nobody runs ahead through views (§4.5.2).
    assert_eq!((s.replica(0).view(), s.replica(1).view()), (1, 1));
    assert!(events.iter().any(|e| matches!(e.kind, EventKind::ViewChangeStarted { replica: 1, view: 1, was_primary: false })));
    assert!(!events.iter().any(|e| matches!(e.kind, EventKind::ViewChanged { .. })));
    assert_safe(&s);

    s.recover(3).unwrap();
    let ok = s.run_until(600_000, |s| !s.client().accepted().is_empty());
    assert!(ok, "progress after recovery");
    assert!(all_executed_once(&s, &[0, 1, 3], OP) || all_executed_once(&s, &[1, 3], OP));
    assert_safe(&s);
}

/// 5. An equivocating primary: nothing commits in view 0, the request commits after the view change.
#[test]
fn equivocating_primary_is_replaced_and_the_request_commits() {
    let mut s = sim(4, 5);
    s.set_behavior(0, "equivocate").unwrap();
    s.request(OP).unwrap();
    assert!(s.run_until(60_000, |s| !s.client().accepted().is_empty()));
    // Replay the run to inspect every event from the start.
    let mut r = Simulation::with_actions(SimConfig::new(4, 5), s.actions().to_vec()).unwrap();
    let events = r.advance(s.now());
    let digests: std::collections::BTreeSet<pbft_playground::protocol::Digest> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Sent { kind: MsgKind::PrePrepare, view: Some(0), digest, .. } => *digest,
            _ => None,
        })
        .collect();
    assert_eq!(digests.len(), 3, "three different digests to three backups");
    assert!(!events.iter().any(|e| matches!(e.kind, EventKind::Phase { view: 0, phase: Phase::Committed, .. })));
    let acc = accepted(&events);
    assert_eq!(acc[0].1, OP);
    assert!(acc[0].2 >= 1);
    assert!(all_executed_once(&r, &[1, 2, 3], OP));
    assert_safe(&r);
}

/// Case 6: A to replicas 1 and 2, B to replica 3, and no COMMIT from the
/// primary: A is prepared at a quorum, carried by the view change and commits in view 1.
#[test]
fn split_primary_value_a_survives_the_view_change_and_b_never_executes() {
    let mut s = sim(4, 6);
    s.set_behavior(0, "split").unwrap();
    s.request(OP).unwrap();
    let events = s.run_until_idle(60_000);
    let forged = pbft_playground::sim::forge(&Request::new(OP, 1, 0), 1);
    assert!(events.iter().any(|e| matches!(&e.kind, EventKind::Sent { kind: MsgKind::PrePrepare, to: NodeId::Replica(3), digest: Some(d), .. } if *d == forged.digest())));
    for i in 1..4 {
        assert_eq!(s.executed(i)[0].op.as_deref(), Some(OP), "replica {i} executed A at n1");
        assert!(!ops(&s, i).contains(&Some(forged.op.to_string())), "B never executes");
        assert!(s.replica(i).view() >= 1);
    }
    assert_eq!(accepted(&events).len(), 1);
    for i in 1..4 {
        let committed_in = events.iter().find_map(|e| match e.kind {
            EventKind::Phase { replica, view, seq: 1, phase: Phase::Committed, .. } if replica == i => Some(view),
            _ => None,
        });
        assert_eq!(committed_in, Some(1), "replica {i} committed A in view 1");
    }
    assert_safe(&s);
}

/// 7. A Byzantine backup sending duplicate, conflicting and wrong-view votes.
#[test]
fn conflicting_votes_of_a_byzantine_backup_are_ignored() {
    let mut s = sim(4, 7);
    s.set_behavior(2, "conflicting-votes").unwrap();
    for i in 0..5 {
        s.request(&format!("k{i}=v{i}")).unwrap();
    }
    let events = s.run_until_idle(30_000);
    assert_eq!(accepted(&events).len(), 5);
    for i in [0, 1, 3] {
        assert_eq!(s.replica(i).last_executed(), 5);
        assert_eq!(s.replica(i).view(), 0);
    }
    let rejected = |kind: MsgKind| {
        events.iter().any(|e| matches!(&e.kind, EventKind::Rejected { from: NodeId::Replica(2), reason: Reject::DuplicateVote { kind: k, .. }, .. } if *k == kind))
    };
    assert!(rejected(MsgKind::Prepare));
    assert!(rejected(MsgKind::Commit));
    assert!(events.iter().any(|e| matches!(&e.kind, EventKind::Rejected { from: NodeId::Replica(2), .. })));
    assert_safe(&s);
}

/// 7b. Wrong digests from a backup and silence from another are tolerated as one fault each.
#[test]
fn wrong_digest_backup_is_tolerated() {
    let mut s = sim(4, 17);
    s.set_behavior(3, "wrong-digest").unwrap();
    s.request(OP).unwrap();
    s.request("peace=never").unwrap();
    let events = s.run_until_idle(30_000);
    assert_eq!(accepted(&events).len(), 2);
    assert_safe(&s);
}

/// 8. §4.2 acceptance: a pre-prepare above H, or from a backup, is rejected.
#[test]
fn pre_prepare_above_the_high_watermark_or_from_a_backup_is_rejected() {
    let cfg = Config::default();
    let mut r = Replica::new(1, cfg.clone());
    let req = Request::new(OP, 1, 0).signed(&*ModelKeys::client(0));
    let pp = |seq| ModelKeys::signed_as(0, PrePrepare { view: 0, seq, digest: req.digest(), request: Some(req.clone()), sig: Sig::default() });
    let mut out = Vec::new();
    r.on_message(NodeId::Replica(0), Message::PrePrepare(pp(cfg.log_window + 1)), &mut out);
    assert!(matches!(&out[..], [Output::Rejected { reason: Reject::OutsideWindow { kind: MsgKind::PrePrepare, .. }, .. }]), "{out:?}");
    out.clear();
    r.on_message(NodeId::Replica(2), Message::PrePrepare(pp(1)), &mut out);
    assert!(matches!(&out[..], [Output::Rejected { reason: Reject::NotPrimary { kind: MsgKind::PrePrepare, view: 0, primary: 0 }, .. }]), "{out:?}");
    out.clear();
    let mut bad = pp(1);
    bad.digest = pbft_playground::protocol::Digest(42);
    let bad = ModelKeys::signed_as(0, bad);
    r.on_message(NodeId::Replica(0), Message::PrePrepare(bad), &mut out);
    assert!(matches!(&out[..], [Output::Rejected { reason: Reject::DigestMismatch { view: 0, seq: 1 }, .. }]), "{out:?}");
    assert_eq!(r.log_len(), 0, "nothing was logged");
    out.clear();
    // The same sequence number accepted once; a conflicting one is refused.
    r.on_message(NodeId::Replica(0), Message::PrePrepare(pp(1)), &mut out);
    assert!(out.iter().any(|o| matches!(o, Output::Send { msg: Message::Prepare(_), .. })));
    out.clear();
    let other = Request::new("other", 2, 0).signed(&*ModelKeys::client(0));
    r.on_message(NodeId::Replica(0), Message::PrePrepare(ModelKeys::signed_as(0, PrePrepare { view: 0, seq: 1, digest: other.digest(), request: Some(other), sig: Sig::default() })), &mut out);
    assert!(matches!(&out[..], [Output::Rejected { reason: Reject::ConflictingPrePrepare { view: 0, seq: 1 }, .. }]), "{out:?}");
}

/// 9. §4.3: after a stable checkpoint the watermarks move and the log below is gone.
#[test]
fn stable_checkpoint_advances_watermarks_and_collects_the_log() {
    let mut s = sim(4, 9);
    for i in 0..6 {
        s.request(&format!("k={i}")).unwrap();
    }
    let events = s.run_until_idle(30_000);
    assert_eq!(accepted(&events).len(), 6);
    assert!(sent(&events, MsgKind::Checkpoint) >= 12);
    for i in 0..4 {
        let r = s.replica(i);
        assert_eq!(r.low_watermark(), 4, "replica {i}");
        assert_eq!(r.high_watermark(), 12);
        let entries = r.log_entries();
        assert!(entries.iter().all(|e| e.seq > 4), "log below h is gone: {entries:?}");
        assert_eq!(entries.len(), 2);
        assert!(events.iter().any(|e| matches!(e.kind, EventKind::CheckpointStable { replica, seq: 4 } if replica == i)));
    }
    assert_safe(&s);
}

/// Case 10 (§4.4): n1 and n3 prepared, n2 not; the primary crashes; the new
/// view fills n2 with a null request and nothing executes twice.
#[test]
fn new_view_fills_gaps_with_null_requests() {
    let cfg = SimConfig { clients: 3, ..SimConfig::new(4, 10) };
    let mut s = Simulation::new(cfg).unwrap();
    for (c, op) in ["a=1", "b=2", "c=3"].into_iter().enumerate() {
        s.request_from(c as u32, op).unwrap();
        s.advance(5);
    }
    // n2 never prepares anywhere (its prepares are lost) and nothing commits in view 0.
    run_dropping(&mut s, 400, |_, _, m| match m {
        Message::Prepare(p) => p.seq == 2,
        Message::Commit(_) => true,
        _ => false,
    });
    assert!((0..4).all(|i| s.replica(i).last_executed() == 0));
    // What the primary assigned to n1..n3, and what prepared where.
    let log = s.replica(1).log_entries();
    let op_at = |n: u64| log.iter().find(|e| e.seq == n).and_then(|e| e.op.clone()).expect("pre-prepared");
    let (op1, op2, op3) = (op_at(1), op_at(2), op_at(3));
    for i in 0..4 {
        let phases: Vec<_> = s.replica(i).log_entries().iter().map(|e| (e.seq, e.phase)).collect();
        assert!(phases.contains(&(1, Phase::Prepared)) && phases.contains(&(3, Phase::Prepared)), "replica {i}: {phases:?}");
        assert!(phases.contains(&(2, Phase::PrePrepared)), "n2 not prepared at replica {i}: {phases:?}");
    }
    s.crash(0).unwrap();
    // The backups send their view-0 PREPAREs for n2 again (they are not
    // acknowledged): those copies are lost too, so n2 never prepares in view 0.
    run_dropping(&mut s, 20_000, |_, _, m| matches!(m, Message::Prepare(p) if p.view == 0 && p.seq == 2));
    let ok = s.run_until(120_000, |s| (0..3).all(|c| s.client_by_id(c).unwrap().accepted().len() == 1));
    assert!(ok, "all three requests accepted");
    s.run_until_idle(60_000);
    for i in 1..4 {
        let ex = s.executed(i);
        assert_eq!(ex[0].op, Some(op1.clone()), "replica {i}: {ex:?}");
        assert_eq!(ex[1].op, None, "n2 is a null request at replica {i}");
        assert_eq!(ex[1].digest, pbft_playground::protocol::Digest::NULL);
        assert_eq!(ex[2].op, Some(op3.clone()));
        for op in [&op1, &op2, &op3] {
            assert!(all_executed_once(&s, &[i], op), "{op} once at replica {i}: {ex:?}");
        }
    }
    assert_safe(&s);
}

/// 11. §4.1: a lost reply is answered from the cache, not by executing again.
#[test]
fn lost_replies_are_resent_from_the_cache() {
    let mut s = sim(4, 11);
    s.request(OP).unwrap();
    // Every reply of the first round is lost.
    run_dropping(&mut s, 900, |_, _, m| matches!(m, Message::Reply(_)));
    assert!(s.client().accepted().is_empty());
    assert!((0..4).all(|i| s.replica(i).last_executed() == 1));
    let events = s.run_until_idle(30_000);
    assert!(events.iter().any(|e| matches!(e.kind, EventKind::Retransmitted { .. })));
    assert_eq!(accepted(&events).len(), 1);
    assert!(all_executed_once(&s, &[0, 1, 2, 3], OP));
    assert!(events.iter().all(|e| !matches!(e.kind, EventKind::Executed { .. })), "no second execution");
    assert_safe(&s);
}

/// 12. A replica partitioned for more than L requests catches up by state transfer.
#[test]
fn partitioned_replica_catches_up_by_state_transfer() {
    let mut s = sim(4, 12);
    s.act(pbft_playground::sim::Action::Partition { groups: vec![vec![0, 1, 2], vec![3]] }).unwrap();
    for i in 0..13 {
        s.request(&format!("k{i}={i}")).unwrap();
        s.advance(300);
    }
    s.run_until_idle(30_000);
    assert_eq!(s.client().accepted().len(), 13);
    assert_eq!(s.replica(3).last_executed(), 0);
    assert!(s.replica(0).low_watermark() > s.replica(3).high_watermark(), "3 fell behind its window");
    s.act(pbft_playground::sim::Action::Heal).unwrap();
    let mut events = Vec::new();
    for i in 0..6 {
        s.request(&format!("after{i}=1")).unwrap();
        events.extend(s.advance(300));
    }
    events.extend(s.run_until_idle(60_000));
    assert!(events.iter().any(|e| matches!(e.kind, EventKind::StateTransferred { replica: 3, .. })));
    let caught_up = s.replica(3).last_executed();
    assert!(caught_up >= 16, "replica 3 at {caught_up}");
    assert_eq!(caught_up, s.replica(0).last_executed());
    assert_eq!(s.replica(3).app().digest(), s.replica(0).app().digest(), "same state as the others");
    assert_eq!(s.client().accepted().len(), 19);
    assert_safe(&s);
}

fn crash_many_and_run(n: usize, faulty: &[usize], behavior: Option<Behavior>, seed: u64) -> Simulation {
    let mut s = sim(n, seed);
    for &i in faulty {
        match behavior {
            None => s.crash(i as i64).unwrap(),
            Some(b) => s.set_behavior(i as i64, b.as_str()).unwrap(),
        }
    }
    for i in 0..6 {
        s.request(&format!("op{i}={i}")).unwrap();
        s.advance(200);
    }
    let ok = s.run_until(300_000, |s| s.client().accepted().len() == 6);
    assert!(ok, "n={n} faulty={faulty:?} {behavior:?}: only {} accepted", s.client().accepted().len());
    s
}

/// 13. Larger clusters: f crashed replicas still allow progress; f Byzantine ones cannot break safety.
#[test]
fn larger_clusters_tolerate_f_faults() {
    for (n, faulty) in [(7, vec![5, 6]), (10, vec![2, 5, 9]), (7, vec![0, 3])] {
        let s = crash_many_and_run(n, &faulty, None, 13);
        assert_safe(&s);
    }
    for name in ["silent", "wrong-digest", "conflicting-votes", "equivocate"] {
        let b = Behavior::named(name).unwrap();
        let s = crash_many_and_run(7, &[0, 4], Some(b), 131);
        assert_safe(&s);
        let s = crash_many_and_run(10, &[1, 2, 3], Some(b), 132);
        assert_safe(&s);
    }
}

/// Case 14: the naive "> n/3 votes" quorum lets an equivocating primary
/// break agreement; the paper's quorum on the same seed does not.
#[test]
fn naive_quorum_breaks_safety_and_the_papers_does_not() {
    let run = |rule| {
        let cfg = SimConfig { protocol: Config { quorum_rule: rule, ..Config::default() }, ..SimConfig::new(4, 14) };
        let mut s = Simulation::new(cfg).unwrap();
        s.set_behavior(0, "equivocate").unwrap();
        s.request(OP).unwrap();
        s.run_until_idle(30_000);
        s
    };
    let naive = run(QuorumRule::Naive);
    assert!(!naive.violations().is_empty(), "the naive quorum is unsafe");
    let ops: Vec<_> = (1..4).map(|i| naive.executed(i).first().and_then(|e| e.op.clone())).collect();
    assert!(ops.windows(2).any(|w| w[0] != w[1]), "honest replicas executed different requests at n1: {ops:?}");
    let paper = run(QuorumRule::Paper);
    assert_safe(&paper);
}

/// Lost CHECKPOINTs are sent again, so the log window does not stay full.
#[test]
fn lost_checkpoints_do_not_stall_the_cluster() {
    let mut s = sim(4, 21);
    for i in 0..8 {
        s.request(&format!("k{i}={i}")).unwrap();
    }
    run_dropping(&mut s, 20_000, |_, _, m| matches!(m, Message::Checkpoint(_)));
    assert_eq!(s.client().accepted().len(), 8);
    assert!((0..4).all(|i| s.replica(i).low_watermark() == 0), "no checkpoint became stable");
    for i in 0..6 {
        s.request(&format!("after{i}=1")).unwrap();
    }
    let ok = s.run_until(300_000, |s| s.client().accepted().len() == 14);
    assert!(ok, "progress resumes once checkpoints get through");
    assert!((0..4).all(|i| s.replica(i).low_watermark() >= 8));
    assert_safe(&s);
}

/// A primary that ignores one client is replaced: the request timer waits
/// for that request, however many others execute meanwhile (§4.4).
#[test]
fn a_censoring_primary_is_replaced() {
    let cfg = SimConfig { clients: 2, ..SimConfig::new(4, 22) };
    let mut s = Simulation::new(cfg).unwrap();
    s.request_from(1, "censored=1").unwrap();
    for i in 0..40 {
        s.request_from(0, &format!("busy={i}")).unwrap();
        run_dropping(&mut s, 700, |_, to, m| {
            matches!(m, Message::Request(r) if r.client == 1) && to == NodeId::Replica(0)
        });
        if !s.client_by_id(1).unwrap().accepted().is_empty() {
            break;
        }
    }
    let censored = s.client_by_id(1).unwrap().accepted();
    assert_eq!(censored.len(), 1, "the censored request was accepted");
    assert!(s.replica(1).view() >= 1, "after a view change");
    assert_safe(&s);
}

/// After an equivocating primary is replaced, the cluster settles: requests
/// seen only in its pre-prepares do not keep the request timers running.
#[test]
fn the_cluster_goes_quiet_after_equivocation() {
    let mut s = sim(4, 23);
    s.set_behavior(0, "equivocate").unwrap();
    s.request(OP).unwrap();
    s.run_until_idle(300_000);
    assert!(s.is_idle(), "nothing left to do");
    assert_eq!(s.client().accepted().len(), 1);
    assert!(s.replica(1).view() <= 2, "no endless view changes: view {}", s.replica(1).view());
    assert_safe(&s);
}

/// Per-link latency: a slow link delays exactly its own messages.
#[test]
fn a_slow_link_delays_only_its_messages() {
    let mut s = sim(4, 24);
    s.act(pbft_playground::sim::Action::SetLinkLatency { a: 0, b: 3, min: 900, max: 900 }).unwrap();
    assert!(s.act(pbft_playground::sim::Action::SetLinkLatency { a: 0, b: 9, min: 1, max: 2 }).is_err());
    assert!(s.act(pbft_playground::sim::Action::SetLinkLatency { a: 0, b: 1, min: 5, max: 2 }).is_err());
    s.request(OP).unwrap();
    let events = s.run_until_idle(30_000);
    for e in &events {
        if let EventKind::Sent { from, to, deliver_at, .. } = &e.kind {
            let slow = matches!((from, to), (NodeId::Replica(0), NodeId::Replica(3)) | (NodeId::Replica(3), NodeId::Replica(0)));
            let latency = deliver_at - e.time;
            if slow {
                assert_eq!(latency, 900);
            } else {
                assert!((60..=140).contains(&latency), "{latency}");
            }
        }
    }
    assert!((0..4).all(|i| s.replica(i).last_executed() == 1));
    assert_safe(&s);
}

/// Continuous load (issue: runs that never end): requests at a steady rate
/// from every client in turn, checkpoints roll and the log is collected; the
/// load stops when set to 0 and the run goes idle; the rate is bounded.
#[test]
fn continuous_load_keeps_checkpoints_rolling_and_stops_when_set_to_zero() {
    use pbft_playground::sim::{Action, SimConfig, Simulation, TimedAction};
    let cfg = SimConfig { clients: 4, ..SimConfig::new(4, 3) };
    let actions = vec![TimedAction { at: 0, action: Action::SetLoad { rate: 20 } }, TimedAction { at: 60_000, action: Action::SetLoad { rate: 0 } }];
    let mut s = Simulation::with_actions(cfg.clone(), actions.clone()).unwrap();
    let events = s.run_until_idle(120_000);
    assert!(s.is_idle(), "the load stopped at 60 s and the run went idle (now {} ms)", s.now());
    assert!(s.violations().is_empty(), "{:?}", s.violations());
    let submitted = events.iter().filter(|e| matches!(e.kind, pbft_playground::sim::EventKind::Submitted { .. })).count();
    // 20 per second for 60 s is 1,200 turns; a client with two requests waiting skips its
    // turn, and each of the 4 clients commits about two a second (one outstanding, ~4 hops).
    assert!((300..=1200).contains(&submitted), "submitted {submitted}");
    let accepted = events.iter().filter(|e| matches!(e.kind, pbft_playground::sim::EventKind::Accepted { .. })).count();
    assert_eq!(accepted, submitted, "every request was accepted");
    let stable = s.replica(0).low_watermark();
    assert!(stable >= submitted as u64 - 8, "checkpoints rolled to {stable}");
    assert!(s.replica(0).log_len() <= 8, "the log was collected");
    // Deterministic, and bounded.
    let mut again = Simulation::with_actions(cfg, actions).unwrap();
    assert!(again.run_until_idle(120_000) == events);
    assert!(s.act(Action::SetLoad { rate: Action::MAX_LOAD + 1 }).is_err());
}

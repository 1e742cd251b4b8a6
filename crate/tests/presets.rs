//! Every preset of the playground plays out as its name promises.

use pbft_playground::sim::{preset, EventKind, Simulation, PRESETS};

fn play(name: &str, ms: u64) -> (Simulation, Vec<pbft_playground::sim::Event>) {
    let (cfg, actions) = preset(name, 1).expect("known preset");
    let mut sim = Simulation::with_actions(cfg, actions).expect("valid preset");
    let events = sim.advance(ms);
    (sim, events)
}

fn views_changed(events: &[pbft_playground::sim::Event]) -> bool {
    events.iter().any(|e| matches!(e.kind, EventKind::ViewChanged { .. }))
}

#[test]
fn every_preset_is_known_and_unknown_names_are_refused() {
    for p in PRESETS {
        assert!(preset(p.name, 1).is_ok(), "{}", p.name);
        assert!(!p.title.is_empty() && !p.description.is_empty());
    }
    let err = preset("<b>evil</b>", 1).unwrap_err().to_string();
    assert!(err.contains("unknown preset") && err.contains("normal"));
}

#[test]
fn normal_operation() {
    let (s, events) = play("normal", 20_000);
    assert_eq!(s.client().accepted().len(), 2);
    assert!((0..4).all(|i| s.replica(i).last_executed() == 2));
    assert!(!views_changed(&events));
    assert_eq!(&*s.client().accepted()[1].result, "warTime=1234", "the read sees the write");
    assert!(s.violations().is_empty());
}

#[test]
fn backup_crash_is_the_papers_figure() {
    let (s, events) = play("backup-crash", 20_000);
    assert!(s.client().accepted().iter().all(|a| a.view == 0));
    assert_eq!(s.client().accepted().len(), 2);
    assert!(!s.is_up(3) && s.replica(3).last_executed() == 0);
    assert!(!views_changed(&events));
}

#[test]
fn primary_crash_changes_the_view() {
    let (s, events) = play("primary-crash", 30_000);
    assert!(views_changed(&events));
    assert_eq!(s.client().accepted()[0].view, 1);
    assert!(s.violations().is_empty());
}

#[test]
fn equivocation_is_survived() {
    let (s, events) = play("equivocation", 30_000);
    assert!(views_changed(&events));
    let a = &s.client().accepted()[0];
    assert_eq!((&*a.result, a.view >= 1), ("warTime=1234", true));
    assert!(s.violations().is_empty());
}

#[test]
fn no_progress_with_f_plus_one_crashed() {
    let (s, events) = play("no-progress", 60_000);
    assert!(s.client().accepted().is_empty());
    assert!(events.iter().any(|e| matches!(e.kind, EventKind::ViewChangeStarted { .. })));
    assert!(s.replica(1).current_timeout() > 2 * pbft_playground::protocol::Config::default().view_change_timeout);
    assert!(s.violations().is_empty());
}

#[test]
fn checkpoint_and_garbage_collection() {
    let (s, events) = play("checkpoint", 30_000);
    assert_eq!(s.client().accepted().len(), 9);
    for i in 0..4 {
        assert_eq!(s.replica(i).low_watermark(), 8);
        assert!(s.replica(i).log_entries().iter().all(|e| e.seq > 8));
    }
    let stable: Vec<u64> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::CheckpointStable { replica: 0, seq } => Some(seq),
            _ => None,
        })
        .collect();
    assert_eq!(stable, vec![4, 8]);
}

#[test]
fn byzantine_generals_agree_without_ibm() {
    let (s, _) = play("generals", 20_000);
    assert_eq!(s.name(3), "IBM");
    assert!(!s.is_up(3));
    assert_eq!(&*s.client().accepted()[0].result, "warTime=1234");
    for i in 0..3 {
        assert_eq!(s.executed(i)[0].op.as_deref(), Some("warTime=1234"), "{}", s.name(i));
    }
}

#[test]
fn catch_up_by_state_transfer() {
    let (s, events) = play("catch-up", 30_000);
    assert_eq!(s.client().accepted().len(), 14);
    assert!(events.iter().any(|e| matches!(e.kind, EventKind::StateTransferred { replica: 3, .. })));
    assert_eq!(s.replica(3).app().digest(), s.replica(0).app().digest());
    assert!(s.violations().is_empty());
}

#[test]
fn naive_quorum_breaks_safety() {
    let (s, events) = play("naive-quorum", 20_000);
    assert!(!s.violations().is_empty());
    assert!(events.iter().any(|e| matches!(e.kind, EventKind::Violation { .. })));
}

/// Rejections of messages from replica `from`, as (rejecting node, code).
fn rejections(events: &[pbft_playground::sim::Event], from: usize) -> Vec<(pbft_playground::protocol::NodeId, &'static str)> {
    use pbft_playground::protocol::NodeId;
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Rejected { node, from: NodeId::Replica(r), reason, .. } if *r == from => Some((*node, reason.code())),
            _ => None,
        })
        .collect()
}

#[test]
fn forged_new_view_is_rejected_and_the_request_commits_in_view_1() {
    use pbft_playground::protocol::{MsgKind, NodeId};
    let (s, events) = play("forged-new-view", 30_000);
    assert!(s.violations().is_empty(), "{:?}", s.violations());
    let a = &s.client().accepted()[0];
    assert_eq!((&*a.result, a.view), ("warTime=1234", 1));
    for i in 1..4 {
        assert_eq!(s.replica(i).view(), 1, "replica {i}");
    }
    // R3 did send NEW-VIEWs, and an honest replica refused one as not from view 1's primary.
    assert!(events.iter().any(|e| matches!(e.kind, EventKind::Sent { from: NodeId::Replica(3), kind: MsgKind::NewView, .. })));
    let forged: Vec<u64> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Sent { msg, from: NodeId::Replica(3), kind: MsgKind::NewView, .. } => Some(msg),
            _ => None,
        })
        .collect();
    let refused = events.iter().any(|e| {
        matches!(&e.kind, EventKind::Rejected { node: NodeId::Replica(1 | 2), msg: Some(m), .. } if forged.contains(m))
    });
    assert!(refused, "no honest replica refused R3's NEW-VIEW; R3's messages were rejected with {:?}", rejections(&events, 3));
}

#[test]
fn a_fake_certificate_is_refused_and_the_committed_request_stays() {
    use pbft_playground::protocol::{Defect, MsgKind, NodeId, Reject};
    let (s, events) = play("fake-certificate", 30_000);
    assert!(s.violations().is_empty(), "{:?}", s.violations());
    let accepted: Vec<(&str, u64)> = s.client().accepted().iter().map(|a| (&*a.result, a.view)).collect();
    assert_eq!(accepted, vec![("warTime=1234", 0), ("retreat=no", 1)]);
    let caught = events.iter().any(|e| {
        matches!(&e.kind, EventKind::Rejected {
            node: NodeId::Replica(1 | 2),
            from: NodeId::Replica(3),
            reason: Reject::InvalidViewChange { view: 1, defect: Defect::BadSignature { kind: MsgKind::PrePrepare, signer: 0 } },
            ..
        })
    });
    assert!(caught, "R1 and R2 did not refuse R3's made-up certificate: {:?}", rejections(&events, 3));
    for i in 0..3 {
        assert_eq!(s.executed(i)[0].op.as_deref(), Some("warTime=1234"), "R{i} n1");
        assert_eq!(s.replica(i).view(), 1, "R{i}");
    }
    assert!(s.executed(3).iter().all(|e| !e.op.as_deref().unwrap_or("").starts_with("forged")));
    assert!(s.is_idle(), "the preset ends (R3 does not run ahead into views alone)");
}

#[test]
fn bad_state_is_refused_and_the_right_state_installed() {
    use pbft_playground::protocol::{MsgKind, NodeId};
    let (s, events) = play("bad-state", 30_000);
    assert!(s.violations().is_empty(), "{:?}", s.violations());
    assert_eq!(s.client().accepted().len(), 14);
    assert!(events.iter().any(|e| matches!(e.kind, EventKind::Sent { from: NodeId::Replica(2), to: NodeId::Replica(3), kind: MsgKind::State, .. })));
    assert!(
        rejections(&events, 2).iter().any(|&(node, code)| node == NodeId::Replica(3) && code == "uncertified-state"),
        "R3 did not refuse R2's changed state: {:?}",
        rejections(&events, 2)
    );
    assert!(
        rejections(&events, 2).iter().any(|&(node, code)| node == NodeId::Replica(3) && code == "bad-signature"),
        "R3 did not refuse R2's made-up certificate: {:?}",
        rejections(&events, 2)
    );
    assert_eq!(s.replica(3).app().digest(), s.replica(0).app().digest(), "R3 holds the right state");
    assert_eq!(s.replica(3).last_executed(), 14);
    // The older state did not end the fetch: R3 got the checkpoint it asked for from an honest replica.
    let transfers: Vec<(u64, usize)> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::StateTransferred { replica: 3, seq, from } => Some((seq, from)),
            _ => None,
        })
        .collect();
    assert!(transfers.iter().any(|&(_, from)| from != 2), "F5: R3's state transfers (seq, from): {transfers:?}");
}

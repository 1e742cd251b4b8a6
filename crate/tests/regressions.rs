//! Regression tests for the holes an independent review found (issue 10),
//! one per finding. Each drives `Replica` state machines directly with
//! hand-made messages, where the simulator cannot reach: a faulty replica's
//! messages are built by hand, everything else is what honest replicas
//! really sent. Each failed on the code before its fix.
//!
//! A small driver, `Net` (tests/common/net.rs), delivers the honest replicas' messages to each
//! other in FIFO order with zero latency and fires their timers in deadline
//! order, so a test can lose exactly one message and watch what follows.

mod common;

use common::net::{by, cfg4, signed_request, Net};
use pbft_playground::protocol::{
    compute_o_set, Checkpoint, Commit, Config, Defect, Digest, Message, ModelKeys, MsgKind, NewView, NodeId, Output,
    PrePrepare, Prepare, PreparedCert, Reject, Replica, ReplicaId, ReplicaStatus, ReplicaTimer, Request, Sig,
    StateReply, StateRequest, ViewChange,
};

fn req(op: &str, timestamp: u64) -> Request {
    signed_request(op, timestamp, 0)
}

fn rejections(out: &[Output]) -> Vec<&Reject> {
    out.iter().filter_map(|o| match o { Output::Rejected { reason, .. } => Some(reason), _ => None }).collect()
}

fn installed(out: &[Output]) -> bool {
    out.iter().any(|o| matches!(o, Output::NewViewInstalled { .. }))
}

/// The VIEW-CHANGE a replica broadcasts when its timer fires.
fn view_change_of(r: &mut Replica) -> ViewChange {
    let mut out = Vec::new();
    r.on_timer(ReplicaTimer::ViewChange, &mut out);
    out.into_iter()
        .find_map(|o| match o {
            Output::Send { msg: Message::ViewChange(vc), .. } => Some(*vc),
            _ => None,
        })
        .expect("a VIEW-CHANGE")
}

fn new_view_in(out: &[Output]) -> NewView {
    out.iter()
        .find_map(|o| match o {
            Output::Send { msg: Message::NewView(nv), .. } => Some((**nv).clone()),
            _ => None,
        })
        .expect("a NEW-VIEW")
}

/// Four replicas of which the first `movers` time out of view 0; view 1's
/// primary (replica 1) gets the VIEW-CHANGEs of 0 and 2 and sends its NEW-VIEW.
/// Returns the replicas, the VIEW-CHANGEs and that NEW-VIEW.
fn view_1_from_its_primary(movers: usize) -> (Vec<Replica>, Vec<ViewChange>, NewView) {
    let cfg = cfg4();
    let mut r: Vec<Replica> = (0..4).map(|i| Replica::new(i, cfg.clone())).collect();
    let vcs: Vec<ViewChange> = (0..movers).map(|i| view_change_of(&mut r[i])).collect();
    let mut out = Vec::new();
    for i in [0, 2] {
        r[1].on_message(NodeId::Replica(i), Message::ViewChange(Box::new(vcs[i].clone())), &mut out);
    }
    let nv = new_view_in(&out);
    (r, vcs, nv)
}

/// F1, safety (Castro–Liskov §4.4; TOCS 2002 §4.4): only the primary of view
/// v+1 may send NEW-VIEW for v+1. A faulty backup that builds its own from a
/// different quorum of genuine VIEW-CHANGEs picks a different O set: here one
/// that drops a request prepared in view 0. An honest backup must refuse it.
#[test]
fn f1_a_new_view_from_a_backup_is_rejected() {
    let cfg = cfg4();
    let mut r: Vec<Replica> = (0..4).map(|i| Replica::new(i, cfg.clone())).collect();
    // Replica 1 prepares Y at n = 1 in view 0 (pre-prepare from 0, PREPARE from 2).
    let y = req("y=1", 1);
    let pp = by(0, PrePrepare { view: 0, seq: 1, digest: y.digest(), request: Some(y.clone()), sig: Sig::default() });
    let mut out = Vec::new();
    r[1].on_message(NodeId::Replica(0), Message::PrePrepare(pp), &mut out);
    let p2 = by(2, Prepare { view: 0, seq: 1, digest: y.digest(), replica: 2, sig: Sig::default() });
    r[1].on_message(NodeId::Replica(2), Message::Prepare(p2), &mut out);
    // Replicas 0, 1 and 2 time out and ask for view 1; faulty 3 signs its own.
    let vcs: Vec<ViewChange> = (0..3).map(|i| view_change_of(&mut r[i])).collect();
    assert_eq!(vcs[1].prepared.len(), 1, "replica 1's VIEW-CHANGE carries Y's certificate");
    let vc3 = by(3, ViewChange { replica: 3, prepared: vec![], ..vcs[0].clone() });

    // Faulty replica 3 builds a NEW-VIEW from the quorum {0, 2, 3}: its O drops Y.
    let v = vec![vcs[0].clone(), vcs[2].clone(), vc3];
    let o = compute_o_set(&cfg, 1, &v);
    assert!(o.pre_prepares.is_empty(), "the forged O set has nothing at n = 1");
    // It signs what it can: in its own name.
    let pre_prepares = o.pre_prepares.into_iter().map(|pp| by(3, pp)).collect();
    let forged = by(3, NewView { view: 1, view_changes: v, pre_prepares, sig: Sig::default() });

    // Honest replica 2 gets the genuine VIEW-CHANGEs and then the forgery.
    let mut out = Vec::new();
    for i in [0, 1] {
        r[2].on_message(NodeId::Replica(i), Message::ViewChange(Box::new(vcs[i].clone())), &mut out);
    }
    let mut out = Vec::new();
    r[2].on_message(NodeId::Replica(3), Message::NewView(Box::new(forged)), &mut out);
    assert!(!installed(&out), "the forged NEW-VIEW was installed: {out:?}");
    assert!(
        rejections(&out).contains(&&Reject::NewViewNotFromPrimary { view: 1, primary: 1 }),
        "rejected as not from the primary: {out:?}"
    );
    assert_eq!((r[2].view(), r[2].status()), (1, ReplicaStatus::ViewChange));

    // The primary of view 1 builds the genuine one; replica 2 installs it, Y kept.
    let mut out = Vec::new();
    for i in [0, 2] {
        r[1].on_message(NodeId::Replica(i), Message::ViewChange(Box::new(vcs[i].clone())), &mut out);
    }
    let genuine = new_view_in(&out);
    let mut out = Vec::new();
    r[2].on_message(NodeId::Replica(1), Message::NewView(Box::new(genuine)), &mut out);
    assert!(installed(&out));
    let entry = r[2].log_entries().into_iter().find(|e| e.seq == 1).expect("n = 1 in the log");
    assert_eq!((entry.view, entry.op.as_deref()), (1, Some("y=1")));
}

/// F1, the straggler path (§4.4; §4.5.2): a NEW-VIEW relayed by a backup to a
/// replica left in an old view counts when it carries the signature of the
/// view's primary; one a backup built itself does not, however many relay it.
#[test]
fn f1_a_relayed_new_view_counts_only_with_the_primarys_signature() {
    let cfg = cfg4();
    let (mut r, vcs, nv) = view_1_from_its_primary(3);
    let relay = |r: &mut Replica, from: ReplicaId, nv: &NewView| {
        let mut out = Vec::new();
        r.on_message(NodeId::Replica(from), Message::NewView(Box::new(nv.clone())), &mut out);
        out
    };
    // Straggler 3 (still in view 0) installs the primary's NEW-VIEW relayed by 2.
    let out = relay(&mut r[3], 2, &nv);
    assert!(installed(&out) && r[3].view() == 1, "{out:?}");
    // A NEW-VIEW that backup 2 built from another quorum, relayed by 2 and 0.
    let mut s = Replica::new(3, cfg.clone());
    let vc3 = by(3, ViewChange { replica: 3, ..vcs[0].clone() });
    let v = vec![vcs[0].clone(), vcs[2].clone(), vc3];
    let pre_prepares = compute_o_set(&cfg, 1, &v).pre_prepares.into_iter().map(|pp| by(2, pp)).collect();
    let other = by(2, NewView { view: 1, pre_prepares, view_changes: v, sig: Sig::default() });
    for from in [2, 0, 2] {
        let out = relay(&mut s, from, &other);
        assert!(!installed(&out), "{out:?}");
        assert_eq!(rejections(&out), vec![&Reject::NewViewNotFromPrimary { view: 1, primary: 1 }]);
    }
    // The primary's NEW-VIEW with 2's signature in place of the primary's is refused too.
    let mut tampered = nv.clone();
    tampered.sig = by(2, tampered.clone()).sig;
    assert!(!installed(&relay(&mut s, 2, &tampered)));
    assert_eq!(s.view(), 0);
    assert!(installed(&relay(&mut s, 0, &nv)));
}

/// F1's other side, liveness (§4.5.2): a straggler waiting for a NEW-VIEW
/// whose primary has moved on gets it from a replica that installed it (it
/// carries the primary's signature), with the VIEW-CHANGE that took that
/// replica there, and moves on with the others instead of waiting for good.
/// (A test of the path the F1 fix needs, not of a bug of the code before it.)
#[test]
fn f1_a_straggler_whose_primary_moved_on_is_not_left_waiting() {
    let (mut r, vcs, nv) = view_1_from_its_primary(4);
    let mut out = Vec::new();
    r[0].on_message(NodeId::Replica(1), Message::NewView(Box::new(nv)), &mut out);
    assert!(installed(&out));
    // Replica 3 waits in view 1 for a NEW-VIEW it missed; primary 1 moves on to view 2.
    let vc1_2 = view_change_of(&mut r[1]);
    let mut out = Vec::new();
    r[3].on_message(NodeId::Replica(1), Message::ViewChange(Box::new(vc1_2)), &mut out);
    // Its VIEW-CHANGE reaches replica 0 (in view 1) twice; 0 answers the second
    // with the NEW-VIEW of view 1 and the VIEW-CHANGE that took it there.
    let mut help = Vec::new();
    for _ in 0..2 {
        r[0].on_message(NodeId::Replica(3), Message::ViewChange(Box::new(vcs[3].clone())), &mut help);
    }
    let mut out = Vec::new();
    for o in help {
        if let Output::Send { to: NodeId::Replica(3), msg } = o {
            r[3].on_message(NodeId::Replica(0), msg, &mut out);
        }
    }
    assert!(installed(&out) && r[3].view() == 1, "the primary's NEW-VIEW, relayed by 0: {out:?}");
    let mut out = Vec::new();
    r[3].on_timer(ReplicaTimer::ViewChange, &mut out);
    assert!(out.iter().any(|o| matches!(o, Output::ViewChangeStarted { view: 2 })), "{out:?}");
}

/// F2, safety (Castro–Liskov §4.4, the signed variant): certificates carry
/// evidence, not names. Here x executed at n = 1 everywhere; in the view
/// change faulty replica 3 claims that 1 and 2 prepared z at n = 1 in view 0
/// (z's digest wins the tie with x's, so an O set built from its VIEW-CHANGE
/// would put z at n = 1 and undo x). Before certificates embedded signed
/// messages, a list of replica ids was all a VIEW-CHANGE carried and this one
/// was accepted. Now the new primary refuses it, waits for an honest
/// VIEW-CHANGE instead, and keeps x.
#[test]
fn f2_a_view_change_with_a_made_up_certificate_is_refused() {
    let mut net = Net::new(cfg4(), |_, _, _| false);
    let x = req("x=1", 1);
    net.input(NodeId::Client(0), 0, Message::Request(x.clone()));
    assert!(net.reps.iter().all(|r| r.last_executed() == 1), "x executed everywhere");
    // A request whose digest beats x's in compute_o_set's tie-break.
    let z = (0..).map(|k| req(&format!("z={k}"), 2)).find(|z| z.digest() > x.digest()).unwrap();
    // The made-up certificate: a pre-prepare "from 0" and PREPAREs "from 1 and 2",
    // all signed by 3 (the only key it has).
    let pre_prepare = by(3, PrePrepare { view: 0, seq: 1, digest: z.digest(), request: Some(z.clone()), sig: Sig::default() });
    let prepares = [1, 2].map(|r| by(3, Prepare { view: 0, seq: 1, digest: z.digest(), replica: r, sig: Sig::default() })).to_vec();
    let honest3 = view_change_of(&mut net.reps[3]);
    let mut vc3 = honest3.clone();
    vc3.prepared = vec![PreparedCert { pre_prepare, prepares }];
    let vc3 = by(3, vc3);
    // The view-1 primary gets it first, then replica 0's genuine one.
    let vc0 = view_change_of(&mut net.reps[0]);
    let mut out = Vec::new();
    net.reps[1].on_message(NodeId::Replica(3), Message::ViewChange(Box::new(vc3)), &mut out);
    let bad_pre_prepare = Defect::BadSignature { kind: MsgKind::PrePrepare, signer: 0 };
    assert_eq!(rejections(&out), vec![&Reject::InvalidViewChange { view: 1, defect: bad_pre_prepare }]);
    // Even with x's genuine pre-prepare (a faulty replica has it) the PREPAREs give it away.
    let mut vc3 = honest3;
    let genuine = net.sent.iter().find_map(|(_, _, _, m)| match m { Message::PrePrepare(pp) => Some(pp.clone()), _ => None }).unwrap();
    let prepares = [1, 2].map(|r| by(3, Prepare { view: 0, seq: 1, digest: x.digest(), replica: r, sig: Sig::default() })).to_vec();
    vc3.prepared = vec![PreparedCert { pre_prepare: genuine, prepares }];
    let mut out = Vec::new();
    net.reps[1].on_message(NodeId::Replica(3), Message::ViewChange(Box::new(by(3, vc3))), &mut out);
    let bad_prepare = Defect::BadSignature { kind: MsgKind::Prepare, signer: 1 };
    assert_eq!(rejections(&out), vec![&Reject::InvalidViewChange { view: 1, defect: bad_prepare }]);
    let mut out = Vec::new();
    net.reps[1].on_message(NodeId::Replica(0), Message::ViewChange(Box::new(vc0)), &mut out);
    assert!(!out.iter().any(|o| matches!(o, Output::Send { msg: Message::NewView(_), .. })), "two valid VIEW-CHANGEs are not a quorum");
    let vc2 = view_change_of(&mut net.reps[2]);
    let mut out = Vec::new();
    net.reps[1].on_message(NodeId::Replica(2), Message::ViewChange(Box::new(vc2)), &mut out);
    let nv = new_view_in(&out);
    assert_eq!(nv.view_changes.iter().map(|vc| vc.replica).collect::<Vec<_>>(), vec![0, 1, 2]);
    assert_eq!(nv.pre_prepares.iter().map(|pp| pp.request.clone()).collect::<Vec<_>>(), vec![Some(x)], "x stays at n = 1");
}

/// F2 at state transfer: a lagging replica checks the state it fetched
/// against a certificate of signed CHECKPOINTs. A faulty replica that makes
/// up state and a "certificate" for its digest (CHECKPOINTs in others'
/// names) installs nothing; before, a proof was a list of names and this
/// state was installed.
#[test]
fn f2_a_state_with_a_made_up_checkpoint_certificate_is_refused() {
    let three = NodeId::Replica(3);
    let mut net = Net::new(cfg4(), move |from, to, _| from == three || to == three);
    net.writes(1..=4);
    assert_eq!(net.reps[0].low_watermark(), 4);
    // Replica 3 learns of stable checkpoint 4 from the genuine CHECKPOINTs and fetches it.
    let digest = net.reps[0].app().digest();
    let r3 = &mut net.reps[3];
    let mut out = Vec::new();
    for i in 0..3 {
        r3.on_message(NodeId::Replica(i), Message::Checkpoint(by(i, Checkpoint { seq: 4, digest, replica: i, sig: Sig::default() })), &mut out);
    }
    let mut out = Vec::new();
    r3.on_timer(ReplicaTimer::Fetch, &mut out);
    // Faulty replica 2 answers with a state of its own making and CHECKPOINTs for its digest.
    let mut state = net.reps[0].app().clone();
    state.store.push(("stolen".into(), "yes".into()));
    state.rehash();
    let made_up = state.digest();
    let proof = (0..3).map(|i| by(2, Checkpoint { seq: 4, digest: made_up, replica: i, sig: Sig::default() })).collect();
    let lie = StateReply { seq: 4, state, proof, replica: 2 };
    let r3 = &mut net.reps[3];
    let mut out = Vec::new();
    r3.on_message(NodeId::Replica(2), Message::State(Box::new(lie)), &mut out);
    assert_eq!(rejections(&out), vec![&Reject::BadSignature { kind: MsgKind::Checkpoint, signer: 0 }]);
    assert_eq!(r3.last_executed(), 0, "nothing installed");
    let mut out = Vec::new();
    r3.on_timer(ReplicaTimer::Fetch, &mut out);
    assert!(out.iter().any(|o| matches!(o, Output::Send { msg: Message::FetchState(StateRequest { seq: 4, .. }), .. })), "the fetch goes on");
}

/// F3, liveness (§4.1, §4.4): a backup that receives a request relays it to
/// the primary whoever handed it over, so a faulty replica that gives a
/// genuine client request to the backups alone cannot depose an honest primary.
#[test]
fn f3_a_request_fed_to_backups_only_reaches_the_primary() {
    // Replica 3 is faulty: nothing of it travels but what the test hands over.
    let faulty = NodeId::Replica(3);
    let mut net = Net::new(cfg4(), move |from, to, _| from == faulty || to == faulty);
    let x = req("x=1", 1);
    for b in [1, 2] {
        net.input(faulty, b, Message::Request(x.clone()));
    }
    let relayed: Vec<NodeId> = net
        .sent
        .iter()
        .filter(|(_, _, to, m)| *to == NodeId::Replica(0) && matches!(m, Message::Request(r) if *r == x))
        .map(|(_, from, ..)| *from)
        .collect();
    assert!(!relayed.is_empty(), "a backup relays the request to the primary");
    net.run_until(20_000);
    for i in 0..3 {
        assert_eq!(net.reps[i].last_executed(), 1, "replica {i} executed x");
        assert_eq!((net.reps[i].view(), net.reps[i].status()), (0, ReplicaStatus::Normal));
    }
    assert_eq!(net.view_changes_started(), vec![], "no view change");
}

/// F4, resilience (§4.2 with the retransmission of TOCS 2002 §5.2): a backup
/// whose copy of the PRE-PREPARE is lost gets it again, executes, and stays in
/// the view instead of moving alone to a view change.
#[test]
fn f4_a_backup_that_lost_the_pre_prepare_gets_it_again_and_stays() {
    let mut lost = false;
    let mut net = Net::new(cfg4(), move |_, to, m| {
        let hit = !lost && to == NodeId::Replica(3) && matches!(m, Message::PrePrepare(_));
        lost |= hit;
        hit
    });
    let x = req("x=1", 1);
    net.input(NodeId::Client(0), 0, Message::Request(x.clone()));
    assert_eq!((0..3).map(|i| net.reps[i].last_executed()).collect::<Vec<_>>(), vec![1, 1, 1]);
    assert_eq!(net.reps[3].last_executed(), 0, "replica 3 lacks the pre-prepare");
    // The client's retransmission (one reply was slow) reaches every replica.
    net.run_until(1_000);
    for i in 0..4 {
        net.input(NodeId::Client(0), i, Message::Request(x.clone()));
    }
    net.run_until(30_000);
    let resent = net.sent.iter().filter(|(_, f, t, m)| {
        *f == NodeId::Replica(0) && *t == NodeId::Replica(3) && matches!(m, Message::PrePrepare(p) if p.seq == 1)
    });
    assert!(resent.count() >= 2, "the primary sent the pre-prepare to 3 again");
    assert_eq!(net.reps[3].last_executed(), 1, "replica 3 executed x");
    assert_eq!(net.view_changes_started(), vec![], "nobody moved to a view change");
    assert!(net.reps.iter().all(|r| r.view() == 0 && r.status() == ReplicaStatus::Normal));
}

/// F4, resilience: a COMMIT retransmitted by a replica that misses ours is
/// answered with ours (§4.2; TOCS 2002 §5.2: receivers retransmit what a
/// sender is missing), so a replica that lost two COMMITs still executes.
#[test]
fn f4_a_replica_that_lost_commits_gets_them_again() {
    let mut net = Net::new(cfg4(), move |from, to, m| {
        to == NodeId::Replica(3) && from != NodeId::Replica(2) && matches!(m, Message::Commit(_))
    });
    let x = req("x=1", 1);
    net.input(NodeId::Client(0), 0, Message::Request(x.clone()));
    assert_eq!(net.reps[3].last_executed(), 0, "replica 3 lacks two COMMITs");
    net.lose = Box::new(|_, _, _| false);
    net.run_until(1_000);
    for i in 0..4 {
        net.input(NodeId::Client(0), i, Message::Request(x.clone()));
    }
    net.run_until(30_000);
    assert_eq!(net.reps[3].last_executed(), 1, "replica 3 executed x");
    assert_eq!(net.view_changes_started(), vec![]);
}

/// F4, a replica left in an old view (§4.5.2, the f+1 rule): normal-case
/// messages of a later view from f+1 replicas, one of them honest, show the
/// view moved on; the replica asks for it and gets the primary's NEW-VIEW.
#[test]
fn f4_a_replica_left_in_an_old_view_follows_f_plus_1_into_the_new_one() {
    let (mut r, _, nv) = view_1_from_its_primary(3);
    for i in [0, 2] {
        let mut out = Vec::new();
        r[i].on_message(NodeId::Replica(1), Message::NewView(Box::new(nv.clone())), &mut out);
        assert!(installed(&out));
    }
    // Replica 3 missed all of it. View 1's primary assigns x; 3 sees its pre-prepare and 2's PREPARE.
    let x = req("x=1", 1);
    let mut out = Vec::new();
    r[1].on_message(NodeId::Client(0), Message::Request(x.clone()), &mut out);
    let pp = out.iter().find_map(|o| match o { Output::Send { msg: m @ Message::PrePrepare(_), .. } => Some(m.clone()), _ => None }).unwrap();
    let mut out = Vec::new();
    r[3].on_message(NodeId::Replica(1), pp.clone(), &mut out);
    assert!(!out.iter().any(|o| matches!(o, Output::ViewChangeStarted { .. })), "one replica is not enough");
    let mut out = Vec::new();
    r[3].on_message(NodeId::Replica(2), Message::Prepare(by(2, Prepare { view: 1, seq: 1, digest: x.digest(), replica: 2, sig: Sig::default() })), &mut out);
    assert!(out.iter().any(|o| matches!(o, Output::ViewChangeStarted { view: 1 })), "{out:?}");
    let vc3 = out.iter().find_map(|o| match o { Output::Send { msg: Message::ViewChange(vc), .. } => Some(vc.clone()), _ => None }).unwrap();
    // Its VIEW-CHANGE reaches the primary of view 1, which answers with its NEW-VIEW.
    let mut out = Vec::new();
    r[1].on_message(NodeId::Replica(3), Message::ViewChange(vc3), &mut out);
    let nv = new_view_in(&out);
    let mut out = Vec::new();
    r[3].on_message(NodeId::Replica(1), Message::NewView(Box::new(nv)), &mut out);
    assert!(installed(&out));
    assert_eq!((r[3].view(), r[3].status()), (1, ReplicaStatus::Normal));
    assert!(r[3].log_entries().iter().any(|e| e.seq == 1 && e.view == 1), "the early pre-prepare was replayed");
}

/// F5, liveness (§4.3, state transfer): an older certified STATE, served by a
/// faulty replica, may be installed, but does not end the fetch of the newer
/// checkpoint a quorum certified.
#[test]
fn f5_an_older_state_does_not_cancel_the_fetch_of_a_newer_checkpoint() {
    let three = NodeId::Replica(3);
    let mut net = Net::new(cfg4(), move |from, to, _| from == three || to == three);
    net.writes(1..=4);
    assert_eq!(net.reps[2].low_watermark(), 4);
    // Faulty replica 2 keeps its certified state at checkpoint 4 for later.
    let old: Box<StateReply> = net.state_from(2, 3, 4);
    net.writes(5..=8);
    assert_eq!(net.reps[0].low_watermark(), 8);
    // Replica 3 learns of the stable checkpoint 8 and starts fetching it.
    let digest = net.reps[0].app().digest();
    let r3 = &mut net.reps[3];
    let mut out = Vec::new();
    for i in 0..3 {
        r3.on_message(NodeId::Replica(i), Message::Checkpoint(by(i, Checkpoint { seq: 8, digest, replica: i, sig: Sig::default() })), &mut out);
    }
    let mut out = Vec::new();
    r3.on_timer(ReplicaTimer::Fetch, &mut out);
    let fetch_8 = |out: &[Output]| {
        out.iter().any(|o| matches!(o, Output::Send { msg: Message::FetchState(StateRequest { seq: 8, .. }), .. }))
    };
    assert!(fetch_8(&out), "fetching checkpoint 8: {out:?}");
    // The faulty replica answers with its older, genuinely certified state.
    let mut out = Vec::new();
    r3.on_message(NodeId::Replica(2), Message::State(old), &mut out);
    assert_eq!(r3.last_executed(), 4, "the older certified state may be installed");
    let mut out = Vec::new();
    r3.on_timer(ReplicaTimer::Fetch, &mut out);
    assert!(fetch_8(&out), "the fetch of checkpoint 8 goes on: {out:?}");
    // An honest replica's state at 8 ends it.
    let new = net.state_from(0, 3, 8);
    let r3 = &mut net.reps[3];
    let mut out = Vec::new();
    r3.on_message(NodeId::Replica(0), Message::State(new), &mut out);
    assert_eq!(r3.last_executed(), 8);
    assert!(out.iter().any(|o| matches!(o, Output::CancelTimer(ReplicaTimer::Fetch))));
}

/// Minor (bounded by design): the buffer of messages for a view not yet
/// installed is bounded per sender, so one faulty replica flooding it cannot
/// push out an honest replica's messages (§4.4: they overtake the NEW-VIEW).
#[test]
fn minor_one_sender_cannot_evict_anothers_early_messages() {
    let (mut r, _, nv) = view_1_from_its_primary(3);
    // View 1's messages for x reach replica 0 before the NEW-VIEW does.
    let x = req("x=1", 1);
    let d = x.digest();
    let mut out = Vec::new();
    let r0 = &mut r[0];
    let pp = by(1, PrePrepare { view: 1, seq: 1, digest: d, request: Some(x.clone()), sig: Sig::default() });
    r0.on_message(NodeId::Replica(1), Message::PrePrepare(pp), &mut out);
    r0.on_message(NodeId::Replica(2), Message::Prepare(by(2, Prepare { view: 1, seq: 1, digest: d, replica: 2, sig: Sig::default() })), &mut out);
    for i in [1, 2] {
        r0.on_message(NodeId::Replica(i), Message::Commit(by(i, Commit { view: 1, seq: 1, digest: d, replica: i, sig: Sig::default() })), &mut out);
    }
    // Faulty replica 3 floods the buffer with view-1 votes.
    for k in 0..10_000u64 {
        let c = by(3, Commit { view: 1, seq: 1 + k % 8, digest: Digest(k + 1), replica: 3, sig: Sig::default() });
        r0.on_message(NodeId::Replica(3), Message::Commit(c), &mut out);
    }
    let mut out = Vec::new();
    r0.on_message(NodeId::Replica(1), Message::NewView(Box::new(nv)), &mut out);
    assert!(installed(&out));
    assert_eq!(r0.last_executed(), 1, "the honest early messages survived the flood");
}

/// Requests are signed by their clients (§4.1): a replica's flood of 20,000
/// requests under made-up client ids is refused, each naming the check, and
/// nothing is kept. Requests of 20,000 genuine clients (each signed by its
/// client), in descending client order, are each kept pending and relayed to
/// the primary once; then the retransmission of one is relayed again, its
/// count kept through the new copy of the request. (The requests are held in
/// a tree: in a sorted `Vec` each arrival shifted all the others, and 80,000
/// took seconds.)
#[test]
fn minor_a_flood_of_requests_under_many_client_ids_is_each_relayed_once() {
    let mut r = Replica::new(1, cfg4());
    let mut out = Vec::new();
    for c in (0..20_000u32).rev() {
        let forged = Request::new(format!("x={c}"), 1, 1_000 + c);
        r.on_message(NodeId::Replica(0), Message::Request(forged), &mut out);
    }
    let refused = out.iter().filter(|o| matches!(o, Output::Rejected { reason: Reject::BadRequestSignature { .. }, .. })).count();
    assert_eq!((refused, r.pending_len()), (20_000, 0), "unsigned requests are refused and not kept");
    out.clear();
    for c in (0..20_000u32).rev() {
        let request = signed_request(&format!("x={c}"), 1, 1_000 + c);
        r.on_message(NodeId::Replica(0), Message::Request(request), &mut out);
    }
    assert_eq!(r.pending_len(), 20_000);
    let relayed = |out: &[Output]| out.iter().filter(|o| matches!(o, Output::Send { to: NodeId::Replica(0), msg: Message::Request(_) })).count();
    assert_eq!(relayed(&out), 20_000, "each relayed to the primary once");
    // From a replica, relayed once per view; from its client, each time.
    let again = signed_request("x=7", 1, 1_007);
    let mut out = Vec::new();
    r.on_message(NodeId::Replica(2), Message::Request(again.clone()), &mut out);
    assert_eq!(relayed(&out), 0, "a replica's copy of a relayed request is not relayed again");
    r.on_message(NodeId::Client(1_007), Message::Request(again), &mut out);
    assert_eq!(relayed(&out), 1, "the client's retransmission is");
    assert_eq!(r.pending_len(), 20_000);
}

/// A second review's findings, one test each, in the same style.
///
/// S1. The state digest used to sum the hashes of the store's entries and
/// did not see their order. A faulty replica answers a fetch with its genuine
/// state and the genuine certificate, the store's pairs reversed: the sum
/// matches, and lookups (binary searches) in that store would read "unset"
/// and write keys twice. The receiver refuses a store or reply cache out of
/// order (before it looks at the digest, which is now of the ordered
/// content), then installs the honest state.
#[test]
fn s1_a_state_with_its_store_out_of_order_is_refused() {
    let three = NodeId::Replica(3);
    let mut net = Net::new(cfg4(), move |from, to, _| from == three || to == three);
    net.writes(1..=8);
    assert_eq!(net.reps[0].low_watermark(), 8);
    let digest = net.reps[0].app().digest();
    let mut evil = net.state_from(2, 3, 8);
    let mut pairs: Vec<_> = evil.state.store.iter().cloned().collect();
    pairs.reverse();
    evil.state.store = pairs.into_iter().collect();
    let mut probe = evil.state.clone();
    probe.rehash();
    assert_eq!(probe.fingerprint(), net.reps[0].app().fingerprint(), "the reversed store sums to the same fingerprint");
    // The same keys with one repeated, in order: also not a state an honest replica keeps.
    let mut twice = net.state_from(2, 3, 8);
    let mut pairs: Vec<_> = twice.state.store.iter().cloned().collect();
    pairs.insert(1, pairs[0].clone());
    twice.state.store = pairs.into_iter().collect();
    let r3 = &mut net.reps[3];
    let mut out = Vec::new();
    for i in 0..3 {
        r3.on_message(NodeId::Replica(i), Message::Checkpoint(by(i, Checkpoint { seq: 8, digest, replica: i, sig: Sig::default() })), &mut out);
    }
    for bad in [evil, twice] {
        let mut out = Vec::new();
        r3.on_message(NodeId::Replica(2), Message::State(bad), &mut out);
        assert_eq!(rejections(&out), [&Reject::MalformedState { seq: 8 }]);
        assert_eq!(r3.last_executed(), 0, "not installed");
    }
    let honest = net.state_from(0, 3, 8);
    let r3 = &mut net.reps[3];
    let mut out = Vec::new();
    r3.on_message(NodeId::Replica(0), Message::State(honest), &mut out);
    assert_eq!(r3.last_executed(), 8);
    assert_eq!(r3.app().store.get("k1"), Some("1"));
    assert_eq!(r3.app().store.get("k8"), Some("8"));
}

/// S2. An honest replica votes once per view and sequence number. A faulty
/// one's PREPAREs and COMMITs for 10,000 distinct digests in the window are
/// kept once per slot (its first), the rest refused as conflicting, so its
/// votes cannot fill an honest replica's memory; the honest quorum still
/// commits.
#[test]
fn s2_a_faulty_replicas_votes_for_many_digests_are_kept_once_per_slot() {
    let mut r0 = Replica::new(0, cfg4());
    let mut out = Vec::new();
    for i in 0..10_000u64 {
        let (seq, digest) = (1 + i % 8, Digest(1_000_000 + i));
        r0.on_message(NodeId::Replica(3), Message::Prepare(by(3, Prepare { view: 0, seq, digest, replica: 3, sig: Sig::default() })), &mut out);
        r0.on_message(NodeId::Replica(3), Message::Commit(by(3, Commit { view: 0, seq, digest, replica: 3, sig: Sig::default() })), &mut out);
    }
    let conflicting = |kind| rejections(&out).iter().filter(|r| matches!(r, Reject::ConflictingVote { kind: k, .. } if *k == kind)).count();
    assert_eq!((conflicting(MsgKind::Prepare), conflicting(MsgKind::Commit)), (10_000 - 8, 10_000 - 8));
    // The honest replicas' request commits (R3's first votes were for other digests).
    let mut net = Net::new(cfg4(), |_, _, _| false);
    net.reps[0] = r0;
    net.input(NodeId::Client(0), 0, Message::Request(req("x=1", 1)));
    assert_eq!(net.reps[0].last_executed(), 1);
}

/// S3. Requests are signed by their clients (§4.1). A faulty replica hands
/// the primary a request in client 0's name, unsigned or signed with its own
/// key, and a faulty primary pre-prepares one: each is refused, and the
/// client's own next request is the one executed (before, the forged one
/// took its timestamp and the client accepted the forged result).
#[test]
fn s3_a_request_in_a_clients_name_that_it_did_not_sign_is_refused() {
    let mut net = Net::new(cfg4(), |_, _, _| false);
    net.input(NodeId::Client(0), 0, Message::Request(req("x=1", 1)));
    let unsigned = Request::new("x=666", 2, 0);
    let mut own_key = Request::new("x=666", u64::MAX, 0);
    own_key.sig = ModelKeys::of(3).sign(b"request x=666");
    for forged in [unsigned.clone(), own_key] {
        let mut out = Vec::new();
        net.reps[0].on_message(NodeId::Replica(3), Message::Request(forged.clone()), &mut out);
        let reason = Reject::BadRequestSignature { client: 0, timestamp: forged.timestamp };
        assert_eq!(rejections(&out), [&reason]);
        assert!(!out.iter().any(|o| matches!(o, Output::Send { msg: Message::PrePrepare(_), .. })), "not ordered");
    }
    // A faulty primary's pre-prepare of it (signed by the primary, the request by nobody).
    let pp = by(0, PrePrepare { view: 0, seq: 2, digest: unsigned.digest(), request: Some(unsigned), sig: Sig::default() });
    let mut out = Vec::new();
    net.reps[1].on_message(NodeId::Replica(0), Message::PrePrepare(pp), &mut out);
    assert_eq!(rejections(&out), [&Reject::BadRequestSignature { client: 0, timestamp: 2 }]);
    net.input(NodeId::Client(0), 0, Message::Request(req("x=2", 2)));
    for r in &net.reps {
        assert_eq!(r.app().store.get("x"), Some("2"));
    }
}

/// S4. A client's requests are kept pending one at a time (its newest): a
/// faulty client signing 1,000 requests with rising timestamps leaves one.
#[test]
fn s4_a_client_has_one_pending_request_at_a_replica() {
    let mut r1 = Replica::new(1, cfg4());
    let mut out = Vec::new();
    for t in 1..=1_000 {
        r1.on_message(NodeId::Replica(3), Message::Request(signed_request(&format!("y={t}"), t, 1_000)), &mut out);
    }
    assert_eq!(r1.pending_len(), 1);
}

/// S5. Sequence numbers and views at the top of u64 are only numbers: a
/// VIEW-CHANGE for view u64::MAX and a CHECKPOINT at u64::MAX (a multiple of
/// K = 3) are handled without overflow (before, debug builds panicked).
#[test]
fn s5_a_view_change_and_a_checkpoint_at_u64_max_do_not_overflow() {
    let mut r0 = Replica::new(0, cfg4());
    let vc = by(3, ViewChange { new_view: u64::MAX, stable_seq: 0, stable_digest: Digest::default(), checkpoint_proof: vec![], prepared: vec![], replica: 3, sig: Sig::default() });
    let mut out = Vec::new();
    r0.on_message(NodeId::Replica(3), Message::ViewChange(Box::new(vc.clone())), &mut out);
    r0.on_message(NodeId::Replica(3), Message::ViewChange(Box::new(vc)), &mut out);
    assert_eq!(r0.view(), 0);
    let cfg = Config { checkpoint_interval: 3, log_window: 6, ..Config::default() };
    cfg.validate().expect("a valid configuration");
    let mut r0 = Replica::new(0, cfg);
    let c = by(3, Checkpoint { seq: u64::MAX, digest: Digest(7), replica: 3, sig: Sig::default() });
    let mut out = Vec::new();
    r0.on_message(NodeId::Replica(3), Message::Checkpoint(c.clone()), &mut out);
    r0.on_message(NodeId::Replica(3), Message::Checkpoint(c), &mut out);
    assert_eq!(r0.low_watermark(), 0);
}

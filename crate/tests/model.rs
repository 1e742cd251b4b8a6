//! Exhaustive model checking of the protocol's own replicas with stateright
//! (`model/harness.rs` has the model, its actions and its properties). These
//! are the configurations small enough for every `cargo test`;
//! `cargo run --release --example model` checks the larger ones of
//! BENCHMARKS.md ("Model checking").
#![cfg(not(target_arch = "wasm32"))]

#[path = "model/harness.rs"]
mod harness;

use harness::*;

/// Checks `setup` to the end (on both of CI's cores) and fails with the trace of every
/// property that does not hold.
fn holds(setup: Setup) {
    let (model, r) = check(setup, 2, false, None);
    eprintln!("{}: {} states, {} generated, depth {}, {:?}", r.name, r.unique, r.generated, r.max_depth, r.elapsed);
    let failures = r.failures(&model);
    for name in &failures {
        if let Some(path) = r.discovery(name) {
            eprintln!("{name}:\n{}{:?}", trace(&model, &path.clone().into_vec()), path.last_state());
        }
    }
    assert!(r.complete && r.unique > 1000, "{}: explored {} states", r.name, r.unique);
    assert!(failures.is_empty(), "{}: {failures:?}", r.name);
}

fn ci(name: &str) -> Setup {
    ci_configurations().into_iter().find(|s| s.name == name).expect("a configuration of the test")
}

/// No faults but a crashed backup: every order of every message, and every
/// run ends with the request accepted (§4.2).
#[test]
fn one_request_with_a_backup_down() {
    holds(ci("R3 down, 1 request"));
}

/// The same with a second request sent after the first is accepted.
#[test]
fn two_requests_with_a_backup_down() {
    holds(ci("R3 down, 2 requests"));
}

/// A primary that gives backups different requests, each with its own
/// PREPARE and COMMIT: under the paper's quorums no two backups execute
/// different requests (§4.2, quorum intersection), and some run still gets
/// the client's request accepted.
#[test]
fn an_equivocating_primary_cannot_split_the_paper_quorums() {
    holds(ci("R0 equivocates at once, 1 request"));
}

/// The naive quorum (more than n/3 votes, the primary's own counted) lets an
/// equivocating primary make two honest backups execute different requests
/// at one sequence number: the checker finds it, and the trace shows how.
#[test]
fn the_naive_quorum_breaks_agreement() {
    let (model, r) = check(ci_naive(), 1, true, None);
    let path = r.discovery("agreement").expect("the checker finds an agreement violation under the naive quorum");
    let steps = minimize(&model, "agreement", path);
    eprintln!("{}: {} states; a counterexample:\n{}", r.name, r.unique, trace(&model, &steps));
    let last = &steps.last().expect("a state").0;
    let (seq, i, a, j, b) = agreement(last).expect("the last state breaks agreement");
    assert_eq!(seq, 1);
    assert_ne!(a.request, b.request, "R{i} and R{j} executed different requests");
    assert!(steps.len() <= 6, "a short counterexample: {}", trace(&model, &steps));
}

/// A replica's fingerprint leaves out the order in which votes arrived, not
/// who voted; the text-based one, from the `Debug` output instead of
/// `hash_state`, tells the same replicas apart.
#[test]
fn replica_fingerprint_ignores_vote_order_only() {
    use pbft_playground::protocol::*;
    let cfg = Config::default();
    let req = Request::new("x=1", 1, 0).signed(&*ModelKeys::client(0));
    let pp =
        ModelKeys::signed_as(0, PrePrepare { view: 0, seq: 1, digest: req.digest(), request: Some(req), sig: Sig::default() });
    let prepare = |r: ReplicaId| {
        let p = Prepare { view: 0, seq: 1, digest: pp.digest, replica: r, sig: Sig::default() };
        (NodeId::Replica(r), Message::Prepare(ModelKeys::signed_as(r, p)))
    };
    let run = |inputs: &[(NodeId, Message)]| {
        let mut r = Replica::new(3, cfg.clone());
        let mut out = Vec::new();
        for (from, m) in inputs {
            r.on_message(*from, m.clone(), &mut out);
        }
        r
    };
    let pre = (NodeId::Replica(0), Message::PrePrepare(pp.clone()));
    let a = run(&[prepare(1), prepare(2), pre.clone()]);
    let b = run(&[prepare(2), prepare(1), pre.clone()]);
    assert_ne!(format!("{a:?}"), format!("{b:?}"), "the votes' signatures are kept in arrival order");
    assert_eq!(replica_hash(&a), replica_hash(&b), "which the fingerprint leaves out");
    let c = run(&[prepare(1), pre.clone()]);
    let d = run(&[prepare(2), pre]);
    assert_ne!(replica_hash(&c), replica_hash(&d), "who voted is kept");
    assert_ne!(replica_hash(&a), replica_hash(&c));
    let text = replica_hash_of_text;
    assert_eq!(text(&a), text(&b));
    assert_ne!(text(&c), text(&d));
    assert_ne!(text(&a), text(&c));
}

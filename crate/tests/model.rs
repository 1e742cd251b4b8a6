//! Exhaustive model checking of the protocol's own replicas with stateright:
//! see `model/harness.rs` for the model, and `examples/model.rs` for the
//! larger configurations of BENCHMARKS.md.
#![cfg(not(target_arch = "wasm32"))]

#[path = "model/harness.rs"]
mod harness;

use harness::*;

fn ok(setup: Setup) {
    let (model, r) = check(setup, 1, false);
    eprintln!("{}: {} states, {} generated, depth {}, {:?}", r.name, r.unique, r.generated, r.max_depth, r.elapsed);
    let failures = r.failures(&model);
    for name in &failures {
        if let Some(path) = r.discovery(name) {
            eprintln!("{name}:\n{}{:?}", trace(path), path.last_state());
        }
    }
    assert!(failures.is_empty(), "{}: {failures:?}", r.name);
}

#[test]
fn r3_down_one_request() {
    ok(Setup::new("R3 down, 1 request", 1).down(3));
}

#[test]
fn r3_down_two_requests() {
    ok(Setup::new("R3 down, 2 requests", 2).down(3));
}

/// The streaming fingerprint of a replica equals the text-based one, and
/// leaves out only the order of vote signatures.
#[test]
fn replica_fingerprint_ignores_vote_order_only() {
    use pbft_playground::protocol::*;
    let cfg = Config::default();
    let req = Request { op: "x=1".into(), timestamp: 1, client: 0 };
    let pp = ModelKeys::signed_as(0, PrePrepare { view: 0, seq: 1, digest: req.digest(), request: Some(req), sig: Sig::default() });
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
        assert_eq!(replica_hash(&r), replica_hash_of_text(&r));
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
}

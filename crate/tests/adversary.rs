//! A third review's findings, one test each, against the real replicas with
//! hand-made messages: a faulty replica drives its own messages through a
//! closure (`Net::faulty`, tests/common/net.rs), everything else is what honest replicas really
//! sent. Each failed on the code before its fix.

mod common;

use common::net::{by, cfg4, signed_request, Net};
use pbft_playground::protocol::{
    Checkpoint, Message, NodeId, Output, Sig, ViewChange,
};

/// A1 driver: checkpoint 4 becomes stable at 0, 1, 2 while 3 is cut off; then
/// replica 0 turns faulty (silent but for VIEW-CHANGEs carrying `pad` extra
/// copies of its own CHECKPOINT in C) and 3 is reconnected. A client keeps
/// broadcasting its next request. Returns the net after `until`.
fn a1_run(pad: usize, until: u64) -> Net {
    let three = NodeId::Replica(3);
    let cut = std::rc::Rc::new(std::cell::Cell::new(true));
    let c2 = cut.clone();
    let mut net = Net::new(cfg4(), move |from, to, _| c2.get() && (from == three || to == three));
    net.writes(1..=4);
    assert_eq!((net.reps[0].low_watermark(), net.reps[1].low_watermark(), net.reps[2].low_watermark()), (4, 4, 4));
    let digest = net.reps[0].app().digest();
    // The genuine quorum proof of checkpoint 4, as 0 received it.
    let mut proof: Vec<Checkpoint> = Vec::new();
    for (_, f, _, m) in &net.sent {
        if let (NodeId::Replica(i), Message::Checkpoint(c)) = (f, m) {
            if c.seq == 4 && !proof.iter().any(|p| p.replica == *i) {
                proof.push(c.clone());
            }
        }
    }
    assert_eq!(proof.len(), 3);
    let own = proof.iter().find(|c| c.replica == 0).unwrap().clone();
    // Padding first: 0's own genuine CHECKPOINT, `pad` times. It does not
    // change the certificate (one signer counted once).
    let mut padded = vec![own; pad];
    padded.extend(proof);
    let mut done: Vec<u64> = Vec::new();
    net.faulty = Some((
        0,
        Box::new(move |_, _, m| {
            let Message::ViewChange(vc) = m else { return vec![] };
            let v = vc.new_view;
            if done.contains(&v) {
                return vec![];
            }
            done.push(v);
            let mine = by(
                0,
                ViewChange { new_view: v, stable_seq: 4, stable_digest: digest, checkpoint_proof: padded.clone(), prepared: vec![], replica: 0, sig: Sig::default() },
            );
            (1..4).map(|j| (j, Message::ViewChange(Box::new(mine.clone())))).collect()
        }),
    ));
    cut.set(false);
    // A client broadcasts requests 5, 6, ... (its retransmission reaches everyone).
    let mut t = 5;
    while net.now < until {
        let r = signed_request(&format!("k{t}={t}"), t, 0);
        for i in 0..4 {
            net.input(NodeId::Client(0), i, Message::Request(r.clone()));
        }
        let deadline = net.now + 20_000;
        while net.now < deadline {
            let step = net.now + 1_000;
            net.run_until(step);
            if (1..4).filter(|&i| net.reps[i].last_executed() >= t).count() >= 2 {
                break;
            }
        }
        if (1..4).filter(|&i| net.reps[i].last_executed() >= t).count() >= 2 {
            t += 1;
        }
    }
    net
}

/// A1. A faulty replica pads the checkpoint proof C of its VIEW-CHANGE with
/// 1,000 copies of its own CHECKPOINT. The new primary picks it for min-s
/// (ties go to the lowest replica id); a replica behind min-s fetches the
/// state. Before, it asked the proof's entries one per attempt, the faulty
/// replica nearly every time, and every NEW-VIEW sent it back to the first:
/// it never caught up, the next checkpoint never became stable and the whole
/// cluster stopped when the window filled. Now a proof is cut to one
/// CHECKPOINT per signer, the fetch asks every other replica in turn, and a
/// new view goes on with the next one.
#[test]
fn a1_a_padded_checkpoint_proof_does_not_starve_state_transfer() {
    let until = 2_000_000;
    let fetches = |net: &Net| {
        let mut to = [0usize; 4];
        for (_, f, t, m) in &net.sent {
            if let (NodeId::Replica(3), NodeId::Replica(j), Message::FetchState(_)) = (f, t, m) {
                to[*j] += 1;
            }
        }
        to
    };
    let exec = |net: &Net| (0..4).map(|i| net.reps[i].last_executed()).collect::<Vec<_>>();
    for pad in [0, 1_000] {
        let net = a1_run(pad, until);
        let f = fetches(&net);
        assert!(net.reps[3].last_executed() > 4, "pad {pad}: replica 3 fetched the state and caught up: {:?}, fetches {f:?}", exec(&net));
        assert!(net.reps[1].last_executed() > 20 && net.reps[2].last_executed() > 20, "pad {pad}: the cluster goes on: {:?}", exec(&net));
        assert!(f[0] <= 2, "pad {pad}: the faulty replica asked at most once a round: {f:?}");
    }
}

/// reply (mod 2^64): a multiset hash that Wagner's generalized birthday
/// attack breaks with four lists of 2^22 candidates (six seconds of one
/// core, see the report). Faulty replica 3 serves a lagging honest replica 2
/// its genuine state at checkpoint 8 with the genuine quorum certificate,
/// but with k1 set to "evil" and the values of k2..k5 replaced by the four
/// strings found: the digest is unchanged, the store is canonical, and 2
/// installs it. A client's read of k1 then gets "k1=evil" from 2 and 3, f+1
/// matching replies, and accepts it; the honest replicas hold k1=1.
#[test]
fn a2_a_state_forged_to_the_old_sum_hash_is_refused() {
    use pbft_playground::protocol::Reject;
    let two = NodeId::Replica(2);
    let cut = std::rc::Rc::new(std::cell::Cell::new(true));
    let c2 = cut.clone();
    let mut net = Net::new(cfg4(), move |from, to, _| c2.get() && (from == two || to == two));
    net.writes(1..=8);
    assert_eq!(net.reps[0].low_watermark(), 8);
    let digest = net.reps[0].app().digest();
    // Faulty 3 takes its own genuine STATE at checkpoint 8 (state and proof) ...
    let mut forged = net.state_from(3, 0, 8);
    // ... and rewrites five values (the four compensating ones found offline).
    let new: [(&str, &str); 5] = [("k1", "evil"), ("k2", "2~782734"), ("k3", "3~70876"), ("k4", "4~2906503"), ("k5", "5~312896")];
    let pairs: Vec<(std::sync::Arc<str>, std::sync::Arc<str>)> = forged
        .state
        .store
        .iter()
        .map(|(k, v)| match new.iter().find(|(nk, _)| **nk == **k) { Some((_, nv)) => (k.clone(), (*nv).into()), None => (k.clone(), v.clone()) })
        .collect();
    forged.state.store = pairs.into_iter().collect();
    forged.replica = 3;
    let mut probe = forged.state.clone();
    probe.rehash();
    assert_eq!(probe.fingerprint(), net.reps[0].app().fingerprint(), "the forgery sums to the honest state's fingerprint");
    assert_ne!(probe.digest(), digest, "but not to its digest");
    assert!(probe.is_canonical());
    // Replica 2 comes back, learns of checkpoint 8 (genuine CHECKPOINTs) and is sent the forgery.
    cut.set(false);
    for i in [0, 1, 3] {
        net.input(NodeId::Replica(i), 2, Message::Checkpoint(by(i, Checkpoint { seq: 8, digest, replica: i, sig: Sig::default() })));
    }
    let mut out = Vec::new();
    net.reps[2].on_message(NodeId::Replica(3), Message::State(forged), &mut out);
    assert!(out.iter().any(|o| matches!(o, Output::Rejected { reason: Reject::UncertifiedState { seq: 8 }, .. })), "{out:?}");
    assert_eq!(net.reps[2].last_executed(), 0, "not installed");
    // The honest replicas' state is, when the fetch asks them.
    net.run_until(net.now + 60_000);
    assert_eq!(net.reps[2].last_executed(), 8);
    assert_eq!(net.reps[2].app().store.get("k1"), Some("1"));
}

#[test]
fn a3_fetch_state_is_answered_a_few_times_per_checkpoint() {
    use pbft_playground::protocol::StateRequest;
    let mut net = Net::new(cfg4(), |_, _, _| false);
    for t in 1..=200 {
        net.input(NodeId::Client(0), 0, Message::Request(signed_request(&format!("key{t}={t}"), t, 0)));
    }
    assert_eq!(net.reps[1].low_watermark(), 200);
    let (mut sent_in, mut sent_out, mut states) = (0u64, 0u64, 0);
    for _ in 0..1_000 {
        let m = Message::FetchState(StateRequest { seq: 1, replica: 3 });
        sent_in += m.weight();
        let mut out = Vec::new();
        net.reps[1].on_message(NodeId::Replica(3), m, &mut out);
        for o in out {
            if let Output::Send { msg: m @ Message::State(_), .. } = o {
                sent_out += m.weight();
                states += 1;
            }
        }
    }
    println!("faulty sent weight {sent_in}; honest replica 1 answered {states} STATEs of total weight {sent_out}");
    assert_eq!(states, 3, "weights: {sent_in} asked, {sent_out} sent");
}

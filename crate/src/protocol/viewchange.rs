//! The new primary's O set (Castro–Liskov §4.4) and VIEW-CHANGE validation.

use super::config::Config;
use super::message::MsgKind;
use super::message::{Checkpoint, PrePrepare, ViewChange};
use super::quorum::{Certificate, VoteSet};
use super::reject::Defect;
use super::sign::{Sig, Signed, Signer};
use super::types::{Digest, Seq, View};

/// What a NEW-VIEW's V set determines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OSet {
    /// min-s: the latest stable checkpoint in V.
    pub min_s: Seq,
    /// Its state digest.
    pub min_s_digest: Digest,
    /// Its proof.
    pub min_s_proof: Vec<Checkpoint>,
    /// max-s: the highest sequence number in a prepared certificate in V.
    pub max_s: Seq,
    /// O: one pre-prepare for view `v` per n in (min-s, max-s]: the request of
    /// the highest-view certificate for n, or the null request for a gap.
    pub pre_prepares: Vec<PrePrepare>,
}

/// Computes O for the new view `view` from the VIEW-CHANGE messages `vcs`.
/// Deterministic: backups recompute it to check the primary's NEW-VIEW. The
/// pre-prepares come unsigned; the new primary signs them.
pub fn compute_o_set(cfg: &Config, view: View, vcs: &[ViewChange]) -> OSet {
    let best_ckpt = vcs.iter().max_by_key(|vc| (vc.stable_seq, std::cmp::Reverse(vc.replica)));
    let (min_s, min_s_digest, min_s_proof) =
        best_ckpt.map(|vc| (vc.stable_seq, vc.stable_digest, vc.checkpoint_proof.clone())).unwrap_or_default();
    let max_s = vcs.iter().flat_map(|vc| vc.prepared.iter().map(|c| c.pre_prepare.seq)).filter(|&s| s > min_s).max().unwrap_or(min_s);
    let _ = cfg;
    let mut pre_prepares = Vec::new();
    for seq in min_s + 1..=max_s {
        let best = vcs
            .iter()
            .flat_map(|vc| vc.prepared.iter())
            .filter(|c| c.pre_prepare.seq == seq)
            .max_by_key(|c| (c.pre_prepare.view, c.pre_prepare.digest));
        pre_prepares.push(match best {
            Some(c) => PrePrepare { view, seq, digest: c.pre_prepare.digest, request: c.pre_prepare.request.clone(), sig: Sig::default() },
            None => PrePrepare { view, seq, digest: Digest::NULL, request: None, sig: Sig::default() },
        });
    }
    OSet { min_s, min_s_digest, min_s_proof, max_s, pre_prepares }
}

/// Checks a stable-checkpoint certificate (§4.3): CHECKPOINTs for (`seq`,
/// `digest`) from a quorum of distinct replicas, each signed by the replica
/// it names. Entries for other checkpoints do not count; any entry with a
/// bad signature makes the proof a forgery.
pub fn check_checkpoint_proof(cfg: &Config, keys: &dyn Signer, seq: Seq, digest: Digest, proof: &[Checkpoint]) -> Result<(), Defect> {
    if let Some(c) = proof.iter().find(|c| c.replica >= cfg.n || !c.signed_by(keys, c.replica)) {
        return Err(Defect::BadSignature { kind: MsgKind::Checkpoint, signer: c.replica });
    }
    let signers: VoteSet = proof.iter().filter(|c| c.seq == seq && c.digest == digest).map(|c| c.replica).collect();
    if !cfg.certifies(Certificate::Checkpoint, &signers) {
        return Err(Defect::UncertifiedCheckpoint { seq });
    }
    Ok(())
}

/// A checked proof cut to what certifies (`seq`, `digest`): one matching
/// CHECKPOINT per signer, in replica order. What a replica keeps and passes
/// on: a faulty replica may pad its VIEW-CHANGE's proof with copies of its own
/// CHECKPOINT, and a replica that fetches state asks the proof's signers.
pub fn trim_checkpoint_proof(seq: Seq, digest: Digest, proof: &[Checkpoint]) -> Vec<Checkpoint> {
    let mut out: Vec<Checkpoint> = Vec::new();
    for c in proof.iter().filter(|c| c.seq == seq && c.digest == digest) {
        if !out.iter().any(|o| o.replica == c.replica) {
            out.push(c.clone());
        }
    }
    out.sort_by_key(|c| c.replica);
    out
}

/// Checks a VIEW-CHANGE (§4.4): its own signature, its checkpoint proof C
/// and its prepared certificates P, every embedded message signed by the
/// replica it names. A faulty replica can sign anything in its own name and
/// embed genuine messages it received; it cannot make up another's vote.
pub fn validate_view_change(cfg: &Config, keys: &dyn Signer, vc: &ViewChange) -> Result<(), Defect> {
    if vc.replica >= cfg.n || !vc.signed_by(keys, vc.replica) {
        return Err(Defect::BadSignature { kind: MsgKind::ViewChange, signer: vc.replica });
    }
    if vc.stable_seq > 0 {
        check_checkpoint_proof(cfg, keys, vc.stable_seq, vc.stable_digest, &vc.checkpoint_proof)?;
    }
    for cert in &vc.prepared {
        let pp = &cert.pre_prepare;
        let (low, high) = (vc.stable_seq, vc.stable_seq + cfg.log_window);
        if pp.seq <= low || pp.seq > high {
            return Err(Defect::CertOutsideWindow { seq: pp.seq, low, high });
        }
        if pp.view >= vc.new_view {
            return Err(Defect::CertView { seq: pp.seq, cert_view: pp.view, view: vc.new_view });
        }
        match &pp.request {
            Some(r) if r.digest() == pp.digest => {}
            None if pp.digest == Digest::NULL => {}
            _ => return Err(Defect::CertDigest { seq: pp.seq }),
        }
        let primary = cfg.primary(pp.view);
        if !pp.signed_by(keys, primary) {
            return Err(Defect::BadSignature { kind: MsgKind::PrePrepare, signer: primary });
        }
        if let Some(p) = cert.prepares.iter().find(|p| p.replica >= cfg.n || !p.signed_by(keys, p.replica)) {
            return Err(Defect::BadSignature { kind: MsgKind::Prepare, signer: p.replica });
        }
        // §4.2: 2f matching PREPAREs from distinct backups of the certificate's view.
        let voters: VoteSet =
            cert.prepares.iter().filter(|p| (p.view, p.seq, p.digest) == (pp.view, pp.seq, pp.digest)).map(|p| p.replica).collect();
        let tally = cfg.tally(Certificate::Prepared { view: pp.view }, &voters);
        if !tally.certified() {
            return Err(Defect::CertPrepares { seq: pp.seq, count: tally.count, needed: tally.needed });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{ModelKeys, Prepare, PreparedCert, Request};

    fn keys() -> std::sync::Arc<dyn Signer> {
        ModelKeys::of(3)
    }

    fn prepares(pp: &PrePrepare, who: &[usize]) -> Vec<Prepare> {
        who.iter()
            .map(|&r| ModelKeys::signed_as(r, Prepare { view: pp.view, seq: pp.seq, digest: pp.digest, replica: r, sig: Sig::default() }))
            .collect()
    }

    fn req(op: &str, t: u64) -> Request {
        Request::new(op, t, 0)
    }

    fn cert(view: View, seq: Seq, r: &Request) -> PreparedCert {
        cert_by(view, seq, r, &[1, 2])
    }

    fn cert_by(view: View, seq: Seq, r: &Request, who: &[usize]) -> PreparedCert {
        let primary = Config::default().primary(view);
        let pre_prepare = ModelKeys::signed_as(primary, PrePrepare { view, seq, digest: r.digest(), request: Some(r.clone()), sig: Sig::default() });
        PreparedCert { prepares: prepares(&pre_prepare, who), pre_prepare }
    }

    fn vc(replica: usize, prepared: Vec<PreparedCert>) -> ViewChange {
        let vc = ViewChange {
            new_view: 2,
            stable_seq: 0,
            stable_digest: Digest::default(),
            checkpoint_proof: vec![],
            prepared,
            replica,
            sig: Sig::default(),
        };
        ModelKeys::signed_as(replica, vc)
    }

    fn checkpoint(seq: Seq, digest: Digest, replica: usize) -> Checkpoint {
        ModelKeys::signed_as(replica, Checkpoint { seq, digest, replica, sig: Sig::default() })
    }

    #[test]
    fn o_set_takes_highest_view_certificate_and_fills_gaps_with_null() {
        let cfg = Config::default();
        let (a, b, c) = (req("a=1", 1), req("b=2", 2), req("c=3", 3));
        // n1: A prepared in view 0 at replica 1, B prepared in view 1 at replica 2.
        // n2: nothing. n3: C in view 0.
        let vcs = vec![vc(1, vec![cert(0, 1, &a), cert(0, 3, &c)]), vc(2, vec![cert_by(1, 1, &b, &[0, 2])]), vc(3, vec![])];
        let o = compute_o_set(&cfg, 2, &vcs);
        assert_eq!(o.min_s, 0);
        assert_eq!(o.max_s, 3);
        assert_eq!(o.pre_prepares.len(), 3);
        assert_eq!(o.pre_prepares[0].digest, b.digest(), "highest view wins");
        assert_eq!(o.pre_prepares[1].request, None, "gap becomes a null request");
        assert_eq!(o.pre_prepares[1].digest, Digest::NULL);
        assert_eq!(o.pre_prepares[2].request.as_ref(), Some(&c));
        assert!(o.pre_prepares.iter().all(|p| p.view == 2));
        assert!(vcs.iter().all(|vc| validate_view_change(&cfg, &*keys(), vc).is_ok()));
    }

    #[test]
    fn o_set_starts_above_the_latest_stable_checkpoint() {
        let cfg = Config::default();
        let a = req("a=1", 1);
        let proof: Vec<Checkpoint> = (0..3).map(|i| checkpoint(4, Digest(9), i)).collect();
        let mut v1 = vc(1, vec![cert(0, 5, &a)]);
        v1.stable_seq = 4;
        v1.stable_digest = Digest(9);
        v1.checkpoint_proof = proof;
        let v1 = ModelKeys::signed_as(1, v1);
        let vcs = vec![v1.clone(), vc(2, vec![cert(0, 3, &req("old=1", 0))]), vc(3, vec![])];
        let o = compute_o_set(&cfg, 2, &vcs);
        assert_eq!((o.min_s, o.max_s), (4, 5));
        assert_eq!(o.pre_prepares.len(), 1);
        assert_eq!(validate_view_change(&cfg, &*keys(), &v1), Ok(()));
    }

    #[test]
    fn validation_rejects_weak_certificates() {
        let cfg = Config::default();
        let a = req("a=1", 1);
        let check = |vc: &ViewChange| validate_view_change(&cfg, &*keys(), vc);
        // 0 is the primary of view 0: only one backup counts.
        let weak = cert_by(0, 1, &a, &[0, 1]);
        assert_eq!(check(&vc(1, vec![weak])), Err(Defect::CertPrepares { seq: 1, count: 1, needed: 2 }));
        let mut forged = cert(0, 1, &a);
        forged.pre_prepare.digest = Digest(5);
        assert_eq!(check(&vc(1, vec![forged])), Err(Defect::CertDigest { seq: 1 }));
        let mut no_proof = vc(1, vec![]);
        no_proof.stable_seq = 4;
        let no_proof = ModelKeys::signed_as(1, no_proof);
        assert_eq!(check(&no_proof), Err(Defect::UncertifiedCheckpoint { seq: 4 }));
        assert_eq!(check(&vc(1, vec![cert(0, 1, &a)])), Ok(()));
    }

    /// F2: a certificate is evidence only if every message in it carries
    /// the signature of the replica it names. Replica 1 alone cannot claim
    /// that 2 and 3 prepared a request, nor that they checkpointed a state.
    #[test]
    fn validation_rejects_certificates_with_signatures_their_signers_did_not_make() {
        let cfg = Config::default();
        let check = |vc: &ViewChange| validate_view_change(&cfg, &*keys(), vc);
        let z = req("z=1", 1);
        let bad = |kind, signer| Err(Defect::BadSignature { kind, signer });

        // PREPAREs of 2 and 3 that 1 signed itself.
        let mut made_up = cert_by(0, 1, &z, &[2, 3]);
        for p in &mut made_up.prepares {
            p.sign(&ModelKeys::new(1, ModelKeys::CLUSTER));
        }
        assert_eq!(check(&vc(1, vec![made_up.clone()])), bad(MsgKind::Prepare, 2));
        // ... or with no signature at all.
        made_up.prepares.iter_mut().for_each(|p| p.sig = Sig::default());
        assert_eq!(check(&vc(1, vec![made_up])), bad(MsgKind::Prepare, 2));

        // A pre-prepare of view 0 not signed by its primary, 0.
        let mut not_primary = cert_by(0, 1, &z, &[2, 3]);
        not_primary.pre_prepare = ModelKeys::signed_as(1, not_primary.pre_prepare);
        assert_eq!(check(&vc(1, vec![not_primary])), bad(MsgKind::PrePrepare, 0));

        // Genuine PREPAREs for another request do not vouch for this one.
        let other = req("other=1", 1);
        let mut elsewhere = cert_by(0, 1, &z, &[2, 3]);
        elsewhere.prepares = prepares(&cert_by(0, 1, &other, &[]).pre_prepare, &[2, 3]);
        assert_eq!(check(&vc(1, vec![elsewhere])), Err(Defect::CertPrepares { seq: 1, count: 0, needed: 2 }));

        // A checkpoint proof with CHECKPOINTs of 0 and 2 made up by 1.
        let mut v = vc(1, vec![]);
        v.stable_seq = 4;
        v.stable_digest = Digest(9);
        v.checkpoint_proof = vec![checkpoint(4, Digest(9), 1), ModelKeys::signed_as(1, Checkpoint { replica: 0, ..checkpoint(4, Digest(9), 0) })];
        v.checkpoint_proof.push(Checkpoint { sig: v.checkpoint_proof[0].sig.clone(), ..checkpoint(4, Digest(9), 2) });
        let v = ModelKeys::signed_as(1, v);
        assert_eq!(check(&v), bad(MsgKind::Checkpoint, 0));

        // The VIEW-CHANGE itself must be its sender's: one relayed inside a
        // NEW-VIEW is checked by this same function.
        let mut v = vc(1, vec![]);
        v.replica = 2;
        assert_eq!(check(&v), bad(MsgKind::ViewChange, 2));
        // Changing a signed VIEW-CHANGE breaks its signature.
        let mut v = vc(1, vec![cert(0, 1, &z)]);
        v.prepared.clear();
        assert_eq!(check(&v), bad(MsgKind::ViewChange, 1));
    }
}

//! The new primary's O set (Castro–Liskov §4.4) and VIEW-CHANGE validation.

use super::config::Config;
use super::message::{Checkpoint, PrePrepare, ViewChange};
use super::quorum::{Certificate, VoteSet};
use super::reject::Defect;
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
/// Deterministic: backups recompute it to check the primary's NEW-VIEW.
pub fn compute_o_set(cfg: &Config, view: View, vcs: &[ViewChange]) -> OSet {
    let best_ckpt = vcs.iter().max_by_key(|vc| (vc.stable_seq, std::cmp::Reverse(vc.replica)));
    let (min_s, min_s_digest, min_s_proof) = best_ckpt
        .map(|vc| (vc.stable_seq, vc.stable_digest, vc.checkpoint_proof.clone()))
        .unwrap_or_default();
    let max_s = vcs
        .iter()
        .flat_map(|vc| vc.prepared.iter().map(|c| c.pre_prepare.seq))
        .filter(|&s| s > min_s)
        .max()
        .unwrap_or(min_s);
    let _ = cfg;
    let mut pre_prepares = Vec::new();
    for seq in min_s + 1..=max_s {
        let best = vcs
            .iter()
            .flat_map(|vc| vc.prepared.iter())
            .filter(|c| c.pre_prepare.seq == seq)
            .max_by_key(|c| (c.pre_prepare.view, c.pre_prepare.digest));
        pre_prepares.push(match best {
            Some(c) => PrePrepare { view, seq, digest: c.pre_prepare.digest, request: c.pre_prepare.request.clone() },
            None => PrePrepare { view, seq, digest: Digest::NULL, request: None },
        });
    }
    OSet { min_s, min_s_digest, min_s_proof, max_s, pre_prepares }
}

/// Whether `proof` holds matching CHECKPOINTs for (`seq`, `digest`) from a
/// quorum of distinct replicas: a stable-checkpoint certificate (§4.3).
pub fn certifies_checkpoint(cfg: &Config, seq: Seq, digest: Digest, proof: &[Checkpoint]) -> bool {
    let signers: VoteSet = proof.iter().filter(|c| c.seq == seq && c.digest == digest).map(|c| c.replica).collect();
    cfg.certifies(Certificate::Checkpoint, &signers)
}

/// Checks a VIEW-CHANGE's checkpoint proof and prepared certificates.
pub fn validate_view_change(cfg: &Config, vc: &ViewChange) -> Result<(), Defect> {
    if vc.stable_seq > 0 && !certifies_checkpoint(cfg, vc.stable_seq, vc.stable_digest, &vc.checkpoint_proof) {
        return Err(Defect::UncertifiedCheckpoint { seq: vc.stable_seq });
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
        // §4.2: 2f PREPAREs from distinct backups of the certificate's view.
        let voters: VoteSet = cert.prepares.iter().copied().collect();
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
    use crate::protocol::{PreparedCert, Request};

    fn req(op: &str, t: u64) -> Request {
        Request { op: op.into(), timestamp: t, client: 0 }
    }

    fn cert(view: View, seq: Seq, r: &Request) -> PreparedCert {
        PreparedCert {
            pre_prepare: PrePrepare { view, seq, digest: r.digest(), request: Some(r.clone()) },
            prepares: vec![1, 2],
        }
    }

    fn vc(replica: usize, prepared: Vec<PreparedCert>) -> ViewChange {
        ViewChange { new_view: 2, stable_seq: 0, stable_digest: Digest::default(), checkpoint_proof: vec![], prepared, replica }
    }

    #[test]
    fn o_set_takes_highest_view_certificate_and_fills_gaps_with_null() {
        let cfg = Config::default();
        let (a, b, c) = (req("a=1", 1), req("b=2", 2), req("c=3", 3));
        // n1: A prepared in view 0 at replica 1, B prepared in view 1 at replica 2.
        // n2: nothing. n3: C in view 0.
        let vcs = vec![
            vc(1, vec![cert(0, 1, &a), cert(0, 3, &c)]),
            vc(2, vec![PreparedCert { prepares: vec![0, 2], ..cert(1, 1, &b) }]),
            vc(3, vec![]),
        ];
        let o = compute_o_set(&cfg, 2, &vcs);
        assert_eq!(o.min_s, 0);
        assert_eq!(o.max_s, 3);
        assert_eq!(o.pre_prepares.len(), 3);
        assert_eq!(o.pre_prepares[0].digest, b.digest(), "highest view wins");
        assert_eq!(o.pre_prepares[1].request, None, "gap becomes a null request");
        assert_eq!(o.pre_prepares[1].digest, Digest::NULL);
        assert_eq!(o.pre_prepares[2].request.as_ref(), Some(&c));
        assert!(o.pre_prepares.iter().all(|p| p.view == 2));
    }

    #[test]
    fn o_set_starts_above_the_latest_stable_checkpoint() {
        let cfg = Config::default();
        let a = req("a=1", 1);
        let proof: Vec<Checkpoint> = (0..3).map(|i| Checkpoint { seq: 4, digest: Digest(9), replica: i }).collect();
        let mut v1 = vc(1, vec![cert(0, 5, &a)]);
        v1.stable_seq = 4;
        v1.stable_digest = Digest(9);
        v1.checkpoint_proof = proof;
        let vcs = vec![v1.clone(), vc(2, vec![cert(0, 3, &req("old=1", 0))]), vc(3, vec![])];
        let o = compute_o_set(&cfg, 2, &vcs);
        assert_eq!((o.min_s, o.max_s), (4, 5));
        assert_eq!(o.pre_prepares.len(), 1);
        assert!(validate_view_change(&cfg, &v1).is_ok());
    }

    #[test]
    fn validation_rejects_weak_certificates() {
        let cfg = Config::default();
        let a = req("a=1", 1);
        let mut weak = cert(0, 1, &a);
        weak.prepares = vec![0, 1]; // 0 is the primary of view 0: only one backup counts
        assert!(validate_view_change(&cfg, &vc(1, vec![weak])).is_err());
        let mut forged = cert(0, 1, &a);
        forged.pre_prepare.digest = Digest(5);
        assert!(validate_view_change(&cfg, &vc(1, vec![forged])).is_err());
        let mut no_proof = vc(1, vec![]);
        no_proof.stable_seq = 4;
        assert!(validate_view_change(&cfg, &no_proof).is_err());
        assert!(validate_view_change(&cfg, &vc(1, vec![cert(0, 1, &a)])).is_ok());
    }
}

//! Why a replica or a client refused an input: reasons as data.
//!
//! Every refusal is a [`Reject`] variant with the fields that explain it. The
//! text is made at the edge: [`fmt::Display`] for logs and pbft-node, the
//! page's i18n tables for people (it receives `{ code, ...fields }`, see
//! [`Reject::code`]). Nothing parses these sentences back.

use serde::Serialize;
use std::fmt;

use super::message::MsgKind;
use super::types::{ClientId, ReplicaId, Seq, View};

/// What is wrong with a VIEW-CHANGE message (§4.4: its checkpoint proof C
/// and its prepared certificates P must hold up on their own).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum Defect {
    /// The stable checkpoint it claims has no quorum of matching CHECKPOINTs.
    UncertifiedCheckpoint {
        /// The checkpoint's sequence number.
        seq: Seq,
    },
    /// A prepared certificate lies outside the sender's watermarks.
    CertOutsideWindow {
        /// The certificate's sequence number.
        seq: Seq,
        /// The sender's low watermark.
        low: Seq,
        /// The sender's high watermark.
        high: Seq,
    },
    /// A prepared certificate is not from a view below the new one.
    CertView {
        /// The certificate's sequence number.
        seq: Seq,
        /// The certificate's view.
        cert_view: View,
        /// The view being moved to.
        view: View,
    },
    /// A prepared certificate's digest is not its request's.
    CertDigest {
        /// The certificate's sequence number.
        seq: Seq,
    },
    /// A prepared certificate has fewer prepares than a certificate needs.
    CertPrepares {
        /// The certificate's sequence number.
        seq: Seq,
        /// Valid prepares it carries.
        count: usize,
        /// Prepares needed.
        needed: usize,
    },
    /// A message it embeds (a CHECKPOINT of its proof, a certificate's
    /// PRE-PREPARE or PREPARE, or the VIEW-CHANGE itself inside a NEW-VIEW)
    /// does not carry a valid signature of the replica it names.
    BadSignature {
        /// The embedded message's kind.
        kind: MsgKind,
        /// The replica whose signature it should carry.
        signer: ReplicaId,
    },
}

impl Defect {
    /// Every code a [`Defect`] can carry (`Defect::code` of each variant).
    pub const CODES: [&'static str; 6] =
        ["uncertified-checkpoint", "cert-outside-window", "cert-view", "cert-digest", "cert-prepares", "bad-signature"];

    /// The variant's code, as the page receives it.
    pub fn code(&self) -> &'static str {
        match self {
            Defect::UncertifiedCheckpoint { .. } => Self::CODES[0],
            Defect::CertOutsideWindow { .. } => Self::CODES[1],
            Defect::CertView { .. } => Self::CODES[2],
            Defect::CertDigest { .. } => Self::CODES[3],
            Defect::CertPrepares { .. } => Self::CODES[4],
            Defect::BadSignature { .. } => Self::CODES[5],
        }
    }
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Defect::UncertifiedCheckpoint { seq } => {
                write!(f, "checkpoint n{seq} lacks a quorum proof")
            }
            Defect::CertOutsideWindow { seq, .. } => {
                write!(f, "certificate n{seq} outside the sender's watermarks")
            }
            Defect::CertView { cert_view, view, .. } => write!(f, "certificate from v{cert_view} not below v{view}"),
            Defect::CertDigest { seq } => {
                write!(f, "certificate n{seq} digest does not match its request")
            }
            Defect::CertPrepares { seq, .. } => {
                write!(f, "certificate n{seq} has too few prepares")
            }
            Defect::BadSignature { kind, signer } => {
                write!(f, "a {kind} signed by R{signer} does not verify")
            }
        }
    }
}

/// Why an input was refused (Castro–Liskov §4.2–4.4 name the checks).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum Reject {
    /// A message names another replica as its signer than the one that sent it.
    WrongSigner {
        /// The message's kind.
        kind: MsgKind,
    },
    /// A message only clients may send, or only replicas, came from the other side.
    WrongSender {
        /// The message's kind.
        kind: MsgKind,
    },
    /// A normal-case message of a view older than the current one.
    OldView {
        /// The message's kind.
        kind: MsgKind,
        /// Its view.
        view: View,
        /// The receiver's view.
        current: View,
    },
    /// A normal-case message outside the watermarks (h, H] (§4.2).
    OutsideWindow {
        /// The message's kind.
        kind: MsgKind,
        /// Its sequence number.
        seq: Seq,
        /// Low watermark h.
        low: Seq,
        /// High watermark H.
        high: Seq,
    },
    /// A request older than the client's last executed one.
    StaleRequest {
        /// The request's timestamp.
        timestamp: u64,
        /// The client's last executed timestamp.
        last: u64,
    },
    /// A PRE-PREPARE not sent by the primary of its view.
    NotPrimary {
        /// The message's kind.
        kind: MsgKind,
        /// Its view.
        view: View,
        /// That view's primary.
        primary: ReplicaId,
    },
    /// A PRE-PREPARE whose digest is not its request's.
    DigestMismatch {
        /// Its view.
        view: View,
        /// Its sequence number.
        seq: Seq,
    },
    /// A null PRE-PREPARE outside a NEW-VIEW.
    NullPrePrepare {
        /// Its view.
        view: View,
        /// Its sequence number.
        seq: Seq,
    },
    /// A second, different PRE-PREPARE for a view and sequence number.
    ConflictingPrePrepare {
        /// Its view.
        view: View,
        /// Its sequence number.
        seq: Seq,
    },
    /// A PREPARE from the primary (its pre-prepare is its vote).
    PrepareFromPrimary {
        /// Its view.
        view: View,
        /// Its sequence number.
        seq: Seq,
    },
    /// A second vote of one replica for the same thing.
    DuplicateVote {
        /// The vote's kind.
        kind: MsgKind,
        /// Its sequence number.
        seq: Seq,
    },
    /// A CHECKPOINT at a sequence number that is not a multiple of K.
    NotCheckpointSeq {
        /// Its sequence number.
        seq: Seq,
        /// The checkpoint interval K.
        interval: u64,
    },
    /// A state reply nobody asked for.
    UnsolicitedState {
        /// The checkpoint it claims.
        seq: Seq,
    },
    /// A state reply that does not match a certified checkpoint.
    UncertifiedState {
        /// The checkpoint it claims.
        seq: Seq,
    },
    /// A state reply whose store keys or cached replies are out of order or
    /// repeated: no honest replica keeps its state that way, and lookups in
    /// it would go wrong.
    MalformedState {
        /// The checkpoint it claims.
        seq: Seq,
    },
    /// A second vote of one replica for another digest at the same view and
    /// sequence number: an honest replica votes once per slot, so the first
    /// vote stands and the rest are not kept.
    ConflictingVote {
        /// The vote's kind.
        kind: MsgKind,
        /// Its view.
        view: View,
        /// Its sequence number.
        seq: Seq,
    },
    /// A request that does not carry its client's signature.
    BadRequestSignature {
        /// The client it names.
        client: ClientId,
        /// Its timestamp.
        timestamp: u64,
    },
    /// A VIEW-CHANGE that does not hold up.
    InvalidViewChange {
        /// The view it asks for.
        view: View,
        /// What is wrong with it.
        defect: Defect,
    },
    /// A NEW-VIEW carrying a VIEW-CHANGE that does not hold up.
    NewViewBadViewChange {
        /// The new view.
        view: View,
        /// The replica that signed the bad VIEW-CHANGE.
        replica: ReplicaId,
        /// What is wrong with it.
        defect: Defect,
    },
    /// A NEW-VIEW carrying a VIEW-CHANGE for another view.
    NewViewOtherView {
        /// The new view.
        view: View,
        /// The replica that signed it.
        replica: ReplicaId,
        /// The view that VIEW-CHANGE asks for.
        other: View,
    },
    /// A NEW-VIEW without a quorum of VIEW-CHANGEs from distinct replicas.
    NewViewNoQuorum {
        /// The new view.
        view: View,
        /// Distinct replicas it carries.
        count: usize,
        /// A quorum.
        needed: usize,
    },
    /// A NEW-VIEW whose O set is not the one its VIEW-CHANGEs make.
    NewViewWrongO {
        /// The new view.
        view: View,
    },
    /// A NEW-VIEW not signed by the primary of its view (§4.4): only that
    /// replica may pick V and O. A copy another replica relays carries the
    /// primary's signature and is accepted.
    NewViewNotFromPrimary {
        /// The new view.
        view: View,
        /// That view's primary.
        primary: ReplicaId,
    },
    /// A signed message whose signature is not its signer's.
    BadSignature {
        /// The message's kind (for a STATE: the CHECKPOINT of its proof).
        kind: MsgKind,
        /// The replica whose signature it should carry.
        signer: ReplicaId,
    },
}

impl Reject {
    /// Every code a [`Reject`] can carry (`Reject::code` of each variant).
    pub const CODES: [&'static str; 24] = [
        "wrong-signer",
        "wrong-sender",
        "old-view",
        "outside-window",
        "stale-request",
        "not-primary",
        "digest-mismatch",
        "null-pre-prepare",
        "conflicting-pre-prepare",
        "prepare-from-primary",
        "duplicate-vote",
        "not-checkpoint-seq",
        "unsolicited-state",
        "uncertified-state",
        "invalid-view-change",
        "new-view-bad-view-change",
        "new-view-other-view",
        "new-view-no-quorum",
        "new-view-wrong-o",
        "new-view-not-from-primary",
        "bad-signature",
        "malformed-state",
        "conflicting-vote",
        "bad-request-signature",
    ];

    /// The variant's code, as the page receives it in `reason.code`.
    pub fn code(&self) -> &'static str {
        let i = match self {
            Reject::WrongSigner { .. } => 0,
            Reject::WrongSender { .. } => 1,
            Reject::OldView { .. } => 2,
            Reject::OutsideWindow { .. } => 3,
            Reject::StaleRequest { .. } => 4,
            Reject::NotPrimary { .. } => 5,
            Reject::DigestMismatch { .. } => 6,
            Reject::NullPrePrepare { .. } => 7,
            Reject::ConflictingPrePrepare { .. } => 8,
            Reject::PrepareFromPrimary { .. } => 9,
            Reject::DuplicateVote { .. } => 10,
            Reject::NotCheckpointSeq { .. } => 11,
            Reject::UnsolicitedState { .. } => 12,
            Reject::UncertifiedState { .. } => 13,
            Reject::InvalidViewChange { .. } => 14,
            Reject::NewViewBadViewChange { .. } => 15,
            Reject::NewViewOtherView { .. } => 16,
            Reject::NewViewNoQuorum { .. } => 17,
            Reject::NewViewWrongO { .. } => 18,
            Reject::NewViewNotFromPrimary { .. } => 19,
            Reject::BadSignature { .. } => 20,
            Reject::MalformedState { .. } => 21,
            Reject::ConflictingVote { .. } => 22,
            Reject::BadRequestSignature { .. } => 23,
        };
        Self::CODES[i]
    }
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reject::WrongSigner { kind } => write!(f, "{kind} signed by another replica"),
            Reject::WrongSender { kind: MsgKind::Reply } => f.write_str("replicas do not take replies"),
            Reject::WrongSender { kind } => write!(f, "{kind} from a client"),
            Reject::OldView { kind, view, current } => write!(f, "{kind} for old view v{view} (now v{current})"),
            Reject::OutsideWindow { kind, seq, low, high } => write!(f, "{kind} n{seq} outside watermarks ({low}, {high}]"),
            Reject::StaleRequest { timestamp, .. } => {
                write!(f, "request t{timestamp} is older than the last executed")
            }
            Reject::NotPrimary { kind, view, .. } => {
                write!(f, "{kind} for v{view} not from its primary")
            }
            Reject::DigestMismatch { seq, .. } => {
                write!(f, "pre-prepare n{seq} digest does not match its request")
            }
            Reject::NullPrePrepare { .. } => f.write_str("null pre-prepare outside a new view"),
            Reject::ConflictingPrePrepare { view, seq } => {
                write!(f, "conflicting pre-prepare for v{view} n{seq}")
            }
            Reject::PrepareFromPrimary { .. } => f.write_str("prepare from the primary"),
            Reject::DuplicateVote { kind, seq } => write!(f, "duplicate {kind} for n{seq}"),
            Reject::NotCheckpointSeq { seq, .. } => {
                write!(f, "checkpoint n{seq} is not a multiple of K")
            }
            Reject::UnsolicitedState { .. } => f.write_str("state that was not asked for"),
            Reject::UncertifiedState { seq } => {
                write!(f, "state for n{seq} does not match a certified checkpoint")
            }
            Reject::MalformedState { seq } => {
                write!(f, "state for n{seq} has its store or replies out of order")
            }
            Reject::ConflictingVote { kind, view, seq } => {
                write!(f, "second {kind} for v{view} n{seq} with another digest")
            }
            Reject::BadRequestSignature { client, timestamp } => {
                write!(f, "request t{timestamp} does not carry client {client}'s signature")
            }
            Reject::InvalidViewChange { defect, .. } => write!(f, "invalid view-change: {defect}"),
            Reject::NewViewBadViewChange { view, .. } => {
                write!(f, "new-view v{view} carries an invalid view-change")
            }
            Reject::NewViewOtherView { view, .. } => {
                write!(f, "new-view v{view} carries an invalid view-change")
            }
            Reject::NewViewNoQuorum { view, .. } => {
                write!(f, "new-view v{view} without a quorum of view-changes")
            }
            Reject::NewViewWrongO { view } => write!(f, "new-view v{view} has a wrong O set"),
            Reject::NewViewNotFromPrimary { view, primary } => {
                write!(f, "new-view v{view} not signed by its primary R{primary}")
            }
            Reject::BadSignature { kind, signer } => {
                write!(f, "{kind} signature of R{signer} does not verify")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_serialized_tags() {
        let samples = [
            Reject::WrongSigner { kind: MsgKind::Prepare },
            Reject::InvalidViewChange { view: 1, defect: Defect::CertPrepares { seq: 2, count: 1, needed: 2 } },
            Reject::NewViewNotFromPrimary { view: 1, primary: 1 },
        ];
        for r in samples {
            let s = format!("{r:?}");
            assert!(Reject::CODES.contains(&r.code()), "{s}");
        }
        let mut seen = std::collections::BTreeSet::new();
        assert!(Reject::CODES.iter().all(|c| seen.insert(*c)), "codes are distinct");
    }
}

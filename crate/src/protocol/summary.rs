//! What a replica shows about itself: one summary for every driver (the
//! simulator's snapshot and pbft-node's `/status`).

use serde::Serialize;

use super::replica::{Replica, ReplicaStatus};
use super::types::{ReplicaId, Seq, View};

/// A replica's state at a glance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSummary {
    /// Its id.
    pub id: ReplicaId,
    /// `normal` or `view-change`.
    pub status: ReplicaStatus,
    /// Current view (during a view change: the view being moved to).
    pub view: View,
    /// Whether it is the primary of that view.
    pub is_primary: bool,
    /// Sequence number of the last executed request.
    pub last_executed: Seq,
    /// Sequence number of the last stable checkpoint (§4.3: it is the low watermark h).
    pub stable_checkpoint: Seq,
    /// Low watermark h.
    pub low_watermark: Seq,
    /// High watermark H = h + L.
    pub high_watermark: Seq,
    /// The view-change timeout in force (doubles per failed view).
    pub timeout: u64,
    /// Requests known and not yet executed.
    pub pending: usize,
    /// Digest of the service state (short).
    pub state_digest: String,
}

impl Replica {
    /// This replica's summary.
    pub fn summary(&self) -> ReplicaSummary {
        ReplicaSummary {
            id: self.id(),
            status: self.status(),
            view: self.view(),
            is_primary: self.is_primary(),
            last_executed: self.last_executed(),
            stable_checkpoint: self.low_watermark(),
            low_watermark: self.low_watermark(),
            high_watermark: self.high_watermark(),
            timeout: self.current_timeout(),
            pending: self.pending_len(),
            state_digest: self.app().digest().short(),
        }
    }
}

//! Every code the engine can put in front of people, so the page can prove
//! it has words for each one in every language (`Simulation.codes()`).

use serde::Serialize;

use super::{Action, Behavior, Delivery, DropReason, EventKind, TimerKind, Violation};
use crate::protocol::{Defect, MsgKind, Reject};

/// The codes, by what they name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Codes {
    /// Event types (`type` of an event).
    pub events: Vec<&'static str>,
    /// Message kinds.
    pub kinds: Vec<&'static str>,
    /// Phases of a log entry.
    pub phases: Vec<&'static str>,
    /// Why a message was dropped.
    pub drops: Vec<&'static str>,
    /// Why an input was rejected (`reason.code`).
    pub rejects: Vec<&'static str>,
    /// What is wrong with a VIEW-CHANGE (`reason.defect.code`).
    pub defects: Vec<&'static str>,
    /// Safety violations (`violation.code`).
    pub violations: Vec<&'static str>,
    /// Fault actions (`action.type` of a fault event).
    pub faults: Vec<&'static str>,
    /// Behaviour names.
    pub behaviors: Vec<&'static str>,
    /// Timers the user can fire (`timer` of `pendingTimers`, of a `fired` event, of `fireTimer`).
    pub timers: Vec<&'static str>,
    /// Delivery modes (`delivery` of a snapshot, `mode` of a `set-delivery` action).
    pub deliveries: Vec<&'static str>,
}

impl Codes {
    /// Every code of this build.
    pub fn all() -> Codes {
        Codes {
            events: EventKind::TYPES.to_vec(),
            kinds: MsgKind::ALL.iter().map(|k| k.as_str()).collect(),
            phases: vec!["pre-prepared", "prepared", "committed", "executed"],
            drops: DropReason::CODES.to_vec(),
            rejects: Reject::CODES.to_vec(),
            defects: Defect::CODES.to_vec(),
            violations: Violation::CODES.to_vec(),
            faults: Action::FAULTS.to_vec(),
            behaviors: Behavior::all().map(|b| b.as_str()).collect(),
            timers: TimerKind::CODES.to_vec(),
            deliveries: Delivery::CODES.to_vec(),
        }
    }
}

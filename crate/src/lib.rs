//! # pbft-playground
//!
//! The PBFT consensus protocol of Castro and Liskov ("Practical Byzantine
//! Fault Tolerance", OSDI 1999; TOCS 2002) as a deterministic engine: the
//! [`protocol`] state machines (normal case, checkpoints, view change, state
//! transfer), a [`sim`]ulator that drives them with virtual time and a seeded
//! RNG, and a WebAssembly facade the playground page animates.
//!
//! ## A walkthrough
//!
//! Four replicas tolerate one fault (n = 3f + 1). The client sends a request
//! to the primary; it commits after pre-prepare, prepare and commit, and the
//! client accepts the result once f + 1 replicas reply with it.
//!
//! ```
//! use pbft_playground::sim::{EventKind, SimConfig, Simulation};
//! use pbft_playground::protocol::MsgKind;
//!
//! let mut sim = Simulation::new(SimConfig::new(4, 7)).unwrap();
//! sim.request("warTime=1234").unwrap();
//! let events = sim.run_until_idle(10_000);
//!
//! // Every replica executed the request at sequence number 1.
//! for i in 0..4 {
//!     assert_eq!(sim.executed(i)[0].op.as_deref(), Some("warTime=1234"));
//! }
//! // The paper's message pattern: 1 request, 3 pre-prepares, 3×3 prepares,
//! // 4×3 commits, 4 replies.
//! let sent = &sim.stats().sent;
//! assert_eq!(sent[&MsgKind::PrePrepare], 3);
//! assert_eq!(sent[&MsgKind::Prepare], 9);
//! assert_eq!(sent[&MsgKind::Commit], 12);
//! // The client accepted it.
//! assert!(events.iter().any(|e| matches!(&e.kind, EventKind::Accepted { result, .. } if &**result == "warTime=1234")));
//! assert!(sim.violations().is_empty());
//! ```
//!
//! Now crash the primary. The client times out and broadcasts its request,
//! the backups' timers fire, they move to view 1, and the request still
//! commits exactly once:
//!
//! ```
//! use pbft_playground::sim::{SimConfig, Simulation};
//!
//! let mut sim = Simulation::new(SimConfig::new(4, 7)).unwrap();
//! sim.crash(0).unwrap();
//! sim.request("warTime=1234").unwrap();
//! sim.run_until_idle(60_000);
//! assert_eq!(sim.replica(1).view(), 1);
//! assert_eq!(sim.client().accepted()[0].view, 1);
//! assert!(sim.violations().is_empty());
//! ```
//!
//! Every run is determined by its seed and its timed actions; see
//! [`sim::Simulation::seek`] for replay and [`sim::preset`] for the scenes
//! of the playground. The "naive quorum" option ([`protocol::QuorumRule::Naive`])
//! exists only to show how safety breaks without the paper's quorums.

#![deny(missing_docs)]

pub mod vecmap;
pub mod protocol;
pub mod sim;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

#[cfg(all(feature = "node", not(target_arch = "wasm32")))]
pub mod node;

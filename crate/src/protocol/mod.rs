//! The PBFT protocol as pure state machines (Castro & Liskov, OSDI 1999 / TOCS 2002).
//!
//! Nothing in this module reads a clock, draws a random number, does IO or
//! knows about WebAssembly. Handlers take one input (a message from a known
//! sender, or a timer that fired) and append [`Output`]s to a list; a driver
//! (the [`crate::sim`] simulator, or a network runner) performs them.

mod app;
mod client;
mod config;
mod message;
mod quorum;
mod reject;
mod replica;
mod sign;
mod summary;
mod timers;
mod types;
mod viewchange;

pub use app::{AppState, Store, answers_write, as_write, execute_op};
pub use client::{Accepted, Client, ClientOutput, ClientTimer};
pub use config::{Config, ConfigError};
pub use message::{Checkpoint, Commit, Message, MsgKind, NewView, PrePrepare, Prepare, PreparedCert, Reply, Request, StateReply, StateRequest, ViewChange};
pub use quorum::{Certificate, QuorumRule, Quorums, Tally, VoteSet, VoteSetIter};
pub use reject::{Defect, Reject};
pub use replica::{LogEntryView, Output, Phase, Replica, ReplicaStatus, ReplicaTimer};
pub use sign::{ClientKey, ClientSigner, Keys, ModelClientKey, ModelKeys, ReplicaClient, Sig, Signed, Signer, SigningBytes};
pub use summary::ReplicaSummary;
pub use timers::TimerSlots;
pub use types::{ClientId, Digest, NodeId, ReplicaId, Seq, View};
pub use viewchange::{compute_o_set, OSet};

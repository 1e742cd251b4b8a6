//! What a user (or a preset, or a permalink) does to a run, checked and applied.

use serde::{Deserialize, Serialize};

use super::{Behavior, Delivery, DropReason, EventKind, Params, SimError, Simulation, TimerKind};
use crate::protocol::ReplicaId;

/// Something a user (or a preset, or a permalink) does to the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum Action {
    /// A client submits an operation.
    Request {
        /// The operation (shared with the request the client sends).
        op: std::sync::Arc<str>,
        /// The client (default 0).
        #[serde(default, skip_serializing_if = "is_zero")]
        client: u32,
    },
    /// Crash a replica.
    Crash {
        /// Replica.
        replica: ReplicaId,
    },
    /// Restart a crashed replica.
    Recover {
        /// Replica.
        replica: ReplicaId,
    },
    /// Change a replica's behaviour.
    SetBehavior {
        /// Replica.
        replica: ReplicaId,
        /// Behaviour.
        behavior: Behavior,
        /// Its parameters (none for most behaviours).
        #[serde(default, skip_serializing_if = "Params::is_empty")]
        params: Params,
    },
    /// Drop one in-flight message.
    DropMessage {
        /// Message id.
        msg: u64,
    },
    /// Cut the network into groups; the client and unlisted replicas join the first group.
    Partition {
        /// Disjoint groups of replicas.
        groups: Vec<Vec<ReplicaId>>,
    },
    /// Remove every partition.
    Heal,
    /// Set the loss rate.
    SetLoss {
        /// Probability in [0, 1].
        rate: f64,
    },
    /// Continuous load: the clients submit requests at `rate` per virtual
    /// second between them, in turn (0 stops it). A client with two requests
    /// waiting already skips its turn, so a rate above what the cluster
    /// commits does not pile up requests without end.
    SetLoad {
        /// Requests per virtual second, 0 to [`Action::MAX_LOAD`].
        rate: u32,
    },
    /// Deliver one in-flight message now (the user is the network): it
    /// arrives, or is dropped if the network loses it.
    Deliver {
        /// Message id.
        msg: u64,
    },
    /// Fire a running timer now (the one of that node and kind due soonest).
    FireTimer {
        /// The node (as in events: replica `i` is `i`, client 0 is `-1`).
        node: i64,
        /// Which timer.
        timer: TimerKind,
    },
    /// Switch between automatic delivery and manual delivery, in which nothing
    /// arrives and no timer fires until the user delivers or fires it.
    SetDelivery {
        /// The mode.
        mode: Delivery,
    },
    /// Set the latency range of the link between two nodes (both directions;
    /// node numbers as in events: replica `i` is `i`, client 0 is `-1`).
    SetLinkLatency {
        /// One end.
        a: i64,
        /// The other end.
        b: i64,
        /// Smallest one-way latency in virtual ms.
        min: u64,
        /// Largest one-way latency in virtual ms.
        max: u64,
    },
}

/// An action at a virtual time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimedAction {
    /// Virtual time (ms) at which it applies, after everything due at that time.
    pub at: u64,
    /// The action.
    #[serde(flatten)]
    pub action: Action,
}

impl Action {
    /// The `type` of every action that is reported as a fault event.
    pub const FAULTS: [&'static str; 8] =
        ["crash", "recover", "set-behavior", "partition", "heal", "set-loss", "set-link-latency", "set-delivery"];

    /// The highest continuous load, requests per virtual second.
    pub const MAX_LOAD: u32 = 50;
}

fn is_zero(c: &u32) -> bool {
    *c == 0
}

impl Simulation {
    pub(super) fn replica_id(&self, id: i64) -> Result<ReplicaId, SimError> {
        if id < 0 || id as usize >= self.nodes.len() {
            Err(SimError::NoSuchReplica { id, n: self.nodes.len() })
        } else {
            Ok(id as usize)
        }
    }

    // ----- user actions ----------------------------------------------------

    pub(super) fn check_action(&self, a: &Action) -> Result<(), SimError> {
        match a {
            Action::Request { op, client } => {
                if *client as usize >= self.clients.len() {
                    return Err(SimError::Operation(format!("no client {client}")));
                }
                if op.trim().is_empty() {
                    return Err(SimError::Operation("the operation is empty".into()));
                }
                if op.chars().count() > 200 {
                    return Err(SimError::Operation("the operation is longer than 200 characters".into()));
                }
            }
            Action::Crash { replica } | Action::Recover { replica } => {
                self.replica_id(*replica as i64)?;
            }
            Action::SetBehavior { replica, behavior, params } => {
                self.replica_id(*replica as i64)?;
                behavior.check(params).map_err(SimError::Behavior)?;
            }
            Action::DropMessage { .. } | Action::Deliver { .. } | Action::Heal | Action::SetDelivery { .. } => {}
            Action::FireTimer { node, .. } => self.check_node(*node)?,
            Action::SetLoad { rate } => {
                if *rate > Action::MAX_LOAD {
                    return Err(SimError::Load(*rate));
                }
            }
            Action::Partition { groups } => {
                let mut seen = vec![false; self.nodes.len()];
                for g in groups {
                    for &r in g {
                        self.replica_id(r as i64)?;
                        if seen[r] {
                            return Err(SimError::Partition(format!("replica {r} is in two groups")));
                        }
                        seen[r] = true;
                    }
                }
            }
            Action::SetLoss { rate } => {
                if !(0.0..=1.0).contains(rate) || rate.is_nan() {
                    return Err(SimError::Loss(*rate));
                }
            }
            Action::SetLinkLatency { a, b, min, max } => {
                for end in [*a, *b] {
                    let ok = (end >= 0 && (end as usize) < self.nodes.len()) || (end < 0 && ((-1 - end) as usize) < self.clients.len());
                    if !ok {
                        return Err(SimError::NoSuchReplica { id: end, n: self.nodes.len() });
                    }
                }
                if a == b {
                    return Err(SimError::Latency(*min, *max));
                }
                if *min == 0 || min > max || *max > 60_000 {
                    return Err(SimError::Latency(*min, *max));
                }
            }
        }
        Ok(())
    }

    /// Applies an action now and records it, dropping any recorded future: the
    /// run forks here. Its events are returned by the next `advance`, `step`,
    /// `run_until_idle` or `take_events`.
    pub fn act(&mut self, action: Action) -> Result<(), SimError> {
        self.check_action(&action)?;
        match action {
            Action::DropMessage { msg } | Action::Deliver { msg } if !self.in_flight.contains_key(msg) => {
                return Err(SimError::NoSuchMessage(msg));
            }
            Action::FireTimer { node, timer } if !self.has_timer(node, timer) => return Err(SimError::NoSuchTimer(node, timer)),
            _ => {}
        }
        let entry = TimedAction { at: self.now, action: action.clone() };
        if self.rewound {
            // Acting in the past forks a new future: the recorded one is dropped.
            self.actions.truncate(self.applied);
            self.rewound = false;
            let now = self.now;
            self.saved.retain(|s| s.now <= now);
        }
        // Otherwise actions scheduled later (a preset's, a permalink's) stay.
        self.actions.insert(self.applied, entry);
        self.applied += 1;
        self.apply(action);
        Ok(())
    }

    /// Client 0 submits `op`; returns its timestamp.
    pub fn request(&mut self, op: &str) -> Result<u64, SimError> {
        self.request_from(0, op)
    }

    /// Client `client` submits `op`; returns its timestamp.
    pub fn request_from(&mut self, client: u32, op: &str) -> Result<u64, SimError> {
        self.act(Action::Request { op: op.into(), client })?;
        Ok(self.clients[client as usize].last_timestamp())
    }

    /// Crashes replica `i`.
    pub fn crash(&mut self, i: i64) -> Result<(), SimError> {
        let replica = self.replica_id(i)?;
        self.act(Action::Crash { replica })
    }
    /// Recovers replica `i`.
    pub fn recover(&mut self, i: i64) -> Result<(), SimError> {
        let replica = self.replica_id(i)?;
        self.act(Action::Recover { replica })
    }
    /// Sets replica `i`'s behaviour by name.
    pub fn set_behavior(&mut self, i: i64, behavior: &str) -> Result<(), SimError> {
        self.set_behavior_with(i, behavior, Params::new())
    }
    /// Sets replica `i`'s behaviour by name, with parameters.
    pub fn set_behavior_with(&mut self, i: i64, behavior: &str, params: Params) -> Result<(), SimError> {
        let replica = self.replica_id(i)?;
        let behavior = Behavior::named(behavior).map_err(SimError::Behavior)?;
        self.act(Action::SetBehavior { replica, behavior, params })
    }
    /// Drops in-flight message `id`.
    pub fn drop_message(&mut self, id: u64) -> Result<(), SimError> {
        self.act(Action::DropMessage { msg: id })
    }

    pub(super) fn apply(&mut self, action: Action) {
        // A fault event carries the action itself: the page words it.
        // Deliveries and timers fired by the user have events of their own (picked, fired).
        let fault = (!matches!(
            action,
            Action::Request { .. } | Action::DropMessage { .. } | Action::SetLoad { .. } | Action::Deliver { .. } | Action::FireTimer { .. }
        ))
        .then(|| action.clone());
        let replica = match action {
            Action::Crash { replica } | Action::Recover { replica } | Action::SetBehavior { replica, .. } => Some(replica),
            _ => None,
        };
        match action {
            Action::Request { op, client } => {
                let mut out = Vec::new();
                let t = self.clients[client as usize].submit(op.clone(), &mut out);
                self.emit(EventKind::Submitted { client, timestamp: t, op });
                self.client_outputs(client, out);
            }
            Action::Crash { replica } => {
                if !self.nodes[replica].up {
                    return;
                }
                self.nodes[replica].up = false;
                self.nodes[replica].timers.cancel_all();
            }
            Action::Recover { replica } => {
                if self.nodes[replica].up {
                    return;
                }
                self.nodes[replica].up = true;
                self.emit_fault(fault, Some(replica));
                let mut out = Vec::new();
                self.nodes[replica].replica.on_restart(&mut out);
                self.replica_outputs(replica, out);
                return;
            }
            Action::SetBehavior { replica, behavior, ref params } => {
                let node = &mut self.nodes[replica];
                node.behavior = behavior;
                node.adversary = behavior.make(params);
                node.behavior_gen += 1;
                node.ever_faulty |= !behavior.is_honest();
            }
            Action::DropMessage { msg } => {
                if let Some(e) = self.in_flight.remove(msg) {
                    self.stats.dropped += 1;
                    self.emit(EventKind::Dropped { msg, from: e.from, to: e.to, kind: e.msg.kind(), reason: DropReason::User });
                }
            }
            Action::Partition { ref groups } => {
                self.partition = vec![0; self.nodes.len()];
                for (g, members) in groups.iter().enumerate() {
                    for &r in members {
                        self.partition[r] = g as u32;
                    }
                }
            }
            Action::Heal => self.partition = vec![0; self.nodes.len()],
            Action::Deliver { msg } => self.pick_message(msg),
            Action::FireTimer { node, timer } => self.fire(node, timer),
            Action::SetDelivery { mode } => {
                if mode == self.delivery() {
                    return;
                }
                // The event first: what was overdue happens after it.
                self.emit_fault(fault, None);
                self.switch_delivery(mode);
                return;
            }
            Action::SetLinkLatency { a, b, min, max } => {
                self.links.insert((a.min(b), a.max(b)), (min, max));
            }
            Action::SetLoss { rate } => self.loss = rate,
            Action::SetLoad { rate } => {
                self.load.rate = rate;
                self.load.gen += 1;
                if rate > 0 {
                    let gen = self.load.gen;
                    self.schedule(self.now + self.load.interval(), super::Item::LoadTick(gen));
                }
            }
        }
        self.emit_fault(fault, replica);
    }

    pub(super) fn emit_fault(&mut self, action: Option<Action>, replica: Option<ReplicaId>) {
        if let Some(action) = action {
            self.emit_with(|| EventKind::Fault { action, replica });
        }
    }

    /// The name of replica `i`.
    pub fn name(&self, i: ReplicaId) -> String {
        self.cfg.names.get(i).cloned().unwrap_or_else(|| format!("R{i}"))
    }
}

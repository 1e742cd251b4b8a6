//! Reproducible scenes: a configuration and timed actions, played by the
//! real engine (nothing here is scripted beyond what a user could click).

use super::{Action, Behavior, SimConfig, SimError, TimedAction};
use crate::protocol::{Config, QuorumRule};

/// A named scene.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// Identifier used in URLs and the `preset` attribute.
    pub name: &'static str,
    /// Short title.
    pub title: &'static str,
    /// What it shows, in one or two sentences.
    pub description: &'static str,
}

/// Every preset, in menu order.
pub const PRESETS: [Preset; 12] = [
    Preset { name: "normal", title: "Normal operation", description: "Two requests flow through pre-prepare, prepare, commit and reply with every replica honest." },
    Preset { name: "backup-crash", title: "A backup crashed", description: "Replica 3 is down, as in the paper's Figure 1: the other three still form quorums and commit." },
    Preset { name: "primary-crash", title: "Primary crash and view change", description: "The primary is down. The client times out and broadcasts, backups' timers fire, view 1 is installed by NEW-VIEW and the request commits once." },
    Preset { name: "equivocation", title: "Equivocating primary", description: "The primary sends a different request to each backup. Nothing prepares in view 0; the view change replaces it and the client's request commits in view 1." },
    Preset { name: "no-progress", title: "f+1 crashed: no progress", description: "Two of four replicas are down, one more than PBFT tolerates. Nothing commits and nothing unsafe happens: the two left ask for view 1, but a view change needs three of them, so they wait there while the client retries less and less often. Recover one to restore progress." },
    Preset { name: "checkpoint", title: "Checkpoints and garbage collection", description: "Nine requests: checkpoints at 4 and 8 become stable, the watermarks move and the log below them is discarded." },
    Preset { name: "generals", title: "The Byzantine generals", description: "Apple, MS, Google and IBM agree on a time to attack while IBM is down: warTime=1234." },
    Preset { name: "catch-up", title: "Partition and state transfer", description: "Replica 3 is cut off while ten requests commit. After the network heals it catches up from a stable checkpoint." },
    Preset { name: "naive-quorum", title: "Naive quorum breaks safety", description: "With the \"more than n/3 votes\" rule an equivocating primary makes honest replicas execute different requests at the same sequence number. The safety monitor reports it." },
    Preset { name: "forged-new-view", title: "A faulty backup forges a NEW-VIEW", description: "The primary is down and backup R3 is faulty. As soon as it holds a quorum of VIEW-CHANGEs it builds a NEW-VIEW for view 1 itself and sends it first. Honest replicas take a NEW-VIEW only from the new view's primary: they reject the forgery and the request commits in view 1." },
    Preset { name: "fake-certificate", title: "A faulty replica fakes a certificate", description: "R3 is faulty. warTime=1234 commits at n1, then the primary R0 goes down while retreat=no waits. In the view change R3's VIEW-CHANGE claims that a request of its own making prepared at n1, with a PRE-PREPARE of R0 and PREPAREs of R1 and R2 that it signed with its own key. R1 and R2 check every signature in a certificate and refuse it; without R3 they are one short of a quorum until R0 is back up. Then view 1 starts from honest VIEW-CHANGEs, warTime=1234 stays at n1 and retreat=no commits." },
    Preset { name: "bad-state", title: "A lying replica serves bad state", description: "Replica 3 is cut off while ten requests commit. After the network heals it fetches the state of a stable checkpoint, and faulty R2 answers first: with a changed state, with the same state and a certificate it made up, then with an older certified one. R3 checks the state against the checkpoint certificate and the certificate's signatures, refuses the changed state and the made-up certificate, takes the older state (genuine: a quorum certified it) and then fetches the latest from an honest replica." },
];

fn at(at: u64, action: Action) -> TimedAction {
    TimedAction { at, action }
}

fn set_behavior(replica: usize, name: &str) -> Action {
    let behavior = Behavior::named(name).expect("a behaviour of this build");
    Action::SetBehavior { replica, behavior, params: Default::default() }
}

fn req(t: u64, op: &str) -> TimedAction {
    at(t, Action::Request { op: op.into(), client: 0 })
}

/// The configuration and actions of preset `name`, with the RNG `seed`.
pub fn preset(name: &str, seed: u64) -> Result<(SimConfig, Vec<TimedAction>), SimError> {
    let mut cfg = SimConfig { seed, ..SimConfig::default() };
    let actions = match name {
        "normal" => vec![req(0, "warTime=1234"), req(1500, "warTime")],
        "backup-crash" => vec![at(0, Action::Crash { replica: 3 }), req(0, "warTime=1234"), req(1500, "retreat=no")],
        "primary-crash" => vec![at(0, Action::Crash { replica: 0 }), req(0, "warTime=1234")],
        "equivocation" => vec![
            at(0, set_behavior(0, "equivocate")),
            req(0, "warTime=1234"),
        ],
        "no-progress" => vec![at(0, Action::Crash { replica: 2 }), at(0, Action::Crash { replica: 3 }), req(0, "warTime=1234")],
        "checkpoint" => (0..9).map(|i| req(i * 500, &format!("step={}", i + 1))).collect(),
        "generals" => {
            cfg.names = ["Apple", "MS", "Google", "IBM"].iter().map(|s| s.to_string()).collect();
            vec![at(0, Action::Crash { replica: 3 }), req(0, "warTime=1234")]
        }
        "catch-up" => {
            let mut a = vec![at(0, Action::Partition { groups: vec![vec![0, 1, 2], vec![3]] })];
            a.extend((0..10).map(|i| req(i * 400, &format!("k{}={}", i % 3, i + 1))));
            a.push(at(4300, Action::Heal));
            a.extend((0..4).map(|i| req(4400 + i * 400, &format!("after={}", i + 1))));
            a
        }
        "naive-quorum" => {
            cfg.protocol = Config { quorum_rule: QuorumRule::Naive, ..Config::default() };
            vec![at(0, set_behavior(0, "equivocate")), req(0, "warTime=1234")]
        }
        "forged-new-view" => {
            // R3's links to the others are fast, so its forgery arrives before the primary's NEW-VIEW.
            let mut a = vec![at(0, Action::Crash { replica: 0 }), at(0, set_behavior(3, "forge-new-view"))];
            a.extend([1, 2].map(|b| at(0, Action::SetLinkLatency { a: 3, b, min: 10, max: 20 })));
            a.push(req(0, "warTime=1234"));
            a
        }
        "fake-certificate" => vec![
            at(0, set_behavior(3, "fake-certificate")),
            req(0, "warTime=1234"),
            at(1500, Action::Crash { replica: 0 }),
            req(1600, "retreat=no"),
            at(6500, Action::Recover { replica: 0 }),
        ],
        "bad-state" => {
            // R2's links are fast: it executes first, R3 hears its checkpoint first and asks it first.
            let mut a = vec![at(0, set_behavior(2, "bad-state"))];
            a.extend([0, 1, 3].map(|b| at(0, Action::SetLinkLatency { a: 2, b, min: 10, max: 20 })));
            a.push(at(0, Action::Partition { groups: vec![vec![0, 1, 2], vec![3]] }));
            a.extend((0..10).map(|i| req(i * 400, &format!("k{}={}", i % 3, i + 1))));
            a.push(at(4300, Action::Heal));
            a.extend((0..4).map(|i| req(4400 + i * 400, &format!("after={}", i + 1))));
            a
        }
        other => return Err(SimError::Preset(other.chars().take(40).collect())),
    };
    Ok((cfg, actions))
}

//! Byzantine behaviours. A faulty replica runs the honest state machine, and
//! the simulator rewrites what it sends. It can say anything in its own name,
//! but cannot forge another replica's messages (the channel stamps senders).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::protocol::{Commit, Config, Digest, Message, NodeId, PrePrepare, Prepare, ReplicaId, Request};

/// How a replica behaves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Behavior {
    /// Follows the protocol.
    #[default]
    Honest,
    /// Sends nothing at all (but keeps receiving).
    Silent,
    /// As primary: a different request to each backup, each backed by its own
    /// PREPARE and COMMIT. As backup: votes with different digests to different replicas.
    Equivocate,
    /// As primary: the true request to all backups but the last, a forged one
    /// to the last, and no COMMIT of its own. As backup: withholds its commits.
    Split,
    /// Corrupts the digest of every pre-prepare, vote and checkpoint it sends.
    WrongDigest,
    /// Sends each vote together with a duplicate, a conflicting digest and a wrong view.
    ConflictingVotes,
}

impl Behavior {
    /// Every behaviour, for menus.
    pub const ALL: [Behavior; 6] = [
        Behavior::Honest,
        Behavior::Silent,
        Behavior::Equivocate,
        Behavior::Split,
        Behavior::WrongDigest,
        Behavior::ConflictingVotes,
    ];

    /// The kebab-case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Behavior::Honest => "honest",
            Behavior::Silent => "silent",
            Behavior::Equivocate => "equivocate",
            Behavior::Split => "split",
            Behavior::WrongDigest => "wrong-digest",
            Behavior::ConflictingVotes => "conflicting-votes",
        }
    }

    /// A one-line explanation.
    pub fn describe(&self) -> &'static str {
        match self {
            Behavior::Honest => "follows the protocol",
            Behavior::Silent => "receives everything, sends nothing",
            Behavior::Equivocate => "as primary, sends a different request to each backup",
            Behavior::Split => "as primary, sends one request to most backups, another to the last, and withholds its commit",
            Behavior::WrongDigest => "corrupts the digest in everything it sends",
            Behavior::ConflictingVotes => "sends duplicate, conflicting and wrong-view votes",
        }
    }
}

impl fmt::Display for Behavior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Behavior {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Behavior::ALL
            .iter()
            .copied()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Behavior::ALL.iter().map(|b| b.as_str()).collect();
                format!("unknown behavior \"{}\"; expected one of: {}", s.chars().take(40).collect::<String>(), names.join(", "))
            })
    }
}

/// Client ids at and above this belong to faulty clients colluding with a
/// Byzantine primary. PBFT requests are signed by their clients, so a primary
/// cannot forge an honest client's request; it can only propose other,
/// genuinely signed requests of accomplices.
pub const ACCOMPLICE_CLIENT: u32 = 1000;

/// Variant `k` of a request, signed by accomplice client `ACCOMPLICE_CLIENT + k`:
/// the same operation with another value (`warTime=1234` → `warTime=2345`).
pub fn forge(req: &Request, k: usize) -> Request {
    let op = match req.op.split_once('=') {
        Some((key, v)) => match v.trim().parse::<u64>() {
            Ok(x) => format!("{key}={}", x.wrapping_add(1111 * k as u64)),
            Err(_) => format!("{key}={v}~{k}"),
        },
        None => format!("{}~{k}", req.op),
    };
    Request { op, timestamp: req.timestamp, client: ACCOMPLICE_CLIENT + k as u32 }
}

fn corrupt(d: Digest) -> Digest {
    Digest(d.0 ^ 0x5bd1_e995_0000_0001)
}

/// Rewrites one message `msg` that replica `me` with `behavior` sends to `to`.
/// Returns the messages actually sent on that link (possibly none, possibly several).
pub fn rewrite(behavior: Behavior, cfg: &Config, me: ReplicaId, to: NodeId, msg: Message) -> Vec<Message> {
    let NodeId::Replica(j) = to else {
        // Replies to the client are left alone except for silence and digests do not apply.
        return if behavior == Behavior::Silent { vec![] } else { vec![msg] };
    };
    let backup_rank = |v| (0..cfg.n).filter(|&i| i != cfg.primary(v)).position(|i| i == j).unwrap_or(0);
    let last_backup = |v| (0..cfg.n).rev().find(|&i| i != cfg.primary(v)).unwrap_or(0);
    match behavior {
        Behavior::Honest => vec![msg],
        Behavior::Silent => vec![],
        Behavior::Equivocate => match msg {
            Message::PrePrepare(pp) if pp.request.is_some() => {
                let k = backup_rank(pp.view);
                let req = pp.request.as_ref().map(|r| if k == 0 { r.clone() } else { forge(r, k) }).expect("checked");
                let d = req.digest();
                let (view, seq) = (pp.view, pp.seq);
                vec![
                    Message::PrePrepare(PrePrepare { view, seq, digest: d, request: Some(req) }),
                    Message::Prepare(Prepare { view, seq, digest: d, replica: me }),
                    Message::Commit(Commit { view, seq, digest: d, replica: me }),
                ]
            }
            // Its own honest commits are swallowed: it already voted per backup.
            Message::Commit(c) if cfg.primary(c.view) == me => vec![],
            Message::Prepare(mut p) if j % 2 == 1 => {
                p.digest = corrupt(p.digest);
                vec![Message::Prepare(p)]
            }
            Message::Commit(mut c) if j % 2 == 1 => {
                c.digest = corrupt(c.digest);
                vec![Message::Commit(c)]
            }
            m => vec![m],
        },
        Behavior::Split => match msg {
            Message::PrePrepare(pp) if pp.request.is_some() && j == last_backup(pp.view) => {
                let req = forge(pp.request.as_ref().expect("checked"), 1);
                vec![Message::PrePrepare(PrePrepare { digest: req.digest(), request: Some(req), ..pp })]
            }
            Message::Commit(_) => vec![],
            m => vec![m],
        },
        Behavior::WrongDigest => match msg {
            Message::PrePrepare(mut pp) => {
                pp.digest = corrupt(pp.digest);
                vec![Message::PrePrepare(pp)]
            }
            Message::Prepare(mut p) => {
                p.digest = corrupt(p.digest);
                vec![Message::Prepare(p)]
            }
            Message::Commit(mut c) => {
                c.digest = corrupt(c.digest);
                vec![Message::Commit(c)]
            }
            Message::Checkpoint(mut c) => {
                c.digest = corrupt(c.digest);
                vec![Message::Checkpoint(c)]
            }
            m => vec![m],
        },
        Behavior::ConflictingVotes => match msg {
            Message::Prepare(p) => vec![
                Message::Prepare(p.clone()),
                Message::Prepare(p.clone()),
                Message::Prepare(Prepare { digest: corrupt(p.digest), ..p.clone() }),
                Message::Prepare(Prepare { view: p.view + 1, ..p }),
            ],
            Message::Commit(c) => vec![
                Message::Commit(c.clone()),
                Message::Commit(c.clone()),
                Message::Commit(Commit { digest: corrupt(c.digest), ..c.clone() }),
                Message::Commit(Commit { view: c.view + 1, ..c }),
            ],
            m => vec![m],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaviours_parse_and_print() {
        for b in Behavior::ALL {
            assert_eq!(b.as_str().parse::<Behavior>(), Ok(b));
        }
        assert!("evil".parse::<Behavior>().unwrap_err().contains("unknown behavior"));
    }

    #[test]
    fn forged_requests_differ() {
        let r = Request { op: "warTime=1234".into(), timestamp: 1, client: 0 };
        assert_eq!(forge(&r, 1).op, "warTime=2345");
        assert_ne!(forge(&r, 1).digest(), forge(&r, 2).digest());
        assert_eq!(forge(&Request { op: "x".into(), ..r }, 2).op, "x~2");
    }
}

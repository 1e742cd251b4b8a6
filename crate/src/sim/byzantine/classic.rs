//! The classic normal-case attacks: a faulty replica that rewrites what its
//! honest state machine sends (silence, equivocation, forged requests of
//! accomplices, corrupted digests, conflicting votes).

use super::{Adversary, BehaviorDef, Cx};
use crate::vecmap::VecMap;

use crate::protocol::Sig;
use crate::protocol::{Commit, Config, Digest, Message, NodeId, PrePrepare, Prepare, Request, Seq, View};

/// Client ids at and above this belong to faulty clients colluding with a
/// Byzantine primary. PBFT requests are signed by their clients, so a primary
/// cannot forge an honest client's request; it can only propose other,
/// genuinely signed requests of accomplices.
pub const ACCOMPLICE_CLIENT: u32 = 1000;

/// How many accomplice clients there are: faulty replicas hold the keys of
/// clients `ACCOMPLICE_CLIENT .. ACCOMPLICE_CLIENT + ACCOMPLICES` and of no other.
pub const ACCOMPLICES: u32 = 64;

/// A request of accomplice client `ACCOMPLICE_CLIENT + k` (k taken modulo
/// [`ACCOMPLICES`]), signed with that client's key.
pub fn accomplice_request(op: impl Into<std::sync::Arc<str>>, timestamp: u64, k: u32) -> Request {
    let client = ACCOMPLICE_CLIENT + k % ACCOMPLICES;
    Request::new(op, timestamp, client).signed(&*crate::protocol::ModelKeys::client(client))
}

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
    accomplice_request(op, req.timestamp, k as u32)
}

/// A digest no honest replica computed.
pub fn corrupt(d: Digest) -> Digest {
    Digest(d.0 ^ 0x5bd1_e995_0000_0001)
}

/// Defines a stateless adversary from its `on_send` rule, and its [`BehaviorDef`].
macro_rules! rewriter {
    ($def:ident, $ty:ident, $name:literal, $desc:literal, |$cx:ident, $to:ident, $msg:ident| $body:block) => {
        #[doc = concat!("`", $name, "`: ", $desc, ".")]
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $ty;

        impl Adversary for $ty {
            fn on_send(&mut self, $cx: &mut Cx<'_>, $to: NodeId, $msg: Message) $body
            fn box_clone(&self) -> Box<dyn Adversary> {
                Box::new(*self)
            }
        }

        #[doc = concat!("The `", $name, "` behaviour.")]
        pub const $def: BehaviorDef = BehaviorDef { name: $name, description: $desc, params: &[], make: |_| Some(Box::new($ty)) };
    };
}

/// The position of replica `j` among the backups of view `v`.
fn backup_rank(cfg: &Config, v: View, j: usize) -> usize {
    (0..cfg.n).filter(|&i| i != cfg.primary(v)).position(|i| i == j).unwrap_or(0)
}

/// The highest-numbered backup of view `v`.
fn last_backup(cfg: &Config, v: View) -> usize {
    (0..cfg.n).rev().find(|&i| i != cfg.primary(v)).unwrap_or(0)
}

rewriter!(SILENT, Silent, "silent", "receives everything, sends nothing", |_cx, _to, _msg| {});

rewriter!(EQUIVOCATE, Equivocate, "equivocate", "as primary, sends a different request to each backup", |cx, to, msg| {
    let NodeId::Replica(j) = to else {
        return cx.send(to, msg);
    };
    let me = cx.me;
    match msg {
        Message::PrePrepare(pp) if pp.request.is_some() => {
            let k = backup_rank(cx.cfg, pp.view, j);
            let req = pp.request.as_ref().map(|r| if k == 0 { r.clone() } else { forge(r, k) }).expect("checked");
            let d = req.digest();
            let (view, seq) = (pp.view, pp.seq);
            cx.send(to, Message::PrePrepare(PrePrepare { view, seq, digest: d, request: Some(req), sig: Sig::default() }));
            cx.send(to, Message::Prepare(Prepare { view, seq, digest: d, replica: me, sig: Sig::default() }));
            cx.send(to, Message::Commit(Commit { view, seq, digest: d, replica: me, sig: Sig::default() }));
        }
        // Its own honest commits are swallowed: it already voted per backup.
        Message::Commit(c) if cx.cfg.primary(c.view) == me => {}
        Message::Prepare(mut p) if j % 2 == 1 => {
            p.digest = corrupt(p.digest);
            cx.send(to, Message::Prepare(p));
        }
        Message::Commit(mut c) if j % 2 == 1 => {
            c.digest = corrupt(c.digest);
            cx.send(to, Message::Commit(c));
        }
        m => cx.send(to, m),
    }
});

rewriter!(
    SPLIT,
    Split,
    "split",
    "as primary, sends one request to most backups, another to the last, and withholds its commit",
    |cx, to, msg| {
        let NodeId::Replica(j) = to else {
            return cx.send(to, msg);
        };
        match msg {
            Message::PrePrepare(pp) if pp.request.is_some() && j == last_backup(cx.cfg, pp.view) => {
                let req = forge(pp.request.as_ref().expect("checked"), 1);
                cx.send(to, Message::PrePrepare(PrePrepare { digest: req.digest(), request: Some(req), ..pp }));
            }
            Message::Commit(_) => {}
            m => cx.send(to, m),
        }
    }
);

rewriter!(WRONG_DIGEST, WrongDigest, "wrong-digest", "corrupts the digest in everything it sends", |cx, to, msg| {
    let msg = match msg {
        Message::PrePrepare(mut pp) if matches!(to, NodeId::Replica(_)) => {
            pp.digest = corrupt(pp.digest);
            Message::PrePrepare(pp)
        }
        Message::Prepare(mut p) => {
            p.digest = corrupt(p.digest);
            Message::Prepare(p)
        }
        Message::Commit(mut c) => {
            c.digest = corrupt(c.digest);
            Message::Commit(c)
        }
        Message::Checkpoint(mut c) => {
            c.digest = corrupt(c.digest);
            Message::Checkpoint(c)
        }
        m => m,
    };
    cx.send(to, msg);
});

rewriter!(CONFLICTING_VOTES, ConflictingVotes, "conflicting-votes", "sends duplicate, conflicting and wrong-view votes", |cx, to, msg| {
    match msg {
        Message::Prepare(p) if matches!(to, NodeId::Replica(_)) => {
            cx.send(to, Message::Prepare(p.clone()));
            cx.send(to, Message::Prepare(p.clone()));
            cx.send(to, Message::Prepare(Prepare { digest: corrupt(p.digest), ..p.clone() }));
            cx.send(to, Message::Prepare(Prepare { view: p.view + 1, ..p }));
        }
        Message::Commit(c) if matches!(to, NodeId::Replica(_)) => {
            cx.send(to, Message::Commit(c.clone()));
            cx.send(to, Message::Commit(c.clone()));
            cx.send(to, Message::Commit(Commit { digest: corrupt(c.digest), ..c.clone() }));
            cx.send(to, Message::Commit(Commit { view: c.view + 1, ..c }));
        }
        m => cx.send(to, m),
    }
});

/// `collude`: a backup in league with an equivocating primary. It knows the
/// primary's plan (backup of rank k gets variant k of the request, rank 0 the
/// genuine one), and votes, PREPARE and COMMIT at once, for the variant each
/// receiver was sent. With f + 1 faulty replicas (the primary and this one)
/// that is enough for honest replicas to execute different requests at one
/// sequence number: the bound n = 3f + 1 is tight. It sees the genuine request
/// only when it is itself the backup of rank 0; otherwise it votes for variants
/// of a variant, which no honest replica holds.
#[derive(Clone, Debug, Default)]
pub struct Collude {
    /// Requests of the pre-prepares it received, by (view, seq); the last few.
    seen: VecMap<(View, Seq), Request>,
}

impl Collude {
    const KEEP: usize = 64;
}

impl Adversary for Collude {
    fn on_receive(&mut self, cx: &mut Cx<'_>, from: NodeId, msg: &Message) -> bool {
        if let Message::PrePrepare(pp) = msg {
            if let (Some(r), true) = (&pp.request, from == NodeId::Replica(cx.cfg.primary(pp.view))) {
                self.seen.insert((pp.view, pp.seq), r.clone());
                while self.seen.len() > Self::KEEP {
                    self.seen.pop_first();
                }
            }
        }
        true
    }

    fn on_send(&mut self, cx: &mut Cx<'_>, to: NodeId, msg: Message) {
        let NodeId::Replica(j) = to else {
            return cx.send(to, msg);
        };
        let (view, seq) = match &msg {
            Message::Prepare(p) => (p.view, p.seq),
            Message::Commit(c) => (c.view, c.seq),
            _ => return cx.send(to, msg),
        };
        let Some(r) = self.seen.get(&(view, seq)) else {
            return cx.send(to, msg);
        };
        let k = backup_rank(cx.cfg, view, j);
        let digest = if k == 0 { r.digest() } else { forge(r, k).digest() };
        let me = cx.me;
        // Its prepare carries its commit along: its own machine never prepares
        // (the honest backups' votes disagree), so it votes ahead; a commit of
        // its own machine was already sent with the prepare.
        if matches!(msg, Message::Prepare(_)) {
            cx.send(to, Message::Prepare(Prepare { view, seq, digest, replica: me, sig: Sig::default() }));
            cx.send(to, Message::Commit(Commit { view, seq, digest, replica: me, sig: Sig::default() }));
        }
    }

    fn box_clone(&self) -> Box<dyn Adversary> {
        Box::new(self.clone())
    }
}

/// The `collude` behaviour.
pub const COLLUDE: BehaviorDef = BehaviorDef {
    name: "collude",
    description: "as a backup, backs an equivocating primary: votes for whatever request each replica was sent",
    params: &[],
    make: |_| Some(Box::new(Collude::default())),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forged_requests_differ() {
        let r = Request::new("warTime=1234", 1, 0);
        assert_eq!(&*forge(&r, 1).op, "warTime=2345");
        assert_ne!(forge(&r, 1).digest(), forge(&r, 2).digest());
        assert_eq!(&*forge(&Request { op: "x".into(), ..r }, 2).op, "x~2");
    }
}

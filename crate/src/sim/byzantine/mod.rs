//! Byzantine behaviours as data, with one extension point.
//!
//! A faulty replica runs the honest state machine beside an [`Adversary`]: the
//! adversary sees every message the replica receives (and may keep it from
//! the honest machine), rewrites or withholds everything the machine sends,
//! sends any message it can sign to anyone at any time, and keeps timers of
//! its own. The channel stamps the true sender, so it can say anything in its
//! own name but cannot forge another replica's messages.
//!
//! To add a behaviour: write a type implementing [`Adversary`] and add one
//! [`BehaviorDef`] line to [`BEHAVIORS`]. Menus, `setBehavior`, permalinks,
//! `Simulation.codes()` and the property tests all read that list.

mod attacks;
mod classic;
mod noise;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

use crate::protocol::{Config, Message, NodeId, Replica, ReplicaId, Signed};

pub use classic::{accomplice_request, corrupt, forge, ACCOMPLICES, ACCOMPLICE_CLIENT};

/// Numeric parameters of a behaviour, by name (e.g. `{ "ms": 300 }`).
pub type Params = crate::vecmap::VecMap<String, u64>;

/// One parameter a behaviour takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ParamDef {
    /// Its name.
    pub name: &'static str,
    /// Used when not given.
    pub default: u64,
    /// Smallest value accepted.
    pub min: u64,
    /// Largest value accepted.
    pub max: u64,
}

impl ParamDef {
    /// Its value in `params`, or its default.
    pub fn value(&self, params: &Params) -> u64 {
        params.get(self.name).copied().unwrap_or(self.default)
    }
}

/// A behaviour the engine offers: its name, a line of English for API users
/// (the page has its own words per name), its parameters and how to make it.
pub struct BehaviorDef {
    /// Kebab-case name used in `setBehavior`, URLs and menus.
    pub name: &'static str,
    /// One line of English.
    pub description: &'static str,
    /// Parameters it accepts.
    pub params: &'static [ParamDef],
    /// Makes the adversary (None: honest, no adversary at all).
    pub make: fn(&Params) -> Option<Box<dyn Adversary>>,
}

/// Every behaviour, in menu order; the first is honest.
pub static BEHAVIORS: &[BehaviorDef] = &[
    BehaviorDef { name: "honest", description: "follows the protocol", params: &[], make: |_| None },
    classic::SILENT,
    classic::EQUIVOCATE,
    classic::SPLIT,
    classic::WRONG_DIGEST,
    classic::CONFLICTING_VOTES,
    classic::COLLUDE,
    attacks::FORGE_NEW_VIEW,
    attacks::FAKE_CERTIFICATE,
    attacks::FEED_BACKUPS,
    attacks::BAD_STATE,
    noise::REPLAY,
    noise::FLOOD,
];

/// How a replica behaves: one of [`BEHAVIORS`], serialized as its name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Behavior(usize);

impl Behavior {
    /// Follows the protocol.
    pub const HONEST: Behavior = Behavior(0);

    /// Every behaviour, honest first.
    pub fn all() -> impl Iterator<Item = Behavior> {
        (0..BEHAVIORS.len()).map(Behavior)
    }

    /// Every faulty behaviour (all but honest).
    pub fn byzantine() -> impl Iterator<Item = Behavior> {
        Self::all().skip(1)
    }

    /// The behaviour called `name`.
    pub fn named(name: &str) -> Result<Behavior, String> {
        BEHAVIORS.iter().position(|d| d.name == name).map(Behavior).ok_or_else(|| {
            let names: Vec<&str> = BEHAVIORS.iter().map(|d| d.name).collect();
            let shown: String = name.chars().take(40).collect();
            format!("unknown behavior \"{shown}\"; expected one of: {}", names.join(", "))
        })
    }

    /// Its definition.
    pub fn def(self) -> &'static BehaviorDef {
        &BEHAVIORS[self.0]
    }

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        self.def().name
    }

    /// A one-line explanation (English).
    pub fn describe(self) -> &'static str {
        self.def().description
    }

    /// Whether this is the honest behaviour.
    pub fn is_honest(self) -> bool {
        self == Self::HONEST
    }

    /// Checks `params` against the definition: known names, values in range.
    pub fn check(self, params: &Params) -> Result<(), String> {
        let def = self.def();
        for (k, &v) in params {
            let Some(p) = def.params.iter().find(|p| p.name == k) else {
                let shown: String = k.chars().take(40).collect();
                let names: Vec<&str> = def.params.iter().map(|p| p.name).collect();
                return Err(if names.is_empty() {
                    format!("behavior \"{}\" takes no parameters, got \"{shown}\"", def.name)
                } else {
                    format!("behavior \"{}\" has no parameter \"{shown}\"; it takes: {}", def.name, names.join(", "))
                });
            };
            if v < p.min || v > p.max {
                return Err(format!("parameter \"{}\" of \"{}\" must be between {} and {}, got {v}", p.name, def.name, p.min, p.max));
            }
        }
        Ok(())
    }

    /// Makes the adversary for this behaviour (None when honest).
    pub fn make(self, params: &Params) -> Option<Box<dyn Adversary>> {
        (self.def().make)(params)
    }
}

impl fmt::Display for Behavior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Behavior {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Behavior::named(s)
    }
}

impl Serialize for Behavior {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Behavior {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Behavior::named(&name).map_err(serde::de::Error::custom)
    }
}

/// Something an adversary does, carried out by the simulator.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Send `msg` to `to` after `delay` virtual ms (0: now), in its own name.
    Send {
        /// The receiver.
        to: NodeId,
        /// The message.
        msg: Message,
        /// Delay before it leaves.
        delay: u64,
    },
    /// Call [`Adversary::on_timer`] with `tag` after `after` virtual ms.
    Timer {
        /// Delay.
        after: u64,
        /// Passed back.
        tag: u32,
    },
}

/// What an adversary can see and do at one moment.
pub struct Cx<'a> {
    /// The faulty replica.
    pub me: ReplicaId,
    /// The cluster's configuration.
    pub cfg: &'a Config,
    /// Virtual time.
    pub now: u64,
    /// Its own honest state machine (read only).
    pub replica: &'a Replica,
    effects: &'a mut Vec<Effect>,
}

impl<'a> Cx<'a> {
    /// A context recording into `effects`.
    pub fn new(me: ReplicaId, cfg: &'a Config, now: u64, replica: &'a Replica, effects: &'a mut Vec<Effect>) -> Cx<'a> {
        Cx { me, cfg, now, replica, effects }
    }

    /// Sends `msg` to `to` now. What it sends in its own name it signs
    /// (its honest replica's key is its own); messages of others it can
    /// only pass on as they are.
    pub fn send(&mut self, to: NodeId, msg: Message) {
        self.send_after(0, to, msg);
    }

    /// Sends `msg` to `to` after `delay` virtual ms (signed as [`Cx::send`] says).
    pub fn send_after(&mut self, delay: u64, to: NodeId, mut msg: Message) {
        msg.sign_if_mine(self.replica.keys(), self.cfg);
        self.effects.push(Effect::Send { to, msg, delay });
    }

    /// Signs `m` as the faulty replica (for messages it embeds in others).
    pub fn sign<M: Signed>(&self, m: M) -> M {
        m.signed(self.replica.keys())
    }

    /// Sends `msg` to every other replica now.
    pub fn broadcast(&mut self, msg: Message) {
        let me = self.me;
        for i in (0..self.cfg.n).filter(|&i| i != me) {
            self.send(NodeId::Replica(i), msg.clone());
        }
    }

    /// Asks for [`Adversary::on_timer`] with `tag` after `after` virtual ms.
    pub fn set_timer(&mut self, after: u64, tag: u32) {
        self.effects.push(Effect::Timer { after, tag });
    }

    /// The other replicas' ids.
    pub fn others(&self) -> impl Iterator<Item = ReplicaId> + '_ {
        (0..self.cfg.n).filter(move |&i| i != self.me)
    }
}

/// What an [`Adversary`] shows of itself: its `Debug` text, which exhaustive
/// search hashes as the behaviour's state. The page's wasm module has no
/// search, so there it asks for nothing, and the `Debug` code of every
/// behaviour's state (messages, logs, maps) stays out of the module.
#[cfg(any(not(target_arch = "wasm32"), feature = "explore"))]
pub trait Shown: fmt::Debug {}
#[cfg(any(not(target_arch = "wasm32"), feature = "explore"))]
impl<T: fmt::Debug + ?Sized> Shown for T {}
/// What an [`Adversary`] shows of itself: nothing in the page's wasm module,
/// which has no exhaustive search (see the native definition).
#[cfg(all(target_arch = "wasm32", not(feature = "explore")))]
pub trait Shown {}
#[cfg(all(target_arch = "wasm32", not(feature = "explore")))]
impl<T: ?Sized> Shown for T {}

/// The one extension point for faulty behaviour. Every method has a
/// default that acts honestly, so a behaviour overrides only what it attacks.
pub trait Adversary: Shown + Send + Sync {
    /// Its own honest machine asks to send `msg` to `to`: send it, change it,
    /// multiply it or keep it back (through `cx`).
    fn on_send(&mut self, cx: &mut Cx<'_>, to: NodeId, msg: Message) {
        cx.send(to, msg);
    }

    /// `msg` arrived from `from`. Returns whether the honest machine sees it.
    fn on_receive(&mut self, _cx: &mut Cx<'_>, _from: NodeId, _msg: &Message) -> bool {
        true
    }

    /// A timer it set with [`Cx::set_timer`] ran out.
    fn on_timer(&mut self, _cx: &mut Cx<'_>, _tag: u32) {}

    /// A copy (the simulator clones runs for seeking).
    fn box_clone(&self) -> Box<dyn Adversary>;
}

impl Clone for Box<dyn Adversary> {
    fn clone(&self) -> Self {
        self.box_clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaviours_parse_and_print() {
        for b in Behavior::all() {
            assert_eq!(b.as_str().parse::<Behavior>(), Ok(b));
            assert!(!b.describe().is_empty());
        }
        assert!(Behavior::named("evil").unwrap_err().contains("unknown behavior"));
        assert!(Behavior::HONEST.is_honest() && Behavior::byzantine().all(|b| !b.is_honest()));
        let mut names: Vec<&str> = Behavior::all().map(|b| b.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), BEHAVIORS.len(), "names are distinct");
    }

    #[test]
    fn params_are_checked() {
        let silent = Behavior::named("silent").unwrap();
        assert!(silent.check(&Params::new()).is_ok());
        let p: Params = [("ms".to_string(), 5)].into_iter().collect();
        assert!(silent.check(&p).unwrap_err().contains("takes no parameters"));
    }
}

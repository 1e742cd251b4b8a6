//! Going back in time: saved copies of the run and deterministic replay.

use super::{Event, Simulation};

impl Simulation {
    /// Virtual time between saved copies used by [`Simulation::seek`].
    pub const SAVE_EVERY: u64 = 2_000;

    /// Goes to virtual time `t` by deterministic replay: from the latest
    /// saved copy at or before `t` (or from the start), applying every
    /// recorded action. Seeking back keeps the recorded future, so seeking
    /// forward again replays it; a new action after seeking back forks the run.
    /// Events are not recorded during the replay (they are the ones seen the
    /// first time); use [`Simulation::seek_with_events`] to get them.
    pub fn seek(&mut self, t: u64) {
        if t >= self.now {
            let record = self.record;
            self.record = false;
            self.advance(t - self.now);
            self.record = record;
            self.events.clear();
            return;
        }
        let base = self.saved.iter().rposition(|s| s.now <= t).map(|i| self.saved[i].clone());
        self.replay(base, t, false);
    }

    /// Replays this run from time 0 to `t` and returns every event on the way.
    pub fn seek_with_events(&mut self, t: u64) -> Vec<Event> {
        self.replay(None, t, true)
    }

    /// Replaces this run by a replay of its recorded actions up to `t`, from
    /// `base` (a saved copy at or before `t`) or from the start, recording
    /// events on the way only if asked.
    pub(super) fn replay(&mut self, base: Option<Simulation>, t: u64, with_events: bool) -> Vec<Event> {
        let mut run = base.unwrap_or_else(|| Simulation::new(self.cfg.clone()).expect("config was validated"));
        run.actions = std::mem::take(&mut self.actions);
        run.saved = std::mem::take(&mut self.saved);
        run.record = with_events && self.record;
        let events = run.advance(t - run.now);
        run.record = self.record;
        run.rewound = t < self.now || self.rewound;
        *self = run;
        events
    }

    /// Keeps a copy of the run each time virtual time crosses a multiple of
    /// `SAVE_EVERY` (at most 256 copies; older ones are thinned out).
    pub(super) fn maybe_save(&mut self, before: u64) {
        if before / Self::SAVE_EVERY == self.now / Self::SAVE_EVERY {
            return;
        }
        if self.saved.last().is_some_and(|s| s.now >= self.now) {
            return;
        }
        let saved = std::mem::take(&mut self.saved);
        let events = std::mem::take(&mut self.events);
        let copy = self.clone();
        self.saved = saved;
        self.events = events;
        self.saved.push(copy);
        if self.saved.len() > 256 {
            // Keep every other copy: the spacing doubles, the reach stays.
            let mut i = 0;
            self.saved.retain(|_| {
                i += 1;
                i % 2 == 0
            });
        }
    }

}

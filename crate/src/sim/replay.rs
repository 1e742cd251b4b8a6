//! Going back in time: saved copies of the run and deterministic replay.

use super::{Chunked, Event, ExecutedEntry, Simulation};

/// What a saved copy left out, by length: the live run's growing parts are
/// cut back to these when the run goes back to the copy.
#[derive(Clone, Debug, Default)]
pub(super) struct Cut {
    /// Length of each replica's executed log.
    pub(super) executed: Vec<usize>,
}

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
        let mut run = base.unwrap_or_else(|| self.fresh());
        // What only grows is the live run's, cut back to the copy's length.
        let cut = run.cut.take().unwrap_or_default();
        for (i, node) in run.nodes.iter_mut().enumerate() {
            let mut executed = std::mem::take(&mut self.nodes[i].executed);
            executed.truncate(cut.executed.get(i).copied().unwrap_or(0));
            node.executed = executed;
        }
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
        // The copy leaves out what only grows (events, actions, executed logs):
        // it keeps their lengths, and a replay from it cuts the live run's back
        // to them. The rest is bounded (the monitor's window, the clients'
        // latest requests) and shared where it is large (the service's store,
        // the clients' requests and results): copies cost bounded memory.
        let saved = std::mem::take(&mut self.saved);
        let events = std::mem::take(&mut self.events);
        let actions = std::mem::take(&mut self.actions);
        let spare = std::mem::take(&mut self.spare);
        let executed: Vec<Chunked<ExecutedEntry>> = self.nodes.iter_mut().map(|n| std::mem::take(&mut n.executed)).collect();
        let mut copy = self.clone();
        copy.cut = Some(Cut { executed: executed.iter().map(Chunked::len).collect() });
        self.spare = spare;
        for (node, e) in self.nodes.iter_mut().zip(executed) {
            node.executed = e;
        }
        self.actions = actions;
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

    /// A new run of this configuration (validated when this run was made).
    fn fresh(&self) -> Simulation {
        // Not `expect`: that would format the error with `Debug`, and so bring
        // float formatting into the wasm module for a case that cannot happen.
        Simulation::new(self.cfg.clone()).unwrap_or_else(|_| unreachable!("the configuration was validated"))
    }

    /// Each replica's executed entries from position `from[i]` to the end of
    /// its log. A log holds only its latest entries; what it let go of is
    /// rebuilt by replay, from the latest saved copy whose logs start early
    /// enough (or from the start) to now, once for every replica asked.
    pub(super) fn executed_from(&self, from: &[usize]) -> Vec<Vec<ExecutedEntry>> {
        // Only the logs that let go of what is asked need a rebuild, and only
        // they constrain the copy it starts from (`usize::MAX`: any).
        let need: Vec<usize> = self.nodes.iter().zip(from).map(|(node, &f)| if f < node.executed.start() { f } else { usize::MAX }).collect();
        let rebuilt = need.iter().any(|&f| f != usize::MAX).then(|| self.rebuild_executed(&need));
        let logs = self.nodes.iter().map(|node| &node.executed);
        logs.zip(from)
            .enumerate()
            .map(|(i, (log, &f))| match &rebuilt {
                Some(whole) if need[i] != usize::MAX => whole[i].range(f, log.len()),
                _ => log.range(f, log.len()),
            })
            .collect()
    }

    /// Replays the run to now with logs that keep everything, from the latest
    /// saved copy at which no log is past `from` (`usize::MAX`: any).
    fn rebuild_executed(&self, from: &[usize]) -> Vec<Chunked<ExecutedEntry>> {
        let early = |s: &&Simulation| {
            s.now <= self.now && s.cut.as_ref().is_some_and(|c| c.executed.iter().zip(from).all(|(&at, &f)| at <= f))
        };
        let mut run = match self.saved.iter().rev().find(early) {
            Some(copy) => copy.clone(),
            None => self.fresh(),
        };
        let cut = run.cut.take().unwrap_or_default();
        for (i, node) in run.nodes.iter_mut().enumerate() {
            node.executed = Chunked::whole_from(cut.executed.get(i).copied().unwrap_or(0));
        }
        // Only the actions still to apply on the way to now.
        let rest = self.actions.get(run.applied..).unwrap_or_default();
        run.actions = rest.iter().take_while(|a| a.at <= self.now).cloned().collect();
        run.applied = 0;
        run.record = false;
        run.saving = false;
        run.advance(self.now - run.now);
        run.nodes.into_iter().map(|node| node.executed).collect()
    }
}

//! The timers a driver runs for a replica: one slot per [`ReplicaTimer`].

use super::replica::{Output, ReplicaTimer};

/// One slot per [`ReplicaTimer`], holding what the driver needs to know the
/// timer is running: a deadline (pbft-node) or a generation number (the
/// simulator, whose queue may still hold a timer that was reset). Setting a
/// timer replaces the running one of the same kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimerSlots<T> {
    slots: [Option<T>; 3],
}

impl<T: Copy> Default for TimerSlots<T> {
    fn default() -> Self {
        TimerSlots { slots: [None; 3] }
    }
}

impl<T: Copy> TimerSlots<T> {
    /// No timer running.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts (or restarts) `timer`, marked `v`.
    pub fn set(&mut self, timer: ReplicaTimer, v: T) {
        self.slots[timer.index()] = Some(v);
    }

    /// Stops `timer`.
    pub fn cancel(&mut self, timer: ReplicaTimer) {
        self.slots[timer.index()] = None;
    }

    /// Stops every timer (a crash).
    pub fn cancel_all(&mut self) {
        self.slots = [None; 3];
    }

    /// The mark of `timer` if it is running.
    pub fn get(&self, timer: ReplicaTimer) -> Option<T> {
        self.slots[timer.index()]
    }

    /// Whether any timer is running.
    pub fn any(&self) -> bool {
        self.slots.iter().any(Option::is_some)
    }

    /// The running timers and their marks.
    pub fn running(&self) -> impl Iterator<Item = (ReplicaTimer, T)> + '_ {
        ReplicaTimer::ALL.into_iter().filter_map(|t| self.get(t).map(|v| (t, v)))
    }

    /// Carries out a `SetTimer` or `CancelTimer` output (`mark(after)` makes
    /// the mark of a timer due `after` time units from now). Returns the
    /// timer set, if one was; other outputs are left alone.
    pub fn apply(&mut self, o: &Output, mark: impl FnOnce(u64) -> T) -> Option<(ReplicaTimer, T)> {
        match *o {
            Output::SetTimer { timer, after } => {
                let v = mark(after);
                self.set(timer, v);
                Some((timer, v))
            }
            Output::CancelTimer(timer) => {
                self.cancel(timer);
                None
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_set_replace_and_cancel() {
        let mut s = TimerSlots::new();
        assert!(!s.any());
        s.apply(&Output::SetTimer { timer: ReplicaTimer::Fetch, after: 5 }, |a| a + 100);
        assert_eq!(s.get(ReplicaTimer::Fetch), Some(105));
        s.set(ReplicaTimer::Fetch, 7);
        assert_eq!(s.running().collect::<Vec<_>>(), vec![(ReplicaTimer::Fetch, 7)]);
        s.apply(&Output::CancelTimer(ReplicaTimer::Fetch), |a| a);
        assert!(!s.any());
        s.set(ReplicaTimer::ViewChange, 1);
        s.cancel_all();
        assert!(!s.any());
    }
}

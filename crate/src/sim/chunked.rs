//! An append-only list that keeps only its latest entries in memory: what
//! only grows with a run (each replica's executed log) costs a bounded amount,
//! however long the run. Positions count from the run's start, so the list
//! knows its whole length; entries older than the window are let go, and the
//! simulator rebuilds them by replay when asked (the engine is deterministic).
//! Chunks are of one size and reused, so wasm memory (which never shrinks)
//! keeps no peaks from a doubling `Vec`.

use std::collections::VecDeque;

/// Entries per chunk.
const CHUNK: usize = 128;
/// Chunks a windowed list holds: between `(WINDOW - 1) * CHUNK` and
/// `WINDOW * CHUNK` of its latest entries once it is that long.
const WINDOW: usize = 3;

/// An append-only list in chunks, holding its latest entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunked<T> {
    chunks: VecDeque<Vec<T>>,
    /// Position of the first entry held.
    start: usize,
    /// Length of the whole list, entries let go included.
    len: usize,
    /// Chunks held at most (`usize::MAX`: all, nothing is let go).
    keep: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked { chunks: VecDeque::new(), start: 0, len: 0, keep: WINDOW }
    }
}

impl<T: Clone> Chunked<T> {
    /// The least it holds of its latest entries once it is that long.
    pub const HOLDS: usize = (WINDOW - 1) * CHUNK;

    /// A list that keeps every entry it is given, whose first `start`
    /// positions are not held (a rebuild from that position on).
    pub fn whole_from(start: usize) -> Self {
        Chunked { chunks: VecDeque::new(), start, len: start, keep: usize::MAX }
    }

    /// How many entries it has had (held or let go).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it has had none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Position of the first entry it still holds.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Appends `x`, letting the oldest chunk go when the window is full.
    pub fn push(&mut self, x: T) {
        if self.chunks.back().is_none_or(|c| c.len() == CHUNK) {
            let chunk = if self.chunks.len() >= self.keep {
                // The oldest chunk's buffer is reused for the newest.
                let mut old = self.chunks.pop_front().unwrap_or_default();
                self.start += old.len();
                old.clear();
                old
            } else {
                Vec::with_capacity(CHUNK)
            };
            self.chunks.push_back(chunk);
        }
        if let Some(c) = self.chunks.back_mut() {
            c.push(x);
            self.len += 1;
        }
    }

    /// Keeps the first `n` positions. Below the window, nothing is held and
    /// the next entry pushed is at position `n`.
    pub fn truncate(&mut self, n: usize) {
        if n >= self.len {
            return;
        }
        if n <= self.start {
            self.chunks.clear();
            self.start = n;
            self.len = n;
            return;
        }
        let mut left = n - self.start;
        let mut keep = 0;
        for c in &mut self.chunks {
            if left == 0 {
                break;
            }
            let here = left.min(c.len());
            c.truncate(here);
            left -= here;
            keep += 1;
        }
        self.chunks.truncate(keep);
        self.len = n;
    }

    /// The entries it holds, in order, from position [`Chunked::start`].
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks.iter().flatten()
    }

    /// A copy of the entries it holds at positions `from..to`.
    pub fn range(&self, from: usize, to: usize) -> Vec<T> {
        let from = from.max(self.start);
        self.iter().skip(from - self.start).take(to.saturating_sub(from)).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{Chunked, CHUNK, WINDOW};

    #[test]
    fn a_whole_list_pushes_truncates_and_tails_like_a_vec() {
        let mut c = Chunked::whole_from(0);
        let mut v = Vec::new();
        for i in 0..20_000u32 {
            c.push(i);
            v.push(i);
            if i % 3001 == 3000 {
                let n = (i as usize * 7) % v.len();
                c.truncate(n);
                v.truncate(n);
            }
        }
        assert_eq!(c.len(), v.len());
        assert_eq!(c.iter().copied().collect::<Vec<_>>(), v);
        assert_eq!(c.range(v.len() - 100, v.len()), v[v.len() - 100..]);
        assert_eq!(c.range(0, usize::MAX), v);
        assert_eq!(c.range(17, 400), v[17..400]);
        c.truncate(0);
        assert!(c.is_empty() && c.iter().next().is_none());
    }

    #[test]
    fn a_windowed_list_holds_its_latest_entries_and_knows_its_length() {
        let mut c = Chunked::default();
        let mut v = Vec::new();
        for i in 0..5_000u32 {
            c.push(i);
            v.push(i);
            let held = c.len() - c.start();
            assert!(held == v.len() || (Chunked::<u32>::HOLDS..=WINDOW * CHUNK).contains(&held), "{held} held at {i}");
            assert_eq!(c.iter().copied().collect::<Vec<_>>(), v[c.start()..]);
            assert!(c.start() <= c.len().saturating_sub(Chunked::<u32>::HOLDS));
        }
        assert_eq!(c.len(), 5_000);
        assert!(c.start() > 0);
        assert_eq!(c.range(4_990, 5_000), v[4_990..]);
        assert_eq!(c.range(4_900, 4_950), v[4_900..4_950]);
        // Within the window: cut as a Vec would be.
        c.truncate(4_800);
        v.truncate(4_800);
        assert_eq!((c.len(), c.iter().copied().collect::<Vec<_>>()), (4_800, v[c.start()..].to_vec()));
        // Below it: nothing held, the length kept, the next entry at position n.
        c.truncate(1_000);
        assert_eq!((c.len(), c.start(), c.iter().count()), (1_000, 1_000, 0));
        assert!(c.start() == c.len() && c.range(0, 1_000).is_empty());
        c.push(7);
        assert_eq!((c.len(), c.range(996, 1_001)), (1_001, vec![7]));
        // Memory: at most WINDOW chunks, each allocated once.
        for i in 0..10_000 {
            c.push(i);
        }
        assert!(c.chunks.len() <= WINDOW && c.chunks.iter().all(|k| k.capacity() == CHUNK));
    }
}

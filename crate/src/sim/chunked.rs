//! An append-only list kept in chunks that are never reallocated: what only
//! grows with a run (each replica's executed log) costs what it holds, with
//! no doubling `Vec` whose old and new buffers are alive at once (wasm memory
//! never shrinks, so such peaks stay).

/// Entries in the first chunk; each next one doubles, up to [`LAST`].
const FIRST: usize = 64;
/// Entries in every chunk from the largest size on.
const LAST: usize = 4096;

/// An append-only list in chunks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked { chunks: Vec::new(), len: 0 }
    }
}

impl<T: Clone> Chunked<T> {
    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `x`.
    pub fn push(&mut self, x: T) {
        if self.chunks.last().is_none_or(|c| c.len() == c.capacity()) {
            let size = self.chunks.last().map_or(FIRST, |c| (c.capacity() * 2).min(LAST));
            self.chunks.push(Vec::with_capacity(size));
        }
        if let Some(c) = self.chunks.last_mut() {
            c.push(x);
            self.len += 1;
        }
    }

    /// Keeps the first `n` entries.
    pub fn truncate(&mut self, n: usize) {
        let mut left = n;
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
        self.len = n.min(self.len);
    }

    /// The entries, in order.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks.iter().flatten()
    }

    /// A copy of the last `n` entries (all of them when `n` is larger).
    pub fn tail(&self, n: usize) -> Vec<T> {
        self.iter().skip(self.len.saturating_sub(n)).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Chunked;

    #[test]
    fn pushes_truncates_and_tails_like_a_vec() {
        let mut c = Chunked::default();
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
        assert_eq!(c.tail(100), v[v.len() - 100..]);
        assert_eq!(c.tail(usize::MAX), v);
        c.truncate(0);
        assert!(c.is_empty() && c.iter().next().is_none());
    }
}

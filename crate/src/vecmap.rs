//! Small ordered collections. A map kept as a sorted `Vec` of pairs, for the engine's many
//! maps that hold a handful of entries (a replica's log inside its watermarks,
//! its checkpoints and view changes, the simulator's timers). It offers the
//! part of `BTreeMap`'s interface the engine uses, in the same order, at a
//! fraction of the code: each `BTreeMap<K, V>` instantiation costs the wasm
//! module 5–10 KB, a `VecMap`'s a few hundred bytes. Lookups are binary
//! searches; an insertion or removal moves the entries after it, which for
//! maps this size is cheaper than a tree's nodes. It is only for maps the
//! engine bounds: one that another party can grow without bound, in any key
//! order (a replica's pending requests, under whatever client ids anyone
//! sends), stays a `BTreeMap`, or each arrival would move all the others.

use std::borrow::Borrow;
use std::fmt;
use std::ops::{Bound, RangeBounds};

/// An ordered map in a sorted `Vec`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VecMap<K, V> {
    items: Vec<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap { items: Vec::new() }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for VecMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.items.iter().map(|(k, v)| (k, v))).finish()
    }
}

/// A place in a map for one key, as `BTreeMap::entry` gives it.
pub struct Entry<'a, K, V> {
    items: &'a mut Vec<(K, V)>,
    at: Result<usize, usize>,
    key: K,
}

impl<'a, K, V> Entry<'a, K, V> {
    /// The value, inserted by `make` if the key was absent.
    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'a mut V {
        let i = match self.at {
            Ok(i) => i,
            Err(i) => {
                self.items.insert(i, (self.key, make()));
                i
            }
        };
        &mut self.items[i].1
    }

    /// The value, `v` inserted if the key was absent.
    pub fn or_insert(self, v: V) -> &'a mut V {
        self.or_insert_with(|| v)
    }

    /// The value, the default inserted if the key was absent.
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }
}

impl<K: Ord, V> VecMap<K, V> {
    /// An empty map.
    pub const fn new() -> Self {
        VecMap { items: Vec::new() }
    }

    fn find<Q: Ord + ?Sized>(&self, k: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.items.binary_search_by(|(x, _)| x.borrow().cmp(k))
    }

    /// Index of the first entry whose key is not below `b` (or above it, for
    /// an excluded bound).
    fn lower(&self, b: Bound<&K>) -> usize {
        match b {
            Bound::Included(k) => self.items.partition_point(|(x, _)| x < k),
            Bound::Excluded(k) => self.items.partition_point(|(x, _)| x <= k),
            Bound::Unbounded => 0,
        }
    }

    /// Index just past the last entry inside the upper bound `b`.
    fn upper(&self, b: Bound<&K>) -> usize {
        match b {
            Bound::Included(k) => self.items.partition_point(|(x, _)| x <= k),
            Bound::Excluded(k) => self.items.partition_point(|(x, _)| x < k),
            Bound::Unbounded => self.items.len(),
        }
    }

    fn span(&self, r: &impl RangeBounds<K>) -> std::ops::Range<usize> {
        let lo = self.lower(r.start_bound());
        lo..self.upper(r.end_bound()).max(lo)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether it has no entries.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The value for `k`.
    pub fn get<Q: Ord + ?Sized>(&self, k: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(k).ok().map(|i| &self.items[i].1)
    }

    /// The value for `k`, to change.
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, k: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(k).ok().map(|i| &mut self.items[i].1)
    }

    /// Whether `k` has a value.
    pub fn contains_key<Q: Ord + ?Sized>(&self, k: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(k).is_ok()
    }

    /// Sets `k` to `v`; returns the value it replaced.
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        match self.find(&k) {
            Ok(i) => Some(std::mem::replace(&mut self.items[i].1, v)),
            Err(i) => {
                self.items.insert(i, (k, v));
                None
            }
        }
    }

    /// Removes `k`; returns its value.
    pub fn remove<Q: Ord + ?Sized>(&mut self, k: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(k).ok().map(|i| self.items.remove(i).1)
    }

    /// The place for `k`.
    pub fn entry(&mut self, k: K) -> Entry<'_, K, V> {
        let at = self.find(&k);
        Entry { items: &mut self.items, at, key: k }
    }

    /// Removes and returns the entry with the lowest key.
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        (!self.items.is_empty()).then(|| self.items.remove(0))
    }

    /// Removes the entries with keys below `k` in place and returns none of
    /// them (what `*map = map.split_off(k)` does to a `BTreeMap`, without a new buffer).
    pub fn keep_from(&mut self, k: &K) {
        let i = self.lower(Bound::Included(k));
        self.items.drain(..i);
    }

    /// Keeps the entries for which `keep` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.items.retain_mut(|(k, v)| keep(k, v));
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator + Clone + '_ {
        self.items.iter().map(|(k, v)| (k, v))
    }

    /// The entries in key order, their values to change.
    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (&K, &mut V)> + ExactSizeIterator + '_ {
        self.items.iter_mut().map(|(k, v)| (&*k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone + '_ {
        self.items.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone + '_ {
        self.items.iter().map(|(_, v)| v)
    }

    /// The values in key order, to change.
    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator + '_ {
        self.items.iter_mut().map(|(_, v)| v)
    }

    /// The entries with keys in `r`, in order.
    pub fn range(&self, r: impl RangeBounds<K>) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator + Clone + '_ {
        let span = self.span(&r);
        self.items[span].iter().map(|(k, v)| (k, v))
    }

    /// The entries with keys in `r`, in order, their values to change.
    pub fn range_mut(&mut self, r: impl RangeBounds<K>) -> impl DoubleEndedIterator<Item = (&K, &mut V)> + ExactSizeIterator + '_ {
        let span = self.span(&r);
        self.items[span].iter_mut().map(|(k, v)| (&*k, v))
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> std::ops::Index<&Q> for VecMap<K, V> {
    type Output = V;
    /// The value for `k`; panics if there is none, as `BTreeMap`'s does.
    fn index(&self, k: &Q) -> &V {
        self.get(k).expect("no entry for the key")
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for VecMap<K, V> {
    /// Later pairs win over earlier ones with the same key, as in `BTreeMap`.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut m = VecMap::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

/// Sorts a short list by `key`, stably (an insertion sort: a few dozen
/// entries at most, such as one message per replica). The standard sort's
/// code, instantiated for each element type, costs the wasm module kilobytes
/// each; this costs a few hundred bytes.
pub fn sort_small_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && key(&v[j - 1]) > key(&v[j]) {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter().map(|(k, v)| (k, v))
    }
}

impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for VecMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.items.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de, K: Ord + serde::Deserialize<'de>, V: serde::Deserialize<'de>> serde::Deserialize<'de> for VecMap<K, V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Pairs<K, V>(std::marker::PhantomData<(K, V)>);
        impl<'de, K: Ord + serde::Deserialize<'de>, V: serde::Deserialize<'de>> serde::de::Visitor<'de> for Pairs<K, V> {
            type Value = VecMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut m = VecMap::new();
                while let Some((k, v)) = a.next_entry()? {
                    m.insert(k, v);
                }
                Ok(m)
            }
        }
        d.deserialize_map(Pairs(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::VecMap;
    use std::collections::BTreeMap;

    /// A little generator, so the test needs no crate.
    fn next(x: &mut u64) -> u64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    #[test]
    fn behaves_like_a_btreemap() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut m = VecMap::new();
        let mut b = BTreeMap::new();
        for _ in 0..20_000 {
            let k = next(&mut x) % 64;
            let v = next(&mut x) % 1000;
            match next(&mut x) % 9 {
                0 | 1 | 2 => assert_eq!(m.insert(k, v), b.insert(k, v)),
                3 => assert_eq!(m.remove(&k), b.remove(&k)),
                4 => {
                    *m.entry(k).or_default() += v;
                    *b.entry(k).or_default() += v;
                }
                5 => assert_eq!(m.pop_first(), b.pop_first()),
                6 => {
                    let (lo, hi) = (k, k + v % 20);
                    assert!(m.range(lo..hi).map(|(k, v)| (*k, *v)).eq(b.range(lo..hi).map(|(k, v)| (*k, *v))));
                    assert!(m.range(lo..=hi).rev().map(|(k, _)| *k).eq(b.range(lo..=hi).rev().map(|(k, _)| *k)));
                    assert!(m.range(..hi).map(|(k, _)| *k).eq(b.range(..hi).map(|(k, _)| *k)));
                    for (_, v) in m.range_mut(lo..) {
                        *v += 1;
                    }
                    for (_, v) in b.range_mut(lo..) {
                        *v += 1;
                    }
                }
                7 => {
                    m.keep_from(&k);
                    b = b.split_off(&k);
                }
                _ => {
                    m.retain(|k, v| (*k + *v) % 3 != 0);
                    b.retain(|k, v| (*k + *v) % 3 != 0);
                }
            }
            assert!(m.iter().eq(b.iter()), "{m:?} vs {b:?}");
            assert_eq!(m.iter().next(), b.iter().next());
            assert_eq!(m.iter().next_back(), b.iter().next_back());
            assert_eq!(m.get(&k), b.get(&k));
        }
    }

    #[test]
    fn sorts_short_lists_stably() {
        let mut x = 7u64;
        for len in 0..40 {
            let v: Vec<(u64, usize)> = (0..len).map(|i| (next(&mut x) % 5, i)).collect();
            let (mut a, mut b) = (v.clone(), v);
            super::sort_small_by_key(&mut a, |p| p.0);
            b.sort_by_key(|p| p.0);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn collects_with_the_last_value_for_a_key_and_prints_as_a_map() {
        let m: VecMap<u32, &str> = [(3, "c"), (1, "a"), (3, "z"), (2, "b")].into_iter().collect();
        let b: BTreeMap<u32, &str> = [(3, "c"), (1, "a"), (3, "z"), (2, "b")].into_iter().collect();
        assert!(m.iter().eq(b.iter()));
        assert_eq!(format!("{m:?}"), format!("{b:?}"));
        let pairs = m.iter().map(|(k, v)| (*k, v.to_string()));
        let back: VecMap<u32, String> =
            serde::Deserialize::deserialize(serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(pairs)).unwrap();
        assert!(back.iter().map(|(k, v)| (*k, v.as_str())).eq(m.iter().map(|(k, v)| (*k, *v))));
        #[cfg(feature = "node")]
        assert_eq!(serde_json::to_string(&m).unwrap(), serde_json::to_string(&b).unwrap());
    }
}

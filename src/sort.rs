//! One small sort for the whole crate. The standard library's sorts cost
//! kilobytes of wasm per element type; this heapsort is O(n log n), never
//! allocates or panics, and exists once in the binary: the element type only
//! reaches it through `dyn` comparison and swap callbacks.

use crate::prelude::*;
use core::cell::Cell;

/// Heapsort of `n` items reached through `less(i, j)` and `swap(i, j)`.
fn heap_sort(n: usize, less: &dyn Fn(usize, usize) -> bool, swap: &dyn Fn(usize, usize)) {
    let sift = |mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && less(child, child + 1) {
            child += 1;
        }
        if !less(root, child) {
            break;
        }
        swap(root, child);
        root = child;
    };
    for i in (0..n / 2).rev() {
        sift(i, n);
    }
    for end in (1..n).rev() {
        swap(0, end);
        sift(0, end);
    }
}

/// Sorts `v` ascending by `less` (not stable: break ties in `less` when the
/// order of equal items matters).
pub(crate) fn sort_by<T: Copy>(v: &mut [T], less: impl Fn(T, T) -> bool) {
    let c = Cell::from_mut(v).as_slice_of_cells();
    let at = |i: usize| c.get(i).map(Cell::get);
    heap_sort(
        c.len(),
        &|i, j| match (at(i), at(j)) {
            (Some(a), Some(b)) => less(a, b),
            _ => false,
        },
        &|i, j| {
            if let (Some(a), Some(b)) = (c.get(i), c.get(j)) {
                a.swap(b)
            }
        },
    );
}

/// Sorts numbers ascending (`f64::total_cmp` order).
pub(crate) fn sort_f64(v: &mut [f64]) {
    sort_by(v, |a, b| a.total_cmp(&b).is_lt());
}

/// For each of `n` keys, the index of the first earlier key equal to it
/// (`None` for a first occurrence or an absent key). O(n log n): the rules
/// file is hostile input and may hold many keys. `key` is `dyn` so the
/// wasm holds one copy for both callers (JSON keys, trigger ids).
pub(crate) fn earlier_equal<'k>(
    n: usize,
    key: &dyn Fn(usize) -> Option<&'k str>,
) -> Vec<Option<usize>> {
    let mut idx: Vec<usize> = (0..n).filter(|&i| key(i).is_some()).collect();
    sort_by(&mut idx, |a, b| (key(a), a) < (key(b), b));
    let mut first = vec![None; n];
    let mut run: Option<usize> = None;
    for w in 0..idx.len() {
        let (Some(&i), prev) = (idx.get(w), w.checked_sub(1).and_then(|p| idx.get(p))) else {
            continue;
        };
        match prev {
            Some(&p) if key(p) == key(i) => {
                if let Some(slot) = first.get_mut(i) {
                    *slot = run;
                }
            }
            _ => run = Some(i),
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_numbers_and_indices() {
        let mut v = [3.0, -1.0, 2.5, 3.0, 0.0, -0.0, 100.0, 1e-9];
        sort_f64(&mut v);
        assert_eq!(v, [-1.0, -0.0, 0.0, 1e-9, 2.5, 3.0, 3.0, 100.0]);
        let mut e: [f64; 0] = [];
        sort_f64(&mut e);
        let mut many: Vec<usize> = (0..1000).map(|i| (i * 7919) % 1000).collect();
        sort_by(&mut many, |a, b| a < b);
        assert_eq!(many, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn finds_the_first_earlier_equal_key() {
        let keys = [
            Some("b"),
            Some("a"),
            None,
            Some("b"),
            Some("a"),
            Some("b"),
            Some("c"),
        ];
        let first = earlier_equal(keys.len(), &|i| keys[i]);
        assert_eq!(first, [None, None, None, Some(0), Some(1), Some(0), None]);
    }
}

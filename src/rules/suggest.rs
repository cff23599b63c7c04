//! "Did you mean": the closest known name by edit distance.

#[cfg(feature = "suggest")]
use crate::prelude::*;

/// Longest name worth comparing; longer input gets no suggestion (keeps the
/// quadratic distance cheap on hostile input).
#[cfg(feature = "suggest")]
const MAX_LEN: usize = 64;

/// The candidate closest to `name` (ASCII-case-insensitive Levenshtein
/// distance: the names suggested are ASCII),
/// if it is close enough to be a likely typo.
#[cfg(feature = "suggest")]
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let name: Vec<char> = name.chars().map(|c| c.to_ascii_lowercase()).collect();
    if name.is_empty() || name.len() > MAX_LEN {
        return None;
    }
    let limit = (name.len() / 3).clamp(1, 3);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = distance(&name, c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Without the `suggest` feature (the tag build) there are no suggestions:
/// messages list the valid names instead.
#[cfg(not(feature = "suggest"))]
pub fn closest<'c>(_: &str, _: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    None
}

/// Edit distance between `a` (already lower-case) and `b`, in chars, counting
/// a swap of two neighbours as one edit (optimal string alignment).
#[cfg(feature = "suggest")]
fn distance(a: &[char], b: &str) -> usize {
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let mut d = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
            if i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca) {
                d = d.min(before[j - 1] + 1);
            }
            cur[j + 1] = d;
        }
        core::mem::swap(&mut before, &mut prev);
        core::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(all(test, feature = "suggest"))]
mod tests {
    use super::closest;

    #[test]
    fn suggests_close_names_only() {
        let ops = ["equals", "contains", "starts_with", "ends_with"];
        assert_eq!(closest("start_with", ops), Some("starts_with"));
        assert_eq!(closest("Contains", ops), Some("contains"));
        assert_eq!(closest("strats_with", ops), Some("starts_with"));
        assert_eq!(closest("banana", ops), None);
        assert_eq!(closest("", ops), None);
        assert_eq!(closest(&"x".repeat(100_000), ops), None);
    }
}

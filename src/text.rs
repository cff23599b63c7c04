//! String helpers that keep the wasm tag small: joining pieces without
//! `format!` (its machinery costs kilobytes) and a substring search without
//! the standard library's Two-Way searcher (texts here are capped and short).

use crate::prelude::*;

/// The pieces joined, like `format!("{a}{b}{c}")` for strings.
pub fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    parts.iter().for_each(|p| s.push_str(p));
    s
}

/// Whether `needle` occurs in `hay` (`hay.contains(needle)`), by a plain
/// byte scan: O(len × needle len), fine for the capped texts conditions see.
pub fn contains(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w == n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_searches() {
        assert_eq!(concat(&["triggers[0]", ".value"]), "triggers[0].value");
        assert_eq!(concat(&[]), "");
        for (h, n) in [
            ("Sign up now", "up"),
            ("abc", ""),
            ("", ""),
            ("", "a"),
            ("ab", "abc"),
            ("ééx", "éx"),
            ("aab", "ab"),
            ("abab", "bb"),
        ] {
            assert_eq!(contains(h, n), h.contains(n), "{h:?} {n:?}");
        }
    }
}

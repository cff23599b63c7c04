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

/// The decimal digits of `n`, written at the end of `buf` (no `format!`;
/// the one integer writer of the core).
pub fn uint_digits(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(d) = buf.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    buf.get(i..).unwrap_or(&[])
}

/// Appends `n` in decimal.
pub fn push_uint(out: &mut String, n: u64) {
    let mut buf = [0; 20];
    uint_digits(n, &mut buf)
        .iter()
        .for_each(|&c| out.push(char::from(c)));
}

/// `s.rsplit_once(sep)` for an ASCII `sep`: a byte scan, without the
/// standard library's reverse char searcher (its wasm is only used here).
pub fn rsplit_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().rposition(|b| b == sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// `s.split_once(sep)` for an ASCII `sep`: a byte scan. A `char` pattern
/// brings std's char searcher into the module (about 0.7 KB of wasm).
pub fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// Where the first byte of `s` that is one of the ASCII `set` is, or `s`'s
/// length (`s.find([..]).unwrap_or(s.len())` without std's char searcher).
pub fn find_any(s: &str, set: &[u8]) -> usize {
    s.bytes().position(|b| set.contains(&b)).unwrap_or(s.len())
}

/// `s` without its leading `byte`s (`s.trim_start_matches(c)` for ASCII).
pub fn trim_start_byte(s: &str, byte: u8) -> &str {
    s.get(s.bytes().take_while(|&b| b == byte).count()..)
        .unwrap_or(s)
}

/// `s.split(sep)` for an ASCII `sep`, by [`split_once`].
pub fn split(s: &str, sep: u8) -> Split<'_> {
    Split { rest: Some(s), sep }
}

/// The iterator of [`split`].
#[derive(Debug, Clone)]
pub struct Split<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        match split_once(s, self.sep) {
            Some((piece, rest)) => {
                self.rest = Some(rest);
                Some(piece)
            }
            None => {
                self.rest = None;
                Some(s)
            }
        }
    }
}

/// `String::from_utf8_lossy(b)`: each maximal invalid subpart becomes one
/// U+FFFD (the WHATWG/Unicode rule std follows). Written out because std's
/// version links a UTF-8 validator and chunk iterator (about 1 KB of wasm).
pub fn from_utf8_lossy(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c0) = b.get(i) {
        // Sequence length and the allowed range of the second byte.
        let (len, lo, hi): (usize, u8, u8) = match c0 {
            0x00..=0x7F => (1, 0, 0),
            0xC2..=0xDF => (2, 0x80, 0xBF),
            0xE0 => (3, 0xA0, 0xBF),
            0xED => (3, 0x80, 0x9F),
            0xE1..=0xEF => (3, 0x80, 0xBF),
            0xF0 => (4, 0x90, 0xBF),
            0xF1..=0xF3 => (4, 0x80, 0xBF),
            0xF4 => (4, 0x80, 0x8F),
            _ => (0, 0, 0),
        };
        // The lead byte's payload bits (the bit above them is always 0).
        let mut code = u32::from(c0) & (0x7F >> len.saturating_sub(1));
        let mut k = 1;
        while k < len {
            let (l, h) = if k == 1 { (lo, hi) } else { (0x80, 0xBF) };
            match b.get(i + k) {
                Some(&c) if (l..=h).contains(&c) => code = code << 6 | u32::from(c & 0x3F),
                _ => break,
            }
            k += 1;
        }
        out.push(match char::from_u32(code) {
            Some(c) if k == len => c,
            _ => '\u{FFFD}',
        });
        i += k;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossy_utf8_matches_std() {
        // Bytes around every boundary of the UTF-8 tables.
        let interesting: &[u8] = &[
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
            0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ];
        let check = |b: &[u8]| assert_eq!(from_utf8_lossy(b), String::from_utf8_lossy(b), "{b:x?}");
        for a in 0..=255u8 {
            for c in 0..=255u8 {
                check(&[a, c]);
            }
        }
        for &a in interesting {
            for &c in interesting {
                for &d in interesting {
                    for &e in interesting {
                        check(&[a, c, d, e]);
                        check(&[a, c, d, e, a]);
                    }
                }
            }
        }
        check("héllo €𝄞 ok".as_bytes());
        check(b"");
    }

    #[test]
    fn writes_integers() {
        for n in [0, 7, 10, 99, 1000, 123456789, u64::MAX] {
            let mut s = String::from("x");
            push_uint(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }

    #[test]
    fn splits_at_the_last_separator() {
        for s in ["a@b@c", "@", "", "abc", "é@ü.x", "x.tar.gz", "/p/file.pdf"] {
            for sep in [b'@', b'.', b'/'] {
                assert_eq!(rsplit_once(s, sep), s.rsplit_once(char::from(sep)), "{s:?}");
            }
        }
    }

    #[test]
    fn splits_as_std_does() {
        let cases = [
            "a=b=c",
            "=",
            "",
            "abc",
            "é=ü&x",
            "&&",
            "a&b&",
            "&a",
            "k=v&k2&=v3",
        ];
        for s in cases {
            for sep in [b'=', b'&', b'#'] {
                let c = char::from(sep);
                assert_eq!(split_once(s, sep), s.split_once(c), "{s:?}");
                assert_eq!(
                    find_any(s, &[sep, b'x']),
                    s.find([c, 'x']).unwrap_or(s.len())
                );
                assert_eq!(trim_start_byte(s, sep), s.trim_start_matches(c));
                assert_eq!(
                    split(s, sep).collect::<Vec<_>>(),
                    s.split(c).collect::<Vec<_>>(),
                    "{s:?}"
                );
            }
        }
    }

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

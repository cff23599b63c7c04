//! The masking scanner: one forward pass over the bytes of the text. The
//! patterns are ASCII, so every cut falls on an ASCII byte and so on a
//! character boundary; non-ASCII text is copied as is.

#[allow(unused_imports)]
use crate::prelude::*;

use super::{EMAIL_MASK, MIN_DIGITS, NUMBER_MASK};

/// The output with a budget in characters: what does not fit is dropped.
pub(super) struct Sink<'a> {
    out: &'a mut String,
    left: usize,
}

impl<'a> Sink<'a> {
    pub(super) fn new(out: &'a mut String, max_chars: usize) -> Self {
        Sink {
            out,
            left: max_chars,
        }
    }

    /// Appends as much of `s` as the budget allows.
    pub(super) fn push(&mut self, s: &str) {
        if self.left == 0 {
            return;
        }
        let mut n = 0;
        let mut end = s.len();
        for (i, _) in s.char_indices() {
            if n == self.left {
                end = i;
                break;
            }
            n += 1;
        }
        self.out.push_str(s.get(..end).unwrap_or(""));
        self.left -= n;
    }
}

/// A byte of an e-mail local part: `[A-Za-z0-9._%+-]`.
fn is_local(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// A byte of a domain label: letters, digits, `-`, or part of a non-ASCII
/// character (internationalised domain names).
fn is_label(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c >= 0x80
}

fn is_hex(c: Option<&u8>) -> bool {
    c.is_some_and(u8::is_ascii_hexdigit)
}

/// End of the domain of an address whose `@` ends just before `d`: labels
/// joined by single dots, the last one starting with two or more ASCII
/// letters (the address ends after them: `a@x.de—ok` ends after `de`).
fn domain_at(b: &[u8], d: usize) -> Option<usize> {
    if !b
        .get(d)
        .copied()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c >= 0x80)
    {
        return None;
    }
    let mut end = d;
    while end < b.len()
        && (is_label(at(b, end)) || (at(b, end) == b'.' && at(b, end.wrapping_sub(1)) != b'.'))
    {
        end += 1;
    }
    // Try the last dot first, then earlier ones (`a@x.com.123` is `a@x.com`).
    loop {
        let dot = d + b.get(d..end)?.iter().rposition(|&c| c == b'.')?;
        let tld = b
            .get(dot + 1..end)?
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if tld >= 2 && at(b, dot.wrapping_sub(1)) != b'.' {
            return Some(dot + 1 + tld);
        }
        end = dot;
    }
}

/// An e-mail address whose local part starts at `i`: `Ok(end)`, or
/// `Err(end of the local-part run)` (no address starts inside that run).
fn email_at(b: &[u8], i: usize) -> Result<usize, usize> {
    let mut k = i;
    while k < b.len() && is_local(at(b, k)) {
        if k > i && at(b, k) == b'%' && b.get(k + 1) == Some(&b'4') && b.get(k + 2) == Some(&b'0') {
            if let Some(end) = domain_at(b, k + 3) {
                return Ok(end);
            }
        }
        k += 1;
    }
    if k > i && b.get(k) == Some(&b'@') {
        if let Some(end) = domain_at(b, k + 1) {
            return Ok(end);
        }
    }
    Err(k)
}

/// The byte at `i`, 0 past either end: checked reads, so the tag carries no
/// panicking index (whose message formatting costs kilobytes of wasm).
fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// `text[from..to]`, or "" (never: callers pass ASCII boundaries).
fn sub(text: &str, from: usize, to: usize) -> &str {
    text.get(from..to).unwrap_or("")
}

fn two_digits(b: &[u8], i: usize) -> u8 {
    (at(b, i).wrapping_sub(b'0'))
        .wrapping_mul(10)
        .wrapping_add(at(b, i + 1).wrapping_sub(b'0'))
}

/// A calendar date at `i` (`YYYY-MM-DD`, `DD-MM-YYYY`, `MM-DD-YYYY`, with `-`,
/// `.` or `/`, the same separator twice): its end.
fn date_at(b: &[u8], i: usize) -> Option<usize> {
    if i > 0 && at(b, i - 1).is_ascii_digit() {
        return None;
    }
    let s = b.get(i..i + 10)?;
    if b.get(i + 10).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let digits = |from: usize, to: usize| {
        s.get(from..to)
            .is_some_and(|r| r.iter().all(u8::is_ascii_digit))
    };
    let month = |v: u8| (1..=12).contains(&v);
    let day = |v: u8| (1..=31).contains(&v);
    let sep = |c: u8| matches!(c, b'-' | b'.' | b'/');
    let ymd = digits(0, 4)
        && sep(at(s, 4))
        && at(s, 7) == at(s, 4)
        && digits(5, 7)
        && digits(8, 10)
        && month(two_digits(s, 5))
        && day(two_digits(s, 8));
    let dmy = || {
        digits(0, 2) && sep(at(s, 2)) && at(s, 5) == at(s, 2) && digits(3, 5) && digits(6, 10) && {
            let (p, q) = (two_digits(s, 0), two_digits(s, 3));
            (day(p) && month(q)) || (month(p) && day(q))
        }
    };
    (ymd || dmy()).then_some(i + 10)
}

/// Length of a separator between digit groups at `k`: `)`? then one of
/// space, `-`, `.`, `+`, `%20`, then `(`?; at least one byte.
fn sep_len(b: &[u8], k: usize) -> usize {
    let mut n = 0;
    if b.get(k) == Some(&b')') {
        n += 1;
    }
    match b.get(k + n) {
        Some(b' ' | b'-' | b'.' | b'+') => n += 1,
        Some(b'%') if b.get(k + n + 1) == Some(&b'2') && b.get(k + n + 2) == Some(&b'0') => n += 3,
        _ => {}
    }
    if b.get(k + n) == Some(&b'(') {
        n += 1;
    }
    n
}

/// The digit run starting at digit `i`: its end (after its last digit) and
/// how many digits it has.
fn digit_run(b: &[u8], i: usize) -> (usize, usize) {
    let mut k = i;
    let mut digits = 0;
    loop {
        while k < b.len() && at(b, k).is_ascii_digit() {
            k += 1;
            digits += 1;
        }
        let n = sep_len(b, k);
        if n == 0 || !b.get(k + n).is_some_and(u8::is_ascii_digit) {
            return (k, digits);
        }
        k += n;
    }
}

/// Masks `text` into `sink`.
pub(super) fn mask(text: &str, sink: &mut Sink<'_>) {
    let b = text.as_bytes();
    let mut flushed = 0;
    let mut i = 0;
    // Local-part runs already searched for an address, up to this index.
    let mut searched = 0;
    while i < b.len() {
        if sink.left == 0 {
            return;
        }
        // Everything from here on would be cut by the cap: stop scanning.
        if i - flushed >= sink.left.saturating_mul(4) {
            break;
        }
        let c = at(b, i);
        if is_local(c) && i >= searched && (i == flushed || !is_local(at(b, i.wrapping_sub(1)))) {
            match email_at(b, i) {
                Ok(end) => {
                    sink.push(sub(text, flushed, i));
                    sink.push(EMAIL_MASK);
                    flushed = end;
                    i = end;
                    continue;
                }
                Err(end) => searched = end,
            }
        }
        if c.is_ascii_digit() {
            if let Some(end) = date_at(b, i) {
                i = end;
                continue;
            }
            let (end, digits) = digit_run(b, i);
            if digits >= MIN_DIGITS {
                let start = if i > flushed && matches!(at(b, i - 1), b'+' | b'(') {
                    i - 1
                } else {
                    i
                };
                sink.push(sub(text, flushed, start));
                sink.push(NUMBER_MASK);
                flushed = end;
                i = end;
                continue;
            }
        } else if c == b'%' && is_hex(b.get(i + 1)) && is_hex(b.get(i + 2)) {
            // An escape's hex digits are not digits of a number.
            i += 3;
            continue;
        }
        i += 1;
    }
    sink.push(sub(text, flushed, text.len()));
}

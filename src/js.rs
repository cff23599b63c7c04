//! JavaScript semantics the core needs for numbers and text: `Number(s)`,
//! `String(x)` and `toLowerCase()`.
//!
//! In the browser (wasm32) the browser's own functions do it: Rust's float
//! parsing and Unicode case tables would add tens of kilobytes to the tag.
//! Natively the same semantics are written in Rust (tests, CLI, benchmarks).
//! This is the core's only platform seam besides [`crate::backend::Backend`]:
//! everything else stays plain Rust.

use crate::prelude::*;

#[cfg(target_arch = "wasm32")]
mod imp {
    use crate::prelude::*;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// JS `Number(s)`.
        #[wasm_bindgen(js_name = Number)]
        pub fn number(s: &str) -> f64;
        /// JS `String(x)` of a number.
        #[wasm_bindgen(js_name = String)]
        pub fn number_string(x: f64) -> String;
        /// JS `s.toLowerCase()`.
        #[wasm_bindgen(js_namespace = ["String", "prototype", "toLowerCase"], js_name = call)]
        pub fn lower(s: &str) -> String;

        /// A `RegExp`.
        #[wasm_bindgen(js_name = RegExp)]
        type Re;
        /// `new RegExp(pattern, flags)`; `Err` where the syntax is unsupported.
        #[wasm_bindgen(catch, constructor, js_class = "RegExp")]
        fn new(pattern: &str, flags: &str) -> Result<Re, JsValue>;
        /// `RegExp.prototype.test`.
        #[wasm_bindgen(method)]
        fn test(this: &Re, s: &str) -> bool;
    }

    /// `\p{Alphabetic}` and `\p{N}` are Rust's `is_alphabetic` and
    /// `is_numeric`: the browser's Unicode tables instead of Rust's (2 KB).
    /// A browser without property escapes (pre-2020) accepts the text.
    pub fn is_host_chars(s: &str) -> bool {
        Re::new("^[\\p{Alphabetic}\\p{N}.-]*$", "u").map_or(true, |re| re.test(s))
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use crate::prelude::*;

    /// JS `Number(s)`: whitespace trimmed, "" → 0, `0x`/`0o`/`0b` integers,
    /// `Infinity`, decimal literals; anything else is NaN.
    pub fn number(s: &str) -> f64 {
        let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if t.is_empty() {
            return 0.0;
        }
        match t {
            "Infinity" | "+Infinity" => return f64::INFINITY,
            "-Infinity" => return f64::NEG_INFINITY,
            _ => {}
        }
        let b = t.as_bytes();
        if b.len() > 2 && b[0] == b'0' {
            let radix = match b[1] | 0x20 {
                b'x' => 16,
                b'o' => 8,
                b'b' => 2,
                _ => 0,
            };
            if radix != 0 {
                let mut n = 0.0f64;
                for &c in &b[2..] {
                    match (c as char).to_digit(radix) {
                        Some(d) => n = n * f64::from(radix) + f64::from(d),
                        None => return f64::NAN,
                    }
                }
                return n;
            }
        }
        if !is_decimal_literal(b) {
            return f64::NAN;
        }
        t.parse::<f64>().unwrap_or(f64::NAN)
    }

    /// `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`: what JS
    /// accepts (Rust's parser also takes `inf`/`nan`, which JS does not).
    fn is_decimal_literal(b: &[u8]) -> bool {
        let mut i = 0;
        if matches!(b.first(), Some(b'+' | b'-')) {
            i = 1;
        }
        let digits = |i: &mut usize| {
            let start = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            *i - start
        };
        let mut mantissa = digits(&mut i);
        if i < b.len() && b[i] == b'.' {
            i += 1;
            mantissa += digits(&mut i);
        }
        if mantissa == 0 {
            return false;
        }
        if i < b.len() && (b[i] | 0x20) == b'e' {
            i += 1;
            if i < b.len() && matches!(b[i], b'+' | b'-') {
                i += 1;
            }
            if digits(&mut i) == 0 {
                return false;
            }
        }
        i == b.len()
    }

    /// JS `s.toLowerCase()` (Unicode default case mapping, as Rust's).
    pub fn lower(s: &str) -> String {
        s.to_lowercase()
    }

    /// Letters and digits (Unicode), `-` and `.` only.
    pub fn is_host_chars(s: &str) -> bool {
        s.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
    }
}

/// JavaScript `Number(s)` (`" 42 "` → 42, `"0x1F"` → 31, `"1px"` → NaN).
pub fn number(s: &str) -> f64 {
    imp::number(s)
}

/// The browser's `String(x)` for a number that is not a safe integer (those
/// the callers write themselves, without allocating): `0.5`, `1e+21`.
/// Natively `crate::engine::js_string` does it in Rust.
#[cfg(target_arch = "wasm32")]
pub(crate) fn number_string(x: f64) -> String {
    imp::number_string(x)
}

/// JavaScript `s.toLowerCase()`; ASCII text is lowered here without a call.
pub fn lower(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        imp::lower(s)
    }
}

/// Whether `s` has only letters and digits (Unicode: Rust's
/// `char::is_alphanumeric`), `-` and `.`; ASCII text is checked here without a call.
pub fn is_host_chars(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    } else {
        imp::is_host_chars(s)
    }
}

/// Appends `s.toLowerCase()` to `out`; allocates only for non-ASCII text.
pub fn push_lower(out: &mut String, s: &str) {
    if s.is_ascii() {
        out.extend(s.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        out.push_str(&imp::lower(s));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_chars_are_unicode_letters_digits_dash_dot() {
        for ok in [
            "shop.example.com",
            "a-b.c",
            "bücher.de",
            "例え.テスト",
            "x٣.com",
            "",
        ] {
            assert!(is_host_chars(ok), "{ok:?}");
        }
        for bad in ["a_b.com", "a b", "shop!.com", "a\u{2028}b", "a…b", "€.com"] {
            assert!(!is_host_chars(bad), "{bad:?}");
        }
    }

    #[test]
    fn lower_case_follows_js() {
        assert_eq!(lower("Sign-UP"), "sign-up");
        assert_eq!(lower("ÉCOLE Straße"), "école straße");
        let mut s = String::from("x:");
        push_lower(&mut s, "ÀB");
        push_lower(&mut s, "CD");
        assert_eq!(s, "x:àbcd");
    }
}

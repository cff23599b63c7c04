//! Values and their JavaScript conversions: `Number(x)` and `String(x)`, done
//! without allocating (conditions run on every event) and without
//! `core::fmt` float formatting (it bloats the wasm).

use crate::prelude::*;

/// A variable's value while evaluating or in a beacon.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Absent (an element without `id`, a data-layer key not pushed).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Num(f64),
    /// Text.
    Str(String),
}

impl Value {
    /// A borrowed view, for evaluation.
    pub(crate) fn as_val<E>(&self) -> Val<'_, E> {
        match self {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Num(n) => Val::Num(*n),
            Value::Str(s) => Val::Str(s),
        }
    }
}

/// A resolved variable, borrowed from the event's scope (no allocation).
pub(crate) enum Val<'a, E> {
    Null,
    Bool(bool),
    Num(f64),
    Str(&'a str),
    Elem(&'a E),
}

impl<E> Val<'_, E> {
    /// JavaScript `Number(v)`: null → 0, bool → 1/0, strings parsed, elements NaN.
    pub(crate) fn to_number(&self) -> f64 {
        match self {
            Val::Null => 0.0,
            Val::Bool(b) => f64::from(u8::from(*b)),
            Val::Num(n) => *n,
            Val::Str(s) => js_number(s),
            Val::Elem(_) => f64::NAN,
        }
    }

    /// JavaScript `String(v)`, except that null (and an element) give "".
    pub(crate) fn string_form<'s>(&'s self, buf: &'s mut NumBuf) -> &'s str {
        match self {
            Val::Null | Val::Elem(_) => "",
            Val::Bool(true) => "true",
            Val::Bool(false) => "false",
            Val::Num(n) => buf.js_string(*n),
            Val::Str(s) => s,
        }
    }
}

/// JavaScript `Number(s)` for a string (see [`crate::js::number`]).
pub fn js_number(s: &str) -> f64 {
    crate::js::number(s)
}

/// `x.round()` (half away from zero) without `std`, whose float functions
/// the `no_std` tag build lacks.
pub(crate) fn round(x: f64) -> f64 {
    let a = x.abs();
    // From 2^52 on every f64 is an integer; NaN and infinities stay as they are.
    if a.is_nan() || a >= 4_503_599_627_370_496.0 {
        return x;
    }
    let t = (a as u64) as f64;
    let r = if a - t >= 0.5 { t + 1.0 } else { t };
    r.copysign(x)
}

/// A stack buffer for a number's string form.
pub(crate) struct NumBuf {
    b: [u8; 48],
    len: usize,
}

impl Default for NumBuf {
    fn default() -> Self {
        NumBuf { b: [0; 48], len: 0 }
    }
}

impl NumBuf {
    /// Keeps ASCII only, so the buffer is always valid UTF-8 (see `as_str`).
    fn push(&mut self, c: u8) {
        if self.len < self.b.len() && c.is_ascii() {
            self.b[self.len] = c;
            self.len += 1;
        }
    }

    fn push_str(&mut self, s: &str) {
        s.bytes().for_each(|c| self.push(c));
    }

    fn push_uint(&mut self, n: u64) {
        let mut tmp = [0u8; 20];
        crate::text::uint_digits(n, &mut tmp)
            .iter()
            .for_each(|&c| self.push(c));
    }

    fn as_str(&self) -> &str {
        let b = self.b.get(..self.len).unwrap_or(&[]);
        // SAFETY: `push` stores ASCII bytes only, and ASCII is UTF-8. (No
        // `from_utf8`: its validator would only add wasm bytes.)
        unsafe { core::str::from_utf8_unchecked(b) }
    }

    /// JavaScript `String(x)`. Safe integers (the usual case) are written
    /// here without allocating; other numbers go to `js_general`.
    pub(crate) fn js_string(&mut self, x: f64) -> &str {
        self.len = 0;
        if x.is_nan() {
            return "NaN";
        }
        if x == 0.0 {
            return "0";
        }
        let a = x.abs();
        if a < 9_007_199_254_740_992.0 && a == (a as u64) as f64 {
            if x < 0.0 {
                self.push(b'-');
            }
            self.push_uint(a as u64);
            return self.as_str();
        }
        self.js_general(x)
    }

    /// The browser's own `String(x)`.
    #[cfg(target_arch = "wasm32")]
    fn js_general(&mut self, x: f64) -> &str {
        self.push_str(&crate::js::number_string(x));
        self.as_str()
    }

    /// `String(x)` in Rust: the shortest digits that read back as `x`, found
    /// by trying each precision, laid out like JS. This matches JS for every
    /// value a rule can hold (only numbers that need all 17 digits may differ
    /// from JS in the last digit, still reading back as `x`).
    #[cfg(not(target_arch = "wasm32"))]
    fn js_general(&mut self, x: f64) -> &str {
        if x < 0.0 {
            self.push(b'-');
        }
        let a = x.abs();
        if a.is_infinite() {
            self.push_str("Infinity");
            return self.as_str();
        }
        let sign = self.len;
        let mut e10 = a.log10().floor() as i32;
        for precision in 1..=17i32 {
            // digits ≈ a × 10^(precision-1-e10), an integer of `precision`
            // digits; the scaling may be off by a few units, so neighbours are tried.
            let mut digits = scale10(a, precision - 1 - e10).round();
            let mut exp = e10;
            if digits >= pow10(precision) {
                digits /= 10.0;
                exp += 1;
            }
            for delta in [0.0, -1.0, 1.0, -2.0, 2.0, -3.0, 3.0] {
                let candidate = digits + delta;
                if candidate < pow10(precision - 1) || candidate >= pow10(precision) {
                    continue;
                }
                self.len = sign;
                self.write_js_digits(candidate as u64, precision, exp + 1);
                if self.as_str()[sign..].parse::<f64>() == Ok(a) {
                    return self.as_str();
                }
            }
            e10 = exp;
        }
        self.as_str()
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// Writes `0.d1d2…dk × 10^n` the way `Number.prototype.toString` lays it out.
    fn write_js_digits(&mut self, mut digits: u64, mut k: i32, n: i32) {
        // Trailing zeros are not digits.
        while k > 1 && digits.is_multiple_of(10) {
            digits /= 10;
            k -= 1;
        }
        let mut d = [0u8; 20];
        for i in (0..k as usize).rev() {
            d[i] = b'0' + (digits % 10) as u8;
            digits /= 10;
        }
        let d = &d[..k as usize];
        if k <= n && n <= 21 {
            d.iter().for_each(|&c| self.push(c));
            (0..n - k).for_each(|_| self.push(b'0'));
        } else if 0 < n && n <= 21 {
            d[..n as usize].iter().for_each(|&c| self.push(c));
            self.push(b'.');
            d[n as usize..].iter().for_each(|&c| self.push(c));
        } else if -6 < n && n <= 0 {
            self.push_str("0.");
            (0..-n).for_each(|_| self.push(b'0'));
            d.iter().for_each(|&c| self.push(c));
        } else {
            self.push(d[0]);
            if k > 1 {
                self.push(b'.');
                d[1..].iter().for_each(|&c| self.push(c));
            }
            self.push(b'e');
            let e = n - 1;
            self.push(if e < 0 { b'-' } else { b'+' });
            self.push_uint(u64::from(e.unsigned_abs()));
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
/// `10^k`, correctly rounded (powers up to 22 are exact in f64; beyond, the
/// decimal parser rounds correctly where repeated multiplication would not).
fn pow10(k: i32) -> f64 {
    if (0..=22).contains(&k) {
        return 10f64.powi(k);
    }
    let mut b = NumBuf::default();
    b.push_str("1e");
    if k < 0 {
        b.push(b'-');
    }
    b.push_uint(u64::from(k.unsigned_abs()));
    b.as_str().parse().unwrap_or(f64::NAN)
}

#[cfg(not(target_arch = "wasm32"))]
/// `a × 10^k` without overflowing the intermediate power for tiny or huge `a`.
fn scale10(a: f64, k: i32) -> f64 {
    if k > 300 {
        a * pow10(300) * pow10(k - 300)
    } else if k < -300 {
        a * pow10(-300) * pow10(k + 300)
    } else if k < 0 {
        a / pow10(-k)
    } else {
        a * pow10(k)
    }
}

/// `s` cut to at most `max` characters, on a character boundary.
pub(crate) fn cap(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(x: f64) -> String {
        NumBuf::default().js_string(x).to_string()
    }

    #[test]
    fn number_coercion_follows_js() {
        assert_eq!(js_number(""), 0.0);
        assert_eq!(js_number("  \n\t "), 0.0);
        assert_eq!(js_number(" 42 "), 42.0);
        assert_eq!(js_number("-1.5e3"), -1500.0);
        assert_eq!(js_number(".5"), 0.5);
        assert_eq!(js_number("5."), 5.0);
        assert_eq!(js_number("+7"), 7.0);
        assert_eq!(js_number("0x1F"), 31.0);
        assert_eq!(js_number("0o17"), 15.0);
        assert_eq!(js_number("0B101"), 5.0);
        assert_eq!(js_number("Infinity"), f64::INFINITY);
        assert_eq!(js_number("-Infinity"), f64::NEG_INFINITY);
        for bad in [
            "abc", "1px", "inf", "nan", "NaN", "1e", ".", "-0x10", "0x", "1 2", "infinity", "e5",
        ] {
            assert!(js_number(bad).is_nan(), "{bad:?}");
        }
    }

    #[test]
    fn string_form_follows_js() {
        assert_eq!(js(0.0), "0");
        assert_eq!(js(-0.0), "0");
        assert_eq!(js(50.0), "50");
        assert_eq!(js(-3.0), "-3");
        assert_eq!(js(0.5), "0.5");
        assert_eq!(js(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(js(123.456), "123.456");
        assert_eq!(js(1e21), "1e+21");
        assert_eq!(js(1.5e-7), "1.5e-7");
        assert_eq!(js(0.000001), "0.000001");
        assert_eq!(js(1e20), "100000000000000000000");
        assert_eq!(js(f64::NAN), "NaN");
        assert_eq!(js(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(js(5e-324), "5e-324");
        // 17 significant digits: several digit strings read back as the
        // value; ours reads back exactly, its last digit may differ from JS.
        assert_eq!(js(f64::MAX).parse::<f64>(), Ok(f64::MAX));
        assert_eq!(js(12.34), "12.34");
    }

    #[test]
    fn round_matches_std() {
        for x in [
            0.0,
            -0.0,
            0.4,
            0.5,
            0.49999999999999994,
            1.5,
            2.5,
            -2.5,
            -0.4,
            12.3456e3,
            4_503_599_627_370_495.5,
            1e300,
            -7.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            let (ours, std) = (round(x), x.round());
            assert!(
                ours == std && ours.is_sign_negative() == std.is_sign_negative(),
                "{x}: {ours} vs {std}"
            );
        }
        assert!(round(f64::NAN).is_nan());
    }

    #[test]
    fn cap_counts_chars() {
        assert_eq!(cap("héllo", 2), "hé");
        assert_eq!(cap("hi", 5), "hi");
    }
}

//! Beacon payloads: the JSON the collector receives, written by hand so the
//! tag carries no JSON serializer (and no `core::fmt` float formatting).
//!
//! Body: `{"v":1,"sent_at":<ms>,"events":[...]}`; each event
//! `{"id","conversion","trigger","at","session","macro","page":{"url","path","title","referrer"},"vars":{...}}`
//! (the contract in `notes/common.md`).
//!
//! Privacy: URLs leave the page without their fragment and with only the query
//! parameters listed in the rules' `allow_query` (page URL, referrer, and the
//! `link.url`, `click.url`, `video.url` variables); conditions still see the
//! full URLs.

use std::borrow::Cow;

use crate::engine::{Conversion, Page, Value, TEXT_CAP, URL_CAP};
use crate::json::write_str;
use crate::rules::model::Trigger;

/// Most bytes of one request body: the contract says under 60 KB.
pub const MAX_BODY: usize = 60_000;

/// What the shell supplies for one event besides the conversion.
#[derive(Debug, Clone, Copy)]
pub struct EventMeta<'a> {
    /// 32 lower-case hex characters, random: the collector's de-duplication key.
    pub id: &'a str,
    /// Epoch milliseconds when the conversion happened.
    pub at: f64,
    /// 16 lower-case hex characters, random per browser-tab session.
    pub session: &'a str,
    /// Query parameters that may stay in URLs (the rules' `allow_query`).
    pub allow_query: &'a [String],
}

/// Writes a JSON number: integers exactly, others rounded to at most 3
/// decimals with trailing zeros trimmed; NaN and infinities as `null`.
pub fn write_num(out: &mut String, x: f64) {
    if !x.is_finite() {
        out.push_str("null");
        return;
    }
    let neg = x < 0.0;
    let a = x.abs();
    // Past 2^53 / 1000 thousandths lose precision; such numbers are integers.
    if a >= 9.0e12 {
        let a = a.round();
        if neg && a != 0.0 {
            out.push('-');
        }
        if a < 1e21 {
            push_uint(out, a as u128);
        } else {
            // Rare: let the exact-digits path of the engine write it.
            out.push_str(crate::engine::js_string(a).as_str());
        }
        return;
    }
    let thousandths = (a * 1000.0).round() as u64;
    if neg && thousandths != 0 {
        out.push('-');
    }
    push_uint(out, u128::from(thousandths / 1000));
    let mut frac = thousandths % 1000;
    if frac != 0 {
        out.push('.');
        let mut digits = 3;
        while frac.is_multiple_of(10) {
            frac /= 10;
            digits -= 1;
        }
        let s = [
            (frac / 100) as u8,
            (frac / 10 % 10) as u8,
            (frac % 10) as u8,
        ];
        for d in &s[3 - digits..] {
            out.push((b'0' + d) as char);
        }
    }
}

fn push_uint(out: &mut String, mut n: u128) {
    let mut tmp = [0u8; 40];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    tmp[i..].iter().for_each(|&c| out.push(c as char));
}

/// `url` without its fragment and with only the `allow`ed query parameters
/// (compared after the `=`-less name, exactly), capped at [`URL_CAP`] chars.
pub fn clean_url<'a>(url: &'a str, allow: &[String]) -> Cow<'a, str> {
    let url = url.split('#').next().unwrap_or("");
    let capped = |s: &'a str| Cow::Borrowed(crate::engine::cap_str(s, URL_CAP));
    let Some((base, query)) = url.split_once('?') else {
        return capped(url);
    };
    let mut kept = String::with_capacity(url.len());
    kept.push_str(base);
    let mut first = true;
    for param in query.split('&').filter(|p| !p.is_empty()) {
        let name = param.split('=').next().unwrap_or("");
        if allow.iter().any(|a| a == name) {
            kept.push(if first { '?' } else { '&' });
            kept.push_str(param);
            first = false;
        }
    }
    if first && kept.len() == base.len() {
        return capped(base);
    }
    Cow::Owned(crate::engine::cap_str(&kept, URL_CAP).to_string())
}

fn is_url_var(name: &str) -> bool {
    matches!(name, "link.url" | "click.url" | "video.url")
}

fn key(out: &mut String, name: &str) {
    write_str(out, name);
    out.push(':');
}

/// Appends one event object.
pub fn write_event(
    out: &mut String,
    trigger: &Trigger,
    conv: &Conversion,
    page: &Page,
    meta: &EventMeta<'_>,
) {
    out.push('{');
    key(out, "id");
    write_str(out, meta.id);
    out.push(',');
    key(out, "conversion");
    write_str(out, &trigger.conversion);
    out.push(',');
    key(out, "trigger");
    write_str(out, &trigger.id);
    out.push(',');
    key(out, "at");
    write_num(out, meta.at);
    out.push(',');
    key(out, "session");
    write_str(out, meta.session);
    out.push(',');
    key(out, "macro");
    out.push_str(if trigger.is_macro { "true" } else { "false" });
    out.push(',');
    key(out, "page");
    out.push('{');
    key(out, "url");
    write_str(out, &clean_url(&page.url, meta.allow_query));
    out.push(',');
    key(out, "path");
    write_str(out, crate::engine::cap_str(&page.path, URL_CAP));
    out.push(',');
    key(out, "title");
    write_str(out, crate::engine::cap_str(&page.title, TEXT_CAP));
    out.push(',');
    key(out, "referrer");
    write_str(out, &clean_url(&page.referrer, meta.allow_query));
    out.push_str("},");
    key(out, "vars");
    out.push('{');
    let mut first = true;
    for (name, value) in &conv.vars {
        if *value == Value::Null {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        key(out, name);
        match value {
            Value::Null => {}
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Num(n) => write_num(out, *n),
            Value::Str(s) if is_url_var(name) => write_str(out, &clean_url(s, meta.allow_query)),
            Value::Str(s) => write_str(out, s),
        }
    }
    out.push_str("}}");
}

/// Appends a request body holding `events` (each written by [`write_event`]).
pub fn write_batch(out: &mut String, sent_at: f64, events: &[String]) {
    out.push_str("{\"v\":1,\"sent_at\":");
    write_num(out, sent_at);
    out.push_str(",\"events\":[");
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(e);
    }
    out.push_str("]}");
}

/// Room the envelope of [`write_batch`] takes besides the events.
const ENVELOPE: usize = 64;

/// Splits `events` into consecutive runs whose body stays under `max_bytes`
/// (use [`MAX_BODY`]). An event too big to fit alone is dropped.
pub fn batches(events: &[String], max_bytes: usize) -> Batches<'_> {
    Batches { events, max_bytes }
}

/// Iterator of [`batches`].
#[derive(Debug, Clone)]
pub struct Batches<'a> {
    events: &'a [String],
    max_bytes: usize,
}

impl<'a> Iterator for Batches<'a> {
    type Item = &'a [String];
    fn next(&mut self) -> Option<&'a [String]> {
        let budget = self.max_bytes.saturating_sub(ENVELOPE);
        // Drop events that cannot fit even alone.
        while let Some(e) = self.events.first() {
            if e.len() < budget {
                break;
            }
            self.events = &self.events[1..];
        }
        if self.events.is_empty() {
            return None;
        }
        let mut size = 0;
        let mut n = 0;
        for e in self.events {
            let add = e.len() + usize::from(n > 0);
            if size + add >= budget {
                break;
            }
            size += add;
            n += 1;
        }
        let (batch, rest) = self.events.split_at(n);
        self.events = rest;
        Some(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(x: f64) -> String {
        let mut s = String::new();
        write_num(&mut s, x);
        s
    }

    #[test]
    fn numbers() {
        assert_eq!(num(50.0), "50");
        assert_eq!(num(1763899999500.0), "1763899999500");
        assert_eq!(num(12.3456), "12.346");
        assert_eq!(num(0.1), "0.1");
        assert_eq!(num(2.50), "2.5");
        assert_eq!(num(-0.0004), "0");
        assert_eq!(num(-1.25), "-1.25");
        assert_eq!(num(0.999_9), "1");
        assert_eq!(num(f64::NAN), "null");
        assert_eq!(num(f64::INFINITY), "null");
        assert_eq!(num(1e22), "1e+22");
    }

    #[test]
    fn urls_keep_only_allowed_params() {
        let allow = vec!["utm_source".to_string()];
        assert_eq!(
            clean_url("https://x.org/a?email=a%40b&utm_source=n#top", &allow),
            "https://x.org/a?utm_source=n"
        );
        assert_eq!(
            clean_url("https://x.org/a?email=a", &allow),
            "https://x.org/a"
        );
        assert_eq!(clean_url("https://x.org/a#f", &[]), "https://x.org/a");
        assert_eq!(clean_url("", &[]), "");
    }

    #[test]
    fn batches_stay_under_the_cap() {
        let events: Vec<String> = (0..10)
            .map(|i| format!("{{\"n\":{i},\"pad\":\"{}\"}}", "x".repeat(100)))
            .collect();
        let mut total = 0;
        for b in batches(&events, 400) {
            let mut body = String::new();
            write_batch(&mut body, 1.0, b);
            assert!(body.len() < 400, "{}", body.len());
            assert!(!b.is_empty());
            total += b.len();
        }
        assert_eq!(total, 10);
        let mut with_huge = events.clone();
        with_huge.insert(3, "y".repeat(1000));
        assert_eq!(
            batches(&with_huge, 400).map(<[String]>::len).sum::<usize>(),
            10
        );
        assert_eq!(batches(&[], 400).count(), 0);
    }
}

//! Beacon payloads: the JSON the collector receives, written by hand so the
//! tag carries no JSON serializer (and no `core::fmt` float formatting).
//!
//! Body: `{"v":1,"sent_at":<ms>,"events":[...]}`; each event
//! `{"id","conversion","trigger","at","session","macro","rules","page":{"url","path","title","referrer"},"vars":{...}}`
//! (the contract: `docs/beacon.md`).
//!
//! Privacy: every value goes through [`crate::privacy`] on its way out. URLs
//! (page URL, path, referrer, and the `link.url`, `click.url`, `video.url`
//! variables) lose their fragment and every query parameter not listed in the
//! rules' `allow_query`; e-mail addresses and long digit runs in any text are
//! masked; every value is capped. Conditions still see the full values.

use crate::prelude::*;

use crate::engine::{Conversion, Page, Value};
use crate::json::write_str;
use crate::privacy;
use crate::rules::model::Trigger;
use crate::text::push_uint;

/// What the shell supplies for one event besides the conversion.
#[derive(Debug, Clone, Copy)]
pub struct EventMeta<'a> {
    /// 32 lower-case hex characters, random: the collector's de-duplication key.
    pub id: &'a str,
    /// Epoch milliseconds when the conversion happened.
    pub at: f64,
    /// 16 lower-case hex characters, random per session of the site.
    pub session: &'a str,
    /// The persistent visitor id (`data-visitor="persistent"`, consent
    /// permitting), left out when empty.
    pub visitor: &'a str,
    /// Query parameters that may stay in URLs (the rules' `allow_query`).
    pub allow_query: &'a [String],
    /// The hash of the published rules that fired (`Rules::hash`); the
    /// event's `rules` field, left out when empty.
    pub rules: &'a str,
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
        let a = crate::engine::round(a);
        if neg && a != 0.0 {
            out.push('-');
        }
        // JS `String()`: exact below 2^53, shortest digits beyond (as the browser writes them).
        out.push_str(crate::engine::js_string(a).as_str());
        return;
    }
    let thousandths = crate::engine::round(a * 1000.0) as u64;
    if neg && thousandths != 0 {
        out.push('-');
    }
    push_uint(out, thousandths / 1000);
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
        for d in s.get(3 - digits..).unwrap_or(&[]) {
            out.push((b'0' + d) as char);
        }
    }
}

/// Whether variable `name` holds a URL (the variables table says).
fn is_url_var(name: &str) -> bool {
    crate::rules::model::VARIABLES
        .iter()
        .any(|s| s.url && s.name == name)
}

/// Writes `url` as a JSON string, cleaned by [`privacy::clean_url`].
fn url(out: &mut String, scratch: &mut String, url: &str, allow: &[String]) {
    scratch.clear();
    privacy::clean_url(url, allow, scratch);
    write_str(out, scratch);
}

/// Writes `text` as a JSON string, masked and capped by [`privacy::mask_text`].
fn text(out: &mut String, scratch: &mut String, text: &str) {
    scratch.clear();
    privacy::mask_text(text, scratch);
    write_str(out, scratch);
}

fn key(out: &mut String, name: &str) {
    write_str(out, name);
    out.push(':');
}

/// `"at":…,"session":…,` and the rules' hash when there is one.
fn when_and_rules(out: &mut String, meta: &EventMeta<'_>) {
    key(out, "at");
    write_num(out, meta.at);
    out.push(',');
    key(out, "session");
    write_str(out, meta.session);
    out.push(',');
    if !meta.visitor.is_empty() {
        key(out, "visitor");
        write_str(out, meta.visitor);
        out.push(',');
    }
    if !meta.rules.is_empty() {
        key(out, "rules");
        write_str(out, meta.rules);
        out.push(',');
    }
}

/// `"page":{` with its URL (query parameters in `url_allow` kept), path
/// (`path_allow`) and title, up to the referrer's key: the caller writes
/// the referrer as its event keeps it.
fn page_start(
    out: &mut String,
    scratch: &mut String,
    page: &Page,
    url_allow: &[String],
    path_allow: &[String],
    title: &str,
) {
    key(out, "page");
    out.push('{');
    key(out, "url");
    url(out, scratch, &page.url, url_allow);
    out.push(',');
    key(out, "path");
    url(out, scratch, &page.path, path_allow);
    out.push(',');
    key(out, "title");
    text(out, scratch, title);
    out.push(',');
    key(out, "referrer");
}

/// Appends one event object.
pub fn write_event(
    out: &mut String,
    trigger: &Trigger,
    conv: &Conversion,
    page: &Page,
    meta: &EventMeta<'_>,
) {
    let scratch = &mut String::new();
    let allow = meta.allow_query;
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
    key(out, "macro");
    out.push_str(if trigger.is_macro { "true" } else { "false" });
    out.push(',');
    when_and_rules(out, meta);
    page_start(out, scratch, page, allow, allow, &page.title);
    url(out, scratch, &page.referrer, allow);
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
            Value::Str(s) if is_url_var(name) => url(out, scratch, s, allow),
            Value::Str(s) => text(out, scratch, s),
        }
    }
    out.push_str("}}");
}

/// The campaign parameters a `visit` keeps in its landing URL and reports,
/// whatever the rules' `allow_query` says.
pub const CAMPAIGN: [&str; 3] = ["utm_source", "utm_medium", "utm_campaign"];

/// Appends one `visit` event: a session started on `page` (docs/beacon.md,
/// "Visits"). The landing URL keeps only the [`CAMPAIGN`] parameters, the
/// referrer only its origin; `visit.referrer_host` names the referring site
/// (not the site itself nor an `affiliated` domain), `visit.utm_*` the
/// campaign.
pub fn write_visit(out: &mut String, page: &Page, affiliated: &[String], meta: &EventMeta<'_>) {
    let scratch = &mut String::new();
    let campaign: Vec<String> = CAMPAIGN.iter().map(|p| p.to_string()).collect();
    out.push('{');
    key(out, "id");
    write_str(out, meta.id);
    out.push_str(",\"type\":\"visit\",");
    when_and_rules(out, meta);
    // No title: a visit says where the session came from, nothing else
    // (titles may hold a name: "Welcome back, Jane").
    page_start(out, scratch, page, &campaign, &[], "");
    scratch.clear();
    privacy::clean_url(&page.referrer, &[], scratch);
    let o = origin(scratch).len();
    scratch.truncate(o);
    if o > 0 {
        scratch.push('/');
    }
    write_str(out, scratch);
    out.push_str("},");
    key(out, "vars");
    out.push('{');
    let mut first = true;
    let mut var = |out: &mut String, name: &str, value: &str| {
        if !first {
            out.push(',');
        }
        first = false;
        key(out, name);
        text(out, &mut String::new(), value);
    };
    let referrer = page.referrer.as_str();
    if let Some(host) = crate::engine::url_host(referrer) {
        let host = crate::js::lower(host);
        if crate::engine::is_outbound(referrer, &host, &page.host, affiliated) {
            var(out, "visit.referrer_host", crate::engine::strip_www(&host));
        }
    }
    for name in CAMPAIGN {
        let value = crate::text::split(&page.query, b'&').find_map(|p| {
            let (k, v) = crate::text::split_once(p, b'=').unwrap_or((p, ""));
            (crate::engine::decode_component(k) == name).then(|| crate::engine::decode_component(v))
        });
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            var(out, &crate::text::concat(&["visit.", name]), &v);
        }
    }
    out.push_str("}}");
}

/// `scheme://host[:port]` of an absolute URL, or `""` without one (no
/// substring search: `str::find` of a `&str` would bring its searcher into
/// the tag, 4 KB).
fn origin(url: &str) -> &str {
    match crate::engine::authority(url) {
        Some((_, rest)) => url.get(..url.len() - rest.len()).unwrap_or(""),
        None => "",
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
    fn personal_data_never_leaves() {
        use crate::engine::Conversion;
        use crate::rules::model::{Limit, Pos, TriggerKind};
        let trigger = Trigger {
            id: "t".into(),
            conversion: "c".into(),
            kind: TriggerKind::LinkClick,
            conditions: vec![],
            unless: vec![],
            limit: Limit::OncePerEvent,
            is_macro: false,
            path: "triggers[0]".into(),
            pos: Pos::default(),
        };
        let page = Page {
            url: "https://x.org/a?email=jane%40example.com&utm_source=news#token=abc".into(),
            host: "x.org".into(),
            path: "/users/jane@example.com".into(),
            query: String::new(),
            title: "Hello jane@example.com".into(),
            referrer: "https://search.example/?q=secret".into(),
        };
        let conv = Conversion {
            trigger: 0,
            vars: vec![
                (
                    "link.url".into(),
                    Value::Str("https://p.example/x?id=7&utm_source=a".into()),
                ),
                (
                    "click.text".into(),
                    Value::Str("Call +1 (555) 123-4567".into()),
                ),
                ("dl.email".into(), Value::Str("bob@example.org".into())),
            ],
        };
        let allow = vec!["utm_source".to_string()];
        let meta = EventMeta {
            id: "i",
            at: 1.0,
            session: "s",
            visitor: "",
            allow_query: &allow,
            rules: "",
        };
        let mut out = String::new();
        write_event(&mut out, &trigger, &conv, &page, &meta);
        for leak in ["jane", "bob@", "secret", "token", "email=", "id=7", "555"] {
            assert!(!out.contains(leak), "{leak} leaked: {out}");
        }
        assert!(
            out.contains(r#""url":"https://x.org/a?utm_source=news""#),
            "{out}"
        );
        assert!(
            out.contains(r#""referrer":"https://search.example/""#),
            "{out}"
        );
        assert!(
            out.contains(r#""link.url":"https://p.example/x?utm_source=a""#),
            "{out}"
        );
        assert!(out.contains(r#""click.text":"Call [number]""#), "{out}");
        assert!(out.contains(r#""dl.email":"[email]""#), "{out}");
    }

    fn visit_of(url: &str, query: &str, referrer: &str) -> String {
        let page = Page {
            url: url.into(),
            host: "www.example.com".into(),
            path: "/pricing".into(),
            query: query.into(),
            title: "Pricing".into(),
            referrer: referrer.into(),
        };
        let meta = EventMeta {
            id: "v",
            at: 5.0,
            session: "0123456789abcdef",
            visitor: "",
            allow_query: &[],
            rules: "00112233aabbccdd",
        };
        let mut out = String::new();
        write_visit(&mut out, &page, &["shop.example.com".to_string()], &meta);
        out
    }

    #[test]
    fn a_visit_keeps_the_campaign_and_the_referring_site_only() {
        let query = "utm_source=news%20letter&utm_medium=email&email=jane%40example.com&utm_campaign=spring+sale&gclid=42";
        let out = visit_of(
            &format!("https://www.example.com/pricing?{query}#top"),
            query,
            "https://user:pw@www.news.example:8443/a/story?id=77#x",
        );
        assert_eq!(
            out,
            concat!(
                r#"{"id":"v","type":"visit","at":5,"session":"0123456789abcdef","rules":"00112233aabbccdd","#,
                r#""page":{"url":"https://www.example.com/pricing?utm_source=news%20letter&utm_medium=email&utm_campaign=spring+sale","#,
                r#""path":"/pricing","title":"","referrer":"https://www.news.example:8443/"},"#,
                r#""vars":{"visit.referrer_host":"news.example","visit.utm_source":"news letter","#,
                r#""visit.utm_medium":"email","visit.utm_campaign":"spring sale"}}"#
            )
        );
        // Direct, and from the site itself or an affiliated domain: no referring site.
        for referrer in [
            "",
            "https://example.com/blog",
            "https://eu.shop.example.com/cart",
        ] {
            let out = visit_of("https://www.example.com/pricing", "", referrer);
            assert!(out.ends_with(r#""vars":{}}"#), "{referrer}: {out}");
        }
    }
}

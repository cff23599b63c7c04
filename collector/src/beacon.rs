//! The beacon contract (`docs/beacon.md`): parsing and
//! full validation of one POST body, before anything is stored.
//!
//! A body is accepted whole or refused whole: the first defect becomes a
//! [`BeaconError`] with a one-line reason naming the JSON path.

use serde_json::{Map, Value};
use std::fmt;

/// The only beacon format version.
pub const VERSION: u64 = 1;
/// Most events accepted in one request.
pub const MAX_EVENTS: usize = 100;
/// Longest accepted event id / session id.
pub const MAX_ID_LEN: usize = 64;
/// Longest accepted conversion or trigger name.
pub const MAX_NAME_LEN: usize = 200;
/// Longest accepted text value (page fields, variable values).
pub const MAX_TEXT_LEN: usize = 4096;
/// Most variables in one event.
pub const MAX_VARS: usize = 64;

/// Why a beacon was refused: a one-line reason for the 400 answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeaconError(pub String);

impl fmt::Display for BeaconError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BeaconError {}

fn err<T>(msg: impl Into<String>) -> Result<T, BeaconError> {
    Err(BeaconError(msg.into()))
}

/// The page an event happened on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageInfo {
    /// `page.url`.
    pub url: String,
    /// `page.path`.
    pub path: String,
    /// `page.title` (empty when absent).
    pub title: String,
    /// `page.referrer` (empty when absent).
    pub referrer: String,
}

/// What an event records (`type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// A conversion a trigger reported (`type` absent or `"conversion"`).
    #[default]
    Conversion,
    /// A session started (`"type": "visit"`, rules with `count_visits`):
    /// the report's denominator. It has no conversion and no trigger.
    Visit,
}

impl Kind {
    /// The stored name (`kind` column).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Conversion => "conversion",
            Kind::Visit => "visit",
        }
    }
}

/// One validated event, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// De-duplication key.
    pub id: String,
    /// A conversion or a visit.
    pub kind: Kind,
    /// Conversion name (empty for a visit).
    pub conversion: String,
    /// Trigger id that produced it (empty for a visit).
    pub trigger: String,
    /// When it happened, epoch ms (client clock).
    pub at: i64,
    /// Anonymous session id, when the tag sent one.
    pub session: Option<String>,
    /// Visitor id, only where the site chose a persistent visitor id.
    pub visitor: Option<String>,
    /// The hash of the published rules that produced the event (16
    /// lower-case hex digits), when the tag sent it.
    pub rules: Option<String>,
    /// Whether the trigger marks a macro conversion.
    pub is_macro: bool,
    /// Sent by a bot (the request's User-Agent, set by `/collect`).
    pub bot: bool,
    /// Where it happened.
    pub page: PageInfo,
    /// The flat variables object, kept as JSON text.
    pub vars: Map<String, Value>,
}

/// Parses and validates a beacon body. Unknown fields are ignored so that later
/// tag versions can add some (e.g. a count of dropped events) without breaking
/// older collectors.
pub fn parse(body: &[u8]) -> Result<Vec<Event>, BeaconError> {
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(_) => return err("body is not UTF-8"),
    };
    if text.trim().is_empty() {
        return err("empty body");
    }
    let root: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return err(format!("malformed JSON: {e}")),
    };
    let Some(root) = root.as_object() else {
        return err("body must be a JSON object");
    };
    match root.get("v") {
        None => return err("missing field: v"),
        Some(v) if v.as_u64() == Some(VERSION) => {}
        Some(v) if v.is_number() => return err(format!("unknown version: v = {v}, expected 1")),
        Some(_) => return err("wrong type: v must be the number 1"),
    }
    if let Some(s) = root.get("sent_at") {
        if !s.is_number() {
            return err("wrong type: sent_at must be a number");
        }
    }
    let events = match root.get("events") {
        None => return err("missing field: events"),
        Some(Value::Array(a)) => a,
        Some(_) => return err("wrong type: events must be an array"),
    };
    if events.is_empty() {
        return err("events is empty");
    }
    if events.len() > MAX_EVENTS {
        return err(format!(
            "too many events: {} in one request, at most {MAX_EVENTS}",
            events.len()
        ));
    }
    events
        .iter()
        .enumerate()
        .map(|(i, e)| event(i, e))
        .collect()
}

fn event(i: usize, e: &Value) -> Result<Event, BeaconError> {
    let at_path = |f: &str| format!("events[{i}].{f}");
    let Some(o) = e.as_object() else {
        return err(format!("wrong type: events[{i}] must be an object"));
    };
    let id = required_str(o, "id", &at_path("id"))?;
    check_token(&id, &at_path("id"))?;
    let kind = match o.get("type") {
        None => Kind::Conversion,
        Some(Value::String(t)) if t == "conversion" => Kind::Conversion,
        Some(Value::String(t)) if t == "visit" => Kind::Visit,
        Some(_) => {
            return err(format!(
                "bad value: {} must be \"conversion\" or \"visit\"",
                at_path("type")
            ))
        }
    };
    let (conversion, trigger) = match kind {
        Kind::Visit => (String::new(), String::new()),
        Kind::Conversion => {
            let conversion = required_str(o, "conversion", &at_path("conversion"))?;
            check_name(&conversion, &at_path("conversion"))?;
            let trigger = required_str(o, "trigger", &at_path("trigger"))?;
            check_name(&trigger, &at_path("trigger"))?;
            (conversion, trigger)
        }
    };
    if kind == Kind::Visit && o.get("session").is_none_or(Value::is_null) {
        return err(format!(
            "missing field: {} (a visit is a session's start)",
            at_path("session")
        ));
    }
    let at = match o.get("at") {
        None => return err(format!("missing field: {}", at_path("at"))),
        Some(v) => match v.as_f64() {
            Some(n) if (0.0..1e15).contains(&n) => n.round() as i64,
            Some(_) => return err(format!("out of range: {} must be epoch ms", at_path("at"))),
            None => return err(format!("wrong type: {} must be a number", at_path("at"))),
        },
    };
    let session = optional_token(o, "session", &at_path("session"))?;
    let visitor = optional_token(o, "visitor", &at_path("visitor"))?;
    let rules = rules_hash(o, &at_path("rules"))?;
    let is_macro = match o.get("macro") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return err(format!(
                "wrong type: {} must be a boolean",
                at_path("macro")
            ))
        }
    };
    let page = match o.get("page") {
        None => return err(format!("missing field: {}", at_path("page"))),
        Some(Value::Object(p)) => page(p, &at_path("page"))?,
        Some(_) => return err(format!("wrong type: {} must be an object", at_path("page"))),
    };
    let vars = match o.get("vars") {
        None => return err(format!("missing field: {}", at_path("vars"))),
        Some(Value::Object(v)) => vars(v, &at_path("vars"))?,
        Some(_) => return err(format!("wrong type: {} must be an object", at_path("vars"))),
    };
    Ok(Event {
        id,
        kind,
        conversion,
        trigger,
        at,
        session,
        visitor,
        rules,
        is_macro,
        bot: false,
        page,
        vars,
    })
}

/// `rules`: absent or null, or the published rules' hash.
fn rules_hash(o: &Map<String, Value>, path: &str) -> Result<Option<String>, BeaconError> {
    match o.get("rules") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s))
            if s.len() == 16 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) =>
        {
            Ok(Some(s.clone()))
        }
        Some(Value::String(_)) => err(format!(
            "bad value: {path} must be 16 lower-case hex digits"
        )),
        Some(_) => err(format!("wrong type: {path} must be a string")),
    }
}

impl Event {
    /// The site the event happened on: its page URL's host, lowercase, without
    /// port (empty when the URL has none). Reports, share links and erasure
    /// are per site.
    pub fn site(&self) -> String {
        url::Url::parse(&self.page.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default()
    }
}

fn required_str(o: &Map<String, Value>, key: &str, path: &str) -> Result<String, BeaconError> {
    match o.get(key) {
        None => err(format!("missing field: {path}")),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => err(format!("wrong type: {path} must be a string")),
    }
}

fn optional_str(o: &Map<String, Value>, key: &str, path: &str) -> Result<String, BeaconError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) if s.len() <= MAX_TEXT_LEN => Ok(s.clone()),
        Some(Value::String(_)) => err(format!("too long: {path} is over {MAX_TEXT_LEN} bytes")),
        Some(_) => err(format!("wrong type: {path} must be a string")),
    }
}

/// An optional id (`session`, `visitor`): absent or null is none.
fn optional_token(
    o: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<String>, BeaconError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            check_token(s, path)?;
            Ok(Some(s.clone()))
        }
        Some(_) => err(format!("wrong type: {path} must be a string")),
    }
}

/// Ids: 1..=64 characters of `[A-Za-z0-9_-]` (the tag sends lowercase hex).
fn check_token(s: &str, path: &str) -> Result<(), BeaconError> {
    if s.is_empty() || s.len() > MAX_ID_LEN {
        return err(format!(
            "bad value: {path} must be 1 to {MAX_ID_LEN} characters"
        ));
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return err(format!("bad value: {path} may hold only A-Z a-z 0-9 _ -"));
    }
    Ok(())
}

fn check_name(s: &str, path: &str) -> Result<(), BeaconError> {
    if s.trim().is_empty() || s.len() > MAX_NAME_LEN {
        return err(format!(
            "bad value: {path} must be 1 to {MAX_NAME_LEN} bytes"
        ));
    }
    no_control(s, path)
}

/// Names and paths hold no control character (the sessions rollup
/// separates its fields with two of them).
fn no_control(s: &str, path: &str) -> Result<(), BeaconError> {
    if s.chars().any(char::is_control) {
        return err(format!("bad value: {path} holds a control character"));
    }
    Ok(())
}

fn page(p: &Map<String, Value>, path: &str) -> Result<PageInfo, BeaconError> {
    let f = |k: &str| format!("{path}.{k}");
    let url = required_str(p, "url", &f("url"))?;
    let page_path = required_str(p, "path", &f("path"))?;
    if url.len() > MAX_TEXT_LEN || page_path.len() > MAX_TEXT_LEN {
        return err(format!(
            "too long: {path} url/path over {MAX_TEXT_LEN} bytes"
        ));
    }
    no_control(&page_path, &f("path"))?;
    Ok(PageInfo {
        url,
        path: page_path,
        title: optional_str(p, "title", &f("title"))?,
        referrer: optional_str(p, "referrer", &f("referrer"))?,
    })
}

/// Variables are flat: strings, numbers or booleans only.
fn vars(v: &Map<String, Value>, path: &str) -> Result<Map<String, Value>, BeaconError> {
    if v.len() > MAX_VARS {
        return err(format!("too many variables in {path}: at most {MAX_VARS}"));
    }
    for (k, val) in v {
        if k.is_empty() || k.len() > MAX_NAME_LEN {
            return err(format!(
                "bad key in {path}: names are 1 to {MAX_NAME_LEN} bytes"
            ));
        }
        match val {
            Value::String(s) if s.len() > MAX_TEXT_LEN => {
                return err(format!(
                    "too long: {path}[\"{k}\"] is over {MAX_TEXT_LEN} bytes"
                ))
            }
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {}
            _ => {
                return err(format!(
                    "wrong type: {path}[\"{k}\"] must be a string, number or boolean"
                ))
            }
        }
    }
    Ok(v.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Value {
        serde_json::json!({"v":1,"sent_at":1763900000000u64,"events":[
          {"id":"3f9c0a7e5b1d4c2a8e6f0b9d7c5a3e1f","conversion":"article_read","trigger":"article-read",
           "at":1763899999500u64,"session":"9a8b7c6d5e4f3a2b","macro":false,
           "page":{"url":"http://127.0.0.1:8080/blog/post.html","path":"/blog/post.html","title":"A post","referrer":""},
           "vars":{"scroll.threshold":50,"scroll.units":"percent","scroll.direction":"vertical"}}
        ]})
    }

    fn reason(v: Value) -> String {
        parse(v.to_string().as_bytes()).unwrap_err().0
    }

    #[test]
    fn accepts_the_contract_example() {
        let evs = parse(good().to_string().as_bytes()).unwrap();
        assert_eq!(evs.len(), 1);
        let e = &evs[0];
        assert_eq!(e.id, "3f9c0a7e5b1d4c2a8e6f0b9d7c5a3e1f");
        assert_eq!(e.conversion, "article_read");
        assert_eq!(e.trigger, "article-read");
        assert_eq!(e.at, 1763899999500);
        assert_eq!(e.session.as_deref(), Some("9a8b7c6d5e4f3a2b"));
        assert!(!e.is_macro);
        assert_eq!(e.page.path, "/blog/post.html");
        assert_eq!(e.vars["scroll.threshold"], 50);
    }

    #[test]
    fn a_visit_has_no_conversion_and_needs_its_session() {
        let visit = |e: Value| serde_json::json!({"v":1,"events":[e]});
        let base = serde_json::json!({"id":"v1","type":"visit","at":1u64,"session":"9a8b7c6d5e4f3a2b",
            "page":{"url":"https://www.example.com/?utm_source=news","path":"/"},
            "vars":{"visit.referrer_host":"news.example","visit.utm_source":"news"}});
        let evs = parse(visit(base.clone()).to_string().as_bytes()).unwrap();
        assert_eq!(evs[0].kind, Kind::Visit);
        assert_eq!(
            (evs[0].conversion.as_str(), evs[0].trigger.as_str()),
            ("", "")
        );
        assert_eq!(evs[0].vars["visit.utm_source"], "news");
        let mut no_session = base.clone();
        no_session.as_object_mut().unwrap().remove("session");
        assert_eq!(
            reason(visit(no_session)),
            "missing field: events[0].session (a visit is a session's start)"
        );
        let mut odd = base;
        odd["type"] = "pageview".into();
        assert_eq!(
            reason(visit(odd)),
            r#"bad value: events[0].type must be "conversion" or "visit""#
        );
        // A conversion still needs its names.
        let mut v = good();
        v["events"][0]["type"] = "conversion".into();
        v["events"][0].as_object_mut().unwrap().remove("trigger");
        assert_eq!(reason(v), "missing field: events[0].trigger");
    }

    #[test]
    fn session_and_macro_are_optional() {
        let mut v = good();
        let e = v["events"][0].as_object_mut().unwrap();
        e.remove("session");
        e.remove("macro");
        let evs = parse(v.to_string().as_bytes()).unwrap();
        assert_eq!(evs[0].session, None);
        assert!(!evs[0].is_macro);
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let mut v = good();
        v["dropped"] = 3.into();
        v["events"][0]["extra"] = "x".into();
        assert!(parse(v.to_string().as_bytes()).is_ok());
    }

    #[test]
    fn malformed_json() {
        let r = parse(b"{\"v\":1,\"events\":[").unwrap_err().0;
        assert!(r.starts_with("malformed JSON"), "{r}");
        assert_eq!(parse(b"").unwrap_err().0, "empty body");
        assert_eq!(parse(b"[1]").unwrap_err().0, "body must be a JSON object");
        assert_eq!(parse(&[0xff, 0xfe]).unwrap_err().0, "body is not UTF-8");
    }

    #[test]
    fn version() {
        let mut v = good();
        v["v"] = 2.into();
        assert_eq!(reason(v.clone()), "unknown version: v = 2, expected 1");
        v["v"] = "1".into();
        assert_eq!(reason(v.clone()), "wrong type: v must be the number 1");
        v.as_object_mut().unwrap().remove("v");
        assert_eq!(reason(v), "missing field: v");
    }

    #[test]
    fn events_shape_and_count() {
        let mut v = good();
        v["events"] = serde_json::json!([]);
        assert_eq!(reason(v.clone()), "events is empty");
        v["events"] = serde_json::json!({});
        assert_eq!(reason(v.clone()), "wrong type: events must be an array");
        let one = good()["events"][0].clone();
        v["events"] = Value::Array(vec![one; MAX_EVENTS + 1]);
        assert_eq!(
            reason(v.clone()),
            "too many events: 101 in one request, at most 100"
        );
        v["events"] = serde_json::json!([1]);
        assert_eq!(reason(v.clone()), "wrong type: events[0] must be an object");
        v.as_object_mut().unwrap().remove("events");
        assert_eq!(reason(v), "missing field: events");
    }

    #[test]
    fn each_missing_field_is_named() {
        for f in ["id", "conversion", "trigger", "at", "page", "vars"] {
            let mut v = good();
            v["events"][0].as_object_mut().unwrap().remove(f);
            assert_eq!(reason(v), format!("missing field: events[0].{f}"));
        }
        for f in ["url", "path"] {
            let mut v = good();
            v["events"][0]["page"].as_object_mut().unwrap().remove(f);
            assert_eq!(reason(v), format!("missing field: events[0].page.{f}"));
        }
    }

    #[test]
    fn wrong_types_are_named() {
        let cases: &[(&str, Value, &str)] = &[
            ("id", 5.into(), "wrong type: events[0].id must be a string"),
            (
                "conversion",
                true.into(),
                "wrong type: events[0].conversion must be a string",
            ),
            (
                "trigger",
                Value::Null,
                "wrong type: events[0].trigger must be a string",
            ),
            (
                "at",
                "now".into(),
                "wrong type: events[0].at must be a number",
            ),
            (
                "session",
                7.into(),
                "wrong type: events[0].session must be a string",
            ),
            (
                "macro",
                "yes".into(),
                "wrong type: events[0].macro must be a boolean",
            ),
            (
                "page",
                "/".into(),
                "wrong type: events[0].page must be an object",
            ),
            (
                "vars",
                serde_json::json!([]),
                "wrong type: events[0].vars must be an object",
            ),
        ];
        for (f, val, want) in cases {
            let mut v = good();
            v["events"][0][*f] = val.clone();
            assert_eq!(reason(v), *want, "field {f}");
        }
        let mut v = good();
        v["sent_at"] = "x".into();
        assert_eq!(reason(v), "wrong type: sent_at must be a number");
        let mut v = good();
        v["events"][0]["vars"]["nested"] = serde_json::json!({"a": 1});
        assert_eq!(
            reason(v),
            "wrong type: events[0].vars[\"nested\"] must be a string, number or boolean"
        );
        let mut v = good();
        v["events"][0]["page"]["title"] = 1.into();
        assert_eq!(
            reason(v),
            "wrong type: events[0].page.title must be a string"
        );
    }

    #[test]
    fn bad_ids_and_values() {
        let mut v = good();
        v["events"][0]["id"] = "".into();
        assert_eq!(
            reason(v.clone()),
            "bad value: events[0].id must be 1 to 64 characters"
        );
        v["events"][0]["id"] = "a".repeat(65).into();
        assert_eq!(
            reason(v.clone()),
            "bad value: events[0].id must be 1 to 64 characters"
        );
        v["events"][0]["id"] = "a b".into();
        assert_eq!(
            reason(v.clone()),
            "bad value: events[0].id may hold only A-Z a-z 0-9 _ -"
        );
        let mut v = good();
        v["events"][0]["at"] = (-1).into();
        assert_eq!(reason(v), "out of range: events[0].at must be epoch ms");
        let mut v = good();
        v["events"][0]["conversion"] = " ".into();
        assert_eq!(
            reason(v),
            "bad value: events[0].conversion must be 1 to 200 bytes"
        );
        // The rollup's separators: a name holding one would read as two.
        let mut v = good();
        v["events"][0]["conversion"] = "x\u{1e}signup".into();
        assert_eq!(
            reason(v),
            "bad value: events[0].conversion holds a control character"
        );
        let mut v = good();
        v["events"][0]["page"]["path"] = "/a\u{1e}/b".into();
        assert_eq!(
            reason(v),
            "bad value: events[0].page.path holds a control character"
        );
    }

    #[test]
    fn a_bad_second_event_refuses_the_whole_body() {
        let mut v = good();
        let mut second = v["events"][0].clone();
        second["id"] = "other".into();
        second.as_object_mut().unwrap().remove("vars");
        v["events"].as_array_mut().unwrap().push(second);
        assert_eq!(reason(v), "missing field: events[1].vars");
    }
}

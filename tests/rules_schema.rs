#![cfg(not(target_arch = "wasm32"))]
//! `www/rules.schema.json` (what editors use to autocomplete and underline
//! mistakes) must say exactly what the parser accepts: this fails when either
//! side gains or loses a field, trigger type, operator, limit, unit, status or
//! variable without the other.

use microconv::json::{self, Json};
use microconv::rules::model::{Limit, Operator, VideoStatus, VARIABLES, VARIABLE_PREFIXES};
use microconv::rules::names::*;

fn schema() -> Json {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/www/rules.schema.json");
    let text = std::fs::read_to_string(path).expect("www/rules.schema.json");
    json::parse(&text).unwrap_or_else(|e| panic!("schema is not JSON: {e} at {:?}", e.pos))
}

/// Follows a path of object keys and array indexes ("allOf", "0", ...).
fn at<'j>(v: &'j Json, path: &str) -> &'j Json {
    path.split('/')
        .fold(v, |v, key| match (key.parse::<usize>(), v.as_array()) {
            (Ok(i), Some(items)) => items.get(i).unwrap_or_else(|| panic!("no [{i}] in {path}")),
            _ => v.get(key).unwrap_or_else(|| panic!("no {key:?} in {path}")),
        })
}

fn strings(v: &Json) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

fn keys(v: &Json) -> Vec<String> {
    v.as_object()
        .expect("object")
        .iter()
        .map(|m| m.key.clone())
        .collect()
}

fn sorted<S: AsRef<str>>(v: impl IntoIterator<Item = S>) -> Vec<String> {
    let mut v: Vec<String> = v.into_iter().map(|s| s.as_ref().to_string()).collect();
    v.sort();
    v
}

#[test]
fn top_level_matches() {
    let s = schema();
    assert_eq!(sorted(keys(at(&s, "properties"))), sorted(TOP_LEVEL_FIELDS));
    assert_eq!(strings(at(&s, "required")), ["version", "triggers"]);
    assert_eq!(at(&s, "additionalProperties").as_bool(), Some(false));
    assert_eq!(at(&s, "properties/version/const").as_f64(), Some(1.0));
}

#[test]
fn trigger_fields_and_enums_match() {
    let s = schema();
    let t = at(&s, "$defs/trigger");
    let all: Vec<&str> = all_trigger_fields().collect();
    assert_eq!(sorted(keys(at(t, "properties"))), sorted(all));
    assert_eq!(strings(at(t, "required")), ["id", "conversion", "on"]);
    assert_eq!(at(t, "additionalProperties").as_bool(), Some(false));
    assert_eq!(strings(at(t, "properties/on/enum")), TRIGGER_TYPES);
    let limits: Vec<&str> = Limit::ALL.iter().map(|l| l.as_str()).collect();
    assert_eq!(strings(at(t, "properties/limit/enum")), limits);
    assert_eq!(strings(at(t, "properties/units/enum")), SCROLL_UNITS);
    let statuses: Vec<&str> = VideoStatus::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(strings(at(t, "properties/statuses/items/enum")), statuses);
    for field in COMMON_TRIGGER_FIELDS
        .iter()
        .chain(TYPE_FIELDS.iter().flat_map(|(_, f)| f.iter()))
    {
        let d = at(t, &format!("properties/{field}/description"));
        assert!(
            d.as_str().is_some_and(|d| !d.is_empty()),
            "{field} has a description for editors"
        );
    }
}

#[test]
fn each_trigger_type_allows_exactly_its_own_fields() {
    let s = schema();
    let rules = at(&s, "$defs/trigger/allOf").as_array().expect("allOf");
    assert_eq!(rules.len(), TRIGGER_TYPES.len());
    for (rule, &(ty, own)) in rules.iter().zip(TYPE_FIELDS.iter()) {
        assert_eq!(at(rule, "if/properties/on/const").as_str(), Some(ty));
        let forbidden = at(rule, "then/properties");
        // Every type field (each once) that is not this type's own.
        let others: Vec<&str> = all_trigger_fields()
            .filter(|f| !COMMON_TRIGGER_FIELDS.contains(f) && !own.contains(f))
            .collect();
        assert_eq!(
            sorted(keys(forbidden)),
            sorted(&others),
            "fields forbidden on {ty}"
        );
        for f in others {
            assert_eq!(at(forbidden, f).as_bool(), Some(false), "{f} on {ty}");
        }
        let required = match ty {
            "scroll" => vec!["thresholds"],
            "timer" => vec!["interval_ms"],
            "engagement" => vec!["engaged_seconds"],
            "trigger_group" => vec!["all_of"],
            "element_visibility" => vec!["selector"],
            _ => vec![],
        };
        if ty == "custom" {
            // Exactly one way to name the events.
            let ways: Vec<Vec<String>> = at(rule, "then/oneOf")
                .as_array()
                .expect("custom: oneOf")
                .iter()
                .map(|w| strings(at(w, "required")))
                .collect();
            assert_eq!(ways, [["event"], ["events"], ["event_matches"]]);
        }
        let got = rule
            .get("then")
            .and_then(|t| t.get("required"))
            .map(strings)
            .unwrap_or_default();
        assert_eq!(got, required, "required fields of {ty}");
    }
}

#[test]
fn condition_fields_operators_and_variables_match() {
    let s = schema();
    let c = at(&s, "$defs/condition");
    assert_eq!(sorted(keys(at(c, "properties"))), sorted(CONDITION_FIELDS));
    assert_eq!(
        strings(at(c, "required")),
        ["variable", "operator", "value"]
    );
    let ops: Vec<&str> = Operator::ALL.iter().map(|o| o.as_str()).collect();
    assert_eq!(strings(at(c, "properties/operator/enum")), ops);

    let fixed: Vec<&str> = VARIABLES.iter().map(|s| s.name).collect();
    assert_eq!(strings(at(c, "properties/variable/anyOf/0/enum")), fixed);
    let patterns: Vec<String> = at(c, "properties/variable/anyOf").as_array().unwrap()[1..]
        .iter()
        .map(|p| at(p, "pattern").as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = VARIABLE_PREFIXES
        .iter()
        .map(|p| format!("^{}.+", p.replace('.', "\\.")))
        .collect();
    assert_eq!(patterns, expected);

    // ignore_case is refused on exactly the non-string operators.
    let rules = at(c, "allOf").as_array().unwrap();
    let ic = rules
        .iter()
        .find(|r| {
            r.get("then")
                .and_then(|t| t.get("properties"))
                .and_then(|p| p.get("ignore_case"))
                .is_some()
        })
        .expect("an ignore_case rule");
    let not_string: Vec<&str> = Operator::ALL
        .iter()
        .filter(|o| !o.is_string())
        .map(|o| o.as_str())
        .collect();
    assert_eq!(strings(at(ic, "if/properties/operator/enum")), not_string);
    // Numeric operators take numbers (or numeric strings).
    let numeric: Vec<&str> = Operator::ALL
        .iter()
        .filter(|o| o.is_numeric())
        .map(|o| o.as_str())
        .collect();
    assert!(rules.iter().any(|r| r
        .get("if")
        .and_then(|i| i.get("properties"))
        .and_then(|p| p.get("operator"))
        .and_then(|o| o.get("enum"))
        .map(strings)
        == Some(numeric.iter().map(|s| s.to_string()).collect())));
}

#[test]
fn the_variables_table_is_the_one_source() {
    use microconv::rules::model::Variable;
    for spec in VARIABLES {
        assert_eq!(Variable::from_name(spec.name).as_ref(), Some(&spec.var));
        assert_eq!(spec.var.name(), spec.name);
        assert_eq!(spec.var.var_type(), spec.ty, "{}", spec.name);
        assert_eq!(spec.var.is_url(), spec.url, "{}", spec.name);
        // What the engine judges once per page view.
        let per_page = spec.name.starts_with("page.") || spec.name.starts_with("session.");
        assert_eq!(spec.var.per_page_view(), per_page, "{}", spec.name);
    }
    assert!(Variable::Query("x".into()).per_page_view());
    assert!(!Variable::ClickAttr("x".into()).per_page_view());
    // The docs list every variable.
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md")).unwrap();
    for spec in VARIABLES {
        assert!(
            docs.contains(&format!("`{}`", spec.name)),
            "docs/rules.md misses `{}`",
            spec.name
        );
    }
    for p in VARIABLE_PREFIXES {
        assert!(
            docs.contains(&format!("`{p}<")),
            "docs/rules.md misses `{p}<...>`"
        );
    }
}

#[test]
fn beacons_clean_exactly_the_url_variables_as_urls() {
    use microconv::engine::{Conversion, Page, Value};
    use microconv::payload::{write_event, EventMeta};
    use microconv::rules::model::{Pos, Trigger, TriggerKind, VarType};
    let trigger = Trigger {
        id: "t".into(),
        conversion: "c".into(),
        kind: TriggerKind::PageView,
        conditions: vec![],
        unless: vec![],
        limit: Limit::OncePerEvent,
        is_macro: false,
        path: Default::default(),
        pos: Pos::START,
    };
    let meta = EventMeta {
        id: "i",
        at: 1.0,
        session: "s",
        visitor: "",
        allow_query: &[],
        rules: "",
    };
    let value = "https://x.example/p?secret=abc#frag";
    for spec in VARIABLES.iter().filter(|s| s.ty == VarType::Text) {
        let conv = Conversion {
            trigger: 0,
            vars: vec![(spec.name.into(), Value::Str(value.into()))],
        };
        let mut out = String::new();
        write_event(&mut out, &trigger, &conv, &Page::default(), &meta);
        let sent = format!("\"{}\":\"https://x.example/p", spec.name);
        assert!(out.contains(&sent), "{}: {out}", spec.name);
        assert_eq!(!out.contains("secret"), spec.url, "{}: {out}", spec.name);
    }
}

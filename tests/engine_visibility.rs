#![cfg(not(target_arch = "wasm32"))]
//! `element_visibility`: judged when the shell reports an element on screen
//! long enough; once per page view or once per element; the element's
//! facts as `click.*`.

mod engine_support;

use engine_support::*;
use microconv::engine::{Engine, Sighting, Value};
use microconv::native::NativeBackend;

fn sight(e: &mut Engine<NativeBackend>, el: &El, trigger: usize, key: u32) -> Vec<String> {
    let mut out = vec![];
    let seen = Sighting {
        trigger,
        key,
        percent: 73.4,
        on_screen_ms: 1204.6,
    };
    e.on_visible(el, seen, &mut out);
    ids(e, &out)
}

#[test]
fn once_per_page_by_default_with_the_elements_facts() {
    let mut e = engine_from_json(&rules_with(
        r##"{"id": "pricing", "conversion": "pricing_seen", "on": "element_visibility", "selector": ".plan",
            "min_percent_visible": 50, "min_on_screen_ms": 1000}"##,
    ));
    let a = el(
        "div",
        &[("id", "plan-pro"), ("class", "plan")],
        "Pro  plan",
        None,
    );
    let b = el(
        "div",
        &[("id", "plan-team"), ("class", "plan")],
        "Team",
        None,
    );
    let mut out = vec![];
    e.on_visible(
        &a,
        Sighting {
            trigger: 0,
            key: 1,
            percent: 73.4,
            on_screen_ms: 1204.6,
        },
        &mut out,
    );
    assert_eq!(ids(&e, &out), ["pricing"]);
    let c = &out[0];
    assert_eq!(c.var("visibility.percent"), Some(&Value::Num(73.0)));
    assert_eq!(c.var("visibility.on_screen_ms"), Some(&Value::Num(1205.0)));
    assert_eq!(c.var("click.id"), Some(&str_val("plan-pro")));
    assert_eq!(c.var("click.text"), Some(&str_val("Pro plan")));
    assert!(sight(&mut e, &b, 0, 2).is_empty(), "once per page");
    assert!(sight(&mut e, &a, 0, 1).is_empty());
    e.set_page(page("https://www.example.com/next"));
    assert_eq!(sight(&mut e, &b, 0, 2), ["pricing"]);
}

#[test]
fn once_per_element_and_conditions_on_the_element() {
    let mut e = engine_from_json(&rules_with(
        r##"{"id": "each", "conversion": "card_seen", "on": "element_visibility", "selector": ".card", "once_per": "element",
            "limit": "unlimited",
            "conditions": [{"variable": "click.element", "operator": "matches_css", "value": ".featured"},
                           {"variable": "visibility.percent", "operator": "greater_than", "value": 50},
                           {"variable": "event", "operator": "equals", "value": "element_visibility"}]}"##,
    ));
    let a = el("div", &[("class", "card featured")], "", None);
    let b = el("div", &[("class", "card featured")], "", None);
    let plain = el("div", &[("class", "card")], "", None);
    assert!(sight(&mut e, &plain, 0, 3).is_empty(), "not featured");
    assert_eq!(sight(&mut e, &a, 0, 1), ["each"]);
    assert_eq!(sight(&mut e, &b, 0, 2), ["each"]);
    assert!(sight(&mut e, &a, 0, 1).is_empty(), "each element once");
}

#[test]
fn visibility_fields_are_checked() {
    let defects = validation_defects;
    assert_eq!(
        defects(r#"{"id": "v", "conversion": "v", "on": "element_visibility"}"#),
        ["triggers[0]: missing required field \"selector\""]
    );
    assert_eq!(
        defects(
            r##"{"id": "v", "conversion": "v", "on": "element_visibility", "selector": "#a",
                "min_percent_visible": 0, "min_on_screen_ms": -1, "once_per": "visit"}"##
        ),
        [
            "triggers[0].min_percent_visible: must be more than 0 and at most 100",
            "triggers[0].min_on_screen_ms: must be 0 or more, at most 3600000 (an hour)",
            "triggers[0].once_per: unknown choice \"visit\": expected one of \"page\", \"element\""
        ]
    );
    // A selector the browser refuses is reported by check (as for clicks).
    let parsed = microconv::rules::parse(&rules_with(
        r#"{"id": "v", "conversion": "v", "on": "element_visibility", "selector": "a >> b"}"#,
    ));
    let (_, errors) = Engine::new(parsed.rules, NativeBackend::default());
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].path, "triggers[0].selector");
}

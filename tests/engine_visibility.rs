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
    assert_eq!(c.var("click.text"), None, "the text is not sent");
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

#[test]
fn session_limits_do_not_depend_on_the_page_loads_element_keys() {
    let text = rules_with(
        r##"{"id": "seen", "conversion": "banner_seen", "on": "element_visibility", "selector": ".banner", "limit": "once_per_session"},
            {"id": "each", "conversion": "card_seen", "on": "element_visibility", "selector": ".card", "once_per": "element", "limit": "once_per_session"}"##,
    );
    let banner = el("div", &[("class", "banner")], "Hello Jane Doe", None);
    let card = el("div", &[("class", "card"), ("id", "pro")], "", None);
    let mut e = engine_from_json(&text);
    assert_eq!(sight(&mut e, &banner, 0, 1), ["seen"]);
    assert_eq!(sight(&mut e, &card, 1, 2), ["each"]);
    // The next load numbers its elements anew.
    let saved = e.session_state();
    let mut e = engine_from_json(&text);
    e.restore_session_state(&saved);
    assert!(
        sight(&mut e, &banner, 0, 5).is_empty(),
        "the banner, once per session"
    );
    assert!(
        sight(&mut e, &card, 1, 9).is_empty(),
        "card #pro, once per session"
    );
    let other = el("div", &[("class", "card"), ("id", "team")], "", None);
    assert_eq!(
        sight(&mut e, &other, 1, 2),
        ["each"],
        "another card, though it has #pro's old key"
    );
}

#[test]
fn the_elements_text_is_judged_but_never_sent() {
    let mut e = engine_from_json(&rules_with(
        r##"{"id": "v", "conversion": "v", "on": "element_visibility", "selector": ".account",
            "conditions": [{"variable": "click.text", "operator": "contains", "value": "Jane"}]}"##,
    ));
    let panel = el(
        "div",
        &[("class", "account")],
        "Signed in as Jane Doe",
        None,
    );
    let mut out = vec![];
    let seen = Sighting {
        trigger: 0,
        key: 1,
        percent: 100.0,
        on_screen_ms: 0.0,
    };
    e.on_visible(&panel, seen, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].var("click.text"), None);
    assert_eq!(out[0].var("click.classes"), Some(&str_val("account")));
}

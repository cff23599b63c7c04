#![cfg(not(target_arch = "wasm32"))]
//! `custom` triggers matched by name, by a list of names or by a regular
//! expression, and `js.*` variables (page globals, for conditions only).

mod engine_support;

use engine_support::*;
use microconv::engine::{Engine, Value};
use microconv::native::NativeBackend;

fn defects(triggers: &str) -> Vec<String> {
    let parsed = microconv::rules::parse(&rules_with(triggers));
    let mut out: Vec<String> = parsed
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect();
    let (_, errors) = Engine::new(parsed.rules, NativeBackend::default());
    out.extend(errors.iter().map(|e| format!("{}: {}", e.path, e.message)));
    out
}

#[test]
fn a_list_of_names_or_a_regular_expression() {
    let mut e = engine_from_json(&rules_with(
        r#"{"id": "one", "conversion": "a", "on": "custom", "event": "signup"},
           {"id": "list", "conversion": "b", "on": "custom", "events": ["signup", "trial_start"]},
           {"id": "re", "conversion": "c", "on": "custom", "event_matches": "^video_(start|progress)"},
           {"id": "ga4", "conversion": "d", "on": "custom", "event_matches": "^ga4"}"#,
    ));
    assert_eq!(push_ids(&mut e, "signup", &[]), ["one", "list"]);
    assert_eq!(push_ids(&mut e, "trial_start", &[]), ["list"]);
    assert_eq!(push_ids(&mut e, "video_progress", &[]), ["re"]);
    assert_eq!(push_ids(&mut e, "ga4_purchase", &[]), ["ga4"]);
    // Unanchored at the end, case-sensitive, exact names exact.
    assert_eq!(push_ids(&mut e, "video_started_now", &[]), ["re"]);
    assert!(push_ids(&mut e, "Video_start", &[]).is_empty());
    assert!(push_ids(&mut e, "signup2", &[]).is_empty());
    assert!(push_ids(&mut e, "my_ga4", &[]).is_empty());
}

#[test]
fn the_pushed_name_is_the_event_variable_and_its_keys_are_sent() {
    let mut e = engine_from_json(&rules_with(
        r#"{"id": "re", "conversion": "video", "on": "custom", "event_matches": "^video_",
            "conditions": [{"variable": "event", "operator": "equals", "value": "video_complete"}]}"#,
    ));
    assert!(push(&mut e, "video_start", &[]).is_empty());
    let out = push(&mut e, "video_complete", &[("title", str_val("Demo"))]);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].var("event"), Some(&str_val("video_complete")));
    assert_eq!(out[0].var("dl.title"), Some(&str_val("Demo")));
}

#[test]
fn exactly_one_way_to_name_the_events() {
    assert_eq!(
        defects(r#"{"id": "x", "conversion": "x", "on": "custom"}"#),
        ["triggers[0]: missing required field \"event\" (or \"events\" or \"event_matches\")"]
    );
    assert_eq!(
        defects(r#"{"id": "x", "conversion": "x", "on": "custom", "event": "a", "event_matches": "b"}"#),
        ["triggers[0].event_matches: use one of \"event\", \"events\" and \"event_matches\", not \"event\" and \"event_matches\""]
    );
    assert_eq!(
        defects(r#"{"id": "x", "conversion": "x", "on": "custom", "events": []}"#),
        ["triggers[0].events: must list at least one event name"]
    );
    assert_eq!(
        defects(r#"{"id": "x", "conversion": "x", "on": "custom", "events": ["a", ""]}"#),
        ["triggers[0].events[1]: must not be empty"]
    );
    assert_eq!(
        defects(r#"{"id": "x", "conversion": "x", "on": "click", "event_matches": "a"}"#),
        ["triggers[0].event_matches: \"event_matches\" applies to \"on\": \"custom\" triggers, not \"click\""]
    );
    let bad =
        defects(r#"{"id": "x", "conversion": "x", "on": "custom", "event_matches": "video_("}"#);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(
        bad,
        [
            r#"triggers[0].event_matches: invalid regular expression: JavaScript's RegExp refuses "video_(""#
        ]
    );
}

#[test]
fn js_variables_read_page_globals_when_judged() {
    let mut e = engine_from_json(&rules_with(
        r#"{"id": "hotel", "conversion": "booked", "on": "custom", "event": "book",
            "conditions": [{"variable": "js.WsVars.HotelID", "operator": "equals", "value": 42}]},
           {"id": "guest", "conversion": "guest", "on": "custom", "event": "book",
            "unless": [{"variable": "js.app.user.loggedIn", "operator": "equals", "value": true}]}"#,
    ));
    // Nothing set: the hotel condition fails, "not logged in" holds.
    assert_eq!(push_ids(&mut e, "book", &[]), ["guest"]);
    e.backend().set_global("WsVars.HotelID", Value::Num(42.0));
    e.backend()
        .set_global("app.user.loggedIn", Value::Bool(true));
    let out = push(&mut e, "book", &[]);
    assert_eq!(ids(&e, &out), ["hotel"]);
    // Read for conditions, never sent.
    assert!(
        out[0].vars.iter().all(|(k, _)| !k.starts_with("js.")),
        "{:?}",
        out[0].vars
    );
    // Read again at each event: the page changed it.
    e.backend()
        .set_global("WsVars.HotelID", str_val("7").clone());
    assert!(push_ids(&mut e, "book", &[]).is_empty());
}

#[test]
fn js_needs_a_path() {
    let d = defects(
        r#"{"id": "x", "conversion": "x", "on": "page_view",
            "conditions": [{"variable": "js", "operator": "equals", "value": "a"}]}"#,
    );
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].contains("needs a key after the dot"), "{d:?}");
}

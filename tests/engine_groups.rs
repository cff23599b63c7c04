#![cfg(not(target_arch = "wasm32"))]
//! `trigger_group`: fires once every member has fired, in the page view or
//! in the session, whatever kind of event each member listens to.

mod engine_support;

use engine_support::*;
use microconv::engine::{Conversion, Engine, FormEvent, FormEventKind, MediaEventKind};
use microconv::native::NativeBackend;

const READ_AND_WATCH: &str = r#"
    {"id": "read", "conversion": "article_read", "on": "scroll", "thresholds": [50]},
    {"id": "watch", "conversion": "demo_started", "on": "video", "statuses": ["start"]},
    {"id": "both", "conversion": "read_and_watched", "on": "trigger_group", "all_of": ["read", "watch"]}"#;

/// A play of media element `key` (each starts once until it completes).
fn watch_on(e: &mut Engine<NativeBackend>, key: u32) -> Vec<String> {
    let out = media(
        e,
        key,
        MediaEventKind::Play,
        0.0,
        60.0,
        "https://www.example.com/demo.mp4",
    );
    ids(e, &out)
}

fn watch(e: &mut Engine<NativeBackend>) -> Vec<String> {
    watch_on(e, 1)
}

fn read(e: &mut Engine<NativeBackend>) -> Vec<String> {
    let out = scroll_to(e, 600.0, 500.0, 2000.0);
    ids(e, &out)
}

#[test]
fn fires_when_the_last_member_fires_once_per_page_view() {
    let mut e = engine_from_json(&rules_with(READ_AND_WATCH));
    assert_eq!(watch(&mut e), ["watch"]);
    assert_eq!(read(&mut e), ["read", "both"]);
    // Members firing again on the page do not repeat the group.
    let out = media(
        &mut e,
        1,
        MediaEventKind::Ended,
        60.0,
        60.0,
        "https://www.example.com/demo.mp4",
    );
    assert!(ids(&e, &out).is_empty());
    assert_eq!(watch(&mut e), ["watch"]);
    assert!(read(&mut e).is_empty(), "the threshold already fired");
    // A new page view: the members must fire again, in any order.
    e.set_page(page("https://www.example.com/other"));
    assert_eq!(read(&mut e), ["read"]);
    assert_eq!(watch_on(&mut e, 2), ["watch", "both"]);
}

#[test]
fn within_a_session_members_may_fire_on_different_pages_and_loads() {
    let text = rules_with(
        r#"{"id": "priced", "conversion": "pricing_viewed", "on": "page_view", "limit": "unlimited",
            "conditions": [{"variable": "page.path", "operator": "equals", "value": "/pricing"}]},
           {"id": "signup", "conversion": "signup", "on": "custom", "event": "signup"},
           {"id": "journey", "conversion": "priced_then_signed_up", "on": "trigger_group", "within": "session",
            "all_of": ["priced", "signup"]}"#,
    );
    let mut e = engine_from_json(&text);
    e.set_page(page("https://www.example.com/pricing"));
    let mut out = vec![];
    e.on_page_view(&mut out);
    assert_eq!(ids(&e, &out), ["priced"]);
    // The next page is a new load: its engine starts from the session's state.
    let saved = e.session_state();
    let mut e = engine_from_json(&text);
    e.restore_session_state(&saved);
    e.set_page(page("https://www.example.com/signup"));
    assert_eq!(push_ids(&mut e, "signup", &[]), ["signup", "journey"]);
    assert_eq!(
        push_ids(&mut e, "signup", &[]),
        ["signup"],
        "once per session"
    );
    let saved = e.session_state();
    let mut e = engine_from_json(&text);
    e.restore_session_state(&saved);
    assert_eq!(push_ids(&mut e, "signup", &[]), ["signup"]);
    // A new session starts over.
    e.new_session();
    assert_eq!(push_ids(&mut e, "signup", &[]), ["signup"]);
}

#[test]
fn a_page_group_does_not_carry_over_to_the_next_load() {
    let text = rules_with(READ_AND_WATCH);
    let mut e = engine_from_json(&text);
    assert_eq!(watch(&mut e), ["watch"]);
    let saved = e.session_state();
    let mut e = engine_from_json(&text);
    e.restore_session_state(&saved);
    assert_eq!(read(&mut e), ["read"]);
}

#[test]
fn the_group_conditions_are_judged_when_it_completes() {
    let mut e = engine_from_json(&rules_with(&format!(
        r#"{READ_AND_WATCH},
        {{"id": "blog-both", "conversion": "blog_engaged", "on": "trigger_group", "all_of": ["read", "watch"],
          "conditions": [{{"variable": "page.path", "operator": "starts_with", "value": "/blog/"}},
                         {{"variable": "event", "operator": "equals", "value": "trigger_group"}}]}}"#
    )));
    assert_eq!(watch(&mut e), ["watch"]);
    assert_eq!(read(&mut e), ["read", "both", "blog-both"]);
    e.set_page(page("https://www.example.com/pricing"));
    assert_eq!(watch_on(&mut e, 2), ["watch"]);
    assert_eq!(read(&mut e), ["read", "both"]);
}

/// A group of one member per kind of event: each kind's firing reaches the groups.
#[test]
fn every_kind_of_event_completes_groups() {
    let kinds = [
        ("s", r#""on": "scroll", "thresholds": [10]"#),
        ("v", r#""on": "video", "statuses": ["start"]"#),
        ("c", r#""on": "click""#),
        ("l", r#""on": "link_click""#),
        ("p", r#""on": "page_view""#),
        ("u", r#""on": "custom", "event": "x""#),
        ("f", r#""on": "form_submit""#),
        ("t", r#""on": "timer", "interval_ms": 1000, "times": 1"#),
        ("e", r#""on": "engagement", "engaged_seconds": 1"#),
    ];
    let mut triggers: Vec<String> = Vec::new();
    for (id, kind) in kinds {
        triggers.push(format!(r#"{{"id": "{id}", "conversion": "{id}", {kind}}}"#));
        triggers.push(format!(
            r#"{{"id": "g{id}", "conversion": "g{id}", "on": "trigger_group", "all_of": ["{id}"]}}"#
        ));
    }
    let mut e = engine_from_json(&rules_with(&triggers.join(",")));
    let fired = |e: &Engine<NativeBackend>, out: &[Conversion]| ids(e, out).join(" ");
    let out = scroll_to(&mut e, 0.0, 500.0, 2000.0);
    assert_eq!(fired(&e, &out), "s gs");
    assert_eq!(watch(&mut e).join(" "), "v gv");
    let link = el("a", &[("href", "https://www.example.com/x")], "x", None);
    let out = click_on(&mut e, &link, 0);
    assert_eq!(fired(&e, &out), "c l gc gl");
    let mut out = vec![];
    e.on_page_view(&mut out);
    assert_eq!(fired(&e, &out), "p gp");
    assert_eq!(push_ids(&mut e, "x", &[]).join(" "), "u gu");
    let form = el("form", &[], "", None);
    let submit = FormEvent {
        kind: FormEventKind::Submit,
        key: 1,
        id: String::new(),
        classes: String::new(),
        name: String::new(),
        action: "https://www.example.com/".into(),
        method: "get".into(),
        fields: 1,
        prevented: false,
        invalid: false,
    };
    let mut out = vec![];
    e.on_form(&form, &submit, &mut out);
    assert_eq!(fired(&e, &out), "f gf");
    let mut out = vec![];
    e.on_time(1000.0, 1000.0, &mut out);
    assert_eq!(fired(&e, &out), "t e gt ge");
}

#[test]
fn members_must_be_other_triggers_of_the_file() {
    let defects = |t: &str| -> Vec<String> {
        let parsed = microconv::rules::parse(&rules_with(t));
        assert!(
            parsed.rules.triggers.iter().all(|t| t.id != "g"),
            "the group is left out"
        );
        parsed
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.path, e.message))
            .collect()
    };
    let read = r#"{"id": "read", "conversion": "r", "on": "scroll", "thresholds": [50]}"#;
    assert_eq!(
        defects(&format!(
            r#"{read}, {{"id": "g", "conversion": "g", "on": "trigger_group", "all_of": ["raed", "g"]}}"#
        )),
        [
            "triggers[1].all_of[0]: unknown trigger id \"raed\" (did you mean \"read\"?)",
            "triggers[1].all_of[1]: a group cannot list itself"
        ]
    );
    assert_eq!(
        defects(&format!(
            r#"{read}, {{"id": "h", "conversion": "h", "on": "trigger_group", "all_of": ["read"]}},
               {{"id": "g", "conversion": "g", "on": "trigger_group", "all_of": ["h"], "within": "visit"}}"#
        )),
        ["triggers[2].within: unknown scope \"visit\": expected one of \"page\", \"session\""]
    );
    assert_eq!(
        defects(&format!(
            r#"{read}, {{"id": "h", "conversion": "h", "on": "trigger_group", "all_of": ["read"]}},
               {{"id": "g", "conversion": "g", "on": "trigger_group", "all_of": ["h"]}}"#
        )),
        ["triggers[2].all_of[0]: a group's members are triggers, not groups"]
    );
    assert_eq!(
        defects(r#"{"id": "g", "conversion": "g", "on": "trigger_group", "all_of": []}"#),
        ["triggers[0].all_of: must list at least one trigger id"]
    );
}

#[test]
fn a_group_whose_member_has_defects_is_a_defect_too() {
    // The member is left out for its threshold; the group could never fire.
    let defects = validation_defects(
        r#"{"id": "read", "conversion": "r", "on": "scroll", "thresholds": [150]},
           {"id": "watch", "conversion": "w", "on": "video", "statuses": ["start"]},
           {"id": "both", "conversion": "b", "on": "trigger_group", "all_of": ["watch", "read"]}"#,
    );
    assert_eq!(
        defects,
        [
            "triggers[0].thresholds[0]: a percent threshold must be greater than 0 and at most 100",
            "triggers[2].all_of[1]: this member has defects and was left out, so the group could never fire",
        ]
    );
}

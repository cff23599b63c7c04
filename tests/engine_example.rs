#![cfg(not(target_arch = "wasm32"))]
//! The issue's example rules, from JSON text through `rules::parse`: the four
//! actions qualify, the same actions that don't qualify report nothing, and
//! the beacon payload follows the contract.

mod engine_support;

use engine_support::*;
use microconv::engine::{Engine, MediaEventKind::*, Value};
use microconv::json::parse as parse_json;
use microconv::native::NativeBackend;
use microconv::payload::{write_event, EventMeta};

fn from_file(path: &str) -> Engine<NativeBackend> {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    engine_from_json(&text)
}

/// The issue's example, exactly.
fn example() -> Engine<NativeBackend> {
    from_file("tests/fixtures/example-rules.json")
}

fn convs(e: &Engine<NativeBackend>, out: &[microconv::engine::Conversion]) -> Vec<String> {
    out.iter()
        .map(|c| e.triggers()[c.trigger].conversion.clone())
        .collect()
}

#[test]
fn scroll_to_the_bottom_of_a_blog_post() {
    let mut e = example();
    let out = scroll_to(&mut e, 3000.0, 1000.0, 4000.0);
    assert_eq!(
        convs(&e, &out),
        ["article_read", "article_read", "article_read"]
    );
    assert_eq!(thresholds(&out), [50.0, 75.0, 100.0]);
    // Not a blog page: nothing.
    e.set_page(page("https://www.example.com/about.html"));
    assert!(scroll_to(&mut e, 3000.0, 1000.0, 4000.0).is_empty());
}

#[test]
fn watching_the_demo_video() {
    let mut e = example();
    let mut all = vec![];
    for (k, t) in [
        (Play, 0.0),
        (TimeUpdate, 3.0),
        (TimeUpdate, 6.0),
        (Pause, 6.5),
        (Play, 6.5),
        (TimeUpdate, 9.0),
        (Pause, 12.0),
        (Ended, 12.0),
    ] {
        all.extend(media(
            &mut e,
            1,
            k,
            t,
            12.0,
            "https://www.example.com/media/Demo.MP4",
        ));
    }
    assert!(convs(&e, &all).iter().all(|c| c == "demo_watched"));
    // statuses: start, progress, complete (no pause).
    let got: Vec<_> = video_milestones(&all);
    assert_eq!(
        got,
        [
            ("start".to_string(), Some(0.0)),
            ("progress".to_string(), Some(25.0)),
            ("progress".to_string(), Some(50.0)),
            ("progress".to_string(), Some(75.0)),
            ("complete".to_string(), Some(100.0)),
        ]
    );
    // Another video: nothing.
    assert!(media(
        &mut e,
        2,
        Play,
        0.0,
        12.0,
        "https://www.example.com/media/intro.mp4"
    )
    .is_empty());
}

#[test]
fn trial_cta_and_outbound_clicks() {
    let mut e = example();
    let cta = el(
        "a",
        &[("class", "cta"), ("href", "/trial")],
        "Start your free Trial",
        None,
    );
    let out = click_on(&mut e, &cta, 0);
    assert_eq!(convs(&e, &out), ["trial_cta_click"]);
    let not_trial = el("button", &[("class", "cta")], "Contact sales", None);
    assert!(click_on(&mut e, &not_trial, 0).is_empty());
    let out_link = el(
        "a",
        &[("href", "https://partner.org/page")],
        "Partner",
        None,
    );
    let out = click_on(&mut e, &out_link, 1);
    assert_eq!(convs(&e, &out), ["outbound_click"]);
    let own = el(
        "a",
        &[("href", "https://example.com/pricing.html")],
        "Pricing",
        None,
    );
    assert!(click_on(&mut e, &own, 0).is_empty());
    let shop = el("a", &[("href", "https://shop.example.com/")], "Shop", None);
    assert!(click_on(&mut e, &shop, 0).is_empty());
    let partner = el(
        "a",
        &[("href", "https://partner.org/?utm_source=partner")],
        "",
        None,
    );
    assert!(click_on(&mut e, &partner, 0).is_empty());
    assert!(click_on(&mut e, &out_link, 2).is_empty(), "right click");
}

#[test]
fn invalid_regex_in_json_is_reported_with_its_position() {
    let text = r#"{"version":1,"triggers":[
      {"id":"bad","conversion":"x","on":"custom","event":"e",
       "conditions":[{"variable":"dl.k","operator":"matches_regex","value":"a(b"}]},
      {"id":"good","conversion":"y","on":"custom","event":"e"}]}"#;
    let parsed = microconv::rules::parse(text);
    let (mut e, errors) = Engine::new(parsed.rules, NativeBackend::default());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].trigger,
        Some(microconv::rules::TriggerRef::Id("bad".into()))
    );
    assert_eq!(errors[0].path, "triggers[0].conditions[0].value");
    assert_eq!(errors[0].pos.line, 3);
    e.set_page(page("https://example.com/"));
    assert_eq!(push_ids(&mut e, "e", &[]), ["good"]);
}

#[test]
fn beacon_payload_follows_the_contract() {
    let mut e = example();
    e.set_page(page(
        "https://www.example.com/blog/post.html?email=a%40b.c&utm_source=news",
    ));
    let out = scroll_to(&mut e, 1000.0, 1000.0, 4000.0);
    assert_eq!(out.len(), 1);
    let c = &out[0];
    let allow = vec!["utm_source".to_string()];
    let meta = EventMeta {
        id: "3f9c0a7e5b1d4c2a8e6f0b9d7c5a3e1f",
        at: 1763899999500.0,
        session: "9a8b7c6d5e4f3a2b",
        visitor: "",
        allow_query: &allow,
        rules: "",
    };
    let mut ev = String::new();
    write_event(&mut ev, &e.triggers()[c.trigger], c, e.page(), &meta);
    assert_eq!(
        ev,
        concat!(
            r#"{"id":"3f9c0a7e5b1d4c2a8e6f0b9d7c5a3e1f","conversion":"article_read","trigger":"article-read","#,
            r#""macro":false,"at":1763899999500,"session":"9a8b7c6d5e4f3a2b","#,
            r#""page":{"url":"https://www.example.com/blog/post.html?utm_source=news","path":"/blog/post.html","title":"A post","referrer":"https://search.example/"},"#,
            r#""vars":{"scroll.threshold":50,"scroll.units":"percent","scroll.direction":"vertical"}}"#
        )
    );
    // The request around events is written by loader/delivery.js (tested there).
}

#[test]
fn push_payload_has_event_and_dl_keys_and_macro() {
    let mut e = from_file("www/rules.json");
    let out = push(
        &mut e,
        "signup",
        &[
            ("plan", str_val("pro \"max\"")),
            ("seats", Value::Num(12.34567)),
            ("trial", Value::Bool(false)),
        ],
    );
    assert_eq!(out.len(), 1);
    let meta = EventMeta {
        id: "0",
        at: 1.0,
        session: "s",
        visitor: "",
        allow_query: &[],
        rules: "",
    };
    let mut ev = String::new();
    write_event(
        &mut ev,
        &e.triggers()[out[0].trigger],
        &out[0],
        e.page(),
        &meta,
    );
    assert!(ev.contains(r#""macro":true"#), "{ev}");
    assert!(ev.ends_with(r#""vars":{"event":"signup","dl.plan":"pro \"max\"","dl.seats":12.346,"dl.trial":false}}"#), "{ev}");
    parse_json(&ev).expect("valid JSON");
}

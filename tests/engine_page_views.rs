#![cfg(not(target_arch = "wasm32"))]
//! The `page_view` trigger: one event per page view, page conditions, limits,
//! and `page.path equals` ignoring a trailing slash.

mod engine_support;

use engine_support::*;
use microconv::engine::Engine;
use microconv::native::NativeBackend;
use microconv::rules::model::*;

fn view(e: &mut Engine<NativeBackend>) -> Vec<String> {
    let mut out = vec![];
    e.on_page_view(&mut out);
    ids(e, &out)
}

fn visit(e: &mut Engine<NativeBackend>, url: &str) -> Vec<String> {
    e.set_page(page(url));
    view(e)
}

#[test]
fn fires_once_per_view_with_no_variables() {
    let mut e = engine(vec![page_view("pv")]);
    let mut out = vec![];
    e.on_page_view(&mut out);
    assert_eq!(ids(&e, &out), ["pv"]);
    assert!(out[0].vars.is_empty(), "{:?}", out[0].vars);
    assert_eq!(visit(&mut e, "https://www.example.com/next"), ["pv"]);
    // Other events are not page views.
    assert!(push(&mut e, "page_view", &[]).is_empty());
    assert!(scroll_to(&mut e, 0.0, 800.0, 800.0).is_empty());
}

#[test]
fn the_thank_you_page_with_or_without_its_trailing_slash() {
    let thanks = with(
        page_view("thanks"),
        vec![cond("page.path", "equals", s("/thank-you"))],
    );
    let slashed = with(
        page_view("slashed"),
        vec![cond("page.path", "equals", s("/done/"))],
    );
    let root = with(page_view("root"), vec![cond("page.path", "equals", s("/"))]);
    let mut e = engine(vec![thanks, slashed, root]);
    assert_eq!(
        visit(&mut e, "https://www.example.com/thank-you"),
        ["thanks"]
    );
    assert_eq!(
        visit(&mut e, "https://www.example.com/thank-you/"),
        ["thanks"]
    );
    assert_eq!(
        visit(&mut e, "https://www.example.com/thank-you?x=1"),
        ["thanks"]
    );
    assert!(visit(&mut e, "https://www.example.com/thank-you//").is_empty());
    assert!(visit(&mut e, "https://www.example.com/thank-you/x").is_empty());
    assert!(visit(&mut e, "https://www.example.com/thank").is_empty());
    assert_eq!(visit(&mut e, "https://www.example.com/done"), ["slashed"]);
    assert_eq!(visit(&mut e, "https://www.example.com/done/"), ["slashed"]);
    // The root path is not the empty path.
    assert_eq!(visit(&mut e, "https://www.example.com/"), ["root"]);
}

#[test]
fn trailing_slash_only_for_equals_on_the_path() {
    let ends = with(
        page_view("ends"),
        vec![cond("page.path", "ends_with", s("/thank-you"))],
    );
    let url = with(
        page_view("url"),
        vec![cond(
            "page.url",
            "equals",
            s("https://www.example.com/thank-you"),
        )],
    );
    let neg = with(
        page_view("neg"),
        vec![negated(cond("page.path", "equals", s("/thank-you")))],
    );
    let icase_path = with(
        page_view("icase"),
        vec![icase(cond("page.path", "equals", s("/Thank-You/")))],
    );
    let mut e = engine(vec![ends, url, neg, icase_path]);
    assert_eq!(
        visit(&mut e, "https://www.example.com/thank-you"),
        ["ends", "url", "icase"]
    );
    assert_eq!(
        visit(&mut e, "https://www.example.com/thank-you/"),
        ["icase"]
    );
    assert_eq!(visit(&mut e, "https://www.example.com/other"), ["neg"]);
}

#[test]
fn query_conditions_unless_and_event() {
    let t = Trigger {
        unless: vec![cond("query.preview", "equals", s("1"))],
        ..with(
            page_view("campaign"),
            vec![
                cond("query.utm_source", "equals", s("news")),
                cond("event", "equals", s("page_view")),
            ],
        )
    };
    let mut e = engine(vec![t]);
    assert_eq!(
        visit(&mut e, "https://www.example.com/?utm_source=news"),
        ["campaign"]
    );
    assert!(visit(&mut e, "https://www.example.com/?utm_source=news&preview=1").is_empty());
    assert!(visit(&mut e, "https://www.example.com/?utm_source=ads").is_empty());
}

#[test]
fn limits_count_views() {
    let mut e = engine(vec![
        limited(page_view("page"), Limit::OncePerPage),
        limited(page_view("session"), Limit::OncePerSession),
        limited(page_view("every"), Limit::Unlimited),
        page_view("event"),
    ]);
    assert_eq!(view(&mut e), ["page", "session", "every", "event"]);
    // The same view again (not a new page): once_per_page holds.
    assert_eq!(view(&mut e), ["every", "event"]);
    // A new view of the same URL (a back/forward-cache restore re-arms the page).
    assert_eq!(
        visit(&mut e, "https://www.example.com/blog/post.html"),
        ["page", "every", "event"]
    );
    // once_per_session survives a reload in the same session.
    let saved = e.session_state();
    let (mut next, _) = Engine::new(e.rules().clone(), NativeBackend::default());
    next.restore_session_state(&saved);
    assert_eq!(
        visit(&mut next, "https://www.example.com/"),
        ["page", "every", "event"]
    );
}

#[test]
fn once_per_event_reports_a_conversion_once_per_view() {
    let mut a = page_view("a");
    a.conversion = "visit".into();
    let mut b = with(
        page_view("b"),
        vec![cond("page.host", "equals", s("www.example.com"))],
    );
    b.conversion = "visit".into();
    let mut e = engine(vec![a, b]);
    assert_eq!(view(&mut e), ["a"]);
    assert_eq!(view(&mut e), ["a"]);
}

#[test]
fn parsed_from_a_rules_file() {
    let mut e = engine_from_json(
        r#"{"version": 1, "triggers": [
            {"id": "thanks", "conversion": "signup", "on": "page_view", "macro": true,
             "conditions": [{"variable": "page.path", "operator": "equals", "value": "/thank-you/"}]}
        ]}"#,
    );
    assert!(e.triggers()[0].is_macro);
    assert_eq!(e.triggers()[0].kind, TriggerKind::PageView);
    assert_eq!(
        visit(&mut e, "https://www.example.com/thank-you"),
        ["thanks"]
    );
}

#[test]
fn a_page_view_takes_no_type_fields() {
    let parsed = microconv::rules::parse(
        r#"{"version": 1, "triggers": [
            {"id": "p", "conversion": "x", "on": "page_view", "selector": "a"}
        ]}"#,
    );
    assert!(parsed.rules.triggers.is_empty());
    let m = parsed.errors[0].to_string();
    assert!(
        m.contains(r#""selector" applies to "on": "click" triggers, not "page_view""#),
        "{m}"
    );
}

#[test]
fn session_facts_count_page_views_and_name_the_landing_page() {
    let third = limited(
        with(
            page_view("third"),
            vec![cond("session.page_views", "greater_or_equal", n(3.0))],
        ),
        Limit::OncePerSession,
    );
    let from_pricing = with(
        page_view("from-pricing"),
        vec![cond("session.landing_path", "equals", s("/pricing"))],
    );
    let mut e = engine(vec![third, from_pricing]);
    // The shell counts each view in the session's record, then sets the facts.
    let views = |e: &mut Engine<NativeBackend>, url: &str, n: u32, landing: &str| {
        e.set_page(page(url));
        e.set_session_facts(n, landing);
        view(e)
    };
    assert!(views(&mut e, "https://www.example.com/blog/a", 1, "/blog/a").is_empty());
    assert!(views(&mut e, "https://www.example.com/blog/b", 2, "/blog/a").is_empty());
    assert_eq!(
        views(&mut e, "https://www.example.com/blog/c", 3, "/blog/a"),
        ["third"]
    );
    assert!(
        views(&mut e, "https://www.example.com/blog/d", 4, "/blog/a").is_empty(),
        "once per session"
    );
    // A new session, landing on the pricing page.
    e.new_session();
    assert_eq!(
        views(&mut e, "https://www.example.com/pricing", 1, "/pricing"),
        ["from-pricing"]
    );
}

#![cfg(not(target_arch = "wasm32"))]
//! Every variable family resolves to what the event and page say; variables
//! that do not apply to the event are null.

mod engine_support;

use engine_support::*;
use microconv::engine::{MediaEventKind, Value};
use microconv::rules::model::*;

/// Whether a custom trigger with `c` fires on a push of `e`.
fn on_push(c: Condition) -> bool {
    let mut e = engine(vec![with(custom("t", "e"), vec![c])]);
    !push(&mut e, "e", &[]).is_empty()
}

#[test]
fn page_variables() {
    // Page: https://www.example.com/blog/post.html?utm_source=news&q=red+shoes
    assert!(on_push(cond(
        "page.url",
        "equals",
        s("https://www.example.com/blog/post.html?utm_source=news&q=red+shoes")
    )));
    assert!(on_push(cond("page.host", "equals", s("www.example.com"))));
    assert!(on_push(cond("page.path", "equals", s("/blog/post.html"))));
    assert!(on_push(cond(
        "page.query",
        "equals",
        s("utm_source=news&q=red+shoes")
    )));
    assert!(on_push(cond("page.title", "equals", s("A post"))));
    assert!(on_push(cond(
        "page.referrer",
        "starts_with",
        s("https://search.example/")
    )));
    assert!(!on_push(cond("page.path", "equals", s("/other"))));
}

#[test]
fn query_parameters_are_decoded() {
    assert!(on_push(cond("query.q", "equals", s("red shoes"))));
    assert!(on_push(cond("query.utm_source", "equals", s("news"))));
    assert!(
        on_push(cond("query.missing", "equals", s(""))),
        "absent is null, string form ''"
    );
    let mut e = engine(vec![with(
        custom("t", "e"),
        vec![cond("query.name", "equals", s("José & co"))],
    )]);
    e.set_page(page("https://example.com/?name=Jos%C3%A9+%26+co"));
    assert_eq!(push(&mut e, "e", &[]).len(), 1);
}

#[test]
fn event_names_per_type() {
    let ev = |v: &str| vec![cond("event", "equals", s(v))];
    let mut e = engine(vec![
        with(scroll("s", ScrollUnits::Percent, &[10.0]), ev("scroll")),
        with(video("v", &[], &[]), ev("video")),
        with(click("c", None), ev("click")),
        with(link("l"), ev("link_click")),
        with(custom("p", "signup"), ev("signup")),
    ]);
    let s_out = scroll_to(&mut e, 0.0, 800.0, 1000.0);
    assert_eq!(ids(&e, &s_out), ["s"]);
    let v_out = media(
        &mut e,
        1,
        MediaEventKind::Play,
        0.0,
        10.0,
        "https://x/v.mp4",
    );
    assert_eq!(ids(&e, &v_out), ["v"]);
    let a = el("a", &[("href", "https://example.com/x")], "x", None);
    let c_out = click_on(&mut e, &a, 0);
    assert_eq!(ids(&e, &c_out), ["c", "l"]);
    let p_out = push(&mut e, "signup", &[]);
    assert_eq!(ids(&e, &p_out), ["p"]);
    assert_eq!(p_out[0].var("event"), Some(&str_val("signup")));
}

#[test]
fn click_variables_describe_the_element() {
    let mut e = engine(vec![with(
        click("c", None),
        vec![
            cond("click.id", "equals", s("buy")),
            cond("click.classes", "equals", s("btn primary")),
            cond("click.text", "equals", s("Buy now")),
            cond("click.url", "equals", s("https://www.example.com/cart")),
            cond("click.target", "equals", s("_blank")),
            cond("click.attr.data-sku", "equals", s("A-1")),
            cond("click.attr.DATA-SKU", "equals", s("A-1")),
            cond("click.attr.missing", "equals", s("")),
        ],
    )]);
    let a = el(
        "a",
        &[
            ("id", "buy"),
            ("class", "btn primary"),
            ("href", "https://www.example.com/cart"),
            ("target", "_blank"),
            ("data-sku", "A-1"),
        ],
        "  Buy\n   now ",
        None,
    );
    let out = click_on(&mut e, &a, 0);
    assert_eq!(out.len(), 1);
    let c = &out[0];
    assert_eq!(c.var("click.id"), Some(&str_val("buy")));
    assert_eq!(c.var("click.classes"), Some(&str_val("btn primary")));
    assert_eq!(c.var("click.text"), Some(&str_val("Buy now")));
    assert_eq!(
        c.var("click.url"),
        Some(&str_val("https://www.example.com/cart"))
    );
    assert_eq!(c.var("click.target"), Some(&str_val("_blank")));
    // Empty ones are left out of the conversion.
    let plain = el("div", &[], "", None);
    let mut e = engine(vec![click("c", None)]);
    let out = click_on(&mut e, &plain, 0);
    assert!(out[0].vars.is_empty(), "{:?}", out[0].vars);
}

#[test]
fn link_variables() {
    let mut e = engine(vec![link("l")]);
    let a = el(
        "a",
        &[("href", "https://Partner.org/docs/guide.PDF?x=1")],
        "Guide",
        None,
    );
    let out = click_on(&mut e, &a, 0);
    let c = &out[0];
    assert_eq!(
        c.var("link.url"),
        Some(&str_val("https://Partner.org/docs/guide.PDF?x=1"))
    );
    assert_eq!(c.var("link.host"), Some(&str_val("partner.org")));
    assert_eq!(c.var("link.outbound"), Some(&Value::Bool(true)));
    assert_eq!(c.var("link.download"), Some(&Value::Bool(true)));
    assert_eq!(c.var("click.text"), Some(&str_val("Guide")));
}

#[test]
fn scroll_variables() {
    let mut e = engine(vec![with(
        scroll("s", ScrollUnits::Pixels, &[500.0, 1500.0]),
        vec![
            cond("scroll.threshold", "greater_than", n(1000.0)),
            cond("scroll.units", "equals", s("pixels")),
            cond("scroll.direction", "equals", s("vertical")),
        ],
    )]);
    let out = scroll_to(&mut e, 1000.0, 800.0, 5000.0);
    assert_eq!(thresholds(&out), [1500.0]);
    assert_eq!(out[0].var("scroll.units"), Some(&str_val("pixels")));
    assert_eq!(out[0].var("scroll.direction"), Some(&str_val("vertical")));
}

#[test]
fn video_variables() {
    let mut e = engine(vec![with(
        video("v", &[50.0], &[]),
        vec![
            cond("video.provider", "equals", s("html5")),
            cond("video.status", "equals", s("progress")),
            cond("video.url", "ends_with", s("demo.mp4")),
            cond("video.title", "equals", s("Demo")),
            cond("video.duration", "equals", n(40.0)),
            cond("video.current_time", "greater_or_equal", n(20.0)),
            cond("video.percent", "equals", n(50.0)),
        ],
    )]);
    let url = "https://cdn.example.com/demo.mp4";
    assert!(
        media(&mut e, 1, MediaEventKind::Play, 0.0, 40.0, url).is_empty(),
        "start: status differs"
    );
    let out = media(&mut e, 1, MediaEventKind::TimeUpdate, 20.25, 40.0, url);
    assert_eq!(out.len(), 1);
    let c = &out[0];
    assert_eq!(c.var("video.provider"), Some(&str_val("html5")));
    assert_eq!(c.var("video.url"), Some(&str_val(url)));
    assert_eq!(c.var("video.title"), Some(&str_val("Demo")));
    assert_eq!(c.var("video.duration"), Some(&Value::Num(40.0)));
    assert_eq!(c.var("video.current_time"), Some(&Value::Num(20.25)));
    assert_eq!(c.var("video.percent"), Some(&Value::Num(50.0)));
}

#[test]
fn video_percent_is_rounded_for_statuses_and_absent_for_live_streams() {
    let mut e = engine(vec![video("v", &[], &[])]);
    let out = media(&mut e, 1, MediaEventKind::Play, 3.3, 10.0, "u");
    assert_eq!(out[0].var("video.percent"), Some(&Value::Num(33.0)));
    let out = media(&mut e, 2, MediaEventKind::Play, 5.0, f64::INFINITY, "live");
    assert_eq!(out[0].var("video.percent"), None);
    assert_eq!(out[0].var("video.duration"), None);
    assert_eq!(out[0].var("video.current_time"), Some(&Value::Num(5.0)));
}

#[test]
fn data_layer_keys() {
    let mut e = engine(vec![with(
        custom("t", "purchase"),
        vec![
            cond("dl.plan", "equals", s("pro")),
            cond("dl.ecommerce.value", "greater_than", n(10.0)),
            cond("dl.trial", "equals", b(true)),
        ],
    )]);
    let fields = [
        ("plan", str_val("pro")),
        ("ecommerce.value", Value::Num(49.9)),
        ("trial", Value::Bool(true)),
        ("none", Value::Null),
    ];
    let out = push(&mut e, "purchase", &fields);
    assert_eq!(out.len(), 1);
    let c = &out[0];
    assert_eq!(c.var("event"), Some(&str_val("purchase")));
    assert_eq!(c.var("dl.plan"), Some(&str_val("pro")));
    assert_eq!(c.var("dl.ecommerce.value"), Some(&Value::Num(49.9)));
    assert_eq!(c.var("dl.trial"), Some(&Value::Bool(true)));
    assert_eq!(c.var("dl.none"), None, "nulls are not sent");
    assert!(
        push(&mut e, "purchase", &[("plan", str_val("Pro"))]).is_empty(),
        "exact values"
    );
    assert!(
        push(&mut e, "Purchase", &fields).is_empty(),
        "event names are case-sensitive"
    );
}

#[test]
fn variables_that_do_not_apply_are_null() {
    // video.percent on a click: null, so `equals ""` holds and `less_than 1` holds (Number(null) = 0).
    let mut e = engine(vec![
        with(
            click("empty", None),
            vec![cond("video.percent", "equals", s(""))],
        ),
        with(
            click("zero", None),
            vec![cond("video.percent", "less_than", n(1.0))],
        ),
        with(
            click("link-on-click", None),
            vec![cond("link.outbound", "equals", b(false))],
        ),
        with(
            click("dl-on-click", None),
            vec![cond("dl.x", "equals", s("y"))],
        ),
        with(
            click("scroll-on-click", None),
            vec![cond("scroll.threshold", "greater_than", n(0.0))],
        ),
    ]);
    let div = el("div", &[], "", None);
    let out = click_on(&mut e, &div, 0);
    assert_eq!(ids(&e, &out), ["empty", "zero"]);
}

#[test]
fn text_values_are_capped() {
    let long = "x".repeat(500);
    let mut e = engine(vec![custom("t", "e")]);
    let out = push(&mut e, "e", &[("k", str_val(&long))]);
    match out[0].var("dl.k") {
        Some(Value::Str(s)) => assert_eq!(s.chars().count(), microconv::engine::TEXT_CAP),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_data_layer_is_merged_and_read_by_every_trigger() {
    let logged_out = || cond("dl.user.loggedIn", "equals", b(false));
    let mut e = engine(vec![
        with(click("cta", None), vec![logged_out()]),
        with(
            custom("buy", "purchase"),
            vec![cond("dl.user.tier", "equals", s("gold"))],
        ),
    ]);
    let button = el("button", &[], "Go", None);
    assert!(
        click_on(&mut e, &button, 0).is_empty(),
        "nothing pushed yet"
    );
    // A push without an event only sets state; a click then reads it.
    assert!(push(&mut e, "", &[("user.loggedIn", Value::Bool(false))]).is_empty());
    assert_eq!(click_on_ids(&mut e, &button, 0), ["cta"]);
    // An event reads what earlier pushes set; its conversion carries its own keys.
    push(&mut e, "", &[("user.tier", Value::Str("gold".into()))]);
    let out = push(&mut e, "purchase", &[("value", Value::Num(30.0))]);
    assert_eq!(ids(&e, &out), ["buy"]);
    assert_eq!(out[0].var("dl.value"), Some(&Value::Num(30.0)));
    assert_eq!(out[0].var("dl.user.tier"), None);
    // A route keeps the data layer (one page load); a later push changes it.
    e.set_page(page("https://www.example.com/next"));
    assert_eq!(click_on_ids(&mut e, &button, 0), ["cta"]);
    push(&mut e, "login", &[("user.loggedIn", Value::Bool(true))]);
    assert!(click_on(&mut e, &button, 0).is_empty());
    // null clears a whole object, as `ecommerce: null` does in GTM.
    push(&mut e, "", &[("user", Value::Null)]);
    assert!(push(&mut e, "purchase", &[]).is_empty());
}

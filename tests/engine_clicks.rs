#![cfg(not(target_arch = "wasm32"))]
//! Clicks, CTA selectors and links (outbound, affiliated, downloads).

mod engine_support;

use std::cell::Cell;

use engine_support::*;
use microconv::backend::{Backend, ElementFacts};
use microconv::engine::{Engine, Value};
use microconv::native::NativeBackend;
use microconv::rules::model::Trigger;

#[test]
fn left_and_middle_clicks_count_right_does_not() {
    let mut e = engine(vec![click("c", None), link("l")]);
    let a = el("a", &[("href", "https://other.org/")], "x", None);
    assert_eq!(click_on_ids(&mut e, &a, 0), ["c", "l"]);
    assert_eq!(click_on_ids(&mut e, &a, 1), ["c", "l"]);
    assert!(click_on(&mut e, &a, 2).is_empty());
    assert!(click_on(&mut e, &a, 3).is_empty());
    assert!(click_on(&mut e, &a, -1).is_empty());
}

#[test]
fn selector_qualifies_on_or_inside_and_describes_the_match() {
    let mut e = engine(vec![with(
        click("cta", Some("a.cta, button.cta")),
        vec![icase(cond("click.text", "contains", s("trial")))],
    )]);
    let section = el(
        "section",
        &[("class", "cta")],
        "Start your free trial now",
        None,
    );
    let button = el(
        "button",
        &[("class", "cta big"), ("id", "go")],
        "Start your free TRIAL",
        Some(&section),
    );
    let icon = el("span", &[("class", "icon")], "", Some(&button));
    let out = click_on(&mut e, &icon, 0);
    assert_eq!(out.len(), 1, "inside a match");
    assert_eq!(
        out[0].var("click.id"),
        Some(&str_val("go")),
        "click.* describe the matched element"
    );
    assert_eq!(out[0].var("click.classes"), Some(&str_val("cta big")));
    assert_eq!(click_on(&mut e, &button, 0).len(), 1, "on the match");
    assert!(
        click_on(&mut e, &section, 0).is_empty(),
        "outside any match"
    );
    let other = el("button", &[("class", "cta")], "Buy", None);
    assert!(
        click_on(&mut e, &other, 0).is_empty(),
        "match, but conditions fail"
    );
}

#[test]
fn without_selector_the_target_is_described() {
    let mut e = engine(vec![click("c", None)]);
    let button = el("button", &[("id", "outer")], "Outer", None);
    let inner = el("b", &[("id", "inner")], "Inner", Some(&button));
    let out = click_on(&mut e, &inner, 0);
    assert_eq!(out[0].var("click.id"), Some(&str_val("inner")));
}

#[test]
fn link_click_uses_the_nearest_link() {
    let mut e = engine(vec![with(
        link("l"),
        vec![cond("click.id", "equals", s("the-link"))],
    )]);
    let a = el(
        "a",
        &[("href", "https://example.com/x"), ("id", "the-link")],
        "Read",
        None,
    );
    let img = el("img", &[("id", "pic")], "", Some(&a));
    let out = click_on(&mut e, &img, 0);
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].var("link.url"),
        Some(&str_val("https://example.com/x"))
    );
    let area = el(
        "area",
        &[("href", "https://example.com/map"), ("id", "the-link")],
        "",
        None,
    );
    assert_eq!(click_on(&mut e, &area, 0).len(), 1);
    let no_link = el("div", &[("id", "the-link")], "", None);
    assert!(
        click_on(&mut e, &no_link, 0).is_empty(),
        "no link, no link_click"
    );
    let anchor = el("a", &[("id", "the-link")], "no href", None);
    assert!(
        click_on(&mut e, &anchor, 0).is_empty(),
        "an <a> without href is not a link"
    );
}

#[test]
fn javascript_links_are_not_links() {
    let mut e = engine(vec![link("l"), click("c", None)]);
    let a = el("a", &[("href", "javascript:void(0)")], "Menu", None);
    assert_eq!(click_on_ids(&mut e, &a, 0), ["c"]);
}

fn outbound(url: &str) -> bool {
    let mut e = engine(vec![with(
        link("out"),
        vec![cond("link.outbound", "equals", b(true))],
    )]);
    let a = el("a", &[("href", url)], "", None);
    !click_on(&mut e, &a, 0).is_empty()
}

#[test]
fn outbound_links() {
    // Page host is www.example.com; shop.example.com is affiliated.
    assert!(outbound("https://other.org/page"));
    assert!(outbound("http://other.org"));
    assert!(!outbound("https://www.example.com/about"), "same host");
    assert!(
        !outbound("https://example.com/about"),
        "www. ignored on the page side"
    );
    assert!(!outbound("https://WWW.EXAMPLE.COM/"), "case-insensitive");
    assert!(
        outbound("https://blog.example.com/"),
        "a subdomain that is not affiliated"
    );
    assert!(!outbound("https://shop.example.com/cart"), "affiliated");
    assert!(
        !outbound("https://www.shop.example.com/cart"),
        "affiliated, www. ignored"
    );
    assert!(
        !outbound("https://eu.shop.example.com/cart"),
        "subdomain of an affiliated domain"
    );
    assert!(
        outbound("https://myshop.example.com/"),
        "not a subdomain, just a suffix"
    );
    assert!(!outbound("mailto:someone@other.org"), "not http(s)");
    assert!(!outbound("tel:+123"));
}

#[test]
fn downloads_by_attribute_or_extension() {
    let dl = |attrs: &[(&str, &str)]| {
        let mut e = engine(vec![with(
            link("d"),
            vec![cond("link.download", "equals", b(true))],
        )]);
        let a = el("a", attrs, "", None);
        !click_on(&mut e, &a, 0).is_empty()
    };
    assert!(dl(&[("href", "https://www.example.com/files/Report.PDF")]));
    assert!(dl(&[("href", "https://www.example.com/a.xlsx?v=2#sheet")]));
    assert!(dl(&[("href", "https://www.example.com/a.mpeg")]));
    assert!(dl(&[
        ("href", "https://www.example.com/export"),
        ("download", "")
    ]));
    assert!(!dl(&[(
        "href",
        "https://www.example.com/page.html?file=a.pdf"
    )]));
    assert!(!dl(&[("href", "https://www.example.com/pdf")]));
}

#[test]
fn outbound_rule_with_unless() {
    let mut t = with(
        link("outbound"),
        vec![cond("link.outbound", "equals", b(true))],
    );
    t.unless = vec![cond("link.url", "contains", s("utm_source=partner"))];
    let mut e = engine(vec![t]);
    let plain = el("a", &[("href", "https://other.org/")], "", None);
    let partner = el(
        "a",
        &[("href", "https://other.org/?utm_source=partner")],
        "",
        None,
    );
    assert_eq!(click_on(&mut e, &plain, 0).len(), 1);
    assert!(click_on(&mut e, &partner, 0).is_empty());
    let out = click_on(&mut e, &plain, 1);
    assert_eq!(out[0].var("link.outbound"), Some(&Value::Bool(true)));
    assert_eq!(out[0].var("link.host"), Some(&str_val("other.org")));
}

/// Counts `describe` and `closest` calls (each one a crossing into the
/// browser in the tag).
#[derive(Default)]
struct Counting {
    inner: NativeBackend,
    describes: Cell<usize>,
    closests: Cell<usize>,
}

impl Backend for Counting {
    type Regex = <NativeBackend as Backend>::Regex;
    type Selector = <NativeBackend as Backend>::Selector;
    type Element = <NativeBackend as Backend>::Element;
    fn compile_regex(&self, p: &str, i: bool) -> Option<Self::Regex> {
        self.inner.compile_regex(p, i)
    }
    fn regex_test(&self, re: &Self::Regex, t: &str) -> bool {
        self.inner.regex_test(re, t)
    }
    fn compile_selector(&self, s: &str) -> Option<Self::Selector> {
        self.inner.compile_selector(s)
    }
    fn matches(&self, el: &Self::Element, s: &Self::Selector) -> bool {
        self.inner.matches(el, s)
    }
    fn closest(&self, el: &Self::Element, s: &Self::Selector) -> Option<Self::Element> {
        self.closests.set(self.closests.get() + 1);
        self.inner.closest(el, s)
    }
    fn closest_link(&self, el: &Self::Element) -> Option<(Self::Element, String, bool)> {
        self.inner.closest_link(el)
    }
    fn describe(&self, el: &Self::Element) -> ElementFacts {
        self.describes.set(self.describes.get() + 1);
        self.inner.describe(el)
    }
    fn global(&self, path: &str) -> microconv::engine::Value {
        self.inner.global(path)
    }
}

#[test]
fn each_element_is_described_once_per_click() {
    let triggers = vec![
        click("a", None),
        click("b", None),
        click("c", Some("a")),
        link("l1"),
        link("l2"),
    ];
    let (mut e, errors) = Engine::new(rules(triggers), Counting::default());
    assert!(errors.is_empty());
    e.set_page(page("https://www.example.com/"));
    let a = el("a", &[("href", "https://other.org/")], "", None);
    let span = el("span", &[], "", Some(&a));
    let mut out = vec![];
    e.on_click(&span, 0, &mut out);
    assert_eq!(out.len(), 5);
    // span (for a, b) and the link (for c, l1, l2): two descriptions.
    assert_eq!(e.backend().describes.get(), 2);
    e.on_click(&span, 0, &mut out);
    assert_eq!(e.backend().describes.get(), 4, "not cached across clicks");
}

/// An engine over a [`Counting`] backend on `url`.
fn counting(triggers: Vec<Trigger>, url: &str) -> Engine<Counting> {
    let (mut e, errors) = Engine::new(rules(triggers), Counting::default());
    assert!(errors.is_empty(), "{errors:?}");
    e.set_page(page(url));
    e
}

fn fired(e: &mut Engine<Counting>, target: &El) -> Vec<String> {
    let mut out = vec![];
    e.on_click(target, 0, &mut out);
    out.iter()
        .map(|c| e.triggers()[c.trigger].id.clone())
        .collect()
}

#[test]
fn a_trigger_for_other_pages_asks_nothing_of_the_browser() {
    let pricing = with(
        click("pricing", Some("button.cta")),
        vec![cond("page.path", "equals", s("/pricing"))],
    );
    let not_preview = Trigger {
        unless: vec![cond("page.query", "contains", s("preview=1"))],
        ..click("live", Some("button"))
    };
    let mut e = counting(
        vec![pricing, not_preview],
        "https://www.example.com/blog?preview=1",
    );
    let button = el("button", &[("class", "cta")], "Go", None);
    assert!(fired(&mut e, &button).is_empty());
    assert_eq!(e.backend().closests.get(), 0, "both shut by the page");
    e.set_page(page("https://www.example.com/pricing/"));
    assert_eq!(
        fired(&mut e, &button),
        ["pricing", "live"],
        "the next page opens them"
    );
    assert_eq!(e.backend().closests.get(), 2);
    e.set_page(page("https://www.example.com/blog"));
    assert_eq!(fired(&mut e, &button), ["live"], "and judges them again");
}

#[test]
fn triggers_sharing_a_selector_ask_the_browser_once_per_click() {
    let mut e = counting(
        vec![
            click("a", Some("a.cta, button.cta")),
            with(
                click("b", Some("a.cta, button.cta")),
                vec![cond("click.text", "equals", s("never"))],
            ),
            click("c", Some("a.cta, button.cta")),
            click("d", Some("#nowhere")),
            click("e", Some("#nowhere")),
            click("f", None),
        ],
        "https://www.example.com/",
    );
    let button = el("button", &[("class", "cta")], "Go", None);
    let span = el("span", &[], "", Some(&button));
    assert_eq!(fired(&mut e, &span), ["a", "c", "f"]);
    assert_eq!(e.backend().closests.get(), 2, "one per distinct selector");
    assert_eq!(e.backend().describes.get(), 2, "the button and the span");
    let elsewhere = el("p", &[], "", None);
    assert_eq!(
        fired(&mut e, &elsewhere),
        ["f"],
        "answers are not kept across clicks"
    );
    assert_eq!(
        e.backend().closests.get(),
        4,
        "no match for all: none asked alone"
    );
}

#[test]
fn session_conditions_are_judged_again_when_the_session_facts_change() {
    let mut e = counting(
        vec![with(
            click("warm", Some("button")),
            vec![cond("session.page_views", "greater_or_equal", n(2.0))],
        )],
        "https://www.example.com/",
    );
    let button = el("button", &[], "Go", None);
    e.set_session_facts(1, "/");
    assert!(fired(&mut e, &button).is_empty());
    e.set_session_facts(2, "/");
    assert_eq!(fired(&mut e, &button), ["warm"]);
}

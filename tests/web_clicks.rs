//! Clicks and links in a real browser: CTA selectors, outbound / internal /
//! affiliated / middle-clicked / SVG / `javascript:` links, shadow DOM.
#![cfg(target_arch = "wasm32")]

mod web_common;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_common::*;
use web_sys::{Element, HtmlElement, MouseEvent, MouseEventInit, ShadowRootInit, ShadowRootMode};

wasm_bindgen_test_configure!(run_in_browser);

const CTA: &str = r#"{"id":"trial-cta","conversion":"trial_cta_click","on":"click",
  "selector":"a.cta, button.cta",
  "conditions":[{"variable":"click.text","operator":"contains","value":"trial","ignore_case":true}]}"#;
const OUTBOUND: &str = r#"{"id":"outbound","conversion":"outbound_click","on":"link_click",
  "conditions":[{"variable":"link.outbound","operator":"equals","value":true}],
  "unless":[{"variable":"link.url","operator":"contains","value":"utm_source=partner"}]}"#;
const INTERNAL: &str = r#"{"id":"internal","conversion":"internal_click","on":"link_click",
  "conditions":[{"variable":"link.outbound","operator":"equals","value":false}]}"#;

/// Keeps link clicks from navigating the test page away (runs after the
/// tag's capturing listener, like a single-page app's router would).
fn no_navigation(fixture: &HtmlElement) {
    let stop = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| e.prevent_default());
    fixture
        .add_event_listener_with_callback("click", stop.as_ref().unchecked_ref())
        .unwrap();
    fixture
        .add_event_listener_with_callback("auxclick", stop.as_ref().unchecked_ref())
        .unwrap();
    stop.forget();
}

fn click(el: &Element) {
    el.unchecked_ref::<HtmlElement>().click();
}

/// A synthetic mouse event of type `ty` with `button`, bubbling and composed like a real one.
fn mouse(el: &Element, ty: &str, button: i16) {
    let init = MouseEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_cancelable(true);
    init.set_button(button);
    let e = MouseEvent::new_with_mouse_event_init_dict(ty, &init).unwrap();
    el.dispatch_event(&e).unwrap();
}

#[wasm_bindgen_test]
fn cta_selector_and_text_condition() {
    let tag = Tag::start(&rules(CTA));
    tag.html(
        r#"<button class="cta big" id="b1">Start your <b id="inner">free   trial</b>
           </button><button class="cta" id="b2">Buy now</button><button id="b3">Free trial</button>
           <a class="cta" id="a1" href="">Trial</a>"#,
    );
    no_navigation(&tag.fixture);
    click(&tag.el("inner"));
    let events = tag.events();
    assert_eq!(events.len(), 1, "a click inside the CTA counts");
    let e = &events[0];
    assert_eq!(e.conversion, "trial_cta_click");
    assert_eq!(
        e.var_str("click.id"),
        "b1",
        "click.* describes the matching element"
    );
    assert_eq!(e.var_str("click.classes"), "cta big");
    assert_eq!(
        e.var_str("click.text"),
        "Start your free trial",
        "trimmed, collapsed"
    );

    tag.clear();
    click(&tag.el("b2"));
    assert!(
        tag.events().is_empty(),
        "CTA without 'trial': the condition fails"
    );
    click(&tag.el("b3"));
    assert!(
        tag.events().is_empty(),
        "'trial' outside the selector: no match"
    );
    click(&tag.el("a1"));
    assert_eq!(tag.conversions(), ["trial_cta_click"], "a.cta matches too");
}

#[wasm_bindgen_test]
fn click_text_is_capped() {
    let tag = Tag::start(&rules(
        r#"{"id":"any","conversion":"any_click","on":"click","selector":"button"}"#,
    ));
    let long = "word ".repeat(200);
    tag.html(&format!(r#"<button id="long">{long}</button>"#));
    click(&tag.el("long"));
    let events = tag.events();
    // 100 characters (TEXT_CAP), without the space the cap ended on.
    assert_eq!(
        events[0].var_str("click.text"),
        "word ".repeat(20).trim_end()
    );
    tag.clear();
    tag.html("<button id=\"odd\">\u{85}\u{3000} a\u{a0}\u{2028}b \u{feff} 𝄞 </button>");
    click(&tag.el("odd"));
    assert_eq!(
        tag.events()[0].var_str("click.text"),
        "a b \u{feff} 𝄞",
        "Unicode White_Space collapsed (not U+FEFF), as natively (native.rs tests)"
    );
}

fn links_fixture(tag: &Tag) {
    tag.html(
        r#"<a id="out" href="https://other.example.org/pricing">Other</a>
           <a id="in" href="/docs/page.html">Docs</a>
           <a id="aff" href="https://shop.example.com/p">Shop</a>
           <a id="affsub" href="https://eu.shop.example.com/p">EU shop</a>
           <a id="partner" href="https://other.example.org/?utm_source=partner">Partner</a>
           <a id="js" href="javascript:void(0)">JS</a>
           <a id="nohref">No href</a>
           <a id="wrap" href="https://other.example.org/wrapped"><span id="wrapped">inner</span></a>
           <svg width="10" height="10"><a href="https://other.example.org/svg"><text id="svgtext" y="9">s</text></a></svg>"#,
    );
    no_navigation(&tag.fixture);
}

#[wasm_bindgen_test]
fn outbound_internal_and_affiliated_links() {
    let tag = Tag::start(&rules(&format!("{OUTBOUND},{INTERNAL}")));
    links_fixture(&tag);
    let cases = [
        ("out", Some("outbound_click")),
        ("in", Some("internal_click")),
        ("aff", Some("internal_click")),
        ("affsub", Some("internal_click")),
        ("partner", None),
        ("js", None),
        ("nohref", None),
        ("wrapped", Some("outbound_click")),
    ];
    for (id, want) in cases {
        tag.clear();
        click(&tag.el(id));
        let got = tag.conversions();
        assert_eq!(got, want.into_iter().collect::<Vec<_>>(), "click on #{id}");
    }
    tag.clear();
    click(&tag.el("out"));
    let e = &tag.events()[0];
    assert_eq!(e.var_str("link.url"), "https://other.example.org/pricing");
    assert_eq!(e.var_str("link.host"), "other.example.org");
    assert_eq!(e.var_str("link.outbound"), "true");
    tag.clear();
    click(&tag.el("in"));
    let e = &tag.events()[0];
    let origin = window().location().origin().unwrap();
    assert_eq!(
        e.var_str("link.url"),
        format!("{origin}/docs/page.html"),
        "link.url is absolute"
    );
}

#[wasm_bindgen_test]
fn svg_links_count() {
    let tag = Tag::start(&rules(OUTBOUND));
    links_fixture(&tag);
    mouse(&tag.el("svgtext"), "click", 0);
    let events = tag.events();
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].var_str("link.url"),
        "https://other.example.org/svg"
    );
}

#[wasm_bindgen_test]
fn middle_click_counts_right_click_does_not() {
    let tag = Tag::start(&rules(OUTBOUND));
    links_fixture(&tag);
    mouse(&tag.el("out"), "auxclick", 1);
    assert_eq!(tag.conversions(), ["outbound_click"], "middle click");
    tag.clear();
    mouse(&tag.el("out"), "auxclick", 2);
    assert!(tag.events().is_empty(), "right click (auxclick button 2)");
}

#[wasm_bindgen_test]
fn link_clicks_are_sent_at_once() {
    // The page may be leaving: no batch window for clicks.
    let tag = Tag::start(&rules(OUTBOUND));
    links_fixture(&tag);
    click(&tag.el("out"));
    assert_eq!(tag.bodies().len(), 1, "sent synchronously in the click");
}

#[wasm_bindgen_test]
fn clicks_inside_shadow_dom_resolve_to_the_inner_element() {
    let tag = Tag::start(&rules(&format!("{CTA},{OUTBOUND}")));
    tag.html(r#"<div id="host"></div>"#);
    no_navigation(&tag.fixture);
    let host = tag.el("host");
    let root = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .unwrap();
    root.set_inner_html(
        r#"<div class="card"><button class="cta" id="sbtn"><span id="slabel">Try the trial</span></button>
           <a id="slink" href="https://other.example.org/shadow">Out</a></div>"#,
    );
    click(&root.get_element_by_id("slabel").unwrap());
    let events = tag.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].var_str("click.id"), "sbtn");
    assert_eq!(events[0].var_str("click.text"), "Try the trial");
    tag.clear();
    click(&root.get_element_by_id("slink").unwrap());
    let events = tag.events();
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].var_str("link.url"),
        "https://other.example.org/shadow"
    );
}

#[wasm_bindgen_test]
fn selector_matching_crosses_the_shadow_boundary() {
    // The CTA class is on the host; the click lands inside its shadow root.
    let tag = Tag::start(&rules(
        r#"{"id":"card","conversion":"card_click","on":"click","selector":"div.card-cta"}"#,
    ));
    tag.html(r#"<div class="card-cta" id="hostdiv"></div>"#);
    let host = tag.el("hostdiv");
    let root = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .unwrap();
    root.set_inner_html(r#"<span id="deep">Free trial</span>"#);
    click(&root.get_element_by_id("deep").unwrap());
    let events = tag.events();
    assert_eq!(events.len(), 1, "closest() continues from the shadow host");
    assert_eq!(events[0].var_str("click.id"), "hostdiv");
}

/// What `stop` undoes: every listener the tag added (counted by wrapping
/// `EventTarget.prototype`'s methods) and the scroll shell's ResizeObserver.
#[wasm_bindgen_test]
fn stop_removes_every_listener_and_observer_it_added() {
    let count = js_sys::Function::new_no_args(
        r#"const P = EventTarget.prototype, R = ResizeObserver.prototype;
        const add = P.addEventListener, remove = P.removeEventListener, off = R.disconnect;
        const n = { added: 0, removed: 0, disconnected: 0 };
        n.restore = () => { P.addEventListener = add; P.removeEventListener = remove; R.disconnect = off; };
        P.addEventListener = function (...a) { n.added++; return add.apply(this, a); };
        P.removeEventListener = function (...a) { n.removed++; return remove.apply(this, a); };
        R.disconnect = function () { n.disconnected++; return off.call(this); };
        return n;"#,
    )
    .call0(&JsValue::NULL)
    .unwrap();
    let get = |k: &str| {
        js_sys::Reflect::get(&count, &k.into())
            .unwrap()
            .as_f64()
            .unwrap()
    };
    let scroll = r#"{"id":"depth","conversion":"scrolled","on":"scroll","units":"percent","thresholds":[90]}"#;
    let form = r#"{"id":"sent","conversion":"sent","on":"form_submit"}"#;
    let tag = Tag::start(&rules(&[CTA, OUTBOUND, scroll, form].join(",")));
    let added = get("added");
    assert!(
        added >= 8.0,
        "click, auxclick, scroll, submit, lifecycle...: {added}"
    );
    assert_eq!(get("removed"), 0.0);
    drop(tag);
    let (removed, disconnected) = (get("removed"), get("disconnected"));
    let restore: js_sys::Function = js_sys::Reflect::get(&count, &"restore".into())
        .unwrap()
        .unchecked_into();
    restore.call0(&JsValue::NULL).unwrap();
    assert_eq!(removed, added, "each listener removed once");
    assert_eq!(disconnected, 1.0, "the resize observer");
}

/// `link.download`: the `download` attribute counts without a file extension.
#[wasm_bindgen_test]
fn a_download_attribute_makes_a_download() {
    let downloads = r#"{"id":"dl","conversion":"download","on":"link_click","limit":"unlimited",
      "conditions":[{"variable":"link.download","operator":"equals","value":true}]}"#;
    let tag = Tag::start(&rules(downloads));
    tag.html(
        r#"<a id="attr" href="/export?format=csv" download><span id="in">Export</span></a>
           <a id="plain" href="/export?format=csv">Export page</a>"#,
    );
    no_navigation(&tag.fixture);
    click(&tag.el("in"));
    click(&tag.el("plain"));
    let events = tag.events();
    assert_eq!(events.len(), 1, "only the link with the attribute");
    assert!(
        events[0].var_str("link.url").ends_with("/export"),
        "{}",
        events[0].var_str("link.url")
    );
}

//! Single-page apps: a URL change without a reload is a new page for the tag
//! (once_per_page re-arms, page.* follow), noticed through the wrapped
//! history methods or, when the page bypasses them, at the next event; the
//! wrapper keeps the page's own pushState behaviour.
#![cfg(target_arch = "wasm32")]

mod web_common;

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_common::*;

wasm_bindgen_test_configure!(run_in_browser);

const PER_PAGE: &str =
    r#"{"id":"seen","conversion":"seen","on":"custom","event":"seen","limit":"once_per_page"}"#;

fn history() -> JsValue {
    Reflect::get(&window(), &"history".into()).unwrap()
}

/// `History.prototype.<name>`, the browser's own method (bypasses any wrapper).
fn native(name: &str) -> Function {
    let proto = js_sys::eval("History.prototype").unwrap();
    Reflect::get(&proto, &name.into()).unwrap().unchecked_into()
}

/// Changes the URL the way an app would, through `history[name]` (wrapped or not).
fn go(name: &str, url: &str) {
    let f: Function = Reflect::get(&history(), &name.into())
        .unwrap()
        .unchecked_into();
    f.call3(&history(), &JsValue::NULL, &"".into(), &url.into())
        .unwrap();
}

/// Puts back the test runner's URL and the browser's own history methods.
struct Restore(String);

impl Drop for Restore {
    fn drop(&mut self) {
        let h = history();
        for m in ["pushState", "replaceState"] {
            let _ = Reflect::delete_property(
                h.unchecked_ref::<js_sys::Object>(),
                &JsValue::from_str(m),
            );
        }
        let _ =
            native("replaceState").call3(&h, &JsValue::NULL, &"".into(), &self.0.clone().into());
    }
}

fn restore() -> Restore {
    Restore(window().location().href().unwrap())
}

fn push_seen() {
    let dl = Reflect::get(&window(), &"dataLayer".into()).unwrap();
    let f: Function = Reflect::get(&dl, &"push".into()).unwrap().unchecked_into();
    f.call1(&dl, &js_sys::JSON::parse(r#"{"event":"seen"}"#).unwrap())
        .unwrap();
}

fn page_field(e: &Event, k: &str) -> String {
    let page = Reflect::get(&e.json, &"page".into()).unwrap();
    text(&Reflect::get(&page, &k.into()).unwrap())
}

#[wasm_bindgen_test]
async fn a_new_url_is_a_new_page_the_same_url_or_a_fragment_is_not() {
    let _r = restore();
    Reflect::set(&window(), &"dataLayer".into(), &js_sys::Array::new()).unwrap();
    let tag = Tag::start(&rules(PER_PAGE));
    let first = window().location().href().unwrap();
    push_seen();
    push_seen();
    assert_eq!(tag.conversions(), ["seen"], "once per page");

    // The same URL (replace and push), then a fragment: still the same page.
    go("replaceState", &first);
    go("pushState", &first);
    go("pushState", "#section-2");
    sleep(100).await;
    push_seen();
    assert_eq!(tag.conversions(), ["seen"], "no new page");

    // A new URL: the limit re-arms and page.* follow.
    go("pushState", "/spa-test/route-a?utm_source=x");
    sleep(100).await;
    push_seen();
    push_seen();
    let events = tag.events();
    assert_eq!(events.len(), 2, "once on the new page");
    assert_eq!(page_field(&events[1], "path"), "/spa-test/route-a");
    assert!(
        page_field(&events[1], "url").ends_with("/spa-test/route-a"),
        "{}",
        page_field(&events[1], "url")
    );
    let before: String = first.split('#').next().unwrap().into();
    assert_eq!(
        page_field(&events[1], "referrer"),
        before.split('?').next().unwrap(),
        "the previous route"
    );

    // replaceState to a new URL, and back (popstate) are new pages too.
    go("replaceState", "/spa-test/route-b");
    push_seen();
    assert_eq!(
        tag.conversions().len(),
        3,
        "noticed at the next event, without waiting"
    );
}

#[wasm_bindgen_test]
async fn a_page_that_bypasses_or_replaces_the_wrapper_is_still_seen() {
    let _r = restore();
    Reflect::set(&window(), &"dataLayer".into(), &js_sys::Array::new()).unwrap();
    let tag = Tag::start(&rules(PER_PAGE));
    push_seen();
    // The browser's own pushState, past the tag's wrapper.
    native("pushState")
        .call3(
            &history(),
            &JsValue::NULL,
            &"".into(),
            &"/spa-test/bypass".into(),
        )
        .unwrap();
    push_seen();
    // pushState replaced by a non-function after the tag started.
    Reflect::set(&history(), &"pushState".into(), &42.into()).unwrap();
    native("pushState")
        .call3(
            &history(),
            &JsValue::NULL,
            &"".into(),
            &"/spa-test/bypass-2".into(),
        )
        .unwrap();
    push_seen();
    let paths: Vec<String> = tag.events().iter().map(|e| page_field(e, "path")).collect();
    assert_eq!(paths[1..], ["/spa-test/bypass", "/spa-test/bypass-2"]);
}

#[wasm_bindgen_test]
async fn the_wrapper_keeps_the_pages_own_push_state() {
    let _r = restore();
    // The page's own pushState, installed before the tag: records `this` and
    // arguments, returns a value, throws on demand.
    let own = Function::new_with_args(
        "s, t, u",
        "window.ownCalls = (window.ownCalls || []).concat([[this === history, u]]);\
         if (u === 'throw') throw new Error('own error'); return 'own result';",
    );
    Reflect::set(&history(), &"pushState".into(), &own).unwrap();
    let tag = Tag::start(&rules(PER_PAGE));
    let wrapped: Function = Reflect::get(&history(), &"pushState".into())
        .unwrap()
        .unchecked_into();
    assert!(!js_sys::Object::is(&wrapped, &own), "wrapped");
    let r = wrapped
        .call3(&history(), &JsValue::NULL, &"".into(), &"/x".into())
        .unwrap();
    assert_eq!(r.as_string().as_deref(), Some("own result"));
    let err = wrapped
        .call3(&history(), &JsValue::NULL, &"".into(), &"throw".into())
        .unwrap_err();
    assert_eq!(
        text(&Reflect::get(&err, &"message".into()).unwrap()),
        "own error"
    );
    let calls = Reflect::get(&window(), &"ownCalls".into()).unwrap();
    assert_eq!(text(&calls), r#"[[true,"/x"],[true,"throw"]]"#);
    drop(tag);
}

const PAGE_VIEWS: &str = r#"{"id":"pv","conversion":"pv","on":"page_view","limit":"once_per_page"},
    {"id":"route","conversion":"route","on":"page_view",
     "conditions":[{"variable":"page.path","operator":"equals","value":"/spa-test/thanks"}]},
    {"id":"read","conversion":"read","on":"custom","event":"seen","limit":"once_per_page"}"#;

#[wasm_bindgen_test]
async fn page_views_at_start_on_each_route_and_after_a_back_forward_restore() {
    let _r = restore();
    Reflect::set(&window(), &"dataLayer".into(), &js_sys::Array::new()).unwrap();
    let tag = Tag::start(&rules(PAGE_VIEWS));
    assert_eq!(tag.conversions(), ["pv"], "the load is a page view");

    // A fragment is not a page view; a route is, with its path (a trailing
    // slash does not matter to `equals` on page.path).
    go("pushState", "#top");
    sleep(100).await;
    assert_eq!(tag.conversions(), ["pv"]);
    go("pushState", "/spa-test/thanks/");
    sleep(100).await;
    let events = tag.events();
    assert_eq!(tag.conversions(), ["pv", "pv", "route"]);
    assert_eq!(page_field(&events[2], "path"), "/spa-test/thanks/");

    // Back from the back/forward cache: pagehide, then pageshow. A new view
    // of the same page: once_per_page limits re-arm.
    push_seen();
    push_seen();
    assert_eq!(tag.conversions().len(), 4, "once per page");
    for ty in ["pagehide", "pageshow"] {
        let e = web_sys::Event::new(ty).unwrap();
        window().dispatch_event(&e).unwrap();
    }
    push_seen();
    assert_eq!(tag.conversions()[4..], ["pv", "route", "read"]);
    // A pageshow without a pagehide before it (the load's) is not a view.
    window()
        .dispatch_event(&web_sys::Event::new("pageshow").unwrap())
        .unwrap();
    assert_eq!(tag.conversions().len(), 7);
}

#[wasm_bindgen_test]
async fn a_route_left_before_its_first_frame_is_sent_with_the_page_hide() {
    let _r = restore();
    let tag = Tag::start(&rules(PAGE_VIEWS));
    tag.events();
    tag.clear();
    // The route changes and the page leaves in the same task: no frame ran
    // (as in a hidden tab), so only `pagehide` can notice the new page.
    go("pushState", "/spa-test/thanks");
    window()
        .dispatch_event(&web_sys::Event::new("pagehide").unwrap())
        .unwrap();
    let sent = tag.bodies().concat();
    assert!(
        sent.contains(r#""conversion":"route""#),
        "the route's page view left with the page: {sent}"
    );
    window()
        .dispatch_event(&web_sys::Event::new("pageshow").unwrap())
        .unwrap();
}

/// How many times the tag read the layout (`host.scroll`) from its start
/// through one route change, with `triggers`.
async fn layout_reads(triggers: &str) -> (f64, f64) {
    let _r = restore();
    let count = js_sys::Object::new();
    Reflect::set(&count, &"n".into(), &0.into()).unwrap();
    let r = rules(triggers);
    let _tag = Tag::start_hooked(
        &r,
        |_| {},
        &microconv::web::check(&r),
        |host| {
            Function::new_with_args(
            "h, c",
            "var s = h.scroll; h.scroll = function () { c.n++; return s.apply(this, arguments) }",
        )
        .call2(&JsValue::NULL, host, &count)
        .unwrap();
        },
    );
    let n = || Reflect::get(&count, &"n".into()).unwrap().as_f64().unwrap();
    sleep(100).await;
    let at_start = n();
    go("pushState", "/spa-test/route-layout");
    sleep(100).await;
    (at_start, n() - at_start)
}

#[wasm_bindgen_test]
async fn a_route_change_reads_the_layout_only_for_scroll_triggers() {
    let scroll = r#"{"id":"depth","conversion":"scrolled","on":"scroll","units":"percent","thresholds":[90]}"#;
    assert_eq!(
        layout_reads(PER_PAGE).await,
        (0.0, 0.0),
        "no scroll trigger"
    );
    // At start: the first reading (and the resize observer's first call).
    let (at_start, on_route) = layout_reads(scroll).await;
    assert!(at_start >= 1.0, "a reading at start: {at_start}");
    assert!(on_route >= 1.0, "one for the new route: {on_route}");
}

//! Forms in the browser: submissions through the submit event (a button,
//! `requestSubmit()`), `form.submit()` (no event), cancelled ones, invalid
//! ones, ones whose propagation a page handler stopped; the first
//! interaction with a form's fields; and what the beacon says of the form
//! (never a field's value). Submissions go to a hidden iframe, so the test
//! page stays.
#![cfg(target_arch = "wasm32")]

mod web_common;

use js_sys::{Function, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_common::*;

wasm_bindgen_test_configure!(run_in_browser);

const RULES: &str = r##"{"id":"valid","conversion":"newsletter","on":"form_submit","selector":"#newsletter","limit":"unlimited"},
  {"id":"every","conversion":"attempt","on":"form_submit","check_validation":false,"limit":"unlimited"},
  {"id":"start","conversion":"form_started","on":"form_start"}"##;

const FIXTURE: &str = r#"<iframe name="formsink" hidden></iframe>
<form id="newsletter" class="stack" name="news" method="post" action="/forms-sink?ref=footer&email=a%40b.example" target="formsink" novalidate>
  <input id="email" name="email" type="email" required value="secret@example.org">
  <input name="action" value="clobbered">
  <button id="go" type="submit">Subscribe</button>
</form>
<form id="other" target="formsink" action="/forms-sink"><input id="q" name="q"></form>"#;

fn call(el: &web_sys::Element, method: &str) {
    let f: Function = Reflect::get(el, &method.into()).unwrap().unchecked_into();
    f.call0(el).unwrap();
}

fn dispatch(el: &web_sys::Element, ty: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let e = web_sys::Event::new_with_event_init_dict(ty, &init).unwrap();
    el.dispatch_event(&e).unwrap();
}

#[wasm_bindgen_test]
async fn submissions_count_as_the_rules_say() {
    let tag = Tag::start_with(&rules(RULES), |f| f.set_inner_html(FIXTURE));
    let form = tag.el("newsletter");
    // A valid submission through the submit button.
    call(&tag.el("go"), "click");
    sleep(50).await;
    let events = tag.events();
    let names: Vec<&str> = events.iter().map(|e| e.conversion.as_str()).collect();
    assert_eq!(names, ["newsletter", "attempt"]);
    let e = &events[0];
    assert_eq!(e.var_str("form.id"), "newsletter");
    assert_eq!(e.var_str("form.classes"), "stack");
    assert_eq!(e.var_str("form.name"), "news");
    assert_eq!(e.var_str("form.method"), "post");
    assert_eq!(e.var_str("form.fields"), "3");
    // The action, absolute, without its query (not in allow_query): a field
    // named "action" did not replace it, and no field's value is sent.
    let action = e.var_str("form.action");
    assert!(action.ends_with("/forms-sink"), "{action}");
    assert!(!tag.bodies().concat().contains("secret@example.org"));
    assert!(!tag.bodies().concat().contains("clobbered"));

    // Invalid fields (a novalidate form submits anyway): only every attempt.
    tag.clear();
    let email = tag.el("email");
    Reflect::set(&email, &"value".into(), &"".into()).unwrap();
    call(&form, "requestSubmit");
    sleep(50).await;
    assert_eq!(tag.conversions(), ["attempt"]);
    Reflect::set(&email, &"value".into(), &"x@example.org".into()).unwrap();

    // Cancelled by the page: only every attempt.
    tag.clear();
    let cancel = Function::new_with_args("e", "e.preventDefault()");
    form.add_event_listener_with_callback("submit", &cancel)
        .unwrap();
    call(&form, "requestSubmit");
    sleep(50).await;
    assert_eq!(tag.conversions(), ["attempt"]);
    form.remove_event_listener_with_callback("submit", &cancel)
        .unwrap();

    // A handler stops its propagation: judged a moment later all the same.
    tag.clear();
    let stop = Function::new_with_args("e", "e.stopPropagation()");
    form.add_event_listener_with_callback("submit", &stop)
        .unwrap();
    call(&form, "requestSubmit");
    assert_eq!(tag.conversions(), Vec::<String>::new(), "not yet");
    sleep(50).await;
    assert_eq!(tag.conversions(), ["newsletter", "attempt"]);
    form.remove_event_listener_with_callback("submit", &stop)
        .unwrap();

    // form.submit() fires no event: seen through the wrapped method.
    tag.clear();
    call(&form, "submit");
    sleep(50).await;
    assert_eq!(tag.conversions(), ["newsletter", "attempt"]);
    // Another form: the selector leaves the "valid" trigger out.
    tag.clear();
    call(&tag.el("other"), "submit");
    sleep(50).await;
    assert_eq!(tag.conversions(), ["attempt"]);
}

#[wasm_bindgen_test]
async fn a_form_starts_at_its_first_interaction_once_per_page() {
    let tag = Tag::start_with(&rules(RULES), |f| f.set_inner_html(FIXTURE));
    let email = tag.el("email");
    dispatch(&email, "input");
    dispatch(&email, "input");
    dispatch(&email, "change");
    let events = tag.events();
    assert_eq!(events.len(), 1, "once per form");
    assert_eq!(events[0].conversion, "form_started");
    assert_eq!(events[0].var_str("form.id"), "newsletter");
    // Another form starts on its own; a field outside any form starts none.
    dispatch(&tag.el("q"), "input");
    let loose = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .create_element("input")
        .unwrap();
    tag.fixture.append_child(&loose).unwrap();
    dispatch(&loose, "input");
    let ids: Vec<String> = tag.events().iter().map(|e| e.var_str("form.id")).collect();
    assert_eq!(ids, ["newsletter", "other"]);
}

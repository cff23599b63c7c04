//! Time in the browser: `timer` ticks on visible time and waits while the
//! page is hidden; `engagement` counts engaged time, which a hidden period
//! pauses. Intervals are short (real time; the Playwright suite moves the
//! browser's clock for the long ones).
#![cfg(target_arch = "wasm32")]

mod web_common;

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_common::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Makes `document.hidden` read `hidden` (an own property over the
/// prototype's getter; `None` removes it) and tells the page.
fn set_hidden(hidden: Option<bool>) {
    let doc = document();
    match hidden {
        Some(h) => {
            let desc = js_sys::Object::new();
            Reflect::set(&desc, &"value".into(), &JsValue::from_bool(h)).unwrap();
            Reflect::set(&desc, &"configurable".into(), &JsValue::TRUE).unwrap();
            js_sys::Object::define_property(&doc, &"hidden".into(), &desc);
        }
        None => {
            Reflect::delete_property(&doc, &"hidden".into()).unwrap();
        }
    }
    let e = web_sys::Event::new("visibilitychange").unwrap();
    doc.dispatch_event(&e).unwrap();
}

fn counts(tag: &Tag) -> Vec<f64> {
    tag.events()
        .iter()
        .map(|e| e.var("timer.count").as_f64().unwrap())
        .collect()
}

#[wasm_bindgen_test]
async fn a_timer_ticks_on_visible_time_up_to_times() {
    let tag = Tag::start(&rules(
        r#"{"id":"t","conversion":"stayed","on":"timer","interval_ms":150,"times":3}"#,
    ));
    sleep(100).await;
    assert!(tag.events().is_empty(), "not one interval yet");
    sleep(700).await;
    assert_eq!(counts(&tag), [1.0, 2.0, 3.0]);
    let e = &tag.events()[0];
    assert!(e.var("event").is_undefined(), "event is not sent for ticks");
    assert_eq!(e.var("timer.elapsed_ms").as_f64(), Some(150.0));
}

#[wasm_bindgen_test]
async fn a_hidden_page_timer_waits() {
    let tag = Tag::start(&rules(
        r#"{"id":"t","conversion":"stayed","on":"timer","interval_ms":300,"limit":"unlimited"}"#,
    ));
    sleep(100).await;
    set_hidden(Some(true));
    sleep(700).await;
    let hidden_ticks = counts(&tag);
    set_hidden(None);
    assert!(hidden_ticks.is_empty(), "{hidden_ticks:?}");
    // 100 ms were visible before; the first tick needs 200 more.
    sleep(120).await;
    assert!(counts(&tag).is_empty());
    sleep(300).await;
    assert_eq!(counts(&tag), [1.0]);
}

#[wasm_bindgen_test]
async fn engagement_counts_engaged_time_and_pauses_while_hidden() {
    assert!(
        document().has_focus().unwrap(),
        "the test page has focus (engaged time needs it)"
    );
    let tag = Tag::start(&rules(
        r#"{"id":"e","conversion":"engaged","on":"engagement","engaged_seconds":0.4}"#,
    ));
    sleep(200).await;
    set_hidden(Some(true));
    sleep(600).await;
    assert!(tag.events().is_empty(), "a hidden page is not engaged");
    set_hidden(None);
    sleep(100).await;
    assert!(tag.events().is_empty(), "0.3 s engaged so far");
    sleep(400).await;
    let events = tag.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].conversion, "engaged");
    assert_eq!(events[0].var("engagement.seconds").as_f64(), Some(0.4));
}

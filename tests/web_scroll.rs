//! Scroll depth in a real browser: thresholds on a tall page as the window
//! scrolls, a short page firing everything at start, and a page whose height
//! changes without any scroll (the resize observer).
#![cfg(target_arch = "wasm32")]

mod web_common;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_common::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

const PERCENT: &str = r#"{"id":"depth","conversion":"scrolled","on":"scroll","units":"percent","thresholds":[25,50,75,100]}"#;
const PIXELS: &str =
    r#"{"id":"px","conversion":"scrolled_px","on":"scroll","units":"pixels","thresholds":[1500]}"#;

fn root() -> web_sys::Element {
    document().scrolling_element().unwrap()
}

fn thresholds(tag: &Tag, conversion: &str) -> Vec<String> {
    tag.events()
        .iter()
        .filter(|e| e.conversion == conversion)
        .map(|e| e.var_str("scroll.threshold"))
        .collect()
}

/// Scrolls so that the viewport's bottom is at `percent` of the page.
async fn scroll_to_depth(percent: f64) {
    let el = root();
    let (v, h) = (el.client_height() as f64, el.scroll_height() as f64);
    window().scroll_to_with_x_and_y(0.0, (h * percent / 100.0 - v).max(0.0));
    sleep(120).await;
}

fn tall(fixture: &HtmlElement, viewports: i32) {
    let v = root().client_height();
    let block: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    block.set_id("tall");
    block
        .style()
        .set_property("height", &format!("{}px", v * viewports))
        .unwrap();
    fixture.append_child(&block).unwrap();
}

#[wasm_bindgen_test]
async fn tall_page_fires_thresholds_as_the_window_scrolls() {
    window().scroll_to_with_x_and_y(0.0, 0.0);
    let tag = Tag::start_with(&rules(&format!("{PERCENT},{PIXELS}")), |f| tall(f, 10));
    sleep(120).await;
    assert!(
        thresholds(&tag, "scrolled").is_empty(),
        "nothing at the top of a tall page"
    );

    scroll_to_depth(60.0).await;
    assert_eq!(thresholds(&tag, "scrolled"), ["25", "50"]);
    let px = thresholds(&tag, "scrolled_px");
    assert_eq!(
        px,
        ["1500"],
        "the pixel threshold is passed at 60% of 10 viewports"
    );

    tag.clear();
    scroll_to_depth(100.0).await;
    assert_eq!(thresholds(&tag, "scrolled"), ["75", "100"]);

    tag.clear();
    scroll_to_depth(0.0).await;
    scroll_to_depth(100.0).await;
    assert!(
        tag.events().is_empty(),
        "each threshold fires once per page"
    );
    window().scroll_to_with_x_and_y(0.0, 0.0);
}

#[wasm_bindgen_test]
async fn scroll_events_carry_the_contract_fields() {
    window().scroll_to_with_x_and_y(0.0, 0.0);
    let tag = Tag::start_with(&rules(PERCENT), |f| tall(f, 4));
    scroll_to_depth(30.0).await;
    let events = tag.events();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.trigger, "depth");
    assert_eq!(e.var_str("scroll.threshold"), "25");
    assert_eq!(e.var_str("scroll.units"), "percent");
    assert_eq!(e.var_str("scroll.direction"), "vertical");
    let id = e.field("id");
    assert_eq!(id.len(), 32, "{id}");
    assert!(id
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    let session = e.field("session");
    assert_eq!(session.len(), 16, "{session}");
    let stored = window()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("microconv.session")
        .unwrap()
        .unwrap_or_default();
    assert_eq!(
        stored.split(' ').next(),
        Some(session.as_str()),
        "the session kept in localStorage, for every tab of the site: {stored}"
    );
    let page = js_sys::Reflect::get(&e.json, &"page".into()).unwrap();
    let path = js_sys::Reflect::get(&page, &"path".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(path, window().location().pathname().unwrap());
    window().scroll_to_with_x_and_y(0.0, 0.0);
}

#[wasm_bindgen_test]
async fn short_page_fires_every_percent_threshold_at_start() {
    window().scroll_to_with_x_and_y(0.0, 0.0);
    let el = root();
    assert!(
        el.scroll_height() <= el.client_height(),
        "precondition: the test page itself is shorter than the viewport"
    );
    let tag = Tag::start(&rules(PERCENT));
    tag.html("<p>A short page.</p>");
    sleep(150).await;
    assert_eq!(thresholds(&tag, "scrolled"), ["25", "50", "75", "100"]);
}

#[wasm_bindgen_test]
async fn page_that_shrinks_without_scrolling_is_reread() {
    window().scroll_to_with_x_and_y(0.0, 0.0);
    let tag = Tag::start_with(&rules(PERCENT), |f| tall(f, 10));
    sleep(150).await;
    assert!(thresholds(&tag, "scrolled").is_empty());
    // Content collapses (a closed accordion, filtered list): no scroll event at all.
    tag.el("tall")
        .unchecked_into::<HtmlElement>()
        .style()
        .set_property("height", "10px")
        .unwrap();
    sleep(200).await;
    assert_eq!(thresholds(&tag, "scrolled"), ["25", "50", "75", "100"]);
}

#[wasm_bindgen_test]
async fn no_scroll_trigger_no_beacon() {
    window().scroll_to_with_x_and_y(0.0, 0.0);
    let tag = Tag::start_with(
        &rules(r#"{"id":"c","conversion":"c","on":"custom","event":"x"}"#),
        |f| tall(f, 4),
    );
    scroll_to_depth(100.0).await;
    assert!(tag.bodies().is_empty() && tag.events().is_empty());
}

//! Element visibility in the browser: an element scrolled into view, one
//! added later (lazy-loaded), the continuous time on screen, and an element
//! that leaves before its time is up.
#![cfg(target_arch = "wasm32")]

mod web_common;

use wasm_bindgen_test::*;
use web_common::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fixture taller than the window, with `#far` below the fold.
const TALL: &str = r#"<div style="height: 3000px"></div><div id="far" class="promo" style="height: 200px">Far promo</div><div style="height: 3000px"></div>"#;

fn scroll_to_el(id: &str) {
    document().get_element_by_id(id).unwrap().scroll_into_view();
}

#[wasm_bindgen_test]
async fn an_element_scrolled_into_view_fires_once_per_page() {
    window().scroll_to_with_x_and_y(0.0, 0.0);
    let tag = Tag::start_with(
        &rules(
            r#"{"id":"promo","conversion":"promo_seen","on":"element_visibility","selector":".promo"}"#,
        ),
        |f| f.set_inner_html(TALL),
    );
    sleep(300).await;
    assert!(tag.events().is_empty(), "below the fold");
    scroll_to_el("far");
    sleep(300).await;
    let events = tag.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].var_str("click.id"), "far");
    assert!(
        events[0].var("click.text").is_undefined(),
        "the text is not sent"
    );
    assert_eq!(events[0].var("visibility.percent").as_f64(), Some(100.0));
    window().scroll_to_with_x_and_y(0.0, 0.0);
    sleep(200).await;
    scroll_to_el("far");
    sleep(300).await;
    assert_eq!(tag.events().len(), 1, "once per page");
    window().scroll_to_with_x_and_y(0.0, 0.0);
}

#[wasm_bindgen_test]
async fn a_lazy_loaded_element_is_seen_and_must_stay_on_screen() {
    window().scroll_to_with_x_and_y(0.0, 0.0);
    let tag = Tag::start(&rules(
        r##"{"id":"late","conversion":"late_seen","on":"element_visibility","selector":"#lazy",
            "min_on_screen_ms":500,"once_per":"element"}"##,
    ));
    sleep(100).await;
    // Added after the tag started, in view.
    let lazy = document().create_element("p").unwrap();
    lazy.set_id("lazy");
    lazy.set_text_content(Some("Loaded later"));
    tag.fixture.prepend_with_node_1(&lazy).unwrap();
    lazy.scroll_into_view();
    sleep(250).await;
    assert!(tag.events().is_empty(), "not yet 500 ms on screen");
    sleep(500).await;
    let events = tag.events();
    assert_eq!(events.len(), 1);
    let ms = events[0].var("visibility.on_screen_ms").as_f64().unwrap();
    assert!((500.0..2000.0).contains(&ms), "{ms}");

    // Another element that leaves before its time is up sends nothing.
    let tag = Tag::start_with(
        &rules(
            r#"{"id":"brief","conversion":"brief_seen","on":"element_visibility","selector":".promo","min_on_screen_ms":800}"#,
        ),
        |f| f.set_inner_html(TALL),
    );
    scroll_to_el("far");
    sleep(300).await;
    window().scroll_to_with_x_and_y(0.0, 0.0);
    sleep(900).await;
    assert!(tag.events().is_empty(), "left after 300 ms");
}

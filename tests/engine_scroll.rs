#![cfg(not(target_arch = "wasm32"))]
//! Scroll depth: GTM's running maximum, every reached threshold once per page.

mod engine_support;

use engine_support::*;
use microconv::rules::model::*;

fn pct(thresholds: &[f64]) -> microconv::engine::Engine<microconv::native::NativeBackend> {
    engine(vec![scroll("s", ScrollUnits::Percent, thresholds)])
}

#[test]
fn short_page_fires_every_percent_threshold_on_the_first_reading() {
    let mut e = pct(&[25.0, 50.0, 75.0, 100.0]);
    // The document fits the viewport.
    assert_eq!(
        thresholds(&scroll_to(&mut e, 0.0, 900.0, 600.0)),
        [25.0, 50.0, 75.0, 100.0]
    );
    assert!(
        scroll_to(&mut e, 0.0, 900.0, 600.0).is_empty(),
        "each once per page"
    );
}

#[test]
fn first_reading_fires_what_the_viewport_already_shows() {
    let mut e = pct(&[25.0, 50.0, 75.0]);
    assert_eq!(thresholds(&scroll_to(&mut e, 0.0, 800.0, 2000.0)), [25.0]);
    assert!(scroll_to(&mut e, 100.0, 800.0, 2000.0).is_empty(), "45 %");
    assert_eq!(thresholds(&scroll_to(&mut e, 200.0, 800.0, 2000.0)), [50.0]);
}

#[test]
fn a_jump_fires_every_skipped_threshold_in_ascending_order() {
    let mut e = pct(&[100.0, 25.0, 75.0, 50.0]);
    assert!(scroll_to(&mut e, 0.0, 400.0, 4000.0).is_empty());
    // End key: straight to the bottom.
    assert_eq!(
        thresholds(&scroll_to(&mut e, 3600.0, 400.0, 4000.0)),
        [25.0, 50.0, 75.0, 100.0]
    );
}

#[test]
fn fractional_bottom_counts_as_100_percent() {
    let mut e = pct(&[100.0]);
    assert_eq!(
        thresholds(&scroll_to(&mut e, 3599.4, 400.0, 4000.0)),
        [100.0]
    );
    let mut e = pct(&[100.0]);
    assert!(scroll_to(&mut e, 3590.0, 400.0, 4000.0).is_empty());
}

#[test]
fn depth_is_a_running_maximum_and_growing_pages_recompute_percent() {
    let mut e = pct(&[50.0, 90.0]);
    assert_eq!(thresholds(&scroll_to(&mut e, 600.0, 400.0, 2000.0)), [50.0]);
    // Back to the top: depth stays 1000.
    assert!(scroll_to(&mut e, 0.0, 400.0, 2000.0).is_empty());
    // Infinite scroll: the page grows; 1000 of 4000 is 25 %, 3700 of 4000 is 92.5 %.
    assert!(scroll_to(&mut e, 0.0, 400.0, 4000.0).is_empty());
    assert_eq!(
        thresholds(&scroll_to(&mut e, 3300.0, 400.0, 4000.0)),
        [90.0]
    );
}

#[test]
fn pixel_thresholds_are_measured_at_the_viewport_bottom() {
    let mut e = engine(vec![scroll(
        "px",
        ScrollUnits::Pixels,
        &[500.0, 1000.0, 3000.0],
    )]);
    // Thresholds inside the first viewport fire at once.
    assert_eq!(thresholds(&scroll_to(&mut e, 0.0, 800.0, 10000.0)), [500.0]);
    assert_eq!(
        thresholds(&scroll_to(&mut e, 200.0, 800.0, 10000.0)),
        [1000.0]
    );
    assert!(scroll_to(&mut e, 2100.0, 800.0, 10000.0).is_empty());
    assert_eq!(
        thresholds(&scroll_to(&mut e, 2200.0, 800.0, 10000.0)),
        [3000.0]
    );
}

#[test]
fn no_percent_without_a_height_but_pixels_still_count() {
    let mut e = engine(vec![
        scroll("pct", ScrollUnits::Percent, &[10.0]),
        scroll("px", ScrollUnits::Pixels, &[100.0]),
    ]);
    let out = scroll_to(&mut e, 0.0, 800.0, 0.0);
    assert_eq!(ids(&e, &out), ["px"]);
    let out = scroll_to(&mut e, f64::NAN, 800.0, 1000.0);
    assert_eq!(ids(&e, &out), ["pct"]);
}

#[test]
fn set_page_rearms_thresholds_and_resets_depth() {
    let mut e = pct(&[50.0, 100.0]);
    assert_eq!(
        thresholds(&scroll_to(&mut e, 1600.0, 400.0, 2000.0)),
        [50.0, 100.0]
    );
    e.set_page(page("https://www.example.com/next"));
    // A fresh page: depth starts again, so a reading at the top reaches only 20 %.
    assert!(scroll_to(&mut e, 0.0, 400.0, 2000.0).is_empty());
    assert_eq!(thresholds(&scroll_to(&mut e, 600.0, 400.0, 2000.0)), [50.0]);
}

#[test]
fn conditions_apply_to_scroll_triggers() {
    let mut e = engine(vec![
        with(
            scroll("blog", ScrollUnits::Percent, &[50.0]),
            vec![cond("page.path", "starts_with", s("/blog/"))],
        ),
        with(
            scroll("shop", ScrollUnits::Percent, &[50.0]),
            vec![cond("page.path", "starts_with", s("/shop/"))],
        ),
    ]);
    let out = scroll_to(&mut e, 0.0, 1000.0, 1000.0);
    assert_eq!(ids(&e, &out), ["blog"]);
    assert_eq!(out[0].var("scroll.units"), Some(&str_val("percent")));
}

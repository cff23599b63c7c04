//! `count_visits` in a real browser: one `visit` event when a session
//! starts (the session kept in `localStorage` for the site's tabs), none
//! while it runs, none without `count_visits`.
#![cfg(target_arch = "wasm32")]

mod web_common;

use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_common::*;

wasm_bindgen_test_configure!(run_in_browser);

const PAGE_VIEW: &str = r#"{"id":"pv","conversion":"viewed","on":"page_view"}"#;

/// Rules with one page-view trigger, counting visits or not.
fn rules_counting(count: bool) -> String {
    rules(PAGE_VIEW).replacen(
        r#""triggers""#,
        &format!(r#""count_visits":{count},"triggers""#),
        1,
    )
}

fn storage() -> web_sys::Storage {
    window().local_storage().unwrap().unwrap()
}

/// The `visit` events so far.
fn visits(tag: &Tag) -> Vec<Event> {
    tag.events()
        .into_iter()
        .filter(|e| e.field("type") == "visit")
        .collect()
}

/// Runs `f` on a page whose URL has campaign and other parameters, then
/// puts the test page's URL back.
fn on_campaign_url(f: impl FnOnce()) {
    let history = window().history().unwrap();
    let before = window().location().href().unwrap();
    history
        .replace_state_with_url(
            &JsValue::NULL,
            "",
            Some("?utm_source=news&utm_campaign=spring&email=jane%40example.com"),
        )
        .unwrap();
    f();
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&before))
        .unwrap();
}

#[wasm_bindgen_test]
fn a_session_that_starts_sends_one_visit_and_a_running_one_none() {
    storage().remove_item("microconv.session").unwrap();
    on_campaign_url(|| {
        let tag = Tag::start(&rules_counting(true));
        let events = tag.events();
        let kinds: Vec<String> = events.iter().map(|e| e.field("type")).collect();
        assert_eq!(
            kinds,
            ["visit", "<absent>"],
            "the visit, then the page view"
        );
        let visit = &events[0];
        assert_eq!(visit.conversion, "", "a visit is no conversion");
        assert_eq!(visit.field("session"), events[1].field("session"));
        assert_eq!(visit.var_str("visit.utm_source"), "news");
        assert_eq!(visit.var_str("visit.utm_campaign"), "spring");
        let page = js_sys::Reflect::get(&visit.json, &"page".into()).unwrap();
        let url = text(&js_sys::Reflect::get(&page, &"url".into()).unwrap());
        assert!(
            url.ends_with("/?utm_source=news&utm_campaign=spring"),
            "only the campaign stays: {url}"
        );
    });
    // The same session on the next page (or tab): no visit.
    let tag = Tag::start(&rules_counting(true));
    assert_eq!(tag.conversions(), ["viewed"]);
    assert!(visits(&tag).is_empty());
}

#[wasm_bindgen_test]
fn without_count_visits_no_visit_is_sent() {
    storage().remove_item("microconv.session").unwrap();
    let tag = Tag::start(&rules_counting(false));
    assert_eq!(tag.conversions(), ["viewed"]);
    assert!(visits(&tag).is_empty());
}

#[wasm_bindgen_test]
async fn session_page_views_count_every_view_of_the_session() {
    storage().remove_item("microconv.session").unwrap();
    let landing = window().location().pathname().unwrap();
    let rules_text = rules(&format!(
        r#"{{"id":"second","conversion":"second_view","on":"page_view","limit":"unlimited",
            "conditions":[{{"variable":"session.page_views","operator":"greater_or_equal","value":2}},
                          {{"variable":"session.landing_path","operator":"equals","value":"{landing}"}}]}}"#
    ));
    let tag = Tag::start(&rules_text);
    assert!(tag.conversions().is_empty(), "the session's first view");
    drop(tag);
    // The next page of the session (a load in this or another tab).
    let tag = Tag::start(&rules_text);
    assert_eq!(tag.conversions(), ["second_view"]);
    let stored = storage().get_item("microconv.session").unwrap().unwrap();
    assert!(stored.ends_with(&format!(" 2 {landing}")), "{stored}");
    // A single-page app's route is a view too.
    let history = window().history().unwrap();
    let before = window().location().href().unwrap();
    history
        .push_state_with_url(&JsValue::NULL, "", Some("/route-b"))
        .unwrap();
    sleep(300).await;
    tag.events(); // a call notices the route (and flushes)
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&before))
        .unwrap();
    sleep(300).await;
    let stored = storage().get_item("microconv.session").unwrap().unwrap();
    assert!(stored.contains(&format!(" 4 {landing}")), "{stored}");
    assert_eq!(
        tag.conversions(),
        ["second_view", "second_view", "second_view"]
    );
}

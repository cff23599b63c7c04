//! HTML5 media in a real browser: a real `<audio>` element playing the
//! committed fixture `tests/fixtures/tone.wav` (2 s) from a blob: URL.
#![cfg(target_arch = "wasm32")]

mod web_common;

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_common::*;
use web_sys::{
    Blob, BlobPropertyBag, HtmlAudioElement, HtmlMediaElement, Node, ShadowRootInit,
    ShadowRootMode, Url,
};

wasm_bindgen_test_configure!(run_in_browser);

const TONE: &[u8] = include_bytes!("fixtures/tone.wav");

fn tone_url() -> String {
    let bytes = Uint8Array::from(TONE);
    let parts = Array::of1(&bytes);
    let opts = BlobPropertyBag::new();
    opts.set_type("audio/wav");
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &opts).unwrap();
    Url::create_object_url_with_blob(&blob).unwrap()
}

/// A muted `<audio>` (muted media may autoplay headless).
fn new_audio(id: &str, title: &str) -> HtmlMediaElement {
    let a = HtmlAudioElement::new().unwrap();
    a.set_id(id);
    a.set_attribute("title", title).unwrap();
    a.set_muted(true);
    a.set_src(&tone_url());
    a.unchecked_into()
}

/// A muted `<audio>` in the fixture.
fn audio(tag: &Tag, id: &str, title: &str) -> HtmlMediaElement {
    let a = new_audio(id, title);
    tag.fixture.append_child(&a).unwrap();
    a
}

/// A `<div>` appended to `parent` and the shadow root (`mode`) attached to it.
fn shadow_root(parent: &Node, mode: ShadowRootMode) -> Node {
    let host = document().create_element("div").unwrap();
    parent.append_child(&host).unwrap();
    host.attach_shadow(&ShadowRootInit::new(mode))
        .unwrap()
        .unchecked_into()
}

async fn play(m: &HtmlMediaElement) {
    let p: Promise = m.play().unwrap();
    JsFuture::from(p).await.expect("play() rejected");
}

async fn until_ended(ms: &[&HtmlMediaElement]) {
    for _ in 0..100 {
        if ms.iter().all(|m| m.ended()) {
            sleep(100).await;
            return;
        }
        sleep(100).await;
    }
    panic!("media did not end within 10 s");
}

/// `status` or `progress:<percent>` for each event of `title`.
fn milestones(events: &[Event], title: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.var_str("video.title") == title)
        .map(|e| match e.var_str("video.status").as_str() {
            "progress" => format!("progress:{}", e.var_str("video.percent")),
            s => s.to_string(),
        })
        .collect()
}

/// Every milestone of [`WATCHED`], in order: a media element played through.
const FULL: [&str; 5] = [
    "start",
    "progress:25",
    "progress:50",
    "progress:75",
    "complete",
];

const WATCHED: &str = r#"{"id":"watched","conversion":"watched","on":"video",
  "statuses":["start","progress","complete"],"progress_percent":[25,50,75]}"#;

#[wasm_bindgen_test]
async fn playing_media_crosses_percent_thresholds_then_completes() {
    let tag = Tag::start(&rules(WATCHED));
    let a = audio(&tag, "a1", "Tone one");
    play(&a).await;
    until_ended(&[&a]).await;
    let events = tag.events();
    assert_eq!(milestones(&events, "Tone one"), FULL);
    // The first play can precede the metadata (no duration yet); the end has it all.
    let e = events.last().unwrap();
    assert_eq!(e.var_str("video.provider"), "html5");
    assert!(
        e.var_str("video.url").starts_with("blob:"),
        "{}",
        e.var_str("video.url")
    );
    assert_eq!(e.var_str("video.duration"), "2");
    assert_eq!(e.var_str("video.percent"), "100");
}

#[wasm_bindgen_test]
async fn seeking_past_thresholds_skips_them() {
    let rules = rules(
        r#"{"id":"seek","conversion":"seen","on":"video",
            "statuses":["seek","progress","complete"],"progress_percent":[25,50,75,90]}"#,
    );
    let tag = Tag::start(&rules);
    let a = audio(&tag, "a2", "Seeker");
    play(&a).await;
    a.set_current_time(1.6); // 80 %: 25, 50 and 75 are jumped over
    until_ended(&[&a]).await;
    let got = milestones(&tag.events(), "Seeker");
    assert_eq!(got, ["seek", "progress:90", "complete"], "{got:?}");
}

#[wasm_bindgen_test]
async fn several_media_keep_their_own_state() {
    let tag = Tag::start(&rules(WATCHED));
    let a = audio(&tag, "m1", "First");
    let b = audio(&tag, "m2", "Second");
    play(&a).await;
    play(&b).await;
    until_ended(&[&a, &b]).await;
    let events = tag.events();
    assert_eq!(milestones(&events, "First"), FULL);
    assert_eq!(milestones(&events, "Second"), FULL);
}

#[wasm_bindgen_test]
async fn media_failing_a_url_condition_sends_nothing() {
    let rules = rules(
        r#"{"id":"demo","conversion":"demo_started","on":"video","statuses":["start"],
            "conditions":[{"variable":"video.url","operator":"matches_regex","value":"\\.mp4$"}]}"#,
    );
    let tag = Tag::start(&rules);
    let a = audio(&tag, "a3", "Not a demo");
    play(&a).await;
    sleep(200).await;
    let _ = a.pause();
    assert!(
        tag.events().is_empty(),
        "the URL condition does not hold: nothing sent"
    );
}

#[wasm_bindgen_test]
async fn media_inside_shadow_roots_are_seen() {
    // Before the tag starts: a web-component player, its <audio> two open
    // shadow roots deep, already playing (its play event is past). Outside
    // the fixture, which the tag's start replaces.
    let player = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&player).unwrap();
    let inner = shadow_root(
        &shadow_root(&player, ShadowRootMode::Open),
        ShadowRootMode::Open,
    );
    let before = new_audio("sh1", "Deep before");
    inner.append_child(&before).unwrap();
    play(&before).await;
    let tag = Tag::start(&rules(WATCHED));
    // After: one in a closed shadow root (only attachShadow's caller has it).
    let after = new_audio("sh2", "Closed after");
    shadow_root(&tag.fixture, ShadowRootMode::Closed)
        .append_child(&after)
        .unwrap();
    play(&after).await;
    until_ended(&[&before, &after]).await;
    player.remove();
    let events = tag.events();
    assert_eq!(milestones(&events, "Deep before"), FULL);
    assert_eq!(milestones(&events, "Closed after"), FULL);
}

#[wasm_bindgen_test]
async fn a_decorative_loop_sends_nothing_and_its_restarts_complete_when_asked() {
    let tag = Tag::start(&rules(&format!(
        r#"{WATCHED},
        {{"id":"loops","conversion":"loop_done","on":"video","include_decorative":true,
          "statuses":["start","seek","complete"],"limit":"unlimited"}}"#
    )));
    // Muted and looping (the 2 s tone): a background.
    let a = audio(&tag, "bg", "Background");
    a.set_loop(true);
    play(&a).await;
    sleep(4_600).await;
    a.pause().unwrap();
    let events = tag.events();
    assert!(
        events.iter().all(|e| e.trigger == "loops"),
        "the default trigger leaves decorative media out: {:?}",
        events.iter().map(|e| &e.trigger).collect::<Vec<_>>()
    );
    // One start, a complete per loop restart, never a seek.
    let got = milestones(&events, "Background");
    assert_eq!(got.first().map(String::as_str), Some("start"), "{got:?}");
    assert!(!got.iter().any(|m| m == "seek"), "{got:?}");
    let completes = got.iter().filter(|m| *m == "complete").count();
    assert!((1..=2).contains(&completes), "{got:?}");
    assert_eq!(got.len(), 1 + completes, "{got:?}");
    assert_eq!(events[0].var("video.loop").as_bool(), Some(true));
    assert_eq!(events[0].var("video.muted").as_bool(), Some(true));
}

/// The host keeps the messages of a plain rules file's defects (`h.m`):
/// media keys must not share its name (they once did, and the tag stopped
/// at the first media event of such a page).
#[wasm_bindgen_test]
async fn media_work_when_the_rules_have_defects() {
    let tag = Tag::start(&rules(&format!(
        r#"{WATCHED}, {{"id":"bad","conversion":"x","on":"scrol"}}"#
    )));
    let a = audio(&tag, "a9", "Tone nine");
    play(&a).await;
    until_ended(&[&a]).await;
    assert_eq!(milestones(&tag.events(), "Tone nine"), FULL);
}

//! YouTube and Vimeo embeds in a real browser: the offline stand-in players
//! of `www/test/players/` (which speak each provider's postMessage protocol,
//! docs/embeds-protocol.md), served by the test runner from the crate root,
//! play 8 s of silence from a blob: URL, and the tag reports GTM's statuses
//! as for HTML5 video.
#![cfg(target_arch = "wasm32")]

mod web_common;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_common::*;
use web_sys::{Blob, BlobPropertyBag, HtmlIFrameElement, Url};

wasm_bindgen_test_configure!(run_in_browser);

const EMBEDS: &str = r#"{"id":"embed","conversion":"embed_watched","on":"video",
  "statuses":["start","pause","seek","progress","complete"],"progress_percent":[25,50,75]}"#;

/// `seconds` of silence as a WAV file (8 kHz, 8-bit mono): long enough that
/// a seek is a jump YouTube's stand-in reports as one (over 1.5 s).
fn silence(seconds: u32) -> Vec<u8> {
    let n = 8000 * seconds;
    let mut w = Vec::with_capacity(44 + n as usize);
    let u32le = |w: &mut Vec<u8>, x: u32| w.extend_from_slice(&x.to_le_bytes());
    w.extend_from_slice(b"RIFF");
    u32le(&mut w, 36 + n);
    w.extend_from_slice(b"WAVEfmt ");
    u32le(&mut w, 16);
    w.extend_from_slice(&[1, 0, 1, 0]); // PCM, mono
    u32le(&mut w, 8000); // samples per second
    u32le(&mut w, 8000); // bytes per second
    w.extend_from_slice(&[1, 0, 8, 0]); // block align 1, 8 bits
    w.extend_from_slice(b"data");
    u32le(&mut w, n);
    w.resize(44 + n as usize, 128); // 8-bit silence
    w
}

/// 8 s of silence as a blob: URL of this page (the same-origin players may play it).
fn media_url() -> String {
    let parts = Array::of1(&Uint8Array::from(silence(8).as_slice()));
    let opts = BlobPropertyBag::new();
    opts.set_type("audio/wav");
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &opts).unwrap();
    Url::create_object_url_with_blob(&blob).unwrap()
}

/// An `<iframe>` of the stand-in `player` (`youtube`, `vimeo`) at double speed,
/// marked as that provider's player (its src is not the provider's host).
fn player(id: &str, provider: &str, query: &str) -> String {
    let src = js_sys::encode_uri_component(&media_url());
    format!(
        r#"<iframe id="{id}" data-microconv-player="{provider}" allow="autoplay" width="320" height="180"
           src="/www/test/players/{provider}.html?rate=2&amp;src={src}&amp;{query}"></iframe>"#
    )
}

/// Sends the stand-in `id` a test control message (not the provider's).
fn control(tag: &Tag, id: &str, msg: &str) {
    let frame: HtmlIFrameElement = tag.el(id).unchecked_into();
    let msg = js_sys::JSON::parse(msg).unwrap();
    frame
        .content_window()
        .unwrap()
        .post_message(&msg, "*")
        .unwrap();
}

/// `status` or `progress:<percent>` of each event of `provider`.
fn milestones(events: &[Event], provider: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.var_str("video.provider") == provider)
        .map(|e| match e.var_str("video.status").as_str() {
            "progress" => format!("progress:{}", e.var_str("video.percent")),
            s => s.to_string(),
        })
        .collect()
}

/// The events of `provider` once there are `n` of them (20 s at most).
async fn until(tag: &Tag, provider: &str, n: usize) -> Vec<Event> {
    for _ in 0..200 {
        let events: Vec<Event> = tag
            .events()
            .into_iter()
            .filter(|e| e.var_str("video.provider") == provider)
            .collect();
        if events.len() >= n {
            return events;
        }
        sleep(100).await;
    }
    panic!(
        "{provider}: fewer than {n} events: {:?}",
        milestones(&tag.events(), provider)
    );
}

/// Plays the stand-in through with a seek past 50 and 75 % (from about 2 s to 7 s).
async fn played_through_with_a_seek(tag: &Tag, id: &str, provider: &str) -> Vec<Event> {
    // The tag and the player find each other (YouTube: "listening" until answered).
    sleep(1500).await;
    control(tag, id, r#"{"mc_test":"play"}"#);
    until(tag, provider, 2).await; // start, 25 %
    control(tag, id, r#"{"mc_test":"seek","to":7}"#);
    let events = until(tag, provider, 4).await;
    assert_eq!(
        milestones(&events, provider),
        ["start", "progress:25", "seek", "complete"]
    );
    events
}

#[wasm_bindgen_test]
async fn a_youtube_embed_played_through_with_a_seek() {
    let tag = Tag::start_with(&rules(EMBEDS), |f| {
        f.set_inner_html(&player(
            "yt",
            "youtube",
            "enablejsapi=1&amp;id=mcUnit01&amp;title=Unit%20on%20YouTube",
        ))
    });
    let events = played_through_with_a_seek(&tag, "yt", "youtube").await;
    for e in &events {
        assert_eq!(e.var_str("video.url"), "https://youtu.be/mcUnit01");
        assert_eq!(e.var_str("video.title"), "Unit on YouTube");
        assert_eq!(e.trigger, "embed");
    }
    let duration = events[3].var("video.duration").as_f64().unwrap();
    assert!((duration - 8.0).abs() < 0.2, "{duration}");
}

#[wasm_bindgen_test]
async fn a_vimeo_embed_played_through_with_a_seek() {
    let tag = Tag::start_with(&rules(EMBEDS), |f| {
        f.set_inner_html(&player(
            "vimeo",
            "vimeo",
            "id=76979871&amp;title=Unit%20on%20Vimeo",
        ))
    });
    let events = played_through_with_a_seek(&tag, "vimeo", "vimeo").await;
    for e in &events {
        // Beacons mask long numbers in URLs (they may be someone's id).
        assert_eq!(e.var_str("video.url"), "https://vimeo.com/[number]");
        assert_eq!(e.var_str("video.title"), "Unit on Vimeo");
    }
}

#[wasm_bindgen_test]
async fn a_youtube_embed_without_the_api_is_left_alone() {
    // No enablejsapi=1 and no data-youtube-api="add": the embed would not
    // answer, and the tag does not reload the site's iframe to make it.
    let tag = Tag::start_with(&rules(EMBEDS), |f| {
        f.set_inner_html(&player("yt", "youtube", "id=mcUnit02"))
    });
    let before: HtmlIFrameElement = tag.el("yt").unchecked_into();
    let src = before.src();
    sleep(1500).await;
    control(&tag, "yt", r#"{"mc_test":"play"}"#);
    sleep(1500).await;
    assert_eq!(milestones(&tag.events(), "youtube"), Vec::<String>::new());
    assert_eq!(before.src(), src, "the iframe was not reloaded");
}

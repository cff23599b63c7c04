//! HTML5 `<video>`/`<audio>`: media events don't bubble, so one capturing
//! listener per event type on `document` sees every media element, including
//! ones added later. Each element gets a small numeric key (`host.media`
//! keeps them in a WeakMap, so removed elements are collected) under which
//! the engine keeps its state; its facts come in the same call.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::Event;

use super::{host, listen, with_tag, Call};
use crate::engine::{MediaEvent, MediaEventKind};

/// The media events listened to, each with its code in [`Call::ALL`].
pub(super) const EVENTS: [(&str, MediaEventKind); 6] = [
    ("play", MediaEventKind::Play),
    ("pause", MediaEventKind::Pause),
    ("seeking", MediaEventKind::Seeking),
    ("seeked", MediaEventKind::Seeked),
    ("timeupdate", MediaEventKind::TimeUpdate),
    ("ended", MediaEventKind::Ended),
];

/// Attaches one capturing listener per media event type.
pub(crate) fn attach() {
    let Some(doc) = super::window().and_then(|w| w.document()) else {
        return;
    };
    for (ty, kind) in EVENTS {
        listen(&doc, ty, true, Call::Media(kind));
    }
    // Media already playing when the tag loads: their `play` event is past.
    if let Some(h) = host() {
        for el in h.playing().iter() {
            media_event(&h, &el, MediaEventKind::Play);
        }
    }
}

/// A media event of `kind`.
pub(super) fn on_event(e: JsValue, kind: MediaEventKind) {
    if let (Some(h), Some(target)) = (host(), e.unchecked_into::<Event>().target()) {
        media_event(&h, &target, kind);
    }
}

/// One call into `host.media` for the element's key and facts.
fn media_event(host: &super::Host, target: &JsValue, kind: MediaEventKind) {
    let facts = host.media(target);
    let Some(facts) = facts.dyn_ref::<js_sys::Array>() else {
        return;
    };
    let num = |i| facts.get(i).as_f64().unwrap_or(f64::NAN);
    let event = MediaEvent {
        kind,
        current_time: num(1),
        duration: num(2),
        url: facts.get(3).as_string().unwrap_or_default(),
        title: facts.get(4).as_string().unwrap_or_default(),
    };
    let key = num(0) as u32;
    with_tag(|t| {
        t.engine.on_media(key, &event, &mut t.out);
        t.deliver(false);
    });
}

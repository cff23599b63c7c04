//! HTML5 `<video>`/`<audio>`: media events don't bubble, so one capturing
//! listener per event type on `document` sees every media element, including
//! ones added later. Each element gets a small numeric key (a WeakMap, so
//! removed elements are collected) under which the engine keeps its state.

use crate::prelude::*;
use js_sys::WeakMap;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, HtmlMediaElement};

use super::{listen, with_tag};
use crate::engine::{MediaEvent, MediaEventKind};

/// Media element → engine key.
pub(crate) struct Keys {
    map: WeakMap,
    next: u32,
}

impl Keys {
    /// An empty map.
    pub(crate) fn new() -> Self {
        Keys {
            map: WeakMap::new(),
            next: 0,
        }
    }

    fn key(&mut self, el: &HtmlMediaElement) -> u32 {
        if let Some(k) = self.map.get(el).as_f64() {
            return k as u32;
        }
        let k = self.next;
        self.next = self.next.wrapping_add(1);
        self.map.set(el, &JsValue::from(k));
        k
    }
}

const EVENTS: [(&str, MediaEventKind); 6] = [
    ("play", MediaEventKind::Play),
    ("pause", MediaEventKind::Pause),
    ("seeking", MediaEventKind::Seeking),
    ("seeked", MediaEventKind::Seeked),
    ("timeupdate", MediaEventKind::TimeUpdate),
    ("ended", MediaEventKind::Ended),
];

/// Attaches one capturing listener per media event type.
pub(crate) fn attach() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    for (ty, kind) in EVENTS {
        listen(&doc, ty, true, move |e| on_event(e, kind));
    }
    // Media already playing when the tag loads: their `play` event is past.
    if let Ok(list) = doc.query_selector_all("video,audio") {
        for i in 0..list.length() {
            if let Some(el) = list
                .item(i)
                .and_then(|n| n.dyn_into::<HtmlMediaElement>().ok())
            {
                if !el.paused() {
                    media_event(&el, MediaEventKind::Play);
                }
            }
        }
    }
}

/// `title`, else `aria-label`, else `data-title`.
fn title(el: &HtmlMediaElement) -> String {
    ["title", "aria-label", "data-title"]
        .iter()
        .find_map(|a| el.get_attribute(a).filter(|v| !v.is_empty()))
        .unwrap_or_default()
}

fn on_event(e: JsValue, kind: MediaEventKind) {
    if let Some(el) = e
        .unchecked_into::<Event>()
        .target()
        .and_then(|t| t.dyn_into::<HtmlMediaElement>().ok())
    {
        media_event(&el, kind);
    }
}

fn media_event(el: &HtmlMediaElement, kind: MediaEventKind) {
    let event = MediaEvent {
        kind,
        current_time: el.current_time(),
        duration: el.duration(),
        url: el.current_src(),
        title: title(el),
    };
    with_tag(|t| {
        let key = t.media.key(el);
        t.engine.on_media(key, &event, &mut t.out);
        t.deliver(false);
    });
}

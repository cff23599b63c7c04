//! HTML5 `<video>`/`<audio>`: media events don't bubble, so one capturing
//! listener per event type on `document` sees every media element in the
//! page, including ones added later. They don't leave a shadow root either,
//! so the same function also listens on every open shadow root in the page
//! and every shadow root attached later (`host.shadows`): the players built
//! as web components. Each element gets a small numeric key (`host.media`
//! keeps them in a WeakMap, so removed elements are collected) under which
//! the engine keeps its state; its facts come in the same call. YouTube
//! and Vimeo embeds are media too: `host.embeds` speaks their players'
//! postMessage protocols and reports their events in the same terms.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::Event;

use super::{add_listener, callback, host, with_tag, Call};
use crate::engine::{MediaEvent, MediaEventKind};
use crate::prelude::*;

/// The media event types listened to, and what each one is to the engine.
const EVENTS: [(&str, MediaEventKind); 6] = [
    ("play", MediaEventKind::Play),
    ("pause", MediaEventKind::Pause),
    ("seeking", MediaEventKind::Seeking),
    ("seeked", MediaEventKind::Seeked),
    ("timeupdate", MediaEventKind::TimeUpdate),
    ("ended", MediaEventKind::Ended),
];

/// Attaches one function for every media event type: capturing on
/// `document`, and on shadow roots (see the module's doc).
pub(crate) fn attach() {
    let (Some(doc), Some(h), Some(f)) = (
        super::window().and_then(|w| w.document()),
        host(),
        callback(Call::Media),
    ) else {
        return;
    };
    let mut types = String::new();
    for (ty, _) in EVENTS {
        add_listener(&doc, ty, true, f.clone());
        if !types.is_empty() {
            types.push(' ');
        }
        types.push_str(ty);
    }
    // Media already playing when the tag loads: their `play` event is past.
    for el in h.shadows(&types, &f).iter() {
        media_event(&h, &el, MediaEventKind::Play);
    }
    // YouTube and Vimeo players, through their postMessage protocols.
    if let Some(g) = callback(Call::Embed) {
        h.embeds(&g);
    }
}

/// A YouTube or Vimeo player's event, as `host.embeds` reports it: `[key,
/// kind (an index of EVENTS), time, duration, watch URL, title, provider,
/// muted, autoplay, loop]`.
pub(super) fn on_embed(x: JsValue) {
    let Some(a) = x.dyn_ref::<js_sys::Array>() else {
        return;
    };
    let num = |i| a.get(i).as_f64().unwrap_or(f64::NAN);
    let Some(&(_, kind)) = EVENTS.get(num(1) as usize) else {
        return;
    };
    let text = |i| a.get(i).as_string().unwrap_or_default();
    let event = MediaEvent {
        kind,
        current_time: num(2),
        duration: num(3),
        url: text(4),
        title: text(5),
        muted: a.get(7).is_truthy(),
        autoplay: a.get(8).is_truthy(),
        looped: a.get(9).is_truthy(),
        provider: if text(6) == "vimeo" {
            "vimeo"
        } else {
            "youtube"
        },
    };
    judge(num(0) as u32, &event);
}

/// A media event, of the kind its type names.
pub(super) fn on_event(e: JsValue) {
    let e: Event = e.unchecked_into();
    let ty = e.type_();
    let Some(&(_, kind)) = EVENTS.iter().find(|(t, _)| *t == ty) else {
        return;
    };
    if let (Some(h), Some(target)) = (host(), e.target()) {
        media_event(&h, &target, kind);
    }
}

/// The engine judges `event` of media `key`. A play, pause or seek of media
/// that is not decorative is the visitor's activity (it keeps the session);
/// playback itself is not.
fn judge(key: u32, event: &MediaEvent) {
    let acted = event.kind != MediaEventKind::TimeUpdate && !event.decorative();
    with_tag(|t| {
        if acted {
            t.activity(js_sys::Date::now(), false);
        }
        t.engine.on_media(key, event, &mut t.out);
        t.deliver(false);
    });
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
        muted: facts.get(5).is_truthy(),
        autoplay: facts.get(6).is_truthy(),
        looped: facts.get(7).is_truthy(),
        provider: "html5",
    };
    judge(num(0) as u32, &event);
}

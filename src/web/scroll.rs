//! Scroll depth: the scroll handler only schedules; one animation frame reads
//! the layout. A ResizeObserver on the root and body re-reads when the page
//! grows (infinite scroll, lazy images), and one reading at start lets a short
//! page fire its thresholds without any scroll.

use core::cell::{Cell, RefCell};

use js_sys::Function;
use wasm_bindgen::JsCast;
use web_sys::ResizeObserver;

use super::{callback, listen, with_tag, Call};
use crate::engine::ScrollReading;

tag_local! {
    static FRAME: RefCell<Option<Function>> = const { RefCell::new(None) };
    static PENDING: Cell<bool> = const { Cell::new(false) };
    static OBSERVER: RefCell<Option<ResizeObserver>> = const { RefCell::new(None) };
}

/// Attaches the scroll listener and the resize observer, and schedules the first reading.
pub(crate) fn attach() {
    let Some(doc) = super::window().and_then(|w| w.document()) else {
        return;
    };
    FRAME.with(|f| *f.borrow_mut() = callback(Call::ScrollRead));
    listen(&doc, "scroll", false, Call::ScrollSoon);
    if let Some(Ok(obs)) = callback(Call::ScrollSoon).map(|f| ResizeObserver::new(&f)) {
        if let Some(root) = doc.document_element() {
            obs.observe(&root);
        }
        if let Some(body) = doc.body() {
            obs.observe(&body);
        }
        OBSERVER.with(|o| *o.borrow_mut() = Some(obs));
    }
    schedule();
}

/// Forgets the frame callback and disconnects the observer.
pub(crate) fn detach() {
    OBSERVER.with(|o| {
        if let Some(obs) = o.borrow_mut().take() {
            obs.disconnect();
        }
    });
    FRAME.with(|f| *f.borrow_mut() = None);
    PENDING.with(|p| p.set(false));
}

/// Asks for one reading at the next frame, however many events come before it.
pub(crate) fn schedule() {
    if PENDING.with(|p| p.replace(true)) {
        return;
    }
    FRAME.with(|f| {
        if let (Some(f), Some(w)) = (f.borrow().as_ref(), super::window()) {
            let _ = w.request_animation_frame(f);
        }
    });
}

/// The layout read, once per frame at most (one call into `host.scroll`).
/// The animation frame's reading of the scroll position.
pub(super) fn read() {
    PENDING.with(|p| p.set(false));
    let Some(host) = super::host() else {
        return;
    };
    let v = host.scroll();
    let Some(v) = v.dyn_ref::<js_sys::Array>() else {
        return;
    };
    let num = |i| v.get(i).as_f64().unwrap_or(0.0);
    let reading = ScrollReading {
        top: num(0),
        viewport: num(1),
        height: num(2),
    };
    with_tag(|t| {
        t.engine.on_scroll(reading, &mut t.out);
        t.deliver(false);
    });
}

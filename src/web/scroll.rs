//! Scroll depth: the scroll handler only schedules; one animation frame reads
//! the layout. A ResizeObserver on the root and body re-reads when the page
//! grows (infinite scroll, lazy images), and one reading at start lets a short
//! page fire its thresholds without any scroll.

use wasm_bindgen::JsCast;
use web_sys::ResizeObserver;

use super::{callback, listen, shell, with_tag, Call};
use crate::engine::ScrollReading;

/// The scroll shell's state (in the shell's owner, [`super::Attached`]).
#[derive(Default)]
pub(crate) struct Shell {
    /// The rules have scroll triggers (route changes and restores schedule
    /// readings only then: each forces a layout).
    attached: bool,
    /// A reading is scheduled for the next frame.
    pending: bool,
    observer: Option<Observer>,
}

/// The resize observer, disconnected when dropped.
struct Observer(ResizeObserver);

impl Drop for Observer {
    fn drop(&mut self) {
        self.0.disconnect();
    }
}

/// Attaches the scroll listener and the resize observer, and schedules the first reading.
pub(crate) fn attach() {
    let Some(doc) = super::window().and_then(|w| w.document()) else {
        return;
    };
    shell(|s| s.scroll.attached = true);
    listen(&doc, "scroll", false, Call::ScrollSoon);
    if let (Some(h), Some(f)) = (super::host(), callback(Call::ScrollSoon)) {
        if let Some(obs) = h.resize(&f).map(Observer) {
            shell(|s| s.scroll.observer = Some(obs));
        }
    }
    schedule();
}

/// Asks for one reading at the next frame, however many events come before it.
pub(crate) fn schedule() {
    let first = shell(|s| s.scroll.attached && !core::mem::replace(&mut s.scroll.pending, true));
    if first != Some(true) {
        return;
    }
    if let Some(f) = callback(Call::ScrollRead) {
        super::frame(&f);
    }
}

/// The layout read, once per frame at most (one call into `host.scroll`).
/// The animation frame's reading of the scroll position.
pub(super) fn read() {
    shell(|s| s.scroll.pending = false);
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

//! Clicks and middle clicks (`auxclick`, button 1). Keyboard activation of
//! links and buttons arrives as a click too. The real target comes from
//! `composedPath()[0]`, so clicks inside open shadow roots resolve to the
//! inner element rather than the host.

use wasm_bindgen::JsValue;

use super::{listen, with_tag, Call};

/// Attaches capturing listeners for `click` and `auxclick` on `document`
/// (capture: a page handler calling `stopPropagation` doesn't hide the click).
pub(crate) fn attach() {
    let Some(doc) = super::window().and_then(|w| w.document()) else {
        return;
    };
    listen(&doc, "click", true, Call::Click);
    listen(&doc, "auxclick", true, Call::AuxClick);
}

/// A click of button `want` (0: main, 1: middle).
pub(super) fn on_click(e: JsValue, want: i16) {
    let Some(host) = super::host() else {
        return;
    };
    let Some(target) = host.target(&e, want) else {
        return;
    };
    with_tag(|t| {
        t.engine.on_click(&target, want, &mut t.out);
        // A click may navigate away (a link, a form's submit button): send now.
        t.deliver(true);
    });
}

//! Single-page apps: a change of the page's URL without a reload starts a new
//! virtual page ([`Engine::set_page`](crate::engine::Engine::set_page):
//! `page.*` update, `once_per_page` limits and scroll thresholds re-arm, media
//! keep their state), and a scroll reading is taken for it.
//!
//! What counts: the URL **without its fragment** (what `page.url` holds)
//! changed, however that happened. So `pushState`/`replaceState` to the same
//! URL, an in-page anchor (`#pricing`) and a hash route (`#/pricing`) are not
//! new pages, and a `popstate` + `hashchange` pair is one change at most.
//!
//! How it is noticed:
//! - `history.pushState`/`replaceState` are wrapped (the loader's `after`,
//!   which calls through to whatever was there with its `this`, arguments,
//!   result and throws), and `popstate`/`hashchange` are listened to. These
//!   only schedule a check after the next frame, then a task: apps render the
//!   route and set `document.title` after `pushState`, and the new page's
//!   scroll reading must measure the new content.
//! - Before every evaluation ([`check`], called by `with_tag`) the URL is
//!   compared again, so a page that replaces `pushState` after the tag loaded
//!   (or a push that happens just before an event) is still seen in time.
//!
//! The virtual page's `page.referrer` is the previous page's URL (as GA4 does),
//! and it is a page view for `page_view` triggers ([`super::pageview`]).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{callback, host, listen, page, shell, Call, Tag};

#[wasm_bindgen]
extern "C" {
    /// `window.location`, reduced to what is compared.
    type Loc;
    /// `location.href` as a JS string: comparing handles costs no copy into wasm.
    #[wasm_bindgen(method, getter)]
    fn href(this: &Loc) -> JsValue;
    /// `window`, for `window.history` without web-sys's `History` binding.
    type Win;
    #[wasm_bindgen(method, getter)]
    fn history(this: &Win) -> JsValue;
}

/// The history shell's state (in the shell's owner, [`super::Attached`]).
#[derive(Default)]
pub(crate) struct Shell {
    /// `location.href` at the last check.
    href: JsValue,
    /// 0: idle; 1: waiting for the frame; 2: waiting for the task after it.
    phase: u8,
}

/// Wraps the history methods and listens to `popstate` and `hashchange`.
pub(crate) fn attach() {
    let Some(w) = super::window() else {
        return;
    };
    let href = current(&w);
    shell(|s| s.history.href = href);
    let history = w.unchecked_ref::<Win>().history();
    if let (Some(host), Some(f), true) = (host(), callback(Call::HistorySoon), history.is_object())
    {
        host.after(&history, "pushState", &f);
        host.after(&history, "replaceState", &f);
    }
    listen(&w, "popstate", false, Call::HistorySoon);
    listen(&w, "hashchange", false, Call::HistorySoon);
}

fn current(w: &web_sys::Window) -> JsValue {
    w.location().unchecked_into::<Loc>().href()
}

/// Schedules one check after the next frame and a task, however many
/// history changes come before it.
pub(super) fn soon() {
    let idle = shell(|s| {
        let idle = s.history.phase == 0;
        if idle {
            s.history.phase = 1;
        }
        idle
    });
    if idle != Some(true) {
        return;
    }
    // A hidden tab runs no frames: the check then happens at the next event.
    if let Some(f) = callback(Call::HistoryTick) {
        super::frame(&f);
    }
}

/// The frame after a history change, then the task after it: the check.
pub(super) fn tick() {
    let phase = shell(|s| {
        let was = s.history.phase;
        s.history.phase = if was == 1 { 2 } else { 0 };
        was
    });
    if phase == Some(1) {
        if let Some(f) = callback(Call::HistoryTick) {
            super::set_timeout(&f, 0, &JsValue::UNDEFINED);
        }
        return;
    }
    // `with_tag` runs `check` first.
    super::with_tag(|_| ());
}

/// Starts a new virtual page when the URL (fragment aside) changed since the
/// last check. Cheap when nothing changed: one `location.href` handle compared.
pub(crate) fn check(t: &mut Tag) {
    let Some(w) = super::window() else {
        return;
    };
    let href = current(&w);
    let same = shell(|s| {
        if s.history.href == href {
            return true;
        }
        s.history.href = href;
        false
    });
    if same != Some(false) {
        return;
    }
    let Some(host) = super::host() else {
        return;
    };
    let mut next = page::read(&host);
    let old = t.engine.page();
    if next.url == old.url {
        // Only the fragment moved: an anchor or a hash route, not a new page.
        return;
    }
    next.referrer = old.url.clone();
    t.engine.set_page(next);
    super::pageview::viewed(t);
    #[cfg(feature = "scroll")]
    super::scroll::schedule();
}

//! The page the visitor is on, the site's session (in `localStorage`, shared
//! by its tabs: `loader/session.js`), and console messages.

use wasm_bindgen::prelude::*;

use super::Host;
use crate::engine::Page;
use crate::prelude::*;

/// localStorage key of the session's `once_per_session` state, which
/// `loader/session.js` writes (`loader/session.test.js` holds the two to
/// each other): another tab writing it is a `storage` event the tag follows.
pub(crate) const STATE_KEY: &str = "microconv.state";

#[wasm_bindgen]
extern "C" {
    /// `"1 <id>"` for a session this call started, `"0 <id>"` for the
    /// running one (see [`session`]).
    #[wasm_bindgen(method)]
    fn session(this: &Host, now: f64, path: &str, store: bool) -> String;
    /// See [`store_session`].
    #[wasm_bindgen(method)]
    fn stored(this: &Host, id: &str, now: f64, path: &str, views: u32);
    /// `"<page views> <landing path>"` (see [`count_view`]).
    #[wasm_bindgen(method)]
    fn view(this: &Host, now: f64, path: &str, store: bool) -> String;
    /// See [`visitor`].
    #[wasm_bindgen(method, js_name = visitorId)]
    fn visitor_id(this: &Host, now: f64, keep: bool) -> String;
    /// See [`state`].
    #[wasm_bindgen(method, js_name = state)]
    fn session_state(this: &Host, id: &str, state: &str) -> String;
}

/// Reads `location` and `document` into the engine's [`Page`] (one call:
/// `host.page()` gives them a line each).
pub(crate) fn read(host: &super::Host) -> Page {
    let text = host.page();
    let mut lines = crate::text::split(&text, b'\n').map(String::from);
    let mut next = || lines.next().unwrap_or_default();
    Page {
        url: next(),
        host: next(),
        path: next(),
        query: next(),
        title: next(),
        referrer: next(),
    }
}

// The records, their rules and their storage are `loader/session.js`'s.

/// The site's session at `now`, and whether this call started it: the
/// stored one while it runs (whichever tab started it), else a new one (16
/// random hex digits) landing on `path`; with `store`, `now` is written
/// down as its last activity (not before consent allows storing). Without
/// storage, each page is its own session.
pub(crate) fn session(host: &Host, now: f64, path: &str, store: bool) -> (String, bool) {
    let s = host.session(now, path, store);
    (s.get(2..).unwrap_or("").into(), s.starts_with('1'))
}

/// Stores session `id` as the site's (once consent allows storing): the
/// running record gets `now` as its activity, or, when it is another
/// session's or none, `id`'s record starts now on `path`; it counts at
/// least the `views` this tab has seen.
pub(crate) fn store_session(host: &Host, id: &str, now: f64, path: &str, views: u32) {
    host.stored(id, now, path, views);
}

/// Counts a page view on `path` in the site's session: its page views so
/// far (this one included) and its landing path, stored with `store`.
/// Without storage (or a record), this page is the session's first.
pub(crate) fn count_view(host: &Host, now: f64, path: &str, store: bool) -> (u32, String) {
    let s = host.view(now, path, store);
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let views = s.bytes().take(digits).fold(0u32, |n, b| {
        n.saturating_mul(10).saturating_add(u32::from(b - b'0'))
    });
    (views, s.get(digits + 1..).unwrap_or("").into())
}

/// The persistent visitor id at `now`: the stored one while younger than 13
/// months, else a new one stored with its creation time; empty without
/// storage. Without `keep`, the stored one is erased.
pub(crate) fn visitor(host: &Host, now: f64, keep: bool) -> String {
    host.visitor_id(now, keep)
}

/// Session `id`'s `once_per_session` state as stored (empty when what is
/// stored is another session's), after storing `state` unless it is empty.
pub(crate) fn state(host: &Host, id: &str, state: &str) -> String {
    host.session_state(id, state)
}

/// `console.error(msg)`.
pub(crate) fn log_error(msg: &str) {
    web_sys::console::error_1(&msg.into());
}

//! The page the visitor is on, the site's session (in `localStorage`, shared
//! by its tabs: [`crate::session`]), and console messages.

use crate::engine::Page;
use crate::prelude::*;
use crate::session::Session;

/// localStorage key of the site's session record (`<id> <start> <last>`).
pub(crate) const SESSION_KEY: &str = "microconv.session";
/// localStorage key of the persistent visitor id (`<id> <created ms>`).
pub(crate) const VISITOR_KEY: &str = "microconv.visitor";
/// How long a visitor id lasts from its creation, in ms: 13 months (395
/// days), the longest the CNIL accepts for audience measurement.
pub(crate) const VISITOR_MS: f64 = 395.0 * 24.0 * 60.0 * 60.0 * 1000.0;
/// localStorage key of the session's `once_per_session` state (`<id> <state>`).
pub(crate) const STATE_KEY: &str = "microconv.state";

/// Reads `location` and `document` into the engine's [`Page`] (one call:
/// `host.page()` gives them a line each).
pub(crate) fn read(host: &super::Host) -> Page {
    let text = host.page();
    let mut lines = text.split('\n').map(String::from);
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

/// A localStorage value; `None` when absent or storage is unavailable
/// (the host's storage helpers never throw).
pub(crate) fn local_get(key: &str) -> Option<String> {
    super::host()?.get("localStorage", key)
}

/// Stores a localStorage value; silently skipped when storage is unavailable.
pub(crate) fn local_set(key: &str, value: &str) {
    if let Some(h) = super::host() {
        h.put("localStorage", key, value);
    }
}

/// The stored session, while it runs at `now`.
fn live(host: &super::Host, now: f64) -> Option<Session> {
    host.get("localStorage", SESSION_KEY)
        .and_then(|s| Session::parse(&s))
        .filter(|s| s.is_live(now))
}

/// The site's session at `now`, and whether this call started it: the
/// stored one while it runs (whichever tab started it), else a new one (16
/// random hex digits) landing on `path`; with `store`, `now` is written
/// down as its last activity (not before consent allows storing). Without
/// storage, each page is its own session.
pub(crate) fn session(host: &super::Host, now: f64, path: &str, store: bool) -> (String, bool) {
    let stored = live(host, now);
    let started = stored.is_none();
    let mut s = stored.unwrap_or_else(|| {
        let mut id = String::with_capacity(16);
        super::ids::random_hex(host, &mut id, 8);
        Session::new(id, now, path)
    });
    s.last = s.last.max(now);
    if store {
        host.put("localStorage", SESSION_KEY, &s.write());
    }
    (s.id, started)
}

/// Stores session `id` as the site's (once consent allows storing): the
/// running record gets `now` as its activity, or, when it is another
/// session's or none, `id`'s record starts now on `path`; it counts at
/// least the `views` this tab has seen.
pub(crate) fn store_session(host: &super::Host, id: &str, now: f64, path: &str, views: u32) {
    let mut s = live(host, now)
        .filter(|s| s.id == id)
        .unwrap_or_else(|| Session::new(id.into(), now, path));
    s.last = s.last.max(now);
    s.views = s.views.max(views);
    host.put("localStorage", SESSION_KEY, &s.write());
}

/// Counts a page view on `path` in the site's session: its page views so
/// far (this one included) and its landing path, stored with `store`.
/// Without storage (or a record), this page is the session's first.
pub(crate) fn count_view(host: &super::Host, now: f64, path: &str, store: bool) -> (u32, String) {
    match live(host, now) {
        Some(mut s) => {
            s.views = s.views.saturating_add(1);
            if store {
                host.put("localStorage", SESSION_KEY, &s.write());
            }
            (s.views, s.landing)
        }
        None => (1, path.into()),
    }
}

/// The persistent visitor id at `now`: the stored one while younger than
/// [`VISITOR_MS`], else a new one (16 random hex digits) stored with its
/// creation time; empty without storage.
pub(crate) fn visitor(host: &super::Host, now: f64) -> String {
    if let Some(stored) = host.get("localStorage", VISITOR_KEY) {
        if let Some(s) = Session::parse(&crate::text::concat(&[&stored, " 0"])) {
            if (0.0..VISITOR_MS).contains(&(now - s.start)) {
                return s.id;
            }
        }
    }
    let mut id = String::with_capacity(16);
    super::ids::random_hex(host, &mut id, 8);
    let mut record = id.clone();
    record.push(' ');
    crate::text::push_uint(&mut record, now.max(0.0) as u64);
    if host.put("localStorage", VISITOR_KEY, &record) {
        id
    } else {
        String::new()
    }
}

/// `console.error(msg)`.
pub(crate) fn log_error(msg: &str) {
    web_sys::console::error_1(&msg.into());
}

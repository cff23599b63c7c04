//! The page the visitor is on, per-tab session storage, and console messages.

use crate::engine::Page;
use crate::prelude::*;

/// sessionStorage key of the random per-tab session id.
pub(crate) const SESSION_KEY: &str = "microconv.session";
/// sessionStorage key of the engine's `once_per_session` state.
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

/// A sessionStorage value; `None` when absent or storage is unavailable
/// (the host's storage helpers never throw).
pub(crate) fn session_get(key: &str) -> Option<String> {
    super::host()?.get("sessionStorage", key)
}

/// Stores a sessionStorage value; silently skipped when storage is unavailable.
pub(crate) fn session_set(key: &str, value: &str) {
    if let Some(h) = super::host() {
        h.put("sessionStorage", key, value);
    }
}

/// This tab's session id: 16 lowercase hex chars, kept in sessionStorage so
/// it survives page loads in the tab (no cookie).
pub(crate) fn session_id(host: &super::Host) -> String {
    if let Some(id) = session_get(SESSION_KEY) {
        if id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return id;
        }
    }
    let mut id = String::with_capacity(16);
    super::ids::random_hex(host, &mut id, 8);
    session_set(SESSION_KEY, &id);
    id
}

/// `console.error(msg)`.
pub(crate) fn log_error(msg: &str) {
    web_sys::console::error_1(&msg.into());
}

/// `console.warn(msg)`.
pub(crate) fn log_warn(msg: &str) {
    web_sys::console::warn_1(&msg.into());
}

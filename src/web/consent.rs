//! Consent and Global Privacy Control: whether delivery may happen at all.
//! The engine runs either way; only the transport is gated.
//!
//! - `data-consent="required"` on the script tag: events are held in memory
//!   (nothing sent, nothing written to `localStorage`) until the page grants.
//! - Grants and denials: `microconv.push({consent: "granted" | "denied"})`
//!   (or the same object in `dataLayer`), or Google consent mode's
//!   `gtag('consent', 'default' | 'update', {analytics_storage: …})`, which
//!   pushes an `arguments` object `['consent', 'update', {…}]` into
//!   `dataLayer`. A denial (`update` or our push) discards held and stored
//!   events; a `default` denial only holds (the visitor has not chosen yet).
//! - `navigator.globalPrivacyControl === true`: nothing is sent and the
//!   outbox is cleared, unless the site set `data-gpc="ignore"`.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use super::{callback, host, with_tag, Call, Host};

#[wasm_bindgen]
extern "C" {
    /// The consent decision in a pushed item (`loader/host.js`): 1 when
    /// granted, plus 2 when explicit (ours, or gtag's `update`); -1 for an
    /// item that is not one.
    #[wasm_bindgen(method)]
    fn decision(this: &Host, item: &JsValue) -> i32;
}

/// Whether the transport may deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gate {
    /// Deliver.
    Open,
    /// Hold new events in memory until consent is granted.
    Held,
    /// The visitor refused: discard every event (a later grant reopens).
    Denied,
    /// Global Privacy Control: never deliver on this page.
    Gpc,
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The gate at start, from the script tag's `data-consent` / `data-gpc`
/// (the loader copies them onto the host object) and the browser's GPC signal.
pub(crate) fn initial(host: &JsValue) -> Gate {
    let attr = |k| get(host, k).as_string().unwrap_or_default();
    let gpc = super::window()
        .map(|w| get(&w.navigator(), "globalPrivacyControl"))
        .is_some_and(|v| v == JsValue::TRUE);
    if gpc && attr("gpc") != "ignore" {
        Gate::Gpc
    } else if attr("consent") == "required" {
        Gate::Held
    } else {
        Gate::Open
    }
}

/// Watches `dataLayer` and `microconv` for consent decisions (replaying those
/// pushed before the tag loaded).
pub(crate) fn attach() {
    let (Some(host), Some(f)) = (host(), callback(Call::Consent)) else {
        return;
    };
    host.hook("dataLayer", &f);
    host.hook("microconv", &f);
}

/// Hands a consent decision to the transport.
pub(super) fn on_item(item: JsValue) {
    let Some(h) = host() else {
        return;
    };
    let d = h.decision(&item);
    if d >= 0 {
        with_tag(|t| {
            t.transport.set_consent(d & 1 != 0, d & 2 != 0);
            t.consented();
        });
    }
}

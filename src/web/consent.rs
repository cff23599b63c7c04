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
use wasm_bindgen::JsValue;

use super::{callback, host, with_tag, Call};

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
    if let Some((granted, explicit)) = decision(&item) {
        with_tag(|t| {
            t.transport.set_consent(granted, explicit);
            t.consented();
        });
    }
}

/// `(granted, explicit)` for a consent item, `None` for anything else.
fn decision(item: &JsValue) -> Option<(bool, bool)> {
    if !item.is_object() {
        return None;
    }
    let ours = get(item, "consent");
    let (state, explicit) = if let Some(s) = ours.as_string() {
        (s, true)
    } else if get(item, "0").as_string().as_deref() == Some("consent") {
        let kind = get(item, "1").as_string()?;
        let s = get(&get(item, "2"), "analytics_storage").as_string()?;
        (s, kind == "update")
    } else {
        return None;
    };
    match state.as_str() {
        "granted" => Some((true, explicit)),
        "denied" => Some((false, explicit)),
        _ => None,
    }
}

//! Custom events: `window.dataLayer.push({event: "signup", plan: "pro"})`
//! (GTM-compatible, pushes made before the tag loaded are replayed) and the
//! same through `window.microconv.push({...})`.
//!
//! The queue hook itself is the loader's `hook` (it needs `this` and
//! `arguments`); here each pushed item becomes a [`PushedEvent`], with or
//! without an event: every push merges into the engine's data-layer state
//! (GTM's model), which `dl.*` of every trigger reads.

use crate::prelude::*;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::{callback, host, with_tag, Call};
use crate::engine::{PushedEvent, Value};

/// Nesting depth flattened into `dl.a.b.c` keys.
const MAX_DEPTH: u32 = 4;
/// Keys read from one pushed item (a hostile page may push huge objects).
const MAX_FIELDS: usize = 64;

/// Hooks `window.dataLayer` and `window.microconv`.
pub(crate) fn attach() {
    let (Some(host), Some(f)) = (host(), callback(Call::Pushed)) else {
        return;
    };
    host.hook("dataLayer", &f);
    host.hook("microconv", &f);
}

/// An item pushed to `dataLayer` or `microconv`: its keys merge into the
/// data-layer state; with an `event`, custom triggers are judged.
pub(super) fn on_item(item: JsValue) {
    // gtag() pushes `arguments` objects (command, name, params): not data.
    if !item.is_object()
        || Array::is_array(&item)
        || Reflect::has(&item, &JsValue::from_str("callee")).unwrap_or(true)
    {
        return;
    }
    let event = Reflect::get(&item, &JsValue::from_str("event"))
        .ok()
        .and_then(|e| e.as_string())
        .unwrap_or_default();
    let mut pushed = PushedEvent {
        event,
        fields: Vec::new(),
    };
    flatten(&item, &mut String::new(), &mut pushed.fields, 0);
    with_tag(|t| {
        t.engine.on_push(&pushed, &mut t.out);
        t.deliver(false);
    });
}

/// Scalars become fields; nested objects and arrays are flattened with dots
/// (array items by index: `items.0.sku`).
fn flatten(obj: &JsValue, prefix: &mut String, out: &mut Vec<(String, Value)>, depth: u32) {
    let entries = Object::entries(obj.unchecked_ref());
    for entry in entries.iter() {
        if out.len() >= MAX_FIELDS {
            return;
        }
        let pair: Array = entry.unchecked_into();
        let Some(key) = pair.get(0).as_string() else {
            continue;
        };
        if depth == 0 && key == "event" {
            continue;
        }
        let v = pair.get(1);
        let len = prefix.len();
        prefix.push_str(&key);
        let value = if let Some(s) = v.as_string() {
            Some(Value::Str(s))
        } else if let Some(n) = v.as_f64() {
            Some(Value::Num(n))
        } else if let Some(b) = v.as_bool() {
            Some(Value::Bool(b))
        } else if v.is_null() {
            Some(Value::Null)
        } else {
            if v.is_object() && depth + 1 < MAX_DEPTH {
                prefix.push('.');
                flatten(&v, prefix, out, depth + 1);
            }
            None
        };
        if let Some(value) = value {
            out.push((prefix.clone(), value));
        }
        prefix.truncate(len);
    }
}

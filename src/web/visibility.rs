//! Element visibility: for each `element_visibility` trigger the host runs
//! an IntersectionObserver at the trigger's `min_percent_visible`, on every
//! element its selector matches, now and added later (a MutationObserver),
//! so nothing reads layout: the browser reports crossings. An element that
//! stays on screen `min_on_screen_ms` (continuously) is reported to the
//! engine; one that leaves before is forgotten.

use js_sys::{Array, Date};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;

use super::{callback, host, window, with_tag, Call, Tag};
use crate::engine::Sighting;
use crate::prelude::*;
use crate::rules::model::TriggerKind;

/// Elements on screen now and waiting out their `min_on_screen_ms`:
/// `(trigger, element key, since)`.
#[derive(Debug, Default)]
pub(crate) struct OnScreen(Vec<(usize, u32, f64)>);

/// Starts observing for every `element_visibility` trigger.
pub(crate) fn attach(t: &Tag) {
    let (Some(h), Some(f)) = (host(), callback(Call::Visibility)) else {
        return;
    };
    for (i, trigger) in t.engine.triggers().iter().enumerate() {
        if let TriggerKind::ElementVisibility {
            selector,
            min_percent_visible,
            ..
        } = &trigger.kind
        {
            h.vis(i as u32, selector, min_percent_visible / 100.0, &f);
        }
    }
}

/// An observer's report `[trigger, element, key, ratio, visible]`, or the
/// timeout after `min_on_screen_ms` (the same array, `late` set).
pub(crate) fn on_change(x: JsValue, late: bool) {
    let Some(a) = x.dyn_ref::<Array>() else {
        return;
    };
    let num = |i| a.get(i).as_f64().unwrap_or(f64::NAN);
    let (ti, key, ratio) = (num(0) as usize, num(2) as u32, num(3));
    let Ok(el) = a.get(1).dyn_into::<Element>() else {
        return;
    };
    let visible = a.get(4).is_truthy();
    let now = Date::now();
    with_tag(|t| {
        let min_ms = match t.engine.triggers().get(ti).map(|t| &t.kind) {
            Some(TriggerKind::ElementVisibility {
                min_on_screen_ms, ..
            }) => *min_on_screen_ms,
            _ => return,
        };
        let waiting = &mut t.visible.0;
        let at = waiting.iter().position(|&(w, k, _)| w == ti && k == key);
        if !visible {
            if let Some(i) = at {
                waiting.swap_remove(i);
            }
            return;
        }
        let since = match (at, late) {
            (Some(i), true) => waiting.get(i).map_or(now, |w| w.2),
            // A late check for an element that left (and maybe came back:
            // its own timeout is pending) does nothing.
            (None, true) => return,
            (Some(_), false) => return,
            (None, false) if min_ms > 0.0 => {
                waiting.push((ti, key, now));
                later(&x, min_ms);
                return;
            }
            (None, false) => now,
        };
        // A tab in the background is not on screen: the wait ends there
        // (the observer reports no change for it).
        let hidden = window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden());
        if hidden {
            if let Some(i) = at {
                waiting.swap_remove(i);
            }
            return;
        }
        if late && now - since < min_ms {
            later(&x, min_ms - (now - since));
            return;
        }
        if let Some(i) = at {
            waiting.swap_remove(i);
        }
        let seen = Sighting {
            trigger: ti,
            key,
            percent: ratio * 100.0,
            on_screen_ms: now - since,
        };
        t.engine.on_visible(&el, seen, &mut t.out);
        t.deliver(false);
    });
}

/// Checks the report `x` again in `ms`.
fn later(x: &JsValue, ms: f64) {
    if let Some(f) = callback(Call::VisibilityLate) {
        super::set_timeout(&f, (ms.max(0.0) + 1.0).min(2e9) as i32, x);
    }
}

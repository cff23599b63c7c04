//! The page view's clocks, for `timer` and `engagement` triggers: visible
//! time (the page not hidden) and engaged time (visible, focused, and the
//! visitor active in the last [`IDLE_MS`]), both counted from the page view.
//!
//! Nothing runs per event: the host notes the time of each activity in JS
//! and calls in only when activity resumes after an idle spell; the tag
//! wakes with one timeout when a trigger is due or an engaged spell may end,
//! and on `visibilitychange`, `focus` and `blur`. A hidden page has no
//! timeout, so its timers wait (GTM's run on while hidden).

use js_sys::Date;

use super::{add_listener, callback, host, listen, window, Call, Tag};
use crate::engine::TimeClock;

/// Activity older than this ends an engaged spell (GA4's and Plausible's 30 s).
pub(crate) const IDLE_MS: f64 = 30_000.0;

/// What the visitor does that counts as activity.
const ACTIVITY: [&str; 6] = [
    "pointerdown",
    "pointermove",
    "keydown",
    "wheel",
    "scroll",
    "touchstart",
];

/// Both clocks of the current page view, and the timeout that wakes them.
#[derive(Debug, Default)]
pub(crate) struct PageClock {
    /// Whether a trigger runs on a clock (else nothing is attached).
    on: bool,
    /// Visible milliseconds before `visible_since`.
    visible: f64,
    /// When the current visible spell began (epoch ms).
    visible_since: Option<f64>,
    /// Engaged milliseconds before `engaged_since`.
    engaged: f64,
    /// When the current engaged spell began.
    engaged_since: Option<f64>,
    /// The pending wake-up's timeout handle.
    timeout: Option<i32>,
}

/// Listens for what moves the clocks, when a trigger runs on one.
pub(crate) fn attach(t: &mut Tag, engaged: bool) {
    t.clock.on = true;
    if let (Some(w), Some(h), Some(f)) = (window(), host(), callback(Call::Clock)) {
        if engaged {
            listen(&w, "focus", false, Call::Clock);
            listen(&w, "blur", false, Call::Clock);
            let actor = h.actor(&f);
            for ty in ACTIVITY {
                add_listener(&w, ty, true, actor.clone());
            }
        }
    }
    restart(t);
}

/// A new page view (load, route, restore): both clocks start over. The
/// view itself counts as activity (the visitor just navigated).
pub(crate) fn restart(t: &mut Tag) {
    if !t.clock.on {
        return;
    }
    if let Some(h) = host() {
        h.acted();
    }
    let c = &mut t.clock;
    c.visible = 0.0;
    c.engaged = 0.0;
    c.visible_since = None;
    c.engaged_since = None;
    update(t);
}

/// Something that moves the clocks happened (visibility, focus, activity
/// after an idle spell, the wake-up): spells start or end, due triggers
/// fire, and the next wake-up is set.
pub(crate) fn update(t: &mut Tag) {
    if !t.clock.on {
        return;
    }
    let now = Date::now();
    let doc = window().and_then(|w| w.document());
    let visible = doc.as_ref().is_some_and(|d| !d.hidden());
    let focused = doc.is_some_and(|d| d.has_focus().unwrap_or(false));
    let last = host().map_or(0.0, |h| h.last());
    let c = &mut t.clock;
    match (visible, c.visible_since) {
        (true, None) => c.visible_since = Some(now),
        (false, Some(since)) => {
            c.visible += now - since;
            c.visible_since = None;
        }
        _ => {}
    }
    let active = visible && focused && now - last < IDLE_MS;
    match (active, c.engaged_since) {
        (true, None) => c.engaged_since = Some(now),
        (false, Some(since)) => {
            c.engaged += ((now.min(last + IDLE_MS)) - since).max(0.0);
            c.engaged_since = None;
        }
        _ => {}
    }
    let visible_ms = c.visible + c.visible_since.map_or(0.0, |s| now - s);
    let engaged_ms = c.engaged + c.engaged_since.map_or(0.0, |s| now - s);
    t.engine.on_time(visible_ms, engaged_ms, &mut t.out);
    t.deliver(false);
    // The next wake-up: a trigger due, or the end of the engaged spell.
    let c = &t.clock;
    let visible_due = c
        .visible_since
        .and_then(|_| t.engine.next_due(TimeClock::Visible, visible_ms));
    let engaged_due = c.engaged_since.and_then(|_| {
        let due = t.engine.next_due(TimeClock::Engaged, engaged_ms)?;
        Some(due.min(last + IDLE_MS - now))
    });
    let delay = match (visible_due, engaged_due) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    wake_in(t, delay);
}

/// Replaces the pending wake-up with one `delay` ms from now (none for `None`).
fn wake_in(t: &mut Tag, delay: Option<f64>) {
    let Some(w) = window() else {
        return;
    };
    if let Some(id) = t.clock.timeout.take() {
        w.clear_timeout_with_handle(id);
    }
    let (Some(delay), Some(f)) = (delay, callback(Call::Clock)) else {
        return;
    };
    // One millisecond late rather than early: a wake-up before the tick
    // would only set another.
    let ms = (delay.max(0.0) + 1.0).min(2e9) as i32;
    t.clock.timeout = super::set_timeout(&f, ms, &wasm_bindgen::JsValue::UNDEFINED);
}

//! Delivery's Rust side: the events, their ids and the consent gate. The
//! outbox, the requests, their retries and the take-over of other pages'
//! outboxes are `loader/delivery.js` (plain JS is a fraction of the bytes
//! the same code weighed in the module); this file hands it each event's
//! JSON ([`crate::payload`]) and says when to send, through one host call,
//! `host.out(code, a, b)`, whose codes are [`Out`].
//!
//! Consent ([`super::consent`]) gates it all: events are written only while
//! the gate is open or held; delivery holds them in memory until it opens,
//! and discards them on a denial.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::consent::Gate;
use super::{host, listen, with_tag, Call, Dom, Host};
use crate::engine::{Conversion, Engine};
use crate::payload::{self, EventMeta};
use crate::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// Delivery (`loader/delivery.js`): does what `code` says (an [`Out`]),
    /// with its arguments `a` and `b` (`""` when unused); true only for
    /// [`Out::Show`] of a page back from the back/forward cache.
    #[wasm_bindgen(method)]
    fn out(this: &Host, code: u32, a: &str, b: &str) -> bool;
}

/// What the tag asks of delivery: its code is the discriminant, which
/// `OUT` in `loader/delivery.js` must match (`loader/delivery.test.js`
/// holds them to each other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Out {
    /// Write the new events to the outbox; they are sent after the batch window.
    Schedule = 0,
    /// Send what is due, and take over what pages that left did not send
    /// (a page view started).
    Resume = 1,
    /// Send every new event now (a click may be leaving the page; `flush()`).
    Flush = 2,
    /// The page is hidden: write and send now, without waiting for a lock.
    Hide = 3,
    /// `pagehide`: the same, and the outbox is left for a later page view.
    Leave = 4,
    /// `pageshow`: true when the page is back from the back/forward cache.
    Show = 5,
    /// `online`: send everything, backoff or not.
    Online = 6,
    /// An event: `a` its id, `b` its JSON.
    Queue = 7,
    /// The tag stops: send what is queued, stop the timer.
    Stop = 8,
    /// The gate is open (`a`: the endpoint, at start).
    Open = 9,
    /// The gate holds events in memory.
    Held = 10,
    /// The visitor refused: everything held or stored is discarded.
    Denied = 11,
    /// Global Privacy Control: nothing is ever sent on this page.
    Gpc = 12,
}

/// Asks delivery for `code`.
fn out(code: Out, a: &str, b: &str) -> bool {
    host().is_some_and(|h| h.out(code as u32, a, b))
}

/// Attaches the page-hide and `online` listeners.
pub(crate) fn attach() {
    let Some(w) = super::window() else {
        return;
    };
    // One listener for the page's life cycle.
    if let Some(doc) = w.document() {
        listen(&doc, "visibilitychange", false, Call::Lifecycle);
    }
    for ty in ["pagehide", "pageshow", "online"] {
        listen(&w, ty, false, Call::Lifecycle);
    }
}

/// `visibilitychange`, `pagehide`, `pageshow` or `online`.
pub(super) fn on_lifecycle(e: JsValue) {
    let Some(kind) = e.dyn_ref::<web_sys::Event>().map(|e| e.type_()) else {
        return;
    };
    // First a route change not yet noticed (a hidden tab runs no frames):
    // its page view is queued before the page hides or leaves.
    with_tag(|_| ());
    match kind.as_str() {
        "online" => {
            out(Out::Online, "", "");
        }
        // Back from the back/forward cache (a `pageshow` after our
        // `pagehide`): delivery starts a new outbox, and it is a new page view.
        "pageshow" => {
            if out(Out::Show, "", "") {
                with_tag(super::pageview::restored);
            }
        }
        "pagehide" => {
            out(Out::Leave, "", "");
        }
        _ => {
            if super::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.hidden())
            {
                out(Out::Hide, "", "");
            }
            // `visibilitychange`: visible time starts or stops.
            #[cfg(feature = "time")]
            with_tag(super::clock::update);
        }
    }
}

/// Who an event is of: the session id and the visitor id ("" for none).
pub(crate) type Who<'a> = (&'a str, &'a str);

/// The delivering side of one tag: the consent gate (delivery itself is `loader/delivery.js`).
pub(crate) struct Transport {
    gate: Gate,
}

impl Transport {
    /// A transport sending to `endpoint` once `gate` allows (the tests'
    /// `host.sink` takes every body instead, acknowledged at once).
    pub(crate) fn new(endpoint: &str, gate: Gate) -> Self {
        out(code_of(gate), endpoint, "");
        Transport { gate }
    }

    /// Adds one conversion as an event object (written by [`crate::payload`]).
    pub(crate) fn queue_event(&self, engine: &Engine<Dom>, c: &Conversion, who: Who<'_>) {
        let Some(trigger) = engine.triggers().get(c.trigger) else {
            return;
        };
        self.queue(engine, who, |json, meta| {
            payload::write_event(json, trigger, c, engine.page(), meta)
        });
    }

    /// Queues the `visit` of a session that starts on this page
    /// (`count_visits`), gated like every event.
    pub(crate) fn queue_visit(&self, engine: &Engine<Dom>, who: Who<'_>) {
        let affiliated = &engine.rules().affiliated_domains;
        self.queue(engine, who, |json, meta| {
            payload::write_visit(json, engine.page(), affiliated, meta)
        });
    }

    /// Queues the event `write` writes, with a fresh id, unless consent or
    /// Global Privacy Control refuse it.
    fn queue(
        &self,
        engine: &Engine<Dom>,
        (session, visitor): Who<'_>,
        write: impl FnOnce(&mut String, &EventMeta<'_>),
    ) {
        if matches!(self.gate, Gate::Denied | Gate::Gpc) {
            return;
        }
        let mut id = String::with_capacity(32);
        if let Some(h) = host() {
            super::ids::random_hex(&h, &mut id, 16);
        }
        let now = js_sys::Date::now();
        let meta = EventMeta {
            id: &id,
            at: now,
            session,
            visitor,
            allow_query: &engine.rules().allow_query,
            rules: &engine.rules().hash,
        };
        let mut json = String::with_capacity(256);
        write(&mut json, &meta);
        out(Out::Queue, &id, &json);
    }

    /// Writes the new events to the outbox; they are sent after the batch window.
    pub(crate) fn schedule(&self) {
        out(Out::Schedule, "", "");
    }

    /// Sends every new event now (and whatever else is due).
    pub(crate) fn flush(&self) {
        out(Out::Flush, "", "");
    }

    /// Sends what is due, and takes over what pages that left did not send
    /// (the page view started).
    pub(crate) fn resume(&self) {
        out(Out::Resume, "", "");
    }

    /// The tag is stopping: sends what is queued, and stops the timer.
    pub(crate) fn stop(&self) {
        out(Out::Stop, "", "");
    }

    /// Whether delivery is open (no consent needed, or granted).
    pub(crate) fn is_open(&self) -> bool {
        self.gate == Gate::Open
    }

    /// Whether the visitor refused (a denial, or Global Privacy Control).
    pub(crate) fn is_refused(&self) -> bool {
        matches!(self.gate, Gate::Denied | Gate::Gpc)
    }

    /// A consent decision (see [`super::consent`]): a grant opens the gate
    /// and sends what was held; an explicit denial discards everything; a
    /// default denial holds.
    pub(crate) fn set_consent(&mut self, granted: bool, explicit: bool) {
        let gate = match (self.gate, granted, explicit) {
            (Gate::Gpc, ..) => return,
            (_, true, _) => Gate::Open,
            (Gate::Open, false, false) => Gate::Held,
            (_, false, true) => Gate::Denied,
            (held_or_denied, false, false) => held_or_denied,
        };
        // An explicit denial always discards (again: other tabs may have
        // stored since).
        if gate != self.gate || (gate == Gate::Denied && explicit) {
            self.gate = gate;
            out(code_of(gate), "", "");
        }
    }
}

/// The code that tells delivery the gate is `gate`.
fn code_of(gate: Gate) -> Out {
    match gate {
        Gate::Open => Out::Open,
        Gate::Held => Out::Held,
        Gate::Denied => Out::Denied,
        Gate::Gpc => Out::Gpc,
    }
}

//! Beacons: events are queued for a short batch window, then sent as
//! `{"v":1,"sent_at":…,"events":[…]}` bodies under 60 KB each, by
//! `navigator.sendBeacon` (a string body is sent as
//! `text/plain;charset=UTF-8`, so no CORS preflight), falling back to
//! `fetch(…, {keepalive: true})` when the beacon queue refuses. The queue is
//! flushed at once when the page is hidden or unloaded.

use std::cell::RefCell;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::{callback, listen, with_tag};
use crate::engine::{Conversion, Engine};
use crate::payload::{self, EventMeta, MAX_BODY};

use super::Dom;

#[wasm_bindgen]
extern "C" {
    /// Global `fetch(url, init)`; a synchronous throw becomes `Err`.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch_with(url: &str, init: &Object) -> Result<Pending, JsValue>;
    /// A promise, to which a plain function (not a `Closure`) can be attached.
    type Pending;
    /// `promise.catch(f)`.
    #[wasm_bindgen(method, js_name = catch)]
    fn catch_fn(this: &Pending, f: &Function) -> Pending;
}

/// How long events wait for company before being sent, in ms.
const BATCH_MS: i32 = 1000;

thread_local! {
    /// The batch timer's callback, made once.
    static TICK: RefCell<Option<Function>> = const { RefCell::new(None) };
    /// Swallows a failed keepalive fetch, so it is no unhandled rejection.
    static IGNORE: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// The outgoing queue of one tag.
pub(crate) struct Transport {
    endpoint: String,
    sink: Option<Function>,
    events: Vec<String>,
    timer: Option<i32>,
}

/// Attaches the flush-on-hide listeners and makes the timer callback.
pub(crate) fn attach() {
    TICK.with(|t| {
        *t.borrow_mut() = Some(callback(|_| {
            with_tag(|t| {
                t.transport.timer = None;
                t.transport.flush();
            });
        }))
    });
    IGNORE.with(|t| *t.borrow_mut() = Some(callback(|_| {})));
    let Some(w) = web_sys::window() else {
        return;
    };
    if let Some(doc) = w.document() {
        let d = doc.clone();
        listen(&doc, "visibilitychange", false, move |_| {
            if d.hidden() {
                super::flush();
            }
        });
    }
    listen(&w, "pagehide", false, |_| super::flush());
}

impl Transport {
    /// A queue sending to `endpoint`, or to `sink` (tests) when given.
    pub(crate) fn new(endpoint: String, sink: Option<Function>) -> Self {
        Transport {
            endpoint,
            sink,
            events: Vec::new(),
            timer: None,
        }
    }

    /// Adds one conversion as an event object (written by [`crate::payload`]).
    pub(crate) fn queue_event(&mut self, engine: &Engine<Dom>, c: &Conversion, session: &str) {
        let Some(trigger) = engine.triggers().get(c.trigger) else {
            return;
        };
        let mut id = String::with_capacity(32);
        super::ids::random_hex(&mut id, 16);
        let meta = EventMeta {
            id: &id,
            at: js_sys::Date::now(),
            session,
            allow_query: &engine.rules().allow_query,
        };
        let mut json = String::with_capacity(256);
        payload::write_event(&mut json, trigger, c, engine.page(), &meta);
        self.events.push(json);
    }

    /// Starts the batch window unless one is running.
    pub(crate) fn schedule(&mut self) {
        if self.timer.is_some() || self.events.is_empty() {
            return;
        }
        let Some(w) = web_sys::window() else {
            return;
        };
        self.timer = TICK.with(|t| {
            let t = t.borrow();
            let f = t.as_ref()?;
            w.set_timeout_with_callback_and_timeout_and_arguments_0(f, BATCH_MS)
                .ok()
        });
    }

    /// Stops the batch timer (the tag is stopping).
    pub(crate) fn cancel(&self) {
        if let (Some(id), Some(w)) = (self.timer, web_sys::window()) {
            w.clear_timeout_with_handle(id);
        }
    }

    /// Sends every queued event now, in as few bodies as fit under [`MAX_BODY`].
    pub(crate) fn flush(&mut self) {
        self.cancel();
        self.timer = None;
        if self.events.is_empty() {
            return;
        }
        let sent_at = js_sys::Date::now();
        let events = std::mem::take(&mut self.events);
        let mut body = String::new();
        for batch in payload::batches(&events, MAX_BODY) {
            body.clear();
            payload::write_batch(&mut body, sent_at, batch);
            self.send(&body);
        }
    }

    fn send(&self, body: &str) {
        if let Some(sink) = &self.sink {
            let _ = sink.call1(&JsValue::NULL, &JsValue::from_str(body));
            return;
        }
        let Some(w) = web_sys::window() else {
            return;
        };
        if let Ok(true) = w
            .navigator()
            .send_beacon_with_opt_str(&self.endpoint, Some(body))
        {
            return;
        }
        let init = Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&init, &JsValue::from_str(k), &v);
        };
        set("method", JsValue::from_str("POST"));
        set("body", JsValue::from_str(body));
        set("keepalive", JsValue::TRUE);
        // no-cors: a cross-origin collector needs no CORS headers; the answer is not read.
        set("mode", JsValue::from_str("no-cors"));
        if let Ok(p) = fetch_with(&self.endpoint, &init) {
            IGNORE.with(|i| {
                if let Some(i) = i.borrow().as_ref() {
                    let _ = p.catch_fn(i);
                }
            });
        }
    }
}

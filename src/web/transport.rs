//! Delivery: at-least-once, through a persistent outbox; the collector
//! de-duplicates by event id, so storage is exactly-once.
//!
//! Every qualifying event is written to the outbox first (the page view's
//! own `localStorage` value, `microconv.outbox.<random>`; the format is in
//! [`super::outbox`]), then POSTed as `{"v":1,"sent_at":…,"events":[…]}`
//! (`text/plain`, so no CORS preflight; under 60 KB and 100 events per
//! request) by `fetch(…, {keepalive: true})`, whose answer decides: 2xx
//! removes the events; a network error, 408, 429 or 5xx keeps them for a
//! retry after a backoff (1 s · 2^n, at most 5 min, jittered; `Retry-After`
//! on 429/503 wins); any other 4xx drops them with one console message.
//! Retries come from a timer, the `online` event and the next page view.
//! Events wait up to 1 s for company; a click (the page may be leaving) and
//! a hidden or unloading page send at once (past the browsers' 64 KB keepalive
//! budget, by `sendBeacon`), and the events stay in the outbox until an
//! answer acknowledges them.
//!
//! Tabs: a page view only ever writes and sends its own outbox, so no two
//! tabs send one event, and no tab overwrites another's events
//! (`localStorage` is not consistent across processes: a shared value
//! would lose events to stale reads). On `pagehide` the page marks its
//! outbox left; a later page view of the site (this tab's next page, or any
//! other tab) takes it over once it has settled, under the Web Lock
//! `microconv.outbox` held a second past the take-over, so that no two pages
//! take over the same outbox. An outbox whose page died without `pagehide`
//! is taken over once it has been silent for 15 minutes past its due tries.
//!
//! Consent ([`super::consent`]) gates it all: held events stay in memory,
//! denied ones are discarded.

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::consent::Gate;
use super::outbox::{Book, Entry, Take, ACKED, RELEASED};
use super::{callback, host, listen, push_u32, with_tag, Call, Dom, Host};
use crate::engine::{Conversion, Engine};
use crate::payload::{self, EventMeta, MAX_BODY};
use crate::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// POSTs a beacon body by `fetch` (`loader/host.js`); false when `fetch`
    /// threw. The answer reaches `done` as `[key, status (0: network error),
    /// Retry-After in ms (0: none)]`.
    #[wasm_bindgen(method)]
    fn post(this: &Host, url: &str, body: &str, key: u32, keepalive: bool, done: &Function)
        -> bool;
    /// Calls `f` later under the Web Lock `microconv.outbox` (held a second
    /// longer: see the module doc); false when the browser has no Web Locks.
    #[wasm_bindgen(method)]
    fn lock(this: &Host, f: &Function) -> bool;
}

/// The `localStorage` keys of outboxes start with this (a page's own is
/// `microconv.outbox.<random>`; `microconv.outbox` alone is an older tag's).
const KEY: &str = "microconv.outbox";
/// How long new events wait for company before being sent, in ms.
const BATCH_MS: f64 = 1000.0;
/// Bytes of keepalive bodies a page may have in flight (browsers: 64 KiB).
const KEEPALIVE_BUDGET: usize = 64_000;
/// The collector takes at most this many events per request.
const MAX_EVENTS_PER_REQUEST: usize = 100;
/// Random delay added to each wake-up, so tabs sharing an outbox take turns.
const JITTER_MS: f64 = 200.0;
/// The `Retry-After` of a network error (see [`Transport::on_done`]).
const NETWORK_ERROR: f64 = -1.0;
/// A lock request unanswered this long is taken as lost; another is made.
const LOCK_WAIT_MS: f64 = 5_000.0;

/// A request on its way.
struct Flight {
    key: u32,
    ids: Vec<String>,
    /// Body bytes, counted against [`KEEPALIVE_BUDGET`] when `keepalive`.
    bytes: usize,
    keepalive: bool,
    /// The drop count this request reports (given back if it fails).
    dropped: u32,
}

/// The outgoing side of one tag: the outbox, and what changed in memory
/// since it was last written.
pub(crate) struct Transport {
    endpoint: String,
    sink: Option<Function>,
    gate: Gate,
    /// `localStorage`, or `None`: the outbox then lives in `mem` (no storage,
    /// full storage, and the tests' sink).
    store: Option<super::storage::Store>,
    /// This page view's `localStorage` key.
    key: String,
    mem: String,
    /// New events not yet written (held there while consent is pending).
    fresh: Book,
    /// Answers not yet written: `(id, what)` as [`Book::apply`] takes them
    /// (a failure's `what` is the server's `Retry-After` in ms, 0: none).
    answers: Vec<(String, f64)>,
    /// Drop counts of failed requests, to report again.
    undropped: u32,
    /// What the next step should send.
    take: Take,
    /// A microtask will run a step.
    soon: bool,
    /// When the take-over lock was requested (0: none pending).
    requested: f64,
    /// When a left outbox will have settled (0: none known).
    adopt_at: f64,
    /// When the own outbox next needs a step (0: never).
    wake_at: f64,
    flights: Vec<Flight>,
    next_key: u32,
    /// Keepalive body bytes in flight.
    keepalive: usize,
    timer: Option<i32>,
    refused_logged: bool,
    /// After `pagehide`: failures are the unload's, not the network's.
    leaving: bool,
}

/// A new page view's outbox key: `microconv.outbox.<16 hex digits>`.
fn own_key() -> String {
    let mut key = String::from(KEY);
    key.push('.');
    if let Some(h) = host() {
        super::ids::random_hex(&h, &mut key, 8);
    }
    key
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

/// The timer: send what is due, look for left outboxes.
pub(super) fn on_timer() {
    with_tag(|t| {
        let t = &mut t.transport;
        t.timer = None;
        t.take = t.take.max(Take::Due);
        t.step(false);
        t.adopt(false);
    });
}

/// The microtask: do what is pending (coalesces a task's events).
pub(super) fn on_microtask() {
    with_tag(|t| {
        t.transport.soon = false;
        t.transport.step(false);
    });
}

/// Holding the Web Lock: take over the outboxes of pages that left.
pub(super) fn on_lock() {
    with_tag(|t| t.transport.adopt(true));
}

/// A request's outcome (see `post`).
pub(super) fn on_answer(v: JsValue) {
    with_tag(|t| t.transport.on_done(&v));
}

/// `visibilitychange`, `pagehide`, `pageshow` or `online`.
pub(super) fn on_lifecycle(e: JsValue) {
    let Some(kind) = e.dyn_ref::<web_sys::Event>().map(|e| e.type_()) else {
        return;
    };
    with_tag(|tag| {
        let t = &mut tag.transport;
        match kind.as_str() {
            "online" => {
                t.request(Take::All);
                t.adopt(false);
            }
            // Back from the back/forward cache (a `pageshow` after our
            // `pagehide`): its outbox was left (and may be taken over), so
            // the page starts a new one; and it is a new page view.
            "pageshow" => {
                let restored = t.leaving;
                if restored {
                    t.leaving = false;
                    t.key = own_key();
                }
                t.adopt(false);
                if restored {
                    super::pageview::restored(tag);
                }
            }
            "pagehide" => {
                t.leaving = true;
                t.hidden();
            }
            _ => {
                if super::window()
                    .and_then(|w| w.document())
                    .is_some_and(|d| d.hidden())
                {
                    t.hidden();
                }
                // `visibilitychange`: visible time starts or stops.
                #[cfg(feature = "time")]
                super::clock::update(tag);
            }
        }
    });
}

/// Who an event is of: the session id and the visitor id ("" for none).
pub(crate) type Who<'a> = (&'a str, &'a str);

impl Transport {
    /// A transport sending to `endpoint`, or to `sink` (tests: every body is
    /// acknowledged at once, and the outbox stays in memory).
    pub(crate) fn new(endpoint: String, sink: Option<Function>, gate: Gate) -> Self {
        let store = match sink {
            Some(_) => None,
            None => host().and_then(|h| super::storage::Store::open(h, "localStorage")),
        };
        let mut t = Transport {
            endpoint,
            sink,
            gate,
            store,
            key: own_key(),
            mem: String::new(),
            fresh: Book::default(),
            answers: Vec::new(),
            undropped: 0,
            take: Take::Nothing,
            soon: false,
            requested: 0.0,
            adopt_at: 0.0,
            wake_at: 0.0,
            flights: Vec::new(),
            next_key: 0,
            keepalive: 0,
            timer: None,
            refused_logged: false,
            leaving: false,
        };
        if gate == Gate::Gpc {
            t.forget();
        }
        t
    }

    /// Adds one conversion as an event object (written by [`crate::payload`]).
    pub(crate) fn queue_event(&mut self, engine: &Engine<Dom>, c: &Conversion, who: Who<'_>) {
        let Some(trigger) = engine.triggers().get(c.trigger) else {
            return;
        };
        self.queue(engine, who, |json, meta| {
            payload::write_event(json, trigger, c, engine.page(), meta)
        });
    }

    /// Queues the `visit` of a session that starts on this page
    /// (`count_visits`), gated like every event.
    pub(crate) fn queue_visit(&mut self, engine: &Engine<Dom>, who: Who<'_>) {
        let affiliated = &engine.rules().affiliated_domains;
        self.queue(engine, who, |json, meta| {
            payload::write_visit(json, engine.page(), affiliated, meta)
        });
    }

    /// Queues the event `write` writes, with a fresh id, unless consent or
    /// Global Privacy Control refuse it.
    fn queue(
        &mut self,
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
        self.fresh.add(Entry {
            id,
            queued: now,
            tries: 0,
            next: now + BATCH_MS,
            lease: 0.0,
            json,
        });
        self.fresh.cap(now);
    }

    /// Writes the new events to the outbox; they are sent after the batch window.
    pub(crate) fn schedule(&mut self) {
        self.request(Take::Nothing);
    }

    /// Sends every new event now (and whatever else is due).
    pub(crate) fn flush(&mut self) {
        self.request(Take::Fresh);
    }

    /// Sends what is due, and takes over what pages that left did not send
    /// (the page view started).
    pub(crate) fn resume(&mut self) {
        self.request(Take::Due);
        self.adopt(false);
    }

    /// The page is hidden or unloading: write and send now, without waiting for a lock.
    pub(crate) fn hidden(&mut self) {
        self.take = self.take.max(Take::Fresh);
        self.step(true);
    }

    /// Stops the timer (the tag is stopping).
    pub(crate) fn cancel(&self) {
        if let (Some(id), Some(w)) = (self.timer, super::window()) {
            w.clear_timeout_with_handle(id);
        }
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
        match (self.gate, granted, explicit) {
            (Gate::Gpc, ..) | (Gate::Open, true, _) | (Gate::Held | Gate::Denied, false, false) => {
            }
            (_, true, _) => {
                self.gate = Gate::Open;
                self.flush();
            }
            (Gate::Open, false, false) => self.gate = Gate::Held,
            (_, false, true) => {
                self.gate = Gate::Denied;
                self.forget();
            }
        }
    }

    /// Discards held, stored and pending events (denial, GPC).
    fn forget(&mut self) {
        self.cancel();
        self.timer = None;
        self.fresh = Book::default();
        self.answers.clear();
        self.mem.clear();
        // Every page's outbox: the decision is the site's.
        for key in self.outboxes() {
            if let Some(s) = &self.store {
                s.set(&key, "");
            }
        }
    }

    /// The keys of every outbox stored for the site.
    fn outboxes(&self) -> Vec<String> {
        match &self.store {
            Some(s) => s.keys(KEY),
            None => Vec::new(),
        }
    }

    /// Takes over the outboxes of pages that left (or died): without `locked`
    /// it only looks, and asks for the Web Lock when some have settled; under
    /// it (or without Web Locks) it moves them into this page's own outbox,
    /// then removes them (in that order: a crash in between sends an event
    /// twice, never loses it), and sends what is due. Either way the timer
    /// wakes it when the next one will have settled.
    fn adopt(&mut self, locked: bool) {
        if locked {
            self.requested = 0.0;
        }
        if self.gate != Gate::Open || self.leaving {
            return;
        }
        let now = js_sys::Date::now();
        if !locked && self.requested != 0.0 && now - self.requested < LOCK_WAIT_MS {
            return;
        }
        self.adopt_at = 0.0;
        let mut taken = Vec::new();
        for key in self.outboxes() {
            if key == self.key {
                continue;
            }
            let Some(text) = self.store.as_ref().and_then(|s| s.get(&key)) else {
                continue;
            };
            let at = Book::orphaned_at_of(&text, now);
            if at > now {
                if self.adopt_at == 0.0 || at < self.adopt_at {
                    self.adopt_at = at;
                }
            } else if locked {
                self.fresh.take_over(Book::parse(&text));
                taken.push(key);
            } else {
                match (callback(Call::Adopt), host()) {
                    (Some(f), Some(h)) if h.lock(&f) => self.requested = now,
                    _ => return self.adopt(true),
                }
                return;
            }
        }
        if taken.is_empty() {
            self.rearm();
            return;
        }
        self.take = self.take.max(Take::Due);
        self.step(false);
        for key in taken {
            if let Some(s) = &self.store {
                s.set(&key, "");
            }
        }
    }

    /// Asks for an outbox step sending `take`, in a microtask: the events
    /// of one task (a flood of pushes) cost one step.
    fn request(&mut self, take: Take) {
        self.take = self.take.max(take);
        if self.gate != Gate::Open || self.soon {
            return;
        }
        match (
            self.sink.is_none(),
            callback(Call::StepSoon),
            super::window(),
        ) {
            (true, Some(f), Some(w)) => {
                w.queue_microtask(&f);
                self.soon = true;
            }
            _ => self.step(false),
        }
    }

    fn load(&self) -> String {
        match &self.store {
            Some(s) => s.get(&self.key).unwrap_or_default(),
            None => self.mem.clone(),
        }
    }

    fn save(&mut self, old: &str, new: String) {
        if new == old {
            return;
        }
        if let Some(s) = &self.store {
            if s.set(&self.key, &new) {
                return;
            }
            // Storage full or refused: this page keeps its outbox in memory.
            self.store = None;
        }
        self.mem = new;
    }

    /// One outbox step: re-read the stored outbox, apply what happened in
    /// memory (new events, answers), apply the caps, lease and send what
    /// `take` asks for, write it back, and set the timer for the next step.
    fn step(&mut self, hide: bool) {
        if self.gate != Gate::Open {
            return;
        }
        let take = core::mem::replace(&mut self.take, Take::Nothing);
        let busy = !self.fresh.is_empty() || !self.answers.is_empty() || self.undropped > 0;
        if !busy && take == Take::Nothing {
            return;
        }
        let now = js_sys::Date::now();
        let online = super::window().is_none_or(|w| w.navigator().on_line());
        if self.leaving {
            self.answers.retain(|(_, what)| *what != NETWORK_ERROR);
        }
        let old = self.load();
        let mut book = Book::parse(&old);
        book.apply(
            &core::mem::take(&mut self.answers),
            now,
            js_sys::Math::random(),
        );
        book.dropped = book
            .dropped
            .saturating_add(core::mem::take(&mut self.undropped));
        book.merge(core::mem::take(&mut self.fresh));
        book.cap(now);
        // Once the page is leaving, only its own page-hide step sends: a lock
        // step granted after it would resend what that step just released.
        if online && take != Take::Nothing && (hide || !self.leaving) {
            // This page's own requests in flight are never sent again by it,
            // whatever the stored lease says (a leaving page released them).
            for e in book.entries.iter_mut() {
                if self.flights.iter().any(|f| f.ids.contains(&e.id)) {
                    e.lease = now;
                }
            }
            let picked = book.lease(now, take);
            if !picked.is_empty() {
                self.send(&mut book, &picked, hide);
            }
        }
        if self.leaving {
            // The page is unloading: its requests either left (keepalive) or
            // die with it, and it will never learn which. Their leases are
            // released so that the next page view of the site sends them
            // again at once instead of after the lease; the collector keeps
            // one copy per id.
            let mine: Vec<(String, f64)> = self
                .flights
                .iter()
                .flat_map(|f| f.ids.iter().map(|id| (id.clone(), RELEASED)))
                .collect();
            book.apply(&mine, now, 0.0);
        }
        let mut new = String::new();
        if !book.is_empty() {
            book.written = now;
            book.left = if self.leaving { now } else { 0.0 };
            book.write(&mut new);
        }
        self.save(&old, new);
        self.wake_at = match book.wake(now) {
            Some(at) if online => at.max(now),
            _ => 0.0,
        };
        self.rearm();
    }

    /// Sets the timer for the earliest of the own outbox's next step and the
    /// settling of a left outbox.
    fn rearm(&mut self) {
        let at = match (self.wake_at, self.adopt_at) {
            (0.0, b) => b,
            (a, 0.0) => a,
            (a, b) => a.min(b),
        };
        if at == 0.0 {
            self.cancel();
            self.timer = None;
        } else {
            self.arm(at - js_sys::Date::now());
        }
    }

    /// Sends the leased entries `picked` of `book` in requests under 60 KB
    /// and 100 events; the first carries the drop count. Entries whose send
    /// could not start are released (or marked failed).
    fn send(&mut self, book: &mut Book, picked: &[usize], hide: bool) {
        let entries = || picked.iter().filter_map(|&i| book.entries.get(i));
        let jsons: Vec<String> = entries().map(|e| e.json.clone()).collect();
        let ids: Vec<String> = entries().map(|e| e.id.clone()).collect();
        let (host, done) = (host(), callback(Call::Answer));
        let navigator = super::window().map(|w| w.navigator());
        let sent_at = js_sys::Date::now();
        let mut answers = Vec::new();
        let mut answer =
            |ids: Vec<String>, what: f64| answers.extend(ids.into_iter().map(|id| (id, what)));
        let mut body = String::new();
        let base = jsons.as_ptr() as usize;
        for batch in payload::batches(&jsons, MAX_BODY) {
            let start = (batch.as_ptr() as usize - base) / core::mem::size_of::<String>();
            for (n, chunk) in batch.chunks(MAX_EVENTS_PER_REQUEST).enumerate() {
                let first = start + n * MAX_EVENTS_PER_REQUEST;
                let chunk_ids = ids.get(first..first + chunk.len()).unwrap_or(&[]).to_vec();
                body.clear();
                payload::write_batch(&mut body, sent_at, chunk);
                let dropped = core::mem::take(&mut book.dropped);
                if dropped > 0 {
                    if body.starts_with("{\"v\":1,") {
                        let mut field = String::from("\"dropped\":");
                        push_u32(&mut field, dropped);
                        field.push(',');
                        body.insert_str(7, &field);
                    } else {
                        book.dropped = dropped;
                    }
                }
                let dropped = dropped - book.dropped;
                if let Some(sink) = &self.sink {
                    let _ = sink.call1(&JsValue::NULL, &JsValue::from_str(&body));
                    answer(chunk_ids, ACKED);
                    continue;
                }
                let len = body.len();
                let keepalive = self.keepalive + len <= KEEPALIVE_BUDGET;
                if hide && !keepalive {
                    // Past the keepalive budget of a leaving page: a beacon,
                    // whose answer is never known (the lease expires, and a
                    // later page view sends again if it did not arrive).
                    let beaconed = navigator
                        .as_ref()
                        .and_then(|nav| {
                            nav.send_beacon_with_opt_str(&self.endpoint, Some(&body))
                                .ok()
                        })
                        .unwrap_or(false);
                    if !beaconed {
                        answer(chunk_ids, RELEASED);
                        book.dropped += dropped;
                    }
                    continue;
                }
                let key = self.next_key;
                self.next_key = key.wrapping_add(1);
                let started = match (&host, &done) {
                    (Some(h), Some(d)) => h.post(&self.endpoint, &body, key, keepalive, d),
                    _ => false,
                };
                if started {
                    if keepalive {
                        self.keepalive += len;
                    }
                    self.flights.push(Flight {
                        key,
                        ids: chunk_ids,
                        bytes: len,
                        keepalive,
                        dropped,
                    });
                } else {
                    answer(chunk_ids, 0.0);
                    book.dropped += dropped;
                }
            }
        }
        book.apply(&answers, sent_at, js_sys::Math::random());
    }

    /// A request's answer: `[key, status, retry-after ms]`.
    fn on_done(&mut self, v: &JsValue) {
        let a: &Array = v.unchecked_ref();
        let num = |i| a.get(i).as_f64().unwrap_or(0.0);
        let (key, status, after) = (num(0) as u32, num(1) as u32, num(2));
        let Some(pos) = self.flights.iter().position(|f| f.key == key) else {
            return;
        };
        let f = self.flights.swap_remove(pos);
        if f.keepalive {
            self.keepalive = self.keepalive.saturating_sub(f.bytes);
        }
        let what = if (200..300).contains(&status) {
            ACKED
        } else if (400..500).contains(&status) && status != 408 && status != 429 {
            // Refused for good (the body itself is wrong): retrying cannot help.
            if !self.refused_logged {
                self.refused_logged = true;
                super::page::log_warn(&refusal(status));
            }
            self.undropped = self.undropped.saturating_add(f.dropped);
            ACKED
        } else {
            self.undropped = self.undropped.saturating_add(f.dropped);
            match status {
                // A network error, or the page being unloaded: that rejects its
                // requests' promises (not the keepalive requests themselves),
                // before `pagehide`. Marked, and applied a moment later, so
                // that an unloading page leaves the events leased instead.
                0 => NETWORK_ERROR,
                429 | 503 => after.max(0.0),
                _ => 0.0,
            }
        };
        self.answers.extend(f.ids.into_iter().map(|id| (id, what)));
        if status == 0 {
            self.arm(500.0);
        } else {
            self.request(Take::Nothing);
        }
    }

    /// Sets the timer to run a step in `delay` ms (plus jitter).
    fn arm(&mut self, delay: f64) {
        self.cancel();
        self.timer = None;
        if let Some(f) = callback(Call::Step) {
            let delay = delay.max(0.0) + js_sys::Math::random() * JITTER_MS;
            self.timer = super::set_timeout(&f, delay.min(2e9) as i32, &JsValue::UNDEFINED);
        }
    }
}

/// The console message of a refused beacon. A 403 is the collector refusing
/// this page's origin (its `--allow-origin`): the message names the origin,
/// which is what the site owner must add.
fn refusal(status: u32) -> String {
    let mut msg = String::from("microconv: the collector refused ");
    if status == 403 {
        let url = super::host()
            .map(|h| super::page::read(&h).url)
            .unwrap_or_default();
        msg.push_str("this site's origin ");
        // scheme://host[:port]: the URL up to its third slash.
        let mut slashes = 0;
        for c in url.chars() {
            slashes += usize::from(c == '/');
            if slashes == 3 {
                break;
            }
            msg.push(c);
        }
        msg.push_str(" (HTTP 403: not in its --allow-origin)");
    } else {
        msg.push_str("a beacon (HTTP ");
        push_u32(&mut msg, status);
        msg.push(')');
    }
    msg.push_str("; its events are dropped");
    msg
}

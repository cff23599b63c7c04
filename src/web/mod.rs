//! Browser shell (wasm32 only): turns DOM facts into engine calls and the
//! resulting conversions into beacons.
//!
//! The loader (`loader/microconv.js`) fetches the rules and the module, then
//! calls [`start`] with a [`Host`]: the JS helpers (`loader/host.js`) that
//! read DOM facts in one call each, and do what Rust cannot do itself. `cb`
//! wraps every callback the tag hands to the browser, so a trap inside wasm
//! is caught, logged once, and the tag goes quiet instead of throwing into
//! the page; `hook` replays and wraps a `dataLayer`-style queue (it needs
//! `arguments` and `this`).

/// `thread_local!` for the tag's state: the tag runs on the page's one
/// thread, so a plain `static` in a [`Local`] is enough (and needs no `std`).
macro_rules! tag_local {
    ($($(#[$m:meta])* static $name:ident: $t:ty = const { $init:expr };)*) => {
        $($(#[$m])* static $name: $crate::web::Local<$t> = $crate::web::Local($init);)*
    };
}

// One module per trigger family, each behind its Cargo feature (see
// `Cargo.toml`); the rest is the shell every tag has.
#[cfg(feature = "clicks")]
mod clicks;
#[cfg(feature = "time")]
mod clock;
mod consent;
mod datalayer;
mod dom;
#[cfg(feature = "forms")]
mod forms;
mod history;
mod ids;
#[cfg(feature = "video")]
mod media;
mod page;
mod pageview;
#[cfg(feature = "scroll")]
mod scroll;
mod transport;
#[cfg(feature = "visibility")]
mod visibility;

#[cfg(not(feature = "std"))]
mod runtime;

#[cfg(target_feature = "atomics")]
compile_error!("the tag's state assumes one thread: build without the `atomics` target feature");

/// A value the tag keeps for the page's lifetime (see `tag_local!`).
pub(crate) struct Local<T>(pub(crate) T);

// SAFETY: wasm32 without `atomics` (checked above) has one thread.
unsafe impl<T> Sync for Local<T> {}

impl<T> Local<T> {
    /// Runs `f` on the value (the shape of `LocalKey::with`).
    pub(crate) fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }
}

use core::cell::RefCell;

use crate::prelude::*;

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::EventTarget;

use crate::engine::{Conversion, Engine};
use crate::published::{self, Unreadable};
#[cfg(feature = "compiler")]
use crate::rules;
use crate::rules::model::TriggerType;
use crate::rules::{RuleError, TriggerRef};

pub use dom::Dom;

#[wasm_bindgen]
extern "C" {
    /// The loader's helpers (see `loader/host.js`), plus an optional test seam.
    #[derive(Clone)]
    pub type Host;
    /// `x => dispatch(call, x)`, guarded: a throw inside it is caught,
    /// logged once, and every later call of any guarded function is a no-op.
    #[wasm_bindgen(method)]
    fn cb(this: &Host, dispatch: &Function, call: u32) -> Function;
    /// Calls `f` with each item already in `window[name]` (created as an array
    /// when absent), then wraps its `push` so later items reach `f` too.
    #[wasm_bindgen(method)]
    fn hook(this: &Host, name: &str, f: &Function);
    /// Wraps `o[name]` (a method such as `history.pushState`) so `f` runs
    /// after each call; the original keeps its `this`, arguments, result and
    /// throws. Nothing happens when it is not a function or cannot be set.
    #[wasm_bindgen(method)]
    fn after(this: &Host, o: &JsValue, name: &str, f: &Function);
    /// Makes every guarded function a silent no-op (the tag stopped).
    #[wasm_bindgen(method)]
    fn stop(this: &Host);
    /// Logs the one console message of rules with defects: `fatal` when no
    /// trigger is valid (not started); `names` says whose defects they are
    /// (`trigger "a", trigger #2, the file`; empty when there are none). The
    /// host gets the messages from [`check`], in the diagnostics file it
    /// loads only then.
    #[wasm_bindgen(method)]
    fn defects(this: &Host, fatal: bool, names: &str);
    /// `el.closest(selector)`, continuing from shadow hosts outward; `None`
    /// also when it throws.
    #[wasm_bindgen(method)]
    fn closest(
        this: &Host,
        el: &web_sys::Element,
        selector: &js_sys::JsString,
    ) -> Option<web_sys::Element>;
    /// The page global at property path `path`: a string, number or
    /// boolean, else `null` (see [`crate::backend::Backend::global`]).
    #[wasm_bindgen(method)]
    fn g(this: &Host, path: &str) -> JsValue;
    /// YouTube and Vimeo embeds: calls `f([key, kind, time, duration, url,
    /// title, provider, muted, autoplay, loop])` for each player event.
    #[wasm_bindgen(method)]
    fn embeds(this: &Host, f: &Function);
    /// Element visibility for trigger `i`: observes every element matching
    /// `selector` (also ones added later) and calls `f([i, element, key,
    /// ratio, visible])` when one crosses `ratio` of it visible.
    #[wasm_bindgen(method)]
    fn vis(this: &Host, i: u32, selector: &str, ratio: f64, f: &Function);
    /// A listener for activity events: notes the time in JS, and calls `f`
    /// only when activity resumes after 30 s without any.
    #[wasm_bindgen(method)]
    fn actor(this: &Host, f: &Function) -> Function;
    /// Notes activity now (a page view).
    #[wasm_bindgen(method)]
    fn acted(this: &Host);
    /// When the visitor was last active (epoch ms; 0 before any activity).
    #[wasm_bindgen(method)]
    fn last(this: &Host) -> f64;
    /// `target.addEventListener(ty, f, {passive: true, capture})`.
    #[wasm_bindgen(method)]
    fn on(this: &Host, target: &EventTarget, ty: &str, f: &Function, capture: bool);
    /// The page's URL (no fragment), host name, path, query (no `?`), title
    /// and referrer, a line each.
    #[wasm_bindgen(method)]
    fn page(this: &Host) -> String;
    /// `[link, absolute URL, has download]` of the nearest link on or above `el` (across
    /// shadow roots), or `null` (none, or a `javascript:` one).
    #[wasm_bindgen(method)]
    fn link(this: &Host, el: &web_sys::Element) -> JsValue;
    /// `el`'s tag name, id, class, text (`textContent`'s whitespace
    /// collapsed, at most [`crate::engine::TEXT_CAP`] characters), target
    /// and URL, then each attribute's name and value: strings.
    #[wasm_bindgen(method)]
    fn facts(this: &Host, el: &web_sys::Element) -> js_sys::Array;
    /// `[key, currentTime, duration, currentSrc, title, muted, autoplay, loop]` of a media element
    /// (`key` stable per element), `null` for anything else.
    #[wasm_bindgen(method)]
    fn media(this: &Host, target: &JsValue) -> JsValue;
    /// Makes `f` listen for the media event types `types` (space-separated)
    /// on every open shadow root in the page and every shadow root attached
    /// later (media events do not leave them); returns the media elements
    /// already playing, in the page and in those roots.
    #[wasm_bindgen(method)]
    fn shadows(this: &Host, types: &str, f: &Function) -> js_sys::Array;
    /// `[scrollTop, clientHeight, scrollHeight]` of the scrolling element, or `null`.
    #[wasm_bindgen(method)]
    fn scroll(this: &Host) -> JsValue;
    /// A `ResizeObserver` calling `f` when the root or the body changes
    /// size, or `None` without one.
    #[wasm_bindgen(method)]
    fn resize(this: &Host, f: &Function) -> Option<web_sys::ResizeObserver>;
    /// `bytes` random bytes in lower-case hex.
    #[wasm_bindgen(method)]
    fn hex(this: &Host, bytes: u32) -> String;
    /// Whether Web Storage `area` (`localStorage`, `sessionStorage`) is usable.
    #[wasm_bindgen(method)]
    fn has(this: &Host, area: &str) -> bool;
    /// The form of `x` (a `submit` event's target, the form of an `input` or
    /// `change` event's field, or a form itself): with `full`, `[form, key,
    /// id, class, name, absolute action, method, number of fields, invalid,
    /// defaultPrevented]`, else its key alone; `null` without a form.
    #[wasm_bindgen(method)]
    fn form(this: &Host, x: &JsValue, full: bool) -> JsValue;
    /// Wraps `HTMLFormElement.prototype.submit` so `f(form)` runs before
    /// each call (`submit()` fires no event).
    #[wasm_bindgen(method)]
    fn formsubmit(this: &Host, f: &Function);
    /// The element a click of `button` landed on (`composedPath()[0]`), or
    /// `None` for another button.
    #[wasm_bindgen(method)]
    fn target(this: &Host, event: &JsValue, button: i16) -> Option<web_sys::Element>;
}

#[wasm_bindgen]
extern "C" {
    /// The page's `window`, read once: `web_sys::window()` would look for the
    /// global object four ways and check its type on every call.
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: web_sys::Window;
}

/// `setTimeout(f, ms, arg)`: the timer's id. One binding for every timer
/// of the tag (each distinct one is an import and a glue shim).
pub(crate) fn set_timeout(f: &Function, ms: i32, arg: &JsValue) -> Option<i32> {
    window()?
        .set_timeout_with_callback_and_timeout_and_arguments_1(f, ms, arg)
        .ok()
}

/// `requestAnimationFrame(f)`.
pub(crate) fn frame(f: &Function) {
    if let Some(w) = window() {
        let _ = w.request_animation_frame(f);
    }
}

/// The page's `window` (an `Option`, the shape of `web_sys::window()`).
pub(crate) fn window() -> Option<web_sys::Window> {
    Some(WINDOW.with(Clone::clone))
}

/// What a function the tag hands to the browser runs (for events, frames,
/// timers, observers, pushed items, answers). One Rust closure, [`dispatch`],
/// serves them all: a closure per use cost the module an invoke shim, a
/// destructor and a table entry each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    /// `click` (the main button).
    Click,
    /// `auxclick` (the middle button).
    AuxClick,
    /// An item pushed to `dataLayer` or `microconv`, as a custom event.
    Pushed,
    /// The same item, as a consent decision.
    Consent,
    /// A media event (its kind is its type).
    Media,
    /// `scroll` or a resize: schedule a reading.
    ScrollSoon,
    /// The animation frame that reads the scroll position.
    ScrollRead,
    /// A history change: schedule a check.
    HistorySoon,
    /// The frame, then the task, after a history change.
    HistoryTick,
    /// `visibilitychange`, `pagehide`, `pageshow`, `online`.
    Lifecycle,
    /// `submit`, capture phase.
    FormCapture,
    /// `submit`, bubble phase.
    FormSubmit,
    /// The timer after a `submit` whose propagation was stopped.
    FormLate,
    /// `form.submit()` was called (its argument: the form).
    FormCalled,
    /// `input` or `change` in a form.
    FormInput,
    /// `storage`: another tab of the site wrote to `localStorage`.
    Storage,
    /// What moves the page view's clocks: `focus`, `blur`, activity after
    /// an idle spell, the clock's wake-up.
    Clock,
    /// An element crossed a visibility trigger's ratio.
    Visibility,
    /// The timeout after an element's `min_on_screen_ms`.
    VisibilityLate,
    /// A YouTube or Vimeo player's event.
    Embed,
}

impl Call {
    /// Whether the call is the visitor doing something (it keeps the session
    /// alive), rather than the tag's own timers and answers.
    fn is_activity(self) -> bool {
        match self {
            Call::Click
            | Call::AuxClick
            | Call::Pushed
            | Call::ScrollRead
            | Call::FormCapture
            | Call::FormCalled
            | Call::FormInput => true,
            // HistoryTick: judging it early would read the new route's
            // page before the app renders it (see `history`); the click
            // that changed the route was the activity. Lifecycle: hiding or
            // leaving a tab is not the visitor's activity (an idle tab
            // closed after 30 minutes must not start a session); a
            // back/forward restore is a page view, which counts itself.
            Call::Lifecycle
            | Call::Consent
            | Call::ScrollSoon
            | Call::HistorySoon
            | Call::HistoryTick
            | Call::FormSubmit
            | Call::FormLate
            | Call::Storage
            | Call::Clock
            | Call::Visibility
            | Call::VisibilityLate => false,
            // Media count as activity in `media`: not their timeupdates, nor
            // a decorative loop's (either would keep a session alive).
            Call::Media | Call::Embed => false,
        }
    }

    /// Every call; its index is its code in JS.
    const ALL: [Call; 20] = [
        Call::Click,
        Call::AuxClick,
        Call::Pushed,
        Call::Consent,
        Call::Media,
        Call::ScrollSoon,
        Call::ScrollRead,
        Call::HistorySoon,
        Call::HistoryTick,
        Call::Lifecycle,
        Call::FormCapture,
        Call::FormSubmit,
        Call::FormLate,
        Call::FormCalled,
        Call::FormInput,
        Call::Storage,
        Call::Clock,
        Call::Visibility,
        Call::VisibilityLate,
        Call::Embed,
    ];
}

// A call's code is its declaration index, which is its index in `ALL`.
const _: () = {
    let mut i = 0;
    while i < Call::ALL.len() {
        assert!(Call::ALL[i] as usize == i);
        i += 1;
    }
};

/// Runs the call coded `code` (see [`Call::ALL`]) with the browser's argument.
fn dispatch(code: u32, x: JsValue) {
    let Some(&call) = Call::ALL.get(code as usize) else {
        return;
    };
    if call.is_activity() {
        with_tag(|t| t.activity(js_sys::Date::now(), false));
    }
    match call {
        #[cfg(feature = "clicks")]
        Call::Click => clicks::on_click(x, 0),
        #[cfg(feature = "clicks")]
        Call::AuxClick => clicks::on_click(x, 1),
        Call::Pushed => datalayer::on_item(x),
        Call::Consent => consent::on_item(x),
        #[cfg(feature = "video")]
        Call::Media => media::on_event(x),
        #[cfg(feature = "scroll")]
        Call::ScrollSoon => scroll::schedule(),
        #[cfg(feature = "scroll")]
        Call::ScrollRead => scroll::read(),
        Call::HistorySoon => history::soon(),
        Call::HistoryTick => history::tick(),
        Call::Lifecycle => transport::on_lifecycle(x),
        #[cfg(feature = "forms")]
        Call::FormCapture => forms::on_capture(x),
        #[cfg(feature = "forms")]
        Call::FormSubmit => forms::on_bubble(x),
        #[cfg(feature = "forms")]
        Call::FormLate => forms::on_late(),
        #[cfg(feature = "forms")]
        Call::FormCalled => forms::on_called(x),
        #[cfg(feature = "forms")]
        Call::FormInput => forms::on_input(x),
        Call::Storage => on_storage(x),
        #[cfg(feature = "time")]
        Call::Clock => {
            with_tag(clock::update);
        }
        #[cfg(feature = "visibility")]
        Call::Visibility => visibility::on_change(x, false),
        #[cfg(feature = "visibility")]
        Call::VisibilityLate => visibility::on_change(x, true),
        #[cfg(feature = "video")]
        Call::Embed => media::on_embed(x),
        // A family left out of the build attaches nothing that calls it.
        #[allow(unreachable_patterns)]
        _ => {}
    }
}

/// Another tab of the site wrote to `localStorage`: when it was the
/// session's `once_per_session` state, this tab adds it at once, so the
/// session's tabs do not both report a conversion meant once per session.
fn on_storage(e: JsValue) {
    let key = js_sys::Reflect::get(&e, &JsValue::from_str("key")).unwrap_or_default();
    if key.as_string().as_deref() == Some(page::STATE_KEY) {
        with_tag(|t| t.merge_state());
    }
}

/// How often the visitor's activity is written down in the session record,
/// at most, in ms: often enough that a session (30 idle minutes) cannot
/// expire between two writes of an active visitor.
const TOUCH_MS: f64 = 60.0 * 1000.0;

/// A running tag: the engine, its output buffer, and the outgoing queue.
pub(crate) struct Tag {
    engine: Engine<Dom>,
    out: Vec<Conversion>,
    transport: transport::Transport,
    /// The site's session id (see `loader/session.js`).
    session: String,
    /// The persistent visitor id (`data-visitor="persistent"` and consent),
    /// or empty.
    visitor: String,
    /// Whether the script tag asked for a persistent visitor id.
    persistent: bool,
    /// When activity was last written down (epoch ms).
    touched: f64,
    saved_state: String,
    /// The page view's visible and engaged time.
    #[cfg(feature = "time")]
    clock: clock::PageClock,
    /// Elements on screen, waiting out their `min_on_screen_ms`.
    #[cfg(feature = "visibility")]
    visible: visibility::OnScreen,
}

/// A listener the tag added to the page, removed when dropped (as gloo's
/// `EventListener`).
struct Listener {
    target: EventTarget,
    ty: &'static str,
    f: Function,
    capture: bool,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback_and_bool(
            self.ty,
            &self.f,
            self.capture,
        );
    }
}

/// The shell's one owner: everything the tag attached to the page, and what
/// its families keep between the browser's calls. [`stop`] drops it, which
/// detaches all of it (each part undoes itself on drop).
pub(crate) struct Attached {
    host: Host,
    listeners: Vec<Listener>,
    /// The closure behind every callback (see [`Call`]).
    dispatch: Closure<dyn Fn(u32, JsValue)>,
    /// Each call's function, made on first need ([`callback`]).
    callbacks: [Option<Function>; Call::ALL.len()],
    history: history::Shell,
    #[cfg(feature = "scroll")]
    scroll: scroll::Shell,
    #[cfg(feature = "forms")]
    forms: forms::Shell,
}

impl Drop for Attached {
    fn drop(&mut self) {
        // The callbacks go with `dispatch`. A wrapped `dataLayer.push` or
        // `history.pushState` stays on the page and keeps its original
        // behaviour; the stopped guard skips the dropped closure silently.
        self.host.stop();
    }
}

/// Runs `f` on the shell's state; `None` before [`start`], after [`stop`],
/// or when re-entered (the caller then skips, as [`with_tag`] does).
pub(crate) fn shell<R>(f: impl FnOnce(&mut Attached) -> R) -> Option<R> {
    ATTACHED.with(|a| a.try_borrow_mut().ok()?.as_mut().map(f))
}

tag_local! {
    static TAG: RefCell<Option<Tag>> = const { RefCell::new(None) };
    static ATTACHED: RefCell<Option<Attached>> = const { RefCell::new(None) };
}

/// Runs `f` on the tag. `None` when stopped, or when re-entered from inside
/// another tag call (a page handler pushing during our own push): skipping is
/// better than a borrow panic. A single-page app's route change made since
/// the last call starts the new page first ([`history::check`]).
pub(crate) fn with_tag<R>(f: impl FnOnce(&mut Tag) -> R) -> Option<R> {
    TAG.with(|t| {
        t.try_borrow_mut().ok().and_then(|mut t| {
            t.as_mut().map(|t| {
                history::check(t);
                f(t)
            })
        })
    })
}

/// The function for the browser that runs `call`: guarded, made once, valid
/// until [`stop`] (`None` before [`start`]).
pub(crate) fn callback(call: Call) -> Option<Function> {
    let code = call as usize;
    shell(|a| {
        let made = a.callbacks.get_mut(code)?;
        if made.is_none() {
            *made = Some(a.host.cb(a.dispatch.as_ref().unchecked_ref(), code as u32));
        }
        made.clone()
    })?
}

/// Adds a passive listener (`capture` for events that don't bubble).
pub(crate) fn listen(target: &EventTarget, ty: &'static str, capture: bool, call: Call) {
    if let Some(f) = callback(call) {
        add_listener(target, ty, capture, f);
    }
}

/// Adds a passive listener made by [`callback`] (one function may serve several events).
pub(crate) fn add_listener(target: &EventTarget, ty: &'static str, capture: bool, f: Function) {
    // Outside the borrow: a page may have patched `addEventListener`.
    let Some(h) = host() else {
        return;
    };
    h.on(target, ty, &f, capture);
    let listener = Listener {
        target: target.clone(),
        ty,
        f,
        capture,
    };
    // Re-entered (not kept): dropping it removes it again.
    shell(move |a| a.listeners.push(listener));
}

impl Tag {
    /// The visitor did something at `now` (an event the tag listens to):
    /// written down at most every [`TOUCH_MS`], which is also when a
    /// session that ended meanwhile (30 idle minutes, a day) is replaced,
    /// before the event is judged, with a fresh `once_per_session` state.
    /// `viewing`: the activity is a page view, which counts itself.
    pub(crate) fn activity(&mut self, now: f64, viewing: bool) {
        if (0.0..TOUCH_MS).contains(&(now - self.touched)) {
            return;
        }
        self.touched = now;
        let Some(h) = host() else {
            return;
        };
        // Before consent nothing is stored, and without storage each page is
        // its own session: the page keeps the session it started with.
        if !self.transport.is_open() || !h.has("localStorage") {
            return;
        }
        let (id, started) = page::session(&h, now, &self.engine.page().path, true);
        if id != self.session {
            self.session = id;
            self.engine.new_session();
            if started {
                // This page is the new session's first.
                if !viewing {
                    self.count_view();
                }
                self.visited();
            }
        }
        self.merge_state();
        self.saved_state = self.engine.session_state();
    }

    /// The visitor id follows consent (with `data-visitor="persistent"`):
    /// read or made once delivery is open, unused while consent is pending,
    /// and erased when the visitor refuses (a denial, or GPC).
    /// The session's record and `once_per_session` state are stored only
    /// once delivery is open too (nothing is written before consent).
    pub(crate) fn consented(&mut self) {
        let Some(h) = host() else {
            return;
        };
        if self.transport.is_open() {
            let now = js_sys::Date::now();
            let views = self.engine.session_page_views();
            page::store_session(&h, &self.session, now, &self.engine.page().path, views);
            self.save_state();
        }
        if self.transport.is_refused() {
            // Also an id an earlier data-visitor="persistent" left.
            self.visitor.clear();
            page::visitor(&h, 0.0, false);
        } else if !self.persistent || !self.transport.is_open() {
            self.visitor.clear();
        } else if self.visitor.is_empty() {
            self.visitor = page::visitor(&h, js_sys::Date::now(), true);
        }
    }

    /// Counts this page view in the session (`session.*` variables).
    pub(crate) fn count_view(&mut self) {
        if let Some(h) = host() {
            let path = &self.engine.page().path;
            let store = self.transport.is_open();
            let (views, landing) = page::count_view(&h, js_sys::Date::now(), path, store);
            self.engine.set_session_facts(views, &landing);
        }
    }

    /// A session started on this page: with `count_visits`, its `visit`.
    fn visited(&mut self) {
        if self.engine.rules().count_visits {
            self.transport
                .queue_visit(&self.engine, (&self.session, &self.visitor));
            self.transport.schedule();
        }
    }

    /// Stores the session's `once_per_session` state when it changed (and
    /// consent allows storing), for the session's other tabs.
    fn save_state(&mut self) {
        if !self.transport.is_open() || self.engine.session_state() == self.saved_state {
            return;
        }
        // Another tab of the session may have added to it: merge first.
        self.merge_state();
        let state = self.engine.session_state();
        if let Some(h) = host() {
            page::state(&h, &self.session, &state);
        }
        self.saved_state = state;
    }

    /// Adds what the session's other tabs stored of its `once_per_session` state.
    fn merge_state(&mut self) {
        if let Some(h) = host() {
            let state = page::state(&h, &self.session, "");
            if !state.is_empty() {
                self.engine.restore_session_state(&state);
            }
        }
    }

    /// Turns the conversions the engine just reported into queued events;
    /// `now` sends them at once (a click may be leaving the page).
    pub(crate) fn deliver(&mut self, now: bool) {
        if self.out.is_empty() {
            return;
        }
        for c in self.out.drain(..) {
            self.transport
                .queue_event(&self.engine, &c, (&self.session, &self.visitor));
        }
        self.save_state();
        if now {
            self.transport.flush();
        } else {
            self.transport.schedule();
        }
    }
}

/// The engine of `text`'s triggers (their patterns compiled) and every
/// defect, or why the rules cannot be read. The tag reads published rules
/// ([`published`]); builds with the compiler (the browser tests, the
/// diagnostics file) also validate a plain `rules.json` (validation's
/// defects in file order, then the patterns'), hashed as publishing would.
fn load(text: &str, host: Option<Host>) -> Result<(Engine<Dom>, Vec<RuleError>), Unreadable> {
    #[cfg(feature = "compiler")]
    if !published::is_published(text) {
        let mut parsed = rules::parse(text);
        parsed.rules.hash = published::hash_of(&parsed.rules);
        let (engine, engine_errors) = Engine::new(parsed.rules, Dom::new(host));
        let mut errors = parsed.errors;
        errors.extend(engine_errors);
        return Ok((engine, errors));
    }
    Ok(Engine::new(published::read(text)?, Dom::new(host)))
}

/// Starts the tag on `rules`, published rules (the loader compiles a plain
/// `rules.json` with the diagnostics file first), reports defects on the
/// console, and attaches only the listeners the valid triggers need.
/// `endpoint` (the script's `data-endpoint`) overrides the rules' `endpoint`.
///
/// Never throws for bad input: unreadable rules, or rules without a valid
/// trigger, log one message and leave the page untouched. The tag carries no
/// message text (feature `messages` off): it names the triggers with defects
/// to the host, which has the messages of [`check`] (the diagnostics file).
#[cfg_attr(not(feature = "check-only"), wasm_bindgen)]
pub fn start(rules: &str, endpoint: Option<String>, host: Host) {
    if TAG.with(|t| t.borrow().is_some()) {
        page::log_error("microconv: already started");
        return;
    }
    let (mut engine, errors) = match load(rules, Some(host.clone())) {
        Ok(loaded) => loaded,
        Err(problem) => {
            page::log_error(&crate::text::concat(&[
                "microconv: not started: ",
                problem.message(),
            ]));
            return;
        }
    };
    let fatal = engine.triggers().is_empty();
    if fatal || !errors.is_empty() {
        host.defects(fatal, &owners(&errors));
    }
    if fatal {
        return;
    }
    let Some(endpoint) = endpoint.or_else(|| engine.rules().endpoint.clone()) else {
        page::log_error(
            "microconv: not started: no endpoint (set data-endpoint or \"endpoint\" in the rules)",
        );
        return;
    };
    // First: what follows reaches the host through `host()`.
    ATTACHED.with(|a| {
        *a.borrow_mut() = Some(Attached {
            host: host.clone(),
            listeners: Vec::new(),
            // `Fn`, not `FnMut`: a call may run while another is running
            // (page code called from the tag pushing to `dataLayer`); the tag's
            // state guards itself (`with_tag`).
            dispatch: Closure::new(dispatch),
            callbacks: Default::default(),
            history: Default::default(),
            #[cfg(feature = "scroll")]
            scroll: Default::default(),
            #[cfg(feature = "forms")]
            forms: Default::default(),
        })
    });
    engine.set_page(page::read(&host));
    let now = js_sys::Date::now();
    let gate = consent::initial(&host);
    // Nothing is written to localStorage before consent allows it.
    let store = gate == consent::Gate::Open;
    let (session, started) = page::session(&host, now, &engine.page().path, store);
    engine.restore_session_state(&page::state(&host, &session, ""));
    let saved_state = engine.session_state();
    let wants = |on| engine.listens_to(on);
    // The data layer's model is every trigger's (`dl.*`), not only custom
    // triggers'.
    let w_data = wants(TriggerType::Custom) || engine.reads_data_layer();
    let (w_scroll, w_video) = (wants(TriggerType::Scroll), wants(TriggerType::Video));
    let w_click = wants(TriggerType::Click) || wants(TriggerType::LinkClick);
    let (w_timer, w_engaged) = (wants(TriggerType::Timer), wants(TriggerType::Engagement));
    let w_visibility = wants(TriggerType::ElementVisibility);
    let (w_submit, w_start) = (
        wants(TriggerType::FormSubmit),
        wants(TriggerType::FormStart),
    );
    TAG.with(|t| {
        *t.borrow_mut() = Some(Tag {
            engine,
            out: Vec::new(),
            transport: transport::Transport::new(&endpoint, gate),
            session,
            visitor: String::new(),
            persistent: host_attr(&host, "visitor") == "persistent",
            touched: now,
            saved_state,
            #[cfg(feature = "time")]
            clock: clock::PageClock::default(),
            #[cfg(feature = "visibility")]
            visible: visibility::OnScreen::default(),
        })
    });
    transport::attach();
    if let Some(w) = window() {
        listen(&w, "storage", false, Call::Storage);
    }
    if gate != consent::Gate::Gpc {
        consent::attach();
    }
    with_tag(|t| t.transport.resume());
    with_tag(Tag::consented);
    if started {
        with_tag(Tag::visited);
    }
    with_tag(pageview::viewed);
    history::attach();
    if w_data {
        datalayer::attach();
    }
    // Each family's shell, when the rules use it (and the build has it:
    // see `Cargo.toml`).
    #[cfg(feature = "scroll")]
    if w_scroll {
        scroll::attach();
    }
    #[cfg(feature = "video")]
    if w_video {
        media::attach();
    }
    #[cfg(feature = "clicks")]
    if w_click {
        clicks::attach();
    }
    #[cfg(feature = "forms")]
    if w_submit || w_start {
        forms::attach(w_submit, w_start);
    }
    #[cfg(feature = "time")]
    if w_timer || w_engaged {
        with_tag(|t| clock::attach(t, w_engaged));
    }
    #[cfg(feature = "visibility")]
    if w_visibility {
        with_tag(|t| visibility::attach(t));
    }
}

/// The diagnostics file's one export (and the browser tests'): the messages
/// of every defect of `rules`, a `\n  trigger "id": path: message` line each,
/// exactly as they follow the first line of the tag's console message.
#[cfg(feature = "messages")]
#[wasm_bindgen]
pub fn check(rules: &str) -> String {
    let mut msg = String::new();
    let errors = load(rules, None).map(|l| l.1).unwrap_or_default();
    for e in &errors {
        msg.push_str("\n  ");
        if e.trigger.is_some() {
            push_owner(&mut msg, &e.trigger);
            msg.push_str(": ");
        }
        if !e.path.is_empty() {
            msg.push_str(&e.path);
            msg.push_str(": ");
        }
        msg.push_str(&e.message);
    }
    msg
}

/// The diagnostics file's other export: the published form of a plain
/// `rules.json`'s valid triggers, for a page whose rules are not published.
#[cfg(feature = "check-only")]
#[wasm_bindgen]
pub fn compile(rules: &str) -> String {
    published::write(&rules::parse(rules).rules)
}

/// Sends whatever is queued now (the page API and tests; the tag itself
/// flushes after its batch window and when the page is hidden).
#[cfg_attr(not(feature = "check-only"), wasm_bindgen)]
pub fn flush() {
    with_tag(|t| t.transport.flush());
}

/// Detaches every listener and forgets the tag's state (tests). Queued
/// events are sent first (consent permitting).
#[cfg_attr(not(feature = "check-only"), wasm_bindgen)]
pub fn stop() {
    with_tag(|t| t.transport.stop());
    TAG.with(|t| {
        if let Ok(mut t) = t.try_borrow_mut() {
            t.take();
        }
    });
    // Dropped outside the borrow: detaching may run page code.
    let attached = ATTACHED.with(|a| a.try_borrow_mut().ok()?.take());
    drop(attached);
}

/// A script-tag setting the loader copied onto the host (`consent`, `gpc`,
/// `visitor`), or `""`.
fn host_attr(host: &Host, key: &str) -> String {
    js_sys::Reflect::get(host, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The loader's helpers, for the module that needs `hook`. A clone, so the
/// caller holds no borrow while the page runs code.
pub(crate) fn host() -> Option<Host> {
    ATTACHED.with(|a| Some(a.try_borrow().ok()?.as_ref()?.host.clone()))
}

/// Whose the defects are, each once: `trigger "a", trigger #2, the file`.
fn owners(errors: &[RuleError]) -> String {
    let names: Vec<String> = errors
        .iter()
        .map(|e| {
            let mut s = String::new();
            push_owner(&mut s, &e.trigger);
            s
        })
        .collect();
    // O(n log n): a hostile rules file may have many bad triggers.
    let earlier = crate::sort::earlier_equal(names.len(), &|i| names.get(i).map(String::as_str));
    let mut out = String::new();
    for (name, earlier) in names.iter().zip(earlier) {
        if earlier.is_none() {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(name);
        }
    }
    out
}

/// `trigger "id"`, `trigger #2` (no usable id), or `the file`.
fn push_owner(out: &mut String, trigger: &Option<TriggerRef>) {
    match trigger {
        Some(TriggerRef::Id(id)) => {
            out.push_str("trigger \"");
            out.push_str(id);
            out.push('"');
        }
        Some(TriggerRef::Index(i)) => {
            out.push_str("trigger #");
            push_u32(out, *i as u32);
        }
        None => out.push_str("the file"),
    }
}

/// Decimal digits without `format!` (its machinery costs kilobytes in wasm):
/// the core's one integer writer, which cannot panic.
pub(crate) fn push_u32(out: &mut String, n: u32) {
    crate::text::push_uint(out, u64::from(n));
}

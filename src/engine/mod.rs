//! Trigger evaluation: turns page facts (a scroll depth, a media event, a click,
//! a pushed data-layer event) into the list of qualifying conversions.
//!
//! No web-sys here: the platform is reached through [`crate::backend::Backend`].

// Submodules (fill in): value (Value + Number() coercion), condition (operators),
// scope (variable resolution), limits (firing state), scroll, video, links.

use crate::backend::Backend;
use crate::rules::model::{Rules, Trigger};
use crate::rules::RuleError;

/// Cap on text values (`click.text`, titles) in characters.
pub const TEXT_CAP: usize = 100;

/// A variable's value while evaluating or in a beacon.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Absent (an element without `id`, a data-layer key not pushed).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Num(f64),
    /// Text.
    Str(String),
}

/// The page being viewed (a single-page app's route change makes a new one).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// Full URL without fragment.
    pub url: String,
    /// Host name (no port).
    pub host: String,
    /// Path, from `/`.
    pub path: String,
    /// Query string without `?`.
    pub query: String,
    /// `document.title`.
    pub title: String,
    /// `document.referrer`.
    pub referrer: String,
}

/// One scroll-depth reading, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ScrollReading {
    /// `scrollTop` of the scrolling element.
    pub top: f64,
    /// Viewport height (`innerHeight`).
    pub viewport: f64,
    /// `scrollingElement.scrollHeight`.
    pub height: f64,
}

/// What happened to a media element (HTML5 media events, reduced).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaEventKind {
    /// `play` / `playing`.
    Play,
    /// `pause` (the engine ignores the pause that accompanies `ended`).
    Pause,
    /// `seeking` (the position starts moving).
    Seeking,
    /// `seeked`.
    Seeked,
    /// `timeupdate` during playback.
    TimeUpdate,
    /// `ended`.
    Ended,
}

/// One media event with the element's state at that moment.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaEvent {
    /// What happened.
    pub kind: MediaEventKind,
    /// `currentTime`, seconds.
    pub current_time: f64,
    /// `duration`, seconds (`f64::INFINITY` for live streams, NaN when unknown).
    pub duration: f64,
    /// `currentSrc`.
    pub url: String,
    /// From `title`, `aria-label` or `data-title`.
    pub title: String,
}

/// A `dataLayer.push({event: ...})`: the name and its other keys.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PushedEvent {
    /// The `event` key.
    pub event: String,
    /// The other keys, nested objects flattened with dots (`ecommerce.value`).
    pub fields: Vec<(String, Value)>,
}

/// One qualifying conversion, ready for the payload builder.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// Index of the trigger in [`Engine::triggers`].
    pub trigger: usize,
    /// The variables that describe it, by rules-format name (`scroll.threshold`, ...).
    pub vars: Vec<(&'static str, Value)>,
}

/// The evaluator: compiled triggers plus firing state for this page and session.
pub struct Engine<B: Backend> {
    backend: B,
    rules: Rules,
    // compiled regexes/selectors, per-type trigger indexes, scroll/media/limit state...
}

impl<B: Backend> Engine<B> {
    /// Compiles regexes and selectors through the backend. Triggers whose
    /// patterns are invalid are left out and reported.
    pub fn new(rules: Rules, backend: B) -> (Self, Vec<RuleError>) {
        let _ = (&rules, &backend);
        todo!()
    }
    /// The triggers that run, in file order.
    pub fn triggers(&self) -> &[Trigger] {
        &self.rules.triggers
    }
    /// The rules the engine runs (affiliated domains, allow_query, endpoint).
    pub fn rules(&self) -> &Rules {
        &self.rules
    }
    /// The backend, for the shell.
    pub fn backend(&self) -> &B {
        &self.backend
    }
    /// Whether any trigger listens to this `on` type (`scroll`, `video`, `click`,
    /// `link_click`, `custom`), so the shell attaches only the listeners needed.
    pub fn listens_to(&self, on: &str) -> bool {
        let _ = on;
        todo!()
    }
    /// A new page view (load or single-page-app route): page variables update,
    /// `once_per_page` limits and scroll thresholds re-arm; media keep their state.
    pub fn set_page(&mut self, page: Page) {
        let _ = page;
        todo!()
    }
    /// The current page.
    pub fn page(&self) -> &Page {
        todo!()
    }
    /// A scroll reading; reports every newly reached threshold of each scroll trigger.
    pub fn on_scroll(&mut self, reading: ScrollReading, out: &mut Vec<Conversion>) {
        let _ = (reading, out);
        todo!()
    }
    /// A media event of the media element `media` (a shell-chosen stable key).
    pub fn on_media(&mut self, media: u32, event: &MediaEvent, out: &mut Vec<Conversion>) {
        let _ = (media, event, out);
        todo!()
    }
    /// A click (`button` 0 = left, 1 = middle; others are ignored) on `target`.
    pub fn on_click(&mut self, target: &B::Element, button: i16, out: &mut Vec<Conversion>) {
        let _ = (target, button, out);
        todo!()
    }
    /// An event pushed by the page.
    pub fn on_push(&mut self, pushed: &PushedEvent, out: &mut Vec<Conversion>) {
        let _ = (pushed, out);
        todo!()
    }
    /// `once_per_session` state, to keep in `sessionStorage` across page loads.
    pub fn session_state(&self) -> String {
        todo!()
    }
    /// Restores what [`Engine::session_state`] returned.
    pub fn restore_session_state(&mut self, saved: &str) {
        let _ = saved;
        todo!()
    }
}

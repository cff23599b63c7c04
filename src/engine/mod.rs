//! Trigger evaluation: turns page facts (a scroll depth, a media event, a click,
//! a pushed data-layer event) into the list of qualifying conversions.
//!
//! No web-sys here: the platform is reached through [`crate::backend::Backend`].

use crate::prelude::*;

mod clock;
mod condition;
mod datalayer;
mod forms;
mod limits;
mod links;
mod scope;
mod scroll;
mod value;
mod video;
mod visibility;

pub use clock::{TimeClock, CATCH_UP};
pub use datalayer::DL_STATE_CAP;
pub use forms::{FormEvent, FormEventKind};
pub use links::DOWNLOAD_EXTENSIONS;
pub(crate) use links::{authority, is_outbound, strip_www, url_host};
pub(crate) use scope::decode_component;
pub(crate) use value::round;
pub use value::{js_number, Value};
pub use video::{END_SLACK, LOOP_SLACK, SEEK_MIN_MOVE};
pub use visibility::Sighting;

use alloc::borrow::Cow;

use crate::backend::{Backend, ElementFacts};
use crate::rules::model::{
    Condition, EventMatch, Rules, Trigger, TriggerKind, TriggerType, VideoStatus,
};
use crate::rules::{RuleError, TriggerRef};
use condition::{Compiled, Scratch};
use limits::{Fnv, Limits};
use links::LinkInfo;
use scope::{ClickCtx, PageCtx, Scope, VideoCtx};
use scroll::ScrollState;
use value::cap;
use video::{MediaTracker, Milestone};

/// `s` cut to at most `max` characters, on a character boundary.
pub fn cap_str(s: &str, max: usize) -> &str {
    cap(s, max)
}

/// JavaScript `String(x)` of a number (`50`, `0.5`, `1e+21`, `NaN`), written
/// without `core::fmt` float formatting.
pub fn js_string(x: f64) -> String {
    value::NumBuf::default().js_string(x).to_string()
}

/// Cap on text values (`click.text`, titles, data-layer strings) in characters.
pub const TEXT_CAP: usize = 100;

/// Cap on URLs in conversion variables (`link.url`, `click.url`, `video.url`), in characters.
pub const URL_CAP: usize = 1000;

/// Most `dl.<key>` variables a pushed event contributes to a conversion.
pub const DL_FIELDS_CAP: usize = 32;

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
    /// `muted`.
    pub muted: bool,
    /// `autoplay`.
    pub autoplay: bool,
    /// `loop`.
    pub looped: bool,
    /// Which player: `html5`, `youtube` or `vimeo` (`video.provider`).
    pub provider: &'static str,
}

impl MediaEvent {
    /// Muted and playing by itself (autoplay or loop): a background, not
    /// something watched.
    pub fn decorative(&self) -> bool {
        self.muted && (self.autoplay || self.looped)
    }
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
    /// The variables that describe it, by rules-format name (`scroll.threshold`,
    /// `dl.plan`, ...): names are `Cow` because `dl.<key>` names come from the page.
    pub vars: Vec<(Cow<'static, str>, Value)>,
}

impl Conversion {
    /// The value of variable `name`, if the conversion carries it.
    pub fn var(&self, name: &str) -> Option<&Value> {
        self.vars.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// A trigger's compiled conditions, selector and event-name pattern.
struct Code<B: Backend> {
    /// Conditions on per-page-view variables (see [`Gate`]).
    page: Conds<B>,
    /// The rest, judged per event.
    event: Conds<B>,
    selector: Option<B::Selector>,
    /// A custom trigger's `event_matches`.
    event_re: Option<B::Regex>,
}

/// The evaluator: compiled triggers plus firing state for this page and session.
///
/// Evaluation: a trigger fires for an event when its type matches the event,
/// ALL its `conditions` hold and NO `unless` condition holds (a blocking
/// condition applies to that event only, as in GTM), and its limit allows it.
/// Each firing is a [`Conversion`].
///
/// Operators: `equals` compares string forms (`String(a) == String(b)`,
/// booleans as `"true"`/`"false"`, null as `""`), but a number or boolean
/// literal against a number or boolean value compares as numbers (so
/// `link.outbound equals true` works); `contains`/`starts_with`/`ends_with` on
/// string forms; `ignore_case` compares JS `toLowerCase()` forms; `matches_regex` is
/// `RegExp.test` (unanchored; flag `i` with `ignore_case`); `matches_css` is
/// `Element.matches` on `click.element` (false on anything else); numeric
/// operators convert both sides like JS `Number()` (whitespace trimmed, `""` →
/// 0, `0x`/`0o`/`0b`, `Infinity`, booleans 1/0, null 0, anything else NaN) and
/// NaN makes them false; `negate` inverts the final result, so a negated
/// comparison with NaN is true (GTM's "does not …").
///
/// Limits count per trigger and per milestone (each scroll threshold; each
/// media status or threshold of each media URL; clicks and pushes have one):
/// `once_per_event` (default) reports a conversion name at most once per event
/// and milestone even when several of its triggers match (GTM's tag
/// semantics); `once_per_page` re-arms on [`Engine::set_page`];
/// `once_per_session` is kept across pages through [`Engine::session_state`];
/// `unlimited` reports every match. A trigger whose conditions fail does not
/// use up its limit.
///
/// Per event type:
/// - [`Engine::on_scroll`]: GTM's scroll depth (see there).
/// - [`Engine::on_media`]: GTM's video statuses for HTML5 media (see there).
/// - [`Engine::on_click`]: left (0) and middle (1) buttons only. A `click`
///   trigger describes the target, or with a `selector` the closest element
///   (the target or an ancestor) matching it; a click outside any match does not
///   qualify. A `link_click` trigger describes the nearest link
///   ([`Backend::closest_link`]); no link, no `link_click`. `link.outbound`:
///   an http(s) URL whose host (case-insensitive, `www.` ignored on both
///   sides) differs from the page's and is neither an `affiliated_domains`
///   entry nor a subdomain of one (GTM's `IS_OUTBOUND`). `link.download`: a
///   `download` attribute or a path ending in one of [`DOWNLOAD_EXTENSIONS`].
///   Each distinct element is described once per click.
/// - [`Engine::on_push`]: `custom` triggers whose `event` (or one of whose
///   `events`) equals the pushed name exactly (case-sensitive), or whose
///   `event_matches` regular expression matches it (`RegExp.test`).
///
/// Variables: `page.*` from [`Engine::set_page`]; `query.<p>` decoded (`+`,
/// `%XX`); `event` is the trigger type's name or the pushed name; `dl.<key>`
/// reads the page's data-layer state, which every push merges into (GTM's
/// model: nested keys and array items flattened with dots by the shell). A variable that does not apply to the event (e.g.
/// `video.percent` on a click) is null. Text values in conversions are capped
/// at [`TEXT_CAP`] characters, URLs at [`URL_CAP`].
///
/// Cost: regexes and selectors are compiled once, in [`Engine::new`];
/// evaluating conditions never allocates (only reported conversions do).
pub struct Engine<B: Backend> {
    /// What judging any trigger needs.
    j: Judging<B>,
    /// `click` triggers: index and [`Selectors`] slot.
    clicks: Vec<(usize, u32)>,
    /// The distinct selector lists of `click` triggers, asked once per click.
    selectors: Selectors,
    links: Vec<usize>,
    customs: Vec<usize>,
    page_views: Vec<usize>,
    /// `form_submit` and `form_start` triggers.
    form_triggers: Vec<usize>,
    forms: forms::FormState,
    /// `timer` and `engagement` triggers.
    clocks: clock::Clocks,
    /// `trigger_group` triggers.
    groups: Vec<usize>,
    /// Per trigger: whether a group lists it.
    members: Vec<bool>,
    /// `element_visibility` triggers.
    visibility: Vec<usize>,
    /// What `element_visibility` triggers reported in this page view.
    seen: visibility::Seen,
    videos: bool,
    page: PageCtx,
    scroll: ScrollState,
    media: MediaTracker,
    /// Elements described during the current click, each once.
    described: Vec<(B::Element, ElementFacts)>,
    /// Media milestones of the current media event.
    hits: Vec<(Option<usize>, Milestone)>,
}

fn compile<B: Backend>(t: &Trigger, backend: &B) -> Result<Code<B>, Vec<RuleError>> {
    let mut errors = Vec::new();
    let mut page = Conds::default();
    let mut event = Conds::default();
    let mut list = |conds: &[Condition], unless: bool| {
        for c in conds {
            let into = if c.variable.per_page_view() {
                &mut page
            } else {
                &mut event
            };
            match Compiled::new(c, backend) {
                Ok(code) if unless => into.none.push(code),
                Ok(code) => into.all.push(code),
                Err(message) => errors.push(RuleError {
                    trigger: Some(TriggerRef::Id(t.id.clone())),
                    path: crate::msg::concat(&[&c.path, ".value"]),
                    message,
                    pos: c.pos,
                }),
            }
        }
    };
    list(&t.conditions, false);
    list(&t.unless, true);
    let selector = match &t.kind {
        TriggerKind::Click {
            selector: Some(sel),
        }
        | TriggerKind::FormSubmit {
            selector: Some(sel),
            ..
        }
        | TriggerKind::FormStart {
            selector: Some(sel),
        }
        | TriggerKind::ElementVisibility { selector: sel, .. } => {
            match backend.compile_selector(sel) {
                Some(s) => Some(s),
                None => {
                    errors.push(RuleError {
                        trigger: Some(TriggerRef::Id(t.id.clone())),
                        path: crate::msg::concat(&[&t.path, ".selector"]),
                        message: crate::msg::bad_selector(sel),
                        pos: t.pos,
                    });
                    None
                }
            }
        }
        _ => None,
    };
    let event_re = match &t.kind {
        TriggerKind::Custom {
            event: EventMatch::Regex(re),
        } => match backend.compile_regex(re, false) {
            Some(re) => Some(re),
            None => {
                errors.push(RuleError {
                    trigger: Some(TriggerRef::Id(t.id.clone())),
                    path: crate::msg::concat(&[&t.path, ".event_matches"]),
                    message: crate::msg::bad_regex(re),
                    pos: t.pos,
                });
                None
            }
        },
        _ => None,
    };
    if errors.is_empty() {
        Ok(Code {
            page,
            event,
            selector,
            event_re,
        })
    } else {
        Err(errors)
    }
}

/// Conditions that must all hold, and `unless` conditions none of which may.
struct Conds<B: Backend> {
    all: Vec<Compiled<B>>,
    none: Vec<Compiled<B>>,
}

impl<B: Backend> Default for Conds<B> {
    fn default() -> Self {
        Conds {
            all: Vec::new(),
            none: Vec::new(),
        }
    }
}

impl<B: Backend> Conds<B> {
    fn hold(&self, backend: &B, scope: &Scope<'_, B::Element>, scratch: &mut Scratch) -> bool {
        self.all.iter().all(|c| c.eval(backend, scope, scratch))
            && !self.none.iter().any(|c| c.eval(backend, scope, scratch))
    }
}

/// Per trigger, whether its conditions on per-page-view variables (`page.*`,
/// `query.*`, `session.*`) pass in this page view, judged on first need and
/// kept until the page or the session's facts change. Most triggers of a
/// site are for other pages: this is what lets a click skip them without a
/// crossing into the browser.
#[derive(Default)]
struct Gate(Vec<u8>);

impl Gate {
    const UNKNOWN: u8 = 0;
    const OPEN: u8 = 1;
    const SHUT: u8 = 2;

    fn reset(&mut self) {
        self.0.iter_mut().for_each(|g| *g = Self::UNKNOWN);
    }
}

/// What deciding whether a trigger fires needs, borrowed from the engine
/// once per event.
struct Judge<'a, B: Backend> {
    backend: &'a B,
    code: &'a [Code<B>],
    rules: &'a Rules,
    limits: &'a mut Limits,
    scratch: &'a mut Scratch,
    gate: &'a mut Gate,
}

/// What judging a trigger needs besides the event: the backend, the rules
/// and their compiled code, the firing state and scratch buffers.
struct Judging<B: Backend> {
    backend: B,
    rules: Rules,
    code: Vec<Code<B>>,
    limits: Limits,
    scratch: Scratch,
    gate: Gate,
}

impl<B: Backend> Judging<B> {
    /// Starts one event: its `once_per_event` state cleared, and what
    /// judging needs borrowed once.
    fn begin(&mut self) -> Judge<'_, B> {
        self.limits.begin_event();
        Judge {
            backend: &self.backend,
            code: &self.code,
            rules: &self.rules,
            limits: &mut self.limits,
            scratch: &mut self.scratch,
            gate: &mut self.gate,
        }
    }
}

impl<B: Backend> Judge<'_, B> {
    /// Whether trigger `ti` qualifies in `scope` and its limit allows
    /// `milestone`. Checked reads (`get`, not `[ti]`): the tag carries no
    /// panicking index.
    fn fires(&mut self, ti: usize, scope: &Scope<'_, B::Element>, milestone: u64) -> bool {
        match (self.code.get(ti), self.rules.triggers.get(ti)) {
            (Some(c), Some(t)) => {
                self.open(ti, scope.page)
                    && c.event.hold(self.backend, scope, self.scratch)
                    && self.limits.allow(t, milestone)
            }
            _ => false,
        }
    }
    /// Whether trigger `ti`'s per-page-view conditions pass ([`Gate`]).
    fn open(&mut self, ti: usize, page: &PageCtx) -> bool {
        let (Some(g), Some(c)) = (self.gate.0.get_mut(ti), self.code.get(ti)) else {
            return false;
        };
        if *g == Gate::UNKNOWN {
            let scope = Scope::new(page, "");
            let pass = c.page.hold(self.backend, &scope, self.scratch);
            *g = if pass { Gate::OPEN } else { Gate::SHUT };
        }
        *g == Gate::OPEN
    }
}

/// The distinct selector lists of `click` triggers, each asked of the
/// browser at most once per click however many triggers share it.
///
/// (All lists joined into one, asked first, was measured slower: Chromium's
/// `closest` tries each alternative on each ancestor, 373 µs a click at
/// 1,000 triggers against 18 µs without.)
#[derive(Default)]
struct Selectors {
    /// Per slot, this click: not asked yet, no match, or the index of the
    /// matched element's facts in `described`.
    answers: Vec<u32>,
}

impl Selectors {
    const NOT_ASKED: u32 = u32::MAX;
    const NO_MATCH: u32 = u32::MAX - 1;
    /// The slot of a click trigger's `selector`: that of an earlier one in
    /// `clicks` with the same text, or a new one (`NOT_ASKED` for none: never
    /// cached).
    fn slot(
        &mut self,
        triggers: &[Trigger],
        clicks: &[(usize, u32)],
        selector: &Option<String>,
    ) -> u32 {
        let Some(sel) = selector else {
            return Self::NOT_ASKED;
        };
        let same = |&&(ti, _): &&(usize, u32)| {
            matches!(triggers.get(ti).map(|t| &t.kind),
                Some(TriggerKind::Click { selector: Some(s) }) if s == sel)
        };
        match clicks.iter().find(same) {
            Some(&(_, slot)) => slot,
            None => {
                self.answers.push(Self::NOT_ASKED);
                self.answers.len() as u32 - 1
            }
        }
    }
    fn new_click(&mut self) {
        self.answers.fill(Self::NOT_ASKED);
    }
    /// This click's answer for `slot`: `None` if not asked yet.
    fn asked(&self, slot: u32) -> Option<Option<usize>> {
        match *self.answers.get(slot as usize)? {
            Self::NOT_ASKED => None,
            Self::NO_MATCH => Some(None),
            di => Some(Some(di as usize)),
        }
    }
    /// Keeps this click's `answer` for `slot`.
    fn answer(&mut self, slot: u32, answer: Option<usize>) {
        if let Some(a) = self.answers.get_mut(slot as usize) {
            *a = answer.map_or(Self::NO_MATCH, |di| di as u32);
        }
    }
}

/// Index of `el`'s facts in `described`, describing it on first sight.
fn describe<B: Backend>(
    backend: &B,
    described: &mut Vec<(B::Element, ElementFacts)>,
    el: B::Element,
) -> usize {
    match described.iter().position(|(e, _)| *e == el) {
        Some(i) => i,
        None => {
            let facts = backend.describe(&el);
            described.push((el, facts));
            described.len() - 1
        }
    }
}

fn text(s: &str, max: usize) -> Value {
    Value::Str(cap(s, max).to_string())
}

/// Text variables, empty ones left out, each capped at its own length.
fn text_vars(fields: &[(&'static str, &str, usize)]) -> Vec<(Cow<'static, str>, Value)> {
    let mut vars = Vec::with_capacity(fields.len() + 4);
    for &(name, v, max) in fields {
        if !v.is_empty() {
            vars.push((Cow::Borrowed(name), text(v, max)));
        }
    }
    vars
}

/// `click.*` variables, empty ones left out.
fn click_vars(f: &ElementFacts) -> Vec<(Cow<'static, str>, Value)> {
    text_vars(&[
        ("click.id", &f.id, TEXT_CAP),
        ("click.classes", &f.classes, TEXT_CAP),
        ("click.text", &f.text, TEXT_CAP),
        ("click.url", &f.url, URL_CAP),
        ("click.target", &f.target, TEXT_CAP),
    ])
}

const CLICK_MILESTONE: &[u8] = b"click";
const LINK_MILESTONE: &[u8] = b"link_click";
const PUSH_MILESTONE: &[u8] = b"custom";
const PAGE_VIEW_MILESTONE: &[u8] = b"page_view";
const GROUP_MILESTONE: &[u8] = b"trigger_group";

impl<B: Backend> Engine<B> {
    /// Compiles regexes and selectors through the backend (once: evaluation
    /// never compiles). Triggers whose patterns are invalid are left out and
    /// reported, with the trigger id, the JSON path of the pattern
    /// (`<condition path>.value` or `triggers[N].selector`) and the reason.
    pub fn new(rules: Rules, backend: B) -> (Self, Vec<RuleError>) {
        let mut rules = rules;
        let mut errors = Vec::new();
        let mut code = Vec::with_capacity(rules.triggers.len());
        let mut kept = Vec::with_capacity(rules.triggers.len());
        for t in core::mem::take(&mut rules.triggers) {
            match compile(&t, &backend) {
                Ok(c) => {
                    code.push(c);
                    kept.push(t);
                }
                Err(e) => errors.extend(e),
            }
        }
        rules.triggers = kept;
        let n = code.len();
        let mut engine = Engine {
            j: Judging {
                backend,
                rules,
                code,
                limits: Limits::default(),
                scratch: Scratch::default(),
                gate: Gate(vec![Gate::UNKNOWN; n]),
            },
            clicks: Vec::new(),
            selectors: Selectors::default(),
            links: Vec::new(),
            customs: Vec::new(),
            page_views: Vec::new(),
            form_triggers: Vec::new(),
            forms: forms::FormState::default(),
            clocks: clock::Clocks::default(),
            groups: Vec::new(),
            members: Vec::new(),
            visibility: Vec::new(),
            seen: visibility::Seen::default(),
            videos: false,
            page: PageCtx::default(),
            scroll: ScrollState::default(),
            media: MediaTracker::default(),
            described: Vec::new(),
            hits: Vec::new(),
        };
        let triggers = &engine.j.rules.triggers;
        for (i, t) in triggers.iter().enumerate() {
            match &t.kind {
                TriggerKind::Scroll { units, thresholds } => {
                    engine.scroll.add(i, *units, thresholds)
                }
                TriggerKind::Video {
                    statuses,
                    progress_percent,
                    progress_seconds,
                    ..
                } => {
                    engine.videos = true;
                    engine
                        .media
                        .add(i, *statuses, progress_percent, progress_seconds)
                }
                TriggerKind::Click { selector } => {
                    let slot = engine.selectors.slot(triggers, &engine.clicks, selector);
                    engine.clicks.push((i, slot))
                }
                TriggerKind::LinkClick => engine.links.push(i),
                TriggerKind::Custom { .. } => engine.customs.push(i),
                TriggerKind::PageView => engine.page_views.push(i),
                TriggerKind::FormSubmit { .. } | TriggerKind::FormStart { .. } => {
                    engine.form_triggers.push(i)
                }
                TriggerKind::Timer { interval_ms, times } => {
                    engine.clocks.add_timer(i, *interval_ms, *times)
                }
                TriggerKind::Engagement { engaged_seconds } => {
                    engine.clocks.add_engagement(i, *engaged_seconds)
                }
                TriggerKind::TriggerGroup { .. } => engine.groups.push(i),
                TriggerKind::ElementVisibility { .. } => engine.visibility.push(i),
            }
        }
        let triggers = &engine.j.rules.triggers;
        let listed = |id: &str| {
            triggers.iter().any(|t| match &t.kind {
                TriggerKind::TriggerGroup { all_of, .. } => all_of.iter().any(|m| m == id),
                _ => false,
            })
        };
        engine.members = triggers.iter().map(|t| listed(&t.id)).collect();
        (engine, errors)
    }
    /// The triggers that run, in file order.
    pub fn triggers(&self) -> &[Trigger] {
        &self.j.rules.triggers
    }
    /// The rules the engine runs (affiliated domains, allow_query, endpoint).
    pub fn rules(&self) -> &Rules {
        &self.j.rules
    }
    /// The backend, for the shell.
    pub fn backend(&self) -> &B {
        &self.j.backend
    }
    /// Whether any condition reads the data layer (`dl.*`): then the shell
    /// hooks `dataLayer` even when no `custom` trigger listens to its events.
    pub fn reads_data_layer(&self) -> bool {
        self.j.rules.triggers.iter().any(|t| {
            t.conditions
                .iter()
                .chain(&t.unless)
                .any(|c| matches!(c.variable, crate::rules::model::Variable::Dl(_)))
        })
    }
    /// Whether any trigger is of type `on`, so the shell attaches only the
    /// listeners needed.
    pub fn listens_to(&self, on: TriggerType) -> bool {
        match on {
            TriggerType::Scroll => self.scroll.is_used(),
            TriggerType::Video => self.videos,
            TriggerType::Click => !self.clicks.is_empty(),
            TriggerType::LinkClick => !self.links.is_empty(),
            TriggerType::PageView => !self.page_views.is_empty(),
            TriggerType::FormSubmit | TriggerType::FormStart => {
                let ty = |t: &usize| self.j.rules.triggers.get(*t).map(|t| t.kind.ty());
                self.form_triggers.iter().any(|t| ty(t) == Some(on))
            }
            TriggerType::Custom => !self.customs.is_empty(),
            TriggerType::Timer => self.clocks.uses(TimeClock::Visible),
            TriggerType::Engagement => self.clocks.uses(TimeClock::Engaged),
            TriggerType::TriggerGroup => !self.groups.is_empty(),
            TriggerType::ElementVisibility => !self.visibility.is_empty(),
        }
    }
    /// A new page view (load or single-page-app route): page variables update,
    /// `once_per_page` limits and scroll thresholds re-arm (and the running
    /// maximum depth restarts); media keep their state.
    pub fn set_page(&mut self, page: Page) {
        // The data layer lives as long as the page load (a route keeps it),
        // the session's facts until the shell sets the view's.
        let old = core::mem::take(&mut self.page);
        self.page = PageCtx::new(page);
        self.page.dl = old.dl;
        self.page.views = old.views;
        self.page.landing = old.landing;
        self.j.limits.new_page();
        self.j.gate.reset();
        self.scroll.new_page();
        self.forms.new_page();
        self.clocks.new_page();
        self.seen.new_page();
    }
    /// The session's facts at this page view: its page views so far (this
    /// one included) and the path it started on (`session.*` variables).
    pub fn set_session_facts(&mut self, page_views: u32, landing_path: &str) {
        self.page.views = page_views;
        landing_path.clone_into(&mut self.page.landing);
        self.j.gate.reset();
    }
    /// The session's page views as last set ([`Engine::set_session_facts`]).
    pub fn session_page_views(&self) -> u32 {
        self.page.views
    }
    /// The current page.
    pub fn page(&self) -> &Page {
        &self.page.page
    }
    /// A scroll reading; reports every newly reached threshold of each scroll
    /// trigger (each threshold is its own event for `once_per_event`).
    ///
    /// GTM's model: depth is the running maximum of `top + viewport`; percent
    /// is depth ÷ `height` × 100, a depth within 1 px of the bottom counting as
    /// 100 % (fractional `scrollTop`). Every unreached threshold at or below
    /// the depth fires, in ascending order: a page shorter than the viewport
    /// fires every percent threshold on the first reading, and a jump fires
    /// every skipped threshold at once. Each threshold fires once per page
    /// ([`Engine::set_page`] re-arms them and resets the maximum). A reading
    /// without a positive height reaches no percent threshold.
    pub fn on_scroll(&mut self, reading: ScrollReading, out: &mut Vec<Conversion>) {
        let from = out.len();
        self.scroll_event(reading, out);
        self.complete_groups(out, from);
    }
    fn scroll_event(&mut self, reading: ScrollReading, out: &mut Vec<Conversion>) {
        let Engine {
            j, page, scroll, ..
        } = self;
        let mut judge = j.begin();
        scroll.reading(reading, |ti, t, units| {
            let mut scope = Scope::new(page, "scroll");
            scope.scroll = Some((t, units));
            let milestone = Fnv::new()
                .bytes(b"scroll")
                .str(units.as_str())
                .num(t)
                .finish();
            if judge.fires(ti, &scope, milestone) {
                out.push(Conversion {
                    trigger: ti,
                    vars: vec![
                        (Cow::Borrowed("scroll.threshold"), Value::Num(t)),
                        (
                            Cow::Borrowed("scroll.units"),
                            Value::Str(units.as_str().to_string()),
                        ),
                        (
                            Cow::Borrowed("scroll.direction"),
                            Value::Str("vertical".to_string()),
                        ),
                    ],
                });
            }
        });
    }
    /// A media event of the media element `media` (a shell-chosen stable key;
    /// each media element has its own state). Limits count per media URL:
    /// `once_per_page` reports `start` once per page for each URL.
    ///
    /// - `start`: the first `Play`, and the first again after `complete`.
    /// - `pause`: a `Pause` while playing, except within [`END_SLACK`] s of the
    ///   end (the pause that comes with `ended`) or while seeking.
    /// - `seek`: a `Seeked` after the first play that moved more than
    ///   [`SEEK_MIN_MOVE`] s; not reported when landing at 0 (as GTM).
    /// - `progress`: playback from `previous` to `current` (`TimeUpdate`, and
    ///   the position at `Pause`/`Ended`) fires each threshold `t` with
    ///   `previous < t <= current`, in position order. Thresholds a seek lands
    ///   on or jumps over, and those behind the first play's position, are
    ///   dropped and never fire (GTM drops thresholds passed at (re)play).
    ///   Percent thresholds need a finite duration > 0 (live streams: none);
    ///   seconds thresholds always work.
    /// - `complete`: `Ended`; it re-arms the media's thresholds and `start`.
    ///   A looping media's restart completes the play-through as well
    ///   (thresholds re-armed; no `seek`, no new `start`).
    /// - Decorative media (muted, and autoplaying or looping: a background)
    ///   are left out except for triggers with `include_decorative`.
    ///
    /// `video.percent` is the threshold for percent progress, else the current
    /// percent rounded (absent without a finite duration, like
    /// `video.duration`). The shell should send `Play` for media already
    /// playing when it attaches.
    pub fn on_media(&mut self, media: u32, event: &MediaEvent, out: &mut Vec<Conversion>) {
        let from = out.len();
        self.media_event(media, event, out);
        self.complete_groups(out, from);
    }
    fn media_event(&mut self, media: u32, event: &MediaEvent, out: &mut Vec<Conversion>) {
        if !self.videos {
            return;
        }
        let Engine {
            j,
            page,
            media: tracker,
            hits,
            ..
        } = self;
        let mut judge = j.begin();
        hits.clear();
        tracker.event(media, event, |t, m| hits.push((t, m)));
        let dur = event.duration;
        let finite = dur.is_finite() && dur > 0.0;
        let decorative = event.decorative();
        for &(only, milestone) in hits.iter() {
            let (status, percent, kind, threshold) = match milestone {
                Milestone::Status(s) => (s, None, 0u8, 0.0),
                Milestone::Percent(t) => (VideoStatus::Progress, Some(t), 1, t),
                Milestone::Seconds(t) => (VideoStatus::Progress, None, 2, t),
            };
            let percent = percent.or_else(|| {
                finite.then(|| round(event.current_time / dur * 100.0).clamp(0.0, 100.0))
            });
            let ctx = VideoCtx {
                status,
                url: &event.url,
                title: &event.title,
                duration: dur,
                current_time: event.current_time,
                percent,
                muted: event.muted,
                autoplay: event.autoplay,
                looped: event.looped,
                provider: event.provider,
            };
            let milestone = Fnv::new()
                .bytes(b"video")
                .str(status.as_str())
                .bytes(&[kind])
                .num(threshold)
                .str(&event.url)
                .finish();
            let rules = judge.rules;
            let mut fire = |ti: usize| {
                // Decorative media count only for triggers that ask for them.
                let wanted = matches!(
                    rules.triggers.get(ti).map(|t| &t.kind),
                    Some(TriggerKind::Video {
                        include_decorative: true,
                        ..
                    })
                );
                if decorative && !wanted {
                    return;
                }
                let mut scope = Scope::new(page, "video");
                scope.video = Some(&ctx);
                if judge.fires(ti, &scope, milestone) {
                    out.push(Conversion {
                        trigger: ti,
                        vars: video_vars(&ctx),
                    });
                }
            };
            match only {
                Some(ti) => fire(ti),
                None => tracker.triggers_with(status).for_each(&mut fire),
            }
        }
    }
    /// A click (`button` 0 = left, 1 = middle; others are ignored) on `target`.
    pub fn on_click(&mut self, target: &B::Element, button: i16, out: &mut Vec<Conversion>) {
        let from = out.len();
        self.click_event(target, button, out);
        self.complete_groups(out, from);
    }
    fn click_event(&mut self, target: &B::Element, button: i16, out: &mut Vec<Conversion>) {
        if button != 0 && button != 1 {
            return;
        }
        let Engine {
            j,
            page,
            described,
            clicks,
            selectors,
            links,
            ..
        } = self;
        let mut judge = j.begin();
        let (backend, rules, code) = (judge.backend, judge.rules, judge.code);
        described.clear();
        selectors.new_click();
        for &(ti, slot) in clicks.iter() {
            // A trigger for other pages costs no crossing into the browser.
            if !judge.open(ti, page) {
                continue;
            }
            let Some(c) = code.get(ti) else {
                continue;
            };
            let di = match (selectors.asked(slot), &c.selector) {
                (Some(Some(di)), _) => di,
                (Some(None), _) => continue,
                (None, Some(sel)) => {
                    let found = backend.closest(target, sel);
                    let found = found.map(|el| describe(backend, described, el));
                    selectors.answer(slot, found);
                    match found {
                        Some(di) => di,
                        None => continue,
                    }
                }
                (None, None) => describe(backend, described, target.clone()),
            };
            let Some((el, facts)) = described.get(di) else {
                continue;
            };
            let mut scope = Scope::new(page, "click");
            scope.click = Some(ClickCtx { element: el, facts });
            let milestone = Fnv::new().bytes(CLICK_MILESTONE).finish();
            if judge.fires(ti, &scope, milestone) {
                out.push(Conversion {
                    trigger: ti,
                    vars: click_vars(facts),
                });
            }
        }
        if !links.is_empty() {
            if let Some((link_el, url, download)) = backend.closest_link(target) {
                let info = LinkInfo::new(url, download, &page.page.host, &rules.affiliated_domains);
                let di = describe(backend, described, link_el);
                let milestone = Fnv::new().bytes(LINK_MILESTONE).finish();
                let Some((el, facts)) = described.get(di) else {
                    described.clear();
                    return;
                };
                for &ti in links.iter() {
                    let mut scope = Scope::new(page, "link_click");
                    scope.click = Some(ClickCtx { element: el, facts });
                    scope.link = Some(&info);
                    if judge.fires(ti, &scope, milestone) {
                        let mut vars = click_vars(facts);
                        vars.push((Cow::Borrowed("link.url"), text(&info.url, URL_CAP)));
                        vars.push((Cow::Borrowed("link.host"), text(&info.host, URL_CAP)));
                        vars.push((Cow::Borrowed("link.outbound"), Value::Bool(info.outbound)));
                        vars.push((Cow::Borrowed("link.download"), Value::Bool(info.download)));
                        out.push(Conversion { trigger: ti, vars });
                    }
                }
            }
        }
        // Element handles are not kept past the click.
        described.clear();
    }
    /// A page view: the shell calls it after each [`Engine::set_page`] (the
    /// load, a single-page app's route) and after a page comes back from the
    /// back/forward cache. `page_view` triggers see `page.*`, `query.*` and
    /// `event` (`page_view`); each page view is one event, so `once_per_page`
    /// fires once per view and `once_per_session` once per session.
    pub fn on_page_view(&mut self, out: &mut Vec<Conversion>) {
        let from = out.len();
        self.page_view_event(out);
        self.complete_groups(out, from);
    }
    fn page_view_event(&mut self, out: &mut Vec<Conversion>) {
        let Engine {
            j,
            page,
            page_views,
            ..
        } = self;
        let mut judge = j.begin();
        let milestone = Fnv::new().bytes(PAGE_VIEW_MILESTONE).finish();
        for &ti in page_views.iter() {
            let scope = Scope::new(page, TriggerType::PageView.as_str());
            if judge.fires(ti, &scope, milestone) {
                out.push(Conversion {
                    trigger: ti,
                    vars: Vec::new(),
                });
            }
        }
    }
    /// A push to the data layer: its keys merge into the page's data-layer
    /// state (GTM's model: `dl.*` of every trigger type read that state,
    /// earlier pushes included); with an `event` (a non-empty name), the
    /// `custom` triggers of that name are judged. A conversion carries the
    /// push's own keys.
    pub fn on_push(&mut self, pushed: &PushedEvent, out: &mut Vec<Conversion>) {
        let from = out.len();
        self.push_event(pushed, out);
        self.complete_groups(out, from);
    }
    fn push_event(&mut self, pushed: &PushedEvent, out: &mut Vec<Conversion>) {
        let Engine {
            j, page, customs, ..
        } = self;
        datalayer::merge(&mut page.dl, &pushed.fields);
        // The merge is core (`dl.*`); judging custom triggers is their family's.
        if pushed.event.is_empty() || cfg!(not(feature = "custom")) {
            return;
        }
        let mut judge = j.begin();
        let (backend, rules, code) = (judge.backend, judge.rules, judge.code);
        let milestone = Fnv::new().bytes(PUSH_MILESTONE).finish();
        for &ti in customs.iter() {
            let listens = match rules.triggers.get(ti).map(|t| &t.kind) {
                Some(TriggerKind::Custom {
                    event: EventMatch::Names(names),
                }) => names.contains(&pushed.event),
                Some(TriggerKind::Custom {
                    event: EventMatch::Regex(_),
                }) => code
                    .get(ti)
                    .and_then(|c| c.event_re.as_ref())
                    .is_some_and(|re| backend.regex_test(re, &pushed.event)),
                _ => false,
            };
            if !listens {
                continue;
            }
            let scope = Scope::new(page, &pushed.event);
            if judge.fires(ti, &scope, milestone) {
                let mut vars = Vec::with_capacity(1 + pushed.fields.len().min(DL_FIELDS_CAP));
                vars.push((Cow::Borrowed("event"), text(&pushed.event, TEXT_CAP)));
                for (k, v) in pushed
                    .fields
                    .iter()
                    .filter(|(_, v)| *v != Value::Null)
                    .take(DL_FIELDS_CAP)
                {
                    let v = match v {
                        Value::Str(s) => text(s, TEXT_CAP),
                        other => other.clone(),
                    };
                    vars.push((
                        Cow::Owned(crate::text::concat(&["dl.", cap(k, TEXT_CAP)])),
                        v,
                    ));
                }
                out.push(Conversion { trigger: ti, vars });
            }
        }
    }
    /// The page view's clocks read `visible_ms` (time visible) and
    /// `engaged_ms` (time engaged), both from the page view: every `timer`
    /// tick and `engagement` threshold reached since the last call is judged,
    /// each once (at most [`CATCH_UP`] ticks of one timer per call: a clock
    /// that jumped skips the rest). A tick counts toward `times` whether or
    /// not its conditions hold (GTM's timer limit); `timer.count` is its
    /// number, `timer.elapsed_ms` its visible time, `engagement.seconds` the
    /// threshold. [`Engine::set_page`] starts both clocks over.
    pub fn on_time(&mut self, visible_ms: f64, engaged_ms: f64, out: &mut Vec<Conversion>) {
        let from = out.len();
        self.time_event(visible_ms, engaged_ms, out);
        self.complete_groups(out, from);
    }
    fn time_event(&mut self, visible_ms: f64, engaged_ms: f64, out: &mut Vec<Conversion>) {
        let Engine {
            j, page, clocks, ..
        } = self;
        clocks.due(visible_ms, engaged_ms, |tick| {
            let mut judge = j.begin();
            let ty = judge.rules.triggers.get(tick.trigger).map(|t| t.kind.ty());
            let engaged = ty == Some(TriggerType::Engagement);
            let name = if engaged {
                TriggerType::Engagement
            } else {
                TriggerType::Timer
            };
            let mut scope = Scope::new(page, name.as_str());
            let seconds = tick.at_ms / 1000.0;
            let vars = if engaged {
                scope.engagement = Some(seconds);
                vec![(Cow::Borrowed("engagement.seconds"), Value::Num(seconds))]
            } else {
                scope.timer = Some((tick.count, tick.at_ms));
                vec![
                    (Cow::Borrowed("timer.count"), Value::Num(tick.count.into())),
                    (Cow::Borrowed("timer.elapsed_ms"), Value::Num(tick.at_ms)),
                ]
            };
            let milestone = Fnv::new().bytes(name.as_str().as_bytes()).finish();
            if judge.fires(tick.trigger, &scope, milestone) {
                out.push(Conversion {
                    trigger: tick.trigger,
                    vars,
                });
            }
        });
    }
    /// Milliseconds of `clock` from `now_ms` (its reading) until a trigger
    /// on it is due, so the shell wakes up then; `None` when none is left.
    pub fn next_due(&self, clock: TimeClock, now_ms: f64) -> Option<f64> {
        self.clocks.next(clock, now_ms)
    }
    /// The trigger groups that the conversions `out[from..]` complete: their
    /// members' firings are noted, and a group whose every member has fired
    /// in the page view (or, `within: session`, the session) fires, once
    /// per page view (or session), if its conditions hold.
    fn complete_groups(&mut self, out: &mut Vec<Conversion>, from: usize) {
        if self.groups.is_empty() || cfg!(not(feature = "groups")) {
            return;
        }
        let Engine {
            j,
            page,
            groups,
            members,
            ..
        } = self;
        let mut judge = j.begin();
        let rules = judge.rules;
        let mut any = false;
        for c in out.get(from..).unwrap_or_default() {
            if members.get(c.trigger) == Some(&true) {
                if let Some(t) = rules.triggers.get(c.trigger) {
                    judge.limits.mark_fired(&t.id);
                    any = true;
                }
            }
        }
        if !any {
            return;
        }
        let milestone = Fnv::new().bytes(GROUP_MILESTONE).finish();
        for &gi in groups.iter() {
            let Some(g) = rules.triggers.get(gi) else {
                continue;
            };
            let TriggerKind::TriggerGroup {
                all_of,
                within_session,
            } = &g.kind
            else {
                continue;
            };
            let done = |id: &str| judge.limits.has_fired(id, *within_session);
            if done(&g.id) || !all_of.iter().all(|m| done(m)) {
                continue;
            }
            let scope = Scope::new(page, TriggerType::TriggerGroup.as_str());
            if judge.fires(gi, &scope, milestone) {
                judge.limits.mark_fired(&g.id);
                out.push(Conversion {
                    trigger: gi,
                    vars: Vec::new(),
                });
            }
        }
    }
    /// A new session began (the shell's session ended: 30 idle minutes, a
    /// day): `once_per_session` limits re-arm.
    pub fn new_session(&mut self) {
        self.j.limits.new_session();
    }
    /// `once_per_session` state, to keep with the session across page loads and tabs:
    /// 16 lower-case hex digits (an FNV-1a 64 hash of trigger id and milestone)
    /// per conversion reported.
    pub fn session_state(&self) -> String {
        self.j.limits.session_state()
    }
    /// Restores what [`Engine::session_state`] returned (merging; malformed
    /// input is ignored).
    pub fn restore_session_state(&mut self, saved: &str) {
        self.j.limits.restore_session(saved);
    }
}

/// `video.*` variables of a media milestone; duration and percent left out
/// without a finite duration.
fn video_vars(v: &VideoCtx<'_>) -> Vec<(Cow<'static, str>, Value)> {
    let mut vars = Vec::with_capacity(7);
    vars.push((
        Cow::Borrowed("video.provider"),
        Value::Str(v.provider.to_string()),
    ));
    vars.push((
        Cow::Borrowed("video.status"),
        Value::Str(v.status.as_str().to_string()),
    ));
    vars.push((Cow::Borrowed("video.url"), text(v.url, URL_CAP)));
    if !v.title.is_empty() {
        vars.push((Cow::Borrowed("video.title"), text(v.title, TEXT_CAP)));
    }
    if v.duration.is_finite() {
        vars.push((Cow::Borrowed("video.duration"), Value::Num(v.duration)));
    }
    vars.push((
        Cow::Borrowed("video.current_time"),
        Value::Num(v.current_time),
    ));
    if let Some(p) = v.percent {
        vars.push((Cow::Borrowed("video.percent"), Value::Num(p)));
    }
    // Sent when true only: most media are none of these.
    for (name, on) in [
        ("video.muted", v.muted),
        ("video.autoplay", v.autoplay),
        ("video.loop", v.looped),
    ] {
        if on {
            vars.push((Cow::Borrowed(name), Value::Bool(true)));
        }
    }
    vars
}

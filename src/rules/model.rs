//! The validated rules model: what a rules file means once every defect is
//! reported and every invalid trigger left out.
//!
//! Names follow the rules format (what marketers write), so a field here reads
//! like the JSON key it comes from.

use crate::msg::Msg;
use crate::prelude::*;

/// A position in the rules file, 1-based, for messages a marketer can jump to.
#[cfg(feature = "messages")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

/// A position in the rules file: nothing without the `messages` feature
/// (the tag build keeps no positions; see [`crate::msg`]).
#[cfg(not(feature = "messages"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos;

impl Pos {
    /// Line 1, column 1.
    #[cfg(feature = "messages")]
    pub const START: Pos = Pos { line: 1, column: 1 };
    /// Line 1, column 1.
    #[cfg(not(feature = "messages"))]
    pub const START: Pos = Pos;
}

/// A whole rules file after validation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rules {
    /// Format version; only `1` exists.
    pub version: u32,
    /// Where beacons go (`endpoint`); the script tag's `data-endpoint` overrides it.
    pub endpoint: Option<String>,
    /// Hosts that count as the site itself for `link.outbound` (and their subdomains).
    pub affiliated_domains: Vec<String>,
    /// Query parameters that may stay in URLs sent in beacons (`allow_query`).
    pub allow_query: Vec<String>,
    /// `count_visits`: send one `visit` event when a session starts (the
    /// report's denominator).
    pub count_visits: bool,
    /// The valid triggers, in file order.
    pub triggers: Vec<Trigger>,
    /// `funnels`: for the report (the collector); not in the published form.
    pub funnels: Vec<Funnel>,
    /// The published form's hash (16 hex digits; see [`crate::published`]):
    /// empty until the rules are published or read from their published form.
    pub hash: String,
}

/// A funnel: conversions in order, which the report counts per session.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Funnel {
    /// `id`, unique among the funnels.
    pub id: String,
    /// `name` (the id when absent).
    pub name: String,
    /// `steps`: conversion names, in order, at least two.
    pub steps: Vec<String>,
}

/// One trigger: when it fires and which conversion it reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    /// The marketer's name for this trigger (`id`), unique in the file.
    pub id: String,
    /// The conversion name reported in beacons (`conversion`).
    pub conversion: String,
    /// What the trigger listens to (`on`) and its type-specific options.
    pub kind: TriggerKind,
    /// All must hold (`conditions`).
    pub conditions: Vec<Condition>,
    /// Any that holds blocks the trigger for this event (`unless`).
    pub unless: Vec<Condition>,
    /// Firing limit (`limit`).
    pub limit: Limit,
    /// Marks a macro conversion (a purchase, a signup) for funnel reports (`macro`).
    pub is_macro: bool,
    /// JSON path of the trigger in the file (`triggers[3]`), for messages.
    pub path: Msg,
    /// Where the trigger starts in the file.
    pub pos: Pos,
}

/// The trigger type (`on`) with its own options.
#[derive(Debug, Clone, PartialEq)]
pub enum TriggerKind {
    /// `"on": "scroll"`: vertical scroll depth thresholds.
    Scroll {
        /// `units`: percent (default) or pixels.
        units: ScrollUnits,
        /// `thresholds`, sorted ascending, without duplicates.
        thresholds: Vec<f64>,
    },
    /// `"on": "video"`: HTML5 `<video>` / `<audio>`, YouTube and Vimeo milestones.
    Video {
        /// `statuses` to report; defaults to all.
        statuses: VideoStatuses,
        /// `progress_percent` thresholds (0–100), sorted.
        progress_percent: Vec<f64>,
        /// `progress_seconds` thresholds (>= 0), sorted.
        progress_seconds: Vec<f64>,
        /// `include_decorative`: also media that are muted and autoplay or
        /// loop (backgrounds, not watched), which are left out by default.
        include_decorative: bool,
    },
    /// `"on": "click"`: a click on any element, optionally on or inside `selector`.
    Click {
        /// `selector`: CSS selector list the click must be on or inside.
        selector: Option<String>,
    },
    /// `"on": "link_click"`: a left or middle click on a link (`<a>`, `<area>`).
    LinkClick,
    /// `"on": "page_view"`: each page view (the load, a single-page app's
    /// route change, a page restored from the back/forward cache).
    PageView,
    /// `"on": "form_submit"`: a form's submission (GTM's Form Submission).
    FormSubmit {
        /// `selector`: CSS selector list the form must match.
        selector: Option<String>,
        /// `check_validation` (default true): only submissions the page did
        /// not cancel and whose fields are valid count.
        check_validation: bool,
    },
    /// `"on": "form_start"`: the first interaction with a form's fields,
    /// once per form per page.
    FormStart {
        /// `selector`: CSS selector list the form must match.
        selector: Option<String>,
    },
    /// `"on": "timer"`: every `interval_ms` of the page view's visible time
    /// (GTM's Timer; a hidden page's timers wait).
    Timer {
        /// `interval_ms`: the time between ticks.
        interval_ms: f64,
        /// `times`: how many ticks at most (`None`: as long as the page stays).
        times: Option<u32>,
    },
    /// `"on": "engagement"`: the page view has been engaged (visible,
    /// focused, the visitor active in the last 30 s) for `engaged_seconds`.
    Engagement {
        /// `engaged_seconds`: the engaged time that fires it.
        engaged_seconds: f64,
    },
    /// `"on": "element_visibility"`: an element matching `selector` was on
    /// screen (GTM's Element Visibility).
    ElementVisibility {
        /// `selector`: the elements watched (also ones added later).
        selector: String,
        /// `min_percent_visible` (default 50): how much of it must show.
        min_percent_visible: f64,
        /// `min_on_screen_ms` (default 0): for how long, continuously.
        min_on_screen_ms: f64,
        /// `once_per: element`: each element once per page view (default:
        /// the first element, once per page view).
        once_per_element: bool,
    },
    /// `"on": "trigger_group"`: every trigger of `all_of` has fired in this
    /// page view (or session), GTM's Trigger Group.
    TriggerGroup {
        /// `all_of`: the member triggers' ids (none of them a group).
        all_of: Vec<String>,
        /// `within`: `session` when the members may fire on different pages.
        within_session: bool,
    },
    /// `"on": "custom"`: an event pushed by the page (`dataLayer.push({event})`).
    Custom {
        /// Which pushed names it listens to (`event`, `events` or `event_matches`).
        event: EventMatch,
    },
}

/// The pushed event names a `custom` trigger listens to.
#[derive(Debug, Clone, PartialEq)]
pub enum EventMatch {
    /// `event` (one name) or `events` (a list): matched exactly, case-sensitive.
    Names(Vec<String>),
    /// `event_matches`: a JavaScript regular expression, unanchored.
    Regex(String),
}

impl TriggerKind {
    /// The trigger type (`on`) of these options.
    pub fn ty(&self) -> TriggerType {
        match self {
            TriggerKind::Scroll { .. } => TriggerType::Scroll,
            TriggerKind::Video { .. } => TriggerType::Video,
            TriggerKind::Click { .. } => TriggerType::Click,
            TriggerKind::LinkClick => TriggerType::LinkClick,
            TriggerKind::PageView => TriggerType::PageView,
            TriggerKind::FormSubmit { .. } => TriggerType::FormSubmit,
            TriggerKind::FormStart { .. } => TriggerType::FormStart,
            TriggerKind::Timer { .. } => TriggerType::Timer,
            TriggerKind::Engagement { .. } => TriggerType::Engagement,
            TriggerKind::TriggerGroup { .. } => TriggerType::TriggerGroup,
            TriggerKind::ElementVisibility { .. } => TriggerType::ElementVisibility,
            TriggerKind::Custom { .. } => TriggerType::Custom,
        }
    }
}

/// A trigger type (`on`): the table the rest derives from (its name, its own
/// fields, the event name it reports). A new type is a row here, and the
/// compiler then points at every `match` that must handle it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerType {
    /// `scroll`.
    Scroll,
    /// `video`.
    Video,
    /// `click`.
    Click,
    /// `link_click`.
    LinkClick,
    /// `page_view`.
    PageView,
    /// `form_submit`.
    FormSubmit,
    /// `form_start`.
    FormStart,
    /// `custom`.
    Custom,
    /// `timer`.
    Timer,
    /// `engagement`.
    Engagement,
    /// `trigger_group`.
    TriggerGroup,
    /// `element_visibility`.
    ElementVisibility,
}

impl TriggerType {
    /// Every type, in the order the rules format lists them.
    pub const ALL: [TriggerType; 12] = [
        TriggerType::Scroll,
        TriggerType::Video,
        TriggerType::Click,
        TriggerType::LinkClick,
        TriggerType::PageView,
        TriggerType::FormSubmit,
        TriggerType::FormStart,
        TriggerType::Custom,
        TriggerType::Timer,
        TriggerType::Engagement,
        TriggerType::TriggerGroup,
        TriggerType::ElementVisibility,
    ];

    /// The name used in the rules file (`on`) and, except for `custom`
    /// (which reports the pushed name), as the `event` variable.
    pub const fn as_str(self) -> &'static str {
        match self {
            TriggerType::Scroll => "scroll",
            TriggerType::Video => "video",
            TriggerType::Click => "click",
            TriggerType::LinkClick => "link_click",
            TriggerType::PageView => "page_view",
            TriggerType::FormSubmit => "form_submit",
            TriggerType::FormStart => "form_start",
            TriggerType::Custom => "custom",
            TriggerType::Timer => "timer",
            TriggerType::Engagement => "engagement",
            TriggerType::TriggerGroup => "trigger_group",
            TriggerType::ElementVisibility => "element_visibility",
        }
    }

    /// The fields only this type takes (a field may belong to several types).
    pub const fn fields(self) -> &'static [&'static str] {
        match self {
            TriggerType::Scroll => &["units", "thresholds"],
            TriggerType::Video => &[
                "statuses",
                "progress_percent",
                "progress_seconds",
                "include_decorative",
            ],
            TriggerType::Click => &["selector"],
            TriggerType::LinkClick | TriggerType::PageView => &[],
            TriggerType::FormSubmit => &["selector", "check_validation"],
            TriggerType::FormStart => &["selector"],
            TriggerType::Custom => &["event", "events", "event_matches"],
            TriggerType::Timer => &["interval_ms", "times"],
            TriggerType::Engagement => &["engaged_seconds"],
            TriggerType::TriggerGroup => &["all_of", "within"],
            TriggerType::ElementVisibility => &[
                "selector",
                "min_percent_visible",
                "min_on_screen_ms",
                "once_per",
            ],
        }
    }

    /// Parses a rules-file name.
    pub fn from_name(name: &str) -> Option<TriggerType> {
        TriggerType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// `units` of a scroll trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScrollUnits {
    /// Thresholds are percent of the document's scroll height.
    Percent,
    /// Thresholds are pixels from the top, measured at the viewport's bottom.
    Pixels,
}

impl ScrollUnits {
    /// The name used in the rules file and in beacons.
    pub fn as_str(self) -> &'static str {
        match self {
            ScrollUnits::Percent => "percent",
            ScrollUnits::Pixels => "pixels",
        }
    }
}

/// A media status, as GTM names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoStatus {
    /// First play after load or after `complete`.
    Start,
    /// Paused by the user (not the pause that comes with the end).
    Pause,
    /// The position was moved.
    Seek,
    /// A progress threshold was crossed by playback.
    Progress,
    /// Played to the end.
    Complete,
}

impl VideoStatus {
    /// Every status, in the order the rules format lists them.
    pub const ALL: [VideoStatus; 5] = [
        VideoStatus::Start,
        VideoStatus::Pause,
        VideoStatus::Seek,
        VideoStatus::Progress,
        VideoStatus::Complete,
    ];

    /// The name used in the rules file and in beacons.
    pub fn as_str(self) -> &'static str {
        match self {
            VideoStatus::Start => "start",
            VideoStatus::Pause => "pause",
            VideoStatus::Seek => "seek",
            VideoStatus::Progress => "progress",
            VideoStatus::Complete => "complete",
        }
    }

    /// Parses a rules-file name.
    pub fn from_name(name: &str) -> Option<VideoStatus> {
        VideoStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`VideoStatus`] as a bit set (no allocation, cheap to test).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VideoStatuses(u8);

impl VideoStatuses {
    /// Every status.
    pub fn all() -> Self {
        VideoStatus::ALL
            .into_iter()
            .fold(Self::default(), |s, v| s.with(v))
    }
    /// This set plus `status`.
    pub fn with(self, status: VideoStatus) -> Self {
        VideoStatuses(self.0 | status.bit())
    }
    /// Whether `status` is in the set.
    pub fn contains(self, status: VideoStatus) -> bool {
        self.0 & status.bit() != 0
    }
    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// The set as bits (bit `i`: [`VideoStatus::ALL`]`[i]`).
    pub fn bits(self) -> u8 {
        self.0
    }
    /// The set of [`VideoStatuses::bits`]; `None` for an empty set or
    /// unknown bits.
    pub fn from_bits(bits: u8) -> Option<Self> {
        (bits != 0 && bits & !Self::all().0 == 0).then_some(VideoStatuses(bits))
    }
}

/// Firing limit (`limit`). A limit counts per trigger and per milestone: each
/// scroll threshold, and each media status/threshold of each media URL, is a
/// milestone of its own, so `once_per_page` on a `[50, 75, 100]` scroll trigger
/// reports each threshold once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Limit {
    /// GTM's default: a conversion is reported at most once for one event, even
    /// when several of its triggers match that event.
    #[default]
    OncePerEvent,
    /// At most once per page view (a single-page app's route change is a new page).
    OncePerPage,
    /// At most once per browser-tab session.
    OncePerSession,
    /// Every time the trigger matches.
    Unlimited,
}

impl Limit {
    /// Every limit, in the order the rules format lists them.
    pub const ALL: [Limit; 4] = [
        Limit::OncePerEvent,
        Limit::OncePerPage,
        Limit::OncePerSession,
        Limit::Unlimited,
    ];

    /// The name used in the rules file.
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::OncePerEvent => "once_per_event",
            Limit::OncePerPage => "once_per_page",
            Limit::OncePerSession => "once_per_session",
            Limit::Unlimited => "unlimited",
        }
    }
}

/// One condition on a built-in variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// `variable`.
    pub variable: Variable,
    /// `operator`.
    pub operator: Operator,
    /// `value`: what the variable is compared with.
    pub value: Literal,
    /// `negate`: inverts the result.
    pub negate: bool,
    /// `ignore_case`: string operators compare case-insensitively.
    pub ignore_case: bool,
    /// JSON path of this condition (e.g. `triggers[1].conditions[0]`), for messages.
    pub path: Msg,
    /// Where the condition's `value` stands in the file.
    pub pos: Pos,
}

/// A literal in a condition's `value`.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A string.
    Str(String),
    /// A number.
    Num(f64),
    /// `true` or `false`.
    Bool(bool),
}

/// Comparison operators (GTM's set, with MTM's names where GTM has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `equals`: string equality (`String(a) == String(b)`).
    Equals,
    /// `contains`: substring.
    Contains,
    /// `starts_with`.
    StartsWith,
    /// `ends_with`.
    EndsWith,
    /// `matches_regex`: JavaScript `RegExp`, unanchored.
    MatchesRegex,
    /// `matches_css`: `Element.matches(selector)`; only on `click.element`.
    MatchesCss,
    /// `less_than`: numeric, like JS `Number()`; NaN is false.
    LessThan,
    /// `less_or_equal`.
    LessOrEqual,
    /// `greater_than`.
    GreaterThan,
    /// `greater_or_equal`.
    GreaterOrEqual,
}

impl Operator {
    /// Every operator, in the order the rules format lists them.
    pub const ALL: [Operator; 10] = [
        Operator::Equals,
        Operator::Contains,
        Operator::StartsWith,
        Operator::EndsWith,
        Operator::MatchesRegex,
        Operator::MatchesCss,
        Operator::LessThan,
        Operator::LessOrEqual,
        Operator::GreaterThan,
        Operator::GreaterOrEqual,
    ];

    /// The name used in the rules file.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equals => "equals",
            Operator::Contains => "contains",
            Operator::StartsWith => "starts_with",
            Operator::EndsWith => "ends_with",
            Operator::MatchesRegex => "matches_regex",
            Operator::MatchesCss => "matches_css",
            Operator::LessThan => "less_than",
            Operator::LessOrEqual => "less_or_equal",
            Operator::GreaterThan => "greater_than",
            Operator::GreaterOrEqual => "greater_or_equal",
        }
    }

    /// Parses a rules-file name.
    pub fn from_name(name: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|o| o.as_str() == name)
    }

    /// Whether the operator compares strings (and so takes `ignore_case`).
    pub fn is_string(self) -> bool {
        matches!(
            self,
            Operator::Equals
                | Operator::Contains
                | Operator::StartsWith
                | Operator::EndsWith
                | Operator::MatchesRegex
        )
    }

    /// Whether the operator compares numbers.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Operator::LessThan
                | Operator::LessOrEqual
                | Operator::GreaterThan
                | Operator::GreaterOrEqual
        )
    }
}

/// A built-in variable, as named in the rules file (`page.path`, `click.attr.href`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Variable {
    /// `page.url`: the page URL without its fragment.
    PageUrl,
    /// `page.host`: the page's host name.
    PageHost,
    /// `page.path`: the page's path.
    PagePath,
    /// `page.query`: the page's query string, without `?`.
    PageQuery,
    /// `page.title`: `document.title`.
    PageTitle,
    /// `page.referrer`: `document.referrer`.
    PageReferrer,
    /// `query.<param>`: a query parameter of the page URL.
    Query(String),
    /// `event`: the event name (`scroll`, `video`, `click`, `link_click`,
    /// `page_view`, or the pushed name).
    Event,
    /// `click.element`: the clicked element, for `matches_css`.
    ClickElement,
    /// `click.id`.
    ClickId,
    /// `click.classes`: the `class` attribute.
    ClickClasses,
    /// `click.text`: visible text, trimmed, whitespace collapsed, capped.
    ClickText,
    /// `click.url`: `href` (absolute) of the element, or of its link.
    ClickUrl,
    /// `click.target`: the `target` attribute.
    ClickTarget,
    /// `click.attr.<name>`: any attribute of the clicked element.
    ClickAttr(String),
    /// `link.url`: the link's absolute URL.
    LinkUrl,
    /// `link.host`: the link's host name.
    LinkHost,
    /// `link.outbound`: http(s) link to another host, not affiliated.
    LinkOutbound,
    /// `link.download`: a `download` attribute or a known file extension.
    LinkDownload,
    /// `scroll.threshold`: the threshold reached.
    ScrollThreshold,
    /// `scroll.units`: `percent` or `pixels`.
    ScrollUnits,
    /// `scroll.direction`: `vertical`.
    ScrollDirection,
    /// `video.provider`: `html5`, `youtube` or `vimeo`.
    VideoProvider,
    /// `video.status`.
    VideoStatus,
    /// `video.url`: the media's current source.
    VideoUrl,
    /// `video.title`.
    VideoTitle,
    /// `video.duration`, seconds.
    VideoDuration,
    /// `video.current_time`, seconds.
    VideoCurrentTime,
    /// `video.percent`: percent played at the milestone.
    VideoPercent,
    /// `video.muted`.
    VideoMuted,
    /// `video.autoplay`.
    VideoAutoplay,
    /// `video.loop`.
    VideoLoop,
    /// `form.id`.
    FormId,
    /// `form.classes`: the form's `class` attribute.
    FormClasses,
    /// `form.name`: the form's `name` attribute.
    FormName,
    /// `form.action`: where the form submits (absolute URL).
    FormAction,
    /// `form.method`: `get`, `post` or `dialog`.
    FormMethod,
    /// `form.fields`: how many fields the form has (never their values).
    FormFields,
    /// `visibility.percent`: how much of the element showed, in percent.
    VisibilityPercent,
    /// `visibility.on_screen_ms`: how long it had been on screen.
    VisibilityOnScreenMs,
    /// `timer.count`: the tick (1 for the first).
    TimerCount,
    /// `timer.elapsed_ms`: the page view's visible time at the tick.
    TimerElapsedMs,
    /// `engagement.seconds`: the engaged time reached, in seconds.
    EngagementSeconds,
    /// `session.page_views`: page views so far in the session, this one
    /// included (every tab of the site counts).
    SessionPageViews,
    /// `session.landing_path`: the path of the session's first page.
    SessionLandingPath,
    /// `dl.<key>`: a key of the data-layer state (dots reach into nested
    /// objects and array items).
    Dl(String),
    /// `js.<path>`: a page global read by property path (`js.app.user.plan`),
    /// for conditions only: never sent in a beacon.
    Js(String),
}

/// The kind of value a variable holds, to check that an operator fits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarType {
    /// Text.
    Text,
    /// A number.
    Number,
    /// `true` / `false`.
    Bool,
    /// A DOM element (only `matches_css` applies).
    Element,
    /// Anything (data-layer keys).
    Any,
}

/// One fixed variable: its name in the rules file, the variant, the kind of
/// value it holds, and whether that value is a URL (then the payload cleans it
/// as one: no query parameter outside `allow_query`, no fragment). The table
/// everything else derives from: parsing, names, types, privacy, the schema
/// test, the docs test.
#[derive(Debug)]
pub struct VarSpec {
    /// The name in the rules file.
    pub name: &'static str,
    /// The variable.
    pub var: Variable,
    /// What it holds.
    pub ty: VarType,
    /// Whether it holds a URL.
    pub url: bool,
}

const fn v(name: &'static str, var: Variable, ty: VarType, url: bool) -> VarSpec {
    VarSpec { name, var, ty, url }
}

/// The fixed variables, in the order the format lists them. Prefix families
/// (`query.`, `click.attr.`, `dl.`) are handled by [`Variable::from_name`].
pub const VARIABLES: &[VarSpec] = {
    use VarType::*;
    use Variable as V;
    &[
        v("page.url", V::PageUrl, Text, true),
        v("page.host", V::PageHost, Text, false),
        v("page.path", V::PagePath, Text, false),
        v("page.query", V::PageQuery, Text, false),
        v("page.title", V::PageTitle, Text, false),
        v("page.referrer", V::PageReferrer, Text, true),
        v("event", V::Event, Text, false),
        v("click.element", V::ClickElement, Element, false),
        v("click.id", V::ClickId, Text, false),
        v("click.classes", V::ClickClasses, Text, false),
        v("click.text", V::ClickText, Text, false),
        v("click.url", V::ClickUrl, Text, true),
        v("click.target", V::ClickTarget, Text, false),
        v("link.url", V::LinkUrl, Text, true),
        v("link.host", V::LinkHost, Text, false),
        v("link.outbound", V::LinkOutbound, Bool, false),
        v("link.download", V::LinkDownload, Bool, false),
        v("scroll.threshold", V::ScrollThreshold, Number, false),
        v("scroll.units", V::ScrollUnits, Text, false),
        v("scroll.direction", V::ScrollDirection, Text, false),
        v("video.provider", V::VideoProvider, Text, false),
        v("video.status", V::VideoStatus, Text, false),
        v("video.url", V::VideoUrl, Text, true),
        v("video.title", V::VideoTitle, Text, false),
        v("video.duration", V::VideoDuration, Number, false),
        v("video.current_time", V::VideoCurrentTime, Number, false),
        v("video.percent", V::VideoPercent, Number, false),
        v("video.muted", V::VideoMuted, Bool, false),
        v("video.autoplay", V::VideoAutoplay, Bool, false),
        v("video.loop", V::VideoLoop, Bool, false),
        v("form.id", V::FormId, Text, false),
        v("form.classes", V::FormClasses, Text, false),
        v("form.name", V::FormName, Text, false),
        v("form.action", V::FormAction, Text, true),
        v("form.method", V::FormMethod, Text, false),
        v("form.fields", V::FormFields, Number, false),
        v("visibility.percent", V::VisibilityPercent, Number, false),
        v(
            "visibility.on_screen_ms",
            V::VisibilityOnScreenMs,
            Number,
            false,
        ),
        v("timer.count", V::TimerCount, Number, false),
        v("timer.elapsed_ms", V::TimerElapsedMs, Number, false),
        v("engagement.seconds", V::EngagementSeconds, Number, false),
        v("session.page_views", V::SessionPageViews, Number, false),
        v("session.landing_path", V::SessionLandingPath, Text, false),
    ]
};

/// Variable families named by a prefix and a key.
pub const VARIABLE_PREFIXES: &[&str] = &["query.", "click.attr.", "dl.", "js."];

impl Variable {
    /// Parses a rules-file name; `None` when unknown (or a prefix without a key).
    pub fn from_name(name: &str) -> Option<Variable> {
        if let Some(spec) = VARIABLES.iter().find(|s| s.name == name) {
            return Some(spec.var.clone());
        }
        let key = |p: &str| {
            name.strip_prefix(p)
                .filter(|k| !k.is_empty())
                .map(str::to_string)
        };
        key("query.")
            .map(Variable::Query)
            .or_else(|| key("click.attr.").map(Variable::ClickAttr))
            .or_else(|| key("dl.").map(Variable::Dl))
            .or_else(|| key("js.").map(Variable::Js))
    }

    /// The row of a fixed variable (`None` for the prefix families).
    pub fn spec(&self) -> Option<&'static VarSpec> {
        VARIABLES.iter().find(|s| s.var == *self)
    }

    /// Whether the variable holds one value for a whole page view (`page.*`,
    /// `query.*`, `session.*`): the engine judges conditions on it once per
    /// page view, not per event.
    /// (A match, not a look-up of the table's names: the tag carries no
    /// names. `the_variables_table_is_the_one_source` holds it to the table.)
    pub fn per_page_view(&self) -> bool {
        use Variable::*;
        matches!(
            self,
            PageUrl
                | PageHost
                | PagePath
                | PageQuery
                | PageTitle
                | PageReferrer
                | Query(_)
                | SessionPageViews
                | SessionLandingPath
        )
    }
    /// The name in the rules file ([`Variable::from_name`] reads it back).
    pub fn name(&self) -> String {
        use Variable::*;
        let (prefix, key) = match self {
            Query(k) => ("query.", k),
            ClickAttr(k) => ("click.attr.", k),
            Dl(k) => ("dl.", k),
            Js(k) => ("js.", k),
            fixed => return fixed.spec().map_or("", |s| s.name).to_string(),
        };
        crate::text::concat(&[prefix, key])
    }

    /// The kind of value the variable holds.
    pub fn var_type(&self) -> VarType {
        match self {
            Variable::Query(_) | Variable::ClickAttr(_) => VarType::Text,
            Variable::Dl(_) | Variable::Js(_) => VarType::Any,
            fixed => fixed.spec().map_or(VarType::Any, |s| s.ty),
        }
    }

    /// Whether the variable holds a URL (cleaned as one in beacons).
    pub fn is_url(&self) -> bool {
        self.spec().is_some_and(|s| s.url)
    }
}

//! Variable resolution: what each rules variable holds for the event being
//! evaluated. Everything is borrowed from the event and the page, so resolving
//! never allocates; a variable that does not apply to the event is `Null`.

use super::links::LinkInfo;
use super::value::{cap, Val, Value};
use super::{FormEvent, Page, TEXT_CAP};
use crate::backend::ElementFacts;
use crate::prelude::*;
use crate::rules::model::{ScrollUnits, Variable, VideoStatus};

/// The page plus its query parameters, decoded once per page.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageCtx {
    pub page: Page,
    pub params: Vec<(String, String)>,
    /// The data-layer state (see `datalayer`), kept across route changes.
    pub dl: Vec<(String, Value)>,
    /// The session's page views so far (this one included; 0: unknown).
    pub views: u32,
    /// The path the session started on (empty: unknown).
    pub landing: String,
}

impl PageCtx {
    pub(crate) fn new(page: Page) -> Self {
        let params = crate::text::split(&page.query, b'&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = crate::text::split_once(p, b'=').unwrap_or((p, ""));
                (decode_component(k), decode_component(v))
            })
            .collect();
        PageCtx {
            page,
            params,
            dl: Vec::new(),
            views: 0,
            landing: String::new(),
        }
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte;
/// invalid escapes stay as written, invalid UTF-8 becomes U+FFFD.
pub(crate) fn decode_component(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let at = |k: usize| b.get(k).copied().and_then(hex);
        match (c, at(i + 1), at(i + 2)) {
            (b'+', ..) => out.push(b' '),
            (b'%', Some(h), Some(l)) => {
                out.push(h * 16 + l);
                i += 2;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    crate::text::from_utf8_lossy(&out)
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// The clicked element a trigger describes.
pub(crate) struct ClickCtx<'a, E> {
    pub element: &'a E,
    pub facts: &'a ElementFacts,
}

/// A media milestone.
pub(crate) struct VideoCtx<'a> {
    pub status: VideoStatus,
    pub url: &'a str,
    pub title: &'a str,
    pub duration: f64,
    pub current_time: f64,
    /// The percent threshold, or the current percent rounded; `None` without a finite duration.
    pub percent: Option<f64>,
    pub muted: bool,
    pub autoplay: bool,
    pub looped: bool,
    pub provider: &'static str,
}

/// Everything variables can be read from for one event.
pub(crate) struct Scope<'a, E> {
    pub page: &'a PageCtx,
    pub event: &'a str,
    pub click: Option<ClickCtx<'a, E>>,
    pub link: Option<&'a LinkInfo>,
    pub scroll: Option<(f64, ScrollUnits)>,
    pub video: Option<&'a VideoCtx<'a>>,
    pub form: Option<&'a FormEvent>,
    /// A timer tick: its number and the visible time (ms) it came at.
    pub timer: Option<(u32, f64)>,
    /// The engaged seconds an engagement trigger reached.
    pub engagement: Option<f64>,
    /// An element on screen: the percent visible and the milliseconds.
    pub visibility: Option<(f64, f64)>,
    pub dl: &'a [(String, Value)],
}

impl<'a, E> Scope<'a, E> {
    pub(crate) fn new(page: &'a PageCtx, event: &'a str) -> Self {
        Scope {
            page,
            event,
            click: None,
            link: None,
            scroll: None,
            video: None,
            form: None,
            timer: None,
            engagement: None,
            visibility: None,
            dl: &page.dl,
        }
    }

    /// The variable's value for this event.
    pub(crate) fn resolve(&self, var: &Variable) -> Val<'a, E> {
        use Variable::*;
        let p = &self.page.page;
        let s = |s: &'a str| Val::Str(s);
        match var {
            PageUrl => s(&p.url),
            PageHost => s(&p.host),
            PagePath => s(&p.path),
            PageQuery => s(&p.query),
            PageTitle => s(&p.title),
            PageReferrer => s(&p.referrer),
            Query(name) => {
                let params: &'a [(String, String)] = &self.page.params;
                params
                    .iter()
                    .find(|(k, _)| k == name)
                    .map_or(Val::Null, |(_, v)| Val::Str(v))
            }
            Event => s(self.event),
            ClickElement => self
                .click
                .as_ref()
                .map_or(Val::Null, |c| Val::Elem(c.element)),
            ClickId => self.fact(|f| &f.id),
            ClickClasses => self.fact(|f| &f.classes),
            ClickText => self.fact(|f| &f.text),
            ClickUrl => self.fact(|f| &f.url),
            ClickTarget => self.fact(|f| &f.target),
            ClickAttr(name) => match &self.click {
                Some(c) => {
                    let facts: &'a ElementFacts = c.facts;
                    facts
                        .attrs
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map_or(Val::Null, |(_, v)| Val::Str(v))
                }
                None => Val::Null,
            },
            LinkUrl => self.link.map_or(Val::Null, |l| Val::Str(&l.url)),
            LinkHost => self.link.map_or(Val::Null, |l| Val::Str(&l.host)),
            LinkOutbound => self.link.map_or(Val::Null, |l| Val::Bool(l.outbound)),
            LinkDownload => self.link.map_or(Val::Null, |l| Val::Bool(l.download)),
            ScrollThreshold => self.scroll.map_or(Val::Null, |(t, _)| Val::Num(t)),
            ScrollUnits => self.scroll.map_or(Val::Null, |(_, u)| Val::Str(u.as_str())),
            ScrollDirection => self.scroll.map_or(Val::Null, |_| Val::Str("vertical")),
            VideoProvider => self.video.map_or(Val::Null, |v| Val::Str(v.provider)),
            VideoStatus => self
                .video
                .map_or(Val::Null, |v| Val::Str(v.status.as_str())),
            VideoUrl => self.video.map_or(Val::Null, |v| Val::Str(v.url)),
            VideoTitle => self
                .video
                .map_or(Val::Null, |v| Val::Str(cap(v.title, TEXT_CAP))),
            VideoDuration => match self.video {
                Some(v) if v.duration.is_finite() => Val::Num(v.duration),
                _ => Val::Null,
            },
            VideoCurrentTime => self.video.map_or(Val::Null, |v| Val::Num(v.current_time)),
            VideoPercent => self
                .video
                .and_then(|v| v.percent)
                .map_or(Val::Null, Val::Num),
            VideoMuted => self.video.map_or(Val::Null, |v| Val::Bool(v.muted)),
            VideoAutoplay => self.video.map_or(Val::Null, |v| Val::Bool(v.autoplay)),
            VideoLoop => self.video.map_or(Val::Null, |v| Val::Bool(v.looped)),
            FormId => self.form.map_or(Val::Null, |f| Val::Str(&f.id)),
            FormClasses => self.form.map_or(Val::Null, |f| Val::Str(&f.classes)),
            FormName => self.form.map_or(Val::Null, |f| Val::Str(&f.name)),
            FormAction => self.form.map_or(Val::Null, |f| Val::Str(&f.action)),
            FormMethod => self.form.map_or(Val::Null, |f| Val::Str(&f.method)),
            FormFields => self.form.map_or(Val::Null, |f| Val::Num(f.fields.into())),
            VisibilityPercent => self.visibility.map_or(Val::Null, |(p, _)| Val::Num(p)),
            VisibilityOnScreenMs => self.visibility.map_or(Val::Null, |(_, ms)| Val::Num(ms)),
            TimerCount => self.timer.map_or(Val::Null, |(n, _)| Val::Num(n.into())),
            TimerElapsedMs => self.timer.map_or(Val::Null, |(_, ms)| Val::Num(ms)),
            EngagementSeconds => self.engagement.map_or(Val::Null, Val::Num),
            SessionPageViews => match self.page.views {
                0 => Val::Null,
                n => Val::Num(n.into()),
            },
            SessionLandingPath => match self.page.landing.as_str() {
                "" => Val::Null,
                l => Val::Str(l),
            },
            Dl(key) => {
                let dl: &'a [(String, Value)] = self.dl;
                dl.iter()
                    .find(|(k, _)| k == key)
                    .map_or(Val::Null, |(_, v)| v.as_val())
            }
            // Read through the backend by the condition (see `condition`).
            Js(_) => Val::Null,
        }
    }

    fn fact(&self, f: impl Fn(&'a ElementFacts) -> &'a String) -> Val<'a, E> {
        match &self.click {
            Some(c) => Val::Str(f(c.facts)),
            None => Val::Null,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_params_are_decoded() {
        let ctx = PageCtx::new(Page {
            query: "q=red+shoes&x=%C3%A9t%C3%A9&bad=%zz&flag&a%20b=1".into(),
            ..Page::default()
        });
        let get = |k: &str| {
            ctx.params
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("q"), Some("red shoes"));
        assert_eq!(get("x"), Some("été"));
        assert_eq!(get("bad"), Some("%zz"));
        assert_eq!(get("flag"), Some(""));
        assert_eq!(get("a b"), Some("1"));
        assert_eq!(decode_component("%4"), "%4");
    }
}

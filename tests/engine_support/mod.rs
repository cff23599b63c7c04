//! Helpers shared by the `engine_*` tests: rules built directly in Rust (and
//! from JSON text through `rules::parse`), a page, elements.
#![allow(dead_code)]

use std::rc::Rc;

use microconv::engine::{
    Conversion, Engine, MediaEvent, MediaEventKind, Page, PushedEvent, ScrollReading, Value,
};
use microconv::native::{NativeBackend, NativeElement};
use microconv::rules::model::*;

pub type El = Rc<NativeElement>;

pub fn cond(variable: &str, operator: &str, value: Literal) -> Condition {
    Condition {
        variable: Variable::from_name(variable).unwrap_or_else(|| panic!("variable {variable}")),
        operator: Operator::from_name(operator).unwrap_or_else(|| panic!("operator {operator}")),
        value,
        negate: false,
        ignore_case: false,
        path: "triggers[0].conditions[0]".into(),
        pos: Pos { line: 3, column: 7 },
    }
}

pub fn negated(mut c: Condition) -> Condition {
    c.negate = true;
    c
}

pub fn icase(mut c: Condition) -> Condition {
    c.ignore_case = true;
    c
}

pub fn s(v: &str) -> Literal {
    Literal::Str(v.to_string())
}

pub fn n(v: f64) -> Literal {
    Literal::Num(v)
}

pub fn b(v: bool) -> Literal {
    Literal::Bool(v)
}

pub fn trigger(id: &str, conversion: &str, kind: TriggerKind) -> Trigger {
    Trigger {
        id: id.into(),
        conversion: conversion.into(),
        kind,
        conditions: vec![],
        unless: vec![],
        limit: Limit::OncePerEvent,
        is_macro: false,
        path: "triggers[0]".into(),
        pos: Pos { line: 1, column: 1 },
    }
}

pub fn with(mut t: Trigger, conditions: Vec<Condition>) -> Trigger {
    t.conditions = conditions;
    t
}

pub fn limited(mut t: Trigger, limit: Limit) -> Trigger {
    t.limit = limit;
    t
}

pub fn custom(id: &str, event: &str) -> Trigger {
    trigger(
        id,
        id,
        TriggerKind::Custom {
            event: EventMatch::Names(vec![event.into()]),
        },
    )
}

pub fn scroll(id: &str, units: ScrollUnits, thresholds: &[f64]) -> Trigger {
    trigger(
        id,
        id,
        TriggerKind::Scroll {
            units,
            thresholds: thresholds.to_vec(),
        },
    )
}

pub fn video(id: &str, percent: &[f64], seconds: &[f64]) -> Trigger {
    trigger(
        id,
        id,
        TriggerKind::Video {
            statuses: VideoStatuses::all(),
            progress_percent: percent.to_vec(),
            progress_seconds: seconds.to_vec(),
            include_decorative: false,
        },
    )
}

pub fn click(id: &str, selector: Option<&str>) -> Trigger {
    trigger(
        id,
        id,
        TriggerKind::Click {
            selector: selector.map(str::to_string),
        },
    )
}

pub fn link(id: &str) -> Trigger {
    trigger(id, id, TriggerKind::LinkClick)
}

pub fn page_view(id: &str) -> Trigger {
    trigger(id, id, TriggerKind::PageView)
}

/// A page from a URL (scheme://host/path?query).
pub fn page(url: &str) -> Page {
    let url = url.split('#').next().unwrap_or("");
    let after = url.split_once("://").map_or(url, |(_, r)| r);
    let (host, rest) = after.split_at(after.find('/').unwrap_or(after.len()));
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    Page {
        url: url.into(),
        host: host.into(),
        path: if path.is_empty() {
            "/".into()
        } else {
            path.into()
        },
        query: query.into(),
        title: "A post".into(),
        referrer: "https://search.example/?q=x".into(),
    }
}

pub fn rules(triggers: Vec<Trigger>) -> Rules {
    Rules {
        version: 1,
        triggers,
        affiliated_domains: vec!["shop.example.com".into()],
        ..Rules::default()
    }
}

/// An engine on `https://www.example.com/blog/post.html?utm_source=news&q=red+shoes`.
pub fn engine(triggers: Vec<Trigger>) -> Engine<NativeBackend> {
    let (mut e, errors) = Engine::new(rules(triggers), NativeBackend::default());
    assert!(errors.is_empty(), "{errors:?}");
    e.set_page(page(
        "https://www.example.com/blog/post.html?utm_source=news&q=red+shoes",
    ));
    e
}

/// An engine from rules JSON text, which must be clean.
pub fn engine_from_json(text: &str) -> Engine<NativeBackend> {
    let parsed = microconv::rules::parse(text);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let (mut e, errors) = Engine::new(parsed.rules, NativeBackend::default());
    assert!(errors.is_empty(), "{errors:?}");
    e.set_page(page("https://www.example.com/blog/post.html"));
    e
}

/// The trigger ids of conversions, in order.
pub fn ids(e: &Engine<NativeBackend>, out: &[Conversion]) -> Vec<String> {
    out.iter()
        .map(|c| e.triggers()[c.trigger].id.clone())
        .collect()
}

pub fn push(
    e: &mut Engine<NativeBackend>,
    event: &str,
    fields: &[(&str, Value)],
) -> Vec<Conversion> {
    let pushed = PushedEvent {
        event: event.into(),
        fields: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    };
    let mut out = vec![];
    e.on_push(&pushed, &mut out);
    out
}

pub fn scroll_to(
    e: &mut Engine<NativeBackend>,
    top: f64,
    viewport: f64,
    height: f64,
) -> Vec<Conversion> {
    let mut out = vec![];
    e.on_scroll(
        ScrollReading {
            top,
            viewport,
            height,
        },
        &mut out,
    );
    out
}

pub fn click_on(e: &mut Engine<NativeBackend>, el: &El, button: i16) -> Vec<Conversion> {
    let mut out = vec![];
    e.on_click(el, button, &mut out);
    out
}

pub fn media(
    e: &mut Engine<NativeBackend>,
    key: u32,
    kind: MediaEventKind,
    t: f64,
    duration: f64,
    url: &str,
) -> Vec<Conversion> {
    let ev = media_event(kind, t, duration, url);
    let mut out = vec![];
    e.on_media(key, &ev, &mut out);
    out
}

/// An HTML5 media event titled "Demo", with no flags set.
pub fn media_event(kind: MediaEventKind, t: f64, duration: f64, url: &str) -> MediaEvent {
    MediaEvent {
        kind,
        current_time: t,
        duration,
        url: url.into(),
        title: "Demo".into(),
        muted: false,
        autoplay: false,
        looped: false,
        provider: "html5",
    }
}

pub fn str_val(v: &str) -> Value {
    Value::Str(v.into())
}

/// `(status, percent)` of video conversions.
pub fn video_milestones(out: &[Conversion]) -> Vec<(String, Option<f64>)> {
    out.iter()
        .map(|c| {
            let status = match c.var("video.status") {
                Some(Value::Str(s)) => s.clone(),
                other => panic!("status {other:?}"),
            };
            let pct = match c.var("video.percent") {
                Some(Value::Num(p)) => Some(*p),
                _ => None,
            };
            (status, pct)
        })
        .collect()
}

pub fn thresholds(out: &[Conversion]) -> Vec<f64> {
    out.iter()
        .map(|c| match c.var("scroll.threshold") {
            Some(Value::Num(t)) => *t,
            other => panic!("threshold {other:?}"),
        })
        .collect()
}

pub fn el(tag: &str, attrs: &[(&str, &str)], text: &str, parent: Option<&El>) -> El {
    let mut e = NativeElement::new(tag).text(text);
    for (k, v) in attrs {
        e = e.attr(k, v);
    }
    if let Some(p) = parent {
        e = e.child_of(p);
    }
    e.build()
}

/// Trigger ids fired by a push.
pub fn push_ids(
    e: &mut Engine<NativeBackend>,
    event: &str,
    fields: &[(&str, Value)],
) -> Vec<String> {
    let out = push(e, event, fields);
    ids(e, &out)
}

/// Trigger ids fired by a click.
pub fn click_on_ids(e: &mut Engine<NativeBackend>, el: &El, button: i16) -> Vec<String> {
    let out = click_on(e, el, button);
    ids(e, &out)
}

/// A rules file with these triggers (JSON objects, comma-separated).
pub fn rules_with(triggers: &str) -> String {
    format!(r#"{{"version": 1, "endpoint": "/c", "triggers": [{triggers}]}}"#)
}

/// The validator's defects of [`rules_with`]`(triggers)`, as `path: message`.
pub fn validation_defects(triggers: &str) -> Vec<String> {
    microconv::rules::parse(&rules_with(triggers))
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect()
}

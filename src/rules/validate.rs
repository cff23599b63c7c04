//! Validating the parsed JSON into [`Rules`]: the file level and each trigger.

use super::condition::conditions;
use super::ctx::{expected, field_path, index_path, push_list, push_quoted, unknown, Ctx};
use super::names::{
    all_trigger_fields, type_of_field, COMMON_TRIGGER_FIELDS, SCROLL_UNITS, TOP_LEVEL_FIELDS,
    TRIGGER_TYPES,
};
use super::{Parsed, RuleError, TriggerRef};
use crate::json::{Json, JsonError};
use crate::msg::Msg;
use crate::prelude::*;
use crate::rules::model::{
    EventMatch, Limit, Pos, Rules, ScrollUnits, Trigger, TriggerKind, TriggerType, VideoStatus,
    VideoStatuses,
};
#[cfg(feature = "messages")]
use crate::sort::sort_by;
use crate::sort::{earlier_equal, sort_f64};

/// Parses (with `json`) and validates a rules file (see [`super::parse`]).
pub fn parse(text: &str, json: impl FnOnce(&str) -> Result<Json, JsonError>) -> Parsed {
    let mut ctx = Ctx::default();
    let rules = match text.trim_start_matches('\u{feff}').trim() {
        "" => {
            let m = "the file is empty: a rules file is a JSON object with \"version\": 1 and \"triggers\"";
            ctx.error("", Pos::START, m.into());
            Rules::default()
        }
        _ => match json(text) {
            Ok(root) => rules(&mut ctx, &root),
            Err(e) => {
                let mut m = Msg::from("malformed JSON: ");
                m.push_str(&e.message);
                ctx.error("", e.pos, m);
                Rules::default()
            }
        },
    };
    Parsed {
        rules,
        errors: in_file_order(ctx.errors),
    }
}

/// The errors in the order found (no positions without the `messages` feature).
#[cfg(not(feature = "messages"))]
#[inline(always)]
fn in_file_order(errors: Vec<RuleError>) -> Vec<RuleError> {
    errors
}

/// The errors sorted by position, keeping the order of errors at the same one.
#[cfg(feature = "messages")]
fn in_file_order(errors: Vec<RuleError>) -> Vec<RuleError> {
    let mut order: Vec<usize> = (0..errors.len()).collect();
    let pos = |i: usize| errors.get(i).map(|e| (e.pos.line, e.pos.column));
    sort_by(&mut order, |a, b| (pos(a), a) < (pos(b), b));
    let mut slots: Vec<Option<RuleError>> = errors.into_iter().map(Some).collect();
    order
        .iter()
        .filter_map(|&i| slots.get_mut(i)?.take())
        .collect()
}

fn rules(ctx: &mut Ctx, root: &Json) -> Rules {
    let mut rules = Rules::default();
    let Some(obj) = root.as_object() else {
        ctx.error(
            "",
            root.pos,
            expected("the top level to be an object", root),
        );
        return rules;
    };
    ctx.unknown_fields(
        "",
        obj,
        |k| match k {
            _ if TOP_LEVEL_FIELDS.contains(&k) => Ok(true),
            _ if COMMON_TRIGGER_FIELDS.contains(&k) || type_of_field(k).is_some() => {
                let mut m = Msg::new();
                push_quoted(&mut m, k);
                m.push_str(" is a trigger field: put it inside an object of \"triggers\"");
                Err(m)
            }
            _ => Ok(false),
        },
        TOP_LEVEL_FIELDS.iter().copied(),
    );
    if let Some(v) = ctx.required(root, "", "version") {
        match v.as_f64() {
            Some(1.0) => rules.version = 1,
            Some(_) => ctx.error(
                "version",
                v.pos,
                "unsupported version: only 1 exists".into(),
            ),
            None => ctx.error("version", v.pos, expected("the number 1", v)),
        }
    }
    rules.endpoint = ctx
        .opt_string(root, "", "endpoint", true)
        .map(str::to_string);
    if let Some(v) = root.get("affiliated_domains") {
        rules.affiliated_domains = string_list(ctx, v, "affiliated_domains", "host names", host);
    }
    if let Some(v) = root.get("allow_query") {
        rules.allow_query = string_list(ctx, v, "allow_query", "query parameter names", |p| {
            if p.is_empty() {
                Err("must not be empty".into())
            } else {
                Ok(p.into())
            }
        });
    }
    rules.count_visits = ctx.opt_bool(root, "", "count_visits");
    if let Some(v) = ctx.required(root, "", "triggers") {
        if let Some(items) = ctx.array(v, "triggers", "trigger objects") {
            // For each trigger, the first earlier one with the same id.
            let first_use = earlier_equal(items.len(), &|i| {
                let id = items.get(i)?.get("id")?.as_str()?;
                (!id.is_empty()).then_some(id)
            });
            let mut index = Vec::with_capacity(items.len());
            for (i, t) in items.iter().enumerate() {
                let first = first_use.get(i).copied().flatten();
                if let Some(t) = trigger(ctx, t, i, first) {
                    rules.triggers.push(t);
                    index.push(i);
                }
                ctx.trigger = None;
            }
            members(ctx, items, &mut rules.triggers, &index);
            if let Some(f) = root.get("funnels") {
                rules.funnels = super::funnels::funnels(ctx, f, items);
            }
            if items.is_empty() {
                // The tag would start nothing: the same verdict in the CLI.
                let m = "must list at least one trigger: with none, nothing is tracked";
                ctx.error("triggers", v.pos, m.into());
            }
        }
    }
    rules
}

/// An array of strings; `check` returns the value to keep or a problem.
fn string_list(
    ctx: &mut Ctx,
    v: &Json,
    path: &str,
    what: &str,
    check: impl Fn(&str) -> Result<String, Msg>,
) -> Vec<String> {
    let Some(items) = ctx.array(v, path, what) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = index_path(path, i);
        let Some(s) = ctx.string(item, &p, false) else {
            continue;
        };
        match check(s) {
            Ok(kept) => out.push(kept),
            Err(problem) => ctx.error(&p, item.pos, problem),
        }
    }
    out
}

/// A host name for `affiliated_domains`, lower-cased; subdomains are implied.
fn host(h: &str) -> Result<String, Msg> {
    let problem = if h.is_empty() {
        "must not be empty"
    } else if h.contains('/') {
        "expected a host name like \"shop.example.com\", not a URL"
    } else if h.starts_with("*.") {
        "write the domain without \"*.\": its subdomains are included"
    } else if h.contains(':') {
        "expected a host name without a port"
    } else if h.starts_with('.')
        || h.ends_with('.')
        || crate::text::contains(h, "..")
        || !crate::js::is_host_chars(h)
    {
        "expected a host name like \"shop.example.com\""
    } else {
        return Ok(crate::js::lower(h));
    };
    Err(problem.into())
}

fn trigger(ctx: &mut Ctx, v: &Json, i: usize, first_use: Option<usize>) -> Option<Trigger> {
    let path = index_path("triggers", i);
    ctx.trigger = Some(TriggerRef::Index(i));
    let Some(obj) = v.as_object() else {
        ctx.error(&path, v.pos, expected("a trigger object", v));
        return None;
    };
    if let Some(id) = v.get("id").and_then(Json::as_str).filter(|s| !s.is_empty()) {
        ctx.trigger = Some(TriggerRef::Id(id.into()));
    }
    let before = ctx.errors.len();

    let id = ctx.req_string(v, &path, "id");
    if let (Some(id), Some(id_v), Some(first)) = (id, v.get("id"), first_use) {
        let mut m = Msg::from("duplicate id ");
        push_quoted(&mut m, id);
        m.push_str(": ");
        m.push_str(&index_path("triggers", first));
        m.push_str(" already uses it");
        ctx.error(&field_path(&path, "id"), id_v.pos, m);
    }
    let conversion = ctx.req_string(v, &path, "conversion");
    let on = ctx.required(v, &path, "on").and_then(|x| {
        let on_path = field_path(&path, "on");
        let name = ctx.string(x, &on_path, true)?;
        let known = TriggerType::from_name(name);
        if known.is_none() {
            ctx.error(
                &on_path,
                x.pos,
                unknown("trigger type", name, TRIGGER_TYPES.iter().copied()),
            );
        }
        known
    });
    ctx.unknown_fields(
        &path,
        obj,
        |k| {
            if COMMON_TRIGGER_FIELDS.contains(&k) {
                return Ok(true);
            }
            match (type_of_field(k), on) {
                (None, _) => Ok(false),
                // Without a known type a type field cannot be judged; `on` is reported.
                (Some(_), None) => Ok(true),
                (Some(_), Some(on)) if on.fields().contains(&k) => Ok(true),
                (Some(t), Some(on)) => {
                    let mut m = Msg::new();
                    push_quoted(&mut m, k);
                    m.push_str(" applies to \"on\": ");
                    push_quoted(&mut m, t);
                    m.push_str(" triggers, not ");
                    push_quoted(&mut m, on.as_str());
                    Err(m)
                }
            }
        },
        all_trigger_fields(),
    );
    let conditions_ = conditions(ctx, v, &path, "conditions");
    let unless = conditions(ctx, v, &path, "unless");
    let limit = match ctx.opt_string(v, &path, "limit", true) {
        Some(name) => match Limit::ALL.into_iter().find(|l| l.as_str() == name) {
            Some(l) => l,
            None => {
                let pos = v.get("limit").map_or(v.pos, |l| l.pos);
                let m = unknown("limit", name, Limit::ALL.iter().map(|l| l.as_str()));
                ctx.error(&field_path(&path, "limit"), pos, m);
                Limit::default()
            }
        },
        None => Limit::default(),
    };
    let is_macro = ctx.opt_bool(v, &path, "macro");
    let _ = ctx.opt_string(v, &path, "description", false);
    // Exhaustive: a new trigger type cannot fall into another's options.
    let kind = match on {
        Some(TriggerType::Scroll) => scroll(ctx, v, &path),
        Some(TriggerType::Video) => video(ctx, v, &path),
        Some(TriggerType::Click) => {
            selector(ctx, v, &path).map(|selector| TriggerKind::Click { selector })
        }
        Some(TriggerType::LinkClick) => Some(TriggerKind::LinkClick),
        Some(TriggerType::PageView) => Some(TriggerKind::PageView),
        Some(TriggerType::FormSubmit) => {
            // Default true: a field that is absent is not `false`.
            let check_validation =
                v.get("check_validation").is_none() || ctx.opt_bool(v, &path, "check_validation");
            selector(ctx, v, &path).map(|selector| TriggerKind::FormSubmit {
                selector,
                check_validation,
            })
        }
        Some(TriggerType::FormStart) => {
            selector(ctx, v, &path).map(|selector| TriggerKind::FormStart { selector })
        }
        Some(TriggerType::Custom) => custom(ctx, v, &path),
        Some(TriggerType::TriggerGroup) => group(ctx, v, &path),
        Some(TriggerType::ElementVisibility) => visibility(ctx, v, &path),
        Some(TriggerType::Timer) => timer(ctx, v, &path),
        Some(TriggerType::Engagement) => number(
            ctx,
            v,
            &path,
            "engaged_seconds",
            |x| x > 0.0 && x <= 86_400.0,
            "must be more than 0 and at most 86400 (a day)",
        )
        .map(|engaged_seconds| TriggerKind::Engagement { engaged_seconds }),
        None => None,
    };
    if ctx.errors.len() > before {
        return None;
    }
    Some(Trigger {
        id: id?.into(),
        conversion: conversion?.into(),
        kind: kind?,
        conditions: conditions_,
        unless,
        limit,
        is_macro,
        path,
        pos: v.pos,
    })
}

/// The optional `selector` (click and form triggers): `Some(None)` without
/// one, `None` when it is invalid (reported).
fn selector(ctx: &mut Ctx, v: &Json, path: &str) -> Option<Option<String>> {
    match ctx.opt_string(v, path, "selector", true) {
        Some(s) if s.trim().is_empty() => {
            let pos = v.get("selector").map_or(v.pos, |s| s.pos);
            ctx.error(
                &field_path(path, "selector"),
                pos,
                "must not be blank".into(),
            );
            None
        }
        Some(s) => Some(Some(s.into())),
        None if v.get("selector").is_some() => None,
        None => Some(None),
    }
}

/// A custom trigger's names: exactly one of `event` (a name), `events` (a
/// list of names) and `event_matches` (a regular expression, compiled with
/// the engine's patterns).
fn custom(ctx: &mut Ctx, v: &Json, path: &str) -> Option<TriggerKind> {
    const WAYS: [&str; 3] = ["event", "events", "event_matches"];
    let given: Vec<&str> = WAYS.into_iter().filter(|f| v.get(f).is_some()).collect();
    match given.as_slice() {
        [] => {
            let m = "missing required field \"event\" (or \"events\" or \"event_matches\")";
            ctx.error(path, v.pos, m.into());
            None
        }
        [_, second, ..] => {
            let mut m = Msg::from("use one of \"event\", \"events\" and \"event_matches\", not ");
            push_quoted(&mut m, given[0]);
            m.push_str(" and ");
            push_quoted(&mut m, second);
            let pos = v.get(second).map_or(v.pos, |x| x.pos);
            ctx.error(&field_path(path, second), pos, m);
            None
        }
        ["events"] => {
            names(ctx, v, path, "events", "event name").map(|names| TriggerKind::Custom {
                event: EventMatch::Names(names),
            })
        }
        [field] => ctx
            .opt_string(v, path, field, true)
            .map(|e| TriggerKind::Custom {
                event: if *field == "event" {
                    EventMatch::Names(vec![e.into()])
                } else {
                    EventMatch::Regex(e.into())
                },
            }),
    }
}

/// An element visibility trigger: `selector` (required), how much shows
/// for how long, and once per page or per element.
fn visibility(ctx: &mut Ctx, v: &Json, path: &str) -> Option<TriggerKind> {
    let selector = match selector(ctx, v, path) {
        Some(Some(s)) => Some(s),
        Some(None) => {
            ctx.required(v, path, "selector");
            None
        }
        None => None,
    };
    let optional = |ctx: &mut Ctx, field, default, ok, range| match v.get(field) {
        None => Some(default),
        Some(_) => number(ctx, v, path, field, ok, range),
    };
    let percent = optional(
        ctx,
        "min_percent_visible",
        50.0,
        |x| x > 0.0 && x <= 100.0,
        "must be more than 0 and at most 100",
    );
    let ms = optional(
        ctx,
        "min_on_screen_ms",
        0.0,
        |x| (0.0..=3_600_000.0).contains(&x),
        "must be 0 or more, at most 3600000 (an hour)",
    );
    let per_element = either(ctx, v, path, "once_per", "choice", ["page", "element"]);
    Some(TriggerKind::ElementVisibility {
        selector: selector?,
        min_percent_visible: percent?,
        min_on_screen_ms: ms?,
        once_per_element: per_element?,
    })
}

/// An optional field of two names, the first the default: `Some(false)`
/// for it (or absence), `Some(true)` for the second, `None` when invalid
/// (reported as an unknown `what`).
fn either(
    ctx: &mut Ctx,
    v: &Json,
    path: &str,
    field: &str,
    what: &str,
    names: [&str; 2],
) -> Option<bool> {
    match ctx.opt_string(v, path, field, true) {
        None if v.get(field).is_some() => None,
        None => Some(false),
        Some(name) if name == names[0] => Some(false),
        Some(name) if name == names[1] => Some(true),
        Some(other) => {
            let pos = v.get(field).map_or(v.pos, |w| w.pos);
            ctx.error(&field_path(path, field), pos, unknown(what, other, names));
            None
        }
    }
}

/// A trigger group's own fields; its members are checked once every
/// trigger is read ([`members`]).
fn group(ctx: &mut Ctx, v: &Json, path: &str) -> Option<TriggerKind> {
    let within_session = either(ctx, v, path, "within", "scope", ["page", "session"]);
    let all_of = names(ctx, v, path, "all_of", "trigger id")?;
    Some(TriggerKind::TriggerGroup {
        all_of,
        within_session: within_session?,
    })
}

/// The required `field`: a non-empty list of non-empty strings (`what`s).
fn names(ctx: &mut Ctx, v: &Json, path: &str, field: &str, what: &str) -> Option<Vec<String>> {
    let p = field_path(path, field);
    let list = ctx.required(v, path, field)?;
    let items = ctx.array(list, &p, &crate::msg::concat(&[what, "s"]))?;
    if items.is_empty() {
        let m = crate::msg::concat(&["must list at least one ", what]);
        ctx.error(&p, list.pos, m);
        return None;
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if let Some(name) = ctx.string(item, &index_path(&p, i), true) {
            out.push(name.into());
        }
    }
    (out.len() == items.len()).then_some(out)
}

/// Each group's members must be other triggers of the file, and not groups;
/// a group with a member that is not is left out (reported).
fn members(ctx: &mut Ctx, items: &[Json], triggers: &mut Vec<Trigger>, index: &[usize]) {
    fn id_of(j: &Json) -> Option<&str> {
        j.get("id").and_then(Json::as_str)
    }
    let mut bad = Vec::new();
    for (k, t) in triggers.iter().enumerate() {
        let TriggerKind::TriggerGroup { all_of, .. } = &t.kind else {
            continue;
        };
        ctx.trigger = Some(TriggerRef::Id(t.id.clone()));
        let before = ctx.errors.len();
        let raw = index.get(k).and_then(|&i| items.get(i));
        for (j, member) in all_of.iter().enumerate() {
            let found = items.iter().find(|x| id_of(x) == Some(member.as_str()));
            let problem = match found {
                _ if *member == t.id => Some(Msg::from("a group cannot list itself")),
                None => {
                    let ids = items.iter().filter_map(id_of);
                    Some(unknown("trigger id", member, ids))
                }
                Some(x) if x.get("on").and_then(Json::as_str) == Some("trigger_group") => {
                    Some(Msg::from("a group's members are triggers, not groups"))
                }
                // A member left out for its defects: the group would never fire.
                Some(_) if !triggers.iter().any(|x| x.id == *member) => {
                    Some(Msg::from(crate::rules::MEMBER_LEFT_OUT))
                }
                Some(_) => None,
            };
            if let Some(m) = problem {
                let pos = raw
                    .and_then(|r| r.get("all_of")?.as_array()?.get(j).map(|x| x.pos))
                    .unwrap_or(t.pos);
                let path = index_path(&crate::msg::concat(&[&t.path, ".all_of"]), j);
                ctx.error(&path, pos, m);
            }
        }
        if ctx.errors.len() > before {
            bad.push(k);
        }
        ctx.trigger = None;
    }
    for k in bad.into_iter().rev() {
        triggers.remove(k);
    }
}

/// A timer: `interval_ms` (required) and `times` (optional, a whole number).
fn timer(ctx: &mut Ctx, v: &Json, path: &str) -> Option<TriggerKind> {
    let interval_ms = number(
        ctx,
        v,
        path,
        "interval_ms",
        |x| (100.0..=86_400_000.0).contains(&x),
        "must be at least 100 (a tenth of a second) and at most 86400000 (a day)",
    );
    let times = match v.get("times") {
        None => Some(None),
        Some(_) => number(
            ctx,
            v,
            path,
            "times",
            |x| (1.0..=1e6).contains(&x) && x == (x as u32) as f64,
            "must be a whole number from 1 to 1000000",
        )
        .map(|t| Some(t as u32)),
    };
    Some(TriggerKind::Timer {
        interval_ms: interval_ms?,
        times: times?,
    })
}

/// A required number field that passes `ok` (`range` says what does).
fn number(
    ctx: &mut Ctx,
    v: &Json,
    path: &str,
    field: &str,
    ok: fn(f64) -> bool,
    range: &str,
) -> Option<f64> {
    let x = ctx.required(v, path, field)?;
    let p = field_path(path, field);
    match (x.as_f64(), x.as_str()) {
        (Some(n), _) if ok(n) => return Some(n),
        (Some(_), _) => ctx.error(&p, x.pos, range.into()),
        (None, Some(s)) => {
            let mut m = Msg::from("expected a number, found the string ");
            push_quoted(&mut m, s);
            m.push_str(": write the number without quotes");
            ctx.error(&p, x.pos, m);
        }
        (None, None) => ctx.error(&p, x.pos, expected("a number", x)),
    }
    None
}

fn scroll(ctx: &mut Ctx, v: &Json, path: &str) -> Option<TriggerKind> {
    let units = match (v.get("units"), ctx.opt_string(v, path, "units", true)) {
        (None, _) => Some(ScrollUnits::Percent),
        (_, Some("percent")) => Some(ScrollUnits::Percent),
        (_, Some("pixels")) => Some(ScrollUnits::Pixels),
        (Some(u), Some(name)) => {
            ctx.error(
                &field_path(path, "units"),
                u.pos,
                unknown("units", name, SCROLL_UNITS.iter().copied()),
            );
            None
        }
        (Some(_), None) => None,
    };
    let t = ctx.required(v, path, "thresholds")?;
    let t_path = field_path(path, "thresholds");
    let thresholds = match units {
        Some(ScrollUnits::Percent) => thresholds(
            ctx,
            t,
            &t_path,
            |x| x > 0.0 && x <= 100.0,
            "a percent threshold must be greater than 0 and at most 100",
        ),
        // Pixels, or unknown units: check what holds for either.
        _ => thresholds(
            ctx,
            t,
            &t_path,
            |x| x >= 0.0,
            "a pixel threshold must be 0 or more",
        ),
    };
    Some(TriggerKind::Scroll {
        units: units?,
        thresholds: thresholds?,
    })
}

fn video(ctx: &mut Ctx, v: &Json, path: &str) -> Option<TriggerKind> {
    let statuses_v = v.get("statuses");
    let statuses = match statuses_v {
        None => Some(VideoStatuses::all()),
        Some(sv) => statuses(ctx, sv, &field_path(path, "statuses")),
    };
    let percent = v.get("progress_percent").map(|t| {
        thresholds(
            ctx,
            t,
            &field_path(path, "progress_percent"),
            |x| x > 0.0 && x < 100.0,
            "a percent threshold must be greater than 0 and less than 100 (the end is the \"complete\" status)",
        )
    });
    let seconds = v.get("progress_seconds").map(|t| {
        let p = field_path(path, "progress_seconds");
        thresholds(
            ctx,
            t,
            &p,
            |x| x > 0.0,
            "a seconds threshold must be greater than 0",
        )
    });
    if let (Some(sv), Some(st)) = (statuses_v, statuses) {
        let progress = st.contains(VideoStatus::Progress);
        if progress && percent.is_none() && seconds.is_none() {
            let m = "\"progress\" needs \"progress_percent\" or \"progress_seconds\" thresholds";
            ctx.error(&field_path(path, "statuses"), sv.pos, m.into());
        }
        for field in ["progress_percent", "progress_seconds"] {
            match v.get(field) {
                Some(t) if !progress => {
                    let mut m = Msg::new();
                    push_quoted(&mut m, field);
                    m.push_str(" has no effect: \"statuses\" does not include \"progress\"");
                    ctx.error(&field_path(path, field), t.pos, m);
                }
                _ => {}
            }
        }
    }
    let include_decorative = ctx.opt_bool(v, path, "include_decorative");
    Some(TriggerKind::Video {
        statuses: statuses?,
        progress_percent: percent.unwrap_or(Some(Vec::new()))?,
        progress_seconds: seconds.unwrap_or(Some(Vec::new()))?,
        include_decorative,
    })
}

fn statuses(ctx: &mut Ctx, v: &Json, path: &str) -> Option<VideoStatuses> {
    let items = ctx.array(v, path, "statuses")?;
    if items.is_empty() {
        let mut m = Msg::from("must list at least one status: ");
        push_list(&mut m, VideoStatus::ALL.iter().map(|s| s.as_str()));
        ctx.error(path, v.pos, m);
        return None;
    }
    let mut set = Some(VideoStatuses::default());
    for (i, item) in items.iter().enumerate() {
        let p = index_path(path, i);
        let status = ctx.string(item, &p, true).and_then(|name| {
            let s = VideoStatus::from_name(name);
            if s.is_none() {
                ctx.error(
                    &p,
                    item.pos,
                    unknown("status", name, VideoStatus::ALL.iter().map(|s| s.as_str())),
                );
            }
            s
        });
        set = match (set, status) {
            (Some(set), Some(s)) => Some(set.with(s)),
            _ => None,
        };
    }
    set
}

/// A non-empty list of numbers that pass `ok`, sorted, without duplicates.
fn thresholds(
    ctx: &mut Ctx,
    v: &Json,
    path: &str,
    ok: fn(f64) -> bool,
    range: &str,
) -> Option<Vec<f64>> {
    let items = ctx.array(v, path, "numbers")?;
    if items.is_empty() {
        ctx.error(path, v.pos, "must list at least one threshold".into());
        return None;
    }
    let mut out = Vec::with_capacity(items.len());
    let mut valid = true;
    for (i, item) in items.iter().enumerate() {
        let p = index_path(path, i);
        match (item.as_f64(), item.as_str()) {
            (Some(n), _) if ok(n) => out.push(n),
            (Some(_), _) => ctx.error(&p, item.pos, range.into()),
            (None, Some(s)) => {
                let mut m = Msg::from("expected a number, found the string ");
                push_quoted(&mut m, s);
                m.push_str(": write the number without quotes");
                ctx.error(&p, item.pos, m);
            }
            (None, None) => ctx.error(&p, item.pos, expected("a number", item)),
        }
        valid &= out.len() == i + 1;
    }
    if !valid {
        return None;
    }
    sort_f64(&mut out);
    out.dedup();
    Some(out)
}

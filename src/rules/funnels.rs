//! `funnels`: ordered conversions the report counts per session (steps in
//! order within a session). Only the collector reads them; the tag does not
//! (they are not in the published form), but `check` validates them
//! against the conversions the file's triggers report.

use super::ctx::{expected, field_path, index_path, push_quoted, unknown, Ctx};
use super::names::FUNNEL_FIELDS;
use crate::json::Json;
use crate::msg::Msg;
use crate::prelude::*;
use crate::rules::model::Funnel;

/// The funnels of `v` (the top-level `funnels` value); `triggers` are the
/// file's raw trigger objects, whose `conversion`s the steps must name.
pub fn funnels(ctx: &mut Ctx, v: &Json, triggers: &[Json]) -> Vec<Funnel> {
    let Some(items) = ctx.array(v, "funnels", "funnel objects") else {
        return Vec::new();
    };
    let conversions: Vec<&str> = triggers
        .iter()
        .filter_map(|t| t.get("conversion")?.as_str())
        .collect();
    let mut out: Vec<Funnel> = Vec::new();
    for (i, f) in items.iter().enumerate() {
        let path = index_path("funnels", i);
        let before = ctx.errors.len();
        let Some(obj) = f.as_object() else {
            ctx.error(&path, f.pos, expected("a funnel object", f));
            continue;
        };
        ctx.unknown_fields(
            &path,
            obj,
            |k| Ok(FUNNEL_FIELDS.contains(&k)),
            FUNNEL_FIELDS.iter().copied(),
        );
        let id = ctx.req_string(f, &path, "id").unwrap_or_default();
        if !id.is_empty() && out.iter().any(|o| o.id == id) {
            let mut m = Msg::from("duplicate funnel id ");
            push_quoted(&mut m, id);
            ctx.error(&field_path(&path, "id"), f.pos, m);
        }
        let name = ctx.opt_string(f, &path, "name", true).unwrap_or(id);
        let steps = steps(ctx, f, &path, &conversions);
        if ctx.errors.len() == before {
            out.push(Funnel {
                id: id.into(),
                name: name.into(),
                steps,
            });
        }
    }
    out
}

/// `steps`: at least two conversions of the file, each once.
fn steps(ctx: &mut Ctx, f: &Json, path: &str, conversions: &[&str]) -> Vec<String> {
    let Some(v) = ctx.required(f, path, "steps") else {
        return Vec::new();
    };
    let p = field_path(path, "steps");
    let Some(items) = ctx.array(v, &p, "conversion names") else {
        return Vec::new();
    };
    if items.len() < 2 {
        let m = "a funnel needs at least two steps (conversion names, in order)";
        ctx.error(&p, v.pos, m.into());
    }
    let mut out: Vec<String> = Vec::new();
    for (j, step) in items.iter().enumerate() {
        let sp = index_path(&p, j);
        let Some(s) = ctx.string(step, &sp, true) else {
            continue;
        };
        if !conversions.contains(&s) {
            let m = unknown("conversion", s, conversions.iter().copied());
            ctx.error(&sp, step.pos, m);
        } else if out.iter().any(|o| o == s) {
            let mut m = Msg::from("step ");
            push_quoted(&mut m, s);
            m.push_str(" is listed twice: each step is a different conversion");
            ctx.error(&sp, step.pos, m);
        }
        out.push(s.into());
    }
    out
}

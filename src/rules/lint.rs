//! Warnings: rules that are valid but probably do not mean what their
//! author wants (`microconv check` prints them; `--strict` makes them
//! defects). Only with the `messages` feature: the tag never lints.

use super::{RuleError, TriggerRef};
use crate::prelude::*;
use crate::rules::model::{
    Operator, Rules, ScrollUnits, Trigger, TriggerKind, Variable, VideoStatuses,
};

/// The warnings of valid `rules`, in file order.
pub fn warnings(rules: &Rules) -> Vec<RuleError> {
    let mut out = Vec::new();
    for t in &rules.triggers {
        let mut warn = |path: String, message: &str, pos| {
            out.push(RuleError {
                trigger: Some(TriggerRef::Id(t.id.clone())),
                path,
                message: message.into(),
                pos,
            })
        };
        match &t.kind {
            TriggerKind::Video {
                statuses,
                progress_percent,
                progress_seconds,
                ..
            } if *statuses == VideoStatuses::all()
                && !(progress_percent.is_empty() && progress_seconds.is_empty()) =>
            {
                warn(
                    format!("{}.statuses", t.path),
                    "without \"statuses\" the trigger also fires on start, pause, seek and complete, not only at its thresholds: list the statuses it should report, e.g. [\"progress\"]",
                    t.pos,
                );
            }
            TriggerKind::Scroll {
                units: ScrollUnits::Percent,
                ..
            } if !has_page_condition(t) => warn(
                t.path.clone(),
                "a percent scroll trigger without a page condition fires on every page, and at once (every threshold) on pages shorter than the window: add a page.path condition",
                t.pos,
            ),
            _ => {}
        }
        for c in t.conditions.iter().chain(&t.unless) {
            let literal = match &c.value {
                crate::rules::model::Literal::Str(s) => s.as_str(),
                _ => continue,
            };
            if c.variable == Variable::PagePath
                && c.operator == Operator::Equals
                && !c.negate
                && !literal.starts_with('/')
            {
                warn(
                    format!("{}.value", c.path),
                    "page.path starts with \"/\" and has no host or query, so this never matches: write the path, e.g. \"/thank-you\" (a trailing slash does not matter)",
                    c.pos,
                );
            }
        }
    }
    out
}

/// Whether the trigger has a condition on the page (`page.*`, `query.*`).
fn has_page_condition(t: &Trigger) -> bool {
    t.conditions.iter().any(|c| {
        matches!(
            c.variable,
            Variable::PageUrl
                | Variable::PageHost
                | Variable::PagePath
                | Variable::PageQuery
                | Variable::PageTitle
                | Variable::Query(_)
        )
    })
}

/// The `dl.<key>` variables the triggers' conditions read, each with its
/// trigger, path and position, for `--simulate` to hold to the pushes.
pub fn dl_keys(rules: &Rules) -> Vec<(&str, RuleError)> {
    let mut out = Vec::new();
    for t in &rules.triggers {
        for c in t.conditions.iter().chain(&t.unless) {
            if let Variable::Dl(key) = &c.variable {
                out.push((
                    key.as_str(),
                    RuleError {
                        trigger: Some(TriggerRef::Id(t.id.clone())),
                        path: format!("{}.variable", c.path),
                        message: String::new(),
                        pos: c.pos,
                    },
                ));
            }
        }
    }
    out
}

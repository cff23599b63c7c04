//! Validating `conditions` / `unless` entries: variable, operator, value and
//! whether they fit together. (Regex and selector syntax is checked when the
//! engine compiles them, through the platform backend.)

use super::ctx::{expected, field_path, index_path, push_list, push_quoted, unknown, Ctx};
use super::names::CONDITION_FIELDS;
#[cfg(feature = "messages")]
use super::suggest;
use crate::json::{Json, JsonKind};
use crate::msg::Msg;
use crate::prelude::*;
use crate::rules::model::{Condition, Literal, Operator, VarType, Variable};
#[cfg(feature = "messages")]
use crate::rules::model::{VARIABLES, VARIABLE_PREFIXES};

/// An example key for each prefix family, for messages.
#[cfg(feature = "messages")]
fn example_key(prefix: &str) -> &'static str {
    match prefix {
        "query." => "query.utm_source",
        "click.attr." => "click.attr.data-id",
        "js." => "js.app.user.plan",
        _ => "dl.plan",
    }
}

/// Validates the list in `trigger.<field>` (`conditions` or `unless`).
pub fn conditions(ctx: &mut Ctx, trigger: &Json, path: &str, field: &str) -> Vec<Condition> {
    let Some(v) = trigger.get(field) else {
        return Vec::new();
    };
    let path = field_path(path, field);
    let Some(items) = ctx.array(v, &path, "conditions") else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, c)| condition(ctx, c, index_path(&path, i)))
        .collect()
}

fn condition(ctx: &mut Ctx, v: &Json, path: Msg) -> Option<Condition> {
    let Some(obj) = v.as_object() else {
        let m = expected(
            "a condition object ({\"variable\": ..., \"operator\": ..., \"value\": ...})",
            v,
        );
        ctx.error(&path, v.pos, m);
        return None;
    };
    let before = ctx.errors.len();
    ctx.unknown_fields(
        &path,
        obj,
        |k| Ok(CONDITION_FIELDS.contains(&k)),
        CONDITION_FIELDS.iter().copied(),
    );

    let variable = ctx
        .required(v, &path, "variable")
        .and_then(|x| variable(ctx, x, &field_path(&path, "variable")));
    let operator = ctx
        .required(v, &path, "operator")
        .and_then(|x| operator(ctx, x, &field_path(&path, "operator")));
    let negate = ctx.opt_bool(v, &path, "negate");
    let ignore_case = ctx.opt_bool(v, &path, "ignore_case");
    let value = ctx.required(v, &path, "value");

    let (Some(variable), Some(operator), Some(value)) = (variable, operator, value) else {
        return None;
    };
    // The value is only worth checking against an operator that fits.
    let literal = match fits(ctx, v, &path, &variable, operator) {
        true => literal(ctx, value, &field_path(&path, "value"), &variable, operator),
        false => None,
    };
    if ctx.errors.len() > before {
        return None;
    }
    Some(Condition {
        variable,
        operator,
        value: literal?,
        negate,
        ignore_case,
        pos: value.pos,
        path,
    })
}

fn variable(ctx: &mut Ctx, v: &Json, path: &str) -> Option<Variable> {
    let name = ctx.string(v, path, true)?;
    if let Some(var) = Variable::from_name(name) {
        return Some(var);
    }
    ctx.error(path, v.pos, unknown_variable(name));
    None
}

/// Nothing (no `messages` feature).
#[cfg(not(feature = "messages"))]
#[inline(always)]
fn unknown_variable(_: &str) -> Msg {
    Msg
}

/// Why `name` is not a variable, with a suggestion when one is close.
#[cfg(feature = "messages")]
fn unknown_variable(name: &str) -> Msg {
    let mut m = String::new();
    if let Some(prefix) = VARIABLE_PREFIXES
        .iter()
        .find(|p| **p == name || p.strip_suffix('.') == Some(name))
    {
        push_quoted(&mut m, name);
        m.push_str(" needs a key after the dot, e.g. ");
        push_quoted(&mut m, example_key(prefix));
    } else {
        let fixed = VARIABLES.iter().map(|s| s.name);
        m = match suggest::closest(name, fixed.clone()) {
            Some(_) => unknown("variable", name, fixed),
            None => match prefixed_suggestion(name) {
                Some(s) => {
                    let mut m = String::from("unknown variable ");
                    push_quoted(&mut m, name);
                    m.push_str(" (did you mean ");
                    push_quoted(&mut m, &s);
                    m.push_str("?)");
                    m
                }
                None => {
                    let mut m = unknown("variable", name, fixed);
                    m.push_str(", or a key of ");
                    push_list(&mut m, VARIABLE_PREFIXES.iter().map(|p| example_key(p)));
                    m
                }
            },
        };
    }
    m
}

/// `click.attrs.href` → `click.attr.href`: a misspelt family prefix with a key.
#[cfg(feature = "messages")]
fn prefixed_suggestion(name: &str) -> Option<String> {
    for (i, c) in name.char_indices() {
        if c != '.' {
            continue;
        }
        let (head, key) = (name.get(..=i)?, name.get(i + 1..)?);
        if key.is_empty() {
            continue;
        }
        if let Some(prefix) = suggest::closest(head, VARIABLE_PREFIXES.iter().copied()) {
            let mut s = String::from(prefix);
            s.push_str(key);
            return Some(s);
        }
    }
    None
}

fn operator(ctx: &mut Ctx, v: &Json, path: &str) -> Option<Operator> {
    let name = ctx.string(v, path, true)?;
    let op = Operator::from_name(name);
    if op.is_none() {
        ctx.error(
            path,
            v.pos,
            unknown("operator", name, Operator::ALL.iter().map(|o| o.as_str())),
        );
    }
    op
}

/// Checks that the operator (and `ignore_case`) suit the variable; `false`
/// when the operator does not.
fn fits(ctx: &mut Ctx, cond: &Json, path: &str, variable: &Variable, op: Operator) -> bool {
    let op_path = field_path(path, "operator");
    let op_pos = cond.get("operator").map(|o| o.pos).unwrap_or(cond.pos);
    let var_type = variable.var_type();
    let before = ctx.errors.len();
    if op == Operator::MatchesCss && var_type != VarType::Element {
        ctx.error(
            &op_path,
            op_pos,
            "\"matches_css\" applies only to \"variable\": \"click.element\"".into(),
        );
    } else if var_type == VarType::Element && op != Operator::MatchesCss {
        let mut m = Msg::from(
            "\"click.element\" is an element: its only operator is \"matches_css\", not ",
        );
        push_quoted(&mut m, op.as_str());
        ctx.error(&op_path, op_pos, m);
    } else if var_type == VarType::Bool && op != Operator::Equals {
        let mut m = Msg::new();
        push_quoted(&mut m, name_of(cond));
        m.push_str(" is true or false: use \"equals\" (and \"negate\"), not ");
        push_quoted(&mut m, op.as_str());
        ctx.error(&op_path, op_pos, m);
    }
    let op_fits = ctx.errors.len() == before;
    if let Some(ic) = cond.get("ignore_case") {
        if !op.is_string() {
            let mut m = Msg::from("\"ignore_case\" applies only to string operators (");
            push_list(
                &mut m,
                Operator::ALL
                    .iter()
                    .filter(|o| o.is_string())
                    .map(|o| o.as_str()),
            );
            m.push_str("), not ");
            push_quoted(&mut m, op.as_str());
            ctx.error(&field_path(path, "ignore_case"), ic.pos, m);
        }
    }
    op_fits
}

fn name_of(cond: &Json) -> &str {
    cond.get("variable").and_then(Json::as_str).unwrap_or("")
}

/// JS `Number()` of a numeric string the marketer wrote (decimal only).
fn numeric_string(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return None;
    }
    Some(crate::js::number(t)).filter(|n| n.is_finite())
}

/// Checks that `value` has a type the operator can compare with.
fn literal(
    ctx: &mut Ctx,
    v: &Json,
    path: &str,
    variable: &Variable,
    op: Operator,
) -> Option<Literal> {
    let lit = match (&v.kind, op) {
        (JsonKind::Str(s), Operator::MatchesCss) if s.trim().is_empty() => {
            ctx.error(
                path,
                v.pos,
                "expected a CSS selector, found an empty string".into(),
            );
            return None;
        }
        (JsonKind::Str(s), Operator::MatchesRegex | Operator::MatchesCss) => {
            Literal::Str(s.clone())
        }
        (_, Operator::MatchesRegex) => {
            ctx.error(path, v.pos, expected("a regular expression in a string", v));
            return None;
        }
        (_, Operator::MatchesCss) => {
            ctx.error(path, v.pos, expected("a CSS selector in a string", v));
            return None;
        }
        (JsonKind::Bool(b), _) if variable.var_type() == VarType::Bool => Literal::Bool(*b),
        (JsonKind::Str(s), _) if variable.var_type() == VarType::Bool => match s.as_str() {
            "true" => Literal::Bool(true),
            "false" => Literal::Bool(false),
            _ => {
                let mut m = Msg::from("expected true or false, found the string ");
                push_quoted(&mut m, s);
                ctx.error(path, v.pos, m);
                return None;
            }
        },
        (_, _) if variable.var_type() == VarType::Bool => {
            ctx.error(path, v.pos, expected("true or false", v));
            return None;
        }
        (JsonKind::Num(n), _) => Literal::Num(*n),
        (JsonKind::Str(s), o) if o.is_numeric() => match numeric_string(s) {
            Some(n) => Literal::Num(n),
            None => {
                let mut m = Msg::from("expected a number, found the string ");
                push_quoted(&mut m, s);
                ctx.error(path, v.pos, m);
                return None;
            }
        },
        (_, o) if o.is_numeric() => {
            ctx.error(path, v.pos, expected("a number", v));
            return None;
        }
        (JsonKind::Str(s), _) => Literal::Str(s.clone()),
        (JsonKind::Bool(b), Operator::Equals) => Literal::Bool(*b),
        (_, Operator::Equals) => {
            ctx.error(path, v.pos, expected("a string, number or boolean", v));
            return None;
        }
        (_, o) => {
            let mut m = Msg::from("expected a string or number to compare with ");
            push_quoted(&mut m, o.as_str());
            m.push_str(", found ");
            m.push_str(v.type_name());
            ctx.error(path, v.pos, m);
            return None;
        }
    };
    Some(lit)
}

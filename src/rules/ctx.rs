//! Collecting defects while validating: the error list, the trigger being
//! validated, and helpers for paths, quoting and typed field reads.
//!
//! Every helper that builds text has a twin without the `messages` feature
//! that builds nothing (see [`crate::msg`]); the checks themselves are the same.

use super::{RuleError, TriggerRef};
use crate::json::{Json, Member};
use crate::msg::Msg;
use crate::prelude::*;
use crate::rules::model::Pos;
#[cfg(feature = "messages")]
use crate::rules::suggest;

/// Longest name quoted in a message; longer ones are cut (hostile input).
#[cfg(feature = "messages")]
const QUOTE_CAP: usize = 60;

/// Appends `s` as a JSON string, cut to [`QUOTE_CAP`] characters.
#[cfg(feature = "messages")]
pub fn push_quoted(out: &mut Msg, s: &str) {
    match s.char_indices().nth(QUOTE_CAP) {
        Some((cut, _)) => {
            let mut short = String::from(s.get(..cut).unwrap_or(""));
            short.push('…');
            crate::json::write_str(out, &short);
        }
        None => crate::json::write_str(out, s),
    }
}

/// `s` quoted (see [`push_quoted`]).
#[cfg(feature = "messages")]
pub fn quoted(s: &str) -> String {
    let mut out = String::new();
    push_quoted(&mut out, s);
    out
}

/// `path.field` (or `field` at the top).
#[cfg(feature = "messages")]
pub fn field_path(path: &str, field: &str) -> Msg {
    let mut p = String::with_capacity(path.len() + field.len() + 1);
    p.push_str(path);
    if !path.is_empty() {
        p.push('.');
    }
    p.push_str(field);
    p
}

/// `path[index]`.
#[cfg(feature = "messages")]
pub fn index_path(path: &str, index: usize) -> Msg {
    let mut p = String::from(path);
    p.push('[');
    crate::msg::push_uint(&mut p, index);
    p.push(']');
    p
}

/// `", found <type>"`-style tail for type errors.
#[cfg(feature = "messages")]
pub fn expected(what: &str, found: &Json) -> Msg {
    let mut m = String::from("expected ");
    m.push_str(what);
    m.push_str(", found ");
    m.push_str(found.type_name());
    m
}

/// Nothing (no `messages` feature).
#[cfg(not(feature = "messages"))]
#[inline(always)]
pub fn push_quoted(_: &mut Msg, _: &str) {}

/// Nothing (no `messages` feature).
#[cfg(not(feature = "messages"))]
#[inline(always)]
pub fn field_path(_: &str, _: &str) -> Msg {
    Msg
}

/// Nothing (no `messages` feature).
#[cfg(not(feature = "messages"))]
#[inline(always)]
pub fn index_path(_: &str, _: usize) -> Msg {
    Msg
}

/// Nothing (no `messages` feature).
#[cfg(not(feature = "messages"))]
#[inline(always)]
pub fn expected(_: &str, _: &Json) -> Msg {
    Msg
}

/// Nothing (no `messages` feature).
#[cfg(not(feature = "messages"))]
#[inline(always)]
pub fn unknown<'c>(_: &str, _: &str, _: impl IntoIterator<Item = &'c str> + Clone) -> Msg {
    Msg
}

/// Nothing (no `messages` feature).
#[cfg(not(feature = "messages"))]
#[inline(always)]
pub fn push_list<'c>(_: &mut Msg, _: impl IntoIterator<Item = &'c str>) {}

/// `unknown <what> "name" (did you mean "x"?)`, or with the list of valid names.
#[cfg(feature = "messages")]
pub fn unknown<'c>(
    what: &str,
    name: &str,
    known: impl IntoIterator<Item = &'c str> + Clone,
) -> Msg {
    let mut m = String::from("unknown ");
    m.push_str(what);
    m.push(' ');
    push_quoted(&mut m, name);
    match suggest::closest(name, known.clone()) {
        Some(s) => {
            m.push_str(" (did you mean ");
            push_quoted(&mut m, s);
            m.push_str("?)");
        }
        None => {
            m.push_str(": expected one of ");
            push_list(&mut m, known);
        }
    }
    m
}

/// `"a", "b", "c"`.
#[cfg(feature = "messages")]
pub fn push_list<'c>(out: &mut Msg, items: impl IntoIterator<Item = &'c str>) {
    for (i, s) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_quoted(out, s);
    }
}

/// The validation state.
#[derive(Default)]
pub struct Ctx {
    /// Every defect so far.
    pub errors: Vec<RuleError>,
    /// The trigger being validated, for the errors' `trigger`.
    pub trigger: Option<TriggerRef>,
}

impl Ctx {
    /// Records a defect of the current trigger (or of the file).
    pub fn error(&mut self, path: &str, pos: Pos, message: Msg) {
        self.errors.push(RuleError {
            trigger: self.trigger.clone(),
            path: path.into(),
            message,
            pos,
        });
    }

    /// Reports every member of `obj` whose key `known` rejects; `known`
    /// returns `Err(message)` for keys it has a message of its own for.
    pub fn unknown_fields(
        &mut self,
        path: &str,
        obj: &[Member],
        mut known: impl FnMut(&str) -> Result<bool, Msg>,
        candidates: impl IntoIterator<Item = &'static str> + Clone,
    ) {
        for m in obj {
            let message = match known(&m.key) {
                Ok(true) => continue,
                Ok(false) => unknown("field", &m.key, candidates.clone()),
                Err(message) => message,
            };
            self.error(&field_path(path, &m.key), m.key_pos, message);
        }
    }

    /// A required field; reports it missing (at the object's position).
    pub fn required<'j>(&mut self, obj: &'j Json, path: &str, field: &str) -> Option<&'j Json> {
        let v = obj.get(field);
        if v.is_none() {
            let mut m = Msg::from("missing required field ");
            push_quoted(&mut m, field);
            self.error(path, obj.pos, m);
        }
        v
    }

    /// A string, non-empty when `non_empty`.
    pub fn string<'j>(&mut self, v: &'j Json, path: &str, non_empty: bool) -> Option<&'j str> {
        match v.as_str() {
            Some("") if non_empty => {
                self.error(path, v.pos, "must not be empty".into());
                None
            }
            Some(s) => Some(s),
            None => {
                self.error(path, v.pos, expected("a string", v));
                None
            }
        }
    }

    /// An optional string field of `obj`.
    pub fn opt_string<'j>(
        &mut self,
        obj: &'j Json,
        path: &str,
        field: &str,
        non_empty: bool,
    ) -> Option<&'j str> {
        let v = obj.get(field)?;
        self.string(v, &field_path(path, field), non_empty)
    }

    /// A required string field of `obj`.
    pub fn req_string<'j>(&mut self, obj: &'j Json, path: &str, field: &str) -> Option<&'j str> {
        let v = self.required(obj, path, field)?;
        self.string(v, &field_path(path, field), true)
    }

    /// An optional boolean field of `obj` (`false` when absent or wrong).
    pub fn opt_bool(&mut self, obj: &Json, path: &str, field: &str) -> bool {
        let Some(v) = obj.get(field) else {
            return false;
        };
        match v.as_bool() {
            Some(b) => b,
            None => {
                self.error(
                    &field_path(path, field),
                    v.pos,
                    expected("true or false", v),
                );
                false
            }
        }
    }

    /// An array.
    pub fn array<'j>(&mut self, v: &'j Json, path: &str, what: &str) -> Option<&'j [Json]> {
        let a = v.as_array();
        if a.is_none() {
            let mut w = Msg::from("an array of ");
            w.push_str(what);
            self.error(path, v.pos, expected(&w, v));
        }
        a
    }
}

//! Operators, compiled once per condition so evaluation never allocates.
//!
//! Semantics (GTM's, see `shared/reference/triggers.md` §5):
//! - `equals` compares string forms (`String(a) == String(b)`, booleans as
//!   `"true"`/`"false"`, null as `""`); when the literal is a number or boolean
//!   and the actual value is one too, they are compared as numbers instead, so
//!   `link.outbound equals true` and `scroll.threshold equals 50` both work.
//! - `page.path equals "/thank-you"` also holds on `/thank-you/` (and the
//!   other way round): one trailing slash is ignored on both sides, as
//!   servers usually serve both; other operators see the path as it is.
//! - `contains`, `starts_with`, `ends_with` work on string forms.
//! - `ignore_case` compares JS `toLowerCase()` forms: the literal is lowered once
//!   here, the actual value into a reusable scratch buffer (ASCII without a call).
//! - `matches_regex`: JavaScript `RegExp.test` through the backend (flag `i`
//!   with `ignore_case`), unanchored.
//! - `matches_css`: `Element.matches` on `click.element`; false for anything
//!   that is not an element.
//! - Numeric operators convert both sides like JS `Number()`; NaN on either
//!   side makes them false.
//! - `negate` inverts the final result, so a negated comparison with NaN is
//!   true: GTM's "does not …" semantics.

use super::scope::Scope;
use super::value::{js_number, NumBuf, Val};
use crate::backend::Backend;
use crate::msg::Msg;
use crate::prelude::*;
use crate::rules::model::{Condition, Literal, Operator, Variable};

/// Reusable buffers so string operators do not allocate per condition.
#[derive(Default)]
pub(crate) struct Scratch {
    num: NumBuf,
    lower: String,
}

enum StrOp {
    Equals,
    /// `equals` on `page.path`: one trailing `/` on either side is ignored.
    PathEquals,
    Contains,
    StartsWith,
    EndsWith,
}

enum NumOp {
    Lt,
    Le,
    Gt,
    Ge,
}

enum Test<B: Backend> {
    Str {
        op: StrOp,
        /// String form of the literal, lower-cased with `ignore_case`.
        lit: String,
        ignore_case: bool,
        /// For `equals` with a number or boolean literal: its number.
        scalar: Option<f64>,
    },
    Regex(B::Regex),
    Css(B::Selector),
    Num {
        op: NumOp,
        lit: f64,
    },
}

/// A condition ready to evaluate.
pub(crate) struct Compiled<B: Backend> {
    var: Variable,
    test: Test<B>,
    negate: bool,
}

fn literal_string(lit: &Literal) -> String {
    match lit {
        Literal::Str(s) => s.clone(),
        Literal::Num(n) => NumBuf::default().js_string(*n).to_string(),
        Literal::Bool(b) => if *b { "true" } else { "false" }.to_string(),
    }
}

fn literal_number(lit: &Literal) -> f64 {
    match lit {
        Literal::Str(s) => js_number(s),
        Literal::Num(n) => *n,
        Literal::Bool(b) => f64::from(u8::from(*b)),
    }
}

/// `path` without one trailing `/`, except the root path `/` itself.
fn trim_slash(path: &str) -> &str {
    match path.strip_suffix('/') {
        Some(rest) if !rest.is_empty() => rest,
        _ => path,
    }
}

impl<B: Backend> Compiled<B> {
    /// Compiles `cond`; `Err(reason)` when its regex or selector is invalid.
    pub(crate) fn new(cond: &Condition, backend: &B) -> Result<Self, Msg> {
        let str_test = |op| {
            let s = literal_string(&cond.value);
            Test::Str {
                op,
                lit: if cond.ignore_case {
                    crate::js::lower(&s)
                } else {
                    s
                },
                ignore_case: cond.ignore_case,
                scalar: match (&cond.value, cond.operator) {
                    (Literal::Num(_) | Literal::Bool(_), Operator::Equals) => {
                        Some(literal_number(&cond.value))
                    }
                    _ => None,
                },
            }
        };
        let num = |op| Test::Num {
            op,
            lit: literal_number(&cond.value),
        };
        let test = match cond.operator {
            Operator::Equals if cond.variable == Variable::PagePath => {
                let mut t = str_test(StrOp::PathEquals);
                if let Test::Str { lit, .. } = &mut t {
                    let trimmed = trim_slash(lit).len();
                    lit.truncate(trimmed);
                }
                t
            }
            Operator::Equals => str_test(StrOp::Equals),
            Operator::Contains => str_test(StrOp::Contains),
            Operator::StartsWith => str_test(StrOp::StartsWith),
            Operator::EndsWith => str_test(StrOp::EndsWith),
            Operator::MatchesRegex => Test::Regex(
                backend
                    .compile_regex(&literal_string(&cond.value), cond.ignore_case)
                    .ok_or_else(|| crate::msg::bad_regex(&literal_string(&cond.value)))?,
            ),
            Operator::MatchesCss => Test::Css(
                backend
                    .compile_selector(&literal_string(&cond.value))
                    .ok_or_else(|| crate::msg::bad_selector(&literal_string(&cond.value)))?,
            ),
            Operator::LessThan => num(NumOp::Lt),
            Operator::LessOrEqual => num(NumOp::Le),
            Operator::GreaterThan => num(NumOp::Gt),
            Operator::GreaterOrEqual => num(NumOp::Ge),
        };
        Ok(Compiled {
            var: cond.variable.clone(),
            test,
            negate: cond.negate,
        })
    }

    /// Whether the condition holds for the event in `scope`.
    pub(crate) fn eval(
        &self,
        backend: &B,
        scope: &Scope<'_, B::Element>,
        scratch: &mut Scratch,
    ) -> bool {
        if let Variable::Js(path) = &self.var {
            // A page global is read when a condition needs it, never kept.
            let global = backend.global(path);
            return self.test(backend, &global.as_val(), scratch) != self.negate;
        }
        let actual = scope.resolve(&self.var);
        self.test(backend, &actual, scratch) != self.negate
    }

    fn test(&self, backend: &B, actual: &Val<'_, B::Element>, scratch: &mut Scratch) -> bool {
        match &self.test {
            Test::Str {
                op,
                lit,
                ignore_case,
                scalar,
            } => {
                if let (Some(n), Val::Num(_) | Val::Bool(_)) = (scalar, actual) {
                    return actual.to_number() == *n;
                }
                let mut s = actual.string_form(&mut scratch.num);
                if *ignore_case {
                    scratch.lower.clear();
                    crate::js::push_lower(&mut scratch.lower, s);
                    s = &scratch.lower;
                }
                let lit = lit.as_str();
                match op {
                    StrOp::Equals => s == lit,
                    StrOp::PathEquals => trim_slash(s) == lit,
                    StrOp::Contains => crate::text::contains(s, lit),
                    StrOp::StartsWith => s.starts_with(lit),
                    StrOp::EndsWith => s.ends_with(lit),
                }
            }
            Test::Regex(re) => backend.regex_test(re, actual.string_form(&mut scratch.num)),
            Test::Css(sel) => match actual {
                Val::Elem(el) => backend.matches(el, sel),
                _ => false,
            },
            Test::Num { op, lit } => {
                let a = actual.to_number();
                // Comparisons with NaN are already false in IEEE 754.
                match op {
                    NumOp::Lt => a < *lit,
                    NumOp::Le => a <= *lit,
                    NumOp::Gt => a > *lit,
                    NumOp::Ge => a >= *lit,
                }
            }
        }
    }
}

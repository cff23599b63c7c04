//! Writing published rules (the CLI's `publish`, the collector, and the
//! diagnostics file compiling a plain `rules.json` in the page). The form is
//! described in [`super`]; [`super::read`] reads back exactly what this writes.

use super::{hash_hex, MAGIC, VERSION};
use crate::prelude::*;
use crate::rules::model::{
    Condition, EventMatch, Literal, Rules, ScrollUnits, Trigger, TriggerKind,
};
use crate::text::push_uint;

/// The published form of `rules` (validated rules: `rules::parse`'s valid part).
pub fn write(rules: &Rules) -> String {
    let body = body(rules);
    let mut out = String::with_capacity(body.len() + 40);
    out.push_str(MAGIC);
    out.push_str(VERSION);
    out.push(' ');
    out.push_str(&hash_hex(body.as_bytes()));
    out.push('\n');
    out.push_str(&body);
    out
}

/// The hash the published form of `rules` carries (and its beacons).
pub fn hash_of(rules: &Rules) -> String {
    hash_hex(body(rules).as_bytes())
}

fn body(rules: &Rules) -> String {
    let mut w = W(String::new());
    w.str(rules.endpoint.as_deref().unwrap_or(""));
    w.strings(&rules.affiliated_domains);
    w.strings(&rules.allow_query);
    w.num(usize::from(rules.count_visits));
    w.num(rules.triggers.len());
    for t in &rules.triggers {
        trigger(&mut w, t);
    }
    w.0
}

fn trigger(w: &mut W, t: &Trigger) {
    w.str(&t.id);
    w.str(&t.conversion);
    let ty = t.kind.ty();
    w.index(&crate::rules::model::TriggerType::ALL, &ty);
    w.index(&crate::rules::model::Limit::ALL, &t.limit);
    w.num(usize::from(t.is_macro));
    match &t.kind {
        TriggerKind::Scroll { units, thresholds } => {
            w.num(usize::from(*units == ScrollUnits::Pixels));
            w.floats(thresholds);
        }
        TriggerKind::Video {
            statuses,
            progress_percent,
            progress_seconds,
            include_decorative,
        } => {
            w.num(usize::from(statuses.bits()));
            w.floats(progress_percent);
            w.floats(progress_seconds);
            w.num(usize::from(*include_decorative));
        }
        TriggerKind::Click { selector } | TriggerKind::FormStart { selector } => {
            w.str(selector.as_deref().unwrap_or(""))
        }
        TriggerKind::FormSubmit {
            selector,
            check_validation,
        } => {
            w.str(selector.as_deref().unwrap_or(""));
            w.num(usize::from(*check_validation));
        }
        TriggerKind::LinkClick | TriggerKind::PageView => {}
        TriggerKind::Timer { interval_ms, times } => {
            w.float(*interval_ms);
            w.num(times.map_or(0, |t| t as usize));
        }
        TriggerKind::Engagement { engaged_seconds } => w.float(*engaged_seconds),
        TriggerKind::ElementVisibility {
            selector,
            min_percent_visible,
            min_on_screen_ms,
            once_per_element,
        } => {
            w.str(selector);
            w.float(*min_percent_visible);
            w.float(*min_on_screen_ms);
            w.num(usize::from(*once_per_element));
        }
        TriggerKind::TriggerGroup {
            all_of,
            within_session,
        } => {
            w.strings(all_of);
            w.num(usize::from(*within_session));
        }
        TriggerKind::Custom { event } => match event {
            EventMatch::Names(names) => {
                w.num(0);
                w.strings(names);
            }
            EventMatch::Regex(re) => {
                w.num(1);
                w.str(re);
            }
        },
    }
    for list in [&t.conditions, &t.unless] {
        w.num(list.len());
        for c in list.iter() {
            condition(w, c);
        }
    }
}

fn condition(w: &mut W, c: &Condition) {
    w.str(&c.variable.name());
    w.index(&crate::rules::model::Operator::ALL, &c.operator);
    w.num(usize::from(c.negate) | usize::from(c.ignore_case) << 1);
    match &c.value {
        Literal::Str(s) => {
            w.num(0);
            w.str(s);
        }
        Literal::Num(n) => {
            w.num(1);
            w.float(*n);
        }
        Literal::Bool(b) => {
            w.num(2);
            w.num(usize::from(*b));
        }
    }
}

/// The body being written.
struct W(String);

impl W {
    fn num(&mut self, n: usize) {
        push_uint(&mut self.0, n as u64);
        self.0.push(';');
    }
    fn float(&mut self, x: f64) {
        // Whole numbers as themselves (thresholds usually are); -0 keeps its bits.
        if x >= 0.0
            && x < (1u64 << 53) as f64
            && x == (x as u64) as f64
            && x.to_bits() != (-0.0f64).to_bits()
        {
            push_uint(&mut self.0, x as u64);
            self.0.push(';');
        } else {
            push_uint(&mut self.0, x.to_bits());
            self.0.push('.');
        }
    }
    fn floats(&mut self, xs: &[f64]) {
        self.num(xs.len());
        for &x in xs {
            self.float(x);
        }
    }
    fn str(&mut self, s: &str) {
        push_uint(&mut self.0, s.len() as u64);
        self.0.push(':');
        self.0.push_str(s);
    }
    fn strings(&mut self, list: &[String]) {
        self.num(list.len());
        for s in list {
            self.str(s);
        }
    }
    fn index<T: PartialEq>(&mut self, all: &[T], x: &T) {
        self.num(all.iter().position(|a| a == x).unwrap_or(usize::MAX));
    }
}

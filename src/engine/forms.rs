//! The form family: `form_submit` (GTM's Form Submission) and `form_start`
//! (the first interaction with a form's fields). The shell reads the form's
//! facts ([`FormEvent`]): never a field's value, only how many fields there
//! are.

use alloc::borrow::Cow;

use super::limits::Fnv;
use super::scope::Scope;
use super::{text_vars, Conversion, Engine, TEXT_CAP, URL_CAP};
use crate::backend::Backend;
use crate::engine::Value;
use crate::prelude::*;
use crate::rules::model::{TriggerKind, TriggerType};

/// Forms remembered as started on one page, at most (then every further
/// form's first interaction still counts once per event).
const STARTED_CAP: usize = 256;

/// What happened to a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEventKind {
    /// The visitor typed or chose something in one of its fields.
    Start,
    /// It was submitted (the `submit` event, `requestSubmit()` or `submit()`).
    Submit,
}

/// One form event with the form's facts, as the shell read them.
#[derive(Debug, Clone, PartialEq)]
pub struct FormEvent {
    /// What happened.
    pub kind: FormEventKind,
    /// A shell-chosen key, stable per form element on the page.
    pub key: u32,
    /// `id` attribute.
    pub id: String,
    /// `class` attribute.
    pub classes: String,
    /// `name` attribute.
    pub name: String,
    /// Where it submits: the absolute URL of its action.
    pub action: String,
    /// `get`, `post` or `dialog`.
    pub method: String,
    /// How many fields (`form.elements`) it has.
    pub fields: u32,
    /// The page cancelled the submission (`preventDefault`).
    pub prevented: bool,
    /// A field fails its constraints (`:invalid`), so the browser would not
    /// submit it (a `novalidate` form or a `submit()` call still does).
    pub invalid: bool,
}

/// Which forms were started on this page.
#[derive(Debug, Default)]
pub(crate) struct FormState {
    started: Vec<u32>,
}

impl FormState {
    pub(crate) fn new_page(&mut self) {
        self.started.clear();
    }
    /// Whether `key` has not started on this page.
    fn is_new(&self, key: u32) -> bool {
        !self.started.contains(&key)
    }
    /// Whether `key`'s first interaction is this one (and remembers it).
    fn first_start(&mut self, key: u32) -> bool {
        if self.started.contains(&key) {
            return false;
        }
        if self.started.len() < STARTED_CAP {
            self.started.push(key);
        }
        true
    }
}

/// `form.*` variables, empty text left out.
fn form_vars(f: &FormEvent) -> Vec<(Cow<'static, str>, Value)> {
    let mut vars = text_vars(&[
        ("form.id", &f.id, TEXT_CAP),
        ("form.classes", &f.classes, TEXT_CAP),
        ("form.name", &f.name, TEXT_CAP),
        ("form.action", &f.action, URL_CAP),
        ("form.method", &f.method, TEXT_CAP),
    ]);
    vars.push((Cow::Borrowed("form.fields"), Value::Num(f.fields.into())));
    vars
}

impl<B: Backend> Engine<B> {
    /// Whether an interaction with form `key` would be its first on this
    /// page, for a `form_start` trigger: the shell reads the form's facts
    /// only then (inputs come at every keystroke).
    pub fn form_start_pending(&self, key: u32) -> bool {
        self.listens_to(TriggerType::FormStart) && self.forms.is_new(key)
    }

    /// A form event on `form`. `form_start` triggers fire at a form's first
    /// interaction on this page (once per form: [`Engine::set_page`] forgets
    /// them); `form_submit` triggers at each submission, and with
    /// `check_validation` (the default) only when the page did not cancel it
    /// and its fields are valid. A `selector` must match the form itself.
    pub fn on_form(&mut self, form: &B::Element, event: &FormEvent, out: &mut Vec<Conversion>) {
        let from = out.len();
        self.form_event(form, event, out);
        self.complete_groups(out, from);
    }
    fn form_event(&mut self, form: &B::Element, event: &FormEvent, out: &mut Vec<Conversion>) {
        let ty = match event.kind {
            FormEventKind::Start => TriggerType::FormStart,
            FormEventKind::Submit => TriggerType::FormSubmit,
        };
        if !self.listens_to(ty)
            || (ty == TriggerType::FormStart && !self.forms.first_start(event.key))
        {
            return;
        }
        let Engine {
            j,
            page,
            form_triggers,
            ..
        } = self;
        let mut judge = j.begin();
        let (backend, rules, code) = (judge.backend, judge.rules, judge.code);
        let milestone = Fnv::new().str(ty.as_str()).u64(event.key.into()).finish();
        for &ti in form_triggers.iter() {
            let (Some(t), Some(c)) = (rules.triggers.get(ti), code.get(ti)) else {
                continue;
            };
            let wanted = match &t.kind {
                TriggerKind::FormSubmit {
                    check_validation, ..
                } => {
                    ty == TriggerType::FormSubmit
                        && !(*check_validation && (event.prevented || event.invalid))
                }
                TriggerKind::FormStart { .. } => ty == TriggerType::FormStart,
                _ => false,
            };
            if !wanted
                || c.selector
                    .as_ref()
                    .is_some_and(|s| !backend.matches(form, s))
            {
                continue;
            }
            let mut scope = Scope::new(page, ty.as_str());
            scope.form = Some(event);
            if judge.fires(ti, &scope, milestone) {
                out.push(Conversion {
                    trigger: ti,
                    vars: form_vars(event),
                });
            }
        }
    }
}

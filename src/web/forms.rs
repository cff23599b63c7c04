//! Forms: the `form_submit` and `form_start` triggers' shell.
//!
//! Submissions: a `submit` listener on `window` in the capture phase notes
//! the event, and one in the bubble phase, which runs after the page's own
//! handlers, judges it then (`defaultPrevented` is final by then). A page
//! handler that stops the event's propagation hides it from the second, so
//! a zero-delay timer judges what is still pending. `form.submit()` fires no
//! event: the host wraps `HTMLFormElement.prototype.submit` (`host.formsubmit`)
//! and reports the form before the call. `requestSubmit()` fires the event.
//!
//! Starts: capturing `input` and `change` on `window`; the form's facts are
//! read only for its first interaction on the page (`host.form(x, false)`
//! gives just its key), since inputs come at every keystroke.
//!
//! `host.form` reads the facts in one call, clobbering-proof (a field named
//! `action` or `elements` does not change them), and never a field's value.

use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};

use super::{callback, host, listen, shell, with_tag, Call};
use crate::engine::{FormEvent, FormEventKind};

/// The forms shell's state (in the shell's owner, [`super::Attached`]).
#[derive(Default)]
pub(crate) struct Shell {
    /// The submit event seen in the capture phase, not yet judged.
    pending: Option<JsValue>,
}

/// Listens for submissions (`submit`) and first interactions (`start`).
pub(crate) fn attach(submit: bool, start: bool) {
    let Some(w) = super::window() else {
        return;
    };
    if submit {
        listen(&w, "submit", true, Call::FormCapture);
        listen(&w, "submit", false, Call::FormSubmit);
        if let (Some(h), Some(f)) = (host(), callback(Call::FormCalled)) {
            h.formsubmit(&f);
        }
    }
    if start {
        listen(&w, "input", true, Call::FormInput);
        listen(&w, "change", true, Call::FormInput);
    }
}

/// Capture phase: note the submission, and judge it later if the bubble
/// phase never comes.
pub(super) fn on_capture(e: JsValue) {
    shell(|s| s.forms.pending = Some(e));
    if let Some(f) = callback(Call::FormLate) {
        super::set_timeout(&f, 0, &JsValue::UNDEFINED);
    }
}

/// Bubble phase: the page's handlers have run.
pub(super) fn on_bubble(e: JsValue) {
    let mine = shell(|s| {
        let same = s.forms.pending.as_ref() == Some(&e);
        if same {
            s.forms.pending = None;
        }
        same
    });
    if mine == Some(true) {
        submitted(&e);
    }
}

/// The timer: a submission whose propagation a page handler stopped.
pub(super) fn on_late() {
    if let Some(e) = shell(|s| s.forms.pending.take()).flatten() {
        submitted(&e);
    }
}

/// `form.submit()` was called on the form `form`.
pub(super) fn on_called(form: JsValue) {
    submitted(&form);
}

/// An `input` or `change`: the first one of its form on this page starts it.
pub(super) fn on_input(e: JsValue) {
    let Some(h) = host() else {
        return;
    };
    let Some(key) = h.form(&e, false).as_f64() else {
        return;
    };
    if with_tag(|t| t.engine.form_start_pending(key as u32)) == Some(true) {
        judge(&h, &e, FormEventKind::Start);
    }
}

fn submitted(x: &JsValue) {
    if let Some(h) = host() {
        judge(&h, x, FormEventKind::Submit);
    }
}

/// Reads the form's facts (`host.form`) and runs the engine.
fn judge(host: &super::Host, x: &JsValue, kind: FormEventKind) {
    // The host's answer: an array whose first item is the form, or null.
    let facts = host.form(x, true);
    if facts.is_null() {
        return;
    }
    let facts: Array = facts.unchecked_into();
    let form: web_sys::Element = facts.get(0).unchecked_into();
    let text = |i| facts.get(i).as_string().unwrap_or_default();
    let num = |i| facts.get(i).as_f64().unwrap_or(0.0);
    let event = FormEvent {
        kind,
        key: num(1) as u32,
        id: text(2),
        classes: text(3),
        name: text(4),
        action: text(5),
        method: text(6),
        fields: num(7) as u32,
        invalid: facts.get(8).is_truthy(),
        prevented: facts.get(9).is_truthy(),
    };
    with_tag(|t| {
        t.engine.on_form(&form, &event, &mut t.out);
        // A submission may be leaving the page: send at once.
        t.deliver(kind == FormEventKind::Submit);
    });
}

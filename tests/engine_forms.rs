#![cfg(not(target_arch = "wasm32"))]
//! The form family: `form_submit` (valid submissions by default, every
//! attempt without `check_validation`), `form_start` (once per form per
//! page), selectors on the form, `form.*` variables (never a field's value).

mod engine_support;

use engine_support::*;
use microconv::engine::{Engine, FormEvent, FormEventKind, Value};
use microconv::native::NativeBackend;
use microconv::rules::model::*;

fn form_event(kind: FormEventKind, key: u32) -> FormEvent {
    FormEvent {
        kind,
        key,
        id: "newsletter".into(),
        classes: "stack signup".into(),
        name: "news".into(),
        action: "https://www.example.com/subscribe?ref=footer".into(),
        method: "post".into(),
        fields: 2,
        prevented: false,
        invalid: false,
    }
}

fn submit_trigger(id: &str, selector: Option<&str>, check_validation: bool) -> Trigger {
    trigger(
        id,
        id,
        TriggerKind::FormSubmit {
            selector: selector.map(String::from),
            check_validation,
        },
    )
}

fn start_trigger(id: &str, selector: Option<&str>) -> Trigger {
    trigger(
        id,
        id,
        TriggerKind::FormStart {
            selector: selector.map(String::from),
        },
    )
}

fn fire(e: &mut Engine<NativeBackend>, form: &El, ev: &FormEvent) -> Vec<String> {
    let mut out = vec![];
    e.on_form(form, ev, &mut out);
    ids(e, &out)
}

fn newsletter() -> El {
    el(
        "form",
        &[("id", "newsletter"), ("class", "stack signup")],
        "",
        None,
    )
}

#[test]
fn valid_submissions_count_cancelled_or_invalid_ones_do_not() {
    let mut e = engine(vec![
        submit_trigger("valid", None, true),
        submit_trigger("every", None, false),
    ]);
    let f = newsletter();
    let ok = form_event(FormEventKind::Submit, 1);
    assert_eq!(fire(&mut e, &f, &ok), ["valid", "every"]);
    let prevented = FormEvent {
        prevented: true,
        ..ok.clone()
    };
    assert_eq!(fire(&mut e, &f, &prevented), ["every"]);
    let invalid = FormEvent {
        invalid: true,
        ..ok.clone()
    };
    assert_eq!(fire(&mut e, &f, &invalid), ["every"]);
    // A start is not a submission.
    assert!(fire(&mut e, &f, &form_event(FormEventKind::Start, 1)).is_empty());
}

#[test]
fn form_variables_describe_the_form_never_its_values() {
    let mut e = engine(vec![with(
        submit_trigger("s", None, true),
        vec![
            cond("form.id", "equals", s("newsletter")),
            cond("form.fields", "greater_or_equal", n(2.0)),
            cond("form.method", "equals", s("post")),
            cond("event", "equals", s("form_submit")),
        ],
    )]);
    let mut out = vec![];
    e.on_form(
        &newsletter(),
        &form_event(FormEventKind::Submit, 1),
        &mut out,
    );
    assert_eq!(out.len(), 1);
    let c = &out[0];
    let names: Vec<&str> = c.vars.iter().map(|(k, _)| k.as_ref()).collect();
    assert_eq!(
        names,
        [
            "form.id",
            "form.classes",
            "form.name",
            "form.action",
            "form.method",
            "form.fields"
        ]
    );
    assert_eq!(c.var("form.fields"), Some(&Value::Num(2.0)));
    assert_eq!(
        c.var("form.action"),
        Some(&Value::Str(
            "https://www.example.com/subscribe?ref=footer".into()
        ))
    );
    // Form variables are empty on other events.
    let mut e = engine(vec![with(
        custom("c", "x"),
        vec![cond("form.id", "equals", s(""))],
    )]);
    assert_eq!(push_ids(&mut e, "x", &[]), ["c"]);
}

#[test]
fn a_selector_must_match_the_form() {
    let mut e = engine(vec![
        submit_trigger("news", Some("form.signup"), true),
        submit_trigger("contact", Some("#contact"), true),
        start_trigger("start-news", Some("#newsletter")),
    ]);
    let f = newsletter();
    assert_eq!(
        fire(&mut e, &f, &form_event(FormEventKind::Submit, 1)),
        ["news"]
    );
    assert_eq!(
        fire(&mut e, &f, &form_event(FormEventKind::Start, 1)),
        ["start-news"]
    );
}

#[test]
fn a_form_starts_once_per_page() {
    let mut e = engine(vec![limited(
        start_trigger("start", None),
        Limit::Unlimited,
    )]);
    let (a, b) = (newsletter(), el("form", &[("id", "contact")], "", None));
    assert_eq!(
        fire(&mut e, &a, &form_event(FormEventKind::Start, 1)),
        ["start"]
    );
    assert!(fire(&mut e, &a, &form_event(FormEventKind::Start, 1)).is_empty());
    assert_eq!(
        fire(&mut e, &b, &form_event(FormEventKind::Start, 2)),
        ["start"]
    );
    // A new page view: the forms may start again.
    e.set_page(page("https://www.example.com/next"));
    assert_eq!(
        fire(&mut e, &a, &form_event(FormEventKind::Start, 1)),
        ["start"]
    );
}

#[test]
fn limits_and_listening() {
    let mut e = engine(vec![limited(
        submit_trigger("once", None, true),
        Limit::OncePerPage,
    )]);
    assert!(e.listens_to(TriggerType::FormSubmit));
    assert!(!e.listens_to(TriggerType::FormStart));
    let f = newsletter();
    let ok = form_event(FormEventKind::Submit, 1);
    assert_eq!(fire(&mut e, &f, &ok), ["once"]);
    assert!(fire(&mut e, &f, &ok).is_empty());
}

#[test]
fn parsed_and_published() {
    let text = r##"{"version": 1, "triggers": [
        {"id": "news", "conversion": "newsletter", "on": "form_submit", "selector": "#newsletter"},
        {"id": "any", "conversion": "attempt", "on": "form_submit", "check_validation": false},
        {"id": "start", "conversion": "form_started", "on": "form_start"}
    ]}"##;
    let parsed = microconv::rules::parse(text);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let kinds: Vec<&TriggerKind> = parsed.rules.triggers.iter().map(|t| &t.kind).collect();
    assert_eq!(
        kinds,
        [
            &TriggerKind::FormSubmit {
                selector: Some("#newsletter".into()),
                check_validation: true
            },
            &TriggerKind::FormSubmit {
                selector: None,
                check_validation: false
            },
            &TriggerKind::FormStart { selector: None },
        ]
    );
    let back = microconv::published::read(&microconv::published::write(&parsed.rules)).unwrap();
    let back: Vec<&TriggerKind> = back.triggers.iter().map(|t| &t.kind).collect();
    assert_eq!(back, kinds);
    // Its own fields only, checked like the others'.
    let bad = microconv::rules::parse(
        r#"{"version": 1, "triggers": [
            {"id": "s", "conversion": "x", "on": "form_start", "check_validation": false},
            {"id": "t", "conversion": "x", "on": "form_submit", "check_validation": "no"},
            {"id": "u", "conversion": "x", "on": "click", "check_validation": true}
        ]}"#,
    );
    let shown: Vec<String> = bad.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        shown,
        [
            r#"trigger "s": triggers[0].check_validation: "check_validation" applies to "on": "form_submit" triggers, not "form_start""#,
            r#"trigger "t": triggers[1].check_validation: expected true or false, found a string"#,
            r#"trigger "u": triggers[2].check_validation: "check_validation" applies to "on": "form_submit" triggers, not "click""#,
        ]
    );
}

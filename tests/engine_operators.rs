#![cfg(not(target_arch = "wasm32"))]
//! Every operator, with negate, ignore_case, JS `Number()` coercion and NaN,
//! evaluated through a pushed event (`dl.x` can hold any type).

mod engine_support;

use engine_support::*;
use microconv::engine::{Engine, Value};
use microconv::native::NativeBackend;
use microconv::rules::model::*;
use microconv::rules::TriggerRef;

/// Whether a trigger with `c` (on `dl.x`) fires when `x` is pushed as `actual`.
fn holds(c: Condition, actual: Value) -> bool {
    let mut e = engine(vec![with(custom("t", "e"), vec![c])]);
    let fields: Vec<(&str, Value)> = if actual == Value::Null {
        vec![]
    } else {
        vec![("x", actual)]
    };
    !push(&mut e, "e", &fields).is_empty()
}

fn x(op: &str, lit: Literal) -> Condition {
    cond("dl.x", op, lit)
}

#[test]
fn equals_compares_string_forms_case_sensitively() {
    assert!(holds(x("equals", s("Pro")), str_val("Pro")));
    assert!(!holds(x("equals", s("pro")), str_val("Pro")));
    assert!(!holds(x("equals", s("Pro")), str_val("Pro ")));
    // String(50) == "50"; String(0.5) == "0.5"; String(true) == "true"; null is "".
    assert!(holds(x("equals", s("50")), Value::Num(50.0)));
    assert!(!holds(x("equals", s("50.0")), Value::Num(50.0)));
    assert!(holds(x("equals", s("0.5")), Value::Num(0.5)));
    assert!(holds(x("equals", s("true")), Value::Bool(true)));
    assert!(holds(x("equals", s("")), Value::Null));
    assert!(!holds(x("equals", s("null")), Value::Null));
}

#[test]
fn equals_with_number_or_bool_literal_compares_scalars() {
    assert!(holds(x("equals", n(50.0)), Value::Num(50.0)));
    assert!(!holds(x("equals", n(50.0)), Value::Num(50.5)));
    assert!(holds(x("equals", b(true)), Value::Bool(true)));
    assert!(!holds(x("equals", b(true)), Value::Bool(false)));
    assert!(holds(x("equals", b(false)), Value::Bool(false)));
    // A number literal against text compares string forms: "50" == String(50).
    assert!(holds(x("equals", n(50.0)), str_val("50")));
    assert!(!holds(x("equals", n(50.0)), str_val("50.0")));
    assert!(holds(x("equals", b(true)), str_val("true")));
}

#[test]
fn contains_starts_with_ends_with() {
    let v = || str_val("/blog/2024/post.html");
    assert!(holds(x("contains", s("2024")), v()));
    assert!(!holds(x("contains", s("2025")), v()));
    assert!(holds(x("starts_with", s("/blog/")), v()));
    assert!(!holds(x("starts_with", s("blog")), v()));
    assert!(holds(x("ends_with", s(".html")), v()));
    assert!(!holds(x("ends_with", s(".HTML")), v()));
    assert!(holds(x("contains", s("")), v()));
    // On numbers: their string form.
    assert!(holds(x("starts_with", s("12.")), Value::Num(12.5)));
    assert!(holds(x("contains", s("ru")), Value::Bool(true)));
}

#[test]
fn ignore_case_lowers_both_sides_unicode_aware() {
    assert!(holds(
        icase(x("ends_with", s(".HTML"))),
        str_val("/a/post.html")
    ));
    assert!(holds(
        icase(x("contains", s("TRIAL"))),
        str_val("Start your Trial")
    ));
    assert!(holds(icase(x("equals", s("ÉTÉ"))), str_val("été")));
    // Lower case, not case folding (like JS toLowerCase on both sides).
    assert!(!holds(
        icase(x("starts_with", s("straße"))),
        str_val("STRASSE")
    ));
    assert!(holds(icase(x("starts_with", s("ΣΟΦ"))), str_val("σοφία")));
    assert!(!holds(
        x("contains", s("trial")),
        str_val("Start your Trial")
    ));
}

#[test]
fn matches_regex_is_ecmascript_and_unanchored() {
    assert!(holds(
        x("matches_regex", s("demo\\.(mp4|webm)$")),
        str_val("https://x.org/v/demo.mp4")
    ));
    assert!(!holds(
        x("matches_regex", s("demo\\.(mp4|webm)$")),
        str_val("https://x.org/v/DEMO.MP4")
    ));
    assert!(holds(
        icase(x("matches_regex", s("demo\\.(mp4|webm)$"))),
        str_val("https://x.org/v/DEMO.MP4")
    ));
    assert!(holds(
        x("matches_regex", s("^/(?!admin)")),
        str_val("/blog")
    ));
    assert!(!holds(
        x("matches_regex", s("^/(?!admin)")),
        str_val("/admin")
    ));
    assert!(holds(x("matches_regex", s("^5\\d$")), Value::Num(50.0)));
    assert!(holds(x("matches_regex", s("^$")), Value::Null));
}

#[test]
fn invalid_regex_is_a_rule_error_and_only_that_trigger_is_left_out() {
    let bad = with(custom("bad", "e"), vec![x("matches_regex", s("(unclosed"))]);
    let good = custom("good", "e");
    let (mut e, errors) = Engine::new(rules(vec![bad, good]), NativeBackend::default());
    assert_eq!(errors.len(), 1);
    let err = &errors[0];
    assert_eq!(err.trigger, Some(TriggerRef::Id("bad".into())));
    assert_eq!(err.path, "triggers[0].conditions[0].value");
    assert_eq!(err.pos, Pos { line: 3, column: 7 });
    assert_eq!(
        err.message,
        r#"invalid regular expression: JavaScript's RegExp refuses "(unclosed""#
    );
    assert_eq!(e.triggers().len(), 1);
    e.set_page(page("https://example.com/"));
    let out = push(&mut e, "e", &[]);
    assert_eq!(ids(&e, &out), ["good"]);
}

#[test]
fn numeric_operators_coerce_like_number() {
    let gt = |lit: Literal, v: Value| holds(x("greater_than", lit), v);
    assert!(gt(n(41.0), str_val("  42 ")));
    assert!(gt(n(15.0), str_val("0x10")));
    assert!(!gt(n(16.0), str_val("0x10")));
    assert!(holds(x("greater_or_equal", n(16.0)), str_val("0x10")));
    assert!(holds(x("less_or_equal", n(5.0)), str_val("0b101")));
    assert!(holds(x("less_than", n(9.0)), str_val("0o10")));
    assert!(
        !holds(x("equals", n(0.0)), str_val("")),
        "equals compares \"0\" with \"\""
    );
    assert!(holds(x("less_than", n(1.0)), str_val("")), "'' is 0");
    assert!(holds(x("less_than", n(1.0)), str_val(" \t")), "blank is 0");
    assert!(
        holds(x("greater_than", n(0.0)), Value::Bool(true)),
        "true is 1"
    );
    assert!(
        holds(x("less_than", n(1.0)), Value::Bool(false)),
        "false is 0"
    );
    assert!(holds(x("less_than", n(1.0)), Value::Null), "null is 0");
    assert!(gt(n(1e308), str_val("Infinity")));
    assert!(holds(x("less_than", n(-1e308)), str_val("-Infinity")));
    assert!(
        gt(s("99"), Value::Num(100.0)),
        "string literal converted too"
    );
    assert!(!gt(s("100"), str_val("99")), "numeric, not lexicographic");
    assert!(holds(x("less_or_equal", n(1500.0)), str_val("1.5e3")));
}

#[test]
fn nan_makes_numeric_operators_false_and_negate_true() {
    for op in [
        "less_than",
        "less_or_equal",
        "greater_than",
        "greater_or_equal",
    ] {
        for v in [
            str_val("abc"),
            str_val("12px"),
            str_val("NaN"),
            Value::Num(f64::NAN),
        ] {
            assert!(!holds(x(op, n(0.0)), v.clone()), "{op} {v:?}");
            assert!(
                holds(negated(x(op, n(0.0))), v.clone()),
                "negated {op} {v:?}"
            );
        }
        assert!(
            !holds(x(op, s("abc")), Value::Num(1.0)),
            "NaN literal: {op}"
        );
    }
}

#[test]
fn negate_inverts_every_operator() {
    assert!(!holds(negated(x("equals", s("a"))), str_val("a")));
    assert!(holds(negated(x("equals", s("a"))), str_val("b")));
    assert!(holds(negated(x("contains", s("z"))), str_val("abc")));
    assert!(!holds(negated(x("starts_with", s("a"))), str_val("abc")));
    assert!(holds(negated(x("ends_with", s("a"))), str_val("abc")));
    assert!(holds(
        negated(x("matches_regex", s("^\\d+$"))),
        str_val("12a")
    ));
    assert!(!holds(negated(x("less_than", n(5.0))), Value::Num(4.0)));
    assert!(holds(negated(icase(x("contains", s("X")))), str_val("abc")));
}

#[test]
fn matches_css_on_click_element() {
    let css = |sel: &str| {
        with(
            click("c", None),
            vec![cond("click.element", "matches_css", s(sel))],
        )
    };
    let mut e = engine(vec![css("button.cta *, button.cta")]);
    let button = el("button", &[("class", "cta")], "Go", None);
    let icon = el("svg", &[], "", Some(&button));
    let other = el("div", &[], "", None);
    assert_eq!(click_on(&mut e, &button, 0).len(), 1);
    assert_eq!(click_on(&mut e, &icon, 0).len(), 1);
    assert!(click_on(&mut e, &other, 0).is_empty());
    // Not an element (a push): false, and negated true.
    let mut e = engine(vec![
        with(
            custom("plain", "e"),
            vec![cond("click.element", "matches_css", s("*"))],
        ),
        with(
            custom("negated", "e"),
            vec![negated(cond("click.element", "matches_css", s("*")))],
        ),
    ]);
    let out = push(&mut e, "e", &[]);
    assert_eq!(ids(&e, &out), ["negated"]);
}

#[test]
fn invalid_or_unsupported_selectors_are_rule_errors() {
    let bad_cond = with(
        click("bad-cond", None),
        vec![cond("click.element", "matches_css", s("a:nosuch"))],
    );
    let mut bad_sel = with(click("bad-sel", Some("a[=x]")), vec![]);
    bad_sel.conditions = vec![];
    // The message names the trigger's own path in the file, whatever its
    // index among the valid triggers.
    let mut bad_sel2 = click("bad-sel2", Some("a >> b"));
    bad_sel2.path = "triggers[4]".into();
    let (e, errors) = Engine::new(
        rules(vec![
            bad_cond,
            bad_sel,
            click("ok", Some("a.cta")),
            bad_sel2,
        ]),
        NativeBackend::default(),
    );
    assert_eq!(
        e.triggers()
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>(),
        ["ok"]
    );
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0].path, "triggers[0].conditions[0].value");
    assert_eq!(
        errors[0].message,
        r#"invalid CSS selector: the browser's querySelector refuses "a:nosuch""#
    );
    assert_eq!(errors[1].trigger, Some(TriggerRef::Id("bad-sel".into())));
    assert!(errors[1].path.ends_with(".selector"), "{}", errors[1].path);
    assert!(errors[1].message.starts_with("invalid CSS selector"));
    assert_eq!(errors[2].path, "triggers[4].selector");
}

#[test]
fn all_conditions_and_no_unless() {
    let t = with(
        custom("t", "e"),
        vec![
            cond("dl.a", "equals", s("1")),
            cond("dl.b", "equals", s("2")),
        ],
    );
    let mut t2 = t.clone();
    t2.unless = vec![
        cond("dl.c", "equals", s("block")),
        cond("dl.d", "equals", s("block")),
    ];
    // A fresh page per case: the data layer keeps what earlier pushes set.
    let fresh = || engine(vec![t2.clone()]);
    let a = ("a", str_val("1"));
    let b2 = ("b", str_val("2"));
    assert_eq!(push(&mut fresh(), "e", &[a.clone(), b2.clone()]).len(), 1);
    assert!(
        push(&mut fresh(), "e", std::slice::from_ref(&a)).is_empty(),
        "every condition must hold"
    );
    assert!(
        push(
            &mut fresh(),
            "e",
            &[a.clone(), b2.clone(), ("d", str_val("block"))]
        )
        .is_empty(),
        "any unless blocks"
    );
    let mut e = fresh();
    assert_eq!(
        push(
            &mut e,
            "e",
            &[a.clone(), b2.clone(), ("c", str_val("block"))]
        )
        .len(),
        0
    );
    assert_eq!(
        push(&mut e, "e", &[a, b2, ("c", str_val("other"))]).len(),
        1,
        "unless applies to that event only"
    );
}

#![cfg(not(target_arch = "wasm32"))]
//! Every kind of defect in a rules file gets a message naming the trigger,
//! the JSON path and the reason; invalid triggers are left out, valid ones kept.

use microconv::rules::model::*;
use microconv::rules::{parse, RuleError, TriggerRef};

/// Every defect of `text`, as displayed.
fn errors(text: &str) -> Vec<String> {
    parse(text)
        .errors
        .iter()
        .map(RuleError::to_string)
        .collect()
}

/// A file with these triggers (JSON array elements).
fn file(triggers: &str) -> String {
    format!("{{\"version\": 1, \"triggers\": [{triggers}]}}")
}

/// The defects of a file with one trigger `{"id": "t", "conversion": "c", <fields>}`.
fn one(fields: &str) -> Vec<String> {
    errors(&file(&format!(
        "{{\"id\": \"t\", \"conversion\": \"c\", {fields}}}"
    )))
}

/// The defects of one click trigger with one condition.
fn condition(cond: &str) -> Vec<String> {
    one(&format!("\"on\": \"click\", \"conditions\": [{cond}]"))
}

#[track_caller]
fn assert_one(got: Vec<String>, want: &str) {
    assert_eq!(got, [want.to_string()]);
}

#[test]
fn empty_file() {
    for text in ["", "  \n\t", "\u{feff}"] {
        assert_one(
            errors(text),
            "the file is empty: a rules file is a JSON object with \"version\": 1 and \"triggers\"",
        );
    }
}

#[test]
fn malformed_json_with_position() {
    let p = parse("{\n  \"version\": 1,\n  \"triggers\": [\n    {\"id\": \"a\",}\n  ]\n}");
    assert_eq!(p.errors.len(), 1);
    let e = &p.errors[0];
    assert_eq!(e.to_string(), "malformed JSON: trailing comma before '}'");
    assert_eq!(
        e.pos,
        Pos {
            line: 4,
            column: 16
        }
    );
    assert_eq!((e.trigger.clone(), e.path.as_str()), (None, ""));
    assert!(p.rules.triggers.is_empty());
}

#[test]
fn top_level_not_an_object() {
    assert_one(
        errors("[1, 2]"),
        "expected the top level to be an object, found an array",
    );
}

#[test]
fn version_missing_wrong_or_unsupported() {
    assert_one(
        errors("{\"triggers\": [{\"id\": \"p\", \"conversion\": \"p\", \"on\": \"page_view\"}]}"),
        "missing required field \"version\"",
    );
    assert_one(
        errors("{\"version\": 2, \"triggers\": [{\"id\": \"p\", \"conversion\": \"p\", \"on\": \"page_view\"}]}"),
        "version: unsupported version: only 1 exists",
    );
    assert_one(
        errors("{\"version\": \"1\", \"triggers\": [{\"id\": \"p\", \"conversion\": \"p\", \"on\": \"page_view\"}]}"),
        "version: expected the number 1, found a string",
    );
}

#[test]
fn triggers_missing_empty_or_not_an_array() {
    assert_one(
        errors("{\"version\": 1, \"triggers\": []}"),
        "triggers: must list at least one trigger: with none, nothing is tracked",
    );
    assert_one(
        errors("{\"version\": 1}"),
        "missing required field \"triggers\"",
    );
    assert_one(
        errors("{\"version\": 1, \"triggers\": {}}"),
        "triggers: expected an array of trigger objects, found an object",
    );
    assert_one(
        errors(&file("3")),
        "trigger #0: triggers[0]: expected a trigger object, found a number",
    );
}

#[test]
fn top_level_fields() {
    let text = r#"{"$schema": "https://example.com/s.json", "version": 1, "endpoint": 5,
        "affiliated_domains": ["Shop.Example.com", "https://x.com", "*.y.com", "z.com:80", "a b", 3, ""],
        "allow_query": ["utm_source", ""], "count_visits": "yes", "triggers": [{"id": "p", "conversion": "p", "on": "page_view"}], "trigers": [], "on": "scroll"}"#;
    assert_eq!(
        errors(text),
        [
            "endpoint: expected a string, found a number",
            "affiliated_domains[1]: expected a host name like \"shop.example.com\", not a URL",
            "affiliated_domains[2]: write the domain without \"*.\": its subdomains are included",
            "affiliated_domains[3]: expected a host name without a port",
            "affiliated_domains[4]: expected a host name like \"shop.example.com\"",
            "affiliated_domains[5]: expected a string, found a number",
            "affiliated_domains[6]: must not be empty",
            "allow_query[1]: must not be empty",
            "count_visits: expected true or false, found a string",
            "trigers: unknown field \"trigers\" (did you mean \"triggers\"?)",
            "on: \"on\" is a trigger field: put it inside an object of \"triggers\"",
        ]
    );
    let rules = parse(text).rules;
    assert_eq!(rules.affiliated_domains, ["shop.example.com"]);
    assert_eq!(rules.allow_query, ["utm_source"]);
    assert_eq!(rules.endpoint, None);
    assert!(!rules.count_visits);
    let counted = r#"{"version": 1, "count_visits": true, "triggers": [{"id": "p", "conversion": "p", "on": "page_view"}]}"#;
    assert!(parse(counted).rules.count_visits);
    assert_eq!(
        errors("{\"version\": 1, \"endpoint\": \"\", \"triggers\": [{\"id\": \"p\", \"conversion\": \"p\", \"on\": \"page_view\"}]}"),
        ["endpoint: must not be empty"]
    );
}

#[test]
fn unknown_trigger_field_with_and_without_suggestion() {
    assert_eq!(
        one("\"on\": \"click\", \"selectr\": \"a\", \"colour\": 1"),
        [
            "trigger \"t\": triggers[0].selectr: unknown field \"selectr\" (did you mean \"selector\"?)",
            "trigger \"t\": triggers[0].colour: unknown field \"colour\": expected one of \"id\", \"conversion\", \"on\", \
             \"conditions\", \"unless\", \"limit\", \"macro\", \"description\", \"units\", \"thresholds\", \"statuses\", \
             \"progress_percent\", \"progress_seconds\", \"include_decorative\", \"selector\", \"check_validation\", \"event\", \"events\", \"event_matches\", \"interval_ms\", \"times\", \"engaged_seconds\", \"all_of\", \"within\", \"min_percent_visible\", \"min_on_screen_ms\", \"once_per\"",
        ]
    );
}

#[test]
fn field_of_another_trigger_type() {
    assert_one(
        one("\"on\": \"scroll\", \"thresholds\": [50], \"selector\": \"a\""),
        "trigger \"t\": triggers[0].selector: \"selector\" applies to \"on\": \"click\" triggers, not \"scroll\"",
    );
    assert_one(
        one("\"on\": \"link_click\", \"event\": \"x\""),
        "trigger \"t\": triggers[0].event: \"event\" applies to \"on\": \"custom\" triggers, not \"link_click\"",
    );
}

#[test]
fn description_is_allowed_and_typed() {
    assert!(one("\"on\": \"link_click\", \"description\": \"for the Q3 campaign\"").is_empty());
    assert_one(
        one("\"on\": \"link_click\", \"description\": 1"),
        "trigger \"t\": triggers[0].description: expected a string, found a number",
    );
}

#[test]
fn missing_required_trigger_fields() {
    assert_eq!(
        errors(&file("{\"on\": \"link_click\"}")),
        [
            "trigger #0: triggers[0]: missing required field \"id\"",
            "trigger #0: triggers[0]: missing required field \"conversion\"",
        ]
    );
    assert_one(
        one("\"units\": \"percent\""),
        "trigger \"t\": triggers[0]: missing required field \"on\"",
    );
    assert_one(
        one("\"on\": \"scroll\""),
        "trigger \"t\": triggers[0]: missing required field \"thresholds\"",
    );
    assert_one(
        one("\"on\": \"custom\""),
        "trigger \"t\": triggers[0]: missing required field \"event\" (or \"events\" or \"event_matches\")",
    );
}

#[test]
fn wrong_types_and_empty_strings() {
    assert_eq!(
        errors(&file("{\"id\": 7, \"conversion\": \"\", \"on\": true, \"macro\": \"yes\", \"limit\": 1, \"conditions\": {}}")),
        [
            "trigger #0: triggers[0].id: expected a string, found a number",
            "trigger #0: triggers[0].conversion: must not be empty",
            "trigger #0: triggers[0].on: expected a string, found a boolean",
            "trigger #0: triggers[0].macro: expected true or false, found a string",
            "trigger #0: triggers[0].limit: expected a string, found a number",
            "trigger #0: triggers[0].conditions: expected an array of conditions, found an object",
        ]
    );
    assert_one(
        one("\"on\": \"click\", \"selector\": \"\""),
        "trigger \"t\": triggers[0].selector: must not be empty",
    );
    assert_one(
        one("\"on\": \"click\", \"selector\": \"  \""),
        "trigger \"t\": triggers[0].selector: must not be blank",
    );
    assert_one(
        one("\"on\": \"custom\", \"event\": [\"a\"]"),
        "trigger \"t\": triggers[0].event: expected a string, found an array",
    );
}

#[test]
fn unknown_trigger_type() {
    assert_one(
        one("\"on\": \"scrol\""),
        "trigger \"t\": triggers[0].on: unknown trigger type \"scrol\" (did you mean \"scroll\"?)",
    );
    assert_one(
        one("\"on\": \"hover\""),
        "trigger \"t\": triggers[0].on: unknown trigger type \"hover\": expected one of \"scroll\", \"video\", \"click\", \"link_click\", \"page_view\", \"form_submit\", \"form_start\", \"custom\", \"timer\", \"engagement\", \"trigger_group\", \"element_visibility\"",
    );
}

#[test]
fn unknown_limit() {
    assert_one(
        one("\"on\": \"link_click\", \"limit\": \"once_per_pag\""),
        "trigger \"t\": triggers[0].limit: unknown limit \"once_per_pag\" (did you mean \"once_per_page\"?)",
    );
}

#[test]
fn scroll_units_and_thresholds() {
    assert_one(
        one("\"on\": \"scroll\", \"units\": \"percnt\", \"thresholds\": [10]"),
        "trigger \"t\": triggers[0].units: unknown units \"percnt\" (did you mean \"percent\"?)",
    );
    assert_eq!(
        one("\"on\": \"scroll\", \"thresholds\": [0, 50, 101, \"75\", null, -1]"),
        [
            "trigger \"t\": triggers[0].thresholds[0]: a percent threshold must be greater than 0 and at most 100",
            "trigger \"t\": triggers[0].thresholds[2]: a percent threshold must be greater than 0 and at most 100",
            "trigger \"t\": triggers[0].thresholds[3]: expected a number, found the string \"75\": write the number without quotes",
            "trigger \"t\": triggers[0].thresholds[4]: expected a number, found null",
            "trigger \"t\": triggers[0].thresholds[5]: a percent threshold must be greater than 0 and at most 100",
        ]
    );
    assert_one(
        one("\"on\": \"scroll\", \"units\": \"pixels\", \"thresholds\": [0, 100, -5]"),
        "trigger \"t\": triggers[0].thresholds[2]: a pixel threshold must be 0 or more",
    );
    assert_one(
        one("\"on\": \"scroll\", \"thresholds\": []"),
        "trigger \"t\": triggers[0].thresholds: must list at least one threshold",
    );
    assert_one(
        one("\"on\": \"scroll\", \"thresholds\": 50"),
        "trigger \"t\": triggers[0].thresholds: expected an array of numbers, found a number",
    );
}

#[test]
fn thresholds_are_sorted_without_duplicates() {
    let p = parse(&file(
        r#"{"id": "s", "conversion": "c", "on": "scroll", "units": "pixels", "thresholds": [900, 0, 300, 300.0]},
           {"id": "v", "conversion": "c", "on": "video", "progress_percent": [75, 25, 25], "progress_seconds": [30, 10]}"#,
    ));
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(
        p.rules.triggers[0].kind,
        TriggerKind::Scroll {
            units: ScrollUnits::Pixels,
            thresholds: vec![0.0, 300.0, 900.0]
        }
    );
    assert_eq!(
        p.rules.triggers[1].kind,
        TriggerKind::Video {
            statuses: VideoStatuses::all(),
            progress_percent: vec![25.0, 75.0],
            progress_seconds: vec![10.0, 30.0],
            include_decorative: false,
        }
    );
}

#[test]
fn video_statuses_and_progress_thresholds() {
    assert_one(
        one("\"on\": \"video\", \"statuses\": [\"strat\"]"),
        "trigger \"t\": triggers[0].statuses[0]: unknown status \"strat\" (did you mean \"start\"?)",
    );
    assert_one(
        one("\"on\": \"video\", \"statuses\": []"),
        "trigger \"t\": triggers[0].statuses: must list at least one status: \"start\", \"pause\", \"seek\", \"progress\", \"complete\"",
    );
    assert_one(
        one("\"on\": \"video\", \"statuses\": [\"start\", \"progress\"]"),
        "trigger \"t\": triggers[0].statuses: \"progress\" needs \"progress_percent\" or \"progress_seconds\" thresholds",
    );
    assert_one(
        one("\"on\": \"video\", \"statuses\": [\"start\"], \"progress_seconds\": [5]"),
        "trigger \"t\": triggers[0].progress_seconds: \"progress_seconds\" has no effect: \"statuses\" does not include \"progress\"",
    );
    assert_eq!(
        one("\"on\": \"video\", \"progress_percent\": [0, 100, 50], \"progress_seconds\": [0, \"x\"]"),
        [
            "trigger \"t\": triggers[0].progress_percent[0]: a percent threshold must be greater than 0 and less than 100 (the end is the \"complete\" status)",
            "trigger \"t\": triggers[0].progress_percent[1]: a percent threshold must be greater than 0 and less than 100 (the end is the \"complete\" status)",
            "trigger \"t\": triggers[0].progress_seconds[0]: a seconds threshold must be greater than 0",
            "trigger \"t\": triggers[0].progress_seconds[1]: expected a number, found the string \"x\": write the number without quotes",
        ]
    );
    assert_one(
        one("\"on\": \"video\", \"progress_percent\": []"),
        "trigger \"t\": triggers[0].progress_percent: must list at least one threshold",
    );
    // Default statuses (all) without thresholds: start/pause/seek/complete only, fine.
    assert!(one("\"on\": \"video\"").is_empty());
}

#[test]
fn duplicate_ids() {
    let p = parse(&file(
        r#"{"id": "a", "conversion": "c", "on": "link_click"},
           {"id": "a", "conversion": "d", "on": "link_click"}"#,
    ));
    let shown: Vec<String> = p.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        shown,
        ["trigger \"a\": triggers[1].id: duplicate id \"a\": triggers[0] already uses it"]
    );
    assert_eq!(
        p.errors[0].pos,
        Pos {
            line: 2,
            column: 19
        }
    );
    assert_eq!(p.rules.triggers.len(), 1);
    assert_eq!(p.rules.triggers[0].conversion, "c");
}

#[test]
fn condition_fields() {
    assert_eq!(
        condition("{\"variable\": \"page.path\", \"operator\": \"equals\", \"value\": \"/\", \"negat\": true}"),
        ["trigger \"t\": triggers[0].conditions[0].negat: unknown field \"negat\" (did you mean \"negate\"?)"]
    );
    assert_eq!(
        condition("{}"),
        [
            "trigger \"t\": triggers[0].conditions[0]: missing required field \"variable\"",
            "trigger \"t\": triggers[0].conditions[0]: missing required field \"operator\"",
            "trigger \"t\": triggers[0].conditions[0]: missing required field \"value\"",
        ]
    );
    assert_one(
        condition("\"page.path\""),
        "trigger \"t\": triggers[0].conditions[0]: expected a condition object ({\"variable\": ..., \"operator\": ..., \"value\": ...}), found a string",
    );
    assert_one(
        condition("{\"variable\": \"page.path\", \"operator\": \"equals\", \"value\": \"/\", \"negate\": \"no\"}"),
        "trigger \"t\": triggers[0].conditions[0].negate: expected true or false, found a string",
    );
    assert_one(
        one("\"on\": \"click\", \"unless\": [{\"variable\": 1, \"operator\": \"equals\", \"value\": \"/\"}]"),
        "trigger \"t\": triggers[0].unless[0].variable: expected a string, found a number",
    );
}

#[test]
fn unknown_variables() {
    let var = |name: &str| {
        condition(&format!(
            "{{\"variable\": \"{name}\", \"operator\": \"equals\", \"value\": \"x\"}}"
        ))
    };
    assert_one(
        var("page.pth"),
        "trigger \"t\": triggers[0].conditions[0].variable: unknown variable \"page.pth\" (did you mean \"page.path\"?)",
    );
    assert_one(
        var("click.attrs.href"),
        "trigger \"t\": triggers[0].conditions[0].variable: unknown variable \"click.attrs.href\" (did you mean \"click.attr.href\"?)",
    );
    assert_one(var("dl."), "trigger \"t\": triggers[0].conditions[0].variable: \"dl.\" needs a key after the dot, e.g. \"dl.plan\"");
    assert_one(
        var("query"),
        "trigger \"t\": triggers[0].conditions[0].variable: \"query\" needs a key after the dot, e.g. \"query.utm_source\"",
    );
    assert_one(
        var("click.attr."),
        "trigger \"t\": triggers[0].conditions[0].variable: \"click.attr.\" needs a key after the dot, e.g. \"click.attr.data-id\"",
    );
    let far = var("weather");
    assert_eq!(far.len(), 1);
    assert!(far[0].starts_with("trigger \"t\": triggers[0].conditions[0].variable: unknown variable \"weather\": expected one of \"page.url\", "), "{far:?}");
    assert!(
        far[0].ends_with(", or a key of \"query.utm_source\", \"click.attr.data-id\", \"dl.plan\", \"js.app.user.plan\""),
        "{far:?}"
    );
}

#[test]
fn unknown_operator() {
    assert_one(
        condition("{\"variable\": \"page.path\", \"operator\": \"start_with\", \"value\": \"/\"}"),
        "trigger \"t\": triggers[0].conditions[0].operator: unknown operator \"start_with\" (did you mean \"starts_with\"?)",
    );
    assert_one(
        condition("{\"variable\": \"page.path\", \"operator\": \"is\", \"value\": \"/\"}"),
        "trigger \"t\": triggers[0].conditions[0].operator: unknown operator \"is\": expected one of \"equals\", \"contains\", \
         \"starts_with\", \"ends_with\", \"matches_regex\", \"matches_css\", \"less_than\", \"less_or_equal\", \"greater_than\", \
         \"greater_or_equal\"",
    );
}

#[test]
fn operator_must_fit_the_variable() {
    assert_one(
        condition("{\"variable\": \"click.classes\", \"operator\": \"matches_css\", \"value\": \".cta\"}"),
        "trigger \"t\": triggers[0].conditions[0].operator: \"matches_css\" applies only to \"variable\": \"click.element\"",
    );
    assert_one(
        condition("{\"variable\": \"click.element\", \"operator\": \"contains\", \"value\": \"cta\"}"),
        "trigger \"t\": triggers[0].conditions[0].operator: \"click.element\" is an element: its only operator is \"matches_css\", not \"contains\"",
    );
    assert_one(
        condition("{\"variable\": \"link.outbound\", \"operator\": \"contains\", \"value\": \"t\"}"),
        "trigger \"t\": triggers[0].conditions[0].operator: \"link.outbound\" is true or false: use \"equals\" (and \"negate\"), not \"contains\"",
    );
    assert_one(
        condition("{\"variable\": \"scroll.threshold\", \"operator\": \"less_than\", \"value\": 5, \"ignore_case\": true}"),
        "trigger \"t\": triggers[0].conditions[0].ignore_case: \"ignore_case\" applies only to string operators (\"equals\", \
         \"contains\", \"starts_with\", \"ends_with\", \"matches_regex\"), not \"less_than\"",
    );
}

#[test]
fn value_must_fit_the_operator() {
    let c = |var: &str, op: &str, value: &str| {
        condition(&format!(
            "{{\"variable\": \"{var}\", \"operator\": \"{op}\", \"value\": {value}}}"
        ))
    };
    let at = "trigger \"t\": triggers[0].conditions[0].value: ";
    assert_one(
        c("video.percent", "greater_than", "\"half\""),
        &format!("{at}expected a number, found the string \"half\""),
    );
    assert_one(
        c("video.percent", "greater_than", "null"),
        &format!("{at}expected a number, found null"),
    );
    assert_one(
        c("page.url", "matches_regex", "5"),
        &format!("{at}expected a regular expression in a string, found a number"),
    );
    assert_one(
        c("click.element", "matches_css", "\" \""),
        &format!("{at}expected a CSS selector, found an empty string"),
    );
    assert_one(
        c("click.element", "matches_css", "[]"),
        &format!("{at}expected a CSS selector in a string, found an array"),
    );
    assert_one(
        c("link.outbound", "equals", "\"yes\""),
        &format!("{at}expected true or false, found the string \"yes\""),
    );
    assert_one(
        c("link.download", "equals", "1"),
        &format!("{at}expected true or false, found a number"),
    );
    assert_one(
        c("page.path", "equals", "{}"),
        &format!("{at}expected a string, number or boolean, found an object"),
    );
    assert_one(
        c("page.path", "contains", "true"),
        &format!("{at}expected a string or number to compare with \"contains\", found a boolean"),
    );
}

#[test]
fn valid_values_are_kept_with_their_meaning() {
    let p = parse(&file(
        r#"{"id": "t", "conversion": "c", "on": "click", "conditions": [
            {"variable": "video.percent", "operator": "greater_or_equal", "value": " 2.5e1 "},
            {"variable": "link.outbound", "operator": "equals", "value": "false", "negate": true},
            {"variable": "dl.plan", "operator": "equals", "value": false},
            {"variable": "query.page", "operator": "less_than", "value": 3},
            {"variable": "click.attr.data-id", "operator": "ends_with", "value": 42, "ignore_case": false},
            {"variable": "click.element", "operator": "matches_css", "value": "a.cta *"}
        ]}"#,
    ));
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let c = &p.rules.triggers[0].conditions;
    let got: Vec<(Variable, Literal, bool)> = c
        .iter()
        .map(|c| (c.variable.clone(), c.value.clone(), c.negate))
        .collect();
    assert_eq!(
        got,
        [
            (Variable::VideoPercent, Literal::Num(25.0), false),
            (Variable::LinkOutbound, Literal::Bool(false), true),
            (Variable::Dl("plan".into()), Literal::Bool(false), false),
            (Variable::Query("page".into()), Literal::Num(3.0), false),
            (
                Variable::ClickAttr("data-id".into()),
                Literal::Num(42.0),
                false
            ),
            (
                Variable::ClickElement,
                Literal::Str("a.cta *".into()),
                false
            ),
        ]
    );
    assert_eq!(c[5].path, "triggers[0].conditions[5]");
    assert_eq!(
        c[5].pos,
        Pos {
            line: 7,
            column: 79
        }
    );
}

#[test]
fn invalid_triggers_are_left_out_and_valid_ones_kept() {
    let p = parse(&file(
        r#"{"id": "good1", "conversion": "a", "on": "link_click"},
           {"id": "bad", "conversion": "b", "on": "scroll", "thresholds": [500]},
           {"conversion": "c", "on": "nope"},
           {"id": "good2", "conversion": "d", "on": "custom", "event": "signup", "macro": true}"#,
    ));
    let ids: Vec<&str> = p.rules.triggers.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["good1", "good2"]);
    assert!(p.rules.triggers[1].is_macro);
    let refs: Vec<Option<TriggerRef>> = p.errors.iter().map(|e| e.trigger.clone()).collect();
    assert_eq!(
        refs,
        [
            Some(TriggerRef::Id("bad".into())),
            Some(TriggerRef::Index(2)),
            Some(TriggerRef::Index(2))
        ]
    );
    assert_eq!(
        p.errors[1].to_string(),
        "trigger #2: triggers[2]: missing required field \"id\""
    );
}

#[test]
fn errors_come_in_file_order_with_positions() {
    let text = "{\"version\": 1, \"triggers\": [\n  {\"id\": \"x\", \"conversion\": \"c\", \"on\": \"scroll\",\n   \"thresholds\": [\"5\"], \"limit\": \"never\"}\n], \"extra\": 1}";
    let p = parse(text);
    let got: Vec<(u32, u32)> = p
        .errors
        .iter()
        .map(|e| (e.pos.line, e.pos.column))
        .collect();
    assert_eq!(got, [(3, 19), (3, 34), (4, 4)]);
}

#[test]
fn hostile_input_never_panics() {
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/example-rules.json"
    ))
    .unwrap();
    // Every prefix and suffix of a real file.
    for (i, _) in example.char_indices() {
        let _ = parse(&example[..i]);
        let _ = parse(&example[i..]);
    }
    // Wrong types in every position: replace each value token by each kind of value.
    for (i, _) in example.match_indices(':') {
        for v in [
            "null", "[]", "{}", "-0", "1e308", "\"\"", "[[[[]]]]", "true",
        ] {
            let mut t = String::from(&example[..=i]);
            t.push_str(v);
            t.push(',');
            t.push_str("\"z\":");
            t.push_str(&example[i + 1..]);
            let _ = parse(&t);
        }
    }
    let deep = "[".repeat(100_000);
    assert_eq!(parse(&deep).errors.len(), 1);
    let long_name = "x".repeat(1_000_000);
    let e = one(&format!("\"on\": \"{long_name}\""));
    assert!(e[0].len() < 300, "long names are cut in messages");
}

#[test]
fn random_mutations_never_panic() {
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/example-rules.json"
    ))
    .unwrap();
    let bytes = example.as_bytes();
    let alphabet = b"{}[]\":,0-.e1tfn\\u \n\"x";
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..5_000 {
        let mut b = bytes.to_vec();
        for _ in 0..1 + next() % 4 {
            let i = (next() % b.len() as u64) as usize;
            let c = alphabet[(next() % alphabet.len() as u64) as usize];
            match next() % 3 {
                0 => b[i] = c,
                1 => b.insert(i, c),
                _ => {
                    b.remove(i);
                }
            }
        }
        if let Ok(text) = String::from_utf8(b) {
            let p = parse(&text);
            // Whatever happens, every error is displayable and positioned in the file.
            for e in &p.errors {
                assert!(e.pos.line >= 1 && e.pos.column >= 1, "{e}");
                assert!(!e.to_string().is_empty());
            }
        }
    }
}

#[test]
fn funnels_name_the_file_s_conversions_in_order() {
    let text = r#"{"version": 1, "triggers": [
        {"id": "r", "conversion": "article_read", "on": "scroll", "thresholds": [50]},
        {"id": "s", "conversion": "signup", "on": "custom", "event": "signup", "macro": true}],
      "funnels": [
        {"id": "ok", "name": "Read → Signup", "steps": ["article_read", "signup"]},
        {"id": "ok", "steps": ["article_red", "signup", "signup"], "stpes": 1},
        {"steps": ["signup"]},
        3]}"#;
    assert_eq!(
        errors(text),
        [
            "funnels[1].id: duplicate funnel id \"ok\"",
            "funnels[1].steps[0]: unknown conversion \"article_red\" (did you mean \"article_read\"?)",
            "funnels[1].steps[2]: step \"signup\" is listed twice: each step is a different conversion",
            "funnels[1].stpes: unknown field \"stpes\" (did you mean \"steps\"?)",
            "funnels[2]: missing required field \"id\"",
            "funnels[2].steps: a funnel needs at least two steps (conversion names, in order)",
            "funnels[3]: expected a funnel object, found a number",
        ]
    );
    let rules = parse(text).rules;
    assert_eq!(rules.funnels.len(), 1, "the valid funnel is kept");
    assert_eq!(rules.funnels[0].name, "Read → Signup");
    assert_eq!(rules.funnels[0].steps, ["article_read", "signup"]);
}

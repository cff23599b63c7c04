#![cfg(not(target_arch = "wasm32"))]
//! The example rules file from issue 2 is accepted exactly as written and
//! means what it says; the demo site's `www/rules.json` stays valid.

use microconv::rules::model::*;
use microconv::rules::{parse, Parsed};

fn read(path: &str) -> String {
    let full = concat!(env!("CARGO_MANIFEST_DIR"), "/").to_string() + path;
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn parse_clean(path: &str) -> Rules {
    let Parsed { rules, errors } = parse(&read(path));
    let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{path}: {shown:#?}");
    rules
}

fn cond(
    variable: Variable,
    operator: Operator,
    value: Literal,
    ignore_case: bool,
) -> (Variable, Operator, Literal, bool, bool) {
    (variable, operator, value, false, ignore_case)
}

fn conds(c: &[Condition]) -> Vec<(Variable, Operator, Literal, bool, bool)> {
    c.iter()
        .map(|c| {
            (
                c.variable.clone(),
                c.operator,
                c.value.clone(),
                c.negate,
                c.ignore_case,
            )
        })
        .collect()
}

#[test]
fn example_is_accepted_and_means_what_it_says() {
    let rules = parse_clean("tests/fixtures/example-rules.json");
    assert_eq!(rules.version, 1);
    assert_eq!(rules.endpoint.as_deref(), Some("/collect"));
    assert_eq!(rules.affiliated_domains, ["shop.example.com"]);
    assert!(rules.allow_query.is_empty());
    let ids: Vec<&str> = rules.triggers.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["article-read", "demo-video", "trial-cta", "outbound"]);
    let conversions: Vec<&str> = rules
        .triggers
        .iter()
        .map(|t| t.conversion.as_str())
        .collect();
    assert_eq!(
        conversions,
        [
            "article_read",
            "demo_watched",
            "trial_cta_click",
            "outbound_click"
        ]
    );

    let [scroll, video, click, outbound] = &rules.triggers[..] else {
        panic!("4 triggers")
    };

    assert_eq!(
        scroll.kind,
        TriggerKind::Scroll {
            units: ScrollUnits::Percent,
            thresholds: vec![50.0, 75.0, 100.0]
        }
    );
    assert_eq!(
        conds(&scroll.conditions),
        [cond(
            Variable::PagePath,
            Operator::StartsWith,
            Literal::Str("/blog/".into()),
            false
        )]
    );
    assert_eq!(scroll.limit, Limit::OncePerPage);
    assert_eq!(scroll.pos, Pos { line: 6, column: 5 });
    assert_eq!(scroll.conditions[0].path, "triggers[0].conditions[0]");

    let statuses = VideoStatuses::default()
        .with(VideoStatus::Start)
        .with(VideoStatus::Progress)
        .with(VideoStatus::Complete);
    assert_eq!(
        video.kind,
        TriggerKind::Video {
            statuses,
            progress_percent: vec![25.0, 50.0, 75.0],
            progress_seconds: vec![],
            include_decorative: false,
        }
    );
    assert_eq!(
        conds(&video.conditions),
        [cond(
            Variable::VideoUrl,
            Operator::MatchesRegex,
            Literal::Str("demo\\.(mp4|webm)$".into()),
            true
        )]
    );
    assert_eq!(video.limit, Limit::OncePerEvent);

    assert_eq!(
        click.kind,
        TriggerKind::Click {
            selector: Some("a.cta, button.cta".into())
        }
    );
    assert_eq!(
        conds(&click.conditions),
        [cond(
            Variable::ClickText,
            Operator::Contains,
            Literal::Str("trial".into()),
            true
        )]
    );

    assert_eq!(outbound.kind, TriggerKind::LinkClick);
    assert_eq!(
        conds(&outbound.conditions),
        [cond(
            Variable::LinkOutbound,
            Operator::Equals,
            Literal::Bool(true),
            false
        )]
    );
    assert_eq!(
        conds(&outbound.unless),
        [cond(
            Variable::LinkUrl,
            Operator::Contains,
            Literal::Str("utm_source=partner".into()),
            false
        )]
    );
    for t in &rules.triggers {
        assert!(!t.is_macro);
        if t.id != "outbound" {
            assert!(t.unless.is_empty());
        }
    }
}

#[test]
fn demo_site_rules_are_valid() {
    let rules = parse_clean("www/rules.json");
    assert!(!rules.triggers.is_empty());
}

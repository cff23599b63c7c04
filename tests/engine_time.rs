#![cfg(not(target_arch = "wasm32"))]
//! `timer` (ticks of visible time) and `engagement` (engaged time) triggers:
//! the schedule the shell wakes up to, limits, conditions and variables.

mod engine_support;

use engine_support::*;
use microconv::engine::{Conversion, Engine, TimeClock, Value};
use microconv::native::NativeBackend;

fn at(e: &mut Engine<NativeBackend>, visible: f64, engaged: f64) -> Vec<Conversion> {
    let mut out = vec![];
    e.on_time(visible, engaged, &mut out);
    out
}

fn counts(out: &[Conversion]) -> Vec<f64> {
    out.iter()
        .map(|c| match c.var("timer.count") {
            Some(Value::Num(n)) => *n,
            other => panic!("timer.count {other:?}"),
        })
        .collect()
}

#[test]
fn a_timer_ticks_every_interval_up_to_times() {
    let mut e = engine_from_json(&rules_with(
        r#"{"id": "t", "conversion": "stayed", "on": "timer", "interval_ms": 10000, "times": 3}"#,
    ));
    assert_eq!(e.next_due(TimeClock::Visible, 0.0), Some(10_000.0));
    assert_eq!(e.next_due(TimeClock::Engaged, 0.0), None);
    assert!(at(&mut e, 9_999.0, 0.0).is_empty());
    let out = at(&mut e, 10_000.0, 0.0);
    assert_eq!(counts(&out), [1.0]);
    assert_eq!(out[0].var("timer.elapsed_ms"), Some(&Value::Num(10_000.0)));
    assert_eq!(e.next_due(TimeClock::Visible, 12_000.0), Some(8_000.0));
    // Late wake-up: both ticks due are judged, in order, then no more.
    assert_eq!(counts(&at(&mut e, 35_000.0, 0.0)), [2.0, 3.0]);
    assert!(at(&mut e, 100_000.0, 0.0).is_empty());
    assert_eq!(e.next_due(TimeClock::Visible, 100_000.0), None);
    // A new page view starts it over.
    e.set_page(page("https://www.example.com/next"));
    assert_eq!(e.next_due(TimeClock::Visible, 0.0), Some(10_000.0));
    assert_eq!(counts(&at(&mut e, 10_000.0, 0.0)), [1.0]);
}

#[test]
fn ticks_count_toward_times_even_when_conditions_fail() {
    let mut e = engine_from_json(&rules_with(
        r#"{"id": "t", "conversion": "stayed", "on": "timer", "interval_ms": 1000, "times": 5, "limit": "unlimited",
            "conditions": [{"variable": "timer.count", "operator": "greater_or_equal", "value": 3},
                           {"variable": "event", "operator": "equals", "value": "timer"}]}"#,
    ));
    assert!(at(&mut e, 2_000.0, 0.0).is_empty());
    assert_eq!(counts(&at(&mut e, 60_000.0, 0.0)), [3.0, 4.0, 5.0]);
}

#[test]
fn an_unlimited_timer_catches_up_at_most_ten_ticks() {
    let mut e = engine_from_json(&rules_with(
        r#"{"id": "t", "conversion": "stayed", "on": "timer", "interval_ms": 100}"#,
    ));
    let out = at(&mut e, 100_000.0, 0.0);
    assert_eq!(out.len(), microconv::engine::CATCH_UP as usize);
    // The skipped ticks are not owed; the next one is one interval on.
    assert_eq!(e.next_due(TimeClock::Visible, 100_000.0), Some(100.0));
    assert_eq!(counts(&at(&mut e, 100_100.0, 0.0)), [1001.0]);
}

#[test]
fn once_per_page_limits_a_timer_to_its_first_qualifying_tick() {
    let mut e = engine_from_json(&rules_with(
        r#"{"id": "t", "conversion": "stayed", "on": "timer", "interval_ms": 1000, "limit": "once_per_page",
            "conditions": [{"variable": "page.path", "operator": "starts_with", "value": "/pricing"}]}"#,
    ));
    assert!(at(&mut e, 5_000.0, 0.0).is_empty(), "not the pricing page");
    e.set_page(page("https://www.example.com/pricing"));
    assert_eq!(counts(&at(&mut e, 3_000.0, 0.0)), [1.0]);
    assert!(at(&mut e, 9_000.0, 0.0).is_empty());
}

#[test]
fn engagement_fires_once_per_page_view_on_engaged_time() {
    let mut e = engine_from_json(&rules_with(
        r#"{"id": "engaged", "conversion": "engaged_2min", "on": "engagement", "engaged_seconds": 120},
           {"id": "t", "conversion": "stayed", "on": "timer", "interval_ms": 60000, "times": 1}"#,
    ));
    assert!(e.listens_to(microconv::rules::model::TriggerType::Engagement));
    assert_eq!(e.next_due(TimeClock::Engaged, 30_000.0), Some(90_000.0));
    // Visible time alone does not engage.
    let out = at(&mut e, 600_000.0, 119_000.0);
    assert_eq!(ids(&e, &out), ["t"]);
    let out = at(&mut e, 600_000.0, 120_000.0);
    assert_eq!(ids(&e, &out), ["engaged"]);
    assert_eq!(
        out[0].vars,
        [("engagement.seconds".into(), Value::Num(120.0))]
    );
    assert_eq!(out[0].var("event"), None);
    assert!(at(&mut e, 900_000.0, 900_000.0).is_empty());
    assert_eq!(e.next_due(TimeClock::Engaged, 900_000.0), None);
    e.set_page(page("https://www.example.com/next"));
    let out = at(&mut e, 0.0, 120_000.0);
    assert_eq!(ids(&e, &out), ["engaged"]);
}

#[test]
fn time_triggers_are_checked() {
    let defects = validation_defects;
    assert_eq!(
        defects(r#"{"id": "t", "conversion": "x", "on": "timer"}"#),
        ["triggers[0]: missing required field \"interval_ms\""]
    );
    assert_eq!(
        defects(r#"{"id": "t", "conversion": "x", "on": "timer", "interval_ms": 50, "times": 1.5}"#),
        [
            "triggers[0].interval_ms: must be at least 100 (a tenth of a second) and at most 86400000 (a day)",
            "triggers[0].times: must be a whole number from 1 to 1000000"
        ]
    );
    assert_eq!(
        defects(r#"{"id": "t", "conversion": "x", "on": "engagement", "engaged_seconds": "120"}"#),
        ["triggers[0].engaged_seconds: expected a number, found the string \"120\": write the number without quotes"]
    );
    assert_eq!(
        defects(r#"{"id": "t", "conversion": "x", "on": "engagement", "engaged_seconds": 0}"#),
        ["triggers[0].engaged_seconds: must be more than 0 and at most 86400 (a day)"]
    );
}

#![cfg(not(target_arch = "wasm32"))]
//! Firing limits per trigger and milestone, and `listens_to`.

mod engine_support;

use engine_support::*;
use microconv::engine::{Engine, MediaEventKind};
use microconv::native::NativeBackend;
use microconv::rules::model::*;

fn same_conversion(id: &str, conversion: &str, limit: Limit) -> Trigger {
    let mut t = limited(custom(id, "e"), limit);
    t.conversion = conversion.into();
    t
}

#[test]
fn once_per_event_reports_a_conversion_name_once_per_event() {
    let mut e = engine(vec![
        same_conversion("a", "signup", Limit::OncePerEvent),
        same_conversion("b", "signup", Limit::OncePerEvent),
        same_conversion("c", "other", Limit::OncePerEvent),
    ]);
    assert_eq!(push_ids(&mut e, "e", &[]), ["a", "c"]);
    // The next event reports again.
    assert_eq!(push_ids(&mut e, "e", &[]), ["a", "c"]);
}

#[test]
fn once_per_event_dedup_skips_triggers_whose_conditions_fail() {
    let mut e = engine(vec![
        with(
            same_conversion("a", "signup", Limit::OncePerEvent),
            vec![cond("dl.x", "equals", s("1"))],
        ),
        same_conversion("b", "signup", Limit::OncePerEvent),
    ]);
    assert_eq!(push_ids(&mut e, "e", &[]), ["b"]);
}

#[test]
fn unlimited_reports_every_match() {
    let mut e = engine(vec![
        same_conversion("a", "signup", Limit::Unlimited),
        same_conversion("b", "signup", Limit::Unlimited),
    ]);
    assert_eq!(push_ids(&mut e, "e", &[]), ["a", "b"]);
    assert_eq!(push_ids(&mut e, "e", &[]), ["a", "b"]);
}

#[test]
fn once_per_page_rearms_on_set_page() {
    let mut e = engine(vec![limited(click("c", None), Limit::OncePerPage)]);
    let b = el("button", &[], "", None);
    assert_eq!(click_on(&mut e, &b, 0).len(), 1);
    assert!(click_on(&mut e, &b, 0).is_empty());
    e.set_page(page("https://www.example.com/next"));
    assert_eq!(click_on(&mut e, &b, 0).len(), 1);
}

#[test]
fn a_failed_condition_does_not_use_up_a_limit() {
    let mut e = engine(vec![with(
        limited(custom("t", "e"), Limit::OncePerPage),
        vec![cond("dl.ok", "equals", b(true))],
    )]);
    assert!(push(
        &mut e,
        "e",
        &[("ok", microconv::engine::Value::Bool(false))]
    )
    .is_empty());
    assert_eq!(
        push(&mut e, "e", &[("ok", microconv::engine::Value::Bool(true))]).len(),
        1
    );
    assert!(push(&mut e, "e", &[("ok", microconv::engine::Value::Bool(true))]).is_empty());
}

#[test]
fn once_per_session_survives_pages_and_save_restore() {
    let triggers = || {
        vec![
            limited(custom("s", "e"), Limit::OncePerSession),
            limited(custom("p", "e"), Limit::OncePerPage),
        ]
    };
    let mut e = engine(triggers());
    assert_eq!(push_ids(&mut e, "e", &[]), ["s", "p"]);
    e.set_page(page("https://www.example.com/2"));
    assert_eq!(
        push_ids(&mut e, "e", &[]),
        ["p"],
        "session limit kept across set_page"
    );
    let saved = e.session_state();
    assert_eq!(saved.len(), 16);
    assert!(saved
        .bytes()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    // A new page load: a new engine restores the state.
    let mut e2 = engine(triggers());
    e2.restore_session_state(&saved);
    assert_eq!(push_ids(&mut e2, "e", &[]), ["p"]);
    // Without the state, it fires again.
    let mut e3 = engine(triggers());
    e3.restore_session_state("garbage!");
    assert_eq!(push_ids(&mut e3, "e", &[]), ["s", "p"]);
}

#[test]
fn session_state_is_per_trigger_id() {
    let mut e = engine(vec![limited(custom("a", "e"), Limit::OncePerSession)]);
    push(&mut e, "e", &[]);
    let saved = e.session_state();
    let mut other = engine(vec![limited(custom("b", "e"), Limit::OncePerSession)]);
    other.restore_session_state(&saved);
    assert_eq!(push(&mut other, "e", &[]).len(), 1);
}

#[test]
fn limits_count_per_scroll_threshold() {
    let t = || {
        limited(
            scroll("s", ScrollUnits::Percent, &[50.0, 75.0]),
            Limit::OncePerSession,
        )
    };
    let mut e = engine(vec![t()]);
    assert_eq!(thresholds(&scroll_to(&mut e, 0.0, 1000.0, 2000.0)), [50.0]);
    e.set_page(page("https://www.example.com/b"));
    // 50 again on another page: already reported this session; 75 is new.
    assert_eq!(
        thresholds(&scroll_to(&mut e, 600.0, 1000.0, 2000.0)),
        [75.0]
    );
}

#[test]
fn scroll_thresholds_are_separate_events_for_once_per_event() {
    let mut a = scroll("a", ScrollUnits::Percent, &[50.0, 100.0]);
    a.conversion = "read".into();
    let mut b2 = scroll("b", ScrollUnits::Percent, &[50.0]);
    b2.conversion = "read".into();
    let mut e = engine(vec![a, b2]);
    let out = scroll_to(&mut e, 0.0, 500.0, 400.0);
    // 50 (a), 100 (a); b's 50 is the same conversion at the same milestone.
    assert_eq!(ids(&e, &out), ["a", "a"]);
    assert_eq!(thresholds(&out), [50.0, 100.0]);
}

#[test]
fn media_limits_count_per_url_and_status() {
    let mut e = engine(vec![limited(video("v", &[50.0], &[]), Limit::OncePerPage)]);
    let run = |e: &mut Engine<NativeBackend>, key, url: &str| {
        let mut all = vec![];
        for (k, t) in [
            (MediaEventKind::Play, 0.0),
            (MediaEventKind::TimeUpdate, 6.0),
            (MediaEventKind::Ended, 10.0),
        ] {
            all.extend(video_milestones(&media(e, key, k, t, 10.0, url)));
        }
        all.into_iter().map(|(s, _)| s).collect::<Vec<_>>()
    };
    assert_eq!(
        run(&mut e, 1, "https://x/a.mp4"),
        ["start", "progress", "complete"]
    );
    assert!(
        run(&mut e, 1, "https://x/a.mp4").is_empty(),
        "replay on the same page"
    );
    assert_eq!(
        run(&mut e, 2, "https://x/b.mp4"),
        ["start", "progress", "complete"],
        "another URL"
    );
    e.set_page(page("https://www.example.com/next"));
    assert_eq!(
        run(&mut e, 1, "https://x/a.mp4"),
        ["start", "progress", "complete"]
    );
    // Default limit: every play-through reports again.
    let mut e = engine(vec![video("v", &[50.0], &[])]);
    assert_eq!(run(&mut e, 1, "u").len(), 3);
    assert_eq!(run(&mut e, 1, "u").len(), 3);
}

#[test]
fn listens_to_names_the_types_in_use() {
    let e = engine(vec![
        scroll("s", ScrollUnits::Percent, &[50.0]),
        custom("c", "x"),
    ]);
    use microconv::rules::model::TriggerType::*;
    assert!(e.listens_to(Scroll));
    assert!(e.listens_to(Custom));
    assert!(!e.listens_to(Video));
    assert!(!e.listens_to(Click));
    assert!(!e.listens_to(LinkClick));
    assert!(!e.listens_to(PageView));
    let e = engine(vec![
        video("v", &[], &[]),
        click("c", None),
        link("l"),
        page_view("p"),
    ]);
    assert!(e.listens_to(Video) && e.listens_to(Click) && e.listens_to(LinkClick));
    assert!(e.listens_to(PageView));
    assert!(!e.listens_to(Scroll));
}

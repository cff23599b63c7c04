#![cfg(not(target_arch = "wasm32"))]
//! HTML5 media milestones: start, pause, seek, progress, complete.

mod engine_support;

use engine_support::*;
use microconv::engine::MediaEventKind::*;
use microconv::engine::{Engine, MediaEventKind};
use microconv::native::NativeBackend;
use microconv::rules::model::*;

const URL: &str = "https://cdn.example.com/demo.mp4";
const D: f64 = 100.0;

fn ev(e: &mut Engine<NativeBackend>, kind: MediaEventKind, t: f64) -> Vec<(String, Option<f64>)> {
    video_milestones(&media(e, 1, kind, t, D, URL))
}

fn m(status: &str, pct: Option<f64>) -> (String, Option<f64>) {
    (status.to_string(), pct)
}

fn progress(p: f64) -> (String, Option<f64>) {
    m("progress", Some(p))
}

#[test]
fn a_full_watch() {
    let mut e = engine(vec![video("v", &[25.0, 50.0, 75.0], &[])]);
    assert_eq!(ev(&mut e, Play, 0.0), [m("start", Some(0.0))]);
    assert!(ev(&mut e, TimeUpdate, 10.0).is_empty());
    assert_eq!(ev(&mut e, TimeUpdate, 26.0), [progress(25.0)]);
    assert_eq!(ev(&mut e, Pause, 30.0), [m("pause", Some(30.0))]);
    assert!(ev(&mut e, Play, 30.0).is_empty(), "resuming is not a start");
    // A slow timeupdate that crosses two thresholds reports both, in order.
    assert_eq!(
        ev(&mut e, TimeUpdate, 80.0),
        [progress(50.0), progress(75.0)]
    );
    // The pause that comes with the end is not a pause.
    assert!(ev(&mut e, Pause, 100.0).is_empty());
    assert_eq!(ev(&mut e, Ended, 100.0), [m("complete", Some(100.0))]);
}

#[test]
fn seeking_skips_thresholds() {
    let mut e = engine(vec![video("v", &[25.0, 50.0, 75.0], &[])]);
    ev(&mut e, Play, 0.0);
    ev(&mut e, TimeUpdate, 10.0);
    // seeking → timeupdate (new position) → seeked
    assert!(ev(&mut e, Seeking, 60.0).is_empty());
    assert!(
        ev(&mut e, TimeUpdate, 60.0).is_empty(),
        "no progress during a seek"
    );
    assert_eq!(ev(&mut e, Seeked, 60.0), [m("seek", Some(60.0))]);
    assert_eq!(ev(&mut e, TimeUpdate, 76.0), [progress(75.0)]);
    // Back before the skipped thresholds: they stay dropped.
    ev(&mut e, Seeking, 5.0);
    assert_eq!(ev(&mut e, Seeked, 5.0), [m("seek", Some(5.0))]);
    assert!(ev(&mut e, TimeUpdate, 30.0).is_empty());
    assert!(ev(&mut e, TimeUpdate, 55.0).is_empty());
}

#[test]
fn seek_without_seeking_event_and_seek_rules() {
    let mut e = engine(vec![video("v", &[50.0], &[])]);
    // Before the first play a seek is not reported (a resume position set by the page).
    assert!(ev(&mut e, Seeked, 20.0).is_empty());
    ev(&mut e, Play, 20.0);
    // Landing at 0 (a restart or a loop) is not a seek.
    assert!(ev(&mut e, Seeked, 0.0).is_empty());
    // A tiny move is not a seek.
    assert!(ev(&mut e, Seeked, 0.2).is_empty());
    assert_eq!(ev(&mut e, Seeked, 70.0), [m("seek", Some(70.0))]);
    assert!(ev(&mut e, TimeUpdate, 80.0).is_empty(), "50 % was skipped");
}

#[test]
fn complete_rearms_start_and_thresholds() {
    let mut e = engine(vec![video("v", &[50.0], &[])]);
    ev(&mut e, Play, 0.0);
    assert_eq!(ev(&mut e, TimeUpdate, 51.0), [progress(50.0)]);
    assert_eq!(ev(&mut e, Ended, 100.0), [m("complete", Some(100.0))]);
    // Replay: the browser seeks to 0 first (not a seek), then plays.
    assert!(ev(&mut e, Seeking, 0.0).is_empty());
    assert!(ev(&mut e, Seeked, 0.0).is_empty());
    assert_eq!(ev(&mut e, Play, 0.0), [m("start", Some(0.0))]);
    assert_eq!(ev(&mut e, TimeUpdate, 50.0), [progress(50.0)]);
}

#[test]
fn ended_reaches_the_last_thresholds_before_complete() {
    let mut e = engine(vec![video("v", &[90.0, 100.0], &[])]);
    ev(&mut e, Play, 0.0);
    ev(&mut e, TimeUpdate, 89.0);
    assert_eq!(
        ev(&mut e, Ended, 100.0),
        [progress(90.0), progress(100.0), m("complete", Some(100.0))]
    );
}

#[test]
fn seconds_thresholds_work_on_live_streams_percent_do_not() {
    let mut e = engine(vec![video("v", &[10.0], &[0.0, 30.0])]);
    let live = |e: &mut Engine<NativeBackend>, k, t| {
        video_milestones(&media(e, 7, k, t, f64::INFINITY, "https://live/x.m3u8"))
    };
    assert_eq!(live(&mut e, Play, 0.0), [m("start", None)]);
    assert_eq!(
        live(&mut e, TimeUpdate, 0.25),
        [m("progress", None)],
        "0 s fires on the first update"
    );
    assert!(live(&mut e, TimeUpdate, 20.0).is_empty());
    let out = media(
        &mut e,
        7,
        TimeUpdate,
        31.0,
        f64::INFINITY,
        "https://live/x.m3u8",
    );
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].var("video.current_time"),
        Some(&microconv::engine::Value::Num(31.0))
    );
}

#[test]
fn percent_and_seconds_thresholds_merge_in_position_order() {
    let mut e = engine(vec![video("v", &[20.0, 40.0], &[30.0])]);
    ev(&mut e, Play, 0.0);
    let out = media(&mut e, 1, TimeUpdate, 45.0, D, URL);
    let kinds: Vec<_> = out
        .iter()
        .map(|c| c.var("video.current_time").cloned())
        .collect();
    assert_eq!(out.len(), 3, "{kinds:?}");
    assert_eq!(
        video_milestones(&out),
        [progress(20.0), progress(45.0), progress(40.0)]
    );
}

#[test]
fn first_play_mid_media_drops_thresholds_behind_it() {
    let mut e = engine(vec![video("v", &[25.0, 50.0], &[])]);
    assert_eq!(ev(&mut e, Play, 40.0), [m("start", Some(40.0))]);
    assert_eq!(ev(&mut e, TimeUpdate, 55.0), [progress(50.0)]);
}

#[test]
fn media_elements_have_their_own_state() {
    let mut e = engine(vec![video("v", &[50.0], &[])]);
    let a = |e: &mut Engine<NativeBackend>, k, t| {
        video_milestones(&media(e, 1, k, t, 10.0, "https://x/a.mp4"))
    };
    let b = |e: &mut Engine<NativeBackend>, k, t| {
        video_milestones(&media(e, 2, k, t, 20.0, "https://x/b.mp4"))
    };
    assert_eq!(a(&mut e, Play, 0.0).len(), 1);
    assert_eq!(b(&mut e, Play, 0.0).len(), 1);
    assert_eq!(a(&mut e, TimeUpdate, 6.0), [progress(50.0)]);
    assert!(b(&mut e, TimeUpdate, 6.0).is_empty());
    assert_eq!(b(&mut e, TimeUpdate, 11.0), [progress(50.0)]);
}

#[test]
fn statuses_filter_what_a_trigger_reports() {
    let mut t = video("v", &[50.0], &[]);
    t.kind = TriggerKind::Video {
        statuses: VideoStatuses::default()
            .with(VideoStatus::Complete)
            .with(VideoStatus::Seek),
        progress_percent: vec![50.0],
        progress_seconds: vec![],
    };
    let mut e = engine(vec![t]);
    assert!(ev(&mut e, Play, 0.0).is_empty());
    assert!(ev(&mut e, TimeUpdate, 60.0).is_empty());
    assert!(ev(&mut e, Pause, 60.0).is_empty());
    assert_eq!(ev(&mut e, Seeked, 90.0), [m("seek", Some(90.0))]);
    assert_eq!(ev(&mut e, Ended, 100.0), [m("complete", Some(100.0))]);
}

#[test]
fn pause_while_seeking_or_not_playing_is_not_reported() {
    let mut e = engine(vec![video("v", &[], &[])]);
    assert!(ev(&mut e, Pause, 0.0).is_empty(), "never played");
    ev(&mut e, Play, 0.0);
    ev(&mut e, Seeking, 50.0);
    assert!(ev(&mut e, Pause, 50.0).is_empty());
    ev(&mut e, Seeked, 50.0);
    ev(&mut e, Play, 50.0);
    assert_eq!(ev(&mut e, Pause, 52.0), [m("pause", Some(52.0))]);
    assert!(ev(&mut e, Pause, 52.0).is_empty(), "already paused");
}

#[test]
fn conditions_on_media_url() {
    let mut e = engine(vec![with(
        video("v", &[], &[]),
        vec![icase(cond(
            "video.url",
            "matches_regex",
            s("demo\\.(mp4|webm)$"),
        ))],
    )]);
    assert_eq!(
        media(&mut e, 1, Play, 0.0, D, "https://x/DEMO.webm").len(),
        1
    );
    assert!(media(&mut e, 2, Play, 0.0, D, "https://x/other.mp4").is_empty());
}

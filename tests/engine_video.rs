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
        include_decorative: false,
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

/// A media event of element 1 with its flags.
fn flagged(
    e: &mut Engine<NativeBackend>,
    kind: MediaEventKind,
    t: f64,
    muted: bool,
    autoplay: bool,
    looped: bool,
) -> Vec<microconv::engine::Conversion> {
    let ev = microconv::engine::MediaEvent {
        muted,
        autoplay,
        looped,
        ..media_event(kind, t, D, URL)
    };
    let mut out = vec![];
    e.on_media(1, &ev, &mut out);
    out
}

#[test]
fn decorative_media_are_left_out_unless_asked_for() {
    let mut wanted = video("background", &[50.0], &[]);
    if let TriggerKind::Video {
        include_decorative, ..
    } = &mut wanted.kind
    {
        *include_decorative = true;
    }
    let mut e = engine(vec![video("watched", &[50.0], &[]), wanted]);
    // Muted and autoplaying: a background.
    let out = flagged(&mut e, Play, 0.0, true, true, false);
    assert_eq!(ids(&e, &out), ["background"]);
    assert_eq!(
        out[0].var("video.muted"),
        Some(&microconv::engine::Value::Bool(true))
    );
    assert_eq!(
        out[0].var("video.autoplay"),
        Some(&microconv::engine::Value::Bool(true))
    );
    assert_eq!(out[0].var("video.loop"), None, "false flags are not sent");
    let out = flagged(&mut e, TimeUpdate, 60.0, true, true, false);
    assert_eq!(ids(&e, &out), ["background"]);
    // The visitor unmutes it: from now on it is watched.
    let out = flagged(&mut e, Pause, 61.0, false, true, false);
    assert_eq!(ids(&e, &out), ["watched", "background"]);
    // Muted alone, or autoplay alone, is not decorative.
    let mut e = engine(vec![video("watched", &[], &[])]);
    let out = flagged(&mut e, Play, 0.0, true, false, false);
    assert_eq!(ids(&e, &out), ["watched"]);
    let mut e = engine(vec![video("watched", &[], &[])]);
    let out = flagged(&mut e, Play, 0.0, false, true, true);
    assert_eq!(ids(&e, &out), ["watched"]);
}

#[test]
fn a_loop_restart_completes_the_play_through_without_seek_or_start() {
    let mut e = engine(vec![video("v", &[25.0, 50.0, 75.0], &[])]);
    let lp = |e: &mut Engine<NativeBackend>, kind, t| {
        video_milestones(&flagged(e, kind, t, false, false, true))
    };
    assert_eq!(lp(&mut e, Play, 0.0), [m("start", Some(0.0))]);
    assert_eq!(
        lp(&mut e, TimeUpdate, 60.0),
        [progress(25.0), progress(50.0)]
    );
    assert_eq!(lp(&mut e, TimeUpdate, 99.7), [progress(75.0)]);
    // The loop: a seek from the end to the start.
    assert!(lp(&mut e, Seeking, 99.8).is_empty());
    assert_eq!(lp(&mut e, Seeked, 0.0), [m("complete", Some(0.0))]);
    // Playing on: the thresholds fire again, with no new start.
    assert!(lp(&mut e, TimeUpdate, 0.3).is_empty());
    assert_eq!(lp(&mut e, TimeUpdate, 30.0), [progress(25.0)]);
    // A seek back to the start that is not from the end is a seek to 0: nothing.
    assert!(lp(&mut e, Seeked, 0.0).is_empty());
    // Without the loop flag, a jump from the end to 0.6 s is a seek.
    let mut e = engine(vec![video("v", &[], &[])]);
    ev(&mut e, Play, 0.0);
    ev(&mut e, TimeUpdate, 99.5);
    assert_eq!(ev(&mut e, Seeked, 0.6), [m("seek", Some(1.0))]);
}

#[test]
fn embeds_report_their_provider() {
    let mut e = engine(vec![with(
        video("yt", &[], &[]),
        vec![cond("video.provider", "equals", s("youtube"))],
    )]);
    let mut ev = media_event(Play, 0.0, D, "https://youtu.be/abc");
    let mut out = vec![];
    e.on_media(1, &ev, &mut out);
    assert!(out.is_empty(), "an HTML5 video is not a YouTube one");
    ev.provider = "youtube";
    e.on_media(2, &ev, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].var("video.provider"), Some(&str_val("youtube")));
    assert_eq!(
        out[0].var("video.url"),
        Some(&str_val("https://youtu.be/abc"))
    );
}

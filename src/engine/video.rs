//! HTML5 media milestones, each media element (a shell-chosen key) with its
//! own state. GTM's YouTube semantics applied to `<video>`/`<audio>` events:
//!
//! - `start`: the first `Play`, and the first again after `complete`.
//! - `pause`: a `Pause` while playing, except at the end (the pause that comes
//!   with `ended`: within [`END_SLACK`] s of a finite duration) or while seeking.
//! - `seek`: a `Seeked` after the media started whose position moved more than
//!   [`SEEK_MIN_MOVE`] s from where it was; like GTM, not reported when
//!   landing at 0 (a restart, or a `loop` wrapping around).
//! - `progress`: playback (`TimeUpdate`, and the position at `Pause`/`Ended`)
//!   moving from `previous` to `current` reaches every threshold `t` with
//!   `previous < t <= current`, in order of position. A threshold at or below
//!   where a seek lands is dropped and never fires (GTM drops thresholds passed
//!   at (re)play), and so are thresholds below the position of the first play.
//!   Percent thresholds need a finite duration > 0 (live streams have none);
//!   seconds thresholds always work.
//! - `complete`: `Ended`; it re-arms the media's thresholds and `start`.
//!   A looping media's restart (a seek from within [`LOOP_SLACK`] s of the
//!   end to within it of the start) completes the play-through too: its
//!   last thresholds, then `complete`, re-arm the thresholds, and is
//!   neither a `seek` nor a new `start`.
//!
//! The shell should send `Play` for media already playing when it attaches.

use super::{MediaEvent, MediaEventKind};
use crate::prelude::*;
use crate::rules::model::{VideoStatus, VideoStatuses};

/// How close to the end (seconds) a pause counts as the end's pause.
pub const END_SLACK: f64 = 0.25;
/// The least move (seconds) a `Seeked` must make to be reported.
pub const SEEK_MIN_MOVE: f64 = 0.5;
/// How near the end a looping media's seek must start, and how near the
/// start it must land, to be the loop restarting (seconds).
pub const LOOP_SLACK: f64 = 1.0;

/// A milestone of one media element.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Milestone {
    /// A status other than `progress`.
    Status(VideoStatus),
    /// `progress` at a percent threshold.
    Percent(f64),
    /// `progress` at a seconds threshold.
    Seconds(f64),
}

/// One video trigger's thresholds; its `done` flags start at `offset` in each
/// media's flags (percent thresholds first, then seconds).
struct Slot {
    trigger: usize,
    statuses: VideoStatuses,
    percent: Vec<f64>,
    seconds: Vec<f64>,
    offset: usize,
}

struct Media {
    key: u32,
    started: bool,
    playing: bool,
    seeking: bool,
    pos: f64,
    seek_from: f64,
    done: Vec<bool>,
    /// Earliest position (seconds) of a threshold not yet done, for the
    /// duration `due_for`: a timeupdate before it has nothing to check, which
    /// keeps the common timeupdate O(1) however many triggers there are.
    next_due: f64,
    due_for: f64,
}

/// Every media element's state.
#[derive(Default)]
pub(crate) struct MediaTracker {
    slots: Vec<Slot>,
    flags: usize,
    media: Vec<Media>,
}

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut v = v.to_vec();
    crate::sort::sort_f64(&mut v);
    v
}

impl MediaTracker {
    /// Adds a video trigger.
    pub(crate) fn add(
        &mut self,
        trigger: usize,
        statuses: VideoStatuses,
        percent: &[f64],
        seconds: &[f64],
    ) {
        let slot = Slot {
            trigger,
            statuses,
            percent: sorted(percent),
            seconds: sorted(seconds),
            offset: self.flags,
        };
        self.flags += slot.percent.len() + slot.seconds.len();
        self.slots.push(slot);
    }

    /// The video triggers listening to `status`, in file order.
    pub(crate) fn triggers_with(&self, status: VideoStatus) -> impl Iterator<Item = usize> + '_ {
        self.slots
            .iter()
            .filter(move |s| s.statuses.contains(status))
            .map(|s| s.trigger)
    }

    /// Applies a media event; calls `hit(trigger, milestone)` for each milestone
    /// reached, `trigger` being `None` for statuses (every trigger listening to
    /// it) and `Some` for one trigger's progress threshold.
    pub(crate) fn event(
        &mut self,
        key: u32,
        ev: &MediaEvent,
        mut hit: impl FnMut(Option<usize>, Milestone),
    ) {
        let idx = match self.media.iter().position(|m| m.key == key) {
            Some(i) => i,
            None => {
                self.media.push(Media {
                    key,
                    started: false,
                    playing: false,
                    seeking: false,
                    pos: 0.0,
                    seek_from: 0.0,
                    done: vec![false; self.flags],
                    next_due: f64::NEG_INFINITY,
                    due_for: f64::NAN,
                });
                self.media.len() - 1
            }
        };
        let Some(m) = self.media.get_mut(idx) else {
            return;
        };
        let slots = &self.slots;
        let cur = if ev.current_time.is_finite() {
            ev.current_time.max(0.0)
        } else {
            m.pos
        };
        let dur = ev.duration;
        let near_end = dur.is_finite() && dur > 0.0 && cur >= dur - END_SLACK;
        match ev.kind {
            MediaEventKind::Play => {
                if !m.started {
                    m.started = true;
                    // Thresholds already behind the start are dropped; a
                    // threshold at 0 still fires on the first update.
                    drop_through(slots, m, cur, dur, false);
                    m.pos = if cur > 0.0 { cur } else { -1.0 };
                    hit(None, Milestone::Status(VideoStatus::Start));
                }
                m.playing = true;
            }
            MediaEventKind::TimeUpdate => {
                if m.playing && !m.seeking {
                    let same_duration = m.due_for == dur || (m.due_for.is_nan() && dur.is_nan());
                    if same_duration && cur < m.next_due {
                        m.pos = cur;
                    } else {
                        cross(slots, m, cur, dur, &mut hit);
                    }
                }
            }
            MediaEventKind::Pause => {
                if near_end {
                    // `ended` follows; it reports the end.
                } else if m.playing && !m.seeking {
                    cross(slots, m, cur, dur, &mut hit);
                    m.playing = false;
                    hit(None, Milestone::Status(VideoStatus::Pause));
                } else {
                    m.playing = false;
                }
            }
            MediaEventKind::Seeking => {
                if !m.seeking {
                    m.seeking = true;
                    m.seek_from = m.pos.max(0.0);
                }
            }
            MediaEventKind::Seeked => {
                let from = if m.seeking {
                    m.seek_from
                } else {
                    m.pos.max(0.0)
                };
                m.seeking = false;
                let finite = dur.is_finite() && dur > 0.0;
                if ev.looped && m.started && finite && from >= dur - LOOP_SLACK && cur < LOOP_SLACK
                {
                    // A loop restart: the play-through is complete (its
                    // last thresholds, then `complete`), the thresholds
                    // re-arm, and playing on is neither a seek nor a start.
                    cross(slots, m, dur, dur, &mut hit);
                    hit(None, Milestone::Status(VideoStatus::Complete));
                    m.done.iter_mut().for_each(|d| *d = false);
                    m.pos = cur;
                    m.next_due = f64::NEG_INFINITY;
                    return;
                }
                drop_through(slots, m, cur, dur, true);
                m.pos = cur;
                if m.started && cur > 0.0 && (cur - from).abs() > SEEK_MIN_MOVE {
                    hit(None, Milestone::Status(VideoStatus::Seek));
                }
            }
            MediaEventKind::Ended => {
                if m.started && !m.seeking {
                    let end = if dur.is_finite() && dur > cur {
                        dur
                    } else {
                        cur
                    };
                    cross(slots, m, end, dur, &mut hit);
                }
                hit(None, Milestone::Status(VideoStatus::Complete));
                m.started = false;
                m.playing = false;
                m.seeking = false;
                m.pos = 0.0;
                m.next_due = f64::NEG_INFINITY;
                m.done.iter_mut().for_each(|d| *d = false);
            }
        }
    }
}

/// Position of a percent threshold in seconds; `None` without a usable duration.
fn percent_pos(t: f64, dur: f64) -> Option<f64> {
    (dur.is_finite() && dur > 0.0).then(|| t / 100.0 * dur)
}

/// Marks milestone `flag` done. Checked (`get_mut`, not `[flag]`): the tag
/// carries no panicking index; `flag` is always in range.
fn mark(done: &mut [bool], flag: usize) {
    if let Some(d) = done.get_mut(flag) {
        *d = true;
    }
}

/// Marks thresholds below `pos` (or at it, with `inclusive`) done without firing.
fn drop_through(slots: &[Slot], m: &mut Media, pos: f64, dur: f64, inclusive: bool) {
    m.next_due = f64::NEG_INFINITY;
    let behind = |p: f64| if inclusive { p <= pos } else { p < pos };
    for s in slots {
        for (i, t) in s.percent.iter().enumerate() {
            if percent_pos(*t, dur).is_some_and(behind) {
                mark(&mut m.done, s.offset + i);
            }
        }
        for (i, t) in s.seconds.iter().enumerate() {
            if behind(*t) {
                mark(&mut m.done, s.offset + s.percent.len() + i);
            }
        }
    }
}

/// Playback moved from `m.pos` to `cur`: fires thresholds crossed, per trigger
/// in position order (percent and seconds merged).
fn cross(
    slots: &[Slot],
    m: &mut Media,
    cur: f64,
    dur: f64,
    hit: &mut impl FnMut(Option<usize>, Milestone),
) {
    let prev = m.pos;
    if cur > prev {
        for s in slots {
            let (mut i, mut j) = (0, 0);
            loop {
                let p = s
                    .percent
                    .get(i)
                    .and_then(|t| percent_pos(*t, dur).map(|pos| (pos, *t)));
                let q = s.seconds.get(j).copied();
                // Percent without a duration can never fire: skip those.
                if p.is_none() && i < s.percent.len() {
                    i += 1;
                    continue;
                }
                let (pos, flag, milestone) = match (p, q) {
                    (Some((pp, t)), Some(qs)) if pp <= qs => {
                        (pp, s.offset + i, Milestone::Percent(t))
                    }
                    (Some((pp, t)), None) => (pp, s.offset + i, Milestone::Percent(t)),
                    (_, Some(qs)) => (qs, s.offset + s.percent.len() + j, Milestone::Seconds(qs)),
                    (None, None) => break,
                };
                match milestone {
                    Milestone::Seconds(_) => j += 1,
                    _ => i += 1,
                }
                if pos > cur {
                    // Sorted: nothing further in this list is crossed, but the
                    // other list may still be behind; both are sorted, so the
                    // merge order means everything after is beyond `cur` too.
                    break;
                }
                if pos > prev && m.done.get(flag) == Some(&false) {
                    mark(&mut m.done, flag);
                    if s.statuses.contains(VideoStatus::Progress) {
                        hit(Some(s.trigger), milestone);
                    }
                }
            }
        }
    }
    m.pos = cur;
    m.next_due = next_due(slots, m, dur);
    m.due_for = dur;
}

/// Earliest position of a threshold not yet done (infinity when none).
fn next_due(slots: &[Slot], m: &Media, dur: f64) -> f64 {
    let mut next = f64::INFINITY;
    for s in slots {
        let pct = s
            .percent
            .iter()
            .enumerate()
            .filter_map(|(i, t)| percent_pos(*t, dur).map(|p| (s.offset + i, p)));
        let secs = s
            .seconds
            .iter()
            .enumerate()
            .map(|(j, t)| (s.offset + s.percent.len() + j, *t));
        for (flag, pos) in pct.chain(secs) {
            if m.done.get(flag) == Some(&false) && pos < next {
                next = pos;
            }
        }
    }
    next
}

//! Time-driven triggers: `timer` ticks on the page view's visible time,
//! `engagement` fires on its engaged time. The shell counts both clocks from
//! the page view (see `web/clock.rs`); here they are plain milliseconds, so
//! the schedule is tested natively.

use crate::prelude::*;

/// Which of the page view's clocks a trigger runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeClock {
    /// Time the page was visible.
    Visible,
    /// Time the page was visible, focused, and the visitor active in the last 30 s.
    Engaged,
}

/// Most ticks one trigger catches up in one call (a clock that jumped, such
/// as after the computer slept, must not flood the page with events).
pub const CATCH_UP: u32 = 10;

/// One time-driven trigger.
#[derive(Debug, Clone)]
struct Timed {
    trigger: usize,
    clock: TimeClock,
    /// Milliseconds between ticks (the first tick is one interval in).
    every: f64,
    /// Ticks at most per page view.
    times: u32,
    /// Ticks done in this page view.
    done: u32,
}

/// A tick that is due: its trigger, its number (from 1) and its clock time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Tick {
    pub trigger: usize,
    pub count: u32,
    pub at_ms: f64,
}

/// The time-driven triggers and what each did in this page view.
#[derive(Debug, Default)]
pub(crate) struct Clocks {
    timed: Vec<Timed>,
}

impl Clocks {
    /// A `timer` trigger: every `interval_ms` of visible time, `times` at most.
    pub(crate) fn add_timer(&mut self, trigger: usize, interval_ms: f64, times: Option<u32>) {
        self.timed.push(Timed {
            trigger,
            clock: TimeClock::Visible,
            every: interval_ms,
            times: times.unwrap_or(u32::MAX),
            done: 0,
        });
    }

    /// An `engagement` trigger: once, at `seconds` of engaged time.
    pub(crate) fn add_engagement(&mut self, trigger: usize, seconds: f64) {
        self.timed.push(Timed {
            trigger,
            clock: TimeClock::Engaged,
            every: seconds * 1000.0,
            times: 1,
            done: 0,
        });
    }

    /// Whether any trigger runs on `clock`.
    pub(crate) fn uses(&self, clock: TimeClock) -> bool {
        self.timed.iter().any(|t| t.clock == clock)
    }

    /// A new page view: every trigger starts over.
    pub(crate) fn new_page(&mut self) {
        for t in &mut self.timed {
            t.done = 0;
        }
    }

    /// Calls `f` with each tick due at the clock times `visible` and
    /// `engaged` (ms), in trigger order, each tick once.
    pub(crate) fn due(&mut self, visible: f64, engaged: f64, mut f: impl FnMut(Tick)) {
        for t in &mut self.timed {
            let now = match t.clock {
                TimeClock::Visible => visible,
                TimeClock::Engaged => engaged,
            };
            let reached = ticks_at(now, t.every).min(t.times);
            let mut caught = 0;
            while t.done < reached && caught < CATCH_UP {
                t.done += 1;
                caught += 1;
                f(Tick {
                    trigger: t.trigger,
                    count: t.done,
                    at_ms: f64::from(t.done) * t.every,
                });
            }
            // Ticks beyond the catch-up are skipped, not owed.
            t.done = t.done.max(reached);
        }
    }

    /// Milliseconds of `clock` from `now` until its next tick, if any is left.
    pub(crate) fn next(&self, clock: TimeClock, now: f64) -> Option<f64> {
        self.timed
            .iter()
            .filter(|t| t.clock == clock && t.done < t.times)
            .map(|t| (f64::from(t.done) + 1.0) * t.every - now)
            .reduce(f64::min)
            .map(|ms| ms.max(0.0))
    }
}

/// Whole intervals of `every` in `now` (0 for nonsense input).
fn ticks_at(now: f64, every: f64) -> u32 {
    if !(every > 0.0 && now >= every) {
        return 0;
    }
    let n = now / every;
    // Saturating: `as` clamps to u32::MAX (and NaN is excluded above).
    n as u32
}

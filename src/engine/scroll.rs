//! Scroll depth, GTM's model: depth is the running maximum of
//! `scrollTop + viewport height`; percent is depth ÷ scroll height × 100, with
//! a depth within 1 px of the bottom counted as 100 % (fractional `scrollTop`
//! never quite reaches it). Every not-yet-reached threshold at or below the
//! depth is reached by a reading, in ascending order, so a page shorter than the
//! viewport reaches every percent threshold on the first reading and a jump
//! reaches every skipped threshold at once. Each threshold is reached once per
//! page; [`ScrollState::new_page`] re-arms them and resets the running maximum.
//! A reading without a positive scroll height reaches no percent threshold.

use super::ScrollReading;
use crate::prelude::*;
use crate::rules::model::ScrollUnits;

/// One scroll trigger's thresholds.
struct Slot {
    trigger: usize,
    units: ScrollUnits,
    thresholds: Vec<f64>,
    reached: Vec<bool>,
}

/// Scroll state of the current page.
#[derive(Default)]
pub(crate) struct ScrollState {
    max_depth: f64,
    slots: Vec<Slot>,
}

impl ScrollState {
    /// Adds a scroll trigger (thresholds sorted ascending).
    pub(crate) fn add(&mut self, trigger: usize, units: ScrollUnits, thresholds: &[f64]) {
        let mut thresholds = thresholds.to_vec();
        crate::sort::sort_f64(&mut thresholds);
        let reached = vec![false; thresholds.len()];
        self.slots.push(Slot {
            trigger,
            units,
            thresholds,
            reached,
        });
    }

    /// A new page: thresholds re-arm, depth starts again.
    /// Whether any scroll trigger was added.
    pub(crate) fn is_used(&self) -> bool {
        !self.slots.is_empty()
    }
    pub(crate) fn new_page(&mut self) {
        self.max_depth = 0.0;
        self.slots
            .iter_mut()
            .for_each(|s| s.reached.iter_mut().for_each(|r| *r = false));
    }

    /// Takes a reading; calls `reached(trigger, threshold, units)` for each
    /// threshold newly reached, per trigger in file order, ascending.
    pub(crate) fn reading(
        &mut self,
        r: ScrollReading,
        mut reached: impl FnMut(usize, f64, ScrollUnits),
    ) {
        let bottom = r.top + r.viewport;
        if bottom.is_finite() && bottom > self.max_depth {
            self.max_depth = bottom;
        }
        let depth = self.max_depth;
        let percent = if r.height.is_finite() && r.height > 0.0 {
            if depth >= r.height - 1.0 {
                100.0
            } else {
                depth / r.height * 100.0
            }
        } else {
            f64::NEG_INFINITY
        };
        for slot in &mut self.slots {
            let value = match slot.units {
                ScrollUnits::Percent => percent,
                ScrollUnits::Pixels => depth,
            };
            for (t, done) in slot.thresholds.iter().zip(slot.reached.iter_mut()) {
                if *t > value {
                    break;
                }
                if !*done {
                    *done = true;
                    reached(slot.trigger, *t, slot.units);
                }
            }
        }
    }
}

//! Firing limits. A limit counts per trigger and per milestone (a scroll
//! threshold; a media status or threshold of one media URL; clicks and pushes
//! have a single milestone), identified by FNV-1a 64 hashes so the state is
//! small and `once_per_session` state is a compact string.
//!
//! - `once_per_event`: a conversion name is reported at most once per event
//!   and milestone, even when several of its triggers match (GTM's tag
//!   semantics); a scroll reading that passes three thresholds is three events.
//! - `once_per_page`: per trigger and milestone, until [`Limits::new_page`].
//! - `once_per_session`: per trigger and milestone, kept across pages through
//!   [`Limits::session_state`] / [`Limits::restore_session`].
//! - `unlimited`: every match.

use crate::prelude::*;
use crate::rules::model::{Limit, Trigger};

/// Most `once_per_session` entries kept, so session storage stays small.
const SESSION_CAP: usize = 4096;

/// FNV-1a 64, fed field by field.
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub(crate) fn bytes(mut self, b: &[u8]) -> Self {
        for &c in b {
            self.0 ^= u64::from(c);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self
    }
    /// A string with a terminator, so field boundaries count.
    pub(crate) fn str(self, s: &str) -> Self {
        self.bytes(s.as_bytes()).bytes(&[0xff])
    }
    pub(crate) fn num(self, n: f64) -> Self {
        self.u64(n.to_bits())
    }
    pub(crate) fn u64(self, n: u64) -> Self {
        self.bytes(&n.to_le_bytes())
    }
    pub(crate) fn finish(self) -> u64 {
        self.0
    }
}

/// The key of "trigger `id` fired" (another hash space than milestones').
fn fired_key(id: &str) -> u64 {
    Fnv::new().bytes(b"fired").str(id).finish()
}

/// Firing state for limits.
#[derive(Default)]
pub(crate) struct Limits {
    event: Vec<u64>,
    page: Vec<u64>,
    session: Vec<u64>,
}

fn insert_sorted(set: &mut Vec<u64>, key: u64) -> bool {
    match set.binary_search(&key) {
        Ok(_) => false,
        Err(i) => {
            set.insert(i, key);
            true
        }
    }
}

impl Limits {
    /// A new event is being evaluated.
    pub(crate) fn begin_event(&mut self) {
        self.event.clear();
    }

    /// A new page view: `once_per_page` re-arms.
    pub(crate) fn new_page(&mut self) {
        self.page.clear();
    }

    /// Whether `trigger` may report `milestone` now; records that it did.
    pub(crate) fn allow(&mut self, trigger: &Trigger, milestone: u64) -> bool {
        match trigger.limit {
            Limit::Unlimited => true,
            Limit::OncePerEvent => {
                let key = Fnv::new().str(&trigger.conversion).u64(milestone).finish();
                if self.event.contains(&key) {
                    false
                } else {
                    self.event.push(key);
                    true
                }
            }
            Limit::OncePerPage => insert_sorted(
                &mut self.page,
                Fnv::new().str(&trigger.id).u64(milestone).finish(),
            ),
            Limit::OncePerSession => {
                let key = Fnv::new().str(&trigger.id).u64(milestone).finish();
                if self.session.len() >= SESSION_CAP && self.session.binary_search(&key).is_err() {
                    // Full: report rather than forget silently what fired.
                    self.session.remove(0);
                }
                insert_sorted(&mut self.session, key)
            }
        }
    }

    /// Notes that trigger `id` fired (a trigger group's member, or the group
    /// itself), for this page view and the session.
    pub(crate) fn mark_fired(&mut self, id: &str) {
        let key = fired_key(id);
        insert_sorted(&mut self.page, key);
        if self.session.len() < SESSION_CAP {
            insert_sorted(&mut self.session, key);
        }
    }

    /// Whether trigger `id` fired in this page view, or with `session` in this session.
    pub(crate) fn has_fired(&self, id: &str, session: bool) -> bool {
        let key = fired_key(id);
        let set = if session { &self.session } else { &self.page };
        set.binary_search(&key).is_ok()
    }

    /// A new session: `once_per_session` limits re-arm.
    pub(crate) fn new_session(&mut self) {
        self.session.clear();
    }

    /// `once_per_session` state: 16 lower-case hex digits per entry.
    pub(crate) fn session_state(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(self.session.len() * 16);
        for k in &self.session {
            for i in (0..16).rev() {
                s.push(HEX[((k >> (i * 4)) & 0xf) as usize] as char);
            }
        }
        s
    }

    /// Merges saved state; malformed pieces are ignored.
    pub(crate) fn restore_session(&mut self, saved: &str) {
        let b = saved.as_bytes();
        for chunk in b.chunks_exact(16).take(SESSION_CAP) {
            let key = chunk.iter().try_fold(0u64, |acc, &c| {
                (c as char).to_digit(16).map(|d| acc << 4 | u64::from(d))
            });
            if let Some(key) = key {
                if self.session.len() < SESSION_CAP {
                    insert_sorted(&mut self.session, key);
                }
            }
        }
    }
}

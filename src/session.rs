//! Sessions: one visitor's visit to the site, across its tabs. A session
//! ends after [`IDLE_MS`] without activity (GA4, Plausible and PostHog all use
//! 30 minutes) and lasts [`MAX_MS`] at most. The shell keeps the record in
//! `localStorage` (first party, no cookie), where every tab of the site reads
//! it; this module decides, given the clock, whether a record is still the
//! current session.

use crate::prelude::*;

/// Inactivity that ends a session, in ms.
pub const IDLE_MS: f64 = 30.0 * 60.0 * 1000.0;

/// The longest a session lasts, in ms.
pub const MAX_MS: f64 = 24.0 * 60.0 * 60.0 * 1000.0;

/// How often activity is written down, at most, in ms: often enough that a
/// session cannot expire between two writes of an active visitor.
pub const TOUCH_MS: f64 = 60.0 * 1000.0;

/// A stored session: `<id> <start ms> <last activity ms>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// 16 lower-case hex digits.
    pub id: String,
    /// When it started (epoch ms).
    pub start: f64,
    /// The last activity written down (epoch ms).
    pub last: f64,
}

impl Session {
    /// Reads a stored record; `None` when it is not one.
    pub fn parse(s: &str) -> Option<Session> {
        let mut parts = s.split(' ');
        let id = parts.next()?;
        let start = ms(parts.next()?)?;
        let last = ms(parts.next()?)?;
        let hex = id.len() == 16 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        (hex && parts.next().is_none()).then(|| Session {
            id: id.into(),
            start,
            last,
        })
    }

    /// The record to store.
    pub fn write(&self) -> String {
        let mut s = String::with_capacity(48);
        s.push_str(&self.id);
        for t in [self.start, self.last] {
            s.push(' ');
            crate::text::push_uint(&mut s, t.max(0.0) as u64);
        }
        s
    }

    /// Whether the session still runs at `now`: active in the last
    /// [`IDLE_MS`] and younger than [`MAX_MS`]. A clock set back keeps it.
    pub fn is_live(&self, now: f64) -> bool {
        now - self.last < IDLE_MS && now - self.start < MAX_MS
    }
}

/// Whole milliseconds, as written by [`Session::write`].
fn ms(s: &str) -> Option<f64> {
    if s.is_empty() || s.len() > 16 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0.0, |n, b| n * 10.0 + f64::from(b - b'0')))
}

/// The `once_per_session` state stored with its session's id
/// (`<id> <state>`), so a state of an ended session is never restored.
pub fn state_of<'a>(stored: &'a str, session: &str) -> &'a str {
    match stored.split_once(' ') {
        Some((id, state)) if id == session => state,
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: f64 = 60_000.0;

    #[test]
    fn records_round_trip_and_junk_is_refused() {
        let s = Session {
            id: "0123456789abcdef".into(),
            start: 1_764_000_000_000.0,
            last: 1_764_000_060_000.0,
        };
        assert_eq!(s.write(), "0123456789abcdef 1764000000000 1764000060000");
        assert_eq!(Session::parse(&s.write()), Some(s));
        for junk in [
            "",
            "0123456789abcdef",
            "0123456789ABCDEF 1 2",
            "0123456789abcde 1 2",
            "0123456789abcdef 1 2 3",
            "0123456789abcdef -1 2",
            "0123456789abcdef 1.5 2",
            "0123456789abcdef 99999999999999999 2",
        ] {
            assert_eq!(Session::parse(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn thirty_idle_minutes_or_a_day_end_it() {
        let s = Session {
            id: "0123456789abcdef".into(),
            start: 0.0,
            last: 100.0 * MIN,
        };
        assert!(s.is_live(100.0 * MIN));
        assert!(s.is_live(129.9 * MIN));
        assert!(!s.is_live(130.0 * MIN));
        assert!(s.is_live(50.0 * MIN), "a clock set back");
        let old = Session {
            last: 24.0 * 60.0 * MIN - MIN,
            ..s
        };
        assert!(!old.is_live(24.0 * 60.0 * MIN));
    }

    #[test]
    fn state_belongs_to_its_session() {
        assert_eq!(state_of("aaaa 0011", "aaaa"), "0011");
        assert_eq!(state_of("bbbb 0011", "aaaa"), "");
        assert_eq!(state_of("", "aaaa"), "");
    }
}

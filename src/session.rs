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

/// A stored session: `<id> <start ms> <last activity ms> <page views>
/// <landing path>` (a record of an earlier tag has only the first three).
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// 16 lower-case hex digits.
    pub id: String,
    /// When it started (epoch ms).
    pub start: f64,
    /// The last activity written down (epoch ms).
    pub last: f64,
    /// Page views so far, in every tab of the site.
    pub views: u32,
    /// The path of its first page (no spaces: a URL path), capped at
    /// [`LANDING_CAP`] bytes.
    pub landing: String,
}

/// Longest landing path kept, in bytes (a path is ASCII: URL-encoded).
pub const LANDING_CAP: usize = 1000;

impl Session {
    /// Reads a stored record; `None` when it is not one.
    pub fn parse(s: &str) -> Option<Session> {
        let mut parts = s.split(' ');
        let id = parts.next()?;
        let start = ms(parts.next()?)?;
        let last = ms(parts.next()?)?;
        let (views, landing) = match (parts.next(), parts.next()) {
            (None, _) => (0.0, ""),
            (Some(v), Some(l)) if l.len() <= LANDING_CAP => (ms(v)?, l),
            _ => return None,
        };
        let hex = id.len() == 16 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        (hex && views < 1e9 && parts.next().is_none()).then(|| Session {
            id: id.into(),
            start,
            last,
            views: views as u32,
            landing: landing.into(),
        })
    }

    /// A new session at `now`, landing on `path`.
    pub fn new(id: String, now: f64, path: &str) -> Session {
        // A URL path has no spaces; anything else is not stored.
        let path = if path.contains(' ') { "" } else { path };
        Session {
            id,
            start: now,
            last: now,
            views: 0,
            landing: cap_bytes(path, LANDING_CAP).into(),
        }
    }

    /// The record to store.
    pub fn write(&self) -> String {
        let mut s = String::with_capacity(48);
        s.push_str(&self.id);
        for t in [self.start, self.last] {
            s.push(' ');
            crate::text::push_uint(&mut s, t.max(0.0) as u64);
        }
        s.push(' ');
        crate::text::push_uint(&mut s, self.views.into());
        s.push(' ');
        s.push_str(&self.landing);
        s
    }

    /// Whether the session still runs at `now`: active in the last
    /// [`IDLE_MS`] and younger than [`MAX_MS`]. A clock set back keeps it.
    pub fn is_live(&self, now: f64) -> bool {
        now - self.last < IDLE_MS && now - self.start < MAX_MS
    }
}

/// `s` cut to at most `max` bytes, on a character boundary.
fn cap_bytes(s: &str, max: usize) -> &str {
    let mut n = max.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    s.get(..n).unwrap_or("")
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
            views: 3,
            landing: "/blog/a%20b".into(),
        };
        assert_eq!(
            s.write(),
            "0123456789abcdef 1764000000000 1764000060000 3 /blog/a%20b"
        );
        assert_eq!(Session::parse(&s.write()), Some(s));
        // An earlier tag's record: no views, no landing path yet.
        let old = Session::parse("0123456789abcdef 1 2").unwrap();
        assert_eq!((old.views, old.landing.as_str()), (0, ""));
        let fresh = Session::new("0123456789abcdef".into(), 5.0, "/with space");
        assert_eq!((fresh.views, fresh.landing.as_str()), (0, ""));
        assert_eq!(Session::new("x".into(), 5.0, "/p").landing, "/p");
        for junk in [
            "",
            "0123456789abcdef",
            "0123456789ABCDEF 1 2",
            "0123456789abcde 1 2",
            "0123456789abcdef 1 2 3",
            "0123456789abcdef 1 2 x /p",
            "0123456789abcdef 1 2 3 /p extra",
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
            last: 100.0 * MIN,
            ..Session::new("0123456789abcdef".into(), 0.0, "/")
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

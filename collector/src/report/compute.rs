//! The report's counts, in one pass over the sessions of a range (the
//! rollup, [`crate::store::sessions`]): sessions and macro sessions, per
//! micro conversion the sessions (and visitors) that did it before their
//! first macro conversion with their engagement, the funnels' steps in
//! order, acquisition and the daily trend. Bot sessions are counted apart.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::store::sessions::SessionRow;
use microconv::rules::model::Funnel;

/// The acquisition dimensions, in [`SessionRow::acquisition`]'s order.
pub const DIMENSIONS: [&str; 5] = ["source", "medium", "campaign", "referrer", "landing"];

/// Most values of one dimension a report lists.
pub const ACQUISITION_ROWS: usize = 50;

/// A group's sessions and, of those, the ones with a macro conversion, with
/// the sums behind their engagement.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Group {
    /// Sessions.
    pub sessions: u64,
    /// Of those, with a macro conversion.
    pub macro_sessions: u64,
    /// Pages the sessions sent anything from, summed.
    pub pages: u64,
    /// Session lengths (first to last event, ms), summed.
    pub length_ms: u64,
}

impl Group {
    fn add(&mut self, s: &SessionRow, converted: bool) {
        self.sessions += 1;
        self.macro_sessions += u64::from(converted);
        self.pages += u64::from(s.pages);
        self.length_ms += s.last_at.saturating_sub(s.first_at).max(0) as u64;
    }

    /// `self` minus `part` (the rest of a whole).
    pub fn minus(&self, part: &Group) -> Group {
        Group {
            sessions: self.sessions.saturating_sub(part.sessions),
            macro_sessions: self.macro_sessions.saturating_sub(part.macro_sessions),
            pages: self.pages.saturating_sub(part.pages),
            length_ms: self.length_ms.saturating_sub(part.length_ms),
        }
    }
}

/// Visitors (people, by visitor id) and those who converted.
pub type Visitors = (u64, u64);

/// One micro conversion's counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Micro {
    /// The conversion.
    pub conversion: String,
    /// Sessions that did it before their first macro conversion, or did it
    /// and never converted.
    pub group: Group,
    /// Visitors who did it before their first macro conversion (in any
    /// session), and of those who converted.
    pub visitors: Visitors,
}

/// One funnel's counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FunnelCounts {
    /// Per step: the sessions that reached it, in order.
    pub reached: Vec<u64>,
    /// Per step after the first: each session's time from the step before
    /// (ms), sorted.
    pub gaps: Vec<Vec<i64>>,
}

/// Rows of one acquisition dimension: (value, sessions, macro sessions);
/// `None` is a visit without it (direct, no campaign).
pub type AcquisitionRows = Vec<(Option<String>, u64, u64)>;

/// Everything the report counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Counts {
    /// Every session of the range but the bots'.
    pub all: Group,
    /// Bot sessions (left out of every other figure).
    pub bots: u64,
    /// Visitors with an id, and of those who converted (`None`: no ids).
    pub visitors: Option<Visitors>,
    /// Per micro conversion, most sessions first.
    pub micro: Vec<Micro>,
    /// Per funnel of the rules, in their order.
    pub funnels: Vec<FunnelCounts>,
    /// Per [`DIMENSIONS`], most sessions first (sessions with a visit only).
    pub acquisition: Vec<AcquisitionRows>,
    /// Per day of the range: (day, sessions, macro sessions).
    pub trend: Vec<(NaiveDate, u64, u64)>,
}

/// When `s` first did a macro conversion.
fn macro_at(s: &SessionRow, macros: &[String]) -> Option<i64> {
    s.conversions
        .iter()
        .filter(|(c, _)| macros.contains(c))
        .filter_map(|(_, t)| t.first().copied())
        .min()
}

/// Counts `rows` (sessions that started in the range), the days being
/// `from..=to` in `tz`.
pub fn count(
    rows: &[SessionRow],
    macros: &[String],
    funnels: &[Funnel],
    (from, to, tz): (NaiveDate, NaiveDate, Tz),
) -> Counts {
    let mut out = Counts {
        funnels: funnels
            .iter()
            .map(|f| FunnelCounts {
                reached: vec![0; f.steps.len()],
                gaps: vec![Vec::new(); f.steps.len()],
            })
            .collect(),
        ..Counts::default()
    };
    let mut micro: HashMap<&str, Group> = HashMap::new();
    let mut acquisition: Vec<HashMap<Option<&str>, (u64, u64)>> =
        vec![HashMap::new(); DIMENSIONS.len()];
    let days = usize::try_from((to - from).num_days() + 1).unwrap_or(0);
    let mut trend = vec![(0u64, 0u64); days];
    let mut people = People::default();
    for s in rows {
        if s.bot {
            out.bots += 1;
            continue;
        }
        let first_macro = macro_at(s, macros);
        let converted = first_macro.is_some();
        out.all.add(s, converted);
        for (c, times) in &s.conversions {
            let before = match (times.first(), first_macro) {
                (Some(&t), Some(m)) => t < m,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if before && !macros.contains(c) {
                micro.entry(c).or_default().add(s, converted);
            }
        }
        people.add(s, macros, first_macro);
        for (f, counts) in funnels.iter().zip(&mut out.funnels) {
            walk(f, s, counts);
        }
        if s.visited {
            for (d, v) in s.acquisition.iter().enumerate() {
                let e = acquisition[d].entry(v.as_deref()).or_default();
                e.0 += 1;
                e.1 += u64::from(converted);
            }
        }
        let day = chrono::DateTime::from_timestamp_millis(s.first_at)
            .map(|t| t.with_timezone(&tz).date_naive());
        if let Some(i) = day.and_then(|d| usize::try_from((d - from).num_days()).ok()) {
            if let Some(t) = trend.get_mut(i) {
                t.0 += 1;
                t.1 += u64::from(converted);
            }
        }
    }
    for f in &mut out.funnels {
        f.gaps.iter_mut().for_each(|g| g.sort_unstable());
    }
    let mut micro: Vec<Micro> = micro
        .into_iter()
        .map(|(c, group)| Micro {
            conversion: c.to_string(),
            group,
            visitors: people.segment(c),
        })
        .collect();
    micro.sort_by(|a, b| (b.group.sessions, &a.conversion).cmp(&(a.group.sessions, &b.conversion)));
    out.micro = micro;
    out.visitors = people.total();
    out.acquisition = acquisition.into_iter().map(top_values).collect();
    out.trend = trend
        .into_iter()
        .enumerate()
        .map(|(i, (n, x))| (from + chrono::Duration::days(i as i64), n, x))
        .collect();
    out
}

/// A dimension's values, most sessions first (ties by value, none first).
fn top_values(m: HashMap<Option<&str>, (u64, u64)>) -> AcquisitionRows {
    let mut rows: AcquisitionRows = m
        .into_iter()
        .map(|(v, (n, x))| (v.map(str::to_string), n, x))
        .collect();
    rows.sort_by(|a, b| (b.1, &a.0).cmp(&(a.1, &b.0)));
    rows.truncate(ACQUISITION_ROWS);
    rows
}

/// How far `s` got in `f`: step k counts when `s` did it at or after the
/// step before (the earliest such time each step).
fn walk(f: &Funnel, s: &SessionRow, counts: &mut FunnelCounts) {
    let mut last: Option<i64> = None;
    for (k, step) in f.steps.iter().enumerate() {
        let times = s
            .conversions
            .iter()
            .find(|(c, _)| c == step)
            .map(|(_, t)| t);
        let next = times.and_then(|t| t.iter().copied().find(|&t| last.is_none_or(|l| t >= l)));
        let Some(t) = next else { return };
        counts.reached[k] += 1;
        if let Some(l) = last {
            counts.gaps[k].push(t - l);
        }
        last = Some(t);
    }
}

/// Visitors (by id) across their sessions of the range: when each first
/// converted and first did each conversion.
#[derive(Default)]
struct People<'a> {
    first_macro: HashMap<&'a str, Option<i64>>,
    first_did: HashMap<(&'a str, &'a str), i64>,
}

impl<'a> People<'a> {
    fn add(&mut self, s: &'a SessionRow, macros: &[String], first_macro: Option<i64>) {
        let Some(v) = s.visitor.as_deref() else {
            return;
        };
        let m = self.first_macro.entry(v).or_insert(None);
        *m = match (*m, first_macro) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        for (c, times) in &s.conversions {
            if let (Some(&t), false) = (times.first(), macros.contains(c)) {
                let e = self.first_did.entry((v, c.as_str())).or_insert(t);
                *e = (*e).min(t);
            }
        }
    }

    fn total(&self) -> Option<Visitors> {
        let n = self.first_macro.len() as u64;
        let x = self.first_macro.values().filter(|m| m.is_some()).count() as u64;
        (n > 0).then_some((n, x))
    }

    /// Visitors who did `conversion` before they first converted (or never
    /// converted), and of those who converted.
    fn segment(&self, conversion: &str) -> Visitors {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut out = (0, 0);
        for (&(v, c), &t) in &self.first_did {
            if c != conversion || !seen.insert(v) {
                continue;
            }
            match self.first_macro.get(v).copied().flatten() {
                Some(m) if t < m => out = (out.0 + 1, out.1 + 1),
                Some(_) => {}
                None => out.0 += 1,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::beacon::{Event, Kind, PageInfo};
    use crate::store::Store;
    use serde_json::{json, Map, Value};
    use std::path::Path;

    const SITE: &str = "www.example.com";

    fn ev(kind: Kind, conversion: &str, session: &str, at: i64, site: &str) -> Event {
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Event {
            id: format!("e{n}"),
            kind,
            conversion: conversion.into(),
            trigger: if conversion.is_empty() { "" } else { "t" }.into(),
            at,
            session: Some(session.into()),
            visitor: None,
            rules: None,
            is_macro: false,
            bot: false,
            page: PageInfo {
                url: format!("https://{site}/p"),
                path: "/p".into(),
                ..Default::default()
            },
            vars: Map::new(),
        }
    }

    fn day() -> (NaiveDate, NaiveDate, Tz) {
        let d = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        (d, d, Tz::UTC)
    }

    fn counted(s: &Store, site: Option<&str>, to: i64, funnels: &[Funnel]) -> Counts {
        let rows = s.sessions(site, 0, to).unwrap();
        count(&rows, &["signup".to_string()], funnels, day())
    }

    /// A scripted population whose truth is counted by hand below.
    #[test]
    fn order_matters_bouncers_count_bots_and_sites_stay_apart() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let (c, v) = (Kind::Conversion, Kind::Visit);
        let mut evs = Vec::new();
        // s1: demo, then signup (counts for demo, converted).
        // s2: signup, then demo (converted, but demo came after: not in the demo segment).
        // s3: demo only. s4, s5: bouncers (a visit only). s6: signup only.
        // s7: demo, a second demo, then signup. Another site's s8: demo, signup.
        for id in ["s1", "s2", "s3", "s4", "s5", "s6", "s7"] {
            evs.push(ev(v, "", id, 1000, SITE));
        }
        for (conv, id, at) in [
            ("demo_watched", "s1", 2000),
            ("signup", "s1", 3000),
            ("signup", "s2", 2000),
            ("demo_watched", "s2", 3000),
            ("demo_watched", "s3", 2000),
            ("signup", "s6", 2000),
            ("demo_watched", "s7", 2000),
            ("demo_watched", "s7", 2500),
            ("signup", "s7", 3000),
        ] {
            evs.push(ev(c, conv, id, at, SITE));
        }
        evs.push(ev(v, "", "s8", 1000, "other.example"));
        evs.push(ev(c, "demo_watched", "s8", 2000, "other.example"));
        evs.push(ev(c, "signup", "s8", 3000, "other.example"));
        // A bot's session, counted apart; a session that starts after the range.
        let mut bot = ev(c, "signup", "b1", 1000, SITE);
        bot.bot = true;
        evs.push(bot);
        evs.push(ev(v, "", "s9", 9000, SITE));
        s.insert(&evs).unwrap();
        let one = counted(&s, Some(SITE), 5000, &[]);
        assert_eq!(
            (one.all.sessions, one.all.macro_sessions, one.bots),
            (7, 4, 1)
        );
        assert_eq!(one.micro.len(), 1);
        assert_eq!(
            (
                one.micro[0].conversion.as_str(),
                one.micro[0].group.sessions,
                one.micro[0].group.macro_sessions
            ),
            ("demo_watched", 3, 2)
        );
        // Lengths: s1 2 s, s2 2 s, s3 1 s, s4 s5 0, s6 1 s, s7 2 s.
        assert_eq!(one.all.length_ms, 8000);
        assert_eq!(one.micro[0].group.length_ms, 5000);
        assert_eq!(one.trend, [(day().0, 7, 4)]);
        let all = counted(&s, None, 10_000, &[]);
        assert_eq!((all.all.sessions, all.all.macro_sessions), (9, 5));
        assert_eq!(
            (
                all.micro[0].group.sessions,
                all.micro[0].group.macro_sessions
            ),
            (4, 3)
        );
        assert_eq!(all.visitors, None);
    }

    #[test]
    fn erasing_a_session_takes_it_out_of_the_rollup() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        s.insert(&[
            ev(Kind::Visit, "", "s1", 10, SITE),
            ev(Kind::Conversion, "signup", "s1", 20, SITE),
            ev(Kind::Visit, "", "s2", 10, SITE),
        ])
        .unwrap();
        assert_eq!(counted(&s, Some(SITE), 100, &[]).all.sessions, 2);
        s.erase(&crate::store::lifecycle::Subject::Session("s1".into()))
            .unwrap();
        let after = counted(&s, Some(SITE), 100, &[]);
        assert_eq!((after.all.sessions, after.all.macro_sessions), (1, 0));
    }

    #[test]
    fn visitors_count_across_their_sessions() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let with = |mut e: Event, v: &str| {
            e.visitor = Some(v.into());
            e
        };
        // Ann: demo in one session, signup in the next (a watcher who
        // converted, as a person, though neither session is). Bob: signup,
        // then demo. Cy: demo only.
        s.insert(&[
            with(ev(Kind::Conversion, "demo_watched", "a1", 10, SITE), "ann"),
            with(ev(Kind::Conversion, "signup", "a2", 50, SITE), "ann"),
            with(ev(Kind::Conversion, "signup", "b1", 10, SITE), "bob"),
            with(ev(Kind::Conversion, "demo_watched", "b2", 50, SITE), "bob"),
            with(ev(Kind::Conversion, "demo_watched", "c1", 10, SITE), "cy"),
        ])
        .unwrap();
        let n = counted(&s, Some(SITE), 100, &[]);
        assert_eq!(n.visitors, Some((3, 2)));
        assert_eq!(n.micro[0].visitors, (2, 1), "ann and cy; ann converted");
        assert_eq!(
            (n.micro[0].group.sessions, n.micro[0].group.macro_sessions),
            (3, 0)
        );
    }

    #[test]
    fn acquisition_by_campaign_referrer_and_landing_page() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let visit = |session: &str, vars: Value, path: &str| {
            let mut e = ev(Kind::Visit, "", session, 10, SITE);
            e.vars = vars.as_object().cloned().unwrap_or_default();
            e.page.path = path.into();
            e
        };
        let news = json!({"visit.utm_source": "news", "visit.referrer_host": "news.example"});
        s.insert(&[
            visit("s1", news.clone(), "/pricing"),
            visit("s2", news, "/"),
            visit("s3", json!({}), "/"),
            // A forged beacon's number reads as text.
            visit("s5", json!({"visit.utm_source": 5}), "/x"),
            ev(Kind::Conversion, "signup", "s1", 20, SITE),
            ev(Kind::Conversion, "signup", "s3", 20, SITE),
            // A session without a visit (rules without count_visits): not here.
            ev(Kind::Conversion, "signup", "s4", 20, SITE),
        ])
        .unwrap();
        let a = counted(&s, Some(SITE), 100, &[]).acquisition;
        let some = |v: &str| Some(v.to_string());
        assert_eq!(
            a[0],
            [(some("news"), 2, 1), (None, 1, 1), (some("5"), 1, 0)]
        );
        assert_eq!(a[2], [(None, 4, 2)], "no campaign");
        // Ties by value, direct (null) first.
        assert_eq!(a[3], [(None, 2, 1), (some("news.example"), 2, 1)]);
        assert_eq!(
            a[4],
            [
                (some("/"), 2, 1),
                (some("/pricing"), 1, 1),
                (some("/x"), 1, 0)
            ]
        );
    }

    #[test]
    fn funnel_steps_count_in_order_within_a_session() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let f = Funnel {
            id: "trial".into(),
            name: "trial".into(),
            steps: ["read", "cta", "signup"].map(String::from).to_vec(),
        };
        // a: read, cta, signup (gaps 10 and 100); b: cta before read, then
        // read (only step 1; its cta came first); c: read, read, cta (gap 30
        // from the first read), no signup; d: signup only (no step 1);
        // e: cta, read, cta (its second cta counts: gap 5).
        let mut evs = Vec::new();
        for (conv, id, at) in [
            ("read", "a", 0),
            ("cta", "a", 10),
            ("signup", "a", 110),
            ("cta", "b", 0),
            ("read", "b", 5),
            ("read", "c", 0),
            ("read", "c", 20),
            ("cta", "c", 30),
            ("signup", "d", 0),
            ("cta", "e", 0),
            ("read", "e", 10),
            ("cta", "e", 15),
        ] {
            evs.push(ev(Kind::Conversion, conv, id, at, SITE));
        }
        s.insert(&evs).unwrap();
        let c = counted(&s, Some(SITE), 1000, &[f]);
        assert_eq!(c.funnels[0].reached, [4, 3, 1]);
        assert_eq!(c.funnels[0].gaps, [vec![], vec![5, 10, 30], vec![100]]);
    }
}

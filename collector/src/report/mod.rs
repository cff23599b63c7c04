//! The report's answers (`GET /api/report`, `docs/api.md`): a site's
//! sessions in a date range, the site-wide macro rate, and for each micro
//! conversion the sessions that did it *before* their macro conversion
//! against every other session, with 95 % intervals, the lift and whether
//! the difference is significant.
//!
//! Sessions are counted from every event, visits included: with rules that
//! count visits (`count_visits`), a session that did nothing tracked is in
//! the denominator too. The macro conversions are the site's rules'.

pub mod compute;
pub mod stats;

use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;
use serde::Serialize;

use compute::{Counts, FunnelCounts, Group};
use microconv::rules::model::Funnel;

/// `GET /api/report` options.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ReportQuery {
    /// The site (its host name); every site when absent.
    pub site: Option<String>,
    /// First day, `YYYY-MM-DD`; 29 days before `to` when absent.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`, included; today when absent.
    pub to: Option<String>,
    /// The days' time zone, an IANA name (`Europe/Paris`); UTC when absent.
    pub tz: Option<String>,
}

/// Days from `from` to `to`, both included, in a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// First day.
    pub from: NaiveDate,
    /// Last day (included).
    pub to: NaiveDate,
    /// Where the days are days.
    pub tz: Tz,
}

/// The longest range a report covers, in days.
pub const MAX_DAYS: i64 = 3 * 366;

impl Range {
    /// The range `q` asks for; a reason when its dates are not dates, or
    /// out of order, or span more than [`MAX_DAYS`].
    pub fn of(q: &ReportQuery) -> Result<Range, String> {
        let day = |name: &str, v: &Option<String>| -> Result<Option<NaiveDate>, String> {
            v.as_deref()
                .map(|s| {
                    NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .map_err(|_| format!("{name} must be a date, YYYY-MM-DD (got {s:?})"))
                })
                .transpose()
        };
        let tz: Tz = match q.tz.as_deref() {
            None | Some("") => Tz::UTC,
            Some(name) => name.parse().map_err(|_| {
                format!("tz must be an IANA time zone such as Europe/Paris (got {name:?})")
            })?,
        };
        let today = || {
            chrono::DateTime::from_timestamp_millis(crate::store::now_ms())
                .map_or(NaiveDate::MIN, |t| t.with_timezone(&tz).date_naive())
        };
        let to = day("to", &q.to)?.unwrap_or_else(today);
        let from = match day("from", &q.from)? {
            Some(d) => d,
            None => to.checked_sub_signed(Duration::days(29)).unwrap_or(to),
        };
        // Dates a report can mean (and whose day after exists): no overflow.
        let years = 1970..=9999;
        if !years.contains(&from.year()) || !years.contains(&to.year()) {
            return Err("dates must be between 1970-01-01 and 9999-12-31".into());
        }
        if from > to {
            return Err("from must not be after to".into());
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(format!("a report covers at most {MAX_DAYS} days"));
        }
        Ok(Range { from, to, tz })
    }

    /// `[start, end)` in epoch ms: from the first day's start to the day
    /// after the last one's, in the range's time zone.
    pub fn ms(&self) -> (i64, i64) {
        let start = |d: NaiveDate| {
            let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
            // A day that starts in a DST gap starts at its first instant.
            self.tz
                .from_local_datetime(&midnight)
                .earliest()
                .or_else(|| {
                    self.tz
                        .from_local_datetime(&(midnight + Duration::hours(1)))
                        .earliest()
                })
                .map_or(0, |t| t.timestamp_millis())
        };
        let after = self.to.succ_opt().unwrap_or(self.to);
        (start(self.from), start(after))
    }

    /// The period as long just before this one (the report's comparison).
    pub fn previous(&self) -> Range {
        let days = (self.to - self.from).num_days() + 1;
        let to = self.from.pred_opt().unwrap_or(self.from);
        let from = to
            .checked_sub_signed(Duration::days(days - 1))
            .unwrap_or(to);
        Range { from, to, ..*self }
    }
}

/// `GET /api/report`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// The site, or `null` for every site.
    pub site: Option<String>,
    /// First day (`YYYY-MM-DD`).
    pub from: String,
    /// Last day, included.
    pub to: String,
    /// The days' time zone (IANA name).
    pub time_zone: String,
    /// The conversions the site's rules mark `macro`.
    pub macro_conversions: Vec<String>,
    /// Sessions in the range (visits, with rules that count them).
    pub sessions: u64,
    /// Sessions with a macro conversion.
    pub macro_sessions: u64,
    /// `macro_sessions / sessions`; `null` without sessions.
    pub macro_rate: Option<f64>,
    /// The macro rate's 95 % interval.
    pub low: Option<f64>,
    /// Its upper end.
    pub high: Option<f64>,
    /// Sessions sent by bots (by User-Agent), left out of every figure.
    pub bot_sessions: u64,
    /// Visitors with an id (`data-visitor="persistent"`); `null` without.
    pub visitors: Option<u64>,
    /// Of those, visitors with a macro conversion.
    pub macro_visitors: Option<u64>,
    /// Pages per session and mean session length (first to last event).
    pub engagement: Engagement,
    /// The period as long just before this one.
    pub previous: Previous,
    /// Sessions and macro sessions per day.
    pub trend: Vec<Day>,
    /// One per micro conversion, most sessions first.
    pub segments: Vec<Segment>,
    /// The rules' funnels, in their order.
    pub funnels: Vec<FunnelReport>,
    /// Sessions and macro rate by where the sessions came from (their
    /// visits: rules with `count_visits`).
    pub acquisition: Vec<Acquisition>,
}

/// The headline of the period before the report's.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Previous {
    /// Its first day.
    pub from: String,
    /// Its last day.
    pub to: String,
    /// Its sessions.
    pub sessions: u64,
    /// Of those, with a macro conversion.
    pub macro_sessions: u64,
    /// Their share.
    pub macro_rate: Option<f64>,
}

/// One day of the trend.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Day {
    /// `YYYY-MM-DD` in the report's time zone.
    pub day: String,
    /// Sessions that started that day.
    pub sessions: u64,
    /// Of those, with a macro conversion.
    pub macro_sessions: u64,
}

/// How engaged a group of sessions was.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Engagement {
    /// Mean of the pages a session sent anything from (its landing page
    /// included); `null` without sessions.
    pub pages_per_session: Option<f64>,
    /// Mean time from a session's first event to its last, in ms.
    pub mean_length_ms: Option<f64>,
}

impl Engagement {
    fn of(g: &Group) -> Engagement {
        let mean = |sum: u64| (g.sessions > 0).then(|| sum as f64 / g.sessions as f64);
        Engagement {
            pages_per_session: mean(g.pages),
            mean_length_ms: mean(g.length_ms),
        }
    }
}

/// One acquisition dimension (`source`, `medium`, `campaign`, `referrer`,
/// `landing`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Acquisition {
    /// Which.
    pub dimension: &'static str,
    /// Its values, most sessions first.
    pub rows: Vec<AcquisitionRow>,
}

/// One value of an acquisition dimension.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AcquisitionRow {
    /// The value; `null` for sessions without one (direct, no campaign).
    pub value: Option<String>,
    /// Sessions.
    pub sessions: u64,
    /// Of those, with a macro conversion.
    pub macro_sessions: u64,
    /// Their macro rate.
    pub macro_rate: Option<f64>,
}

/// An acquisition dimension's rows.
pub fn acquisition(dimension: &'static str, rows: compute::AcquisitionRows) -> Acquisition {
    Acquisition {
        dimension,
        rows: rows
            .into_iter()
            .map(|(value, sessions, macro_sessions)| AcquisitionRow {
                value,
                sessions,
                macro_sessions,
                macro_rate: ratio(macro_sessions, sessions),
            })
            .collect(),
    }
}

/// A funnel of the rules: how many sessions reached each step, in order.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FunnelReport {
    /// The funnel's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its steps.
    pub steps: Vec<FunnelStep>,
}

/// One step of a funnel.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FunnelStep {
    /// The step's conversion.
    pub conversion: String,
    /// Sessions that reached it (after every step before it, in order).
    pub sessions: u64,
    /// Sessions of the step before that did not reach this one (0 for the first).
    pub drop_off: u64,
    /// `sessions` over the first step's; `null` when nobody started.
    pub from_first: Option<f64>,
    /// The median time from the step before, in ms (`null` for the first step
    /// and when nobody reached it).
    pub median_ms: Option<f64>,
}

/// The report of one funnel's counts.
pub fn funnel(f: &Funnel, counts: &FunnelCounts) -> FunnelReport {
    let first = counts.reached.first().copied().unwrap_or(0);
    let steps = f
        .steps
        .iter()
        .enumerate()
        .map(|(k, conversion)| {
            let sessions = counts.reached.get(k).copied().unwrap_or(0);
            let before = k
                .checked_sub(1)
                .and_then(|j| counts.reached.get(j).copied())
                .unwrap_or(sessions);
            FunnelStep {
                conversion: conversion.clone(),
                sessions,
                drop_off: before.saturating_sub(sessions),
                from_first: ratio(sessions, first),
                median_ms: counts.gaps.get(k).and_then(|g| median(g)),
            }
        })
        .collect();
    FunnelReport {
        id: f.id.clone(),
        name: f.name.clone(),
        steps,
    }
}

/// The median of sorted values.
fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    let mid = |i: usize| sorted.get(i).copied().unwrap_or(0) as f64;
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(mid(n / 2)),
        _ => Some((mid(n / 2 - 1) + mid(n / 2)) / 2.0),
    }
}

/// A micro conversion's sessions against every other session.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Segment {
    /// The micro conversion.
    pub conversion: String,
    /// Sessions that did it before any macro conversion (or without one).
    pub sessions: u64,
    /// Of those, sessions that then did a macro conversion.
    pub macro_sessions: u64,
    /// Their macro rate.
    pub rate: Option<f64>,
    /// Its 95 % interval (Wilson).
    pub low: Option<f64>,
    /// Its upper end.
    pub high: Option<f64>,
    /// Every other session.
    pub others_sessions: u64,
    /// Of those, sessions with a macro conversion.
    pub others_macro_sessions: u64,
    /// Their macro rate.
    pub others_rate: Option<f64>,
    /// `rate / others_rate`.
    pub lift: Option<f64>,
    /// The two-sided p-value of the difference.
    pub p_value: Option<f64>,
    /// The test that gave it.
    pub test: Option<stats::Test>,
    /// `p_value < 0.05`.
    pub significant: bool,
    /// The segment's engagement.
    pub engagement: Engagement,
    /// Every other session's.
    pub others_engagement: Engagement,
    /// Visitors (by id) who did it before they first converted, in any
    /// session; `null` without visitor ids.
    pub visitors: Option<u64>,
    /// Of those, visitors who then converted.
    pub macro_visitors: Option<u64>,
    /// The row in one sentence.
    pub sentence: String,
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The report of `counts` over `range`, beside the previous period's
/// headline (`before`).
pub fn build(
    counts: Counts,
    before: &Group,
    site: Option<String>,
    range: Range,
    macros: Vec<String>,
    funnels: &[Funnel],
) -> Report {
    let all = counts.all;
    let interval = stats::wilson(all.macro_sessions, all.sessions);
    let with_ids = counts.visitors.is_some();
    let segments = counts
        .micro
        .iter()
        .map(|m| {
            let mut seg = segment(m.conversion.clone(), &m.group, &all);
            if with_ids {
                seg.visitors = Some(m.visitors.0);
                seg.macro_visitors = Some(m.visitors.1);
            }
            seg
        })
        .collect();
    let previous = range.previous();
    Report {
        site,
        from: range.from.to_string(),
        to: range.to.to_string(),
        time_zone: range.tz.name().to_string(),
        macro_conversions: macros,
        sessions: all.sessions,
        macro_sessions: all.macro_sessions,
        macro_rate: ratio(all.macro_sessions, all.sessions),
        low: interval.map(|i| i.0),
        high: interval.map(|i| i.1),
        bot_sessions: counts.bots,
        visitors: counts.visitors.map(|v| v.0),
        macro_visitors: counts.visitors.map(|v| v.1),
        engagement: Engagement::of(&all),
        previous: Previous {
            from: previous.from.to_string(),
            to: previous.to.to_string(),
            sessions: before.sessions,
            macro_sessions: before.macro_sessions,
            macro_rate: ratio(before.macro_sessions, before.sessions),
        },
        trend: counts
            .trend
            .iter()
            .map(|&(d, n, x)| Day {
                day: d.to_string(),
                sessions: n,
                macro_sessions: x,
            })
            .collect(),
        segments,
        funnels: funnels
            .iter()
            .zip(&counts.funnels)
            .map(|(f, c)| funnel(f, c))
            .collect(),
        acquisition: compute::DIMENSIONS
            .iter()
            .zip(counts.acquisition)
            .map(|(d, rows)| acquisition(d, rows))
            .collect(),
    }
}

fn segment(conversion: String, group: &Group, all: &Group) -> Segment {
    let rest = all.minus(group);
    let (n, x) = (group.sessions, group.macro_sessions);
    let (others, others_x) = (rest.sessions, rest.macro_sessions);
    let (rate, others_rate) = (ratio(x, n), ratio(others_x, others));
    let interval = stats::wilson(x, n);
    let judged = stats::difference(x, n, others_x, others);
    let significant = judged.is_some_and(|(p, _)| p < stats::ALPHA);
    let lift = match (rate, others_rate) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    };
    let sentence = sentence(&conversion, rate, interval, others_rate, lift, significant);
    Segment {
        conversion,
        sessions: n,
        macro_sessions: x,
        rate,
        low: interval.map(|i| i.0),
        high: interval.map(|i| i.1),
        others_sessions: others,
        others_macro_sessions: others_x,
        others_rate,
        lift,
        p_value: judged.map(|j| j.0),
        test: judged.map(|j| j.1),
        significant,
        engagement: Engagement::of(group),
        others_engagement: Engagement::of(&rest),
        visitors: None,
        macro_visitors: None,
        sentence,
    }
}

/// `2.6%` (one decimal).
fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// "Sessions that did demo_watched before converting converted at 2.6%
/// (1.9–3.4%) against 1.0% for the rest: 2.6× as likely."
fn sentence(
    conversion: &str,
    rate: Option<f64>,
    interval: Option<(f64, f64)>,
    others: Option<f64>,
    lift: Option<f64>,
    significant: bool,
) -> String {
    let (Some(rate), Some((low, high))) = (rate, interval) else {
        return format!("No session did {conversion} in this range.");
    };
    let mut s = format!(
        "Sessions that did {conversion} before converting converted at {} ({:.1}–{})",
        pct(rate),
        low * 100.0,
        pct(high)
    );
    match (others, lift) {
        (Some(o), Some(l)) => s.push_str(&format!(
            " against {} for the rest: {l:.1}× as likely",
            pct(o)
        )),
        (Some(o), None) => s.push_str(&format!(" against {} for the rest", pct(o))),
        (None, _) => s.push_str(", and every session did it"),
    }
    s.push_str(if significant {
        "."
    } else {
        " (not significant: too few sessions, or too small a difference, to tell)."
    });
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_days_in_utc() {
        let q = |from: &str, to: &str| ReportQuery {
            site: None,
            from: Some(from.into()),
            to: Some(to.into()),
            tz: None,
        };
        let r = Range::of(&q("2026-11-01", "2026-11-30")).unwrap();
        let (a, b) = r.ms();
        assert_eq!(a, 1_793_491_200_000); // 2026-11-01T00:00:00Z
        assert_eq!(b - a, 30 * 86_400_000);
        assert_eq!(
            Range::of(&q("2026-11-31", "2026-12-01")).unwrap_err(),
            "from must be a date, YYYY-MM-DD (got \"2026-11-31\")"
        );
        assert_eq!(
            Range::of(&q("2026-12-02", "2026-12-01")).unwrap_err(),
            "from must not be after to"
        );
        // chrono reads far years; they are refused before any date sum
        // (which would overflow and abort the collector).
        for far in ["-262143-01-01", "+262142-12-31", "1969-12-31"] {
            assert_eq!(
                Range::of(&q("2026-11-01", far)).unwrap_err(),
                "dates must be between 1970-01-01 and 9999-12-31",
                "{far}"
            );
        }
        let last30 = Range::of(&ReportQuery::default()).unwrap();
        assert_eq!((last30.to - last30.from).num_days(), 29);
        let before = r.previous();
        assert_eq!(
            (before.from.to_string(), before.to.to_string()),
            ("2026-10-02".into(), "2026-10-31".into())
        );
    }

    #[test]
    fn days_are_the_time_zones_days() {
        let q = |tz: &str| ReportQuery {
            from: Some("2026-03-29".into()),
            to: Some("2026-03-29".into()),
            tz: Some(tz.into()),
            ..Default::default()
        };
        // Paris is UTC+1 until 02:00 local on 2026-03-29, then UTC+2: that
        // day starts at 23:00Z the day before and lasts 23 hours.
        let (a, b) = Range::of(&q("Europe/Paris")).unwrap().ms();
        assert_eq!(a, 1_774_738_800_000); // 2026-03-28T23:00:00Z
        assert_eq!(b - a, 23 * 3_600_000);
        assert_eq!(Range::of(&q("UTC")).unwrap().ms().0, 1_774_742_400_000);
        assert_eq!(
            Range::of(&q("Mars/Olympus")).unwrap_err(),
            "tz must be an IANA time zone such as Europe/Paris (got \"Mars/Olympus\")"
        );
    }

    #[test]
    fn funnel_steps_drop_off_and_medians() {
        let f = Funnel {
            id: "trial".into(),
            name: "Read → CTA → Signup".into(),
            steps: vec!["read".into(), "cta".into(), "signup".into()],
        };
        let counts = FunnelCounts {
            reached: vec![4, 2, 0],
            gaps: vec![vec![], vec![10, 30], vec![]],
        };
        let r = funnel(&f, &counts);
        let got: Vec<(u64, u64, Option<f64>, Option<f64>)> = r
            .steps
            .iter()
            .map(|s| (s.sessions, s.drop_off, s.from_first, s.median_ms))
            .collect();
        assert_eq!(
            got,
            [
                (4, 0, Some(1.0), None),
                (2, 2, Some(0.5), Some(20.0)),
                (0, 2, Some(0.0), None)
            ]
        );
        assert_eq!(median(&[1, 2, 9]), Some(2.0));
    }

    #[test]
    fn segments_compare_with_every_other_session() {
        // 1,000 sessions, 30 converted; 100 watched the demo first, 10 of
        // whom converted: 10 % against 20/900 = 2.2 %.
        let g = |sessions, macro_sessions| Group {
            sessions,
            macro_sessions,
            pages: sessions * 2,
            length_ms: sessions * 1000,
        };
        let micro = |c: &str, group| compute::Micro {
            conversion: c.into(),
            group,
            visitors: (0, 0),
        };
        let counts = Counts {
            all: g(1000, 30),
            micro: vec![
                micro("demo_watched", g(100, 10)),
                micro("faq_read", g(3, 0)),
            ],
            ..Counts::default()
        };
        let range = Range::of(&ReportQuery {
            from: Some("2026-11-01".into()),
            to: Some("2026-11-30".into()),
            ..Default::default()
        })
        .unwrap();
        let r = build(
            counts,
            &g(500, 5),
            Some("www.example.com".into()),
            range,
            vec!["signup".into()],
            &[],
        );
        assert_eq!(r.macro_rate, Some(0.03));
        assert_eq!(r.previous.macro_rate, Some(0.01));
        assert_eq!(r.visitors, None);
        let demo = &r.segments[0];
        assert_eq!(
            (demo.others_sessions, demo.others_macro_sessions),
            (900, 20)
        );
        assert_eq!(demo.others_engagement.pages_per_session, Some(2.0));
        assert!((demo.lift.unwrap() - 4.5).abs() < 1e-9);
        assert!(demo.significant);
        assert_eq!(
            demo.sentence,
            "Sessions that did demo_watched before converting converted at 10.0% (5.5–17.4%) \
             against 2.2% for the rest: 4.5× as likely."
        );
        let faq = &r.segments[1];
        assert!(!faq.significant);
        assert_eq!(faq.test, Some(stats::Test::FisherExact));
        assert!(faq
            .sentence
            .ends_with("(not significant: too few sessions, or too small a difference, to tell)."));
    }
}

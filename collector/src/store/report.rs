//! The counts behind `GET /api/report` (`crate::report` adds the
//! statistics): sessions, macro sessions, and per micro conversion the
//! sessions that did it before their first macro conversion.

use super::{Store, StoreError};
use rusqlite::params;
use serde_json::Value;

/// What [`Store::report_counts`] counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportCounts {
    /// Distinct sessions with any event (visits included).
    pub sessions: u64,
    /// Of those, sessions with a macro conversion.
    pub macro_sessions: u64,
    /// Per micro conversion, most sessions first: (conversion, sessions that
    /// did it before their first macro conversion or without one, of those
    /// the sessions that converted).
    pub micro: Vec<(String, u64, u64)>,
}

/// What a session's visit says of where it came from, for
/// [`Store::acquisition`]: the name and the SQL of its value (read as text:
/// a forged beacon's number must not break a report).
pub const ACQUISITION: [(&str, &str); 5] = [
    ("source", "json_extract(vars, '$.\"visit.utm_source\"')"),
    ("medium", "json_extract(vars, '$.\"visit.utm_medium\"')"),
    ("campaign", "json_extract(vars, '$.\"visit.utm_campaign\"')"),
    (
        "referrer",
        "json_extract(vars, '$.\"visit.referrer_host\"')",
    ),
    ("landing", "page_path"),
];

/// Rows of one acquisition dimension: (value, sessions, macro sessions);
/// `None` is a visit without it (direct, no campaign).
pub type AcquisitionRows = Vec<(Option<String>, u64, u64)>;

/// Most values of one dimension a report lists.
pub const ACQUISITION_ROWS: usize = 50;

/// One funnel's counts ([`Store::funnel_counts`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FunnelCounts {
    /// Per step: the sessions that reached it, in order.
    pub reached: Vec<u64>,
    /// Per step after the first: each session's time from the step before
    /// (ms), sorted.
    pub gaps: Vec<Vec<i64>>,
}

impl Store {
    /// Sessions and macro sessions by where their visit came from
    /// ([`ACQUISITION`]: `dimension` is its index), most sessions first, at
    /// most [`ACQUISITION_ROWS`]. Only sessions with a `visit` (rules with
    /// `count_visits`) are here.
    pub fn acquisition(
        &self,
        site: Option<&str>,
        from: i64,
        to: i64,
        macros: &[String],
        dimension: usize,
    ) -> Result<AcquisitionRows, StoreError> {
        let Some((_, value)) = ACQUISITION.get(dimension) else {
            return Ok(Vec::new());
        };
        let macros = Value::from(macros.to_vec()).to_string();
        let scope = "at >= ?1 AND at < ?2 AND (?3 IS NULL OR site = ?3) AND session IS NOT NULL";
        let c = self.read();
        let rows = c
            .prepare_cached(&format!(
                "WITH macro AS (SELECT DISTINCT session FROM events WHERE {scope} AND kind = 'conversion'
                                AND conversion IN (SELECT value FROM json_each(?4))),
                      v AS (SELECT session, MIN(CAST({value} AS TEXT)) AS value FROM events
                            WHERE {scope} AND kind = 'visit' GROUP BY session)
                 SELECT v.value, COUNT(*), COUNT(macro.session) FROM v
                 LEFT JOIN macro ON macro.session = v.session
                 GROUP BY v.value ORDER BY COUNT(*) DESC, v.value LIMIT {ACQUISITION_ROWS}"
            ))?
            .query_map(params![from, to, site, macros], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// How far each session of `site` got in `steps` during `from..to`:
    /// step k counts for a session when it did step k at or after the step
    /// before it (the earliest such event each time, which matches the
    /// longest run a session made).
    pub fn funnel_counts(
        &self,
        site: Option<&str>,
        from: i64,
        to: i64,
        steps: &[String],
    ) -> Result<FunnelCounts, StoreError> {
        let c = self.read();
        let mut st = c.prepare_cached(
            "SELECT session, conversion, at FROM events
             WHERE at >= ?1 AND at < ?2 AND (?3 IS NULL OR site = ?3) AND session IS NOT NULL
               AND kind = 'conversion' AND conversion IN (SELECT value FROM json_each(?4))
             ORDER BY session, at, rowid",
        )?;
        let steps_json = Value::from(steps.to_vec()).to_string();
        let mut rows = st.query(params![from, to, site, steps_json])?;
        let mut out = FunnelCounts {
            reached: vec![0; steps.len()],
            gaps: vec![Vec::new(); steps.len()],
        };
        // The current session, its next step and when it did the last one.
        let mut current: Option<String> = None;
        let (mut next, mut last) = (0usize, 0i64);
        while let Some(r) = rows.next()? {
            let (session, conversion, at): (String, String, i64) =
                (r.get(0)?, r.get(1)?, r.get(2)?);
            if current.as_deref() != Some(session.as_str()) {
                current = Some(session);
                next = 0;
            }
            if steps.get(next) == Some(&conversion) {
                if next > 0 {
                    out.gaps[next].push(at - last);
                }
                out.reached[next] += 1;
                last = at;
                next += 1;
            }
        }
        for g in &mut out.gaps {
            g.sort_unstable();
        }
        Ok(out)
    }

    /// The counts of `site` (every site: `None`) for events at `from..to`
    /// (epoch ms), `macros` being the macro conversions. A micro conversion
    /// counts for a session when its first one came before the session's
    /// first macro conversion: a visitor who signed up and then watched the
    /// demo is no watcher who converted. Events without a session are left out.
    pub fn report_counts(
        &self,
        site: Option<&str>,
        from: i64,
        to: i64,
        macros: &[String],
    ) -> Result<ReportCounts, StoreError> {
        let macros = Value::from(macros.to_vec()).to_string();
        let c = self.read();
        let scope = "at >= ?1 AND at < ?2 AND (?3 IS NULL OR site = ?3) AND session IS NOT NULL";
        let sessions: u64 = c.query_row(
            &format!("SELECT COUNT(DISTINCT session) FROM events WHERE {scope}"),
            params![from, to, site],
            |r| r.get(0),
        )?;
        let firsts = format!(
            "WITH ev AS (SELECT session, conversion, at FROM events WHERE {scope} AND kind = 'conversion'),
                  macro AS (SELECT session, MIN(at) AS t FROM ev
                            WHERE conversion IN (SELECT value FROM json_each(?4)) GROUP BY session)"
        );
        let macro_sessions: u64 = c.query_row(
            &format!("{firsts} SELECT COUNT(*) FROM macro"),
            params![from, to, site, macros],
            |r| r.get(0),
        )?;
        let micro = c
            .prepare_cached(&format!(
                "{firsts},
                 micro AS (SELECT session, conversion, MIN(at) AS t FROM ev
                           WHERE conversion NOT IN (SELECT value FROM json_each(?4))
                           GROUP BY session, conversion)
                 SELECT micro.conversion, COUNT(*), COUNT(macro.t)
                 FROM micro LEFT JOIN macro ON macro.session = micro.session
                 WHERE macro.t IS NULL OR micro.t < macro.t
                 GROUP BY micro.conversion ORDER BY COUNT(*) DESC, micro.conversion"
            ))?
            .query_map(params![from, to, site, macros], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReportCounts {
            sessions,
            macro_sessions,
            micro,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::beacon::{Event, Kind, PageInfo};
    use serde_json::Map;
    use std::path::Path;

    fn ev(id: &str, kind: Kind, conversion: &str, session: &str, at: i64, site: &str) -> Event {
        Event {
            id: id.into(),
            kind,
            conversion: conversion.into(),
            trigger: if conversion.is_empty() { "" } else { "t" }.into(),
            at,
            session: Some(session.into()),
            visitor: None,
            rules: None,
            is_macro: false,
            page: PageInfo {
                url: format!("https://{site}/p"),
                path: "/p".into(),
                ..Default::default()
            },
            vars: Map::new(),
        }
    }

    /// A scripted population whose truth is counted by hand below.
    #[test]
    fn order_matters_bouncers_count_and_sites_stay_apart() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let site = "www.example.com";
        let mut evs = Vec::new();
        let mut n = 0;
        let mut add = |evs: &mut Vec<Event>, kind, conv: &str, session: &str, at, site: &str| {
            n += 1;
            evs.push(ev(&format!("e{n}"), kind, conv, session, at, site));
        };
        // s1: demo, then signup (counts for demo, converted).
        // s2: signup, then demo (converted, but demo came after: not in the demo segment).
        // s3: demo only. s4, s5: bouncers (a visit only). s6: signup only.
        // s7: demo, a second demo, then signup. Another site's s8: demo, signup.
        for s in ["s1", "s2", "s3", "s4", "s5", "s6", "s7"] {
            add(&mut evs, Kind::Visit, "", s, 1000, site);
        }
        add(&mut evs, Kind::Conversion, "demo_watched", "s1", 2000, site);
        add(&mut evs, Kind::Conversion, "signup", "s1", 3000, site);
        add(&mut evs, Kind::Conversion, "signup", "s2", 2000, site);
        add(&mut evs, Kind::Conversion, "demo_watched", "s2", 3000, site);
        add(&mut evs, Kind::Conversion, "demo_watched", "s3", 2000, site);
        add(&mut evs, Kind::Conversion, "signup", "s6", 2000, site);
        add(&mut evs, Kind::Conversion, "demo_watched", "s7", 2000, site);
        add(&mut evs, Kind::Conversion, "demo_watched", "s7", 2500, site);
        add(&mut evs, Kind::Conversion, "signup", "s7", 3000, site);
        add(&mut evs, Kind::Visit, "", "s8", 1000, "other.example");
        add(
            &mut evs,
            Kind::Conversion,
            "demo_watched",
            "s8",
            2000,
            "other.example",
        );
        add(
            &mut evs,
            Kind::Conversion,
            "signup",
            "s8",
            3000,
            "other.example",
        );
        // Outside the range.
        add(&mut evs, Kind::Visit, "", "s9", 9000, site);
        s.insert(&evs).unwrap();
        let macros = ["signup".to_string()];
        let counts = s.report_counts(Some(site), 0, 5000, &macros).unwrap();
        assert_eq!(
            counts,
            ReportCounts {
                sessions: 7,
                macro_sessions: 4,
                micro: vec![("demo_watched".into(), 3, 2)],
            }
        );
        let all = s.report_counts(None, 0, 10_000, &macros).unwrap();
        assert_eq!((all.sessions, all.macro_sessions), (9, 5));
        assert_eq!(all.micro, [("demo_watched".into(), 4, 3)]);
    }

    #[test]
    fn acquisition_by_campaign_referrer_and_landing_page() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let site = "www.example.com";
        let visit = |id: &str, session: &str, vars: Value, path: &str| {
            let mut e = ev(id, Kind::Visit, "", session, 10, site);
            e.vars = vars.as_object().cloned().unwrap_or_default();
            e.page.path = path.into();
            e
        };
        let news =
            serde_json::json!({"visit.utm_source": "news", "visit.referrer_host": "news.example"});
        s.insert(&[
            visit("v1", "s1", news.clone(), "/pricing"),
            visit("v2", "s2", news, "/"),
            visit("v3", "s3", serde_json::json!({}), "/"),
            // A forged beacon's number reads as text.
            visit("v5", "s5", serde_json::json!({"visit.utm_source": 5}), "/x"),
            ev("m1", Kind::Conversion, "signup", "s1", 20, site),
            ev("m3", Kind::Conversion, "signup", "s3", 20, site),
            // A session without a visit (rules without count_visits): not here.
            ev("m4", Kind::Conversion, "signup", "s4", 20, site),
        ])
        .unwrap();
        let macros = ["signup".to_string()];
        let by = |d| s.acquisition(Some(site), 0, 100, &macros, d).unwrap();
        assert_eq!(
            by(0),
            [
                (Some("news".into()), 2, 1),
                (None, 1, 1),
                (Some("5".into()), 1, 0)
            ]
        );
        assert_eq!(by(2), [(None, 4, 2)], "no campaign");
        // Ties by value, direct (null) first.
        assert_eq!(by(3), [(None, 2, 1), (Some("news.example".into()), 2, 1)]);
        assert_eq!(
            by(4),
            [
                (Some("/".into()), 2, 1),
                (Some("/pricing".into()), 1, 1),
                (Some("/x".into()), 1, 0)
            ]
        );
    }

    #[test]
    fn funnel_steps_count_in_order_within_a_session() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        let site = "www.example.com";
        let steps = ["read", "cta", "signup"].map(String::from);
        let mut evs = Vec::new();
        let mut n = 0;
        let mut add = |conv: &str, session: &str, at: i64| {
            n += 1;
            evs.push(ev(
                &format!("e{n}"),
                Kind::Conversion,
                conv,
                session,
                at,
                site,
            ));
        };
        // a: read, cta, signup (gaps 10 and 100); b: cta before read, then
        // read (only step 1; its cta came first); c: read, read, cta (gap 30
        // from the first read), no signup; d: signup only (no step 1).
        add("read", "a", 0);
        add("cta", "a", 10);
        add("signup", "a", 110);
        add("cta", "b", 0);
        add("read", "b", 5);
        add("read", "c", 0);
        add("read", "c", 20);
        add("cta", "c", 30);
        add("signup", "d", 0);
        s.insert(&evs).unwrap();
        let f = s.funnel_counts(Some(site), 0, 1000, &steps).unwrap();
        assert_eq!(f.reached, [3, 2, 1]);
        assert_eq!(f.gaps, [vec![], vec![10, 30], vec![100]]);
    }
}

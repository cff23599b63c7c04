//! The data's life after it is stored: retention, erasure (GDPR requests),
//! online backup and export.

use super::{lock, stored_event, Store, StoreError, StoredEvent, EVENT_COLUMNS};
use rusqlite::backup::Backup;
use rusqlite::{params, Connection};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Rows deleted per transaction: a purge never holds the write lock long.
pub const DELETE_CHUNK: usize = 5_000;

/// Whose events [`Store::erase`] removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// One session id.
    Session(String),
    /// One visitor id (every session of that visitor).
    Visitor(String),
}

/// The formats of [`Store::export`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line, as `/api/conversions` returns them.
    Ndjson,
    /// A header row, then one row per event (`vars` as a JSON column).
    Csv,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "ndjson" => Ok(ExportFormat::Ndjson),
            "csv" => Ok(ExportFormat::Csv),
            _ => Err(format!("unknown format {s:?}: ndjson or csv")),
        }
    }
}

/// Which events [`Store::export`] writes.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    /// Only this site.
    pub site: Option<String>,
    /// Only events at or after this epoch ms (event time).
    pub since: Option<i64>,
    /// Only events before this epoch ms (event time).
    pub until: Option<i64>,
}

const CSV_HEADER: [&str; 16] = [
    "id",
    "conversion",
    "trigger",
    "at",
    "received_at",
    "session",
    "visitor",
    "site",
    "macro",
    "page_url",
    "page_path",
    "page_title",
    "page_referrer",
    "vars",
    "rules",
    "kind",
];

fn delete_in_chunks(
    c: &Connection,
    sql_where: &str,
    arg: &dyn rusqlite::ToSql,
) -> Result<usize, StoreError> {
    let sql = format!(
        "DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE {sql_where} LIMIT {DELETE_CHUNK})"
    );
    let mut total = 0;
    loop {
        let n = c.execute(&sql, [arg])?;
        total += n;
        if n < DELETE_CHUNK {
            return Ok(total);
        }
    }
}

impl Store {
    /// Deletes up to [`DELETE_CHUNK`] events received before
    /// `received_before` (epoch ms); returns how many. The caller repeats it
    /// until fewer come back, letting beacons in between.
    pub fn purge_received_before(&self, received_before: i64) -> Result<usize, StoreError> {
        let c = lock(&self.writer);
        c.execute(
            &format!(
                "DELETE FROM events WHERE rowid IN
                   (SELECT rowid FROM events WHERE received_at < ?1 LIMIT {DELETE_CHUNK})"
            ),
            [received_before],
        )
    }

    /// Deletes every event of one session or visitor; returns how many.
    pub fn erase(&self, who: &Subject) -> Result<usize, StoreError> {
        let c = lock(&self.writer);
        match who {
            Subject::Session(id) => delete_in_chunks(&c, "session = ?1", id),
            Subject::Visitor(id) => delete_in_chunks(&c, "visitor = ?1", id),
        }
    }

    /// Copies the database to `dest` while the collector keeps running
    /// (SQLite's online backup API, 256 pages a step with a short pause so
    /// writers go on). `dest` is a complete database: restore by putting it
    /// in place of the database file while the collector is stopped.
    pub fn backup(&self, dest: &Path) -> Result<(), StoreError> {
        let src = self.read();
        let mut out = Connection::open(dest)?;
        let backup = Backup::new(&src, &mut out)?;
        backup.run_to_completion(256, Duration::from_millis(5), None)?;
        Ok(())
    }

    /// Writes the events (oldest first) to `out` in `format`; returns how many.
    pub fn export(
        &self,
        format: ExportFormat,
        filter: &ExportFilter,
        out: &mut dyn Write,
    ) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
        let c = self.read();
        let mut st = c.prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM events
             WHERE (?1 IS NULL OR site = ?1) AND (?2 IS NULL OR at >= ?2) AND (?3 IS NULL OR at < ?3)
             ORDER BY at, rowid"
        ))?;
        let mut rows = st.query(params![filter.site, filter.since, filter.until])?;
        let mut sink = match format {
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(CSV_HEADER)?;
                Sink::Csv(Box::new(w))
            }
            ExportFormat::Ndjson => Sink::Ndjson(out),
        };
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let e = stored_event(r)?;
            match &mut sink {
                Sink::Csv(w) => w.write_record(csv_row(&e))?,
                Sink::Ndjson(out) => {
                    serde_json::to_writer(&mut **out, &e)?;
                    out.write_all(b"\n")?;
                }
            }
            n += 1;
        }
        match sink {
            Sink::Csv(mut w) => w.flush()?,
            Sink::Ndjson(out) => out.flush()?,
        }
        Ok(n)
    }
}

enum Sink<'a> {
    Csv(Box<csv::Writer<&'a mut dyn Write>>),
    Ndjson(&'a mut dyn Write),
}

fn csv_row(e: &StoredEvent) -> [String; 16] {
    let page = |k: &str| e.page[k].as_str().unwrap_or("").to_string();
    [
        e.id.clone(),
        e.conversion.clone(),
        e.trigger.clone(),
        e.at.to_string(),
        e.received_at.to_string(),
        e.session.clone().unwrap_or_default(),
        e.visitor.clone().unwrap_or_default(),
        e.site.clone(),
        e.is_macro.to_string(),
        page("url"),
        page("path"),
        page("title"),
        page("referrer"),
        e.vars.to_string(),
        e.rules.clone().unwrap_or_default(),
        e.kind.clone(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::beacon::{Event, PageInfo};
    use serde_json::{Map, Value};

    fn ev(id: &str, session: &str, visitor: Option<&str>, at: i64) -> Event {
        Event {
            kind: crate::beacon::Kind::Conversion,
            id: id.into(),
            conversion: "signup".into(),
            trigger: "t".into(),
            at,
            session: Some(session.into()),
            visitor: visitor.map(Into::into),
            rules: None,
            is_macro: true,
            bot: false,
            page: PageInfo {
                url: "https://www.example.com/p?x=1".into(),
                path: "/p".into(),
                title: "A, \"quoted\" title".into(),
                referrer: String::new(),
            },
            vars: Map::new(),
        }
    }

    fn ids(s: &Store) -> Vec<String> {
        let mut v: Vec<String> = s
            .events(&Default::default())
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect();
        v.sort();
        v
    }

    #[test]
    fn erase_by_session_and_by_visitor() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        s.insert(&[
            ev("a", "s1", Some("v1"), 1),
            ev("b", "s2", Some("v1"), 2),
            ev("c", "s3", None, 3),
            ev("d", "s3", Some("v2"), 4),
        ])
        .unwrap();
        assert_eq!(s.erase(&Subject::Session("s3".into())).unwrap(), 2);
        assert_eq!(ids(&s), ["a", "b"]);
        assert_eq!(s.erase(&Subject::Visitor("v1".into())).unwrap(), 2);
        assert!(ids(&s).is_empty());
        assert_eq!(s.erase(&Subject::Visitor("v1".into())).unwrap(), 0);
    }

    #[test]
    fn purge_keeps_what_is_recent() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        s.insert(&[ev("old", "s1", None, 1)]).unwrap();
        let cut = super::super::now_ms() + 1;
        std::thread::sleep(Duration::from_millis(3));
        s.insert(&[ev("new", "s1", None, 2)]).unwrap();
        assert_eq!(s.purge_received_before(cut).unwrap(), 1);
        assert_eq!(ids(&s), ["new"]);
    }

    #[test]
    fn export_csv_and_ndjson_round_trip() {
        let s = Store::open(Path::new(":memory:")).unwrap();
        s.insert(&[ev("a", "s1", Some("v1"), 10), ev("b", "s2", None, 20)])
            .unwrap();
        let mut out = Vec::new();
        let filter = ExportFilter {
            since: Some(15),
            ..Default::default()
        };
        assert_eq!(
            s.export(ExportFormat::Ndjson, &filter, &mut out).unwrap(),
            1
        );
        let line: Value = serde_json::from_slice(out.trim_ascii_end()).unwrap();
        assert_eq!(line["id"], "b");
        assert_eq!(line["site"], "www.example.com");

        let mut out = Vec::new();
        assert_eq!(
            s.export(ExportFormat::Csv, &ExportFilter::default(), &mut out)
                .unwrap(),
            2
        );
        let mut r = csv::Reader::from_reader(out.as_slice());
        assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), CSV_HEADER);
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(&rows[0][0], "a");
        assert_eq!(&rows[0][6], "v1");
        assert_eq!(
            &rows[0][11], "A, \"quoted\" title",
            "quotes and commas survive"
        );
    }

    #[test]
    fn backup_is_a_complete_database() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("live.sqlite")).unwrap();
        s.insert(&[ev("a", "s1", None, 1)]).unwrap();
        let copy = dir.path().join("copy.sqlite");
        s.backup(&copy).unwrap();
        s.insert(&[ev("b", "s1", None, 2)]).unwrap();
        let restored = Store::open(&copy).unwrap();
        assert_eq!(ids(&restored), ["a"]);
    }
}

//! Splitting a URL (absolute or relative) into what is kept and the query,
//! without parsing it fully: anything that does not look like a URL is a path.

#[allow(unused_imports)]
use crate::prelude::*;

/// The pieces of a URL that may be sent, plus its raw query.
pub(super) struct Parts<'a> {
    /// `scheme://` or `//`, or empty for a relative URL.
    pub head: &'a str,
    /// Host and port, user info removed (empty without `head`).
    pub host: &'a str,
    /// Everything up to `?` or `#`.
    pub path: &'a str,
    /// The query without `?` (empty if none); the fragment is never kept.
    pub query: &'a str,
}

/// Length of `scheme://` at the start of `s`, if it has one.
fn scheme_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if s.starts_with("//") {
        return Some(2);
    }
    if !b.first()?.is_ascii_alphabetic() {
        return None;
    }
    let n = b
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        .count();
    s.get(n..)?.starts_with("://").then_some(n + 3)
}

impl<'a> Parts<'a> {
    pub(super) fn new(url: &'a str) -> Self {
        let before_hash = crate::text::split(url, b'#').next().unwrap_or("");
        let (pre, query) = crate::text::split_once(before_hash, b'?').unwrap_or((before_hash, ""));
        let Some(h) = scheme_len(pre) else {
            return Parts {
                head: "",
                host: "",
                path: pre,
                query,
            };
        };
        let (head, rest) = pre.split_at_checked(h).unwrap_or(("", pre));
        let auth_end = crate::text::find_any(rest, b"/\\");
        let (authority, path) = rest.split_at_checked(auth_end).unwrap_or((rest, ""));
        // User info (`user:password@`) is credentials, never sent.
        let host = crate::text::rsplit_once(authority, b'@').map_or(authority, |(_, h)| h);
        Parts {
            head,
            host,
            path,
            query,
        }
    }
}

/// The parameters of `query` whose names are allowed, in order; empty
/// parameters and empty names are dropped.
pub(super) fn kept<'a>(query: &'a str, allow: &'a [String]) -> impl Iterator<Item = &'a str> + 'a {
    crate::text::split(query, b'&').filter(move |p| {
        let name = crate::text::split(p, b'=').next().unwrap_or("");
        !name.is_empty() && allow.iter().any(|a| decoded_eq(name, a))
    })
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Whether `raw` (`+` and `%XX` encoded, as in a query) decodes to `want`,
/// compared byte by byte without decoding into a buffer.
fn decoded_eq(raw: &str, want: &str) -> bool {
    let r = raw.as_bytes();
    let mut w = want.bytes();
    let mut i = 0;
    while i < r.len() {
        let c = match r[i] {
            b'+' => b' ',
            b'%' => match (
                r.get(i + 1).copied().and_then(hex),
                r.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    i += 2;
                    h << 4 | l
                }
                _ => b'%',
            },
            c => c,
        };
        if w.next() != Some(c) {
            return false;
        }
        i += 1;
    }
    w.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_decoded() {
        assert!(decoded_eq("utm_source", "utm_source"));
        assert!(decoded_eq("utm%5Fsource", "utm_source"));
        assert!(decoded_eq("a+b", "a b"));
        assert!(decoded_eq("100%", "100%"));
        assert!(decoded_eq("%zz", "%zz"));
        assert!(!decoded_eq("UTM_SOURCE", "utm_source"));
        assert!(!decoded_eq("utm_sourc", "utm_source"));
        assert!(!decoded_eq("utm_sources", "utm_source"));
        assert!(!decoded_eq("%", ""));
        assert!(decoded_eq("", ""));
    }

    #[test]
    fn parts_of_urls() {
        let p = Parts::new("https://u:p@ex.com:8080/a/b?x=1#f?y");
        assert_eq!(
            (p.head, p.host, p.path, p.query),
            ("https://", "ex.com:8080", "/a/b", "x=1")
        );
        let p = Parts::new("//cdn.ex.com?q");
        assert_eq!(
            (p.head, p.host, p.path, p.query),
            ("//", "cdn.ex.com", "", "q")
        );
        let p = Parts::new("/rel/p#frag?not=query");
        assert_eq!((p.head, p.host, p.path, p.query), ("", "", "/rel/p", ""));
        let p = Parts::new("mailto:a@b.com?subject=x");
        assert_eq!(
            (p.head, p.host, p.path, p.query),
            ("", "", "mailto:a@b.com", "subject=x")
        );
        let p = Parts::new("1http://x");
        assert_eq!((p.head, p.path), ("", "1http://x"));
    }
}

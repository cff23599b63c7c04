//! Link facts: host of a URL, outbound (GTM's `IS_OUTBOUND`) and download
//! detection (GA4 enhanced measurement's extension list).

use crate::prelude::*;

/// What `link.*` variables describe, computed once per click.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct LinkInfo {
    pub url: String,
    pub host: String,
    pub outbound: bool,
    pub download: bool,
}

impl LinkInfo {
    pub(crate) fn new(
        url: String,
        has_download_attr: bool,
        page_host: &str,
        affiliated: &[String],
    ) -> Self {
        let host = url_host(&url).unwrap_or("").to_ascii_lowercase();
        let outbound = is_outbound(&url, &host, page_host, affiliated);
        let download = has_download_attr || has_download_extension(&url);
        LinkInfo {
            url,
            host,
            outbound,
            download,
        }
    }
}

/// The scheme of an absolute URL, lower-cased comparison left to the caller.
fn scheme(url: &str) -> Option<&str> {
    let (s, _) = crate::text::split_once(url, b':')?;
    let ok = s.bytes().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'));
    ok.then_some(s)
}

/// `scheme://authority` split: (authority, rest from the path on).
pub(crate) fn authority(url: &str) -> Option<(&str, &str)> {
    let s = scheme(url)?;
    let after = url.get(s.len() + 1..)?.strip_prefix("//")?;
    let end = crate::text::find_any(after, b"/?#");
    after.split_at_checked(end)
}

/// Host name of an absolute hierarchical URL: no user info, no port.
pub(crate) fn url_host(url: &str) -> Option<&str> {
    let (auth, _) = authority(url)?;
    let hostport = crate::text::rsplit_once(auth, b'@').map_or(auth, |(_, h)| h);
    if hostport.starts_with('[') {
        // IPv6 literal: keep the brackets, drop the port.
        return Some(
            hostport
                .bytes()
                .position(|b| b == b']')
                .map_or(hostport, |i| hostport.get(..=i).unwrap_or(hostport)),
        );
    }
    Some(crate::text::split_once(hostport, b':').map_or(hostport, |(h, _)| h))
}

/// `host` without a leading `www.` (any case).
pub(crate) fn strip_www(host: &str) -> &str {
    match host.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("www.") => host.get(4..).unwrap_or(host),
        _ => host,
    }
}

/// GTM's `IS_OUTBOUND`: an http(s) URL whose host (case-insensitive, `www.`
/// ignored on both sides) differs from the page's and is neither an affiliated
/// domain nor a subdomain of one. `host` is `url`'s host, lower-cased.
pub(crate) fn is_outbound(url: &str, host: &str, page_host: &str, affiliated: &[String]) -> bool {
    let http = scheme(url)
        .is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"));
    if !http || host.is_empty() {
        return false;
    }
    let h = strip_www(host);
    if h.eq_ignore_ascii_case(strip_www(page_host)) {
        return false;
    }
    !affiliated.iter().any(|a| {
        let a = strip_www(crate::text::trim_start_byte(a, b'.'));
        !a.is_empty()
            && (h.eq_ignore_ascii_case(a)
                || (h.len() > a.len()
                    && h.as_bytes().get(h.len() - a.len() - 1) == Some(&b'.')
                    && h.get(h.len() - a.len()..)
                        .is_some_and(|t| t.eq_ignore_ascii_case(a))))
    })
}

/// File extensions that make a link a download: GA4 enhanced measurement's list
/// (`pdf|xlsx?|docx?|txt|rtf|csv|exe|key|pp(s|t|tx)|7z|pkg|rar|gz|zip|avi|mov|mp4|mpe?g|wmv|midi?|mp3|wav|wma`).
pub const DOWNLOAD_EXTENSIONS: &[&str] = &[
    "pdf", "xls", "xlsx", "doc", "docx", "txt", "rtf", "csv", "exe", "key", "pps", "ppt", "pptx",
    "7z", "pkg", "rar", "gz", "zip", "avi", "mov", "mp4", "mpg", "mpeg", "wmv", "mid", "midi",
    "mp3", "wav", "wma",
];

/// Whether the URL's path (query and fragment ignored) ends in a
/// [`DOWNLOAD_EXTENSIONS`] extension, case-insensitively.
pub(crate) fn has_download_extension(url: &str) -> bool {
    let path = match authority(url) {
        Some((_, rest)) => rest,
        // Not hierarchical (mailto:, tel:, data:): no path to look at.
        None => return false,
    };
    let path = path.get(..crate::text::find_any(path, b"?#")).unwrap_or("");
    let file = crate::text::rsplit_once(path, b'/').map_or(path, |(_, f)| f);
    match crate::text::rsplit_once(file, b'.') {
        Some((_, ext)) => DOWNLOAD_EXTENSIONS
            .iter()
            .any(|e| e.eq_ignore_ascii_case(ext)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(url: &str, page: &str, aff: &[&str]) -> bool {
        let aff: Vec<String> = aff.iter().map(|s| s.to_string()).collect();
        LinkInfo::new(url.to_string(), false, page, &aff).outbound
    }

    #[test]
    fn hosts() {
        assert_eq!(
            url_host("https://user:pw@Example.com:8080/a?b#c"),
            Some("Example.com")
        );
        assert_eq!(url_host("http://[::1]:80/"), Some("[::1]"));
        assert_eq!(url_host("mailto:a@b.c"), None);
        assert_eq!(url_host("https://x.org"), Some("x.org"));
    }

    #[test]
    fn outbound_rules() {
        assert!(out("https://other.org/", "example.com", &[]));
        assert!(!out("https://www.example.com/x", "example.com", &[]));
        assert!(!out("http://EXAMPLE.com/x", "www.example.com", &[]));
        assert!(out("https://blog.example.com/", "example.com", &[]));
        assert!(!out(
            "https://shop.example.com/",
            "example.com",
            &["shop.example.com"]
        ));
        assert!(!out(
            "https://eu.shop.example.com/",
            "example.com",
            &["shop.example.com"]
        ));
        assert!(out(
            "https://badshop.example.com/",
            "example.com",
            &["shop.example.com"]
        ));
        assert!(!out("mailto:a@other.org", "example.com", &[]));
        assert!(!out("ftp://other.org/f", "example.com", &[]));
    }

    #[test]
    fn downloads() {
        assert!(has_download_extension(
            "https://x.org/files/report.PDF?x=1#p"
        ));
        assert!(has_download_extension("https://x.org/a.mpeg"));
        assert!(has_download_extension("https://x.org/a.tar.gz"));
        assert!(!has_download_extension("https://x.org/page.html?f=a.pdf"));
        assert!(!has_download_extension("https://example.zip"));
        assert!(!has_download_extension("https://x.org/pdf"));
        assert!(!has_download_extension("mailto:a@b.pdf"));
    }
}

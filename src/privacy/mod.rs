//! Personal-data policy: what every value goes through before it leaves the
//! browser. Nothing personal leaves by default.
//!
//! - **URLs** (`page.url`, `page.referrer`, `link.url`, `click.url`,
//!   `video.url`, and `page.path`) go through [`clean_url`]:
//!   - the query string is dropped except parameters whose name is in the
//!     rules' `allow_query` (exact, case-sensitive, compared after
//!     percent-decoding the name); kept parameters keep their order and their
//!     encoding, and the `?` goes when none is left. Query strings carry
//!     e-mail addresses, names, tokens and session ids;
//!   - the `#fragment` is dropped (OAuth implicit flows put access tokens
//!     there; GTM's page URL drops it too);
//!   - user info (`https://user:password@host/`) is dropped;
//!   - the path and the kept parameters are masked like text (below); the
//!     scheme and host are not (`127.0.0.1:8080` is a server, not a person);
//!   - the result is capped at [`URL_MAX`] characters.
//! - **Text** (`page.title`, `click.text`, `video.title`, data-layer strings,
//!   ids, classes) goes through [`mask_text`]: masked, then capped at
//!   [`TEXT_MAX`] characters.
//!
//! Masking (see [`mask_capped`]) replaces:
//! - e-mail addresses by [`EMAIL_MASK`]: a local part of `[A-Za-z0-9._%+-]`,
//!   then `@` or its URL encoding `%40`, then a domain of at least two labels
//!   (letters, digits, `-`, non-ASCII for internationalised names) whose last
//!   label starts with two or more ASCII letters;
//! - long digit runs by [`NUMBER_MASK`]: [`MIN_DIGITS`] (7) or more ASCII
//!   digits in groups joined by one separator (space, `-`, `.`, `+`, `%20`,
//!   optionally with a closing `)` before and an opening `(` after), as in
//!   `+1 (555) 123-4567` or `4111 1111 1111 1111`; a leading `+` or `(` goes
//!   with it. Phone, card, account and customer numbers are such runs.
//!
//! What stays, on purpose: numbers of fewer than 7 digits (years `2026`,
//! prices `19.99`, `1,299.00` — a comma is not a separator —, percentages,
//! short ids) and calendar dates `YYYY-MM-DD`, `DD-MM-YYYY`, `MM-DD-YYYY`
//! (with `-`, `.` or `/`, month 01–12, day 01–31), which are 8 digits but not
//! personal. Conversely some harmless values are masked (a 7-digit order
//! count, a timestamp, numbers listed with single spaces `2024 2025`): the
//! policy errs on the side of masking.
//!
//! Capping happens after masking, so an address cut by the cap is still
//! masked; a placeholder cut by the cap stays cut (`[ema`).
//!
//! Everything here is a hand-written scanner (no regex crate: it ships in the
//! wasm tag), appends to a caller's `String` without other allocation, and
//! never panics on any UTF-8 input.

#[allow(unused_imports)]
use crate::prelude::*;

mod mask;
mod url;

#[cfg(test)]
mod tests;

use mask::Sink;

/// Maximum length of a text value sent, in characters.
pub const TEXT_MAX: usize = 200;

/// Maximum length of a URL sent, in characters.
pub const URL_MAX: usize = 500;

/// Fewest digits in a run that is masked as a number.
pub const MIN_DIGITS: usize = 7;

/// What an e-mail address becomes.
pub const EMAIL_MASK: &str = "[email]";

/// What a long digit run becomes.
pub const NUMBER_MASK: &str = "[number]";

/// Appends `url` without its fragment, its user info, and the query
/// parameters whose names are not in `allow` (no masking, no cap: see
/// [`clean_url`] for what is sent).
pub fn strip_query(url: &str, allow: &[String], out: &mut String) {
    let parts = url::Parts::new(url);
    out.push_str(parts.head);
    out.push_str(parts.host);
    out.push_str(parts.path);
    for (n, param) in url::kept(parts.query, allow).enumerate() {
        out.push(if n == 0 { '?' } else { '&' });
        out.push_str(param);
    }
}

/// Appends `url` as it may be sent: [`strip_query`], then the path and kept
/// parameters masked, capped at [`URL_MAX`] characters.
pub fn clean_url(url: &str, allow: &[String], out: &mut String) {
    let parts = url::Parts::new(url);
    let mut sink = Sink::new(out, URL_MAX);
    sink.push(parts.head);
    sink.push(parts.host);
    mask::mask(parts.path, &mut sink);
    for (n, param) in url::kept(parts.query, allow).enumerate() {
        sink.push(if n == 0 { "?" } else { "&" });
        mask::mask(param, &mut sink);
    }
}

/// Appends `text` masked and capped at [`TEXT_MAX`] characters.
pub fn mask_text(text: &str, out: &mut String) {
    mask_capped(text, TEXT_MAX, out);
}

/// Appends `text` with e-mail addresses and long digit runs masked, capped at
/// `max_chars` characters (on a character boundary).
pub fn mask_capped(text: &str, max_chars: usize, out: &mut String) {
    mask::mask(text, &mut Sink::new(out, max_chars));
}

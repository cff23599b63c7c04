//! Random ids from `crypto.getRandomValues`: event ids (the collector's
//! de-duplication key) and the per-tab session id.

use crate::prelude::*;

/// Appends `bytes` random bytes as lowercase hex (`host.hex`: Web Crypto).
pub(crate) fn random_hex(host: &super::Host, out: &mut String, bytes: u32) {
    out.push_str(&host.hex(bytes));
}

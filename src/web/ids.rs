//! Random ids from `crypto.getRandomValues`: event ids (the collector's
//! de-duplication key) and the per-tab session id.

use crate::prelude::*;

/// Appends `bytes` (at most 16) random bytes as lowercase hex.
pub(crate) fn random_hex(out: &mut String, bytes: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    let buf = &mut buf[..bytes.min(16)];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(buf).ok())
        .is_some();
    if !filled {
        // No Web Crypto (very old browser): ids only need to be unlikely to collide.
        for b in buf.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    for &b in buf.iter() {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
}

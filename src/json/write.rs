//! JSON writing: string escaping. Callers write structure (`{`, `,`, numbers)
//! themselves, which keeps the tag free of a serializer.

use crate::prelude::*;

/// Appends `s` as a quoted JSON string, escaping `"`, `\` and control
/// characters (and U+2028/U+2029, so the output is also safe inside a script).
pub fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push('"');
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let esc: &str = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            '\u{2028}' => "\\u2028",
            '\u{2029}' => "\\u2029",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        out.push_str(s.get(run..i).unwrap_or(""));
        run = i + c.len_utf8();
        if esc.is_empty() {
            let b = c as u32 as usize;
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) & 0xf] as char);
            out.push(HEX[b & 0xf] as char);
        } else {
            out.push_str(esc);
        }
    }
    out.push_str(s.get(run..).unwrap_or(""));
    out.push('"');
}

use super::*;

fn pos(line: u32, column: u32) -> Pos {
    Pos { line, column }
}

fn err(text: &str) -> JsonError {
    parse(text).expect_err(text)
}

#[test]
fn parses_values_with_positions() {
    let v =
        parse("{\n  \"a\": [1, -2.5e1, true, null],\n  \"é\": \"x\\u00e9\\n\\ud83d\\ude00\"\n}")
            .unwrap();
    assert_eq!(v.pos, pos(1, 1));
    let m = v.as_object().unwrap();
    assert_eq!(m[0].key, "a");
    assert_eq!(m[0].key_pos, pos(2, 3));
    assert_eq!(m[0].value.pos, pos(2, 8));
    let a = m[0].value.as_array().unwrap();
    assert_eq!(a[1].as_f64(), Some(-25.0));
    assert_eq!(a[1].pos, pos(2, 12));
    assert_eq!(a[2].as_bool(), Some(true));
    assert_eq!(a[3].kind, JsonKind::Null);
    assert_eq!(m[1].key, "é");
    // Columns count characters, not bytes: "é" is one column.
    assert_eq!(m[1].value.pos, pos(3, 8));
    assert_eq!(m[1].value.as_str(), Some("xé\n😀"));
    assert_eq!(v.get("a").map(|x| x.pos), Some(pos(2, 8)));
}

#[test]
fn bom_and_whitespace_are_allowed() {
    assert_eq!(parse("\u{feff} \r\n\t 3 ").unwrap().as_f64(), Some(3.0));
}

#[test]
fn rejects_malformed_input_with_position() {
    let cases: &[(&str, &str, (u32, u32))] = &[
        ("", "unexpected end of the file: expected a value", (1, 1)),
        ("{\"a\": 1,}", "trailing comma before '}'", (1, 9)),
        ("[1,]", "trailing comma before ']'", (1, 4)),
        ("{\"a\" 1}", "unexpected \"1\": expected ':' after the key", (1, 6)),
        ("{\"a\": 1 \"b\": 2}", "unexpected \"\\\"\": expected ',' or '}' after an object member", (1, 9)),
        ("{a: 1}", "object keys must be strings in double quotes", (1, 2)),
        ("{'a': 1}", "strings and keys need double quotes (\"), not single quotes", (1, 2)),
        ("[1, // x\n 2]", "comments are not allowed in JSON", (1, 5)),
        ("\"abc", "unterminated string: missing closing '\"'", (1, 1)),
        ("\"a\nb\"", "unterminated string: a line break inside a string must be written \\n", (1, 3)),
        ("\"\\x\"", "invalid escape: use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX", (1, 3)),
        ("\"\\ud800\"", "invalid \\u escape: a high surrogate must be followed by a low one", (1, 8)),
        ("\"\\udc00\"", "invalid \\u escape: lone surrogate", (1, 8)),
        ("01", "invalid number: leading zeros are not allowed", (1, 1)),
        ("1.", "invalid number: expected a digit after '.'", (1, 3)),
        ("1e", "invalid number: expected a digit in the exponent", (1, 3)),
        ("-x", "invalid number: expected a digit", (1, 2)),
        ("1e999", "number out of range", (1, 1)),
        ("tru", "unexpected \"t\": expected a value (true, false, null, a number, a string, an array or an object)", (1, 1)),
        ("{} x", "unexpected text after the JSON value", (1, 4)),
        ("{\"a\": 1,\n \"b\": 2, \"a\": 3}", "duplicate key \"a\"", (2, 10)),
        ("[\n\n   é", "unexpected \"é\": expected a value", (3, 4)),
    ];
    for (text, message, (line, column)) in cases {
        let e = err(text);
        assert_eq!(
            (e.message.as_str(), e.pos),
            (*message, pos(*line, *column)),
            "{text:?}"
        );
    }
}

#[test]
fn depth_is_capped_without_overflowing_the_stack() {
    let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
    assert!(parse(&ok).is_ok());
    let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
    assert_eq!(
        err(&deep).message,
        "nested too deeply (more than 64 levels)"
    );
    let hostile = "{\"a\":".repeat(1_000_000);
    assert_eq!(err(&hostile).pos, pos(1, 1 + 5 * 64));
}

#[test]
fn many_duplicate_keys_are_found_quickly() {
    let mut text = String::from("{");
    for i in 0..50_000 {
        text.push_str(&format!("\"k{i}\":0,"));
    }
    text.push_str("\"k7\":1}");
    assert_eq!(err(&text).message, "duplicate key \"k7\"");
}

#[test]
fn never_panics_on_truncations_of_valid_json() {
    let text = "{\"a\":[1,2.5e-3,\"x\\u00e9\\ud83d\\ude00\",{\"b\":null}],\"c\":true,\"é\":false}";
    for (i, _) in text.char_indices() {
        let _ = parse(&text[..i]);
        let _ = parse(&text[i..]);
    }
    // Every byte value spliced in at every position.
    for b in 0u8..128 {
        for (i, _) in text.char_indices() {
            let mut t = String::from(&text[..i]);
            t.push(b as char);
            t.push_str(&text[i..]);
            let _ = parse(&t);
        }
    }
}

#[test]
fn write_str_escapes_and_round_trips() {
    let s = "a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{1f}é😀\u{2028}/";
    let mut out = String::new();
    write_str(&mut out, s);
    assert_eq!(
        out,
        "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001fé😀\\u2028/\""
    );
    assert_eq!(parse(&out).unwrap().as_str(), Some(s));
}

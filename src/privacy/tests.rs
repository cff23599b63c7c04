use super::*;

fn strip(url: &str, allow: &[&str]) -> String {
    let allow: Vec<String> = allow.iter().map(|s| s.to_string()).collect();
    let mut out = String::new();
    strip_query(url, &allow, &mut out);
    out
}

fn clean(url: &str, allow: &[&str]) -> String {
    let allow: Vec<String> = allow.iter().map(|s| s.to_string()).collect();
    let mut out = String::new();
    clean_url(url, &allow, &mut out);
    out
}

fn mask(text: &str) -> String {
    let mut out = String::new();
    mask_text(text, &mut out);
    out
}

#[test]
fn query_dropped_except_allowed_in_order_and_encoding() {
    let url = "https://ex.com/p?utm_medium=cpc&email=a%40b.com&utm_source=news%20letter&x";
    assert_eq!(strip(url, &[]), "https://ex.com/p");
    assert_eq!(
        strip(url, &["utm_source", "utm_medium"]),
        "https://ex.com/p?utm_medium=cpc&utm_source=news%20letter"
    );
    assert_eq!(strip(url, &["x"]), "https://ex.com/p?x");
    // Names are exact and case-sensitive.
    assert_eq!(
        strip("/p?UTM_SOURCE=a&utm_source_x=b", &["utm_source"]),
        "/p"
    );
    // Repeated allowed names are all kept.
    assert_eq!(strip("/p?a=1&b=2&a=3", &["a"]), "/p?a=1&a=3");
}

#[test]
fn fragment_is_dropped() {
    assert_eq!(
        strip("https://ex.com/cb#access_token=secret", &[]),
        "https://ex.com/cb"
    );
    assert_eq!(
        strip("https://ex.com/cb?a=1#t=2", &["a"]),
        "https://ex.com/cb?a=1"
    );
    // A `?` inside the fragment is not a query.
    assert_eq!(strip("/p#x?a=1", &["a"]), "/p");
    assert_eq!(strip("#only", &[]), "");
}

#[test]
fn odd_queries() {
    assert_eq!(strip("https://ex.com/", &["a"]), "https://ex.com/");
    assert_eq!(strip("https://ex.com/?", &["a"]), "https://ex.com/");
    assert_eq!(strip("/p?&&", &["a"]), "/p");
    assert_eq!(strip("/p?&&a=1&&", &["a"]), "/p?a=1");
    assert_eq!(strip("/p?=1&a=", &["a", ""]), "/p?a=");
    assert_eq!(strip("?a=1&b=2", &["b"]), "?b=2");
    assert_eq!(strip("?a=1", &[]), "");
    assert_eq!(strip("", &["a"]), "");
    assert_eq!(strip("/p?a=1=2", &["a"]), "/p?a=1=2");
    assert_eq!(strip("/p??a=1", &["a"]), "/p");
    assert_eq!(
        strip("/p?utm%5Fsource=x", &["utm_source"]),
        "/p?utm%5Fsource=x"
    );
}

#[test]
fn user_info_is_dropped() {
    assert_eq!(
        strip("https://bob:hunter2@ex.com/a?q=1", &[]),
        "https://ex.com/a"
    );
    assert_eq!(strip("//bob@cdn.ex.com/x", &[]), "//cdn.ex.com/x");
    // An @ in the path is not user info.
    assert_eq!(strip("https://ex.com/@bob", &[]), "https://ex.com/@bob");
}

#[test]
fn urls_are_masked_and_capped() {
    assert_eq!(
        clean("https://ex.com/u/jane.doe@mail.com/edit?x=1", &[]),
        "https://ex.com/u/[email]/edit"
    );
    assert_eq!(
        clean(
            "https://ex.com/p?ref=jane%40mail.com&utm_source=mail",
            &["ref", "utm_source"]
        ),
        "https://ex.com/p?ref=[email]&utm_source=mail"
    );
    assert_eq!(
        clean("/orders/123456789/track", &[]),
        "/orders/[number]/track"
    );
    assert_eq!(
        clean("/call?tel=%2B1%20555%20123%204567", &["tel"]),
        "/call?tel=%2B[number]"
    );
    // The host is a server, not a person: an IP address stays.
    assert_eq!(
        clean("http://127.0.0.1:8080/blog/2026-11-23/post.html", &[]),
        "http://127.0.0.1:8080/blog/2026-11-23/post.html"
    );
    assert_eq!(
        clean("mailto:jane@mail.com?subject=hi", &[]),
        "mailto:[email]"
    );
    let long = format!("https://ex.com/{}", "a".repeat(2000));
    let c = clean(&long, &[]);
    assert_eq!(c.chars().count(), URL_MAX);
    assert!(long.starts_with(&c));
}

#[test]
fn emails_are_masked() {
    assert_eq!(mask("jane.doe+news@example.co.uk"), "[email]");
    assert_eq!(mask("write to jane@example.com."), "write to [email].");
    assert_eq!(
        mask("a@b.io and c_d%e@f-g.example.org!"),
        "[email] and [email]!"
    );
    assert_eq!(mask("<JANE@EXAMPLE.COM>"), "<[email]>");
    assert_eq!(mask("jane%40example.com"), "[email]");
    assert_eq!(mask("x=jane%40example.com&y"), "x=[email]&y");
    assert_eq!(mask("jane@example.com.123"), "[email].123");
    // Internationalised domains, non-ASCII around.
    assert_eq!(
        mask("Grüße an max@müller.de — danke"),
        "Grüße an [email] — danke"
    );
    assert_eq!(mask("联系max@example.cn。谢谢"), "联系[email]。谢谢");
    assert_eq!(mask("max@x.de—ok"), "[email]—ok");
    // Digits in the local part do not split the address.
    assert_eq!(mask("555 1234abc@x.com"), "[number][email]");
    assert_eq!(mask("user12345678@x.com"), "[email]");
}

#[test]
fn not_emails() {
    for s in [
        "@example.com",
        "jane@",
        "jane@localhost",
        "jane@x.c",
        "jane@.com",
        "a@b..com",
        "@@",
        "a@b@c",
        "user @ example.com",
        "x@-y.com",
    ] {
        assert_eq!(mask(s), s, "{s}");
    }
    assert_eq!(mask("a@b@c.com"), "a@[email]");
}

#[test]
fn long_digit_runs_are_masked() {
    assert_eq!(mask("+1 (555) 123-4567"), "[number]");
    assert_eq!(mask("call (555) 123-4567 now"), "call [number] now");
    assert_eq!(mask("4111 1111 1111 1111"), "[number]");
    assert_eq!(mask("card 4111-1111-1111-1111."), "card [number].");
    assert_eq!(mask("555-1234"), "[number]");
    assert_eq!(mask("030.12345678"), "[number]");
    assert_eq!(mask("ID1234567X"), "ID[number]X");
    assert_eq!(mask("+49 30 1234567"), "[number]");
    assert_eq!(mask("1234567"), "[number]");
    assert_eq!(mask("DE89 3704 0044 0532 0130 00"), "DE[number]");
}

#[test]
fn numbers_that_stay() {
    for s in [
        "2026",
        "© 2026 Example",
        "19.99",
        "$1,299.00",
        "from 19.99 - 29.99",
        "45%",
        "12.5% off",
        "order 123456",
        "2026-11-23",
        "on 2026-11-23 at 10:30",
        "23.11.2026",
        "11/23/2026",
        "v1.2.3",
        "1920x1080",
        "10:30:15",
    ] {
        assert_eq!(mask(s), s, "{s}");
    }
    // Not a date: month 23; more digits around a date.
    assert_eq!(mask("0701-23-45"), "[number]");
    assert_eq!(mask("2026-11-23 555 1234"), "2026-11-23 [number]");
}

#[test]
fn text_is_capped_on_char_boundaries() {
    let s = "é".repeat(500);
    let m = mask(&s);
    assert_eq!(m.chars().count(), TEXT_MAX);
    assert!(s.starts_with(&m));
    let mut out = String::from("kept:");
    mask_capped("🙂🙂🙂", 2, &mut out);
    assert_eq!(out, "kept:🙂🙂");
    // Masked before capping: an address cut by the cap does not leak.
    let s = format!("{}jane@example.com", "x ".repeat(97));
    let m = mask(&s);
    assert!(!m.contains("jane"), "{m}");
    assert_eq!(m, format!("{}[email", "x ".repeat(97)));
    let mut out = String::new();
    mask_capped("anything", 0, &mut out);
    assert_eq!(out, "");
}

#[test]
fn never_panics_on_odd_input() {
    let odd = [
        "",
        "%",
        "%4",
        "%40",
        "a%40",
        "a%4",
        "@",
        ".",
        "+",
        "(",
        ")",
        "+(",
        "1)",
        "1 ",
        "1-",
        "1%20",
        "1%2",
        "é@é.éé",
        "a@é",
        "a@1.",
        "\u{0}",
        "2026-13-45",
        "9999-99-99",
        "1.2.3.4.5.6.7",
        "%%%%",
        "a@b.%40",
        "a%40%40b.com",
        "\u{feff}1234567",
        "١٢٣٤٥٦٧٨",
    ];
    for s in odd {
        mask(s);
        clean(s, &["a"]);
        strip(s, &[""]);
        for cap in 0..4 {
            let mut out = String::new();
            mask_capped(s, cap, &mut out);
            assert!(out.chars().count() <= cap);
        }
    }
}

/// A small exhaustive sweep: every string over a tricky alphabet up to length
/// 4 goes through without panicking and within the cap.
#[test]
fn sweep_small_inputs() {
    let alphabet = [
        "a", "1", "@", ".", "%", "4", "0", "-", " ", "é", "(", ")", "+", "?", "#", "&", "=",
    ];
    let mut idx = [0usize; 4];
    for len in 0..=4 {
        let total = alphabet.len().pow(len as u32);
        for n in 0..total {
            let mut m = n;
            for slot in idx.iter_mut().take(len) {
                *slot = m % alphabet.len();
                m /= alphabet.len();
            }
            let s: String = idx[..len].iter().map(|&i| alphabet[i]).collect();
            let mut out = String::new();
            mask_capped(&s, 3, &mut out);
            assert!(out.chars().count() <= 3, "{s:?}");
            clean(&s, &["a"]);
        }
    }
}

/// Property: an address or a card number anywhere in random noise (letters,
/// digits, punctuation, non-ASCII, URL escapes) never comes out, whatever
/// sticks to it. The noise has no `j` and no `4`, so any `jane` or `4111` in
/// the output would be a leak.
#[test]
fn secrets_in_noise_never_leak() {
    let noise = [
        "a",
        "Z",
        "0",
        "7",
        ".",
        "-",
        "_",
        "+",
        "%",
        "%40",
        "%20",
        "@",
        " ",
        ",",
        "(",
        ")",
        "<",
        "/",
        "?",
        "=",
        "&",
        "é",
        "。",
        "—",
        "x.com",
        "@b.io",
        "2026-11-23",
        "\u{a0}",
    ];
    let secrets = [
        "jane.doe@example.com",
        "jane%40example.com",
        "4111 1111 1111 1111",
        "+1 (555) 411-1111",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let mut s = String::new();
        let secret = secrets[(next() % secrets.len() as u64) as usize];
        for _ in 0..next() % 6 {
            s.push_str(noise[(next() % noise.len() as u64) as usize]);
        }
        s.push_str(secret);
        for _ in 0..next() % 6 {
            s.push_str(noise[(next() % noise.len() as u64) as usize]);
        }
        let m = mask(&s);
        assert!(
            !m.contains("jane") && !m.contains("4111") && !m.contains("555"),
            "{s:?} -> {m:?}"
        );
        let u = clean(&format!("https://ex.com/{s}"), &[]);
        assert!(!u.contains("jane") && !u.contains("4111"), "{s:?} -> {u:?}");
    }
}

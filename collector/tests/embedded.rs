//! The single binary: built with `--features embed-tag` (after `./build.sh`
//! wrote `dist/`), it serves the tag's files from inside itself, with no
//! `--tag-dir` and no `dist/` beside it. `scripts/test.sh` runs this after the
//! tag build: `cargo test -p microconv-collector --features embed-tag --test embedded`.
#![cfg(feature = "embed-tag")]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

fn get(addr: &str, path: &str, extra: &str) -> (String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    let end = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    (
        String::from_utf8_lossy(&all[..end]).into_owned(),
        all[end + 4..].to_vec(),
    )
}

#[test]
fn the_binary_serves_the_tag_it_was_built_with() {
    let dist = concat!(env!("CARGO_MANIFEST_DIR"), "/../dist");
    let loader = std::fs::read(format!("{dist}/microconv.js")).unwrap();
    let wasm = std::fs::read_dir(dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.starts_with("microconv.") && n.ends_with(".wasm"))
        .unwrap();
    // Run from an empty folder: nothing to read the tag from but the binary.
    let cwd = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_microconv-collector"))
        .current_dir(cwd.path())
        .args(["--addr", "127.0.0.1:0", "--db", "t.sqlite"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut line = Vec::new();
    let mut b = [0u8; 1];
    while !line.ends_with(b"\n") && out.read(&mut b).unwrap() == 1 {
        line.push(b[0]);
    }
    let line = String::from_utf8(line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();

    let (head, body) = get(&addr, "/microconv/microconv.js", "");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("cache-control: no-cache"),
        "{head}"
    );
    assert_eq!(body, loader);
    let (head, _) = get(
        &addr,
        &format!("/microconv/{wasm}"),
        "Accept-Encoding: br\r\n",
    );
    let lower = head.to_ascii_lowercase();
    assert!(lower.contains("content-type: application/wasm"), "{head}");
    assert!(lower.contains("content-encoding: br"), "{head}");
    assert!(lower.contains("immutable"), "{head}");
    let etag = lower
        .lines()
        .find_map(|l| l.strip_prefix("etag: "))
        .unwrap()
        .to_string();
    let (head, _) = get(
        &addr,
        &format!("/microconv/{wasm}"),
        &format!("If-None-Match: {etag}\r\n"),
    );
    assert!(head.starts_with("HTTP/1.1 304"), "{head}");
    assert!(get(&addr, "/microconv/missing.js", "")
        .0
        .starts_with("HTTP/1.1 404"));
    let _ = child.kill();
    let _ = child.wait();
}

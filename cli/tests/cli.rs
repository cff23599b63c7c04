//! Runs the `microconv` binary on good and bad files: output lines and exit codes.

use std::process::{Command, Output};

fn root(path: &str) -> String {
    format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_microconv"))
        .args(args)
        .output()
        .expect("run microconv");
    (
        status.code().expect("exit code"),
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

/// `check --simulate` of `events` on `rules` (texts written to a temporary
/// folder named after `name`): exit code and standard output.
fn simulate(name: &str, rules: &str, events: &str) -> (i32, String) {
    let dir = std::env::temp_dir().join(format!("microconv-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (r, e) = (dir.join("rules.json"), dir.join("events.json"));
    std::fs::write(&r, rules).unwrap();
    std::fs::write(&e, events).unwrap();
    let (code, out, _) = run(&[
        "check",
        "--simulate",
        e.to_str().unwrap(),
        r.to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&dir).ok();
    (code, out)
}

#[test]
fn clean_file_prints_a_summary_and_exits_0() {
    let file = root("tests/fixtures/example-rules.json");
    let (code, out, err) = run(&["check", &file]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        format!(
            "{file}: ok, 4 triggers (scroll 1, video 1, click 1, link_click 1): \
             article_read, demo_watched, trial_cta_click, outbound_click\n"
        )
    );
}

#[test]
fn demo_site_rules_are_clean() {
    let (code, out, _) = run(&["check", &root("www/rules.json")]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(": ok, "), "{out}");
}

#[test]
fn bad_file_prints_every_defect_with_position_and_exits_1() {
    let file = fixture("bad-rules.json");
    let (code, out, err) = run(&["check", &file]);
    assert_eq!((code, err.as_str()), (1, ""));
    let want = [
        "4:3: trigers: unknown field \"trigers\" (did you mean \"triggers\"?)",
        "10:26: trigger \"article-read\": triggers[0].thresholds[1]: a percent threshold must be greater than 0 and at most 100",
        "10:31: trigger \"article-read\": triggers[0].thresholds[2]: expected a number, found the string \"75\": write the number without quotes",
        "11:7: trigger \"article-read\": triggers[0].selector: \"selector\" applies to \"on\": \"click\" triggers, not \"scroll\"",
        "17:19: trigger \"demo-video\": triggers[1].statuses: \"progress\" needs \"progress_percent\" or \"progress_seconds\" thresholds",
        "28:23: trigger \"trial-cta\": triggers[2].conditions[0].variable: unknown variable \"click.txt\" (did you mean \"click.text\"?)",
        "28:48: trigger \"trial-cta\": triggers[2].conditions[0].operator: unknown operator \"contain\" (did you mean \"contains\"?)",
        "29:52: trigger \"trial-cta\": triggers[2].conditions[1].operator: \"click.element\" is an element: its only operator is \"matches_css\", not \"contains\"",
        "30:77: trigger \"trial-cta\": triggers[2].conditions[2].value: expected a number, found the string \"x\"",
        "30:97: trigger \"trial-cta\": triggers[2].conditions[2].ignore_case: \"ignore_case\" applies only to string operators (\"equals\", \"contains\", \"starts_with\", \"ends_with\", \"matches_regex\"), not \"less_than\"",
        "32:16: trigger \"trial-cta\": triggers[2].limit: unknown limit \"once_per_pag\" (did you mean \"once_per_page\"?)",
        "43:13: trigger \"article-read\": triggers[4].id: duplicate id \"article-read\": triggers[0] already uses it",
        "45:13: trigger \"article-read\": triggers[4].on: unknown trigger type \"scrol\" (did you mean \"scroll\"?)",
        "47:5: trigger #5: triggers[5]: missing required field \"id\"",
        "47:5: trigger #5: triggers[5]: missing required field \"event\" (or \"events\" or \"event_matches\")",
    ];
    let lines: Vec<&str> = out.lines().collect();
    // The invalid regex is reported by the engine (through the native
    // backend), in the words the browser's console gives it
    // (tests/web_datalayer.rs, e2e/specs/diagnostics.spec.js).
    let regex_line = format!(
        "{file}:39:73: trigger \"bad-regex\": triggers[3].conditions[0].value: \
         invalid regular expression: JavaScript's RegExp refuses \"(unclosed\""
    );
    let (regex, rest): (Vec<&str>, Vec<&str>) = lines.iter().partition(|l| **l == regex_line);
    assert_eq!(regex.len(), 1, "{out}");
    let want: Vec<String> = want.iter().map(|w| format!("{file}:{w}")).collect();
    assert_eq!(rest, want);
}

#[test]
fn several_files_each_get_reported() {
    let good = root("tests/fixtures/example-rules.json");
    let bad = fixture("bad-rules.json");
    let (code, out, _) = run(&["check", &good, &bad]);
    assert_eq!(code, 1);
    assert!(out
        .lines()
        .next()
        .unwrap()
        .starts_with(&format!("{good}: ok, 4 triggers")));
    assert!(out
        .lines()
        .skip(1)
        .all(|l| l.starts_with(&format!("{bad}:"))));
}

#[test]
fn malformed_and_empty_files() {
    let dir = std::env::temp_dir().join(format!("microconv-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\n  \"version\": 1,\n  \"triggers\": [,]\n}\n").unwrap();
    let empty = dir.join("empty.json");
    std::fs::write(&empty, "\n").unwrap();
    let (b, e) = (broken.to_str().unwrap(), empty.to_str().unwrap());
    let (code, out, _) = run(&["check", b, e]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        format!(
            "{b}:3:16: malformed JSON: unexpected \",\": expected a value\n\
             {e}:1:1: the file is empty: a rules file is a JSON object with \"version\": 1 and \"triggers\"\n"
        )
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn usage_errors_and_unreadable_files_exit_2() {
    let (code, _, err) = run(&[]);
    assert_eq!(code, 2);
    assert!(err.contains("Usage: microconv <COMMAND>"), "{err}");
    let (code, _, err) = run(&["check"]);
    assert_eq!(code, 2);
    assert!(err.contains("<RULES.json>"), "{err}");
    let (code, _, err) = run(&["check", "--frobnicate", "x.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("unexpected argument '--frobnicate'"), "{err}");
    let (code, out, err) = run(&["check", "/nonexistent/rules.json"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.starts_with("microconv: cannot read /nonexistent/rules.json: "),
        "{err}"
    );
    let (code, out, _) = run(&["check", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--simulate <EVENTS.json>"), "{out}");
    assert!(
        out.contains("{\"type\":\"scroll\""),
        "the events format: {out}"
    );
}

/// Paths are the caller's: `./build.sh check FILE` from another folder reads
/// FILE there, not in the project.
#[test]
fn build_sh_check_reads_paths_from_the_callers_folder() {
    let dir = std::env::temp_dir().join(format!("microconv-cwd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(root("www/rules.json"), dir.join("mine.json")).unwrap();
    let out = std::process::Command::new("bash")
        .arg(root("build.sh"))
        .args(["check", "mine.json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("mine.json: ok"), "{stdout}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn simulate_shows_what_fires_for_each_event() {
    let rules = root("tests/fixtures/example-rules.json");
    let events = fixture("events.json");
    let (code, out, err) = run(&["check", "--simulate", &events, &rules]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    // Event lines (#n ...) are followed by what fires.
    let mut blocks: Vec<(String, Vec<String>)> = Vec::new();
    for line in out.lines().skip(2) {
        match line.strip_prefix("  ") {
            Some(fire) => blocks.last_mut().unwrap().1.push(fire.to_string()),
            None => blocks.push((line.to_string(), Vec::new())),
        }
    }
    let fires: Vec<Vec<String>> = blocks.iter().map(|(_, f)| f.clone()).collect();
    let none = vec!["nothing fires".to_string()];
    let scroll = |t: u32| {
        format!("fires article_read (trigger \"article-read\"): scroll.threshold={t} scroll.units=\"percent\" scroll.direction=\"vertical\"")
    };
    assert_eq!(blocks.len(), 11, "{out}");
    assert!(
        blocks[0].0.starts_with("#1 {\"type\": \"page\"")
            || blocks[0].0.starts_with("#1 {\"type\":\"page\""),
        "{out}"
    );
    assert_eq!(fires[0], none, "page view");
    assert_eq!(fires[1], none, "40% deep: no threshold yet");
    assert_eq!(
        fires[2],
        [scroll(50), scroll(75)],
        "a jump fires every skipped threshold"
    );
    assert_eq!(fires[3], [scroll(100)]);
    assert_eq!(
        fires[4],
        ["fires trial_cta_click (trigger \"trial-cta\"): click.classes=\"cta\" click.text=\"Start your free trial\" \
          click.url=\"https://example.com/trial\""],
        "click inside a.cta, relative href resolved"
    );
    assert_eq!(fires[5].len(), 1);
    assert!(
        fires[5][0].starts_with("fires outbound_click (trigger \"outbound\"): "),
        "middle click on an outbound link"
    );
    assert!(fires[5][0].contains("link.outbound=true"));
    assert_eq!(fires[6], none, "affiliated subdomain is not outbound");
    assert_eq!(fires[7], none, "unless blocks partner links");
    assert!(fires[8][0].starts_with("fires demo_watched (trigger \"demo-video\"): video.provider=\"html5\" video.status=\"start\""));
    assert!(
        fires[9][0].contains("video.status=\"progress\""),
        "{:?}",
        fires[9]
    );
    assert!(fires[9][0].contains("video.percent=25"), "{:?}", fires[9]);
    assert_eq!(fires[10], none, "no custom trigger in the example");
}

#[test]
fn simulate_custom_events_and_bad_event_files() {
    let dir = std::env::temp_dir().join(format!("microconv-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("rules.json");
    std::fs::write(
        &rules,
        r#"{"version": 1, "triggers": [{"id": "pro-signup", "conversion": "signup", "on": "custom", "event": "signup",
            "macro": true, "conditions": [{"variable": "dl.ecommerce.value", "operator": "greater_than", "value": 10}]}]}"#,
    )
    .unwrap();
    let events = dir.join("events.json");
    std::fs::write(
        &events,
        r#"[{"type": "push", "event": "signup", "plan": "pro", "ecommerce": {"value": 30}},
            {"type": "push", "event": "signup", "ecommerce": {"value": 5}}]"#,
    )
    .unwrap();
    let (code, out, _) = run(&[
        "check",
        "--simulate",
        events.to_str().unwrap(),
        rules.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 6, "{out}");
    assert!(
        lines[3].starts_with("  fires signup (trigger \"pro-signup\", macro): event=\"signup\""),
        "{out}"
    );
    assert!(
        lines[3].contains("dl.plan=\"pro\"") && lines[3].contains("dl.ecommerce.value=30"),
        "{out}"
    );
    assert_eq!(lines[5], "  nothing fires");

    std::fs::write(&events, r#"[{"type": "hover"}]"#).unwrap();
    let (code, _, err) = run(&[
        "check",
        "--simulate",
        events.to_str().unwrap(),
        rules.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("event #1: unknown type \"hover\""), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn simulate_a_page_event_is_a_page_view() {
    let (code, out) = simulate(
        "sim-pv",
        r#"{"version": 1, "triggers": [{"id": "thanks", "conversion": "call_requested", "on": "page_view", "macro": true,
            "conditions": [{"variable": "page.path", "operator": "equals", "value": "/thank-you"}]}]}"#,
        r#"[{"type": "page", "url": "https://example.com/pricing"},
            {"type": "page", "url": "/thank-you/?team=5"}]"#,
    );
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 6, "{out}");
    assert_eq!(lines[3], "  nothing fires", "{out}");
    assert_eq!(
        lines[5], "  fires call_requested (trigger \"thanks\", macro)",
        "{out}"
    );
}

#[test]
fn simulate_regex_custom_events_and_page_globals() {
    let (code, out) = simulate(
        "sim-js",
        r#"{"version": 1, "triggers": [{"id": "ga4", "conversion": "ga4_event", "on": "custom", "event_matches": "^ga4_",
            "conditions": [{"variable": "js.app.user.plan", "operator": "equals", "value": "pro"}]}]}"#,
        r#"[{"type": "push", "event": "ga4_signup"},
            {"type": "globals", "values": {"app.user.plan": "pro"}},
            {"type": "push", "event": "ga4_signup"},
            {"type": "push", "event": "signup"}]"#,
    );
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 10, "{out}");
    assert_eq!(lines[3], "  nothing fires", "{out}");
    assert_eq!(lines[5], "  page globals set", "{out}");
    assert!(
        lines[7].starts_with("  fires ga4_event (trigger \"ga4\"): event=\"ga4_signup\""),
        "{out}"
    );
    assert!(!lines[7].contains("js."), "{out}");
    assert_eq!(lines[9], "  nothing fires", "{out}");
}

#[test]
fn warnings_for_rules_that_mislead_and_strict_makes_them_defects() {
    let dir = std::env::temp_dir().join(format!("microconv-warn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("rules.json");
    std::fs::write(
        &rules,
        r#"{"version": 1, "triggers": [
  {"id": "demo", "conversion": "d", "on": "video", "progress_percent": [50]},
  {"id": "read", "conversion": "r", "on": "scroll", "thresholds": [75]},
  {"id": "thanks", "conversion": "t", "on": "page_view",
   "conditions": [{"variable": "page.path", "operator": "equals", "value": "https://example.com/thank-you"}]},
  {"id": "guest", "conversion": "g", "on": "click",
   "unless": [{"variable": "dl.user.logedIn", "operator": "equals", "value": true}]}
]}"#,
    )
    .unwrap();
    let file = rules.to_str().unwrap();
    let (code, out, _) = run(&["check", file]);
    assert_eq!(code, 0, "warnings alone pass: {out}");
    let warnings: Vec<&str> = out.lines().filter(|l| l.contains(": warning: ")).collect();
    assert_eq!(warnings.len(), 3, "{out}");
    assert!(warnings[0].starts_with(&format!("{file}:2:3: warning: trigger \"demo\": triggers[0].statuses: without \"statuses\" the trigger also fires on start, pause, seek and complete")), "{out}");
    assert!(warnings[1].starts_with(&format!("{file}:3:3: warning: trigger \"read\": triggers[1]: a percent scroll trigger without a page condition fires on every page")), "{out}");
    assert!(
        warnings[2].contains(
            "trigger \"thanks\": triggers[2].conditions[0].value: page.path starts with \"/\""
        ),
        "{out}"
    );
    assert!(out.lines().any(|l| l.contains(": ok, 4 triggers")), "{out}");
    let (code, _, _) = run(&["check", "--strict", file]);
    assert_eq!(code, 1, "--strict: warnings are defects");

    // With the pushes of --simulate, a dl.* key none of them sets.
    let events = dir.join("events.json");
    std::fs::write(
        &events,
        r#"[{"type": "push", "event": "login", "user": {"loggedIn": true}}]"#,
    )
    .unwrap();
    let (code, out, _) = run(&["check", "--simulate", events.to_str().unwrap(), file]);
    assert_eq!(code, 0, "{out}");
    let dl: Vec<&str> = out.lines().filter(|l| l.contains("no push in")).collect();
    assert_eq!(dl.len(), 1, "{out}");
    assert!(
        dl[0].contains("trigger \"guest\": triggers[3].unless[0].variable: no push in "),
        "{out}"
    );
    assert!(dl[0].contains("sets \"user.logedIn\""), "{out}");

    // A file without triggers: a defect, as the tag refuses to start on it.
    std::fs::write(&rules, r#"{"version": 1, "triggers": []}"#).unwrap();
    let (code, out, _) = run(&["check", file]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("triggers: must list at least one trigger"),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn publish_writes_the_published_form_that_check_and_the_reader_accept() {
    let dir = std::env::temp_dir().join(format!("microconv-publish-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out_dir = dir.join("public");
    let src = root("www/rules.json");
    let (code, out, err) = run(&["publish", &src, "-o", out_dir.to_str().unwrap()]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    let target = out_dir.join("rules.json");
    let text = std::fs::read_to_string(&target).unwrap();
    let rules = microconv::published::read(&text).expect("the tag reads it");
    let source = microconv::rules::parse(&std::fs::read_to_string(&src).unwrap()).rules;
    assert_eq!(rules.triggers.len(), source.triggers.len());
    assert_eq!(rules.hash, microconv::published::hash_of(&source));
    assert!(
        out.ends_with(&format!(
            "published {}: {} bytes (rules.json {} bytes), rules {}\n",
            target.display(),
            text.len(),
            std::fs::metadata(&src).unwrap().len(),
            rules.hash
        )),
        "{out}"
    );
    assert!(text.len() * 2 < std::fs::metadata(&src).unwrap().len() as usize);
    // check reads a published file too.
    let (code, out, _) = run(&["check", target.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("(published rules {})", rules.hash)),
        "{out}"
    );
    // Altered: check says what the tag would.
    std::fs::write(&target, text.replacen("1;", "2;", 1)).unwrap();
    let (code, _, err) = run(&["check", target.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("truncated or altered"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn publish_writes_nothing_for_a_file_with_defects_or_over_its_source() {
    let dir = std::env::temp_dir().join(format!("microconv-publish-bad-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let bad = fixture("bad-rules.json");
    let (check_code, check_out, _) = run(&["check", &bad]);
    let (code, out, _) = run(&["publish", &bad, "-o", dir.to_str().unwrap()]);
    assert_eq!((check_code, code), (1, 1));
    // The defects exactly as check prints them, then one line.
    assert_eq!(
        out,
        format!("{check_out}{bad}: nothing published: fix the defects above\n")
    );
    assert!(!dir.join("bad-rules.json").exists());
    // Into the source's own folder: refused, the source kept.
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("rules.json");
    std::fs::copy(root("www/rules.json"), &src).unwrap();
    let (code, _, err) = run(&[
        "publish",
        src.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("would overwrite the rules file itself"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&src).unwrap(),
        std::fs::read_to_string(root("www/rules.json")).unwrap()
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn simulate_form_submissions_and_starts() {
    let (code, out) = simulate(
        "sim-form",
        r##"{"version": 1, "triggers": [
            {"id": "news", "conversion": "newsletter", "on": "form_submit", "selector": "#newsletter"},
            {"id": "start", "conversion": "form_started", "on": "form_start"}]}"##,
        r#"[{"type": "page", "url": "https://example.com/blog/"},
            {"type": "form", "kind": "start", "form": {"tag": "form", "attrs": {"id": "newsletter"}}},
            {"type": "form", "kind": "start", "form": {"tag": "form", "attrs": {"id": "newsletter"}}},
            {"type": "form", "form": {"tag": "form", "attrs": {"id": "newsletter", "action": "/subscribe", "method": "POST"}}, "fields": 2},
            {"type": "form", "form": {"tag": "form", "attrs": {"id": "newsletter"}}, "prevented": true}]"#,
    );
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().skip(2).collect();
    assert_eq!(lines[1], "  nothing fires", "{out}");
    assert!(
        lines[3].starts_with("  fires form_started (trigger \"start\"): form.id=\"newsletter\""),
        "{out}"
    );
    assert_eq!(lines[5], "  nothing fires", "{out}");
    assert_eq!(
        lines[7],
        "  fires newsletter (trigger \"news\"): form.id=\"newsletter\" form.action=\"https://example.com/subscribe\" form.method=\"post\" form.fields=2",
        "{out}"
    );
    assert_eq!(lines[9], "  nothing fires", "{out}");
}

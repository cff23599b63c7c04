//! `microconv`: the marketer's command line. `microconv check rules.json`
//! validates a rules file the way the tag will read it; `--simulate` replays
//! example events through the real engine to show which triggers fire.

mod check;
mod events;
mod simulate;

use std::process::ExitCode;

const USAGE: &str = "\
usage: microconv check [--simulate EVENTS.json] RULES.json [MORE.json ...]

Checks microconv rules files. Prints every defect as
  file:line:column: trigger \"id\": path: message
and exits 1 if there is any; prints a one-line summary of each clean file.
Exit status: 0 clean, 1 defects, 2 usage error or unreadable file.

--simulate EVENTS.json replays example events (a JSON array, in order) through
the engine with the rules and prints, for each event, which triggers fire and
with which variables. Event objects, by \"type\":
  {\"type\":\"page\", \"url\":\"https://example.com/blog/a?x=1\", \"title\":\"A post\", \"referrer\":\"\"}
      a page view (load or single-page-app route); later events happen on it
  {\"type\":\"scroll\", \"top\":1200, \"viewport\":800, \"height\":2000}
      a scroll reading in CSS pixels (scrollTop, innerHeight, scrollHeight)
  {\"type\":\"click\", \"button\":0, \"element\":{\"tag\":\"a\", \"attrs\":{\"class\":\"cta\", \"href\":\"/trial\"},
      \"text\":\"Start trial\", \"parent\":{\"tag\":\"nav\"}}}
      a click on the innermost element (button 0 left, 1 middle); \"parent\" nests
      up to the root; relative hrefs resolve against the page URL
  {\"type\":\"media\", \"media\":1, \"kind\":\"play\", \"current_time\":0, \"duration\":60,
      \"url\":\"https://example.com/demo.mp4\", \"title\":\"Demo\"}
      an HTML5 media event; kind is play, pause, seeking, seeked, timeupdate or
      ended; \"media\" tells media elements apart; duration null = unknown,
      \"Infinity\" = live
  {\"type\":\"push\", \"event\":\"signup\", \"plan\":\"pro\", \"ecommerce\":{\"value\":30}}
      dataLayer.push({event, ...}); nested keys become dl.ecommerce.value
Events before the first \"page\" happen on https://example.com/.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(Usage(msg)) => {
            if !msg.is_empty() {
                eprintln!("microconv: {msg}");
            }
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// A usage error or an unreadable file: exit status 2.
#[derive(Debug)]
pub struct Usage(pub String);

/// Runs the command; `Ok(clean)`.
fn run(args: &[String]) -> Result<bool, Usage> {
    let (cmd, rest) = args.split_first().ok_or_else(|| Usage(String::new()))?;
    match cmd.as_str() {
        "check" => {}
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            return Ok(true);
        }
        other => return Err(Usage(format!("unknown command {other:?}"))),
    }
    let mut simulate = None;
    let mut files = Vec::new();
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(true);
            }
            "--simulate" => {
                let f = it
                    .next()
                    .ok_or_else(|| Usage("--simulate needs an events file".into()))?;
                simulate = Some(f.clone());
            }
            s if s.starts_with("--simulate=") => {
                simulate = Some(s["--simulate=".len()..].to_string())
            }
            s if s.starts_with('-') && s.len() > 1 => {
                return Err(Usage(format!("unknown option {s:?}")))
            }
            _ => files.push(a.clone()),
        }
    }
    if files.is_empty() {
        return Err(Usage("no rules file given".into()));
    }
    let events = match &simulate {
        Some(path) => Some((path.clone(), events::read(path)?)),
        None => None,
    };
    let mut clean = true;
    for file in &files {
        let checked = check::check_file(file)?;
        clean &= checked.errors.is_empty();
        if let Some((path, events)) = &events {
            simulate::run(path, events, checked.engine);
        }
    }
    Ok(clean)
}

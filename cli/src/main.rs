//! `microconv`: the marketer's command line. `microconv check rules.json`
//! validates a rules file the way the tag will read it; `--simulate` replays
//! example events through the real engine to show which triggers fire;
//! `microconv publish rules.json -o DIR` writes the compiled form the tag reads.

mod check;
mod events;
mod publish;
mod simulate;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

const EVENTS_HELP: &str = "\
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
      \"Infinity\" = live; \"muted\", \"autoplay\", \"loop\": the element's flags
  {\"type\":\"form\", \"kind\":\"submit\", \"form\":{\"tag\":\"form\", \"attrs\":{\"id\":\"newsletter\",
      \"action\":\"/subscribe\", \"method\":\"post\"}}, \"fields\":2, \"prevented\":false, \"invalid\":false}
      a form's submission (kind submit) or first interaction (kind start);
      prevented: the page cancelled it; invalid: a field fails its constraints
  {\"type\":\"push\", \"event\":\"signup\", \"plan\":\"pro\", \"ecommerce\":{\"value\":30}}
      dataLayer.push({event, ...}); nested keys become dl.ecommerce.value
  {\"type\":\"globals\", \"values\":{\"app.user.plan\":\"pro\"}}
      page globals for js.* conditions from now on (not an event itself)
Events before the first \"page\" happen on https://example.com/.
";

/// microconv: check rules files the way the tag reads them.
#[derive(Debug, Parser)]
#[command(name = "microconv", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Checks microconv rules files. Prints every defect as
    /// `file:line:column: trigger "id": path: message` and exits 1 if there is
    /// any; prints a one-line summary of each clean file. Exit status: 0 clean,
    /// 1 defects, 2 usage error or unreadable file. Paths are the caller's
    /// (relative to the working directory).
    #[command(after_long_help = EVENTS_HELP)]
    Check {
        /// Replays example events (a JSON array, in order) through the engine
        /// with the rules and prints which triggers fire (see below).
        #[arg(long, value_name = "EVENTS.json")]
        simulate: Option<String>,
        /// Treats warnings (valid rules that probably mislead) as defects:
        /// exit 1 when there is any.
        #[arg(long)]
        strict: bool,
        /// The rules files.
        #[arg(required = true, value_name = "RULES.json")]
        files: Vec<String>,
    },
    /// Validates a rules file and writes its published form (what the tag
    /// reads: compact, versioned, with a content hash) to DIR under the same
    /// file name, so it can replace the file a script tag already names.
    /// Writes nothing while the file has a defect, and prints the defects as
    /// `check` does. Exit status: 0 written, 1 defects, 2 usage error.
    Publish {
        /// The folder to write into (created if missing).
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        out: String,
        /// The rules file (as a marketer edits it).
        #[arg(value_name = "RULES.json")]
        file: String,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Check {
            simulate,
            strict,
            files,
        } => run(simulate.as_deref(), strict, &files),
        Command::Publish { out, file } => publish::run(&file, &out),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(Usage(msg)) => {
            eprintln!("microconv: {msg}");
            ExitCode::from(2)
        }
    }
}

/// An unreadable file: exit status 2.
#[derive(Debug)]
pub struct Usage(pub String);

/// Checks `files` (and simulates `events` on each); `Ok(clean)`: no
/// defect, and with `strict` no warning either.
fn run(simulate: Option<&str>, strict: bool, files: &[String]) -> Result<bool, Usage> {
    let events = match simulate {
        Some(path) => Some((path.to_string(), events::read(path)?)),
        None => None,
    };
    let mut clean = true;
    for file in files {
        let checked = check::check_file(file)?;
        clean &= checked.errors.is_empty();
        let pushed = events
            .as_ref()
            .map(|(path, ev)| (path.as_str(), ev.as_slice()));
        let warnings = check::warnings(file, &checked.engine, pushed);
        clean &= !(strict && warnings > 0);
        if let Some((path, events)) = &events {
            simulate::run(path, events, checked.engine);
        }
    }
    Ok(clean)
}

//! Configuration: command-line flags, each with an environment variable
//! (`MICROCONV_<FLAG>`), and an optional TOML file (`--config`) whose keys are
//! the flags' names. A flag wins over its variable, which wins over the file.

use clap::{Args, CommandFactory, Parser, Subcommand};
use std::path::PathBuf;

/// microconv collector: receives the tag's beacons, stores each event once in
/// SQLite, and serves the report (/report, behind a login), the JSON API
/// (/api/*), the tag (--tag-dir at /microconv/) and, with --static, a site.
///
/// Every flag can be set by its environment variable or in the --config file.
/// Logs one line per request at info level (RUST_LOG=warn to silence them).
#[derive(Debug, Clone, Parser)]
#[command(
    name = "microconv-collector",
    version,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to do; without one, serve.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The server's settings.
    #[command(flatten)]
    pub serve: Config,
}

/// The collector's commands besides serving.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Copies the database to FILE while the collector runs (SQLite's online
    /// backup API). Restore: stop the collector, put FILE in place of the
    /// database (remove its -wal and -shm files), start it.
    Backup {
        /// The copy to write (must not exist).
        file: PathBuf,
        /// The database.
        #[command(flatten)]
        db: DbArg,
    },
    /// Erases every event of one session or one visitor (a GDPR request).
    Erase {
        /// The session id.
        #[arg(long, conflicts_with = "visitor", required_unless_present = "visitor")]
        session: Option<String>,
        /// The visitor id.
        #[arg(long)]
        visitor: Option<String>,
        /// The database.
        #[command(flatten)]
        db: DbArg,
    },
    /// Writes the stored events, oldest first, as NDJSON or CSV.
    Export {
        /// `ndjson` or `csv`.
        #[arg(long, default_value = "ndjson")]
        format: String,
        /// Only this site (host).
        #[arg(long)]
        site: Option<String>,
        /// Only events from this day on (YYYY-MM-DD, UTC).
        #[arg(long)]
        from: Option<String>,
        /// Only events up to this day, included (YYYY-MM-DD, UTC).
        #[arg(long)]
        to: Option<String>,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The database.
        #[command(flatten)]
        db: DbArg,
    },
    /// Reads a password on standard input and prints its argon2 hash, for
    /// --admin-password-hash.
    HashPassword,
}

/// The database of a command.
#[derive(Debug, Clone, Args)]
pub struct DbArg {
    /// SQLite database file.
    #[arg(long, env = "MICROCONV_DB", default_value = "microconv.sqlite")]
    pub db: PathBuf,
}

/// Events per minute one client address may post, by default.
pub const DEFAULT_LIMIT_IP: u32 = 600;
/// Events per minute one session may post, by default.
pub const DEFAULT_LIMIT_SESSION: u32 = 120;
/// Seconds a request may take, by default.
pub const DEFAULT_REQUEST_TIMEOUT: u64 = 10;

/// The server's settings.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// TOML file of settings: keys are these flags' names (`addr = "…"`,
    /// `allow-origin = ["https://…"]`, `retain-days = 400`).
    #[arg(long, env = "MICROCONV_CONFIG")]
    pub config: Option<PathBuf>,

    /// Address to listen on (port 0 picks a free port; the chosen address is printed).
    #[arg(long, env = "MICROCONV_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,

    /// SQLite database file (created when missing; WAL mode).
    #[arg(long, env = "MICROCONV_DB", default_value = "microconv.sqlite")]
    pub db: PathBuf,

    /// Site origins allowed to post beacons (repeatable or comma-separated,
    /// e.g. https://www.example.com). Without any, every origin may post and
    /// CORS answers `*`. Requests from the collector's own origin and requests
    /// without an Origin header are always accepted.
    #[arg(
        long = "allow-origin",
        env = "MICROCONV_ALLOW_ORIGIN",
        value_delimiter = ','
    )]
    pub allow_origin: Vec<String>,

    /// Host names the collector answers to (repeatable or comma-separated,
    /// e.g. analytics.example.com). `localhost` and IP addresses are always
    /// answered; any other Host gets a 421 (DNS rebinding protection).
    #[arg(
        long = "allow-host",
        env = "MICROCONV_ALLOW_HOST",
        value_delimiter = ','
    )]
    pub allow_host: Vec<String>,

    /// The site's rules file: the macro conversions come from its triggers'
    /// `"macro": true`, never from a beacon.
    #[arg(long, env = "MICROCONV_RULES")]
    pub rules: Option<PathBuf>,

    /// A site and its rules file, `HOST=RULES` (repeatable, or comma-separated
    /// in the environment): its macro conversions and funnels are that
    /// file's, it is served published at `/microconv/rules/HOST`, and once
    /// any site is given, events of other hosts are refused.
    #[arg(long = "site", env = "MICROCONV_SITES", value_delimiter = ',')]
    pub sites: Vec<String>,

    /// Folder served at / (a site, such as the demo's `www`). Off by default.
    #[arg(long = "static", env = "MICROCONV_STATIC")]
    pub static_dir: Option<PathBuf>,

    /// Folder served at /microconv/ (the built tag, `dist/` of `./build.sh`).
    /// Without it, a binary built with the `embed-tag` feature serves the tag
    /// it was built with.
    #[arg(long = "tag-dir", env = "MICROCONV_TAG_DIR")]
    pub tag_dir: Option<PathBuf>,

    /// The admin password for /report and /api (prefer the environment
    /// variable: a flag shows in `ps`). Kept in memory only as an argon2 hash.
    #[arg(long, env = "MICROCONV_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// The admin password as an argon2 hash (`microconv-collector hash-password`).
    #[arg(long, env = "MICROCONV_ADMIN_PASSWORD_HASH", hide_env_values = true)]
    pub admin_password_hash: Option<String>,

    /// A bearer token with admin access to /api, for scripts
    /// (`Authorization: Bearer …`); at least 16 characters.
    #[arg(long, env = "MICROCONV_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// Marks the login cookie `Secure`: set it when the collector is reached over https.
    #[arg(long, env = "MICROCONV_SECURE_COOKIE")]
    pub secure_cookie: bool,

    /// Most events one client address may post per minute (0: no limit).
    #[arg(long, env = "MICROCONV_LIMIT_IP", default_value_t = DEFAULT_LIMIT_IP)]
    pub limit_ip: u32,

    /// Most events one session may post per minute (0: no limit).
    #[arg(long, env = "MICROCONV_LIMIT_SESSION", default_value_t = DEFAULT_LIMIT_SESSION)]
    pub limit_session: u32,

    /// Header holding the client's address, set by a reverse proxy you run
    /// (`X-Forwarded-For`: its last entry; `X-Real-IP`). Without it, the
    /// socket's peer address: never trust a header a client can set.
    #[arg(long, env = "MICROCONV_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,

    /// Most open connections; past it, a new connection gets a 503 and is closed.
    #[arg(long, env = "MICROCONV_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Most open connections from one client address (0: no limit). Not
    /// applied with --client-ip-header: behind a proxy every peer is the proxy.
    #[arg(long, env = "MICROCONV_MAX_CONNECTIONS_PER_IP", default_value_t = 256)]
    pub max_connections_per_ip: usize,

    /// Requests waiting for the database; past it, a beacon gets a 503 with Retry-After.
    #[arg(long, env = "MICROCONV_QUEUE", default_value_t = crate::writer::DEFAULT_QUEUE)]
    pub queue: usize,

    /// Seconds a client has to send a request's headers.
    #[arg(long, env = "MICROCONV_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,

    /// Seconds a request (its body included) may take; then a 408.
    #[arg(long, env = "MICROCONV_REQUEST_TIMEOUT", default_value_t = DEFAULT_REQUEST_TIMEOUT)]
    pub request_timeout: u64,

    /// Seconds an idle keep-alive connection is kept open.
    #[arg(long, env = "MICROCONV_IDLE_TIMEOUT", default_value_t = 15)]
    pub idle_timeout: u64,

    /// Seconds open requests get to finish on SIGTERM/Ctrl-C before the
    /// collector exits (acknowledged events are on disk already).
    #[arg(long, env = "MICROCONV_SHUTDOWN_GRACE", default_value_t = 10)]
    pub shutdown_grace: u64,

    /// Deletes events received more than this many days ago (checked hourly).
    #[arg(long, env = "MICROCONV_RETAIN_DAYS")]
    pub retain_days: Option<u32>,

    /// Largest size of SQLite's write-ahead log, in MB.
    #[arg(long, env = "MICROCONV_WAL_LIMIT_MB", default_value_t = 64)]
    pub wal_limit_mb: u64,
}

impl Config {
    /// The origin allowlist, trimmed, without trailing slashes and empty entries.
    pub fn origins(&self) -> Vec<String> {
        self.allow_origin
            .iter()
            .map(|o| o.trim().trim_end_matches('/').to_string())
            .filter(|o| !o.is_empty())
            .collect()
    }

    /// The `--site` pairs: (host, lowercase; rules file), or why one is not
    /// `HOST=RULES`.
    pub fn site_pairs(&self) -> Result<Vec<(String, PathBuf)>, String> {
        self.sites
            .iter()
            .map(|s| {
                let (host, path) = s
                    .split_once('=')
                    .filter(|(h, p)| !h.trim().is_empty() && !p.trim().is_empty())
                    .ok_or_else(|| {
                        format!(
                            "--site {s:?}: expected HOST=RULES, such as www.example.com=rules.json"
                        )
                    })?;
                Ok((host.trim().to_ascii_lowercase(), PathBuf::from(path.trim())))
            })
            .collect()
    }

    /// The host allowlist, lowercase, without ports.
    pub fn hosts(&self) -> Vec<String> {
        self.allow_host
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect()
    }
}

/// Epoch ms of a `YYYY-MM-DD` day's start (UTC), or of the next day's start
/// with `end` (so that the day itself is included).
pub fn day_ms(day: &str, end: bool) -> Result<i64, String> {
    let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_err(|_| format!("{day:?}: a day is YYYY-MM-DD"))?;
    let d = if end { d.succ_opt().unwrap_or(d) } else { d };
    Ok(d.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .timestamp_millis())
}

/// Reads the `--config` file (named on the command line or by
/// `MICROCONV_CONFIG`) into environment variables that are not set yet, so
/// that clap then reads it with the precedence flag > environment > file.
/// Call before parsing, while the process has one thread.
pub fn load_file(args: &[String]) -> Result<(), String> {
    let named = args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--config=").map(str::to_string).or_else(|| {
            (a == "--config")
                .then(|| args.get(i + 1).cloned())
                .flatten()
        })
    });
    let Some(path) = named.or_else(|| std::env::var("MICROCONV_CONFIG").ok()) else {
        return Ok(());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("config file {path}: {e}"))?;
    for (key, value) in file_settings(&text).map_err(|e| format!("config file {path}: {e}"))? {
        let var = format!("MICROCONV_{}", key.to_ascii_uppercase().replace('-', "_"));
        if std::env::var_os(&var).is_none() {
            std::env::set_var(var, value);
        }
    }
    Ok(())
}

/// The file's settings as (flag name, value) pairs; arrays are joined by
/// commas. Refuses a key that is no flag of the server.
pub fn file_settings(text: &str) -> Result<Vec<(String, String)>, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let command = Cli::command();
    let known: Vec<String> = command
        .get_arguments()
        .filter_map(|a| a.get_long().map(str::to_string))
        .filter(|l| l != "config" && l != "help" && l != "version")
        .collect();
    let mut out = Vec::new();
    for (key, value) in table {
        if !known.contains(&key) {
            return Err(format!(
                "unknown setting {key:?} (the flags' names: {})",
                known.join(", ")
            ));
        }
        let scalar = |v: &toml::Value| -> Result<String, String> {
            match v {
                toml::Value::String(s) => Ok(s.clone()),
                toml::Value::Integer(i) => Ok(i.to_string()),
                toml::Value::Boolean(b) => Ok(b.to_string()),
                _ => Err(format!("{key}: a string, number, boolean or list of them")),
            }
        };
        let text = match &value {
            toml::Value::Array(items) => items
                .iter()
                .map(scalar)
                .collect::<Result<Vec<_>, _>>()?
                .join(","),
            v => scalar(v)?,
        };
        out.push((key, text));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_are_host_equals_rules() {
        let cli = Cli::try_parse_from([
            "microconv-collector",
            "--site",
            "WWW.Example.com=www/rules.json",
            "--site",
            "shop.example.com = shop.json",
        ])
        .unwrap();
        assert_eq!(
            cli.serve.site_pairs().unwrap(),
            [
                (
                    "www.example.com".to_string(),
                    PathBuf::from("www/rules.json")
                ),
                ("shop.example.com".to_string(), PathBuf::from("shop.json")),
            ]
        );
        let bad = Cli::try_parse_from(["microconv-collector", "--site", "rules.json"]).unwrap();
        assert_eq!(
            bad.serve.site_pairs().unwrap_err(),
            "--site \"rules.json\": expected HOST=RULES, such as www.example.com=rules.json"
        );
    }

    #[test]
    fn file_keys_are_the_flags() {
        let got = file_settings(
            "addr = \"0.0.0.0:80\"\nallow-origin = [\"https://a.example\", \"https://b.example\"]\nretain-days = 400\nsecure-cookie = true\n",
        )
        .unwrap();
        assert_eq!(
            got,
            [
                ("addr".to_string(), "0.0.0.0:80".to_string()),
                (
                    "allow-origin".into(),
                    "https://a.example,https://b.example".into()
                ),
                ("retain-days".into(), "400".into()),
                ("secure-cookie".into(), "true".into()),
            ]
        );
        let e = file_settings("adress = \"x\"").unwrap_err();
        assert!(e.contains("unknown setting \"adress\""), "{e}");
        assert!(file_settings("addr = [").is_err());
    }

    #[test]
    fn days() {
        assert_eq!(day_ms("1970-01-02", false).unwrap(), 86_400_000);
        assert_eq!(day_ms("1970-01-01", true).unwrap(), 86_400_000);
        assert!(day_ms("1970-13-01", false).is_err());
    }
}

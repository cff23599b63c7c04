//! `microconv-collector`: see `--help`.

use clap::Parser;
use microconv_collector::config::{self, Cli, Command, Config};
use microconv_collector::http::auth::{hash_password, Auth};
use microconv_collector::store::lifecycle::{ExportFilter, ExportFormat, Subject, DELETE_CHUNK};
use microconv_collector::store::StoreOptions;
use microconv_collector::{router, rules, server, AppState, Settings, Store};
use std::time::Duration;
use tracing_subscriber::EnvFilter;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Err(e) = config::load_file(&args) {
        eprintln!("microconv-collector: {e}");
        std::process::exit(2);
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        None => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
            .and_then(|rt| rt.block_on(run(cli.serve))),
        Some(command) => command_line(command),
    };
    if let Err(e) = result {
        eprintln!("microconv-collector: {e}");
        std::process::exit(1);
    }
}

/// The commands besides serving; each opens the database itself, so they
/// also work while a collector runs on it.
fn command_line(command: Command) -> Result<(), String> {
    let open = |db: &std::path::Path| {
        Store::open(db).map_err(|e| format!("cannot open database {}: {e}", db.display()))
    };
    match command {
        Command::Backup { file, db } => {
            if file.exists() {
                return Err(format!("{} exists: name a new file", file.display()));
            }
            open(&db.db)?.backup(&file).map_err(|e| e.to_string())?;
            eprintln!("backup written to {}", file.display());
        }
        Command::Erase {
            session,
            visitor,
            db,
        } => {
            let who = match (session, visitor) {
                (Some(s), _) => Subject::Session(s),
                (None, Some(v)) => Subject::Visitor(v),
                (None, None) => return Err("name --session or --visitor".into()),
            };
            let n = open(&db.db)?.erase(&who).map_err(|e| e.to_string())?;
            println!("erased {n} events");
        }
        Command::Export {
            format,
            site,
            from,
            to,
            output,
            db,
        } => {
            let format: ExportFormat = format.parse()?;
            let day = |d: &Option<String>, end: bool| -> Result<Option<i64>, String> {
                d.as_deref().map(|d| config::day_ms(d, end)).transpose()
            };
            let filter = ExportFilter {
                site,
                since: day(&from, false)?,
                until: day(&to, true)?,
            };
            let store = open(&db.db)?;
            let mut out: Box<dyn std::io::Write> = match &output {
                Some(p) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            let n = store
                .export(format, &filter, &mut out)
                .map_err(|e| e.to_string())?;
            out.flush().map_err(|e| e.to_string())?;
            eprintln!("exported {n} events");
        }
        Command::HashPassword => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            let password = line.trim_end_matches(['\r', '\n']);
            if password.is_empty() {
                return Err("no password on standard input".into());
            }
            println!("{}", hash_password(password)?);
        }
    }
    Ok(())
}

use std::io::Write as _;

async fn run(config: Config) -> Result<(), String> {
    let options = StoreOptions {
        wal_limit: config.wal_limit_mb.max(1) * 1024 * 1024,
    };
    let store = Store::open_with(&config.db, options)
        .map_err(|e| format!("cannot open database {}: {e}", config.db.display()))?;
    let (macros, funnels) = match &config.rules {
        Some(path) => rules::read(path)?,
        None => {
            tracing::warn!(
                "no --rules: no conversion counts as macro unless the report asks for one"
            );
            Default::default()
        }
    };
    let auth = Auth::new(
        config.admin_password.as_deref(),
        config.admin_password_hash.as_deref(),
        config.admin_token.as_deref(),
        config.secure_cookie,
    )?;
    if !auth.configured() {
        tracing::warn!(
            "no admin password or token (MICROCONV_ADMIN_PASSWORD, MICROCONV_ADMIN_TOKEN): the report and API are locked"
        );
    }
    for (what, dir) in [
        ("--static", &config.static_dir),
        ("--tag-dir", &config.tag_dir),
    ] {
        if let Some(dir) = dir.as_ref().filter(|d| !d.is_dir()) {
            tracing::warn!(
                "{what} folder {} does not exist: nothing served there",
                dir.display()
            );
        }
    }
    let mut sites = std::collections::HashMap::new();
    for (host, path) in config.site_pairs()? {
        let (macros, funnels) = rules::read(&path)?;
        let file = path;
        sites.insert(
            host,
            rules::SiteRules {
                macros,
                funnels,
                file,
            },
        );
    }
    let settings = Settings {
        origins: config.origins(),
        hosts: config.hosts(),
        macros,
        funnels,
        sites,
        static_dir: config.static_dir.clone(),
        tag_dir: config.tag_dir.clone(),
        rules_file: config.rules.clone(),
        limit_ip: config.limit_ip,
        limit_session: config.limit_session,
        client_ip_header: config.client_ip_header.clone(),
        queue: config.queue,
        request_timeout: Duration::from_secs(config.request_timeout.max(1)),
    };
    let state = AppState::new(store, settings, auth);
    background(&state, config.retain_days);
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // Scripts read this line to find the port when --addr asks for port 0.
    println!(
        "microconv-collector listening on http://{addr} (db {})",
        config.db.display()
    );
    let limits = server::ServerLimits {
        max_connections: config.max_connections.max(1),
        max_per_ip: if config.client_ip_header.is_some() {
            0
        } else {
            config.max_connections_per_ip
        },
        header_timeout: Duration::from_secs(config.header_timeout.max(1)),
        idle_timeout: Duration::from_secs(config.idle_timeout.max(1)),
        grace: Duration::from_secs(config.shutdown_grace),
    };
    server::serve(listener, app, limits, shutdown()).await;
    tracing::info!("stopped");
    Ok(())
}

/// Hourly retention and the rate limiter's memory, for the server's life.
fn background(state: &AppState, retain_days: Option<u32>) {
    let limits = state.limits.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            limits.ip.forget_idle();
            limits.session.forget_idle();
        }
    });
    let Some(days) = retain_days else { return };
    let writer = state.writer.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let cut = microconv_collector::store::now_ms() - i64::from(days) * 86_400_000;
            let mut deleted = 0;
            // A chunk per writer job: beacons queued meanwhile go in between.
            loop {
                match writer.run(move |s| s.purge_received_before(cut)).await {
                    Ok(Ok(n)) => {
                        deleted += n;
                        if n < DELETE_CHUNK {
                            break;
                        }
                    }
                    Ok(Err(e)) => {
                        tracing::warn!("retention failed: {e}");
                        break;
                    }
                    Err(e) => {
                        tracing::warn!("retention failed: {e}");
                        break;
                    }
                }
            }
            if deleted > 0 {
                tracing::info!("retention: deleted {deleted} events older than {days} days");
            }
        }
    });
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: no new connections; open requests get the grace period");
}

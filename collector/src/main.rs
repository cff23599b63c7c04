//! `microconv-collector`: see `--help`.

use clap::Parser;
use microconv_collector::{router, AppState, Config, Store};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    if let Err(e) = run(config).await {
        eprintln!("microconv-collector: {e}");
        std::process::exit(1);
    }
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open(&config.db)
        .map_err(|e| format!("cannot open database {}: {e}", config.db.display()))?;
    let state = AppState::new(store, config.origins());
    for (what, dir) in [
        ("--static", &config.static_dir),
        ("--tag-dir", &config.tag_dir),
    ] {
        if !dir.is_dir() {
            tracing::warn!(
                "{what} folder {} does not exist: nothing served there",
                dir.display()
            );
        }
    }
    let app = router(state, &config.static_dir, &config.tag_dir);
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr()?;
    // Scripts read this line to find the port when --addr asks for port 0.
    println!(
        "microconv-collector listening on http://{addr} (db {})",
        config.db.display()
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
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
}

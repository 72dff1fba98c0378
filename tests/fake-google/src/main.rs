//! `fake-google`: runs the stand-in on a port, seeded, and prints the `CALWATCH_*`
//! assignments that point CalWatch at it. Logs go to stderr; stdout carries only the
//! assignments, so `eval "$(fake-google --port 0 | …)"`-style use works. The last one,
//! `FAKE_GOOGLE_CONTROL_SECRET`, is what the `/control/…` API asks for in the
//! `X-Fake-Google-Control-Secret` header (random per start unless `--control-secret`).

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;
use fake_google::{FakeGoogle, Options};

/// A local stand-in for Google's OAuth and Calendar v3 endpoints.
#[derive(Parser)]
#[command(name = "fake-google")]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8089)]
    port: u16,
    /// Accept http:// channel addresses (Google demands https).
    #[arg(long)]
    allow_http: bool,
    /// Start without the demo calendars and events.
    #[arg(long)]
    no_seed: bool,
    /// Where to write client_secret.json (default: <temp dir>/fake-google).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The secret the /control/… API asks for (default: a random one, printed).
    #[arg(long)]
    control_secret: Option<String>,
    /// Refuse watches at callback domains not verified through
    /// `POST /control/verify-domain` (401 push.webhookUrlUnauthorized), as Google does.
    #[arg(long)]
    require_verified_domains: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "fake_google=info".into()),
        )
        .init();
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
    let fake = FakeGoogle::start_on(
        listener,
        Options {
            allow_http: args.allow_http,
            seed: !args.no_seed,
            control_secret: args.control_secret,
            require_verified_domains: args.require_verified_domains,
            ..Options::default()
        },
    )
    .await?;

    let data_dir = args
        .data_dir
        .unwrap_or_else(|| std::env::temp_dir().join("fake-google"));
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let secret_file = data_dir.join("client_secret.json");
    std::fs::write(&secret_file, fake.client_secret_json())
        .with_context(|| format!("cannot write {}", secret_file.display()))?;
    eprintln!(
        "fake-google: client secret written to {}",
        secret_file.display()
    );
    eprintln!(
        "fake-google: user {}; control API at {}/control/… with header {}: \
         $FAKE_GOOGLE_CONTROL_SECRET; Ctrl-C to stop",
        fake.control().user_email(),
        fake.base_url(),
        fake_google::CONTROL_SECRET_HEADER
    );
    if !args.allow_http {
        eprintln!(
            "fake-google: like Google, http:// channel addresses are refused (use --allow-http)"
        );
    }
    if args.require_verified_domains {
        eprintln!(
            "fake-google: watches need a verified domain: serve {} and POST /control/verify-domain",
            fake.control().site_verification_file()
        );
    }
    for (name, value) in fake.env_assignments(&secret_file) {
        println!("{name}={value}");
    }
    println!("FAKE_GOOGLE_CONTROL_SECRET={}", fake.control_secret());

    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    eprintln!("fake-google: stopping");
    Ok(())
}

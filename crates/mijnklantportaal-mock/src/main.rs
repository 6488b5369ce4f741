//! `mkp-mock`: the mock Mijn Klantportaal API as a standalone server, for trying a
//! client by hand or benchmarks outside a Rust test: the builder's options as flags.
//! Prints the base URL on stderr and serves until Ctrl-C or SIGTERM.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use mijnklantportaal_mock::{Faults, Live, MockOAuth, MockServer, Order, Quirks};

/// Mock of the Mijn Klantportaal REST API (invoices, customers, payment links,
/// webhooks), for tests and demos.
#[derive(Debug, Parser)]
#[command(name = "mkp-mock", version)]
struct Args {
    /// Number of invoices in the dataset.
    #[arg(long, default_value_t = 1000)]
    invoices: u64,
    /// Seed of the dataset, faults and latency jitter.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Invoices per page.
    #[arg(long, default_value_t = 15)]
    per_page: u64,
    /// Accepted bearer token.
    #[arg(long, default_value = "test", hide_default_value = true)]
    token: String,
    /// The token stops being accepted after this many authenticated requests.
    #[arg(long)]
    token_valid_for: Option<u64>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Requests allowed per window, per token.
    #[arg(long, default_value_t = 60)]
    rate_limit: u32,
    /// Length of the rate-limit window, in milliseconds.
    #[arg(long, default_value_t = 60_000)]
    rate_window_ms: u64,
    /// Turn rate limiting off.
    #[arg(long)]
    no_rate_limit: bool,
    /// Send Retry-After as decimal seconds.
    #[arg(long)]
    fractional_retry_after: bool,
    /// Fixed delay added to every response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Maximum seeded extra delay, in milliseconds.
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Fraction of list requests answered 500/502/503.
    #[arg(long, default_value_t = 0.0, value_parser = fraction)]
    fault_server_error: f64,
    /// Fraction of list requests answered with invalid JSON.
    #[arg(long, default_value_t = 0.0, value_parser = fraction)]
    fault_malformed_json: f64,
    /// Fraction of list requests whose body is cut in half.
    #[arg(long, default_value_t = 0.0, value_parser = fraction)]
    fault_truncated_json: f64,
    /// Fraction of list requests whose connection is closed without an answer.
    #[arg(long, default_value_t = 0.0, value_parser = fraction)]
    fault_dropped_connection: f64,
    /// Fraction of list requests answered with another page than requested.
    #[arg(long, default_value_t = 0.0, value_parser = fraction)]
    fault_wrong_current_page: f64,
    /// Quirk: next_page_url ends in a stray comma (`?page=2,`).
    #[arg(long)]
    trailing_comma: bool,
    /// Quirk: per_page is sent as a JSON string.
    #[arg(long)]
    per_page_as_string: bool,
    /// Build page URLs from this origin instead of the request's Host.
    #[arg(long)]
    public_url: Option<String>,
    /// Do not keep requests in memory (for long benchmark runs).
    #[arg(long)]
    no_record: bool,
    /// List the newest invoice first (default: oldest first, the dataset's order).
    #[arg(long)]
    newest_first: bool,
    /// Live table: add an invoice (the newest) after every N-th list request answered with a page.
    #[arg(long, value_name = "N")]
    insert_every: Option<u64>,
    /// Live table: delete a seeded-random invoice after every N-th list request
    /// answered with a page.
    #[arg(long, value_name = "N")]
    delete_every: Option<u64>,
    /// Evaluate concurrent list requests in a seeded arbitrary order, N at a time
    /// (a partial batch after 5 ms without a new request).
    #[arg(long, value_name = "N")]
    reorder: Option<usize>,
    /// Carry out the first N writes (POST/PATCH) and then close the connection without answering.
    #[arg(long, value_name = "N", default_value_t = 0)]
    drop_write_responses: u64,
    /// How long PDF download links work, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    file_link_seconds: u64,
    /// Serve the OAuth2 endpoints (`/oauth/authorize`, `/oauth/tokens`) on a port of
    /// their own, for the app `mkp-test-app` with secret `mkp-test-secret`.
    #[arg(long)]
    oauth: bool,
    /// How long OAuth2 access tokens work, in seconds (with `--oauth`).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    oauth_token_seconds: u64,
    /// Answer refreshes with a new refresh token (with `--oauth`).
    #[arg(long)]
    oauth_rotate_refresh_tokens: bool,
    /// A portal whose licence lacks ticketing: the Tickets API answers 426.
    #[arg(long)]
    without_ticketing: bool,
}

/// A fraction between 0 and 1.
fn fraction(text: &str) -> Result<f64, String> {
    let value: f64 = text.parse().map_err(|e| format!("{e}"))?;
    let valid = (0.0..=1.0).contains(&value);
    valid
        .then_some(value)
        .ok_or(format!("{value} is not between 0 and 1"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let addr = SocketAddr::new(args.host, args.port);
    let live = Live::inserts(args.insert_every.unwrap_or(0));
    let mut builder = MockServer::builder()
        .invoices(args.invoices)
        .seed(args.seed)
        .per_page(args.per_page)
        .token(args.token)
        .latency(
            Duration::from_millis(args.latency_ms),
            Duration::from_millis(args.jitter_ms),
        )
        .faults(Faults {
            server_error: args.fault_server_error,
            malformed_json: args.fault_malformed_json,
            truncated_json: args.fault_truncated_json,
            dropped_connection: args.fault_dropped_connection,
            wrong_current_page: args.fault_wrong_current_page,
        })
        .quirks(Quirks {
            trailing_comma_next_page_url: args.trailing_comma,
            per_page_as_string: args.per_page_as_string,
        })
        .fractional_retry_after(args.fractional_retry_after)
        .record_requests(!args.no_record)
        .order([Order::OldestFirst, Order::NewestFirst][usize::from(args.newest_first)])
        .live(live.and_deletes(args.delete_every.unwrap_or(0)))
        .reorder(args.reorder.unwrap_or(0))
        .drop_write_responses(args.drop_write_responses)
        .file_link_lifetime(Duration::from_secs(args.file_link_seconds))
        .rate_limit(args.rate_limit, Duration::from_millis(args.rate_window_ms))
        .bind(addr);
    if args.no_rate_limit {
        builder = builder.no_rate_limit();
    }
    if args.without_ticketing {
        builder = builder.without_ticketing();
    }
    if let Some(valid_for) = args.token_valid_for {
        builder = builder.token_valid_for(valid_for);
    }
    if let Some(public_url) = args.public_url {
        builder = builder.public_url(public_url);
    }
    if args.oauth {
        let lifetime = Duration::from_secs(args.oauth_token_seconds);
        let oauth = MockOAuth::new().access_token_lifetime(lifetime);
        builder = builder.oauth(oauth.rotate_refresh_tokens(args.oauth_rotate_refresh_tokens));
    }
    let server = match builder.start().await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("mkp-mock: cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let (invoices, seed, url) = (args.invoices, args.seed, server.base_url());
    eprintln!("mkp-mock: {invoices} invoices (seed {seed}) at {url}");
    if let Some(oauth_url) = server.oauth_url() {
        eprintln!("mkp-mock: OAuth2 for app `mkp-test-app` at {oauth_url}/oauth/authorize");
    }
    wait_for_signal().await;
    eprintln!("mkp-mock: shutting down");
    server.shutdown().await;
    ExitCode::SUCCESS
}

/// Waits for Ctrl-C, or SIGTERM on Unix.
async fn wait_for_signal() {
    #[cfg(unix)]
    if let Ok(mut terminate) =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
        return;
    }
    let _ = tokio::signal::ctrl_c().await;
}

//! Exports the customer invoices of many portals at once, from one app: one `Client`
//! per account, made from the app with `app.account(token)`, all listing concurrently.
//!
//! ```text
//! MKP_TOKENS=key-1,key-2,key-3 cargo run -p mijnklantportaal --example sync_accounts > invoices.jsonl
//! cargo run -p mijnklantportaal --example sync_accounts -- --accounts 1000 --latency-ms 20 --discard
//! ```
//!
//! Reads `MKP_TOKENS` (API keys, separated by commas) and `MKP_BASE_URL` (default: the
//! production API). Without `MKP_TOKENS` it starts the workspace's mock server
//! in-process with `--accounts N` portals (default 5) of `--invoices N` invoices each
//! (default 40), each with its own token, dataset and rate limit, answering after
//! `--latency-ms N` (default 0).
//!
//! Writes one JSON line per invoice to stdout, `{"account": N, "invoice": {...}}` (N
//! counts the accounts from 0, in the order given); `--discard` lists without writing.
//! Progress goes to stderr: a line per account when it is done (or failed, with the
//! page to resume from), then a summary: invoices, how long making the clients took,
//! the whole run, the spread of the accounts' completion times and the process's peak
//! resident memory. Exits with 1 if any account failed; the others are exported.
//!
//! The accounts share the app's connection pool and TLS set-up, and its cap on
//! requests in flight (`.max_in_flight(n)`, default 64), which they take turns on;
//! each has its own rate limiter, as the API's limit is per token.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use mijnklantportaal::Client;
use mijnklantportaal_mock::{MockAccount, MockServer};

/// Settings from the command line.
struct Options {
    accounts: usize,
    invoices: u64,
    latency: Duration,
    discard: bool,
}

const USAGE: &str =
    "usage: sync_accounts [--accounts N] [--invoices N] [--latency-ms N] [--discard]";

fn options() -> Result<Options, String> {
    let mut options = Options {
        accounts: 5,
        invoices: 40,
        latency: Duration::ZERO,
        discard: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number\n{USAGE}"))
        };
        match arg.as_str() {
            "--accounts" => {
                options.accounts = usize::try_from(number("--accounts")?).unwrap_or(usize::MAX)
            }
            "--invoices" => options.invoices = number("--invoices")?,
            "--latency-ms" => options.latency = Duration::from_millis(number("--latency-ms")?),
            "--discard" => options.discard = true,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(options)
}

/// The accounts' API keys and base URL: from the environment, or a mock with
/// `options.accounts` portals (keep it alive while syncing).
async fn accounts(options: &Options) -> Result<(Vec<String>, String, Option<MockServer>), String> {
    if let Ok(tokens) = std::env::var("MKP_TOKENS") {
        let tokens: Vec<String> = tokens
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        if !tokens.is_empty() {
            let base = std::env::var("MKP_BASE_URL")
                .unwrap_or_else(|_| mijnklantportaal::DEFAULT_BASE_URL.to_owned());
            return Ok((tokens, base, None));
        }
    }
    let tokens: Vec<String> = (0..options.accounts)
        .map(|i| format!("sample-portal-{i}"))
        .collect();
    let mock = MockServer::builder()
        .latency(options.latency, Duration::ZERO)
        .record_requests(false)
        .accounts(
            tokens
                .iter()
                .map(|token| MockAccount::new(token).invoices(options.invoices)),
        )
        .start()
        .await
        .map_err(|e| format!("cannot start the built-in mock API: {e}"))?;
    eprintln!(
        "MKP_TOKENS is not set: syncing {} sample portals of the built-in mock API at {}",
        tokens.len(),
        mock.base_url()
    );
    let base = mock.base_url();
    Ok((tokens, base, Some(mock)))
}

/// How one account's export ended.
struct Done {
    invoices: u64,
    took: Duration,
    failed: bool,
}

/// Lists account `n`'s invoices, writing each as a JSON line unless discarding.
async fn sync(
    n: usize,
    client: Client,
    out: Option<Arc<Mutex<BufWriter<io::Stdout>>>>,
    started: Instant,
) -> Done {
    let mut pages = client.customer_invoices().list().pages();
    let mut invoices = 0u64;
    let mut failed = false;
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => {
                invoices += page.items().len() as u64;
                if let Some(out) = &out {
                    let lines: Vec<String> = page
                        .items()
                        .iter()
                        .map(|invoice| serde_json::json!({"account": n, "invoice": invoice}))
                        .map(|line| line.to_string())
                        .collect();
                    let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
                    for line in lines {
                        if writeln!(out, "{line}").is_err() {
                            failed = true;
                        }
                    }
                }
            }
            Err(e) => {
                eprintln!(
                    "account {n}: {e}; resume with .start_page({})",
                    pages.resume_page()
                );
                failed = true;
                break;
            }
        }
    }
    let took = started.elapsed();
    if !failed {
        eprintln!(
            "account {n}: {invoices} invoices in {:.3} s",
            took.as_secs_f64()
        );
    }
    Done {
        invoices,
        took,
        failed,
    }
}

/// The process's peak resident memory in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let (tokens, base_url, _mock) = match accounts(&options).await {
        Ok(accounts) => accounts,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    // One app: one reqwest client, TLS set-up and connection pool for every account.
    let app = match Client::builder()
        .base_url(base_url)
        .user_agent("mijnklantportaal-sync-accounts-example")
        .build_app()
    {
        Ok(app) => app,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let making = Instant::now();
    let clients: Result<Vec<Client>, _> = tokens.iter().map(|token| app.account(token)).collect();
    let made_in = making.elapsed();
    let clients = match clients {
        Ok(clients) => clients,
        Err(e) => {
            eprintln!("error: an account's token: {e}");
            return ExitCode::FAILURE;
        }
    };
    let out = (!options.discard).then(|| Arc::new(Mutex::new(BufWriter::new(io::stdout()))));
    let syncs = clients
        .into_iter()
        .enumerate()
        .map(|(n, client)| tokio::spawn(sync(n, client, out.clone(), started)));
    let done: Vec<Done> = futures::stream::iter(syncs)
        .buffered(usize::MAX)
        .map_err(|e| e.to_string())
        .try_collect()
        .await
        .unwrap_or_default();
    let elapsed = started.elapsed();
    if let Some(out) = &out {
        let _ = out.lock().unwrap_or_else(|e| e.into_inner()).flush();
    }
    let mut times: Vec<Duration> = done.iter().map(|d| d.took).collect();
    times.sort();
    let failed = done.iter().filter(|d| d.failed).count() + tokens.len() - done.len();
    let invoices: u64 = done.iter().map(|d| d.invoices).sum();
    let at = |q: usize| times.get(q * times.len().saturating_sub(1) / 100);
    let secs = |d: Option<&Duration>| d.map_or(f64::NAN, Duration::as_secs_f64);
    eprintln!(
        "{} accounts, {invoices} invoices, {failed} failed; {} clients made in {:.3} ms; whole run {:.3} s; accounts done after {:.3} s (first) / {:.3} s (median) / {:.3} s (last); peak RSS {}",
        tokens.len(),
        tokens.len(),
        made_in.as_secs_f64() * 1000.0,
        elapsed.as_secs_f64(),
        secs(at(0)),
        secs(at(50)),
        secs(at(100)),
        peak_rss_kib().map_or("unknown".to_owned(), |kib| format!(
            "{:.1} MiB",
            kib as f64 / 1024.0
        )),
    );
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

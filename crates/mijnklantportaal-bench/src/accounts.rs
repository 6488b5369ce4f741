//! Many accounts in one process: an app listing the invoices of N portals at once.
//!
//! The README promises that an app serving many portals makes one client per account
//! for microseconds and a few KiB (`app.account(token)`), and that the accounts share
//! one connection pool, TLS set-up and cap on requests in flight fairly. This measures
//! it against what an app would otherwise do, one `Client` built per account (each
//! with its own reqwest client, TLS configuration and pool, and no shared cap): N
//! accounts of the mock, each with its own dataset and token, all listing at once.
//!
//! Peak resident memory is a process-wide figure that never goes down, so the
//! benchmark binary runs each case in a child process of its own
//! ([`Config::accounts_runner`](crate::Config::accounts_runner)); in-process (the
//! smoke test) the peak is reset first where Linux allows it, and still includes
//! whatever earlier cases left mapped.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use mijnklantportaal::Client;
use mijnklantportaal_mock::{MockAccount, MockServer};
use serde::{Deserialize, Serialize};

use crate::{BenchError, MemoryProbe};

/// How the accounts' clients are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountsContender {
    /// One app, `app.account(token)` per account.
    App,
    /// `Client::builder().token(token).build()` per account.
    ClientPerAccount,
}

impl AccountsContender {
    /// The name in the table and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            AccountsContender::App => "app.account",
            AccountsContender::ClientPerAccount => "Client per account",
        }
    }

    /// The contender named `name` on the command line.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "app" => Some(AccountsContender::App),
            "clients" => Some(AccountsContender::ClientPerAccount),
            _ => None,
        }
    }

    /// The command-line name.
    pub fn arg(self) -> &'static str {
        match self {
            AccountsContender::App => "app",
            AccountsContender::ClientPerAccount => "clients",
        }
    }
}

/// One run: N accounts listing at once with one contender.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountsResult {
    /// How the clients were made.
    pub contender: AccountsContender,
    /// Accounts listing at once.
    pub accounts: u64,
    /// Invoices of each account.
    pub invoices_per_account: u64,
    /// Invoices listed, all accounts together.
    pub listed: u64,
    /// Requests the server received.
    pub requests: u64,
    /// Making the clients (the app's own included).
    pub clients_made_s: f64,
    /// The whole run: making the clients and every listing.
    pub time_s: f64,
    /// When the first account's listing was complete, from the start.
    pub first_done_s: f64,
    /// ...the median account's...
    pub median_done_s: f64,
    /// ...and the last one's.
    pub last_done_s: f64,
    /// Peak resident memory of the process (Linux; `None` elsewhere).
    pub peak_rss_bytes: Option<u64>,
    /// Peak heap above the baseline at the start (with a probe).
    pub peak_heap_bytes: Option<u64>,
}

/// Resets the process's peak resident memory to what is resident now (Linux ≥ 4.0).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process's peak resident memory, from `/proc/self/status` (Linux).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// `accounts` accounts of `invoices` invoices each on one mock answering after
/// `latency`, all listed at once with `contender`'s clients, in this process.
pub async fn run(
    accounts: u64,
    invoices: u64,
    latency: Duration,
    contender: AccountsContender,
    probe: Option<MemoryProbe>,
) -> Result<AccountsResult, BenchError> {
    let tokens: Vec<String> = (0..accounts).map(|i| format!("bench-portal-{i}")).collect();
    let server = MockServer::builder()
        .latency(latency, Duration::ZERO)
        .record_requests(false)
        .accounts(
            tokens
                .iter()
                .map(|token| MockAccount::new(token).invoices(invoices)),
        )
        .start()
        .await
        .map_err(|e| BenchError::new("starting the mock", e))?;
    reset_peak_rss();
    let baseline = probe.map(|p| (p.reset_peak)());
    let started = Instant::now();
    let clients: Vec<Client> = match contender {
        AccountsContender::App => {
            let app = Client::builder()
                .base_url(server.base_url())
                .build_app()
                .map_err(|e| BenchError::new("building the app", e))?;
            tokens
                .iter()
                .map(|token| app.account(token))
                .collect::<Result<_, _>>()
        }
        AccountsContender::ClientPerAccount => tokens
            .iter()
            .map(|token| {
                Client::builder()
                    .token(token)
                    .base_url(server.base_url())
                    .build()
            })
            .collect::<Result<_, _>>(),
    }
    .map_err(|e| BenchError::new("making the clients", e))?;
    let clients_made = started.elapsed();
    let listings = clients.into_iter().map(|client| {
        tokio::spawn(async move {
            let listed = client.customer_invoices().list().collect_all().await;
            listed.map(|invoices| (invoices.len() as u64, started.elapsed()))
        })
    });
    let mut done = Vec::new();
    let mut listed = 0;
    for outcome in futures::future::join_all(listings).await {
        let (count, at) = outcome
            .map_err(|e| BenchError::new("a listing task", e))?
            .map_err(|e| BenchError::new("listing an account", e))?;
        listed += count;
        done.push(at);
    }
    let elapsed = started.elapsed();
    let peak_heap = probe
        .zip(baseline)
        .map(|(p, base)| (p.peak)().saturating_sub(base) as u64);
    let peak_rss = peak_rss();
    done.sort();
    let at = |q: usize| {
        done.get(q * done.len().saturating_sub(1) / 100)
            .map_or(0.0, Duration::as_secs_f64)
    };
    let requests = tokens
        .iter()
        .filter_map(|token| server.account_stats(token))
        .map(|stats| stats.requests)
        .sum();
    server.shutdown().await;
    Ok(AccountsResult {
        contender,
        accounts,
        invoices_per_account: invoices,
        listed,
        requests,
        clients_made_s: clients_made.as_secs_f64(),
        time_s: elapsed.as_secs_f64(),
        first_done_s: at(0),
        median_done_s: at(50),
        last_done_s: at(100),
        peak_rss_bytes: peak_rss,
        peak_heap_bytes: peak_heap,
    })
}

/// The same run in a child process, `runner --accounts-run N CONTENDER INVOICES
/// LATENCY_MS` (the benchmark binary), which prints the result as JSON: its peak
/// resident memory is the run's alone.
pub fn run_in_child(
    runner: &Path,
    accounts: u64,
    invoices: u64,
    latency: Duration,
    contender: AccountsContender,
) -> Result<AccountsResult, BenchError> {
    let output = Command::new(runner)
        .args([
            "--accounts-run",
            &accounts.to_string(),
            contender.arg(),
            &invoices.to_string(),
            &latency.as_millis().to_string(),
        ])
        .output()
        .map_err(|e| BenchError::new("starting the accounts run", e))?;
    if !output.status.success() {
        return Err(BenchError(format!(
            "the accounts run failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| BenchError::new("reading the accounts run's result", e))
}

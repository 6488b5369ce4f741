//! Scenario runner of the `mkp-bench` benchmark.
//!
//! The README promises that listing with the `mijnklantportaal` wrapper is close to the
//! fastest the API allows and much faster than the loop a user would otherwise write
//! over the generated client. This crate measures that against the in-process mock
//! server: each scenario starts a fresh mock with a given latency and rate limit, lists
//! every invoice with each contender, and compares the time with a lower bound
//! computed for the same run. It also measures peak heap while streaming, page
//! decoding throughput, the time of `cargo xtask generate --check`, and the build time
//! of the generated crate and the wrapper, cold and after a spec change.
//!
//! The logic lives here, not in the binary, so the smoke test can run it in debug and
//! check that every figure is produced; the binary adds the global allocator, the
//! command line and the output files.

#![deny(missing_docs)]

mod accounts;
mod alloc;
mod build_time;
mod decode;
mod generate;
mod listing;
mod report;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

pub use accounts::{AccountsContender, AccountsResult};
pub use alloc::CountingAlloc;
pub use build_time::{BuildTimes, INCREMENTAL_TARGET_S};
pub use report::render_markdown;

/// A failure of the benchmark itself (the mock would not start, a listing failed...).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BenchError(pub String);

impl BenchError {
    pub(crate) fn new(context: &str, error: impl std::fmt::Display) -> Self {
        BenchError(format!("{context}: {error}"))
    }
}

/// The token the mock accepts and the contenders send.
pub(crate) const TOKEN: &str = "bench-token";

/// One listing scenario: a mock with this many invoices, latency and rate limit.
#[derive(Debug, Clone, Serialize)]
pub struct ListingScenario {
    /// Short name used in the table, e.g. `a`.
    pub name: String,
    /// Invoices in the mock's dataset (15 per page).
    pub invoices: u64,
    /// Fixed latency of every response.
    #[serde(serialize_with = "report::secs")]
    pub latency: Duration,
    /// `Some((B, W))`: the server allows B requests per window W (and says so in
    /// fractional `Retry-After`); the wrapper is told the same limit.
    #[serde(serialize_with = "report::opt_limit")]
    pub rate_limit: Option<(u32, Duration)>,
}

/// Reads the counting allocator the binary installed.
#[derive(Debug, Clone, Copy)]
pub struct MemoryProbe {
    /// Starts a new peak; returns the bytes allocated now (the baseline).
    pub reset_peak: fn() -> usize,
    /// The peak since the last reset.
    pub peak: fn() -> usize,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Whether these are the tiny `--smoke` sizes (recorded in the report).
    pub smoke: bool,
    /// The listing scenarios, each run with both contenders.
    pub listings: Vec<ListingScenario>,
    /// Prefetch values `k` the wrapper is also built with (`.prefetch(k)`, otherwise as
    /// the wrapper contender) and run in every listing scenario; empty skips the sweep.
    pub prefetch_sweep: Vec<usize>,
    /// List lengths, in pages, whose requests per page the wrapper's listing is counted
    /// for (its speculation past the end and its completeness check included).
    pub short_lists: Vec<u64>,
    /// Latency of the mock in those runs.
    pub short_list_latency: Duration,
    /// Dataset sizes for the peak-memory runs.
    pub memory_invoices: Vec<u64>,
    /// The allocator to read; `None` reports no memory figures (the runs still list).
    pub memory_probe: Option<MemoryProbe>,
    /// Decodes of the same page per decoder.
    pub decode_iterations: u32,
    /// Timed runs of `cargo xtask generate --check` after one warm-up; 0 skips them.
    pub generate_runs: u32,
    /// Whether to measure build times (minutes: a cold build of the client crates).
    pub build_times: bool,
    /// Account counts of the many-accounts runs, each with both contenders.
    pub accounts: Vec<u64>,
    /// Invoices of each account in those runs.
    pub account_invoices: u64,
    /// Latency of the mock in those runs.
    pub account_latency: Duration,
    /// The benchmark binary, to run each many-accounts case in a child process (so
    /// that its peak resident memory is its own); `None`: in this process.
    pub accounts_runner: Option<PathBuf>,
    /// The workspace root, where `cargo xtask` runs.
    pub workspace_root: PathBuf,
}

impl Config {
    /// The full benchmark of the issue.
    pub fn full() -> Self {
        Config {
            smoke: false,
            listings: vec![
                ListingScenario {
                    name: "a: 100 pages, 50 ms, no limit".into(),
                    invoices: 1_500,
                    latency: Duration::from_millis(50),
                    rate_limit: None,
                },
                ListingScenario {
                    name: "b: 300 pages, 20 ms, 60/1 s".into(),
                    invoices: 4_500,
                    latency: Duration::from_millis(20),
                    rate_limit: Some((60, Duration::from_secs(1))),
                },
            ],
            prefetch_sweep: vec![1, 2, 3, 4, 6, 8],
            short_lists: vec![1, 2, 3, 5, 10, 100],
            short_list_latency: Duration::from_millis(20),
            memory_invoices: vec![10_000, 100_000],
            memory_probe: None,
            decode_iterations: 20_000,
            generate_runs: 3,
            build_times: true,
            accounts: vec![1, 100, 1_000],
            account_invoices: 40,
            account_latency: Duration::from_millis(20),
            accounts_runner: None,
            workspace_root: workspace_root(),
        }
    }

    /// Tiny sizes, to check that everything runs (`--smoke`).
    pub fn smoke() -> Self {
        Config {
            smoke: true,
            listings: vec![
                ListingScenario {
                    name: "a: 6 pages, 5 ms, no limit".into(),
                    invoices: 90,
                    latency: Duration::from_millis(5),
                    rate_limit: None,
                },
                ListingScenario {
                    name: "b: 12 pages, 2 ms, 5/100 ms".into(),
                    invoices: 180,
                    latency: Duration::from_millis(2),
                    rate_limit: Some((5, Duration::from_millis(100))),
                },
            ],
            prefetch_sweep: vec![1, 4],
            short_list_latency: Duration::from_millis(2),
            memory_invoices: vec![300, 1_000],
            decode_iterations: 200,
            build_times: false,
            accounts: vec![1, 5],
            account_latency: Duration::from_millis(2),
            ..Config::full()
        }
    }
}

/// The workspace root: two levels above this crate's manifest.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Where results go by default: `$CARGO_TARGET_DIR/bench/results.json`, or the
/// workspace's `target/bench/results.json`.
pub fn default_json_path(workspace_root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                workspace_root.join(dir)
            }
        })
        .unwrap_or_else(|| workspace_root.join("target"));
    target.join("bench").join("results.json")
}

/// The lower bound on listing `pages` pages with latency `latency`: at most `limit.0`
/// requests start per window `limit.1`, so the last one cannot start before
/// `floor((P - 1) / B)` windows have passed; with `in_flight` requests at a time at
/// most, `ceil(P / k)` round trips are needed. The bound is the larger term.
pub fn lower_bound(
    pages: u64,
    latency: Duration,
    limit: Option<(u32, Duration)>,
    in_flight: u64,
) -> Duration {
    let pages = pages.max(1);
    let k = in_flight.max(1);
    let round_trips = latency.saturating_mul(u32::try_from(pages.div_ceil(k)).unwrap_or(u32::MAX));
    let windows = limit.map_or(Duration::ZERO, |(per_window, window)| {
        let full = (pages - 1) / u64::from(per_window.max(1));
        window.saturating_mul(u32::try_from(full).unwrap_or(u32::MAX)) + latency
    });
    round_trips.max(windows)
}

/// The lower bound on a listing of `pages` pages that also proves itself complete on a
/// live table: one more request after the last page has arrived (the wrapper asks for
/// its first page again, see "A live table" on `mijnklantportaal::Lister`). It needs a
/// round trip after the last page, and a place in the rate limit's windows.
pub fn checked_lower_bound(
    pages: u64,
    latency: Duration,
    limit: Option<(u32, Duration)>,
    in_flight: u64,
) -> Duration {
    let pages = pages.max(1);
    lower_bound(pages + 1, latency, limit, in_flight)
        .max(lower_bound(pages, latency, limit, in_flight) + latency)
}

/// One contender's listing in one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ListingResult {
    /// The scenario's name.
    pub scenario: String,
    /// `wrapper` or `sequential`.
    pub contender: String,
    /// Pages with invoices listed.
    pub pages: u64,
    /// Invoices listed.
    pub items: u64,
    /// Invoices in the dataset.
    pub expected_items: u64,
    /// Requests the server received (429s and speculative requests past the end
    /// included).
    pub requests: u64,
    /// Wall time of the listing.
    pub time_s: f64,
    /// The lower bound for the wrapper's prefetch (the same for both contenders).
    pub lower_bound_s: f64,
    /// The contender's own bound (for the sequential loop: one request at a time; for
    /// a prefetch sweep row: that row's `k`).
    pub own_lower_bound_s: f64,
    /// `time / lower bound`.
    pub ratio: f64,
    /// [`checked_lower_bound`] for the wrapper's prefetch: the bound of a listing that
    /// also proves itself complete on a live table, as the wrapper's does.
    pub checked_lower_bound_s: f64,
    /// `time / checked lower bound`.
    pub checked_ratio: f64,
    /// 429 answers the server sent this contender (fresh server per run).
    pub served_429: u64,
}

/// The wrapper built with one prefetch `k`, run in every listing scenario.
#[derive(Debug, Clone, Serialize)]
pub struct SweepRow {
    /// The `k` of `Client::builder().prefetch(k)`.
    pub prefetch: usize,
    /// One run per scenario, in the order of [`Report::scenarios`].
    pub listings: Vec<ListingResult>,
}

/// The wrapper's speed-up over the sequential loop in one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Speedup {
    /// The scenario's name.
    pub scenario: String,
    /// `sequential time / wrapper time`.
    pub wrapper_over_sequential: f64,
}

/// The requests one listing of a list of `pages` pages costs (the wrapper's defaults, no
/// rate limit): speculative pages past the end and the completeness check included.
#[derive(Debug, Clone, Serialize)]
pub struct RequestsPerPage {
    /// Pages of the list.
    pub pages: u64,
    /// Requests the server received.
    pub requests: u64,
    /// `requests / pages`.
    pub per_page: f64,
    /// Wall time of the listing.
    pub time_s: f64,
}

/// Peak heap while streaming a listing item by item with the wrapper.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryResult {
    /// Invoices in the dataset.
    pub invoices: u64,
    /// Invoices streamed.
    pub items: u64,
    /// Wall time of the listing.
    pub time_s: f64,
    /// Peak heap above the baseline at the start (process-wide: the in-process mock
    /// server's allocations count too); `None` without a probe.
    pub peak_heap_bytes: Option<u64>,
}

/// Decoding the same page with the wrapper and with plain `serde_json`.
#[derive(Debug, Clone, Serialize)]
pub struct DecodeResult {
    /// Decodes per decoder.
    pub iterations: u32,
    /// Size of the page body.
    pub page_bytes: usize,
    /// Invoices on the page.
    pub page_items: usize,
    /// `mijnklantportaal::decode_page::<ListCustomerInvoices>`, per page.
    pub wrapper_us: f64,
    /// `serde_json::from_slice::<CustomerInvoicePage>`, per page.
    pub serde_typed_us: f64,
    /// `serde_json::from_slice::<serde_json::Value>`, per page.
    pub serde_value_us: f64,
    /// `wrapper / serde_typed` (target: at most 1.3).
    pub wrapper_vs_typed: f64,
    /// `wrapper / serde_value`.
    pub wrapper_vs_value: f64,
    /// Wrapper throughput.
    pub wrapper_mib_per_s: f64,
}

/// Timing of `cargo xtask generate --check`, cargo's own startup included.
#[derive(Debug, Clone, Serialize)]
pub struct GenerateResult {
    /// Each timed run, after one warm-up.
    pub runs_s: Vec<f64>,
    /// The median of the runs.
    pub median_s: f64,
}

/// Everything measured in one run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Whether the sizes were the `--smoke` ones.
    pub smoke: bool,
    /// The wrapper's prefetch (`DEFAULT_PREFETCH`), the `k` of the lower bound.
    pub prefetch: usize,
    /// The listing scenarios run.
    pub scenarios: Vec<ListingScenario>,
    /// One row per scenario and contender.
    pub listings: Vec<ListingResult>,
    /// The wrapper's speed-up per scenario.
    pub speedups: Vec<Speedup>,
    /// The wrapper at each prefetch of [`Config::prefetch_sweep`].
    pub prefetch_sweep: Vec<SweepRow>,
    /// Requests per page of short (and one long) lists.
    pub short_lists: Vec<RequestsPerPage>,
    /// Peak-memory runs.
    pub memory: Vec<MemoryResult>,
    /// Page decoding.
    pub decode: DecodeResult,
    /// Code generation time; `None` when skipped.
    pub generate: Option<GenerateResult>,
    /// Build times; `None` when skipped.
    pub build_times: Option<BuildTimes>,
    /// The many-accounts runs: per account count, the app, then a client per account.
    pub accounts: Vec<AccountsResult>,
}

/// Runs one many-accounts case in this process, for the child process of
/// [`Config::accounts_runner`] (the benchmark binary's `--accounts-run`).
pub fn run_accounts(
    accounts: u64,
    invoices: u64,
    latency: Duration,
    contender: AccountsContender,
    probe: Option<MemoryProbe>,
) -> Result<AccountsResult, BenchError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| BenchError::new("starting the tokio runtime", e))?
        .block_on(accounts::run(accounts, invoices, latency, contender, probe))
}

/// Runs every scenario of `config` on a fresh multi-threaded tokio runtime (the mock
/// and the contenders share it, as in a test), then the code-generation timing.
pub fn run_all(config: &Config) -> Result<Report, BenchError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| BenchError::new("starting the tokio runtime", e))?;
    let (listings, speedups, prefetch_sweep, short_lists, memory, decode, accounts) = runtime
        .block_on(async {
            let mut listings = Vec::new();
            let mut speedups = Vec::new();
            for scenario in &config.listings {
                let wrapper =
                    listing::run_wrapper(scenario, mijnklantportaal::DEFAULT_PREFETCH).await?;
                let sequential = listing::run_sequential(scenario).await?;
                speedups.push(Speedup {
                    scenario: scenario.name.clone(),
                    wrapper_over_sequential: sequential.time_s / wrapper.time_s,
                });
                listings.push(wrapper);
                listings.push(sequential);
            }
            let mut prefetch_sweep = Vec::new();
            for &prefetch in &config.prefetch_sweep {
                let mut runs = Vec::new();
                for scenario in &config.listings {
                    runs.push(listing::run_wrapper(scenario, prefetch).await?);
                }
                prefetch_sweep.push(SweepRow {
                    prefetch,
                    listings: runs,
                });
            }
            let mut short_lists = Vec::new();
            for &pages in &config.short_lists {
                short_lists.push(listing::run_short_list(pages, config.short_list_latency).await?);
            }
            let mut memory = Vec::new();
            for &invoices in &config.memory_invoices {
                memory.push(listing::run_memory(invoices, config.memory_probe).await?);
            }
            let decode = decode::run(config.decode_iterations).await?;
            let mut accounts = Vec::new();
            for &count in &config.accounts {
                for contender in [AccountsContender::App, AccountsContender::ClientPerAccount] {
                    let (invoices, latency) = (config.account_invoices, config.account_latency);
                    accounts.push(match &config.accounts_runner {
                        Some(runner) => {
                            let runner = runner.clone();
                            tokio::task::spawn_blocking(move || {
                                accounts::run_in_child(&runner, count, invoices, latency, contender)
                            })
                            .await
                            .map_err(|e| BenchError::new("an accounts run", e))??
                        }
                        None => {
                            accounts::run(count, invoices, latency, contender, config.memory_probe)
                                .await?
                        }
                    });
                }
            }
            Ok::<_, BenchError>((
                listings,
                speedups,
                prefetch_sweep,
                short_lists,
                memory,
                decode,
                accounts,
            ))
        })?;
    drop(runtime);
    let generate = if config.generate_runs == 0 {
        None
    } else {
        Some(generate::run(&config.workspace_root, config.generate_runs)?)
    };
    let build_times = if config.build_times {
        let scratch = default_json_path(&config.workspace_root).with_file_name("build-time");
        Some(build_time::run(&config.workspace_root, &scratch)?)
    } else {
        None
    };
    Ok(Report {
        smoke: config.smoke,
        prefetch: mijnklantportaal::DEFAULT_PREFETCH,
        scenarios: config.listings.clone(),
        listings,
        speedups,
        prefetch_sweep,
        short_lists,
        memory,
        decode,
        generate,
        build_times,
        accounts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_bound_takes_the_larger_term() {
        let ms = Duration::from_millis;
        // (a): 100 pages, 4 in flight, 50 ms: 25 round trips.
        assert_eq!(lower_bound(100, ms(50), None, 4), ms(1_250));
        // (b): 300 pages, 60 per second: 4 full windows, then one round trip.
        let b = lower_bound(300, ms(20), Some((60, Duration::from_secs(1))), 4);
        assert_eq!(b, ms(4_020));
        // One at a time without a limit: P * L.
        assert_eq!(lower_bound(100, ms(50), None, 1), ms(5_000));
        // The completeness check: a round trip after the last page, and a place in
        // the windows (300 pages fill five windows of 60 exactly).
        assert_eq!(checked_lower_bound(100, ms(50), None, 6), ms(900));
        let limit = Some((60, Duration::from_secs(1)));
        assert_eq!(checked_lower_bound(300, ms(20), limit, 6), ms(5_020));
    }
}

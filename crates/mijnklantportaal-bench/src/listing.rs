//! The contenders: listing every invoice with the wrapper, and with the plain loop over
//! the generated client that a user would otherwise write; plus the streaming run
//! whose peak heap is measured.
//!
//! Each run gets a fresh mock server, so its counters (429s, requests) and its rate
//! limit window belong to that run alone.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use mijnklantportaal::{Client, RateLimit};
use mijnklantportaal_mock::MockServer;

use crate::{
    BenchError, ListingResult, ListingScenario, MemoryProbe, MemoryResult, RequestsPerPage, TOKEN,
};

/// Invoices per page, the mock's (and the API's) default.
const PER_PAGE: u64 = 15;

/// How long the sequential loop waits on a 429 without a readable `Retry-After`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// A fresh mock for `scenario`, recording nothing (counters only).
async fn start_mock(scenario: &ListingScenario) -> Result<MockServer, BenchError> {
    let builder = MockServer::builder()
        .invoices(scenario.invoices)
        .per_page(PER_PAGE)
        .token(TOKEN)
        .latency(scenario.latency, Duration::ZERO)
        .record_requests(false);
    let builder = match scenario.rate_limit {
        Some((limit, window)) => builder
            .rate_limit(limit, window)
            .fractional_retry_after(true),
        None => builder.no_rate_limit(),
    };
    builder
        .start()
        .await
        .map_err(|e| BenchError::new("starting the mock server", e))
}

fn expected_pages(invoices: u64) -> u64 {
    invoices.div_ceil(PER_PAGE)
}

/// The wrapper with its defaults, except the base URL, the token and `prefetch` pages
/// ahead, told the scenario's rate limit (or that there is none) as a user is told the
/// API's limit.
pub(crate) async fn run_wrapper(
    scenario: &ListingScenario,
    prefetch: usize,
) -> Result<ListingResult, BenchError> {
    let server = start_mock(scenario).await?;
    let builder = Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .prefetch(prefetch);
    let builder = match scenario.rate_limit {
        Some((limit, window)) => builder.rate_limit(RateLimit::new(limit, window)),
        None => builder.no_rate_limit(),
    };
    let client = builder
        .build()
        .map_err(|e| BenchError::new("building the wrapper client", e))?;

    let started = Instant::now();
    let mut pages = client.customer_invoices().list().pages();
    let (mut page_count, mut items) = (0u64, 0u64);
    while let Some(page) = pages
        .try_next()
        .await
        .map_err(|e| BenchError::new("listing with the wrapper", e))?
    {
        page_count += 1;
        items += page.items().len() as u64;
    }
    let elapsed = started.elapsed();
    drop(pages);

    let stats = server.stats();
    server.shutdown().await;
    Ok(result(
        scenario,
        "wrapper",
        (page_count, items, stats.requests, stats.served_429),
        elapsed,
        prefetch as u64,
    ))
}

/// `page = 1, 2, ...` over the generated client until `next_page_url` is null or
/// `data` is empty, sleeping out 429s for their `Retry-After`.
pub(crate) async fn run_sequential(
    scenario: &ListingScenario,
) -> Result<ListingResult, BenchError> {
    use mijnklantportaal_api::Error as E;

    let server = start_mock(scenario).await?;
    let auth = mijnklantportaal_api::Auth::bearer(TOKEN)
        .map_err(|e| BenchError::new("the bench token", e))?;
    let api = mijnklantportaal_api::Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        auth,
    );

    let started = Instant::now();
    let (mut page, mut page_count, mut items) = (1u32, 0u64, 0u64);
    loop {
        match api.list_customer_invoices().page(page).send().await {
            Ok(response) => {
                let body = response.into_inner();
                if body.data.is_empty() {
                    break;
                }
                page_count += 1;
                items += body.data.len() as u64;
                if body.next_page_url.is_none() {
                    break;
                }
                page += 1;
            }
            Err(E::ErrorResponse(response)) if response.status().as_u16() == 429 => {
                tokio::time::sleep(retry_after(response.headers())).await;
            }
            Err(E::UnexpectedResponse(response)) if response.status().as_u16() == 429 => {
                tokio::time::sleep(retry_after(response.headers())).await;
            }
            Err(e) => return Err(BenchError::new("listing with the generated client", e)),
        }
    }
    let elapsed = started.elapsed();

    let stats = server.stats();
    server.shutdown().await;
    Ok(result(
        scenario,
        "sequential",
        (page_count, items, stats.requests, stats.served_429),
        elapsed,
        1,
    ))
}

/// `Retry-After` as (possibly fractional) seconds.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Duration {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(DEFAULT_RETRY_AFTER, Duration::from_secs_f64)
}

/// The row of one run; `own_k` is the contender's own requests in flight.
fn result(
    scenario: &ListingScenario,
    contender: &str,
    (pages, items, requests, served_429): (u64, u64, u64, u64),
    elapsed: Duration,
    own_k: u64,
) -> ListingResult {
    let p = expected_pages(scenario.invoices);
    let k = mijnklantportaal::DEFAULT_PREFETCH as u64;
    let bound = crate::lower_bound(p, scenario.latency, scenario.rate_limit, k);
    let own = crate::lower_bound(p, scenario.latency, scenario.rate_limit, own_k);
    let checked = crate::checked_lower_bound(p, scenario.latency, scenario.rate_limit, k);
    ListingResult {
        scenario: scenario.name.clone(),
        contender: contender.to_owned(),
        pages,
        items,
        expected_items: scenario.invoices,
        requests,
        time_s: elapsed.as_secs_f64(),
        lower_bound_s: bound.as_secs_f64(),
        own_lower_bound_s: own.as_secs_f64(),
        ratio: elapsed.as_secs_f64() / bound.as_secs_f64(),
        checked_lower_bound_s: checked.as_secs_f64(),
        checked_ratio: elapsed.as_secs_f64() / checked.as_secs_f64(),
        served_429,
    }
}

/// A list of `pages` full pages listed with the wrapper's defaults and no rate limit:
/// how many requests it cost.
pub(crate) async fn run_short_list(
    pages: u64,
    latency: Duration,
) -> Result<RequestsPerPage, BenchError> {
    let scenario = ListingScenario {
        name: format!("{pages} pages"),
        invoices: pages * PER_PAGE,
        latency,
        rate_limit: None,
    };
    let run = run_wrapper(&scenario, mijnklantportaal::DEFAULT_PREFETCH).await?;
    if run.pages != pages {
        return Err(BenchError(format!(
            "a list of {pages} pages was listed as {} pages",
            run.pages
        )));
    }
    Ok(RequestsPerPage {
        pages,
        requests: run.requests,
        per_page: run.requests as f64 / pages as f64,
        time_s: run.time_s,
    })
}

/// Streams `invoices` invoices one by one with the wrapper (no limit, no latency) and
/// reads the peak heap above the baseline at the start.
pub(crate) async fn run_memory(
    invoices: u64,
    probe: Option<MemoryProbe>,
) -> Result<MemoryResult, BenchError> {
    let scenario = ListingScenario {
        name: String::new(),
        invoices,
        latency: Duration::ZERO,
        rate_limit: None,
    };
    let server = start_mock(&scenario).await?;
    let client = Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .no_rate_limit()
        .build()
        .map_err(|e| BenchError::new("building the wrapper client", e))?;

    let baseline = probe.map(|p| (p.reset_peak)());
    let started = Instant::now();
    let mut stream = client.customer_invoices().list().items();
    let mut items = 0u64;
    while let Some(invoice) = stream
        .try_next()
        .await
        .map_err(|e| BenchError::new("streaming with the wrapper", e))?
    {
        std::hint::black_box(&invoice);
        items += 1;
    }
    let elapsed = started.elapsed();
    let peak = probe
        .zip(baseline)
        .map(|(p, base)| (p.peak)().saturating_sub(base) as u64);
    drop(stream);
    server.shutdown().await;
    Ok(MemoryResult {
        invoices,
        items,
        time_s: elapsed.as_secs_f64(),
        peak_heap_bytes: peak,
    })
}

//! Page-decoding throughput: the wrapper's `decode_page` against plain `serde_json`.
//!
//! Listing is mostly waiting, but a large export decodes thousands of pages; the
//! wrapper's decoding (typed models, error mapping) must cost about what decoding the
//! generated type with `serde_json` costs. The page is a real 15-invoice body, fetched
//! once from the mock over HTTP, so its bytes are exactly what the server sends.

use std::hint::black_box;
use std::time::{Duration, Instant};

use mijnklantportaal::ListCustomerInvoices;
use mijnklantportaal_api::types::CustomerInvoicePage;
use mijnklantportaal_mock::MockServer;

use crate::{BenchError, DecodeResult, TOKEN};

/// Fetches one page and decodes it `iterations` times with each decoder.
pub(crate) async fn run(iterations: u32) -> Result<DecodeResult, BenchError> {
    let body = fetch_page().await?;
    let iterations = iterations.max(1);
    // Check once that every decoder accepts the page, so the loops time success.
    let page = mijnklantportaal::decode_page::<ListCustomerInvoices>(2, &body)
        .map_err(|e| BenchError::new("decoding the sample page", e))?;
    let page_items = page.data.len();

    let wrapper = time(iterations, || {
        let page = mijnklantportaal::decode_page::<ListCustomerInvoices>(2, black_box(&body));
        black_box(page.is_ok());
    });
    let typed = time(iterations, || {
        let page = serde_json::from_slice::<CustomerInvoicePage>(black_box(&body));
        black_box(page.is_ok());
    });
    let value = time(iterations, || {
        let page = serde_json::from_slice::<serde_json::Value>(black_box(&body));
        black_box(page.is_ok());
    });

    let per_page = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(iterations);
    let wrapper_s = wrapper.as_secs_f64().max(f64::MIN_POSITIVE);
    Ok(DecodeResult {
        iterations,
        page_bytes: body.len(),
        page_items,
        wrapper_us: per_page(wrapper),
        serde_typed_us: per_page(typed),
        serde_value_us: per_page(value),
        wrapper_vs_typed: wrapper.as_secs_f64() / typed.as_secs_f64(),
        wrapper_vs_value: wrapper.as_secs_f64() / value.as_secs_f64(),
        wrapper_mib_per_s: (body.len() as f64 * f64::from(iterations))
            / wrapper_s
            / (1024.0 * 1024.0),
    })
}

/// Page 2 of a 1,500-invoice dataset, as the mock serves it.
async fn fetch_page() -> Result<Vec<u8>, BenchError> {
    let server = MockServer::builder()
        .invoices(1_500)
        .token(TOKEN)
        .no_rate_limit()
        .record_requests(false)
        .start()
        .await
        .map_err(|e| BenchError::new("starting the mock server", e))?;
    let response = reqwest::Client::new()
        .get(format!("{}/customer-invoices?page=2", server.base_url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| BenchError::new("fetching the sample page", e))?;
    let body = response
        .bytes()
        .await
        .map_err(|e| BenchError::new("reading the sample page", e))?;
    server.shutdown().await;
    Ok(body.to_vec())
}

/// Runs `f` a tenth of `iterations` times to warm up, then `iterations` times, timed.
fn time(iterations: u32, mut f: impl FnMut()) -> Duration {
    for _ in 0..iterations / 10 {
        f();
    }
    let started = Instant::now();
    for _ in 0..iterations {
        f();
    }
    started.elapsed()
}

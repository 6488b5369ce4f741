//! Resilience against the mock's fault injection: every test is seeded and bounded in
//! time, and checks that nothing is lost, repeated or leaked.

mod common;

use std::time::{Duration, Instant};

use common::{TOKEN, client_for, dataset_ids, mock, within};
use futures::{StreamExt, TryStreamExt};
use mijnklantportaal::{Error, RateLimit, RetryPolicy};
use mijnklantportaal_mock::{Faults, MockServer};

/// The fault test: 1,000 invoices, 10% transient 5xx, 10 requests per 200 ms.
#[tokio::test]
async fn lists_everything_exactly_once_under_5xx_and_a_tight_rate_limit() {
    let window = Duration::from_millis(200);
    let server = mock(1_000, |b| {
        b.seed(7)
            .rate_limit(10, window)
            .fractional_retry_after(true)
            .faults(Faults {
                server_error: 0.10,
                ..Faults::none()
            })
    })
    .await;
    let client = client_for(&server)
        .rate_limit(RateLimit::new(10, window))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(8)
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(100)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let invoices = within(60, client.customer_invoices().list().collect_all())
        .await
        .expect("the listing survives the faults");
    let elapsed = started.elapsed();
    let ids: Vec<String> = invoices.into_iter().map(|i| i.id).collect();
    assert_eq!(ids, dataset_ids(&server), "every invoice once, in order");
    let stats = server.stats();
    assert!(stats.server_errors > 0, "faults were injected: {stats:?}");
    println!(
        "fault test: {} requests, {} injected 5xx, {} x 429 provoked, {:.2}s",
        stats.requests,
        stats.server_errors,
        stats.served_429,
        elapsed.as_secs_f64()
    );
    assert_eq!(
        stats.served_429, 0,
        "the limiter paced the listing: {stats:?}"
    );
    let status = client.rate_limit_status().expect("limiter on");
    assert_eq!(status.limit, 10);
}

/// Without client-side pacing, a 429 is waited out for what the server asked, never less.
#[tokio::test]
async fn a_429_is_retried_after_retry_after() {
    let window = Duration::from_millis(300);
    let server = mock(150, |b| {
        b.rate_limit(3, window).fractional_retry_after(true)
    })
    .await;
    let client = client_for(&server).prefetch(1).build().unwrap();
    let started = Instant::now();
    let invoices = within(30, client.customer_invoices().list().collect_all())
        .await
        .unwrap();
    assert_eq!(invoices.len(), 150);
    // 10 pages at 3 per window need at least 3 full windows.
    assert!(started.elapsed() >= window * 3, "{:?}", started.elapsed());
    let stats = server.stats();
    assert!(stats.served_429 >= 1, "the server refused some: {stats:?}");
    assert!(
        stats.served_429 <= 4,
        "one refusal per window at most, not a hammering: {stats:?}"
    );
}

#[tokio::test]
async fn truncated_bodies_and_dropped_connections_are_retried() {
    let server = mock(300, |b| {
        b.seed(11).faults(Faults {
            truncated_json: 0.15,
            dropped_connection: 0.10,
            ..Faults::none()
        })
    })
    .await;
    let client = client_for(&server)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(10)
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(20)),
        )
        .build()
        .unwrap();
    let ids: Vec<String> = within(30, client.customer_invoices().list().collect_all())
        .await
        .expect("transient faults are retried")
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ids, dataset_ids(&server));
    let stats = server.stats();
    assert!(
        stats.truncated_json + stats.dropped_connections > 0,
        "{stats:?}"
    );
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_naming_the_page_and_not_retried() {
    let server = mock(30, |b| {
        b.faults(Faults {
            malformed_json: 1.0,
            ..Faults::none()
        })
    })
    .await;
    let client = client_for(&server).build().unwrap();
    let err = within(10, client.customer_invoices().list().collect_all())
        .await
        .unwrap_err();
    match &err {
        Error::Decode { page: 1, .. } => {}
        other => panic!("expected a decode error for page 1, got {other:?}"),
    }
    assert!(err.to_string().starts_with("page 1: "), "{err}");
    assert_eq!(server.stats().requests, 1, "not retried");
}

/// A token revoked half-way: the listing stops with the unauthorized error, and what was
/// listed before is intact.
#[tokio::test]
async fn a_token_that_becomes_invalid_stops_the_listing_cleanly() {
    let server = mock(1_000, |b| b.token_valid_for(50)).await;
    let client = client_for(&server).build().unwrap();
    let mut items = client.customer_invoices().list().items();
    let mut listed = Vec::new();
    let err = loop {
        match within(10, items.try_next()).await {
            Ok(Some(invoice)) => listed.push(invoice.id),
            Ok(None) => panic!("the listing should fail"),
            Err(e) => break e,
        }
    };
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    // 50 requests are accepted; prefetched requests arrive in any order, so the first
    // refused page is at most `prefetch` pages before page 51. Every page before it is
    // listed whole, in order, and the stream says where to resume.
    let pages = listed.len() / 15;
    assert_eq!(listed.len() % 15, 0, "whole pages only");
    assert!(
        (50 - mijnklantportaal::DEFAULT_PREFETCH..=50).contains(&pages),
        "{pages} pages"
    );
    assert_eq!(listed, dataset_ids(&server)[..listed.len()].to_vec());
    assert_eq!(items.resume_page(), pages as u64 + 1);
}

/// A server that keeps failing: the listing gives up within the total retry time.
#[tokio::test]
async fn a_failing_server_exhausts_retries_within_the_time_budget() {
    let server = mock(30, |b| {
        b.faults(Faults {
            server_error: 1.0,
            ..Faults::none()
        })
    })
    .await;
    let budget = Duration::from_millis(800);
    let client = client_for(&server)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(1_000)
                .max_elapsed(budget)
                .initial_backoff(Duration::from_millis(20))
                .max_backoff(Duration::from_millis(100)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let err = within(10, client.customer_invoices().list().collect_all())
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    match &err {
        Error::RetriesExhausted { attempts, last, .. } => {
            assert!(*attempts >= 3, "{err}");
            assert!(
                matches!(
                    **last,
                    Error::Api {
                        status: 500 | 502 | 503,
                        ..
                    }
                ),
                "{err}"
            );
        }
        other => panic!("expected retries exhausted, got {other:?}"),
    }
    assert!(err.to_string().starts_with("gave up after "), "{err}");
    assert!(elapsed < budget + Duration::from_millis(500), "{elapsed:?}");
}

/// `next_page_url` names another origin (a proxy's): the token never goes there, and
/// the listing completes from page numbers.
#[tokio::test]
async fn the_token_never_reaches_the_origin_named_by_next_page_url() {
    let elsewhere = MockServer::builder()
        .invoices(0)
        .token("other")
        .no_rate_limit()
        .bind("127.0.0.2:0".parse().unwrap())
        .start()
        .await
        .expect("a second listener on another loopback address");
    let server = mock(100, |b| {
        b.public_url(format!("http://{}", elsewhere.addr()))
    })
    .await;
    let client = client_for(&server).build().unwrap();
    let invoices = within(10, client.customer_invoices().list().collect_all())
        .await
        .unwrap();
    assert_eq!(invoices.len(), 100);
    assert!(
        server.requests()[0]
            .headers
            .get("authorization")
            .is_some_and(|v| v.to_str().ok() == Some(&format!("Bearer {TOKEN}"))),
        "the base URL's origin gets the token"
    );
    assert!(
        elsewhere.requests().is_empty(),
        "the other origin received nothing, token or not"
    );
}

/// Dropping a stream mid-way stops its requests.
#[tokio::test]
async fn dropping_a_stream_cancels_its_requests() {
    let server = mock(1_000, |b| {
        b.latency(Duration::from_millis(300), Duration::ZERO)
    })
    .await;
    let client = client_for(&server).prefetch(4).build().unwrap();
    let mut pages = client.customer_invoices().list().pages();
    within(10, pages.next()).await.unwrap().unwrap();
    within(10, pages.next()).await.unwrap().unwrap();
    drop(pages);
    let at_drop = server.stats().requests;
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(
        server.stats().requests,
        at_drop,
        "no request starts after the stream is dropped"
    );
    assert!(
        at_drop <= 2 + 4,
        "at most `prefetch` pages ahead: {at_drop}"
    );
}

/// Prefetching yields the same pages, in order, as one at a time.
#[tokio::test]
async fn prefetch_keeps_order_and_bounds_requests() {
    let server = mock(500, |b| {
        b.latency(Duration::from_millis(5), Duration::from_millis(10))
    })
    .await;
    for k in [1, 3, 8] {
        server.clear_requests();
        let client = client_for(&server).prefetch(k).build().unwrap();
        let ids: Vec<String> = within(30, client.customer_invoices().list().collect_all())
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(ids, dataset_ids(&server), "prefetch {k}");
        let pages = 500usize.div_ceil(15);
        assert!(
            server.requests().len() <= pages + k,
            "prefetch {k}: {} requests for {pages} pages",
            server.requests().len()
        );
    }
}

//! Resilience against the mock's fault injection over real HTTP: every test is seeded,
//! and checks that nothing is lost, repeated or leaked. Timing (backoff, pacing,
//! cancellation) is tested on a virtual clock in `scripted.rs`.

use crate::common;

use std::time::Duration;

use common::{TOKEN, client_for, dataset_ids, mock, within};
use futures::TryStreamExt;
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
    let invoices = within(60, client.customer_invoices().list().collect_all())
        .await
        .expect("the listing survives the faults");
    let ids: Vec<String> = invoices.into_iter().map(|i| i.id.to_string()).collect();
    assert_eq!(ids, dataset_ids(&server), "every invoice once, in order");
    let stats = server.stats();
    assert!(stats.server_errors > 0, "faults were injected: {stats:?}");
    // Whether a 200-ms window draws a 429 depends on the machine's speed: pacing is
    // asserted on the scripted server (tests/it/scripted.rs), on a virtual clock.
    let status = client.rate_limit_status().expect("limiter on");
    assert_eq!(status.limit, 10);
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
        .map(|i| i.id.to_string())
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
            Ok(Some(invoice)) => listed.push(invoice.id.to_string()),
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

/// `next_page_url` names another origin (a proxy's): the token never goes there, and
/// the listing completes from page numbers.
#[tokio::test]
async fn the_token_never_reaches_the_origin_named_by_next_page_url() {
    let elsewhere = MockServer::builder()
        .invoices(0)
        .token("other")
        .no_rate_limit()
        // Another port is another origin (127.0.0.2 is not configured on macOS).
        .bind("127.0.0.1:0".parse().unwrap())
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
            .map(|i| i.id.to_string())
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

//! Latency injection: a fixed delay plus seeded jitter on every response. On tokio's
//! paused clock, so the bounds are exact and do not depend on the machine.

use std::time::Duration;

use tokio::time::Instant;

use mijnklantportaal_mock::MockServer;

use crate::common::{get_with, http};

#[tokio::test(start_paused = true)]
async fn every_response_is_delayed_within_bounds() {
    let fixed = Duration::from_millis(120);
    let jitter = Duration::from_millis(40);
    let server = MockServer::builder()
        .invoices(10)
        .latency(fixed, jitter)
        .start()
        .await
        .unwrap();
    let client = http();
    for (path, token, status) in [
        ("/v1/customer-invoices", Some("test"), 200),
        ("/v1/customer-invoices", None, 401),
        ("/v1/nowhere", Some("test"), 404),
    ] {
        let started = Instant::now();
        let response = get_with(&client, &server, path, token).await;
        let elapsed = started.elapsed();
        assert_eq!(response.status(), status);
        assert!(
            elapsed >= fixed && elapsed <= fixed + jitter,
            "{path}: {elapsed:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn no_latency_by_default() {
    let server = MockServer::builder().invoices(10).start().await.unwrap();
    let client = http();
    let started = Instant::now();
    for _ in 0..10 {
        get_with(&client, &server, "/v1/customer-invoices", Some("test")).await;
    }
    assert_eq!(started.elapsed(), Duration::ZERO);
}

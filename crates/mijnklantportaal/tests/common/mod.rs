//! Shared set-up of the integration tests: a mock server on loopback and a client for it.

#![allow(dead_code)]

use std::time::Duration;

use mijnklantportaal::{Client, ClientBuilder, RetryPolicy};
use mijnklantportaal_mock::{MockServer, MockServerBuilder};

pub const TOKEN: &str = "test-token-do-not-leak";

/// A mock with `invoices` invoices and no rate limit, plus `customize`.
pub async fn mock(
    invoices: u64,
    customize: impl FnOnce(MockServerBuilder) -> MockServerBuilder,
) -> MockServer {
    customize(
        MockServer::builder()
            .invoices(invoices)
            .token(TOKEN)
            .no_rate_limit(),
    )
    .start()
    .await
    .expect("the mock server starts")
}

/// A client builder for `server` with fast retries and no client-side pacing (the
/// mock from [`mock`] has no limit).
pub fn client_for(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .no_rate_limit()
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(50)),
        )
}

/// The ids the server holds, in order.
pub fn dataset_ids(server: &MockServer) -> Vec<String> {
    server.dataset().iter().map(|i| i.id).collect()
}

/// Runs `f` with a time limit, so that no test can hang CI.
pub async fn within<T>(secs: u64, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .expect("the test finished in time")
}

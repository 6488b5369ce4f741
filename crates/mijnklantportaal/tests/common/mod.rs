//! Shared set-up of the integration tests: a mock server on loopback and a client for it.

#![allow(dead_code)]

pub mod scripted;

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

/// A complete HTTP/1.1 response: `status` is e.g. `502 Bad Gateway`.
pub fn http_response(status: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut out = format!("HTTP/1.1 {status}\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ));
    out
}

/// A client builder for a server at `addr` that is not the mock (no pacing).
pub fn client_at(addr: std::net::SocketAddr) -> ClientBuilder {
    Client::builder()
        .token(TOKEN)
        .base_url(format!("http://{addr}/v1"))
        .no_rate_limit()
}

/// A bare HTTP/1.1 server on `addr` that answers every request with `response` (raw
/// bytes) and records each request head. For what the mock does not do on purpose:
/// proxy error pages, redirects.
pub async fn raw_server(
    addr: &str,
    response: String,
) -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    let local = listener.local_addr().expect("address");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            record
                .lock()
                .unwrap()
                .push(String::from_utf8_lossy(&head).into_owned());
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    (local, seen)
}

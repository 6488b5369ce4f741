//! Shared set-up of the integration tests: a mock server on loopback and a client for it.

#![allow(dead_code)]

pub mod http_script;
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

/// How many `method` requests for `path` the mock received.
pub fn requests_to(server: &MockServer, method: reqwest::Method, path: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

/// The ids of the first `n` customers of the mock's dataset.
pub fn customer_ids(server: &MockServer, n: u64) -> Vec<String> {
    (0..n)
        .filter_map(|i| server.dataset().customer(i))
        .map(|c| c.id)
        .collect()
}

/// Runs `f` (a future, or a request builder) with a time limit, so that no test can
/// hang CI.
pub async fn within<T>(secs: u64, f: impl std::future::IntoFuture<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), f.into_future())
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

/// The redirect URI the OAuth tests register (nothing listens on it: the tests
/// read the mock's redirect instead of following it).
pub const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

/// The mock's registered app, on the mock's OAuth origin.
pub fn oauth_app(server: &MockServer) -> mijnklantportaal::OAuthApp {
    mijnklantportaal::OAuthApp::new("mkp-test-app", "mkp-test-secret", REDIRECT_URI)
        .expect("an app")
        .oauth_url(&server.oauth_url().expect("the mock serves OAuth"))
        .expect("the mock's OAuth URL")
}

/// Where the management host sends the browser for `authorization` (the `Location`
/// of its redirect, not followed).
pub async fn redirect_for(authorization: &mijnklantportaal::Authorization) -> String {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let response = browser
        .get(authorization.url().clone())
        .send()
        .await
        .expect("the authorize page answers");
    assert_eq!(response.status(), 302, "approved at once");
    response.headers()["location"]
        .to_str()
        .expect("an ASCII location")
        .to_owned()
}

/// A mock with `invoices` invoices, no rate limit, `latency` per response and the OAuth2
/// endpoints of `oauth`.
pub async fn oauth_mock(
    invoices: u64,
    oauth: mijnklantportaal_mock::MockOAuth,
    latency: Duration,
) -> MockServer {
    MockServer::builder()
        .invoices(invoices)
        .no_rate_limit()
        .latency(latency, Duration::ZERO)
        .oauth(oauth)
        .start()
        .await
        .expect("the mock starts")
}

/// The whole connection: authorize, check the redirect, exchange the code.
pub async fn oauth_connect(
    server: &MockServer,
) -> (mijnklantportaal::OAuthApp, mijnklantportaal::Tokens) {
    let app = oauth_app(server);
    let authorization = app
        .authorization(&[mijnklantportaal::Scope::InvoicesRead])
        .expect("an authorization");
    let redirect = redirect_for(&authorization).await;
    let code = authorization.check_redirect(&redirect).expect("our state");
    let tokens = app.exchange(code).await.expect("tokens");
    (app, tokens)
}

/// A client builder for `server` with OAuth2 `tokens` of `app`, no pacing, fast
/// retries and a timeout far beyond any test (paused clocks jump).
pub fn oauth_client_for(
    server: &MockServer,
    app: mijnklantportaal::OAuthApp,
    tokens: mijnklantportaal::Tokens,
) -> ClientBuilder {
    Client::builder()
        .oauth(app, tokens)
        .base_url(server.base_url())
        .no_rate_limit()
        .timeout(Duration::from_secs(24 * 3600))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(5))
                .max_backoff(Duration::from_millis(50)),
        )
}

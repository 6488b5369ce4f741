//! What the logs show. In a test binary of its own: tracing caches per call site
//! whether anyone listens, and tests running beside this one without a subscriber
//! would race with it.

#[path = "it/common/mod.rs"]
mod common;

use std::sync::{Arc, Mutex};

use common::{TOKEN, client_for, mock, within};
use mijnklantportaal::CustomerId;

/// A `MakeWriter` that keeps everything written in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

impl Captured {
    /// Captures, on this thread until the guard drops, what passes `filter`: events, and
    /// spans as they close (with their fields and parents).
    fn start(filter: &str) -> (Captured, tracing::subscriber::DefaultGuard) {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_ansi(false)
            .with_writer(captured.clone())
            .finish();
        let guard = tracing::subscriber::set_default(subscriber);
        (captured, guard)
    }
}

/// Every request gets a span with method, path, page, attempt and status, and a call
/// of one operation its operationId from the spec; nothing logged at any level, by any
/// crate, contains the token.
#[tokio::test]
async fn tracing_shows_requests_and_never_the_token() {
    let (captured, _guard) = Captured::start("trace");

    let server = mock(40, |b| b).await;
    let client = client_for(&server).prefetch(1).build().unwrap();
    within(10, client.customer_invoices().list().collect_all())
        .await
        .unwrap();
    let _ = within(10, client.customers().get(CustomerId::from("cst_nothere"))).await;
    let wrong = client_for(&server)
        .token("wrong-secret-123")
        .build()
        .unwrap();
    let _ = within(10, wrong.customer_invoices().list().collect_all()).await;

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    for expected in [
        "mijnklantportaal.request",
        "method=\"GET\"",
        "path=\"/customer-invoices\"",
        "page=3",
        "attempt=1",
        "status=200",
        "status=401",
        "operation=\"get-customer\"",
        "status=404",
    ] {
        assert!(
            logs.contains(expected),
            "`{expected}` missing from:\n{logs}"
        );
    }
    assert!(!logs.contains(TOKEN), "the token leaked into the logs");
    assert!(
        !logs.contains("wrong-secret-123"),
        "a token leaked into the logs"
    );
}

/// Requests run in spawned tasks, under the span of the code that consumes the listing
/// (so an application's `export{job=..}` span shows on every request).
#[tokio::test]
async fn requests_stay_under_the_callers_span() {
    use tracing::Instrument;

    let (captured, _guard) = Captured::start("debug");

    let server = mock(40, |b| b).await;
    let client = client_for(&server).prefetch(3).build().unwrap();
    within(
        10,
        client
            .customer_invoices()
            .list()
            .collect_all()
            .instrument(tracing::info_span!("export", job = 42)),
    )
    .await
    .unwrap();

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    let requests: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("mijnklantportaal.request{"))
        .collect();
    assert!(requests.len() >= 3, "{logs}");
    for line in requests {
        assert!(
            line.contains("export{job=42}:mijnklantportaal.request{"),
            "not under the caller's span: {line}"
        );
    }
}

/// An OAuth2 connection, refreshes before expiry and after a 401, and a revoked
/// grant: no client secret, refresh token or access token in any log line.
#[tokio::test(start_paused = true)]
async fn oauth_secrets_never_reach_the_logs() {
    use std::time::{Duration, SystemTime};

    use common::{oauth_client_for, oauth_connect};
    use mijnklantportaal::Tokens;
    use mijnklantportaal_mock::MockOAuth;

    let (captured, _guard) = Captured::start("trace");
    let server = common::oauth_mock(
        60,
        MockOAuth::new()
            .access_token_lifetime(Duration::from_secs(10))
            .rotate_refresh_tokens(true),
        Duration::ZERO,
    )
    .await;
    let (app, tokens) = oauth_connect(&server).await;
    let mut secrets = vec![
        "mkp-test-secret".to_owned(),
        tokens.access_token().to_owned(),
        tokens.refresh_token().to_owned(),
    ];
    let stored = Tokens::new(
        tokens.access_token(),
        tokens.refresh_token(),
        Some(SystemTime::now() + Duration::from_secs(3600)),
    );
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Tokens>::new()));
    let sink = seen.clone();
    let client = oauth_client_for(&server, app, stored)
        .on_new_tokens(move |t| sink.lock().unwrap().push(t.clone()))
        .build()
        .unwrap();
    tokio::time::advance(Duration::from_secs(11)).await;
    client
        .customer_invoices()
        .list()
        .collect_all()
        .await
        .unwrap(); // after 401s
    tokio::time::advance(Duration::from_secs(11)).await;
    client
        .customer_invoices()
        .list()
        .collect_all()
        .await
        .unwrap(); // before expiry
    server.revoke_oauth_grants();
    tokio::time::advance(Duration::from_secs(11)).await;
    let err = client
        .customer_invoices()
        .list()
        .collect_all()
        .await
        .unwrap_err();
    tracing::error!(%err, ?client, "the application logs the failure and the client");

    for t in seen.lock().unwrap().iter() {
        secrets.push(t.access_token().to_owned());
        secrets.push(t.refresh_token().to_owned());
    }
    assert_eq!(secrets.len(), 7, "two refreshes, both rotated");
    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(logs.contains("OAuth access token refreshed"), "{logs}");
    assert!(logs.contains("connect the app again"), "{logs}");
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a secret leaked into:\n{logs}"
        );
    }
}

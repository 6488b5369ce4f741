//! What the mock does not do on purpose: a proxy's HTML error page, a redirect to
//! another origin.

use crate::common;

use std::time::Duration;

use common::{client_at, http_response, raw_server, within};
use mijnklantportaal::{Error, RetryPolicy};

/// An HTML 502 from a proxy keeps its status: it is retried, and the message says what
/// came back.
#[tokio::test]
async fn a_proxy_error_page_is_a_retried_502_with_its_text() {
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let (addr, seen) = raw_server(
        "127.0.0.1:0",
        http_response("502 Bad Gateway", &[("content-type", "text/html")], html),
    )
    .await;
    let client = client_at(addr)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    let err = within(10, client.customer_invoices().list().collect_all())
        .await
        .unwrap_err();
    match &err {
        Error::RetriesExhausted {
            attempts: 3, last, ..
        } => match &**last {
            Error::Api {
                status: 502,
                message: Some(m),
            } => assert!(m.contains("502 Bad Gateway"), "{m}"),
            other => panic!("expected the 502, got {other:?}"),
        },
        other => panic!("expected retries exhausted, got {other:?}"),
    }
    assert_eq!(seen.lock().unwrap().len(), 3);
}

/// A redirect to another origin is not followed: nothing reaches that origin.
#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() {
    // Another port is another origin; binding 127.0.0.2 would fail on macOS, where
    // only 127.0.0.1 is configured by default.
    let (elsewhere, elsewhere_seen) =
        raw_server("127.0.0.1:0", http_response("200 OK", &[], "{}")).await;
    let location = format!("http://{elsewhere}/v1/customer-invoices?page=1");
    let (addr, _) = raw_server(
        "127.0.0.1:0",
        http_response("302 Found", &[("location", &location)], ""),
    )
    .await;
    let client = client_at(addr).build().unwrap();
    let err = within(10, client.customer_invoices().list().collect_all())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(302), "{err:?}");
    assert!(
        elsewhere_seen.lock().unwrap().is_empty(),
        "nothing went elsewhere"
    );
}

/// 403, 404 and 422 map to their errors with the server's message, and are not retried.
#[tokio::test]
async fn client_errors_are_typed_and_not_retried() {
    for (status, reason, body) in [
        (
            403,
            "Forbidden",
            r#"{"message": "This action is unauthorized."}"#,
        ),
        (404, "Not Found", r#"{"message": "Not Found"}"#),
        (
            422,
            "Unprocessable Content",
            r#"{"message": "The page field must be an integer.", "errors": {"page": ["The page field must be an integer."]}}"#,
        ),
    ] {
        let (addr, seen) = raw_server(
            "127.0.0.1:0",
            http_response(
                &format!("{status} {reason}"),
                &[("content-type", "application/json")],
                body,
            ),
        )
        .await;
        let client = client_at(addr).build().unwrap();
        let err = within(10, client.customer_invoices().list().collect_all())
            .await
            .unwrap_err();
        match (status, &err) {
            (403, Error::Forbidden { message: Some(m) }) => {
                assert_eq!(m, "This action is unauthorized.")
            }
            (404, Error::NotFound { message: Some(m) }) => assert_eq!(m, "Not Found"),
            (422, Error::Validation { message, errors }) => {
                assert!(
                    message
                        .as_deref()
                        .is_some_and(|m| m.contains("must be an integer"))
                );
                assert_eq!(errors["page"], ["The page field must be an integer."]);
                assert_eq!(
                    err.to_string(),
                    "the API refused the data (422): page: The page field must be an integer."
                );
            }
            _ => panic!("{status}: unexpected {err:?}"),
        }
        assert_eq!(seen.lock().unwrap().len(), 1, "{status} is not retried");
    }
}

/// A 429 whose wait would outlast the retry budget fails at once, saying how long the
/// server asked to wait, instead of sleeping past the budget.
#[tokio::test]
async fn a_429_longer_than_the_budget_fails_at_once() {
    let body = r#"{"code": 429, "message": "Too many requests."}"#;
    let (addr, seen) = raw_server(
        "127.0.0.1:0",
        http_response(
            "429 Too Many Requests",
            &[("content-type", "application/json"), ("retry-after", "600")],
            body,
        ),
    )
    .await;
    let client = client_at(addr)
        .retry_policy(RetryPolicy::default().max_elapsed(Duration::from_secs(30)))
        .build()
        .unwrap();
    let err = within(10, client.customer_invoices().list().collect_all())
        .await
        .unwrap_err();
    match &err {
        Error::RetriesExhausted {
            attempts: 1, last, ..
        } => match &**last {
            Error::RateLimited {
                retry_after: Some(wait),
            } => assert_eq!(*wait, Duration::from_secs(600)),
            other => panic!("expected the 429, got {other:?}"),
        },
        other => panic!("expected retries exhausted, got {other:?}"),
    }
    assert!(
        err.report().to_string().contains("600.0s"),
        "{}",
        err.report()
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
}

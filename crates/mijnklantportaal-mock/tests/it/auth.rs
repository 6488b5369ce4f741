//! Authentication: every way of not presenting the right token ends in Laravel's 401.

use mijnklantportaal_mock::MockServer;
use serde_json::{Value, json};

use crate::common::{bounded, get, http, start, status};

/// Status and body of a list request with `authorization` as the raw header value.
async fn with_header(server: &MockServer, authorization: Option<&[u8]>) -> (u16, Value) {
    let mut request = http().get(format!("{}/customer-invoices", server.base_url()));
    if let Some(value) = authorization {
        request = request.header(
            "authorization",
            reqwest::header::HeaderValue::from_bytes(value).unwrap(),
        );
    }
    let response = bounded(request.send()).await.unwrap();
    let status = response.status().as_u16();
    (status, bounded(response.json()).await.unwrap())
}

#[tokio::test]
async fn every_bad_credential_gets_401() {
    let server = start(5).await;
    let unauthenticated = json!({ "message": "Unauthenticated." });
    let bad: [Option<&[u8]>; 9] = [
        None,
        Some(b"Basic dGVzdDp0ZXN0"),
        Some(b"Bearer"),
        Some(b"Bearer "),
        Some(b"Bearer wrong"),
        Some(b"Bearer test2"),
        Some(b"Bearer  test"),
        Some(b"test"),
        Some(b"Bearer \xfftest"),
    ];
    for header in bad {
        assert_eq!(
            with_header(&server, header).await,
            (401, unauthenticated.clone()),
            "{:?}",
            header.map(String::from_utf8_lossy)
        );
    }
    assert_eq!(server.stats().unauthorized, bad.len() as u64);
    // Laravel's bearerToken() is case-insensitive about the scheme and stops at a comma.
    for good in [&b"Bearer test"[..], b"bearer test", b"BEARER test,extra"] {
        assert_eq!(with_header(&server, Some(good)).await.0, 200);
    }
}

#[tokio::test]
async fn the_token_can_be_swapped_and_revoked() {
    let server = MockServer::builder()
        .invoices(5)
        .token("first")
        .no_rate_limit()
        .start()
        .await
        .unwrap();
    assert_eq!(
        status(&server, "/v1/customer-invoices", Some("first")).await,
        200
    );
    server.set_token(Some("second".into()));
    assert_eq!(
        status(&server, "/v1/customer-invoices", Some("first")).await,
        401
    );
    assert_eq!(
        status(&server, "/v1/customer-invoices", Some("second")).await,
        200
    );
    server.set_token(None);
    assert_eq!(
        status(&server, "/v1/customer-invoices", Some("second")).await,
        401
    );
    assert_eq!(
        status(&server, "/v1/customer-invoices", Some("")).await,
        401
    );
}

#[tokio::test]
async fn a_token_can_expire_after_some_requests() {
    let server = MockServer::builder()
        .invoices(5)
        .token_valid_for(3)
        .no_rate_limit()
        .start()
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            status(&server, "/v1/customer-invoices", Some("test")).await,
            200
        );
    }
    // Failed attempts do not use the allowance; the fourth good one is refused.
    assert_eq!(
        status(&server, "/v1/customer-invoices", Some("nope")).await,
        401
    );
    let expired = get(&server, "/v1/customer-invoices", Some("test")).await;
    assert_eq!(expired.status(), 401);
    assert_eq!(
        expired.json::<Value>().await.unwrap(),
        json!({ "message": "Unauthenticated." })
    );
    // A refreshed token gets a fresh allowance.
    server.set_token(Some("refreshed".into()));
    assert_eq!(
        status(&server, "/v1/customer-invoices", Some("refreshed")).await,
        200
    );
    assert_eq!(server.stats().unauthorized, 2);
}

#[tokio::test]
async fn the_token_is_never_echoed() {
    let server = MockServer::builder()
        .invoices(5)
        .token("s3cret-token")
        .start()
        .await
        .unwrap();
    for token in ["s3cret-token", "wrong-s3cret"] {
        let response = get(&server, "/v1/customer-invoices", Some(token)).await;
        let headers = format!("{:?}", response.headers());
        let body = response.text().await.unwrap();
        assert!(!body.contains("s3cret") && !headers.contains("s3cret"));
    }
    assert!(!format!("{server:?}").contains("s3cret"));
    assert!(!format!("{:?}", MockServer::builder().token("s3cret-token")).contains("s3cret"));
}

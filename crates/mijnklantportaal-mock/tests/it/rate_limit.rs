//! Rate limiting: a fixed window per token, headers on every response, the documented 429.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mijnklantportaal_mock::MockServer;
use serde_json::{Value, json};

use crate::common::{api, bounded, get};

const WINDOW: Duration = Duration::from_millis(300);

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

async fn small_window(fractional: bool) -> MockServer {
    MockServer::builder()
        .invoices(30)
        .rate_limit(5, WINDOW)
        .fractional_retry_after(fractional)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn counts_down_refuses_and_resets() {
    let server = small_window(false).await;
    for remaining in (0..5).rev() {
        let response = get(&server, "/v1/customer-invoices", Some("test")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "x-ratelimit-limit").as_deref(), Some("5"));
        assert_eq!(
            header(&response, "x-ratelimit-remaining"),
            Some(remaining.to_string())
        );
        assert_eq!(header(&response, "retry-after"), None);
    }
    let refused = get(&server, "/v1/customer-invoices", Some("test")).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(header(&refused, "x-ratelimit-limit").as_deref(), Some("5"));
    assert_eq!(
        header(&refused, "x-ratelimit-remaining").as_deref(),
        Some("0")
    );
    assert_eq!(header(&refused, "retry-after").as_deref(), Some("1"));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let reset: u64 = header(&refused, "x-ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!((now..=now + 2).contains(&reset), "reset {reset}, now {now}");
    assert_eq!(
        refused.json::<Value>().await.unwrap(),
        json!({ "code": 429, "message": "Too many requests." })
    );
    // Refused requests do not extend the window.
    get(&server, "/v1/customer-invoices", Some("test")).await;
    assert_eq!(server.stats().served_429, 2);

    tokio::time::sleep(WINDOW + Duration::from_millis(50)).await;
    let again = get(&server, "/v1/customer-invoices", Some("test")).await;
    assert_eq!(again.status(), 200);
    assert_eq!(
        header(&again, "x-ratelimit-remaining").as_deref(),
        Some("4")
    );
}

#[tokio::test]
async fn fractional_retry_after_for_short_windows() {
    let server = small_window(true).await;
    for _ in 0..5 {
        get(&server, "/v1/customer-invoices", Some("test")).await;
    }
    let refused = get(&server, "/v1/customer-invoices", Some("test")).await;
    assert_eq!(refused.status(), 429);
    let retry_after: f64 = header(&refused, "retry-after").unwrap().parse().unwrap();
    assert!(retry_after > 0.0 && retry_after <= 0.3, "{retry_after}");
    tokio::time::sleep(Duration::from_secs_f64(retry_after) + Duration::from_millis(20)).await;
    assert_eq!(
        get(&server, "/v1/customer-invoices", Some("test"))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn every_response_carries_the_headers_and_throttling_comes_before_auth() {
    let server = small_window(false).await;
    let answers = [
        ("/v1/customer-invoices", None, 401),
        ("/v1/xyz", None, 404),
        (
            "/v1/customer-invoices/inv_00000000000000",
            Some("test"),
            404,
        ),
    ];
    for (i, (path, token, status)) in answers.into_iter().enumerate() {
        let response = get(&server, path, token).await;
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(header(&response, "x-ratelimit-limit").as_deref(), Some("5"));
        assert!(
            header(&response, "x-ratelimit-remaining").is_some(),
            "{path}"
        );
        if token.is_none() {
            assert_eq!(
                header(&response, "x-ratelimit-remaining"),
                Some((4 - i).to_string())
            );
        }
    }
    let post = bounded(
        crate::common::http()
            .post(format!("{}/customer-invoices", server.base_url()))
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(post.status(), 405);
    assert_eq!(header(&post, "x-ratelimit-remaining").as_deref(), Some("2"));
    // Anonymous requests share a bucket: exhaust it, then even a 401 becomes a 429.
    get(&server, "/v1/customer-invoices", None).await;
    get(&server, "/v1/customer-invoices", None).await;
    let throttled = get(&server, "/v1/customer-invoices", None).await;
    assert_eq!(throttled.status(), 429);
    // Another token has its own window, even a wrong one.
    let other = get(&server, "/v1/customer-invoices", Some("someone-else")).await;
    assert_eq!(other.status(), 401);
    assert_eq!(
        header(&other, "x-ratelimit-remaining").as_deref(),
        Some("4")
    );
}

#[tokio::test]
async fn the_generated_client_sees_a_429_error_body() {
    let server = MockServer::builder()
        .invoices(30)
        .rate_limit(1, Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    let api = api(&server);
    bounded(api.list_customer_invoices().send()).await.unwrap();
    let error = bounded(api.list_customer_invoices().send())
        .await
        .unwrap_err();
    let mijnklantportaal_api::Error::ErrorResponse(response) = error else {
        panic!("expected an error response, got {error:?}");
    };
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "30");
    assert_eq!(response.code, Some(429));
    assert_eq!(response.message.as_deref(), Some("Too many requests."));
}

#[tokio::test]
async fn no_rate_limit_means_no_headers() {
    let server = MockServer::builder()
        .invoices(3)
        .no_rate_limit()
        .start()
        .await
        .unwrap();
    for _ in 0..70 {
        let response = get(&server, "/v1/customer-invoices", Some("test")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "x-ratelimit-limit"), None);
    }
}

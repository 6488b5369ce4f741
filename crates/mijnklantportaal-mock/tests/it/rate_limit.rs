//! Rate limiting: a fixed window per token, headers on every response, the documented 429.
//!
//! Windows are short but not tight: the machine may be busy, so every assertion that
//! needs requests to land inside one window gets a window of seconds, and only the
//! reset checks wait for a window to end.

use std::time::Duration;

use mijnklantportaal_mock::{MockAccount, MockServer};
use serde_json::{Value, json};

use crate::common::{api, bounded, get_with, http, start};

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

async fn limited(limit: u32, window: Duration, fractional: bool) -> MockServer {
    MockServer::builder()
        .invoices(30)
        .rate_limit(limit, window)
        .fractional_retry_after(fractional)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn counts_down_and_refuses_with_the_documented_429() {
    let server = limited(5, Duration::from_secs(5), false).await;
    let client = http();
    for remaining in (0..5).rev() {
        let response = get_with(&client, &server, "/v1/customer-invoices", Some("test")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "x-ratelimit-limit").as_deref(), Some("5"));
        assert_eq!(
            header(&response, "x-ratelimit-remaining"),
            Some(remaining.to_string())
        );
        assert_eq!(header(&response, "retry-after"), None);
    }
    let refused = get_with(&client, &server, "/v1/customer-invoices", Some("test")).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(header(&refused, "x-ratelimit-limit").as_deref(), Some("5"));
    assert_eq!(
        header(&refused, "x-ratelimit-remaining").as_deref(),
        Some("0")
    );
    let retry_after: u64 = header(&refused, "retry-after").unwrap().parse().unwrap();
    assert!((1..=5).contains(&retry_after), "{retry_after}");
    let now = server.now().timestamp();
    let reset: i64 = header(&refused, "x-ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!((now..=now + 6).contains(&reset), "reset {reset}, now {now}");
    assert_eq!(
        refused.json::<Value>().await.unwrap(),
        json!({ "code": 429, "message": "Too many requests." })
    );
    let again = get_with(&client, &server, "/v1/customer-invoices", Some("test")).await;
    assert_eq!(again.status(), 429);
    assert_eq!(server.stats().served_429, 2);
}

#[tokio::test(start_paused = true)]
async fn a_short_window_resets_and_retry_after_rounds_up() {
    // 5 per 300 ms, as tests of pacing use it; on tokio's paused clock the five
    // always fit in one window.
    let window = Duration::from_millis(300);
    let server = limited(5, window, false).await;
    let client = http();
    for _ in 0..5 {
        let ok = get_with(&client, &server, "/v1/customer-invoices", Some("test")).await;
        assert_eq!(ok.status(), 200);
    }
    let refused = get_with(&client, &server, "/v1/customer-invoices", Some("test")).await;
    assert_eq!(refused.status(), 429);
    // Under a second left: rounded up to 1, like Laravel's whole seconds.
    assert_eq!(header(&refused, "retry-after").as_deref(), Some("1"));
    tokio::time::sleep(window).await;
    let again = get_with(&client, &server, "/v1/customer-invoices", Some("test")).await;
    assert_eq!(again.status(), 200);
    assert_eq!(
        header(&again, "x-ratelimit-remaining").as_deref(),
        Some("4")
    );
}

#[tokio::test(start_paused = true)]
async fn fractional_retry_after_is_the_time_left() {
    let window = Duration::from_millis(1_000);
    let server = limited(2, window, true).await;
    let client = http();
    get_with(&client, &server, "/v1/customer-invoices", Some("test")).await;
    get_with(&client, &server, "/v1/customer-invoices", Some("test")).await;
    let refused = get_with(&client, &server, "/v1/customer-invoices", Some("test")).await;
    assert_eq!(refused.status(), 429);
    let text = header(&refused, "retry-after").unwrap();
    assert_eq!(
        text.split_once('.').map(|(_, d)| d.len()),
        Some(3),
        "{text}"
    );
    let retry_after: f64 = text.parse().unwrap();
    assert_eq!(retry_after, 1.0, "no time passed on the paused clock");
    tokio::time::sleep(Duration::from_secs_f64(retry_after)).await;
    let again = get_with(&client, &server, "/v1/customer-invoices", Some("test")).await;
    assert_eq!(again.status(), 200);
}

#[tokio::test]
async fn every_response_carries_the_headers_and_throttling_comes_before_auth() {
    let server = limited(5, Duration::from_secs(5), false).await;
    let client = http();
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
        let response = get_with(&client, &server, path, token).await;
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
        client
            .delete(format!("{}/customer-invoices", server.base_url()))
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(post.status(), 405);
    assert_eq!(header(&post, "x-ratelimit-remaining").as_deref(), Some("2"));
    // Anonymous requests share a bucket: exhaust it, then even a 401 becomes a 429.
    get_with(&client, &server, "/v1/customer-invoices", None).await;
    get_with(&client, &server, "/v1/customer-invoices", None).await;
    let throttled = get_with(&client, &server, "/v1/customer-invoices", None).await;
    assert_eq!(throttled.status(), 429);
    // Another token has its own window, even a wrong one.
    let other = get_with(
        &client,
        &server,
        "/v1/customer-invoices",
        Some("someone-else"),
    )
    .await;
    assert_eq!(other.status(), 401);
    assert_eq!(
        header(&other, "x-ratelimit-remaining").as_deref(),
        Some("4")
    );
}

#[tokio::test]
async fn the_generated_client_sees_a_429_error_body() {
    let server = limited(1, Duration::from_secs(30), false).await;
    let api = api(&server);
    bounded(api.list_customer_invoices().send()).await.unwrap();
    let error = bounded(api.list_customer_invoices().send())
        .await
        .unwrap_err();
    let mijnklantportaal_api::Error::ErrorResponse(response) = error else {
        panic!("expected an error response, got {error:?}");
    };
    assert_eq!(response.status().as_u16(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((25..=30).contains(&retry_after), "{retry_after}");
    assert_eq!(response.code, Some(429));
    assert_eq!(response.message.as_deref(), Some("Too many requests."));
}

#[tokio::test]
async fn no_rate_limit_means_no_headers() {
    let server = start(3).await;
    let client = http();
    for _ in 0..70 {
        let response = get_with(&client, &server, "/v1/customer-invoices", Some("test")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "x-ratelimit-limit"), None);
    }
}

#[tokio::test]
async fn accounts_have_their_own_invoices_and_rate_limits() {
    let portal_b = MockAccount::new("portal-b").invoices(20);
    let server = MockServer::builder()
        .account(MockAccount::new("portal-a").invoices(3))
        .account(portal_b.rate_limit(1, Duration::from_secs(60)))
        .start()
        .await
        .unwrap();
    let client = http();
    let list = |token| get_with(&client, &server, "/v1/customer-invoices", Some(token));
    let a: Value = bounded(list("portal-a").await.json()).await.unwrap();
    assert_eq!(a["data"].as_array().map(Vec::len), Some(3));
    assert_eq!(list("portal-b").await.status(), 200);
    assert_eq!(list("portal-b").await.status(), 429, "portal-b's own limit");
    assert_eq!(list("portal-a").await.status(), 200, "not portal-a's");
    assert_eq!(
        server.account_stats("portal-b").map(|s| s.served_429),
        Some(1)
    );
    assert_eq!(server.account_dataset("portal-a").map(|d| d.len()), Some(3));
}

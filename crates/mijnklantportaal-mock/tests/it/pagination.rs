//! Page selection like Laravel: invalid pages serve page 1, huge pages never overflow,
//! past the end is an empty page; quirks and public URLs.

use mijnklantportaal_mock::{MockServer, Quirks};
use serde_json::json;

use crate::common::{bounded, get_json, http_with_token, page_url, start};

#[tokio::test]
async fn invalid_pages_serve_page_one() {
    let server = start(40).await;
    let page_one = server.page_json(1, &server.origin());
    for query in [
        "",
        "?page",
        "?page=",
        "?page=0",
        "?page=-1",
        "?page=-9223372036854775808",
        "?page=abc",
        "?page=2,",
        "?page=2%2C",
        "?page=02",
        "?page=1.5",
        "?page=2e1",
        "?page=0x2",
        "?page=99999999999999999999",
        "?page=9223372036854775808",
        "?page[]=2",
        "?page[a]=2",
        "?page=%00",
        "?page=%ZZ",
        "?page=%F0%9F%92%A5",
        "?pag=2",
        "?&&&==&=",
    ] {
        let (status, _, body) = get_json(&server, &format!("/v1/customer-invoices{query}")).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(body, page_one, "{query}");
    }
}

#[tokio::test]
async fn valid_spellings_of_a_page_number() {
    let server = start(40).await;
    for (query, page) in [
        ("?page=2", 2),
        ("?page=+2", 2),
        ("?page=%202%20", 2),
        ("?page=+3", 3),
        ("?page=1&page=3", 3),
        ("?page[]=1&page=2", 2),
        ("?per_page=100&page=2", 2),
    ] {
        let (_, _, body) = get_json(&server, &format!("/v1/customer-invoices{query}")).await;
        assert_eq!(body["current_page"], page, "{query}");
        assert_eq!(body["per_page"], 15, "{query}: per_page is not a parameter");
    }
}

#[tokio::test]
async fn past_the_end_and_huge_pages() {
    let server = start(20).await;
    let origin = server.origin();
    let (_, _, body) = get_json(&server, "/v1/customer-invoices?page=1000").await;
    assert_eq!(
        body,
        json!({
            "current_page": 1000,
            "data": [],
            "first_page_url": page_url(&origin, 1),
            "from": null,
            "next_page_url": null,
            "path": format!("{origin}/v1/customer-invoices"),
            "per_page": 15,
            "prev_page_url": page_url(&origin, 999),
            "to": null,
        })
    );
    let max = i64::MAX as u64;
    let (status, _, body) = get_json(&server, &format!("/v1/customer-invoices?page={max}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["current_page"], max);
    assert_eq!(body["data"], json!([]));
    assert_eq!(body["prev_page_url"], page_url(&origin, max - 1));

    // A dataset too large to page through still answers its last page.
    let huge = MockServer::builder()
        .invoices(u64::MAX)
        .per_page(u64::MAX / 2)
        .no_rate_limit()
        .start()
        .await
        .unwrap();
    let (status, _, body) = get_json(&huge, "/v1/customer-invoices?page=3").await;
    assert_eq!(status, 200);
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        (&body["from"], &body["to"]),
        (&json!(u64::MAX), &json!(u64::MAX))
    );
    assert_eq!(body["next_page_url"], json!(null));
    // The offset of page 4 does not fit in 64 bits: past the end, no overflow.
    let (status, _, body) = get_json(&huge, "/v1/customer-invoices?page=4").await;
    assert_eq!(status, 200);
    assert_eq!(body["data"], json!([]));
}

#[tokio::test]
async fn quirks_are_what_the_vendor_documents() {
    let server = MockServer::builder()
        .invoices(40)
        .quirks(Quirks {
            trailing_comma_next_page_url: true,
            per_page_as_string: true,
        })
        .no_rate_limit()
        .start()
        .await
        .unwrap();
    let origin = server.origin();
    let (_, _, body) = get_json(&server, "/v1/customer-invoices").await;
    assert_eq!(
        body["next_page_url"],
        format!("{}{}", page_url(&origin, 2), ",")
    );
    assert_eq!(body["per_page"], "15");
    // The trap: following next_page_url literally serves page 1 again.
    let next = body["next_page_url"].as_str().unwrap().to_owned();
    let again: serde_json::Value =
        bounded(async { http_with_token("test").get(next).send().await?.json().await })
            .await
            .unwrap();
    assert_eq!(again["current_page"], 1);
    assert_eq!(again["data"], body["data"]);
}

#[tokio::test]
async fn page_urls_use_the_host_or_the_public_url() {
    let server = start(40).await;
    let client = http_with_token("test");
    let url = format!("{}/customer-invoices?page=2", server.base_url());
    let with_host = |host: &'static str| {
        let request = client.get(&url).header("host", host);
        async move {
            bounded(async { request.send().await?.json::<serde_json::Value>().await })
                .await
                .unwrap()
        }
    };
    let body = with_host("api.example:8443").await;
    assert_eq!(
        body["next_page_url"],
        "http://api.example:8443/v1/customer-invoices?page=3"
    );
    // A Host that cannot be part of a URL is not trusted.
    let body = with_host("evil/x y").await;
    assert_eq!(
        body["path"],
        format!("{}/v1/customer-invoices", server.origin())
    );

    let proxied = MockServer::builder()
        .invoices(40)
        .public_url("http://127.0.0.2:9999/")
        .no_rate_limit()
        .start()
        .await
        .unwrap();
    let (_, _, body) = get_json(&proxied, "/v1/customer-invoices?page=2").await;
    assert_eq!(
        body["first_page_url"],
        "http://127.0.0.2:9999/v1/customer-invoices?page=1"
    );
    assert_eq!(
        body["next_page_url"],
        "http://127.0.0.2:9999/v1/customer-invoices?page=3"
    );
    assert_eq!(
        body["prev_page_url"],
        "http://127.0.0.2:9999/v1/customer-invoices?page=1"
    );
    assert_eq!(body["path"], "http://127.0.0.2:9999/v1/customer-invoices");
    let customer = body["data"][0]["links"]["customer"]["href"]
        .as_str()
        .unwrap();
    assert!(
        customer.starts_with("http://127.0.0.2:9999/v1/customers/cst_"),
        "{customer}"
    );
}

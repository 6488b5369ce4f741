//! Write safety at the edges (issue 17): streamed uploads are sent, once; what proves
//! that the server did nothing (408, the API's own maintenance 503) and what does not
//! (a proxy's 503). Adding customers to a group, now a once-only write, is tested with
//! its tag (`tags/customer_groups.rs`). Against the mock on loopback, or a scripted
//! server for the answers the mock does not give, on tokio's paused clock.

use crate::common;

use std::time::Duration;

use common::http_script::HttpScript;
use common::{client_at, client_for, customer_ids, http_response, mock, requests_to};
use mijnklantportaal::{Client, CreateCustomer, CustomerId, Error, FilePart};

const CSV: &str = "product,price\nhosting,12.95\n";

/// The API's maintenance answer (Laravel's `php artisan down`): before any route
/// middleware, so without the rate limiter's headers.
fn maintenance() -> String {
    http_response(
        "503 Service Unavailable",
        &[("content-type", "application/json"), ("retry-after", "60")],
        r#"{"message": "Service Unavailable"}"#,
    )
}

/// A load balancer's 503 page.
fn proxy_503() -> String {
    http_response(
        "503 Service Unavailable",
        &[("content-type", "text/html")],
        "<html><body><h1>503 Service Unavailable</h1>No server is available to handle this request.</body></html>",
    )
}

/// A file given as a stream: `try_clone` cannot copy it.
fn streamed_csv() -> FilePart {
    let chunks = CSV
        .split_inclusive('\n')
        .map(|line| Ok::<_, std::io::Error>(line.to_owned()))
        .collect::<Vec<_>>();
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let part = FilePart::stream("prices.csv", body, Some(CSV.len() as u64)).media_type("text/csv");
    assert!(part.try_clone().is_none(), "a stream");
    part
}

fn new_customer(client: &Client) -> CreateCustomer<'_> {
    client
        .customers()
        .create()
        .company_name("Voorbeeld BV")
        .address("Teststraat 1")
        .zip_code("1234AB")
        .city("Amsterdam")
        .primary_email("facturen@voorbeeld.nl")
}

/// A customer as the API answers it, taken from the mock.
async fn customer_json() -> String {
    let server = mock(1, |b| b).await;
    let id = &customer_ids(&server, 1)[0];
    reqwest::Client::new()
        .get(format!("{}/customers/{id}", server.base_url()))
        .bearer_auth(common::TOKEN)
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("a body")
}

/// A file as the API answers an upload, taken from the mock.
async fn file_json() -> String {
    let server = mock(1, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let bytes = FilePart::bytes("prices.csv", CSV).media_type("text/csv");
    let file = client.files().upload().file(bytes).await.expect("uploaded");
    reqwest::Client::new()
        .get(format!("{}/files/{}", server.base_url(), file.id))
        .bearer_auth(common::TOKEN)
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("a body")
}

fn created(json: &str) -> String {
    http_response("201 Created", &[("content-type", "application/json")], json)
}

#[tokio::test(start_paused = true)]
async fn a_streamed_upload_is_sent() {
    let server = mock(1, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let file = client
        .files()
        .upload()
        .file(streamed_csv())
        .await
        .expect("the stream is sent by the first attempt");
    assert_eq!(file.size, Some(CSV.len() as i64), "{file:?}");
    assert_eq!(requests_to(&server, reqwest::Method::POST, "/v1/files"), 1);
}

/// The server's rate limiter refuses a streamed upload: it is not sent again (the
/// stream is used up), and the error says it was the 429.
#[tokio::test(start_paused = true)]
async fn a_streamed_upload_answered_429_names_the_429() {
    let server = mock(1, |b| b.rate_limit(1, Duration::from_secs(60))).await;
    let client = client_for(&server).build().expect("a client");
    let id = CustomerId::from(customer_ids(&server, 1)[0].as_str());
    client
        .customers()
        .get(&id)
        .await
        .expect("the window's one request");

    let err = client
        .files()
        .upload()
        .file(streamed_csv())
        .await
        .expect_err("rate limited");
    assert!(
        matches!(&err, Error::NotResent { last, .. } if matches!(**last, Error::RateLimited { .. })),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(429));
    assert!(err.is_transient() && err.proves_not_processed());
    let text = err.to_string();
    assert!(text.contains("429") && text.contains("stream"), "{text}");
    assert_eq!(requests_to(&server, reqwest::Method::POST, "/v1/files"), 1);
}

/// The API in maintenance refuses a streamed upload: one request, and the error
/// names the 503, not the configuration.
#[tokio::test(start_paused = true)]
async fn a_streamed_upload_answered_503_names_the_503() {
    let script = HttpScript::start(vec![maintenance()]).await;
    let client = client_at(script.addr).build().expect("a client");
    let err = client
        .files()
        .upload()
        .file(streamed_csv())
        .await
        .expect_err("in maintenance");
    assert!(
        matches!(&err, Error::NotResent { last, .. } if matches!(**last, Error::Maintenance { .. })),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(503));
    assert!(err.to_string().contains("503"), "{err}");
    let seen = script.seen();
    assert_eq!(seen.len(), 1);
    let body = String::from_utf8_lossy(&seen[0].body);
    assert!(body.contains(CSV), "the stream went out whole: {body}");

    // The same file in memory is sent again after the maintenance answer.
    let file = file_json().await;
    let script = HttpScript::start(vec![maintenance(), created(&file)]).await;
    let client = client_at(script.addr).build().expect("a client");
    let bytes = FilePart::bytes("prices.csv", CSV).media_type("text/csv");
    client
        .files()
        .upload()
        .file(bytes)
        .await
        .expect("sent again");
    let seen = script.seen();
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert!(
            String::from_utf8_lossy(&request.body).contains(CSV),
            "the file each time"
        );
    }
}

/// Only the API's own maintenance answer proves a create was not applied: it is sent
/// again. A proxy's 503, or a 503 that went through the API's rate limiter (it has
/// its headers), proves nothing: `MaybeApplied`, sent once.
#[tokio::test(start_paused = true)]
async fn only_the_apis_maintenance_503_lets_a_create_be_sent_again() {
    let customer = customer_json().await;

    let script = HttpScript::start(vec![maintenance(), created(&customer)]).await;
    let client = client_at(script.addr).build().expect("a client");
    let made = new_customer(&client)
        .await
        .expect("sent again after maintenance");
    assert!(made.id.starts_with("cst_"));
    assert_eq!(script.seen().len(), 2);

    let app_503 = http_response(
        "503 Service Unavailable",
        &[
            ("content-type", "application/json"),
            ("x-ratelimit-limit", "60"),
            ("x-ratelimit-remaining", "59"),
        ],
        r#"{"message": "Service Unavailable"}"#,
    );
    for first in [proxy_503(), app_503] {
        let script = HttpScript::start(vec![first, created(&customer)]).await;
        let client = client_at(script.addr).build().expect("a client");
        let err = new_customer(&client)
            .await
            .expect_err("may have been applied");
        assert!(
            matches!(&err, Error::MaybeApplied { last, .. } if last.status() == Some(503)),
            "{err:?}"
        );
        assert_eq!(script.seen().len(), 1, "not sent again");
    }
}

/// 408: the server did not receive the whole request, so a create is sent again.
#[tokio::test(start_paused = true)]
async fn a_create_answered_408_is_sent_again() {
    let customer = customer_json().await;
    let timeout = http_response(
        "408 Request Timeout",
        &[("content-type", "text/html")],
        "<html><body>Request Timeout</body></html>",
    );
    let script = HttpScript::start(vec![timeout, created(&customer)]).await;
    let client = client_at(script.addr).build().expect("a client");
    new_customer(&client).await.expect("sent again");
    assert_eq!(script.seen().len(), 2);
}

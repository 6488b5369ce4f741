//! Helpers shared by the integration tests: bounded waits and HTTP clients.

use std::future::Future;
use std::time::Duration;

use mijnklantportaal_mock::{MockServer, MockServerBuilder};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde_json::Value;

/// Longest any single test step may take.
const STEP_LIMIT: Duration = Duration::from_secs(10);

/// Runs `future`, failing the test if it takes longer than [`STEP_LIMIT`].
pub async fn bounded<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(STEP_LIMIT, future)
        .await
        .expect("test step took longer than its time limit")
}

/// A mock with `invoices` invoices and no rate limit, on an ephemeral loopback port.
pub async fn start(invoices: u64) -> MockServer {
    start_with(invoices, |b| b).await
}

/// Like [`start`], with more settings.
pub async fn start_with(
    invoices: u64,
    customize: impl FnOnce(MockServerBuilder) -> MockServerBuilder,
) -> MockServer {
    customize(MockServer::builder().invoices(invoices).no_rate_limit())
        .start()
        .await
        .expect("the mock server starts")
}

/// `GET {origin}{path_and_query}` on a fresh client, returning the status only.
pub async fn status(server: &MockServer, path_and_query: &str, token: Option<&str>) -> u16 {
    get(server, path_and_query, token).await.status().as_u16()
}

/// A plain HTTP client with a timeout and its own connection pool.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("reqwest client")
}

/// An HTTP client that sends `Authorization: Bearer <token>` on every request.
pub fn http_with_token(token: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).expect("header value"),
    );
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .default_headers(headers)
        .build()
        .expect("reqwest client")
}

/// The generated client, pointed at `server`, authenticated with `test`.
pub fn api(server: &MockServer) -> mijnklantportaal_api::Client {
    let auth = mijnklantportaal_api::Auth::bearer("test").expect("usable token");
    mijnklantportaal_api::Client::new_with_client(&server.base_url(), http(), auth)
}

/// `GET {origin}{path_and_query}` with an optional bearer token, on a fresh client.
pub async fn get(
    server: &MockServer,
    path_and_query: &str,
    token: Option<&str>,
) -> reqwest::Response {
    get_with(&http(), server, path_and_query, token).await
}

/// `GET {origin}{path_and_query}` with an optional bearer token, on `client` (reuse one
/// client where timing matters: building a client loads the TLS roots).
pub async fn get_with(
    client: &reqwest::Client,
    server: &MockServer,
    path_and_query: &str,
    token: Option<&str>,
) -> reqwest::Response {
    let mut request = client.get(format!("{}{path_and_query}", server.origin()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    bounded(request.send()).await.expect("request")
}

/// Status, headers and JSON body of `GET {origin}{path_and_query}` with token `test`.
pub async fn get_json(server: &MockServer, path_and_query: &str) -> (u16, HeaderMap, Value) {
    let response = get(server, path_and_query, Some("test")).await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = bounded(response.json::<Value>()).await.expect("JSON body");
    (status, headers, body)
}

/// The URL of list page `page` under `origin`.
pub fn page_url(origin: &str, page: u64) -> String {
    format!("{origin}/v1/customer-invoices?page={page}")
}

/// A small PDF, as a client would upload it.
pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// A valid `POST /v1/customers` body (the vendor's example).
pub fn customer_body() -> Value {
    serde_json::json!({
        "companyName": "Test Company BV",
        "address": "Teststreet 123",
        "zipCode": "1234AB",
        "city": "Amsterdam",
        "primaryEmail": "john.doe@test.com",
    })
}

/// A valid multipart `POST /v1/customer-invoices` body for `customer_id`, with
/// `extra` text parts added (or replacing the defaults: a later part wins).
pub fn invoice_form(customer_id: &str, extra: &[(&str, &str)]) -> reqwest::multipart::Form {
    let mut parts: Vec<(String, String)> = vec![
        ("customerId".into(), customer_id.into()),
        ("invoiceNumber".into(), "2025-777".into()),
        ("issuedAt".into(), "2025-04-29".into()),
        ("amount".into(), "12.95".into()),
    ];
    for (name, value) in extra {
        parts.retain(|(n, _)| n != name);
        parts.push(((*name).into(), (*value).into()));
    }
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in parts {
        form = form.text(name, value);
    }
    form.part("pdf", pdf_part(PDF))
}

/// A file part named `invoice.pdf` holding `bytes`.
pub fn pdf_part(bytes: &[u8]) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(bytes.to_vec())
        .file_name("invoice.pdf")
        .mime_str("application/pdf")
        .expect("a valid media type")
}

/// Sends `request` and returns the status and the JSON body (`Null` if none).
pub async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = bounded(request.send()).await.expect("an answer");
    let status = response.status().as_u16();
    let bytes = bounded(response.bytes()).await.expect("a body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, body)
}

/// Creates a customer with [`customer_body`] and returns its JSON.
pub async fn create_customer(server: &MockServer) -> Value {
    let client = http_with_token("test");
    let url = format!("{}/customers", server.base_url());
    let (status, body) = send(client.post(url).json(&customer_body())).await;
    assert_eq!(status, 201, "{body}");
    body
}

//! Routes, methods and the single-invoice endpoint, with Laravel's answers.

use mijnklantportaal_mock::MockServer;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{bounded, get, get_json, http_with_token, start};

async fn call(
    server: &MockServer,
    method: Method,
    path: &str,
) -> (u16, reqwest::header::HeaderMap, String) {
    let request = http_with_token("test").request(method, format!("{}{path}", server.origin()));
    let response = bounded(request.send()).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, bounded(response.text()).await.unwrap())
}

#[tokio::test]
async fn other_methods_get_405() {
    let server = start(5).await;
    let routes = [
        ("/v1/customer-invoices", "GET, HEAD, POST"),
        ("/v1/customer-invoices/inv_x", "GET, HEAD, PATCH"),
        ("/v1/customer-invoices/manual", "GET, HEAD, POST, PATCH"),
        ("/v1/customer-invoices/inv_x/pdf", "GET, HEAD"),
        ("/v1/customers", "GET, HEAD, POST"),
        ("/v1/customers/cst_x", "GET, HEAD, PATCH"),
        ("/files/token", "GET, HEAD"),
    ];
    let mut refused = 0;
    for (path, supported) in routes {
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            if supported.contains(method.as_str()) {
                continue;
            }
            let (status, headers, body) = call(&server, method.clone(), path).await;
            assert_eq!(status, 405, "{method} {path}");
            assert_eq!(headers["allow"], supported);
            let body: Value = serde_json::from_str(&body).unwrap();
            let route = path.trim_start_matches('/');
            assert_eq!(
                body,
                json!({ "message": format!(
                    "The {method} method is not supported for route {route}. Supported methods: {supported}."
                ) })
            );
            refused += 1;
        }
    }
    // Byte for byte as the brief (and Laravel) has it.
    let (_, _, body) = call(&server, Method::DELETE, "/v1/customer-invoices").await;
    assert_eq!(
        body,
        r#"{"message":"The DELETE method is not supported for route v1/customer-invoices. Supported methods: GET, HEAD, POST."}"#
    );
    let (status, headers, body) = call(&server, Method::OPTIONS, "/v1/customer-invoices").await;
    assert_eq!((status, body.as_str()), (200, ""));
    assert_eq!(headers["allow"], "GET,HEAD,POST");
    let (_, headers, _) = call(&server, Method::OPTIONS, "/v1/customer-invoices/inv_x/pdf").await;
    assert_eq!(headers["allow"], "GET,HEAD");
    assert_eq!(server.stats().method_not_allowed, refused + 1);
}

#[tokio::test]
async fn unknown_routes_get_404() {
    let server = start(5).await;
    for (path, route) in [
        ("/v1/xyz", "v1/xyz"),
        ("/", "/"),
        ("/v1", "v1"),
        ("/v2/customer-invoices", "v2/customer-invoices"),
        ("/v1/customer-invoices/a/b", "v1/customer-invoices/a/b"),
        ("/v1/Customer-Invoices", "v1/Customer-Invoices"),
        ("/v1/%F0%9F%92%A5", "v1/%F0%9F%92%A5"),
    ] {
        // Unknown routes are answered before authentication.
        let response = get(&server, path, None).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body,
            json!({ "message": format!("The route {route} could not be found.") })
        );
    }
    let (status, _, _) = call(&server, Method::DELETE, "/v1/xyz").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn single_invoices() {
    let server = MockServer::builder()
        .invoices(30)
        .seed(3)
        .no_rate_limit()
        .start()
        .await
        .unwrap();
    let dataset = server.dataset();
    let origin = server.origin();
    for index in [0, 17, 29] {
        let invoice = dataset.invoice(index).unwrap();
        let (status, _, body) =
            get_json(&server, &format!("/v1/customer-invoices/{}", invoice.id)).await;
        assert_eq!(status, 200);
        assert_eq!(body, invoice.to_detail_json(&origin));
        assert_eq!(body["links"]["onlinePaymentLink"]["type"], "text/html");
        // Same fields as in the list, plus the payment link.
        let (_, _, page) = get_json(
            &server,
            &format!("/v1/customer-invoices?page={}", index / 15 + 1),
        )
        .await;
        let mut listed = page["data"][(index % 15) as usize].clone();
        listed["links"]["onlinePaymentLink"] = body["links"]["onlinePaymentLink"].clone();
        assert_eq!(listed, body);
    }
    // Percent-encoded ids are decoded, like route parameters.
    let first = dataset.invoice(0).unwrap();
    let encoded = first.id.replacen('_', "%5F", 1);
    let (status, _, _) = get_json(&server, &format!("/v1/customer-invoices/{encoded}")).await;
    assert_eq!(status, 200);
    // Trailing slashes are ignored, as by Laravel's router.
    let (status, _, _) = get_json(&server, &format!("/v1/customer-invoices/{}/", first.id)).await;
    assert_eq!(status, 200);

    let other_dataset = mijnklantportaal_mock::Dataset::new(4, 30)
        .invoice(0)
        .unwrap()
        .id;
    let beyond = mijnklantportaal_mock::Dataset::new(3, 1_000)
        .invoice(500)
        .unwrap()
        .id;
    for id in [
        "inv_nope".to_owned(),
        other_dataset,
        beyond,
        "cst_00000000000000".to_owned(),
        "inv_%C3%A9".to_owned(),
    ] {
        let (status, _, body) = get_json(&server, &format!("/v1/customer-invoices/{id}")).await;
        assert_eq!(status, 404, "{id}");
        let shown = id.replace("%C3%A9", "é");
        assert_eq!(
            body,
            json!({ "message": format!(r"No query results for model [App\Models\CustomerInvoice] {shown}") })
        );
    }
    // Unknown ids need authentication first.
    assert_eq!(
        crate::common::status(&server, "/v1/customer-invoices/inv_nope", None).await,
        401
    );
}

#[tokio::test]
async fn head_is_get_without_a_body() {
    let server = start(30).await;
    let (status, get_headers, get_body) =
        call(&server, Method::GET, "/v1/customer-invoices?page=2").await;
    assert_eq!(status, 200);
    let (status, head_headers, head_body) =
        call(&server, Method::HEAD, "/v1/customer-invoices?page=2").await;
    assert_eq!(status, 200);
    assert!(head_body.is_empty());
    assert_eq!(
        head_headers["content-length"],
        get_headers["content-length"]
    );
    assert_eq!(get_body.len().to_string(), get_headers["content-length"]);
    assert_eq!(head_headers["content-type"], "application/json");
}

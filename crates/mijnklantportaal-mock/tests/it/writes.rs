//! Writes and the server's defences: auth, rate limit, and answers dropped after
//! the write was done (the case where a client must not simply retry).

use std::time::Duration;

use mijnklantportaal_mock::MockServer;
use serde_json::json;

use crate::common::{bounded, customer_body, get_json, http, http_with_token, invoice_form, send};

#[tokio::test]
async fn writes_need_the_token() {
    let server = MockServer::builder()
        .invoices(10)
        .no_rate_limit()
        .start()
        .await
        .unwrap();
    let base = server.base_url();
    let id = server.dataset().invoice(0).unwrap().id;
    let customer = server.dataset().customer(0).unwrap().id;
    let client = http();
    let unauthenticated = (401, json!({ "message": "Unauthenticated." }));
    let requests = [
        client
            .post(format!("{base}/customers"))
            .json(&customer_body()),
        client
            .patch(format!("{base}/customers/{customer}"))
            .json(&json!({ "city": "X" })),
        client
            .post(format!("{base}/customer-invoices"))
            .multipart(invoice_form(&customer, &[])),
        client
            .post(format!("{base}/customer-invoices/manual"))
            .json(&json!({})),
        client
            .patch(format!("{base}/customer-invoices/{id}"))
            .json(&json!({ "paidAt": "2025-01-01 10:00:00" })),
        client.get(format!("{base}/customer-invoices/{id}/pdf")),
        client.get(format!("{base}/customers")),
        http_with_token("wrong")
            .post(format!("{base}/customers"))
            .json(&customer_body()),
    ];
    for request in requests {
        assert_eq!(send(request).await, unauthenticated);
    }
    let stats = server.stats();
    assert_eq!((stats.unauthorized, stats.writes), (8, 0));
    assert!(server.customers_created().is_empty());
    assert_eq!(server.invoice(&id), server.dataset().invoice(0));
}

#[tokio::test]
async fn writes_share_the_rate_limit() {
    let server = MockServer::builder()
        .invoices(10)
        .rate_limit(3, Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let client = http_with_token("test");
    let url = format!("{}/customers", server.base_url());
    for remaining in ["2", "1", "0"] {
        let response = bounded(client.post(&url).json(&customer_body()).send())
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        assert_eq!(response.headers()["x-ratelimit-limit"], "3");
        assert_eq!(response.headers()["x-ratelimit-remaining"], remaining);
    }
    let response = bounded(client.post(&url).json(&customer_body()).send())
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let body: serde_json::Value = bounded(response.json()).await.unwrap();
    assert_eq!(
        body,
        json!({ "code": 429, "message": "Too many requests." })
    );
    assert_eq!(
        server.customers_created().len(),
        3,
        "the throttled one was not made"
    );
}

#[tokio::test]
async fn a_dropped_answer_still_created_the_invoice_once() {
    let server = MockServer::builder()
        .invoices(20)
        .no_rate_limit()
        .drop_write_responses(1)
        .start()
        .await
        .unwrap();
    let customer = server.dataset().customer(0).unwrap().id;
    let url = format!("{}/customer-invoices", server.base_url());
    let client = http_with_token("test");
    let form = invoice_form(&customer, &[("invoiceNumber", "2025-042")]);
    let error = bounded(client.post(&url).multipart(form).send())
        .await
        .expect_err("no answer to the write");
    assert!(!error.is_timeout() && !error.is_status(), "{error}");

    // The write happened: exactly one invoice with that number, readable and listed.
    let created = server.invoices_created();
    let numbered: Vec<_> = created
        .iter()
        .filter(|i| i.invoice_number == "2025-042")
        .collect();
    assert_eq!(numbered.len(), 1);
    let id = &numbered[0].id;
    let (status, _, fetched) = get_json(&server, &format!("/v1/customer-invoices/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(fetched["invoiceNumber"], "2025-042");
    let (_, _, page) = get_json(&server, "/v1/customer-invoices?page=2").await;
    assert_eq!(page["data"][5]["id"], id.as_str());
    let stats = server.stats();
    assert_eq!(
        (
            stats.writes,
            stats.dropped_write_responses,
            stats.faults_injected
        ),
        (1, 1, 1)
    );

    // Only the first write was dropped: the next is answered.
    let form = invoice_form(&customer, &[("invoiceNumber", "2025-043")]);
    let (status, _) = send(client.post(&url).multipart(form)).await;
    assert_eq!(status, 201);
    assert_eq!(server.invoices_created().len(), 2);
}

#[tokio::test]
async fn rejected_writes_are_answered_and_the_switch_can_be_set_later() {
    let server = MockServer::builder()
        .invoices(20)
        .no_rate_limit()
        .start()
        .await
        .unwrap();
    server.drop_next_write_responses(2);
    let client = http_with_token("test");
    let id = server.dataset().invoice(3).unwrap().id;
    let url = format!("{}/customer-invoices/{id}", server.base_url());
    // Invalid and unknown: answered, and no drop used up.
    assert_eq!(send(client.patch(&url).json(&json!({}))).await.0, 422);
    let unknown = format!("{}/customer-invoices/inv_nope", server.base_url());
    assert_eq!(send(client.patch(&unknown).json(&json!({}))).await.0, 404);
    // Two marks paid: both done, neither answered.
    for _ in 0..2 {
        let body = json!({ "paidAt": "2025-03-01 09:30:00" });
        let sent = bounded(client.patch(&url).json(&body).send()).await;
        assert!(sent.is_err());
    }
    let paid = server.invoice(&id).unwrap().paid_at.unwrap();
    assert_eq!(paid.to_rfc3339(), "2025-03-01T09:30:00+01:00");
    let body = json!({ "paidAt": "2025-03-01 09:30:00" });
    assert_eq!(send(client.patch(&url).json(&body)).await.0, 200);
    let stats = server.stats();
    assert_eq!((stats.writes, stats.dropped_write_responses), (3, 2));
}

#[tokio::test]
async fn a_dropped_answer_still_created_the_customer() {
    let server = MockServer::builder().invoices(10).start().await.unwrap();
    server.drop_next_write_responses(1);
    let url = format!("{}/customers", server.base_url());
    let request = http_with_token("test").post(url).json(&customer_body());
    assert!(bounded(request.send()).await.is_err(), "no answer");
    // ...but the customer exists.
    assert_eq!(server.customers_created().len(), 1);
    assert_eq!(server.stats().dropped_write_responses, 1);
}

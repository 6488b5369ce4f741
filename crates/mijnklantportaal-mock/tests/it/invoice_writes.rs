//! Customer invoice writes over HTTP: upload, manual, mark paid, PDF link, download.

use std::time::Duration;

use mijnklantportaal_mock::MockServer;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{
    PDF, bounded, create_customer, get_json, http, http_with_token, invoice_form, send, start,
    start_with,
};

/// Uploads an invoice for `customer_id` with `extra` parts; returns its JSON.
async fn upload(server: &MockServer, customer_id: &str, extra: &[(&str, &str)]) -> Value {
    let url = format!("{}/customer-invoices", server.base_url());
    let request = http_with_token("test")
        .post(url)
        .multipart(invoice_form(customer_id, extra));
    let (status, body) = send(request).await;
    assert_eq!(status, 201, "{body}");
    body
}

/// `GET` of the PDF link of invoice `id`: the link and its expiry.
async fn pdf_link(server: &MockServer, id: &str) -> Value {
    let (status, _, body) = get_json(server, &format!("/v1/customer-invoices/{id}/pdf")).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Downloads `link` without a token: status, content type and bytes.
async fn download(link: &str) -> (u16, String, Vec<u8>) {
    let response = bounded(http().get(link).send()).await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let bytes = bounded(response.bytes()).await.unwrap().to_vec();
    (status, content_type, bytes)
}

#[tokio::test]
async fn an_uploaded_invoice_round_trips_to_paid_and_its_pdf() {
    let server = start(100).await;
    let customer = create_customer(&server).await;
    let customer_id = customer["id"].as_str().unwrap();
    let created = upload(&server, customer_id, &[("sendNotification", "true")]).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let origin = server.origin();
    assert_eq!(
        created,
        json!({
            "id": id,
            "customerId": customer_id,
            "invoiceNumber": "2025-777",
            "issuedAt": "2025-04-29",
            "currency": "EUR",
            "amount": "12.95",
            "paidAt": null,
            "createdAt": created["createdAt"],
            "links": { "customer": {
                "href": format!("{origin}/v1/customers/{customer_id}"),
                "type": "application/json",
            } },
        })
    );
    assert!(id.starts_with("inv_") && id.len() == 18);

    // Get: the detail form, with the payment link.
    let (status, _, fetched) = get_json(&server, &format!("/v1/customer-invoices/{id}")).await;
    assert_eq!(status, 200);
    let mut detail = created.clone();
    detail["links"]["onlinePaymentLink"] = json!({
        "href": format!("{origin}/pay/{id}"),
        "type": "text/html",
    });
    assert_eq!(fetched, detail);
    // List: the newest invoice, last on the last page.
    let (_, _, page) = get_json(&server, "/v1/customer-invoices?page=7").await;
    assert_eq!(page["to"], 101);
    assert_eq!(page["data"][10], created);
    // The customer link works.
    let (status, _, linked) = get_json(&server, &format!("/v1/customers/{customer_id}")).await;
    assert_eq!((status, &linked), (200, &customer));

    // Mark paid, in Amsterdam summer time.
    let url = format!("{}/customer-invoices/{id}", server.base_url());
    let client = http_with_token("test");
    let paid_at = json!({ "paidAt": "2025-05-11 12:59:00" });
    let (status, paid) = send(client.patch(&url).json(&paid_at)).await;
    assert_eq!(status, 200, "{paid}");
    let mut expected = created.clone();
    expected["paidAt"] = json!("2025-05-11T12:59:00+02:00");
    assert_eq!(paid, expected);
    // The same request again is harmless (what a retry of a mark-paid does).
    assert_eq!(
        send(client.patch(&url).json(&paid_at)).await,
        (200, paid.clone())
    );
    let (_, _, page) = get_json(&server, "/v1/customer-invoices?page=7").await;
    assert_eq!(page["data"][10], paid);

    // PDF link on the mock's own origin, then the very bytes uploaded.
    let link = pdf_link(&server, &id).await;
    let href = link["link"].as_str().unwrap();
    assert!(href.starts_with(&format!("{origin}/files/")), "{href}");
    let expires_at = chrono::DateTime::parse_from_rfc3339(link["expiresAt"].as_str().unwrap())
        .expect("an ATOM timestamp");
    let left = expires_at.signed_duration_since(server.now());
    assert!(left > chrono::Duration::minutes(4) && left <= chrono::Duration::minutes(5));
    assert_eq!(link.as_object().unwrap().len(), 2);
    let (status, content_type, bytes) = download(href).await;
    assert_eq!((status, content_type.as_str()), (200, "application/pdf"));
    assert_eq!(bytes, PDF);

    let created = server.invoices_created();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].to_json(&origin), paid);
    let stats = server.stats();
    assert_eq!((stats.writes, stats.notifications), (4, 1));
}

#[tokio::test]
async fn an_upload_with_paid_at_is_paid_in_amsterdam_time() {
    let server = start(10).await;
    let customer_id = server.dataset().customer(0).unwrap().id;
    let created = upload(
        &server,
        &customer_id,
        &[
            ("paidAt", "2025-01-11 12:59:00"),
            ("amount", "1234"),
            ("sendNotification", "0"),
        ],
    )
    .await;
    assert_eq!(created["paidAt"], "2025-01-11T12:59:00+01:00");
    assert_eq!(created["amount"], "1234.00");
    assert_eq!(server.stats().notifications, 0);
}

#[tokio::test]
async fn a_manual_invoice_sums_its_lines_incl_vat() {
    let server = start(10).await;
    let customer_id = server.dataset().customer(0).unwrap().id;
    let body = json!({
        "customerId": customer_id,
        "invoiceNumber": "2015-001",
        "issuedAt": "2025-04-14",
        "lines": [
            { "description": "Website template", "amountExclVat": "12.95", "vatRate": 21 },
            { "description": "Hosting", "amountExclVat": "10.00", "vatRate": 9 },
        ],
        "sendNotification": true,
    });
    let url = format!("{}/customer-invoices/manual", server.base_url());
    let (status, created) = send(http_with_token("test").post(url).json(&body)).await;
    assert_eq!(status, 201, "{created}");
    // 12.95 × 1.21 + 10.00 × 1.09 = 15.6695 + 10.90 = 26.5695 → 26.57
    assert_eq!(created["amount"], "26.57");
    assert_eq!(created["invoiceNumber"], "2015-001");
    assert_eq!(created["issuedAt"], "2025-04-14");
    assert_eq!(created["paidAt"], Value::Null);
    let id = created["id"].as_str().unwrap();
    let (status, _, fetched) = get_json(&server, &format!("/v1/customer-invoices/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(fetched["amount"], "26.57");
    // Its PDF is generated and names it.
    let link = pdf_link(&server, id).await;
    let (status, _, bytes) = download(link["link"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.starts_with("%PDF-") && text.contains("Invoice 2015-001"),
        "{text}"
    );
    assert_eq!(server.invoices_created().len(), 1);
}

#[tokio::test]
async fn dataset_invoices_can_be_marked_paid_and_downloaded() {
    let server = start(30).await;
    let invoice = server
        .dataset()
        .iter()
        .find(|i| i.paid_at.is_none())
        .expect("an unpaid invoice");
    let url = format!("{}/customer-invoices/{}", server.base_url(), invoice.id);
    let body = json!({ "paidAt": "2024-10-27 02:30:00" });
    let (status, paid) = send(http_with_token("test").patch(url).json(&body)).await;
    assert_eq!(status, 200);
    // The hour that happens twice: the first, summer-time one.
    assert_eq!(paid["paidAt"], "2024-10-27T02:30:00+02:00");
    let (_, _, page) = get_json(
        &server,
        &format!("/v1/customer-invoices?page={}", invoice.index / 15 + 1),
    )
    .await;
    assert_eq!(page["data"][(invoice.index % 15) as usize], paid);
    assert!(server.invoices_created().is_empty(), "marked, not created");

    let link = pdf_link(&server, &invoice.id).await;
    let (status, content_type, bytes) = download(link["link"].as_str().unwrap()).await;
    assert_eq!((status, content_type.as_str()), (200, "application/pdf"));
    assert!(bytes.starts_with(b"%PDF-1.4"));
}

#[tokio::test]
async fn download_links_expire_and_unknown_ones_are_404() {
    let server = start_with(10, |b| b.file_link_lifetime(Duration::ZERO)).await;
    let id = server.dataset().invoice(0).unwrap().id;
    let link = pdf_link(&server, &id).await;
    let (status, _, bytes) = download(link["link"].as_str().unwrap()).await;
    assert_eq!(status, 403);
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body, json!({ "message": "This link has expired." }));
    let (status, _, _) = download(&format!("{}/files/nope", server.origin())).await;
    assert_eq!(status, 404);
    // Links need no token and are not rate limited; other methods are refused.
    let (status, _) =
        send(http().request(Method::POST, format!("{}/files/nope", server.origin()))).await;
    assert_eq!(status, 405);
    let stats = server.stats();
    assert_eq!(
        (stats.expired_links, stats.not_found, stats.unauthorized),
        (1, 1, 0)
    );
}

#[tokio::test]
async fn unknown_invoices_are_404_for_every_invoice_operation() {
    let server = start(10).await;
    let client = http_with_token("test");
    let message = json!({
        "message": r"No query results for model [App\Models\CustomerInvoice] inv_nope"
    });
    let base = server.base_url();
    let patch = client
        .patch(format!("{base}/customer-invoices/inv_nope"))
        .json(&json!({}));
    assert_eq!(send(patch).await, (404, message.clone()));
    let pdf = client.get(format!("{base}/customer-invoices/inv_nope/pdf"));
    assert_eq!(send(pdf).await, (404, message));
    // `GET /manual` is the show route with the id `manual`.
    let (status, _) = send(client.get(format!("{base}/customer-invoices/manual"))).await;
    assert_eq!(status, 404);
    assert_eq!(server.stats().writes, 0);
}

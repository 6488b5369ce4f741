//! Bodies the operation cannot read: Laravel's 400, 413 and 415 instead of an empty
//! input and a misleading 422; and a 404 for an unknown id before the body's 422.

use serde_json::json;

use crate::common::{PDF, customer_body, http_with_token, invoice_form, pdf_part, send, start};

#[tokio::test]
async fn malformed_json_is_400_and_writes_nothing() {
    let server = start(10).await;
    let url = format!("{}/customers", server.base_url());
    let client = http_with_token("test");
    let json = |body: &'static str| {
        client
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
    };
    let (status, body) = send(json(r#"{"companyName": "x","#)).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"message": "The request body is not valid JSON."})
        )
    );
    let (status, body) = send(json("[1, 2]")).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"message": "The request body must be a JSON object."})
        )
    );
    let (status, _) = send(json("\n")).await;
    assert_eq!(status, 400, "white space is no JSON");
    let (status, _) = send(json("")).await;
    assert_eq!(status, 422, "an empty body is empty input");
    assert!(server.customers_created().is_empty());
    assert_eq!(server.stats().unprocessable, 1);
}

#[tokio::test]
async fn a_media_type_the_operation_does_not_take_is_415() {
    let server = start(10).await;
    let client = http_with_token("test");
    let customers = format!("{}/customers", server.base_url());
    let text = client
        .post(&customers)
        .header("content-type", "text/plain")
        .body(customer_body().to_string());
    let (status, body) = send(text).await;
    assert_eq!(
        (status, body),
        (415, json!({"message": "Unsupported Media Type"}))
    );
    let form = client
        .post(&customers)
        .multipart(invoice_form("cst_x", &[]));
    assert_eq!(send(form).await.0, 415, "customers take JSON only");
    let invoices = format!("{}/customer-invoices", server.base_url());
    let (status, _) = send(client.post(&invoices).json(&json!({}))).await;
    assert_eq!(status, 415, "an upload takes a form only");
    let with_charset = client
        .post(&customers)
        .header("content-type", "application/json; charset=utf-8")
        .body(customer_body().to_string());
    assert_eq!(send(with_charset).await.0, 201);
    assert_eq!(server.customers_created().len(), 1);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let server = start(10).await;
    let client = http_with_token("test");
    let url = format!("{}/customers", server.base_url());
    let mut body = customer_body();
    body["city"] = json!("x".repeat(1024 * 1024));
    let (status, answer) = send(client.post(&url).json(&body)).await;
    assert_eq!(
        (status, answer),
        (413, json!({"message": "Payload Too Large"}))
    );
    // Just under the limit: read, and refused for what it says.
    body["city"] = json!("x".repeat(1024 * 1024 - 200));
    let (status, answer) = send(client.post(&url).json(&body)).await;
    assert_eq!(status, 422);
    assert_eq!(
        answer["errors"]["city"],
        json!(["The city field must not be greater than 255 characters."])
    );
    // A form may carry a file of 10 MiB, not much more.
    let customer = server.dataset().customer(0).unwrap().id;
    let mut pdf = PDF.to_vec();
    pdf.resize(12 * 1024 * 1024, b' ');
    let form = invoice_form(&customer, &[]).part("pdf", pdf_part(&pdf));
    let invoices = format!("{}/customer-invoices", server.base_url());
    assert_eq!(send(client.post(&invoices).multipart(form)).await.0, 413);
    assert!(server.invoices_created().is_empty());
}

#[tokio::test]
async fn a_required_body_left_out_is_refused() {
    let server = start(10).await;
    let client = http_with_token("test");
    let id = {
        let url = format!("{}/customer-subscriptions", server.base_url());
        let (_, page) = send(client.get(url)).await;
        page["data"][0]["id"].as_str().unwrap().to_owned()
    };
    let url = format!("{}/customer-subscriptions/{id}", server.base_url());
    let (status, body) = send(client.patch(&url)).await;
    assert_eq!(
        (status, body),
        (400, json!({"message": "The request body is required."}))
    );
    let (status, _) = send(client.patch(&url).json(&json!({"amount": "x"}))).await;
    assert_eq!(status, 422);
    let (status, _) = send(client.patch(&url).json(&json!({}))).await;
    assert_eq!(status, 200, "every field of a change is optional");
}

#[tokio::test]
async fn an_unknown_id_is_404_before_the_body_is_validated() {
    let server = start(10).await;
    let client = http_with_token("test");
    let url = format!("{}/punch-cards/pcd_nope", server.base_url());
    let (status, _) = send(client.patch(&url).json(&json!({"forSale": "yes"}))).await;
    assert_eq!(status, 404);
    let (status, body) = send(client.post(format!("{url}/issued")).body("{")).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (400, Some("The request body is not valid JSON."))
    );
    assert_eq!(server.stats().unprocessable, 0);
}

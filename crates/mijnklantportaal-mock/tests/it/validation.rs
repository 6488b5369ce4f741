//! 422 answers of the write endpoints, Laravel's layout, one case at a time.

use mijnklantportaal_mock::MockServer;
use serde_json::{Value, json};

use crate::common::{customer_body, http_with_token, invoice_form, pdf_part, send, start};

/// The `errors` keys of a 422 body, sorted (a parsed `Value` does not keep the
/// order; the unit tests of `validation` check it), after checking the layout: the
/// message is one of the errors plus Laravel's count of the others.
fn error_keys(status: u16, body: &Value) -> Vec<String> {
    assert_eq!(status, 422, "{body}");
    let object = body.as_object().unwrap();
    assert_eq!(object.len(), 2, "{body}");
    let errors = body["errors"].as_object().unwrap();
    let messages: Vec<&str> = errors
        .values()
        .flat_map(|m| m.as_array().unwrap())
        .map(|m| m.as_str().unwrap())
        .collect();
    let suffix = match messages.len() - 1 {
        0 => String::new(),
        1 => " (and 1 more error)".to_owned(),
        n => format!(" (and {n} more errors)"),
    };
    let message = body["message"].as_str().unwrap();
    let first = message
        .strip_suffix(&suffix)
        .unwrap_or_else(|| panic!("{message}"));
    assert!(messages.contains(&first), "{body}");
    errors.keys().cloned().collect()
}

/// `keys`, sorted.
fn sorted<const N: usize>(mut keys: [&str; N]) -> [&str; N] {
    keys.sort_unstable();
    keys
}

async fn post_form(server: &MockServer, form: reqwest::multipart::Form) -> (u16, Value) {
    let url = format!("{}/customer-invoices", server.base_url());
    send(http_with_token("test").post(url).multipart(form)).await
}

#[tokio::test]
async fn upload_parts_are_validated() {
    let server = start(10).await;
    let customer = server.dataset().customer(0).unwrap().id;
    // (parts replacing the valid ones, the field in error, its message)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case; 8] = [
        (
            &[("issuedAt", "2024-04-31")],
            "issuedAt",
            "The issued at field must match the format Y-m-d.",
        ),
        (
            &[("issuedAt", "29-04-2025")],
            "issuedAt",
            "The issued at field must match the format Y-m-d.",
        ),
        (
            &[("amount", "12,95")],
            "amount",
            "The amount field must be a number.",
        ),
        (
            &[("amount", "12.955")],
            "amount",
            "The amount field must have 0-2 decimal places.",
        ),
        (
            &[("customerId", "cst_nope")],
            "customerId",
            "The selected customer id is invalid.",
        ),
        (
            &[("paidAt", "2024-05-11T12:59:00+02:00")],
            "paidAt",
            "The paid at field must match the format Y-m-d H:i:s.",
        ),
        (
            &[("sendNotification", "yes")],
            "sendNotification",
            "The send notification field must be true or false.",
        ),
        (
            &[("invoiceNumber", "")],
            "invoiceNumber",
            "The invoice number field is required.",
        ),
    ];
    for (extra, field, message) in cases {
        let (status, body) = post_form(&server, invoice_form(&customer, extra)).await;
        assert_eq!(error_keys(status, &body), [field], "{extra:?}");
        assert_eq!(
            body,
            json!({ "message": message, "errors": { field: [message] } })
        );
    }
    assert!(server.invoices_created().is_empty());
    assert_eq!(server.stats().unprocessable, 8);
}

#[tokio::test]
async fn the_pdf_part_must_be_a_pdf_file() {
    let server = start(10).await;
    let customer = server.dataset().customer(0).unwrap().id;
    let text_parts = |form: reqwest::multipart::Form| {
        form.text("customerId", customer.clone())
            .text("invoiceNumber", "1")
            .text("issuedAt", "2025-01-01")
            .text("amount", "1")
    };
    let cases = [
        (
            text_parts(reqwest::multipart::Form::new()),
            "The pdf field is required.",
        ),
        (
            text_parts(reqwest::multipart::Form::new()).text("pdf", "%PDF-1.4 as text"),
            "The pdf field must be a file.",
        ),
        (
            text_parts(reqwest::multipart::Form::new()).part("pdf", pdf_part(b"PK\x03\x04 a zip")),
            "The pdf field must be a file of type: pdf.",
        ),
        (
            text_parts(reqwest::multipart::Form::new()).part("pdf", pdf_part(b"")),
            "The pdf field must be a file of type: pdf.",
        ),
        (
            // The declared media type does not matter, the content does.
            text_parts(reqwest::multipart::Form::new()).part(
                "pdf",
                reqwest::multipart::Part::bytes(b"<html>".to_vec())
                    .file_name("x.pdf")
                    .mime_str("application/pdf")
                    .unwrap(),
            ),
            "The pdf field must be a file of type: pdf.",
        ),
    ];
    for (form, message) in cases {
        let (status, body) = post_form(&server, form).await;
        assert_eq!(error_keys(status, &body), ["pdf"]);
        assert_eq!(body["errors"]["pdf"], json!([message]));
    }
    // A PDF declared as `application/octet-stream` is fine.
    let form = text_parts(reqwest::multipart::Form::new()).part(
        "pdf",
        reqwest::multipart::Part::bytes(b"%PDF-1.7\n".to_vec()).file_name("scan"),
    );
    assert_eq!(post_form(&server, form).await.0, 201);
}

#[tokio::test]
async fn an_empty_form_misses_every_part() {
    let server = start(10).await;
    let url = format!("{}/customer-invoices", server.base_url());
    let form = reqwest::multipart::Form::new();
    let (status, body) = send(http_with_token("test").post(url).multipart(form)).await;
    assert_eq!(
        error_keys(status, &body),
        sorted(["customerId", "invoiceNumber", "issuedAt", "amount", "pdf"])
    );
    assert_eq!(
        body["message"],
        "The customer id field is required. (and 4 more errors)"
    );
}

#[tokio::test]
async fn manual_invoices_are_validated() {
    let server = start(10).await;
    let customer = server.dataset().customer(0).unwrap().id;
    let url = format!("{}/customer-invoices/manual", server.base_url());
    let client = http_with_token("test");
    let body = json!({
        "customerId": customer,
        "invoiceNumber": "2015-001",
        "issuedAt": "2025-04-14",
        "lines": [
            { "description": "ok", "amountExclVat": "12.95", "vatRate": 21 },
            { "description": "", "amountExclVat": "abc", "vatRate": 121 },
        ],
    });
    let (status, answer) = send(client.post(&url).json(&body)).await;
    assert_eq!(
        error_keys(status, &answer),
        sorted([
            "lines.1.description",
            "lines.1.amountExclVat",
            "lines.1.vatRate"
        ])
    );
    assert_eq!(
        answer["message"],
        "The lines.1.description field is required. (and 2 more errors)"
    );
    assert_eq!(
        answer["errors"]["lines.1.amountExclVat"],
        json!(["The lines.1.amount excl vat field must be a number."])
    );
    assert_eq!(
        answer["errors"]["lines.1.vatRate"],
        json!(["The lines.1.vat rate field must not be greater than 100."])
    );
    let (status, answer) = send(client.post(&url).json(&json!({}))).await;
    assert_eq!(
        error_keys(status, &answer),
        sorted(["customerId", "invoiceNumber", "issuedAt", "lines"])
    );
    assert!(server.invoices_created().is_empty());
}

#[tokio::test]
async fn mark_paid_needs_a_local_date_time() {
    let server = start(10).await;
    let id = server.dataset().invoice(0).unwrap().id;
    let url = format!("{}/customer-invoices/{id}", server.base_url());
    let client = http_with_token("test");
    for (body, message) in [
        (json!({}), "The paid at field is required."),
        (json!({ "paidAt": null }), "The paid at field is required."),
        (
            json!({ "paidAt": "2024-04-31 14:00:00" }),
            "The paid at field must match the format Y-m-d H:i:s.",
        ),
        (
            json!({ "paidAt": "2024-04-30" }),
            "The paid at field must match the format Y-m-d H:i:s.",
        ),
    ] {
        let (status, answer) = send(client.patch(&url).json(&body)).await;
        assert_eq!(error_keys(status, &answer), ["paidAt"], "{body}");
        assert_eq!(answer["message"], message);
    }
    assert_eq!(
        server.invoice(&id),
        server.dataset().invoice(0),
        "unchanged"
    );
}

#[tokio::test]
async fn customers_are_validated() {
    let server = start(10).await;
    let client = http_with_token("test");
    let url = format!("{}/customers", server.base_url());
    let (status, answer) = send(client.post(&url).json(&json!({}))).await;
    assert_eq!(
        error_keys(status, &answer),
        sorted(["companyName", "address", "zipCode", "city", "primaryEmail"])
    );
    assert_eq!(
        answer["message"],
        "The company name field is required. (and 4 more errors)"
    );
    let mut body = customer_body();
    body["primaryEmail"] = json!("not an address");
    body["countryCode"] = json!("NLD");
    body["city"] = json!(42);
    let (status, answer) = send(client.post(&url).json(&body)).await;
    assert_eq!(
        error_keys(status, &answer),
        sorted(["city", "primaryEmail", "countryCode"])
    );
    assert_eq!(
        answer["message"],
        "The city field must be a string. (and 2 more errors)"
    );
    assert_eq!(
        answer["errors"]["countryCode"],
        json!(["The country code field must be 2 characters."])
    );

    let id = server.dataset().customer(0).unwrap().id;
    let url = format!("{url}/{id}");
    for body in [
        json!({}),
        json!({ "phone": "+31612345678" }),
        json!({ "city": "" }),
    ] {
        let (status, answer) = send(client.patch(&url).json(&body)).await;
        assert_eq!(error_keys(status, &answer), ["companyName"], "{body}");
        assert_eq!(
            answer["message"],
            "The company name field is required when none of address / zip code / city / primary email are present."
        );
    }
    let (status, _) = send(client.patch(&url).body("")).await;
    assert_eq!(status, 422, "an empty body");
    assert!(server.customers_created().is_empty());
    assert_eq!(server.stats().writes, 0);
}

#[tokio::test]
async fn pdfs_over_10_mib_are_refused() {
    let server = start(10).await;
    let customer = server.dataset().customer(0).unwrap().id;
    let ten_mib = 10 * 1024 * 1024;
    let cases = [
        (ten_mib, None),
        (
            ten_mib + 1,
            Some("The pdf field must not be greater than 10240 kilobytes."),
        ),
        (
            ten_mib + 512 * 1024,
            Some("The pdf field must not be greater than 10240 kilobytes."),
        ),
    ];
    for (size, error) in cases {
        let mut pdf = vec![b' '; size];
        pdf[..5].copy_from_slice(b"%PDF-");
        let form = text_parts_and_pdf(&customer, pdf);
        let (status, body) = post_form(&server, form).await;
        match error {
            None => assert_eq!(status, 201, "{size}"),
            Some(message) => {
                assert_eq!(error_keys(status, &body), ["pdf"], "{size}");
                assert_eq!(body["errors"]["pdf"], json!([message]));
            }
        }
    }
    assert_eq!(server.invoices_created().len(), 1);
}

/// A valid form whose `pdf` part holds `pdf`.
fn text_parts_and_pdf(customer: &str, pdf: Vec<u8>) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("customerId", customer.to_owned())
        .text("invoiceNumber", "1")
        .text("issuedAt", "2025-01-01")
        .text("amount", "1")
        .part(
            "pdf",
            reqwest::multipart::Part::bytes(pdf).file_name("big.pdf"),
        )
}

//! The generated multipart method on the wire: `create_customer_invoice` sends a real
//! `multipart/form-data` body to a loopback server, through the same hooks as
//! progenitor's methods, and decodes the answer into the generated types.

use std::str::FromStr;

use mijnklantportaal_api::types::{CreateCustomerInvoiceBody, CustomerInvoice};
use mijnklantportaal_api::{Auth, Client, Error, FilePart, LocalDateTime};
use mijnklantportaal_tests::loopback::{listener, parts, serve_one};
use rust_decimal::Decimal;

const CREATED: &str = r#"{"id": "inv_abc12345def678", "customerId": "cst_abc12345def678", "invoiceNumber": "2024-001", "issuedAt": "2024-04-29", "currency": "EUR", "amount": "12.95", "paidAt": "2024-05-11T12:59:00+02:00", "createdAt": "2024-05-11T13:00:00+02:00", "links": {"customer": {"href": "https://api.mijnklantportaal.nl/v1/customers/cst_abc12345def678", "type": "application/json"}}}"#;

/// Bytes that are not UTF-8, so that a part sent as text would not survive.
const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n";

fn body() -> CreateCustomerInvoiceBody {
    CreateCustomerInvoiceBody::builder()
        .customer_id("cst_abc12345def678")
        .invoice_number("2024-001")
        .issued_at(chrono::NaiveDate::from_ymd_opt(2024, 4, 29).expect("a date"))
        .amount(Decimal::from_str("12.95").expect("a decimal"))
        .pdf(FilePart::bytes("2024-001.pdf", PDF))
        .paid_at(LocalDateTime::from_str("2024-05-11 12:59:00").expect("a date-time"))
        .send_notification(true)
        .try_into()
        .expect("every required part is set")
}

#[tokio::test(flavor = "current_thread")]
async fn the_body_is_multipart_with_every_part_and_the_token() {
    let (listener, base) = listener().await;
    let client = Client::new(&base, Auth::bearer("s3cr3t-token").expect("a token"));
    let (captured, response) = tokio::join!(
        serve_one(&listener, "201 Created", CREATED),
        client.create_customer_invoice().body(body()).send()
    );
    let response = response.expect("the invoice is created");
    assert_eq!(response.status().as_u16(), 201);
    let invoice: CustomerInvoice = response.into_inner();
    assert_eq!(invoice.id.as_str(), "inv_abc12345def678");
    assert_eq!(
        invoice.amount,
        Decimal::from_str("12.95").expect("a decimal")
    );

    assert!(
        captured
            .head
            .starts_with("POST /v1/customer-invoices HTTP/1.1\r\n"),
        "{}",
        captured.head
    );
    assert_eq!(
        captured.header("authorization"),
        Some("Bearer s3cr3t-token")
    );
    assert_eq!(captured.header("accept"), Some("application/json"));
    let content_type = captured.header("content-type").expect("a Content-Type");
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart/form-data: {content_type}"));
    assert!(!boundary.is_empty());

    let parts = parts(&captured.body, boundary);
    let names: Vec<&str> = parts
        .iter()
        .map(|p| {
            p.header("content-disposition")
                .expect("a Content-Disposition")
        })
        .collect();
    assert_eq!(
        names,
        [
            r#"form-data; name="customerId""#,
            r#"form-data; name="invoiceNumber""#,
            r#"form-data; name="issuedAt""#,
            r#"form-data; name="amount""#,
            r#"form-data; name="pdf"; filename="2024-001.pdf""#,
            r#"form-data; name="paidAt""#,
            r#"form-data; name="sendNotification""#,
        ],
        "every part, in the spec's order; only the file has a file name"
    );
    let texts: Vec<(&str, &[u8])> = [0, 1, 2, 3, 5, 6]
        .iter()
        .map(|&i| (names[i], parts[i].body.as_slice()))
        .collect();
    assert_eq!(
        texts.iter().map(|(_, b)| *b).collect::<Vec<_>>(),
        [
            &b"cst_abc12345def678"[..],
            b"2024-001",
            b"2024-04-29",
            b"12.95",
            b"2024-05-11 12:59:00",
            b"1",
        ]
    );
    for i in [0, 1, 2, 3, 5, 6] {
        assert_eq!(
            parts[i].header("content-type"),
            None,
            "text parts are plain"
        );
    }
    assert_eq!(parts[4].header("content-type"), Some("application/pdf"));
    assert_eq!(parts[4].body, PDF, "the file's bytes, unchanged");
}

#[tokio::test(flavor = "current_thread")]
async fn optional_parts_are_left_out_and_the_media_type_can_be_set() {
    let (listener, base) = listener().await;
    let client = Client::new(&base, Auth::none());
    let body = CreateCustomerInvoiceBody::builder()
        .customer_id("cst_1")
        .invoice_number("7")
        .issued_at(chrono::NaiveDate::from_ymd_opt(2024, 2, 29).expect("a date"))
        .amount(Decimal::from_str("1000000.01").expect("a decimal"))
        .pdf(FilePart::bytes("scan", PDF).media_type("application/x-pdf"));
    let (captured, response) = tokio::join!(
        serve_one(&listener, "200 OK", CREATED),
        client.create_customer_invoice().body_map(|_| body).send()
    );
    response.expect("decodes");
    assert_eq!(
        captured.header("authorization"),
        None,
        "no token, no header"
    );
    let boundary = captured
        .header("content-type")
        .and_then(|t| t.strip_prefix("multipart/form-data; boundary="))
        .expect("multipart");
    let parts = parts(&captured.body, boundary);
    assert_eq!(parts.len(), 5, "paidAt and sendNotification are not sent");
    assert_eq!(parts[3].body, b"1000000.01");
    assert_eq!(parts[4].header("content-type"), Some("application/x-pdf"));
}

#[tokio::test(flavor = "current_thread")]
async fn a_validation_error_comes_back_typed_with_its_status() {
    let (listener, base) = listener().await;
    let client = Client::new(&base, Auth::bearer("t").expect("a token"));
    let laravel = r#"{"message": "The pdf field must be a file of type: pdf.", "errors": {"pdf": ["The pdf field must be a file of type: pdf."]}}"#;
    let (_, response) = tokio::join!(
        serve_one(&listener, "422 Unprocessable Content", laravel),
        client.create_customer_invoice().body(body()).send()
    );
    match response {
        Err(Error::ErrorResponse(error)) => {
            assert_eq!(error.status().as_u16(), 422);
            assert_eq!(
                error.errors["pdf"],
                ["The pdf field must be a file of type: pdf."]
            );
        }
        other => panic!("expected a 422 ErrorResponse, got {other:?}"),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_missing_part_is_an_invalid_request_before_anything_is_sent() {
    let client = Client::new("http://127.0.0.1:9/v1", Auth::none());
    let result = client
        .create_customer_invoice()
        .body_map(|b| b.customer_id("cst_1"))
        .send()
        .await;
    match result {
        Err(Error::InvalidRequest(message)) => {
            assert!(message.contains("invoice_number"), "{message}")
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
}

#[test]
fn a_body_with_bytes_can_be_sent_again_and_one_with_a_stream_cannot() {
    let again = body().try_clone().expect("bytes are kept");
    assert_eq!(again.pdf.file_name(), "2024-001.pdf");
    assert_eq!(again.pdf.len(), Some(u64::try_from(PDF.len()).unwrap()));
    let mut streamed = body();
    streamed.pdf = FilePart::stream("big.pdf", reqwest::Body::from(PDF.to_vec()), None);
    assert!(streamed.try_clone().is_none());
}

#[tokio::test(flavor = "current_thread")]
async fn a_streamed_file_part_with_a_known_length_is_sent_whole() {
    let (listener, base) = listener().await;
    let client = Client::new(&base, Auth::bearer("t").expect("a token"));
    let length = u64::try_from(PDF.len()).expect("small");
    let mut body = body();
    body.pdf = FilePart::stream(
        "streamed.pdf",
        reqwest::Body::from(PDF.to_vec()),
        Some(length),
    );
    let (captured, response) = tokio::join!(
        serve_one(&listener, "201 Created", CREATED),
        client.create_customer_invoice().body(body).send()
    );
    response.expect("decodes");
    let boundary = captured
        .header("content-type")
        .and_then(|t| t.strip_prefix("multipart/form-data; boundary="))
        .expect("multipart");
    let parts = parts(&captured.body, boundary);
    assert_eq!(
        parts[4].header("content-disposition"),
        Some(r#"form-data; name="pdf"; filename="streamed.pdf""#)
    );
    assert_eq!(parts[4].header("content-type"), Some("application/pdf"));
    assert_eq!(parts[4].body, PDF);
}

#[tokio::test(flavor = "current_thread")]
async fn a_bad_media_type_is_an_invalid_request_naming_the_part() {
    let client = Client::new("http://127.0.0.1:9/v1", Auth::none());
    let mut body = body();
    body.pdf = FilePart::bytes("x.pdf", PDF).media_type("not a media type");
    match client.create_customer_invoice().body(body).send().await {
        Err(Error::InvalidRequest(message)) => {
            assert_eq!(
                message,
                "the part `pdf`: `not a media type` is not a media type"
            )
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
}

//! The mock's real answers, for every operation of the spec and each error status it
//! declares, validated against the spec's own response schemas by a JSON Schema
//! validator (`jsonschema`), through `mijnklantportaal_tests::json_schema`.
//!
//! The mock crate's contract tests (`crates/mijnklantportaal-mock/tests/it/contract.rs`)
//! decode every list page with the generated client and check invoice pages with a
//! hand-written validator; this file covers every operation and its error bodies
//! the way any spec-driven tool reads them, without knowing what the mock renders. The
//! schemas are closed ([`close_objects`]): the mock sends no field the spec does not
//! document. A wrong answer fails with the operation, the status, the JSON pointer and
//! what was wrong.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::str::FromStr;
use std::time::Duration;

use mijnklantportaal_mock::MockServer;
use mijnklantportaal_tests::json_schema::{close_objects, response_document};
use openapiv3::OpenAPI;
use reqwest::multipart::{Form, Part};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// Longest any single request may take.
const STEP_LIMIT: Duration = Duration::from_secs(10);

/// A small PDF, as a client would upload it.
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// The workspace's spec, parsed and checked as `cargo xtask generate` does.
fn spec() -> OpenAPI {
    let bundle = xtask::workspace_spec(&xtask::workspace_root()).unwrap_or_else(|e| panic!("{e}"));
    match xtask::spec::parse_bundle(&bundle) {
        Ok(checked) => checked.openapi,
        Err(e) => panic!("{e}"),
    }
}

/// Validates answers against the spec, compiling each (operation, status) schema once,
/// and remembers what it checked.
struct Checker {
    openapi: OpenAPI,
    validators: RefCell<BTreeMap<(String, u16), Rc<jsonschema::Validator>>>,
}

impl Checker {
    fn new() -> Self {
        Checker {
            openapi: spec(),
            validators: RefCell::default(),
        }
    }

    /// Every violation of `body` against the schema of `operation`'s `status` answer,
    /// one line each: `operation status: /pointer: what is wrong`.
    fn check(&self, operation: &str, status: u16, body: &Value) -> Result<(), String> {
        let validator = self.validator(operation, status)?;
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|error| {
                let at = error.instance_path().to_string();
                let at = if at.is_empty() { "(root)".into() } else { at };
                format!("{operation} {status}: {at}: {error}")
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("\n"))
        }
    }

    fn validator(&self, operation: &str, status: u16) -> Result<Rc<jsonschema::Validator>, String> {
        let key = (operation.to_string(), status);
        if let Some(validator) = self.validators.borrow().get(&key) {
            return Ok(validator.clone());
        }
        let mut document = response_document(&self.openapi, operation, status)
            .map_err(|e| format!("{operation} {status}: {e}"))?;
        // Our mock sends only documented fields (the spec stays open for the real server).
        close_objects(&mut document);
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .with_format("decimal", |text| Decimal::from_str(text).is_ok())
            .build(&document)
            .map_err(|e| format!("{operation} {status}: not a valid JSON Schema: {e}"))?;
        let validator = Rc::new(validator);
        self.validators.borrow_mut().insert(key, validator.clone());
        Ok(validator)
    }

    /// Sends `request` (for `operation`), expects one of `expected` statuses and a body
    /// that matches the spec's schema for the status it got; returns the body.
    async fn answer(
        &self,
        operation: &str,
        expected: &[u16],
        request: reqwest::RequestBuilder,
    ) -> Value {
        let (status, body) = send(request).await;
        assert!(
            expected.contains(&status),
            "{operation}: status {status}, expected one of {expected:?}: {body}"
        );
        if let Err(errors) = self.check(operation, status, &body) {
            panic!("the mock's answer disagrees with the spec:\n{errors}\nbody: {body:#}");
        }
        body
    }

    /// The operationIds of the spec.
    fn operations(&self) -> BTreeSet<String> {
        self.openapi
            .operations()
            .filter_map(|(_, _, operation)| operation.operation_id.clone())
            .collect()
    }

    /// (operation, status) pairs checked so far.
    fn checked(&self) -> BTreeSet<(String, u16)> {
        self.validators.borrow().keys().cloned().collect()
    }
}

/// Sends `request`; the status and the JSON body (the test fails on a body that is not JSON).
async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = tokio::time::timeout(STEP_LIMIT, request.send())
        .await
        .expect("an answer in time")
        .expect("an answer");
    let status = response.status().as_u16();
    let bytes = tokio::time::timeout(STEP_LIMIT, response.bytes())
        .await
        .expect("a body in time")
        .expect("a body");
    match serde_json::from_slice(&bytes) {
        Ok(body) => (status, body),
        Err(e) => panic!("status {status}: body is not JSON ({e}): {bytes:?}"),
    }
}

fn client(token: Option<&str>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder().timeout(STEP_LIMIT);
    if let Some(token) = token {
        let mut headers = reqwest::header::HeaderMap::new();
        let value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
            .expect("a header value");
        headers.insert(reqwest::header::AUTHORIZATION, value);
        builder = builder.default_headers(headers);
    }
    builder.build().expect("a reqwest client")
}

/// A multipart create-customer-invoice body for `customer_id`, with `extra` text parts
/// replacing or added to the required ones, and `pdf` as the file part.
fn invoice_form(customer_id: &str, extra: &[(&str, &str)], pdf: &[u8]) -> Form {
    let required = [
        ("customerId", customer_id),
        ("invoiceNumber", "2025-777"),
        ("issuedAt", "2025-04-29"),
        ("amount", "12.95"),
    ];
    pdf_form(&required, extra, pdf)
}

/// A multipart create-customer-offer body for `customer_id`, like [`invoice_form`].
fn offer_form(customer_id: &str, extra: &[(&str, &str)], pdf: &[u8]) -> Form {
    let required = [
        ("customerId", customer_id),
        ("offerNumber", "2025-778"),
        ("issuedAt", "2025-04-29"),
        ("expiresAt", "2025-05-29"),
        ("amount", "12.95"),
    ];
    pdf_form(&required, extra, pdf)
}

/// The text parts `required`, with `extra` replacing or added to them, and `pdf` as
/// the file part `pdf`.
fn pdf_form(required: &[(&str, &str)], extra: &[(&str, &str)], pdf: &[u8]) -> Form {
    let mut parts = required.to_vec();
    for (name, value) in extra {
        parts.retain(|(n, _)| n != name);
        parts.push((name, value));
    }
    let mut form = Form::new();
    for (name, value) in parts {
        form = form.text(name.to_string(), value.to_string());
    }
    let pdf = Part::bytes(pdf.to_vec())
        .file_name("document.pdf")
        .mime_str("application/pdf")
        .expect("a valid media type");
    form.part("pdf", pdf)
}

fn customer_body() -> Value {
    json!({
        "companyName": "Test Company BV",
        "address": "Teststreet 123",
        "zipCode": "1234AB",
        "city": "Amsterdam",
        "primaryEmail": "john.doe@test.com",
    })
}

fn manual_body(customer_id: &str) -> Value {
    json!({
        "customerId": customer_id,
        "invoiceNumber": "2015-001",
        "issuedAt": "2025-04-14",
        "lines": [{ "description": "Website template", "amountExclVat": "12.95", "vatRate": 21 }],
    })
}

/// One valid request of every Customer Invoices and Customers operation, against
/// existing `invoice` and `customer` ids.
fn every_operation(
    client: &reqwest::Client,
    base: &str,
    invoice: &str,
    customer: &str,
) -> Vec<(&'static str, reqwest::RequestBuilder)> {
    vec![
        (
            "list-customer-invoices",
            client.get(format!("{base}/customer-invoices")),
        ),
        (
            "get-customer-invoice",
            client.get(format!("{base}/customer-invoices/{invoice}")),
        ),
        (
            "create-customer-invoice",
            client
                .post(format!("{base}/customer-invoices"))
                .multipart(invoice_form(customer, &[], PDF)),
        ),
        (
            "create-customer-invoice-manual",
            client
                .post(format!("{base}/customer-invoices/manual"))
                .json(&manual_body(customer)),
        ),
        (
            "mark-customer-invoice-paid",
            client
                .patch(format!("{base}/customer-invoices/{invoice}"))
                .json(&json!({ "paidAt": "2025-05-11 12:59:00" })),
        ),
        (
            "get-customer-invoice-pdf",
            client.get(format!("{base}/customer-invoices/{invoice}/pdf")),
        ),
        ("list-customers", client.get(format!("{base}/customers"))),
        (
            "create-customer",
            client
                .post(format!("{base}/customers"))
                .json(&customer_body()),
        ),
        (
            "get-customer",
            client.get(format!("{base}/customers/{customer}")),
        ),
        (
            "edit-customer",
            client
                .patch(format!("{base}/customers/{customer}"))
                .json(&json!({ "city": "Utrecht" })),
        ),
    ]
}

/// The id of an existing customer group, offer, subscription and subscription package.
struct RowIds {
    group: String,
    offer: String,
    subscription: String,
    package: String,
}

impl RowIds {
    /// Ids of nothing, for answers given before the route's record is looked up (401, 429).
    fn placeholders() -> Self {
        RowIds {
            group: "cug_00000000000000".into(),
            offer: "off_00000000000000".into(),
            subscription: "sub_00000000000000".into(),
            package: "spg_00000000000000".into(),
        }
    }

    /// The first row of each list.
    async fn first_of_each(client: &reqwest::Client, base: &str) -> Self {
        RowIds {
            group: first_row_id(client, base, "customer-groups").await,
            offer: first_row_id(client, base, "customer-offers").await,
            subscription: first_row_id(client, base, "customer-subscriptions").await,
            package: first_row_id(client, base, "customer-subscription-packages").await,
        }
    }
}

/// One valid request of every operation of customer groups, offers, subscriptions and
/// subscription packages, for the existing `customer` and rows `ids`.
fn group_offer_subscription_operations(
    client: &reqwest::Client,
    base: &str,
    customer: &str,
    ids: &RowIds,
) -> Vec<(&'static str, reqwest::RequestBuilder)> {
    let RowIds {
        group,
        offer,
        subscription,
        package,
    } = ids;
    let subscription_body = json!({
        "customerId": customer, "description": "Contribution costs", "startDate": "2024-05-04",
        "interval": "1 year", "amount": "12.95", "vatRate": 21, "createInvoice": true,
        "createPayment": true, "invoiceDescription": "Extending subscription",
        "paymentIntegrationMandateId": "mdt_123abc", "followUpFailedPayment": true,
    });
    vec![
        ("list-customer-groups", client.get(format!("{base}/customer-groups"))),
        (
            "create-customer-group",
            client
                .post(format!("{base}/customer-groups"))
                .json(&json!({ "name": "Hosting customers", "customers": [customer, "cst_x"] })),
        ),
        ("get-customer-group", client.get(format!("{base}/customer-groups/{group}"))),
        (
            "edit-customer-group",
            client
                .patch(format!("{base}/customer-groups/{group}"))
                .json(&json!({ "name": "Webhosting customers" })),
        ),
        (
            "add-customers-to-customer-group",
            client
                .post(format!("{base}/customer-groups/{group}/customers"))
                .json(&json!({ "customers": [customer] })),
        ),
        ("list-customer-offers", client.get(format!("{base}/customer-offers"))),
        (
            "create-customer-offer",
            client
                .post(format!("{base}/customer-offers"))
                .multipart(offer_form(customer, &[("acceptedAt", "2025-05-01 10:00:00")], PDF)),
        ),
        (
            "create-customer-offer-manual",
            client.post(format!("{base}/customer-offers/manual")).json(&json!({
                "customerId": customer, "offerNumber": "2025-001", "issuedAt": "2025-04-14",
                "expiresAt": "2025-04-30", "sendNotification": true,
                "lines": [{ "description": "Website template", "amountExclVat": "12.95", "vatRate": 21 }],
            })),
        ),
        ("get-customer-offer", client.get(format!("{base}/customer-offers/{offer}"))),
        (
            "mark-customer-offer-accepted-or-rejected",
            client.patch(format!("{base}/customer-offers/{offer}")).json(&json!({
                "acceptedAt": "2024-05-04 20:51:50", "acceptedViaIp": "203.0.113.7",
                "acceptedViaUserAgent": "Mozilla/5.0 (X11; Linux x86_64)",
            })),
        ),
        (
            "list-customer-subscriptions",
            client.get(format!("{base}/customer-subscriptions")),
        ),
        (
            "create-customer-subscription",
            client
                .post(format!("{base}/customer-subscriptions"))
                .json(&subscription_body),
        ),
        (
            "get-customer-subscription",
            client.get(format!("{base}/customer-subscriptions/{subscription}")),
        ),
        (
            "change-customer-subscription",
            client
                .patch(format!("{base}/customer-subscriptions/{subscription}"))
                .json(&json!({ "amount": "14.95", "terminatedAt": "2024-07-04 22:01:00" })),
        ),
        (
            "list-customer-subscription-packages",
            client.get(format!("{base}/customer-subscription-packages")),
        ),
        (
            "create-customer-subscription-package",
            client
                .post(format!("{base}/customer-subscription-packages"))
                .json(&json!({ "name": "Phone subscription", "interval": "1 month", "amount": "12.95", "vatRate": 21 })),
        ),
        (
            "get-customer-subscription-package",
            client.get(format!("{base}/customer-subscription-packages/{package}")),
        ),
        (
            "sign-up-a-customer-for-a-customer-subscription-package",
            client
                .post(format!("{base}/customer-subscription-packages/{package}/sign-up"))
                .json(&json!({
                    "customerId": customer, "startDate": "2024-05-04",
                    "mandateId": "mdt_abc12345def678", "createInvoice": true, "invoiceText": null,
                })),
        ),
    ]
}

/// Ids of existing agreements, appointments, files, file requests and tickets, for
/// requests that name one.
struct FileTicketIds {
    agreement: String,
    document: String,
    appointment: String,
    file: String,
    directory: String,
    file_request: String,
    /// An open ticket that is not a live chat.
    ticket: String,
    /// A message of `ticket` posted less than 5 minutes ago.
    message: String,
}

impl FileTicketIds {
    /// Ids of nothing, for answers given before the route's record is looked up (401,
    /// 429, 404).
    fn placeholders() -> Self {
        let any = |prefix: &str| format!("{prefix}_00000000000000");
        FileTicketIds {
            agreement: any("agr"),
            document: any("agd"),
            appointment: any("apt"),
            file: any("fsf"),
            directory: any("fsd"),
            file_request: any("frq"),
            ticket: any("tic"),
            message: any("tim"),
        }
    }

    /// Existing resources of `server`, found through the API (a directory and a
    /// file made for it; a reply posted to an open ticket, for its attachment).
    async fn existing(server: &MockServer, client: &reqwest::Client) -> Self {
        let base = server.base_url();
        let get = |path: String| send(client.get(format!("{base}/{path}")));
        let agreement = get("agreements".into()).await.1["data"][0]["id"].clone();
        let agreement = agreement.as_str().expect("an agreement").to_string();
        let document = get(format!("agreements/{agreement}")).await.1["documents"][0]["id"].clone();
        // The week from the mock's clock (2026-01-01), with seeded appointments in it.
        let window = "appointments";
        let appointment = get(window.into()).await.1["data"][0]["id"].clone();
        let directory = send(
            client
                .post(format!("{base}/files"))
                .json(&json!({"name": "Schemas"})),
        )
        .await
        .1["id"]
            .clone();
        let upload = Form::new().part("file", Part::bytes(b"a,b\n".to_vec()).file_name("a.csv"));
        let file = send(client.post(format!("{base}/files")).multipart(upload))
            .await
            .1["id"]
            .clone();
        let file_request = get("file-requests".into()).await.1["data"][0]["id"].clone();
        let tickets = get("tickets".into()).await.1;
        let ticket = tickets["data"]
            .as_array()
            .and_then(|t| {
                t.iter()
                    .find(|t| t["status"] == "open" && t["source"] != "chat")
            })
            .map(|t| t["id"].clone())
            .expect("an open ticket");
        let ticket = ticket.as_str().expect("an id").to_string();
        let replied = send(
            client
                .post(format!("{base}/tickets/{ticket}"))
                .json(&json!({"message": "For the attachment."})),
        )
        .await
        .1;
        let message = replied["messages"]
            .as_array()
            .and_then(|m| m.last())
            .map(|m| m["id"].clone())
            .expect("the reply");
        let text = |value: Value| value.as_str().expect("an id").to_string();
        FileTicketIds {
            agreement,
            document: text(document),
            appointment: text(appointment),
            file: text(file),
            directory: text(directory),
            file_request: text(file_request),
            ticket,
            message: text(message),
        }
    }
}

fn agreement_form() -> Form {
    Form::new()
        .text("name", "Service contract")
        .text("signerName", "John Doe")
        .text("signerSignatureData", "data:image/png;base64,iVBORw0KGgo=")
        .text("signers[0][firstName]", "Dirk Jan")
        .text("signers[0][lastName]", "Bakker")
        .text("signers[0][email]", "dj.bakker@domain.com")
        .text("signers[0][shouldIdentify]", "1")
        .part(
            "documents[0]",
            Part::bytes(PDF.to_vec())
                .file_name("contract.pdf")
                .mime_str("application/pdf")
                .expect("a valid media type"),
        )
}

fn appointment_body() -> Value {
    json!({
        "name": "Contract extension", "startsAt": "2026-03-05 14:30:00",
        "endsAt": "2026-03-05 16:00:00", "attendeeName": "John Doe",
        "attendeeEmail": "john.doe@example.com",
    })
}

fn file_request_body() -> Value {
    json!({
        "name": "Contract renewal",
        "requestedFiles": [{ "name": "Logo", "required": true, "maxFileSize": 10240 }],
    })
}

/// One valid request of every operation of agreements, appointments, files, file
/// requests, file shares and tickets, for the existing `customer` and resources `ids`.
fn agreement_to_ticket_operations(
    client: &reqwest::Client,
    base: &str,
    customer: &str,
    ids: &FileTicketIds,
) -> Vec<(&'static str, reqwest::RequestBuilder)> {
    vec![
        ("list-agreements", client.get(format!("{base}/agreements"))),
        (
            "create-agreement",
            client
                .post(format!("{base}/agreements"))
                .multipart(agreement_form()),
        ),
        (
            "get-agreement",
            client.get(format!("{base}/agreements/{}", ids.agreement)),
        ),
        (
            "download-agreement-document",
            client.get(format!(
                "{base}/agreements/{}/documents/{}/download",
                ids.agreement, ids.document
            )),
        ),
        (
            "list-appointments",
            client.get(format!(
                "{base}/appointments?start_at=2025-03-03+09:00&days=31"
            )),
        ),
        (
            "schedule-appointment",
            client
                .post(format!("{base}/appointments"))
                .json(&appointment_body()),
        ),
        (
            "get-appointment",
            client.get(format!("{base}/appointments/{}", ids.appointment)),
        ),
        (
            "change-appointment-status",
            client
                .patch(format!("{base}/appointments/{}", ids.appointment))
                .json(&json!({ "status": "canceled" })),
        ),
        (
            "post-files",
            client
                .post(format!("{base}/files?directory={}", ids.directory))
                .json(&json!({ "name": "2026" })),
        ),
        (
            "get-file-or-directory",
            client.get(format!("{base}/files/{}", ids.file)),
        ),
        (
            "download-file",
            client.get(format!("{base}/files/{}/download", ids.file)),
        ),
        (
            "list-file-requests",
            client.get(format!("{base}/file-requests")),
        ),
        (
            "create-file-request",
            client
                .post(format!("{base}/file-requests"))
                .json(&file_request_body()),
        ),
        (
            "get-file-request",
            client.get(format!("{base}/file-requests/{}", ids.file_request)),
        ),
        (
            "list-file-shares",
            client.get(format!("{base}/file-shares")),
        ),
        (
            "create-file-share",
            client
                .post(format!("{base}/file-shares"))
                .json(&json!({ "content": [ids.file, ids.directory], "customerId": customer })),
        ),
        ("list-ticket-records", client.get(format!("{base}/tickets"))),
        (
            "get-ticket-record",
            client.get(format!("{base}/tickets/{}", ids.ticket)),
        ),
        (
            "add-message-to-the-ticket",
            client
                .post(format!("{base}/tickets/{}", ids.ticket))
                .json(&json!({ "message": "<p>We will look into it!</p>" })),
        ),
        (
            "close-ticket",
            client.patch(format!("{base}/tickets/{}", ids.ticket)),
        ),
        (
            "upload-attachment-to-ticket-message",
            client
                .post(format!(
                    "{base}/tickets/{}/message/{}/attachment",
                    ids.ticket, ids.message
                ))
                .multipart(Form::new().part(
                    "attachment",
                    Part::bytes(b"\x89PNG".to_vec()).file_name("screenshot.png"),
                )),
        ),
    ]
}

/// The id of an existing payment link, punch card (and a card issued for it),
/// Mijn Klantportaal invoice and webhook record.
struct LinkCardWebhookIds {
    payment_link: String,
    punch_card: String,
    issued_card: String,
    mkp_invoice: String,
    webhook: String,
}

impl LinkCardWebhookIds {
    /// Ids of nothing: for answers given before the route's record is looked up (401,
    /// 429), and for 404s.
    fn placeholders() -> Self {
        LinkCardWebhookIds {
            payment_link: "plk_00000000000000".into(),
            punch_card: "pcd_00000000000000".into(),
            issued_card: "pcb_00000000000000".into(),
            mkp_invoice: "fac_00000000000000".into(),
            webhook: "wbh_00000000000000".into(),
        }
    }

    /// The first row of each list (the first issued card of the first punch card).
    async fn first_of_each(client: &reqwest::Client, base: &str) -> Self {
        let punch_card = first_row_id(client, base, "punch-cards").await;
        LinkCardWebhookIds {
            payment_link: first_row_id(client, base, "payment-links").await,
            issued_card: first_row_id(client, base, &format!("punch-cards/{punch_card}/issued"))
                .await,
            punch_card,
            mkp_invoice: first_row_id(client, base, "invoices").await,
            webhook: first_row_id(client, base, "webhooks").await,
        }
    }
}

/// The `id` of the first row of the list at `path`.
async fn first_row_id(client: &reqwest::Client, base: &str, path: &str) -> String {
    let (status, body) = send(client.get(format!("{base}/{path}"))).await;
    assert_eq!(status, 200, "{path}: {body}");
    body["data"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{path} lists a row: {body}"))
        .to_string()
}

/// One valid request of every operation of payment links, punch cards, Mijn
/// Klantportaal invoices and webhooks, for the existing `customer` and rows `ids`.
fn link_card_invoice_webhook_operations(
    client: &reqwest::Client,
    base: &str,
    customer: &str,
    ids: &LinkCardWebhookIds,
) -> Vec<(&'static str, reqwest::RequestBuilder)> {
    let LinkCardWebhookIds {
        payment_link: link,
        punch_card: card,
        issued_card: issued,
        mkp_invoice,
        webhook,
    } = ids;
    vec![
        (
            "list-payment-links",
            client.get(format!("{base}/payment-links")),
        ),
        (
            "create-payment-link",
            client.post(format!("{base}/payment-links")).json(&json!({
                "description": "Contribution costs", "amount": "12.95",
                "expiresAt": "2030-05-04", "reusable": true,
            })),
        ),
        (
            "get-payment-link",
            client.get(format!("{base}/payment-links/{link}")),
        ),
        (
            "list-payment-link-payment",
            client.get(format!("{base}/payment-links/{link}/payments")),
        ),
        (
            "close-payment-link",
            client.delete(format!("{base}/payment-links/{link}")),
        ),
        (
            "list-punch-cards",
            client.get(format!("{base}/punch-cards")),
        ),
        (
            "create-punch-card",
            client.post(format!("{base}/punch-cards")).json(&json!({
                "name": "Driving lessons", "punches": 20, "punchLabel": "lessons",
                "description": "Lessons in a BMW, Mon-Fri 09AM-05PM", "forSale": true,
                "price": "229.95", "vatRate": 21, "expiryValue": 3, "expirePeriod": "years",
            })),
        ),
        (
            "get-punch-card",
            client.get(format!("{base}/punch-cards/{card}")),
        ),
        (
            "edit-punch-card",
            client
                .patch(format!("{base}/punch-cards/{card}"))
                .json(&json!({ "forSale": true, "price": "229.95", "vatRate": 21 })),
        ),
        (
            "list-bought-punch-cards",
            client.get(format!("{base}/punch-cards/{card}/issued")),
        ),
        (
            "issue-new-punch-card",
            client
                .post(format!("{base}/punch-cards/{card}/issued"))
                .json(&json!({ "customerId": customer })),
        ),
        (
            "get-bought-punch-card",
            client.get(format!("{base}/punch-cards/{card}/issued/{issued}")),
        ),
        (
            "stamp-an-issued-punch-card",
            client
                .post(format!("{base}/punch-cards/{card}/issued/{issued}/stamp"))
                .json(&json!({ "stamps": 1 })),
        ),
        (
            "list-mijnklantportaal-invoices",
            client.get(format!("{base}/invoices")),
        ),
        (
            "get-invoice",
            client.get(format!("{base}/invoices/{mkp_invoice}")),
        ),
        ("list-webhooks", client.get(format!("{base}/webhooks"))),
        (
            "create-webhook",
            client.post(format!("{base}/webhooks")).json(&json!({
                "url": "https://mijnklantportaal.nl/webhook-incoming", "type": "customer-created",
            })),
        ),
        (
            "get-webhook-record",
            client.get(format!("{base}/webhooks/{webhook}")),
        ),
    ]
}

/// A mock with `invoices` invoices (and a customer per eight), 15 per page.
async fn mock(invoices: u64) -> MockServer {
    MockServer::builder()
        .invoices(invoices)
        .per_page(15)
        .no_rate_limit()
        .start()
        .await
        .expect("the mock starts")
}

#[tokio::test]
async fn every_operation_answers_as_the_spec_says() {
    let checker = Checker::new();
    // 400 invoices: 27 pages of invoices, 50 customers on 4 pages.
    let server = mock(400).await;
    let base = server.base_url();
    let client = client(Some("test"));
    let dataset = server.dataset();
    let invoice = dataset.invoice(0).expect("an invoice").id;
    let customer = dataset.customer(0).expect("a customer").id;

    let ids = RowIds::first_of_each(&client, &base).await;
    let mut calls = every_operation(&client, &base, &invoice, &customer);
    calls.extend(group_offer_subscription_operations(
        &client, &base, &customer, &ids,
    ));
    let files_and_tickets = FileTicketIds::existing(&server, &client).await;
    calls.extend(agreement_to_ticket_operations(
        &client,
        &base,
        &customer,
        &files_and_tickets,
    ));
    let link_card_webhook = LinkCardWebhookIds::first_of_each(&client, &base).await;
    calls.extend(link_card_invoice_webhook_operations(
        &client,
        &base,
        &customer,
        &link_card_webhook,
    ));
    let named: BTreeSet<String> = calls.iter().map(|(name, _)| name.to_string()).collect();
    assert_eq!(
        named,
        checker.operations(),
        "one call per operation of the spec"
    );
    for (operation, request) in calls {
        checker.answer(operation, &[200, 201], request).await;
    }
    // The second page of the lists with few rows: past the end, or the rest.
    for (operation, path) in [
        ("list-payment-links", "payment-links".to_string()),
        (
            "list-payment-link-payment",
            format!("payment-links/{}/payments", link_card_webhook.payment_link),
        ),
        ("list-punch-cards", "punch-cards".to_string()),
        (
            "list-bought-punch-cards",
            format!("punch-cards/{}/issued", link_card_webhook.punch_card),
        ),
        ("list-mijnklantportaal-invoices", "invoices".to_string()),
        ("list-webhooks", "webhooks".to_string()),
    ] {
        let url = format!("{base}/{path}?page=2");
        let body = checker.answer(operation, &[200], client.get(url)).await;
        assert_eq!(body["current_page"], 2, "{operation}");
    }

    // The other media type of post-files: an upload.
    let upload = Form::new().part("file", Part::bytes(PDF.to_vec()).file_name("a.pdf"));
    checker
        .answer(
            "post-files",
            &[201],
            client.post(format!("{base}/files")).multipart(upload),
        )
        .await;
    // The first and the past-the-end page of the smaller lists.
    for (operation, path) in [
        ("list-agreements", "agreements"),
        ("list-file-requests", "file-requests"),
        ("list-file-shares", "file-shares"),
        ("list-ticket-records", "tickets"),
    ] {
        for page in [1, 2] {
            let url = format!("{base}/{path}?page={page}");
            let body = checker.answer(operation, &[200], client.get(url)).await;
            let rows = body["data"].as_array().map_or(0, Vec::len);
            assert_eq!(rows == 0, page == 2, "{operation} page {page}: {rows} rows");
        }
    }

    // Both lists: first page, a middle page, the last, past the end (after the two
    // invoices and the customer just created: 402 invoices, 51 customers).
    for (operation, path, pages) in [
        (
            "list-customer-invoices",
            "customer-invoices",
            [1, 2, 27, 28],
        ),
        ("list-customers", "customers", [1, 2, 4, 5]),
    ] {
        for page in pages {
            let url = format!("{base}/{path}?page={page}");
            let body = checker.answer(operation, &[200], client.get(url)).await;
            assert_eq!(body["current_page"], page, "{operation} page {page}");
            let past_the_end = page == pages[3];
            let rows = body["data"].as_array().map_or(0, Vec::len);
            assert_eq!(
                rows == 0,
                past_the_end,
                "{operation} page {page}: {rows} rows"
            );
            assert_eq!(
                body["from"].is_null(),
                past_the_end,
                "{operation} page {page}"
            );
        }
    }

    // A created customer and an upload for it with every optional part, read back.
    let mut body = customer_body();
    body["countryCode"] = json!("BE");
    body["city"] = json!("Gent");
    let created = checker
        .answer(
            "create-customer",
            &[200, 201],
            client.post(format!("{base}/customers")).json(&body),
        )
        .await;
    let customer = created["id"].as_str().expect("an id").to_string();
    let upload = invoice_form(
        &customer,
        &[("paidAt", "2025-01-11 12:59:00"), ("sendNotification", "0")],
        PDF,
    );
    let uploaded = checker
        .answer(
            "create-customer-invoice",
            &[200, 201],
            client
                .post(format!("{base}/customer-invoices"))
                .multipart(upload),
        )
        .await;
    assert!(uploaded["paidAt"].is_string(), "{uploaded}");
    let invoice = uploaded["id"].as_str().expect("an id").to_string();
    for (operation, path) in [
        (
            "get-customer-invoice",
            format!("customer-invoices/{invoice}"),
        ),
        (
            "get-customer-invoice-pdf",
            format!("customer-invoices/{invoice}/pdf"),
        ),
        ("get-customer", format!("customers/{customer}")),
    ] {
        checker
            .answer(operation, &[200], client.get(format!("{base}/{path}")))
            .await;
    }
    // The last page of invoices now ends with the upload.
    let last = checker
        .answer(
            "list-customer-invoices",
            &[200],
            client.get(format!("{base}/customer-invoices?page=27")),
        )
        .await;
    assert_eq!(
        last["data"]
            .as_array()
            .and_then(|d| d.last())
            .map(|i| &i["id"]),
        Some(&json!(invoice))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn not_found_and_validation_answers_match_the_spec() {
    let checker = Checker::new();
    let server = mock(20).await;
    let base = server.base_url();
    let client = client(Some("test"));
    let invoice = server.dataset().invoice(0).expect("an invoice").id;
    let customer = server.dataset().customer(0).expect("a customer").id;
    let missing_invoice = format!("{base}/customer-invoices/inv_00000000000000");
    let missing_customer = format!("{base}/customers/cst_00000000000000");

    let not_found = [
        ("get-customer-invoice", client.get(&missing_invoice)),
        (
            "mark-customer-invoice-paid",
            client
                .patch(&missing_invoice)
                .json(&json!({ "paidAt": "2025-05-11 12:59:00" })),
        ),
        (
            "get-customer-invoice-pdf",
            client.get(format!("{missing_invoice}/pdf")),
        ),
        ("get-customer", client.get(&missing_customer)),
        (
            "edit-customer",
            client
                .patch(&missing_customer)
                .json(&json!({ "city": "Utrecht" })),
        ),
    ];
    let files_and_tickets = FileTicketIds::existing(&server, &client).await;
    let nothing = FileTicketIds::placeholders();
    let missing_ticket = format!("{base}/tickets/{}", nothing.ticket);
    let not_found = not_found.into_iter().chain([
        (
            "get-agreement",
            client.get(format!("{base}/agreements/{}", nothing.agreement)),
        ),
        (
            "download-agreement-document",
            client.get(format!(
                "{base}/agreements/{}/documents/{}/download",
                files_and_tickets.agreement, nothing.document
            )),
        ),
        (
            "get-appointment",
            client.get(format!("{base}/appointments/{}", nothing.appointment)),
        ),
        (
            "change-appointment-status",
            client
                .patch(format!("{base}/appointments/{}", nothing.appointment))
                .json(&json!({ "status": "canceled" })),
        ),
        (
            "get-file-or-directory",
            client.get(format!("{base}/files/{}", nothing.file)),
        ),
        (
            "download-file",
            client.get(format!(
                "{base}/files/{}/download",
                files_and_tickets.directory
            )),
        ),
        (
            "get-file-request",
            client.get(format!("{base}/file-requests/{}", nothing.file_request)),
        ),
        ("get-ticket-record", client.get(&missing_ticket)),
        (
            "add-message-to-the-ticket",
            client
                .post(&missing_ticket)
                .json(&json!({ "message": "Hello" })),
        ),
        ("close-ticket", client.patch(&missing_ticket)),
        (
            "upload-attachment-to-ticket-message",
            client
                .post(format!(
                    "{base}/tickets/{}/message/{}/attachment",
                    files_and_tickets.ticket, nothing.message
                ))
                .multipart(
                    Form::new().part("attachment", Part::bytes(b"x".to_vec()).file_name("x.txt")),
                ),
        ),
    ]);
    let missing = RowIds::placeholders();
    let not_found = not_found.into_iter().chain(
        group_offer_subscription_operations(&client, &base, &customer, &missing)
            .into_iter()
            // Every operation on one record: Laravel's 404 before the body is read.
            .filter(|(operation, _)| {
                !operation.starts_with("list-") && !operation.starts_with("create-")
            }),
    );
    let missing = link_card_invoice_webhook_operations(
        &client,
        &base,
        &customer,
        &LinkCardWebhookIds::placeholders(),
    )
    .into_iter()
    // Every operation on a record (or under one): Laravel's 404 before the body is read.
    .filter(|(_, request)| {
        let url = request.try_clone().and_then(|r| r.build().ok());
        url.is_some_and(|r| r.url().path().contains("_00000000000000"))
    });
    let not_found = not_found.into_iter().chain(missing);
    for (operation, request) in not_found {
        let body = checker.answer(operation, &[404], request).await;
        assert!(body["message"].is_string(), "{operation}: {body}");
    }

    let not_a_pdf = invoice_form(&customer, &[], b"plain text, not a PDF");
    let invalid = [
        (
            "create-customer-invoice",
            client
                .post(format!("{base}/customer-invoices"))
                .multipart(not_a_pdf),
        ),
        (
            "create-customer-invoice",
            client
                .post(format!("{base}/customer-invoices"))
                .multipart(invoice_form(&customer, &[("amount", "twelve")], PDF)),
        ),
        (
            "create-customer-invoice-manual",
            client
                .post(format!("{base}/customer-invoices/manual"))
                .json(&json!({ "customerId": customer })),
        ),
        (
            "mark-customer-invoice-paid",
            client
                .patch(format!("{base}/customer-invoices/{invoice}"))
                .json(&json!({ "paidAt": "yesterday" })),
        ),
        (
            "create-customer",
            client
                .post(format!("{base}/customers"))
                .json(&json!({ "companyName": "Only a name" })),
        ),
        (
            "edit-customer",
            client
                .patch(format!("{base}/customers/{customer}"))
                .json(&json!({})),
        ),
    ];
    let ids = RowIds::first_of_each(&client, &base).await;
    let (group, offer, subscription, package) =
        (&ids.group, &ids.offer, &ids.subscription, &ids.package);
    let invalid = invalid.into_iter().chain([
        (
            "create-customer-group",
            client
                .post(format!("{base}/customer-groups"))
                .json(&json!({ "customers": "cst_x" })),
        ),
        (
            "edit-customer-group",
            client
                .patch(format!("{base}/customer-groups/{group}"))
                .json(&json!({})),
        ),
        (
            "add-customers-to-customer-group",
            client
                .post(format!("{base}/customer-groups/{group}/customers"))
                .json(&json!({ "customers": [] })),
        ),
        (
            "create-customer-offer",
            client
                .post(format!("{base}/customer-offers"))
                .multipart(offer_form(&customer, &[("expiresAt", "2024-04-31")], PDF)),
        ),
        (
            "create-customer-offer-manual",
            client
                .post(format!("{base}/customer-offers/manual"))
                .json(&json!({ "customerId": customer })),
        ),
        (
            "mark-customer-offer-accepted-or-rejected",
            client
                .patch(format!("{base}/customer-offers/{offer}"))
                .json(&json!({ "acceptedViaIp": "203.0.113.7" })),
        ),
        (
            "create-customer-subscription",
            client
                .post(format!("{base}/customer-subscriptions"))
                .json(&json!({ "customerId": customer, "interval": "3 months" })),
        ),
        (
            "change-customer-subscription",
            client
                .patch(format!("{base}/customer-subscriptions/{subscription}"))
                .json(&json!({ "vatRate": 20 })),
        ),
        (
            "create-customer-subscription-package",
            client
                .post(format!("{base}/customer-subscription-packages"))
                .json(&json!({})),
        ),
        (
            "sign-up-a-customer-for-a-customer-subscription-package",
            client
                .post(format!(
                    "{base}/customer-subscription-packages/{package}/sign-up"
                ))
                .json(&json!({ "customerId": "cst_x" })),
        ),
    ]);
    let invalid = invalid.into_iter().chain([
        (
            "create-agreement",
            client
                .post(format!("{base}/agreements"))
                .multipart(Form::new().text("name", "No signers, no documents")),
        ),
        (
            "list-appointments",
            client.get(format!("{base}/appointments?start_at=tomorrow")),
        ),
        (
            "schedule-appointment",
            client
                .post(format!("{base}/appointments"))
                .json(&json!({ "name": "No times" })),
        ),
        (
            "change-appointment-status",
            client
                .patch(format!(
                    "{base}/appointments/{}",
                    files_and_tickets.appointment
                ))
                .json(&json!({ "status": "pending" })),
        ),
        (
            "post-files",
            client
                .post(format!("{base}/files?directory={}", nothing.directory))
                .json(&json!({ "name": "Lost" })),
        ),
        (
            "post-files",
            client
                .post(format!("{base}/files"))
                .multipart(Form::new().text("name", "no file")),
        ),
        (
            "create-file-request",
            client
                .post(format!("{base}/file-requests"))
                .json(&json!({ "name": "Nothing asked" })),
        ),
        (
            "create-file-share",
            client
                .post(format!("{base}/file-shares"))
                .json(&json!({ "content": [nothing.file] })),
        ),
        (
            "add-message-to-the-ticket",
            client
                .post(format!("{base}/tickets/{}", files_and_tickets.ticket))
                .json(&json!({ "message": "" })),
        ),
        (
            "upload-attachment-to-ticket-message",
            client
                .post(format!(
                    "{base}/tickets/{}/message/{}/attachment",
                    files_and_tickets.ticket, files_and_tickets.message
                ))
                .multipart(Form::new().text("attachment", "not a file")),
        ),
    ]);
    let link_card_webhook = LinkCardWebhookIds::first_of_each(&client, &base).await;
    let (card, issued) = (
        &link_card_webhook.punch_card,
        &link_card_webhook.issued_card,
    );
    let invalid = invalid.into_iter().chain([
        (
            "create-payment-link",
            client
                .post(format!("{base}/payment-links"))
                .json(&json!({ "amount": "12,95", "expiresAt": "2024-04-31" })),
        ),
        (
            "create-punch-card",
            client
                .post(format!("{base}/punch-cards"))
                .json(&json!({ "name": "Driving lessons", "forSale": true })),
        ),
        (
            "edit-punch-card",
            client
                .patch(format!("{base}/punch-cards/{card}"))
                .json(&json!({ "price": "229.95" })),
        ),
        (
            "issue-new-punch-card",
            client
                .post(format!("{base}/punch-cards/{card}/issued"))
                .json(&json!({ "customerId": "cst_00000000000000" })),
        ),
        (
            "stamp-an-issued-punch-card",
            client
                .post(format!("{base}/punch-cards/{card}/issued/{issued}/stamp"))
                .json(&json!({ "stamps": 0 })),
        ),
        (
            "create-webhook",
            client
                .post(format!("{base}/webhooks"))
                .json(&json!({ "url": "not a URL", "type": "customer-updated" })),
        ),
    ]);
    for (operation, request) in invalid {
        let body = checker.answer(operation, &[422], request).await;
        let fields = body["errors"].as_object().map_or(0, |errors| errors.len());
        assert!(fields > 0, "{operation}: a 422 names its fields: {body}");
    }

    // Refused by the record's state (no field is wrong): a closed link closed again,
    // a fully used card stamped.
    let link = &link_card_webhook.payment_link;
    let close = || client.delete(format!("{base}/payment-links/{link}"));
    checker.answer("close-payment-link", &[200], close()).await;
    let issued = checker
        .answer(
            "list-bought-punch-cards",
            &[200],
            client.get(format!("{base}/punch-cards/{card}/issued")),
        )
        .await;
    let used = issued["data"]
        .as_array()
        .and_then(|cards| cards.iter().find(|c| c["status"] == "fully_used"))
        .and_then(|c| c["id"].as_str())
        .expect("a fully used card among the first card's")
        .to_string();
    let refused = [
        ("close-payment-link", close()),
        (
            "stamp-an-issued-punch-card",
            client
                .post(format!("{base}/punch-cards/{card}/issued/{used}/stamp"))
                .json(&json!({ "stamps": 1 })),
        ),
    ];
    for (operation, request) in refused {
        let body = checker.answer(operation, &[422], request).await;
        assert!(body["message"].is_string(), "{operation}: {body}");
    }

    // A state refused: closing a closed ticket (a message, no fields).
    let close = || client.patch(format!("{base}/tickets/{}", files_and_tickets.ticket));
    checker.answer("close-ticket", &[200], close()).await;
    let body = checker.answer("close-ticket", &[422], close()).await;
    assert_eq!(body["message"], "The ticket is already closed.");
    server.shutdown().await;

    // A portal without ticketing: 426.
    let unlicensed = MockServer::builder()
        .invoices(20)
        .no_rate_limit()
        .without_ticketing()
        .start()
        .await
        .expect("the mock starts");
    let url = format!(
        "{}/tickets/{}",
        unlicensed.base_url(),
        files_and_tickets.ticket
    );
    let body = checker
        .answer("close-ticket", &[426], client.patch(url))
        .await;
    assert!(body["message"].is_string(), "{body}");
    unlicensed.shutdown().await;
}

#[tokio::test]
async fn unauthenticated_and_rate_limited_answers_match_the_spec_for_every_operation() {
    let checker = Checker::new();
    let open = mock(20).await;
    let base = open.base_url();
    let invoice = open.dataset().invoice(0).expect("an invoice").id;
    let customer = open.dataset().customer(0).expect("a customer").id;
    let anonymous = client(None);
    let calls = every_operation(&anonymous, &base, &invoice, &customer)
        .into_iter()
        .chain(group_offer_subscription_operations(
            &anonymous,
            &base,
            &customer,
            &RowIds::placeholders(),
        ))
        .chain(agreement_to_ticket_operations(
            &anonymous,
            &base,
            &customer,
            &FileTicketIds::placeholders(),
        ))
        .chain(link_card_invoice_webhook_operations(
            &anonymous,
            &base,
            &customer,
            &LinkCardWebhookIds::placeholders(),
        ));
    for (operation, request) in calls {
        let body = checker.answer(operation, &[401], request).await;
        assert_eq!(body["message"], "Unauthenticated.", "{operation}");
    }
    open.shutdown().await;

    // One request an hour: the first is answered, every other one refused.
    let limited = MockServer::builder()
        .invoices(20)
        .rate_limit(1, Duration::from_secs(3600))
        .start()
        .await
        .expect("the mock starts");
    let base = limited.base_url();
    let authenticated = client(Some("test"));
    let first = send(authenticated.get(format!("{base}/customer-invoices"))).await;
    assert_eq!(first.0, 200, "the one request of the window");
    let calls = every_operation(&authenticated, &base, &invoice, &customer)
        .into_iter()
        .chain(group_offer_subscription_operations(
            &authenticated,
            &base,
            &customer,
            &RowIds::placeholders(),
        ))
        .chain(agreement_to_ticket_operations(
            &authenticated,
            &base,
            &customer,
            &FileTicketIds::placeholders(),
        ))
        .chain(link_card_invoice_webhook_operations(
            &authenticated,
            &base,
            &customer,
            &LinkCardWebhookIds::placeholders(),
        ));
    for (operation, request) in calls {
        let body = checker.answer(operation, &[429], request).await;
        assert_eq!(body["code"], 429, "{operation}");
    }
    limited.shutdown().await;
    let checked = checker.checked();
    for operation in checker.operations() {
        for status in [401, 429] {
            assert!(
                checked.contains(&(operation.clone(), status)),
                "{operation} {status}"
            );
        }
    }
}

/// The check is not a formality: wrong bodies are reported, with where and what.
#[test]
fn wrong_bodies_are_reported_with_operation_status_pointer_and_reason() {
    let checker = Checker::new();
    let valid = json!({
        "id": "inv_abc12345def678",
        "customerId": "cst_abc12345def678",
        "invoiceNumber": "2024-001",
        "issuedAt": "2024-04-29",
        "currency": "EUR",
        "amount": "12.95",
        "paidAt": null,
        "createdAt": "2024-04-29T21:00:00+02:00",
        "links": { "customer": { "href": "https://x/v1/customers/cst_1", "type": "application/json" } }
    });
    assert_eq!(checker.check("get-customer-invoice", 200, &valid), Ok(()));

    let mut amount_as_number = valid.clone();
    amount_as_number["amount"] = json!(12.95);
    let report = checker
        .check("get-customer-invoice", 200, &amount_as_number)
        .unwrap_err();
    assert_eq!(
        report,
        "get-customer-invoice 200: /amount: 12.95 is not of type \"string\""
    );

    let mut undocumented = valid.clone();
    undocumented["links"]["customer"]["rel"] = json!("customer");
    let report = checker
        .check("get-customer-invoice", 200, &undocumented)
        .unwrap_err();
    assert!(
        report.starts_with("get-customer-invoice 200: /links/customer: ") && report.contains("rel"),
        "{report}"
    );

    let mut missing_links = valid.clone();
    missing_links
        .as_object_mut()
        .map(|object| object.remove("links"));
    let report = checker
        .check("mark-customer-invoice-paid", 200, &missing_links)
        .unwrap_err();
    assert_eq!(
        report,
        "mark-customer-invoice-paid 200: (root): \"links\" is a required property"
    );

    let mut wrong_formats = valid.clone();
    wrong_formats["createdAt"] = json!(null);
    wrong_formats["issuedAt"] = json!("2024-04-31");
    wrong_formats["amount"] = json!("12,95");
    let report = checker
        .check("create-customer-invoice", 201, &wrong_formats)
        .unwrap_err();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 3, "{report}");
    for pointer in ["/createdAt", "/issuedAt", "/amount"] {
        assert!(
            lines
                .iter()
                .any(|line| line.starts_with(&format!("create-customer-invoice 201: {pointer}: "))),
            "{pointer} not reported: {report}"
        );
    }

    let page = json!({
        "current_page": 1, "data": [valid], "first_page_url": "x", "from": 1,
        "next_page_url": null, "path": "x", "per_page": "15a", "prev_page_url": null, "to": 1
    });
    let report = checker
        .check("list-customer-invoices", 200, &page)
        .unwrap_err();
    assert!(
        report.starts_with("list-customer-invoices 200: /per_page: "),
        "{report}"
    );

    let report = checker
        .check(
            "create-customer",
            422,
            &json!({ "message": "m", "errors": { "city": "required" } }),
        )
        .unwrap_err();
    assert_eq!(
        report,
        "create-customer 422: /errors/city: \"required\" is not of type \"array\""
    );
    assert_eq!(
        checker.check("get-customer", 302, &json!({})),
        Err("get-customer 302: `get-customer` declares no response for status 302".into())
    );
}

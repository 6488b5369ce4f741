//! Writes against the mock over loopback: customers and invoices created, read back,
//! listed, changed; validation and missing resources typed; and a create whose answer
//! is lost is not sent twice.

use crate::common;

use chrono::{NaiveDate, Utc};
use common::{client_for, mock, within};
use mijnklantportaal::{
    Client, CreateCustomer, CreateCustomerInvoice, CustomerId, CustomerInvoiceId, Error, FilePart,
    InvoiceExt, ManualInvoiceLine,
};
use rust_decimal::Decimal;

/// A minimal PDF, as uploads carry.
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn new_customer<'c>(client: &'c Client, email: &str) -> CreateCustomer<'c> {
    client
        .customers()
        .create()
        .company_name("Test Company BV")
        .address("Teststreet 123")
        .zip_code("1234AB")
        .city("Amsterdam")
        .primary_email(email)
}

/// An invoice upload for `customer` with every required field, `pdf` as its PDF.
fn new_invoice<'c>(
    client: &'c Client,
    customer: &str,
    number: &str,
    amount: Decimal,
    pdf: FilePart,
) -> CreateCustomerInvoice<'c> {
    client
        .customer_invoices()
        .create()
        .customer_id(customer)
        .invoice_number(number)
        .issued_at(issued())
        .amount(amount)
        .pdf(pdf)
}

fn pdf() -> FilePart {
    FilePart::bytes("invoice.pdf", PDF).media_type("application/pdf")
}

fn issued() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 4, 29).expect("a date")
}

/// Ids are types: `get` takes the `CustomerId` a create returned, and an id prints as
/// the plain string.
#[tokio::test]
async fn a_created_customers_typed_id_reads_it_back() {
    let server = mock(1, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let customer = within(10, new_customer(&client, "typed@ids.nl"))
        .await
        .expect("created");
    let id: &CustomerId = &customer.id;
    let got = within(10, client.customers().get(id)).await.expect("found");
    assert_eq!(got, customer);
    assert_eq!(CustomerId::from("cst_x").to_string(), "cst_x");
}

#[tokio::test]
async fn a_customer_and_an_invoice_round_trip() {
    let server = mock(20, |b| b).await;
    let client = client_for(&server).build().expect("a client");

    let customer = within(10, new_customer(&client, "john.doe@test.com"))
        .await
        .expect("created");
    assert!(customer.id.starts_with("cst_"), "{}", customer.id);
    let again = within(10, client.customers().get(&customer.id))
        .await
        .expect("found");
    assert_eq!(again, customer);
    let listed = within(10, client.customers().list().collect_all())
        .await
        .expect("listed");
    assert!(
        listed.iter().any(|c| c.id == customer.id),
        "the list shows it"
    );

    let upload = new_invoice(
        &client,
        &customer.id,
        "T-2024-001",
        Decimal::new(1295, 2),
        pdf(),
    )
    .send_notification(false);
    let invoice = within(10, upload).await.expect("uploaded");
    assert_eq!(
        (
            invoice.invoice_number.as_str(),
            invoice.amount,
            invoice.customer_id().as_str()
        ),
        ("T-2024-001", Decimal::new(1295, 2), customer.id.as_str())
    );
    assert!(!invoice.is_paid());
    let got = within(10, client.customer_invoices().get(&invoice.id))
        .await
        .expect("found");
    assert_eq!(got.id, invoice.id);
    let owner = within(10, client.customers().of_invoice(&got))
        .await
        .expect("its customer");
    assert_eq!(owner.id, customer.id);

    let paid = within(
        10,
        client
            .customer_invoices()
            .mark_paid(&invoice.id)
            .paid_at(Utc::now()),
    )
    .await
    .expect("marked paid");
    let paid_at = paid.paid_at.expect("paid");
    assert!(
        matches!(paid_at.offset().local_minus_utc(), 3600 | 7200),
        "Dutch time: {paid_at}"
    );
    assert!(
        (Utc::now() - paid_at.to_utc()).num_seconds().abs() < 120,
        "{paid_at}"
    );

    let link = within(10, client.customer_invoices().pdf_link(&invoice.id))
        .await
        .expect("a link");
    assert_eq!(
        link.expires_at,
        server.now() + chrono::Duration::minutes(5),
        "five minutes from the mock's clock"
    );
    let bytes = reqwest::get(&link.link)
        .await
        .expect("downloaded")
        .bytes()
        .await
        .expect("the body");
    assert_eq!(&bytes[..], PDF, "the uploaded PDF comes back");

    let found = within(10, client.customer_invoices().find_by_number("T-2024-001"))
        .await
        .expect("listed");
    assert_eq!(found.map(|i| i.id), Some(invoice.id));
}

#[tokio::test]
async fn a_manual_invoice_and_a_customer_edit() {
    let server = mock(5, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let customer = within(10, new_customer(&client, "a@b.nl"))
        .await
        .expect("created");
    let line: ManualInvoiceLine = ManualInvoiceLine::builder()
        .description("Website template")
        .amount_excl_vat(Decimal::new(1000, 2))
        .vat_rate(21)
        .try_into()
        .expect("a line");
    let manual = client
        .customer_invoices()
        .create_manual()
        .customer_id(&customer.id)
        .invoice_number("2025-001")
        .issued_at(NaiveDate::from_ymd_opt(2025, 4, 14).expect("a date"))
        .lines([line]);
    let invoice = within(10, manual).await.expect("created");
    assert_eq!(invoice.invoice_number, "2025-001");
    assert_eq!(invoice.amount, Decimal::new(1210, 2), "10.00 plus 21% VAT");

    let edited = within(10, client.customers().edit(&customer.id).city("Utrecht"))
        .await
        .expect("edited");
    assert_eq!(
        (edited.city.as_str(), edited.address.as_str()),
        ("Utrecht", "Teststreet 123")
    );
    // An edit without fields is no longer refused before sending: the server refuses
    // it (Laravel's `required_without_all` on companyName).
    let nothing = within(10, client.customers().edit(&customer.id))
        .await
        .expect_err("nothing to change");
    assert!(
        matches!(&nothing, Error::Validation { errors, .. } if errors.contains_key("companyName")),
        "{nothing:?}"
    );
}

#[tokio::test]
async fn refused_fields_and_missing_resources_are_typed() {
    let server = mock(5, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let err = within(10, new_customer(&client, "not an e-mail address"))
        .await
        .expect_err("refused");
    let Error::Validation { errors, .. } = &err else {
        panic!("expected a validation error, got {err:?}");
    };
    assert!(errors.contains_key("primaryEmail"), "{errors:?}");
    assert!(
        err.to_string()
            .starts_with("the API refused the data (422): primaryEmail: "),
        "{err}"
    );

    let upload = new_invoice(&client, "cst_doesnotexist00", "X-1", Decimal::ONE, pdf());
    let err = within(10, upload).await.expect_err("unknown customer");
    assert!(
        matches!(&err, Error::Validation { errors, .. } if errors.contains_key("customerId")),
        "{err:?}"
    );
    let not_pdf = FilePart::bytes("invoice.pdf", &b"hello"[..]).media_type("application/pdf");
    let customer = within(10, new_customer(&client, "c@d.nl"))
        .await
        .expect("ok");
    let upload = new_invoice(&client, &customer.id, "X-2", Decimal::ONE, not_pdf);
    let err = within(10, upload).await.expect_err("not a PDF");
    assert!(
        matches!(&err, Error::Validation { errors, .. } if errors.contains_key("pdf")),
        "{err:?}"
    );
    assert_eq!(server.invoices_created().len(), 0, "nothing was created");

    let err = within(
        10,
        client
            .customer_invoices()
            .get(CustomerInvoiceId::from("inv_doesnotexist00")),
    )
    .await
    .expect_err("missing");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = within(
        10,
        client
            .customers()
            .get(CustomerId::from("cst_doesnotexist00")),
    )
    .await
    .expect_err("missing");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

/// The issue's point: the server creates the invoice, and the answer is lost. The
/// client does not send it again (there would be two), says the invoice may exist, and
/// `find_by_number` tells that it does.
#[tokio::test]
async fn a_create_whose_answer_is_lost_is_not_sent_twice() {
    let server = mock(5, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let customer = within(10, new_customer(&client, "e@f.nl"))
        .await
        .expect("ok");

    server.drop_next_write_responses(1);
    let upload = new_invoice(&client, &customer.id, "2024-777", Decimal::TEN, pdf());
    let err = within(10, upload).await.expect_err("no answer");
    assert!(matches!(err, Error::MaybeApplied { .. }), "{err:?}");
    assert!(err.to_string().contains("find_by_number"), "{err}");
    let created: Vec<_> = server
        .invoices_created()
        .into_iter()
        .filter(|i| i.invoice_number == "2024-777")
        .collect();
    assert_eq!(created.len(), 1, "created once, not retried");
    let found = within(10, client.customer_invoices().find_by_number("2024-777"))
        .await
        .expect("listed");
    assert_eq!(
        found.map(|i| i.id),
        Some(CustomerInvoiceId::from(created[0].id.as_str()))
    );

    // Marking paid is safe to repeat: a lost answer is retried and succeeds.
    server.drop_next_write_responses(1);
    let paid = within(
        10,
        client
            .customer_invoices()
            .mark_paid(CustomerInvoiceId::from(created[0].id.as_str()))
            .paid_at(Utc::now()),
    )
    .await
    .expect("retried");
    assert!(paid.is_paid());
}

#[tokio::test]
async fn a_pdf_file_is_read_and_checked_before_upload() {
    // Nothing is sent: the client's base URL is never called.
    let client = Client::builder()
        .token(common::TOKEN)
        .base_url("http://127.0.0.1:9/v1")
        .build()
        .expect("a client");
    let upload = || client.customer_invoices().create();
    let dir = std::env::temp_dir().join(format!("mkp-writes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let good = dir.join("good.pdf");
    std::fs::write(&good, PDF).expect("written");
    let request = upload().pdf_file(&good).await.expect("a PDF");
    // The part is private to the request: its `Debug` shows its name and size.
    let shown = format!("{request:?}");
    assert!(
        shown.contains(r#"file_name: "good.pdf""#)
            && shown.contains(&format!(r#"body: "{} bytes""#, PDF.len())),
        "{shown}"
    );

    let bad = dir.join("notes.txt");
    std::fs::write(&bad, b"not a pdf").expect("written");
    let err = upload().pdf_file(&bad).await.expect_err("refused");
    assert!(
        matches!(err, Error::File { .. }) && err.report().to_string().contains("not a PDF"),
        "{}",
        err.report()
    );
    let err = upload()
        .pdf_file(dir.join("missing.pdf"))
        .await
        .expect_err("missing");
    assert!(matches!(err, Error::File { .. }), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A required field left unset fails before anything is sent.
#[tokio::test]
async fn a_create_without_a_required_field_sends_nothing() {
    let server = mock(5, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    server.clear_requests();
    let err = within(10, client.customers().create().company_name("x"))
        .await
        .expect_err("no address");
    assert!(
        matches!(
            err,
            Error::MissingField {
                field: "address",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    assert_eq!(server.stats().requests, 0, "the mock received nothing");
    assert!(server.customers_created().is_empty());
}

//! Customer offers through the wrapper against the mock on loopback: upload and manual
//! create, accepted and rejected, typed 404 and 422, a lost create not sent twice, a
//! lost decision retried, and the listing paged.

use crate::common::{client_for, customer_ids, mock, requests_to, within};
use chrono::{NaiveDate, Utc};
use mijnklantportaal::{
    CreateCustomerOffer, CreateCustomerOfferManual, CustomerId, CustomerOfferId, CustomerOffers,
    Error, FilePart, ManualInvoiceLine,
};
use reqwest::Method;
use rust_decimal::Decimal;

/// A minimal PDF, as uploads carry.
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn pdf() -> FilePart {
    FilePart::bytes("offer.pdf", PDF).media_type("application/pdf")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

fn upload<'c>(
    offers: &CustomerOffers<'c>,
    customer: &str,
    number: &str,
) -> CreateCustomerOffer<'c> {
    offers
        .create()
        .customer_id(CustomerId::from(customer))
        .offer_number(number)
        .issued_at(day(2024, 4, 29))
        .expires_at(day(2024, 5, 29))
        .amount(Decimal::new(1295, 2))
        .pdf(pdf())
}

fn manual<'c>(
    offers: &CustomerOffers<'c>,
    customer: &str,
    number: &str,
) -> CreateCustomerOfferManual<'c> {
    let line: ManualInvoiceLine = ManualInvoiceLine::builder()
        .description("Website template")
        .amount_excl_vat(Decimal::new(1000, 2))
        .vat_rate(21)
        .try_into()
        .expect("a line");
    offers
        .create_manual()
        .customer_id(CustomerId::from(customer))
        .offer_number(number)
        .issued_at(day(2025, 4, 14))
        .expires_at(day(2025, 4, 30))
        .lines([line])
}

#[tokio::test]
async fn an_offer_is_uploaded_then_accepted_and_another_rejected() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let offers = client.customer_offers();
    let customer = customer_ids(&server, 1).remove(0);

    let offer = within(
        10,
        upload(&offers, &customer, "T-2024-001").send_notification(false),
    )
    .await
    .expect("uploaded");
    assert!(offer.id.starts_with("off_"), "{}", offer.id);
    assert_eq!(
        (
            offer.offer_number.as_str(),
            offer.amount,
            offer.expires_at,
            offer.customer_id.as_str()
        ),
        (
            "T-2024-001",
            Decimal::new(1295, 2),
            day(2024, 5, 29),
            customer.as_str()
        )
    );
    assert_eq!(
        (offer.accepted_at, offer.rejected_at),
        (None, None),
        "outstanding"
    );
    assert!(
        offer
            .links
            .customer
            .href
            .ends_with(&format!("/v1/customers/{customer}"))
    );

    let acceptance = offers
        .mark_accepted(&offer.id)
        .accepted_at(Utc::now())
        .accepted_via_ip("203.0.113.7")
        .accepted_via_user_agent("Mozilla/5.0 (X11; Linux x86_64)");
    let accepted = within(10, acceptance).await.expect("accepted");
    let accepted_at = accepted.accepted_at.expect("accepted");
    assert!(
        matches!(accepted_at.offset().local_minus_utc(), 3600 | 7200),
        "Dutch time: {accepted_at}"
    );
    assert!(
        (Utc::now() - accepted_at.to_utc()).num_seconds().abs() < 120,
        "{accepted_at}"
    );
    assert_eq!(accepted.accepted_via_ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(accepted.rejected_at, None);
    assert_eq!(
        within(10, offers.get(&offer.id)).await.expect("found"),
        accepted
    );

    let other = within(10, manual(&offers, &customer, "2025-001"))
        .await
        .expect("created");
    assert_eq!(other.amount, Decimal::new(1210, 2), "10.00 plus 21% VAT");
    let rejected = within(10, offers.mark_rejected(&other.id, Utc::now()))
        .await
        .expect("rejected");
    assert!(rejected.rejected_at.is_some() && rejected.accepted_at.is_none());

    let found = within(10, offers.find_by_number("2025-001"))
        .await
        .expect("listed");
    assert_eq!(found.map(|o| o.id), Some(other.id));
    let listed = within(10, offers.list().collect_all())
        .await
        .expect("listed");
    assert!(
        listed
            .iter()
            .any(|o| o.id == offer.id && o.accepted_at.is_some())
    );
}

/// An offer accepted before it is uploaded carries its acceptance from the start.
#[tokio::test]
async fn an_offer_can_be_uploaded_already_accepted() {
    let server = mock(16, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let customer = customer_ids(&server, 1).remove(0);
    let signed = chrono::DateTime::parse_from_rfc3339("2024-05-04T20:51:50+02:00").expect("a time");
    let new = upload(&client.customer_offers(), &customer, "T-2")
        .accepted_at(signed)
        .accepted_via_ip("203.0.113.9");
    let offer = within(10, new).await.expect("uploaded");
    assert_eq!(offer.accepted_at, Some(signed));
    assert_eq!(offer.accepted_via_ip.as_deref(), Some("203.0.113.9"));
}

#[tokio::test]
async fn missing_offers_and_refused_fields_are_typed() {
    let server = mock(16, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let offers = client.customer_offers();
    let missing = CustomerOfferId::from("off_doesnotexist00");
    let err = within(10, offers.get(&missing)).await.expect_err("missing");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = within(10, offers.mark_rejected(&missing, Utc::now()))
        .await
        .expect_err("missing");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");

    let customer = customer_ids(&server, 1).remove(0);
    let not_pdf = FilePart::bytes("offer.pdf", &b"hello"[..]).media_type("application/pdf");
    let new = offers
        .create()
        .customer_id(CustomerId::from(customer.as_str()))
        .offer_number("X-1")
        .issued_at(day(2024, 4, 29))
        .expires_at(day(2024, 5, 29))
        .amount(Decimal::ONE)
        .pdf(not_pdf);
    let err = within(10, new).await.expect_err("not a PDF");
    assert!(
        matches!(&err, Error::Validation { errors, .. } if errors.contains_key("pdf")),
        "{err:?}"
    );
    let err = within(10, manual(&offers, "cst_doesnotexist00", "X-2"))
        .await
        .expect_err("unknown customer");
    assert!(
        matches!(&err, Error::Validation { errors, .. } if errors.contains_key("customerId")),
        "{err:?}"
    );
    assert_eq!(
        requests_to(&server, Method::POST, "/v1/customer-offers"),
        1,
        "a 422 is final"
    );
}

/// The server creates the offer and the answer is lost: not sent again; the offer is
/// there once. A decision is safe to repeat: its lost answer is retried.
#[tokio::test]
async fn a_lost_create_is_not_repeated_and_a_lost_decision_is() {
    let server = mock(16, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let offers = client.customer_offers();
    let customer = customer_ids(&server, 1).remove(0);

    server.drop_next_write_responses(1);
    let err = within(10, upload(&offers, &customer, "2024-777"))
        .await
        .expect_err("no answer");
    assert!(matches!(err, Error::MaybeApplied { .. }), "{err:?}");
    assert!(err.to_string().contains("find_by_number"), "{err}");
    assert_eq!(
        requests_to(&server, Method::POST, "/v1/customer-offers"),
        1,
        "not sent twice"
    );
    let all = within(10, offers.list().collect_all())
        .await
        .expect("listed");
    let created: Vec<_> = all
        .iter()
        .filter(|o| o.offer_number == "2024-777")
        .collect();
    assert_eq!(created.len(), 1, "created once");

    server.drop_next_write_responses(1);
    let accepted = within(
        10,
        offers.mark_accepted(&created[0].id).accepted_at(Utc::now()),
    )
    .await
    .expect("retried");
    assert!(accepted.accepted_at.is_some());
    let path = format!("/v1/customer-offers/{}", created[0].id);
    assert_eq!(requests_to(&server, Method::PATCH, &path), 2);
}

#[tokio::test]
async fn offers_are_listed_page_by_page() {
    let server = mock(16, |b| b.per_page(6)).await;
    let client = client_for(&server).build().expect("a client");
    let offers = within(10, client.customer_offers().list().collect_all())
        .await
        .expect("listed");
    assert_eq!(
        offers.len(),
        20,
        "the mock's starting offers, over four pages"
    );
    let pages = requests_to(&server, Method::GET, "/v1/customer-offers");
    assert!(pages >= 4, "{pages} page requests");
    assert!(offers.iter().any(|o| o.accepted_at.is_some()));
    assert!(offers.iter().any(|o| o.rejected_at.is_some()));
    assert!(
        offers
            .iter()
            .any(|o| o.accepted_at.is_none() && o.rejected_at.is_none())
    );
}

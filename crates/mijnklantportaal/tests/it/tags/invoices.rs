//! Mijn Klantportaal's own invoices (the vendor's "Invoices API", `client.mkp_invoices()`;
//! not customer invoices) through the wrapper, against the mock on loopback: both
//! operations, every invoice through the one `Lister`, amounts sent as JSON numbers
//! read exactly, and an unknown id typed.

use crate::common::{client_for, mock, within};
use futures::TryStreamExt;
use mijnklantportaal::Error;
use rust_decimal::Decimal;

#[tokio::test]
async fn every_invoice_is_listed_and_read_with_exact_amounts() {
    let server = mock(0, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let invoices = client.mkp_invoices();

    let pages: Vec<_> = within(10, invoices.list().pages().try_collect())
        .await
        .expect("paged");
    assert!(pages.len() >= 2, "more than a page: {}", pages.len());
    let all: Vec<_> = pages.into_iter().flat_map(|p| p.into_items()).collect();
    let mut ids: Vec<_> = all.iter().map(|i| i.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "no invoice twice");
    for invoice in &all {
        assert!(invoice.id.starts_with("fac_"), "{}", invoice.id);
        assert!(
            invoice.invoice_number.starts_with("MKP-"),
            "{}",
            invoice.invoice_number
        );
        // `.000Z`: midnight, offset zero, kept as sent.
        assert_eq!(invoice.issued_at.offset().local_minus_utc(), 0);
        let lines = &invoice.lines;
        let sum = |f: fn(&mijnklantportaal::MkpInvoiceLine) -> Decimal| -> Decimal {
            lines.iter().map(f).sum()
        };
        assert_eq!(
            sum(|l| l.amount_excl_vat.get()),
            invoice.subtotal_amount.get()
        );
        assert_eq!(sum(|l| l.vat_amount.get()), invoice.vat_amount.get());
        assert_eq!(
            invoice.subtotal_amount.get() + invoice.vat_amount.get(),
            invoice.total_amount.get(),
            "{}: exact sums, no float rounding",
            invoice.id
        );
        for line in lines {
            assert_eq!(
                line.amount_excl_vat.get() + line.vat_amount.get(),
                line.amount_incl_vat.get()
            );
        }
    }
    assert!(
        all.iter().any(|i| !i.is_paid),
        "the last ones are still open"
    );

    let last = all.last().expect("invoices");
    assert_eq!(
        &within(10, invoices.get(&last.id)).await.expect("found"),
        last
    );
    assert!(matches!(
        within(10, invoices.get("fac_00000000000000")).await,
        Err(Error::NotFound { .. })
    ));
}

/// The mock sends the amounts as the vendor's examples do, as JSON numbers; the
/// wrapper reads each to the cent the number says.
#[tokio::test]
async fn amounts_sent_as_numbers_are_read_to_the_cent() {
    let server = mock(0, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let invoice = within(10, client.mkp_invoices().list().max_items(1).collect_all())
        .await
        .expect("listed")
        .remove(0);

    let raw = within(
        10,
        reqwest::Client::new()
            .get(format!("{}/invoices/{}", server.base_url(), invoice.id))
            .bearer_auth(crate::common::TOKEN)
            .send(),
    )
    .await
    .expect("answered")
    .text()
    .await
    .expect("a body");
    let total = format!("\"totalAmount\":{},", invoice.total_amount);
    assert!(raw.contains(&total), "a JSON number, {total} in {raw}");
    assert_eq!(
        invoice.total_amount.get().scale(),
        2,
        "{}",
        invoice.total_amount
    );
}

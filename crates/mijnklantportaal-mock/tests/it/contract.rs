//! Contract tests: the mock against the project's generated client.
//!
//! Every page of several datasets is walked with the generated client (so every body
//! must decode into the generated types) and checked against simple-paginator
//! invariants. The raw JSON of every operation is validated against the spec's
//! schemas, strictly, by `tests/tests/response_schemas.rs` (one validator, the
//! `jsonschema` crate, for the whole workspace).

use std::collections::HashSet;
use std::str::FromStr;

use mijnklantportaal_mock::{MockServer, Quirks};
use rust_decimal::Decimal;

use crate::common::{api, bounded, get_json, page_url};

/// Walks every page of a dataset of `len` invoices with the generated client.
async fn walk(len: u64, per_page: u64, quirks: Quirks) {
    let server = MockServer::builder()
        .invoices(len)
        .seed(len ^ 0x5EED)
        .per_page(per_page)
        .quirks(quirks)
        .no_rate_limit()
        .start()
        .await
        .expect("server starts");
    let api = api(&server);
    let origin = server.origin();
    let dataset = server.dataset();
    let mut ids = HashSet::new();
    let mut page: u32 = 1;
    loop {
        let response = bounded(api.list_customer_invoices().page(page).send())
            .await
            .unwrap_or_else(|e| panic!("page {page} of {len}: {e}"));
        let body = response.into_inner();
        let current = u64::from(page);
        let offset = (current - 1) * per_page;
        let expected_rows = per_page.min(len.saturating_sub(offset));
        let has_more = offset + per_page < len;

        assert_eq!(body.current_page.get(), current);
        assert_eq!(body.per_page.get(), per_page);
        assert_eq!(body.first_page_url, page_url(&origin, 1));
        assert_eq!(body.path, format!("{origin}/v1/customer-invoices"));
        assert_eq!(body.data.len() as u64, expected_rows, "rows of page {page}");
        if expected_rows == 0 {
            assert_eq!((body.from, body.to), (None, None));
        } else {
            let from = body.from.expect("from") as u64;
            let to = body.to.expect("to") as u64;
            assert_eq!(from, offset + 1);
            assert_eq!(to - from + 1, expected_rows);
        }
        let mut expected_next = has_more.then(|| page_url(&origin, current + 1));
        if quirks.trailing_comma_next_page_url
            && let Some(url) = &mut expected_next
        {
            url.push(',');
        }
        assert_eq!(body.next_page_url, expected_next);
        assert_eq!(
            body.prev_page_url,
            (current > 1).then(|| page_url(&origin, current - 1))
        );
        for (row, invoice) in body.data.iter().enumerate() {
            let expected = dataset.invoice(offset + row as u64).expect("in dataset");
            assert!(
                ids.insert(invoice.id.clone()),
                "duplicate id {}",
                invoice.id
            );
            assert_eq!(*invoice.id, expected.id);
            assert!(invoice.id.starts_with("inv_") && invoice.id.len() == 18);
            assert_eq!(*invoice.customer_id, expected.customer_id);
            assert_eq!(invoice.invoice_number, expected.invoice_number);
            assert_eq!(invoice.issued_at, expected.issued_at);
            assert_eq!(invoice.currency, "EUR");
            assert_eq!(
                invoice.amount,
                Decimal::from_str(&expected.amount()).unwrap()
            );
            assert_eq!(invoice.amount.scale(), 2);
            assert_eq!(invoice.paid_at, expected.paid_at);
            assert_eq!(invoice.created_at, expected.created_at);
            assert_eq!(invoice.links.customer.href, expected.customer_url(&origin));
            assert_eq!(invoice.links.customer.type_, "application/json");
            assert!(invoice.links.online_payment_link.is_none());
        }
        if page <= 2 || body.next_page_url.is_none() {
            // The raw body: exactly what the mock says it sends. Its validity per the
            // spec is checked in tests/tests/response_schemas.rs.
            let (status, _, raw) =
                get_json(&server, &format!("/v1/customer-invoices?page={page}")).await;
            assert_eq!(status, 200);
            assert_eq!(raw, server.page_json(current, &origin));
            assert_eq!(raw["per_page"].is_string(), quirks.per_page_as_string);
        }
        if body.next_page_url.is_none() {
            break;
        }
        page += 1;
    }
    assert_eq!(ids.len() as u64, len, "every invoice exactly once");

    // One page further: empty, but still linked back.
    let past = bounded(api.list_customer_invoices().page(page + 1).send())
        .await
        .expect("past the end")
        .into_inner();
    assert!(past.data.is_empty());
    assert_eq!((past.from, past.to, past.next_page_url), (None, None, None));
    assert_eq!(past.prev_page_url, Some(page_url(&origin, u64::from(page))));
    server.shutdown().await;
}

#[tokio::test]
async fn every_page_of_every_size_decodes_with_the_generated_client() {
    for len in [0, 1, 15, 16, 1_000] {
        walk(len, 15, Quirks::default()).await;
    }
}

#[tokio::test]
async fn quirks_still_decode_with_the_generated_client() {
    let quirks = Quirks {
        trailing_comma_next_page_url: true,
        per_page_as_string: true,
    };
    for len in [0, 16, 1_000] {
        walk(len, 15, quirks).await;
    }
}

#[tokio::test]
async fn other_page_sizes() {
    walk(100, 1, Quirks::default()).await;
    walk(100, 100, Quirks::default()).await;
    walk(250, 7, Quirks::default()).await;
}

//! Listing against the mock server on loopback: sizes, bounds, quirks, auth.

use crate::common;

use common::{TOKEN, client_for, dataset_ids, mock, within};
use futures::{StreamExt, TryStreamExt};
use mijnklantportaal::{Error, InvoiceExt};
use mijnklantportaal_mock::{Faults, Quirks};

#[tokio::test]
async fn lists_every_invoice_once_in_order_for_every_size() {
    for size in [0u64, 1, 15, 16, 1_000] {
        let server = mock(size, |b| b).await;
        let client = client_for(&server).build().unwrap();
        let invoices = within(30, client.customer_invoices().list().collect_all())
            .await
            .unwrap_or_else(|e| panic!("{size} invoices: {e}"));
        let ids: Vec<String> = invoices.iter().map(|i| i.id.to_string()).collect();
        assert_eq!(ids, dataset_ids(&server), "{size} invoices");
    }
}

#[tokio::test]
async fn pages_report_the_envelope() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().unwrap();
    let pages: Vec<_> = within(
        10,
        client
            .customer_invoices()
            .list()
            .pages()
            .try_collect::<Vec<_>>(),
    )
    .await
    .unwrap();
    let summary: Vec<_> = pages
        .iter()
        .map(|p| {
            (
                p.number(),
                p.per_page(),
                p.first_offset(),
                p.last_offset(),
                p.has_more(),
                p.items().len(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, 15, Some(1), Some(15), true, 15),
            (2, 15, Some(16), Some(30), true, 15),
            (3, 15, Some(31), Some(40), false, 10),
        ]
    );
    assert_eq!(pages[0].next_page(), Some(2));
    assert_eq!(pages[2].next_page(), None);
}

#[tokio::test]
async fn start_page_max_pages_and_max_items() {
    let server = mock(100, |b| b).await;
    let client = client_for(&server).build().unwrap();
    let ids = dataset_ids(&server);

    let from_3: Vec<_> = within(
        10,
        client
            .customer_invoices()
            .list()
            .start_page(3)
            .collect_all(),
    )
    .await
    .unwrap();
    assert_eq!(
        from_3.first().map(|i| i.id.as_str()),
        Some(ids[30].as_str())
    );
    assert_eq!(from_3.len(), 70);

    let two_pages = within(
        10,
        client.customer_invoices().list().max_pages(2).collect_all(),
    )
    .await
    .unwrap();
    assert_eq!(two_pages.len(), 30);

    server.clear_requests();
    let twenty = within(
        10,
        client
            .customer_invoices()
            .list()
            .max_items(20)
            .collect_all(),
    )
    .await
    .unwrap();
    assert_eq!(
        twenty.iter().map(|i| i.id.to_string()).collect::<Vec<_>>(),
        ids[..20].to_vec()
    );
    assert_eq!(
        server.requests().len(),
        2,
        "an item bound requests no page it cannot need"
    );

    let none = within(
        10,
        client.customer_invoices().list().max_items(0).collect_all(),
    )
    .await
    .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn every_request_carries_the_token_and_only_to_the_mock() {
    let server = mock(50, |b| b).await;
    let client = client_for(&server).build().unwrap();
    within(10, client.customer_invoices().list().collect_all())
        .await
        .unwrap();
    let requests = server.requests();
    assert!(requests.len() >= 4);
    for r in &requests {
        assert_eq!(
            r.headers.get("authorization").and_then(|v| v.to_str().ok()),
            Some(format!("Bearer {TOKEN}").as_str()),
            "{} {}",
            r.method,
            r.path
        );
        assert_eq!(r.path, "/v1/customer-invoices");
    }
    assert!(
        !format!("{client:?}").contains(TOKEN),
        "Debug redacts the token"
    );
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized_and_says_so_without_the_token() {
    let server = mock(20, |b| b).await;
    let client = client_for(&server)
        .token("wrong-token-xyz")
        .build()
        .unwrap();
    let err = within(10, client.customer_invoices().list().collect_all())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(
        text.contains("401") && text.contains("Unauthenticated."),
        "{text}"
    );
    assert!(!text.contains("wrong-token-xyz"));
    assert_eq!(server.stats().unauthorized, 1, "401 is not retried");
}

#[tokio::test]
async fn documented_quirks_are_accepted() {
    let server = mock(31, |b| {
        b.quirks(Quirks {
            trailing_comma_next_page_url: true,
            per_page_as_string: true,
        })
    })
    .await;
    let client = client_for(&server).build().unwrap();
    let invoices = within(10, client.customer_invoices().list().collect_all())
        .await
        .unwrap();
    assert_eq!(invoices.len(), 31);
    // Pages are requested by number, not by following `?page=2,` (which Laravel would
    // serve as page 1).
    let queries: Vec<_> = server
        .requests()
        .into_iter()
        .filter_map(|r| r.query)
        .collect();
    assert!(queries.iter().all(|q| !q.contains(',')), "{queries:?}");
}

#[tokio::test]
async fn a_current_page_mismatch_ends_with_the_pagination_error() {
    let server = mock(100, |b| {
        b.faults(Faults {
            wrong_current_page: 1.0,
            ..Faults::none()
        })
    })
    .await;
    let client = client_for(&server).build().unwrap();
    let mut pages = client.customer_invoices().list().pages();
    let first = within(10, pages.next()).await.expect("an item");
    match first {
        Err(Error::PageMismatch {
            requested: 1,
            served,
        }) => assert_ne!(served, 1),
        other => panic!("expected a page mismatch, got {other:?}"),
    }
    assert!(within(10, pages.next()).await.is_none(), "the stream ends");
    assert_eq!(pages.resume_page(), 1);
}

#[tokio::test]
async fn accessors_read_the_generated_models() {
    let server = mock(30, |b| b).await;
    let client = client_for(&server).build().unwrap();
    let invoices = within(10, client.customer_invoices().list().collect_all())
        .await
        .unwrap();
    let expected = server.dataset().iter().collect::<Vec<_>>();
    for (invoice, mock) in invoices.iter().zip(&expected) {
        assert_eq!(invoice.customer_id().as_str(), mock.customer_id);
        assert_eq!(invoice.is_paid(), mock.paid_at.is_some());
        assert_eq!(invoice.amount.to_string(), mock.amount());
        assert_eq!(invoice.created_at, mock.created_at);
        assert_eq!(
            invoice.created_at.offset(),
            mock.created_at.offset(),
            "the server's offset is kept"
        );
        assert!(invoice.customer_url().ends_with(&mock.customer_id));
    }
    assert!(invoices.iter().any(|i| !i.is_paid()));
}

#[tokio::test]
async fn the_item_stream_tells_where_to_resume() {
    let server = mock(45, |b| b).await;
    let client = client_for(&server).build().unwrap();
    let mut items = client.customer_invoices().list().items();
    for _ in 0..20 {
        within(10, items.try_next()).await.unwrap().unwrap();
    }
    // Page 2 is half yielded: resume there.
    assert_eq!(items.resume_page(), 2);
    let rest = within(
        10,
        client
            .customer_invoices()
            .list()
            .start_page(items.resume_page())
            .collect_all(),
    )
    .await
    .unwrap();
    assert_eq!(rest.len(), 30);
}

#[tokio::test]
async fn a_bad_base_url_or_token_is_a_config_error() {
    let err = mijnklantportaal::Client::builder()
        .token("t")
        .base_url("not a url")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
    let err = mijnklantportaal::Client::builder()
        .token("line\nbreak-secret")
        .build()
        .unwrap_err();
    assert!(!err.to_string().contains("secret"), "{err}");
    let err = mijnklantportaal::Client::builder().build().unwrap_err();
    assert!(err.to_string().contains("no API token"), "{err}");
}

/// Bug 11: paths are appended to the base URL as text, so a query or fragment would
/// send requests to `…/v1?x=1/customer-invoices`; a copy-paste slip in a token (a tab,
/// a non-ASCII character) is not a bearer token.
#[test]
fn a_base_url_with_a_query_and_a_token_with_a_tab_are_refused() {
    for url in [
        "https://api.mijnklantportaal.nl/v1?x=1",
        "https://api.mijnklantportaal.nl/v1#top",
        "https://user:pw@api.mijnklantportaal.nl/v1",
    ] {
        let err = mijnklantportaal::Client::builder()
            .token("t")
            .base_url(url)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{url}: {err}");
        assert!(!err.to_string().contains("pw"), "{err}");
    }
    for token in ["abc\tsecret", "abc secret", "s\u{e9}cret", "secret\u{200b}"] {
        let err = mijnklantportaal::Client::builder()
            .token(token)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidToken(_)), "{token:?}: {err}");
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(err.to_string().contains("at position"), "{err}");
    }
}

#[tokio::test]
async fn the_page_cap_stops_a_runaway_listing_with_an_error() {
    let server = mock(100, |b| b).await;
    let client = client_for(&server).build().unwrap();
    let mut pages = client.customer_invoices().list().page_cap(2).pages();
    let mut numbers = Vec::new();
    let err = loop {
        match within(10, pages.next()).await {
            Some(Ok(page)) => numbers.push(page.number()),
            Some(Err(e)) => break e,
            None => panic!("the cap should end the listing with an error"),
        }
    };
    assert_eq!(numbers, vec![1, 2]);
    assert!(matches!(err, Error::PageCapReached { cap: 2 }), "{err:?}");
    assert!(err.to_string().contains(".page_cap(n)"), "{err}");
    assert!(within(10, pages.next()).await.is_none());
    // A cap the listing does not reach changes nothing.
    let all = within(
        10,
        client.customer_invoices().list().page_cap(7).collect_all(),
    )
    .await
    .unwrap();
    assert_eq!(all.len(), 100);
}

#[tokio::test]
async fn an_item_bound_met_on_the_cap_page_is_not_an_error() {
    let server = mock(100, |b| b).await;
    let client = client_for(&server).build().unwrap();
    let thirty = within(
        10,
        client
            .customer_invoices()
            .list()
            .page_cap(2)
            .max_items(30)
            .collect_all(),
    )
    .await
    .expect("the bound is met before the cap matters");
    assert_eq!(thirty.len(), 30);
}

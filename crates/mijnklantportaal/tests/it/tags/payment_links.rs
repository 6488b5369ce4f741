//! Payment links through the wrapper, against the mock on loopback: every operation,
//! the close life cycle (closed twice is a typed 422; a close whose answer was lost is
//! a success), 404 and 422 typed, a create whose answer is lost not sent twice, and
//! the links and a link's payments paged through the one `Lister`.

use crate::common::{client_for, mock, requests_to, within};
use futures::TryStreamExt;
use mijnklantportaal::{CreatePaymentLink, Error, PaymentLinkId, PaymentLinkStatus, PaymentLinks};
use mijnklantportaal_mock::MockServer;
use reqwest::Method;
use rust_decimal::Decimal;

/// Payment links per page: the seeded eight span two pages.
const PER_PAGE: u64 = 5;

async fn server() -> MockServer {
    mock(16, |b| b.per_page(PER_PAGE).record_requests(true)).await
}

fn new_link<'c>(links: &PaymentLinks<'c>, description: &str) -> CreatePaymentLink<'c> {
    links
        .create()
        .description(description)
        .amount(Decimal::new(1295, 2))
        .expires_at(chrono::NaiveDate::from_ymd_opt(2030, 5, 4).expect("a date"))
        .reusable(true)
}

#[tokio::test]
async fn a_link_is_created_read_listed_and_closed_once() {
    let server = server().await;
    let client = client_for(&server).build().expect("a client");
    let links = client.payment_links();

    let seeded = within(10, links.list().collect_all())
        .await
        .expect("listed");
    assert!(
        seeded.len() as u64 > PER_PAGE,
        "more than a page: {}",
        seeded.len()
    );
    let created = within(10, new_link(&links, "Contribution costs"))
        .await
        .expect("created");
    assert!(created.id.starts_with("plk_"), "{}", created.id);
    assert_eq!(created.status, PaymentLinkStatus::Open);
    assert_eq!(
        (created.amount, created.currency.as_str()),
        (Decimal::new(1295, 2), "EUR")
    );
    assert!(created.reusable);
    // The last day it works, to its end in Dutch (summer) time.
    assert_eq!(
        created.expires_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2030-05-04T23:59:59+02:00")
    );
    let checkout = created
        .checkout_url
        .clone()
        .expect("an open link can be paid");
    assert!(checkout.ends_with(created.id.as_str()), "{checkout}");

    assert_eq!(
        within(10, links.get(&created.id)).await.expect("found"),
        created
    );
    let listed = within(10, links.list().collect_all())
        .await
        .expect("listed");
    assert_eq!(listed.len(), seeded.len() + 1);
    assert_eq!(listed.last(), Some(&created), "created links come last");

    let closed = within(10, links.close(&created.id)).await.expect("closed");
    assert_eq!(closed.status, PaymentLinkStatus::Closed);
    assert_eq!(
        closed.checkout_url, None,
        "a closed link has no page to pay on"
    );
    assert_eq!(
        within(10, links.get(&created.id)).await.expect("found"),
        closed
    );

    // Closed twice: the API's 422, typed, after one request (a refusal is final).
    let path = format!("/v1/payment-links/{}", created.id);
    let before = requests_to(&server, Method::DELETE, &path);
    let again = within(10, links.close(&created.id)).await;
    match again {
        Err(Error::Validation { message, .. }) => {
            assert_eq!(message.as_deref(), Some("Payment Link is already closed."));
        }
        other => panic!("closing a closed link: {other:?}"),
    }
    assert_eq!(requests_to(&server, Method::DELETE, &path), before + 1);
}

/// The first close is carried out but its answer is lost; the retry is answered 422
/// "already closed"; the client reads the link back and returns it closed.
#[tokio::test]
async fn a_close_whose_answer_was_lost_is_a_success() {
    let server = server().await;
    let client = client_for(&server).build().expect("a client");
    let links = client.payment_links();
    let link = within(10, new_link(&links, "Borg zaalhuur"))
        .await
        .expect("created");

    server.drop_next_write_responses(1);
    let closed = within(10, links.close(&link.id))
        .await
        .expect("a lost answer is not an error");
    assert_eq!(closed.status, PaymentLinkStatus::Closed);
    assert_eq!(closed.id, link.id);
    let path = format!("/v1/payment-links/{}", link.id);
    assert_eq!(
        requests_to(&server, Method::DELETE, &path),
        2,
        "the close was retried once"
    );
    assert_eq!(
        requests_to(&server, Method::GET, &path),
        1,
        "then the link was read back"
    );
    let stats = server.stats();
    assert_eq!((stats.dropped_write_responses, stats.unprocessable), (1, 1));
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_not_sent_twice() {
    let server = server().await;
    let client = client_for(&server).build().expect("a client");
    let links = client.payment_links();
    server.drop_next_write_responses(1);

    let result = within(10, new_link(&links, "Workshop fotografie 2030")).await;
    match result {
        Err(Error::MaybeApplied { check, .. }) => {
            assert!(check.contains("payment_links().list()"), "{check}");
        }
        other => panic!("a lost answer to a create: {other:?}"),
    }
    assert_eq!(
        requests_to(&server, Method::POST, "/v1/payment-links"),
        1,
        "sent once"
    );
    let all = within(10, links.list().collect_all())
        .await
        .expect("listed");
    let made = all
        .iter()
        .filter(|l| l.description == "Workshop fotografie 2030")
        .count();
    assert_eq!(made, 1, "it was created, once");
}

#[tokio::test]
async fn unknown_links_and_bad_input_are_typed() {
    let server = server().await;
    let client = client_for(&server).build().expect("a client");
    let links = client.payment_links();
    let missing = PaymentLinkId::from("plk_00000000000000");

    assert!(matches!(
        within(10, links.get(&missing)).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        within(10, links.close(&missing)).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        within(10, links.payments(&missing).collect_all()).await,
        Err(Error::NotFound { .. })
    ));

    let free = new_link(&links, "Nothing to pay").amount(Decimal::ZERO);
    match within(10, free).await {
        Err(Error::Validation { errors, .. }) => {
            assert_eq!(errors.keys().collect::<Vec<_>>(), ["amount"], "{errors:?}");
        }
        other => panic!("a link for nothing: {other:?}"),
    }
}

/// The links, and the payments of the first (seeded with more than a page of them),
/// through the one paginator: every page, every item once, in order.
#[tokio::test]
async fn links_and_their_payments_page_through_the_one_lister() {
    let server = server().await;
    let client = client_for(&server).build().expect("a client");
    let links = client.payment_links();

    let pages: Vec<_> = within(10, links.list().pages().try_collect())
        .await
        .expect("paged");
    assert!(pages.len() >= 2, "{} pages", pages.len());
    assert!(pages.iter().all(|p| p.per_page() == PER_PAGE));
    let all: Vec<_> = pages.into_iter().flat_map(|p| p.into_items()).collect();

    let first = &all[0];
    let payment_pages: Vec<_> = within(10, links.payments(first.id.clone()).pages().try_collect())
        .await
        .expect("paged");
    assert_eq!(payment_pages.len(), 2, "more than a page of payments");
    assert_eq!(payment_pages[0].items().len() as u64, PER_PAGE);
    assert_eq!(payment_pages[1].number(), 2);
    let payments: Vec<_> = payment_pages
        .into_iter()
        .flat_map(|p| p.into_items())
        .collect();
    assert!(payments.iter().all(|p| p.payment_link_id == first.id));
    assert!(payments.iter().all(|p| p.amount == first.amount));
    let mut ids: Vec<_> = payments.iter().map(|p| p.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), payments.len(), "no payment twice");
    assert!(ids.iter().all(|id| id.starts_with("plp_")));

    // A link nobody paid yet: an empty listing, not an error.
    let fresh = within(10, new_link(&links, "Consult 60 minuten"))
        .await
        .expect("created");
    let none = within(10, links.payments(fresh.id).collect_all())
        .await
        .expect("listed");
    assert!(none.is_empty());
}

//! Punch cards through the wrapper, against the mock on loopback: every operation, the
//! life cycle of an issued card (stamped until fully used, then refused), 404 and 422
//! typed, an edit retried like a read, a lost issue or stamp answer not sent twice,
//! and the cards and a card's issued cards paged through the one `Lister`.

use std::num::NonZeroU64;

use chrono::Months;

use crate::common::{client_for, mock, requests_to, within};
use futures::TryStreamExt;
use mijnklantportaal::{
    Client, CreatePunchCard, CustomerId, Error, IssuedPunchCardId, IssuedPunchCardStatus,
    PunchCard, PunchCardExpiryPeriod, PunchCardId, PunchCards,
};
use mijnklantportaal_mock::MockServer;
use reqwest::Method;
use rust_decimal::Decimal;

/// Punch cards per page: the seeded seven, and the first card's issued cards, span
/// two pages.
const PER_PAGE: u64 = 5;

async fn server() -> MockServer {
    mock(16, |b| b.per_page(PER_PAGE).record_requests(true)).await
}

fn stamps(n: u64) -> NonZeroU64 {
    NonZeroU64::new(n).expect("not zero")
}

/// A card of `punches` punches for sale, valid for 3 years, without a price or VAT
/// rate.
fn unpriced_card<'c>(cards: &PunchCards<'c>, name: &str, punches: u64) -> CreatePunchCard<'c> {
    cards
        .create()
        .name(name)
        .punches(stamps(punches))
        .punch_label("lessons")
        .description("Lessons in a BMW, Mon-Fri 09AM-05PM")
        .for_sale(true)
        .expiry_value(stamps(3))
        .expire_period(PunchCardExpiryPeriod::Years)
}

/// A card of `punches` punches for sale, valid for 3 years.
fn new_card<'c>(cards: &PunchCards<'c>, name: &str, punches: u64) -> CreatePunchCard<'c> {
    unpriced_card(cards, name, punches)
        .price(Decimal::new(22995, 2))
        .vat_rate(21)
}

/// A new card of `punches` punches and a customer of the mock's.
async fn card_and_customer(
    client: &Client,
    server: &MockServer,
    punches: u64,
) -> (PunchCard, CustomerId) {
    let card = within(10, new_card(&client.punch_cards(), "Rijlessen", punches))
        .await
        .expect("created");
    let customer = CustomerId::from(server.dataset().customer(0).expect("a customer").id);
    (card, customer)
}

fn is_not_found<T>(result: &Result<T, Error>) -> bool {
    matches!(result, Err(Error::NotFound { .. }))
}

/// The fields a 422 names.
fn field_errors<T: std::fmt::Debug>(result: Result<T, Error>) -> Vec<String> {
    match result {
        Err(Error::Validation { errors, .. }) => errors.into_keys().collect(),
        other => panic!("expected a 422: {other:?}"),
    }
}

#[tokio::test]
async fn a_card_is_created_read_edited_issued_and_listed() {
    let server = server().await;
    let client = client_for(&server).build().expect("a client");
    let cards = client.punch_cards();

    let seeded = within(10, cards.list().collect_all())
        .await
        .expect("listed");
    assert!(seeded.len() as u64 > PER_PAGE, "{}", seeded.len());
    let (card, customer) = card_and_customer(&client, &server, 20).await;
    assert!(card.id.starts_with("pcd_"), "{}", card.id);
    assert_eq!((card.punches, card.punch_label.as_str()), (20, "lessons"));
    assert_eq!(
        (card.price, card.vat_rate),
        (Some(Decimal::new(22995, 2)), Some(21))
    );
    assert_eq!(
        (card.expiry_value, card.expiry_periode.clone()),
        (Some(3), Some(PunchCardExpiryPeriod::Years))
    );
    assert_eq!(within(10, cards.get(&card.id)).await.expect("found"), card);
    let listed = within(10, cards.list().collect_all())
        .await
        .expect("listed");
    assert_eq!(listed.last(), Some(&card));

    let edited = within(10, cards.edit(&card.id).for_sale(false))
        .await
        .expect("edited");
    assert!(!edited.for_sale);
    assert_eq!((edited.price, edited.vat_rate), (None, None));
    assert_eq!(
        (edited.name, edited.punches),
        (card.name.clone(), card.punches)
    );

    let issued = within(10, cards.issue(&card.id).customer_id(&customer))
        .await
        .expect("issued");
    assert!(issued.id.starts_with("pcb_"), "{}", issued.id);
    assert_eq!(
        (issued.punch_card_id.as_str(), issued.customer_id.as_str()),
        (card.id.as_str(), customer.as_str())
    );
    assert_eq!(issued.punches_left, 20, "every punch left");
    assert_eq!(issued.status, IssuedPunchCardStatus::Active);
    let expires = issued.expires_at.expect("valid for 3 years");
    let three_years = issued
        .issued_at
        .naive_local()
        .checked_add_months(Months::new(36));
    assert_eq!(
        Some(expires.naive_local()),
        three_years,
        "the same time, 3 years on"
    );
    assert_eq!(
        within(10, cards.get_issued(&card.id, &issued.id))
            .await
            .expect("found"),
        issued
    );
    let of_card = within(10, cards.issued(card.id.clone()).collect_all())
        .await
        .expect("listed");
    assert_eq!(of_card, [issued]);
}

/// Stamped until no punch is left: `fully_used`, and then every stamp is refused.
#[tokio::test]
async fn an_issued_card_is_stamped_until_fully_used() {
    let server = server().await;
    let client = client_for(&server).build().expect("a client");
    let cards = client.punch_cards();
    let (card, customer) = card_and_customer(&client, &server, 3).await;
    let issued = within(10, cards.issue(&card.id).customer_id(&customer))
        .await
        .expect("issued");
    let stamp = |n| cards.stamp(&card.id, &issued.id).stamps(stamps(n));

    let once = within(10, stamp(2)).await.expect("stamped");
    assert_eq!(
        (once.punches_left, once.status),
        (1, IssuedPunchCardStatus::Active)
    );
    match within(10, stamp(2)).await {
        Err(Error::Validation { errors, .. }) => {
            assert_eq!(
                errors["stamps"],
                ["The stamps field must not be greater than 1."]
            );
        }
        other => panic!("more stamps than punches left: {other:?}"),
    }
    let last = within(10, stamp(1)).await.expect("stamped");
    assert_eq!(
        (last.punches_left, last.status.clone()),
        (0, IssuedPunchCardStatus::FullyUsed)
    );
    match within(10, stamp(1)).await {
        Err(Error::Validation { message, .. }) => {
            assert_eq!(message.as_deref(), Some("The punch card is fully used."));
        }
        other => panic!("stamping a fully used card: {other:?}"),
    }
    let read = within(10, cards.get_issued(&card.id, &issued.id))
        .await
        .expect("found");
    assert_eq!(read, last, "the refusals changed nothing");
}

/// A stamp and an issue are creates: after a lost answer they are not repeated, and
/// they were applied exactly once. An edit is repeated, like a read.
#[tokio::test]
async fn lost_answers_to_stamp_and_issue_are_not_sent_again_but_an_edit_is() {
    let server = server().await;
    let client = client_for(&server).build().expect("a client");
    let cards = client.punch_cards();
    let (card, customer) = card_and_customer(&client, &server, 10).await;
    let issued = within(10, cards.issue(&card.id).customer_id(&customer))
        .await
        .expect("issued");

    server.drop_next_write_responses(1);
    match within(10, cards.stamp(&card.id, &issued.id).stamps(stamps(1))).await {
        Err(Error::MaybeApplied { check, .. }) => {
            assert!(check.contains("get_issued"), "{check}");
        }
        other => panic!("a lost answer to a stamp: {other:?}"),
    }
    let stamp_path = format!("/v1/punch-cards/{}/issued/{}/stamp", card.id, issued.id);
    assert_eq!(
        requests_to(&server, Method::POST, &stamp_path),
        1,
        "stamped once"
    );
    let read = within(10, cards.get_issued(&card.id, &issued.id))
        .await
        .expect("found");
    assert_eq!(read.punches_left, 9, "one punch used, not two");

    server.drop_next_write_responses(1);
    assert!(matches!(
        within(10, cards.issue(&card.id).customer_id(&customer)).await,
        Err(Error::MaybeApplied { .. })
    ));
    let issue_path = format!("/v1/punch-cards/{}/issued", card.id);
    assert_eq!(
        requests_to(&server, Method::POST, &issue_path),
        2,
        "the first issue, and this one once"
    );
    let of_card = within(10, cards.issued(card.id.clone()).collect_all())
        .await
        .expect("listed");
    assert_eq!(of_card.len(), 2, "issued once more");

    server.drop_next_write_responses(1);
    let on_sale = cards
        .edit(&card.id)
        .for_sale(true)
        .price(Decimal::new(19995, 2))
        .vat_rate(9);
    let edited = within(10, on_sale)
        .await
        .expect("retried after the lost answer");
    assert_eq!(
        (edited.price, edited.vat_rate),
        (Some(Decimal::new(19995, 2)), Some(9))
    );
    assert_eq!(
        requests_to(
            &server,
            Method::PATCH,
            &format!("/v1/punch-cards/{}", card.id)
        ),
        2
    );
}

#[tokio::test]
async fn unknown_cards_and_bad_input_are_typed() {
    let server = server().await;
    let client = client_for(&server).build().expect("a client");
    let cards = client.punch_cards();
    let (card, customer) = card_and_customer(&client, &server, 5).await;
    let missing = PunchCardId::from("pcd_00000000000000");

    assert!(is_not_found(&within(10, cards.get(&missing)).await));
    assert!(is_not_found(
        &within(10, cards.edit(&missing).for_sale(false)).await
    ));
    assert!(is_not_found(
        &within(10, cards.issued(&missing).collect_all()).await
    ));
    assert!(is_not_found(
        &within(10, cards.issue(&missing).customer_id(&customer)).await
    ));
    assert!(is_not_found(
        &within(
            10,
            cards.get_issued(&card.id, IssuedPunchCardId::from("pcb_00000000000000"))
        )
        .await
    ));
    // An issued card exists, but under another punch card.
    let seeded = within(10, cards.list().collect_all())
        .await
        .expect("listed");
    let other_issued = within(10, cards.issued(seeded[0].id.clone()).collect_all())
        .await
        .expect("listed");
    assert!(is_not_found(
        &within(10, cards.get_issued(&card.id, &other_issued[0].id)).await
    ));
    assert!(is_not_found(
        &within(
            10,
            cards.stamp(&card.id, &other_issued[0].id).stamps(stamps(1))
        )
        .await
    ));

    assert_eq!(
        field_errors(within(10, unpriced_card(&cards, "Yoga", 10)).await),
        ["price", "vatRate"]
    );
    let wrong_vat = cards
        .edit(&card.id)
        .for_sale(true)
        .price(Decimal::new(995, 2))
        .vat_rate(6);
    assert_eq!(field_errors(within(10, wrong_vat).await), ["vatRate"]);
    assert_eq!(
        field_errors(
            within(
                10,
                cards
                    .issue(&card.id)
                    .customer_id(CustomerId::from("cst_00000000000000"))
            )
            .await
        ),
        ["customerId"]
    );

    // A seeded card that expired cannot be stamped.
    let mut expired = None;
    for card in &seeded {
        let issued = within(10, cards.issued(card.id.clone()).collect_all())
            .await
            .expect("listed");
        if let Some(e) = issued
            .into_iter()
            .find(|i| i.status == IssuedPunchCardStatus::Expired)
        {
            expired = Some((card.id.clone(), e));
            break;
        }
    }
    let (card_id, expired) = expired.expect("a seeded expired card");
    match within(10, cards.stamp(&card_id, &expired.id).stamps(stamps(1))).await {
        Err(Error::Validation { message, .. }) => {
            assert_eq!(message.as_deref(), Some("The punch card has expired."));
        }
        other => panic!("stamping an expired card: {other:?}"),
    }
}

/// The cards, and the first card's issued cards (seeded with more than a page), through
/// the one paginator.
#[tokio::test]
async fn cards_and_issued_cards_page_through_the_one_lister() {
    let server = server().await;
    let client = client_for(&server).build().expect("a client");
    let cards = client.punch_cards();

    let pages: Vec<_> = within(10, cards.list().pages().try_collect())
        .await
        .expect("paged");
    assert_eq!(pages.len(), 2, "seven cards at five a page");
    let all: Vec<_> = pages.into_iter().flat_map(|p| p.into_items()).collect();
    let first = &all[0];

    let issued_pages: Vec<_> = within(10, cards.issued(first.id.clone()).pages().try_collect())
        .await
        .expect("paged");
    assert_eq!(issued_pages.len(), 2);
    let issued: Vec<_> = issued_pages
        .into_iter()
        .flat_map(|p| p.into_items())
        .collect();
    assert!(issued.iter().all(|i| i.punch_card_id == first.id));
    assert!(issued.iter().all(|i| i.punches_left <= first.punches));
    let used = issued
        .iter()
        .filter(|i| i.status == IssuedPunchCardStatus::FullyUsed)
        .collect::<Vec<_>>();
    assert!(used.iter().all(|i| i.punches_left == 0));
    // Resuming at page 2 gives the rest.
    let rest = within(
        10,
        cards.issued(first.id.clone()).start_page(2).collect_all(),
    )
    .await
    .expect("listed");
    assert_eq!(rest, issued[PER_PAGE as usize..]);
}

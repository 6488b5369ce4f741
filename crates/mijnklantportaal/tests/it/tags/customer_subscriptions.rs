//! Customer subscriptions through the wrapper against the mock on loopback: create,
//! change, terminate, the statuses of the life cycle, typed 404 and 422, a lost create
//! not sent twice, a lost change retried, and the listing paged.

use crate::common::{client_for, customer_ids, mock, requests_to, within};
use chrono::{Days, NaiveDate, Utc};
use mijnklantportaal::{
    CreateCustomerSubscription, CustomerId, CustomerSubscriptionId, CustomerSubscriptions, Error,
    SubscriptionInterval, SubscriptionStatus,
};
use reqwest::Method;
use rust_decimal::Decimal;

fn new_subscription<'c>(
    subscriptions: &CustomerSubscriptions<'c>,
    customer: &CustomerId,
    description: &str,
    start: NaiveDate,
) -> CreateCustomerSubscription<'c> {
    subscriptions
        .create()
        .customer_id(customer)
        .description(description)
        .start_date(start)
        .interval(SubscriptionInterval::X1Year)
        .amount(Decimal::new(1295, 2))
        .vat_rate(21)
        .create_invoice(true)
        .invoice_description("Extending subscription")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

#[tokio::test]
async fn a_subscription_runs_changes_and_is_terminated() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let subscriptions = client.customer_subscriptions();
    let customer = CustomerId::from(customer_ids(&server, 1).remove(0).as_str());
    // The mock's clock (2026-01-01 when it starts), not the wall clock.
    let today = server.now().date_naive();

    let running = within(
        10,
        new_subscription(
            &subscriptions,
            &customer,
            "Website maintenance contract",
            day(2024, 5, 4),
        ),
    )
    .await
    .expect("created");
    assert!(running.id.starts_with("sub_"), "{}", running.id);
    assert_eq!(running.status, SubscriptionStatus::InProgress);
    assert_eq!(
        (
            running.starts_at,
            running.interval.clone(),
            running.amount,
            running.vat_rate
        ),
        (
            day(2024, 5, 4),
            SubscriptionInterval::X1Year,
            Decimal::new(1295, 2),
            21
        )
    );
    let renews_at = running.renews_at.expect("a next renewal");
    assert!(
        renews_at > today && renews_at.format("%m-%d").to_string() == "05-04",
        "{renews_at}"
    );
    let options = running.options.clone().expect("options");
    assert_eq!(
        options.invoice_description.as_deref(),
        Some("Extending subscription")
    );
    assert_eq!(
        within(10, subscriptions.get(&running.id))
            .await
            .expect("found"),
        running
    );

    let start = today.checked_add_days(Days::new(60)).expect("a date");
    let planned = within(
        10,
        new_subscription(&subscriptions, &customer, "Hosting", start),
    )
    .await
    .expect("created");
    assert_eq!(planned.status, SubscriptionStatus::Planned);

    let dearer = subscriptions
        .change(&running.id)
        .amount(Decimal::new(1495, 2))
        .interval(SubscriptionInterval::X1Month);
    let changed = within(10, dearer).await.expect("changed");
    assert_eq!(
        (changed.amount, changed.interval.clone()),
        (Decimal::new(1495, 2), SubscriptionInterval::X1Month)
    );
    assert_eq!(
        changed.description, running.description,
        "what is not sent stays"
    );
    // A change without fields is no longer refused before it is sent: it goes to the
    // server, which answers the subscription unchanged.
    let path = format!("/v1/customer-subscriptions/{}", running.id);
    let patches = requests_to(&server, Method::PATCH, &path);
    let unchanged = within(10, subscriptions.change(&running.id))
        .await
        .expect("nothing to change");
    assert_eq!(unchanged, changed, "an empty change changes nothing");
    assert_eq!(requests_to(&server, Method::PATCH, &path), patches + 1);

    let ended = within(
        10,
        subscriptions.terminate(&running.id, server.now().to_utc()),
    )
    .await
    .expect("terminated");
    assert_eq!(ended.status, SubscriptionStatus::Terminated);
    assert_eq!(ended.renews_at, None);
    let terminated_at = ended.terminated_at.expect("terminated");
    assert!(matches!(
        terminated_at.offset().local_minus_utc(),
        3600 | 7200
    ));

    let theirs = within(10, subscriptions.of_customer(&customer))
        .await
        .expect("listed");
    let ids: Vec<&str> = theirs.iter().map(|s| s.id.as_str()).collect();
    assert!(
        ids.contains(&running.id.as_str()) && ids.contains(&planned.id.as_str()),
        "{ids:?}"
    );
    assert!(theirs.iter().all(|s| s.customer_id == customer));
}

#[tokio::test]
async fn missing_subscriptions_and_refused_fields_are_typed() {
    let server = mock(16, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let subscriptions = client.customer_subscriptions();
    let missing = CustomerSubscriptionId::from("sub_doesnotexist00");
    let err = within(10, subscriptions.get(&missing))
        .await
        .expect_err("missing");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = within(10, subscriptions.terminate(&missing, Utc::now()))
        .await
        .expect_err("missing");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");

    // An interval and a VAT rate the API does not take: the enum's fallback sends any
    // value, and the server's 422 names both fields.
    let customer = CustomerId::from(customer_ids(&server, 1).remove(0).as_str());
    let new = new_subscription(&subscriptions, &customer, "Odd", day(2024, 5, 4))
        .interval(SubscriptionInterval::Unknown("3 months".into()))
        .vat_rate(20);
    let err = within(10, new).await.expect_err("refused");
    let Error::Validation { errors, .. } = &err else {
        panic!("expected a validation error, got {err:?}");
    };
    assert_eq!(errors.keys().collect::<Vec<_>>(), ["interval", "vatRate"]);
    let err = within(
        10,
        new_subscription(
            &subscriptions,
            &CustomerId::from("cst_doesnotexist00"),
            "x",
            day(2024, 5, 4),
        ),
    )
    .await
    .expect_err("unknown customer");
    assert!(
        matches!(&err, Error::Validation { errors, .. } if errors.contains_key("customerId")),
        "{err:?}"
    );
}

/// The server creates the subscription and the answer is lost: not sent again, and
/// the customer has it once. A change is safe to repeat: its lost answer is retried.
#[tokio::test]
async fn a_lost_create_is_not_repeated_and_a_lost_change_is() {
    let server = mock(16, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let subscriptions = client.customer_subscriptions();
    let customer = CustomerId::from(customer_ids(&server, 2).remove(1).as_str());
    let before = within(10, subscriptions.of_customer(&customer))
        .await
        .expect("listed")
        .len();

    server.drop_next_write_responses(1);
    let err = within(
        10,
        new_subscription(&subscriptions, &customer, "Lost answer", day(2024, 5, 4)),
    )
    .await
    .expect_err("no answer");
    assert!(matches!(err, Error::MaybeApplied { .. }), "{err:?}");
    assert!(err.to_string().contains("of_customer"), "{err}");
    assert_eq!(
        requests_to(&server, Method::POST, "/v1/customer-subscriptions"),
        1
    );
    let theirs = within(10, subscriptions.of_customer(&customer))
        .await
        .expect("listed");
    assert_eq!(theirs.len(), before + 1, "created once");
    let created = theirs
        .iter()
        .find(|s| s.description == "Lost answer")
        .expect("the created one");

    server.drop_next_write_responses(1);
    let changes = subscriptions.change(&created.id).description("Found again");
    let changed = within(10, changes).await.expect("retried");
    assert_eq!(changed.description, "Found again");
    let path = format!("/v1/customer-subscriptions/{}", created.id);
    assert_eq!(requests_to(&server, Method::PATCH, &path), 2);
}

#[tokio::test]
async fn subscriptions_are_listed_page_by_page() {
    let server = mock(16, |b| b.per_page(7)).await;
    let client = client_for(&server).build().expect("a client");
    let all = within(10, client.customer_subscriptions().list().collect_all())
        .await
        .expect("listed");
    assert_eq!(
        all.len(),
        20,
        "the mock's starting subscriptions, over three pages"
    );
    assert!(requests_to(&server, Method::GET, "/v1/customer-subscriptions") >= 3);
    for status in [
        SubscriptionStatus::Planned,
        SubscriptionStatus::InProgress,
        SubscriptionStatus::Terminated,
        SubscriptionStatus::Ended,
    ] {
        assert!(all.iter().any(|s| s.status == status), "{status:?}");
    }
}

//! Customer subscription packages through the wrapper against the mock on loopback:
//! create, get, find, sign a customer up (a customer subscription made from the
//! package), typed 404 and 422, lost creates and sign-ups not sent twice, and the
//! listing paged.

use crate::common::{client_for, customer_ids, mock, requests_to, within};
use chrono::NaiveDate;
use mijnklantportaal::{
    CreateCustomerSubscriptionPackage, CustomerId, CustomerSubscriptionPackages, Error,
    SignUpACustomerForACustomerSubscriptionPackage, SubscriptionInterval, SubscriptionPackageId,
    SubscriptionStatus,
};
use reqwest::Method;
use rust_decimal::Decimal;

fn new_package<'c>(
    packages: &CustomerSubscriptionPackages<'c>,
    name: &str,
) -> CreateCustomerSubscriptionPackage<'c> {
    packages
        .create()
        .name(name)
        .description("1GB per month, 300min per month")
        .interval(SubscriptionInterval::X1Month)
        .amount(Decimal::new(1295, 2))
        .vat_rate(21)
        .available_for_sale(true)
}

/// Signs `customer` up for the package `package_id`.
fn sign_up<'c>(
    packages: &CustomerSubscriptionPackages<'c>,
    package_id: &SubscriptionPackageId,
    customer: &CustomerId,
) -> SignUpACustomerForACustomerSubscriptionPackage<'c> {
    packages
        .sign_up(package_id)
        .customer_id(customer)
        .start_date(NaiveDate::from_ymd_opt(2024, 5, 4).expect("a date"))
        .mandate_id("mdt_abc12345def678")
        .create_invoice(true)
}

#[tokio::test]
async fn a_customer_is_signed_up_for_a_new_package() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let packages = client.customer_subscription_packages();
    let customer = CustomerId::from(customer_ids(&server, 1).remove(0));

    let package = within(10, new_package(&packages, "Phone subscription plus"))
        .await
        .expect("created");
    assert!(package.id.starts_with("spg_"), "{}", package.id);
    assert_eq!(
        (
            package.interval.clone(),
            package.amount,
            package.vat_rate,
            package.available_for_sale
        ),
        (
            SubscriptionInterval::X1Month,
            Decimal::new(1295, 2),
            21,
            true
        )
    );
    assert_eq!(
        within(10, packages.get(&package.id)).await.expect("found"),
        package
    );
    let found = within(10, packages.find_by_name("Phone subscription plus"))
        .await
        .expect("listed");
    assert_eq!(found.map(|p| p.id), Some(package.id.clone()));

    let subscription = within(10, sign_up(&packages, &package.id, &customer))
        .await
        .expect("signed up");
    assert!(subscription.id.starts_with("sub_"), "{}", subscription.id);
    assert_eq!(
        (
            subscription.customer_id.as_str(),
            subscription.description.as_str(),
            subscription.interval.clone(),
            subscription.amount,
            subscription.vat_rate,
            subscription.status.clone(),
        ),
        (
            customer.as_str(),
            "Phone subscription plus",
            SubscriptionInterval::X1Month,
            Decimal::new(1295, 2),
            21,
            SubscriptionStatus::InProgress
        )
    );
    let options = subscription.options.clone().expect("options");
    assert_eq!(
        options.payment_integration_mandate_id.as_deref(),
        Some("mdt_abc12345def678")
    );
    assert_eq!(
        options.invoice_description.as_deref(),
        Some("Phone subscription plus"),
        "without invoiceText, the package's name"
    );
    let again = within(10, client.customer_subscriptions().get(&subscription.id))
        .await
        .expect("a customer subscription");
    assert_eq!(again, subscription);
}

#[tokio::test]
async fn missing_packages_and_refused_fields_are_typed() {
    let server = mock(16, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let packages = client.customer_subscription_packages();
    let customer = CustomerId::from(customer_ids(&server, 1).remove(0));
    let missing = SubscriptionPackageId::from("spg_doesnotexist00");
    let err = within(10, packages.get(&missing))
        .await
        .expect_err("missing");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = within(10, sign_up(&packages, &missing, &customer))
        .await
        .expect_err("missing");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");

    let package = within(10, packages.list().collect_all())
        .await
        .expect("listed")[0]
        .clone();
    let err = within(
        10,
        sign_up(
            &packages,
            &package.id,
            &CustomerId::from("cst_doesnotexist00"),
        ),
    )
    .await
    .expect_err("unknown customer");
    assert!(
        matches!(&err, Error::Validation { errors, .. } if errors.contains_key("customerId")),
        "{err:?}"
    );
    let odd =
        new_package(&packages, "Odd").interval(SubscriptionInterval::Unknown("weekly".into()));
    let err = within(10, odd).await.expect_err("refused");
    assert!(
        matches!(&err, Error::Validation { errors, .. } if errors.contains_key("interval")),
        "{err:?}"
    );
}

/// A create and a sign-up whose answers are lost are not sent again: the package and
/// the subscription exist once.
#[tokio::test]
async fn lost_creates_and_sign_ups_are_not_repeated() {
    let server = mock(16, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let packages = client.customer_subscription_packages();
    let customer = CustomerId::from(customer_ids(&server, 2).remove(1));

    server.drop_next_write_responses(1);
    let err = within(10, new_package(&packages, "Lost package"))
        .await
        .expect_err("no answer");
    assert!(matches!(err, Error::MaybeApplied { .. }), "{err:?}");
    assert!(err.to_string().contains("find_by_name"), "{err}");
    let all = within(10, packages.list().collect_all())
        .await
        .expect("listed");
    assert_eq!(all.iter().filter(|p| p.name == "Lost package").count(), 1);
    let package = all
        .iter()
        .find(|p| p.name == "Lost package")
        .expect("created");

    let subscriptions = client.customer_subscriptions();
    let before = within(10, subscriptions.of_customer(&customer))
        .await
        .expect("listed")
        .len();
    server.drop_next_write_responses(1);
    let err = within(10, sign_up(&packages, &package.id, &customer))
        .await
        .expect_err("no answer");
    assert!(matches!(err, Error::MaybeApplied { .. }), "{err:?}");
    assert!(err.to_string().contains("of_customer"), "{err}");
    let path = format!("/v1/customer-subscription-packages/{}/sign-up", package.id);
    assert_eq!(
        requests_to(&server, Method::POST, &path),
        1,
        "not sent twice"
    );
    let after = within(10, subscriptions.of_customer(&customer))
        .await
        .expect("listed");
    assert_eq!(after.len(), before + 1, "signed up once");
}

#[tokio::test]
async fn packages_are_listed_page_by_page() {
    use futures::StreamExt;
    let server = mock(16, |b| b.per_page(4)).await;
    let client = client_for(&server).build().expect("a client");
    let pages: Vec<_> = within(
        10,
        client
            .customer_subscription_packages()
            .list()
            .pages()
            .collect::<Vec<_>>(),
    )
    .await;
    let sizes: Vec<usize> = pages
        .into_iter()
        .map(|p| p.expect("a page").items().len())
        .collect();
    assert_eq!(sizes, [4, 2], "the mock's six starting packages");
}

//! Customer subscription packages: list, get, create, and sign a customer up (which
//! makes a customer subscription).
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `list`, `get`, `find_by_name` | any transient failure |
//! | `create`, `sign_up` (POST) | only what proves the server did not process it: no connection, 408, 429, the API's maintenance 503 |
//!
//! After any other failure of a create the package may or may not exist
//! ([`CustomerSubscriptionPackages::find_by_name`] tells); after one of a sign-up, the
//! subscription ([`CustomerSubscriptions::of_customer`](crate::CustomerSubscriptions::of_customer)
//! tells). The error is [`Error::MaybeApplied`] either way.

use futures::FutureExt;
use mijnklantportaal_api::types::{
    CustomerSubscription, CustomerSubscriptionPackage, CustomerSubscriptionPackageSignUp,
    NewCustomerSubscriptionPackage,
};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::handlers::customer_subscriptions::CHECK_SUBSCRIPTION;
use crate::operations;
use crate::pagination::{Lister, list_operation};

/// The subscription-package endpoints; made by [`Client::customer_subscription_packages`].
#[derive(Debug, Clone, Copy)]
pub struct CustomerSubscriptionPackages<'c> {
    pub(crate) client: &'c Client,
}

impl Client {
    /// The subscription packages (templates for customer subscriptions) of the account.
    pub fn customer_subscription_packages(&self) -> CustomerSubscriptionPackages<'_> {
        CustomerSubscriptionPackages { client: self }
    }
}

impl CustomerSubscriptionPackages<'_> {
    /// Every subscription package of the account, as a [`Lister`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// for package in client.customer_subscription_packages().list().collect_all().await? {
    ///     println!("{} {} every {}", package.name, package.amount, package.interval);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> Lister<ListCustomerSubscriptionPackages> {
        self.client.list(ListCustomerSubscriptionPackages)
    }

    /// One package by its id (`spg_...`); [`Error::NotFound`] if there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let package = client.customer_subscription_packages().get("spg_abc12345def678").await?;
    /// println!("{}: {}", package.name, package.amount);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<CustomerSubscriptionPackage, Error> {
        let call = Call::of(operations::GET_CUSTOMER_SUBSCRIPTION_PACKAGE);
        self.client
            .inner
            .once(call, |api| {
                api.get_customer_subscription_package()
                    .package_id(id)
                    .send()
                    .boxed()
            })
            .await
    }

    /// Creates a package. Sent at most once unless the server provably did not process
    /// it; an ambiguous failure is [`Error::MaybeApplied`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::{NewCustomerSubscriptionPackage, SubscriptionInterval};
    /// use rust_decimal::Decimal;
    ///
    /// let new = NewCustomerSubscriptionPackage::builder()
    ///     .name("Phone subscription")
    ///     .description(Some("1GB per month, 300min per month".to_string()))
    ///     .interval(SubscriptionInterval::X1Month)
    ///     .amount(Decimal::new(1295, 2))
    ///     .vat_rate(21)
    ///     .available_for_sale(Some(true))
    ///     .try_into()
    ///     .expect("every required field set");
    /// let package = client.customer_subscription_packages().create(new).await?;
    /// println!("created {}", package.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(
        &self,
        package: NewCustomerSubscriptionPackage,
    ) -> Result<CustomerSubscriptionPackage, Error> {
        let call = Call::of(operations::CREATE_CUSTOMER_SUBSCRIPTION_PACKAGE).check(
            "look the package up by its name (`customer_subscription_packages().find_by_name(..)`)",
        );
        self.client
            .inner
            .once(call, |api| {
                api.create_customer_subscription_package()
                    .body(package.clone())
                    .send()
                    .boxed()
            })
            .await
    }

    /// Signs a customer up for the package `package_id`: makes a customer subscription
    /// with the package's description, interval, amount and VAT rate. Sent at most once
    /// unless the server provably did not process it; an ambiguous failure is
    /// [`Error::MaybeApplied`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use chrono::NaiveDate;
    /// use mijnklantportaal::CustomerSubscriptionPackageSignUp;
    ///
    /// let sign_up = CustomerSubscriptionPackageSignUp::builder()
    ///     .customer_id("cst_abc12345def678")
    ///     .start_date(NaiveDate::from_ymd_opt(2024, 5, 4).expect("a date"))
    ///     .create_invoice(Some(true))
    ///     .try_into()
    ///     .expect("every required field set");
    /// let subscription = client
    ///     .customer_subscription_packages()
    ///     .sign_up("spg_abc12345def678", sign_up)
    ///     .await?;
    /// println!("{} is {}", subscription.id, subscription.status);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn sign_up(
        &self,
        package_id: &str,
        sign_up: CustomerSubscriptionPackageSignUp,
    ) -> Result<CustomerSubscription, Error> {
        let call = Call::of(operations::SIGN_UP_A_CUSTOMER_FOR_A_CUSTOMER_SUBSCRIPTION_PACKAGE)
            .check(CHECK_SUBSCRIPTION);
        self.client
            .inner
            .once(call, |api| {
                api.sign_up_a_customer_for_a_customer_subscription_package()
                    .package_id(package_id)
                    .body(sign_up.clone())
                    .send()
                    .boxed()
            })
            .await
    }

    /// The package named `name`, if any (the first one listed): how to tell whether a
    /// create that failed with [`Error::MaybeApplied`] went through. The API has no
    /// search, so this lists the packages until it finds it.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// if client.customer_subscription_packages().find_by_name("Phone subscription").await?.is_none() {
    ///     // Not created: safe to send it again.
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn find_by_name(
        &self,
        name: &str,
    ) -> Result<Option<CustomerSubscriptionPackage>, Error> {
        self.list().find(|package| package.name == name).await
    }
}

list_operation! {
    /// `GET /customer-subscription-packages`, as a [`ListOperation`](crate::ListOperation).
    ListCustomerSubscriptionPackages: LIST_CUSTOMER_SUBSCRIPTION_PACKAGES => list_customer_subscription_packages -> CustomerSubscriptionPackagePage, CustomerSubscriptionPackage;
}

//! Customer subscriptions: list, get, create, change, terminate, and the subscriptions
//! of one customer.
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `list`, `get`, `of_customer` | any transient failure |
//! | `change`, `terminate` (PATCH with the given values) | any transient failure: sending it twice sets the same values |
//! | `create` (POST) | only what proves the server did not process it: no connection, 408, 429, the API's maintenance 503 |
//!
//! After any other failure of a create the subscription may or may not exist: the
//! error is [`Error::MaybeApplied`], and [`CustomerSubscriptions::of_customer`] shows
//! the customer's subscriptions (a subscription has no number of its own to look up).

use chrono::{DateTime, TimeZone};
use futures::FutureExt;
use mijnklantportaal_api::types::{
    CustomerSubscription, CustomerSubscriptionChanges, NewCustomerSubscription,
};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::operations;
use crate::pagination::{Lister, list_operation};

/// What to do after a create (or a package sign-up) failed in a way that leaves open
/// whether it was applied.
pub(crate) const CHECK_SUBSCRIPTION: &str =
    "look for it among the customer's subscriptions (`customer_subscriptions().of_customer(..)`)";

/// The customer-subscription endpoints; made by [`Client::customer_subscriptions`].
#[derive(Debug, Clone, Copy)]
pub struct CustomerSubscriptions<'c> {
    pub(crate) client: &'c Client,
}

impl Client {
    /// The subscriptions (recurring charges) of the customers of the account.
    pub fn customer_subscriptions(&self) -> CustomerSubscriptions<'_> {
        CustomerSubscriptions { client: self }
    }
}

impl CustomerSubscriptions<'_> {
    /// Every subscription of the account, as a [`Lister`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// for subscription in client.customer_subscriptions().list().collect_all().await? {
    ///     println!("{} {} every {}", subscription.id, subscription.amount, subscription.interval);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> Lister<ListCustomerSubscriptions> {
        self.client.list(ListCustomerSubscriptions)
    }

    /// One subscription by its id (`sub_...`); [`Error::NotFound`] if there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let subscription = client.customer_subscriptions().get("sub_abc12345def678").await?;
    /// println!("{}: {}", subscription.description, subscription.status);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<CustomerSubscription, Error> {
        let call = Call::of(operations::GET_CUSTOMER_SUBSCRIPTION);
        self.client
            .inner
            .once(call, |api| {
                api.get_customer_subscription()
                    .subscription_id(id)
                    .send()
                    .boxed()
            })
            .await
    }

    /// Creates a subscription. Sent at most once unless the server provably did not
    /// process it; an ambiguous failure is [`Error::MaybeApplied`]. A refused field
    /// (an unknown customer, say) is [`Error::Validation`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use chrono::NaiveDate;
    /// use mijnklantportaal::{NewCustomerSubscription, SubscriptionInterval};
    /// use rust_decimal::Decimal;
    ///
    /// let new = NewCustomerSubscription::builder()
    ///     .customer_id("cst_abc12345def678")
    ///     .description("Website maintenance contract")
    ///     .start_date(NaiveDate::from_ymd_opt(2024, 5, 4).expect("a date"))
    ///     .interval(SubscriptionInterval::X1Year)
    ///     .amount(Decimal::new(1295, 2))
    ///     .vat_rate(21)
    ///     .try_into()
    ///     .expect("every required field set");
    /// let subscription = client.customer_subscriptions().create(new).await?;
    /// println!("created {}, renews on {:?}", subscription.id, subscription.renews_at);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(
        &self,
        subscription: NewCustomerSubscription,
    ) -> Result<CustomerSubscription, Error> {
        let call = Call::of(operations::CREATE_CUSTOMER_SUBSCRIPTION).check(CHECK_SUBSCRIPTION);
        self.client
            .inner
            .once(call, |api| {
                api.create_customer_subscription()
                    .body(subscription.clone())
                    .send()
                    .boxed()
            })
            .await
    }

    /// Changes the given fields of a subscription (the others stay). At least one field
    /// must be set: an empty change is refused here, without a request.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::CustomerSubscriptionChanges;
    /// use rust_decimal::Decimal;
    ///
    /// let dearer = CustomerSubscriptionChanges {
    ///     amount: Some(Decimal::new(1495, 2)),
    ///     ..CustomerSubscriptionChanges::default()
    /// };
    /// let subscription = client.customer_subscriptions().change("sub_abc12345def678", dearer).await?;
    /// assert_eq!(subscription.amount, Decimal::new(1495, 2));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn change(
        &self,
        id: &str,
        changes: CustomerSubscriptionChanges,
    ) -> Result<CustomerSubscription, Error> {
        if changes == CustomerSubscriptionChanges::default() {
            return Err(Error::InvalidInput(
                "a subscription change needs at least one field to change".to_string(),
            ));
        }
        let call = Call::of(operations::CHANGE_CUSTOMER_SUBSCRIPTION);
        self.client
            .inner
            .once(call, |api| {
                api.change_customer_subscription()
                    .subscription_id(id)
                    .body(changes.clone())
                    .send()
                    .boxed()
            })
            .await
    }

    /// Terminates a subscription at `terminated_at`, in any time zone: it is sent as
    /// Dutch wall-clock time, as the API expects. Safe to retry (the same value twice).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let ended = client.customer_subscriptions().terminate("sub_abc12345def678", chrono::Utc::now()).await?;
    /// assert!(ended.terminated_at.is_some());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn terminate<Tz: TimeZone>(
        &self,
        id: &str,
        terminated_at: DateTime<Tz>,
    ) -> Result<CustomerSubscription, Error> {
        let changes = CustomerSubscriptionChanges {
            terminated_at: Some(crate::amsterdam::local_time(&terminated_at)),
            ..CustomerSubscriptionChanges::default()
        };
        self.change(id, changes).await
    }

    /// Every subscription of the customer `customer_id` (`cst_...`), from a listing of
    /// all of them (the API has no filter): how to tell whether a create or a package
    /// sign-up that failed with [`Error::MaybeApplied`] went through.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let theirs = client.customer_subscriptions().of_customer("cst_abc12345def678").await?;
    /// println!("{} subscriptions", theirs.len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn of_customer(&self, customer_id: &str) -> Result<Vec<CustomerSubscription>, Error> {
        use futures::TryStreamExt;
        self.list()
            .items()
            .try_filter(|subscription| {
                futures::future::ready(subscription.customer_id == customer_id)
            })
            .try_collect()
            .await
    }
}

list_operation! {
    /// `GET /customer-subscriptions`, as a [`ListOperation`](crate::ListOperation).
    ListCustomerSubscriptions: LIST_CUSTOMER_SUBSCRIPTIONS => list_customer_subscriptions -> CustomerSubscriptionPage, CustomerSubscription;
}

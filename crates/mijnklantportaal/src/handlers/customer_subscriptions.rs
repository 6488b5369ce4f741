//! Customer subscriptions: what the generated layer does not say by itself.
//!
//! A subscription has no number of its own to look up: after a create failed with
//! [`Error::MaybeApplied`], [`CustomerSubscriptions::of_customer`] shows the
//! customer's subscriptions. Terminating is a change of `terminatedAt`.

use std::borrow::Borrow;

use chrono::{DateTime, TimeZone};
use futures::TryStreamExt;
use mijnklantportaal_api::types::{CustomerId, CustomerSubscription, CustomerSubscriptionId};

use crate::error::Error;
use crate::resources::CustomerSubscriptions;

impl CustomerSubscriptions<'_> {
    /// Terminates a subscription at `terminated_at`, in any time zone: it is sent as
    /// Dutch wall-clock time, as the API expects. Safe to retry (the same value twice).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let ended = client.customer_subscriptions().terminate(mijnklantportaal::CustomerSubscriptionId::from("sub_abc12345def678"), chrono::Utc::now()).await?;
    /// assert!(ended.terminated_at.is_some());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn terminate<Tz: TimeZone>(
        &self,
        id: impl Borrow<CustomerSubscriptionId>,
        terminated_at: DateTime<Tz>,
    ) -> Result<CustomerSubscription, Error> {
        self.change(id).terminated_at(terminated_at).await
    }

    /// Every subscription of the customer `customer_id` (`cst_...`), from a listing of
    /// all of them (the API has no filter): how to tell whether a create or a package
    /// sign-up that failed with [`Error::MaybeApplied`] went through.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let theirs = client.customer_subscriptions().of_customer(&mijnklantportaal::CustomerId::from("cst_abc12345def678")).await?;
    /// println!("{} subscriptions", theirs.len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn of_customer(
        &self,
        customer_id: &CustomerId,
    ) -> Result<Vec<CustomerSubscription>, Error> {
        self.list()
            .items()
            .try_filter(|subscription| {
                futures::future::ready(subscription.customer_id == *customer_id)
            })
            .try_collect()
            .await
    }
}

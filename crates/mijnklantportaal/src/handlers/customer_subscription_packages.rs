//! Customer subscription packages: what the generated layer does not say by itself.
//!
//! Signing a customer up for a package makes a customer subscription. After a create
//! failed with [`Error::MaybeApplied`] the package may or may not exist
//! ([`CustomerSubscriptionPackages::find_by_name`] tells); after a sign-up, the
//! subscription ([`CustomerSubscriptions::of_customer`](crate::CustomerSubscriptions::of_customer)
//! tells).

use mijnklantportaal_api::types::CustomerSubscriptionPackage;

use crate::error::Error;
use crate::resources::CustomerSubscriptionPackages;

impl CustomerSubscriptionPackages<'_> {
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

//! Customer groups: list, get, create, rename, and add customers to a group.
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `list`, `get`, `find_by_name` | any transient failure |
//! | `rename` (PATCH with the new name) | any transient failure: sending it twice sets the same name |
//! | `create` (POST), `add_customers` (POST of member ids) | only what proves the server did not process it: no connection, 408, 429, the API's maintenance 503 ([`Error::proves_not_processed`]) |
//!
//! After any other failure of a create the group may or may not exist: the error is
//! [`Error::MaybeApplied`], and [`CustomerGroups::find_by_name`] tells which.
//! `add_customers` is a once-only write too: adding a member twice leaves the same
//! members, but its answer (the customers it added) is not the same when a first
//! attempt whose answer was lost already added them, so a retry could not be told
//! from a first answer. After an ambiguous failure, read the customers back
//! (`customers().get(..)`: their `customer_groups`).
//!
//! Unknown or wrong customer ids (on create and in `add_customers`) are ignored by the
//! API without an error, as documented: compare the answer of `add_customers` with
//! the ids sent when that matters.

use futures::FutureExt;
use mijnklantportaal_api::types::{
    Customer, CustomerGroup, CustomerGroupChanges, CustomerGroupMembers, NewCustomerGroup,
};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::operations;
use crate::pagination::{Lister, list_operation};

/// How to tell whether an `add_customers` whose answer was lost went through.
const CHECK_MEMBERS: &str =
    "read the customers back (`customers().get(..)`: their `customer_groups`)";

/// The customer-group endpoints; made by [`Client::customer_groups`].
#[derive(Debug, Clone, Copy)]
pub struct CustomerGroups<'c> {
    pub(crate) client: &'c Client,
}

impl Client {
    /// The customer groups of the account.
    pub fn customer_groups(&self) -> CustomerGroups<'_> {
        CustomerGroups { client: self }
    }
}

impl CustomerGroups<'_> {
    /// Every customer group of the account, as a [`Lister`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// for group in client.customer_groups().list().collect_all().await? {
    ///     println!("{} {}", group.id, group.name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> Lister<ListCustomerGroups> {
        self.client.list(ListCustomerGroups)
    }

    /// One group by its id (`cug_...`); [`Error::NotFound`] if there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let group = client.customer_groups().get("cug_abc12345def678").await?;
    /// println!("{}", group.name);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<CustomerGroup, Error> {
        let call = Call::of(operations::GET_CUSTOMER_GROUP);
        self.client
            .inner
            .once(call, |api| {
                api.get_customer_group()
                    .customer_group_id(id)
                    .send()
                    .boxed()
            })
            .await
    }

    /// Creates a group named `name` with the customers `customers` in it (ids
    /// `cst_...`; unknown ones are ignored by the API). Sent at most once unless the
    /// server provably did not process it; an ambiguous failure is
    /// [`Error::MaybeApplied`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let group = client
    ///     .customer_groups()
    ///     .create("Hosting customers", ["cst_abc12345def678"])
    ///     .await?;
    /// println!("created {}", group.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create<I, S>(
        &self,
        name: impl Into<String>,
        customers: I,
    ) -> Result<CustomerGroup, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let body = NewCustomerGroup {
            name: name.into(),
            customers: customers.into_iter().map(Into::into).collect(),
        };
        let call = Call::of(operations::CREATE_CUSTOMER_GROUP)
            .check("look the group up by its name (`customer_groups().find_by_name(..)`)");
        self.client
            .inner
            .once(call, |api| {
                api.create_customer_group()
                    .body(body.clone())
                    .send()
                    .boxed()
            })
            .await
    }

    /// Renames a group. Safe to retry (the same name twice).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let group = client.customer_groups().rename("cug_abc12345def678", "Webhosting customers").await?;
    /// assert_eq!(group.name, "Webhosting customers");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn rename(&self, id: &str, name: impl Into<String>) -> Result<CustomerGroup, Error> {
        let body = CustomerGroupChanges { name: name.into() };
        let call = Call::of(operations::EDIT_CUSTOMER_GROUP);
        self.client
            .inner
            .once(call, |api| {
                api.edit_customer_group()
                    .customer_group_id(id)
                    .body(body.clone())
                    .send()
                    .boxed()
            })
            .await
    }

    /// Adds customers (ids `cst_...`) to a group and returns the customers the API
    /// lists in its answer (which ones, the added ones or every member, is not
    /// documented). Unknown ids are ignored without an error. Sent at most once
    /// unless the server provably did not process it (see the module docs): a retry
    /// after a lost answer would get another answer than the first. An ambiguous
    /// failure is [`Error::MaybeApplied`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let customers = client
    ///     .customer_groups()
    ///     .add_customers("cug_abc12345def678", ["cst_abc12345def678", "cst_def67890abc123"])
    ///     .await?;
    /// for customer in &customers {
    ///     assert!(customer.customer_groups.iter().any(|g| g == "cug_abc12345def678"));
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn add_customers<I, S>(&self, id: &str, customers: I) -> Result<Vec<Customer>, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let body = CustomerGroupMembers {
            customers: customers.into_iter().map(Into::into).collect(),
        };
        let call = Call::of(operations::ADD_CUSTOMERS_TO_CUSTOMER_GROUP).check(CHECK_MEMBERS);
        let list = self
            .client
            .inner
            .once(call, |api| {
                api.add_customers_to_customer_group()
                    .customer_group_id(id)
                    .body(body.clone())
                    .send()
                    .boxed()
            })
            .await?;
        Ok(list.data)
    }

    /// The group named `name`, if any (the first one listed, as names need not be
    /// unique): how to tell whether a create that failed with
    /// [`Error::MaybeApplied`] went through. The API has no search, so this lists the
    /// groups until it finds it.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// if client.customer_groups().find_by_name("Hosting customers").await?.is_none() {
    ///     // Not created: safe to send it again.
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn find_by_name(&self, name: &str) -> Result<Option<CustomerGroup>, Error> {
        self.list().find(|group| group.name == name).await
    }
}

list_operation! {
    /// `GET /customer-groups`, as a [`ListOperation`](crate::ListOperation).
    ListCustomerGroups: LIST_CUSTOMER_GROUPS => list_customer_groups -> CustomerGroupPage, CustomerGroup;
}

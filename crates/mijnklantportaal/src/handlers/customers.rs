//! Customers: list, get, create, edit, and the customer of an invoice.
//!
//! What a retry may do, per operation: `list`, `get` and `of_invoice` are retried after
//! any transient failure; so is `edit` (a PATCH that sets the given fields: sending it
//! twice sets the same values). `create` (a POST) is retried only when the server
//! provably did not process it (no connection, 408, 429, the API's maintenance 503);
//! after any other failure the customer may or may not exist, and the error is
//! [`Error::MaybeApplied`].

use futures::FutureExt;
use mijnklantportaal_api::types::{Customer, CustomerChanges, NewCustomer};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::handlers::customer_invoices::InvoiceExt;
use crate::operations;
use crate::pagination::{Lister, list_operation};

/// The customer endpoints; made by [`Client::customers`].
#[derive(Debug, Clone, Copy)]
pub struct Customers<'c> {
    pub(crate) client: &'c Client,
}

impl Client {
    /// The customers of the account.
    pub fn customers(&self) -> Customers<'_> {
        Customers { client: self }
    }
}

impl Customers<'_> {
    /// Every customer of the account, as a [`Lister`] (the same paginator, guarantees
    /// and bounds as invoices).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let customers = client.customers().list().collect_all().await?;
    /// for customer in &customers {
    ///     println!("{} {}", customer.id, customer.company_name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> Lister<ListCustomers> {
        self.client.list(ListCustomers)
    }

    /// One customer by its id (`cst_...`); [`Error::NotFound`] if there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let customer = client.customers().get("cst_abc12345def678").await?;
    /// println!("{} <{}>", customer.company_name, customer.primary_email);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<Customer, Error> {
        let call = Call::of(operations::GET_CUSTOMER);
        self.client
            .inner
            .once(call, |api| {
                api.get_customer().customer_id(id).send().boxed()
            })
            .await
    }

    /// The customer an invoice is for (from its `customerId`).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let invoice = client.customer_invoices().get("inv_abc12345def678").await?;
    /// let customer = client.customers().of_invoice(&invoice).await?;
    /// println!("{} is for {}", invoice.invoice_number, customer.company_name);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn of_invoice(
        &self,
        invoice: &mijnklantportaal_api::types::CustomerInvoice,
    ) -> Result<Customer, Error> {
        self.get(invoice.customer_id()).await
    }

    /// Creates a customer. Sent at most once unless the server provably did not process
    /// it; an ambiguous failure is [`Error::MaybeApplied`]. A refused field (a bad
    /// e-mail address, say) is [`Error::Validation`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::NewCustomer;
    ///
    /// let new = NewCustomer::builder()
    ///     .company_name("Test Company BV")
    ///     .address("Teststreet 123")
    ///     .zip_code("1234AB")
    ///     .city("Amsterdam")
    ///     .primary_email("john.doe@test.com")
    ///     .try_into()
    ///     .expect("every required field set");
    /// let customer = client.customers().create(new).await?;
    /// println!("created {}", customer.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(&self, customer: NewCustomer) -> Result<Customer, Error> {
        let call = Call::of(operations::CREATE_CUSTOMER)
            .check("look the customer up by its primaryEmail in `customers().list()`");
        self.client
            .inner
            .once(call, |api| {
                api.create_customer().body(customer.clone()).send().boxed()
            })
            .await
    }

    /// Changes the given fields of a customer (the others stay). At least one field
    /// must be set: an empty change is refused here, as the API would.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::CustomerChanges;
    ///
    /// let moved = CustomerChanges {
    ///     address: Some("Nieuwe Gracht 1".into()),
    ///     city: Some("Utrecht".into()),
    ///     ..CustomerChanges::default()
    /// };
    /// let customer = client.customers().edit("cst_abc12345def678", moved).await?;
    /// assert_eq!(customer.city, "Utrecht");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn edit(&self, id: &str, changes: CustomerChanges) -> Result<Customer, Error> {
        if changes == CustomerChanges::default() {
            return Err(Error::InvalidInput(
                "a customer edit needs at least one field to change".to_string(),
            ));
        }
        let call = Call::of(operations::EDIT_CUSTOMER);
        self.client
            .inner
            .once(call, |api| {
                api.edit_customer()
                    .customer_id(id)
                    .body(changes.clone())
                    .send()
                    .boxed()
            })
            .await
    }
}

list_operation! {
    /// `GET /customers`, as a [`ListOperation`](crate::ListOperation).
    ListCustomers: LIST_CUSTOMERS => list_customers -> CustomerPage, Customer;
}

//! Customers: what the generated layer does not say by itself.

use mijnklantportaal_api::types::{Customer, CustomerInvoice};

use crate::error::Error;
use crate::handlers::customer_invoices::InvoiceExt;
use crate::resources::Customers;

impl Customers<'_> {
    /// The customer an invoice is for (from its `customerId`).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let invoice = client.customer_invoices().get(mijnklantportaal::CustomerInvoiceId::from("inv_abc12345def678")).await?;
    /// let customer = client.customers().of_invoice(&invoice).await?;
    /// println!("{} is for {}", invoice.invoice_number, customer.company_name);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn of_invoice(&self, invoice: &CustomerInvoice) -> Result<Customer, Error> {
        self.get(invoice.customer_id()).await
    }
}

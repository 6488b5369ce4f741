//! Mijn Klantportaal invoices (the vendor's "Invoices API"): the bills Mijn
//! Klantportaal itself sends you for the licence and other costs. Not the invoices you
//! send your customers: those are [`Client::customer_invoices`]. Reached with
//! [`Client::mkp_invoices`], named so that the two are never confused; the API key needs
//! the scope `businessoperations.read`.
//!
//! Their amounts come as JSON numbers although the vendor types them as strings; they
//! are [`LenientDecimal`](mijnklantportaal_api::LenientDecimal)s, read exactly, never
//! through a float (`.get()` gives the `Decimal`).
//!
//! What a retry may do: both operations are reads, retried after any transient failure.

use futures::FutureExt;
use mijnklantportaal_api::types::MkpInvoice;

use crate::client::{Call, Client};
use crate::error::Error;
use crate::operations;
use crate::pagination::{Lister, list_operation};

/// The endpoints of Mijn Klantportaal's own invoices to you; made by
/// [`Client::mkp_invoices`].
#[derive(Debug, Clone, Copy)]
pub struct MkpInvoices<'c> {
    pub(crate) client: &'c Client,
}

impl Client {
    /// The invoices Mijn Klantportaal sends you (licence fees and other costs; the
    /// vendor's "Invoices API"), not those you send your customers
    /// ([`customer_invoices`](Client::customer_invoices)).
    pub fn mkp_invoices(&self) -> MkpInvoices<'_> {
        MkpInvoices { client: self }
    }
}

impl MkpInvoices<'_> {
    /// Every invoice Mijn Klantportaal sent you, as a [`Lister`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use rust_decimal::Decimal;
    ///
    /// let invoices = client.mkp_invoices().list().collect_all().await?;
    /// let unpaid: Decimal = invoices
    ///     .iter()
    ///     .filter(|i| !i.is_paid)
    ///     .map(|i| i.total_amount.get())
    ///     .sum();
    /// println!("{unpaid} EUR to pay");
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> Lister<ListMkpInvoices> {
        self.client.list(ListMkpInvoices)
    }

    /// One invoice by its id (`fac_...`); [`Error::NotFound`] if there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let invoice = client.mkp_invoices().get("fac_abc12345def678").await?;
    /// for line in &invoice.lines {
    ///     println!("{} x {}: {} EUR", line.quantity, line.description, line.amount_incl_vat);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<MkpInvoice, Error> {
        let call = Call::of(operations::GET_INVOICE);
        self.client
            .inner
            .once(call, |api| api.get_invoice().invoice_id(id).send().boxed())
            .await
    }
}

list_operation! {
    /// `GET /invoices` (Mijn Klantportaal's invoices to you), as a [`ListOperation`](crate::ListOperation).
    ListMkpInvoices: LIST_MIJNKLANTPORTAAL_INVOICES => list_mijnklantportaal_invoices -> MkpInvoicePage, MkpInvoice;
}

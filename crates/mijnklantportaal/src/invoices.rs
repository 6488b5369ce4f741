//! Customer invoices: the listing, and accessors that save a lookup.
//!
//! This is all a list endpoint needs: an impl of [`SimplePage`] for its generated page
//! type and of [`ListOperation`] for its generated operation. The paginator does the rest.

use std::num::NonZeroU32;

use futures::FutureExt;
use futures::future::BoxFuture;
use mijnklantportaal_api::ResponseValue;
use mijnklantportaal_api::types::{CustomerInvoice, CustomerInvoicePage, ErrorBody};

use crate::client::Client;
use crate::pagination::{ListOperation, Lister, SimplePage};

/// The customer-invoice endpoints; made by [`Client::customer_invoices`].
#[derive(Debug, Clone, Copy)]
pub struct CustomerInvoices<'c> {
    pub(crate) client: &'c Client,
}

impl CustomerInvoices<'_> {
    /// Every customer invoice of the account, in the order the server lists them (not
    /// documented; the listing is complete and free of repeats either way, see
    /// "A live table" on [`Lister`]), as a [`Lister`].
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let mut invoices = client.customer_invoices().list().items();
    /// while let Some(invoice) = invoices.try_next().await? {
    ///     println!("{} {} {}", invoice.invoice_number, invoice.amount, invoice.currency);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> Lister<ListCustomerInvoices> {
        self.client.list()
    }
}

/// `GET /customer-invoices`, as a [`ListOperation`].
#[derive(Debug, Clone, Copy)]
pub struct ListCustomerInvoices;

impl ListOperation for ListCustomerInvoices {
    type Page = CustomerInvoicePage;
    type Item = CustomerInvoice;
    const PATH: &'static str = "/customer-invoices";

    fn send(
        api: &mijnklantportaal_api::Client,
        page: NonZeroU32,
    ) -> BoxFuture<
        '_,
        Result<ResponseValue<CustomerInvoicePage>, mijnklantportaal_api::Error<ErrorBody>>,
    > {
        api.list_customer_invoices().page(page).send().boxed()
    }

    fn id(item: &CustomerInvoice) -> &str {
        &item.id
    }
}

impl SimplePage for CustomerInvoicePage {
    type Item = CustomerInvoice;

    fn current_page(&self) -> u64 {
        self.current_page.get()
    }
    fn per_page(&self) -> u64 {
        self.per_page.get()
    }
    fn first_offset(&self) -> Option<u64> {
        self.from.and_then(|v| u64::try_from(v).ok())
    }
    fn last_offset(&self) -> Option<u64> {
        self.to.and_then(|v| u64::try_from(v).ok())
    }
    fn next_page_url(&self) -> Option<&str> {
        self.next_page_url.as_deref()
    }
    fn into_items(self) -> Vec<CustomerInvoice> {
        self.data
    }
}

/// Accessors on [`CustomerInvoice`] for questions that otherwise need a few lines.
///
/// ```
/// use mijnklantportaal::InvoiceExt;
/// # fn show(invoice: &mijnklantportaal::CustomerInvoice) {
/// if !invoice.is_paid() {
///     println!("{} is open for {} {}", invoice.invoice_number, invoice.amount, invoice.currency);
/// }
/// # }
/// ```
pub trait InvoiceExt {
    /// The id of the customer the invoice belongs to (`cst_...`).
    fn customer_id(&self) -> &str;
    /// Whether the invoice has been marked paid.
    fn is_paid(&self) -> bool;
    /// The URL of the customer resource.
    fn customer_url(&self) -> &str;
    /// The URL of the online payment page, where the API provides one.
    fn payment_url(&self) -> Option<&str>;
}

impl InvoiceExt for CustomerInvoice {
    fn customer_id(&self) -> &str {
        &self.customer_id
    }
    fn is_paid(&self) -> bool {
        self.paid_at.is_some()
    }
    fn customer_url(&self) -> &str {
        &self.links.customer.href
    }
    fn payment_url(&self) -> Option<&str> {
        self.links
            .online_payment_link
            .as_ref()
            .map(|l| l.href.as_str())
    }
}

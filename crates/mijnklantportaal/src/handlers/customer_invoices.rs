//! Customer invoices: what the generated layer does not say by itself.
//!
//! After a create failed in a way that leaves open whether it was applied (a timeout,
//! a connection dropped after the request went out, a 500, 502 or 504), the error is
//! [`Error::MaybeApplied`], and [`CustomerInvoices::find_by_number`] tells which. An
//! upload's PDF can be read from a file ([`CreateCustomerInvoice::pdf_file`]), and
//! [`InvoiceExt`] answers common questions about an invoice.

use std::path::Path;

use mijnklantportaal_api::types::{CustomerId, CustomerInvoice};

use crate::error::Error;
use crate::file_parts;
use crate::resources::{CreateCustomerInvoice, CustomerInvoices};

impl CustomerInvoices<'_> {
    /// The invoice numbered `number`, if any: how to tell whether a create that failed
    /// with [`Error::MaybeApplied`] went through. The API has no search, so this
    /// lists the invoices until it finds it.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// if client.customer_invoices().find_by_number("2024-001").await?.is_none() {
    ///     // Not created: safe to send it again.
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn find_by_number(&self, number: &str) -> Result<Option<CustomerInvoice>, Error> {
        self.list()
            .find(|invoice| invoice.invoice_number == number)
            .await
    }
}

impl CreateCustomerInvoice<'_> {
    /// The invoice's PDF from a local file, kept in memory (so that a create can be
    /// retried when the server provably did not process it). A file that does not
    /// start like a PDF (`%PDF-`) is refused here rather than by the server
    /// ([`Error::File`]).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use rust_decimal::Decimal;
    ///
    /// let invoice = client
    ///     .customer_invoices()
    ///     .create()
    ///     .customer_id(mijnklantportaal::CustomerId::from("cst_abc12345def678"))
    ///     .invoice_number("2024-001")
    ///     .issued_at(chrono::NaiveDate::from_ymd_opt(2024, 5, 1).expect("a date"))
    ///     .amount(Decimal::new(12_100, 2))
    ///     .pdf_file("invoice-2024-001.pdf")
    ///     .await?
    ///     .await?;
    /// println!("created {}", invoice.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn pdf_file(self, path: impl AsRef<Path>) -> Result<Self, Error> {
        Ok(self.pdf(file_parts::read_pdf(path.as_ref()).await?))
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
    fn customer_id(&self) -> &CustomerId;
    /// Whether the invoice has been marked paid.
    fn is_paid(&self) -> bool;
    /// The URL of the customer resource.
    fn customer_url(&self) -> &str;
    /// The URL of the online payment page, where the API provides one.
    fn payment_url(&self) -> Option<&str>;
}

impl InvoiceExt for CustomerInvoice {
    fn customer_id(&self) -> &CustomerId {
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

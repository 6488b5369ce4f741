//! Customer invoices: list, get, upload, create from lines, mark paid, PDF link.
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `list`, `get`, `pdf_link`, `find_by_number` | any transient failure |
//! | `mark_paid` (PATCH with one `paidAt`) | any transient failure: sending it twice sets the same value |
//! | `create`, `create_manual` (POST) | only what proves the server did not process it: no connection, 408, 429, the API's maintenance 503 |
//!
//! After any other failure of a create (a timeout, a connection dropped after the
//! request went out, a 500, 502 or 504), the invoice may or may not exist: the error is
//! [`Error::MaybeApplied`], and [`CustomerInvoices::find_by_number`] tells which.

use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone};
use futures::FutureExt;
use mijnklantportaal_api::FilePart;
use mijnklantportaal_api::types::{
    CloudFile, CreateCustomerInvoiceBody, CustomerInvoice, MarkCustomerInvoicePaid,
    NewManualCustomerInvoice,
};
use rust_decimal::Decimal;

use crate::client::{Call, Client};
use crate::error::Error;
use crate::operations;
use crate::pagination::{Lister, list_operation};

/// What to do after a create failed in a way that leaves open whether it was applied.
const CHECK_INVOICE: &str =
    "look the invoice up by its invoiceNumber (`customer_invoices().find_by_number(..)`)";

/// The customer-invoice endpoints; made by [`Client::customer_invoices`].
#[derive(Debug, Clone, Copy)]
pub struct CustomerInvoices<'c> {
    pub(crate) client: &'c Client,
}

impl Client {
    /// The customer invoices of the account.
    pub fn customer_invoices(&self) -> CustomerInvoices<'_> {
        CustomerInvoices { client: self }
    }
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
        self.client.list(ListCustomerInvoices)
    }

    /// One invoice by its id (`inv_...`); [`Error::NotFound`] if there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let invoice = client.customer_invoices().get("inv_abc12345def678").await?;
    /// println!("{} {}", invoice.invoice_number, invoice.amount);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<CustomerInvoice, Error> {
        let call = Call::of(operations::GET_CUSTOMER_INVOICE);
        self.client
            .inner
            .once(call, |api| {
                api.get_customer_invoice().invoice_id(id).send().boxed()
            })
            .await
    }

    /// Uploads an invoice: its PDF and what the portal shows with it. Sent at most
    /// once unless the server provably did not process it (see the module docs); an
    /// ambiguous failure is [`Error::MaybeApplied`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use chrono::NaiveDate;
    /// use mijnklantportaal::NewInvoice;
    /// use rust_decimal::Decimal;
    ///
    /// let pdf = NewInvoice::pdf_file("invoice-2024-001.pdf").await?;
    /// let issued = NaiveDate::from_ymd_opt(2024, 4, 29).expect("a date");
    /// let invoice = client
    ///     .customer_invoices()
    ///     .create(NewInvoice::new("cst_abc12345def678", "2024-001", issued, Decimal::new(1295, 2), pdf))
    ///     .await?;
    /// println!("created {}", invoice.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(&self, invoice: NewInvoice) -> Result<CustomerInvoice, Error> {
        let body = invoice.body;
        let call = Call::of(operations::CREATE_CUSTOMER_INVOICE).check(CHECK_INVOICE);
        self.client
            .inner
            .upload(call, body, |api, body| {
                api.create_customer_invoice().body(body).send().boxed()
            })
            .await
    }

    /// Creates an invoice from product or service lines (the portal makes the PDF).
    /// Sent at most once unless the server provably did not process it, like
    /// [`create`](Self::create).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use chrono::NaiveDate;
    /// use mijnklantportaal::{ManualInvoiceLine, NewManualCustomerInvoice};
    /// use rust_decimal::Decimal;
    ///
    /// let invoice = NewManualCustomerInvoice::builder()
    ///     .customer_id("cst_abc12345def678")
    ///     .invoice_number("2025-001")
    ///     .issued_at(NaiveDate::from_ymd_opt(2025, 4, 14).expect("a date"))
    ///     .lines(vec![ManualInvoiceLine::builder()
    ///         .description("Website template")
    ///         .amount_excl_vat(Decimal::new(1295, 2))
    ///         .vat_rate(21)
    ///         .try_into()
    ///         .expect("every field set")])
    ///     .try_into()
    ///     .expect("every field set");
    /// let created = client.customer_invoices().create_manual(invoice).await?;
    /// println!("{} for {}", created.invoice_number, created.amount);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_manual(
        &self,
        invoice: NewManualCustomerInvoice,
    ) -> Result<CustomerInvoice, Error> {
        let call = Call::of(operations::CREATE_CUSTOMER_INVOICE_MANUAL).check(CHECK_INVOICE);
        self.client
            .inner
            .once(call, |api| {
                api.create_customer_invoice_manual()
                    .body(invoice.clone())
                    .send()
                    .boxed()
            })
            .await
    }

    /// Marks an invoice paid at `paid_at`, in any time zone: it is sent as Dutch
    /// wall-clock time, as the API expects. Safe to retry (the same value twice).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let paid = client.customer_invoices().mark_paid("inv_abc12345def678", chrono::Utc::now()).await?;
    /// assert!(paid.paid_at.is_some());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn mark_paid<Tz: TimeZone>(
        &self,
        id: &str,
        paid_at: DateTime<Tz>,
    ) -> Result<CustomerInvoice, Error> {
        let body = MarkCustomerInvoicePaid {
            paid_at: crate::amsterdam::local_time(&paid_at),
        };
        let call = Call::of(operations::MARK_CUSTOMER_INVOICE_PAID);
        self.client
            .inner
            .once(call, |api| {
                api.mark_customer_invoice_paid()
                    .invoice_id(id)
                    .body(body.clone())
                    .send()
                    .boxed()
            })
            .await
    }

    /// A temporary download link for the invoice's PDF (`link`, valid until
    /// `expires_at`), not the bytes.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let pdf = client.customer_invoices().pdf_link("inv_abc12345def678").await?;
    /// println!("download before {}: {}", pdf.expires_at, pdf.link);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn pdf_link(&self, id: &str) -> Result<CloudFile, Error> {
        let call = Call::of(operations::GET_CUSTOMER_INVOICE_PDF);
        self.client
            .inner
            .once(call, |api| {
                api.get_customer_invoice_pdf().invoice_id(id).send().boxed()
            })
            .await
    }

    /// The invoice with this `invoiceNumber`, if any: how to tell whether a create that
    /// failed with [`Error::MaybeApplied`] went through. The API has no search, so this
    /// lists the invoices until it finds it (a whole listing when there is none).
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

/// An invoice to upload with [`CustomerInvoices::create`]: its PDF and what the portal
/// shows with it.
#[derive(Debug)]
pub struct NewInvoice {
    body: CreateCustomerInvoiceBody,
}

impl NewInvoice {
    /// An unpaid invoice of `amount` euros (the only currency the API takes) for the
    /// customer `customer_id` (`cst_...`), numbered `invoice_number`, issued on
    /// `issued_at`, with its PDF (e.g. from [`NewInvoice::pdf_file`], or
    /// `FilePart::bytes("invoice.pdf", bytes).media_type("application/pdf")`).
    pub fn new(
        customer_id: impl Into<String>,
        invoice_number: impl Into<String>,
        issued_at: NaiveDate,
        amount: Decimal,
        pdf: FilePart,
    ) -> Self {
        NewInvoice {
            body: CreateCustomerInvoiceBody {
                customer_id: customer_id.into(),
                invoice_number: invoice_number.into(),
                issued_at,
                amount,
                pdf,
                paid_at: None,
                send_notification: None,
            },
        }
    }

    /// Already paid, at `paid_at` (any time zone; sent as Dutch wall-clock time).
    pub fn paid_at<Tz: TimeZone>(mut self, paid_at: DateTime<Tz>) -> Self {
        self.body.paid_at = Some(crate::amsterdam::local_time(&paid_at));
        self
    }

    /// Whether the portal e-mails the customer about the new invoice.
    pub fn send_notification(mut self, send: bool) -> Self {
        self.body.send_notification = Some(send);
        self
    }

    /// Reads a PDF file into a file part (kept in memory, so that a create can be
    /// retried when the server provably did not process it). A file that does not start
    /// like a PDF (`%PDF-`) is refused here rather than by the server.
    pub async fn pdf_file(path: impl AsRef<Path>) -> Result<FilePart, Error> {
        let path = path.as_ref();
        let bytes = tokio::fs::read(path).await.map_err(|source| Error::File {
            path: path.to_path_buf(),
            source,
        })?;
        if !bytes.starts_with(b"%PDF-") {
            return Err(Error::File {
                path: path.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "not a PDF (it does not start with %PDF-)",
                ),
            });
        }
        let name = path.file_name().map_or_else(
            || "invoice.pdf".into(),
            |n| n.to_string_lossy().into_owned(),
        );
        Ok(FilePart::bytes(name, bytes).media_type("application/pdf"))
    }
}

list_operation! {
    /// `GET /customer-invoices`, as a [`ListOperation`](crate::ListOperation).
    ListCustomerInvoices: LIST_CUSTOMER_INVOICES => list_customer_invoices -> CustomerInvoicePage, CustomerInvoice;
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

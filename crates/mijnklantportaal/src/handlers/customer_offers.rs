//! Customer offers: what the generated layer does not say by itself.
//!
//! After a create failed in a way that leaves open whether it was applied, the error
//! is [`Error::MaybeApplied`], and [`CustomerOffers::find_by_number`] tells which. The
//! API marks an offer accepted or rejected with one operation (`mark_accepted`, with
//! `accepted_at` or `rejected_at`); [`CustomerOffers::mark_rejected`] says the second.

use std::borrow::Borrow;
use std::path::Path;

use chrono::{DateTime, TimeZone};
use mijnklantportaal_api::types::{CustomerOffer, CustomerOfferId};

use crate::error::Error;
use crate::file_parts;
use crate::resources::{CreateCustomerOffer, CustomerOffers};

impl CustomerOffers<'_> {
    /// Marks an offer rejected at `rejected_at` (any time zone; sent as Dutch
    /// wall-clock time). Safe to retry: the same value twice.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let offer = client.customer_offers().mark_rejected(mijnklantportaal::CustomerOfferId::from("off_abc12345def678"), chrono::Utc::now()).await?;
    /// println!("{:?}", offer.rejected_at);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn mark_rejected<Tz: TimeZone>(
        &self,
        id: impl Borrow<CustomerOfferId>,
        rejected_at: DateTime<Tz>,
    ) -> Result<CustomerOffer, Error> {
        self.mark_accepted(id).rejected_at(rejected_at).await
    }

    /// The offer numbered `number`, if any: how to tell whether a create that failed
    /// with [`Error::MaybeApplied`] went through. The API has no search, so this
    /// lists the offers until it finds it.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// if client.customer_offers().find_by_number("OFF-2024-001").await?.is_none() {
    ///     // Not created: safe to send it again.
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn find_by_number(&self, number: &str) -> Result<Option<CustomerOffer>, Error> {
        self.list().find(|offer| offer.offer_number == number).await
    }
}

impl CreateCustomerOffer<'_> {
    /// The offer's PDF from a local file, kept in memory (so that a create can be
    /// retried when the server provably did not process it). A file that does not
    /// start like a PDF (`%PDF-`) is refused here rather than by the server
    /// ([`Error::File`]).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use chrono::NaiveDate;
    /// use rust_decimal::Decimal;
    ///
    /// let offer = client
    ///     .customer_offers()
    ///     .create()
    ///     .customer_id(mijnklantportaal::CustomerId::from("cst_abc12345def678"))
    ///     .offer_number("OFF-2024-001")
    ///     .issued_at(NaiveDate::from_ymd_opt(2024, 5, 1).expect("a date"))
    ///     .expires_at(NaiveDate::from_ymd_opt(2024, 6, 1).expect("a date"))
    ///     .amount(Decimal::new(250_000, 2))
    ///     .pdf_file("offer.pdf")
    ///     .await?
    ///     .await?;
    /// println!("created {}", offer.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn pdf_file(self, path: impl AsRef<Path>) -> Result<Self, Error> {
        Ok(self.pdf(file_parts::read_pdf(path.as_ref()).await?))
    }
}

//! Customer offers: list, get, upload, create from lines, mark accepted or rejected.
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `list`, `get`, `find_by_number` | any transient failure |
//! | `mark_accepted`, `mark_rejected` (PATCH with the moment) | any transient failure: sending it twice sets the same values |
//! | `create`, `create_manual` (POST) | only what proves the server did not process it: no connection, 408, 429, the API's maintenance 503 |
//!
//! After any other failure of a create the offer may or may not exist: the error is
//! [`Error::MaybeApplied`], and [`CustomerOffers::find_by_number`] tells which.

use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone};
use futures::FutureExt;
use mijnklantportaal_api::types::{
    CreateCustomerOfferBody, CustomerOffer, CustomerOfferDecision, NewManualCustomerOffer,
};
use mijnklantportaal_api::{FilePart, LocalDateTime};
use rust_decimal::Decimal;

use crate::client::{Call, Client};
use crate::error::Error;
use crate::handlers::customer_invoices::NewInvoice;
use crate::operations;
use crate::pagination::{Lister, list_operation};

/// What to do after a create failed in a way that leaves open whether it was applied.
const CHECK_OFFER: &str =
    "look the offer up by its offerNumber (`customer_offers().find_by_number(..)`)";

/// The customer-offer endpoints; made by [`Client::customer_offers`].
#[derive(Debug, Clone, Copy)]
pub struct CustomerOffers<'c> {
    pub(crate) client: &'c Client,
}

impl Client {
    /// The offers (quotes) sent to the customers of the account.
    pub fn customer_offers(&self) -> CustomerOffers<'_> {
        CustomerOffers { client: self }
    }
}

impl CustomerOffers<'_> {
    /// Every offer of the account, as a [`Lister`].
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let mut offers = client.customer_offers().list().items();
    /// while let Some(offer) = offers.try_next().await? {
    ///     println!("{} {} {}", offer.offer_number, offer.amount, offer.currency);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> Lister<ListCustomerOffers> {
        self.client.list(ListCustomerOffers)
    }

    /// One offer by its id (`off_...`); [`Error::NotFound`] if there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let offer = client.customer_offers().get("off_abc12345def678").await?;
    /// println!("{} expires on {}", offer.offer_number, offer.expires_at);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<CustomerOffer, Error> {
        let call = Call::of(operations::GET_CUSTOMER_OFFER);
        self.client
            .inner
            .once(call, |api| {
                api.get_customer_offer().offer_id(id).send().boxed()
            })
            .await
    }

    /// Uploads an offer: its PDF and what the portal shows with it. Sent at most once
    /// unless the server provably did not process it (see the module docs); an
    /// ambiguous failure is [`Error::MaybeApplied`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use chrono::NaiveDate;
    /// use mijnklantportaal::NewOffer;
    /// use rust_decimal::Decimal;
    ///
    /// let pdf = NewOffer::pdf_file("offer-2024-001.pdf").await?;
    /// let issued = NaiveDate::from_ymd_opt(2024, 4, 29).expect("a date");
    /// let expires = NaiveDate::from_ymd_opt(2024, 5, 29).expect("a date");
    /// let offer = client
    ///     .customer_offers()
    ///     .create(NewOffer::new("cst_abc12345def678", "2024-001", issued, expires, Decimal::new(1295, 2), pdf))
    ///     .await?;
    /// println!("created {}", offer.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(&self, offer: NewOffer) -> Result<CustomerOffer, Error> {
        let body = offer.body;
        let call = Call::of(operations::CREATE_CUSTOMER_OFFER).check(CHECK_OFFER);
        self.client
            .inner
            .upload(call, body, |api, body| {
                api.create_customer_offer().body(body).send().boxed()
            })
            .await
    }

    /// Creates an offer from product or service lines (the portal makes the PDF). Sent
    /// at most once unless the server provably did not process it, like
    /// [`create`](Self::create).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use chrono::NaiveDate;
    /// use mijnklantportaal::{ManualInvoiceLine, NewManualCustomerOffer};
    /// use rust_decimal::Decimal;
    ///
    /// let offer = NewManualCustomerOffer::builder()
    ///     .customer_id("cst_abc12345def678")
    ///     .offer_number("2025-001")
    ///     .issued_at(NaiveDate::from_ymd_opt(2025, 4, 14).expect("a date"))
    ///     .expires_at(NaiveDate::from_ymd_opt(2025, 5, 14).expect("a date"))
    ///     .lines(vec![ManualInvoiceLine::builder()
    ///         .description("Website template")
    ///         .amount_excl_vat(Decimal::new(1295, 2))
    ///         .vat_rate(21)
    ///         .try_into()
    ///         .expect("every field set")])
    ///     .try_into()
    ///     .expect("every field set");
    /// let created = client.customer_offers().create_manual(offer).await?;
    /// println!("{} for {}", created.offer_number, created.amount);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_manual(
        &self,
        offer: NewManualCustomerOffer,
    ) -> Result<CustomerOffer, Error> {
        let call = Call::of(operations::CREATE_CUSTOMER_OFFER_MANUAL).check(CHECK_OFFER);
        self.client
            .inner
            .once(call, |api| {
                api.create_customer_offer_manual()
                    .body(offer.clone())
                    .send()
                    .boxed()
            })
            .await
    }

    /// Marks an offer accepted, at the moment and from where `acceptance` says. Safe
    /// to retry (the same values twice).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::OfferAcceptance;
    ///
    /// let acceptance = OfferAcceptance::at(chrono::Utc::now()).via_ip("203.0.113.7");
    /// let offer = client.customer_offers().mark_accepted("off_abc12345def678", acceptance).await?;
    /// assert!(offer.accepted_at.is_some());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn mark_accepted(
        &self,
        id: &str,
        acceptance: OfferAcceptance,
    ) -> Result<CustomerOffer, Error> {
        let decision = CustomerOfferDecision {
            accepted_at: Some(acceptance.at),
            accepted_via_ip: acceptance.ip,
            accepted_via_user_agent: acceptance.user_agent,
            rejected_at: None,
        };
        self.decide(id, decision).await
    }

    /// Marks an offer rejected at `rejected_at`, in any time zone: it is sent as Dutch
    /// wall-clock time, as the API expects. Safe to retry (the same value twice).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let offer = client.customer_offers().mark_rejected("off_abc12345def678", chrono::Utc::now()).await?;
    /// assert!(offer.rejected_at.is_some());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn mark_rejected<Tz: TimeZone>(
        &self,
        id: &str,
        rejected_at: DateTime<Tz>,
    ) -> Result<CustomerOffer, Error> {
        let decision = CustomerOfferDecision {
            rejected_at: Some(crate::amsterdam::local_time(&rejected_at)),
            ..CustomerOfferDecision::default()
        };
        self.decide(id, decision).await
    }

    async fn decide(
        &self,
        id: &str,
        decision: CustomerOfferDecision,
    ) -> Result<CustomerOffer, Error> {
        let call = Call::of(operations::MARK_CUSTOMER_OFFER_ACCEPTED_OR_REJECTED);
        self.client
            .inner
            .once(call, |api| {
                api.mark_customer_offer_accepted_or_rejected()
                    .offer_id(id)
                    .body(decision.clone())
                    .send()
                    .boxed()
            })
            .await
    }

    /// The offer with this `offerNumber`, if any: how to tell whether a create that
    /// failed with [`Error::MaybeApplied`] went through. The API has no search, so this
    /// lists the offers until it finds it.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// if client.customer_offers().find_by_number("2024-001").await?.is_none() {
    ///     // Not created: safe to send it again.
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn find_by_number(&self, number: &str) -> Result<Option<CustomerOffer>, Error> {
        self.list().find(|offer| offer.offer_number == number).await
    }
}

/// When and from where an offer was accepted: for [`CustomerOffers::mark_accepted`] and
/// [`NewOffer::accepted`].
///
/// ```
/// use mijnklantportaal::OfferAcceptance;
///
/// let signed = chrono::DateTime::parse_from_rfc3339("2024-05-04T20:51:50+02:00").expect("a time");
/// let acceptance = OfferAcceptance::at(signed)
///     .via_ip("203.0.113.7")
///     .via_user_agent("Mozilla/5.0 (X11; Linux x86_64)");
/// # let _ = acceptance;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferAcceptance {
    at: LocalDateTime,
    ip: Option<String>,
    user_agent: Option<String>,
}

impl OfferAcceptance {
    /// Accepted at `accepted_at`, in any time zone (sent as Dutch wall-clock time).
    pub fn at<Tz: TimeZone>(accepted_at: DateTime<Tz>) -> Self {
        OfferAcceptance {
            at: crate::amsterdam::local_time(&accepted_at),
            ip: None,
            user_agent: None,
        }
    }

    /// The IP address the offer was accepted from.
    pub fn via_ip(mut self, ip: impl Into<String>) -> Self {
        self.ip = Some(ip.into());
        self
    }

    /// The user agent the offer was accepted with.
    pub fn via_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }
}

/// An offer to upload with [`CustomerOffers::create`]: its PDF and what the portal
/// shows with it.
#[derive(Debug)]
pub struct NewOffer {
    body: CreateCustomerOfferBody,
}

impl NewOffer {
    /// An outstanding offer of `amount` euros (the only currency the API takes) for the
    /// customer `customer_id` (`cst_...`), numbered `offer_number`, issued on
    /// `issued_at` and valid until `expires_at`, with its PDF (e.g. from
    /// [`NewOffer::pdf_file`], or
    /// `FilePart::bytes("offer.pdf", bytes).media_type("application/pdf")`).
    pub fn new(
        customer_id: impl Into<String>,
        offer_number: impl Into<String>,
        issued_at: NaiveDate,
        expires_at: NaiveDate,
        amount: Decimal,
        pdf: FilePart,
    ) -> Self {
        NewOffer {
            body: CreateCustomerOfferBody {
                customer_id: customer_id.into(),
                offer_number: offer_number.into(),
                issued_at,
                expires_at,
                amount,
                pdf,
                send_notification: None,
                accepted_at: None,
                accepted_via_ip: None,
                accepted_via_user_agent: None,
                rejected_at: None,
            },
        }
    }

    /// Already accepted, as `acceptance` says.
    pub fn accepted(mut self, acceptance: OfferAcceptance) -> Self {
        self.body.accepted_at = Some(acceptance.at);
        self.body.accepted_via_ip = acceptance.ip;
        self.body.accepted_via_user_agent = acceptance.user_agent;
        self
    }

    /// Already rejected, at `rejected_at` (any time zone; sent as Dutch wall-clock time).
    pub fn rejected_at<Tz: TimeZone>(mut self, rejected_at: DateTime<Tz>) -> Self {
        self.body.rejected_at = Some(crate::amsterdam::local_time(&rejected_at));
        self
    }

    /// Whether the portal e-mails the customer about the new offer.
    pub fn send_notification(mut self, send: bool) -> Self {
        self.body.send_notification = Some(send);
        self
    }

    /// Reads a PDF file into a file part, with the checks of [`NewInvoice::pdf_file`]
    /// (kept in memory so that a create can be retried when the server provably did
    /// not process it; a file that does not start like a PDF is refused here).
    pub async fn pdf_file(path: impl AsRef<Path>) -> Result<FilePart, Error> {
        NewInvoice::pdf_file(path).await
    }
}

list_operation! {
    /// `GET /customer-offers`, as a [`ListOperation`](crate::ListOperation).
    ListCustomerOffers: LIST_CUSTOMER_OFFERS => list_customer_offers -> CustomerOfferPage, CustomerOffer;
}

//! Payment links: list, create, get, close, and the payments made through a link.
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `list`, `get`, `payments` | any transient failure |
//! | `close` (DELETE) | any transient failure, like a read: closing twice leaves the link closed. The API answers a second close with 422 "already closed", so a 422 that answers a retry after an attempt whose answer was lost is resolved by reading the link back: closed is the success the lost answer would have been |
//! | `create` (POST) | only what proves the server did not process it: no connection, 408, 429, the API's maintenance 503 |
//!
//! After any other failure of a create the link may or may not exist: the error is
//! [`Error::MaybeApplied`].

use futures::FutureExt;
use mijnklantportaal_api::types::{NewPaymentLink, PaymentLink, PaymentLinkStatus};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::operations;
use crate::pagination::{Lister, list_operation};

/// The payment-link endpoints; made by [`Client::payment_links`].
#[derive(Debug, Clone, Copy)]
pub struct PaymentLinks<'c> {
    pub(crate) client: &'c Client,
}

impl Client {
    /// The payment links of the account, and the payments made through them.
    pub fn payment_links(&self) -> PaymentLinks<'_> {
        PaymentLinks { client: self }
    }
}

impl PaymentLinks<'_> {
    /// Every payment link of the account, as a [`Lister`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::PaymentLinkStatus;
    ///
    /// let links = client.payment_links().list().collect_all().await?;
    /// let open = links.iter().filter(|l| l.status == PaymentLinkStatus::Open).count();
    /// println!("{open} of {} links are open", links.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> Lister<ListPaymentLinks> {
        self.client.list(ListPaymentLinks)
    }

    /// One payment link by its id (`plk_...`); [`Error::NotFound`] if there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let link = client.payment_links().get("plk_abc12345def678").await?;
    /// println!("{} {} {:?}", link.description, link.amount, link.checkout_url);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<PaymentLink, Error> {
        let call = Call::of(operations::GET_PAYMENT_LINK);
        self.client
            .inner
            .once(call, |api| {
                api.get_payment_link().link_id(id).send().boxed()
            })
            .await
    }

    /// Creates a payment link. Sent at most once unless the server provably did not
    /// process it; an ambiguous failure is [`Error::MaybeApplied`]. A refused field is
    /// [`Error::Validation`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::NewPaymentLink;
    /// use rust_decimal::Decimal;
    ///
    /// let link = client
    ///     .payment_links()
    ///     .create(NewPaymentLink {
    ///         description: "Contribution costs".into(),
    ///         amount: Decimal::new(1295, 2),
    ///         expires_at: chrono::NaiveDate::from_ymd_opt(2026, 5, 4),
    ///         reusable: Some(true),
    ///     })
    ///     .await?;
    /// println!("pay at {}", link.checkout_url.unwrap_or_default());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(&self, link: NewPaymentLink) -> Result<PaymentLink, Error> {
        let call = Call::of(operations::CREATE_PAYMENT_LINK)
            .check("look the link up by its description in `payment_links().list()`");
        self.client
            .inner
            .once(call, |api| {
                api.create_payment_link().body(link.clone()).send().boxed()
            })
            .await
    }

    /// Closes a payment link, so that it can no longer be paid (useful for reusable
    /// links), and returns it closed. Retried like a read (see the module docs): a link
    /// that was already closed before this call is [`Error::Validation`] (the API's 422
    /// "already closed"); an unknown id is [`Error::NotFound`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::PaymentLinkStatus;
    ///
    /// let link = client.payment_links().close("plk_abc12345def678").await?;
    /// assert_eq!(link.status, PaymentLinkStatus::Closed);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn close(&self, id: &str) -> Result<PaymentLink, Error> {
        let call = Call::of(operations::CLOSE_PAYMENT_LINK)
            .refused_when_done("get the link (`payment_links().get(..)`) and look at its status");
        self.client
            .inner
            .settle(
                call,
                |api| api.close_payment_link().link_id(id).send().boxed(),
                || async {
                    let link = self.get(id).await?;
                    Ok((link.status == PaymentLinkStatus::Closed).then_some(link))
                },
            )
            .await
    }

    /// The payments made through one payment link, as a [`Lister`]; an unknown link
    /// ends the listing with [`Error::NotFound`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use rust_decimal::Decimal;
    ///
    /// let payments = client.payment_links().payments("plk_abc12345def678").collect_all().await?;
    /// let total: Decimal = payments.iter().map(|p| p.amount).sum();
    /// println!("{} payments, {total} EUR", payments.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn payments(&self, link_id: impl Into<String>) -> Lister<ListPaymentLinkPayments> {
        self.client.list(ListPaymentLinkPayments {
            link_id: link_id.into(),
        })
    }
}

list_operation! {
    /// `GET /payment-links`, as a [`ListOperation`](crate::ListOperation).
    ListPaymentLinks: LIST_PAYMENT_LINKS => list_payment_links -> PaymentLinkPage, PaymentLink;
}

list_operation! {
    /// `GET /payment-links/{linkId}/payments` for one link, as a [`ListOperation`](crate::ListOperation).
    ListPaymentLinkPayments { link_id }: LIST_PAYMENT_LINK_PAYMENT => list_payment_link_payment -> PaymentLinkPaymentPage, PaymentLinkPayment;
}

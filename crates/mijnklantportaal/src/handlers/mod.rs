//! One module per tag of the API (the vendor's "Customer Invoices API", "Customers API",
//! ...): the tag's handler (`client.customer_invoices()`), its list operations for the
//! one paginator, its write rules, and the builders its bodies need. A newcomer looking
//! for one area of the API finds all of it in one file here.

pub(crate) mod agreements;
pub(crate) mod appointments;
pub(crate) mod customer_groups;
pub(crate) mod customer_invoices;
pub(crate) mod customer_offers;
pub(crate) mod customer_subscription_packages;
pub(crate) mod customer_subscriptions;
pub(crate) mod customers;
pub(crate) mod file_requests;
pub(crate) mod file_shares;
pub(crate) mod files;
/// The vendor's "Invoices API": Mijn Klantportaal's own invoices to you (`client.mkp_invoices()`).
pub(crate) mod invoices;
pub(crate) mod payment_links;
pub(crate) mod punch_cards;
pub(crate) mod tickets;
pub(crate) mod webhooks;

use std::sync::{Mutex, PoisonError};

use futures::FutureExt;
use futures::future::BoxFuture;
use mijnklantportaal_api::ResponseValue;
use mijnklantportaal_api::types::{
    CreateAgreementBody, CreateCustomerInvoiceBody, CreateCustomerOfferBody,
    UploadAttachmentToTicketMessageBody, UploadFileBody,
};

use crate::client::{ApiError, Call, Inner};
use crate::error::Error;

/// A generated multipart body: its file parts are bytes, which a retry can send
/// again, or streams, which one attempt uses up (`try_clone` is `None`).
pub(crate) trait MultipartBody: Sized + Send {
    /// A copy for another attempt; `None` when a part is a stream.
    fn try_clone(&self) -> Option<Self>;
}

macro_rules! multipart_bodies {
    ($($body:ty),* $(,)?) => {$(
        impl MultipartBody for $body {
            fn try_clone(&self) -> Option<Self> {
                <$body>::try_clone(self)
            }
        }
    )*};
}

multipart_bodies!(
    CreateAgreementBody,
    CreateCustomerInvoiceBody,
    CreateCustomerOfferBody,
    UploadAttachmentToTicketMessageBody,
    UploadFileBody,
);

impl Inner {
    /// One upload (`call` with the multipart `body`), the way every upload is sent: a
    /// body held in memory is copied for each attempt, so it is retried as `call`
    /// allows; a body with a stream is handed to the first attempt itself, and a
    /// failure that a retry would fix is [`Error::NotResent`], naming the failure.
    pub(crate) async fn upload<B, T, F>(&self, call: Call, body: B, send: F) -> Result<T, Error>
    where
        B: MultipartBody,
        T: Send + 'static,
        F: for<'a> Fn(
            &'a mijnklantportaal_api::Client,
            B,
        ) -> BoxFuture<'a, Result<ResponseValue<T>, ApiError>>,
    {
        let resendable = body.try_clone().is_some();
        let call = if resendable { call } else { call.body_once() };
        let kept = Mutex::new(Some(body));
        self.once(call, |api| {
            let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
            let body = if resendable {
                kept.as_ref().and_then(B::try_clone)
            } else {
                kept.take()
            };
            match body {
                Some(body) => send(api, body),
                None => spent_stream(),
            }
        })
        .await
    }
}

/// The attempt of an upload whose stream an earlier attempt used up. `Inner::upload`
/// makes no such attempt (the call is marked `body_once`); this fails without
/// sending anything, should one be made.
fn spent_stream<'a, T: Send + 'a>() -> BoxFuture<'a, Result<ResponseValue<T>, ApiError>> {
    futures::future::ready(Err(mijnklantportaal_api::Error::InvalidRequest(
        "the file was given as a stream, which cannot be sent twice: give it as bytes to allow a retry"
            .to_string(),
    )))
    .boxed()
}

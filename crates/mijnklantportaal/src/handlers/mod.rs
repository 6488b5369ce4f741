//! What the generated resource layer (`resources.rs`, written from the spec) cannot
//! say by itself, one module per tag of the API that needs any: conveniences on its
//! handler and request builders (`find_by_number`, a PDF from a file), and the
//! read-backs that settle a close refused with 422 once done. Tags whose operations
//! are all mechanical (Invoices, Punch Cards, Webhooks) have no module here.
//!
//! Here too: how an upload is sent, whatever its operation.

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
pub(crate) mod payment_links;
pub(crate) mod tickets;

use std::sync::{Mutex, PoisonError};

use futures::FutureExt;
use futures::future::BoxFuture;
use mijnklantportaal_api::ResponseValue;

use crate::client::{ApiError, Call, Inner};
use crate::error::Error;

/// A generated multipart body: its file parts are bytes, which a retry can send
/// again, or streams, which one attempt uses up (`try_clone` is `None`). The resource
/// layer implements it for every multipart body of the spec.
pub(crate) trait MultipartBody: Sized + Send {
    /// A copy for another attempt; `None` when a part is a stream.
    fn try_clone(&self) -> Option<Self>;
}

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

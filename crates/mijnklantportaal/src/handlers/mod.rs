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

use futures::FutureExt;
use futures::future::BoxFuture;
use mijnklantportaal_api::ResponseValue;

use crate::client::ApiError;

/// The attempt of a multipart upload whose body cannot be rebuilt (a file part given
/// as a stream, consumed by the first attempt): it fails without sending anything.
pub(crate) fn spent_stream<'a, T: Send + 'a>() -> BoxFuture<'a, Result<ResponseValue<T>, ApiError>>
{
    futures::future::ready(Err(mijnklantportaal_api::Error::InvalidRequest(
        "the file was given as a stream, which cannot be sent twice: give it as bytes to allow a retry"
            .to_string(),
    )))
    .boxed()
}

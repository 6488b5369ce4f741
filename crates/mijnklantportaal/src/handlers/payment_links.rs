//! Payment links: what the generated layer does not say by itself.
//!
//! A close the API refuses with 422 once done ("already closed") is settled by reading
//! the link back when a retry after a lost answer meets that 422 (the spec's
//! `x-mkp-settle`): closed is success.

use mijnklantportaal_api::types::{PaymentLink, PaymentLinkId, PaymentLinkStatus};

use crate::client::Client;
use crate::error::Error;

/// The read-back of a close whose retry met 422: the link, if it is closed.
pub(crate) async fn close_done(
    client: &Client,
    link_id: &PaymentLinkId,
) -> Result<Option<PaymentLink>, Error> {
    let link = client.payment_links().get(link_id).await?;
    Ok((link.status == PaymentLinkStatus::Closed).then_some(link))
}

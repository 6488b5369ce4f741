//! Tickets: what the generated layer does not say by itself.
//!
//! A close the API refuses with 422 once done ("already closed") is settled by reading
//! the ticket back when a retry after a lost answer meets that 422 (the spec's
//! `x-mkp-settle`): closed is success. A portal whose licence lacks ticketing answers
//! 426: [`Error::NotInLicence`].

use std::path::Path;

use mijnklantportaal_api::types::{TicketId, TicketStatus, TicketWithMessages};

use crate::client::Client;
use crate::error::Error;
use crate::file_parts;
use crate::resources::UploadAttachmentToTicketMessage;

/// The read-back of a close whose retry met 422: the ticket, if it is closed.
pub(crate) async fn close_done(
    client: &Client,
    ticket_id: &TicketId,
) -> Result<Option<TicketWithMessages>, Error> {
    let ticket = client.tickets().get(ticket_id).await?;
    Ok((ticket.status == TicketStatus::Closed).then_some(ticket))
}

impl UploadAttachmentToTicketMessage<'_> {
    /// The attachment from a local file, named after it, its media type from its
    /// extension, held in memory (so that an upload can be retried).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let ticket = client
    ///     .tickets()
    ///     .attach(mijnklantportaal::TicketId::from("tic_abc12345def678"), mijnklantportaal::TicketMessageId::from("tim_abc12345def678"))
    ///     .path("screenshot.png")
    ///     .await?
    ///     .await?;
    /// println!("{} messages", ticket.messages.len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn path(self, path: impl AsRef<Path>) -> Result<Self, Error> {
        Ok(self.attachment(file_parts::read(path.as_ref()).await?))
    }
}

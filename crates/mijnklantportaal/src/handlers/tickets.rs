//! Tickets: list, get with messages, reply, close, and attach a file to a message.
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `list`, `get` | any transient failure |
//! | `close` (PATCH without a body) | any transient failure; a 422 "already closed" to a retry after a lost answer is settled by reading the ticket back: closed is success |
//! | `reply` (POST a message), `attach` (multipart upload) | only what proves the server did not process it: no connection, 408, 429, the API's maintenance 503 |
//!
//! After any other failure of a reply or an upload, it may or may not have been posted:
//! the error is [`Error::MaybeApplied`], and [`Tickets::get`] shows the messages and
//! their attachments. A portal whose licence lacks ticketing answers 426:
//! [`Error::NotInLicence`].

use std::path::Path;

use futures::FutureExt;
use mijnklantportaal_api::FilePart;
use mijnklantportaal_api::types::{
    NewTicketMessage, TicketStatus, TicketWithMessages, UploadAttachmentToTicketMessageBody,
};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::file_parts;
use crate::operations;
use crate::pagination::{Lister, list_operation};

/// How to tell whether a reply or an upload whose answer was lost went through.
const CHECK_MESSAGES: &str = "get the ticket (`tickets().get(..)`) and look among its messages";

/// The ticket endpoints; made by [`Client::tickets`].
#[derive(Debug, Clone, Copy)]
pub struct Tickets<'c> {
    client: &'c Client,
}

impl Client {
    /// The support tickets of the portal.
    pub fn tickets(&self) -> Tickets<'_> {
        Tickets { client: self }
    }
}

impl Tickets<'_> {
    /// Every ticket, without its messages, as a [`Lister`] (the one paginator).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::TicketStatus;
    ///
    /// let tickets = client.tickets().list().collect_all().await?;
    /// let open = tickets.iter().filter(|t| t.status == TicketStatus::Open).count();
    /// println!("{open} of {} tickets are open", tickets.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> Lister<ListTickets> {
        self.client.list(ListTickets)
    }

    /// One ticket with its messages (`tic_...`); [`Error::NotFound`] if there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let ticket = client.tickets().get("tic_abc12345def678").await?;
    /// for message in &ticket.messages {
    ///     println!("{}: {}", message.posted_by.as_deref().unwrap_or("?"), message.message.as_deref().unwrap_or(""));
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<TicketWithMessages, Error> {
        let call = Call::of(operations::GET_TICKET_RECORD);
        self.client
            .inner
            .once(call, |api| {
                api.get_ticket_record().ticket_id(id).send().boxed()
            })
            .await
    }

    /// Posts a reply (HTML allowed); a closed ticket reopens. Sent at most once unless
    /// the server provably did not process it; an ambiguous failure is
    /// [`Error::MaybeApplied`]. Tickets from the live chat cannot be answered here (the
    /// API refuses them).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let ticket = client.tickets().reply("tic_abc12345def678", "<p>We will look into it!</p>").await?;
    /// let posted = ticket.messages.last().expect("the reply");
    /// println!("posted {} at {}", posted.id, posted.posted_at);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn reply(
        &self,
        id: &str,
        message: impl Into<String>,
    ) -> Result<TicketWithMessages, Error> {
        let body = NewTicketMessage {
            message: message.into(),
        };
        let call = Call::of(operations::ADD_MESSAGE_TO_THE_TICKET).check(CHECK_MESSAGES);
        self.client
            .inner
            .once(call, |api| {
                api.add_message_to_the_ticket()
                    .ticket_id(id)
                    .body(body.clone())
                    .send()
                    .boxed()
            })
            .await
    }

    /// Closes a ticket. Retried like a read: if the answer to a close is lost and the
    /// retry is refused as "already closed", the ticket is read back, and a closed
    /// ticket is the result. Closing a ticket that was closed before is
    /// [`Error::Validation`]; a portal without ticketing in its licence is
    /// [`Error::NotInLicence`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::{Error, TicketStatus};
    ///
    /// match client.tickets().close("tic_abc12345def678").await {
    ///     Ok(ticket) => assert_eq!(ticket.status, TicketStatus::Closed),
    ///     Err(Error::Validation { .. }) => println!("it was closed already"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn close(&self, id: &str) -> Result<TicketWithMessages, Error> {
        let call = Call::of(operations::CLOSE_TICKET)
            .refused_when_done("get the ticket (`tickets().get(..)`) and look at its status");
        self.client
            .inner
            .settle(
                call,
                |api| api.close_ticket().ticket_id(id).send().boxed(),
                || async {
                    let ticket = self.get(id).await?;
                    Ok((ticket.status == TicketStatus::Closed).then_some(ticket))
                },
            )
            .await
    }

    /// Attaches a file to a message posted less than 5 minutes ago (the API refuses
    /// later uploads, and chat messages, with [`Error::Validation`]). Sent at most once
    /// unless the server provably did not process it, like [`reply`](Self::reply).
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::FilePart;
    ///
    /// let ticket = client.tickets().reply("tic_abc12345def678", "Here is the corrected invoice.").await?;
    /// let message = ticket.messages.last().expect("the reply");
    /// let pdf = FilePart::bytes("invoice.pdf", std::fs::read("invoice.pdf").unwrap_or_default())
    ///     .media_type("application/pdf");
    /// client.tickets().attach(&ticket.id, &message.id, pdf).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn attach(
        &self,
        ticket_id: &str,
        message_id: &str,
        file: FilePart,
    ) -> Result<TicketWithMessages, Error> {
        let body = UploadAttachmentToTicketMessageBody { attachment: file };
        let call = Call::of(operations::UPLOAD_ATTACHMENT_TO_TICKET_MESSAGE).check(CHECK_MESSAGES);
        self.client
            .inner
            .upload(call, body, |api, body| {
                api.upload_attachment_to_ticket_message()
                    .ticket_id(ticket_id)
                    .message_id(message_id)
                    .body(body)
                    .send()
                    .boxed()
            })
            .await
    }

    /// [`attach`](Self::attach) with a local file, named after it, its media type from
    /// its extension.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// client.tickets().attach_file("tic_abc12345def678", "tim_abc12345def678", "screenshot.png").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn attach_file(
        &self,
        ticket_id: &str,
        message_id: &str,
        path: impl AsRef<Path>,
    ) -> Result<TicketWithMessages, Error> {
        let file = file_parts::read(path.as_ref()).await?;
        self.attach(ticket_id, message_id, file).await
    }
}

list_operation! {
    /// `GET /tickets`, as a [`ListOperation`](crate::ListOperation).
    ListTickets: LIST_TICKET_RECORDS => list_ticket_records -> TicketPage, Ticket;
}

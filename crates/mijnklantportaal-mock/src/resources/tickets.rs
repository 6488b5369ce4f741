//! Tickets API: tickets, their messages and attachments; reply (reopens) and close.
//! Live-chat tickets take neither replies nor attachments; a file can be attached to
//! a message in its first 5 minutes only. Without ticketing every request is a 426.

use std::time::Duration;

use super::prelude::*;

/// How long after a message a file can be attached to it.
pub(crate) const ATTACH_WINDOW: Duration = Duration::from_secs(5 * 60);
pub(crate) const SEEDED: u64 = 8;
const API_POSTER: &str = "Mijn Klantportaal API";

/// The 422 and 426 answers.
pub(crate) const ALREADY_CLOSED: &str = "The ticket is already closed.";
pub(crate) const CHAT_REPLY: &str =
    "Tickets created from live chat can not be answered via the API.";
pub(crate) const NOT_IN_LICENCE: &str =
    "The ticketing system is not available in your current license.";
const CHAT_ATTACH: &str = "Chat conversations do not support attachments.";
const LATE_ATTACH: &str =
    "An attachment can only be added in the first 5 minutes after the message was posted.";

const TITLES: &str = "Invoice issue|Cannot log in to the portal|Question about my subscription|\
    Wrong address on offer|Request for a copy of the contract";
const CUSTOMER_MESSAGES: &str = "<p>Hello, help me with my invoice please</p>|\
    <p>Could you have a look at this?</p>|<p>Thanks, that solved it.</p>";

// Random streams of tickets.
const IDS: u64 = 0x71C_0001;
const MESSAGE_IDS: u64 = 0x71C_0002;
const ATTACHMENT_IDS: u64 = 0x71C_0003;
const CREATED: u64 = 0x71C_0004;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Source {
    Portal,
    Email,
    Chat,
}

/// A file attached to a message, in the vendor example's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Attachment {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) size: u64,
    pub(crate) mime: String,
}

/// One message of a ticket, in the vendor example's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Message {
    pub(crate) id: String,
    pub(crate) posted_by: String,
    pub(crate) is_posted_by_customer: bool,
    pub(crate) message: String,
    pub(crate) posted_at: DateTime<FixedOffset>,
    /// When it was posted on tokio's clock (`None`: before the server started).
    #[serde(skip)]
    pub(crate) posted: Option<Instant>,
    pub(crate) attachments: Vec<Attachment>,
}

/// Whether a ticket is open: closing it again is refused; a reply reopens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TicketStatus {
    Open,
    Closed,
}

/// One ticket, in the vendor example's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MockTicket {
    pub(crate) id: String,
    /// Its key in the table, for the ids of its messages.
    #[serde(skip)]
    pub(crate) key: u64,
    pub(crate) customer_id: Option<String>,
    pub(crate) title: String,
    pub(crate) source: Source,
    pub(crate) status: TicketStatus,
    #[serde(skip_serializing_if = "in_list")]
    pub(crate) messages: Vec<Message>,
    pub(crate) created_at: DateTime<FixedOffset>,
}

/// The id of message `index` of ticket `key` (up to 64 per ticket).
fn message_id(seed: u64, key: u64, index: usize) -> String {
    IdCodec::new("tim_", seed, MESSAGE_IDS)
        .encode(key.saturating_mul(64).saturating_add(index as u64))
}

/// The id of attachment `index` of message `message` of ticket `key` (up to 8).
fn attachment_id(seed: u64, key: u64, message: usize, index: usize) -> String {
    let number = key.saturating_mul(64).saturating_add(message as u64);
    IdCodec::new("tma_", seed, ATTACHMENT_IDS)
        .encode(number.saturating_mul(8).saturating_add(index as u64))
}

// One to three messages an hour apart, the customer's first.
record!(MockTicket, "Ticket", |config| {
    let (seed, dataset) = (config.dataset.seed(), config.dataset);
    let ids = IdCodec::new("tic_", seed, IDS);
    Seeded::new(ids, SEEDED, move |index, id| {
        let created_at = seeded_time(seed, CREATED, index)?;
        let customer = (index % 5 != 4).then(|| dataset.customer(index)).flatten();
        let poster = customer
            .as_ref()
            .map_or("John Appleseed", |c| &c.company_name);
        let messages = (0..=(index % 3) as usize).map(|j| {
            let (posted_by, message) = match j % 2 {
                0 => (poster, pick(CUSTOMER_MESSAGES, j as u64)),
                _ => ("Support", "<p>We will look into it!</p>".to_owned()),
            };
            let screenshot = (j == 0 && index % 2 == 0).then(|| Attachment {
                id: attachment_id(seed, index, j, 0),
                name: "Screenshot.png".to_owned(),
                size: 1256,
                mime: "image/png".to_owned(),
            });
            Message {
                id: message_id(seed, index, j),
                posted_by: posted_by.to_owned(),
                is_posted_by_customer: j % 2 == 0,
                message: message.to_owned(),
                posted_at: created_at + chrono::Duration::hours(j as i64),
                posted: None,
                attachments: screenshot.into_iter().collect(),
            }
        });
        Some(MockTicket {
            id,
            key: index,
            title: pick(TITLES, index),
            source: [Source::Portal, Source::Portal, Source::Email, Source::Chat]
                [(index % 4) as usize],
            status: if index % 3 == 1 {
                TicketStatus::Closed
            } else {
                TicketStatus::Open
            },
            messages: messages.collect(),
            customer_id: customer.map(|c| c.id),
            created_at,
        })
    })
});

/// The 426 of a portal without ticketing.
fn licensed(call: &Call<'_>) -> Result<(), Refusal> {
    if call.shared().config.ticketing {
        return Ok(());
    }
    let refusal = responses::message(StatusCode::UPGRADE_REQUIRED, NOT_IN_LICENCE);
    Err(Box::new(refusal))
}

pub(crate) async fn list(call: &Call<'_>, _body: Body) -> Reply {
    licensed(call)?;
    call.list::<MockTicket>(None).await
}

pub(crate) async fn show(call: &Call<'_>, _body: Body) -> Reply {
    licensed(call)?;
    call.show(&call.find::<MockTicket>(0)?)
}

pub(crate) async fn reply(call: &Call<'_>, body: Body) -> Reply {
    licensed(call)?;
    let ticket = call.find::<MockTicket>(0)?;
    // A ticket's source never changes: refused before the body is read.
    if ticket.source == Source::Chat {
        return Err(call.refused(CHAT_REPLY));
    }
    let (seed, posted_at) = (call.seed(), call.now()?);
    let reply = |ticket: &mut MockTicket, input: &Input| {
        ticket.messages.push(Message {
            id: message_id(seed, ticket.key, ticket.messages.len()),
            posted_by: API_POSTER.to_owned(),
            is_posted_by_customer: false,
            message: input::text(input, "message").ok_or_else(server_error)?,
            posted_at,
            posted: Some(Instant::now()),
            attachments: Vec::new(),
        });
        ticket.status = TicketStatus::Open;
        Ok(())
    };
    call.written_shown(StatusCode::OK, &call.edit(&ticket.id, body, reply).await?)
}

pub(crate) async fn close(call: &Call<'_>, _body: Body) -> Reply {
    licensed(call)?;
    let closed = call.change(call.param(0), |ticket: &mut MockTicket| {
        if ticket.status == TicketStatus::Closed {
            return Err(call.refused(ALREADY_CLOSED));
        }
        ticket.status = TicketStatus::Closed;
        Ok(())
    })?;
    call.written_shown(StatusCode::OK, &closed)
}

pub(crate) async fn attach(call: &Call<'_>, body: Body) -> Reply {
    licensed(call)?;
    let ticket = call.find::<MockTicket>(0)?;
    let message_id = call.param(1);
    let position = ticket.messages.iter().position(|m| m.id == message_id);
    let position =
        position.ok_or_else(|| call.model_not_found(r"App\Models\TicketMessage", message_id))?;
    let form = call.form(body).await?;
    let (name, mime, bytes) = file_part(&form, "attachment").ok_or_else(server_error)?;
    let chat = ticket.source == Source::Chat;
    let posted = ticket.messages[position].posted;
    if chat || posted.is_none_or(|at| at.elapsed() >= ATTACH_WINDOW) {
        let message = if chat { CHAT_ATTACH } else { LATE_ATTACH };
        return Err(invalid(call, "attachment", message));
    }
    let (seed, key) = (call.seed(), ticket.key);
    let attached = call.change(&ticket.id, |ticket: &mut MockTicket| {
        if let Some(message) = ticket.messages.get_mut(position) {
            message.attachments.push(Attachment {
                id: attachment_id(seed, key, position, message.attachments.len()),
                name,
                size: bytes.len() as u64,
                mime,
            });
        }
        Ok(())
    })?;
    call.written_shown(StatusCode::OK, &attached)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_show_tickets_without_messages_and_gets_with_them() {
        let at = dutch_time::at(1_714_417_200).unwrap();
        let ticket = MockTicket {
            id: "tic_1".to_owned(),
            key: 0,
            customer_id: Some("cst_1".to_owned()),
            title: "Invoice issue".to_owned(),
            source: Source::Portal,
            status: TicketStatus::Open,
            messages: vec![Message {
                id: "tim_1".to_owned(),
                posted_by: "John Appleseed".to_owned(),
                is_posted_by_customer: true,
                message: "<p>Hello</p>".to_owned(),
                posted_at: at,
                posted: None,
                attachments: vec![Attachment {
                    id: "tma_1".to_owned(),
                    name: "Screenshot.png".to_owned(),
                    size: 1256,
                    mime: "image/png".to_owned(),
                }],
            }],
            created_at: at,
        };
        assert_eq!(
            String::from_utf8(crate::resources::render(&ticket, "", false).unwrap()).unwrap(),
            r#"{"id":"tic_1","customerId":"cst_1","title":"Invoice issue","source":"portal","status":"open","createdAt":"2024-04-29T21:00:00+02:00"}"#
        );
        assert_eq!(
            String::from_utf8(crate::resources::render(&ticket, "", true).unwrap()).unwrap(),
            r#"{"id":"tic_1","customerId":"cst_1","title":"Invoice issue","source":"portal","status":"open","messages":[{"id":"tim_1","postedBy":"John Appleseed","isPostedByCustomer":true,"message":"<p>Hello</p>","postedAt":"2024-04-29T21:00:00+02:00","attachments":[{"id":"tma_1","name":"Screenshot.png","size":1256,"mime":"image/png"}]}],"createdAt":"2024-04-29T21:00:00+02:00"}"#
        );
    }

    #[test]
    fn message_and_attachment_ids_are_distinct_per_ticket() {
        assert_ne!(message_id(1, 0, 1), message_id(1, 1, 1));
        assert_ne!(attachment_id(1, 0, 1, 0), attachment_id(1, 0, 0, 1));
        assert!(message_id(1, 3, 2).starts_with("tim_"));
        assert!(attachment_id(1, 3, 2, 0).starts_with("tma_"));
    }
}

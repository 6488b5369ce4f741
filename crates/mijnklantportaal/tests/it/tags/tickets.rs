//! Tickets through the wrapper against the mock on loopback: the list (one Lister),
//! a ticket answered, closed and reopened by the next answer; a close whose answer is
//! lost settled by reading the ticket back; a reply whose answer is lost not sent
//! twice; attachments only in a message's first 5 minutes; typed 404, 422 and 426.

use std::collections::HashSet;
use std::time::Duration;

use crate::common::{client_for, mock, requests_to};
use mijnklantportaal::api::types::TicketMessageId;
use mijnklantportaal::{Error, FilePart, Ticket, TicketId, TicketSource, TicketStatus};
use reqwest::Method;

/// Every ticket, through the one paginator (5 a page: the 8 seeded tickets take two).
async fn all_tickets(client: &mijnklantportaal::Client) -> Vec<Ticket> {
    client.tickets().list().collect_all().await.expect("listed")
}

/// A ticket of `source` with `status`.
fn pick(tickets: &[Ticket], source: TicketSource, status: TicketStatus) -> Ticket {
    tickets
        .iter()
        .find(|t| t.source == Some(source.clone()) && t.status == status)
        .cloned()
        .unwrap_or_else(|| panic!("a seeded {source:?} ticket that is {status:?}"))
}

#[tokio::test]
async fn a_ticket_is_answered_closed_and_reopened_by_the_next_answer() {
    let server = mock(40, |b| b.per_page(5)).await;
    // One page at a time, so that the requests below are the pages the listing needed.
    let client = client_for(&server).prefetch(1).build().expect("a client");
    let tickets = all_tickets(&client).await;
    assert_eq!(tickets.len(), 8, "every seeded ticket");
    let ids: HashSet<&str> = tickets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids.len(), 8, "no repeats");
    assert_eq!(
        requests_to(&server, Method::GET, "/v1/tickets"),
        2,
        "two pages, then no more"
    );

    let open = pick(&tickets, TicketSource::Portal, TicketStatus::Open);
    let before = client.tickets().get(&open.id).await.expect("found");
    assert_eq!(before.id, open.id);
    assert!(!before.messages.is_empty(), "a seeded ticket has messages");

    let answered = client
        .tickets()
        .reply(&open.id)
        .message("<p>We will look into it!</p>")
        .await
        .expect("posted");
    assert_eq!(answered.messages.len(), before.messages.len() + 1);
    let reply = answered.messages.last().expect("the reply");
    assert_eq!(
        reply.message.as_deref(),
        Some("<p>We will look into it!</p>")
    );
    assert_eq!(reply.is_posted_by_customer, Some(false));

    let closed = client.tickets().close(&open.id).await.expect("closed");
    assert_eq!(closed.status, TicketStatus::Closed);
    assert_eq!(
        closed.messages, answered.messages,
        "closing keeps the messages"
    );
    let err = client
        .tickets()
        .close(&open.id)
        .await
        .expect_err("closed already");
    match &err {
        Error::Validation { message, .. } => {
            assert_eq!(message.as_deref(), Some("The ticket is already closed."))
        }
        other => panic!("{other:?}"),
    }

    let reopened = client
        .tickets()
        .reply(&open.id)
        .message("One more thing.")
        .await
        .expect("posted");
    assert_eq!(reopened.status, TicketStatus::Open, "an answer reopens it");
    let listed = all_tickets(&client).await;
    let again = listed.iter().find(|t| t.id == open.id).expect("listed");
    assert_eq!(again.status, TicketStatus::Open);
}

/// The first close is carried out and its answer lost; the retry is refused as
/// "already closed", and the ticket, read back, is closed: success.
#[tokio::test]
async fn a_close_whose_answer_is_lost_is_settled_by_reading_the_ticket_back() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let open = pick(
        &all_tickets(&client).await,
        TicketSource::Email,
        TicketStatus::Open,
    );
    let path = format!("/v1/tickets/{}", open.id);

    server.drop_next_write_responses(1);
    let closed = client.tickets().close(&open.id).await.expect("settled");
    assert_eq!(closed.status, TicketStatus::Closed);
    assert_eq!(
        requests_to(&server, Method::PATCH, &path),
        2,
        "retried once"
    );
    assert_eq!(
        requests_to(&server, Method::GET, &path),
        1,
        "read back once"
    );
    assert_eq!(server.stats().writes, 1, "closed once");
}

#[tokio::test]
async fn a_reply_whose_answer_is_lost_is_not_sent_twice() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let open = pick(
        &all_tickets(&client).await,
        TicketSource::Portal,
        TicketStatus::Open,
    );
    let before = client.tickets().get(&open.id).await.expect("found");

    server.drop_next_write_responses(1);
    let err = client
        .tickets()
        .reply(&open.id)
        .message("Sent once")
        .await
        .expect_err("no answer");
    assert!(matches!(err, Error::MaybeApplied { .. }), "{err:?}");
    assert!(err.to_string().contains("tickets().get"), "{err}");
    let path = format!("/v1/tickets/{}", open.id);
    assert_eq!(
        requests_to(&server, Method::POST, &path),
        1,
        "not sent again"
    );
    let after = client.tickets().get(&open.id).await.expect("found");
    assert_eq!(
        after.messages.len(),
        before.messages.len() + 1,
        "posted once"
    );
}

/// tokio's clock (paused) measures the 5 minutes on both sides.
#[tokio::test(start_paused = true)]
async fn a_file_can_be_attached_in_the_first_five_minutes_only() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let tickets = all_tickets(&client).await;
    let open = pick(&tickets, TicketSource::Portal, TicketStatus::Open);
    let answered = client
        .tickets()
        .reply(&open.id)
        .message("The corrected invoice is attached.")
        .await
        .expect("posted");
    let message = answered.messages.last().expect("the reply").id.clone();
    let png = || FilePart::bytes("screenshot.png", b"\x89PNG\r\n".to_vec()).media_type("image/png");

    tokio::time::advance(Duration::from_secs(4 * 60 + 59)).await;
    let attached = client
        .tickets()
        .attach(open.id.clone(), message.clone())
        .attachment(png())
        .await
        .expect("within 5 minutes");
    let on = attached
        .messages
        .iter()
        .find(|m| m.id == message)
        .expect("the message");
    let attachment = on.attachments.last().expect("the attachment");
    assert_eq!(attachment.name.as_deref(), Some("screenshot.png"));
    assert_eq!(attachment.mime.as_deref(), Some("image/png"));
    assert_eq!(attachment.size, Some(6));

    tokio::time::advance(Duration::from_secs(1)).await;
    let err = client
        .tickets()
        .attach(open.id.clone(), message.clone())
        .attachment(png())
        .await
        .expect_err("5 minutes are up");
    match &err {
        Error::Validation { errors, .. } => assert!(errors.contains_key("attachment"), "{err}"),
        other => panic!("{other:?}"),
    }
    // A seeded message is older than that.
    let first = answered.messages[0].id.clone();
    let err = client
        .tickets()
        .attach(open.id.clone(), first.clone())
        .attachment(png())
        .await
        .expect_err("too old");
    assert!(matches!(err, Error::Validation { .. }), "{err:?}");
}

#[tokio::test]
async fn chat_tickets_cannot_be_answered_and_unknown_ones_are_not_found() {
    let server = mock(40, |b| b).await;
    let client = client_for(&server).build().expect("a client");
    let tickets = all_tickets(&client).await;
    let chat = tickets
        .iter()
        .find(|t| t.source == Some(TicketSource::Chat))
        .expect("a seeded chat");
    let err = client
        .tickets()
        .reply(&chat.id)
        .message("Hello?")
        .await
        .expect_err("a chat");
    assert!(matches!(err, Error::Validation { .. }), "{err:?}");

    for err in [
        client
            .tickets()
            .get(TicketId::from("tic_doesnotexist00"))
            .await
            .expect_err("missing"),
        client
            .tickets()
            .close(TicketId::from("tic_doesnotexist00"))
            .await
            .expect_err("missing"),
        client
            .tickets()
            .attach(chat.id.clone(), TicketMessageId::from("tim_doesnotexist00"))
            .attachment(FilePart::bytes("a.txt", "a"))
            .await
            .expect_err("missing"),
    ] {
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    }
}

#[tokio::test]
async fn a_portal_without_ticketing_answers_426_typed() {
    let server = mock(40, |b| b.without_ticketing()).await;
    let client = client_for(&server).build().expect("a client");
    let err = client
        .tickets()
        .close(TicketId::from("tic_abc12345def678"))
        .await
        .expect_err("not in the licence");
    assert!(matches!(err, Error::NotInLicence { .. }), "{err:?}");
    assert_eq!(err.status(), Some(426));
    assert!(err.to_string().contains("licence"), "{err}");
    let err = client
        .tickets()
        .list()
        .collect_all()
        .await
        .expect_err("not in the licence");
    assert!(matches!(err, Error::NotInLicence { .. }), "{err:?}");
}

//! Webhook records through the wrapper, against the mock on loopback: every operation,
//! 404 and 422 typed (an event name the API does not know included), a create whose
//! answer is lost not sent twice, and the records paged through the one `Lister`.

use crate::common::{client_for, mock, requests_to, within};
use futures::TryStreamExt;
use mijnklantportaal::{Error, WebhookEventType, WebhookId};
use mijnklantportaal_mock::MockServer;
use reqwest::Method;

/// Records per page: the seeded ones span two pages.
const PER_PAGE: u64 = 5;

async fn server() -> MockServer {
    mock(0, |b| b.per_page(PER_PAGE).record_requests(true)).await
}

const URL: &str = "https://example.com/mkp-hook";

#[tokio::test]
async fn a_record_is_created_read_and_listed() {
    let server = server().await;
    let client = client_for(&server).build().expect("a client");
    let webhooks = client.webhooks();

    let pages: Vec<_> = within(10, webhooks.list().pages().try_collect())
        .await
        .expect("paged");
    assert_eq!(pages.len(), 2, "more than a page of seeded records");
    let seeded: Vec<_> = pages.into_iter().flat_map(|p| p.into_items()).collect();
    assert!(
        seeded
            .iter()
            .all(|w| !matches!(w.type_, WebhookEventType::Unknown(_))),
        "seeded with documented events"
    );

    let created = within(
        10,
        webhooks
            .create()
            .url(URL)
            .type_(WebhookEventType::InvoicePaid),
    )
    .await
    .expect("created");
    assert!(created.id.starts_with("wbh_"), "{}", created.id);
    assert_eq!(
        (created.type_.clone(), created.url.as_str()),
        (WebhookEventType::InvoicePaid, URL)
    );
    let secret = created.secret.expose_secret();
    assert_eq!(secret.len(), 20, "{secret}");
    assert!(secret.chars().all(|c| c.is_ascii_alphanumeric()));
    // The signing secret is marked in the spec (`format: password`): never shown.
    let debug = format!("{created:?}");
    assert!(
        !debug.contains(secret) && debug.contains("<redacted>"),
        "{debug}"
    );
    assert_eq!(
        within(10, webhooks.get(&created.id)).await.expect("found"),
        created
    );
    let listed = within(10, webhooks.list().collect_all())
        .await
        .expect("listed");
    assert_eq!(listed.len(), seeded.len() + 1);
    assert_eq!(listed.last(), Some(&created));
}

#[tokio::test]
async fn unknown_records_bad_urls_and_unknown_events_are_typed() {
    let server = server().await;
    let client = client_for(&server).build().expect("a client");
    let webhooks = client.webhooks();

    assert!(matches!(
        within(10, webhooks.get(WebhookId::from("wbh_00000000000000"))).await,
        Err(Error::NotFound { .. })
    ));
    let refused = |result: Result<_, Error>| match result {
        Err(Error::Validation { errors, .. }) => errors.into_keys().collect::<Vec<_>>(),
        other => panic!("expected a 422: {other:?}"),
    };
    assert_eq!(
        refused(
            within(
                10,
                webhooks
                    .create()
                    .url("not a url")
                    .type_(WebhookEventType::CustomerCreated)
            )
            .await
        ),
        ["url"]
    );
    // An event this version sends as it was given (the `Unknown` fallback), which the
    // API refuses.
    let later = WebhookEventType::Unknown("customer-updated".into());
    assert_eq!(
        refused(within(10, webhooks.create().url(URL).type_(later)).await),
        ["type"]
    );
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_not_sent_twice() {
    let server = server().await;
    let client = client_for(&server).build().expect("a client");
    server.drop_next_write_responses(1);

    match within(
        10,
        client
            .webhooks()
            .create()
            .url(URL)
            .type_(WebhookEventType::TicketCreated),
    )
    .await
    {
        Err(Error::MaybeApplied { check, .. }) => {
            assert!(check.contains("webhooks().list()"), "{check}");
        }
        other => panic!("a lost answer to a create: {other:?}"),
    }
    assert_eq!(
        requests_to(&server, Method::POST, "/v1/webhooks"),
        1,
        "sent once"
    );
    let all = within(10, client.webhooks().list().collect_all())
        .await
        .expect("listed");
    let made = all
        .iter()
        .filter(|w| w.url == URL && w.type_ == WebhookEventType::TicketCreated)
        .count();
    assert_eq!(made, 1, "created, once");
}

//! Webhook records: list, create, get. A record makes Mijn Klantportaal call your URL
//! on one event type ([`WebhookEventType`]); several events need several records.
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `list`, `get` | any transient failure |
//! | `create` (POST) | only what proves the server did not process it: no connection, 429, 503 |
//!
//! After any other failure of a create the record may or may not exist (a repeat would
//! make your URL be called twice per event): the error is [`Error::MaybeApplied`].

use std::num::NonZeroU32;

use futures::FutureExt;
use futures::future::BoxFuture;
use mijnklantportaal_api::ResponseValue;
use mijnklantportaal_api::types::{ErrorBody, NewWebhook, Webhook, WebhookEventType, WebhookPage};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::pagination::{ListOperation, Lister};

/// The webhook endpoints; made by [`Client::webhooks`].
#[derive(Debug, Clone, Copy)]
pub struct Webhooks<'c> {
    pub(crate) client: &'c Client,
}

impl Client {
    /// The webhook records of the account.
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks { client: self }
    }
}

impl Webhooks<'_> {
    /// Every active webhook record of the account, as a [`Lister`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// for hook in client.webhooks().list().collect_all().await? {
    ///     println!("{} -> {}", hook.type_, hook.url);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> Lister<ListWebhooks> {
        self.client.list(ListWebhooks)
    }

    /// One webhook record by its id (`wbh_...`); [`Error::NotFound`] if there is none.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let hook = client.webhooks().get("wbh_abc12345def678").await?;
    /// println!("{} calls {}", hook.type_, hook.url);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<Webhook, Error> {
        let call = Call::read("GET", "/webhooks/{webhookId}");
        self.client
            .inner
            .once(call, |api| {
                api.get_webhook_record().webhook_id(id).send().boxed()
            })
            .await
    }

    /// Makes Mijn Klantportaal call `url` on every `event`. The record's `secret` is
    /// put in the `X-Webhook-Signature` header of every call, to check where it comes
    /// from. Sent at most once unless the server provably did not process it; an
    /// ambiguous failure is [`Error::MaybeApplied`]. A refused URL is
    /// [`Error::Validation`].
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// use mijnklantportaal::WebhookEventType;
    ///
    /// let hook = client
    ///     .webhooks()
    ///     .create("https://example.com/mkp-hook", WebhookEventType::InvoicePaid)
    ///     .await?;
    /// // Keep hook.secret to check the calls.
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(
        &self,
        url: impl Into<String>,
        event: WebhookEventType,
    ) -> Result<Webhook, Error> {
        let body = NewWebhook {
            url: url.into(),
            type_: event,
        };
        let call = Call::create(
            "POST",
            "/webhooks",
            "look for a record with this url and type in `webhooks().list()`",
        );
        self.client
            .inner
            .once(call, |api| {
                api.create_webhook().body(body.clone()).send().boxed()
            })
            .await
    }
}

/// `GET /webhooks`, as a [`ListOperation`].
#[derive(Debug, Clone, Copy)]
pub struct ListWebhooks;

impl ListOperation for ListWebhooks {
    type Page = WebhookPage;
    type Item = Webhook;
    const PATH: &'static str = "/webhooks";

    fn send<'a>(
        &self,
        api: &'a mijnklantportaal_api::Client,
        page: NonZeroU32,
    ) -> BoxFuture<'a, Result<ResponseValue<WebhookPage>, mijnklantportaal_api::Error<ErrorBody>>>
    {
        api.list_webhooks().page(page).send().boxed()
    }

    fn id(item: &Webhook) -> &str {
        &item.id
    }
}

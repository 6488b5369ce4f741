//! Webhook records: list, create, get. A record makes Mijn Klantportaal call your URL
//! on one event type ([`WebhookEventType`]); several events need several records.
//!
//! What a retry may do, per operation (the API has no idempotency key):
//!
//! | operation | retried after |
//! |---|---|
//! | `list`, `get` | any transient failure |
//! | `create` (POST) | only what proves the server did not process it: no connection, 408, 429, the API's maintenance 503 |
//!
//! After any other failure of a create the record may or may not exist (a repeat would
//! make your URL be called twice per event): the error is [`Error::MaybeApplied`].

use futures::FutureExt;
use mijnklantportaal_api::types::{NewWebhook, Webhook, WebhookEventType};

use crate::client::{Call, Client};
use crate::error::Error;
use crate::operations;
use crate::pagination::{Lister, list_operation};

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
        let call = Call::of(operations::GET_WEBHOOK_RECORD);
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
        let call = Call::of(operations::CREATE_WEBHOOK)
            .check("look for a record with this url and type in `webhooks().list()`");
        self.client
            .inner
            .once(call, |api| {
                api.create_webhook().body(body.clone()).send().boxed()
            })
            .await
    }
}

list_operation! {
    /// `GET /webhooks`, as a [`ListOperation`](crate::ListOperation).
    ListWebhooks: LIST_WEBHOOKS => list_webhooks -> WebhookPage, Webhook;
}

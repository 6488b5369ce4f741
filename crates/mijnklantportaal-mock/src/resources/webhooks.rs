//! Webhooks API: records that make the portal call `url` on every event of one `type`
//! (with the `secret` in `X-Webhook-Signature`). Deliveries are not simulated: their
//! payload and signature are not documented.

use super::prelude::*;

/// `events!["a": ["x", "y"], "b": ["z"],]` is `["a-x", "a-y", "b-z"]`.
macro_rules! events {
    ($($resource:literal: [$($event:literal),+],)+) => {
        [$($(concat!($resource, "-", $event),)+)+]
    };
}

/// The event names a webhook record's `type` can be, as the vendor lists them (the
/// mock refuses any other with a 422).
pub const WEBHOOK_EVENT_TYPES: [&str; 23] = events![
    "appointment": ["created", "canceled"],
    "customer": ["created", "deleted"],
    "offer": ["created", "deleted", "accepted", "rejected"],
    "invoice": ["created", "chargeback", "paid", "deleted"],
    "payment-link": ["created", "expired", "paid"],
    "ticket": ["created", "reply-customer", "reply-employee"],
    "subscription": ["created", "updated", "deleted"],
    "subscription-payment": ["created", "updated"],
];

const SEEDED: u64 = 7;

// Random streams of the webhook records.
const IDS: u64 = 0x3EB_0001;
const DETAILS: u64 = 0x3EB_0002;
const CREATED: u64 = 0x3EB_0003;
const SECRETS: u64 = 0x3EB_0004;

/// Where seeded records deliver to.
const HOSTS: &str = "https://crm.voorbeeld.nl/hooks/mijnklantportaal|\
    https://boekhouding.example.nl/api/mkp-webhook|\
    https://hooks.zapier.com/hooks/catch/123456/abcdef|\
    https://mijnklantportaal.nl/webhook-incoming";

/// One webhook record, serialized in the vendor example's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Webhook {
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) event_type: &'static str,
    pub(crate) url: String,
    pub(crate) secret: String,
    pub(crate) created_at: DateTime<FixedOffset>,
}

record!(Webhook, "Webhook", |config| {
    let seed = config.dataset.seed();
    Seeded::new(IdCodec::new("wbh_", seed, IDS), SEEDED, move |index, id| {
        let r = draw(seed, DETAILS, index);
        Some(Webhook {
            id,
            event_type: WEBHOOK_EVENT_TYPES[(r % WEBHOOK_EVENT_TYPES.len() as u64) as usize],
            url: pick(HOSTS, r >> 8),
            secret: secret(seed, index),
            created_at: seeded_time(seed, CREATED, index)?,
        })
    })
});

/// The secret of record `key`: 20 random letters and digits.
fn secret(seed: u64, key: u64) -> String {
    random_string(seed, SECRETS, key, 20)
}

pub(crate) async fn create(call: &Call<'_>, body: Body) -> Reply {
    call.create(body, |input, slot| new_webhook(input, slot, call.seed()))
        .await
}

fn new_webhook(input: &Input, slot: Slot, seed: u64) -> Option<Webhook> {
    let wanted = input::text(input, "type")?;
    Some(Webhook {
        event_type: WEBHOOK_EVENT_TYPES.iter().find(|t| **t == wanted)?,
        url: input::text(input, "url")?,
        secret: secret(seed, slot.key),
        id: slot.id,
        created_at: slot.created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::json_errors;
    use crate::validation::input;
    use serde_json::json;

    #[test]
    fn json_has_the_vendor_fields_in_order() {
        let webhook = Webhook {
            id: "wbh_abc12345def678".to_owned(),
            event_type: "customer-created",
            url: "https://mijnklantportaal.nl/webhook-incoming".to_owned(),
            secret: secret(1, 0),
            created_at: dutch_time::at(1_714_417_200).unwrap(),
        };
        let text = serde_json::to_string(&webhook).unwrap();
        let expected = format!(
            r#"{{"id":"wbh_abc12345def678","type":"customer-created","url":"https://mijnklantportaal.nl/webhook-incoming","secret":"{}","createdAt":"2024-04-29T21:00:00+02:00"}}"#,
            webhook.secret
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn the_event_types_are_in_the_vendors_order() {
        let types = WEBHOOK_EVENT_TYPES;
        assert_eq!(
            types[..3],
            [
                "appointment-created",
                "appointment-canceled",
                "customer-created"
            ]
        );
        assert_eq!(
            types[12..15],
            [
                "payment-link-created",
                "payment-link-expired",
                "payment-link-paid"
            ]
        );
        assert_eq!(types[22], "subscription-payment-updated");
    }

    #[test]
    fn secrets_are_twenty_letters_and_digits_and_differ() {
        let a = secret(1, 0);
        assert_eq!(a.len(), 20);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, secret(1, 1));
        assert_ne!(a, secret(2, 0));
        assert_eq!(a, secret(1, 0));
    }

    #[test]
    fn creates_need_an_url_and_a_documented_event() {
        let body = json!({ "url": "https://example.nl/in", "type": "invoice-paid" });
        assert!(json_errors("create-webhook", body.clone()).is_empty());
        let ok = new_webhook(&input(body), Slot::example(), 1).unwrap();
        assert_eq!(
            (ok.url.as_str(), ok.event_type),
            ("https://example.nl/in", "invoice-paid")
        );
        let errors = json_errors("create-webhook", json!({}));
        assert_eq!(errors.fields(), ["url", "type"]);
        assert_eq!(
            errors.message(),
            "The url field is required. (and 1 more error)"
        );
        let body = json!({ "url": "not a url", "type": "invoice-updated" });
        assert_eq!(
            json_errors("create-webhook", body).message(),
            "The url field must be a valid URL. (and 1 more error)"
        );
        let body = json!({ "url": "https://example.nl/in", "type": 7 });
        assert_eq!(
            json_errors("create-webhook", body).message(),
            "The type field must be a string."
        );
    }
}

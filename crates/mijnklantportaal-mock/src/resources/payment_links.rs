//! Payment Links API: the payment link, the payments made through it, create, close.
//!
//! A link asks a payer for a fixed amount in euros, once or (`reusable`) again and
//! again, until it expires or is closed. Closing is `DELETE`: the link stays
//! readable with status `closed` and no `checkoutUrl`, and closing it again answers
//! 422 ("already closed"), which a client that lost the answer to its first close
//! has to read back. The table starts with a fixed set of seeded links in every
//! state (open, paid, expired, closed; single use and reusable), some with payments:
//! the first link's payments span two pages at `per_page(5)`. Payments are a table
//! of their own, listed under their link (`/payment-links/{linkId}/payments`); the
//! API has no operation that makes one, so only the seeded links have any.

use axum::body::Body;
use chrono::{DateTime, FixedOffset, NaiveTime};
use futures::future::BoxFuture;
use http::StatusCode;
use serde::Serialize;

use crate::dutch_time;
use crate::handler::{Call, Config, Reply};
use crate::ids::IdCodec;
use crate::input;
use crate::resources::{Eur, amount_json, random_string, seeded_time, url_json};
use crate::rng::draw;
use crate::store::{Base, Record, Seeded, Slot};
use crate::validation::{self, Input};

/// Where a payment link is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LinkStatus {
    /// Can be paid.
    Open,
    /// A single-use link that was paid.
    Paid,
    /// Past its `expiresAt`.
    Expired,
    /// Closed with `DELETE`.
    Closed,
}

/// The seeded links, in creation order: reusable or not, status, number of payments.
pub(crate) const SEEDED: [(bool, LinkStatus, u64); 8] = [
    (true, LinkStatus::Open, 7),
    (false, LinkStatus::Open, 0),
    (false, LinkStatus::Paid, 1),
    (true, LinkStatus::Closed, 2),
    (false, LinkStatus::Expired, 0),
    (true, LinkStatus::Open, 3),
    (false, LinkStatus::Paid, 1),
    (false, LinkStatus::Open, 0),
];

/// The 422 answer to closing a closed link.
pub(crate) const ALREADY_CLOSED: &str = "Payment Link is already closed.";

// Random streams of payment links and their payments.
const LINK_IDS: u64 = 0x91C_0001;
const LINK_DETAILS: u64 = 0x91C_0002;
const LINK_CREATED: u64 = 0x91C_0003;
const PAYMENT_IDS: u64 = 0x91C_0011;
const PAYMENT_DETAILS: u64 = 0x91C_0012;
const PAYMENT_PROVIDER_IDS: u64 = 0x91C_0013;

const DESCRIPTIONS: [&str; 6] = [
    "Contributie 2025",
    "Aanbetaling verbouwing",
    "Workshop fotografie",
    "Borg zaalhuur",
    "Consult 60 minuten",
    "Jaarabonnement onderhoud",
];
const PAYERS: [&str; 6] = [
    "J. de Vries",
    "A. Jansen",
    "M. Bakker",
    "S. Visser",
    "K. Smit",
    "L. Meijer",
];

/// One payment link, serialized in the order of the vendor's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentLink {
    pub(crate) id: String,
    pub(crate) description: String,
    pub(crate) currency: Eur,
    #[serde(rename = "amount", serialize_with = "amount_json")]
    pub(crate) amount_cents: u64,
    pub(crate) reusable: bool,
    /// When it stops working; `None`: never.
    #[serde(serialize_with = "dutch_time::atom_json_opt")]
    pub(crate) expires_at: Option<DateTime<FixedOffset>>,
    pub(crate) status: LinkStatus,
    /// The page to pay on: only a link that can still be paid has one.
    #[serde(serialize_with = "url_json")]
    pub(crate) checkout_url: Option<String>,
    #[serde(serialize_with = "dutch_time::atom_json")]
    pub(crate) created_at: DateTime<FixedOffset>,
}

/// The path of the page to pay link `id` on.
fn checkout_path(id: &str) -> String {
    format!("/payment-link/{id}")
}

impl Record for PaymentLink {
    const MODEL: &'static str = r"App\Models\PaymentLink";

    fn id(&self) -> &str {
        &self.id
    }

    fn base(config: &Config) -> Box<dyn Base<Self>> {
        let seed = config.dataset.seed();
        let count = SEEDED.len() as u64;
        Box::new(Seeded::new(link_ids(seed), count, |index, id| {
            let (reusable, status, _) = *SEEDED.get(usize::try_from(index).ok()?)?;
            let r = draw(seed, LINK_DETAILS, index);
            let created_at = seeded_time(seed, LINK_CREATED, index)?;
            // An expired link expired two weeks after it was made; every third other
            // one expires a year after.
            let expires_at = match status {
                LinkStatus::Expired => Some(created_at + chrono::Duration::days(14)),
                _ if index % 3 == 1 => Some(created_at + chrono::Duration::days(365)),
                _ => None,
            };
            Some(PaymentLink {
                checkout_url: (status == LinkStatus::Open).then(|| checkout_path(&id)),
                id,
                description: DESCRIPTIONS[(r % DESCRIPTIONS.len() as u64) as usize].to_owned(),
                currency: Eur,
                amount_cents: 500 + (r >> 8) % 49_500,
                reusable,
                status,
                expires_at,
                created_at,
            })
        }))
    }
}

fn link_ids(seed: u64) -> IdCodec {
    IdCodec::new("plk_", seed, LINK_IDS)
}

/// One payment made through a link, serialized in the order of the vendor's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentLinkPayment {
    pub(crate) id: String,
    pub(crate) payment_link_id: String,
    pub(crate) currency: Eur,
    #[serde(rename = "amount", serialize_with = "amount_json")]
    pub(crate) amount_cents: u64,
    pub(crate) status: PaymentStatus,
    pub(crate) payers_name: Option<String>,
    pub(crate) integration: Option<String>,
    pub(crate) integration_id: Option<String>,
    #[serde(serialize_with = "dutch_time::atom_json")]
    pub(crate) created_at: DateTime<FixedOffset>,
}

/// The status of a payment: the only documented one, a listed payment went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PaymentStatus {
    Paid,
}

impl Record for PaymentLinkPayment {
    const MODEL: &'static str = r"App\Models\PaymentLinkPayment";

    fn id(&self) -> &str {
        &self.id
    }

    fn parent_id(&self) -> Option<&str> {
        Some(&self.payment_link_id)
    }

    /// The payments of the seeded links: the first link's, then the second's, ...;
    /// the `k`-th payment of a link a day after its `k-1`-th, for the link's amount.
    fn base(config: &Config) -> Box<dyn Base<Self>> {
        let seed = config.dataset.seed();
        let links = PaymentLink::base(config);
        let owners: Vec<(u64, u64)> = (0u64..)
            .zip(SEEDED)
            .flat_map(|(link, (_, _, payments))| (0..payments).map(move |k| (link, k)))
            .collect();
        let ids = IdCodec::new("plp_", seed, PAYMENT_IDS);
        Box::new(Seeded::new(ids, owners.len() as u64, |index, id| {
            let &(link, k) = owners.get(usize::try_from(index).ok()?)?;
            let link = links.row(link)?;
            let r = draw(seed, PAYMENT_DETAILS, index);
            let named = !r.is_multiple_of(5);
            Some(PaymentLinkPayment {
                currency: Eur,
                status: PaymentStatus::Paid,
                id,
                payment_link_id: link.id,
                amount_cents: link.amount_cents,
                payers_name: named
                    .then(|| PAYERS[((r >> 8) % PAYERS.len() as u64) as usize].to_owned()),
                integration: Some("mollie".to_owned()),
                integration_id: Some(format!(
                    "tr_{}",
                    random_string(seed, PAYMENT_PROVIDER_IDS, index, 10)
                )),
                created_at: link.created_at
                    + chrono::Duration::days(i64::try_from(k).ok()? + 1)
                    + chrono::Duration::seconds((r >> 16) as i64 % 3_600),
            })
        }))
    }
}

/// `POST /v1/payment-links` (JSON); 201 with the open link.
pub(crate) fn create<'a>(call: &'a Call<'a>, body: Body) -> BoxFuture<'a, Reply> {
    Box::pin(call.create(body, new_link))
}

/// `DELETE /v1/payment-links/{linkId}`: closes the link; 200 with it, 422 when it
/// is closed already.
pub(crate) fn close<'a>(call: &'a Call<'a>, _body: Body) -> BoxFuture<'a, Reply> {
    Box::pin(async move {
        let closed = call.change(call.param(0), |link: &mut PaymentLink| {
            if link.status == LinkStatus::Closed {
                return Err(call.refused(ALREADY_CLOSED));
            }
            link.status = LinkStatus::Closed;
            link.checkout_url = None;
            Ok(())
        })?;
        call.written(StatusCode::OK, &closed)
    })
}

/// `GET /v1/payment-links/{linkId}/payments`: the link's payments, paginated.
pub(crate) fn payments<'a>(call: &'a Call<'a>, _body: Body) -> BoxFuture<'a, Reply> {
    Box::pin(async move {
        let link = call.find::<PaymentLink>(0)?;
        call.list::<PaymentLinkPayment>(Some(link.id)).await
    })
}

/// The open link `POST /v1/payment-links` (valid JSON) asks for: `expiresAt`
/// (`Y-m-d`) is the end of that day, Amsterdam time; `reusable` defaults to false.
fn new_link(input: &Input, slot: Slot) -> Option<PaymentLink> {
    let last_second = NaiveTime::from_hms_opt(23, 59, 59)?;
    Some(PaymentLink {
        checkout_url: Some(checkout_path(&slot.id)),
        id: slot.id,
        description: input::text(input, "description")?,
        currency: Eur,
        amount_cents: input::cents(input, "amount")?,
        reusable: input::boolean(input, "reusable").unwrap_or(false),
        expires_at: input::date(input, "expiresAt")
            .and_then(|day| validation::amsterdam(day.and_time(last_second))),
        status: LinkStatus::Open,
        created_at: slot.created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::render;
    use crate::rules::json_errors;
    use crate::validation::input;
    use serde_json::{Value, json};

    #[test]
    fn json_has_the_vendor_fields_in_order() {
        let link = PaymentLink {
            id: "plk_abc12345def678".to_owned(),
            description: "Contribution costs".to_owned(),
            currency: Eur,
            amount_cents: 1295,
            reusable: true,
            status: LinkStatus::Open,
            checkout_url: Some(checkout_path("plk_abc12345def678")),
            expires_at: dutch_time::at(1_715_713_200),
            created_at: dutch_time::at(1_714_417_200).unwrap(),
        };
        assert_eq!(
            String::from_utf8(render(&link, "http://h", false).unwrap()).unwrap(),
            r#"{"id":"plk_abc12345def678","description":"Contribution costs","currency":"EUR","amount":"12.95","reusable":true,"expiresAt":"2024-05-14T21:00:00+02:00","status":"open","checkoutUrl":"http://h/payment-link/plk_abc12345def678","createdAt":"2024-04-29T21:00:00+02:00"}"#
        );
        let closed = PaymentLink {
            status: LinkStatus::Closed,
            checkout_url: None,
            expires_at: None,
            ..link
        };
        let json: Value =
            serde_json::from_slice(&render(&closed, "http://h", false).unwrap()).unwrap();
        assert_eq!(json["checkoutUrl"], Value::Null);
        assert_eq!(json["expiresAt"], Value::Null);
        assert_eq!(json["status"], "closed");
    }

    #[test]
    fn creates_validate_like_laravel() {
        let body = json!({ "description": "Borg", "amount": "12.95", "expiresAt": "2025-05-04" });
        assert!(json_errors("create-payment-link", body.clone()).is_empty());
        let link = new_link(&input(body), Slot::example()).unwrap();
        assert_eq!(link.amount_cents, 1295);
        assert!(!link.reusable);
        let expires = link.expires_at.map(|t| dutch_time::atom(&t));
        assert_eq!(expires.as_deref(), Some("2025-05-04T23:59:59+02:00"));
        let errors = json_errors("create-payment-link", json!({}));
        assert_eq!(errors.fields(), ["description", "amount"]);
        let errors = json_errors(
            "create-payment-link",
            json!({ "description": "x", "amount": "0.00", "expiresAt": "2025-04-31", "reusable": "ja" }),
        );
        assert_eq!(errors.fields(), ["amount", "expiresAt", "reusable"]);
        assert_eq!(
            errors.message(),
            "The amount field must be at least 0.01. (and 2 more errors)"
        );
        let errors = json_errors(
            "create-payment-link",
            json!({ "description": "x", "amount": 12.5 }),
        );
        assert_eq!(errors.message(), "The amount field must be a string.");
    }
}

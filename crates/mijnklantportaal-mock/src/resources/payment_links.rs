//! Payment Links API: links and the payments made through them (listed under their
//! link; no operation makes one). Closing (`DELETE`) keeps the link, as `closed`
//! without `checkoutUrl`; closing it again answers 422.

use super::prelude::*;
use super::url_json;

/// Where a payment link is in its life (`paid`: a single-use link that was paid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LinkStatus {
    Open,
    Paid,
    Expired,
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

// Random streams of payment links and their payments.
const LINK_IDS: u64 = 0x91C_0001;
const LINK_DETAILS: u64 = 0x91C_0002;
const LINK_CREATED: u64 = 0x91C_0003;
const PAYMENT_IDS: u64 = 0x91C_0011;
const PAYMENT_DETAILS: u64 = 0x91C_0012;
const PAYMENT_PROVIDER_IDS: u64 = 0x91C_0013;

const DESCRIPTIONS: &str = "Contributie 2025|Aanbetaling verbouwing|Workshop fotografie|\
    Borg zaalhuur|Consult 60 minuten|Jaarabonnement onderhoud";
const CHECKOUT: &str = "/payment-link/";
const PAYERS: &str = "J. de Vries|A. Jansen|M. Bakker|S. Visser|K. Smit|L. Meijer";

/// One payment link, in the order of the vendor's fields.
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
    pub(crate) expires_at: Option<DateTime<FixedOffset>>,
    pub(crate) status: LinkStatus,
    /// The page to pay on: only a link that can still be paid has one.
    #[serde(serialize_with = "url_json")]
    pub(crate) checkout_url: Option<String>,
    pub(crate) created_at: DateTime<FixedOffset>,
}

record!(PaymentLink, "PaymentLink", |config| {
    let seed = config.dataset.seed();
    let ids = IdCodec::new("plk_", seed, LINK_IDS);
    Seeded::new(ids, SEEDED.len() as u64, move |index, id| {
        let (reusable, status, _) = *SEEDED.get(usize::try_from(index).ok()?)?;
        let r = draw(seed, LINK_DETAILS, index);
        let created_at = seeded_time(seed, LINK_CREATED, index)?;
        let expires_after = match status {
            LinkStatus::Expired => Some(14),
            _ => (index % 3 == 1).then_some(365),
        };
        Some(PaymentLink {
            checkout_url: (status == LinkStatus::Open).then(|| format!("{CHECKOUT}{id}")),
            id,
            description: pick(DESCRIPTIONS, r),
            currency: Eur,
            amount_cents: 500 + (r >> 8) % 49_500,
            reusable,
            status,
            expires_at: expires_after.map(|days| created_at + chrono::Duration::days(days)),
            created_at,
        })
    })
});

/// One payment made through a link, in the order of the vendor's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentLinkPayment {
    pub(crate) id: String,
    pub(crate) payment_link_id: String,
    pub(crate) currency: Eur,
    #[serde(rename = "amount", serialize_with = "amount_json")]
    pub(crate) amount_cents: u64,
    /// Always `paid`: the only documented status (a listed payment went through).
    pub(crate) status: &'static str,
    pub(crate) payers_name: Option<String>,
    pub(crate) integration: Option<String>,
    pub(crate) integration_id: Option<String>,
    pub(crate) created_at: DateTime<FixedOffset>,
}

// The seeded links' payments, link by link, a day apart.
record!(
    PaymentLinkPayment,
    "PaymentLinkPayment",
    payment_link_id,
    |c| {
        let seed = c.dataset.seed();
        let links = PaymentLink::base(c);
        let owners: Vec<(u64, i64)> = (0u64..)
            .zip(SEEDED)
            .flat_map(|(link, (_, _, payments))| (0..payments as i64).map(move |k| (link, k)))
            .collect();
        let ids = IdCodec::new("plp_", seed, PAYMENT_IDS);
        Seeded::new(ids, owners.len() as u64, move |index, id| {
            let &(link, k) = owners.get(usize::try_from(index).ok()?)?;
            let link = links.row(link)?;
            let r = draw(seed, PAYMENT_DETAILS, index);
            let provider_id = random_string(seed, PAYMENT_PROVIDER_IDS, index, 10);
            let seconds = (r >> 16) as i64 % 3_600;
            Some(PaymentLinkPayment {
                currency: Eur,
                status: "paid",
                id,
                payment_link_id: link.id,
                amount_cents: link.amount_cents,
                payers_name: (!r.is_multiple_of(5)).then(|| pick(PAYERS, r >> 8)),
                integration: Some("mollie".to_owned()),
                integration_id: Some(format!("tr_{provider_id}")),
                created_at: link.created_at + chrono::Duration::seconds((k + 1) * 86_400 + seconds),
            })
        })
    }
);

pub(crate) async fn create(call: &Call<'_>, body: Body) -> Reply {
    call.create(body, new_link).await
}

/// `DELETE /v1/payment-links/{linkId}`: closes the link.
pub(crate) async fn close(call: &Call<'_>, _body: Body) -> Reply {
    let closed = call.change(call.param(0), |link: &mut PaymentLink| {
        if link.status == LinkStatus::Closed {
            return Err(call.refused("Payment Link is already closed."));
        }
        link.status = LinkStatus::Closed;
        link.checkout_url = None;
        Ok(())
    })?;
    call.written(StatusCode::OK, &closed)
}

/// The open link a valid `POST` asks for, expiring at the end of `expiresAt`.
fn new_link(input: &Input, slot: Slot) -> Option<PaymentLink> {
    Some(PaymentLink {
        checkout_url: Some(format!("{CHECKOUT}{}", slot.id)),
        id: slot.id,
        description: input::text(input, "description")?,
        currency: Eur,
        amount_cents: input::cents(input, "amount")?,
        reusable: input::boolean(input, "reusable").unwrap_or(false),
        expires_at: input::date(input, "expiresAt")
            .and_then(|day| validation::amsterdam(day.and_hms_opt(23, 59, 59)?)),
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
            checkout_url: Some(format!("{CHECKOUT}plk_abc12345def678")),
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

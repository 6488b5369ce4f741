//! Customer Offers API: uploads and manual offers (as customer invoices are made), then
//! outstanding until a PATCH sets `acceptedAt` (and where from) or `rejectedAt`.

use super::Links;
use super::prelude::*;
use crate::resources::customer_invoices::lines_total;

// Id domain and random streams of offers.
const IDS: u64 = 0x0FF_0000;
const CREATED: u64 = 0x0FF_0001;
const DETAILS: u64 = 0x0FF_0002;
/// How many offers the table starts with (when the dataset has customers).
const SEEDED: u64 = 20;
const VALID_DAYS: u64 = 30;
/// The signature a customer drew in the portal (a 1×1 PNG), on offers accepted there.
const SIGNATURE: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/// A customer offer, serialized in the vendor example's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MockOffer {
    pub(crate) id: String,
    pub(crate) customer_id: String,
    pub(crate) offer_number: String,
    pub(crate) issued_at: NaiveDate,
    pub(crate) expires_at: NaiveDate,
    pub(crate) currency: Eur,
    #[serde(rename = "amount", serialize_with = "amount_json")]
    pub(crate) amount_cents: u64,
    pub(crate) accepted_at: Option<DateTime<FixedOffset>>,
    pub(crate) accepted_via_ip: Option<String>,
    pub(crate) accepted_via_user_agent: Option<String>,
    pub(crate) acceptance_signature: Option<String>,
    pub(crate) rejected_at: Option<DateTime<FixedOffset>>,
    pub(crate) created_at: DateTime<FixedOffset>,
    pub(crate) links: Links,
}

record!(MockOffer, "CustomerOffer", |c| starting_offers(c.dataset));

/// The starting offers, to the dataset's customers (none without): some accepted or rejected.
fn starting_offers(dataset: Dataset) -> Seeded<MockOffer> {
    let seed = dataset.seed();
    let count = if dataset.customers() == 0 { 0 } else { SEEDED };
    Seeded::new(IdCodec::new("off_", seed, IDS), count, |index, id| {
        let created_at = seeded_time(seed, CREATED, index)?;
        let r = draw(seed, DETAILS, index);
        let issued_at = created_at.date_naive();
        let decided = created_at.checked_add_days(Days::new(1 + r % VALID_DAYS));
        let accepted = decided.is_some() && r % 3 == 1;
        let customer_id = dataset.customer_id((r >> 16) % dataset.customers().max(1));
        Some(MockOffer {
            id,
            links: Links::new(Some(&customer_id), None),
            customer_id,
            currency: Eur,
            offer_number: format!("O{}-{:03}", issued_at.year(), index + 1),
            issued_at,
            expires_at: issued_at + Days::new(VALID_DAYS),
            amount_cents: 5_000 + (r >> 24) % 500_000,
            accepted_at: decided.filter(|_| accepted),
            accepted_via_ip: accepted.then(|| format!("203.0.113.{}", (r >> 8) % 250 + 1)),
            accepted_via_user_agent: accepted.then(|| "Mozilla/5.0 (X11; Linux x86_64)".into()),
            acceptance_signature: accepted.then(|| SIGNATURE.to_owned()),
            rejected_at: decided.filter(|_| r % 3 == 2),
            created_at,
        })
    })
}

/// `POST /v1/customer-offers` (multipart/form-data, its `pdf` checked, not kept).
pub(crate) async fn create(call: &Call<'_>, body: Body) -> Reply {
    let input = call.form(body).await?.input;
    notify(call, &input);
    let amount = input::cents(&input, "amount");
    let offer = call.insert(|slot| new_offer(&input, slot, amount?, true))?;
    call.written(StatusCode::CREATED, &offer)
}

/// `POST /v1/customer-offers/manual` (JSON with `lines`).
pub(crate) async fn create_manual(call: &Call<'_>, body: Body) -> Reply {
    call.create(body, |input, slot| {
        notify(call, input);
        new_offer(input, slot, lines_total(input)?, false)
    })
    .await
}

/// `PATCH /v1/customer-offers/{offerId}`; the same decision again changes nothing.
pub(crate) async fn decide(call: &Call<'_>, body: Body) -> Reply {
    update(call, body, decide_offer).await
}

/// The offer of a valid create, of `amount_cents`, `decided` as the input says.
fn new_offer(input: &Input, slot: Slot, amount_cents: u64, decided: bool) -> Option<MockOffer> {
    let customer_id = input::text(input, "customerId")?;
    let mut offer = MockOffer {
        id: slot.id,
        links: Links::new(Some(&customer_id), None),
        customer_id,
        offer_number: input::text(input, "offerNumber")?,
        issued_at: input::date(input, "issuedAt")?,
        expires_at: input::date(input, "expiresAt")?,
        currency: Eur,
        amount_cents,
        accepted_at: None,
        accepted_via_ip: None,
        accepted_via_user_agent: None,
        acceptance_signature: None,
        rejected_at: None,
        created_at: slot.created_at,
    };
    if decided {
        decide_offer(&mut offer, input).ok()?;
    }
    Some(offer)
}

/// Sets the `acceptedAt` (and where from, ignored without it) and `rejectedAt` sent.
fn decide_offer(offer: &mut MockOffer, input: &Input) -> Result<(), Refusal> {
    if let Some(at) = input::local_time(input, "acceptedAt") {
        offer.accepted_at = Some(at);
        offer.accepted_via_ip = input::text(input, "acceptedViaIp");
        offer.accepted_via_user_agent = input::text(input, "acceptedViaUserAgent");
        offer.acceptance_signature = None;
    }
    offer.rejected_at = input::local_time(input, "rejectedAt").or(offer.rejected_at);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::json_errors;
    use crate::store::Base;
    use crate::validation::input;
    use serde_json::json;

    fn seeded() -> Vec<MockOffer> {
        let base = starting_offers(Dataset::new(3, 100));
        (0..base.len()).filter_map(|k| base.row(k)).collect()
    }

    #[test]
    fn json_has_the_vendor_field_order() {
        let offers = seeded();
        let accepted = offers.iter().find(|o| o.accepted_at.is_some()).unwrap();
        let text = crate::resources::listed_text(&accepted);
        let keys = [
            "id",
            "customerId",
            "offerNumber",
            "issuedAt",
            "expiresAt",
            "currency",
            "amount",
            "acceptedAt",
            "acceptedViaIp",
            "acceptedViaUserAgent",
            "acceptanceSignature",
            "rejectedAt",
            "createdAt",
            "links",
            "customer",
        ];
        let positions: Vec<usize> = keys
            .iter()
            .map(|k| {
                text.find(&format!("\"{k}\""))
                    .unwrap_or_else(|| panic!("{k}: {text}"))
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        let json = crate::resources::listed_value(&accepted);
        assert_eq!(
            json["links"]["customer"]["href"],
            format!("http://h/v1/customers/{}", accepted.customer_id)
        );
        assert!(json["rejectedAt"].is_null());
    }

    #[test]
    fn starting_offers_are_outstanding_accepted_or_rejected() {
        let offers = seeded();
        assert_eq!(offers.len() as u64, SEEDED);
        let outstanding = offers
            .iter()
            .filter(|o| o.accepted_at.is_none() && o.rejected_at.is_none());
        assert!(outstanding.count() > 0);
        assert!(offers.iter().any(|o| o.rejected_at.is_some()));
        assert!(offers.iter().all(|o| o.expires_at > o.issued_at));
        assert!(offers.iter().all(|o| o.created_at.year() < 2026));
        assert_eq!(seeded(), offers, "the same seed gives the same rows");
    }

    #[test]
    fn a_decision_needs_a_moment_and_ignores_the_details_without_acceptance() {
        let operation = "mark-customer-offer-accepted-or-rejected";
        let errors = json_errors(operation, json!({"acceptedViaIp": "203.0.113.7"}));
        assert_eq!(
            errors.message(),
            "The accepted at field is required when rejected at is not present."
        );
        let body = json!({"rejectedAt": "2024-05-04 20:51:50", "acceptedViaIp": "203.0.113.7"});
        assert!(json_errors(operation, body.clone()).is_empty());
        let outstanding = |o: &MockOffer| o.accepted_at.is_none() && o.rejected_at.is_none();
        let mut offer = seeded().into_iter().find(outstanding).unwrap();
        decide_offer(&mut offer, &input(body)).unwrap();
        assert_eq!(
            (offer.accepted_at, offer.accepted_via_ip.as_deref()),
            (None, None)
        );
        assert_eq!(
            offer.rejected_at.map(|t| dutch_time::atom(&t)).as_deref(),
            Some("2024-05-04T20:51:50+02:00")
        );
        let body = json!({"acceptedAt": "2024-05-04 20:51:50", "acceptedViaIp": "203.0.113.7"});
        assert!(json_errors(operation, body.clone()).is_empty());
        decide_offer(&mut offer, &input(body)).unwrap();
        assert_eq!(offer.accepted_via_ip.as_deref(), Some("203.0.113.7"));
        assert!(
            offer.rejected_at.is_some(),
            "a later acceptance keeps the rejection"
        );
        let errors = json_errors(operation, json!({"rejectedAt": "2024-04-31 12:00:00"}));
        assert_eq!(errors.fields(), ["rejectedAt"]);
        assert_eq!(
            errors.message(),
            "The rejected at field must match the format Y-m-d H:i:s."
        );
    }

    #[test]
    fn a_manual_offer_needs_an_expiry_and_is_priced_like_an_invoice() {
        let operation = "create-customer-offer-manual";
        let mut body = json!({
            "customerId": "cst_1", "offerNumber": "2014-001", "issuedAt": "2025-04-14",
            "expiresAt": "2025-04-31", "sendNotification": true,
            "lines": [{"description": "Website template", "amountExclVat": "12.95", "vatRate": 21}],
        });
        let errors = json_errors(operation, body.clone());
        assert_eq!(
            errors.fields(),
            ["expiresAt"],
            "the documented 2025-04-31 does not exist"
        );
        body["expiresAt"] = json!("2025-04-30");
        assert!(json_errors(operation, body.clone()).is_empty());
        let body = input(body);
        let offer = new_offer(&body, Slot::example(), lines_total(&body).unwrap(), false).unwrap();
        assert_eq!(offer.amount_cents, 1567);
        let errors = json_errors(operation, json!({}));
        assert_eq!(
            errors.fields(),
            [
                "customerId",
                "offerNumber",
                "issuedAt",
                "expiresAt",
                "lines"
            ]
        );
    }
}

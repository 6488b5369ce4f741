//! Punch Cards API: punch cards and the cards issued to customers (listed under their
//! card). Stamping uses punches; a fully used or expired card, or more stamps than
//! punches left, is refused with 422.

use IssuedStatus::{Active, Expired, FullyUsed};
use Period::{Days, Months, Years};
use serde::{Deserialize, Serializer};
use serde_json::json;

use super::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Period {
    Days,
    Months,
    Years,
}

impl Period {
    /// `value` of these after `from` (the same wall-clock time), in Dutch time.
    fn after(self, value: u32, from: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        let local = from.naive_local();
        let later = match self {
            Days => local.checked_add_days(chrono::Days::new(value.into())),
            Months => local.checked_add_months(chrono::Months::new(value)),
            Years => local.checked_add_months(chrono::Months::new(value.checked_mul(12)?)),
        }?;
        validation::amsterdam(later)
    }
}

/// Whether an issued card can still be stamped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum IssuedStatus {
    Active,
    Expired,
    FullyUsed,
}

/// Seeded cards: name, punches, label, cents (0: not for sale), VAT, validity (0: none).
const SEEDED: [(&str, u64, &str, u64, u8, u32, Period); 7] = [
    ("Rijlessen", 20, "lessen", 22_995, 21, 3, Years),
    ("Koffiekaart", 10, "koppen koffie", 0, 0, 0, Days),
    ("Yoga 10 lessen", 10, "lessen", 12_000, 21, 6, Months),
    ("Knipkaart kapper", 10, "knipbeurten", 25_000, 9, 1, Years),
    ("Bijles wiskunde", 8, "lessen", 36_000, 0, 0, Days),
    ("Wasstraat", 6, "wasbeurten", 0, 0, 30, Days),
    ("Fietsreparatie", 5, "beurten", 9_950, 21, 2, Years),
];

/// Seeded descriptions, by row: every third card has none.
const DESCRIPTIONS: &str = "Geldig op werkdagen van 09:00 tot 17:00|Niet overdraagbaar|";

/// Seeded issued cards: their seeded punch card, punches left, which have expired.
const ISSUED_CARDS: [u64; 13] = [0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 4, 5];
const ISSUED_LEFT: [u64; 13] = [20, 17, 0, 5, 12, 1, 9, 10, 3, 4, 10, 8, 6];
const EXPIRED_ISSUED: [u64; 2] = [9, 12];

/// The 422 answers to stamping a card that cannot be stamped.
pub(crate) const FULLY_USED: &str = "The punch card is fully used.";
pub(crate) const EXPIRED: &str = "The punch card has expired.";

// Random streams of punch cards and issued cards.
const CARD_IDS: u64 = 0x9C4_0001;
const CARD_CREATED: u64 = 0x9C4_0002;
const ISSUED_IDS: u64 = 0x9C4_0011;
const ISSUED_DETAILS: u64 = 0x9C4_0012;

/// One punch card, in the order of the vendor's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PunchCard {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) punches: u64,
    pub(crate) punch_label: String,
    /// Price in cents including VAT, and the VAT rate: `Some` when for sale.
    #[serde(flatten, serialize_with = "sale_json")]
    pub(crate) sale: Option<(u64, u8)>,
    /// How long an issued card stays valid; `None`: for ever.
    #[serde(flatten, serialize_with = "validity_json")]
    pub(crate) validity: Option<(u32, Period)>,
    pub(crate) created_at: DateTime<FixedOffset>,
}

fn sale_json<S: Serializer>(sale: &Option<(u64, u8)>, s: S) -> Result<S::Ok, S::Error> {
    let (cents, rate) = sale.unzip();
    json!({"forSale": sale.is_some(), "price": cents.map(amount), "vatRate": rate}).serialize(s)
}

/// The validity as `expiryValue` and `expiryPeriode` (sic).
fn validity_json<S: Serializer>(validity: &Option<(u32, Period)>, s: S) -> Result<S::Ok, S::Error> {
    let (v, p) = validity.unzip();
    s.collect_map([("expiryValue", json!(v)), ("expiryPeriode", json!(p))])
}

record!(PunchCard, "PunchCard", |config| {
    let seed = config.dataset.seed();
    let ids = IdCodec::new("pcd_", seed, CARD_IDS);
    Seeded::new(ids, SEEDED.len() as u64, move |index, id| {
        let (name, punches, label, price, vat_rate, value, period) =
            *SEEDED.get(usize::try_from(index).ok()?)?;
        Some(PunchCard {
            id,
            name: name.to_owned(),
            description: Some(pick(DESCRIPTIONS, index)).filter(|d| !d.is_empty()),
            punches,
            punch_label: label.to_owned(),
            sale: (price > 0).then_some((price, vat_rate)),
            validity: (value > 0).then_some((value, period)),
            created_at: seeded_time(seed, CARD_CREATED, index)?,
        })
    })
});

/// One card issued to (or bought by) a customer, in the order of the vendor's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IssuedPunchCard {
    pub(crate) id: String,
    pub(crate) punch_card_id: String,
    pub(crate) customer_id: String,
    pub(crate) punches_left: u64,
    pub(crate) status: IssuedStatus,
    pub(crate) expires_at: Option<DateTime<FixedOffset>>,
    pub(crate) issued_at: DateTime<FixedOffset>,
}

record!(IssuedPunchCard, "PunchCardBought", punch_card_id, |c| {
    let (seed, dataset) = (c.dataset.seed(), c.dataset);
    let cards = PunchCard::base(c);
    let ids = IdCodec::new("pcb_", seed, ISSUED_IDS);
    Seeded::new(ids, ISSUED_CARDS.len() as u64, move |index, id| {
        let i = usize::try_from(index).ok()?;
        let (card, left) = (cards.row(*ISSUED_CARDS.get(i)?)?, *ISSUED_LEFT.get(i)?);
        let r = draw(seed, ISSUED_DETAILS, index);
        let issued_at = card.created_at + chrono::Duration::days(1 + (r % 60) as i64);
        Some(IssuedPunchCard {
            id,
            punch_card_id: card.id,
            customer_id: dataset.customer_id((r >> 8) % dataset.customers().max(1)),
            punches_left: left,
            status: match (EXPIRED_ISSUED.contains(&index), left) {
                (true, _) => Expired,
                (false, 0) => FullyUsed,
                (false, _) => Active,
            },
            expires_at: card.validity.and_then(|(v, p)| p.after(v, issued_at)),
            issued_at,
        })
    })
});

pub(crate) async fn create(call: &Call<'_>, body: Body) -> Reply {
    call.create(body, new_card).await
}

/// `PATCH /v1/punch-cards/{punchCardId}` (JSON): for sale or not, price, VAT.
pub(crate) async fn edit(call: &Call<'_>, body: Body) -> Reply {
    update(call, body, |card: &mut PunchCard, input| {
        card.sale = sale(input);
        Ok(())
    })
    .await
}

/// `POST /v1/punch-cards/{punchCardId}/issued`: a card with every punch left.
pub(crate) async fn issue(call: &Call<'_>, body: Body) -> Reply {
    let card = call.find::<PunchCard>(0)?;
    call.create(body, |input, slot| {
        Some(IssuedPunchCard {
            id: slot.id,
            punch_card_id: card.id,
            customer_id: input::text(input, "customerId")?,
            punches_left: card.punches,
            status: Active,
            expires_at: card.validity.and_then(|(v, p)| p.after(v, slot.created_at)),
            issued_at: slot.created_at,
        })
    })
    .await
}

pub(crate) async fn show_issued(call: &Call<'_>, _body: Body) -> Reply {
    call.show(&find_issued(call)?)
}

pub(crate) async fn stamp(call: &Call<'_>, body: Body) -> Reply {
    let id = find_issued(call)?.id;
    let stamp = |card: &mut IssuedPunchCard, input: &Input| {
        match card.status {
            FullyUsed => return Err(call.refused(FULLY_USED)),
            Expired => return Err(call.refused(EXPIRED)),
            Active => {}
        }
        let stamps = input::integer(input, "stamps")
            .and_then(|s| u64::try_from(s).ok())
            .ok_or_else(server_error)?;
        let left = card.punches_left;
        if stamps > left {
            let message = format!("The stamps field must not be greater than {left}.");
            return Err(invalid(call, "stamps", message));
        }
        card.punches_left = left - stamps;
        card.status = if stamps == left { FullyUsed } else { Active };
        Ok(())
    };
    call.written(StatusCode::OK, &call.edit(&id, body, stamp).await?)
}

/// The issued card of route parameter 1 if of the card of parameter 0, else a 404.
fn find_issued(call: &Call<'_>) -> Result<IssuedPunchCard, Refusal> {
    let (card, issued) = (call.find::<PunchCard>(0)?, call.find::<IssuedPunchCard>(1)?);
    if issued.punch_card_id != card.id {
        return Err(call.model_not_found(IssuedPunchCard::MODEL, &issued.id));
    }
    Ok(issued)
}

fn new_card(input: &Input, slot: Slot) -> Option<PunchCard> {
    let value = input::integer(input, "expiryValue").map(|v| u32::try_from(v).ok());
    let period = input::text(input, "expirePeriod").map(|p| serde_json::from_value(p.into()).ok());
    let validity = match value.zip(period) {
        Some((value, period)) => Some((value?, period?)),
        None => None,
    };
    Some(PunchCard {
        id: slot.id,
        name: input::text(input, "name")?,
        description: input::text(input, "description"),
        punches: u64::try_from(input::integer(input, "punches")?).ok()?,
        punch_label: input::text(input, "punchLabel")?,
        sale: sale(input),
        validity,
        created_at: slot.created_at,
    })
}

/// The price in cents and VAT rate of a card for sale.
fn sale(input: &Input) -> Option<(u64, u8)> {
    if !input::boolean(input, "forSale").unwrap_or(false) {
        return None;
    }
    let vat_rate = u8::try_from(input::integer(input, "vatRate")?).ok()?;
    Some((input::cents(input, "price")?, vat_rate))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::json_errors;
    use crate::validation::input;
    use serde_json::json;

    fn card() -> PunchCard {
        PunchCard {
            id: "pcd_abc12345def678".to_owned(),
            name: "Driving lessons".to_owned(),
            description: Some("Lessons in a BMW, Mon-Fri 09AM-05PM".to_owned()),
            punches: 20,
            punch_label: "lessons".to_owned(),
            sale: Some((22_995, 21)),
            validity: Some((3, Period::Years)),
            created_at: dutch_time::at(1_763_578_800).unwrap(),
        }
    }

    #[test]
    fn json_has_the_vendor_fields_in_order() {
        assert_eq!(
            crate::resources::listed_text(&card()),
            r#"{"id":"pcd_abc12345def678","name":"Driving lessons","description":"Lessons in a BMW, Mon-Fri 09AM-05PM","punches":20,"punchLabel":"lessons","forSale":true,"price":"229.95","vatRate":21,"expiryValue":3,"expiryPeriode":"years","createdAt":"2025-11-19T20:00:00+01:00"}"#
        );
        let issued = IssuedPunchCard {
            id: "pcb_abc12345def678".to_owned(),
            punch_card_id: "pcd_abc12345def678".to_owned(),
            customer_id: "cst_abc12345def678".to_owned(),
            punches_left: 0,
            status: FullyUsed,
            expires_at: None,
            issued_at: dutch_time::at(1_763_578_800).unwrap(),
        };
        assert_eq!(
            serde_json::to_string(&issued).unwrap(),
            r#"{"id":"pcb_abc12345def678","punchCardId":"pcd_abc12345def678","customerId":"cst_abc12345def678","punchesLeft":0,"status":"fully_used","expiresAt":null,"issuedAt":"2025-11-19T20:00:00+01:00"}"#
        );
        let free = PunchCard {
            sale: None,
            validity: None,
            description: None,
            ..card()
        };
        let json = crate::resources::listed_value(&free);
        for field in [
            "description",
            "price",
            "vatRate",
            "expiryValue",
            "expiryPeriode",
        ] {
            assert!(json[field].is_null(), "{field}");
        }
        assert_eq!(json["forSale"], false);
    }

    #[test]
    fn creates_validate_like_laravel() {
        let body = json!({
            "name": "Driving lessons", "punches": 20, "punchLabel": "lessons",
            "forSale": true, "price": "229.95", "vatRate": 21,
            "expiryValue": 3, "expirePeriod": "years",
        });
        assert!(json_errors("create-punch-card", body.clone()).is_empty());
        let new = new_card(&input(body), Slot::example()).unwrap();
        assert_eq!(new.sale, Some((22_995, 21)));
        assert_eq!(new.validity, Some((3, Period::Years)));
        let body = json!({"name": "Koffie", "punches": 10, "punchLabel": "koppen"});
        assert!(json_errors("create-punch-card", body.clone()).is_empty());
        let free = new_card(&input(body), Slot::example()).unwrap();
        assert_eq!((free.sale, free.validity), (None, None));

        let errors = json_errors("create-punch-card", json!({}));
        assert_eq!(errors.fields(), ["name", "punches", "punchLabel"]);
        let errors = json_errors(
            "create-punch-card",
            json!({
                "name": "x", "punches": 0, "punchLabel": "x", "forSale": true, "vatRate": 6,
                "expiryValue": 3,
            }),
        );
        assert_eq!(
            errors.fields(),
            ["punches", "price", "vatRate", "expirePeriod"]
        );
        assert_eq!(
            errors.message(),
            "The punches field must be at least 1. (and 3 more errors)"
        );
        let errors = json_errors(
            "create-punch-card",
            json!({"name": "x", "punches": 20, "punchLabel": "x", "expiryValue": "3"}),
        );
        assert_eq!(errors.fields(), ["expiryValue", "expirePeriod"]);
        assert_eq!(
            errors.message(),
            "The expiry value field must be an integer. (and 1 more error)"
        );
    }

    #[test]
    fn an_edit_needs_for_sale_and_a_card_off_sale_drops_its_price() {
        let check = |body: serde_json::Value| {
            let errors = json_errors("edit-punch-card", body.clone());
            (
                errors.is_empty().then(|| sale(&input(body))).flatten(),
                errors,
            )
        };
        let (_, errors) = check(json!({"price": "1.00"}));
        assert_eq!(errors.fields(), ["forSale"]);
        let (off, errors) = check(json!({"forSale": false, "price": "1.00"}));
        assert_eq!((off, errors.is_empty()), (None, true));
        let (on, errors) = check(json!({"forSale": true, "price": "9.95", "vatRate": 9}));
        assert_eq!((on, errors.is_empty()), (Some((995, 9)), true));
        let (_, errors) = check(json!({"forSale": true}));
        assert_eq!(
            errors.message(),
            "The price field is required when for sale is true. (and 1 more error)"
        );
        let (_, errors) = check(json!({"forSale": "yes"}));
        assert_eq!(
            errors.message(),
            "The for sale field must be true or false."
        );
    }

    #[test]
    fn validity_counts_from_the_issue_in_dutch_time() {
        let from = dutch_time::at(1_706_698_800).unwrap(); // 2024-01-31T12:00:00+01:00
        let after = |value, period: Period| dutch_time::atom(&period.after(value, from).unwrap());
        assert_eq!(after(30, Period::Days), "2024-03-01T12:00:00+01:00");
        assert_eq!(
            after(60, Period::Days),
            "2024-03-31T12:00:00+02:00",
            "summer time"
        );
        assert_eq!(after(1, Period::Months), "2024-02-29T12:00:00+01:00");
        assert_eq!(after(3, Period::Years), "2027-01-31T12:00:00+01:00");
    }
}

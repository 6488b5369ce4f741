//! Customer Subscriptions API (also what a package sign-up creates): `planned` until
//! it starts, then `in_progress`, renewing every `interval` from its start, until a
//! change's `terminatedAt` makes it `terminated` (the vendor documents no transitions).

use super::prelude::*;

// Id domain and random streams of subscriptions.
const IDS: u64 = 0x5B5_0000;
const CREATED: u64 = 0x5B5_0001;
const DETAILS: u64 = 0x5B5_0002;
const SEEDED: u64 = 20;
/// The day the seeded subscriptions' statuses and renewals are for.
const SEEDED_TODAY: Option<NaiveDate> = NaiveDate::from_ymd_opt(2026, 1, 1);

/// The intervals a subscription (or package) renews by.
pub(crate) const INTERVALS: [&str; 5] = ["14 days", "1 month", "2 months", "6 months", "1 year"];
/// The VAT rates a subscription (or package) may have, in percent.
pub(crate) const VAT_RATES: [i64; 3] = [0, 9, 21];

const DESCRIPTIONS: &str = "Website maintenance contract|Hosting|Contribution costs|Support plan";

/// A customer subscription, in the vendor example's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MockSubscription {
    pub(crate) id: String,
    pub(crate) customer_id: String,
    pub(crate) description: String,
    pub(crate) starts_at: NaiveDate,
    pub(crate) interval: String,
    pub(crate) renews_at: Option<NaiveDate>,
    pub(crate) currency: Eur,
    #[serde(rename = "amount", serialize_with = "amount_json")]
    pub(crate) amount_cents: u64,
    pub(crate) vat_rate: i64,
    pub(crate) status: &'static str,
    pub(crate) options: SubscriptionOptions,
    pub(crate) terminated_at: Option<DateTime<FixedOffset>>,
    pub(crate) created_at: DateTime<FixedOffset>,
}

/// The `options` of a subscription (all six keys of the vendor's list example).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SubscriptionOptions {
    pub(crate) create_invoice: bool,
    pub(crate) create_payment: bool,
    pub(crate) invoice_description: Option<String>,
    pub(crate) payment_integration: Option<String>,
    pub(crate) payment_integration_mandate_id: Option<String>,
    pub(crate) follow_up_failed_payment: bool,
}

impl SubscriptionOptions {
    /// Options charging `mandate` at the one payment integration (Mollie), if given.
    pub(crate) fn paid_with(mandate: Option<String>) -> Self {
        SubscriptionOptions {
            create_payment: mandate.is_some(),
            payment_integration: mandate.as_ref().map(|_| "mollie".to_owned()),
            payment_integration_mandate_id: mandate,
            ..SubscriptionOptions::default()
        }
    }
}

record!(MockSubscription, "CustomerSubscription", |config| {
    starting_subscriptions(config.dataset)
});

/// The seeded subscriptions (none without customers), as of [`SEEDED_TODAY`].
fn starting_subscriptions(dataset: Dataset) -> Seeded<MockSubscription> {
    let seed = dataset.seed();
    let count = if dataset.customers() == 0 { 0 } else { SEEDED };
    let today = SEEDED_TODAY.unwrap_or_default();
    Seeded::new(IdCodec::new("sub_", seed, IDS), count, move |index, id| {
        let created_at = seeded_time(seed, CREATED, index)?;
        let r = draw(seed, DETAILS, index);
        let interval = INTERVALS[(r % INTERVALS.len() as u64) as usize];
        let mut starts_at = created_at.date_naive();
        // Every fifth is planned, terminated or ended: all four statuses in a page.
        let (status, terminated_at) = match index % 5 {
            0 => {
                starts_at = today.checked_add_days(Days::new(30)).unwrap_or(today);
                ("planned", None)
            }
            1 => ("terminated", created_at.checked_add_days(Days::new(200))),
            2 => ("ended", created_at.checked_add_days(Days::new(100))),
            _ => ("in_progress", None),
        };
        let renews_at =
            next_renewal(starts_at, interval, today).filter(|_| terminated_at.is_none());
        let paid = (r >> 12).is_multiple_of(2);
        let mandate = paid.then(|| format!("mdt_{:010x}", r >> 24));
        Some(MockSubscription {
            currency: Eur,
            id,
            customer_id: dataset.customer_id((r >> 16) % dataset.customers().max(1)),
            description: pick(DESCRIPTIONS, r >> 4),
            starts_at,
            interval: interval.to_owned(),
            renews_at,
            amount_cents: 500 + (r >> 32) % 50_000,
            vat_rate: VAT_RATES[((r >> 20) % 3) as usize],
            status,
            options: SubscriptionOptions {
                create_invoice: true,
                invoice_description: Some("Extending subscription".to_owned()),
                follow_up_failed_payment: mandate.is_some(),
                ..SubscriptionOptions::paid_with(mandate)
            },
            terminated_at,
            created_at,
        })
    })
}

fn add_interval(day: NaiveDate, interval: &str) -> Option<NaiveDate> {
    match INTERVALS.iter().position(|i| *i == interval)? {
        0 => day.checked_add_days(Days::new(14)),
        i => day.checked_add_months(Months::new([1, 2, 6, 12][i - 1])),
    }
}

/// The first renewal after `today` of a subscription starting on `start`.
fn next_renewal(start: NaiveDate, interval: &str, today: NaiveDate) -> Option<NaiveDate> {
    let mut renewal = add_interval(start, interval)?;
    // 14-day steps over a century at most: the loop is bounded.
    for _ in 0..3_000 {
        if renewal > today {
            return Some(renewal);
        }
        renewal = add_interval(renewal, interval)?;
    }
    None
}

/// Adds the subscription `new` makes, `planned` or `in_progress` as of today.
pub(crate) fn insert(call: &Call<'_>, new: impl FnOnce(Slot) -> Option<MockSubscription>) -> Reply {
    let today = call.today()?;
    let subscription = call.insert(|slot| {
        let mut row = new(slot)?;
        let planned = row.starts_at > today;
        row.status = if planned { "planned" } else { "in_progress" };
        row.renews_at = next_renewal(row.starts_at, &row.interval, today);
        Some(row)
    })?;
    call.written(StatusCode::CREATED, &subscription)
}

pub(crate) async fn create(call: &Call<'_>, body: Body) -> Reply {
    let input = call.json(body).await?;
    insert(call, |slot| new_subscription(&input, slot))
}

pub(crate) async fn change(call: &Call<'_>, body: Body) -> Reply {
    update(call, body, |s: &mut MockSubscription, input| {
        change_subscription(s, input, call.today()?);
        Ok(())
    })
    .await
}

fn change_subscription(s: &mut MockSubscription, input: &Input, today: NaiveDate) {
    s.description = input::text(input, "description").unwrap_or_else(|| s.description.clone());
    s.amount_cents = input::cents(input, "amount").unwrap_or(s.amount_cents);
    s.vat_rate = input::integer(input, "vatRate").unwrap_or(s.vat_rate);
    if let Some(interval) = input::text(input, "interval") {
        if s.terminated_at.is_none() {
            s.renews_at = next_renewal(s.starts_at, &interval, today);
        }
        s.interval = interval;
    }
    if let Some(terminated_at) = input::local_time(input, "terminatedAt") {
        s.terminated_at = Some(terminated_at);
        s.status = "terminated";
        s.renews_at = None;
    }
}

/// The subscription a valid `POST` asks for, less what the vendor ignores without
/// its switch (`createInvoice`, `createPayment`).
fn new_subscription(input: &Input, slot: Slot) -> Option<MockSubscription> {
    let create_invoice = input::boolean(input, "createInvoice").unwrap_or(false);
    let create_payment = input::boolean(input, "createPayment").unwrap_or(false);
    let follow_up = input::boolean(input, "followUpFailedPayment").unwrap_or(false);
    let mandate = input::text(input, "paymentIntegrationMandateId");
    let options = SubscriptionOptions {
        create_invoice,
        invoice_description: input::text(input, "invoiceDescription").filter(|_| create_invoice),
        follow_up_failed_payment: create_payment && follow_up,
        ..SubscriptionOptions::paid_with(mandate.filter(|_| create_payment))
    };
    Some(MockSubscription {
        id: slot.id,
        customer_id: input::text(input, "customerId")?,
        description: input::text(input, "description")?,
        starts_at: input::date(input, "startDate")?,
        interval: input::text(input, "interval")?,
        renews_at: None,
        currency: Eur,
        amount_cents: input::cents(input, "amount")?,
        vat_rate: input::integer(input, "vatRate")?,
        status: "planned",
        options,
        terminated_at: None,
        created_at: slot.created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::json_errors;
    use crate::store::Base;
    use crate::validation::input;
    use serde_json::json;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn seeded() -> Vec<MockSubscription> {
        let base = starting_subscriptions(Dataset::new(5, 100));
        (0..base.len()).filter_map(|k| base.row(k)).collect()
    }

    #[test]
    fn json_has_the_vendor_field_order_and_six_options() {
        let subscription = &seeded()[0];
        let text = serde_json::to_string(&subscription).unwrap();
        let keys = [
            "id",
            "customerId",
            "description",
            "startsAt",
            "interval",
            "renewsAt",
            "currency",
            "amount",
            "vatRate",
            "status",
            "options",
            "createInvoice",
            "createPayment",
            "invoiceDescription",
            "paymentIntegration",
            "paymentIntegrationMandateId",
            "followUpFailedPayment",
            "terminatedAt",
            "createdAt",
        ];
        let positions: Vec<usize> = keys
            .iter()
            .map(|k| {
                text.find(&format!("\"{k}\""))
                    .unwrap_or_else(|| panic!("{k}: {text}"))
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    }

    #[test]
    fn starting_subscriptions_cover_the_statuses() {
        let all = seeded();
        assert_eq!(all.len() as u64, SEEDED);
        for status in ["in_progress", "planned", "terminated", "ended"] {
            assert!(all.iter().any(|s| s.status == status), "{status}");
        }
        for s in &all {
            assert_eq!(s.terminated_at.is_some(), s.renews_at.is_none(), "{s:?}");
            assert!(INTERVALS.contains(&s.interval.as_str()) && VAT_RATES.contains(&s.vat_rate));
        }
        assert_eq!(seeded(), all, "the same seed gives the same rows");
    }

    #[test]
    fn renewals_step_by_the_interval() {
        let today = day("2026-01-01");
        assert_eq!(
            next_renewal(day("2024-04-29"), "1 year", today),
            Some(day("2026-04-29"))
        );
        assert_eq!(
            next_renewal(day("2025-12-20"), "14 days", today),
            Some(day("2026-01-03"))
        );
        assert_eq!(
            next_renewal(day("2025-10-31"), "2 months", today),
            Some(day("2026-02-28"))
        );
        assert_eq!(
            next_renewal(day("2026-03-01"), "1 month", today),
            Some(day("2026-04-01"))
        );
        assert_eq!(next_renewal(day("2026-03-01"), "3 months", today), None);
    }

    #[test]
    fn creates_and_changes_are_validated() {
        let body = json!({
            "customerId": "cst_1", "description": "Contribution costs", "startDate": "2024-05-04",
            "interval": "1 year", "amount": "12.95", "vatRate": 21, "createInvoice": true,
            "invoiceDescription": "Extending subscription", "paymentIntegrationMandateId": "mdt_1",
        });
        assert!(json_errors("create-customer-subscription", body.clone()).is_empty());
        let new = new_subscription(&input(body), Slot::example()).unwrap();
        assert_eq!(
            (new.amount_cents, new.vat_rate, new.interval.as_str()),
            (1295, 21, "1 year")
        );
        assert_eq!(
            new.options.invoice_description.as_deref(),
            Some("Extending subscription")
        );
        assert_eq!(
            new.options.payment_integration_mandate_id, None,
            "ignored without createPayment"
        );
        let errors = json_errors(
            "create-customer-subscription",
            json!({"customerId": "cst_nope", "interval": "3 months", "vatRate": 20}),
        );
        assert_eq!(
            errors.fields(),
            [
                "customerId",
                "description",
                "startDate",
                "interval",
                "amount",
                "vatRate"
            ]
        );
        assert_eq!(
            errors.message(),
            "The selected customer id is invalid. (and 5 more errors)"
        );

        let body = json!({"terminatedAt": "2024-07-04 22:01:00"});
        assert!(json_errors("change-customer-subscription", body.clone()).is_empty());
        let mut changed = seeded()[0].clone();
        change_subscription(&mut changed, &input(body), day("2026-01-01"));
        assert!(
            changed.terminated_at.is_some() && changed.amount_cents == seeded()[0].amount_cents
        );
        let body = json!({"amount": "x", "vatRate": 7, "interval": ""});
        let errors = json_errors("change-customer-subscription", body);
        assert_eq!(errors.fields(), ["interval", "amount", "vatRate"]);
        let errors = json_errors("change-customer-subscription", json!({"vatRate": "21"}));
        assert_eq!(errors.message(), "The vat rate field must be an integer.");
        let mut unchanged = seeded()[0].clone();
        change_subscription(&mut unchanged, &Input::new(), day("2026-01-01"));
        assert_eq!(unchanged, seeded()[0]);
    }

    #[test]
    fn terminating_ends_the_renewals() {
        let mut subscription = seeded()
            .into_iter()
            .find(|s| s.status == "in_progress")
            .unwrap();
        let body = json!({"terminatedAt": "2024-07-04 22:01:00", "interval": "1 month"});
        change_subscription(&mut subscription, &input(body), day("2026-01-01"));
        assert_eq!(
            (
                subscription.status,
                subscription.renews_at,
                subscription.interval.as_str()
            ),
            ("terminated", None, "1 month")
        );
    }
}

//! Customer Subscription Packages API: create, and signing a customer up, which makes a
//! customer subscription with the package's name, interval, amount and VAT rate.

use super::prelude::*;
use crate::resources::customer_subscriptions::{
    self, INTERVALS, MockSubscription, SubscriptionOptions, VAT_RATES,
};

// Id domain and random stream of packages.
const IDS: u64 = 0x5B6_0000;
const DETAILS: u64 = 0x5B6_0002;

/// The starting packages, `name: terms` or just `name`.
const PACKAGES: &str = "Phone subscription: 1GB per month, 300min per month|\
    Hosting basic: 10 GB storage, one domain|Hosting pro: 100 GB storage, ten domains|\
    Maintenance|Newsletter service: Up to 5,000 recipients a month|Support hours";

/// A subscription package, serialized in the vendor example's field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MockPackage {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) interval: String,
    pub(crate) currency: Eur,
    #[serde(rename = "amount", serialize_with = "amount_json")]
    pub(crate) amount_cents: u64,
    pub(crate) vat_rate: i64,
    pub(crate) available_for_sale: bool,
}

record!(MockPackage, "CustomerSubscriptionPackage", |c| {
    starting_packages(c.dataset)
});

fn starting_packages(dataset: Dataset) -> Seeded<MockPackage> {
    let seed = dataset.seed();
    let ids = IdCodec::new("spg_", seed, IDS);
    Seeded::new(ids, PACKAGES.split('|').count() as u64, move |index, id| {
        let r = draw(seed, DETAILS, index);
        let row = PACKAGES.split('|').nth(index as usize)?;
        let (name, terms) = row.split_once(": ").unzip();
        Some(MockPackage {
            currency: Eur,
            id,
            name: name.unwrap_or(row).to_owned(),
            description: terms.map(str::to_owned),
            interval: INTERVALS[(r % INTERVALS.len() as u64) as usize].to_owned(),
            amount_cents: 500 + (r >> 8) % 20_000,
            vat_rate: VAT_RATES[((r >> 32) % 3) as usize],
            available_for_sale: index % 3 != 2,
        })
    })
}

pub(crate) async fn create(call: &Call<'_>, body: Body) -> Reply {
    call.create(body, new_package).await
}

/// `POST /v1/customer-subscription-packages/{packageId}/sign-up` (JSON): the package's
/// 404 before the body's 422; 201 with the customer subscription it made.
pub(crate) async fn sign_up(call: &Call<'_>, body: Body) -> Reply {
    let package = call.find::<MockPackage>(0)?;
    let input = call.json(body).await?;
    customer_subscriptions::insert(call, |slot| sign_up_of(&package, &input, slot))
}

/// A valid create; `availableForSale` defaults to `false` (the mock's choice).
fn new_package(input: &Input, slot: Slot) -> Option<MockPackage> {
    Some(MockPackage {
        currency: Eur,
        id: slot.id,
        name: input::text(input, "name")?,
        description: input::text(input, "description"),
        interval: input::text(input, "interval")?,
        amount_cents: input::cents(input, "amount")?,
        vat_rate: input::integer(input, "vatRate")?,
        available_for_sale: input::boolean(input, "availableForSale").unwrap_or(false),
    })
}

fn sign_up_of(package: &MockPackage, input: &Input, slot: Slot) -> Option<MockSubscription> {
    let invoice_text = input::text(input, "invoiceText");
    Some(MockSubscription {
        id: slot.id,
        customer_id: input::text(input, "customerId")?,
        description: package.name.clone(),
        starts_at: input::date(input, "startDate")?,
        interval: package.interval.clone(),
        renews_at: None,
        currency: Eur,
        amount_cents: package.amount_cents,
        vat_rate: package.vat_rate,
        status: "planned",
        options: SubscriptionOptions {
            create_invoice: input::boolean(input, "createInvoice").unwrap_or(false),
            invoice_description: Some(invoice_text.unwrap_or_else(|| package.name.clone())),
            ..SubscriptionOptions::paid_with(input::text(input, "mandateId"))
        },
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

    fn seeded() -> Vec<MockPackage> {
        let base = starting_packages(Dataset::new(5, 0));
        (0..base.len()).filter_map(|k| base.row(k)).collect()
    }

    #[test]
    fn json_is_the_vendor_example_shape() {
        let package = MockPackage {
            currency: Eur,
            id: "spg_abc12345def678".into(),
            name: "Phone subscription".into(),
            description: Some("1GB per month, 300min per month".into()),
            interval: "1 year".into(),
            amount_cents: 1295,
            vat_rate: 21,
            available_for_sale: true,
        };
        assert_eq!(
            serde_json::to_string(&package).unwrap(),
            r#"{"id":"spg_abc12345def678","name":"Phone subscription","description":"1GB per month, 300min per month","interval":"1 year","currency":"EUR","amount":"12.95","vatRate":21,"availableForSale":true}"#
        );
        let all = seeded();
        assert_eq!(all.len(), 6);
        assert!(
            all.iter().any(|p| !p.available_for_sale)
                && all.iter().any(|p| p.description.is_none())
        );
        assert_eq!(seeded(), all, "the same seed gives the same rows");
    }

    #[test]
    fn a_sign_up_copies_the_package() {
        let package = &seeded()[0];
        let body = json!({
            "customerId": "cst_1", "startDate": "2024-05-04", "mandateId": "mdt_abc",
            "createInvoice": true, "invoiceText": null,
        });
        let operation = "sign-up-a-customer-for-a-customer-subscription-package";
        assert!(json_errors(operation, body.clone()).is_empty());
        let new = sign_up_of(package, &input(body), Slot::example()).unwrap();
        assert_eq!(
            (
                new.description.as_str(),
                new.interval.as_str(),
                new.amount_cents,
                new.vat_rate
            ),
            (
                package.name.as_str(),
                package.interval.as_str(),
                package.amount_cents,
                package.vat_rate
            )
        );
        assert_eq!(
            new.options.invoice_description.as_deref(),
            Some(package.name.as_str())
        );
        assert_eq!(new.options.payment_integration.as_deref(), Some("mollie"));
        let errors = json_errors(operation, json!({"customerId": "cst_nope"}));
        assert_eq!(errors.fields(), ["customerId", "startDate"]);
    }

    #[test]
    fn packages_are_validated() {
        let operation = "create-customer-subscription-package";
        let errors = json_errors(operation, json!({"interval": "weekly", "amount": "-1"}));
        assert_eq!(errors.fields(), ["name", "interval", "amount", "vatRate"]);
        let body = json!({
            "name": "Phone subscription", "interval": "1 year", "amount": "12.95", "vatRate": 21,
        });
        assert!(json_errors(operation, body.clone()).is_empty());
        let package = new_package(&input(body), Slot::example()).unwrap();
        assert!(!package.available_for_sale);
        assert_eq!(package.description, None);
    }
}

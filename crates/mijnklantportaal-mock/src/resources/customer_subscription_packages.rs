//! Customer Subscription Packages API: the package, its JSON, create, and signing a
//! customer up, which creates a customer subscription from the package.
//!
//! A sign-up copies the package's name (as the description), interval, amount and
//! VAT rate into a new [`MockSubscription`]; `invoiceText` becomes its invoice line
//! (the package's name when left out), and a `mandateId` is charged through the one
//! payment integration. The package is looked up first (Laravel's 404 before the
//! body), then the body is validated (422).

use axum::body::Body;
use futures::future::BoxFuture;
use http::StatusCode;
use serde::Serialize;

use crate::dataset::Dataset;
use crate::handler::{Call, Config, Reply, server_error};
use crate::ids::IdCodec;
use crate::paginator::Listed;
use crate::resources::customer_invoices::customer;
use crate::resources::customer_subscriptions::{
    self, INTERVALS, MockSubscription, NewSubscription, SubscriptionOptions, VAT_RATES,
};
use crate::resources::{amount, customers};
use crate::rng::draw;
use crate::store::{Base, Record, Seeded, Table};
use crate::validation::{self, Errors, Input};

/// Id domain and random streams of packages (the tag's own prefix).
const IDS: u64 = 0x5B6_0000;
const DETAILS: u64 = 0x5B6_0002;

/// The starting packages: name and terms.
const PACKAGES: [(&str, Option<&str>); 6] = [
    (
        "Phone subscription",
        Some("1GB per month, 300min per month"),
    ),
    ("Hosting basic", Some("10 GB storage, one domain")),
    ("Hosting pro", Some("100 GB storage, ten domains")),
    ("Maintenance", None),
    ("Newsletter service", Some("Up to 5,000 recipients a month")),
    ("Support hours", None),
];

/// A subscription package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MockPackage {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) interval: String,
    pub(crate) amount_cents: u64,
    pub(crate) vat_rate: i64,
    pub(crate) available_for_sale: bool,
}

/// A package as JSON (the vendor example's field order).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PackageJson<'a> {
    id: &'a str,
    name: &'a str,
    description: Option<&'a str>,
    interval: &'a str,
    currency: &'static str,
    amount: String,
    vat_rate: i64,
    available_for_sale: bool,
}

impl Listed for MockPackage {
    type Json<'a> = PackageJson<'a>;

    fn listed<'a>(&'a self, _origin: &'a str) -> PackageJson<'a> {
        PackageJson {
            id: &self.id,
            name: &self.name,
            description: self.description.as_deref(),
            interval: &self.interval,
            currency: "EUR",
            amount: amount(self.amount_cents),
            vat_rate: self.vat_rate,
            available_for_sale: self.available_for_sale,
        }
    }
}

impl Record for MockPackage {
    const MODEL: &'static str = r"App\Models\CustomerSubscriptionPackage";

    fn id(&self) -> &str {
        &self.id
    }

    fn base(config: &Config) -> Box<dyn Base<Self>> {
        Box::new(starting_packages(config.dataset))
    }
}

/// The packages the table starts with ([`PACKAGES`], terms drawn from the seed).
fn starting_packages(dataset: Dataset) -> Seeded<MockPackage> {
    let seed = dataset.seed();
    let count = PACKAGES.len() as u64;
    Seeded::new(IdCodec::new("spg_", seed, IDS), count, move |index, id| {
        let r = draw(seed, DETAILS, index);
        let (name, description) = PACKAGES[index as usize % PACKAGES.len()];
        Some(MockPackage {
            id,
            name: name.to_owned(),
            description: description.map(str::to_owned),
            interval: INTERVALS[(r % INTERVALS.len() as u64) as usize].to_owned(),
            amount_cents: 500 + (r >> 8) % 20_000,
            vat_rate: VAT_RATES[((r >> 32) % 3) as usize],
            available_for_sale: index % 3 != 2,
        })
    })
}

/// `POST /v1/customer-subscription-packages` (JSON); 201 with the package.
pub(crate) fn create<'a>(call: &'a Call<'a>, body: Body) -> BoxFuture<'a, Reply> {
    Box::pin(async move {
        let input = call.json(body).await?;
        let new = new_package(&input).map_err(|errors| call.unprocessable(&errors))?;
        let package = call
            .with(|table: &mut Table<MockPackage>| {
                table.create(|slot| MockPackage { id: slot.id, ..new })
            })
            .ok_or_else(server_error)?;
        call.written(StatusCode::CREATED, &package)
    })
}

/// `POST /v1/customer-subscription-packages/{packageId}/sign-up` (JSON); 201 with the
/// customer subscription it made.
pub(crate) fn sign_up<'a>(call: &'a Call<'a>, body: Body) -> BoxFuture<'a, Reply> {
    Box::pin(async move {
        let package = call.find::<MockPackage>(0)?;
        let input = call.json(body).await?;
        let new = sign_up_of(&package, &input, |id| customers::exists(call, id))
            .map_err(|errors| call.unprocessable(&errors))?;
        let subscription: MockSubscription = customer_subscriptions::insert(call, new)?;
        call.written(StatusCode::CREATED, &subscription)
    })
}

/// Validates `POST /v1/customer-subscription-packages` (JSON): `name`, `interval`,
/// `amount`, `vatRate` required (as for a subscription), `description` and
/// `availableForSale` (default `false`, the mock's choice) optional.
fn new_package(input: &Input) -> Result<MockPackage, Errors> {
    let mut errors = Errors::default();
    let name = validation::string(&mut errors, input, "name", true);
    let interval =
        validation::one_of(&mut errors, input, "interval", &INTERVALS).map(str::to_owned);
    let amount_cents = validation::amount(&mut errors, input, "amount");
    let vat_rate = validation::integer_in(&mut errors, input, "vatRate", &VAT_RATES);
    let description = validation::string(&mut errors, input, "description", false);
    let available_for_sale = validation::boolean(&mut errors, input, "availableForSale");
    match (name, interval, amount_cents, vat_rate) {
        (Some(name), Some(interval), Some(amount_cents), Some(vat_rate)) if errors.is_empty() => {
            Ok(MockPackage {
                id: String::new(),
                name,
                description,
                interval,
                amount_cents,
                vat_rate,
                available_for_sale: available_for_sale.unwrap_or(false),
            })
        }
        _ => Err(errors),
    }
}

/// Validates a sign-up for `package`: `customerId` (an existing customer) and
/// `startDate` (`Y-m-d`) required; `mandateId`, `createInvoice` and `invoiceText`
/// (nullable) optional.
fn sign_up_of(
    package: &MockPackage,
    input: &Input,
    customer_exists: impl Fn(&str) -> bool,
) -> Result<NewSubscription, Errors> {
    let mut errors = Errors::default();
    let customer_id = customer(&mut errors, input, customer_exists);
    let starts_at = validation::date(&mut errors, input, "startDate", true);
    let mandate = validation::string(&mut errors, input, "mandateId", false);
    let create_invoice = validation::boolean(&mut errors, input, "createInvoice");
    let invoice_text = validation::string(&mut errors, input, "invoiceText", false);
    match (customer_id, starts_at) {
        (Some(customer_id), Some(starts_at)) if errors.is_empty() => Ok(NewSubscription {
            customer_id,
            description: package.name.clone(),
            starts_at,
            interval: package.interval.clone(),
            amount_cents: package.amount_cents,
            vat_rate: package.vat_rate,
            options: SubscriptionOptions {
                create_invoice: create_invoice.unwrap_or(false),
                invoice_description: Some(invoice_text.unwrap_or_else(|| package.name.clone())),
                ..SubscriptionOptions::paid_with(mandate)
            },
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::input;
    use serde_json::json;

    fn seeded() -> Vec<MockPackage> {
        let base = starting_packages(Dataset::new(5, 0));
        (0..base.len()).filter_map(|k| base.row(k)).collect()
    }

    #[test]
    fn json_is_the_vendor_example_shape() {
        let package = MockPackage {
            id: "spg_abc12345def678".into(),
            name: "Phone subscription".into(),
            description: Some("1GB per month, 300min per month".into()),
            interval: "1 year".into(),
            amount_cents: 1295,
            vat_rate: 21,
            available_for_sale: true,
        };
        assert_eq!(
            serde_json::to_string(&package.listed("")).unwrap(),
            r#"{"id":"spg_abc12345def678","name":"Phone subscription","description":"1GB per month, 300min per month","interval":"1 year","currency":"EUR","amount":"12.95","vatRate":21,"availableForSale":true}"#
        );
        let all = seeded();
        assert_eq!(all.len(), PACKAGES.len());
        assert!(
            all.iter().any(|p| !p.available_for_sale)
                && all.iter().any(|p| p.description.is_none())
        );
        assert_eq!(seeded(), all, "the same seed gives the same rows");
    }

    #[test]
    fn a_sign_up_copies_the_package() {
        let package = &seeded()[0];
        let body = input(json!({
            "customerId": "cst_1", "startDate": "2024-05-04", "mandateId": "mdt_abc",
            "createInvoice": true, "invoiceText": null,
        }));
        let new = sign_up_of(package, &body, |id| id == "cst_1").unwrap();
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
        let errors = sign_up_of(package, &input(json!({"customerId": "cst_2"})), |id| {
            id == "cst_1"
        })
        .unwrap_err();
        assert_eq!(errors.fields(), ["customerId", "startDate"]);
    }

    #[test]
    fn packages_are_validated() {
        let errors =
            new_package(&input(json!({"interval": "weekly", "amount": "-1"}))).unwrap_err();
        assert_eq!(errors.fields(), ["name", "interval", "amount", "vatRate"]);
        let package = new_package(&input(json!({
            "name": "Phone subscription", "interval": "1 year", "amount": "12.95", "vatRate": 21,
        })))
        .unwrap();
        assert!(!package.available_for_sale);
        assert_eq!(package.description, None);
    }
}

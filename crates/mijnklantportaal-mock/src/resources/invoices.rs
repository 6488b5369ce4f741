//! Invoices API: the invoices Mijn Klantportaal itself sends the portal's owner
//! (licence fees and other costs), read-only.
//!
//! Faithful to the vendor's examples where they differ from the rest of the API: every
//! amount is a JSON *number* (`"totalAmount": 15.67`) although the vendor's schema
//! types it as a string, and `issuedAt` is ISO with milliseconds and `Z`
//! (`2025-04-12T00:00:00.000Z`), not ATOM. The numbers are written from the cents'
//! digits (serde_json's `RawValue`), never through a float. The table starts with a
//! monthly licence invoice for eighteen months (more than a page at the default 15),
//! some with extra lines; the last two are not paid yet.

use chrono::{Datelike, NaiveDate};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use crate::handler::Config;
use crate::ids::IdCodec;
use crate::rng::draw;
use crate::store::{Base, Record, Seeded};

/// How many invoices the table starts with: one a month from [`FIRST_MONTH`].
pub(crate) const SEEDED: u64 = 18;
/// The month of the first seeded invoice (year, month).
const FIRST_MONTH: (i32, u32) = (2024, 7);
/// Seeded invoices at the end that are not paid yet.
const UNPAID: u64 = 2;

// Random streams of the invoices and their lines.
const IDS: u64 = 0xFAC_0001;
const LINE_IDS: u64 = 0xFAC_0002;
const EXTRAS: u64 = 0xFAC_0003;

/// The subscription every invoice bills: description and price per month in cents,
/// excluding VAT.
const SUBSCRIPTION: (&str, u64) = ("Pro subscription", 1295);
/// Lines some months add: description, quantity, price per unit in cents excluding VAT.
const EXTRA_LINES: [(&str, u64, u64); 3] = [
    ("Extra users", 3, 250),
    ("SMS bundle 100", 1, 995),
    ("Custom domain", 1, 500),
];
/// The VAT rate of every line, in percent.
const VAT_RATE: u64 = 21;

/// One invoice from Mijn Klantportaal to the account, serialized in the order of
/// the vendor's fields (its totals computed from its lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MkpInvoice {
    pub(crate) id: String,
    pub(crate) invoice_number: String,
    #[serde(flatten, serialize_with = "lines_json")]
    pub(crate) lines: Vec<MkpInvoiceLine>,
    /// The day it was issued (`issuedAt` is that day's midnight, UTC).
    #[serde(rename = "issuedAt", serialize_with = "midnight_utc_json")]
    pub(crate) issued_on: NaiveDate,
    pub(crate) is_paid: bool,
}

/// One line of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct MkpInvoiceLine {
    pub(crate) id: String,
    pub(crate) description: &'static str,
    #[serde(flatten, serialize_with = "price_json")]
    pub(crate) price: Price,
}

/// How many of what a line bills, and for how much each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Price {
    pub(crate) quantity: u64,
    /// Price per unit in cents, excluding VAT.
    pub(crate) unit_cents: u64,
}

impl Price {
    fn excl_vat(self) -> u64 {
        self.quantity * self.unit_cents
    }

    /// VAT in cents, rounded half up, as a bookkeeping package does.
    fn vat(self) -> u64 {
        (self.excl_vat() * VAT_RATE + 50) / 100
    }
}

/// An amount in cents as the Invoices API sends it: a JSON number with two decimals,
/// written from its digits.
fn number(cents: u64) -> Box<RawValue> {
    let text = format!("{}.{:02}", cents / 100, cents % 100);
    RawValue::from_string(text).unwrap_or_default()
}

/// The lines, then the invoice's currency and totals.
fn lines_json<S: Serializer>(lines: &[MkpInvoiceLine], serializer: S) -> Result<S::Ok, S::Error> {
    let subtotal: u64 = lines.iter().map(|line| line.price.excl_vat()).sum();
    let vat: u64 = lines.iter().map(|line| line.price.vat()).sum();
    let mut map = serializer.serialize_map(Some(5))?;
    map.serialize_entry("lines", lines)?;
    map.serialize_entry("currency", "EUR")?;
    map.serialize_entry("subtotalAmount", &number(subtotal))?;
    map.serialize_entry("vatAmount", &number(vat))?;
    map.serialize_entry("totalAmount", &number(subtotal + vat))?;
    map.end()
}

/// A line's quantity, currency, amounts and VAT rate.
fn price_json<S: Serializer>(price: &Price, serializer: S) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(6))?;
    map.serialize_entry("quantity", &price.quantity)?;
    map.serialize_entry("currency", "EUR")?;
    map.serialize_entry("amountExclVat", &number(price.excl_vat()))?;
    map.serialize_entry("vatRate", &VAT_RATE)?;
    map.serialize_entry("vatAmount", &number(price.vat()))?;
    map.serialize_entry("amountInclVat", &number(price.excl_vat() + price.vat()))?;
    map.end()
}

/// A day as its midnight, UTC, in ISO with milliseconds (`2025-04-12T00:00:00.000Z`).
fn midnight_utc_json<S: Serializer>(day: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&format_args!("{}T00:00:00.000Z", day.format("%Y-%m-%d")))
}

impl Record for MkpInvoice {
    const MODEL: &'static str = r"App\Models\Invoice";

    fn id(&self) -> &str {
        &self.id
    }

    /// One invoice a month, issued on the 12th, numbered `MKP-<year>.<number in the
    /// year>`; the subscription line, and in some months an extra one.
    fn base(config: &Config) -> Box<dyn Base<Self>> {
        let seed = config.dataset.seed();
        let ids = IdCodec::new("fac_", seed, IDS);
        let line_ids = IdCodec::new("fcl_", seed, LINE_IDS);
        Box::new(Seeded::new(ids, SEEDED, move |index, id| {
            let months = u32::try_from(index).ok()? + FIRST_MONTH.1 - 1;
            let issued_on =
                NaiveDate::from_ymd_opt(FIRST_MONTH.0 + (months / 12) as i32, months % 12 + 1, 12)?;
            let first_of_year = if issued_on.year() == FIRST_MONTH.0 {
                FIRST_MONTH.1
            } else {
                1
            };
            let mut lines = vec![MkpInvoiceLine {
                id: line_ids.encode(2 * index),
                description: SUBSCRIPTION.0,
                price: Price {
                    quantity: 1,
                    unit_cents: SUBSCRIPTION.1,
                },
            }];
            let r = draw(seed, EXTRAS, index);
            if r.is_multiple_of(3) {
                let (description, quantity, unit_cents) =
                    EXTRA_LINES[((r >> 8) % EXTRA_LINES.len() as u64) as usize];
                lines.push(MkpInvoiceLine {
                    id: line_ids.encode(2 * index + 1),
                    description,
                    price: Price {
                        quantity,
                        unit_cents,
                    },
                });
            }
            Some(MkpInvoice {
                id,
                invoice_number: format!(
                    "MKP-{}.{:04}",
                    issued_on.year(),
                    issued_on.month() - first_of_year + 1
                ),
                lines,
                is_paid: index + UNPAID < SEEDED,
                issued_on,
            })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> MkpInvoice {
        MkpInvoice {
            id: "fac_abc12345def678".to_owned(),
            invoice_number: "MKP-2025.0010".to_owned(),
            lines: vec![MkpInvoiceLine {
                id: "fcl_abc12345def678".to_owned(),
                description: "Pro subscription",
                price: Price {
                    quantity: 1,
                    unit_cents: 1295,
                },
            }],
            is_paid: true,
            issued_on: NaiveDate::from_ymd_opt(2025, 4, 12).unwrap(),
        }
    }

    #[test]
    fn json_is_the_vendor_example_numbers_included() {
        assert_eq!(
            crate::resources::listed_text(&example()),
            r#"{"id":"fac_abc12345def678","invoiceNumber":"MKP-2025.0010","lines":[{"id":"fcl_abc12345def678","description":"Pro subscription","quantity":1,"currency":"EUR","amountExclVat":12.95,"vatRate":21,"vatAmount":2.72,"amountInclVat":15.67}],"currency":"EUR","subtotalAmount":12.95,"vatAmount":2.72,"totalAmount":15.67,"issuedAt":"2025-04-12T00:00:00.000Z","isPaid":true}"#
        );
    }

    #[test]
    fn totals_add_up_in_cents() {
        let mut invoice = example();
        invoice.lines.push(MkpInvoiceLine {
            id: "fcl_2".to_owned(),
            description: "Extra users",
            price: Price {
                quantity: 3,
                unit_cents: 250,
            },
        });
        let json = crate::resources::listed_text(&invoice);
        // 12.95 + 7.50 = 20.45; VAT 2.72 + 1.58 (1.575 rounded up) = 4.30.
        assert!(
            json.contains(
                r#""amountExclVat":7.50,"vatRate":21,"vatAmount":1.58,"amountInclVat":9.08"#
            ),
            "{json}"
        );
        assert!(
            json.contains(r#""subtotalAmount":20.45,"vatAmount":4.30,"totalAmount":24.75"#),
            "{json}"
        );
    }
}

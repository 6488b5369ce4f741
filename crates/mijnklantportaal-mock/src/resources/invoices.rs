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
use serde::Serialize;
use serde_json::value::RawValue;

use crate::handler::Config;
use crate::ids::IdCodec;
use crate::paginator::Listed;
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

/// One invoice from Mijn Klantportaal to the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MkpInvoice {
    pub(crate) id: String,
    pub(crate) invoice_number: String,
    pub(crate) lines: Vec<MkpInvoiceLine>,
    pub(crate) is_paid: bool,
    /// The day it was issued (`issuedAt` is that day's midnight, UTC).
    pub(crate) issued_on: NaiveDate,
}

/// One line of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MkpInvoiceLine {
    pub(crate) id: String,
    pub(crate) description: &'static str,
    pub(crate) quantity: u64,
    /// Price per unit in cents, excluding VAT.
    pub(crate) unit_cents: u64,
}

impl MkpInvoiceLine {
    fn excl_vat(&self) -> u64 {
        self.quantity * self.unit_cents
    }

    /// VAT in cents, rounded half up, as a bookkeeping package does.
    fn vat(&self) -> u64 {
        (self.excl_vat() * VAT_RATE + 50) / 100
    }
}

/// An amount in cents as the Invoices API sends it: a JSON number with two decimals,
/// written from its digits.
fn number(cents: u64) -> Box<RawValue> {
    let text = format!("{}.{:02}", cents / 100, cents % 100);
    RawValue::from_string(text).unwrap_or_default()
}

/// An invoice as JSON, in the order of the vendor's fields.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MkpInvoiceJson<'a> {
    id: &'a str,
    invoice_number: &'a str,
    lines: Vec<MkpInvoiceLineJson<'a>>,
    currency: &'static str,
    subtotal_amount: Box<RawValue>,
    vat_amount: Box<RawValue>,
    total_amount: Box<RawValue>,
    issued_at: String,
    is_paid: bool,
}

/// A line as JSON, in the order of the vendor's fields.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MkpInvoiceLineJson<'a> {
    id: &'a str,
    description: &'static str,
    quantity: u64,
    currency: &'static str,
    amount_excl_vat: Box<RawValue>,
    vat_rate: u64,
    vat_amount: Box<RawValue>,
    amount_incl_vat: Box<RawValue>,
}

impl Listed for MkpInvoice {
    type Json<'a> = MkpInvoiceJson<'a>;

    fn listed<'a>(&'a self, _origin: &'a str) -> MkpInvoiceJson<'a> {
        let subtotal: u64 = self.lines.iter().map(MkpInvoiceLine::excl_vat).sum();
        let vat: u64 = self.lines.iter().map(MkpInvoiceLine::vat).sum();
        MkpInvoiceJson {
            id: &self.id,
            invoice_number: &self.invoice_number,
            lines: self
                .lines
                .iter()
                .map(|line| MkpInvoiceLineJson {
                    id: &line.id,
                    description: line.description,
                    quantity: line.quantity,
                    currency: "EUR",
                    amount_excl_vat: number(line.excl_vat()),
                    vat_rate: VAT_RATE,
                    vat_amount: number(line.vat()),
                    amount_incl_vat: number(line.excl_vat() + line.vat()),
                })
                .collect(),
            currency: "EUR",
            subtotal_amount: number(subtotal),
            vat_amount: number(vat),
            total_amount: number(subtotal + vat),
            issued_at: format!("{}T00:00:00.000Z", self.issued_on.format("%Y-%m-%d")),
            is_paid: self.is_paid,
        }
    }
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
                quantity: 1,
                unit_cents: SUBSCRIPTION.1,
            }];
            let r = draw(seed, EXTRAS, index);
            if r.is_multiple_of(3) {
                let (description, quantity, unit_cents) =
                    EXTRA_LINES[((r >> 8) % EXTRA_LINES.len() as u64) as usize];
                lines.push(MkpInvoiceLine {
                    id: line_ids.encode(2 * index + 1),
                    description,
                    quantity,
                    unit_cents,
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
                quantity: 1,
                unit_cents: 1295,
            }],
            is_paid: true,
            issued_on: NaiveDate::from_ymd_opt(2025, 4, 12).unwrap(),
        }
    }

    #[test]
    fn json_is_the_vendor_example_numbers_included() {
        assert_eq!(
            serde_json::to_string(&example().listed("http://h")).unwrap(),
            r#"{"id":"fac_abc12345def678","invoiceNumber":"MKP-2025.0010","lines":[{"id":"fcl_abc12345def678","description":"Pro subscription","quantity":1,"currency":"EUR","amountExclVat":12.95,"vatRate":21,"vatAmount":2.72,"amountInclVat":15.67}],"currency":"EUR","subtotalAmount":12.95,"vatAmount":2.72,"totalAmount":15.67,"issuedAt":"2025-04-12T00:00:00.000Z","isPaid":true}"#
        );
    }

    #[test]
    fn totals_add_up_in_cents() {
        let mut invoice = example();
        invoice.lines.push(MkpInvoiceLine {
            id: "fcl_2".to_owned(),
            description: "Extra users",
            quantity: 3,
            unit_cents: 250,
        });
        let json = serde_json::to_string(&invoice.listed("http://h")).unwrap();
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

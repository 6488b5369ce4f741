//! Invoices API: the invoices Mijn Klantportaal itself sends the portal's owner,
//! read-only. As in the vendor's examples, unlike the rest of the API, amounts are
//! JSON numbers (from the cents' digits, never a float) and `issuedAt` is ISO with
//! milliseconds and `Z`.

use serde::{Serializer, ser::SerializeMap};
use serde_json::value::RawValue;

use super::prelude::*;

/// The starting invoices: one a month from the first, the last ones unpaid.
const SEEDED: u64 = 18;
const FIRST_ISSUE: Option<NaiveDate> = NaiveDate::from_ymd_opt(2024, 7, 12);
const UNPAID: u64 = 2;

// Random streams of the invoices and their lines.
const IDS: u64 = 0xFAC_0001;
const LINE_IDS: u64 = 0xFAC_0002;
const EXTRAS: u64 = 0xFAC_0003;

/// What a line bills: description, quantity, price per unit in cents excluding VAT.
type Priced = (&'static str, u64, u64);
const SUBSCRIPTION: Priced = ("Pro subscription", 1, 1295);
const EXTRA_LINES: [Priced; 3] = [
    ("Extra users", 3, 250),
    ("SMS bundle 100", 1, 995),
    ("Custom domain", 1, 500),
];
const VAT_RATE: u64 = 21;

/// One invoice to the account (its totals computed from its lines).
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MkpInvoiceLine {
    pub(crate) id: String,
    pub(crate) description: &'static str,
    pub(crate) quantity: u64,
    currency: Eur,
    amount_excl_vat: Number,
    vat_rate: u64,
    vat_amount: Number,
    amount_incl_vat: Number,
}

/// Line `id` of what it bills (VAT rounded half up, as a bookkeeping package does).
fn line(id: String, (description, quantity, unit_cents): Priced) -> MkpInvoiceLine {
    let excl_vat = quantity * unit_cents;
    let vat = (excl_vat * VAT_RATE + 50) / 100;
    MkpInvoiceLine {
        id,
        description,
        quantity,
        currency: Eur,
        amount_excl_vat: Number(excl_vat),
        vat_rate: VAT_RATE,
        vat_amount: Number(vat),
        amount_incl_vat: Number(excl_vat + vat),
    }
}

/// An amount in cents, serialized as a JSON number with two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Number(u64);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let number = RawValue::from_string(amount(self.0)).unwrap_or_default();
        number.serialize(serializer)
    }
}

fn lines_json<S: Serializer>(lines: &[MkpInvoiceLine], serializer: S) -> Result<S::Ok, S::Error> {
    let subtotal = lines.iter().map(|line| line.amount_excl_vat.0).sum();
    let vat = lines.iter().map(|line| line.vat_amount.0).sum();
    let mut map = serializer.serialize_map(Some(5))?;
    map.serialize_entry("lines", lines)?;
    map.serialize_entry("currency", &Eur)?;
    map.serialize_entry("subtotalAmount", &Number(subtotal))?;
    map.serialize_entry("vatAmount", &Number(vat))?;
    map.serialize_entry("totalAmount", &Number(subtotal + vat))?;
    map.end()
}

/// A day as its midnight, UTC, in ISO with milliseconds (`2025-04-12T00:00:00.000Z`).
fn midnight_utc_json<S: Serializer>(day: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&format_args!("{}T00:00:00.000Z", day.format("%Y-%m-%d")))
}

// One invoice a month, issued on the 12th, numbered `MKP-<year>.<number in the
// year>`; the subscription line, and in some months an extra one.
record!(MkpInvoice, "Invoice", |config| {
    let seed = config.dataset.seed();
    let line_ids = IdCodec::new("fcl_", seed, LINE_IDS);
    Seeded::new(IdCodec::new("fac_", seed, IDS), SEEDED, move |index, id| {
        let number = u32::try_from(index).ok()? + 1;
        let issued_on = FIRST_ISSUE?.checked_add_months(Months::new(number - 1))?;
        let year = issued_on.year();
        let mut lines = vec![line(line_ids.encode(2 * index), SUBSCRIPTION)];
        let r = draw(seed, EXTRAS, index);
        if r.is_multiple_of(3) {
            let extra = EXTRA_LINES[((r >> 8) % EXTRA_LINES.len() as u64) as usize];
            lines.push(line(line_ids.encode(2 * index + 1), extra));
        }
        Some(MkpInvoice {
            id,
            // The first year starts in July: fewer invoices than months.
            invoice_number: format!("MKP-{year}.{:04}", issued_on.month().min(number)),
            lines,
            is_paid: index + UNPAID < SEEDED,
            issued_on,
        })
    })
});

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> MkpInvoice {
        MkpInvoice {
            id: "fac_abc12345def678".to_owned(),
            invoice_number: "MKP-2025.0010".to_owned(),
            lines: vec![line("fcl_abc12345def678".to_owned(), SUBSCRIPTION)],
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
        invoice
            .lines
            .push(line("fcl_2".to_owned(), ("Extra users", 3, 250)));
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

//! The invoice dataset, generated on demand: each invoice a pure function of (seed, size,
//! index), so page N costs the same for any N and a replay is exact. Invoice `i` falls in
//! the `i`-th equal slice of 2021–2025, so creation times never decrease and the first
//! index of a year (for `2024-001`-style numbers) is computed, not counted.

use chrono::{DateTime, Datelike, FixedOffset};

use crate::dutch_time;
use crate::ids::IdCodec;
use crate::resources;
use crate::resources::customer_invoices::{InvoiceLinks, MockInvoice};
use crate::resources::customers::MockCustomer;
use crate::rng::draw;

/// 2021-01-01T00:00:00+01:00, when the first invoice can be created.
const WINDOW_START: i64 = 1_609_455_600;
/// 2026-01-01T00:00:00+01:00, before which the last invoice is created.
const WINDOW_END: i64 = 1_767_222_000;
/// Rows added while the server runs are created after this time: always the newest.
pub(crate) const ADDED_FROM: i64 = WINDOW_END;
/// 2020-01-01T00:00:00+01:00: generated customers are created during 2020.
const CUSTOMERS_START: i64 = 1_577_833_200;
/// How many customer groups (the group table's starting rows) customers are spread over.
pub(crate) const CUSTOMER_GROUPS: u64 = 5;

// Independent random streams of one dataset.
const INVOICE_IDS: u64 = 1;
const CUSTOMER_IDS: u64 = 2;
const CREATED: u64 = 3;
const CUSTOMER: u64 = 4;
const AMOUNT: u64 = 5;
const PAID: u64 = 6;
const CUSTOMER_CREATED: u64 = 7;
const CUSTOMER_DETAILS: u64 = 8;
const CUSTOMER_GROUP_IDS: u64 = 9;

const COMPANY_WORDS: &str = "Bakkerij|Bouwbedrijf|Installatietechniek|Hoveniers|Drukkerij|\
    Adviesbureau|Schildersbedrijf|Webdesign|Autobedrijf|Kapsalon|Transport|Architecten";
const SURNAMES: &str =
    "de Vries|Jansen|van Dijk|Bakker|Visser|Smit|Meijer|de Boer|Mulder|de Groot|Bos|Vos";
const STREETS: &str = "Kerkstraat|Dorpsstraat|Molenweg|Stationsweg|Schoolstraat|Julianalaan|\
    Nieuwstraat|Beatrixlaan";
const CITIES: &str = "Amsterdam|Rotterdam|Utrecht|Den Haag|Eindhoven|Groningen|Zwolle|Maastricht";

/// A dataset of invoices, described by its seed and size: a cheap `Copy` handle.
///
/// ```
/// let dataset = mijnklantportaal_mock::Dataset::new(42, 1_000_000);
/// assert_eq!(dataset.index_of(&dataset.invoice(999_999).unwrap().id), Some(999_999));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dataset {
    seed: u64,
    len: u64,
}

impl Dataset {
    /// The dataset of `len` invoices generated from `seed`.
    pub fn new(seed: u64, len: u64) -> Self {
        Dataset { seed, len }
    }

    /// The number of invoices.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the dataset has no invoices.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The seed the dataset is generated from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The number of distinct customers invoices are drawn from (about one per eight
    /// invoices, at most 50,000).
    pub fn customers(&self) -> u64 {
        self.len.div_ceil(8).min(50_000)
    }

    /// Invoice number `index` (0-based, in creation order), or `None` past the end.
    pub fn invoice(&self, index: u64) -> Option<MockInvoice> {
        if index >= self.len {
            return None;
        }
        let created = self.created_unix(index);
        let created_at = dutch_time::at(created)?;
        let sequence = index.saturating_sub(self.first_index_of_year(created_at.year())) + 1;
        let mut invoice = self.added(index, created_at, sequence);
        // A third is not paid yet, the rest within 60 days.
        let paid = draw(self.seed, PAID, index);
        let delay = 600 + (paid >> 8) % (60 * 86_400);
        invoice.paid_at = (!paid.is_multiple_of(3))
            .then(|| dutch_time::at(created + delay as i64))
            .flatten();
        Some(invoice)
    }

    /// An invoice added while the server runs: number `number` (at or past the end),
    /// created at `created_at` (Dutch time) as the `sequence`-th of its year, not paid.
    pub(crate) fn added(
        &self,
        number: u64,
        created_at: DateTime<FixedOffset>,
        sequence: u64,
    ) -> MockInvoice {
        let issued_at = created_at.date_naive();
        let customer = draw(self.seed, CUSTOMER, number) % self.customers().max(1);
        let id = self.invoice_id(number);
        let customer_id = self.customer_id(customer);
        MockInvoice {
            index: number,
            links: InvoiceLinks::new(&id, &customer_id),
            id,
            customer_id,
            invoice_number: format!("{}-{sequence:03}", issued_at.year()),
            issued_at,
            currency: "EUR".to_owned(),
            amount_cents: self.amount_cents(number),
            paid_at: None,
            created_at,
        }
    }

    /// The index of the invoice with id `id`, if it belongs to this dataset.
    pub fn index_of(&self, id: &str) -> Option<u64> {
        self.invoice_ids()
            .decode(id)
            .filter(|&index| index < self.len)
    }

    /// The invoice with id `id`, if it belongs to this dataset.
    pub fn invoice_by_id(&self, id: &str) -> Option<MockInvoice> {
        self.invoice(self.index_of(id)?)
    }

    /// Every invoice in order, generated lazily.
    pub fn iter(&self) -> impl Iterator<Item = MockInvoice> + use<> {
        let dataset = *self;
        (0..dataset.len).filter_map(move |index| dataset.invoice(index))
    }

    /// The id of invoice number `number` (past the end: of invoices added while running).
    pub(crate) fn invoice_id(&self, number: u64) -> String {
        self.invoice_ids().encode(number)
    }

    /// Customer number `index` (0-based, in creation order; below [`customers`](Self::customers)),
    /// or `None` past the end. Generated customers were created during 2020, before any
    /// invoice; most are linked to no bookkeeping integration and in no group.
    ///
    /// ```
    /// let dataset = mijnklantportaal_mock::Dataset::new(42, 1_000);
    /// let customer = dataset.customer_by_id(&dataset.invoice(7).unwrap().customer_id);
    /// ```
    pub fn customer(&self, index: u64) -> Option<MockCustomer> {
        let count = self.customers();
        if index >= count {
            return None;
        }
        let width = 366 * 24 * 3600u64;
        let start = CUSTOMERS_START + (index * width / count) as i64;
        let slice = (width / count).max(1);
        let created_unix = start + (draw(self.seed, CUSTOMER_CREATED, index) % slice) as i64;
        let created_at = dutch_time::at(created_unix)?;
        let r = draw(self.seed, CUSTOMER_DETAILS, index);
        let pick = |names, shift: u32| resources::pick(names, r >> shift);
        let (word, surname) = (pick(COMPANY_WORDS, 0), pick(SURNAMES, 8));
        let slug = format!("{word}{surname}").to_ascii_lowercase();
        let slug = slug.replace(|c: char| !c.is_ascii_alphanumeric(), "");
        let letter = |shift: u32| char::from(b'A' + ((r >> shift) % 26) as u8);
        let linked = (r >> 40).is_multiple_of(4);
        let group = self.customer_group_ids().encode((r >> 4) % CUSTOMER_GROUPS);
        Some(MockCustomer {
            index,
            id: self.customer_id(index),
            company_name: format!("{word} {surname} BV"),
            address: format!("{} {}", pick(STREETS, 16), 1 + (r >> 20) % 200),
            zip_code: format!("{}{}{}", 1000 + (r >> 28) % 9000, letter(44), letter(50)),
            city: pick(CITIES, 56),
            country_code: "NL".to_owned(),
            primary_email: format!("info@{slug}{index}.nl"),
            phone: (!(r >> 24).is_multiple_of(3))
                .then(|| format!("+316{:08}", (r >> 9) % 100_000_000)),
            integration: linked.then(|| "acumulus".to_owned()),
            integration_id: linked.then(|| format!("{}", 100_000_000 + index)),
            customer_groups: Vec::from_iter((r >> 36).is_multiple_of(3).then_some(group)),
            created_at,
        })
    }

    /// The index of the customer with id `id`, if it belongs to this dataset.
    pub fn customer_index_of(&self, id: &str) -> Option<u64> {
        self.customer_ids()
            .decode(id)
            .filter(|&index| index < self.customers())
    }

    /// The customer with id `id`, if it belongs to this dataset.
    pub fn customer_by_id(&self, id: &str) -> Option<MockCustomer> {
        self.customer(self.customer_index_of(id)?)
    }

    /// The id of customer number `number` (past the end: of customers added while running).
    pub(crate) fn customer_id(&self, number: u64) -> String {
        self.customer_ids().encode(number)
    }

    /// The ids of customer groups: seeded ones and those created while running.
    pub(crate) fn customer_group_ids(&self) -> IdCodec {
        IdCodec::new("cug_", self.seed, CUSTOMER_GROUP_IDS)
    }

    fn invoice_ids(&self) -> IdCodec {
        IdCodec::new("inv_", self.seed, INVOICE_IDS)
    }

    fn customer_ids(&self) -> IdCodec {
        IdCodec::new("cst_", self.seed, CUSTOMER_IDS)
    }

    /// Start of the `index`-th slice of the creation window (`index <= len`).
    fn slice_start(&self, index: u64) -> i64 {
        let width = (WINDOW_END - WINDOW_START) as u128;
        WINDOW_START + (u128::from(index) * width / u128::from(self.len.max(1))) as i64
    }

    /// UNIX time at which invoice `index` was created: within its own slice.
    fn created_unix(&self, index: u64) -> i64 {
        let start = self.slice_start(index);
        // Slices of a dataset larger than the window's seconds can be empty.
        let slice = (self.slice_start(index + 1) - start).max(1);
        start + (draw(self.seed, CREATED, index) % slice as u64) as i64
    }

    /// Index of the first invoice created in local `year` (or later).
    fn first_index_of_year(&self, year: i32) -> u64 {
        let Some(new_year) = dutch_time::new_year_unix(year).filter(|&n| n > WINDOW_START) else {
            return 0;
        };
        let since_start = new_year - WINDOW_START;
        let width = (WINDOW_END - WINDOW_START) as u128;
        // The first slice starting at or after New Year; the slice before it may
        // still hold an invoice created after midnight.
        let first_slice = (since_start as u128 * u128::from(self.len)).div_ceil(width);
        let first_slice = u64::try_from(first_slice).unwrap_or(u64::MAX);
        match first_slice.checked_sub(1) {
            Some(before) if self.created_unix(before) >= new_year => before,
            _ => first_slice,
        }
    }

    /// A realistic amount in cents: mostly tens to hundreds of euros, many ending in `.00`/`.95`.
    fn amount_cents(&self, index: u64) -> u64 {
        let r = draw(self.seed, AMOUNT, index);
        let (low, high) = match r % 10 {
            0..=3 => (500, 10_000),
            4..=7 => (10_000, 100_000),
            8 => (100_000, 500_000),
            _ => (500_000, 2_500_000),
        };
        let cents = low + (r >> 8) % (high - low);
        match (r >> 48) % 4 {
            0 => cents / 100 * 100,
            1 => cents / 100 * 100 + 95,
            _ => cents,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn sequence(invoice: &MockInvoice) -> u64 {
        let (_, sequence) = invoice.invoice_number.split_once('-').unwrap();
        sequence.parse().unwrap()
    }

    #[test]
    fn window_constants_are_dutch_new_years() {
        assert_eq!(dutch_time::new_year_unix(2021), Some(WINDOW_START));
        assert_eq!(dutch_time::new_year_unix(2026), Some(WINDOW_END));
    }

    #[test]
    fn invoices_are_ordered_unique_and_plausible() {
        for len in [1u64, 2, 15, 1_000, 20_000] {
            let dataset = Dataset::new(7, len);
            let mut ids = HashSet::new();
            let mut previous: Option<MockInvoice> = None;
            let mut unpaid = 0;
            for invoice in dataset.iter() {
                assert!(ids.insert(invoice.id.clone()));
                assert_eq!(dataset.index_of(&invoice.id), Some(invoice.index));
                assert!(invoice.customer_id.starts_with("cst_"));
                assert_eq!(invoice.customer_id.len(), 18);
                assert_eq!(invoice.issued_at, invoice.created_at.date_naive());
                let year = invoice.issued_at.year();
                assert!((2021..=2025).contains(&year), "{year}");
                match &invoice.paid_at {
                    Some(paid) => assert!(*paid > invoice.created_at),
                    None => unpaid += 1,
                }
                let expected_sequence = match &previous {
                    Some(p) if p.issued_at.year() == year => sequence(p) + 1,
                    _ => 1,
                };
                assert_eq!(sequence(&invoice), expected_sequence, "{}", invoice.index);
                if let Some(p) = &previous {
                    assert!(p.created_at <= invoice.created_at);
                }
                previous = Some(invoice);
            }
            assert_eq!(ids.len() as u64, len);
            if len >= 1_000 {
                let share = unpaid as f64 / len as f64;
                assert!((0.28..0.39).contains(&share), "{share}");
                let customers: HashSet<_> = dataset.iter().map(|i| i.customer_id).collect();
                assert!(customers.len() < len as usize / 4, "customers repeat");
            }
        }
    }

    #[test]
    fn first_index_of_year_matches_a_scan() {
        let dataset = Dataset::new(3, 5_000);
        for year in 2021..=2026 {
            let scanned = dataset
                .iter()
                .position(|i| i.issued_at.year() >= year)
                .map_or(dataset.len(), |p| p as u64);
            assert_eq!(dataset.first_index_of_year(year), scanned, "{year}");
        }
    }

    #[test]
    fn amounts_have_two_decimals() {
        let dataset = Dataset::new(11, 2_000);
        for invoice in dataset.iter() {
            let amount = invoice.amount();
            let (units, cents) = amount.split_once('.').unwrap();
            assert_eq!(cents.len(), 2, "{amount}");
            assert!(!units.is_empty() && units.bytes().all(|b| b.is_ascii_digit()));
            assert!(invoice.amount_cents >= 500);
        }
    }

    #[test]
    fn huge_datasets_are_cheap_and_stay_in_the_window() {
        let dataset = Dataset::new(1, u64::MAX);
        let last = dataset.invoice(u64::MAX - 1).unwrap();
        assert_eq!(dataset.index_of(&last.id), Some(u64::MAX - 1));
        assert!(last.created_at.timestamp() < WINDOW_END);
        let first = dataset.invoice(0).unwrap();
        assert_eq!(first.invoice_number, "2021-001");
    }

    #[test]
    fn every_invoice_has_its_customer_and_customers_come_first() {
        let dataset = Dataset::new(8, 3_000);
        let first_invoice = dataset.invoice(0).unwrap().created_at;
        let mut previous = None;
        for index in 0..dataset.customers() {
            let customer = dataset.customer(index).unwrap();
            assert_eq!(dataset.customer_index_of(&customer.id), Some(index));
            assert!(customer.created_at < first_invoice);
            assert!(previous.is_none_or(|p| p <= customer.created_at));
            assert_eq!(customer.zip_code.len(), 6, "{}", customer.zip_code);
            previous = Some(customer.created_at);
        }
        assert!(dataset.customer(dataset.customers()).is_none());
        for invoice in dataset.iter() {
            assert!(dataset.customer_by_id(&invoice.customer_id).is_some());
        }
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = Dataset::new(5, 100).invoice(50);
        assert_eq!(a, Dataset::new(5, 100).invoice(50));
        assert_ne!(a, Dataset::new(6, 100).invoice(50));
    }
}

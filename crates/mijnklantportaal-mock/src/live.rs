//! The live table: the dataset as it changes while clients list it.
//!
//! On a real account invoices are added and deleted while an export runs, and a
//! client that pages by offset then sees rows shift between pages. The mock
//! reproduces that without giving up what makes the dataset cheap and replayable: the
//! table is the generated [`Dataset`] plus a short list of added invoices plus the
//! keys of deleted rows, and every change is a pure function of the seed and of how
//! many list requests were evaluated before it. The paginator pages through a view of
//! this table ([`Rows`]), in either [`Order`], never through a copy of it.
//!
//! Rows have a *key* in creation order: `0..dataset.len()` are the generated
//! invoices, `dataset.len() + k` is the `k`-th added one. The table also keeps a log of
//! every evaluated list request and every change, so a test can compute which
//! invoices existed for the whole of a listing.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use chrono::Datelike;

use crate::dataset::{ADDED_FROM, Dataset};
use crate::dutch_time;
use crate::invoice::MockInvoice;
use crate::paginator::{self, Page, Rows};
use crate::rng::draw;

// Random streams of the live table (the dataset's streams are 1 to 6).
const ADD_GAP: u64 = 0x11FE_0001;
const DELETE: u64 = 0x11FE_0002;

/// Shortest and longest time between two added invoices, in seconds.
const ADD_GAP_SECONDS: (u64, u64) = (60, 3_600);

/// The order in which the list endpoint returns invoices.
///
/// The API does not document its order. [`OldestFirst`](Self::OldestFirst) (dataset
/// index order, ascending `createdAt`) is the mock's default and what it always did;
/// [`NewestFirst`](Self::NewestFirst) is Laravel's `latest()`, under which every
/// added invoice pushes all rows one place further down the listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// Ascending creation time: row 1 of page 1 is the oldest invoice.
    #[default]
    OldestFirst,
    /// Descending creation time: row 1 of page 1 is the newest invoice.
    NewestFirst,
}

/// How the table changes while the server runs: every `n`-th evaluated list request
/// adds an invoice, every `m`-th deletes one (0: never).
///
/// A list request is *evaluated* when the server reads the table to answer it with a
/// page (faults that answer without a page do not count; see
/// [`MockServerBuilder::reorder`](crate::MockServerBuilder::reorder) for when that
/// happens). The change comes right after the evaluation that triggers it: with
/// `Live::inserts(1)` the first request sees the dataset and the second sees one more
/// invoice. An added invoice is newer than every other one, has a fresh id that is
/// never reused, and is not paid yet; a deleted one is a seeded-random row still in
/// the table. When both fall on the same request the insert comes first.
///
/// ```
/// use mijnklantportaal_mock::Live;
///
/// let both = Live::inserts(3).and_deletes(5);
/// assert_eq!((both.insert_every(), both.delete_every()), (3, 5));
/// assert_eq!(Live::deletes(2).insert_every(), 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Live {
    insert_every: u64,
    delete_every: u64,
}

impl Live {
    /// A table that never changes (the default).
    pub fn none() -> Self {
        Live::default()
    }

    /// Add an invoice after every `every`-th evaluated list request (0: never).
    pub fn inserts(every: u64) -> Self {
        Live::none().and_inserts(every)
    }

    /// Delete an invoice after every `every`-th evaluated list request (0: never).
    pub fn deletes(every: u64) -> Self {
        Live::none().and_deletes(every)
    }

    /// These changes, and an added invoice after every `every`-th evaluated request.
    pub fn and_inserts(mut self, every: u64) -> Self {
        self.insert_every = every;
        self
    }

    /// These changes, and a deleted invoice after every `every`-th evaluated request.
    pub fn and_deletes(mut self, every: u64) -> Self {
        self.delete_every = every;
        self
    }

    /// Every how many evaluated list requests an invoice is added (0: never).
    pub fn insert_every(&self) -> u64 {
        self.insert_every
    }

    /// Every how many evaluated list requests an invoice is deleted (0: never).
    pub fn delete_every(&self) -> u64 {
        self.delete_every
    }
}

/// One list request as the server evaluated it: which page it read and what was on it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Evaluation {
    /// When it was evaluated: 1 for the first evaluated list request, then 2, 3...
    pub sequence: u64,
    /// When it arrived, counted the same way. Differs from `sequence` only when
    /// concurrent requests are evaluated out of order
    /// ([`reorder`](crate::MockServerBuilder::reorder)).
    pub arrival: u64,
    /// The page served (`current_page`).
    pub page: u64,
    /// The ids on the page, in order.
    pub ids: Vec<String>,
    /// The number of invoices in the table when it was read.
    pub table_len: u64,
}

/// What a [`Change`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChangeKind {
    /// An invoice was added.
    Inserted,
    /// An invoice was deleted.
    Deleted,
}

/// One change of the live table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Change {
    /// The [`Evaluation::sequence`] of the list request after which it happened:
    /// requests with this sequence number or lower did not see it, later ones did.
    pub after_evaluation: u64,
    /// Added or deleted.
    pub kind: ChangeKind,
    /// The invoice's id.
    pub id: String,
}

/// An invoice added while the server runs.
#[derive(Debug)]
struct Added {
    invoice: MockInvoice,
    after_evaluation: u64,
    /// Created by a client (`POST`), not by the [`Live`] schedule.
    by_client: bool,
}

/// What a create request gives a new invoice; the table adds its id, its number
/// and its creation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewInvoice {
    pub(crate) customer_id: String,
    pub(crate) invoice_number: String,
    pub(crate) issued_at: chrono::NaiveDate,
    pub(crate) amount_cents: u64,
    pub(crate) paid_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// The live table (see the module documentation).
#[derive(Debug)]
pub(crate) struct Table {
    base: Dataset,
    order: Order,
    live: Live,
    record: bool,
    added: Vec<Added>,
    /// Generated invoices changed by a client (marked paid), by key.
    changed: BTreeMap<u64, MockInvoice>,
    /// Deleted keys, with the evaluation after which each was deleted.
    deleted: BTreeMap<u64, u64>,
    evaluated: u64,
    changes: Vec<Change>,
    evaluations: Vec<Evaluation>,
}

impl Table {
    /// The table of `base`, listed in `order`, changing as `live` says; `record`
    /// keeps a log of evaluations.
    pub(crate) fn new(base: Dataset, order: Order, live: Live, record: bool) -> Self {
        Table {
            base,
            order,
            live,
            record,
            added: Vec::new(),
            changed: BTreeMap::new(),
            deleted: BTreeMap::new(),
            evaluated: 0,
            changes: Vec::new(),
            evaluations: Vec::new(),
        }
    }

    /// Reads page `page` for a list request that arrived `arrival`-th, then applies
    /// the change this evaluation triggers, if any.
    pub(crate) fn evaluate(&mut self, page: u64, per_page: u64, arrival: u64) -> Page {
        self.evaluated += 1;
        let sequence = self.evaluated;
        let taken = paginator::take(self, page, per_page);
        if self.record {
            self.evaluations.push(Evaluation {
                sequence,
                arrival,
                page,
                ids: taken.invoices.iter().map(|i| i.id.clone()).collect(),
                table_len: Rows::len(self),
            });
        }
        if self.live.insert_every > 0 && sequence.is_multiple_of(self.live.insert_every) {
            self.insert(sequence);
        }
        if self.live.delete_every > 0 && sequence.is_multiple_of(self.live.delete_every) {
            self.delete(sequence);
        }
        taken
    }

    /// The invoice with id `id`, if it is in the table now.
    pub(crate) fn find(&self, id: &str) -> Option<MockInvoice> {
        self.invoice_by_key(self.key_of(id)?)
    }

    /// The key of the invoice with id `id`, if it is in the table now.
    fn key_of(&self, id: &str) -> Option<u64> {
        let key = match self.base.index_of(id) {
            Some(index) => index,
            None => {
                let k = self.added.iter().position(|a| a.invoice.id == id)?;
                self.base.len().checked_add(k as u64)?
            }
        };
        (!self.deleted.contains_key(&key)).then_some(key)
    }

    /// Adds an invoice a client created: the newest, like a [`Live`] insert, seen
    /// by list requests evaluated from now on.
    pub(crate) fn create(&mut self, new: NewInvoice) -> Option<MockInvoice> {
        let (number, created_unix) = self.next_slot()?;
        let invoice = MockInvoice {
            index: number,
            id: self.base.invoice_id(number),
            customer_id: new.customer_id,
            invoice_number: new.invoice_number,
            issued_at: new.issued_at,
            currency: "EUR".to_owned(),
            amount_cents: new.amount_cents,
            paid_at: new.paid_at,
            created_at: dutch_time::at(created_unix)?,
        };
        self.changes.push(Change {
            after_evaluation: self.evaluated,
            kind: ChangeKind::Inserted,
            id: invoice.id.clone(),
        });
        self.added.push(Added {
            invoice: invoice.clone(),
            after_evaluation: self.evaluated,
            by_client: true,
        });
        Some(invoice)
    }

    /// Sets `paid_at` of the invoice with id `id`; `None` if it is not in the table.
    pub(crate) fn mark_paid(
        &mut self,
        id: &str,
        paid_at: chrono::DateTime<chrono::FixedOffset>,
    ) -> Option<MockInvoice> {
        let key = self.key_of(id)?;
        let invoice = match key.checked_sub(self.base.len()) {
            None => match self.changed.entry(key) {
                std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::btree_map::Entry::Vacant(entry) => {
                    entry.insert(self.base.invoice(key)?)
                }
            },
            Some(k) => &mut self.added.get_mut(usize::try_from(k).ok()?)?.invoice,
        };
        invoice.paid_at = Some(paid_at);
        Some(invoice.clone())
    }

    /// The invoices clients created, as they are now (deleted ones included).
    pub(crate) fn created(&self) -> Vec<MockInvoice> {
        self.added
            .iter()
            .filter(|a| a.by_client)
            .map(|a| a.invoice.clone())
            .collect()
    }

    /// The ids in the table now, in listing order.
    pub(crate) fn snapshot(&self) -> Vec<String> {
        (0..Rows::len(self))
            .filter_map(|position| self.row(position))
            .map(|invoice| invoice.id)
            .collect()
    }

    /// The ids that were in the table for every evaluation in `evaluations` (from
    /// the first to the last), in listing order.
    pub(crate) fn present_throughout(&self, evaluations: RangeInclusive<u64>) -> Vec<String> {
        let (first, last) = (*evaluations.start(), *evaluations.end());
        let mut ids: Vec<String> = (0..self.key_count())
            .filter(|key| {
                let added_before_first = match key.checked_sub(self.base.len()) {
                    None => true,
                    Some(k) => usize::try_from(k)
                        .ok()
                        .and_then(|k| self.added.get(k))
                        .is_some_and(|a| a.after_evaluation < first),
                };
                let deleted_before_last = self.deleted.get(key).is_some_and(|&after| after < last);
                added_before_first && !deleted_before_last
            })
            .filter_map(|key| self.invoice_by_key(key))
            .map(|invoice| invoice.id)
            .collect();
        if self.order == Order::NewestFirst {
            ids.reverse();
        }
        ids
    }

    pub(crate) fn evaluations(&self) -> Vec<Evaluation> {
        self.evaluations.clone()
    }

    pub(crate) fn changes(&self) -> Vec<Change> {
        self.changes.clone()
    }

    /// Rows ever in the table, deleted ones included.
    fn key_count(&self) -> u64 {
        self.base.len().saturating_add(self.added.len() as u64)
    }

    fn invoice_by_key(&self, key: u64) -> Option<MockInvoice> {
        match key.checked_sub(self.base.len()) {
            None => self
                .changed
                .get(&key)
                .cloned()
                .or_else(|| self.base.invoice(key)),
            Some(k) => usize::try_from(k)
                .ok()
                .and_then(|k| self.added.get(k))
                .map(|a| a.invoice.clone()),
        }
    }

    /// The key of the row at `position` in creation order, skipping deleted keys.
    fn key_at(&self, position: u64) -> u64 {
        let mut key = position;
        for &deleted in self.deleted.keys() {
            if deleted <= key {
                key += 1;
            } else {
                break;
            }
        }
        key
    }

    /// The number and creation time of the next added invoice: newer than all
    /// others, a seeded gap after the previous added one.
    fn next_slot(&self) -> Option<(u64, i64)> {
        let k = self.added.len() as u64;
        let number = self.base.len().checked_add(k)?;
        let (low, high) = ADD_GAP_SECONDS;
        let gap = low + draw(self.base.seed(), ADD_GAP, k) % (high - low + 1);
        let previous = self.added.last().map(|a| &a.invoice);
        let created_unix = previous.map_or(ADDED_FROM, |p| p.created_at.timestamp()) + gap as i64;
        Some((number, created_unix))
    }

    /// Adds the next invoice: newer than all others, the next number of its year.
    fn insert(&mut self, sequence: u64) {
        let Some((number, created_unix)) = self.next_slot() else {
            return;
        };
        // Numbered after the previous scheduled insert: client invoices have their
        // own numbers.
        let previous = self
            .added
            .iter()
            .rev()
            .find(|a| !a.by_client)
            .map(|a| &a.invoice);
        let Some(year) = dutch_time::at(created_unix).map(|t| t.year()) else {
            return;
        };
        let sequence_in_year = previous
            .filter(|p| p.issued_at.year() == year)
            .and_then(|p| p.invoice_number.split_once('-'))
            .and_then(|(_, n)| n.parse::<u64>().ok())
            .map_or(1, |n| n + 1);
        let Some(invoice) = self.base.added(number, created_unix, sequence_in_year) else {
            return;
        };
        self.changes.push(Change {
            after_evaluation: sequence,
            kind: ChangeKind::Inserted,
            id: invoice.id.clone(),
        });
        self.added.push(Added {
            invoice,
            after_evaluation: sequence,
            by_client: false,
        });
    }

    /// Deletes a seeded-random row still in the table.
    fn delete(&mut self, sequence: u64) {
        let len = Rows::len(self);
        if len == 0 {
            return;
        }
        let position = draw(self.base.seed(), DELETE, self.deleted.len() as u64) % len;
        let key = self.key_at(position);
        let Some(invoice) = self.invoice_by_key(key) else {
            return;
        };
        self.deleted.insert(key, sequence);
        self.changes.push(Change {
            after_evaluation: sequence,
            kind: ChangeKind::Deleted,
            id: invoice.id,
        });
    }
}

impl Rows for Table {
    type Item = MockInvoice;

    fn len(&self) -> u64 {
        self.key_count() - self.deleted.len() as u64
    }

    fn row(&self, position: u64) -> Option<MockInvoice> {
        let len = Rows::len(self);
        if position >= len {
            return None;
        }
        let in_creation_order = match self.order {
            Order::OldestFirst => position,
            Order::NewestFirst => len - 1 - position,
        };
        self.invoice_by_key(self.key_at(in_creation_order))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(table: &Table) -> Vec<String> {
        table.snapshot()
    }

    #[test]
    fn oldest_first_is_dataset_order_and_newest_first_reverses_it() {
        let dataset = Dataset::new(3, 40);
        let oldest = Table::new(dataset, Order::OldestFirst, Live::none(), true);
        let expected: Vec<String> = dataset.iter().map(|i| i.id).collect();
        assert_eq!(ids(&oldest), expected);
        let newest = Table::new(dataset, Order::NewestFirst, Live::none(), true);
        let mut reversed = expected;
        reversed.reverse();
        assert_eq!(ids(&newest), reversed);
    }

    #[test]
    fn added_invoices_are_newest_unpaid_and_numbered_per_year() {
        let dataset = Dataset::new(9, 30);
        let mut table = Table::new(dataset, Order::OldestFirst, Live::inserts(1), true);
        for _ in 0..5 {
            table.evaluate(1, 15, 0);
        }
        let all: Vec<MockInvoice> = (0..Rows::len(&table))
            .filter_map(|p| table.row(p))
            .collect();
        assert_eq!(all.len(), 35);
        assert!(all.windows(2).all(|w| w[0].created_at < w[1].created_at));
        let added = &all[30..];
        assert!(added.iter().all(|i| i.paid_at.is_none()));
        assert_eq!(added[0].invoice_number, "2026-001");
        assert_eq!(added[4].invoice_number, "2026-005");
        for (k, invoice) in added.iter().enumerate() {
            assert_eq!(invoice.index, 30 + k as u64);
            assert!(dataset.index_of(&invoice.id).is_none(), "a fresh id");
            assert_eq!(table.find(&invoice.id).as_ref(), Some(invoice));
        }
    }

    #[test]
    fn deletes_skip_rows_everywhere() {
        let dataset = Dataset::new(4, 20);
        let mut table = Table::new(dataset, Order::NewestFirst, Live::deletes(1), true);
        for _ in 0..6 {
            table.evaluate(1, 5, 0);
        }
        let deleted: Vec<String> = table.changes().into_iter().map(|c| c.id).collect();
        assert_eq!(deleted.len(), 6);
        let mut expected: Vec<String> = dataset
            .iter()
            .map(|i| i.id)
            .filter(|id| !deleted.contains(id))
            .collect();
        expected.reverse();
        assert_eq!(ids(&table), expected);
        assert_eq!(Rows::len(&table), 14);
        assert!(deleted.iter().all(|id| table.find(id).is_none()));
    }

    #[test]
    fn an_emptied_table_stops_deleting() {
        let mut table = Table::new(
            Dataset::new(1, 2),
            Order::OldestFirst,
            Live::deletes(1),
            true,
        );
        for _ in 0..4 {
            let page = table.evaluate(1, 15, 0);
            assert!(page.invoices.len() <= 2);
        }
        assert_eq!(table.changes().len(), 2);
        assert!(table.snapshot().is_empty());
    }

    #[test]
    fn present_throughout_follows_the_log() {
        let dataset = Dataset::new(5, 10);
        let live = Live::inserts(2).and_deletes(3);
        let mut table = Table::new(dataset, Order::OldestFirst, live, true);
        let mut seen_by = Vec::new();
        for _ in 0..8 {
            table.evaluate(1, 100, 0);
            seen_by.push(table.evaluations().last().unwrap().ids.clone());
        }
        // Present throughout 2..=7: on the pages read by evaluations 2 and 7 and
        // never deleted in between (deletes are final, so both ends suffice).
        for (first, last) in [(1, 8), (2, 7), (4, 4), (3, 8)] {
            let expected: Vec<String> = seen_by[first as usize - 1]
                .iter()
                .filter(|id| seen_by[last as usize - 1].contains(id))
                .cloned()
                .collect();
            assert_eq!(
                table.present_throughout(first..=last),
                expected,
                "{first}..={last}"
            );
        }
    }

    #[test]
    fn client_invoices_join_the_table_and_marks_stick() {
        let dataset = Dataset::new(6, 20);
        let mut table = Table::new(dataset, Order::OldestFirst, Live::inserts(2), true);
        table.evaluate(1, 100, 1);
        let new = NewInvoice {
            customer_id: "cst_x".to_owned(),
            invoice_number: "X-1".to_owned(),
            issued_at: chrono::NaiveDate::from_ymd_opt(2025, 4, 29).unwrap(),
            amount_cents: 1295,
            paid_at: None,
        };
        let created = table.create(new).unwrap();
        assert_eq!(created.index, 20);
        assert!(dataset.index_of(&created.id).is_none());
        table.evaluate(1, 100, 2);
        // Scheduled inserts keep their own numbering after a client's invoice.
        let all = table.snapshot();
        assert_eq!(all.len(), 22);
        assert_eq!(all[20], created.id);
        assert_eq!(table.find(&all[21]).unwrap().invoice_number, "2026-001");
        assert_eq!(table.created(), vec![created.clone()]);
        // Seen by the second evaluation, not the first.
        assert!(!table.present_throughout(1..=2).contains(&created.id));
        assert!(table.present_throughout(2..=2).contains(&created.id));

        let paid_at = dutch_time::at(ADDED_FROM + 10_000).unwrap();
        let first = dataset.invoice(0).unwrap();
        let marked = table.mark_paid(&first.id, paid_at).unwrap();
        assert_eq!(marked.paid_at, Some(paid_at));
        assert_eq!(table.row(0), Some(marked));
        let marked = table.mark_paid(&created.id, paid_at).unwrap();
        assert_eq!(table.created(), vec![marked]);
        assert!(table.mark_paid("inv_nope", paid_at).is_none());
    }
}

//! The one resource store: every kind of resource in a [`Table`] of its starting rows,
//! computed on demand ([`Base`]), and only what changed (added, edited, deleted rows;
//! keys in creation order). Tables count the list requests that read them
//! (*evaluations*) and apply the [`Live`] schedule after them, so every change is a
//! pure function of the seed and the evaluations before it.

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::dataset::ADDED_FROM;
use crate::dutch_time;
use crate::handler::Config;
use crate::ids::IdCodec;
use crate::live::{Change, ChangeKind, Evaluation, Live, Order};
use crate::paginator::{self, Page, Rows};
use crate::rng::draw;

// Random streams of the store (the dataset's streams are 1 to 9).
const ADD_GAP: u64 = 0x11FE_0001;
const DELETE: u64 = 0x11FE_0002;

/// Shortest and longest time between two added rows, in seconds.
const ADD_GAP_SECONDS: (u64, u64) = (60, 3_600);

/// One resource of the API, as the store keeps it (see [`resources`](crate::resources)).
pub(crate) trait Record: Serialize + Clone + fmt::Debug + Send + Sync + 'static {
    /// The Laravel model named in the 404 for an unknown id, e.g. `App\Models\Webhook`.
    const MODEL: &'static str;

    fn id(&self) -> &str;

    /// The id of the parent, for lists under one (`/payment-links/{linkId}/payments`).
    fn parent_id(&self) -> Option<&str> {
        None
    }

    /// The rows the table starts with.
    fn base(config: &Config) -> Box<dyn Base<Self>>;

    /// How the table changes by itself while clients list it (default: never).
    fn live(_config: &Config) -> Live {
        Live::none()
    }
}

/// The rows a table starts with, computed on demand, and the ids of rows added later.
pub(crate) trait Base<R>: fmt::Debug + Send + Sync {
    fn len(&self) -> u64;

    /// Starting row `key`, or `None` past the end.
    fn row(&self, key: u64) -> Option<R>;

    /// The key of the starting row with id `id`.
    fn key_of(&self, id: &str) -> Option<u64>;

    /// The id of row `key`: from [`len`](Self::len) on, an added row's (no starting row's).
    fn id(&self, key: u64) -> String;

    /// The row the [`Live`] schedule adds as row `key` after its `previous`, if any.
    fn scheduled(&self, _key: u64, _at: DateTime<FixedOffset>, _previous: Option<&R>) -> Option<R> {
        None
    }
}

/// Starting rows held in memory: a handful of seeded resources of a small kind.
#[derive(Debug)]
pub(crate) struct Seeded<R> {
    rows: Vec<R>,
    ids: IdCodec,
}

impl<R: Record> Seeded<R> {
    /// `count` rows, row `index` built by `build(index, id)` (ending at the first `None`).
    pub(crate) fn new(ids: IdCodec, count: u64, build: impl Fn(u64, String) -> Option<R>) -> Self {
        let rows = (0..count).map_while(|i| build(i, ids.encode(i))).collect();
        Seeded { rows, ids }
    }
}

impl<R: Record> Base<R> for Seeded<R> {
    fn len(&self) -> u64 {
        self.rows.len() as u64
    }

    fn row(&self, key: u64) -> Option<R> {
        self.rows.row(key)
    }

    fn key_of(&self, id: &str) -> Option<u64> {
        self.ids.decode(id).filter(|&key| key < self.len())
    }

    fn id(&self, key: u64) -> String {
        self.ids.encode(key)
    }
}

/// What a new row is given by the table: its key, id and creation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Slot {
    pub(crate) key: u64,
    pub(crate) id: String,
    pub(crate) created_at: DateTime<FixedOffset>,
}

#[cfg(test)]
impl Slot {
    /// A slot for the unit tests of a resource's `build`.
    pub(crate) fn example() -> Self {
        let created_at = dutch_time::at(1_735_686_000).expect("in range");
        let id = "new_0000000000".to_owned();
        Slot {
            key: 0,
            id,
            created_at,
        }
    }
}

/// A row added while the server runs.
#[derive(Debug)]
struct Added<R> {
    row: R,
    created_at: DateTime<FixedOffset>,
    after_evaluation: u64,
    /// Created by a client (`POST`), not by the [`Live`] schedule.
    by_client: bool,
}

/// One kind of resource (see the module documentation).
#[derive(Debug)]
pub(crate) struct Table<R> {
    base: Box<dyn Base<R>>,
    seed: u64,
    order: Order,
    live: Live,
    record: bool,
    added: Vec<Added<R>>,
    added_keys: HashMap<String, u64>,
    /// Edited starting rows, by key.
    changed: BTreeMap<u64, R>,
    /// Deleted keys, with the evaluation after which each was deleted.
    deleted: BTreeMap<u64, u64>,
    evaluated: u64,
    changes: Vec<Change>,
    evaluations: Vec<Evaluation>,
}

impl<R: Record> Table<R> {
    pub(crate) fn from_config(config: &Config) -> Self {
        Table {
            base: R::base(config),
            seed: config.dataset.seed(),
            order: config.order,
            live: R::live(config),
            record: config.record_requests,
            added: Vec::new(),
            added_keys: HashMap::new(),
            changed: BTreeMap::new(),
            deleted: BTreeMap::new(),
            evaluated: 0,
            changes: Vec::new(),
            evaluations: Vec::new(),
        }
    }

    /// Reads page `page` for the `arrival`-th list request (of the rows under
    /// `parent`, when given), then applies the change this evaluation triggers.
    pub(crate) fn evaluate(
        &mut self,
        page: u64,
        per_page: u64,
        arrival: u64,
        parent: Option<&str>,
    ) -> Page<R> {
        self.evaluated += 1;
        let sequence = self.evaluated;
        let (taken, table_len) = match parent {
            None => (paginator::take(self, page, per_page), Rows::len(self)),
            Some(parent) => {
                // Collected: kinds with parents are small.
                let rows: Vec<R> = self
                    .all()
                    .filter(|r| r.parent_id() == Some(parent))
                    .collect();
                (paginator::take(&rows, page, per_page), rows.len() as u64)
            }
        };
        if self.record {
            let ids = taken.rows.iter().map(|r| r.id().to_owned()).collect();
            self.evaluations.push(Evaluation {
                sequence,
                arrival,
                page,
                ids,
                table_len,
            });
        }
        let due = |every: u64| every > 0 && sequence.is_multiple_of(every);
        if due(self.live.insert_every()) {
            self.insert(sequence);
        }
        if due(self.live.delete_every()) {
            self.delete(sequence);
        }
        taken
    }

    /// Every row, in listing order.
    pub(crate) fn all(&self) -> impl Iterator<Item = R> + '_ {
        (0..Rows::len(self)).filter_map(|position| self.row(position))
    }

    /// The row with id `id`, if it is in the table now.
    pub(crate) fn find(&self, id: &str) -> Option<R> {
        self.by_key(self.key_of(id)?)
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.key_of(id).is_some()
    }

    /// Adds the row `build` makes of its [`Slot`] as a client's, the newest; `None`
    /// (and no row) if the table is full or `build` makes none.
    pub(crate) fn create(&mut self, build: impl FnOnce(Slot) -> Option<R>) -> Option<R> {
        let slot = self.next_slot()?;
        let created_at = slot.created_at;
        let row = build(slot)?;
        self.push(row.clone(), created_at, self.evaluated, true);
        Some(row)
    }

    /// Changes the row with id `id` with `change`; `None` if it is not in the table.
    pub(crate) fn edit(&mut self, id: &str, change: impl FnOnce(&mut R)) -> Option<R> {
        let update = self.update(id, |row| {
            change(row);
            Ok::<(), std::convert::Infallible>(())
        });
        update?.ok()
    }

    /// Changes the row with id `id` with `change` unless it refuses (leaving the row as
    /// it was), in one step under the caller's lock; `None` if it is not in the table.
    pub(crate) fn update<E>(
        &mut self,
        id: &str,
        change: impl FnOnce(&mut R) -> Result<(), E>,
    ) -> Option<Result<R, E>> {
        let key = self.key_of(id)?;
        let mut row = self.by_key(key)?;
        if let Err(refusal) = change(&mut row) {
            return Some(Err(refusal));
        }
        match self.added_index(key) {
            None => _ = self.changed.insert(key, row.clone()),
            Some(k) => self.added.get_mut(k?)?.row = row.clone(),
        }
        Some(Ok(row))
    }

    /// The rows clients created, as they are now (deleted ones included).
    pub(crate) fn created(&self) -> Vec<R> {
        let created = self.added.iter().filter(|a| a.by_client);
        created.map(|a| a.row.clone()).collect()
    }

    /// The ids in the table now, in listing order.
    pub(crate) fn snapshot(&self) -> Vec<String> {
        self.all().map(|r| r.id().to_owned()).collect()
    }

    /// The ids in the table for every evaluation in `evaluations`, in listing order.
    pub(crate) fn present_throughout(&self, evaluations: RangeInclusive<u64>) -> Vec<String> {
        let (first, last) = evaluations.into_inner();
        // Rows are added in evaluation order: those added before `first` are a prefix.
        let added = self.added.iter().take_while(|a| a.after_evaluation < first);
        let mut ids: Vec<String> = (0..self.base.len().saturating_add(added.count() as u64))
            .filter(|key| self.deleted.get(key).is_none_or(|&after| after >= last))
            .filter_map(|key| self.by_key(key))
            .map(|r| r.id().to_owned())
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

    /// The key of the row with id `id`, if it is in the table now.
    fn key_of(&self, id: &str) -> Option<u64> {
        let key = self.base.key_of(id).or(self.added_keys.get(id).copied())?;
        (!self.deleted.contains_key(&key)).then_some(key)
    }

    /// `None` for a starting row's key, else the index in `added` (if it fits `usize`).
    fn added_index(&self, key: u64) -> Option<Option<usize>> {
        key.checked_sub(self.base.len())
            .map(|k| usize::try_from(k).ok())
    }

    /// Rows ever in the table, deleted ones included.
    fn key_count(&self) -> u64 {
        self.base.len().saturating_add(self.added.len() as u64)
    }

    fn by_key(&self, key: u64) -> Option<R> {
        match self.added_index(key) {
            None => self
                .changed
                .get(&key)
                .cloned()
                .or_else(|| self.base.row(key)),
            Some(k) => Some(self.added.get(k?)?.row.clone()),
        }
    }

    /// The key of the row at `position` in creation order, skipping deleted keys.
    fn key_at(&self, position: u64) -> u64 {
        // Deleted keys ascend, so once one is past `key` all later ones are too.
        self.deleted
            .keys()
            .fold(position, |key, &deleted| key + u64::from(deleted <= key))
    }

    /// The slot of the next added row: a seeded gap after the previous added one.
    fn next_slot(&self) -> Option<Slot> {
        let k = self.added.len() as u64;
        let key = self.base.len().checked_add(k)?;
        let (low, high) = ADD_GAP_SECONDS;
        let gap = low + draw(self.seed, ADD_GAP, k) % (high - low + 1);
        let previous = self.added.last().map(|a| a.created_at.timestamp());
        let created_at = dutch_time::at(previous.unwrap_or(ADDED_FROM) + gap as i64)?;
        Some(Slot {
            key,
            id: self.base.id(key),
            created_at,
        })
    }

    fn push(&mut self, row: R, created_at: DateTime<FixedOffset>, after: u64, by_client: bool) {
        let id = row.id().to_owned();
        self.added_keys.insert(id.clone(), self.key_count());
        self.log(after, ChangeKind::Inserted, id);
        self.added.push(Added {
            row,
            created_at,
            after_evaluation: after,
            by_client,
        });
    }

    fn log(&mut self, after_evaluation: u64, kind: ChangeKind, id: String) {
        self.changes.push(Change {
            after_evaluation,
            kind,
            id,
        });
    }

    /// Adds the row the [`Live`] schedule makes next, if the kind has such rows.
    fn insert(&mut self, sequence: u64) {
        let Some(slot) = self.next_slot() else {
            return;
        };
        let previous = self.added.iter().rev().find(|a| !a.by_client);
        let previous = previous.map(|a| &a.row);
        if let Some(row) = self.base.scheduled(slot.key, slot.created_at, previous) {
            self.push(row, slot.created_at, sequence, false);
        }
    }

    /// Deletes a seeded-random row still in the table.
    fn delete(&mut self, sequence: u64) {
        let len = Rows::len(self);
        if len == 0 {
            return;
        }
        let position = draw(self.seed, DELETE, self.deleted.len() as u64) % len;
        let key = self.key_at(position);
        if let Some(row) = self.by_key(key) {
            self.deleted.insert(key, sequence);
            self.log(sequence, ChangeKind::Deleted, row.id().to_owned());
        }
    }
}

impl<R: Record> Rows for Table<R> {
    type Item = R;

    fn len(&self) -> u64 {
        self.key_count() - self.deleted.len() as u64
    }

    fn row(&self, position: u64) -> Option<R> {
        let len = Rows::len(self);
        let in_creation_order = match self.order {
            _ if position >= len => return None,
            Order::OldestFirst => position,
            Order::NewestFirst => len - 1 - position,
        };
        self.by_key(self.key_at(in_creation_order))
    }
}

/// Locks `mutex`, ignoring poisoning: every critical section leaves consistent data.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One [`Table`] per record type, each made on first use.
#[derive(Debug, Default)]
pub(crate) struct Store {
    tables: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Store {
    /// The table of `R`, made from `config` if it does not exist yet.
    pub(crate) fn table<R: Record>(&self, config: &Config) -> Arc<Mutex<Table<R>>> {
        let fresh = || Arc::new(Mutex::new(Table::<R>::from_config(config)));
        let mut tables = lock(&self.tables);
        let entry = tables
            .entry(TypeId::of::<R>())
            .or_insert_with(|| fresh() as Arc<dyn Any + Send + Sync>);
        // Keyed by type, the downcast never fails; if it did, a fresh table is still `R`'s.
        Arc::clone(entry).downcast().unwrap_or_else(|_| {
            let table = fresh();
            *entry = Arc::clone(&table) as Arc<dyn Any + Send + Sync>;
            table
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MockServer;
    use crate::dataset::Dataset;
    use crate::resources::customer_invoices::MockInvoice;

    fn invoices(dataset: Dataset, order: Order, live: Live) -> Table<MockInvoice> {
        let builder = MockServer::builder()
            .invoices(dataset.len())
            .seed(dataset.seed());
        Table::from_config(&builder.order(order).live(live).config)
    }

    #[test]
    fn oldest_first_is_dataset_order_and_newest_first_reverses_it() {
        let dataset = Dataset::new(3, 40);
        let oldest = invoices(dataset, Order::OldestFirst, Live::none());
        let expected: Vec<String> = dataset.iter().map(|i| i.id).collect();
        assert_eq!(oldest.snapshot(), expected);
        let newest = invoices(dataset, Order::NewestFirst, Live::none());
        let mut reversed = expected;
        reversed.reverse();
        assert_eq!(newest.snapshot(), reversed);
    }

    #[test]
    fn added_invoices_are_newest_unpaid_and_numbered_per_year() {
        let dataset = Dataset::new(9, 30);
        let mut table = invoices(dataset, Order::OldestFirst, Live::inserts(1));
        for _ in 0..5 {
            table.evaluate(1, 15, 0, None);
        }
        let all: Vec<MockInvoice> = table.all().collect();
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
        let mut table = invoices(dataset, Order::NewestFirst, Live::deletes(1));
        for _ in 0..6 {
            table.evaluate(1, 5, 0, None);
        }
        let deleted: Vec<String> = table.changes().into_iter().map(|c| c.id).collect();
        assert_eq!(deleted.len(), 6);
        let mut expected: Vec<String> = dataset
            .iter()
            .map(|i| i.id)
            .filter(|id| !deleted.contains(id))
            .collect();
        expected.reverse();
        assert_eq!(table.snapshot(), expected);
        assert_eq!(Rows::len(&table), 14);
        assert!(deleted.iter().all(|id| table.find(id).is_none()));
    }

    #[test]
    fn an_emptied_table_stops_deleting() {
        let mut table = invoices(Dataset::new(1, 2), Order::OldestFirst, Live::deletes(1));
        for _ in 0..4 {
            let page = table.evaluate(1, 15, 0, None);
            assert!(page.rows.len() <= 2);
        }
        assert_eq!(table.changes().len(), 2);
        assert!(table.snapshot().is_empty());
    }

    #[test]
    fn present_throughout_follows_the_log() {
        let dataset = Dataset::new(5, 10);
        let live = Live::inserts(2).and_deletes(3);
        let mut table = invoices(dataset, Order::OldestFirst, live);
        let mut seen_by = Vec::new();
        for _ in 0..8 {
            table.evaluate(1, 100, 0, None);
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
    fn created_rows_join_the_table_and_edits_stick() {
        let dataset = Dataset::new(6, 20);
        let mut table = invoices(dataset, Order::OldestFirst, Live::inserts(2));
        table.evaluate(1, 100, 1, None);
        let template = dataset.invoice(0).unwrap();
        let created = table
            .create(|slot| {
                Some(MockInvoice {
                    index: slot.key,
                    id: slot.id,
                    invoice_number: "X-1".to_owned(),
                    created_at: slot.created_at,
                    paid_at: None,
                    ..template.clone()
                })
            })
            .unwrap();
        assert_eq!(created.index, 20);
        assert!(dataset.index_of(&created.id).is_none());
        table.evaluate(1, 100, 2, None);
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
        let pay = |invoice: &mut MockInvoice| invoice.paid_at = Some(paid_at);
        let first = dataset.invoice(0).unwrap();
        let marked = table.edit(&first.id, pay).unwrap();
        assert_eq!(marked.paid_at, Some(paid_at));
        assert_eq!(table.row(0), Some(marked));
        let marked = table.edit(&created.id, pay).unwrap();
        assert_eq!(table.created(), vec![marked]);
        assert!(table.edit("inv_nope", pay).is_none());
    }
}

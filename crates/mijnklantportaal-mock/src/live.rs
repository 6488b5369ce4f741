//! The public side of the live table (see [`store`](crate::store)): the listing
//! [`Order`], the [`Live`] schedule, and the [`Evaluation`] and [`Change`] logs a test
//! reads to compute which rows existed for the whole of a listing.

use crate::server::setters;

/// The order in which the list endpoints return their rows (the API does not document
/// it). [`NewestFirst`](Self::NewestFirst) is Laravel's `latest()`, under which every
/// added row pushes all rows one place further down the listing.
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
/// page (see [`MockServerBuilder::reorder`](crate::MockServerBuilder::reorder) for
/// when). The change follows the evaluation that triggers it, an insert before a
/// delete. An added invoice is the newest, unpaid, with a fresh id; a deleted one is a
/// seeded-random row still in the table.
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

    setters! {
        /// These changes, and an added invoice after every `every`-th evaluated request.
        fn and_inserts(every: u64) insert_every = every;
        /// These changes, and a deleted invoice after every `every`-th evaluated request.
        fn and_deletes(every: u64) delete_every = every;
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
    /// When it arrived, counted the same way (differs only with
    /// [`reorder`](crate::MockServerBuilder::reorder)).
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

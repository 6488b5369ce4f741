//! Listing every item of a page-numbered endpoint, fast and correctly.
//!
//! The API paginates with Laravel's *simple* paginator: pages are numbered, there is no
//! total, and `next_page_url` (or an empty `data`) says whether there is more. This
//! module is the one paginator of the crate, generic over any [`ListOperation`]; a new
//! list endpoint in the spec gets an impl of that trait from `cargo xtask generate`,
//! not a new paginator.
//!
//! What it guarantees:
//! - pages are requested by number through the generated operation, from the client's
//!   base URL; `next_page_url` is only read as "there is more", never followed, so the
//!   token cannot leak to the host it names;
//! - pages are requested ahead, concurrently, in spawned tasks, within the shared
//!   rate-limit budget: one at first, then twice as many with every page that says there
//!   is more, up to `prefetch` (so a short list costs few requests: a 2-page list 3 at
//!   most, any list at most its pages, the pages in flight at its end, and one check);
//!   pages are yielded in order and memory stays bounded by `prefetch` pages; dropping
//!   the stream aborts the requests in flight;
//! - a page whose `current_page` is not the one asked for ends the listing with
//!   [`Error::PageMismatch`] (Laravel serves page 1 for a page it does not understand,
//!   which would otherwise loop);
//! - no id is yielded twice in one listing (a set of 128-bit fingerprints of the ids
//!   yielded, about 20 bytes per item);
//! - on a live table, no row that exists for the whole listing is skipped when others
//!   are inserted at the front or at the end of the list's order (see "A live table" on
//!   [`Lister`]; an insert in the middle of the order is not detected).

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures::future::BoxFuture;
use futures::{Stream, TryStreamExt};
use mijnklantportaal_api::ResponseValue;
use mijnklantportaal_api::types::ErrorBody;
use tracing::Instrument;

use crate::client::Inner;
use crate::error::Error;

/// The simple-paginator envelope, as any generated page type has it.
pub trait SimplePage {
    /// The type of the items in `data`.
    type Item;
    /// `current_page`.
    fn current_page(&self) -> u64;
    /// `per_page`.
    fn per_page(&self) -> u64;
    /// `from`: the 1-based offset of the page's first item (null on an empty page).
    fn first_offset(&self) -> Option<u64>;
    /// `to`: the 1-based offset of the page's last item (null on an empty page).
    fn last_offset(&self) -> Option<u64>;
    /// `next_page_url`.
    fn next_page_url(&self) -> Option<&str>;
    /// `data`, taken out.
    fn into_items(self) -> Vec<Self::Item>;
}

/// Implements [`SimplePage`] for generated envelope types: progenitor generates one
/// struct per paginated list, all with the same fields.
macro_rules! simple_page {
    ($($page:ty => $item:ty),* $(,)?) => {$(
        impl $crate::pagination::SimplePage for $page {
            type Item = $item;

            fn current_page(&self) -> u64 {
                self.current_page.get()
            }
            fn per_page(&self) -> u64 {
                self.per_page.get()
            }
            fn first_offset(&self) -> Option<u64> {
                self.from.and_then(|v| u64::try_from(v).ok())
            }
            fn last_offset(&self) -> Option<u64> {
                self.to.and_then(|v| u64::try_from(v).ok())
            }
            fn next_page_url(&self) -> Option<&str> {
                self.next_page_url.as_deref()
            }
            fn into_items(self) -> Vec<$item> {
                self.data
            }
        }
    )*};
}

pub(crate) use simple_page;

/// A list endpoint that answers with the simple-paginator envelope.
///
/// `cargo xtask generate` writes an impl of this trait (and of [`SimplePage`] for the
/// page type) for every paginated operation of the spec; the paginator is shared. An
/// impl by hand, for a list the spec does not have yet, looks like this:
///
/// ```
/// use std::num::NonZeroU32;
/// use futures::{FutureExt, future::BoxFuture};
/// use mijnklantportaal::api::{Client, Error, ResponseValue};
/// use mijnklantportaal::{CustomerInvoice, CustomerInvoicePage, ErrorBody, ListOperation};
///
/// struct Invoices;
///
/// impl ListOperation for Invoices {
///     type Page = CustomerInvoicePage;
///     type Item = CustomerInvoice;
///     const PATH: &'static str = "/customer-invoices";
///
///     fn send<'a>(
///         &self,
///         api: &'a Client,
///         page: NonZeroU32,
///     ) -> BoxFuture<'a, Result<ResponseValue<CustomerInvoicePage>, Error<ErrorBody>>> {
///         api.list_customer_invoices().page(page).send().boxed()
///     }
///
///     fn id(item: &CustomerInvoice) -> &str {
///         &item.id
///     }
/// }
/// ```
pub trait ListOperation: Send + Sync + 'static {
    /// The page type the generated operation returns.
    type Page: SimplePage<Item = Self::Item> + Send + 'static;
    /// The items listed.
    type Item: Send + 'static;
    /// The endpoint's path, for tracing.
    const PATH: &'static str;
    /// Requests one page through the generated client. `self` carries what the path
    /// needs besides the page (the parent's id of a list under a resource); the future
    /// must not borrow it.
    fn send<'a>(
        &self,
        api: &'a mijnklantportaal_api::Client,
        page: NonZeroU32,
    ) -> BoxFuture<'a, Result<ResponseValue<Self::Page>, mijnklantportaal_api::Error<ErrorBody>>>;
    /// The item's id, to drop repeats.
    fn id(item: &Self::Item) -> &str;
}

/// Decodes the body of page `page` of a list operation, exactly as a listing does:
/// for pages kept on disk, or bodies fetched another way. Any input gives a page or an
/// error naming the page; none panics.
///
/// ```
/// use mijnklantportaal::{Error, ListCustomerInvoices, decode_page};
///
/// let err = decode_page::<ListCustomerInvoices>(7, b"<html>502 Bad Gateway</html>").unwrap_err();
/// assert!(matches!(err, Error::Decode { page: 7, .. }));
/// ```
pub fn decode_page<Op: ListOperation>(page: u64, body: &[u8]) -> Result<Op::Page, Error>
where
    Op::Page: serde::de::DeserializeOwned,
{
    serde_json::from_slice(body).map_err(|source| Error::undecodable(page, body, source))
}

/// One page of a listing.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mock = mijnklantportaal_mock::MockServer::builder()
/// #     .invoices(40).token("key").no_rate_limit().start().await?;
/// # let client = mijnklantportaal::Client::builder()
/// #     .token("key").base_url(mock.base_url()).build()?;
/// use futures::TryStreamExt;
///
/// let pages: Vec<_> = client.customer_invoices().list().pages().try_collect().await?;
/// assert_eq!(pages.len(), 3);
/// assert_eq!((pages[1].number(), pages[1].first_offset(), pages[1].last_offset()), (2, Some(16), Some(30)));
/// assert_eq!(pages[1].next_page(), Some(3));
/// assert_eq!(pages[2].items().len(), 10);
/// assert!(!pages[2].has_more());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    number: u64,
    per_page: u64,
    from: Option<u64>,
    to: Option<u64>,
    has_more: bool,
    items: Vec<T>,
}

impl<T> Page<T> {
    /// The page number (`current_page`).
    pub fn number(&self) -> u64 {
        self.number
    }
    /// Items per page, as the server reports it.
    pub fn per_page(&self) -> u64 {
        self.per_page
    }
    /// Offset (1-based) of the page's first item.
    pub fn first_offset(&self) -> Option<u64> {
        self.from
    }
    /// Offset (1-based) of the page's last item.
    pub fn last_offset(&self) -> Option<u64> {
        self.to
    }
    /// Whether the server reports a next page.
    pub fn has_more(&self) -> bool {
        self.has_more
    }
    /// The page to resume from after this one (`Some(number + 1)` while there is more).
    pub fn next_page(&self) -> Option<u64> {
        self.has_more.then_some(self.number + 1)
    }
    /// The items (ids this listing already yielded removed).
    pub fn items(&self) -> &[T] {
        &self.items
    }
    /// The items, taken out.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }
}

/// A listing to run: set its bounds, then consume it as items, pages, or a `Vec`.
///
/// Made by e.g. `client.customer_invoices().list()`.
///
/// # A live table
///
/// Offset pagination over a table that changes shifts rows: a row inserted ahead of the
/// cursor pushes every later row one place on, so the next page starts with the last
/// row of the previous one (dropped here as a repeat). Sequential paging loses nothing
/// that way. Concurrent paging can: if page 3 is evaluated by the server before the
/// insert and page 2 after it, the row pushed from page 2 to page 3 is on neither, and
/// neither page shows it.
///
/// So a listing that used pages that were in flight together makes sure, at its end,
/// that the table did not move under it. If a page repeated rows already yielded, it
/// did. If not, the listing asks for its first page once more (the first page is always
/// requested alone, before any other): every page was evaluated between those two
/// requests, so if the first page is unchanged, no row was inserted ahead of the listing
/// and none was skipped. (A repeat alone cannot prove a quiet table: a burst of two
/// pages' worth of inserts between two evaluations moves a page past its neighbour
/// without a repeat.) On a quiet table the guarantee costs that one request. If the
/// table moved, the listing goes through the pages once more, one at a time (which
/// cannot skip a row), yielding only rows not yielded yet. Rows the second pass finds
/// come after the rest; its page numbers start again from the first page, and it yields
/// only pages with such rows. A listing whose pages were each requested after the one
/// before it had arrived (prefetch 1, a list of one or two pages) needs no check; one
/// cut short by [`max_items`](Lister::max_items) gets none.
///
/// **What is guaranteed**, precisely: while rows are inserted only at the *front* of the
/// list's order (newest first, the insert shifts every row) or only at its *end* (oldest
/// first, the insert shifts none), every row that existed for the whole listing is
/// yielded, and none twice, at any prefetch. An insert in the *middle* of the order (a
/// list sorted by a field that a new row can have back-dated) shifts only the rows after
/// it; the first page does not change, so the check does not see it, and a row can be
/// skipped when pages around the insert were evaluated out of order. Nothing is yielded
/// twice then either. The API does not document its orders; its lists are by creation,
/// which puts new rows at the front or the end. A listing in an order that can take rows
/// in the middle is safe with [`prefetch(1)`](Lister::prefetch): one page at a time
/// cannot skip a row.
///
/// Deletions shift rows the other way: a row can move from a page not yet evaluated to
/// one already evaluated, and no client can see that from the pages alone. Nothing is
/// yielded twice, but rows can be missed; a caller that must not miss any compares the
/// ids with a second listing (rows missed in one listing show up in the next).
///
/// # Example
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mock = mijnklantportaal_mock::MockServer::builder()
/// #     .invoices(40).token("key").no_rate_limit().start().await?;
/// # let client = mijnklantportaal::Client::builder()
/// #     .token("key").base_url(mock.base_url()).build()?;
/// let some = client
///     .customer_invoices()
///     .list()
///     .start_page(2)  // skip the first 15
///     .max_items(20)  // and stop after 20
///     .collect_all()
///     .await?;
/// assert_eq!(some.len(), 20);
/// assert_eq!(*some[0].id, mock.dataset().invoice(15).unwrap().id);
/// # Ok(())
/// # }
/// ```
#[must_use = "a lister does nothing until consumed with .items(), .pages() or .collect_all()"]
pub struct Lister<Op: ListOperation> {
    inner: Arc<Inner>,
    start_page: u64,
    max_pages: Option<u64>,
    max_items: Option<u64>,
    page_cap: u64,
    prefetch: usize,
    op: Arc<Op>,
}

impl<Op: ListOperation> std::fmt::Debug for Lister<Op> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lister")
            .field("path", &Op::PATH)
            .field("start_page", &self.start_page)
            .field("max_pages", &self.max_pages)
            .field("max_items", &self.max_items)
            .field("page_cap", &self.page_cap)
            .field("prefetch", &self.prefetch)
            .finish()
    }
}

/// The default cap on the pages of one listing (a runaway guard, not a limit you should
/// meet: 100,000 pages are 1.5 million invoices and 28 hours at 60 requests a minute).
pub const DEFAULT_PAGE_CAP: u64 = 100_000;

impl<Op: ListOperation> Lister<Op> {
    pub(crate) fn new(inner: Arc<Inner>, op: Op) -> Self {
        let prefetch = inner.prefetch;
        Lister {
            inner,
            start_page: 1,
            max_pages: None,
            max_items: None,
            page_cap: DEFAULT_PAGE_CAP,
            prefetch,
            op: Arc::new(op),
        }
    }

    /// Start at page `n` (1-based), e.g. to resume an interrupted export.
    pub fn start_page(mut self, n: u64) -> Self {
        self.start_page = n.max(1);
        self
    }

    /// Stop after `n` pages (quietly: this is a bound you chose).
    pub fn max_pages(mut self, n: u64) -> Self {
        self.max_pages = Some(n);
        self
    }

    /// Stop after `n` items.
    pub fn max_items(mut self, n: u64) -> Self {
        self.max_items = Some(n);
        self
    }

    /// Fail with [`Error::PageCapReached`] rather than request more than `n` pages while
    /// the server keeps reporting more (default [`DEFAULT_PAGE_CAP`]).
    pub fn page_cap(mut self, n: u64) -> Self {
        self.page_cap = n.max(1);
        self
    }

    /// Pages to request ahead for this listing (default: the client's setting).
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.prefetch = pages.max(1);
        self
    }

    /// The listing as a stream of pages.
    pub fn pages(self) -> PageStream<Op> {
        let last = |count: u64| self.start_page.saturating_add(count.saturating_sub(1));
        PageStream {
            inner: self.inner,
            op: self.op,
            next_to_request: self.start_page,
            start_page: self.start_page,
            last_allowed: self.max_pages.map(last),
            cap_last: last(self.page_cap),
            page_cap: self.page_cap,
            items_left: self.max_items,
            items_last: None,
            prefetch: self.prefetch,
            ramp: 1,
            pass: Pass::Concurrent,
            overlapped: false,
            first_page: None,
            repeated: false,
            in_flight: VecDeque::new(),
            finished: self.max_pages == Some(0) || self.max_items == Some(0),
            pending_error: None,
            resume_page: self.start_page,
            yielded: Yielded::default(),
            warned_foreign: false,
        }
    }

    /// The listing as a stream of items.
    pub fn items(self) -> ItemStream<Op> {
        ItemStream {
            pages: self.pages(),
            buffer: Vec::new().into_iter(),
            buffer_page: None,
        }
    }

    /// Every item, in a `Vec`.
    pub async fn collect_all(self) -> Result<Vec<Op::Item>, Error> {
        self.items().try_collect().await
    }

    /// The first item for which `matches` is true, and the listing stops there; `None`
    /// after a whole listing without one. How the handlers' `find_by_*` look a record
    /// up by a field the API cannot search on.
    ///
    /// ```no_run
    /// # async fn run(client: mijnklantportaal::Client) -> Result<(), mijnklantportaal::Error> {
    /// let big = client.customer_invoices().list().find(|i| i.amount > rust_decimal::Decimal::from(1000)).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn find(
        self,
        mut matches: impl FnMut(&Op::Item) -> bool,
    ) -> Result<Option<Op::Item>, Error> {
        let mut items = self.items();
        while let Some(item) = items.try_next().await? {
            if matches(&item) {
                return Ok(Some(item));
            }
        }
        Ok(None)
    }
}

type PageResult<Op> = Result<<Op as ListOperation>::Page, Error>;

/// A spawned page request, aborted when dropped.
struct InFlight<T> {
    page: u64,
    /// Requested while an earlier page was still in flight.
    overlapping: bool,
    handle: tokio::task::JoinHandle<T>,
}

impl<T> Drop for InFlight<T> {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// Every id a listing has yielded, as 128-bit fingerprints: exact for all practical
/// purposes (a false repeat needs a 128-bit collision) in about 20 bytes per item.
#[derive(Default)]
struct Yielded(HashSet<u128>);

impl Yielded {
    fn fingerprint(id: &str) -> u128 {
        let half = |salt: u8| {
            let mut h = DefaultHasher::new();
            salt.hash(&mut h);
            id.hash(&mut h);
            h.finish()
        };
        (u128::from(half(0)) << 64) | u128::from(half(1))
    }

    fn contains(&self, id: &str) -> bool {
        self.0.contains(&Self::fingerprint(id))
    }

    fn insert(&mut self, id: &str) {
        self.0.insert(Self::fingerprint(id));
    }
}

/// Where a listing is (see the module docs on a live table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// Pages requested up to `prefetch` at a time.
    Concurrent,
    /// The first page asked again, to see whether rows were inserted meanwhile.
    Verifying,
    /// Rows were inserted: all pages again, one at a time, yielding what is new.
    Sequential,
}

/// A stream of [`Page`]s; see [`Lister::pages`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mock = mijnklantportaal_mock::MockServer::builder()
/// #     .invoices(40).token("key").no_rate_limit().start().await?;
/// # let client = mijnklantportaal::Client::builder()
/// #     .token("key").base_url(mock.base_url()).build()?;
/// use futures::StreamExt;
///
/// let mut pages = client.customer_invoices().list().pages();
/// let first = pages.next().await.unwrap()?;
/// assert_eq!(first.number(), 1);
/// // Stop here; a later run can continue where this one stopped.
/// assert_eq!(pages.resume_page(), 2);
/// # Ok(())
/// # }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<Op: ListOperation> {
    inner: Arc<Inner>,
    op: Arc<Op>,
    next_to_request: u64,
    start_page: u64,
    last_allowed: Option<u64>,
    cap_last: u64,
    page_cap: u64,
    items_left: Option<u64>,
    /// The last page the item bound can need, from what is left and `per_page`.
    items_last: Option<u64>,
    prefetch: usize,
    /// Pages allowed in flight in the concurrent pass: 1 at first, doubled by every page
    /// that says there is more, up to `prefetch` (speculation grows with the evidence
    /// that the list is long).
    ramp: usize,
    pass: Pass,
    /// Whether a page used by the concurrent pass was requested before the one ahead
    /// of it had arrived (pages past the end whose answers were dropped do not count).
    overlapped: bool,
    /// Fingerprints of the ids on the listing's first page, as first served.
    first_page: Option<Vec<u128>>,
    /// Whether a page of the concurrent pass held an id already yielded (the table moved).
    repeated: bool,
    in_flight: VecDeque<InFlight<PageResult<Op>>>,
    finished: bool,
    pending_error: Option<Error>,
    resume_page: u64,
    yielded: Yielded,
    warned_foreign: bool,
}

impl<Op: ListOperation> PageStream<Op> {
    /// The first page not yet yielded: where to resume with
    /// [`Lister::start_page`] if the listing fails or is stopped.
    pub fn resume_page(&self) -> u64 {
        self.resume_page
    }

    /// Starts requests until the pass's target is in flight: in the concurrent pass the
    /// ramp (1, then doubling with every page that says there is more, up to
    /// `prefetch`), otherwise one.
    fn fill(&mut self) {
        let target = match self.pass {
            Pass::Concurrent => self.ramp,
            _ => 1,
        };
        let verifying = (self.pass == Pass::Verifying).then_some(self.start_page);
        let last = [self.last_allowed, self.items_last, verifying]
            .into_iter()
            .flatten()
            .fold(self.cap_last, u64::min);
        while !self.finished && self.in_flight.len() < target && self.next_to_request <= last {
            let page = self.next_to_request;
            self.next_to_request += 1;
            let inner = Arc::clone(&self.inner);
            // The ticket keeps pages in order in the rate limiter's queue; the span
            // keeps the request under the caller's span.
            let ticket = inner.limiter.ticket();
            let op = Arc::clone(&self.op);
            let request = async move {
                (inner.request_page(Op::PATH, page, ticket, move |api, page| op.send(api, page)))
                    .await
            };
            let handle = tokio::spawn(request.instrument(tracing::Span::current()));
            let overlapping = !self.in_flight.is_empty();
            self.in_flight.push_back(InFlight {
                page,
                overlapping,
                handle,
            });
        }
    }

    fn finish(&mut self) {
        self.finished = true;
        self.in_flight.clear();
    }

    /// Checks one fetched page and turns it into a [`Page`], or ends the listing.
    fn accept(
        &mut self,
        requested: u64,
        envelope: Op::Page,
    ) -> Option<Result<Page<Op::Item>, Error>> {
        let served = envelope.current_page();
        if served != requested {
            self.finish();
            return Some(Err(Error::PageMismatch { requested, served }));
        }
        if let Some(next) = envelope.next_page_url() {
            self.warn_if_foreign(next);
        }
        let per_page = envelope.per_page();
        let (from, to) = (envelope.first_offset(), envelope.last_offset());
        let has_more = envelope.next_page_url().is_some();
        let mut items = envelope.into_items();
        let fingerprints = || {
            items
                .iter()
                .map(|i| Yielded::fingerprint(Op::id(i)))
                .collect()
        };
        match self.pass {
            Pass::Concurrent if requested == self.start_page && !items.is_empty() => {
                self.first_page = Some(fingerprints());
            }
            Pass::Verifying => {
                if self.first_page.as_ref() == Some(&fingerprints()) {
                    // Nothing was inserted ahead of the listing while it ran.
                    self.finish();
                    return None;
                }
                // This page is the first of the second pass.
                self.second_pass();
                self.next_to_request = requested + 1;
            }
            _ => {}
        }
        if items.is_empty() {
            // Past the end (or an empty account): nothing to yield.
            self.end_of_pass();
            return None;
        }

        // Drop ids already yielded, then apply the item bound.
        let before = items.len();
        items.retain(|item| !self.yielded.contains(Op::id(item)));
        if items.len() < before {
            tracing::debug!(
                page = requested,
                repeated = before - items.len(),
                "dropped items already listed (rows were inserted while paging)"
            );
            self.repeated |= self.pass == Pass::Concurrent;
        }
        let mut truncated = false;
        if let Some(left) = self.items_left.as_mut() {
            let keep = usize::try_from(*left)
                .unwrap_or(usize::MAX)
                .min(items.len());
            truncated = keep < items.len();
            items.truncate(keep);
            *left -= keep as u64;
            if *left == 0 {
                // A bound the caller chose: the listing is not checked for a moved table.
                self.finish();
            } else {
                // Request no page the bound cannot need (rate budget is precious); a
                // page size of 0 tells nothing, so no bound then.
                self.items_last =
                    (per_page > 0).then(|| requested.saturating_add(left.div_ceil(per_page)));
            }
        }
        for item in &items {
            self.yielded.insert(Op::id(item));
        }
        // Items of this page cut off by the bound are not yielded: resuming starts here.
        self.resume_page = if truncated { requested } else { requested + 1 };

        // Unless the item bound was met on this page: end, fail at the cap, or go on.
        if !self.finished {
            if !has_more || self.last_allowed == Some(requested) {
                self.end_of_pass();
            } else if requested >= self.cap_last {
                self.finish();
                self.pending_error = Some(Error::PageCapReached { cap: self.page_cap });
            } else {
                if self.pass == Pass::Concurrent {
                    self.ramp = self.ramp.saturating_mul(2).min(self.prefetch);
                }
                self.fill();
            }
        }
        if self.pass == Pass::Sequential && items.is_empty() {
            // The second pass yields only what the first one missed.
            return None;
        }
        Some(Ok(Page {
            number: requested,
            per_page,
            from,
            to,
            has_more,
            items,
        }))
    }

    /// The last page of a pass. A concurrent pass (pages in flight together) that saw
    /// the table move goes through the pages again; one that did not checks that its
    /// first page is unchanged (see "A live table" on [`Lister`]). Any other ends.
    fn end_of_pass(&mut self) {
        self.in_flight.clear();
        let concurrent = self.pass == Pass::Concurrent && self.overlapped;
        if concurrent && self.repeated {
            self.second_pass();
            self.next_to_request = self.start_page;
            self.fill();
        } else if concurrent && self.first_page.is_some() {
            self.pass = Pass::Verifying;
            self.next_to_request = self.start_page;
            self.fill();
        } else {
            self.finish();
        }
    }

    /// Rows were inserted while the listing ran: go through it again, one page at a
    /// time, for rows that moved between pages.
    fn second_pass(&mut self) {
        tracing::info!(
            path = Op::PATH,
            "rows were inserted while listing: going through the pages again, one at a time, for rows that moved between pages"
        );
        self.pass = Pass::Sequential;
    }

    /// Says once per listing that `next_page_url` names another origin.
    fn warn_if_foreign(&mut self, next: &str) {
        if self.warned_foreign {
            return;
        }
        let base = &self.inner.base_url;
        match url::Url::parse(next.trim_end_matches(',')) {
            Ok(url) if url.origin() == base.origin() => {}
            Ok(url) => {
                self.warned_foreign = true;
                tracing::warn!(
                next_page_url.origin = %url.origin().ascii_serialization(),
                base.origin = %base.origin().ascii_serialization(),
                    "next_page_url names another origin (a proxy?); listing continues by page number from the base URL, and the token goes to the base URL only"
                );
            }
            Err(_) => tracing::debug!("next_page_url is not a URL; only its presence is used"),
        }
    }
}

impl<Op: ListOperation> Unpin for PageStream<Op> {}

impl<Op: ListOperation> Stream for PageStream<Op> {
    type Item = Result<Page<Op::Item>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(error) = this.pending_error.take() {
                return Poll::Ready(Some(Err(error)));
            }
            if this.finished && this.in_flight.is_empty() {
                return Poll::Ready(None);
            }
            this.fill();
            let Some(front) = this.in_flight.front_mut() else {
                this.finished = true;
                return Poll::Ready(None);
            };
            let joined = ready!(Pin::new(&mut front.handle).poll(cx));
            let (requested, overlapping) = (front.page, front.overlapping);
            this.in_flight.pop_front();
            match joined {
                Err(join_error) => {
                    this.finish();
                    if join_error.is_panic() {
                        // A bug, not a failure of the API: surface it where it is awaited.
                        std::panic::resume_unwind(join_error.into_panic());
                    }
                    return Poll::Ready(Some(Err(Error::Interrupted { page: requested })));
                }
                Ok(Err(error)) => {
                    this.finish();
                    return Poll::Ready(Some(Err(error)));
                }
                Ok(Ok(envelope)) => {
                    this.overlapped |= overlapping && this.pass == Pass::Concurrent;
                    if let Some(result) = this.accept(requested, envelope) {
                        return Poll::Ready(Some(result));
                    }
                }
            }
        }
    }
}

/// A stream of items; see [`Lister::items`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mock = mijnklantportaal_mock::MockServer::builder()
/// #     .invoices(40).token("key").no_rate_limit().start().await?;
/// # let client = mijnklantportaal::Client::builder()
/// #     .token("key").base_url(mock.base_url()).build()?;
/// use futures::TryStreamExt;
///
/// let mut items = client.customer_invoices().list().items();
/// let mut open = 0;
/// while let Some(invoice) = items.try_next().await? {
///     if invoice.paid_at.is_none() {
///         open += 1;
///     }
/// }
/// assert!(open > 0);
/// # Ok(())
/// # }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct ItemStream<Op: ListOperation> {
    pages: PageStream<Op>,
    buffer: std::vec::IntoIter<Op::Item>,
    buffer_page: Option<u64>,
}

impl<Op: ListOperation> ItemStream<Op> {
    /// The first page whose items have not all been yielded: where to resume with
    /// [`Lister::start_page`] (items of that page already yielded come again).
    pub fn resume_page(&self) -> u64 {
        match self.buffer_page {
            Some(page) if self.buffer.len() > 0 => page,
            _ => self.pages.resume_page(),
        }
    }
}

impl<Op: ListOperation> Unpin for ItemStream<Op> {}

impl<Op: ListOperation> Stream for ItemStream<Op> {
    type Item = Result<Op::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                None => return Poll::Ready(None),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                Some(Ok(page)) => {
                    this.buffer_page = Some(page.number());
                    this.buffer = page.into_items().into_iter();
                }
            }
        }
    }
}

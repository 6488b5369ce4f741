//! Dropping a stream cancels the requests it has in flight: their futures are dropped,
//! and no task outlives the stream. Counted with a list operation whose request future
//! reports being started and being dropped.

mod common;

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{client_for, mock, within};
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use mijnklantportaal::api::{Client, Error, ResponseValue};
use mijnklantportaal::{CustomerInvoice, CustomerInvoicePage, ErrorBody, ListOperation};

static STARTED: AtomicUsize = AtomicUsize::new(0);
static DROPPED: AtomicUsize = AtomicUsize::new(0);

struct Counted;

impl Drop for Counted {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, Ordering::SeqCst);
    }
}

/// The customer-invoice listing, with its request futures counted.
struct CountedInvoices;

impl ListOperation for CountedInvoices {
    type Page = CustomerInvoicePage;
    type Item = CustomerInvoice;
    const PATH: &'static str = "/customer-invoices";

    fn send(
        api: &Client,
        page: NonZeroU32,
    ) -> BoxFuture<'_, Result<ResponseValue<CustomerInvoicePage>, Error<ErrorBody>>> {
        STARTED.fetch_add(1, Ordering::SeqCst);
        let guard = Counted;
        async move {
            let _guard = guard;
            api.list_customer_invoices().page(page).send().await
        }
        .boxed()
    }

    fn id(item: &CustomerInvoice) -> &str {
        &item.id
    }
}

#[tokio::test]
async fn dropping_the_stream_drops_every_request_in_flight() {
    let server = mock(1_000, |b| {
        b.latency(Duration::from_millis(500), Duration::ZERO)
    })
    .await;
    let client = client_for(&server).prefetch(4).build().unwrap();
    let mut pages = client.list::<CountedInvoices>().pages();
    within(10, pages.next()).await.unwrap().unwrap();
    // Page 1 is in; pages 2..=5 are in flight (500 ms each).
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = STARTED.load(Ordering::SeqCst);
    assert_eq!(started, 5, "one page, then `prefetch` ahead");
    assert_eq!(
        DROPPED.load(Ordering::SeqCst),
        1,
        "only page 1 has finished"
    );
    drop(pages);
    // Aborted tasks drop their futures at the runtime's next turn.
    within(5, async {
        while DROPPED.load(Ordering::SeqCst) < started {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        STARTED.load(Ordering::SeqCst),
        started,
        "nothing new started"
    );
    assert_eq!(server.stats().requests, started as u64, "no retries either");
}

//! What users rely on without thinking about it: the client is cheap to clone and can
//! be shared across tasks, streams can be moved into spawned tasks, errors can be sent
//! across threads and boxed.

use crate::common;

use mijnklantportaal::{
    Client, Error, ItemStream, ListCustomerInvoices, Lister, Page, PageStream, RateLimitStatus,
};

fn send_sync_static<T: Send + Sync + 'static>() {}
fn send_static<T: Send + 'static>() {}

#[test]
fn the_public_types_can_cross_tasks() {
    send_sync_static::<Client>();
    send_sync_static::<Error>();
    send_sync_static::<RateLimitStatus>();
    send_sync_static::<Page<mijnklantportaal::CustomerInvoice>>();
    send_static::<Lister<ListCustomerInvoices>>();
    send_static::<PageStream<ListCustomerInvoices>>();
    send_static::<ItemStream<ListCustomerInvoices>>();
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(Error::Config("x".into()));
    assert_eq!(boxed.to_string(), "invalid configuration: x");
}

#[tokio::test]
async fn clones_share_one_rate_limit_budget() {
    let server = common::mock(100, |b| {
        b.rate_limit(60, std::time::Duration::from_secs(60))
    })
    .await;
    let client = common::client_for(&server)
        .rate_limit(mijnklantportaal::RateLimit::default())
        .build()
        .unwrap();
    let clone = client.clone();
    let separate = common::client_for(&server)
        .rate_limit(mijnklantportaal::RateLimit::default())
        .build()
        .unwrap();
    common::within(
        10,
        client.customer_invoices().list().max_pages(2).collect_all(),
    )
    .await
    .unwrap();
    let status = clone.rate_limit_status().unwrap();
    assert_eq!(status.remaining, 58, "the clone saw both requests");
    assert!(status.resets_in.is_some());
    assert_eq!(separate.rate_limit_status().unwrap().remaining, 60);
}

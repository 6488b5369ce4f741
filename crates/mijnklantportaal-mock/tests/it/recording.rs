//! Recorded requests and counters.

use mijnklantportaal_mock::MockServer;
use reqwest::Method;

use crate::common::{api, bounded, get, http, http_with_token, status};

#[tokio::test]
async fn requests_are_recorded_in_order_with_the_token() {
    let server = MockServer::builder().invoices(20).start().await.unwrap();
    bounded(api(&server).list_customer_invoices().page(2).send())
        .await
        .unwrap();
    get(&server, "/v1/xyz?a=1&b", None).await;
    bounded(
        http()
            .delete(format!("{}/customer-invoices", server.base_url()))
            .send(),
    )
    .await
    .unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].method, Method::GET);
    assert_eq!(requests[0].path, "/v1/customer-invoices");
    assert_eq!(requests[0].query.as_deref(), Some("page=2"));
    assert_eq!(requests[0].headers["authorization"], "Bearer test");
    assert_eq!(requests[0].headers["api-version"], "1.0.0");
    assert_eq!(requests[1].path, "/v1/xyz");
    assert_eq!(requests[1].query.as_deref(), Some("a=1&b"));
    assert!(requests[1].headers.get("authorization").is_none());
    assert_eq!(requests[2].method, Method::DELETE);
    assert_eq!(requests[2].query, None);
    // Debug output keeps the token out of logs.
    assert!(!format!("{requests:?}").contains("Bearer test"));

    let stats = server.stats();
    assert_eq!(stats.requests, 3);
    assert_eq!(stats.served_ok, 1);
    assert_eq!(stats.not_found, 1);
    assert_eq!(stats.method_not_allowed, 1);
    assert_eq!(stats.faults_injected, 0);

    server.clear_requests();
    assert!(server.requests().is_empty());
    assert_eq!(server.stats().requests, 3);
}

#[tokio::test]
async fn recording_can_be_turned_off() {
    let server = MockServer::builder()
        .invoices(20)
        .record_requests(false)
        .start()
        .await
        .unwrap();
    get(&server, "/v1/customer-invoices", Some("test")).await;
    assert!(server.requests().is_empty());
    assert_eq!(server.stats().requests, 1);
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let server = MockServer::builder().start().await.unwrap();
    let addr = server.addr();
    assert_eq!(
        status(&server, "/v1/customer-invoices", Some("test")).await,
        200
    );
    bounded(server.shutdown()).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let server = MockServer::builder().start().await.unwrap();
    let addr = server.addr();
    // A keep-alive connection from before the drop is closed too.
    let client = http_with_token("test");
    let url = format!("{}/customer-invoices", server.base_url());
    assert_eq!(
        bounded(client.get(&url).send()).await.unwrap().status(),
        200
    );
    drop(server);
    // Closed once the runtime gets to the aborted task: poll instead of guessing a delay.
    bounded(async {
        while client.get(&url).send().await.is_ok() {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await;
    // The aborted task releases the listener once the runtime gets to it.
    bounded(async {
        while tokio::net::TcpStream::connect(addr).await.is_ok() {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn the_request_log_keeps_the_newest_requests_up_to_its_limit() {
    let server = crate::common::start_with(10, |b| b.request_log_limit(3)).await;
    for page in 1..=5 {
        crate::common::status(&server, &format!("/v1/customer-invoices?page={page}"), None).await;
    }
    let queries: Vec<String> = server
        .requests()
        .into_iter()
        .filter_map(|r| r.query)
        .collect();
    assert_eq!(queries, ["page=3", "page=4", "page=5"]);
}

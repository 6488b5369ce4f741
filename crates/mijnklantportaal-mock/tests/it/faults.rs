//! Fault injection: each kind observable by a plain client, seeded and replayable.

use std::collections::HashSet;
use std::net::SocketAddr;

use mijnklantportaal_mock::{Faults, MockServer};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{api, bounded, http_with_token};

async fn server_with(faults: Faults) -> MockServer {
    MockServer::builder()
        .invoices(100)
        .seed(1234)
        .faults(faults)
        .no_rate_limit()
        .start()
        .await
        .unwrap()
}

/// Sends one raw HTTP/1.1 request and reads until the server closes the connection.
async fn raw_exchange(addr: SocketAddr, request: &str) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(request.as_bytes()).await?;
    let mut received = Vec::new();
    stream.read_to_end(&mut received).await?;
    Ok(received)
}

const RAW_LIST: &str = "GET /v1/customer-invoices?page=2 HTTP/1.1\r\nHost: mock\r\n\
                        Authorization: Bearer test\r\nConnection: close\r\n\r\n";

#[tokio::test]
async fn server_errors_are_5xx_with_a_json_message() {
    let server = server_with(Faults {
        server_error: 1.0,
        ..Faults::none()
    })
    .await;
    let client = http_with_token("test");
    let mut statuses = HashSet::new();
    for page in 1..=30 {
        let url = format!("{}/customer-invoices?page={page}", server.base_url());
        let response = bounded(client.get(url).send()).await.unwrap();
        let status = response.status().as_u16();
        assert!([500, 502, 503].contains(&status), "{status}");
        statuses.insert(status);
        let body: Value = bounded(response.json()).await.unwrap();
        assert_eq!(body, json!({ "message": "Server Error" }));
    }
    assert!(statuses.len() >= 2, "status varies: {statuses:?}");
    let stats = server.stats();
    assert_eq!((stats.server_errors, stats.faults_injected), (30, 30));
    // Only list requests fail: a single invoice is still served.
    let id = server.dataset().invoice(0).unwrap().id;
    let url = format!("{}/customer-invoices/{id}", server.base_url());
    assert_eq!(bounded(client.get(url).send()).await.unwrap().status(), 200);
}

/// `GET` page 2 with the token: the 200 response, and the length its headers promise.
async fn page_2_with_length(server: &MockServer) -> (reqwest::Response, usize) {
    let url = format!("{}/customer-invoices?page=2", server.base_url());
    let response = bounded(http_with_token("test").get(url).send())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let length = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    (response, length)
}

#[tokio::test]
async fn malformed_json_is_complete_but_invalid() {
    let server = server_with(Faults {
        malformed_json: 1.0,
        ..Faults::none()
    })
    .await;
    let (response, length) = page_2_with_length(&server).await;
    let body = bounded(response.bytes())
        .await
        .expect("the whole body arrives");
    assert_eq!(body.len(), length);
    assert!(serde_json::from_slice::<Value>(&body).is_err());
    let error = bounded(api(&server).list_customer_invoices().page(2).send())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            mijnklantportaal_api::Error::InvalidResponsePayload(..)
        ),
        "{error:?}"
    );
    assert_eq!(server.stats().malformed_json, 2);
}

#[tokio::test]
async fn truncated_json_promises_more_than_it_sends() {
    let server = server_with(Faults {
        truncated_json: 1.0,
        ..Faults::none()
    })
    .await;
    let (response, promised) = page_2_with_length(&server).await;
    let expected = serde_json::to_vec(&server.page_json(2, &server.origin())).unwrap();
    assert_eq!(promised, expected.len());
    assert!(
        bounded(response.bytes()).await.is_err(),
        "reading the body fails"
    );

    // On the wire: headers, then half of the body, then the connection closes.
    let received = bounded(raw_exchange(server.addr(), RAW_LIST))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&received);
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        !body.is_empty() && body.len() < promised,
        "{} of {promised}",
        body.len()
    );

    let error = bounded(api(&server).list_customer_invoices().page(2).send())
        .await
        .unwrap_err();
    assert!(
        matches!(error, mijnklantportaal_api::Error::ResponseBodyError(_)),
        "{error:?}"
    );
    assert_eq!(server.stats().truncated_json, 3);
}

#[tokio::test]
async fn dropped_connections_send_nothing() {
    let server = server_with(Faults {
        dropped_connection: 1.0,
        ..Faults::none()
    })
    .await;
    let url = format!("{}/customer-invoices", server.base_url());
    let error = bounded(http_with_token("test").get(url).send())
        .await
        .unwrap_err();
    assert!(error.is_request() || error.is_connect(), "{error:?}");

    // Not a byte of a response: the connection ends (EOF or reset) before the head.
    match bounded(raw_exchange(server.addr(), RAW_LIST)).await {
        Ok(received) => assert!(
            received.is_empty(),
            "{:?}",
            String::from_utf8_lossy(&received)
        ),
        Err(error) => assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset),
    }
    let error = bounded(api(&server).list_customer_invoices().send())
        .await
        .unwrap_err();
    assert!(
        matches!(error, mijnklantportaal_api::Error::CommunicationError(_)),
        "{error:?}"
    );
    let stats = server.stats();
    assert_eq!((stats.dropped_connections, stats.faults_injected), (3, 3));
}

#[tokio::test]
async fn wrong_current_page_serves_another_page() {
    let server = server_with(Faults {
        wrong_current_page: 1.0,
        ..Faults::none()
    })
    .await;
    let api = api(&server);
    let page = bounded(api.list_customer_invoices().page(3).send())
        .await
        .unwrap();
    assert_eq!(page.current_page.get(), 1);
    assert_eq!(
        *page.into_inner().data[0].id,
        server.dataset().invoice(0).unwrap().id
    );
    let page = bounded(api.list_customer_invoices().page(1).send())
        .await
        .unwrap();
    assert_eq!(page.current_page.get(), 2);
    assert_eq!(server.stats().wrong_current_page, 2);
}

/// What happened to one request, from the client's side.
async fn outcome(client: &reqwest::Client, server: &MockServer, page: u32) -> String {
    let url = format!("{}/customer-invoices?page={page}", server.base_url());
    let response = match client.get(url).send().await {
        Ok(response) => response,
        Err(_) => return "dropped".into(),
    };
    let status = response.status().as_u16();
    match response.bytes().await {
        Err(_) => "truncated".into(),
        Ok(body) => match serde_json::from_slice::<Value>(&body) {
            Err(_) => "malformed".into(),
            Ok(_) if status != 200 => format!("status {status}"),
            Ok(body) if body["current_page"] != page => "wrong page".into(),
            Ok(_) => "ok".into(),
        },
    }
}

#[tokio::test]
async fn faults_are_seeded_replayable_and_retries_can_succeed() {
    let faults = Faults {
        server_error: 0.15,
        malformed_json: 0.15,
        truncated_json: 0.15,
        dropped_connection: 0.15,
        wrong_current_page: 0.15,
    };
    let mut runs = Vec::new();
    for seed in [5, 5, 6] {
        let server = MockServer::builder()
            .invoices(100)
            .seed(seed)
            .faults(faults)
            .no_rate_limit()
            .start()
            .await
            .unwrap();
        let client = http_with_token("test");
        let mut outcomes = Vec::new();
        for _ in 0..40 {
            outcomes.push(bounded(outcome(&client, &server, 2)).await);
        }
        let kinds: HashSet<&str> = outcomes
            .iter()
            .map(|o| o.split(' ').next().unwrap())
            .collect();
        for kind in ["ok", "status", "malformed", "truncated", "dropped", "wrong"] {
            assert!(
                kinds.contains(kind),
                "seed {seed}: no {kind} in {outcomes:?}"
            );
        }
        let stats = server.stats();
        let failed = outcomes.iter().filter(|o| *o != "ok").count() as u64;
        assert_eq!(stats.faults_injected, failed);
        runs.push(outcomes);
    }
    assert_eq!(runs[0], runs[1], "same seed, same faults");
    assert_ne!(runs[0], runs[2], "other seed, other faults");
}

/// The statuses of pages 1 to 12 of the invoice list, with a call to another list
/// before each when `interleave`.
async fn invoice_statuses(interleave: bool) -> Vec<u16> {
    let server = server_with(Faults {
        server_error: 0.4,
        ..Faults::none()
    })
    .await;
    let client = http_with_token("test");
    let mut statuses = Vec::new();
    for page in 1..=12 {
        if interleave {
            let url = format!("{}/webhooks?page={page}", server.base_url());
            bounded(client.get(url).send()).await.unwrap();
        }
        let url = format!("{}/customer-invoices?page={page}", server.base_url());
        let response = bounded(client.get(url).send()).await.unwrap();
        statuses.push(response.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn each_route_counts_its_own_requests_for_faults() {
    let alone = invoice_statuses(false).await;
    assert!(
        alone.contains(&200) && alone.iter().any(|&s| s >= 500),
        "{alone:?}"
    );
    assert_eq!(
        invoice_statuses(true).await,
        alone,
        "calls to another list do not shift which request fails"
    );
}

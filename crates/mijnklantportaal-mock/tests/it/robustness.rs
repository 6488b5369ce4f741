//! Garbage in: the server answers or closes, never panics, and keeps serving.

use std::time::Duration;

use mijnklantportaal_mock::MockServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{bounded, get, start};

/// Writes `bytes` on a fresh connection and reads whatever comes back (bounded).
async fn send_raw(server: &MockServer, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    // The server may close before everything is written; that is an answer too.
    let _ = stream.write_all(bytes).await;
    let _ = stream.shutdown().await;
    let mut received = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut received)).await;
    received
}

#[tokio::test]
async fn garbage_does_not_stop_the_server() {
    let server = MockServer::builder()
        .invoices(20)
        .rate_limit(1_000, Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let long_path = format!(
        "GET /v1/{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(100_000)
    );
    let long_header = format!(
        "GET /v1/customer-invoices HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        "t".repeat(200_000)
    );
    let inputs: Vec<Vec<u8>> = vec![
        b"GARBAGE\r\n\r\n".to_vec(),
        b"\x00\x01\x02\xff\xfe".to_vec(),
        b"GET / HTTP/9.9\r\n\r\n".to_vec(),
        b"GET /v1/customer-invoices HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\r\n\r\n".to_vec(),
        b"GET /v1/customer-invoices?page=\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        b"GET /v1/customer-invoices HTTP/1.1\r\nHost: \x01\r\nContent-Length: -1\r\n\r\n".to_vec(),
        b"POST /v1/customer-invoices HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort".to_vec(),
        b"GET /v1/customer-invoices HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
        b"GET /v1/customer-invoices HTTP/1.1\r\nHo".to_vec(),
        b"GET http://elsewhere/v1/customer-invoices?page=2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test\r\n\r\n".to_vec(),
        long_path.into_bytes(),
        long_header.into_bytes(),
    ];
    for input in &inputs {
        let answer = bounded(send_raw(&server, input)).await;
        let text = String::from_utf8_lossy(&answer);
        assert!(
            answer.is_empty() || text.starts_with("HTTP/1.1 "),
            "{:?} -> {text:?}",
            String::from_utf8_lossy(&input[..input.len().min(60)])
        );
        assert!(
            !text.starts_with("HTTP/1.1 5"),
            "no server error for bad input: {text}"
        );
    }
    // Still serving, with correct answers.
    let response = get(&server, "/v1/customer-invoices?page=2", Some("test")).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["current_page"], 2);
    assert!(server.stats().requests >= 4);
}

#[tokio::test]
async fn many_concurrent_clients() {
    let server = start(500).await;
    let client = crate::common::http_with_token("test");
    let tasks: Vec<_> = (1..=40u32)
        .map(|page| {
            let client = client.clone();
            let url = format!("{}/customer-invoices?page={page}", server.base_url());
            tokio::spawn(async move {
                let body: serde_json::Value = client.get(url).send().await?.json().await?;
                Ok::<_, reqwest::Error>(body["current_page"].as_u64())
            })
        })
        .collect();
    for (page, task) in (1..=40u64).zip(tasks) {
        assert_eq!(bounded(task).await.unwrap().unwrap(), Some(page));
    }
    assert_eq!(server.stats().served_ok, 40);
}

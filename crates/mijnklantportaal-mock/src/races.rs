//! Check-then-act races, made certain: a hook in the store lines two concurrent
//! requests up after their first use of a table (each waits for the other), so both
//! have looked at the row before either changes it. A write that checks under one lock
//! and changes under another then succeeds twice; one that checks and changes under
//! the same lock succeeds once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use serde_json::{Value, json};

use crate::MockServer;
use crate::handler::StoreHook;
use crate::resources::payment_links::PaymentLink;
use crate::resources::punch_cards::IssuedPunchCard;
use crate::resources::tickets::MockTicket;
use crate::store::{Record, lock};

/// Makes the next two uses of the table of `model` wait for each other when done.
fn line_up_next_two(server: &MockServer, model: &'static str) {
    let barrier = Arc::new(Barrier::new(2));
    let entries = Arc::new(AtomicUsize::new(0));
    let hook = move |used: &str| {
        if used == model && entries.fetch_add(1, Ordering::SeqCst) < 2 {
            // Hands the worker's other tasks to another thread while it waits.
            tokio::task::block_in_place(|| barrier.wait());
        }
    };
    *lock(&server.shared.store_hook) = Some(StoreHook(Arc::new(hook)));
}

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.bearer_auth("test").send().await.expect("an answer");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The statuses of two copies of a request sent at once, after lining them up.
async fn twice(
    server: &MockServer,
    model: &'static str,
    request: impl Fn() -> reqwest::RequestBuilder,
) -> Vec<u16> {
    line_up_next_two(server, model);
    let (a, b) = tokio::join!(send(request()), send(request()));
    let mut statuses = vec![a.0, b.0];
    statuses.sort_unstable();
    statuses
}

async fn server() -> (MockServer, reqwest::Client, String) {
    let server = MockServer::builder()
        .invoices(5)
        .no_rate_limit()
        .start()
        .await;
    let server = server.expect("the mock server starts");
    let base = server.base_url();
    (server, reqwest::Client::new(), base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_closes_of_one_payment_link_succeed_once() {
    let (server, client, base) = server().await;
    let body = json!({"description": "Borg", "amount": "12.95"});
    let (status, link) = send(client.post(format!("{base}/payment-links")).json(&body)).await;
    assert_eq!(status, 201, "{link}");
    let url = format!("{base}/payment-links/{}", link["id"].as_str().unwrap());
    assert_eq!(
        twice(&server, PaymentLink::MODEL, || client.delete(&url)).await,
        [200, 422]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_closes_of_one_ticket_succeed_once() {
    let (server, client, base) = server().await;
    let (_, tickets) = send(client.get(format!("{base}/tickets"))).await;
    let open = tickets["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["source"] != "chat");
    let id = open.map(|t| t["id"].as_str().unwrap().to_owned()).unwrap();
    let url = format!("{base}/tickets/{id}");
    let (status, _) = send(client.post(&url).json(&json!({"message": "Reopen"}))).await;
    assert_eq!(status, 200);
    assert_eq!(
        twice(&server, MockTicket::MODEL, || client.patch(&url)).await,
        [200, 422]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stamps_of_every_punch_left_succeed_once() {
    let (server, client, base) = server().await;
    let (_, customers) = send(client.get(format!("{base}/customers"))).await;
    let customer = customers["data"][0]["id"].clone();
    let card = json!({"name": "Koffiekaart", "punches": 10, "punchLabel": "kop koffie"});
    let (status, card) = send(client.post(format!("{base}/punch-cards")).json(&card)).await;
    assert_eq!(status, 201, "{card}");
    let issued_url = format!("{base}/punch-cards/{}/issued", card["id"].as_str().unwrap());
    let body = json!({"customerId": customer});
    let (status, issued) = send(client.post(&issued_url).json(&body)).await;
    assert_eq!(status, 201, "{issued}");
    let url = format!("{issued_url}/{}/stamp", issued["id"].as_str().unwrap());
    let all_left = json!({"stamps": 10});
    assert_eq!(
        twice(&server, IssuedPunchCard::MODEL, || {
            client.post(&url).json(&all_left)
        })
        .await,
        [200, 422]
    );
}

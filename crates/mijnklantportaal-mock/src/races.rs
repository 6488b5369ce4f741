//! Check-then-act races, made certain: a hook in the store lines `n` concurrent
//! requests up after their first use of a table (each waits for all the others), so
//! all have looked at the row before any changes it. A write that checks under one
//! lock and changes under another then succeeds `n` times (as the code before issue 20
//! did); one that checks and changes under the same lock succeeds once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use serde_json::{Value, json};

use crate::MockServer;
use crate::handler::StoreHook;
use crate::resources::payment_links::PaymentLink;
use crate::resources::punch_cards::IssuedPunchCard;
use crate::resources::tickets::MockTicket;
use crate::store::{Record, lock};

/// Makes the next `n` uses of the table of `model` wait for each other when done.
fn line_up(server: &MockServer, model: &'static str, n: usize) {
    let barrier = Arc::new(Barrier::new(n));
    let entries = Arc::new(AtomicUsize::new(0));
    let hook = move |used: &str| {
        if used == model && entries.fetch_add(1, Ordering::SeqCst) < n {
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

/// The statuses of `n` copies of a request sent at once, lined up, in ascending order.
async fn at_once(
    server: &MockServer,
    model: &'static str,
    n: usize,
    request: impl Fn() -> reqwest::RequestBuilder,
) -> Vec<u16> {
    line_up(server, model, n);
    let answers = futures::future::join_all((0..n).map(|_| send(request()))).await;
    let mut statuses: Vec<u16> = answers.into_iter().map(|(status, _)| status).collect();
    statuses.sort_unstable();
    statuses
}

/// One 200, then `n - 1` 422s.
fn once(n: usize) -> Vec<u16> {
    std::iter::once(200)
        .chain(std::iter::repeat_n(422, n - 1))
        .collect()
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
async fn sixteen_closes_of_one_payment_link_succeed_once() {
    let (server, client, base) = server().await;
    let body = json!({"description": "Borg", "amount": "12.95"});
    let (status, link) = send(client.post(format!("{base}/payment-links")).json(&body)).await;
    assert_eq!(status, 201, "{link}");
    let url = format!("{base}/payment-links/{}", link["id"].as_str().unwrap());
    assert_eq!(
        at_once(&server, PaymentLink::MODEL, 16, || client.delete(&url)).await,
        once(16)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_closes_of_one_ticket_succeed_once() {
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
        at_once(&server, MockTicket::MODEL, 16, || client.patch(&url)).await,
        once(16)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_stamps_of_every_punch_left_succeed_once() {
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
        at_once(&server, IssuedPunchCard::MODEL, 8, || {
            client.post(&url).json(&all_left)
        })
        .await,
        once(8)
    );
}

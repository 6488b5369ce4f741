//! Check-then-act races: concurrent writes to one row, on a multi-threaded runtime
//! (the server's tasks really run in parallel), succeed exactly as often as the
//! row's state allows.

use futures::future::join_all;
use serde_json::{Value, json};

use crate::common::{create_customer, http_with_token, send, start};

/// The statuses of `count` copies of one request, sent at once.
async fn at_once(count: usize, request: impl Fn() -> reqwest::RequestBuilder) -> Vec<u16> {
    let answers = join_all((0..count).map(|_| send(request()))).await;
    answers.into_iter().map(|(status, _)| status).collect()
}

fn successes(statuses: &[u16]) -> usize {
    statuses.iter().filter(|&&s| s == 200).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_closes_of_a_payment_link_succeed_once() {
    let server = start(10).await;
    let client = http_with_token("test");
    let base = server.base_url();
    for round in 0..25 {
        let body = json!({"description": format!("Borg {round}"), "amount": "12.95"});
        let (status, link) = send(client.post(format!("{base}/payment-links")).json(&body)).await;
        assert_eq!(status, 201, "{link}");
        let url = format!("{base}/payment-links/{}", link["id"].as_str().unwrap());
        let statuses = at_once(16, || client.delete(&url)).await;
        assert_eq!(successes(&statuses), 1, "round {round}: {statuses:?}");
        assert!(
            statuses.iter().all(|&s| s == 200 || s == 422),
            "{statuses:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_closes_of_a_ticket_succeed_once() {
    let server = start(10).await;
    let client = http_with_token("test");
    let base = server.base_url();
    let (_, tickets) = send(client.get(format!("{base}/tickets"))).await;
    let ticket = tickets["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["source"] != "chat")
        .cloned()
        .unwrap();
    let url = format!("{base}/tickets/{}", ticket["id"].as_str().unwrap());
    for round in 0..25 {
        // A reply reopens the ticket.
        let reply = json!({"message": format!("Round {round}")});
        let (status, body) = send(client.post(&url).json(&reply)).await;
        assert_eq!(status, 200, "{body}");
        let statuses = at_once(16, || client.patch(&url)).await;
        assert_eq!(successes(&statuses), 1, "round {round}: {statuses:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_stamps_of_every_punch_left_succeed_once() {
    let server = start(10).await;
    let client = http_with_token("test");
    let base = server.base_url();
    let customer = create_customer(&server).await;
    let card = json!({"name": "Koffiekaart", "punches": 10, "punchLabel": "kop koffie"});
    let (status, card) = send(client.post(format!("{base}/punch-cards")).json(&card)).await;
    assert_eq!(status, 201, "{card}");
    let issued_url = format!("{base}/punch-cards/{}/issued", card["id"].as_str().unwrap());
    for round in 0..25 {
        let body = json!({"customerId": customer["id"]});
        let (status, issued) = send(client.post(&issued_url).json(&body)).await;
        assert_eq!(status, 201, "{issued}");
        let stamp_url = format!("{issued_url}/{}/stamp", issued["id"].as_str().unwrap());
        let all_left = json!({"stamps": issued["punchesLeft"]});
        let statuses = at_once(8, || client.post(&stamp_url).json(&all_left)).await;
        assert_eq!(successes(&statuses), 1, "round {round}: {statuses:?}");
        let (_, after) = send(client.get(stamp_url.trim_end_matches("/stamp"))).await;
        assert_eq!(after["punchesLeft"], Value::from(0), "{after}");
    }
}

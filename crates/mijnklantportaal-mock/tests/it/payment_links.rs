//! The Payment Links API: seeded links in every state, their payments in pages
//! under the link, create, close (twice: 422), lost answers, 404s and 422s.

use std::collections::HashSet;

use mijnklantportaal_mock::MockServer;
use serde_json::{Value, json};

use crate::common::{bounded, get_json, http_with_token, send, start_with};

/// Every row on every page of `path` (a list endpoint), checking the envelope.
async fn list_all(server: &MockServer, path: &str) -> Vec<Value> {
    let origin = server.origin();
    let mut all = Vec::new();
    for page in 1u64.. {
        let (status, _, body) = get_json(server, &format!("{path}?page={page}")).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body["current_page"], page);
        assert_eq!(body["path"], format!("{origin}{path}"));
        assert_eq!(body["first_page_url"], format!("{origin}{path}?page=1"));
        all.extend(body["data"].as_array().expect("data").iter().cloned());
        if body["next_page_url"].is_null() {
            break;
        }
        assert_eq!(
            body["next_page_url"],
            format!("{origin}{path}?page={}", page + 1)
        );
    }
    all
}

/// Whether `object` has exactly the fields `expected` (their order is checked by the
/// crate's unit tests: `serde_json::Value` sorts them).
fn has_fields(object: &Value, expected: &[&str]) -> bool {
    let fields: HashSet<&str> = object
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    fields == expected.iter().copied().collect()
}

fn is_amount(value: &Value) -> bool {
    value.as_str().is_some_and(|text| {
        text.split_once('.').is_some_and(|(units, cents)| {
            !units.is_empty()
                && cents.len() == 2
                && (units.to_owned() + cents)
                    .bytes()
                    .all(|b| b.is_ascii_digit())
        })
    })
}

fn assert_is_link(link: &Value, origin: &str) {
    let id = link["id"].as_str().expect("id");
    assert!(id.starts_with("plk_") && id.len() == 18, "{id}");
    assert!(has_fields(
        link,
        &[
            "id",
            "description",
            "currency",
            "amount",
            "reusable",
            "expiresAt",
            "status",
            "checkoutUrl",
            "createdAt"
        ]
    ));
    assert_eq!(link["currency"], "EUR");
    assert!(is_amount(&link["amount"]), "{link}");
    assert!(link["reusable"].is_boolean());
    for time in ["createdAt", "expiresAt"] {
        if let Some(text) = link[time].as_str() {
            assert!(chrono::DateTime::parse_from_rfc3339(text).is_ok(), "{text}");
        }
    }
    // Only an open link can be paid, on its checkout page.
    match link["status"].as_str() {
        Some("open") => assert_eq!(link["checkoutUrl"], format!("{origin}/payment-link/{id}")),
        Some("paid" | "expired" | "closed") => assert!(link["checkoutUrl"].is_null()),
        other => panic!("status {other:?}"),
    }
}

#[tokio::test]
async fn seeded_links_come_in_pages_in_every_state_and_each_can_be_read() {
    let server = start_with(10, |b| b.per_page(5)).await;
    let origin = server.origin();
    let (_, _, first) = get_json(&server, "/v1/payment-links").await;
    assert_eq!(first["data"].as_array().unwrap().len(), 5);
    assert!(first["next_page_url"].is_string());
    let links = list_all(&server, "/v1/payment-links").await;
    assert!(links.len() > 5, "two pages: {}", links.len());
    let states: HashSet<&str> = links.iter().filter_map(|l| l["status"].as_str()).collect();
    assert_eq!(states, HashSet::from(["open", "paid", "expired", "closed"]));
    assert!(links.iter().any(|l| l["reusable"] == true));
    assert!(links.iter().any(|l| l["reusable"] == false));
    for link in &links {
        assert_is_link(link, &origin);
        let id = link["id"].as_str().unwrap();
        let (status, _, fetched) = get_json(&server, &format!("/v1/payment-links/{id}")).await;
        assert_eq!((status, &fetched), (200, link));
    }
    for expired in links.iter().filter(|l| l["status"] == "expired") {
        let parse = |field: &str| {
            chrono::DateTime::parse_from_rfc3339(expired[field].as_str().unwrap()).unwrap()
        };
        assert!(parse("expiresAt") > parse("createdAt"));
    }
}

#[tokio::test]
async fn payments_are_listed_under_their_link_in_pages() {
    let server = start_with(10, |b| b.per_page(5)).await;
    let links = list_all(&server, "/v1/payment-links").await;
    let mut seen = HashSet::new();
    let mut paged = false;
    for link in &links {
        let id = link["id"].as_str().unwrap();
        let path = format!("/v1/payment-links/{id}/payments");
        let payments = list_all(&server, &path).await;
        paged |= payments.len() > 5;
        if link["status"] == "paid" {
            assert_eq!(payments.len(), 1, "a paid single-use link was paid once");
        }
        if link["reusable"] == false {
            assert!(payments.len() <= 1);
        }
        for payment in &payments {
            let payment_id = payment["id"].as_str().unwrap();
            assert!(payment_id.starts_with("plp_") && payment_id.len() == 18);
            assert!(
                seen.insert(payment_id.to_owned()),
                "listed under one link only"
            );
            assert!(has_fields(
                payment,
                &[
                    "id",
                    "paymentLinkId",
                    "currency",
                    "amount",
                    "status",
                    "payersName",
                    "integration",
                    "integrationId",
                    "createdAt"
                ]
            ));
            assert_eq!(payment["paymentLinkId"], id);
            assert_eq!(payment["amount"], link["amount"]);
            assert_eq!(payment["currency"], "EUR");
            assert_eq!(payment["status"], "paid");
            assert!(
                payment["integrationId"]
                    .as_str()
                    .unwrap()
                    .starts_with("tr_")
            );
            let paid = chrono::DateTime::parse_from_rfc3339(payment["createdAt"].as_str().unwrap())
                .unwrap();
            let made =
                chrono::DateTime::parse_from_rfc3339(link["createdAt"].as_str().unwrap()).unwrap();
            assert!(paid > made);
        }
    }
    assert!(paged, "one link's payments span two pages");
    // A link without payments: an empty first page.
    let unpaid = links
        .iter()
        .find(|l| l["status"] == "open" && l["reusable"] == false)
        .unwrap();
    let (status, _, page) = get_json(
        &server,
        &format!(
            "/v1/payment-links/{}/payments",
            unpaid["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(page["data"], json!([]));
    assert!(page["from"].is_null() && page["to"].is_null() && page["next_page_url"].is_null());
    // An unknown link: 404, before anything is listed.
    let (status, _, body) = get_json(&server, "/v1/payment-links/plk_nope/payments").await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({ "message": r"No query results for model [App\Models\PaymentLink] plk_nope" })
    );
}

#[tokio::test]
async fn a_created_link_is_open_until_closed_and_a_second_close_is_422() {
    let server = start_with(10, |b| b.per_page(5)).await;
    let origin = server.origin();
    let base = server.base_url();
    let before = list_all(&server, "/v1/payment-links").await;
    let client = http_with_token("test");
    let new = json!({
        "description": "Borg zaalhuur", "amount": "125.5", "expiresAt": "2025-05-04",
        "reusable": true,
    });
    let (status, created) = send(client.post(format!("{base}/payment-links")).json(&new)).await;
    assert_eq!(status, 201, "{created}");
    assert_is_link(&created, &origin);
    assert_eq!(created["description"], "Borg zaalhuur");
    assert_eq!(created["amount"], "125.50");
    assert_eq!(created["reusable"], true);
    assert_eq!(created["status"], "open");
    assert_eq!(created["expiresAt"], "2025-05-04T23:59:59+02:00");
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(before.iter().all(|l| l["id"] != id.as_str()));

    let link_path = format!("/v1/payment-links/{id}");
    assert_eq!(get_json(&server, &link_path).await.2, created);
    let after = list_all(&server, "/v1/payment-links").await;
    assert_eq!(after.last(), Some(&created));
    assert_eq!(after.len(), before.len() + 1);
    let payments = list_all(&server, &format!("{link_path}/payments")).await;
    assert!(payments.is_empty());

    // Close: 200 with the closed link, which stays readable.
    let url = format!("{origin}{link_path}");
    let (status, closed) = send(client.delete(&url)).await;
    assert_eq!(status, 200, "{closed}");
    let mut expected = created.clone();
    expected["status"] = json!("closed");
    expected["checkoutUrl"] = Value::Null;
    assert_eq!(closed, expected);
    assert_eq!(get_json(&server, &link_path).await.2, expected);
    // Closing again: 422, nothing changes.
    assert_eq!(
        send(client.delete(&url)).await,
        (422, json!({ "message": "Payment Link is already closed." }))
    );
    assert_eq!(get_json(&server, &link_path).await.2, expected);
    // An unknown link: 404.
    let (status, body) = send(client.delete(format!("{base}/payment-links/plk_nope"))).await;
    assert_eq!(status, 404, "{body}");
    let stats = server.stats();
    assert_eq!(
        (stats.writes, stats.unprocessable, stats.not_found),
        (2, 1, 1)
    );
}

#[tokio::test]
async fn a_seeded_link_closes_and_a_closed_one_refuses() {
    let server = start_with(10, |b| b).await;
    let links = list_all(&server, "/v1/payment-links").await;
    let client = http_with_token("test");
    let origin = server.origin();
    let url = |link: &Value| format!("{origin}/v1/payment-links/{}", link["id"].as_str().unwrap());
    let closed = links.iter().find(|l| l["status"] == "closed").unwrap();
    assert_eq!(send(client.delete(url(closed))).await.0, 422);
    let open = links.iter().find(|l| l["status"] == "open").unwrap();
    let (status, body) = send(client.delete(url(open))).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("closed")));
    // The listing shows it closed, in its place.
    let after = list_all(&server, "/v1/payment-links").await;
    let position = links.iter().position(|l| l["id"] == open["id"]).unwrap();
    assert_eq!(after[position], body);
}

#[tokio::test]
async fn a_close_whose_answer_is_lost_was_done_and_its_repeat_is_422() {
    let server = start_with(10, |b| b).await;
    let links = list_all(&server, "/v1/payment-links").await;
    let open = links.iter().find(|l| l["status"] == "open").unwrap();
    let url = format!(
        "{}/payment-links/{}",
        server.base_url(),
        open["id"].as_str().unwrap()
    );
    let client = http_with_token("test");
    server.drop_next_write_responses(1);
    assert!(
        bounded(client.delete(&url).send()).await.is_err(),
        "no answer"
    );
    let (status, body) = send(client.get(&url)).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("closed")));
    assert_eq!(send(client.delete(&url)).await.0, 422);
    let stats = server.stats();
    assert_eq!(
        (
            stats.writes,
            stats.dropped_write_responses,
            stats.unprocessable
        ),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn invalid_links_get_laravel_422() {
    let server = start_with(10, |b| b).await;
    let before = list_all(&server, "/v1/payment-links").await;
    let client = http_with_token("test");
    let url = format!("{}/payment-links", server.base_url());
    let cases = [
        (
            json!({}),
            json!({
                "message": "The description field is required. (and 1 more error)",
                "errors": {
                    "description": ["The description field is required."],
                    "amount": ["The amount field is required."],
                },
            }),
        ),
        (
            json!({
                "description": "x", "amount": "0", "expiresAt": "2024-04-31", "reusable": "yes",
            }),
            json!({
                "message": "The amount field must be at least 0.01. (and 2 more errors)",
                "errors": {
                    "amount": ["The amount field must be at least 0.01."],
                    "expiresAt": ["The expires at field must match the format Y-m-d."],
                    "reusable": ["The reusable field must be true or false."],
                },
            }),
        ),
        (
            json!({ "description": "x", "amount": "12.955" }),
            json!({
                "message": "The amount field must have 0-2 decimal places.",
                "errors": { "amount": ["The amount field must have 0-2 decimal places."] },
            }),
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(send(client.post(&url).json(&body)).await, (422, expected));
    }
    let stats = server.stats();
    assert_eq!((stats.writes, stats.unprocessable), (0, 3));
    assert_eq!(list_all(&server, "/v1/payment-links").await, before);
}
